//! The versions and checksums karmada-eks pins for what the management host runs: kubectl by Kubernetes minor,
//! kubectl-karmada, the Karmada API server's Kubernetes image, etcd's tools and the restore pod's image. Nothing
//! here reads the config: the config's checks, the host's scripts and the stacks all take their pins from here.

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

/// An etcd release whose tools the host runs for backups and restores.
pub struct EtcdRelease {
    pub version: &'static str,
    /// SHA-256 of `etcd-<version>-linux-amd64.tar.gz`, as the release's `SHA256SUMS` lists it.
    pub sha256_linux_amd64: &'static str,
}

impl EtcdRelease {
    pub fn url(&self) -> String {
        format!("https://github.com/etcd-io/etcd/releases/download/{v}/etcd-{v}-linux-amd64.tar.gz", v = self.version)
    }
}

/// etcd v3.6.6, the version of the etcd image Karmada v1.18.2's `init` deploys (`defaultEtcdImage =
/// "etcd:3.6.6-0"`, pkg/karmadactl/cmdinit/kubernetes/deploy.go). The checksum is the release's `SHA256SUMS` line,
/// as two independent install guides quote it next to `sha256sum` of the downloaded tarball.
pub const ETCD_TOOLS: EtcdRelease = EtcdRelease {
    version: "v3.6.6",
    sha256_linux_amd64: "887afaa4a99f22d802ccdfbe65730a5e79aa5c9ce2c8799c67e9d804c50ecedb",
};

/// The image of the short-lived pods a restore copies etcd data onto each volume with: it needs `sh` and `tar`,
/// which the distroless etcd image lacks.
pub const RESTORE_POD_IMAGE: &str = "public.ecr.aws/docker/library/busybox:1.37.0";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::karmada::config::Config;
    use crate::karmada::host::tools::parent_kubectl;

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
}
