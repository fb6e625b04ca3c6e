//! Karmada release changes after day 1 on the management host: a host installed with one release gets a desired
//! state naming another, and `karmada-eks-reconcile apply` upgrades it in Karmada's documented order or refuses
//! with the reason. The stand-ins record every CRD and image change in `state/upgrades`.

use crate::support::bootstrap as bootstrap_support;

use bootstrap_support::*;
use constructs::karmada::config::JoinMode;
use constructs::karmada::Config;

/// The config of release `version`, its third member in pull mode.
fn config(version: &str) -> Config {
    let mut c = Config::default();
    c.karmada.version = version.into();
    c.members[2].mode = JoinMode::Pull;
    c
}

/// A host bootstrapped and reconciled at `version`.
fn host_at(version: &str) -> Harness {
    let h = Harness::new();
    h.publish(&desired(&config(version)));
    let o = h.run(&render(&config(version)), &[]);
    assert!(o.status.success(), "{}\n{}", stdout_stderr(&o), h.log());
    let o = h.reconcile(&["apply"], &[]);
    assert!(o.status.success(), "{}\n{}", stdout_stderr(&o), h.reconcile_log());
    h
}

fn upgrades(h: &Harness) -> Vec<String> {
    std::fs::read_to_string(h.path("state/upgrades")).unwrap_or_default().lines().map(str::to_string).collect()
}

fn image(h: &Harness, deployment: &str) -> String {
    std::fs::read_to_string(h.path(&format!("state/images/{deployment}"))).unwrap().trim().to_string()
}

fn agent_image(h: &Harness) -> String {
    std::fs::read_to_string(h.path("state/member/eksuscl01/deployment_karmada-agent")).unwrap().trim().to_string()
}

fn backups(h: &Harness, reason: &str) -> usize {
    h.calls().iter().filter(|c| c.starts_with("aws s3 cp") && c.contains(&format!("-{reason}.tgz"))).count()
}

#[test]
fn a_newer_release_is_installed_crds_first_then_each_component_then_the_agents() {
    let h = host_at("v1.18.1");
    assert_eq!(image(&h, "karmada-controller-manager"), "docker.io/karmada/karmada-controller-manager:v1.18.1");
    assert_eq!(agent_image(&h), "docker.io/karmada/karmada-agent:v1.18.1");
    let mark = h.mark();

    h.publish(&desired(&config("v1.18.2")));
    let o = h.reconcile(&["apply"], &[]);
    let out = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(o.status.success(), "{}\n{}", stdout_stderr(&o), h.reconcile_log());
    assert!(out.contains("upgrade: Karmada v1.18.1 -> v1.18.2"), "{out}");

    let done = upgrades(&h);
    let kinds: Vec<&str> = done.iter().map(|l| l.split(' ').next().unwrap()).collect();
    let first_patch = kinds.iter().position(|k| *k == "patch").unwrap();
    let first_image = kinds.iter().position(|k| *k == "deployment").unwrap();
    assert!(kinds[..first_patch].iter().all(|k| *k == "crd"), "the bases come first: {done:?}");
    assert!(first_patch < first_image, "every CRD before any image: {done:?}");
    assert_eq!(
        done[first_image..],
        [
            "deployment karmada-aggregated-apiserver docker.io/karmada/karmada-aggregated-apiserver:v1.18.2",
            "deployment karmada-webhook docker.io/karmada/karmada-webhook:v1.18.2",
            "deployment karmada-controller-manager docker.io/karmada/karmada-controller-manager:v1.18.2",
            "deployment karmada-scheduler docker.io/karmada/karmada-scheduler:v1.18.2",
            "deployment eksuscl01 docker.io/karmada/karmada-agent:v1.18.2",
        ],
        "Kubernetes' own components keep --kube-image-tag; the push members have no agent"
    );
    assert!(done.contains(&"crd propagationpolicies.policy.karmada.io policy.karmada.io".to_string()), "{done:?}");
    // The conversion webhook as init patches it: the Karmada CA, the webhook's Service in karmada-system.
    let patch = std::fs::read_to_string(h.path("state/crd-patches/resourcebindings.work.karmada.io")).unwrap();
    let ca = std::fs::read(h.path("root/etc/karmada/pki/ca.crt")).unwrap();
    assert!(
        patch.contains(&format!("caBundle: \"{}\"", constructs::karmada::host::desired_state::base64(&ca))),
        "{patch}"
    );
    assert!(patch.contains("url: \"https://karmada-webhook.karmada-system.svc:443/convert\""), "{patch}");

    // A backup before the first change, the new kubectl-karmada before the backup.
    let calls = h.calls_since(mark);
    let at =
        |needle: &str| calls.iter().position(|c| c.contains(needle)).unwrap_or_else(|| panic!("{needle}: {calls:#?}"));
    assert!(at("releases/download/v1.18.2/kubectl-karmada") < at("-pre-upgrade.tgz"));
    assert!(at("-pre-upgrade.tgz") < at("apply --server-side --force-conflicts --field-manager karmada-eks -R"));
    assert_eq!(backups(&h, "pre-upgrade"), 1);
    assert!(!h.path("root/var/lib/karmada-eks/upgrade").exists(), "nothing is left pending");

    // Done once: the next apply changes nothing.
    let o = h.reconcile(&["apply"], &[]);
    assert!(o.status.success(), "{}", stdout_stderr(&o));
    assert!(!String::from_utf8_lossy(&o.stdout).contains("upgrade:"), "{}", stdout_stderr(&o));
    assert_eq!(upgrades(&h), done);
    assert_eq!(backups(&h, "pre-upgrade"), 1);
}

#[test]
fn an_upgrade_cut_short_goes_on_from_where_it_stopped() {
    let h = host_at("v1.18.0");
    h.publish(&desired(&config("v1.18.2")));
    let o = h.reconcile(&["apply"], &[("FAKE_API_ERROR", "set image deployment/karmada-controller-manager")]);
    let out = String::from_utf8_lossy(&o.stdout).into_owned();
    assert_eq!(o.status.code(), Some(1), "{}", stdout_stderr(&o));
    assert!(out.contains("FAILED upgrade: cannot set the image of karmada-controller-manager"), "{out}");
    assert_eq!(image(&h, "karmada-webhook"), "docker.io/karmada/karmada-webhook:v1.18.2");
    assert_eq!(image(&h, "karmada-controller-manager"), "docker.io/karmada/karmada-controller-manager:v1.18.0");
    let pending = std::fs::read_to_string(h.path("root/var/lib/karmada-eks/upgrade")).unwrap();
    assert_eq!(pending.trim(), "v1.18.0 v1.18.2");
    assert!(!h.path("state/joined/eksuscl01").exists() || agent_image(&h).ends_with(":v1.18.0"));

    let o = h.reconcile(&["apply"], &[]);
    let out = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(o.status.success(), "{}\n{}", stdout_stderr(&o), h.reconcile_log());
    assert!(out.contains("upgrade: Karmada v1.18.0 -> v1.18.2"), "{out}");
    assert!(h.reconcile_log().contains("resuming the upgrade of Karmada from v1.18.0 to v1.18.2"));
    assert_eq!(backups(&h, "pre-upgrade"), 1, "the backup was taken before the first attempt");
    assert!(!out.contains("karmada-webhook now runs"), "what was done is not done again: {out}");
    assert_eq!(image(&h, "karmada-scheduler"), "docker.io/karmada/karmada-scheduler:v1.18.2");
    assert_eq!(agent_image(&h), "docker.io/karmada/karmada-agent:v1.18.2");
}

#[test]
fn an_unreachable_pull_member_keeps_the_upgrade_pending_without_failing_the_others() {
    let h = host_at("v1.18.1");
    h.publish(&desired(&config("v1.18.2")));
    let o = h.reconcile(&["apply"], &[("FAKE_FAIL", "aws eks update-kubeconfig --name eksuscl01")]);
    let out = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(o.status.success(), "{}\n{}", stdout_stderr(&o), h.reconcile_log());
    assert!(out.contains("upgrade: the karmada-agent of eksuscl01 is not on v1.18.2 yet"), "{out}");
    assert_eq!(image(&h, "karmada-scheduler"), "docker.io/karmada/karmada-scheduler:v1.18.2");
    assert!(h.path("root/var/lib/karmada-eks/upgrade").exists());

    let o = h.reconcile(&["apply"], &[]);
    let out = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(o.status.success(), "{}", stdout_stderr(&o));
    assert!(out.contains("upgrade: the karmada-agent of eksuscl01 now runs docker.io/karmada/karmada-agent:v1.18.2"));
    assert!(!h.path("root/var/lib/karmada-eks/upgrade").exists());
}

#[test]
fn a_downgrade_is_refused_before_anything_changes() {
    let h = host_at("v1.18.2");
    let mark = h.mark();
    h.publish(&desired(&config("v1.18.1")));
    let o = h.reconcile(&["apply"], &[]);
    let out = String::from_utf8_lossy(&o.stdout).into_owned();
    assert_eq!(o.status.code(), Some(1), "{}", stdout_stderr(&o));
    assert!(
        out.contains("FAILED upgrade: karmada.version is v1.18.1 but Karmada runs v1.18.2: Karmada has no downgrade"),
        "{out}"
    );
    assert!(out.contains("set karmada.version = \"v1.18.2\""), "{out}");
    assert!(upgrades(&h).is_empty());
    assert_eq!(backups(&h, "pre-upgrade"), 0);
    assert!(!h.calls_since(mark).iter().any(|c| c.contains("set image")));
}

#[test]
fn skipping_a_minor_version_is_refused_with_the_step_to_take_first() {
    let h = host_at("v1.18.2");
    // As an install of Karmada v1.16 would run.
    for d in ["karmada-aggregated-apiserver", "karmada-controller-manager", "karmada-scheduler", "karmada-webhook"] {
        std::fs::write(h.path(&format!("state/images/{d}")), format!("docker.io/karmada/{d}:v1.16.3\n")).unwrap();
    }
    let o = h.reconcile(&["apply"], &[]);
    let out = String::from_utf8_lossy(&o.stdout).into_owned();
    assert_eq!(o.status.code(), Some(1), "{}", stdout_stderr(&o));
    assert!(
        out.contains("Karmada upgrades one minor version at a time; deploy karmada.version = \"v1.17.x\""),
        "{out}"
    );
    assert!(upgrades(&h).is_empty());
}

#[test]
fn an_unfinished_restore_leaves_the_release_alone() {
    let h = host_at("v1.18.1");
    std::fs::create_dir_all(h.path("root/var/lib/karmada-eks/restore")).unwrap();
    std::fs::write(h.path("root/var/lib/karmada-eks/restore/key"), "karmada/backups/x\n").unwrap();
    h.publish(&desired(&config("v1.18.2")));
    let _ = h.reconcile(&["apply"], &[]);
    assert!(upgrades(&h).is_empty(), "{:?}", upgrades(&h));
    assert!(h.reconcile_log().contains("Karmada's release left as it is"));
}
