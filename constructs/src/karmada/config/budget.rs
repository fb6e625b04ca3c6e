//! The bootstrap's time budget: each step's longest wait, from the config and the pinned downloads, so that the
//! config's check of `management.bootstrap_timeout_minutes` and the script's own deadlines are one computation.

use super::{Config, ConfigError};
use crate::karmada::pins::{kubectl_binaries, kubectl_karmada_sha256};

/// Seconds the script keeps between its budget and the CreationPolicy timeout, to log and signal.
pub const SIGNAL_MARGIN_SECONDS: u32 = 120;
/// Longest one download may take (`curl` under `timeout`).
pub const DOWNLOAD_SECONDS: u32 = 120;
/// Longest one bounded AWS CLI call may take.
pub const AWS_CALL_SECONDS: u32 = 60;
/// Longest the removal of a half-finished init may take: `deinit`, then the namespace's deletion.
pub const DEINIT_SECONDS: u32 = 300;
/// Longest the wait for the Karmada API through the NLB may take (targets turning healthy).
pub const ENDPOINT_SECONDS: u32 = 600;
/// The fewest seconds `kubectl karmada init` may be given.
pub const MIN_INIT_SECONDS: u32 = 900;
/// The waits of `init`: the etcd StatefulSet and six Deployments (karmada-apiserver, aggregated-apiserver,
/// kube-controller-manager, scheduler, controller-manager, webhook), each up to `--wait-component-ready-timeout`
/// (pkg/karmadactl/cmdinit/kubernetes/deploy.go).
pub const INIT_WAITS: u32 = 7;

/// The script's time budget: each step's longest wait, adding up to less than the CreationPolicy timeout less
/// [`SIGNAL_MARGIN_SECONDS`]. Every wait in the script is also cut to what is left of the budget at run time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Budget {
    /// (step, seconds) in the script's order.
    pub steps: Vec<(&'static str, u32)>,
    /// Seconds `kubectl karmada init` runs at most (part of the `karmada-init` step).
    pub init_seconds: u32,
    /// Seconds from the script's start to its deadline.
    pub total_seconds: u32,
    /// The CreationPolicy timeout, in seconds.
    pub timeout_seconds: u32,
}

impl Budget {
    pub fn sum(&self) -> u32 {
        self.steps.iter().map(|(_, s)| s).sum()
    }
}

/// The budget for `config`; an error naming `management.bootstrap_timeout_minutes` when the timeout leaves
/// `init` less than [`MIN_INIT_SECONDS`].
pub fn budget(config: &Config) -> Result<Budget, ConfigError> {
    let fixed = fixed_steps(config);
    let m = &config.management;
    let timeout_seconds = m.bootstrap_timeout_minutes * 60;
    let total_seconds = timeout_seconds.saturating_sub(SIGNAL_MARGIN_SECONDS);
    let available = total_seconds.saturating_sub(before_init(&fixed));
    if available < MIN_INIT_SECONDS {
        return Err(ConfigError::new(
            "management.bootstrap_timeout_minutes",
            format!(
                "{} minutes is shorter than the bootstrap's waits (tools, karmada init, the NLB's readiness)",
                m.bootstrap_timeout_minutes
            ),
        )
        .hint(format!("set management.bootstrap_timeout_minutes to {} or more", minimum_timeout_minutes(config))));
    }
    let init_seconds = available.min(INIT_WAITS * config.karmada.component_ready_timeout_seconds);
    let mut steps: Vec<(&'static str, u32)> = fixed[..5].to_vec();
    steps.insert(4, ("karmada-init", INIT_OVERHEAD_SECONDS + init_seconds));
    steps.push(fixed[5]);
    Ok(Budget { steps, init_seconds, total_seconds, timeout_seconds })
}

/// The `karmada-init` step besides `init` itself: reading the secret, removing a half-finished init.
const INIT_OVERHEAD_SECONDS: u32 = AWS_CALL_SECONDS + DEINIT_SECONDS;

/// Every step but `karmada-init`, in the script's order.
fn fixed_steps(config: &Config) -> [(&'static str, u32); 6] {
    [
        ("install-tools", download_count(config) as u32 * DOWNLOAD_SECONDS),
        ("parent-kubeconfig", AWS_CALL_SECONDS),
        ("storage-class", AWS_CALL_SECONDS),
        // describe-stacks, describe-nodegroup, describe-auto-scaling-groups, attach: the CLI's own timeouts.
        ("nlb-targets", 4 * AWS_CALL_SECONDS),
        ("karmada-endpoint", ENDPOINT_SECONDS + AWS_CALL_SECONDS),
        ("store-kubeconfig", AWS_CALL_SECONDS),
    ]
}

fn before_init(fixed: &[(&'static str, u32)]) -> u32 {
    fixed.iter().map(|(_, s)| s).sum::<u32>() + INIT_OVERHEAD_SECONDS
}

/// The shortest CreationPolicy timeout, in minutes, that leaves `init` [`MIN_INIT_SECONDS`].
pub fn minimum_timeout_minutes(config: &Config) -> u32 {
    (before_init(&fixed_steps(config)) + MIN_INIT_SECONDS + SIGNAL_MARGIN_SECONDS).div_ceil(60)
}

fn download_count(config: &Config) -> usize {
    let kubectls = kubectl_binaries(&config.parent.kubernetes_version);
    let unpinned = kubectls.iter().filter(|k| k.release.sha256_amd64.is_none()).count();
    let karmada = if kubectl_karmada_sha256(&config.karmada.version).is_some() { 1 } else { 2 };
    kubectls.len() + unpinned + karmada
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::hints::rendered;

    #[test]
    fn the_waits_add_up_to_less_than_the_creation_policy_timeout() {
        for minutes in [minimum_timeout_minutes(&Config::default()), 60, 90, 720] {
            let mut config = Config::default();
            config.management.bootstrap_timeout_minutes = minutes;
            let b = budget(&config).unwrap();
            assert_eq!(b.timeout_seconds, minutes * 60);
            assert!(b.sum() <= b.total_seconds, "{minutes} min: {} > {}", b.sum(), b.total_seconds);
            assert_eq!(b.total_seconds + SIGNAL_MARGIN_SECONDS, b.timeout_seconds);
            assert!(b.init_seconds >= MIN_INIT_SECONDS);
            assert!(b.init_seconds <= INIT_WAITS * config.karmada.component_ready_timeout_seconds);
        }
        let mut config = Config::default();
        config.management.bootstrap_timeout_minutes = minimum_timeout_minutes(&config) - 1;
        let err = rendered(&budget(&config).unwrap_err());
        assert!(err.contains("management.bootstrap_timeout_minutes") && err.contains("hint: set"), "{err}");
    }
}
