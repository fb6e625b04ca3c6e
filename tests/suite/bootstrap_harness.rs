//! Runs the rendered bootstrap script (day 1) under bash in a temporary root, with stand-ins for aws, kubectl,
//! kubectl-karmada, cfn-signal, curl and sha256sum (tests/data/bootstrap-fakes) that record their arguments and
//! refuse any `kubectl karmada` flag v1.18.2 does not define.

use crate::support::bootstrap as bootstrap_support;

use bootstrap_support::*;
use constructs::karmada::host::manifests;
use constructs::karmada::Config;

const PKC: &str = "<root>/var/lib/karmada-eks/parent.kubeconfig";
const KC: &str = "<root>/etc/karmada/karmada-apiserver.config";

fn run_ok(h: &Harness, config: &Config, env: &[(&str, &str)]) {
    h.publish(&desired(config));
    let o = h.run(&render(config), env);
    assert!(o.status.success(), "{}\nlog:\n{}\ncalls:\n{}", stdout_stderr(&o), h.log(), h.calls().join("\n"));
}

fn logged_steps(log: &str) -> Vec<String> {
    log.lines().filter_map(|l| l.split_once("] step ").map(|(_, s)| s.to_string())).collect()
}

#[test]
fn default_config_installs_karmada_and_joins_nobody() {
    let h = Harness::new();
    run_ok(&h, &Config::default(), &[]);
    let calls = h.calls();
    assert_eq!(
        logged_steps(&h.log()),
        [
            "install-reconcile",
            "install-tools",
            "parent-kubeconfig",
            "storage-class",
            "nlb-targets",
            "karmada-init",
            "karmada-endpoint",
            "store-kubeconfig",
            "signal"
        ]
    );
    let downloads: Vec<&String> = calls.iter().filter(|c| c.starts_with("curl ")).collect();
    assert_eq!(
        downloads,
        [
            "curl -fsSL --retry 5 --retry-delay 3 -o <dl>/kubectl https://dl.k8s.io/release/v1.35.1/bin/linux/amd64/kubectl",
            "curl -fsSL --retry 5 --retry-delay 3 -o <dl>/kubectl-karmada-linux-amd64.tgz https://github.com/karmada-io/karmada/releases/download/v1.18.2/kubectl-karmada-linux-amd64.tgz",
            "curl -fsSL --retry 5 --retry-delay 3 -o <dl>/kubectl-karmada-linux-amd64.tgz.sha256 https://github.com/karmada-io/karmada/releases/download/v1.18.2/kubectl-karmada-linux-amd64.tgz.sha256",
        ]
    );
    assert!(calls.iter().all(|c| !c.contains(" join ") && !c.contains(" register ")), "{}", calls.join("\n"));
    assert!(
        calls.contains(&format!("kubectl --kubeconfig {PKC} apply -f <root>/var/lib/karmada-eks/storageclass.yaml"))
    );
    assert_eq!(
        std::fs::read_to_string(h.path("state/applied/storageclass.yaml")).unwrap(),
        manifests::storage_class("ebs-sc", "karmada").unwrap()
    );
    let stored = std::fs::read_to_string(h.path("state/secrets/karmada_karmada_kubeconfig")).unwrap();
    assert_eq!(stored, std::fs::read_to_string(h.path("root/etc/karmada/karmada-apiserver.config")).unwrap());
    assert!(stored.contains(&format!("server: https://{NLB_DNS}:32443")), "{stored}");
    assert_eq!(
        calls.last().unwrap(),
        "cfn-signal --exit-code 0 --stack karmada-management --resource ManagementHostInstance5c1d2e3f --region us-east-1"
    );
    assert!(h.path("root/usr/local/bin/karmada-eks-reconcile").exists());
}

#[test]
fn init_carries_the_ha_flags_and_the_etcd_fix() {
    let h = Harness::new();
    run_ok(&h, &Config::default(), &[]);
    let calls = h.calls();
    let init: Vec<&String> = calls.iter().filter(|c| c.starts_with("kubectl karmada init ")).collect();
    assert_eq!(
        init,
        [&format!(
            "kubectl karmada init --kubeconfig {PKC} --karmada-data <root>/etc/karmada --karmada-pki <root>/etc/karmada/pki \
             --kube-image-tag v1.35.2 --karmada-apiserver-replicas 3 --etcd-replicas 3 --karmada-scheduler-replicas 2 \
             --karmada-controller-manager-replicas 2 --karmada-webhook-replicas 2 --karmada-aggregated-apiserver-replicas 2 \
             --karmada-kube-controller-manager-replicas 2 --etcd-pvc-size 5Gi --cert-validity-period 8760h \
             --wait-component-ready-timeout 600 --etcd-storage-mode PVC \
             --storage-classes-name ebs-sc --karmada-apiserver-advertise-address 10.0.1.23 \
             --cert-external-ip 10.0.1.23,198.51.100.10,198.51.100.11,198.51.100.12 --cert-external-dns {NLB_DNS}"
        )]
    );
    // The fix ran while init waited: Service patched, StatefulSet replaced with Parallel.
    for expected in [
        format!("kubectl --kubeconfig {PKC} -n karmada-system patch service etcd --type merge -p {{\"spec\":{{\"publishNotReadyAddresses\":true}}}}"),
        format!("kubectl --kubeconfig {PKC} -n karmada-system delete statefulset etcd --cascade=orphan --wait=true"),
        format!("kubectl --kubeconfig {PKC} create -f <root>/var/lib/karmada-eks/etcd-statefulset.json.parallel"),
    ] {
        assert!(calls.contains(&expected), "{expected}\nnot in\n{}", calls.join("\n"));
    }
    let sts = std::fs::read_to_string(h.path("state/etcd-statefulset.json")).unwrap();
    assert!(sts.contains("\"podManagementPolicy\": \"Parallel\"") && !sts.contains("resourceVersion"), "{sts}");
    assert!(h.log().contains("replaced the etcd StatefulSet"), "{}", h.log());
}

#[test]
fn without_the_etcd_fix_init_times_out_as_v1_18_2_does() {
    // The stand-in's init models the blocker: it only finishes once the StatefulSet is Parallel. A script that
    // does not switch it fails at karmada-init.
    let h = Harness::new();
    let rendered = render(&Config::default());
    let mut broken = rendered.clone();
    broken.script = broken.script.replace("  etcd_parallel &\n", "  sleep 0 &\n");
    let o = h.run(&broken, &[("FAKE_ETCD_WAIT", "1")]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout_stderr(&o));
    assert!(h.log().contains("FAILED karmada-init: kubectl karmada init failed"), "{}", h.log());
}

#[test]
fn a_rerun_after_an_init_that_died_half_way_starts_over() {
    let h = Harness::new();
    h.publish(&desired(&Config::default()));
    let o = h.run(&render(&Config::default()), &[("FAKE_INIT_DIES", "1")]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout_stderr(&o));
    assert!(h.log().contains("FAILED karmada-init"), "{}", h.log());
    assert_eq!(
        h.calls().last().unwrap(),
        "cfn-signal --exit-code 1 --stack karmada-management --resource ManagementHostInstance5c1d2e3f --region us-east-1"
    );
    assert_eq!(std::fs::read_to_string(h.path("state/install-marker")).unwrap().trim(), "initializing");
    let mark = h.mark();
    run_ok(&h, &Config::default(), &[]);
    let second = h.calls_since(mark);
    let deinit = second
        .iter()
        .position(|c| c == &format!("kubectl karmada deinit --kubeconfig {PKC} --force --purge-namespace"))
        .unwrap_or_else(|| panic!("no deinit:\n{}", second.join("\n")));
    let init = second.iter().position(|c| c.starts_with("kubectl karmada init ")).unwrap();
    let marker = format!("kubectl --kubeconfig {PKC} apply -f <root>/var/lib/karmada-eks/marker.yaml");
    let marked =
        second.iter().position(|c| c == &marker).unwrap_or_else(|| panic!("no marker:\n{}", second.join("\n")));
    assert!(deinit < marked && marked < init);
    let upload = second
        .iter()
        .position(|c| c.starts_with("aws s3 cp ") && c.contains("-pre-deinit.tgz"))
        .unwrap_or_else(|| panic!("no backup before the deinit:\n{}", second.join("\n")));
    assert!(upload < deinit, "{}", second.join("\n"));
    assert!(h.log().contains("a previous karmada init did not finish"));
    assert!(second.last().unwrap().starts_with("cfn-signal --exit-code 0"));
    assert_eq!(std::fs::read_to_string(h.path("state/install-marker")).unwrap().trim(), "installed");
}

/// A host whose first `init` died half-way is booted again with `env`, which makes the backup before the deinit
/// fail: the run fails at karmada-init, and neither deinit nor init ran.
fn the_half_finished_install_is_kept_when_its_backup_fails(env: impl FnOnce(&Harness) -> Vec<(&'static str, String)>) {
    let h = Harness::new();
    h.publish(&desired(&Config::default()));
    let o = h.run(&render(&Config::default()), &[("FAKE_INIT_DIES", "1")]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout_stderr(&o));
    let env = env(&h);
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let mark = h.mark();
    let o = h.run(&render(&Config::default()), &env);
    assert_eq!(o.status.code(), Some(1), "{}", stdout_stderr(&o));
    let second = h.calls_since(mark);
    assert!(second.iter().all(|c| !c.starts_with("kubectl karmada deinit") && !c.starts_with("kubectl karmada init")));
    assert!(
        h.log().contains("FAILED karmada-init: the backup before removing the half-finished install failed"),
        "{}",
        h.log()
    );
    assert!(second.last().unwrap().starts_with("cfn-signal --exit-code 1"));
}

#[test]
fn a_failed_backup_keeps_the_half_finished_install() {
    the_half_finished_install_is_kept_when_its_backup_fails(|_| vec![("FAKE_NO_BACKUP_STACK", "1".into())]);
}

#[test]
fn an_etcd_pod_listing_error_is_no_reason_to_skip_the_backup_before_a_deinit() {
    the_half_finished_install_is_kept_when_its_backup_fails(|h| {
        let listing = format!(
            "kubectl --kubeconfig {} -n karmada-system get pods -l app=etcd",
            h.path("root/var/lib/karmada-eks/parent.kubeconfig").display()
        );
        vec![("FAKE_FAIL", listing)]
    });
}

#[test]
fn an_installed_but_unhealthy_karmada_is_not_reinstalled() {
    let h = Harness::new();
    run_ok(&h, &Config::default(), &[]);
    std::fs::remove_file(h.path("state/installed")).unwrap();
    let mark = h.mark();
    let o = h.run(&render(&Config::default()), &[]);
    assert_eq!(o.status.code(), Some(1));
    let second = h.calls_since(mark);
    assert!(second.iter().all(|c| !c.starts_with("kubectl karmada deinit") && !c.starts_with("kubectl karmada init")));
    assert!(h.log().contains("Karmada was installed (its kubeconfig is in the secret"), "{}", h.log());
}

#[test]
fn a_replaced_host_adopts_karmada_from_the_secret() {
    let h = Harness::new();
    run_ok(&h, &Config::default(), &[]);
    std::fs::remove_dir_all(h.path("root")).unwrap();
    std::fs::create_dir_all(h.path("root")).unwrap();
    let mark = h.mark();
    run_ok(&h, &Config::default(), &[]);
    let second = h.calls_since(mark);
    assert!(second.iter().any(|c| c.starts_with("curl ")), "tools are installed again on a new host");
    assert!(second.iter().all(|c| !c.starts_with("kubectl karmada init")), "{}", second.join("\n"));
    assert!(second.contains(&format!(
        "aws secretsmanager get-secret-value --secret-id {KUBECONFIG_SECRET} --query SecretString --output text"
    )));
    assert!(h.log().contains("Karmada is healthy: skipping init"));
    assert!(h.path("root/usr/local/bin/karmada-eks-reconcile").exists());
}

#[test]
fn a_failing_step_logs_its_name_signals_and_runs_nothing_after_it() {
    let cases = [
        ("aws eks update-kubeconfig --name karmada-parent", "parent-kubeconfig"),
        ("aws cloudformation describe-stacks", "nlb-targets"),
        ("aws autoscaling attach-load-balancer-target-groups", "nlb-targets"),
        ("kubectl karmada init", "karmada-init"),
        ("aws secretsmanager put-secret-value", "store-kubeconfig"),
    ];
    for (failing, step) in cases {
        let h = Harness::new();
        let o = h.run(&render(&Config::default()), &[("FAKE_FAIL", failing)]);
        assert_eq!(o.status.code(), Some(1), "{failing}: {}", stdout_stderr(&o));
        let calls = h.calls();
        let at = calls.iter().position(|c| c.starts_with(failing)).unwrap_or_else(|| panic!("{failing} not called"));
        let after: Vec<&String> = calls[at + 1..].iter().filter(|c| !c.contains("statefulset etcd")).collect();
        assert_eq!(
            after,
            ["cfn-signal --exit-code 1 --stack karmada-management --resource ManagementHostInstance5c1d2e3f --region us-east-1"],
            "{failing}: calls after the failure:\n{}",
            calls.join("\n")
        );
        assert!(h.log().contains(&format!("FAILED {step}: ")), "{failing}: {}", h.log());
        // What CloudFormation cannot show (SignalResource has no reason) the reconcile command prints.
        let o = h.reconcile(&["log", "bootstrap", "5"], &[]);
        assert!(o.status.success(), "{}", stdout_stderr(&o));
        let tail = String::from_utf8_lossy(&o.stdout);
        assert!(tail.lines().last().is_some_and(|l| l.contains(&format!("FAILED {step}: "))), "{tail}");
    }
}

#[test]
fn a_failed_cfn_bootstrap_install_fails_fast_through_the_cli() {
    let h = Harness::new();
    let dir = tempfile::tempdir().unwrap();
    // A PATH without cfn-signal, with a dnf that fails.
    let fakes = root().join("tests/data/bootstrap-fakes");
    for tool in ["aws", "curl", "kubectl", "kubectl-karmada", "sha256sum", "lib.sh"] {
        std::os::unix::fs::symlink(fakes.join(tool), dir.path().join(tool)).unwrap();
    }
    std::fs::write(
        dir.path().join("dnf"),
        "#!/bin/bash\necho 'Error: Unable to find a match: aws-cfn-bootstrap' >&2\nexit 1\n",
    )
    .unwrap();
    std::os::unix::fs::PermissionsExt::set_mode(
        &mut std::fs::metadata(dir.path().join("dnf")).unwrap().permissions(),
        0o755,
    );
    std::process::Command::new("chmod").arg("+x").arg(dir.path().join("dnf")).status().unwrap();
    let script = substitute(&render(&Config::default()).script, &values(NLB_IPS));
    std::fs::write(h.path("user-data.sh"), script).unwrap();
    let o = h
        .command("bash", &[("PATH", &format!("{}:/usr/bin:/bin", dir.path().display()))])
        .arg(h.path("user-data.sh"))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", stdout_stderr(&o));
    let calls = h.calls();
    assert_eq!(
        calls,
        [
            "curl -fsS -X PUT -H X-aws-ec2-metadata-token-ttl-seconds: 60 http://169.254.169.254/latest/api/token",
            "curl -fsS -H X-aws-ec2-metadata-token: AQAEAFakeImdsToken== http://169.254.169.254/latest/meta-data/instance-id",
            "aws cloudformation signal-resource --stack-name karmada-management --logical-resource-id ManagementHostInstance5c1d2e3f --unique-id i-0123456789abcdef0 --status FAILURE",
        ],
        "{}",
        h.log()
    );
    assert!(h.log().contains("FAILED install-tools: aws-cfn-bootstrap could not be installed"), "{}", h.log());
}

#[test]
fn a_tampered_download_fails_install_tools() {
    let h = Harness::new();
    let o = h.run(&render(&Config::default()), &[("FAKE_TAMPER", "1")]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout_stderr(&o));
    assert!(h.log().contains("FAILED install-tools: SHA-256 of kubectl is 0000"), "{}", h.log());
    assert!(!h.path("root/usr/local/bin/kubectl").exists(), "an unverified binary was installed");
}

#[test]
fn an_unpinned_kubectl_is_checked_against_the_published_sha256() {
    let h = Harness::new();
    let mut config = Config::default();
    config.parent.kubernetes_version = "1.38".into();
    run_ok(&h, &config, &[]);
    let calls = h.calls();
    assert!(calls.contains(
        &"curl -fsSL --retry 5 --retry-delay 3 -o <dl>/kubectl-parent.sha256 https://dl.k8s.io/release/v1.38.0/bin/linux/amd64/kubectl.sha256"
            .to_string()
    ));
}

#[test]
fn a_second_run_changes_nothing() {
    let h = Harness::new();
    run_ok(&h, &Config::default(), &[]);
    let mark = h.mark();
    run_ok(&h, &Config::default(), &[]);
    let second = h.calls_since(mark);
    for absent in ["curl ", "kubectl karmada ", "aws autoscaling attach"] {
        assert!(second.iter().all(|c| !c.starts_with(absent)), "{absent}... in the second run:\n{}", second.join("\n"));
    }
    assert!(h.log().contains("[karmada-init] Karmada is healthy: skipping init"));
    assert!(second.last().unwrap().starts_with("cfn-signal --exit-code 0"));
}

#[test]
fn kubeconfig_contents_stay_out_of_the_log() {
    let h = Harness::new();
    run_ok(&h, &Config::default(), &[]);
    let log = h.log();
    let kubeconfig = std::fs::read_to_string(h.path("root/etc/karmada/karmada-apiserver.config")).unwrap();
    for secret in kubeconfig.lines().filter_map(|l| l.split_once("-data: ").map(|(_, v)| v)) {
        assert!(!log.contains(secret), "{secret:?} is in the log:\n{log}");
    }
    let _ = KC;
}

fn no_deinit_or_init(calls: &[String]) {
    assert!(
        calls.iter().all(|c| !c.starts_with("kubectl karmada deinit") && !c.starts_with("kubectl karmada init")),
        "{}",
        calls.join("\n")
    );
}

/// A new host for a running Karmada: the old host's disk is gone, the parent cluster and the secret stay.
fn replace_host(h: &Harness) {
    std::fs::remove_dir_all(h.path("root")).unwrap();
    std::fs::create_dir_all(h.path("root")).unwrap();
}

fn failed_with(h: &Harness, o: &std::process::Output, message: &str) {
    assert_eq!(o.status.code(), Some(1), "{}", stdout_stderr(o));
    assert!(h.log().contains(&format!("FAILED karmada-init: {message}")), "{message}\nnot in\n{}", h.log());
    assert!(h.calls().last().unwrap().starts_with("cfn-signal --exit-code 1 "), "{}", h.calls().join("\n"));
}

/// Only ResourceNotFoundException (a secret without a value) reads as "never stored": a denied or throttled read
/// on a replaced host stops with the AWS error, and the running Karmada is neither removed nor installed over.
#[test]
fn a_secret_read_error_stops_the_bootstrap_and_removes_nothing() {
    for (code, text) in [
        ("AccessDeniedException", "is not authorized to perform: secretsmanager:GetSecretValue"),
        ("ThrottlingException", "Rate exceeded"),
    ] {
        let h = Harness::new();
        run_ok(&h, &Config::default(), &[]);
        replace_host(&h);
        let mark = h.mark();
        let o = h.run(&render(&Config::default()), &[("FAKE_SECRET_ERROR", code)]);
        failed_with(
            &h,
            &o,
            &format!(
                "reading the secret (exit 254): An error occurred ({code}) when calling the GetSecretValue operation"
            ),
        );
        assert!(h.log().contains(text), "{}", h.log());
        no_deinit_or_init(&h.calls_since(mark));
        assert!(h.path("state/namespace").exists() && h.path("state/installed").exists());
    }
}

/// An API error while probing karmada-system is not "absent": no init runs over what may be a live install.
#[test]
fn a_namespace_probe_error_stops_before_init_and_deinit() {
    let h = Harness::new();
    run_ok(&h, &Config::default(), &[]);
    replace_host(&h);
    std::fs::remove_file(h.path("state/installed")).unwrap();
    let mark = h.mark();
    let o = h.run(&render(&Config::default()), &[("FAKE_API_ERROR", "get namespace karmada-system")]);
    failed_with(
        &h,
        &o,
        "reading namespace karmada-system: Unable to connect to the server: net/http: TLS handshake timeout",
    );
    no_deinit_or_init(&h.calls_since(mark));
}

/// A karmada-system without a stored kubeconfig is removed only when the install marker says this tool's init
/// was under way: someone else's Karmada, or an install whose marker says installed, is left alone.
#[test]
fn a_karmada_system_without_the_initializing_marker_is_never_removed() {
    for (marker, found) in [(None, "is absent"), (Some("installed"), "says installed")] {
        let h = Harness::new();
        std::fs::write(h.path("state/namespace"), "").unwrap();
        if let Some(phase) = marker {
            std::fs::write(h.path("state/install-marker"), phase).unwrap();
        }
        let o = h.run(&render(&Config::default()), &[]);
        failed_with(
            &h,
            &o,
            &format!(
                "karmada-system exists, the secret has no value and kube-system/karmada-eks-install {found}: not \
                 removed, not installed over (check its pods; karmada-eks restore)"
            ),
        );
        no_deinit_or_init(&h.calls());
        assert!(h.path("state/namespace").exists());
    }
}

/// A host deployed by the release before the marker: no marker, the kubeconfig in the secret. A new host adopts
/// it as before and records the install as installed.
#[test]
fn an_install_from_before_the_marker_is_adopted_and_marked_installed() {
    let h = Harness::new();
    run_ok(&h, &Config::default(), &[]);
    std::fs::remove_file(h.path("state/install-marker")).unwrap();
    replace_host(&h);
    let mark = h.mark();
    run_ok(&h, &Config::default(), &[]);
    no_deinit_or_init(&h.calls_since(mark));
    assert!(h.log().contains("Karmada is healthy: skipping init"), "{}", h.log());
    assert_eq!(std::fs::read_to_string(h.path("state/install-marker")).unwrap().trim(), "installed");
}
