//! The real AWS CDK CLI (installed by bin/setup-tools) reads the cloud assembly `synth` writes.

mod common;

use std::process::Command;

#[test]
fn cdk_ls_lists_the_assembly_stacks_in_order() {
    let cdk = common::project_tool("node/node_modules/.bin/cdk");
    let dir = tempfile::tempdir().unwrap();
    let out = common::synth(&common::root().join("tests/data/configs/default.toml"), dir.path());
    let o = Command::new(cdk)
        .args(["ls", "--app", out.to_str().unwrap(), "--no-notices", "--no-version-reporting"])
        .current_dir(dir.path())
        .env("CDK_DISABLE_CLI_TELEMETRY", "true")
        .output()
        .expect("cdk runs");
    let listed = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success(), "cdk ls failed: {listed}{}", String::from_utf8_lossy(&o.stderr));
    let names: Vec<&str> = listed.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
    assert_eq!(
        names,
        [
            "karmada-network",
            "karmada-cluster",
            "karmada-member-access-eu-central-1",
            "karmada-member-access-us-east-1",
            "karmada-desired-state",
            "karmada-management"
        ]
    );
}
