//! The tools the management host installs and which kubectl drives the parent: one list for the bootstrap and the
//! reconcile, so the host's kubectl follows the cluster it drives.

use crate::karmada::config::Config;
use crate::karmada::pins::{kubectl_binaries, kubectl_karmada_sha256};

/// The name of the binary the scripts run against the parent cluster.
pub fn parent_kubectl(config: &Config) -> &'static str {
    kubectl_binaries(&config.parent.kubernetes_version).last().map_or("kubectl", |k| k.name)
}

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
