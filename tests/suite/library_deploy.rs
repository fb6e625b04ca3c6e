//! The library's two ways out, deployed against moto's server mode: a config override becomes a CloudFormation
//! update (set, changed, deleted), and an app of your own (the `extend` example, run as `--app COMMAND`) is
//! created, updated and destroyed by the same CLI.

use crate::support::moto;

use moto::Moto;
use serde_json::Value;
use std::path::PathBuf;
use std::process::{Command, Output};

const NETWORK: &str = "karmada-network";
const REGISTRY: &str = "karmada-registry";
const REGION: &str = "us-east-1";

fn summary(out: &Output) -> Value {
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "exit {:?}\n{stdout}\n{}", out.status.code(), String::from_utf8_lossy(&out.stderr));
    stdout
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .find(|v| v["event"] == "summary")
        .unwrap_or_else(|| panic!("no summary line in:\n{stdout}"))
}

fn retention_override(value: &str) -> String {
    format!("[[overrides]]\nstack = \"{NETWORK}\"\nresource = \"Vpc/FlowLog/LogGroup\"\npath = \"Properties.RetentionInDays\"\n{value}\n")
}

#[test]
fn an_override_is_created_changed_and_deleted_as_stack_updates() {
    let moto = Moto::start();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let cfn = aws_sdk_cloudformation::Client::new(&rt.block_on(moto.sdk_config(REGION)));
    let template =
        || rt.block_on(cfn.get_template().stack_name(NETWORK).send()).unwrap().template_body().unwrap().to_string();
    let deploy = |config: &str| {
        let path = moto.home.path().join("karmada-eks.toml");
        std::fs::write(&path, config).unwrap();
        summary(&moto.karmada_eks(&["deploy", NETWORK, "--exclusively", "--yes", "--json"]))["stacks"][0]["outcome"]
            .clone()
    };

    assert_eq!(deploy(&retention_override("value = 7")), "created");
    assert!(template().contains("\"RetentionInDays\": 7"));
    assert_eq!(deploy(&retention_override("value = 14")), "updated", "a changed override is an update");
    assert!(template().contains("\"RetentionInDays\": 14"));
    assert_eq!(deploy(&retention_override("delete = true")), "updated", "a deletion override is an update");
    assert!(!template().contains("RetentionInDays"), "the property is gone from the deployed template");
    assert_eq!(deploy(&retention_override("delete = true")), "unchanged");
}

/// The example built once, run as a command (the CLI's environment has no cargo toolchain of its own).
fn extend_binary() -> PathBuf {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let o = Command::new(cargo)
        .args(["build", "-q", "-p", "karmada-eks-constructs", "--example", "extend"])
        .current_dir(&root)
        .output()
        .unwrap();
    assert!(o.status.success(), "building the example: {}", String::from_utf8_lossy(&o.stderr));
    let target = std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root.join("target"), PathBuf::from);
    target.join("debug/examples/extend")
}

#[test]
fn the_extended_app_is_deployed_updated_and_destroyed_with_app_command() {
    let moto = Moto::start();
    let app = extend_binary();
    let app = app.to_str().unwrap();
    let run = |args: &[&str], config: Option<&str>| {
        let mut cmd = moto.command(args);
        if let Some(text) = config {
            let path = moto.home.path().join("extend.toml");
            std::fs::write(&path, text).unwrap();
            cmd.env("KARMADA_EKS_CONFIG", &path);
        }
        cmd.output().unwrap()
    };
    let deploy = ["deploy", REGISTRY, "--exclusively", "--yes", "--json", "--app", app];

    let out = run(&deploy, None);
    assert_eq!(summary(&out)["stacks"][0]["outcome"], "created");
    assert!(String::from_utf8_lossy(&out.stderr).contains(&format!("Running the app: {app}")));
    assert_eq!(summary(&run(&deploy, None))["stacks"][0]["outcome"], "unchanged");
    let diff = run(&["diff", REGISTRY, "--fail", "--app", app], None);
    assert!(diff.status.success(), "no difference after deploy: {}", String::from_utf8_lossy(&diff.stdout));
    let diff = run(&["diff", REGISTRY, "--fail", "--app", app], Some("[workload]\nname = \"web\"\n"));
    assert_eq!(diff.status.code(), Some(1), "the rename differs: {}", String::from_utf8_lossy(&diff.stdout));

    // The repository's name comes from the config the example reads: renaming it replaces the repository.
    let out = run(&deploy, Some("[workload]\nname = \"web\"\n"));
    assert_eq!(summary(&out)["stacks"][0]["outcome"], "updated");
    let rt = tokio::runtime::Runtime::new().unwrap();
    let cfn = aws_sdk_cloudformation::Client::new(&rt.block_on(moto.sdk_config(REGION)));
    let body =
        rt.block_on(cfn.get_template().stack_name(REGISTRY).send()).unwrap().template_body().unwrap().to_string();
    assert!(body.contains("\"RepositoryName\": \"karmada/web\""), "{body}");

    let out =
        run(&["destroy", REGISTRY, "--exclusively", "--force", "--app", app], Some("[workload]\nname = \"web\"\n"));
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("karmada-registry (us-east-1): deleted"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let gone = rt.block_on(cfn.describe_stacks().stack_name(REGISTRY).send());
    assert!(
        gone.is_err()
            || gone.unwrap().stacks().iter().all(|s| s.stack_status().map(|s| s.as_str()) == Some("DELETE_COMPLETE"))
    );
}
