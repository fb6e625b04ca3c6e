//! Runs the rendered bootstrap script under bash in a temporary root, with stand-ins for aws, kubectl,
//! kubectl-karmada, cfn-signal, curl and sha256sum (tests/data/bootstrap-fakes) that record their arguments.

mod bootstrap_support;

use bootstrap_support::*;
use constructs::karmada::config::{JoinMode, MemberConfig};
use constructs::karmada::{manifests, Config};

const KC: &str = "<root>/etc/karmada/karmada-apiserver.config";

/// The calls the default configuration makes on a fresh host, in order.
const DEFAULT_SEQUENCE: &[&str] = &[
    "curl -fsSL --retry 5 --retry-delay 3 -o <dl>/kubectl https://dl.k8s.io/release/v1.35.1/bin/linux/amd64/kubectl",
    "sha256sum <dl>/kubectl",
    "curl -fsSL --retry 5 --retry-delay 3 -o <dl>/kubectl-karmada-linux-amd64.tgz https://github.com/karmada-io/karmada/releases/download/v1.18.2/kubectl-karmada-linux-amd64.tgz",
    "curl -fsSL --retry 5 --retry-delay 3 -o <dl>/kubectl-karmada-linux-amd64.tgz.sha256 https://github.com/karmada-io/karmada/releases/download/v1.18.2/kubectl-karmada-linux-amd64.tgz.sha256",
    "sha256sum <dl>/kubectl-karmada-linux-amd64.tgz",
    "aws eks update-kubeconfig --name karmada-parent --region us-east-1 --alias parent --kubeconfig <root>/var/lib/karmada-eks/parent.kubeconfig",
    "kubectl --kubeconfig <root>/var/lib/karmada-eks/parent.kubeconfig apply -f <root>/var/lib/karmada-eks/storageclass.yaml",
    "aws eks describe-nodegroup --cluster-name karmada-parent --nodegroup-name karmada-parent-nodes --query nodegroup.resources.autoScalingGroups[0].name --output text",
    "aws autoscaling describe-auto-scaling-groups --auto-scaling-group-names eks-karmada-parent-nodes-0cc7a6e5-asg --query AutoScalingGroups[0].TargetGroupARNs --output text",
    "aws autoscaling attach-load-balancer-target-groups --auto-scaling-group-name eks-karmada-parent-nodes-0cc7a6e5-asg --target-group-arns arn:aws:elasticloadbalancing:us-east-1:111122223333:targetgroup/karmada-api/0123456789abcdef",
    "aws ssm get-parameter --name /karmada/karmada/kubeconfig --with-decryption --query Parameter.Value --output text",
    "kubectl --kubeconfig <root>/var/lib/karmada-eks/parent.kubeconfig get namespace karmada-system",
    "kubectl --kubeconfig <root>/var/lib/karmada-eks/parent.kubeconfig get nodes -o jsonpath={.items[0].status.addresses[?(@.type==\"InternalIP\")].address}",
    "kubectl karmada init --kubeconfig <root>/var/lib/karmada-eks/parent.kubeconfig --karmada-data <root>/etc/karmada --karmada-pki <root>/etc/karmada/pki --karmada-apiserver-replicas 3 --etcd-replicas 3 --etcd-storage-mode PVC --storage-classes-name ebs-sc --etcd-pvc-size 5Gi --karmada-apiserver-advertise-address 10.0.1.23 --cert-external-ip 10.0.1.23,198.51.100.10,198.51.100.11,198.51.100.12 --cert-external-dns karmada-api-4f1c2d3e5a6b7c8d.elb.us-east-1.amazonaws.com",
    "kubectl --kubeconfig <root>/etc/karmada/karmada-apiserver.config config view --minify -o jsonpath={.clusters[0].name}",
    "kubectl --kubeconfig <root>/etc/karmada/karmada-apiserver.config config set-cluster karmada-apiserver --server=https://karmada-api-4f1c2d3e5a6b7c8d.elb.us-east-1.amazonaws.com:32443",
    "kubectl --kubeconfig <root>/etc/karmada/karmada-apiserver.config get --raw=/readyz --request-timeout=10s",
    "aws ssm put-parameter --name /karmada/karmada/kubeconfig --type SecureString --key-id arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab --tier Advanced --overwrite --value file://<root>/etc/karmada/karmada-apiserver.config",
    "kubectl --kubeconfig <root>/etc/karmada/karmada-apiserver.config get cluster ekseucl01",
    "aws eks update-kubeconfig --name ekseucl01 --region eu-central-1 --alias ekseucl01 --kubeconfig <root>/var/lib/karmada-eks/members.kubeconfig",
    "kubectl karmada join ekseucl01 --kubeconfig <root>/etc/karmada/karmada-apiserver.config --cluster-kubeconfig <root>/var/lib/karmada-eks/members.kubeconfig --cluster-context ekseucl01",
    "kubectl --kubeconfig <root>/etc/karmada/karmada-apiserver.config get cluster ekseucl01 -o jsonpath={.status.conditions[?(@.type==\"Ready\")].status}",
    "kubectl --kubeconfig <root>/etc/karmada/karmada-apiserver.config get cluster ekseucl02",
    "aws eks update-kubeconfig --name ekseucl02 --region eu-central-1 --alias ekseucl02 --kubeconfig <root>/var/lib/karmada-eks/members.kubeconfig",
    "kubectl karmada join ekseucl02 --kubeconfig <root>/etc/karmada/karmada-apiserver.config --cluster-kubeconfig <root>/var/lib/karmada-eks/members.kubeconfig --cluster-context ekseucl02",
    "kubectl --kubeconfig <root>/etc/karmada/karmada-apiserver.config get cluster ekseucl02 -o jsonpath={.status.conditions[?(@.type==\"Ready\")].status}",
    "kubectl --kubeconfig <root>/etc/karmada/karmada-apiserver.config get cluster eksuscl01",
    "aws eks update-kubeconfig --name eksuscl01 --region us-east-1 --alias eksuscl01 --kubeconfig <root>/var/lib/karmada-eks/members.kubeconfig",
    "kubectl karmada join eksuscl01 --kubeconfig <root>/etc/karmada/karmada-apiserver.config --cluster-kubeconfig <root>/var/lib/karmada-eks/members.kubeconfig --cluster-context eksuscl01",
    "kubectl --kubeconfig <root>/etc/karmada/karmada-apiserver.config get cluster eksuscl01 -o jsonpath={.status.conditions[?(@.type==\"Ready\")].status}",
    "kubectl --kubeconfig <root>/etc/karmada/karmada-apiserver.config apply -f <root>/var/lib/karmada-eks/workload.yaml",
    "cfn-signal --exit-code 0 --reason Karmada is ready at https://karmada-api-4f1c2d3e5a6b7c8d.elb.us-east-1.amazonaws.com:32443 --stack karmada-management --resource ManagementHostInstance5c1d2e3f --region us-east-1",
];

const STEPS: &[&str] = &[
    "input",
    "install-tools",
    "parent-kubeconfig",
    "storage-class",
    "nlb-targets",
    "karmada-init",
    "karmada-endpoint",
    "store-kubeconfig",
    "join-ekseucl01",
    "join-ekseucl02",
    "join-eksuscl01",
    "workload",
    "signal",
];

fn run_ok(h: &Harness, config: &Config, env: &[(&str, &str)]) {
    let o = h.run(&render(config), env);
    assert!(o.status.success(), "{}\nlog:\n{}\ncalls:\n{}", stdout_stderr(&o), h.log(), h.calls().join("\n"));
}

fn pull_config() -> Config {
    let mut config = Config::default();
    config.members[1].mode = JoinMode::Pull;
    config.members[2].mode = JoinMode::Pull;
    config
}

#[test]
fn default_config_runs_the_whole_sequence() {
    let h = Harness::new();
    run_ok(&h, &Config::default(), &[]);
    let calls = h.calls();
    assert_eq!(calls, DEFAULT_SEQUENCE, "actual sequence:\n{}", calls.join("\n"));

    let log = h.log();
    let logged: Vec<&str> = log.lines().filter_map(|l| l.split_once("] step ").map(|(_, s)| s)).collect();
    assert_eq!(logged, STEPS);
    assert!(log.lines().last().is_some_and(|l| l.ends_with("[signal] done")), "{log}");

    let config = Config::default();
    let applied = |f: &str| std::fs::read_to_string(h.path("state/applied").join(f)).unwrap();
    assert_eq!(applied("storageclass.yaml"), manifests::storage_class("ebs-sc", "karmada").unwrap());
    assert_eq!(applied("workload.yaml"), manifests::workload(&config).unwrap());
    let stored = h.parameter(KUBECONFIG_PARAMETER).expect("the kubeconfig is stored in SSM");
    assert_eq!(stored, std::fs::read_to_string(h.path("root/etc/karmada/karmada-apiserver.config")).unwrap());
    let server = std::fs::read_to_string(h.path("state/karmada-server")).unwrap();
    assert_eq!(server.trim(), format!("https://{NLB_DNS}:32443"));
}

#[test]
fn a_failing_step_signals_its_name_and_runs_nothing_after_it() {
    let cases = [
        ("aws eks update-kubeconfig --name karmada-parent", "parent-kubeconfig"),
        ("aws autoscaling attach-load-balancer-target-groups", "nlb-targets"),
        ("kubectl karmada init", "karmada-init"),
        ("aws ssm put-parameter", "store-kubeconfig"),
        ("kubectl karmada join ekseucl02", "join-ekseucl02"),
        ("kubectl --kubeconfig <root>/etc/karmada/karmada-apiserver.config apply", "workload"),
    ];
    for (failing, step) in cases {
        let h = Harness::new();
        let failing_abs = failing.replace("<root>", &h.path("root").display().to_string());
        let o = h.run(&render(&Config::default()), &[("FAKE_FAIL", &failing_abs)]);
        assert_eq!(o.status.code(), Some(1), "{failing}: {}", stdout_stderr(&o));
        let calls = h.calls();
        let at = calls.iter().position(|c| c.starts_with(failing)).unwrap_or_else(|| panic!("{failing} not called"));
        let expected_signal = format!(
            "cfn-signal --exit-code 1 --reason karmada-eks bootstrap failed at step {step}: command failed (exit 1) \
             --stack karmada-management --resource ManagementHostInstance5c1d2e3f --region us-east-1"
        );
        assert_eq!(&calls[at + 1..], [expected_signal], "{failing}: calls after the failure:\n{}", calls.join("\n"));
        assert_eq!(&calls[..at], &DEFAULT_SEQUENCE[..at], "{failing}: calls before the failure");
        assert!(h.log().contains(&format!("[{step}] FAILED: command failed (exit 1)")), "{}", h.log());
    }
}

#[test]
fn a_tampered_download_fails_install_tools() {
    let h = Harness::new();
    let o = h.run(&render(&Config::default()), &[("FAKE_TAMPER", "1")]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout_stderr(&o));
    let calls = h.calls();
    assert_eq!(calls.len(), 3, "{}", calls.join("\n"));
    assert!(calls[2].starts_with("cfn-signal --exit-code 1 --reason karmada-eks bootstrap failed at step install-tools: SHA-256 of kubectl is 0000"), "{}", calls[2]);
    assert!(!h.path("root/usr/local/bin/kubectl").exists(), "an unverified binary was installed");
}

#[test]
fn an_unpinned_kubectl_is_checked_against_the_published_sha256() {
    let h = Harness::new();
    let mut config = Config::default();
    config.parent.kubernetes_version = "1.38".into();
    run_ok(&h, &config, &[("FAKE_KUBECTL_SHA256", "")]);
    let calls = h.calls();
    assert_eq!(
        calls[..3],
        [
            "curl -fsSL --retry 5 --retry-delay 3 -o <dl>/kubectl https://dl.k8s.io/release/v1.38.0/bin/linux/amd64/kubectl",
            "curl -fsSL --retry 5 --retry-delay 3 -o <dl>/kubectl.sha256 https://dl.k8s.io/release/v1.38.0/bin/linux/amd64/kubectl.sha256",
            "sha256sum <dl>/kubectl",
        ]
    );
}

#[test]
fn a_second_run_skips_init_joined_members_and_downloads() {
    let h = Harness::new();
    let config = pull_config();
    run_ok(&h, &config, &[]);
    let first = h.calls().len();
    run_ok(&h, &config, &[]);
    let second: Vec<String> = h.calls().split_off(first);
    for absent in ["curl ", "kubectl karmada ", "aws eks update-kubeconfig --name eks", "aws autoscaling attach"] {
        assert!(second.iter().all(|c| !c.starts_with(absent)), "{absent}... in the second run:\n{}", second.join("\n"));
    }
    assert_eq!(second.last().map(|c| c.starts_with("cfn-signal --exit-code 0")), Some(true), "{}", second.join("\n"));
    let log = h.log();
    assert!(log.contains("[karmada-init] Karmada is healthy: skipping init"), "{log}");
    for m in ["ekseucl01", "ekseucl02", "eksuscl01"] {
        assert!(log.contains(&format!("[join-{m}] {m} is joined and Ready")), "{log}");
    }
}

#[test]
fn a_replaced_host_recovers_the_kubeconfig_from_ssm_instead_of_reinstalling() {
    let h = Harness::new();
    run_ok(&h, &Config::default(), &[]);
    std::fs::remove_dir_all(h.path("root")).unwrap();
    std::fs::create_dir_all(h.path("root")).unwrap();
    let first = h.calls().len();
    run_ok(&h, &Config::default(), &[]);
    let second: Vec<String> = h.calls().split_off(first);
    assert!(second.iter().any(|c| c.starts_with("curl ")), "tools are installed again on a new host");
    assert!(second.iter().all(|c| !c.starts_with("kubectl karmada init")), "{}", second.join("\n"));
    assert!(h.log().contains("Karmada is healthy: skipping init"));
}

#[test]
fn pull_members_register_with_a_token_and_a_cluster_info_pointing_at_the_nlb() {
    let h = Harness::new();
    run_ok(&h, &pull_config(), &[]);
    let calls = h.calls();
    let tokens: Vec<&String> = calls.iter().filter(|c| c.starts_with("kubectl karmada token")).collect();
    assert_eq!(tokens, [&format!("kubectl karmada token create --print-register-command --kubeconfig {KC}")]);
    for m in ["ekseucl02", "eksuscl01"] {
        let expected = format!(
            "kubectl karmada register {NLB_DNS}:32443 --token abcdef.0123456789abcdef --discovery-token-ca-cert-hash \
             sha256:9cfa542ff48f43793d1816b1dd0a78ad574e349d8f6e005e6e32e8ab528e4244 --cluster-name {m} --kubeconfig \
             <root>/var/lib/karmada-eks/members.kubeconfig --context {m} --ca-cert-path <root>/var/lib/karmada-eks/pki/{m}/ca.crt"
        );
        assert!(calls.contains(&expected), "{expected}\nnot in\n{}", calls.join("\n"));
        assert!(h.log().contains(&format!("cluster({m}) is joined successfully")));
    }
    assert!(calls.iter().any(|c| c.starts_with("kubectl karmada join ekseucl01 ")));
    let patch = std::fs::read_to_string(h.path("state/cluster-info-patch.json")).unwrap();
    assert!(patch.contains(&format!("https://{NLB_DNS}:32443")), "{patch}");
}

#[test]
fn register_exiting_zero_without_joining_fails_the_member_step() {
    let h = Harness::new();
    let o = h.run(&render(&pull_config()), &[("FAKE_REGISTER_PREFLIGHT", "fail")]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout_stderr(&o));
    let calls = h.calls();
    let last = calls.last().unwrap();
    assert!(
        last.starts_with(
            "cfn-signal --exit-code 1 --reason karmada-eks bootstrap failed at step join-ekseucl02: kubectl karmada register ekseucl02 did not join"
        ),
        "{last}"
    );
    assert!(calls[calls.len() - 2].starts_with("kubectl karmada register "), "{}", calls.join("\n"));
    assert!(!calls.iter().any(|c| c.contains("eksuscl01 --region")), "nothing runs after the failed member");
}

#[test]
fn tokens_and_kubeconfig_contents_stay_out_of_the_log() {
    let h = Harness::new();
    run_ok(&h, &pull_config(), &[]);
    run_ok(&h, &pull_config(), &[]);
    let log = h.log();
    let kubeconfig = std::fs::read_to_string(h.path("root/etc/karmada/karmada-apiserver.config")).unwrap();
    let secrets: Vec<&str> = kubeconfig
        .lines()
        .filter_map(|l| l.split_once("-data: ").map(|(_, v)| v))
        .chain(["0123456789abcdef", "abcdef.0123456789abcdef", "9cfa542ff48f43793d1816b1dd0a78ad"])
        .collect();
    assert_eq!(secrets.len(), 6, "{kubeconfig}");
    for secret in secrets {
        assert!(!log.contains(secret), "{secret:?} is in the log:\n{log}");
    }
    assert!(!log.contains("client-key-data"), "{log}");
}

#[test]
fn overflowing_input_is_read_back_from_ssm() {
    let h = Harness::new();
    let members: Vec<MemberConfig> = (0..90)
        .map(|i| MemberConfig::new(&format!("member-cluster-with-a-long-name-{i:03}"), "ap-southeast-2", 1))
        .collect();
    let config = Config { members, ..Config::default() };
    let rendered = render(&config);
    assert!(rendered.overflow.len() > 1, "90 long-named members overflow the user-data");
    let o = h.run(&rendered, &[]);
    assert!(o.status.success(), "{}\n{}", stdout_stderr(&o), h.log());
    let calls = h.calls();
    let gets: Vec<String> = (0..rendered.overflow.len())
        .map(|i| format!("aws ssm get-parameter --name {OVERFLOW_PREFIX}{i} --query Parameter.Value --output text"))
        .collect();
    assert_eq!(calls[..gets.len()], gets[..]);
    let joins = calls.iter().filter(|c| c.starts_with("kubectl karmada join ")).count();
    assert_eq!(joins, 90);
    assert!(calls.last().unwrap().starts_with("cfn-signal --exit-code 0"));
}
