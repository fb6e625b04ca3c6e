//! `synth` replaces the cloud assembly all at once: a config error, a failure in the middle of writing, or a kill
//! leaves the previous assembly byte-identical, and no staging directory outlives the run that made it.

use crate::support::common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use constructs::core::CloudAssembly;
use constructs::karmada::{Config, KarmadaApp};

/// Every file under `dir` with its bytes.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(snapshot(&path));
        } else {
            out.insert(path.strip_prefix(dir).unwrap().to_path_buf(), std::fs::read(&path).unwrap());
        }
    }
    out
}

/// Names in `dir` that look like synth's staging or backup directories.
fn leftovers(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".tmp-") || n.contains(".old-"))
        .collect()
}

fn config(name: &str) -> String {
    common::root().join("tests/data/configs").join(format!("{name}.toml")).to_string_lossy().into_owned()
}

fn synth_ok(dir: &Path, config_name: &str) {
    let o = common::karmada_eks(dir, &["--config", &config(config_name), "synth", "-q", "-o", "cdk.out"]);
    assert!(o.status.success(), "{}", common::stderr(&o));
}

#[test]
fn a_config_error_or_a_bad_stack_name_leaves_the_previous_assembly() {
    let dir = tempfile::tempdir().unwrap();
    synth_ok(dir.path(), "default");
    let before = snapshot(&dir.path().join("cdk.out"));
    assert!(before.len() >= 6, "{:?}", before.keys());

    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, "[network]\nnat_gateways = 9\n").unwrap();
    let o = common::karmada_eks(dir.path(), &["--config", bad.to_str().unwrap(), "synth", "-o", "cdk.out"]);
    assert_eq!(o.status.code(), Some(2), "{}", common::stderr(&o));
    assert!(common::stderr(&o).contains("network.nat_gateways"));

    let o = common::karmada_eks(dir.path(), &["--config", &config("ha-internal"), "synth", "-o", "cdk.out", "nosuch"]);
    assert_eq!(o.status.code(), Some(2), "{}", common::stderr(&o));

    assert_eq!(snapshot(&dir.path().join("cdk.out")), before);
    assert_eq!(leftovers(dir.path()), Vec::<String>::new());
}

#[test]
fn an_output_path_under_a_file_fails_without_touching_anything() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("file"), "keep").unwrap();
    let o = common::karmada_eks(dir.path(), &["synth", "-q", "-o", "file/cdk.out"]);
    assert_eq!(o.status.code(), Some(1), "{}", common::stderr(&o));
    assert!(common::stderr(&o).contains("writing the cloud assembly to file/cdk.out"), "{}", common::stderr(&o));
    assert_eq!(std::fs::read_to_string(dir.path().join("file")).unwrap(), "keep");
    assert_eq!(leftovers(dir.path()), Vec::<String>::new());
}

#[test]
fn a_failed_write_removes_the_parent_directories_it_created() {
    let dir = tempfile::tempdir().unwrap();
    let synth = |text: &str| KarmadaApp::new(&Config::from_toml(text).unwrap()).unwrap().synth().unwrap();
    let mut broken = synth("");
    let mut unwritable = broken.stacks[0].clone();
    unwritable.name = "no-such-dir/stack".into();
    broken.stacks.push(unwritable);
    std::fs::create_dir(dir.path().join("kept")).unwrap();
    broken.write(&dir.path().join("kept/new/deeper/cdk.out")).unwrap_err();
    let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(left, ["kept"], "only the directory that was there before");
    assert_eq!(std::fs::read_dir(dir.path().join("kept")).unwrap().count(), 0);
}

#[test]
fn a_failure_in_the_middle_of_writing_leaves_the_previous_assembly() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("cdk.out");
    let synth = |text: &str| KarmadaApp::new(&Config::from_toml(text).unwrap()).unwrap().synth().unwrap();
    synth("").write(&out).unwrap();
    let before = snapshot(&out);

    let mut broken = synth("app = \"other\"");
    let mut unwritable = broken.stacks[0].clone();
    unwritable.name = "no-such-dir/stack".into();
    broken.stacks.push(unwritable);
    let err = broken.write(&out).unwrap_err();
    assert!(err.to_string().to_lowercase().contains("no such file"), "{err}");

    assert_eq!(snapshot(&out), before, "the earlier templates of the failed write must not leak into the assembly");
    assert_eq!(leftovers(dir.path()), Vec::<String>::new());
    assert_eq!(CloudAssembly::read(&out).unwrap().stacks.len(), synth("").stacks.len());
}

/// Kills `synth` as soon as its staging directory appears, many times: the assembly in place is always the
/// complete previous one or the complete new one, never a mixture; the next successful run removes what the
/// killed runs left.
#[test]
fn a_kill_while_writing_leaves_a_complete_assembly() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("cdk.out");
    synth_ok(dir.path(), "default");
    let old = snapshot(&out);
    let new = {
        let other = tempfile::tempdir().unwrap();
        synth_ok(other.path(), "single-member");
        snapshot(&other.path().join("cdk.out"))
    };
    assert_ne!(old, new);

    let mut killed_while_staging = 0;
    for _ in 0..40 {
        let mut child = Command::new(env!("CARGO_BIN_EXE_karmada-eks"))
            .args(["--config", &config("single-member"), "synth", "-q", "-o", "cdk.out"])
            .current_dir(dir.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let staging = dir.path().join(format!(".cdk.out.tmp-{}", child.id()));
        let deadline = Instant::now() + Duration::from_secs(20);
        while !staging.exists() && Instant::now() < deadline && child.try_wait().unwrap().is_none() {
            std::hint::spin_loop();
        }
        child.kill().ok();
        let status = child.wait().unwrap();
        if !status.success() {
            killed_while_staging += usize::from(staging.exists());
        }

        if !out.exists() {
            let backup = dir.path().join(format!(".cdk.out.old-{}", child.id()));
            assert_eq!(snapshot(&backup), old, "killed between the swap's renames: the backup is the old assembly");
            synth_ok(dir.path(), "default");
        }
        let now = snapshot(&out);
        assert!(now == old || now == new, "a kill left a mixed assembly: {:?}", now.keys());
        if now == new {
            synth_ok(dir.path(), "default");
        }
        assert_eq!(snapshot(&out), old);
    }
    assert!(killed_while_staging > 0, "no kill landed while synth was writing; the test did not test anything");
    synth_ok(dir.path(), "default");
    assert_eq!(leftovers(dir.path()), Vec::<String>::new(), "the last run must remove what killed runs left");
}
