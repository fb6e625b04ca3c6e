//! `synth`, `list` and `init` as a user runs them.

use crate::support::common;

use common::{karmada_eks, stderr, stdout, DEFAULT_STACKS};
use serde_json::Value;
use std::fs;

#[test]
fn synth_without_config_writes_the_default_assembly() {
    let dir = tempfile::tempdir().unwrap();
    let o = karmada_eks(dir.path(), &["synth"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = dir.path().join("cdk.out");
    let manifest: Value = serde_json::from_str(&fs::read_to_string(out.join("manifest.json")).unwrap()).unwrap();
    let artifacts = manifest["artifacts"].as_object().unwrap();
    assert_eq!(artifacts.keys().map(String::as_str).collect::<Vec<_>>(), DEFAULT_STACKS);
    for (name, artifact) in artifacts {
        assert_eq!(artifact["type"], "aws:cloudformation:stack");
        let file = artifact["properties"]["templateFile"].as_str().unwrap();
        assert_eq!(file, format!("{name}.template.json"));
        let template: Value = serde_json::from_str(&fs::read_to_string(out.join(file)).unwrap()).unwrap();
        assert_eq!(template["AWSTemplateFormatVersion"], "2010-09-09");
    }
    assert_eq!(artifacts["karmada-network"]["environment"], "aws://unknown-account/us-east-1");
    assert_eq!(artifacts["karmada-member-access-eu-central-1"]["environment"], "aws://unknown-account/eu-central-1");
    assert_eq!(artifacts["karmada-cluster"]["dependencies"], serde_json::json!(["karmada-backup", "karmada-network"]));
    assert_eq!(
        artifacts["karmada-cluster"]["properties"]["tags"],
        serde_json::json!({"karmada-eks:app": "karmada", "karmada-eks:part": "cluster"})
    );
    let summary = stderr(&o);
    assert!(summary.contains("Synthesized 9 stacks"), "{summary}");
    let placement = summary.lines().skip_while(|l| !l.starts_with("Placement of default/nginx")).collect::<Vec<_>>();
    assert!(
        placement.iter().any(|l| l.split_whitespace().collect::<Vec<_>>() == ["eksuscl01", "2", "6", "50.0%"]),
        "{summary}"
    );
    assert!(summary.trim_end().ends_with("then `karmada-eks deploy`."), "{summary}");
    assert!(stdout(&o).is_empty(), "summary belongs on stderr: {}", stdout(&o));
}

#[test]
fn same_config_gives_byte_identical_output() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    for (name, config) in common::configs() {
        let one = common::synth(&config, a.path());
        let two = common::synth(&config, b.path());
        let files: Vec<_> = fs::read_dir(&one).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert!(files.len() >= 3, "{name}: {files:?}");
        for f in files {
            assert_eq!(fs::read(one.join(&f)).unwrap(), fs::read(two.join(&f)).unwrap(), "{name}: {f:?} differs");
        }
    }
}

#[test]
fn named_stack_template_goes_to_stdout_and_unknown_stack_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let o = karmada_eks(dir.path(), &["synth", "karmada-network"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let printed: Value = serde_json::from_str(&stdout(&o)).expect("stdout is the template");
    let written = fs::read_to_string(dir.path().join("cdk.out/karmada-network.template.json")).unwrap();
    assert_eq!(printed, serde_json::from_str::<Value>(&written).unwrap());

    let o = karmada_eks(dir.path(), &["synth", "-o", "other", "karmada-nope"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("no stack named \"karmada-nope\""), "{}", stderr(&o));
    assert!(stderr(&o).contains("karmada-network"), "hint lists the stacks: {}", stderr(&o));
    assert!(!dir.path().join("other").exists());
}

#[test]
fn json_summary_is_machine_readable() {
    let dir = tempfile::tempdir().unwrap();
    let o = karmada_eks(dir.path(), &["synth", "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
    let stacks = v["stacks"].as_array().unwrap();
    assert_eq!(stacks.iter().map(|s| s["name"].as_str().unwrap()).collect::<Vec<_>>(), DEFAULT_STACKS);
    for s in stacks {
        assert!(s["resources"].as_u64().unwrap() > 0);
        assert_eq!(s["sha256"].as_str().unwrap().len(), 64);
    }
    assert!(v["notes"].as_array().unwrap().iter().any(|n| n.as_str().unwrap().contains("nlb.allowed_cidrs")));
    assert_eq!(
        v["placement"],
        serde_json::json!({"workload": "default/nginx", "replicas": 12,
            "clusters": {"ekseucl01": 3, "ekseucl02": 3, "eksuscl01": 6}})
    );
}

#[test]
fn config_error_exits_2_names_the_field_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("karmada-eks.toml"), "[[members]]\nname = \"Bad_Name\"\n").unwrap();
    let o = karmada_eks(dir.path(), &["synth"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.starts_with("error: invalid config karmada-eks.toml"), "{err}");
    assert!(err.contains("members[0].name: invalid cluster name(Bad_Name): a lowercase RFC 1123 label"), "{err}");
    assert!(err.contains("hint: Karmada v1.18.2"), "{err}");
    assert!(!dir.path().join("cdk.out").exists());

    fs::write(dir.path().join("karmada-eks.toml"), "[parent]\nkubernetes_version = \"1.29\"\n").unwrap();
    let o = karmada_eks(dir.path(), &["synth"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("parent.kubernetes_version: \"1.29\" is no longer offered by EKS"), "{}", stderr(&o));
    assert!(!dir.path().join("cdk.out").exists());

    fs::write(dir.path().join("karmada-eks.toml"), "[karmada]\nversion = \"v0.1.0\"\n").unwrap();
    let o = karmada_eks(dir.path(), &["synth"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("karmada.version: v0.1.0 is not a Karmada release"), "{}", stderr(&o));
    assert!(stderr(&o).contains("hint: use v1.18.2"), "{}", stderr(&o));

    let o = karmada_eks(dir.path(), &["--config", "missing.toml", "synth"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("cannot read config file missing.toml"), "{}", stderr(&o));
}

#[test]
fn config_error_keeps_the_previous_assembly() {
    let dir = tempfile::tempdir().unwrap();
    assert!(karmada_eks(dir.path(), &["synth"]).status.success());
    let before = fs::read(dir.path().join("cdk.out/manifest.json")).unwrap();
    fs::write(dir.path().join("karmada-eks.toml"), "[network]\naz_count = 9\n").unwrap();
    assert_eq!(karmada_eks(dir.path(), &["synth"]).status.code(), Some(2));
    assert_eq!(fs::read(dir.path().join("cdk.out/manifest.json")).unwrap(), before);
}

#[test]
fn list_shows_deploy_order_and_dependencies() {
    let dir = tempfile::tempdir().unwrap();
    let o = karmada_eks(dir.path(), &["list", "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
    let names: Vec<&str> = v.as_array().unwrap().iter().map(|s| s["name"].as_str().unwrap()).collect();
    assert_eq!(names, DEFAULT_STACKS);
    let management = &v[8];
    assert_eq!(management["name"], "karmada-management");
    assert_eq!(management["region"], "us-east-1");
    let deps: Vec<&str> = management["dependencies"].as_array().unwrap().iter().map(|d| d.as_str().unwrap()).collect();
    assert!(deps.contains(&"karmada-member-access-eu-central-1") && deps.contains(&"karmada-cluster"), "{deps:?}");
    assert!(deps.contains(&"karmada-desired-state"), "the bootstrap runs the bundle's backup: {deps:?}");

    let o = karmada_eks(dir.path(), &["list"]);
    let text = stdout(&o);
    assert!(text.lines().next().unwrap().starts_with("STACK"), "{text}");
    assert_eq!(text.lines().count(), 1 + DEFAULT_STACKS.len());
}

#[test]
fn init_writes_a_starter_that_synthesizes_and_refuses_to_overwrite() {
    let dir = tempfile::tempdir().unwrap();
    let o = karmada_eks(dir.path(), &["init"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let starter = fs::read_to_string(dir.path().join("karmada-eks.toml")).unwrap();
    assert!(starter.contains("[[members]]") && starter.contains("# "));
    let with = karmada_eks(dir.path(), &["synth", "--json"]);
    let fresh = tempfile::tempdir().unwrap();
    let without = karmada_eks(fresh.path(), &["synth", "--json"]);
    let sha = |o: &std::process::Output| -> Vec<Value> {
        let v: Value = serde_json::from_str(&stdout(o)).unwrap();
        v["stacks"].as_array().unwrap().iter().map(|s| s["sha256"].clone()).collect()
    };
    assert_eq!(sha(&with), sha(&without), "the starter config is the built-in default");

    let o = karmada_eks(dir.path(), &["init"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--force"), "{}", stderr(&o));
    assert!(karmada_eks(dir.path(), &["init", "--force"]).status.success());
}

#[test]
fn help_lists_every_command() {
    let dir = tempfile::tempdir().unwrap();
    let text = stdout(&karmada_eks(dir.path(), &["--help"]));
    for command in ["synth", "list", "diff", "deploy", "destroy", "plan", "init", "kubeconfig", "rotate-certs"] {
        assert!(text.contains(command), "--help lacks {command}: {text}");
    }
    let rotate = stdout(&karmada_eks(dir.path(), &["rotate-certs", "--help"]));
    for part in [
        "karmada-eks-reconcile certs renew",
        "--force",
        "karmada.renew_before_days",
        "keeping quorum",
        "docs/certificates.md",
    ] {
        assert!(rotate.contains(part), "rotate-certs --help lacks {part}: {rotate}");
    }
}

#[test]
fn completions_print_a_script_the_shell_completes_commands_and_flags_with() {
    let dir = tempfile::tempdir().unwrap();
    let o = karmada_eks(dir.path(), &["completions", "bash"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let script = dir.path().join("karmada-eks.bash");
    fs::write(&script, stdout(&o)).unwrap();
    let complete = |words: &str| {
        let cmd = format!(
            ". {}; COMP_WORDS=({words}); COMP_CWORD=$((${{#COMP_WORDS[@]}} - 1)); _karmada__eks karmada-eks \"${{COMP_WORDS[-1]}}\" \"${{COMP_WORDS[-2]}}\"; printf '%s\\n' \"${{COMPREPLY[@]}}\"",
            script.display()
        );
        let o = std::process::Command::new("bash").args(["-c", &cmd]).output().unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        String::from_utf8_lossy(&o.stdout).lines().map(str::to_string).collect::<Vec<_>>()
    };
    assert_eq!(complete("karmada-eks rot"), ["rotate-certs"]);
    assert!(complete("karmada-eks deploy --require").contains(&"--require-approval".to_string()));
    for shell in ["zsh", "fish", "elvish", "powershell"] {
        let o = karmada_eks(dir.path(), &["completions", shell]);
        assert!(o.status.success() && stdout(&o).contains("rotate-certs"), "{shell}: {}", stderr(&o));
    }
    let o = karmada_eks(dir.path(), &["completions", "tcsh"]);
    assert_eq!(o.status.code(), Some(2), "an unknown shell is bad input");
    assert!(stderr(&o).contains("[possible values: bash, elvish, fish, powershell, zsh]"), "{}", stderr(&o));
}

#[test]
fn man_prints_the_page_and_writes_one_per_command_never_over_a_file_it_did_not_write() {
    let dir = tempfile::tempdir().unwrap();
    let o = karmada_eks(dir.path(), &["man"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let page = stdout(&o);
    assert!(page.contains(".TH karmada-eks 1") && page.contains("rotate\\-certs"), "{page}");
    let pages = dir.path().join("man1");
    let o = karmada_eks(dir.path(), &["man", "--dir", pages.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let deploy = fs::read_to_string(pages.join("karmada-eks-deploy.1")).unwrap();
    assert!(deploy.contains(".TH karmada-eks-deploy 1") && deploy.contains("\\-\\-require\\-approval"), "{deploy}");
    assert!(pages.join("karmada-eks-rotate-certs.1").exists());
    assert!(!pages.join("karmada-eks-help.1").exists());
    // Again over its own pages: replaced. Over a page it did not write: refused, and nothing is written.
    assert!(karmada_eks(dir.path(), &["man", "--dir", pages.to_str().unwrap()]).status.success());
    fs::write(pages.join("karmada-eks-synth.1"), "my notes\n").unwrap();
    fs::remove_file(pages.join("karmada-eks-deploy.1")).unwrap();
    let o = karmada_eks(dir.path(), &["man", "--dir", pages.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("karmada-eks-synth.1 already exists and is not a man page karmada-eks wrote")
            && stderr(&o).contains("hint: remove it yourself, or choose another --dir; nothing was written"),
        "{}",
        stderr(&o)
    );
    assert_eq!(fs::read_to_string(pages.join("karmada-eks-synth.1")).unwrap(), "my notes\n");
    assert!(!pages.join("karmada-eks-deploy.1").exists(), "nothing is written when one page is refused");
}

#[test]
fn version_names_the_commit_help_help_is_help_and_a_is_app() {
    let dir = tempfile::tempdir().unwrap();
    let o = karmada_eks(dir.path(), &["--version"]);
    assert!(o.status.success());
    let version = stdout(&o);
    let head = std::process::Command::new("git")
        .args(["rev-parse", "--short=9", "HEAD"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    let head = String::from_utf8_lossy(&head.stdout).trim().to_string();
    assert!(version.starts_with(&format!("karmada-eks {} (", env!("CARGO_PKG_VERSION"))), "{version}");
    assert!(head.is_empty() || version.contains(&head), "{version} names {head}");
    for args in [&["help", "--help"][..], &["help", "-h"]] {
        let o = karmada_eks(dir.path(), args);
        assert!(o.status.success(), "{args:?}: {}", stderr(&o));
        assert!(stdout(&o).contains("Usage: karmada-eks [OPTIONS] <COMMAND>"), "{}", stdout(&o));
    }
    assert!(karmada_eks(dir.path(), &["synth", "-q"]).status.success());
    let short = karmada_eks(dir.path(), &["list", "-a", "cdk.out"]);
    let long = karmada_eks(dir.path(), &["list", "--app", "cdk.out"]);
    assert!(short.status.success(), "{}", stderr(&short));
    assert_eq!(stdout(&short), stdout(&long));
}

#[test]
fn the_license_file_is_the_license_cargo_declares() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let license = fs::read_to_string(root.join("LICENSE")).unwrap();
    assert!(license.trim_start().starts_with("Apache License\n                        Version 2.0, January 2004"));
    assert!(license.trim_end().ends_with("END OF TERMS AND CONDITIONS"));
    let manifest = fs::read_to_string(root.join("Cargo.toml")).unwrap();
    assert!(manifest.contains("license = \"Apache-2.0\""), "{manifest}");
}

/// A filesystem that refuses a write (here /proc, which refuses even root) is a failure while doing the work:
/// exit 1 for every command that writes a file, never 2, which is for bad input.
#[test]
fn a_refused_write_is_exit_1_for_init_synth_and_diagram_alike() {
    let dir = tempfile::tempdir().unwrap();
    for args in [
        &["init", "/proc/karmada-eks.toml"][..],
        &["synth", "-q", "-o", "/proc/cdk.out"],
        &["diagram", "-o", "/proc/d.svg"],
    ] {
        let o = karmada_eks(dir.path(), args);
        assert_eq!(o.status.code(), Some(1), "{args:?}: {}", stderr(&o));
    }
}

/// `--app COMMAND` gets the `--config` file as KARMADA_EKS_CONFIG (absolute), and without `--app` the `app` of
/// `./cdk.json` is used, as the AWS CDK CLI uses it, and said.
#[test]
fn the_app_command_gets_the_config_and_cdk_json_remembers_the_app() {
    let dir = tempfile::tempdir().unwrap();
    assert!(karmada_eks(dir.path(), &["synth", "-q", "-o", "out"]).status.success());
    fs::write(dir.path().join("mine.toml"), "").unwrap();
    let app = "echo \"$KARMADA_EKS_CONFIG\" > seen && cp -r out/. \"$CDK_OUTDIR\"/";
    let o = karmada_eks(dir.path(), &["list", "--app", app, "--config", "mine.toml"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let seen = fs::read_to_string(dir.path().join("seen")).unwrap();
    assert_eq!(seen.trim(), dir.path().join("mine.toml").to_str().unwrap());

    let explicit = karmada_eks(dir.path(), &["list", "--json", "--app", "out"]);
    fs::write(dir.path().join("cdk.json"), "{\"app\": \"out\"}").unwrap();
    let remembered = karmada_eks(dir.path(), &["list", "--json"]);
    assert!(remembered.status.success(), "{}", stderr(&remembered));
    assert_eq!(stdout(&remembered), stdout(&explicit));
    assert!(stderr(&remembered).contains("Using the app of cdk.json: out"), "{}", stderr(&remembered));
    fs::write(dir.path().join("cdk.json"), "{not json").unwrap();
    let broken = karmada_eks(dir.path(), &["list"]);
    assert_eq!(broken.status.code(), Some(2));
    assert!(stderr(&broken).contains("cdk.json is not JSON"), "{}", stderr(&broken));
}

/// bin/release packages a binary with its completions, man pages, LICENSE, README and CHANGELOG; the same binary
/// gives the same archive byte for byte, SHA256SUMS verifies it, and the binary unpacked from it runs.
#[test]
fn the_release_archive_is_complete_and_reproducible() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().unwrap();
    let build = |out: &str| {
        let o = std::process::Command::new(root.join("bin/release"))
            .args(["--binary", env!("CARGO_BIN_EXE_karmada-eks"), "--out"])
            .arg(dir.path().join(out))
            .env("SOURCE_DATE_EPOCH", "1796601600")
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let sums = fs::read_to_string(dir.path().join(out).join("SHA256SUMS")).unwrap();
        let archive = sums.split_whitespace().nth(1).unwrap().to_string();
        (fs::read(dir.path().join(out).join(&archive)).unwrap(), archive)
    };
    let (first, name) = build("a");
    let (second, _) = build("b");
    assert!(first == second, "two runs give the same bytes");
    let check = std::process::Command::new("sha256sum")
        .args(["-c", "SHA256SUMS"])
        .current_dir(dir.path().join("a"))
        .output()
        .unwrap();
    assert!(check.status.success(), "{}", String::from_utf8_lossy(&check.stdout));
    let unpack = dir.path().join("unpacked");
    fs::create_dir(&unpack).unwrap();
    let tar = std::process::Command::new("tar")
        .arg("-xzf")
        .arg(dir.path().join("a").join(&name))
        .arg("-C")
        .arg(&unpack)
        .status()
        .unwrap();
    assert!(tar.success());
    let top = unpack.join(name.trim_end_matches(".tar.gz"));
    for file in [
        "bin/karmada-eks",
        "completions/karmada-eks.bash",
        "completions/_karmada-eks",
        "completions/karmada-eks.fish",
        "man/man1/karmada-eks.1",
        "man/man1/karmada-eks-deploy.1",
        "LICENSE",
        "README.md",
        "CHANGELOG.md",
    ] {
        assert!(top.join(file).is_file(), "{file} is in the archive");
    }
    let version = std::process::Command::new(top.join("bin/karmada-eks")).arg("--version").output().unwrap();
    assert!(String::from_utf8_lossy(&version.stdout).starts_with(&format!("karmada-eks {}", env!("CARGO_PKG_VERSION"))));
}
