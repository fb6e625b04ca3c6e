//! Karmada's certificates on the management host, with real ones: the init stand-in issues the CAs and leaf
//! certificates of `kubectl karmada init` v1.18.2 with openssl (tests/data/bootstrap-fakes/karmada-pki.sh, leaves
//! valid for minutes where a test says so), and `karmada-eks-reconcile certs renew` and `apply` renew them as on
//! a host. Each test reads the result back with openssl: notAfter, subject, SANs, key, issuer.

use crate::support::bootstrap as bootstrap_support;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use bootstrap_support::*;
use constructs::karmada::host::desired_state::base64_decode;
use constructs::karmada::Config;

const LEAVES: [&str; 5] = ["apiserver", "karmada", "front-proxy-client", "etcd-server", "etcd-client"];
const CAS: [&str; 3] = ["ca", "front-proxy-ca", "etcd-ca"];
const PARENT_KC: &str = "<root>/var/lib/karmada-eks/parent.kubeconfig";

/// A bootstrapped host whose leaf certificates live `minutes` (None: init's 365 days), with the desired state
/// published.
fn host(minutes: Option<&str>) -> Harness {
    let h = Harness::new();
    let env: Vec<(&str, &str)> = minutes.map(|m| ("FAKE_CERT_MINUTES", m)).into_iter().collect();
    let o = h.run(&render(&Config::default()), &env);
    assert!(o.status.success(), "{}\n{}", stdout_stderr(&o), h.log());
    h.publish(&desired(&Config::default()));
    h
}

/// The decoded data of the parent's Secret karmada-system/`name`.
fn secret(h: &Harness, name: &str) -> BTreeMap<String, Vec<u8>> {
    let text = std::fs::read_to_string(h.path(&format!("state/parent-secrets/{name}.json"))).unwrap();
    let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    doc["data"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), base64_decode(v.as_str().unwrap()).unwrap()))
        .collect()
}

/// What openssl reads of a PEM certificate.
#[derive(Debug, PartialEq, Eq)]
struct Cert {
    subject: String,
    issuer: String,
    not_after: String,
    sans: String,
    public_key: String,
}

fn openssl(args: &[&str], input: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("in.pem");
    std::fs::write(&file, input).unwrap();
    let o = Command::new("openssl").args(args).arg("-in").arg(&file).output().expect("openssl runs");
    assert!(o.status.success(), "openssl {args:?}: {}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8(o.stdout).unwrap().trim().to_string()
}

fn cert(pem: &[u8]) -> Cert {
    let field = |flag: &str| openssl(&["x509", "-noout", flag], pem);
    let sans = openssl(&["x509", "-noout", "-ext", "subjectAltName"], pem);
    Cert {
        subject: field("-subject"),
        issuer: field("-issuer"),
        not_after: field("-enddate"),
        sans: sans.lines().skip(1).collect::<Vec<_>>().join(",").replace(' ', ""),
        public_key: field("-pubkey"),
    }
}

fn public_key_of(key: &[u8]) -> String {
    openssl(&["pkey", "-pubout"], key)
}

/// Seconds from now to the certificate's notAfter.
fn seconds_left(pem: &[u8]) -> i64 {
    let end = cert(pem).not_after.trim_start_matches("notAfter=").to_string();
    let o = Command::new("date").args(["-u", "-d", &end, "+%s"]).output().unwrap();
    let end: i64 = String::from_utf8(o.stdout).unwrap().trim().parse().unwrap();
    end - std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64
}

fn verifies(ca: &[u8], leaf: &[u8]) -> bool {
    let dir = tempfile::tempdir().unwrap();
    let (ca_file, leaf_file) = (dir.path().join("ca.pem"), dir.path().join("leaf.pem"));
    std::fs::write(&ca_file, ca).unwrap();
    std::fs::write(&leaf_file, leaf).unwrap();
    Command::new("openssl").arg("verify").arg("-CAfile").arg(&ca_file).arg(&leaf_file).status().unwrap().success()
}

fn renew(h: &Harness, args: &[&str], env: &[(&str, &str)]) -> (i32, String) {
    let mut all = vec!["certs", "renew"];
    all.extend_from_slice(args);
    let o = h.reconcile(&all, env);
    (o.status.code().unwrap_or(-1), String::from_utf8_lossy(&o.stdout).into_owned())
}

fn rollouts(h: &Harness) -> Vec<String> {
    std::fs::read_to_string(h.path("state/rollouts")).unwrap_or_default().lines().map(str::to_string).collect()
}

/// The client certificate of a kubeconfig (its `client-certificate-data`).
fn client_cert(kubeconfig: &str) -> Vec<u8> {
    let line = kubeconfig.lines().find_map(|l| l.trim().strip_prefix("client-certificate-data: ")).unwrap();
    base64_decode(line.trim()).unwrap()
}

/// Every copy of the leaf certificates matches karmada-cert: etcd-cert, the webhook's, the components'
/// kubeconfigs, the host's PKI and kubeconfig, and the kubeconfig stored in Secrets Manager.
fn assert_copies_follow(h: &Harness) {
    let certs = secret(h, "karmada-cert");
    assert_eq!(secret(h, "etcd-cert")["etcd-server.crt"], certs["etcd-server.crt"]);
    assert_eq!(secret(h, "karmada-webhook-cert")["tls.crt"], certs["karmada.crt"]);
    for c in ["karmada-controller-manager", "karmada-scheduler", "kube-controller-manager", "karmada-search"] {
        let config = String::from_utf8(secret(h, &format!("{c}-config"))["karmada.config"].clone()).unwrap();
        assert_eq!(client_cert(&config), certs["karmada.crt"], "{c}-config");
    }
    for n in LEAVES {
        let on_host = std::fs::read(h.path(&format!("root/etc/karmada/pki/{n}.crt"))).unwrap();
        assert_eq!(on_host, certs[&format!("{n}.crt")], "/etc/karmada/pki/{n}.crt");
    }
    let kc = std::fs::read_to_string(h.path("root/etc/karmada/karmada-apiserver.config")).unwrap();
    assert_eq!(client_cert(&kc), certs["karmada.crt"]);
    let stored = std::fs::read_to_string(h.path("state/secrets/karmada_karmada_kubeconfig")).unwrap();
    assert_eq!(stored, kc);
}

#[test]
fn certificates_near_their_end_are_renewed_from_their_cas_with_the_same_keys_subjects_and_names() {
    let h = host(Some("10"));
    let before = secret(&h, "karmada-cert");
    for n in LEAVES {
        assert!(seconds_left(&before[&format!("{n}.crt")]) <= 600, "{n} should live minutes");
    }
    let mark = h.mark();
    let (code, out) = renew(&h, &[], &[]);
    assert_eq!(code, 0, "{out}\n{}", h.reconcile_log());
    eprintln!("certs renew:\n{out}");
    let calls = h.calls_since(mark);
    let after = secret(&h, "karmada-cert");
    for n in LEAVES {
        let (old, new) = (cert(&before[&format!("{n}.crt")]), cert(&after[&format!("{n}.crt")]));
        assert_ne!(old.not_after, new.not_after, "{n}");
        let days = seconds_left(&after[&format!("{n}.crt")]) / 86_400;
        assert!(days == 364 || days == 365, "{n}: {days} days left after the renewal");
        assert_eq!(new.subject, old.subject, "{n}");
        assert_eq!(new.issuer, old.issuer, "{n}");
        assert_eq!(new.sans, old.sans, "{n}");
        assert_eq!(new.public_key, old.public_key, "{n}: the key is kept");
        assert_eq!(public_key_of(&after[&format!("{n}.key")]), new.public_key, "{n}");
        let ca = match n {
            "front-proxy-client" => "front-proxy-ca",
            "etcd-server" | "etcd-client" => "etcd-ca",
            _ => "ca",
        };
        assert!(verifies(&after[&format!("{ca}.crt")], &after[&format!("{n}.crt")]), "{n} verifies with {ca}");
        let line = out.lines().find(|l| l.starts_with(&format!("renewed {n}: "))).unwrap_or_else(|| panic!("{out}"));
        assert!(line.ends_with("SANs unchanged"), "{line}");
    }
    assert!(cert(&after["karmada.crt"]).subject.contains("CN = system:admin"), "{:?}", cert(&after["karmada.crt"]));
    for ca in CAS {
        assert_eq!(after[&format!("{ca}.crt")], before[&format!("{ca}.crt")], "{ca} is kept");
        assert_eq!(after[&format!("{ca}.key")], before[&format!("{ca}.key")], "{ca} is kept");
    }
    assert_copies_follow(&h);
    // A backup first, then the Secret, then etcd before the API server before the rest.
    let upload = calls.iter().position(|c| c.starts_with("aws s3 cp ") && c.contains("-pre-rotate.tgz"));
    let patch = calls.iter().position(|c| c.contains("patch secret karmada-cert"));
    assert!(upload.is_some() && upload < patch, "{}", calls.join("\n"));
    let order = rollouts(&h);
    assert_eq!(order[..2], ["statefulset/etcd", "deployment/karmada-apiserver"]);
    assert_eq!(order.len(), 7, "{order:?}");
    assert!(out.contains("certificates: 5 renewed, components restarted, the Karmada API answers"), "{out}");

    // Renewed: the next run has nothing to do and restarts nothing.
    let (code, again) = renew(&h, &[], &[]);
    assert_eq!(code, 0, "{again}");
    assert!(again.starts_with("certificates: none due (the first to expire, "), "{again}");
    assert_eq!(rollouts(&h).len(), 7);
    assert_eq!(secret(&h, "karmada-cert"), after);
}

#[test]
fn a_certificate_far_from_its_end_is_left_alone_unless_forced() {
    let h = host(None);
    let before = secret(&h, "karmada-cert");
    let (code, out) = renew(&h, &[], &[]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("none due"), "{out}");
    assert_eq!(secret(&h, "karmada-cert"), before);
    assert!(rollouts(&h).is_empty());
    let (code, out) = renew(&h, &["--force"], &[]);
    assert_eq!(code, 0, "{out}\n{}", h.reconcile_log());
    let after = secret(&h, "karmada-cert");
    for n in LEAVES {
        assert_ne!(after[&format!("{n}.crt")], before[&format!("{n}.crt")], "{n}");
        assert_eq!(after[&format!("{n}.key")], before[&format!("{n}.key")], "{n}");
    }
    let (code, out) = renew(&h, &["--all"], &[]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("usage: certs renew [--force]"), "{out}");
}

#[test]
fn a_rotation_that_stopped_half_way_finishes_on_the_next_run() {
    let h = host(Some("10"));
    let before = secret(&h, "karmada-cert");
    let kc = h.path("root").display().to_string();
    let fail = format!(
        "kubectl --kubeconfig {} -n karmada-system rollout status deployment/karmada-controller-manager",
        PARENT_KC.replace("<root>", &kc)
    );
    let (code, out) = renew(&h, &[], &[("FAKE_FAIL", &fail)]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("FAILED certificates: deployment/karmada-controller-manager did not roll out"), "{out}");
    // The Secret holds the renewed certificates; the components before the failure restarted with them.
    let half = secret(&h, "karmada-cert");
    assert_ne!(half["apiserver.crt"], before["apiserver.crt"]);
    let restarted = rollouts(&h);
    assert_eq!(restarted.last().map(String::as_str), Some("deployment/karmada-controller-manager"), "{restarted:?}");

    let mark = h.mark();
    let (code, out) = renew(&h, &[], &[]);
    assert_eq!(code, 0, "{out}\n{}", h.reconcile_log());
    assert!(out.contains("the renewal a previous run started is finished"), "{out}");
    let calls = h.calls_since(mark);
    // Nothing is issued again and no second backup is taken; what had restarted does not restart again.
    assert_eq!(secret(&h, "karmada-cert"), half);
    assert!(calls.iter().all(|c| !c.contains("-pre-rotate.tgz")), "{}", calls.join("\n"));
    let all = rollouts(&h);
    assert_eq!(all[..restarted.len()], restarted[..]);
    assert_eq!(all.len(), 7, "{all:?}");
    assert!(all.iter().filter(|w| *w == "statefulset/etcd").count() == 1, "{all:?}");
    assert_copies_follow(&h);
    assert!(!h.path("root/var/lib/karmada-eks/certs-pending").exists());
}

#[test]
fn a_new_load_balancer_re_issues_the_api_server_certificate_and_re_points_the_kubeconfig() {
    let h = host(None);
    let before = secret(&h, "karmada-cert");
    let moved = "karmada-api-0a1b2c3d4e5f6a7b.elb.us-east-1.amazonaws.com";
    std::fs::write(h.path("state/nlb-dns"), moved).unwrap();
    std::fs::write(h.path("state/nlb-ips"), "203.0.113.7").unwrap();
    let o = h.reconcile(&["apply"], &[]);
    let out = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(o.status.success(), "{out}\n{}", h.reconcile_log());
    eprintln!("apply after the NLB moved:\n{out}");
    let after = secret(&h, "karmada-cert");
    for n in ["apiserver", "karmada"] {
        let (old, new) = (cert(&before[&format!("{n}.crt")]), cert(&after[&format!("{n}.crt")]));
        assert!(
            new.sans.contains(&format!("DNS:{moved}")) && new.sans.contains("IPAddress:203.0.113.7"),
            "{n}: {}",
            new.sans
        );
        assert!(!new.sans.contains(&format!("DNS:{NLB_DNS}")), "{n} keeps the old NLB name: {}", new.sans);
        let kept = |s: &str| {
            s.split(',').filter(|x| !x.contains(".elb.") && *x != "IPAddress:203.0.113.7").collect::<Vec<_>>().join(",")
        };
        assert_eq!(kept(&new.sans), kept(&old.sans), "{n}: the other names are kept");
        assert_eq!(new.subject, old.subject);
        assert_eq!(new.public_key, old.public_key);
        let line = out.lines().find(|l| l.starts_with(&format!("renewed {n}: "))).unwrap_or_else(|| panic!("{out}"));
        assert!(line.ends_with(&format!("SANs +DNS:{moved} +IP:203.0.113.7 -DNS:{NLB_DNS}")), "{line}");
    }
    for n in ["front-proxy-client", "etcd-server", "etcd-client"] {
        assert_eq!(after[&format!("{n}.crt")], before[&format!("{n}.crt")], "{n} carries no NLB name");
    }
    assert_copies_follow(&h);
    let kc = std::fs::read_to_string(h.path("root/etc/karmada/karmada-apiserver.config")).unwrap();
    assert!(kc.contains(&format!("server: https://{moved}:32443")), "{kc}");
    assert!(out.contains(&format!("endpoint: now https://{moved}:32443")), "{out}");
    let info = std::fs::read_to_string(h.path("state/cluster-info-patch.json")).unwrap();
    assert!(info.contains(moved), "{info}");
    // The next apply finds both in place.
    let mark = h.mark();
    let o = h.reconcile(&["apply"], &[]);
    assert!(o.status.success());
    let calls = h.calls_since(mark);
    assert!(
        calls.iter().all(|c| !c.contains("patch secret") && !c.contains("config set-cluster")),
        "{}",
        calls.join("\n")
    );
}

#[test]
fn the_rendered_renewal_is_what_the_host_runs() {
    // The bundle carries the renewal settings the script reads.
    let mut config = Config::default();
    config.karmada.cert_validity_days = 90;
    config.karmada.renew_before_days = 20;
    let files = bundle_files(&desired(&config));
    let settings = &files.iter().find(|(n, _)| n == "settings").unwrap().1;
    assert!(settings.contains("CERT_VALIDITY_DAYS=90\nRENEW_BEFORE_DAYS=20\n"), "{settings}");
    let h = host(None);
    h.publish(&desired(&config));
    let (code, out) = renew(&h, &["--force"], &[]);
    assert_eq!(code, 0, "{out}");
    let days = seconds_left(&secret(&h, "karmada-cert")["apiserver.crt"]) / 86_400;
    assert!(days == 89 || days == 90, "{days}");
    assert!(Path::new(&h.path("root/etc/karmada/pki/apiserver.crt")).exists());
}

#[test]
fn after_a_load_balancer_change_each_pull_agent_is_pointed_at_the_new_one() {
    let h = host(None);
    let mut config = Config::default();
    config.members[2].mode = constructs::karmada::config::JoinMode::Pull;
    h.publish(&desired(&config));
    let o = h.reconcile(&["apply"], &[]);
    assert!(o.status.success(), "{}\n{}", stdout_stderr(&o), h.reconcile_log());
    let agent = h.path("state/member/eksuscl01/secret_karmada-kubeconfig");
    assert!(std::fs::read_to_string(&agent).unwrap().contains(&format!("server: https://{NLB_DNS}:32443")));

    let moved = "karmada-api-0a1b2c3d4e5f6a7b.elb.us-east-1.amazonaws.com";
    std::fs::write(h.path("state/nlb-dns"), moved).unwrap();
    let o = h.reconcile(&["apply"], &[]);
    let out = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(o.status.success(), "{out}\n{}", h.reconcile_log());
    assert!(
        out.contains(&format!("endpoint: the karmada-agent of eksuscl01 now connects to https://{moved}:32443")),
        "{out}"
    );
    let kubeconfig = std::fs::read_to_string(&agent).unwrap();
    assert!(kubeconfig.contains(&format!("server: https://{moved}:32443")), "{kubeconfig}");
    assert!(kubeconfig.contains("name: karmada-apiserver"), "the rest of the agent's kubeconfig is kept: {kubeconfig}");
    let restarted = std::fs::read_to_string(h.path("state/member/eksuscl01/restarted")).unwrap();
    assert_eq!(restarted, "karmada-agent\n");
    // Push members have no agent.
    assert!(!h.path("state/member/ekseucl01/restarted").exists());
}

/// The `clusters` entries of `karmada-eks-reconcile status`.
fn status_clusters(h: &Harness) -> Vec<serde_json::Value> {
    let o = h.reconcile(&["status"], &[]);
    assert!(o.status.success(), "{}", stdout_stderr(&o));
    let doc: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    doc["clusters"].as_array().unwrap().clone()
}

#[test]
fn status_carries_each_pull_agents_certificate_and_the_daily_renewal_reads_it_again() {
    let h = host(None);
    let mut config = Config::default();
    config.members[2].mode = constructs::karmada::config::JoinMode::Pull;
    h.publish(&desired(&config));
    let o = h.reconcile(&["apply"], &[("FAKE_AGENT_CERT_DAYS", "3")]);
    assert!(o.status.success(), "{}\n{}", stdout_stderr(&o), h.reconcile_log());
    // systemctl's chatter about the timers goes to the log, not into what Run Command returns.
    assert!(!String::from_utf8_lossy(&o.stdout).contains("Created symlink"), "{}", stdout_stderr(&o));
    assert!(h.reconcile_log().contains("Created symlink"), "{}", h.reconcile_log());
    let clusters = status_clusters(&h);
    let pull = clusters.iter().find(|c| c[0] == "eksuscl01").unwrap();
    let left = pull[4].as_i64().unwrap();
    assert!((2 * 86_400..=3 * 86_400).contains(&left), "the register's 3-day certificate: {pull}");
    let push = clusters.iter().find(|c| c[0] == "ekseucl01").unwrap();
    assert_eq!(push.as_array().unwrap().len(), 4, "a push member has no agent: {push}");

    // The agent rotated its certificate (it rewrites the member's Secret); the next apply reads only new members,
    // the daily renewal reads every agent again.
    let dir = tempfile::tempdir().unwrap();
    let crt = dir.path().join("agent.crt");
    let made = Command::new("openssl")
        .args(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"])
        .args(["-subj", "/CN=system:node:eksuscl01", "-days", "365", "-keyout"])
        .arg(dir.path().join("agent.key"))
        .arg("-out")
        .arg(&crt)
        .output()
        .unwrap();
    assert!(made.status.success());
    let secret = h.path("state/member/eksuscl01/secret_karmada-kubeconfig");
    let text = std::fs::read_to_string(&secret).unwrap();
    let old = text.lines().find(|l| l.contains("client-certificate-data:")).unwrap().to_string();
    let rotated = format!(
        "    client-certificate-data: {}",
        constructs::karmada::host::desired_state::base64(&std::fs::read(&crt).unwrap())
    );
    std::fs::write(&secret, text.replace(&old, &rotated)).unwrap();
    assert!(h.reconcile(&["apply"], &[]).status.success());
    assert_eq!(status_clusters(&h).iter().find(|c| c[0] == "eksuscl01").unwrap()[4].as_i64().unwrap() / 86_400, 2);
    let o = h.reconcile(&["certs", "renew"], &[]);
    assert!(o.status.success(), "{}\n{}", stdout_stderr(&o), h.reconcile_log());
    let left = status_clusters(&h).iter().find(|c| c[0] == "eksuscl01").unwrap()[4].as_i64().unwrap();
    assert!((364 * 86_400..=365 * 86_400).contains(&left), "{left}");

    // The member leaves: its record goes with it.
    let record = h.path("root/var/lib/karmada-eks/agents/eksuscl01");
    assert!(record.exists());
    config.members.retain(|m| m.name != "eksuscl01");
    h.publish(&desired(&config));
    let o = h.reconcile(&["apply"], &[]);
    assert!(o.status.success(), "{}\n{}", stdout_stderr(&o), h.reconcile_log());
    assert!(!record.exists(), "the record of a member no longer listed is removed");
}
