//! The management host's user-data: `templates/bootstrap.sh.hbs` rendered with what is known at synth time, left
//! as an `Fn::Sub` text for what is known at deploy time (the NLB's DNS name and addresses).
//!
//! Day 1 only (docs/lifecycle.md): steps `install-tools` (aws-cfn-bootstrap, kubectl and kubectl-karmada with
//! their SHA-256 checked), `parent-kubeconfig`, `storage-class`, `nlb-targets` (read from the cluster stack's
//! outputs), `karmada-init` (adopt the Karmada whose kubeconfig is in the secret; else clear an init that the
//! marker ConfigMap `kube-system/karmada-eks-install` proves half-finished, and run `kubectl karmada init` in HA
//! mode with the etcd fix), `karmada-endpoint`, `store-kubeconfig` (Secrets Manager, then the marker says
//! installed), `install-reconcile` (`/usr/local/bin/karmada-eks-reconcile`), `signal`. No member is joined here:
//! the reconcile does that, so the signal budget does not grow with the member count. Each step logs its name to
//! `/var/log/karmada-eks-bootstrap.log` (under `$KARMADA_EKS_ROOT` when set); a failure logs
//! `FAILED <step>: <reason>` and signals failure.
//!
//! Shell `${VAR}` is written `${!VAR}`, which `Fn::Sub` turns back into `${VAR}`.

use serde_json::json;

use super::manifests;
use super::templates::{self, Template, TemplateError};
use super::wellknown;
use super::Config;

/// EC2's limit on user-data, in bytes before base64 encoding.
pub const USER_DATA_LIMIT: usize = 16 * 1024;

/// The `Fn::Sub` variables the script may use, with the longest value each can take at deploy time (used to
/// bound the size of the user-data after substitution).
pub const VARIABLES: [(&str, usize); 2] = [
    // internal-<32>-<16 hex>.elb.<region>.amazonaws.com is at most about 100 characters.
    ("NlbDnsName", 128),
    // Up to six zones, one Elastic IP each, comma-separated.
    ("NlbAddresses", 6 * 16),
];

/// The pseudo parameters the script may use, with their longest values.
pub const PSEUDO_PARAMETERS: [(&str, usize); 2] = [("AWS::Region", 32), ("AWS::StackName", 128)];

/// Kubernetes version of the Karmada API server: `kubectl karmada init` v1.18.2 defaults `--kube-image-tag` to
/// `v1.35.2` (pkg/karmadactl/cmdinit/cmdinit.go); the script passes it explicitly so the kubectl chosen below
/// stays within its skew.
pub const KARMADA_KUBE_IMAGE_TAG: &str = "v1.35.2";
const KARMADA_KUBE_MINOR: u32 = 35;

/// Published SHA-256s of kubectl-karmada release archives (linux/amd64, linux/arm64) known to the project. None is
/// pinned for v1.18.2: no primary source available to the project quotes them, so the script checks the archive
/// against the release's own `.sha256`.
const KUBECTL_KARMADA: [(&str, &str, &str); 0] = [];

/// kubectl releases the script installs, by Kubernetes minor version: (minor, version, SHA-256 of
/// `linux/amd64/kubectl`, SHA-256 of `linux/arm64/kubectl`), as published on dl.k8s.io.
const KUBECTL: [(u32, &str, &str, &str); 8] = [
    (
        28,
        "v1.28.11",
        "1dba63e1a5c9520fc516c6e817924d927b9b83b8e08254c8fe2a2edb65da7a9c",
        "7984a98d52365d190b6f56caa962339a7228b6f432e58ba5f1b1e60dbedac275",
    ),
    (
        29,
        "v1.29.6",
        "339553c919874ebe3b719e9e1fcd68b55bc8875f9b5a005cf4c028738d54d309",
        "21816488cf3af4cf2b956ee58f7afc5b4964c29488f63756f5ddcf09b0df5be9",
    ),
    (
        30,
        "v1.30.9",
        "d77041f285d9237c4aa451370c3ec6e5c042007dbb55c894f0a179b1d149bf32",
        "bab82f333f6347507a4c725bc726fefd3d862eb64a36a4fb8b99bfe9e10813d0",
    ),
    (
        31,
        "v1.31.5",
        "fbecbfd375b3686002c2e81d51c390172f5ffba3d6b47920d55342cb03f557af",
        "697c8b4239f9e53cba46296e114bcc02c726b5c7a45e1c464804aad56e5c7a86",
    ),
    (
        32,
        "v1.32.13",
        "db2ae479a63f3665d7f704ab18c0d4d4050144237980763221835b7305703c4c",
        "b1f87f196633a89208546d79bfa4e2470bda70e7bf42c4d3adb008ec208da9d1",
    ),
    (
        33,
        "v1.33.9",
        "9e33e3234c0842cd44a12c13e334b4ce930145ea84b855ce7cc0a7b6bc670c22",
        "af4dc943a6f447ecb070340efe63c7f8ee2808e6c0bc42126efe7cde0cc1e69b",
    ),
    (
        34,
        "v1.34.4",
        "d50c359d95e0841eaad08ddc27c7be37cba8fdccfba5c8e2ded65e121ff112db",
        "5b982c0644ab1e27780246b9085a5886651b4a7ed86243acbb2bacc1bea01dda",
    ),
    (
        35,
        "v1.35.1",
        "36e2f4ac66259232341dd7866952d64a958846470f6a9a6a813b9117bd965207",
        "706256e21a4e9192ee62d1a007ac0bfcff2b0b26e92cc7baad487a6a5d08ff82",
    ),
];

/// The kubectl release for a cluster version.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KubectlRelease {
    /// Release tag, e.g. `v1.31.5`.
    pub version: String,
    /// Pinned SHA-256 of the linux/amd64 binary; `None`: the script verifies against the published `.sha256`.
    pub sha256_amd64: Option<&'static str>,
    /// Pinned SHA-256 of the linux/arm64 binary; `None` as above.
    pub sha256_arm64: Option<&'static str>,
}

/// The pinned kubectl of the cluster's minor version (`"1.31"`); for a minor outside the table, its `.0` release
/// without a pinned checksum.
pub fn kubectl_release(kubernetes_version: &str) -> KubectlRelease {
    let minor = kubernetes_version.strip_prefix("1.").and_then(|m| m.split('.').next()?.parse::<u32>().ok());
    match KUBECTL.iter().find(|(m, ..)| Some(*m) == minor) {
        Some((_, version, amd64, arm64)) => {
            KubectlRelease { version: (*version).to_string(), sha256_amd64: Some(amd64), sha256_arm64: Some(arm64) }
        }
        None => KubectlRelease { version: format!("v{kubernetes_version}.0"), sha256_amd64: None, sha256_arm64: None },
    }
}

/// One kubectl binary the script installs: the file name under `/usr/local/bin` and its release.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KubectlBinary {
    /// `kubectl` (drives the Karmada API; `kubectl karmada` runs the plugin) or `kubectl-parent`.
    pub name: &'static str,
    pub release: KubectlRelease,
}

/// The kubectl binaries for a parent of `kubernetes_version`. kubectl is supported within one minor version of
/// the API server it talks to (Kubernetes version skew policy), and Karmada's API server is
/// [`KARMADA_KUBE_IMAGE_TAG`]: one pinned kubectl when a release in the table is within one minor of both, else
/// `kubectl` for Karmada (v1.35) and `kubectl-parent` of the parent's minor.
pub fn kubectl_binaries(kubernetes_version: &str) -> Vec<KubectlBinary> {
    let parent = minor(kubernetes_version);
    let both = KUBECTL
        .iter()
        .rev()
        .find(|(m, ..)| m.abs_diff(KARMADA_KUBE_MINOR) <= 1 && parent.is_some_and(|p| m.abs_diff(p) <= 1));
    if let Some((m, ..)) = both {
        return vec![KubectlBinary { name: "kubectl", release: kubectl_release(&format!("1.{m}")) }];
    }
    vec![
        KubectlBinary { name: "kubectl", release: kubectl_release(&format!("1.{KARMADA_KUBE_MINOR}")) },
        KubectlBinary { name: "kubectl-parent", release: kubectl_release(kubernetes_version) },
    ]
}

fn minor(kubernetes_version: &str) -> Option<u32> {
    kubernetes_version.strip_prefix("1.").and_then(|m| m.split('.').next()?.parse::<u32>().ok())
}

/// The pinned SHA-256s (amd64, arm64) of the kubectl-karmada archive of `version`, when the project knows them.
pub fn kubectl_karmada_sha256(version: &str) -> Option<(&'static str, &'static str)> {
    KUBECTL_KARMADA.iter().find(|(v, ..)| *v == version).map(|(_, a, b)| (*a, *b))
}

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
pub fn budget(config: &Config) -> Result<Budget, BootstrapError> {
    let fixed = fixed_steps(config);
    let m = &config.management;
    let timeout_seconds = m.bootstrap_timeout_minutes * 60;
    let total_seconds = timeout_seconds.saturating_sub(SIGNAL_MARGIN_SECONDS);
    let available = total_seconds.saturating_sub(before_init(&fixed));
    if available < MIN_INIT_SECONDS {
        return Err(BootstrapError::Budget {
            minutes: m.bootstrap_timeout_minutes,
            minimum: minimum_timeout_minutes(config),
        });
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

/// Synth-time inputs of the bootstrap script.
pub struct BootstrapContext<'a> {
    pub config: &'a Config,
    /// Name of the management stack (`cfn-signal --stack`).
    pub management_stack: &'a str,
    /// Name of the cluster stack, whose outputs `NodegroupName` and `TargetGroupArn` the host reads.
    pub cluster_stack: &'a str,
    /// Logical ID of the management host's instance (`cfn-signal --resource`).
    pub instance_logical_id: &'a str,
}

/// The rendered script and what the stack must provide for it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RenderedBootstrap {
    /// The `Fn::Sub` text (shell `${VAR}` written `${!VAR}`).
    pub script: String,
    /// The `Fn::Sub` variables the script uses, a subset of [`VARIABLES`] in that order.
    pub variables: Vec<&'static str>,
    /// The time budget the script keeps.
    pub budget: Budget,
}

/// Why the script could not be rendered.
#[derive(Debug, thiserror::Error)]
pub enum BootstrapError {
    #[error(transparent)]
    Template(#[from] TemplateError),
    #[error("{field} = {value:?} cannot be written into the management host's scripts: use letters, digits and . _ - : / @ + = , only")]
    UnsafeValue { field: String, value: String },
    #[error("the bootstrap script uses ${{{0}}}, which is neither a declared Fn::Sub variable nor a pseudo parameter")]
    Undeclared(String),
    #[error("the bootstrap script needs up to {size} bytes of user-data; EC2 allows {USER_DATA_LIMIT}")]
    TooLarge { size: usize },
    #[error("management.bootstrap_timeout_minutes = {minutes} is too short for the bootstrap's waits (karmada init needs at least {MIN_INIT_SECONDS} s of them)\n  hint: set management.bootstrap_timeout_minutes to {minimum} or more")]
    Budget { minutes: u32, minimum: u32 },
}

/// Renders the script for `ctx`.
pub fn render(ctx: &BootstrapContext) -> Result<RenderedBootstrap, BootstrapError> {
    let budget = budget(ctx.config)?;
    let data = script_data(ctx, &budget)?;
    let script = without_comment_lines(&templates::render(Template::Bootstrap, &data)?);
    let size = user_data_upper_bound(&script);
    if size > USER_DATA_LIMIT {
        return Err(BootstrapError::TooLarge { size });
    }
    check_substitutions(&script)?;
    let variables = VARIABLES.iter().map(|(v, _)| *v).filter(|v| script.contains(&format!("${{{v}}}"))).collect();
    Ok(RenderedBootstrap { script, variables, budget })
}

/// The longest the user-data can be once `Fn::Sub` has replaced every variable by its longest value and every
/// `${!` by `${`.
pub fn user_data_upper_bound(script: &str) -> usize {
    let mut size = script.len() - script.matches("${!").count();
    for (name, max) in VARIABLES.iter().chain(PSEUDO_PARAMETERS.iter()) {
        let placeholder = format!("${{{name}}}");
        let n = script.matches(&placeholder).count();
        size = size - n * placeholder.len() + n * max;
    }
    size
}

/// `script` without its comment lines (a line whose first non-blank character is `#`), which explain the templates
/// to their readers and only take user-data bytes on the host. Kept: the `#!` line, `# shellcheck` directives, and
/// every line of a here-document (from a line ending in `<<'WORD'` or `<<WORD` to the line `WORD`), whose text is
/// a file's content.
pub fn without_comment_lines(script: &str) -> String {
    let mut out = String::with_capacity(script.len());
    let mut heredoc: Option<String> = None;
    for line in script.split_inclusive('\n') {
        let text = line.trim_end_matches('\n');
        if let Some(end) = &heredoc {
            if text == end {
                heredoc = None;
            }
            out.push_str(line);
            continue;
        }
        let comment = text.trim_start();
        if comment.starts_with('#') && !comment.starts_with("#!") && !comment.starts_with("# shellcheck ") {
            continue;
        }
        if let Some((_, word)) = text.rsplit_once("<<") {
            let word = word.trim_matches(|c| c == '\'' || c == '"' || c == '-');
            if !word.is_empty() && word.bytes().all(|b| b.is_ascii_uppercase() || b == b'_') {
                heredoc = Some(word.to_string());
            }
        }
        out.push_str(line);
    }
    out
}

/// The name of the binary the scripts run against the parent cluster.
pub fn parent_kubectl(config: &Config) -> &'static str {
    kubectl_binaries(&config.parent.kubernetes_version).last().map_or("kubectl", |k| k.name)
}

fn script_data(ctx: &BootstrapContext, budget: &Budget) -> Result<serde_json::Value, BootstrapError> {
    let config = ctx.config;
    let k = &config.karmada;
    let secret = wellknown::kubeconfig_secret(&config.app);
    let words = [
        ("management_stack", ctx.management_stack),
        ("cluster_stack", ctx.cluster_stack),
        ("instance_logical_id", ctx.instance_logical_id),
        ("parent.name", config.parent.name.as_str()),
        ("parent.kubernetes_version", config.parent.kubernetes_version.as_str()),
        ("karmada.version", k.version.as_str()),
        ("karmada.storage_class", k.storage_class.as_str()),
        ("karmada.etcd_storage_size", k.etcd_storage_size.as_str()),
        ("app", config.app.as_str()),
    ];
    for (field, value) in words {
        shell_word(field, value)?;
    }
    let storage_class = manifests::storage_class(&k.storage_class, &config.app)?;
    if storage_class.lines().any(|l| l == "YAML") || storage_class.contains("${") {
        return Err(BootstrapError::UnsafeValue {
            field: "karmada.storage_class".into(),
            value: k.storage_class.clone(),
        });
    }
    let binaries = tool_lines(config);
    Ok(json!({
        "stack": ctx.management_stack,
        "resource": ctx.instance_logical_id,
        "cluster_stack": ctx.cluster_stack,
        "kubeconfig_secret": secret,
        "bootstrap_log": wellknown::HOST_BOOTSTRAP_LOG,
        "fetcher": super::fetcher::for_user_data(&config.app)?,
        "parent": config.parent.name,
        "binaries": binaries,
        "parent_kubectl": parent_kubectl(config),
        "karmada_version": k.version,
        "etcd_replicas": k.etcd_replicas,
        "etcd_fix": k.etcd_replicas > 1,
        "component_ready_timeout": k.component_ready_timeout_seconds,
        "storage_class_name": k.storage_class,
        "storage_class": storage_class.trim_end_matches('\n'),
        "timeout_seconds": budget.timeout_seconds,
        "budget_seconds": budget.total_seconds,
        "download_seconds": DOWNLOAD_SECONDS,
        "aws_call_seconds": AWS_CALL_SECONDS,
        "deinit_seconds": DEINIT_SECONDS,
        "init_seconds": budget.init_seconds,
        "endpoint_seconds": ENDPOINT_SECONDS,
    }))
}

/// A value the scripts write unquoted: letters, digits and `._-:/@+=,` only.
/// The tools the host runs, one line each: name, release, SHA-256 of linux/amd64 and of linux/arm64 (`-` where
/// none is pinned: the release's own `.sha256` is checked). The bootstrap installs them; the reconcile installs
/// them again when they change (a new `parent.kubernetes_version` asks for another kubectl), so the host's
/// kubectl follows the cluster it drives.
pub fn tool_lines(config: &Config) -> Vec<String> {
    let pin = |sum: Option<&str>| sum.unwrap_or("-").to_string();
    let k = &config.karmada;
    let karmada_sha = kubectl_karmada_sha256(&k.version);
    kubectl_binaries(&config.parent.kubernetes_version)
        .iter()
        .map(|b| {
            format!("{} {} {} {}", b.name, b.release.version, pin(b.release.sha256_amd64), pin(b.release.sha256_arm64))
        })
        .chain(std::iter::once(format!(
            "kubectl-karmada {} {} {}",
            k.version,
            pin(karmada_sha.map(|s| s.0)),
            pin(karmada_sha.map(|s| s.1))
        )))
        .collect()
}

/// The `kubectl karmada init` flags that come from the desired state, not the user-data (file `init-flags` of
/// the bundle, one a line): the image tag, every component's replicas, etcd's volume size and the certificates'
/// lifetime. The bootstrap reads them through `karmada-eks-reconcile init-flags`, so a change of these settings
/// leaves the management instance alone (a `UserData` change stops and starts it); each is in the v1.18.2 flag
/// list (tests/data/karmadactl-v1.18.2-flags.txt).
pub fn init_flags(config: &Config) -> Vec<String> {
    let k = &config.karmada;
    let pairs: [(&str, String); 10] = [
        ("--kube-image-tag", KARMADA_KUBE_IMAGE_TAG.into()),
        ("--karmada-apiserver-replicas", k.apiserver_replicas.to_string()),
        ("--etcd-replicas", k.etcd_replicas.to_string()),
        ("--karmada-scheduler-replicas", k.scheduler_replicas.to_string()),
        ("--karmada-controller-manager-replicas", k.controller_manager_replicas.to_string()),
        ("--karmada-webhook-replicas", k.webhook_replicas.to_string()),
        ("--karmada-aggregated-apiserver-replicas", k.aggregated_apiserver_replicas.to_string()),
        ("--karmada-kube-controller-manager-replicas", k.kube_controller_manager_replicas.to_string()),
        ("--etcd-pvc-size", k.etcd_storage_size.clone()),
        // A Go duration (`flags.DurationVar`, pkg/karmadactl/cmdinit/cmdinit.go): hours, as in its "8760h0m0s".
        ("--cert-validity-period", format!("{}h", k.cert_validity_days * 24)),
    ];
    pairs.into_iter().flat_map(|(flag, value)| [flag.to_string(), value]).collect()
}

pub(crate) fn shell_word(field: &str, value: &str) -> Result<(), BootstrapError> {
    let ok = !value.is_empty() && value.bytes().all(|b| b.is_ascii_alphanumeric() || b"._-:/@+=,".contains(&b));
    if ok {
        Ok(())
    } else {
        Err(BootstrapError::UnsafeValue { field: field.into(), value: value.into() })
    }
}

/// Every `${NAME}` left for `Fn::Sub` must be a declared variable or a known pseudo parameter.
fn check_substitutions(script: &str) -> Result<(), BootstrapError> {
    let mut rest = script;
    while let Some(start) = rest.find("${") {
        let after = &rest[start + 2..];
        if !after.starts_with('!') {
            let name = after.split('}').next().unwrap_or(after);
            let known = VARIABLES.iter().chain(PSEUDO_PARAMETERS.iter()).any(|(v, _)| *v == name);
            if !known {
                return Err(BootstrapError::Undeclared(name.to_string()));
            }
        }
        rest = after;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx(config: &Config) -> BootstrapContext<'_> {
        BootstrapContext {
            config,
            management_stack: "karmada-management",
            cluster_stack: "karmada-cluster",
            instance_logical_id: "ManagementHostInstance0123abcd",
        }
    }

    #[test]
    fn comment_lines_go_but_here_documents_and_directives_stay() {
        let script = "#!/bin/bash\n# why\nset -e\n  # indented why\necho a # trailing stays\n\
                      # shellcheck disable=SC2016\ncat >f <<'EOF'\n# file content\nEOF\n# after\n\
                      cat <<YAML\n  # yaml comment\nYAML\necho '<<not a heredoc'\n# gone\n";
        assert_eq!(
            without_comment_lines(script),
            "#!/bin/bash\nset -e\necho a # trailing stays\n# shellcheck disable=SC2016\ncat >f <<'EOF'\n\
             # file content\nEOF\ncat <<YAML\n  # yaml comment\nYAML\necho '<<not a heredoc'\n"
        );
    }

    #[test]
    fn kubectl_matches_the_cluster_minor() {
        let k = kubectl_release("1.31");
        assert_eq!(k.version, "v1.31.5");
        assert!(k.sha256_amd64.is_some_and(|s| s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit())));
        let unknown = kubectl_release("1.40");
        assert_eq!(unknown, KubectlRelease { version: "v1.40.0".into(), sha256_amd64: None, sha256_arm64: None });
    }

    #[test]
    fn one_kubectl_when_a_pinned_release_is_within_the_skew_of_both_servers() {
        for (parent, want) in [("1.34", "v1.35.1"), ("1.35", "v1.35.1"), ("1.36", "v1.35.1"), ("1.33", "v1.34.4")] {
            let b = kubectl_binaries(parent);
            assert_eq!(b.len(), 1, "{parent}: {b:?}");
            assert_eq!((b[0].name, b[0].release.version.as_str()), ("kubectl", want), "{parent}");
            assert!(b[0].release.sha256_amd64.is_some() && b[0].release.sha256_arm64.is_some());
        }
    }

    #[test]
    fn two_kubectls_when_no_release_is_within_the_skew_of_both() {
        let b = kubectl_binaries("1.31");
        let got: Vec<(&str, &str)> = b.iter().map(|k| (k.name, k.release.version.as_str())).collect();
        assert_eq!(got, [("kubectl", "v1.35.1"), ("kubectl-parent", "v1.31.5")]);
        let mut old_parent = Config::default();
        old_parent.parent.kubernetes_version = "1.31".into();
        assert_eq!(parent_kubectl(&old_parent), "kubectl-parent");
        assert_eq!(parent_kubectl(&Config::default()), "kubectl", "the default 1.35 parent needs one kubectl");
    }

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
        let err = budget(&config).unwrap_err().to_string();
        assert!(err.contains("management.bootstrap_timeout_minutes") && err.contains("hint: set"), "{err}");
    }

    #[test]
    fn default_config_renders_the_day_one_steps_only() {
        let config = Config::default();
        let r = render(&ctx(&config)).unwrap();
        assert_eq!(r.variables, ["NlbDnsName", "NlbAddresses"]);
        for step in [
            "step install-tools",
            "step parent-kubeconfig",
            "step storage-class",
            "step nlb-targets",
            "step karmada-init",
            "step karmada-endpoint",
            "step store-kubeconfig",
            "step install-reconcile",
            "step signal",
        ] {
            assert!(r.script.contains(step), "{step:?} missing");
        }
        for absent in ["karmada join", "karmada register", "kind: Deployment", "ekseucl01"] {
            assert!(!r.script.contains(absent), "{absent:?} is in the user-data");
        }
        assert!(r.script.contains("--stack karmada-management --resource ManagementHostInstance0123abcd"));
        assert!(r.script.contains("--secret-id karmada/karmada/kubeconfig"));
        assert!(r.script.contains(&format!("DEADLINE=$(($(date +%s) + {}))", r.budget.total_seconds)));
    }

    #[test]
    fn a_single_etcd_replica_needs_no_statefulset_fix() {
        let mut config = Config::default();
        config.karmada.etcd_replicas = 1;
        let r = render(&ctx(&config)).unwrap();
        assert!(!r.script.contains("etcd_parallel"));
        let r = render(&ctx(&Config::default())).unwrap();
        assert!(r.script.contains("etcd_parallel &"));
    }

    #[test]
    fn unsafe_values_are_refused() {
        let config = Config::default();
        let mut c = ctx(&config);
        c.management_stack = "a b";
        assert!(matches!(render(&c), Err(BootstrapError::UnsafeValue { field, .. }) if field == "management_stack"));
    }

    #[test]
    fn undeclared_substitutions_are_caught() {
        assert!(check_substitutions("a ${!HOME} ${AWS::Region} ${NlbDnsName}").is_ok());
        assert!(matches!(check_substitutions("echo ${HOME}"), Err(BootstrapError::Undeclared(v)) if v == "HOME"));
    }

    #[test]
    fn upper_bound_counts_longest_values() {
        let script = "x${NlbDnsName}y${!HOME}";
        assert_eq!(user_data_upper_bound(script), script.len() - "${NlbDnsName}".len() + 128 - 1);
    }
}
