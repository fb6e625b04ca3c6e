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

use super::error::ScriptError;
use super::manifests;
use super::shell::shell_word;
use super::templates::{self, Template};
use super::tools::{parent_kubectl, tool_lines};
use crate::karmada::config::budget::{
    self, Budget, AWS_CALL_SECONDS, DEINIT_SECONDS, DOWNLOAD_SECONDS, ENDPOINT_SECONDS,
};
use crate::karmada::config::Config;
use crate::karmada::wellknown;

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

/// Renders the script for `ctx`.
pub fn render(ctx: &BootstrapContext) -> Result<RenderedBootstrap, ScriptError> {
    let budget = budget::budget(ctx.config)?;
    let data = script_data(ctx, &budget)?;
    let script = without_comment_lines(&templates::render(Template::Bootstrap, &data)?);
    let size = user_data_upper_bound(&script);
    if size > USER_DATA_LIMIT {
        return Err(ScriptError::TooLarge { size, limit: USER_DATA_LIMIT });
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

fn script_data(ctx: &BootstrapContext, budget: &Budget) -> Result<serde_json::Value, ScriptError> {
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
        return Err(ScriptError::UnsafeValue { field: "karmada.storage_class".into(), value: k.storage_class.clone() });
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

/// Every `${NAME}` left for `Fn::Sub` must be a declared variable or a known pseudo parameter.
fn check_substitutions(script: &str) -> Result<(), ScriptError> {
    let mut rest = script;
    while let Some(start) = rest.find("${") {
        let after = &rest[start + 2..];
        if !after.starts_with('!') {
            let name = after.split('}').next().unwrap_or(after);
            let known = VARIABLES.iter().chain(PSEUDO_PARAMETERS.iter()).any(|(v, _)| *v == name);
            if !known {
                return Err(ScriptError::Undeclared(name.to_string()));
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
        assert!(matches!(render(&c), Err(ScriptError::UnsafeValue { field, .. }) if field == "management_stack"));
    }

    #[test]
    fn undeclared_substitutions_are_caught() {
        assert!(check_substitutions("a ${!HOME} ${AWS::Region} ${NlbDnsName}").is_ok());
        assert!(matches!(check_substitutions("echo ${HOME}"), Err(ScriptError::Undeclared(v)) if v == "HOME"));
    }

    #[test]
    fn upper_bound_counts_longest_values() {
        let script = "x${NlbDnsName}y${!HOME}";
        assert_eq!(user_data_upper_bound(script), script.len() - "${NlbDnsName}".len() + 128 - 1);
    }
}
