//! The manifests the bootstrap script applies validate against their schemas: the PropagationPolicy against
//! Karmada's CRD (tests/data/karmada-crds, v1.18.2), the StorageClass, Namespace and Deployment against
//! Kubernetes' own OpenAPI schemas (kubernetes-validate, strict, offline). Tools: bin/setup-tools.

use crate::support::bootstrap as bootstrap_support;

use std::path::Path;
use std::process::Command;

use bootstrap_support::*;
use constructs::karmada::config::MemberConfig;
use constructs::karmada::host::manifests;
use constructs::karmada::Config;

const CRD: &str = "tests/data/karmada-crds/policy.karmada.io_propagationpolicies.yaml";

/// Validates `text` against the PropagationPolicy CRD; returns the problems found.
fn crd_problems(text: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("policy.yaml");
    std::fs::write(&file, text).unwrap();
    let o = Command::new(venv_tool("python"))
        .arg(root().join("tests/data/validate_crd.py"))
        .arg(root().join(CRD))
        .arg(&file)
        .output()
        .expect("python runs");
    let out = String::from_utf8_lossy(&o.stdout).into_owned() + &String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.success(), out.trim().is_empty(), "validate_crd.py: {out}");
    out
}

/// Validates `text` with kubernetes-validate (strict) for Kubernetes `version`; returns the problems found.
fn kubernetes_problems(text: &str, version: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("manifest.yaml");
    std::fs::write(&file, text).unwrap();
    let o = Command::new(venv_tool("kubernetes-validate"))
        .args(["--strict", "--no-warn", "-k", version])
        .arg(&file)
        .output()
        .expect("kubernetes-validate runs");
    let out = String::from_utf8_lossy(&o.stdout).into_owned() + &String::from_utf8_lossy(&o.stderr);
    if o.status.success() {
        String::new()
    } else {
        out
    }
}

fn policy_variants() -> Vec<(&'static str, Config)> {
    let mut zero = Config::default();
    zero.members[0].weight = 0;
    let all_zero = Config {
        members: vec![MemberConfig::new("a", "us-east-1", 0), MemberConfig::new("b", "eu-west-1", 0)],
        ..Config::default()
    };
    let mut namespaced = Config::default();
    namespaced.workload.namespace = "demo".into();
    let mut numeric = Config { members: vec![MemberConfig::new("123", "us-east-1", 1)], ..Config::default() };
    numeric.workload.name = "007".into();
    vec![
        ("default", Config::default()),
        ("weight zero", zero),
        ("all weights zero", all_zero),
        ("namespaced", namespaced),
        ("twenty members", Config { members: members(20), ..Config::default() }),
        ("numeric-looking names", numeric),
    ]
}

#[test]
fn propagation_policies_validate_against_karmadas_crd() {
    assert!(Path::new(&root().join(CRD)).exists());
    for (name, config) in policy_variants() {
        let policy = manifests::propagation_policy(&config).unwrap();
        let problems = crd_problems(&policy);
        assert!(problems.is_empty(), "{name}:\n{problems}\n{policy}");
    }
}

#[test]
fn the_crd_check_rejects_a_zero_weight_and_unknown_fields() {
    let policy = manifests::propagation_policy(&Config::default()).unwrap();
    let zero = policy.replacen("weight: 1", "weight: 0", 1);
    assert!(crd_problems(&zero).contains("0 is less than the minimum of 1"), "{zero}");
    let typo = policy.replace("replicaDivisionPreference", "replicaDivisionPreferences");
    assert!(crd_problems(&typo).contains("replicaDivisionPreferences"), "{typo}");
    let wrong_kind = policy.replace("kind: PropagationPolicy", "kind: ClusterPropagationPolicy");
    assert!(crd_problems(&wrong_kind).contains("no PropagationPolicy found"));
}

#[test]
fn kubernetes_manifests_validate_against_kubernetes_schemas() {
    for (name, config) in policy_variants() {
        let version = format!("{}.0", config.parent.kubernetes_version);
        let storage_class = manifests::storage_class(&config.karmada.storage_class, &config.app).unwrap();
        let deployment = manifests::deployment(&config.workload).unwrap();
        for (what, text) in [("StorageClass", &storage_class), ("Deployment", &deployment)] {
            let problems = kubernetes_problems(text, &version);
            assert!(problems.is_empty(), "{name} {what} (Kubernetes {version}):\n{problems}\n{text}");
        }
    }
    let namespaced = &policy_variants()[3].1;
    assert!(manifests::deployment(&namespaced.workload).unwrap().contains("kind: Namespace"));
}

#[test]
fn the_kubernetes_check_rejects_unknown_fields_and_wrong_types() {
    let deployment = manifests::deployment(&Config::default().workload).unwrap();
    let typo = deployment.replace("  replicas: 12", "  replica: 12");
    assert!(kubernetes_problems(&typo, "1.31.0").contains("replica"), "{typo}");
    let storage_class = manifests::storage_class("ebs-sc", "karmada").unwrap();
    let wrong = storage_class.replace("volumeBindingMode: WaitForFirstConsumer", "volumeBindingMode: [1]");
    assert!(!kubernetes_problems(&wrong, "1.31.0").is_empty(), "{wrong}");
}
