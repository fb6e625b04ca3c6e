//! The construct library as a product (issue 17): `[[overrides]]` through the CLI, `--app COMMAND` as the AWS CDK
//! CLI runs apps, and the `extend` example deployed through the same CLI.

use crate::support::common;

use serde_json::Value;
use std::path::Path;
use std::process::Command;

/// The documented command line of the example.
const EXTEND: &str = "cargo run -q -p karmada-eks-constructs --example extend";

fn resource_at<'a>(template: &'a Value, path: &str) -> &'a Value {
    template["Resources"]
        .as_object()
        .unwrap()
        .values()
        .find(|r| r["Metadata"]["aws:cdk:path"] == path)
        .unwrap_or_else(|| panic!("no resource at {path}"))
}

fn template(dir: &Path, stack: &str) -> Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join(format!("{stack}.template.json"))).unwrap()).unwrap()
}

#[test]
fn overrides_survive_into_the_templates() {
    let dir = tempfile::tempdir().unwrap();
    let out = common::synth(&common::root().join("tests/data/overrides/nodes.toml"), dir.path());
    let cluster = template(&out, "karmada-cluster");
    let nodes = resource_at(&cluster, "karmada-cluster/Nodes/Resource");
    let launch = resource_at(&cluster, "karmada-cluster/Nodes/LaunchTemplate");
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(common::root().join("snapshots"));
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings.bind(|| {
        insta::assert_json_snapshot!("overrides__nodes", nodes);
        insta::assert_json_snapshot!("overrides__launch-template", launch);
    });
}

#[test]
fn synth_lists_the_overrides_it_applied_and_a_bad_one_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let config = common::root().join("tests/data/overrides/nodes.toml");
    let o = common::karmada_eks(dir.path(), &["--config", config.to_str().unwrap(), "synth", "--json"]);
    assert!(o.status.success(), "{}", common::stderr(&o));
    let summary: Value = serde_json::from_str(&common::stdout(&o)).unwrap();
    let notes: Vec<&str> = summary["notes"].as_array().unwrap().iter().filter_map(Value::as_str).collect();
    let applied: Vec<&&str> = notes.iter().filter(|n| n.starts_with("override: ")).collect();
    assert_eq!(applied.len(), 4, "{notes:#?}");
    assert!(applied
        .iter()
        .any(|n| n.starts_with("override: set Properties.Labels.team of karmada-cluster/Nodes/Resource (Nodes")));
    assert!(applied
        .iter()
        .any(|n| n.starts_with("override: deleted Properties.Tags of karmada-cluster/Nodes/Resource")));

    let bad = dir.path().join("bad.toml");
    std::fs::write(
        &bad,
        "[[overrides]]\nstack = \"karmada-cluster\"\nresource = \"Nodez\"\npath = \"Properties.X\"\nvalue = 1\n",
    )
    .unwrap();
    let o = common::karmada_eks(dir.path(), &["--config", bad.to_str().unwrap(), "synth", "-o", "bad.out"]);
    assert_eq!(o.status.code(), Some(2), "{}", common::stderr(&o));
    let stderr = common::stderr(&o);
    assert!(
        stderr.starts_with("error: overrides[0].resource: stack karmada-cluster has no resource \"Nodez\"\n  hint: "),
        "{stderr}"
    );
    assert!(stderr.contains("Nodes/Resource (Nodes"), "the hint names the nearest resources: {stderr}");
    assert!(!dir.path().join("bad.out").exists(), "nothing written");
}

#[test]
fn an_override_that_opens_access_is_in_the_exposure_summary() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("open.toml");
    std::fs::write(
        &config,
        "[[overrides]]\nstack = \"karmada-cluster\"\nresource = \"KarmadaApi/SecurityGroup\"\npath = \"Properties.SecurityGroupIngress\"\nvalue = [{ IpProtocol = \"tcp\", FromPort = 22, ToPort = 22, CidrIp = \"0.0.0.0/0\" }]\n",
    )
    .unwrap();
    let plain = common::karmada_eks(dir.path(), &["synth", "--json", "-o", "plain"]);
    let opened =
        common::karmada_eks(dir.path(), &["--config", config.to_str().unwrap(), "synth", "--json", "-o", "open"]);
    assert!(opened.status.success(), "{}", common::stderr(&opened));
    let ssh_from_anywhere = |o: &std::process::Output| {
        let summary: Value = serde_json::from_str(&common::stdout(o)).unwrap();
        summary["security"]["cidrIngress"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["source"] == "0.0.0.0/0" && r["ports"].as_str().is_some_and(|p| p.contains("22")))
    };
    assert!(!ssh_from_anywhere(&plain));
    assert!(ssh_from_anywhere(&opened), "{}", common::stdout(&opened));
}

#[test]
fn app_command_with_cdk_outdir_is_read_like_a_directory_and_checked() {
    let dir = tempfile::tempdir().unwrap();
    let out = common::synth(&common::root().join("tests/data/configs/default.toml"), dir.path());
    let copy = format!("cp -R '{}'/. \"$CDK_OUTDIR\"", out.display());
    let from_dir = common::karmada_eks(dir.path(), &["list", "--json", "--app", out.to_str().unwrap()]);
    let from_command = common::karmada_eks(dir.path(), &["list", "--json", "--app", &copy]);
    assert!(from_command.status.success(), "{}", common::stderr(&from_command));
    assert_eq!(common::stdout(&from_command), common::stdout(&from_dir), "stdout holds only the listing");
    assert!(common::stderr(&from_command).contains("Running the app: cp -R"));

    // The template hashes are checked as for a directory.
    let tamper = format!("{copy} && echo ' ' >> \"$CDK_OUTDIR/karmada-network.template.json\"");
    let o = common::karmada_eks(dir.path(), &["list", "--app", &tamper]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        common::stderr(&o).contains("karmada-network.template.json was changed after synth"),
        "{}",
        common::stderr(&o)
    );
}

#[test]
fn a_failing_app_command_exits_1_with_its_last_stderr_lines() {
    let dir = tempfile::tempdir().unwrap();
    let o = common::karmada_eks(
        dir.path(),
        &["list", "--app", "echo compiling >&2; echo 'error[E0425]: oops' >&2; exit 101"],
    );
    assert_eq!(o.status.code(), Some(1));
    let stderr = common::stderr(&o);
    assert!(stderr.contains("error: the app command `echo compiling"), "{stderr}");
    assert!(
        stderr.contains("failed (exit status: 101); its last stderr lines:\n    compiling\n    error[E0425]: oops"),
        "{stderr}"
    );
    assert!(common::stdout(&o).is_empty());
}

#[test]
fn an_app_command_that_writes_no_manifest_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    for command in ["synth", "list", "diff", "deploy", "destroy"] {
        let mut args = vec![command, "--app", "echo hello"];
        if command == "destroy" {
            args.push("--force");
        }
        let o = common::karmada_eks(dir.path(), &args);
        assert_eq!(o.status.code(), Some(2), "{command}: {}", common::stderr(&o));
        let stderr = common::stderr(&o);
        assert!(
            stderr
                .contains("error: the app command `echo hello` succeeded but wrote no manifest.json into $CDK_OUTDIR"),
            "{command}: {stderr}"
        );
        assert!(stderr.contains("hint: the command must write its cloud assembly"), "{stderr}");
    }
}

#[test]
fn the_extend_example_synthesizes_through_the_cli_and_the_cdk_cli_reads_it() {
    let dir = tempfile::tempdir().unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_karmada-eks"))
        .args(["list", "--app", EXTEND])
        .current_dir(common::root())
        .env_remove("KARMADA_EKS_CONFIG")
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", common::stderr(&o));
    let names: Vec<String> =
        common::stdout(&o).lines().skip(1).map(|l| l.split_whitespace().next().unwrap().to_string()).collect();
    let mut expected = common::DEFAULT_STACKS.to_vec();
    expected.push("karmada-registry");
    assert_eq!(names, expected);

    let out = dir.path().join("extended");
    let o = Command::new(env!("CARGO_BIN_EXE_karmada-eks"))
        .args(["synth", "-q", "-o", out.to_str().unwrap(), "--app", EXTEND])
        .current_dir(common::root())
        .env_remove("KARMADA_EKS_CONFIG")
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", common::stderr(&o));
    let registry = template(&out, "karmada-registry");
    let repository = resource_at(&registry, "karmada-registry/Repository");
    assert_eq!(repository["Type"], "AWS::ECR::Repository");
    assert_eq!(repository["Properties"]["RepositoryName"], "karmada/nginx");
    assert_eq!(repository["Properties"]["Tags"][0]["Key"], "karmada-eks:app");
    let cluster = template(&out, "karmada-cluster");
    let nodes = resource_at(&cluster, "karmada-cluster/Nodes/Resource");
    assert_eq!(nodes["Properties"]["Labels"]["registry"], "karmada/nginx");

    assert_eq!(common::cdk_ls(&out, dir.path()), names);
}

/// An assembly that holds no karmada-eks app (no stack tagged with one) is the user's input to fix: the commands
/// that read the app's facts from it say so with the fix and exit 2, before any AWS call.
#[test]
fn an_assembly_of_another_app_is_refused_with_the_fix_and_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = constructs::core::App::new();
    app.add_stack("other", constructs::core::Environment::new(None, "eu-west-1"));
    app.synth().unwrap().write(&dir.path().join("other.out")).unwrap();
    for command in ["status", "reconcile", "kubeconfig", "backup"] {
        let o = common::karmada_eks(dir.path(), &[command, "--app", "other.out"]);
        let stderr = common::stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{command}: {stderr}");
        assert!(stderr.starts_with("error: the assembly holds no karmada-eks app"), "{command}: {stderr}");
        assert!(stderr.contains("hint: give --app a directory `karmada-eks synth` wrote"), "{command}: {stderr}");
    }
}
