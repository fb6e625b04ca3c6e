//! Checks on the rendered host scripts: EC2's user-data limit, `Fn::Sub` variables, shellcheck on the user-data,
//! the reconcile fetcher and the desired-state bundle's reconcile script, and the `kubectl karmada` flags they
//! pass against the list v1.18.2 defines (tests/data/karmadactl-v1.18.2-flags.txt).

use crate::support::bootstrap as bootstrap_support;

use std::collections::BTreeSet;

use bootstrap_support::*;
use constructs::karmada::config::{JoinMode, MemberConfig};
use constructs::karmada::host::bootstrap::{user_data_upper_bound, USER_DATA_LIMIT};
use constructs::karmada::Config;

/// The configurations every check runs on: (name, config).
fn variants() -> Vec<(&'static str, Config)> {
    let mut pull = Config { nlb: pull_path(), ..Config::default() };
    for m in &mut pull.members {
        m.mode = JoinMode::Pull;
    }
    let mut no_workload = Config::default();
    no_workload.workload.enabled = false;
    let mut namespaced = Config::default();
    namespaced.workload.namespace = "demo".into();
    let mut unpinned = Config::default();
    unpinned.parent.kubernetes_version = "1.38".into();
    let mut one_kubectl = Config::default();
    one_kubectl.parent.kubernetes_version = "1.34".into();
    let mut single_etcd = Config::default();
    single_etcd.karmada.etcd_replicas = 1;
    vec![
        ("default", Config::default()),
        ("pull", pull),
        ("no-workload", no_workload),
        ("namespaced", namespaced),
        ("unpinned-kubectl", unpinned),
        ("one-kubectl", one_kubectl),
        ("single-etcd", single_etcd),
        ("hundred-members", Config { members: members(100), nlb: pull_path(), ..Config::default() }),
    ]
}

/// The network the pull-mode members of [`members`] connect from, which config validation requires.
fn pull_path() -> constructs::karmada::config::NlbConfig {
    constructs::karmada::config::NlbConfig { allowed_cidrs: Some(vec!["198.51.100.0/24".into()]), ..Default::default() }
}

/// The user-data EC2 receives: the script after `Fn::Sub` with the test stack's values.
fn user_data(config: &Config) -> String {
    substitute(&render(config).script, &values(NLB_IPS))
}

/// The fetcher the user-data writes to /usr/local/bin/karmada-eks-reconcile.
fn fetcher(user_data: &str) -> String {
    let start = user_data.find("<<'FETCHER'\n").expect("the fetcher heredoc") + "<<'FETCHER'\n".len();
    let len = user_data[start..].find("\nFETCHER\n").expect("the end of the fetcher heredoc");
    user_data[start..start + len + 1].to_string()
}

#[test]
fn the_user_data_fits_and_does_not_grow_with_the_members() {
    let small = render(&Config::default());
    let large = render(&Config { members: members(1000), nlb: pull_path(), ..Config::default() });
    assert_eq!(small.script, large.script, "the member list is not in the user-data");
    let bound = user_data_upper_bound(&small.script);
    let actual = user_data(&Config::default()).len();
    eprintln!(
        "user-data: rendered {} bytes, after Fn::Sub {actual}, at most {bound} of {USER_DATA_LIMIT}",
        small.script.len()
    );
    assert!(bound <= USER_DATA_LIMIT && actual <= bound);
}

#[test]
fn members_weights_and_workload_leave_the_user_data_byte_identical() {
    let base = render(&Config::default()).script;
    let mut changed = Config::default();
    changed.members.push(MemberConfig::new("eksapcl01", "ap-southeast-2", 4));
    changed.members[0].weight = 7;
    changed.members[1].mode = JoinMode::Pull;
    changed.workload.replicas = 30;
    changed.workload.image = "public.ecr.aws/nginx/nginx:1.28".into();
    changed.reconcile.concurrency = 20;
    assert_eq!(render(&changed).script, base);
    assert_ne!(desired(&changed).sha256, desired(&Config::default()).sha256);
}

#[test]
fn every_substitution_is_a_declared_variable_or_a_pseudo_parameter() {
    let pseudo = ["AWS::Region", "AWS::StackName"];
    for (name, config) in variants() {
        let rendered = render(&config);
        let used = substitutions(&rendered.script);
        for v in &used {
            assert!(
                rendered.variables.contains(&v.as_str()) || pseudo.contains(&v.as_str()),
                "{name}: ${{{v}}} is neither declared in RenderedBootstrap::variables nor a pseudo parameter"
            );
        }
        for v in &rendered.variables {
            assert!(used.iter().any(|u| u == v), "{name}: {v} is declared but unused");
        }
        let substituted = user_data(&config);
        let left = substitutions(&substituted.replace("${", "${!"));
        assert!(left.is_empty(), "{name}: {left:?}");
        // JSON patches end in `}}`; a handlebars expression left over starts with `{{`.
        assert!(!substituted.contains("{{"), "{name}: handlebars left in the script");
        let script = &bundle_files(&desired(&config))[0].1;
        assert!(!script.contains("{{"), "{name}: handlebars left in reconcile.sh");
    }
}

#[test]
fn the_internal_nlb_case_substitutes_an_empty_address_list() {
    let substituted = substitute(&render(&Config::default()).script, &values(""));
    assert!(substituted.contains("NLB_IPS=''\n"), "{substituted}");
    let findings = shellcheck(&substituted);
    assert!(findings.is_empty(), "{findings}");
}

#[test]
fn shellcheck_finds_nothing_in_any_host_script() {
    for (name, config) in variants() {
        let data = user_data(&config);
        let findings = shellcheck(&data);
        assert!(findings.is_empty(), "{name} (user-data): shellcheck:\n{findings}");
        let findings = shellcheck(&fetcher(&data));
        assert!(findings.is_empty(), "{name} (karmada-eks-reconcile): shellcheck:\n{findings}");
        let files = bundle_files(&desired(&config));
        let findings = shellcheck(&files[0].1);
        assert!(findings.is_empty(), "{name} (reconcile.sh): shellcheck:\n{findings}");
        let findings = shellcheck(&format!(
            "#!/bin/bash\n{}echo \"$CONCURRENCY $MEMBER_TIMEOUT $POLL $BACKUP_SCHEDULE $BACKUP_PERIOD $CERT_VALIDITY_DAYS $RENEW_BEFORE_DAYS $ETCD_REPLICAS $COMPONENT_REPLICAS $KARMADA_VERSION $KUBE_IMAGE_TAG\"\n",
            files[1].1
        ));
        assert!(findings.is_empty(), "{name} (settings): shellcheck:\n{findings}");
    }
}

#[test]
fn shellcheck_would_report_an_unquoted_variable() {
    // The checks above are only worth something if shellcheck runs and reports.
    let findings = shellcheck("#!/bin/bash\nf=$1\nrm $f\n");
    assert!(findings.contains("SC2086"), "{findings}");
}

/// The v1.18.2 flags per subcommand, from the checked-in list.
fn karmadactl_flags() -> BTreeSet<String> {
    let text = std::fs::read_to_string(root().join("tests/data/karmadactl-v1.18.2-flags.txt")).unwrap();
    text.lines().filter(|l| !l.starts_with('#') && !l.trim().is_empty()).map(str::to_string).collect()
}

/// Every `kubectl karmada <subcommand> ...` command in `script` (continuation lines joined): (subcommand, flags).
fn karmada_commands(script: &str) -> Vec<(String, Vec<String>)> {
    let joined = script.replace("\\\n", " ");
    let mut out = Vec::new();
    for line in joined.lines() {
        let mut rest = line;
        while let Some(i) = rest.find("kubectl karmada ") {
            let words: Vec<&str> = rest[i + "kubectl karmada ".len()..].split_whitespace().collect();
            let Some(first) = words.first() else { break };
            let sub =
                if *first == "token" { format!("token {}", words.get(1).unwrap_or(&"")) } else { first.to_string() };
            let end = words
                .iter()
                .position(|w| ["||", "&&", "|", ";", ">>\"$out.log\"", "2>&1)"].contains(w))
                .unwrap_or(words.len());
            let flags = words[..end]
                .iter()
                .filter(|w| w.starts_with("--"))
                .map(|w| w.split('=').next().unwrap().trim_end_matches([')', '"']).to_string())
                .collect();
            out.push((sub, flags));
            rest = &rest[i + 1..];
        }
    }
    out
}

#[test]
fn the_scripts_pass_only_flags_karmadactl_v1_18_2_defines() {
    let known = karmadactl_flags();
    assert!(known.contains("init --etcd-replicas") && known.contains("register --discovery-token-ca-cert-hash"));
    assert!(!known.contains("register --ca-cert-path"), "removed in v1.14 (pkg/karmadactl/register/register.go)");
    let mut seen = BTreeSet::new();
    for (name, config) in variants() {
        let scripts = [user_data(&config), bundle_files(&desired(&config))[0].1.clone()];
        for script in &scripts {
            for (sub, flags) in karmada_commands(script) {
                for flag in flags {
                    let entry = format!("{sub} {flag}");
                    assert!(known.contains(&entry), "{name}: `kubectl karmada {sub}` has no flag {flag} in v1.18.2");
                    seen.insert(entry);
                }
            }
        }
        // The flags init takes from the desired state.
        for flag in constructs::karmada::host::init_flags::init_flags(&config).iter().filter(|w| w.starts_with("--")) {
            let entry = format!("init {flag}");
            assert!(known.contains(&entry), "{name}: `kubectl karmada init` has no flag {flag} in v1.18.2");
            seen.insert(entry);
        }
    }
    for used in [
        "init --wait-component-ready-timeout",
        "init --karmada-webhook-replicas",
        "init --cert-validity-period",
        "deinit --purge-namespace",
        "join --cluster-kubeconfig",
        "unjoin --wait",
        "register --cluster-name",
        "unregister --karmada-config",
        "token create --print-register-command",
    ] {
        assert!(seen.contains(used), "the check did not see {used}: {seen:?}");
    }
}

#[test]
fn the_flag_check_would_catch_a_removed_flag() {
    let known = karmadactl_flags();
    let bad = "kubectl karmada register x --token t --ca-cert-path /tmp/ca.crt\n";
    let found = karmada_commands(bad);
    assert_eq!(found, [("register".to_string(), vec!["--token".to_string(), "--ca-cert-path".to_string()])]);
    assert!(!known.contains("register --ca-cert-path"));
}

#[test]
fn the_settings_init_reads_from_the_desired_state_leave_the_user_data_alone() {
    // A change of these is a bundle change (a desired-state stack update), never a stop and start of the host.
    let base = render(&Config::default()).script;
    let mut changed = Config::default();
    let k = &mut changed.karmada;
    k.apiserver_replicas = 5;
    k.scheduler_replicas = 3;
    k.controller_manager_replicas = 3;
    k.webhook_replicas = 3;
    k.aggregated_apiserver_replicas = 3;
    k.kube_controller_manager_replicas = 3;
    k.etcd_replicas = 5;
    k.etcd_storage_size = "20Gi".into();
    k.cert_validity_days = 730;
    k.renew_before_days = 60;
    assert_eq!(render(&changed).script, base);
    assert_ne!(desired(&changed).sha256, desired(&Config::default()).sha256);
    let flags = constructs::karmada::host::init_flags::init_flags(&changed).join(" ");
    for want in
        ["--karmada-apiserver-replicas 5", "--etcd-replicas 5", "--etcd-pvc-size 20Gi", "--cert-validity-period 17520h"]
    {
        assert!(flags.contains(want), "{want} not in {flags}");
    }
    // The fetcher in the user-data names no subcommand but `log`: one added to the reconcile needs no new one.
    let fetcher = constructs::karmada::host::fetcher::render("karmada").unwrap();
    for sub in ["apply", "status", "backup", "restore", "certs", "unjoin"] {
        assert!(!fetcher.contains(&format!(" {sub} ")), "the fetcher names {sub}");
    }
}
