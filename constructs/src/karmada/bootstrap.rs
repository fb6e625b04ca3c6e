//! The management host's user-data: `templates/bootstrap.sh.hbs` rendered with what is known at synth time, left
//! as an `Fn::Sub` text for what is known at deploy time.
//!
//! The script (steps `input`, `install-tools`, `parent-kubeconfig`, `storage-class`, `nlb-targets`,
//! `karmada-init`, `karmada-endpoint`, `store-kubeconfig`, `join-<member>`, `workload`, `signal`) installs kubectl
//! (the parent's minor version) and kubectl-karmada with their SHA-256 verified, points kubectl at the parent,
//! applies the gp3 StorageClass, attaches the node group's Auto Scaling group to the NLB target group, runs
//! `kubectl karmada init` in HA mode unless Karmada is already healthy, points the Karmada kubeconfig at the NLB,
//! stores it as an SSM SecureString, joins every member not yet joined and Ready (push: `join`, pull: `token
//! create` + `register`), applies the sample workload and signals CloudFormation. Each step logs its name to
//! `/var/log/karmada-eks-bootstrap.log` (under `$KARMADA_EKS_ROOT` when set); a failure signals the failed step.
//!
//! Shell `${VAR}` is written `${!VAR}`, which `Fn::Sub` turns back into `${VAR}`. The per-member input (member
//! list and manifests) stays in the script while the whole fits in EC2's user-data limit with the longest
//! deploy-time values; otherwise it moves, base64-encoded, into SSM String parameters that the script reads.

use serde_json::json;

use super::config::JoinMode;
use super::manifests;
use super::templates::{self, Template, TemplateError};
use super::Config;

/// EC2's limit on user-data, in bytes before base64 encoding.
pub const USER_DATA_LIMIT: usize = 16 * 1024;

/// Longest value of a Standard-tier SSM String parameter, in bytes: the size of each overflow chunk at most.
pub const SSM_CHUNK_LIMIT: usize = 4096;

/// The `Fn::Sub` variables the script may use, with the longest value each can take at deploy time (used to
/// bound the size of the user-data after substitution).
pub const VARIABLES: [(&str, usize); 5] = [
    // internal-<32>-<16 hex>.elb.<region>.amazonaws.com is at most about 100 characters.
    ("NlbDnsName", 128),
    // Up to six zones, one Elastic IP each, comma-separated.
    ("NlbAddresses", 6 * 16),
    ("TargetGroupArn", 160),
    ("NodegroupName", 63),
    ("KmsKeyArn", 128),
];

/// The pseudo parameters the script may use, with their longest values.
pub const PSEUDO_PARAMETERS: [(&str, usize); 2] = [("AWS::Region", 32), ("AWS::StackName", 128)];

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

/// Synth-time inputs of the bootstrap script.
pub struct BootstrapContext<'a> {
    pub config: &'a Config,
    /// Name of the management stack (`cfn-signal --stack`).
    pub management_stack: &'a str,
    /// Logical ID of the management host's instance (`cfn-signal --resource`).
    pub instance_logical_id: &'a str,
    /// SSM SecureString parameter receiving the Karmada kubeconfig, `/<app>/karmada/kubeconfig`.
    pub kubeconfig_parameter: &'a str,
    /// Prefix of the overflow parameters, `/<app>/karmada/bootstrap/`: chunks are `<prefix>0`, `<prefix>1`, ...
    pub overflow_parameter_prefix: &'a str,
}

/// The rendered script and what the stack must provide for it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RenderedBootstrap {
    /// The `Fn::Sub` text (shell `${VAR}` written `${!VAR}`).
    pub script: String,
    /// The `Fn::Sub` variables the script uses, a subset of [`VARIABLES`] in that order.
    pub variables: Vec<&'static str>,
    /// Chunks (at most [`SSM_CHUNK_LIMIT`] bytes each) the stack stores as SSM String parameters `<prefix>0`,
    /// `<prefix>1`, ...; empty when everything fits in the user-data.
    pub overflow: Vec<String>,
}

/// Why the script could not be rendered.
#[derive(Debug, thiserror::Error)]
pub enum BootstrapError {
    #[error(transparent)]
    Template(#[from] TemplateError),
    #[error("{field} = {value:?} cannot be written into the bootstrap script: use letters, digits and . _ - : / @ + = , only")]
    UnsafeValue { field: String, value: String },
    #[error("the bootstrap script uses ${{{0}}}, which is neither a declared Fn::Sub variable nor a pseudo parameter")]
    Undeclared(String),
    #[error("the bootstrap script needs up to {size} bytes of user-data even with its input in SSM; EC2 allows {USER_DATA_LIMIT}")]
    TooLarge { size: usize },
}

/// Renders the script for `ctx`. The member list and manifests stay in the script when the user-data fits in
/// [`USER_DATA_LIMIT`] with every variable at its longest; otherwise they become `overflow` chunks.
pub fn render(ctx: &BootstrapContext) -> Result<RenderedBootstrap, BootstrapError> {
    let config = ctx.config;
    let input = render_input(config)?;
    let base = script_data(ctx)?;

    let mut data = base.clone();
    data["input"] = json!(input.trim_end_matches('\n'));
    let inline = templates::render(Template::Bootstrap, &data)?;
    let (script, overflow) = if user_data_upper_bound(&inline) <= USER_DATA_LIMIT {
        (inline, Vec::new())
    } else {
        let chunks = chunk(&base64(input.as_bytes()), SSM_CHUNK_LIMIT);
        let mut data = base;
        data["overflow_count"] = json!(chunks.len());
        data["overflow_last"] = json!(chunks.len().saturating_sub(1));
        let script = templates::render(Template::Bootstrap, &data)?;
        let size = user_data_upper_bound(&script);
        if size > USER_DATA_LIMIT {
            return Err(BootstrapError::TooLarge { size });
        }
        (script, chunks)
    };
    check_substitutions(&script)?;
    let variables = VARIABLES.iter().map(|(v, _)| *v).filter(|v| script.contains(&format!("${{{v}}}"))).collect();
    Ok(RenderedBootstrap { script, variables, overflow })
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

fn script_data(ctx: &BootstrapContext) -> Result<serde_json::Value, BootstrapError> {
    let config = ctx.config;
    let kubectl = kubectl_release(&config.parent.kubernetes_version);
    let k = &config.karmada;
    let words = [
        ("management_stack", ctx.management_stack),
        ("instance_logical_id", ctx.instance_logical_id),
        ("kubeconfig_parameter", ctx.kubeconfig_parameter),
        ("overflow_parameter_prefix", ctx.overflow_parameter_prefix),
        ("parent.name", config.parent.name.as_str()),
        ("parent.kubernetes_version", kubectl.version.as_str()),
        ("karmada.version", k.version.as_str()),
        ("karmada.storage_class", k.storage_class.as_str()),
        ("karmada.etcd_storage_size", k.etcd_storage_size.as_str()),
    ];
    for (field, value) in words {
        shell_word(field, value)?;
    }
    Ok(json!({
        "stack": ctx.management_stack,
        "resource": ctx.instance_logical_id,
        "kubeconfig_parameter": ctx.kubeconfig_parameter,
        "overflow_prefix": ctx.overflow_parameter_prefix,
        "overflow_count": 0,
        "overflow_last": 0,
        "input": "",
        "parent": config.parent.name,
        "kubectl_version": kubectl.version,
        "kubectl_sha256_amd64": kubectl.sha256_amd64.unwrap_or_default(),
        "kubectl_sha256_arm64": kubectl.sha256_arm64.unwrap_or_default(),
        "karmada_version": k.version,
        "apiserver_replicas": k.apiserver_replicas,
        "etcd_replicas": k.etcd_replicas,
        "etcd_storage_size": k.etcd_storage_size,
        "storage_class": k.storage_class,
        "has_pull": config.members.iter().any(|m| m.mode == JoinMode::Pull),
        "workload": config.workload.enabled,
    }))
}

/// The shell fragment that writes the member list and the manifests into the state directory.
fn render_input(config: &Config) -> Result<String, BootstrapError> {
    let mut members = Vec::new();
    for (i, m) in config.members().iter().enumerate() {
        shell_word(&format!("members[{i}].name"), &m.name)?;
        shell_word(&format!("members[{i}].region"), &m.region)?;
        shell_word(&format!("members[{i}].eks_cluster_name"), &m.eks_cluster_name)?;
        members.push(json!({ "name": m.name, "region": m.region, "eks": m.eks_cluster_name, "mode": m.mode.as_str() }));
    }
    let storage_class = manifests::storage_class(&config.karmada.storage_class, &config.app)?;
    let workload = if config.workload.enabled { manifests::workload(config)? } else { String::new() };
    for (name, text) in [("StorageClass", &storage_class), ("workload", &workload)] {
        if text.lines().any(|l| l == "YAML") || text.contains("${") {
            return Err(BootstrapError::UnsafeValue { field: name.into(), value: text.clone() });
        }
    }
    Ok(templates::render(
        Template::BootstrapInput,
        &json!({
            "members": members,
            "storage_class": storage_class.trim_end_matches('\n'),
            "workload": workload.trim_end_matches('\n'),
        }),
    )?)
}

fn shell_word(field: &str, value: &str) -> Result<(), BootstrapError> {
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

fn chunk(text: &str, size: usize) -> Vec<String> {
    text.as_bytes().chunks(size).map(|c| String::from_utf8_lossy(c).into_owned()).collect()
}

fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for group in bytes.chunks(3) {
        let b = [group[0], *group.get(1).unwrap_or(&0), *group.get(2).unwrap_or(&0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= group.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::karmada::config::MemberConfig;

    fn ctx(config: &Config) -> BootstrapContext<'_> {
        BootstrapContext {
            config,
            management_stack: "karmada-management",
            instance_logical_id: "ManagementHostInstance0123abcd",
            kubeconfig_parameter: "/karmada/karmada/kubeconfig",
            overflow_parameter_prefix: "/karmada/karmada/bootstrap/",
        }
    }

    #[test]
    fn base64_matches_the_standard_alphabet_and_padding() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"foobar\n"), "Zm9vYmFyCg==");
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
    fn default_config_renders_every_step_inline() {
        let config = Config::default();
        let r = render(&ctx(&config)).unwrap();
        assert!(r.overflow.is_empty());
        assert_eq!(r.variables, ["NlbDnsName", "NlbAddresses", "TargetGroupArn", "NodegroupName", "KmsKeyArn"]);
        for step in [
            "step input",
            "step install-tools",
            "step parent-kubeconfig",
            "step storage-class",
            "step nlb-targets",
            "step karmada-init",
            "step karmada-endpoint",
            "step store-kubeconfig",
            "step \"join-$name\"",
            "step workload",
            "step signal",
        ] {
            assert!(r.script.contains(step), "{step:?} missing");
        }
        assert!(r.script.contains("ekseucl01 eu-central-1 ekseucl01 push\n"));
        assert!(r.script.contains("--stack karmada-management --resource ManagementHostInstance0123abcd"));
        assert!(!r.script.contains("cluster-info"), "push-only configs leave the pull wiring out");
    }

    #[test]
    fn pull_members_bring_the_cluster_info_wiring() {
        let mut config = Config::default();
        config.members[2].mode = JoinMode::Pull;
        let r = render(&ctx(&config)).unwrap();
        assert!(r.script.contains("eksuscl01 us-east-1 eksuscl01 pull\n"));
        assert!(r.script.contains("patch configmap cluster-info"));
    }

    #[test]
    fn disabled_workload_applies_nothing() {
        let mut config = Config::default();
        config.workload.enabled = false;
        let r = render(&ctx(&config)).unwrap();
        assert!(!r.script.contains("step workload"));
        assert!(!r.script.contains("kind: Deployment"));
    }

    #[test]
    fn unsafe_values_are_refused() {
        let config = Config::default();
        let mut c = ctx(&config);
        c.management_stack = "a b";
        assert!(matches!(render(&c), Err(BootstrapError::UnsafeValue { field, .. }) if field == "management_stack"));
        let mut config = Config::default();
        config.members[0].eks_cluster_name = Some("x;rm".into());
        let err = render(&ctx(&config)).unwrap_err();
        assert!(err.to_string().contains("members[0].eks_cluster_name"), "{err}");
    }

    #[test]
    fn many_members_move_to_overflow_chunks() {
        let members = (0..120)
            .map(|i| MemberConfig::new(&format!("member-cluster-with-a-long-name-{i:03}"), "ap-southeast-2", 1))
            .collect();
        let config = Config { members, ..Config::default() };
        let r = render(&ctx(&config)).unwrap();
        assert!(r.overflow.len() > 1);
        assert!(r.overflow.iter().all(|c| !c.is_empty() && c.len() <= SSM_CHUNK_LIMIT));
        assert!(user_data_upper_bound(&r.script) <= USER_DATA_LIMIT);
        assert!(r.script.contains(&format!("seq 0 {}", r.overflow.len() - 1)));
        assert!(!r.script.contains("member-cluster-with-a-long-name-000"));
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
