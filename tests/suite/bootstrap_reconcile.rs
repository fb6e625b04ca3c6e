//! Runs the day-2 reconcile as the host does: the bootstrap installs `karmada-eks-reconcile`, the desired state
//! is published to the stand-in SSM as its stack would, and `karmada-eks-reconcile apply | unjoin | status` runs
//! the bundle's script against the stand-ins (tests/data/bootstrap-fakes).

use crate::support::bootstrap as bootstrap_support;

use bootstrap_support::*;
use constructs::karmada::config::{JoinMode, MemberConfig};
use constructs::karmada::host::desired_state::SSM_INLINE_OUTPUT_LIMIT;
use constructs::karmada::host::manifests;
use constructs::karmada::{wellknown, Config};

const KC: &str = "<root>/etc/karmada/karmada-apiserver.config";

/// A bootstrapped host.
fn host() -> Harness {
    let h = Harness::new();
    let o = h.run(&render(&Config::default()), &[]);
    assert!(o.status.success(), "{}\n{}", stdout_stderr(&o), h.log());
    h
}

/// Publishes `config`'s desired state and runs `apply`: (exit code, stdout, the calls it made).
fn apply(h: &Harness, config: &Config, env: &[(&str, &str)]) -> (i32, String, Vec<String>) {
    h.publish(&desired(config));
    let mark = h.mark();
    let o = h.reconcile(&["apply"], env);
    let out = String::from_utf8_lossy(&o.stdout).into_owned();
    (o.status.code().unwrap_or(-1), out, h.calls_since(mark))
}

fn apply_ok(h: &Harness, config: &Config) -> (String, Vec<String>) {
    let (code, out, calls) = apply(h, config, &[]);
    assert_eq!(code, 0, "{out}\nlog:\n{}\ncalls:\n{}", h.reconcile_log(), calls.join("\n"));
    (out, calls)
}

fn starting<'a>(calls: &'a [String], prefix: &str) -> Vec<&'a String> {
    calls.iter().filter(|c| c.starts_with(prefix)).collect()
}

fn applied_state(h: &Harness) -> Option<String> {
    h.parameter(&wellknown::applied_state_parameter("karmada"))
}

#[test]
fn first_apply_joins_every_member_applies_the_workload_and_records_the_hash() {
    let h = host();
    let config = Config::default();
    let (out, calls) = apply_ok(&h, &config);
    assert!(!out.contains("FAILED") && !h.reconcile_log().contains("FAILED"), "{out}\n{}", h.reconcile_log());
    let joins = starting(&calls, "kubectl karmada join ");
    assert_eq!(joins.len(), 3, "{}", calls.join("\n"));
    assert!(calls.contains(&format!(
        "kubectl karmada join ekseucl01 --kubeconfig {KC} --cluster-kubeconfig <root>/var/lib/karmada-eks/kube/ekseucl01.kubeconfig --cluster-context ekseucl01 --cluster-region eu-central-1"
    )));
    assert_eq!(starting(&calls, &format!("kubectl --kubeconfig {KC} apply -f ")).len(), 1);
    assert_eq!(
        std::fs::read_to_string(h.path("state/applied/workload.yaml")).unwrap(),
        manifests::workload(&config).unwrap()
    );
    assert_eq!(applied_state(&h), Some(desired(&config).sha256));
    for m in [
        "ekseucl01 joined",
        "ekseucl02 joined",
        "eksuscl01 joined",
        "members: 3 joined, 0 unjoined, 0 already joined, 0 failed",
    ] {
        assert!(out.lines().any(|l| l == m), "{m:?} not in\n{out}");
    }
    assert!(out.contains("policy and workload applied"));
}

#[test]
fn a_rerun_with_no_change_joins_and_applies_nothing() {
    let h = host();
    apply_ok(&h, &Config::default());
    let (out, calls) = apply_ok(&h, &Config::default());
    for absent in ["kubectl karmada ", "aws ssm put-parameter", "aws eks update-kubeconfig", "aws autoscaling attach"] {
        assert!(starting(&calls, absent).is_empty(), "{absent} in\n{}", calls.join("\n"));
    }
    assert!(starting(&calls, &format!("kubectl --kubeconfig {KC} apply")).is_empty(), "{}", calls.join("\n"));
    assert_eq!(starting(&calls, &format!("kubectl --kubeconfig {KC} get clusters")).len(), 1);
    assert!(out.contains("members: 0 joined, 0 unjoined, 3 already joined, 0 failed"), "{out}");
}

#[test]
fn adding_a_member_joins_only_it() {
    let h = host();
    apply_ok(&h, &Config::default());
    let mut config = Config::default();
    config.members.push(MemberConfig::new("eksapcl01", "ap-southeast-2", 1));
    let (out, calls) = apply_ok(&h, &config);
    let joins: Vec<&String> = starting(&calls, "kubectl karmada ");
    assert_eq!(joins.len(), 1, "{}", calls.join("\n"));
    assert!(joins[0].starts_with("kubectl karmada join eksapcl01 "));
    assert_eq!(
        starting(&calls, "aws eks update-kubeconfig"),
        ["aws eks update-kubeconfig --name eksapcl01 --region ap-southeast-2 --alias eksapcl01 --kubeconfig <root>/var/lib/karmada-eks/kube/eksapcl01.kubeconfig"]
    );
    assert!(out.contains("eksapcl01 joined"), "{out}");
    eprintln!("--- add eksapcl01:\n{out}");
}

#[test]
fn removing_a_member_unjoins_it_and_touches_no_other() {
    let h = host();
    apply_ok(&h, &Config::default());
    let mut config = Config::default();
    config.members.remove(1);
    let (out, calls) = apply_ok(&h, &config);
    assert_eq!(
        starting(&calls, "kubectl karmada "),
        [&format!(
            "kubectl karmada unjoin ekseucl02 --kubeconfig {KC} --cluster-kubeconfig <root>/var/lib/karmada-eks/kube/ekseucl02.kubeconfig --cluster-context ekseucl02 --wait 120s"
        )]
    );
    assert_eq!(
        starting(&calls, "aws eks update-kubeconfig"),
        ["aws eks update-kubeconfig --name ekseucl02 --region eu-central-1 --alias ekseucl02 --kubeconfig <root>/var/lib/karmada-eks/kube/ekseucl02.kubeconfig"]
    );
    assert!(!h.path("state/joined/ekseucl02").exists());
    assert!(h.path("state/joined/ekseucl01").exists() && h.path("state/joined/eksuscl01").exists());
    assert!(
        out.contains("ekseucl02 unjoined") && out.contains("members: 0 joined, 1 unjoined, 2 already joined, 0 failed"),
        "{out}"
    );
    eprintln!("--- remove ekseucl02:\n{out}");
}

#[test]
fn changing_weights_reapplies_the_policy_only() {
    let h = host();
    apply_ok(&h, &Config::default());
    let mut config = Config::default();
    config.members[0].weight = 3;
    let (out, calls) = apply_ok(&h, &config);
    assert!(starting(&calls, "kubectl karmada ").is_empty(), "{}", calls.join("\n"));
    assert_eq!(starting(&calls, &format!("kubectl --kubeconfig {KC} apply -f ")).len(), 1);
    let applied = std::fs::read_to_string(h.path("state/applied/workload.yaml")).unwrap();
    assert_eq!(applied, manifests::workload(&config).unwrap());
    assert!(applied.contains("weight: 3"));
    assert_eq!(applied_state(&h), Some(desired(&config).sha256));
    eprintln!("--- re-weight ekseucl01 to 3:\n{out}");
}

#[test]
fn pull_members_register_with_v1_18_2_flags_and_unregister() {
    let h = host();
    let mut config = Config::default();
    config.members[2].mode = JoinMode::Pull;
    let (_, calls) = apply_ok(&h, &config);
    assert_eq!(
        starting(&calls, "kubectl karmada token "),
        [&format!("kubectl karmada token create --print-register-command --kubeconfig {KC}")]
    );
    assert_eq!(
        starting(&calls, "kubectl karmada register "),
        [&format!(
            "kubectl karmada register {NLB_DNS}:32443 --token abcdef.0123456789abcdef --discovery-token-ca-cert-hash \
             sha256:9cfa542ff48f43793d1816b1dd0a78ad574e349d8f6e005e6e32e8ab528e4244 --cluster-name eksuscl01 \
             --cluster-region us-east-1 --kubeconfig <root>/var/lib/karmada-eks/kube/eksuscl01.kubeconfig --context eksuscl01 \
             --enable-cert-rotation"
        )]
    );
    assert!(!h.reconcile_log().contains("abcdef.0123456789abcdef"), "the token is in the log");
    assert!(!h.path("root/var/lib/karmada-eks/run/register").exists(), "the token was left on disk");
    config.members.remove(2);
    let (out, calls) = apply_ok(&h, &config);
    assert_eq!(
        starting(&calls, "kubectl karmada "),
        [&format!(
            "kubectl karmada unregister eksuscl01 --cluster-kubeconfig <root>/var/lib/karmada-eks/kube/eksuscl01.kubeconfig --cluster-context eksuscl01 --karmada-config {KC} --wait 120s"
        )]
    );
    assert!(out.contains("eksuscl01 unjoined"), "{out}");
}

/// A pull member whose EKS cluster was deleted before it left the config: no agent is left to finish its Works and
/// `unregister` needs the member's kubeconfig, so the host removes the Cluster as `unjoin --force` does (Karmada
/// v1.18.2 DeleteClusterObject): delete it, drop its Works' finalizers, and when the wait ends with it still there,
/// its execution namespace's finalizer and its own; then the agent's RBAC that register made in Karmada.
#[test]
fn a_pull_member_whose_cluster_is_gone_is_removed_from_karmada_only() {
    for (cluster_finalizer, namespace_finalizer) in [(false, false), (true, false), (false, true)] {
        let h = host();
        let mut config = Config::default();
        config.members[2].mode = JoinMode::Pull;
        let join_env: &[(&str, &str)] = if namespace_finalizer { &[("FAKE_ES_FINALIZER", "1")] } else { &[] };
        let (code, out, _) = apply(&h, &config, join_env);
        assert_eq!(code, 0, "{out}");
        assert!(std::fs::read_dir(h.path("state/rbac")).unwrap().count() > 0, "register made the agent's RBAC");
        config.members.remove(2);
        h.publish(&desired(&config));
        let mark = h.mark();
        let mut env = vec![("FAKE_GONE_CLUSTERS", "eksuscl01")];
        if cluster_finalizer {
            env.push(("FAKE_CLUSTER_FINALIZER", "1"));
        }
        let o = h.reconcile(&["apply"], &env);
        let out = String::from_utf8_lossy(&o.stdout).into_owned();
        let calls = h.calls_since(mark);
        assert_eq!(o.status.code(), Some(0), "{out}\n{}\n{}", h.reconcile_log(), calls.join("\n"));
        assert!(starting(&calls, "kubectl karmada ").is_empty(), "no unregister: {}", calls.join("\n"));
        let mut expected = vec![
            format!("kubectl --kubeconfig {KC} delete cluster eksuscl01 --wait=false"),
            format!("kubectl --kubeconfig {KC} -n karmada-es-eksuscl01 get works -o name"),
            format!(
                "kubectl --kubeconfig {KC} -n karmada-es-eksuscl01 patch work.work.karmada.io/nginx-eksuscl01 \
                 --type=merge -p {{\"metadata\":{{\"finalizers\":null}}}}"
            ),
            format!("kubectl --kubeconfig {KC} wait --for=delete cluster/eksuscl01 --timeout=120s"),
        ];
        if cluster_finalizer || namespace_finalizer {
            expected.extend([
                format!("kubectl --kubeconfig {KC} get namespace karmada-es-eksuscl01 --ignore-not-found -o name"),
                format!(
                    "kubectl --kubeconfig {KC} patch namespace karmada-es-eksuscl01 --type=merge -p \
                     {{\"metadata\":{{\"finalizers\":null}}}}"
                ),
                format!(
                    "kubectl --kubeconfig {KC} patch cluster eksuscl01 --type=merge -p {{\"metadata\":{{\"finalizers\":null}}}}"
                ),
                format!("kubectl --kubeconfig {KC} get cluster eksuscl01 --ignore-not-found -o name"),
            ]);
        }
        expected.extend([
            format!(
                "kubectl --kubeconfig {KC} delete --ignore-not-found clusterrole/system:karmada:eksuscl01:agent \
                 clusterrolebinding/system:karmada:eksuscl01:agent"
            ),
            format!(
                "kubectl --kubeconfig {KC} -n karmada-cluster delete --ignore-not-found \
                 role/system:karmada:eksuscl01:agent-secret rolebinding/system:karmada:eksuscl01:agent-secret"
            ),
            format!(
                "kubectl --kubeconfig {KC} -n karmada-es-eksuscl01 delete --ignore-not-found \
                 role/system:karmada:eksuscl01:agent-work rolebinding/system:karmada:eksuscl01:agent-work"
            ),
        ]);
        let removal: Vec<&String> = calls
            .iter()
            .filter(|c| c.starts_with(&format!("kubectl --kubeconfig {KC} ")) && c.contains("eksuscl01"))
            .collect();
        assert_eq!(removal, expected.iter().collect::<Vec<_>>());
        assert!(h
            .reconcile_log()
            .contains("eksuscl01 no longer exists in us-east-1: removing eksuscl01 from Karmada only"));
        assert!(out.contains("eksuscl01 unjoined") && out.contains("1 unjoined"), "{out}");
        assert!(!h.path("state/joined/eksuscl01").exists(), "the Cluster is gone");
        assert!(!h.path("state/es/eksuscl01").exists(), "the execution namespace is gone");
        let rbac: Vec<String> = std::fs::read_dir(h.path("state/rbac"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert!(rbac.is_empty(), "the agent's RBAC is left: {rbac:?}");
    }
}

#[test]
fn register_exiting_zero_without_joining_fails_that_member() {
    let h = host();
    let mut config = Config::default();
    config.members[2].mode = JoinMode::Pull;
    let (code, out, calls) = apply(&h, &config, &[("FAKE_REGISTER_PREFLIGHT", "fail")]);
    assert_eq!(code, 1, "{out}");
    assert_eq!(starting(&calls, "kubectl karmada register ").len(), 2, "one retry: {}", calls.join("\n"));
    assert!(
        out.contains(
            "FAILED join-eksuscl01: kubectl karmada register eksuscl01 did not join (also after deleting its leftovers)"
        ),
        "{out}"
    );
    assert!(out.contains("  | [preflight] Please check the above errors"), "{out}");
    assert!(out.contains("ekseucl01 joined") && out.contains("ekseucl02 joined"), "{out}");
}

#[test]
fn a_failed_join_names_its_step_and_the_next_run_joins_only_it() {
    let h = host();
    let (code, out, calls) = apply(&h, &Config::default(), &[("FAKE_FAIL", "kubectl karmada join ekseucl02")]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("FAILED join-ekseucl02: kubectl karmada join ekseucl02 failed"), "{out}");
    assert!(out.contains("  | error: injected failure of: kubectl karmada join ekseucl02"), "{out}");
    assert!(out.contains("ekseucl01 joined") && out.contains("eksuscl01 joined"), "{out}");
    assert_eq!(starting(&calls, "kubectl karmada join ").len(), 3);
    assert_eq!(applied_state(&h), None, "a failed run records no applied state");
    let (out, calls) = apply_ok(&h, &Config::default());
    let joins = starting(&calls, "kubectl karmada join ");
    assert_eq!(joins.len(), 1, "{}", calls.join("\n"));
    assert!(joins[0].starts_with("kubectl karmada join ekseucl02 "));
    assert!(out.contains("members: 1 joined, 0 unjoined, 2 already joined, 0 failed"), "{out}");
}

#[test]
fn unjoin_removes_exactly_the_named_members() {
    let h = host();
    apply_ok(&h, &Config::default());
    let mark = h.mark();
    let o = h.reconcile(&["unjoin", "ekseucl01", "not-a-member"], &[]);
    assert!(o.status.success(), "{}", stdout_stderr(&o));
    let calls = h.calls_since(mark);
    assert_eq!(starting(&calls, "kubectl karmada ").len(), 1);
    assert!(starting(&calls, "kubectl karmada unjoin ekseucl01 ").len() == 1, "{}", calls.join("\n"));
    assert!(starting(&calls, &format!("kubectl --kubeconfig {KC} apply")).is_empty());
    assert!(h.reconcile_log().contains("not-a-member is not in Karmada: nothing to unjoin"));
    assert_eq!(
        applied_state(&h).as_deref(),
        Some("none"),
        "Karmada no longer has what the desired state lists: the next deploy reconciles"
    );
    let (out, calls) = apply_ok(&h, &Config::default());
    assert_eq!(starting(&calls, "kubectl karmada join ekseucl01 ").len(), 1, "{out}");
    assert_eq!(applied_state(&h), Some(desired(&Config::default()).sha256));
}

#[test]
fn two_runs_at_once_take_turns_on_the_lock() {
    let h = host();
    h.publish(&desired(&Config::default()));
    let spawn = || {
        h.command("bash", &[("FAKE_JOIN_LATENCY", "0.2")])
            .arg(h.path("root/usr/local/bin/karmada-eks-reconcile"))
            .arg("apply")
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap()
    };
    let (a, b) = (spawn(), spawn());
    let (a, b) = (a.wait_with_output().unwrap(), b.wait_with_output().unwrap());
    assert!(a.status.success() && b.status.success(), "{}\n{}", stdout_stderr(&a), stdout_stderr(&b));
    assert_eq!(starting(&h.calls(), "kubectl karmada join ").len(), 3, "each member is joined once");
}

#[test]
fn a_replaced_node_group_is_attached_on_the_next_run() {
    let h = host();
    apply_ok(&h, &Config::default());
    std::fs::write(h.path("state/nodegroup"), "karmada-parent-nodes-2").unwrap();
    let (_, calls) = apply_ok(&h, &Config::default());
    assert_eq!(
        starting(&calls, "aws autoscaling attach-load-balancer-target-groups"),
        [&format!(
            "aws autoscaling attach-load-balancer-target-groups --auto-scaling-group-name eks-karmada-parent-nodes-2-0cc7a6e5-asg --target-group-arns {TARGET_GROUP}"
        )]
    );
}

#[test]
fn a_bundle_that_does_not_match_its_hash_is_refused() {
    let h = host();
    // Another bundle than the one the bootstrap fetched (and keeps by its hash).
    let mut config = Config::default();
    config.reconcile.concurrency = 7;
    let mut d = desired(&config);
    d.chunks[0] = d.chunks[0].replacen('I', "J", 1);
    h.publish(&d);
    let mark = h.mark();
    let o = h.reconcile(&["apply"], &[]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&o.stdout).starts_with("FAILED fetch: the desired state's SHA-256 is "),
        "{}",
        stdout_stderr(&o)
    );
    assert!(starting(&h.calls_since(mark), "kubectl").is_empty());
}

#[test]
fn usage_errors_exit_2_and_help_lists_every_command() {
    let h = host();
    let o = h.reconcile(&["frobnicate"], &[]);
    assert_eq!(o.status.code(), Some(2));
    let o = h.reconcile(&["help"], &[]);
    assert!(o.status.success());
    let help = String::from_utf8_lossy(&o.stdout);
    for c in [
        "apply",
        "unjoin NAME...",
        "status",
        "backup [REASON [if-ready]]",
        "restore [KEY|latest]",
        "log [bootstrap|reconcile] [LINES]",
    ] {
        assert!(help.contains(c), "{c} missing from\n{help}");
    }
}

#[test]
fn status_is_one_compact_json_document() {
    let h = host();
    apply_ok(&h, &Config::default());
    std::fs::create_dir_all(h.path("state/never-ready")).unwrap();
    std::fs::write(h.path("state/never-ready/ekseucl02"), "").unwrap();
    let o = h.reconcile(&["status"], &[]);
    assert!(o.status.success(), "{}", stdout_stderr(&o));
    eprintln!("status:\n{}", String::from_utf8_lossy(&o.stdout));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("status prints JSON");
    assert_eq!(v["api"], true);
    assert_eq!(v["etcd"], serde_json::json!([3, 3]));
    assert_eq!(v["applied"], desired(&Config::default()).sha256);
    assert_eq!(v["desired"], v["applied"]);
    let clusters = v["clusters"].as_array().unwrap();
    assert_eq!(clusters.len(), 3);
    assert!(clusters.contains(&serde_json::json!(["ekseucl02", false, "v1.31.4-eks-2d5f2d4", "Push"])));
    assert!(clusters.contains(&serde_json::json!(["ekseucl01", true, "v1.31.4-eks-2d5f2d4", "Push"])));
    assert_eq!(v["workload"].as_array().unwrap().len(), 3);
    // Every certificate init made (real ones, from the init stand-in), with notAfter and the seconds left:
    // the leaves for init's --cert-validity-period (365 days), the CAs for 10 years.
    let certs = v["certs"].as_array().unwrap();
    let names: Vec<&str> = certs.iter().map(|c| c[0].as_str().unwrap()).collect();
    assert_eq!(
        names,
        ["ca", "front-proxy-ca", "etcd-ca", "apiserver", "karmada", "front-proxy-client", "etcd-server", "etcd-client"]
    );
    for c in certs {
        let days = c[2].as_i64().unwrap() / 86_400;
        let want = if c[0].as_str().unwrap().ends_with("ca") { 3649 } else { 364 };
        assert!(days == want || days == want - 1, "{c}: {days} days left");
    }
    assert!(o.stdout.len() < SSM_INLINE_OUTPUT_LIMIT);
}

#[test]
fn status_before_the_first_apply_says_nothing_is_applied_and_a_denied_read_says_unknown() {
    let h = host();
    h.publish(&desired(&Config::default()));
    let parameter = wellknown::applied_state_parameter("karmada");
    assert_eq!(applied_state(&h), None, "the host creates the applied state at its first apply");
    let status = |env: &[(&str, &str)]| {
        let o = h.reconcile(&["status"], env);
        assert!(o.status.success(), "{}", stdout_stderr(&o));
        serde_json::from_slice::<serde_json::Value>(&o.stdout).expect("status prints JSON")["applied"].clone()
    };
    assert_eq!(status(&[]), "none");
    assert_eq!(status(&[("FAKE_SSM_DENIED", parameter.as_str())]), "unknown");
}

fn files(h: &Harness, dir: &str) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(h.path(dir))
        .map(|d| d.map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect())
        .unwrap_or_default();
    names.sort();
    names
}

fn host_record(name: &str) -> String {
    format!("root/var/lib/karmada-eks/members/{name}")
}

/// A pull member in its own region with its own EKS name, as config allows.
fn tokyo() -> MemberConfig {
    let mut m = MemberConfig::new("eksapcl01", "ap-northeast-1", 1);
    m.eks_cluster_name = Some("prod-tokyo".into());
    m.mode = JoinMode::Pull;
    m
}

/// Where a member lives is recorded on its Cluster when it joins, and on the Clusters an earlier release joined
/// (without annotations) from the desired state, so that any host can remove it later.
#[test]
fn joined_members_carry_their_region_eks_name_and_mode_in_karmada() {
    let h = host();
    let mut config = Config::default();
    config.members.push(tokyo());
    apply_ok(&h, &config);
    let annotations = |name: &str| std::fs::read_to_string(h.path(&format!("state/annotations/{name}"))).unwrap();
    assert_eq!(
        annotations("eksapcl01"),
        "karmada-eks.io/region=ap-northeast-1\nkarmada-eks.io/eks-cluster=prod-tokyo\nkarmada-eks.io/mode=pull\n"
    );
    assert_eq!(
        annotations("ekseucl01"),
        "karmada-eks.io/region=eu-central-1\nkarmada-eks.io/eks-cluster=ekseucl01\nkarmada-eks.io/mode=push\n"
    );
    // Joined by the previous release: no annotations. The next apply adds them, and only those.
    std::fs::remove_dir_all(h.path("state/annotations")).unwrap();
    let (out, calls) = apply_ok(&h, &config);
    assert_eq!(starting(&calls, &format!("kubectl --kubeconfig {KC} annotate ")).len(), 4, "{}", calls.join("\n"));
    assert!(calls.contains(&format!(
        "kubectl --kubeconfig {KC} annotate cluster eksapcl01 --overwrite karmada-eks.io/region=ap-northeast-1 \
         karmada-eks.io/eks-cluster=prod-tokyo karmada-eks.io/mode=pull"
    )));
    assert!(out.contains("4 already joined"), "{out}");
    let (_, calls) = apply_ok(&h, &config);
    assert!(starting(&calls, &format!("kubectl --kubeconfig {KC} annotate ")).is_empty());
}

/// A new host (no host records) removes a pull member of another region with another EKS name: it looks for that
/// EKS cluster where the Cluster's annotations say, finds it, and unregisters it; not declared gone.
#[test]
fn a_pull_member_in_another_region_is_unregistered_not_declared_gone() {
    let h = host();
    let mut config = Config::default();
    config.members.push(tokyo());
    apply_ok(&h, &config);
    std::fs::remove_dir_all(h.path("root/var/lib/karmada-eks/members")).unwrap();
    config.members.pop();
    let (code, out, calls) = apply(&h, &config, &[("FAKE_EKS_CLUSTERS", "prod-tokyo@ap-northeast-1")]);
    assert_eq!(code, 0, "{out}\n{}", calls.join("\n"));
    assert_eq!(
        starting(&calls, "aws eks update-kubeconfig"),
        ["aws eks update-kubeconfig --name prod-tokyo --region ap-northeast-1 --alias eksapcl01 --kubeconfig <root>/var/lib/karmada-eks/kube/eksapcl01.kubeconfig"]
    );
    assert_eq!(
        starting(&calls, "kubectl karmada "),
        [&format!(
            "kubectl karmada unregister eksapcl01 --cluster-kubeconfig <root>/var/lib/karmada-eks/kube/eksapcl01.kubeconfig --cluster-context eksapcl01 --karmada-config {KC} --wait 120s"
        )]
    );
    assert!(starting(&calls, &format!("kubectl --kubeconfig {KC} delete cluster")).is_empty(), "{}", calls.join("\n"));
    assert!(files(&h, "state/member").is_empty(), "the agent was removed from the member");
}

/// `get clusters` is parsed on an explicit separator: a Cluster without status yet (no Ready condition, no
/// version) keeps its region and annotations in their fields.
#[test]
fn a_cluster_without_status_keeps_its_fields() {
    let h = host();
    apply_ok(&h, &Config::default());
    std::fs::write(h.path("state/joined/ekseucl02"), "Push|eu-central-1|99999999999999\n").unwrap();
    std::fs::remove_file(h.path(&host_record("ekseucl02"))).unwrap();
    let mut config = Config::default();
    config.members.remove(1);
    let (code, out, calls) = apply(&h, &config, &[("FAKE_EKS_CLUSTERS", "ekseucl02@eu-central-1")]);
    assert_eq!(code, 0, "{out}\n{}", calls.join("\n"));
    assert_eq!(
        starting(&calls, "kubectl karmada "),
        [&format!(
            "kubectl karmada unjoin ekseucl02 --kubeconfig {KC} --cluster-kubeconfig <root>/var/lib/karmada-eks/kube/ekseucl02.kubeconfig --cluster-context ekseucl02 --wait 120s"
        )]
    );
    assert!(out.contains("ekseucl02 unjoined"), "{out}");
}

/// A Cluster whose region nobody recorded (no annotation, no spec.region, no host record) is not removed with a
/// guessed region: that member fails saying how to record it, Karmada keeps it, the others proceed.
#[test]
fn a_member_of_unknown_region_is_not_removed() {
    let h = host();
    apply_ok(&h, &Config::default());
    std::fs::write(h.path("state/joined/ekseucl02"), "Push||0\n").unwrap();
    std::fs::remove_file(h.path("state/annotations/ekseucl02")).unwrap();
    std::fs::remove_file(h.path(&host_record("ekseucl02"))).unwrap();
    let mut config = Config::default();
    config.members.remove(1);
    let (code, out, calls) = apply(&h, &config, &[]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("FAILED unjoin-ekseucl02: its region is unknown, nothing was removed"), "{out}");
    assert!(
        out.contains(
            "  | kubectl annotate cluster ekseucl02 karmada-eks.io/region=REGION karmada-eks.io/eks-cluster=EKS-NAME"
        ),
        "{out}"
    );
    assert!(starting(&calls, "kubectl karmada ").is_empty(), "{}", calls.join("\n"));
    assert!(starting(&calls, "aws eks update-kubeconfig").is_empty(), "{}", calls.join("\n"));
    assert!(h.path("state/joined/ekseucl02").exists());
    assert_eq!(applied_state(&h).as_deref(), Some(desired(&Config::default()).sha256.as_str()));
}

/// Karmada v1.18.2 removes a Push cluster only with unjoin and a Pull one only with unregister: a mode change in
/// the config stops that member with what to do, and changes nothing in Karmada.
#[test]
fn a_mode_change_stops_that_member_only() {
    for (from, to) in [(JoinMode::Push, JoinMode::Pull), (JoinMode::Pull, JoinMode::Push)] {
        let h = host();
        let mut config = Config::default();
        config.members[0].mode = from;
        apply_ok(&h, &config);
        config.members[0].mode = to;
        config.members[1].weight = 7;
        let (code, out, calls) = apply(&h, &config, &[]);
        assert_eq!(code, 1, "{out}");
        let (was, now) = if to == JoinMode::Pull { ("Push", "pull") } else { ("Pull", "push") };
        assert!(
            out.contains(&format!("FAILED mode-ekseucl01: Karmada has it in {was} mode, the config says {now}")),
            "{out}"
        );
        assert!(out.contains(&format!("then add it back with mode = \"{now}\" and deploy again")), "{out}");
        assert!(starting(&calls, "kubectl karmada ").is_empty(), "{}", calls.join("\n"));
        assert!(out.contains("policy and workload applied"), "the others proceed: {out}");
        assert!(h.path("state/joined/ekseucl01").exists());
    }
}

/// A register that died after creating the agent's objects in the member leaves them there, and v1.18.2's
/// preflight refuses every later register (exiting 0). With no Cluster of that name in Karmada, the host deletes
/// them and registers once more.
#[test]
fn a_failed_register_is_cleaned_up_and_retried_once() {
    let h = host();
    let mut config = Config::default();
    config.members[2].mode = JoinMode::Pull;
    let (code, out, _) = apply(&h, &config, &[("FAKE_REGISTER_DIES", "eksuscl01")]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains(
            "FAILED join-eksuscl01: kubectl karmada register eksuscl01 failed (also after deleting its leftovers)"
        ),
        "{out}"
    );
    assert_eq!(files(&h, "state/member/eksuscl01").len(), 5, "the dead register's objects are in the member");
    let (out, calls) = apply_ok(&h, &config);
    let karmada: Vec<&String> = calls
        .iter()
        .filter(|c| c.starts_with("kubectl karmada register ") || c.contains(" delete --ignore-not-found "))
        .collect();
    assert_eq!(karmada.len(), 3, "{}", calls.join("\n"));
    assert_eq!(
        karmada[1],
        "kubectl --kubeconfig <root>/var/lib/karmada-eks/kube/eksuscl01.kubeconfig --context eksuscl01 -n karmada-system \
         delete --ignore-not-found deployment/karmada-agent serviceaccount/karmada-agent-sa secret/karmada-kubeconfig \
         clusterrole/karmada-agent clusterrolebinding/karmada-agent"
    );
    assert!(calls.contains(&format!("kubectl --kubeconfig {KC} get cluster eksuscl01 --ignore-not-found -o name")));
    assert!(out.contains("eksuscl01 joined"), "{out}");
}

/// `unregister` deletes /etc/karmada/pki/ca.crt (register.CACertPath), which on this host is the Karmada CA: it is
/// put back after the members' pool, and at the start of the next run.
#[test]
fn the_karmada_ca_survives_an_unregister() {
    let h = host();
    let ca = h.path("root/etc/karmada/pki/ca.crt");
    let original = std::fs::read_to_string(&ca).unwrap();
    let mut config = Config::default();
    config.members[2].mode = JoinMode::Pull;
    apply_ok(&h, &config);
    config.members.remove(2);
    let (_, calls) = apply_ok(&h, &config);
    assert_eq!(starting(&calls, "kubectl karmada unregister ").len(), 1);
    assert_eq!(std::fs::read_to_string(&ca).ok().as_deref(), Some(original.as_str()));
    std::fs::remove_file(&ca).unwrap();
    let o = h.reconcile(&["status"], &[]);
    assert!(o.status.success());
    apply_ok(&h, &config);
    assert_eq!(std::fs::read_to_string(&ca).ok().as_deref(), Some(original.as_str()));
}

/// The clean-up before the retry deletes only an agent that serves this Karmada: the leftovers of an agent whose
/// kubeconfig names another Karmada API stay, and that member fails saying so.
#[test]
fn another_karmadas_agent_is_not_removed() {
    let h = host();
    let member = h.path("state/member/eksuscl01");
    std::fs::create_dir_all(&member).unwrap();
    std::fs::write(
        member.join("secret_karmada-kubeconfig"),
        "apiVersion: v1\nclusters:\n- cluster:\n    server: https://karmada.other.example.com:32443\n",
    )
    .unwrap();
    std::fs::write(member.join("deployment_karmada-agent"), "").unwrap();
    let mut config = Config::default();
    config.members[2].mode = JoinMode::Pull;
    let (code, out, calls) = apply(&h, &config, &[]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("FAILED join-eksuscl01: the karmada-agent in eksuscl01 serves another Karmada: not removed"),
        "{out}"
    );
    assert!(calls.iter().all(|c| !c.contains(" delete ")), "{}", calls.join("\n"));
    assert_eq!(files(&h, "state/member/eksuscl01"), ["deployment_karmada-agent", "secret_karmada-kubeconfig"]);
}

/// A real etcd (Debian's etcd-server, installed by bin/setup-tools) on 127.0.0.1, stopped when dropped.
struct RealEtcd {
    child: std::process::Child,
    client_port: u16,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

impl RealEtcd {
    /// Starts etcd `name` on `data_dir`; `force_new_cluster` starts it alone on data restored for a cluster.
    fn start(name: &str, data_dir: &std::path::Path, force_new_cluster: bool) -> Self {
        let (client_port, peer_port) = (free_port(), free_port());
        let client = format!("http://127.0.0.1:{client_port}");
        let peer = format!("http://127.0.0.1:{peer_port}");
        let mut cmd = std::process::Command::new(system_tool("etcd"));
        cmd.args(["--name", name, "--data-dir"])
            .arg(data_dir)
            .args(["--listen-client-urls", &client, "--advertise-client-urls", &client])
            .args(["--listen-peer-urls", &peer, "--initial-advertise-peer-urls", &peer])
            .args(["--initial-cluster", &format!("{name}={peer}")])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null());
        if force_new_cluster {
            cmd.arg("--force-new-cluster");
        }
        let etcd = RealEtcd { child: cmd.spawn().expect("etcd starts"), client_port };
        for _ in 0..200 {
            if etcd.ctl(&["endpoint", "health"]).status.success() {
                return etcd;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        panic!("etcd on 127.0.0.1:{client_port} did not become healthy");
    }

    fn ctl(&self, args: &[&str]) -> std::process::Output {
        std::process::Command::new(system_tool("etcdctl"))
            .env("ETCDCTL_API", "3")
            .arg(format!("--endpoints=http://127.0.0.1:{}", self.client_port))
            .args(args)
            .output()
            .expect("etcdctl runs")
    }

    fn put(&self, key: &str, value: &str) {
        let o = self.ctl(&["put", key, value]);
        assert!(o.status.success(), "{}", stdout_stderr(&o));
    }

    fn get(&self, key: &str) -> String {
        let o = self.ctl(&["get", key, "--print-value-only"]);
        assert!(o.status.success(), "{}", stdout_stderr(&o));
        String::from_utf8_lossy(&o.stdout).trim().to_string()
    }
}

impl Drop for RealEtcd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

const CLUSTER_KEY: &str = "/registry/cluster.karmada.io/clusters/ekseucl01";
const POLICY_KEY: &str = "/registry/policy.karmada.io/propagationpolicies/default/nginx";

#[test]
fn a_backup_of_a_real_etcd_restores_onto_every_volume_and_reads_back() {
    let h = host();
    apply_ok(&h, &Config::default());
    let data = tempfile::tempdir().unwrap();
    let etcd = RealEtcd::start("etcd-0", &data.path().join("live"), false);
    etcd.put(CLUSTER_KEY, "ekseucl01 in eu-central-1");
    etcd.put(POLICY_KEY, "weights 1/1/2");
    let port = etcd.client_port.to_string();
    let real = [("FAKE_ETCD_REAL", "1"), ("FAKE_ETCD_PORT", port.as_str())];

    let o = h.reconcile(&["backup", "manual"], &real);
    assert!(o.status.success(), "{}\n{}", stdout_stderr(&o), h.reconcile_log());
    let out = String::from_utf8_lossy(&o.stdout);
    let key = out.trim().rsplit_once(".tgz").map(|(k, _)| k).unwrap().rsplit_once("/backups/").unwrap().1;
    assert!(key.ends_with("-manual"), "{out}");
    let secrets_then = std::fs::read_to_string(h.path("state/parent-secrets/karmada-cert.json")).unwrap();

    // What a mistake does after the backup: a registration gone, a stray key, new certificates.
    let o = etcd.ctl(&["del", CLUSTER_KEY]);
    assert!(o.status.success());
    etcd.put("/registry/stray", "written after the backup");
    std::fs::write(h.path("state/parent-secrets/karmada-cert.json"), secrets_then.replace("4711", "9999")).unwrap();

    let o = h.reconcile(&["restore", "latest"], &real);
    assert!(o.status.success(), "{}\n{}", stdout_stderr(&o), h.reconcile_log());
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains(&format!("restored backups/{key}.tgz")), "{out}");
    assert!(out.contains("members: 3 of 3 Ready"), "{out}");
    drop(etcd);

    // The state before the restore was backed up first; the restore used the one asked for, not that one.
    let bucket = std::fs::read_dir(h.path("state/s3")).unwrap().next().unwrap().unwrap().path();
    let mut keys: Vec<String> = std::fs::read_dir(bucket.join("backups"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    keys.sort();
    assert_eq!(keys.len(), 2, "{keys:?}");
    assert!(keys[1].ends_with("-pre-restore.tgz"), "{keys:?}");

    // Every volume holds the snapshot; etcd started alone on etcd-0's reads the keys of the backup.
    for i in 0..3 {
        let member = h.path(&format!("state/pvc/etcd-data-etcd-{i}/member"));
        assert!(member.join("snap").is_dir() && member.join("wal").is_dir(), "{}", member.display());
    }
    let restored = RealEtcd::start("etcd-0", &h.path("state/pvc/etcd-data-etcd-0"), true);
    assert_eq!(restored.get(CLUSTER_KEY), "ekseucl01 in eu-central-1");
    assert_eq!(restored.get(POLICY_KEY), "weights 1/1/2");
    assert_eq!(restored.get("/registry/stray"), "");

    // The certificates, etcd and the components are as they were.
    let secret = std::fs::read_to_string(h.path("state/parent-secrets/karmada-cert.json")).unwrap();
    assert!(
        secret.contains(r#""ca.crt""#) && !secret.contains("9999") && !secret.contains("resourceVersion"),
        "{secret}"
    );
    assert_eq!(std::fs::read_to_string(h.path("state/etcd-scale")).unwrap().trim(), "3");
    assert_eq!(std::fs::read_to_string(h.path("state/deployments/karmada-apiserver")).unwrap().trim(), "3");
    assert!(!h.path("root/var/lib/karmada-eks/restore").exists(), "the restore's working state is removed");
}

#[test]
fn a_restore_that_stopped_half_way_finishes_on_the_next_run() {
    let h = host();
    apply_ok(&h, &Config::default());
    std::fs::write(h.path("state/etcd-keys"), "/registry/a\n").unwrap();
    let o = h.reconcile(&["backup"], &[]);
    assert!(o.status.success(), "{}\n{}", stdout_stderr(&o), h.reconcile_log());
    // The volume of etcd-2 cannot be reached the first time: the restore stops after etcd-0 and etcd-1.
    let unreachable = format!(
        "kubectl --kubeconfig {} -n karmada-system wait --for=condition=Ready pod/karmada-eks-restore-etcd-2",
        h.path("root/var/lib/karmada-eks/parent.kubeconfig").display()
    );
    let o = h.reconcile(&["restore", "latest"], &[("FAKE_FAIL", unreachable.as_str())]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout_stderr(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains("FAILED restore-data-etcd-2"), "{}", stdout_stderr(&o));
    let replicas = std::fs::read_to_string(h.path("state/deployments/karmada-apiserver")).unwrap();
    assert_eq!(replicas.trim(), "0", "the components stay stopped while etcd's data is half restored");
    // Another backup's restore is refused until this one has finished.
    let o = h.reconcile(&["restore", "backups/20200101T000000Z-manual.tgz"], &[]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stdout).contains("has not finished"), "{}", stdout_stderr(&o));
    let mark = h.mark();
    let o = h.reconcile(&["restore"], &[]);
    assert!(o.status.success(), "{}\n{}", stdout_stderr(&o), h.reconcile_log());
    let calls = h.calls_since(mark);
    let restores: Vec<&String> = calls.iter().filter(|c| c.starts_with("etcdctl snapshot restore ")).collect();
    assert_eq!(restores.len(), 1, "only etcd-2 is restored again:\n{}", calls.join("\n"));
    assert!(restores[0].contains("--name etcd-2"));
    assert_eq!(std::fs::read_to_string(h.path("state/deployments/karmada-apiserver")).unwrap().trim(), "3");
    assert_eq!(std::fs::read_to_string(h.path("state/deployments/karmada-scheduler")).unwrap().trim(), "2");
}

#[test]
fn no_backup_no_member_removal() {
    let h = host();
    apply_ok(&h, &Config::default());
    let mut config = Config::default();
    config.members.retain(|m| m.name != "ekseucl02");
    std::fs::write(h.path("state/etcd-down"), "").unwrap();
    let (code, out, calls) = apply(&h, &config, &[]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("FAILED backup: no etcd pod of karmada-system is Ready"), "{out}");
    assert!(calls.iter().all(|c| !c.starts_with("kubectl karmada unjoin")), "{}", calls.join("\n"));
    std::fs::remove_file(h.path("state/etcd-down")).unwrap();
    let (out, calls) = apply_ok(&h, &config);
    let upload = calls.iter().position(|c| c.starts_with("aws s3 cp ") && c.contains("-pre-unjoin.tgz")).unwrap();
    let unjoin = calls.iter().position(|c| c.starts_with("kubectl karmada unjoin ekseucl02")).unwrap();
    assert!(upload < unjoin, "{out}\n{}", calls.join("\n"));
}

#[test]
fn apply_installs_the_bundles_fetcher_and_the_backup_timer() {
    let h = host();
    let fetcher = h.path("root/usr/local/bin/karmada-eks-reconcile");
    // A host bootstrapped by an earlier release: its fetcher knows no `backup` (0.1.0 listed its subcommands).
    let old = std::fs::read_to_string(&fetcher).unwrap().replacen(
        "umask 077\n",
        "umask 077\ncase ${1:-} in\n  apply | unjoin | status) ;;\n  *) echo \"usage: karmada-eks-reconcile apply | unjoin NAME... | status\" >&2; exit 2 ;;\nesac\n",
        1,
    );
    std::fs::write(&fetcher, old).unwrap();
    assert_eq!(h.reconcile(&["backup"], &[]).status.code(), Some(2));
    apply_ok(&h, &Config::default());
    let o = h.reconcile(&["backup", "manual"], &[]);
    assert!(o.status.success(), "{}\n{}", stdout_stderr(&o), h.reconcile_log());
    let timer = std::fs::read_to_string(h.path("state/systemd/karmada-eks-backup.timer")).unwrap();
    assert!(timer.contains("OnUnitActiveSec=6h"), "{timer}");
    // The daily renewal of the certificates is installed beside it.
    let renew = std::fs::read_to_string(h.path("root/etc/systemd/system/karmada-eks-certs.service")).unwrap();
    assert!(renew.contains("ExecStart=/usr/local/bin/karmada-eks-reconcile certs renew"), "{renew}");
    let daily = std::fs::read_to_string(h.path("state/systemd/karmada-eks-certs.timer")).unwrap();
    assert!(daily.contains("OnCalendar=daily") && daily.contains("Persistent=true"), "{daily}");
    // A new schedule rewrites the timer; the same one leaves it alone.
    let mut config = Config::default();
    config.backup.schedule = "30m".into();
    let (_, calls) = apply_ok(&h, &config);
    assert!(calls.contains(&"systemctl enable --now karmada-eks-backup.timer".to_string()), "{}", calls.join("\n"));
    let timer = std::fs::read_to_string(h.path("state/systemd/karmada-eks-backup.timer")).unwrap();
    assert!(timer.contains("OnUnitActiveSec=30m"), "{timer}");
    h.publish(&desired(&config));
    let (_, calls) = apply_ok(&h, &config);
    assert!(calls.iter().all(|c| !c.starts_with("systemctl")), "{}", calls.join("\n"));
}

#[test]
fn component_replicas_follow_the_config_after_day_one_and_an_etcd_member_count_change_is_refused() {
    let h = host();
    apply_ok(&h, &Config::default());
    let mut config = Config::default();
    config.karmada.scheduler_replicas = 3;
    config.karmada.apiserver_replicas = 5;
    let (out, calls) = apply_ok(&h, &config);
    assert!(out.lines().any(|l| l == "scaled karmada-apiserver from 3 to 5 replicas"), "{out}");
    assert!(out.lines().any(|l| l == "scaled karmada-scheduler from 2 to 3 replicas"), "{out}");
    assert_eq!(
        starting(&calls, "kubectl --kubeconfig <root>/var/lib/karmada-eks/parent.kubeconfig -n karmada-system scale ")
            .len(),
        2
    );
    assert_eq!(std::fs::read_to_string(h.path("state/deployments/karmada-scheduler")).unwrap().trim(), "3");
    // In step: the next apply scales nothing.
    let (_, calls) = apply_ok(&h, &config);
    assert!(calls.iter().all(|c| !c.contains(" scale ")), "{}", calls.join("\n"));

    config.karmada.etcd_replicas = 5;
    let (code, out, calls) = apply(&h, &config, &[]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("FAILED settings: karmada.etcd_replicas is 5 but Karmada's etcd has 3 members")
            && out.contains("set karmada.etcd_replicas = 3"),
        "{out}"
    );
    assert!(calls.iter().all(|c| !c.contains("scale statefulset") && !c.starts_with("kubectl karmada join")));
}

#[test]
fn the_hosts_kubectl_follows_the_parents_kubernetes_version() {
    let mut before = Config::default();
    before.parent.kubernetes_version = "1.33".into();
    let h = Harness::new();
    h.publish(&desired(&before));
    let o = h.run(&render(&before), &[]);
    assert!(o.status.success(), "{}\n{}", stdout_stderr(&o), h.log());
    let (_, calls) = apply_ok(&h, &before);
    assert!(starting(&calls, "curl ").is_empty(), "the bootstrap's tools are the bundle's: {}", calls.join("\n"));

    let mut after = before.clone();
    after.parent.kubernetes_version = "1.34".into();
    let (_, calls) = apply_ok(&h, &after);
    let lines = constructs::karmada::host::tools::tool_lines(&after);
    for line in &lines {
        let mut words = line.split_whitespace();
        let (name, version) = (words.next().unwrap(), words.next().unwrap());
        if name != "kubectl-karmada" {
            let url = format!("https://dl.k8s.io/release/{version}/bin/linux/amd64/kubectl");
            assert!(
                calls.iter().any(|c| c.starts_with("curl ") && c.ends_with(&url)),
                "{url} not fetched:\n{}",
                calls.join("\n")
            );
        }
    }
    let tools = std::fs::read_to_string(h.path("root/var/lib/karmada-eks/tools")).unwrap();
    assert_eq!(tools, format!("{} amd64\n", lines.join("\n")));
    let (_, calls) = apply_ok(&h, &after);
    assert!(starting(&calls, "curl ").is_empty(), "{}", calls.join("\n"));
}
