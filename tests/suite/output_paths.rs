//! `synth -o` never destroys what karmada-eks did not write (issue 14). Beside the atomic-write tests
//! (tests/suite/atomic_synth.rs): each case the issue lists, run as a user runs it, and a property test over arbitrary
//! trees at the output path. A refused case changes nothing on disk: the whole tree is hashed before and after.
//! The file outputs (`init PATH`, `kubeconfig -o`) are tested in tests/suite/cli_synth.rs, tests/suite/deploy_moto.rs and
//! src/deploy/kubeconfig.rs.

use crate::support::common;

use proptest::prelude::*;
use proptest::test_runner::{Config as ProptestConfig, TestCaseError, TestRunner};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet};
use std::os::unix::fs::{symlink, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use constructs::core::assembly::files_written;
use constructs::core::output_path::{DirPlan, OutputError, MARKER};
use constructs::core::{CloudAssembly, SynthError};
use constructs::karmada::{Config, KarmadaApp};

/// One entry of a tree, read without following symlinks.
#[derive(Clone, Debug, PartialEq)]
enum Node {
    File(Vec<u8>, u32),
    Dir(u32),
    Link(PathBuf),
}

/// Every entry under `dir` (its own entry included, as ""), symlinks not followed.
fn tree(dir: &Path) -> BTreeMap<PathBuf, Node> {
    fn walk(root: &Path, path: &Path, out: &mut BTreeMap<PathBuf, Node>) {
        let Ok(meta) = std::fs::symlink_metadata(path) else { return };
        let rel = path.strip_prefix(root).unwrap().to_path_buf();
        let mode = meta.permissions().mode();
        if meta.file_type().is_symlink() {
            out.insert(rel, Node::Link(std::fs::read_link(path).unwrap()));
        } else if meta.is_dir() {
            out.insert(rel, Node::Dir(mode));
            for entry in std::fs::read_dir(path).unwrap() {
                walk(root, &entry.unwrap().path(), out);
            }
        } else {
            out.insert(rel, Node::File(std::fs::read(path).unwrap(), mode));
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

/// The SHA-256 of a tree: paths, kinds, bytes, modes and link targets.
fn hash(dir: &Path) -> String {
    let mut h = Sha256::new();
    for (path, node) in tree(dir) {
        h.update(format!("{}\0{node:?}\0", path.display()).as_bytes());
    }
    format!("{:x}", h.finalize())
}

fn config(name: &str) -> String {
    common::root().join("tests/data/configs").join(format!("{name}.toml")).to_string_lossy().into_owned()
}

fn synth_cli(cwd: &Path, config_name: &str, output: &str) -> Output {
    common::karmada_eks(cwd, &["--config", &config(config_name), "synth", "-q", "-o", output])
}

/// Runs `synth -o output` in `cwd` and checks that it is refused (exit 2, the error naming the path and saying
/// what is there, a hint) and that nothing under `watched` changed.
fn assert_refused(cwd: &Path, watched: &Path, output: &str, found: &str) {
    let before = hash(watched);
    let o = synth_cli(cwd, "default", output);
    let stderr = common::stderr(&o);
    assert_eq!(o.status.code(), Some(2), "-o {output}: {stderr}");
    assert!(stderr.starts_with(&format!("error: {output} {found}")), "-o {output}: {stderr}");
    assert!(stderr.contains("\n  hint: choose another directory"), "-o {output}: {stderr}");
    assert!(stderr.contains(&format!("or remove {output} yourself")), "-o {output}: {stderr}");
    assert_eq!(hash(watched), before, "-o {output} was refused but changed {}", watched.display());
}

fn user_tree(dir: &Path) {
    std::fs::create_dir_all(dir.join("src/deep")).unwrap();
    std::fs::write(dir.join("notes.md"), "mine\n").unwrap();
    std::fs::write(dir.join("src/main.rs"), "fn main() {}\n").unwrap();
    std::fs::write(dir.join("src/deep/data.bin"), [0u8, 159, 146, 150]).unwrap();
    std::fs::create_dir(dir.join("empty")).unwrap();
}

#[test]
fn an_existing_file_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("notes.txt"), "my notes\n").unwrap();
    assert_refused(dir.path(), dir.path(), "notes.txt", "is a regular file, not a directory karmada-eks wrote");
}

#[test]
fn a_directory_of_the_users_files_is_refused_and_named() {
    let dir = tempfile::tempdir().unwrap();
    user_tree(&dir.path().join("myproject"));
    assert_refused(
        dir.path(),
        dir.path(),
        "myproject",
        "is a directory holding entries karmada-eks did not write: empty/, notes.md, src/",
    );
    for n in 0..7 {
        std::fs::write(dir.path().join(format!("myproject/f{n}")), "x").unwrap();
    }
    assert_refused(dir.path(), dir.path(), "myproject", "is a directory holding entries karmada-eks did not write: ");
    let o = synth_cli(dir.path(), "default", "myproject");
    assert!(common::stderr(&o).contains(": empty/, f0, f1, f2, f3, and 5 more\n"), "{}", common::stderr(&o));
}

/// A CDK CLI cloud assembly, or a manifest that claims files outside its directory, is not karmada-eks's.
#[test]
fn an_assembly_karmada_eks_did_not_write_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("cdk.out");
    std::fs::create_dir(&out).unwrap();
    std::fs::write(
        out.join("manifest.json"),
        r#"{"version":"36.0.0","artifacts":{"S":{"type":"aws:cloudformation:stack","properties":{"templateFile":"S.template.json"}}}}"#,
    )
    .unwrap();
    std::fs::write(out.join("S.template.json"), "{}").unwrap();
    std::fs::write(out.join("tree.json"), "{}").unwrap();
    assert_refused(dir.path(), dir.path(), "cdk.out", "is a directory holding entries karmada-eks did not write");

    let forged = dir.path().join("forged");
    assert!(synth_cli(dir.path(), "default", "forged").status.success());
    std::fs::write(dir.path().join("victim.template.json"), "precious").unwrap();
    let manifest = std::fs::read_to_string(forged.join("manifest.json")).unwrap();
    let manifest = manifest.replacen("\"karmada-network.template.json\"", "\"../victim.template.json\"", 1);
    std::fs::write(forged.join("manifest.json"), manifest).unwrap();
    assert_eq!(files_written(&forged), None);
    assert_refused(dir.path(), dir.path(), "forged", "is a directory holding entries karmada-eks did not write");
}

#[test]
fn a_symlink_to_a_directory_or_a_file_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    assert!(synth_cli(dir.path(), "default", "real").status.success());
    symlink("real", dir.path().join("to-assembly")).unwrap();
    assert_refused(
        dir.path(),
        dir.path(),
        "to-assembly",
        "is a symbolic link to real, not a directory karmada-eks wrote",
    );
    std::fs::write(dir.path().join("file"), "keep").unwrap();
    symlink("file", dir.path().join("to-file")).unwrap();
    assert_refused(dir.path(), dir.path(), "to-file", "is a symbolic link to file");
    symlink("nowhere", dir.path().join("dangling")).unwrap();
    assert_refused(dir.path(), dir.path(), "dangling", "is a symbolic link to nowhere");
}

#[test]
fn a_device_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let o = synth_cli(dir.path(), "default", "/dev/null");
    assert_eq!(o.status.code(), Some(2), "{}", common::stderr(&o));
    assert!(common::stderr(&o).starts_with("error: /dev/null is a character device"), "{}", common::stderr(&o));
    assert_eq!(tree(dir.path()).len(), 1, "nothing was written beside it");
}

/// `.` holding the config, `..`, `/` and the home directory: refused, nothing changed.
#[test]
fn the_working_directory_its_parent_the_root_and_home_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("project");
    std::fs::create_dir(&project).unwrap();
    std::fs::copy(config("default"), project.join("karmada-eks.toml")).unwrap();
    let o = common::karmada_eks(&project, &["synth", "-o", "."]);
    assert_eq!(o.status.code(), Some(2), "{}", common::stderr(&o));
    assert!(common::stderr(&o)
        .starts_with("error: . is a directory holding entries karmada-eks did not write: karmada-eks.toml"));
    assert_refused(
        &project,
        dir.path(),
        ".",
        "is a directory holding entries karmada-eks did not write: karmada-eks.toml",
    );
    assert_refused(&project, dir.path(), "..", "is a directory holding entries karmada-eks did not write: project/");

    let o = synth_cli(&project, "default", "/");
    assert_eq!(o.status.code(), Some(2), "{}", common::stderr(&o));
    assert!(common::stderr(&o).starts_with("error: / is a directory holding entries karmada-eks did not write"));

    let home = dir.path().join("home");
    user_tree(&home);
    std::fs::write(home.join(".bashrc"), "export PS1='$ '\n").unwrap();
    let before = hash(dir.path());
    let o = Command::new(env!("CARGO_BIN_EXE_karmada-eks"))
        .args(["--config", &config("default"), "synth", "-o", home.to_str().unwrap()])
        .current_dir(&project)
        .env("HOME", &home)
        .env_remove("KARMADA_EKS_CONFIG")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", common::stderr(&o));
    assert!(common::stderr(&o).contains("is a directory holding entries karmada-eks did not write: .bashrc, empty/"));
    assert_eq!(hash(dir.path()), before);
}

#[test]
fn an_output_path_that_holds_the_config_file_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("proj")).unwrap();
    std::fs::copy(config("single-member"), dir.path().join("proj/karmada-eks.toml")).unwrap();
    let before = hash(dir.path());
    let o = common::karmada_eks(dir.path(), &["--config", "proj/karmada-eks.toml", "synth", "-o", "proj"]);
    assert_eq!(o.status.code(), Some(2), "{}", common::stderr(&o));
    assert!(common::stderr(&o)
        .starts_with("error: proj is a directory holding entries karmada-eks did not write: karmada-eks.toml"));
    assert_eq!(hash(dir.path()), before);
}

/// An empty directory, the working directory included, is written in place: the directory stays (a shell in it
/// is not left in a deleted directory) and nothing else appears beside it.
#[test]
fn an_empty_directory_is_written_in_place() {
    let dir = tempfile::tempdir().unwrap();
    let work = dir.path().join("work");
    std::fs::create_dir(&work).unwrap();
    let inode = |p: &Path| std::os::unix::fs::MetadataExt::ino(&std::fs::metadata(p).unwrap());
    let before = inode(&work);
    let o = synth_cli(&work, "default", ".");
    assert!(o.status.success(), "{}", common::stderr(&o));
    assert_eq!(inode(&work), before);
    let read = CloudAssembly::read(&work).unwrap();
    assert_eq!(read.stacks.len(), 9);
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1, "no staging directory beside it");
    assert_eq!(std::fs::read_dir(&work).unwrap().count(), 10, "the templates and the manifest, nothing else");

    let o = synth_cli(&work, "single-member", ".");
    assert!(o.status.success(), "an earlier assembly in the working directory is replaced: {}", common::stderr(&o));
    assert_eq!(inode(&work), before);
    let names: BTreeSet<String> =
        std::fs::read_dir(&work).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    assert_eq!(names, files_written(&work).unwrap(), "only the new assembly's files");
}

/// A directory that is a mount point (a container volume) cannot be renamed: an earlier assembly there is
/// updated in place instead. Needs a private mount namespace (`unshare -m`, root); skipped with the reason
/// where that is not allowed.
#[test]
fn an_assembly_on_a_mount_point_is_updated_in_place() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("volume");
    std::fs::create_dir(&out).unwrap();
    let bin = env!("CARGO_BIN_EXE_karmada-eks");
    let script = format!(
        "mount -t tmpfs none {out} || exit 77\n\
         {bin} --config {a} synth -q -o {out} || exit 1\n\
         mv {out} {out}.moved 2>/dev/null && exit 78\n\
         {bin} --config {b} synth -q -o {out} || exit 2\n\
         ls -A {out}",
        out = out.display(),
        a = config("default"),
        b = config("single-member"),
    );
    let o = match Command::new("unshare").args(["-m", "sh", "-c", &script]).current_dir(dir.path()).output() {
        Ok(o) if o.status.code() != Some(77) && !common::stderr(&o).contains("unshare failed") => o,
        Ok(o) => return eprintln!("skipped: cannot mount in a private namespace: {}", common::stderr(&o)),
        Err(e) => return eprintln!("skipped: unshare is not available: {e}"),
    };
    assert_ne!(o.status.code(), Some(78), "the mount point was renamed; the test did not test anything");
    assert!(o.status.success(), "exit {:?}: {}", o.status.code(), common::stderr(&o));
    let listed: BTreeSet<String> = common::stdout(&o).lines().map(str::to_string).collect();
    let expected: BTreeSet<String> =
        ["kmd-backup", "kmd-network", "kmd-cluster", "kmd-member-access-us-west-2", "kmd-desired-state"]
            .iter()
            .chain(&["kmd-desired-state-2", "kmd-desired-state-3", "kmd-management"])
            .map(|s| format!("{s}.template.json"))
            .chain(["manifest.json".to_string()])
            .collect();
    assert_eq!(listed, expected, "the new assembly only, the earlier templates removed");
}

/// The update path: an earlier assembly beside the user's files. The user's files are kept byte for byte; the
/// templates of stacks that left the app are removed; a later synth of the same app is byte-identical.
#[test]
fn an_earlier_assembly_beside_user_files_is_updated_and_the_user_files_kept() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("cdk.out");
    assert!(synth_cli(dir.path(), "default", "cdk.out").status.success());
    let earlier = files_written(&out).unwrap();
    assert!(earlier.contains("karmada-member-access-eu-central-1.template.json"), "{earlier:?}");
    std::fs::write(out.join(".gitignore"), "*\n").unwrap();
    std::fs::write(out.join("NOTES.md"), "review before deploy\n").unwrap();
    std::fs::create_dir(out.join("reviews")).unwrap();
    std::fs::write(out.join("reviews/network.txt"), "ok\n").unwrap();
    symlink("/etc/hostname", out.join("a-link")).unwrap();
    let user: BTreeMap<PathBuf, Node> =
        tree(&out).into_iter().filter(|(p, _)| !earlier.contains(&p.to_string_lossy().into_owned())).collect();

    let o = synth_cli(dir.path(), "single-member", "cdk.out");
    assert!(o.status.success(), "{}", common::stderr(&o));
    let now = tree(&out);
    for (path, node) in &user {
        assert_eq!(now.get(path), Some(node), "{} was not kept", path.display());
    }
    let new = files_written(&out).unwrap();
    for gone in earlier.difference(&new) {
        assert!(!out.join(gone).exists(), "{gone} of the earlier assembly is left");
    }
    assert_eq!(now.len(), user.len() + new.len(), "{:?}", now.keys());
    assert_eq!(CloudAssembly::read(&out).unwrap().stacks.len(), 8);
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1, "no staging or backup directory is left");

    let before = hash(&out);
    assert!(synth_cli(dir.path(), "single-member", "cdk.out").status.success());
    assert_eq!(hash(&out), before, "the same app again changes nothing");

    // A user file that has the name of a template the new app needs is not overwritten: refused.
    std::fs::write(out.join("karmada-network.template.json"), "my own template\n").unwrap();
    let before = hash(dir.path());
    let o = synth_cli(dir.path(), "default", "cdk.out");
    assert_eq!(o.status.code(), Some(2), "{}", common::stderr(&o));
    assert!(
        common::stderr(&o).starts_with(
            "error: cdk.out/karmada-network.template.json was not written by karmada-eks, and the new output has a \
             file of that name\n  hint: rename or remove cdk.out/karmada-network.template.json yourself"
        ),
        "{}",
        common::stderr(&o)
    );
    assert_eq!(hash(dir.path()), before);
}

/// Leftovers of killed runs go only when karmada-eks made them: a directory of the user's with the same name
/// stays, byte for byte.
#[test]
fn only_leftovers_that_carry_the_marker_are_removed() {
    let dir = tempfile::tempdir().unwrap();
    let dead = 999_999_999u32;
    let users = dir.path().join(format!(".cdk.out.tmp-{dead}"));
    user_tree(&users);
    let marked = dir.path().join(format!(".cdk.out.old-{dead}"));
    std::fs::create_dir(&marked).unwrap();
    std::fs::write(marked.join(MARKER), "").unwrap();
    std::fs::write(marked.join("karmada-network.template.json"), "{}").unwrap();
    let before = hash(&users);
    assert!(synth_cli(dir.path(), "default", "cdk.out").status.success());
    assert_eq!(hash(&users), before);
    assert!(!marked.exists(), "a marked leftover of a dead process is removed");
    // A marked leftover holding something karmada-eks never writes (a sub-directory) keeps that.
    std::fs::create_dir_all(marked.join("sub")).unwrap();
    std::fs::write(marked.join(MARKER), "").unwrap();
    std::fs::write(marked.join("sub/kept"), "x").unwrap();
    assert!(synth_cli(dir.path(), "default", "cdk.out").status.success());
    assert_eq!(std::fs::read_to_string(marked.join("sub/kept")).unwrap(), "x");
}

/// Two synths writing one directory take turns (a lock on the parent directory, no file of its own): one that
/// finds the lock taken waits for it, then swaps in against what the other left.
#[test]
fn concurrent_synths_into_one_directory_take_turns() {
    let dir = tempfile::tempdir().unwrap();
    let held = std::fs::File::open(dir.path()).unwrap();
    held.lock().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_karmada-eks"))
        .args(["synth", "-q", "-o", "cdk.out"])
        .current_dir(dir.path())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(500));
    assert!(child.try_wait().unwrap().is_none(), "synth finished while another writer held the directory");
    assert!(!dir.path().join("cdk.out").exists());
    drop(held);
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(CloudAssembly::read(&dir.path().join("cdk.out")).is_ok());

    // Eight at once, three times: each succeeds, one assembly is left, and nothing beside it.
    for _ in 0..3 {
        let children: Vec<_> = (0..8)
            .map(|_| {
                Command::new(env!("CARGO_BIN_EXE_karmada-eks"))
                    .args(["synth", "-q", "-o", "cdk.out"])
                    .current_dir(dir.path())
                    .stdout(Stdio::null())
                    .stderr(Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        for c in children {
            let out = c.wait_with_output().unwrap();
            assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        }
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names, ["cdk.out"], "nothing but the assembly is left");
        assert!(CloudAssembly::read(&dir.path().join("cdk.out")).is_ok());
    }
}

/// Kills synth while it updates an assembly that has a user file beside it: the user file always survives; the
/// assembly is the old one, the new one, or one `CloudAssembly::read` refuses (never a silent mixture); the next
/// run finishes the update.
#[test]
fn a_kill_while_updating_beside_user_files_keeps_them() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("cdk.out");
    let stacks = |name: &str| -> Vec<String> {
        KarmadaApp::new(&Config::from_toml(&std::fs::read_to_string(config(name)).unwrap()).unwrap())
            .unwrap()
            .synth()
            .unwrap()
            .stacks
            .iter()
            .map(|s| s.template_body.clone())
            .collect()
    };
    let (old, new) = (stacks("default"), stacks("single-member"));
    assert!(synth_cli(dir.path(), "default", "cdk.out").status.success());
    std::fs::write(out.join("NOTES.md"), "mine\n").unwrap();
    let mut landed = 0;
    for round in 0..30 {
        let (from, to) = if round % 2 == 0 { ("default", "single-member") } else { ("single-member", "default") };
        let mut child = Command::new(env!("CARGO_BIN_EXE_karmada-eks"))
            .args(["--config", &config(to), "synth", "-q", "-o", "cdk.out"])
            .current_dir(dir.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let staging = out.join(format!(".karmada-eks.tmp-{}", child.id()));
        let deadline = Instant::now() + Duration::from_secs(20);
        while !staging.exists() && Instant::now() < deadline && child.try_wait().unwrap().is_none() {
            std::hint::spin_loop();
        }
        child.kill().ok();
        landed += usize::from(!child.wait().unwrap().success());
        assert_eq!(std::fs::read_to_string(out.join("NOTES.md")).unwrap(), "mine\n");
        if let Ok(read) = CloudAssembly::read(&out) {
            let bodies: Vec<String> = read.stacks.iter().map(|s| s.template_body.clone()).collect();
            assert!(bodies == old || bodies == new, "a kill left a mixed assembly that reads as valid");
        }
        let o = synth_cli(dir.path(), to, "cdk.out");
        assert!(o.status.success(), "after a kill ({from} -> {to}): {}", common::stderr(&o));
        let expected = if to == "default" { &old } else { &new };
        let read = CloudAssembly::read(&out).unwrap();
        assert_eq!(&read.stacks.iter().map(|s| s.template_body.clone()).collect::<Vec<_>>(), expected);
        let names: BTreeSet<String> =
            std::fs::read_dir(&out).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
        let mut wanted = files_written(&out).unwrap();
        wanted.insert("NOTES.md".into());
        assert_eq!(names, wanted, "no leftover of the killed run remains");
    }
    assert!(landed > 0, "no kill landed while synth was running; the test did not test anything");
}

/// `init PATH` keeps its rule (an existing file only with `--force`) and never writes through a symlink or into
/// a directory, with or without `--force`.
#[test]
fn init_replaces_a_file_only_with_force_and_never_a_symlink() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("mine.toml"), "app = \"mine\"\n").unwrap();
    symlink("mine.toml", dir.path().join("link.toml")).unwrap();
    std::fs::create_dir(dir.path().join("conf")).unwrap();
    let before = hash(dir.path());
    for (args, found) in [
        (
            &["init", "mine.toml"][..],
            "mine.toml already exists\n  hint: pass --force to overwrite it, or give another path",
        ),
        (
            &["init", "link.toml", "--force"][..],
            "link.toml is a symbolic link to mine.toml; karmada-eks never writes through a link",
        ),
        (&["init", "conf", "--force"][..], "conf is a directory, not a regular file"),
    ] {
        let o = common::karmada_eks(dir.path(), args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", common::stderr(&o));
        assert!(common::stderr(&o).starts_with(&format!("error: {found}")), "{args:?}: {}", common::stderr(&o));
        assert_eq!(hash(dir.path()), before, "{args:?} was refused but changed the directory");
    }
    let o = common::karmada_eks(dir.path(), &["init", "mine.toml", "--force"]);
    assert!(o.status.success(), "{}", common::stderr(&o));
    assert!(std::fs::read_to_string(dir.path().join("mine.toml")).unwrap().contains("[[members]]"));
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 3, "no temporary file is left");
}

/// A killed `init` leaves `.<name>.tmp-<pid>` holding the starter or the start of it: the next `init` removes it,
/// and keeps a file of that name with anything else in it.
#[test]
fn init_removes_the_temporary_file_of_a_killed_run_and_nothing_else() {
    let dir = tempfile::tempdir().unwrap();
    let dead = || {
        let mut child = std::process::Command::new("true").spawn().unwrap();
        child.wait().unwrap();
        child.id()
    };
    let starter = constructs::karmada::config::STARTER;
    let ours = dir.path().join(format!(".mine.toml.tmp-{}", dead()));
    std::fs::write(&ours, &starter[..starter.len() / 2]).unwrap();
    let theirs = dir.path().join(format!(".mine.toml.tmp-{}", dead()));
    assert_ne!(ours, theirs, "two processes, two pids");
    std::fs::write(&theirs, "app = \"mine\"\n").unwrap();
    let o = common::karmada_eks(dir.path(), &["init", "mine.toml"]);
    assert!(o.status.success(), "{}", common::stderr(&o));
    assert!(!ours.exists(), "the killed run's half-written starter is removed");
    assert_eq!(std::fs::read_to_string(&theirs).unwrap(), "app = \"mine\"\n", "a file it did not write stays");
    assert_eq!(std::fs::read_to_string(dir.path().join("mine.toml")).unwrap(), starter);
}

// ---- property test: arbitrary trees at the output path ----

/// What the generator puts at the output path.
#[derive(Clone, Debug)]
enum At {
    Nothing,
    File,
    LinkToDir,
    LinkToFile,
    Dir { earlier: Option<bool>, user: Vec<UserEntry> },
}

/// An entry of the user's in the output directory.
#[derive(Clone, Debug)]
struct UserEntry {
    name: &'static str,
    kind: u8,
}

/// Names a user might have, some of them names an assembly or its leftovers use.
const USER_NAMES: &[&str] = &[
    "notes.md",
    ".gitignore",
    "manifest.json.bak",
    "karmada-network.template.json",
    "karmada-member-access-us-east-1.template.json",
    "karmada-member-access-eu-central-1.template.json",
    "karmada-management.template.json",
    ".karmada-eks.tmp-999999999",
    ".karmada-eks-staging",
    "sub",
];

fn at() -> impl Strategy<Value = At> {
    let entry = (proptest::sample::select(USER_NAMES), 0u8..3).prop_map(|(name, kind)| UserEntry { name, kind });
    let user = prop_oneof![Just(Vec::new()), proptest::collection::vec(entry, 1..4)];
    // Weighted so that each outcome (created, swapped, merged, refused) comes up in every run.
    prop_oneof![
        1 => Just(At::Nothing),
        1 => Just(At::File),
        1 => Just(At::LinkToDir),
        1 => Just(At::LinkToFile),
        6 => (proptest::option::of(any::<bool>()), user).prop_map(|(earlier, user)| At::Dir { earlier, user }),
    ]
}

fn app(toml: &str) -> CloudAssembly {
    KarmadaApp::new(&Config::from_toml(toml).unwrap()).unwrap().synth().unwrap()
}

const ONE_MEMBER: &str = "[[members]]\nname = \"only\"\neks_cluster_name = \"team-a\"\nregion = \"us-east-1\"\n";

/// Builds the case under `root/out`; returns the earlier assembly's files (empty when there is none).
fn build(root: &Path, case: &At, apps: &[CloudAssembly; 2]) -> BTreeSet<String> {
    let out = root.join("out");
    std::fs::create_dir(root.join("elsewhere")).unwrap();
    std::fs::write(root.join("elsewhere/file"), "precious").unwrap();
    match case {
        At::Nothing => {}
        At::File => std::fs::write(&out, "a file").unwrap(),
        At::LinkToDir => symlink("elsewhere", &out).unwrap(),
        At::LinkToFile => symlink("elsewhere/file", &out).unwrap(),
        At::Dir { earlier, user } => {
            std::fs::create_dir(&out).unwrap();
            if let Some(which) = earlier {
                apps[usize::from(*which)].write(&out).unwrap();
            }
            let taken = files_written(&out).unwrap_or_default();
            for entry in user.iter().filter(|e| !taken.contains(e.name)) {
                let path = out.join(entry.name);
                if path.exists() || std::fs::symlink_metadata(&path).is_ok() {
                    continue;
                }
                match entry.kind {
                    0 => std::fs::write(&path, format!("user {}", entry.name)).unwrap(),
                    1 => {
                        std::fs::create_dir(&path).unwrap();
                        std::fs::write(path.join("inner"), "user").unwrap();
                    }
                    _ => symlink("../elsewhere/file", &path).unwrap(),
                }
            }
        }
    }
    files_written(&out).unwrap_or_default()
}

/// What the rules say must happen: refused unless the path is absent or a real directory that is empty or holds
/// an earlier assembly, and no entry of the user's has a name the new assembly writes.
fn must_refuse(root: &Path, new: &BTreeSet<String>, earlier: &BTreeSet<String>) -> bool {
    let out = root.join("out");
    match std::fs::symlink_metadata(&out) {
        Err(_) => false,
        Ok(m) if !m.is_dir() => true,
        Ok(_) => {
            let user: Vec<String> = std::fs::read_dir(&out)
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .filter(|n| !earlier.contains(n))
                .collect();
            (earlier.is_empty() && !user.is_empty()) || user.iter().any(|n| new.contains(n))
        }
    }
}

#[test]
fn any_tree_at_the_output_path_is_refused_untouched_or_updated_keeping_the_users_entries() {
    let apps = [app(""), app(ONE_MEMBER)];
    assert_ne!(apps[0].stacks.len(), apps[1].stacks.len());
    let scale = std::env::var("KARMADA_EKS_FUZZ_SCALE").ok().and_then(|s| s.parse::<u32>().ok()).unwrap_or(1).max(1);
    let mut runner =
        TestRunner::new(ProptestConfig { cases: 96 * scale, failure_persistence: None, ..ProptestConfig::default() });
    let outcomes = std::cell::RefCell::new(BTreeMap::<&str, usize>::new());
    runner
        .run(&(at(), any::<bool>()), |(case, which)| {
            let root = tempfile::tempdir().unwrap();
            let earlier = build(root.path(), &case, &apps);
            let assembly = &apps[usize::from(which)];
            let new: BTreeSet<String> = files_written_by(assembly);
            let refuse = must_refuse(root.path(), &new, &earlier);
            let before = tree(root.path());
            let result = assembly.write(&root.path().join("out"));
            let after = tree(root.path());
            match result {
                Err(SynthError::Output(OutputError::Refused(r))) => {
                    prop_assert!(refuse, "{case:?}: refused but allowed by the rules: {r}");
                    prop_assert_eq!(&after, &before, "{:?}: refused but the tree changed", case);
                    *outcomes.borrow_mut().entry("refused").or_default() += 1;
                }
                Err(e) => return Err(TestCaseError::fail(format!("{case:?}: {e}"))),
                Ok(plan) => {
                    prop_assert!(!refuse, "{:?}: written ({:?}) but the rules refuse it", case, plan);
                    let out = Path::new("out");
                    for (path, node) in &before {
                        let rel = path.strip_prefix(out).ok().map(|p| p.to_string_lossy().into_owned());
                        let ours = rel.as_ref().is_some_and(|r| earlier.contains(r) || r.is_empty());
                        if !ours {
                            prop_assert_eq!(after.get(path), Some(node), "{:?}: {} changed", case, path.display());
                        }
                    }
                    for gone in earlier.difference(&new) {
                        prop_assert!(!root.path().join("out").join(gone).exists(), "{:?}: {} left", case, gone);
                    }
                    let read = CloudAssembly::read(&root.path().join("out")).unwrap();
                    prop_assert_eq!(
                        &read.stacks.iter().map(|s| &s.template_body).collect::<Vec<_>>(),
                        &assembly.stacks.iter().map(|s| &s.template_body).collect::<Vec<_>>()
                    );
                    let extra: Vec<&PathBuf> = after
                        .keys()
                        .filter(|p| !before.contains_key(*p))
                        .filter(|p| !p.strip_prefix(out).is_ok_and(|r| new.contains(&r.to_string_lossy().into_owned())))
                        .filter(|p| p.as_os_str() != "out")
                        .collect();
                    prop_assert!(extra.is_empty(), "{:?}: left behind {:?}", case, extra);
                    let kind = match plan {
                        DirPlan::Create => "created",
                        DirPlan::Swap { .. } => "swapped",
                        DirPlan::Merge { .. } => "merged",
                    };
                    *outcomes.borrow_mut().entry(kind).or_default() += 1;
                }
            }
            Ok(())
        })
        .unwrap();
    let outcomes = outcomes.into_inner();
    eprintln!("outcomes: {outcomes:?}");
    for kind in ["refused", "created", "swapped", "merged"] {
        assert!(outcomes.get(kind).copied().unwrap_or(0) > 0, "no case was {kind}: {outcomes:?}");
    }
}

/// The files `assembly` writes: its templates and the manifest.
fn files_written_by(assembly: &CloudAssembly) -> BTreeSet<String> {
    let mut names: BTreeSet<String> = assembly.stacks.iter().map(|s| s.template_file()).collect();
    names.insert("manifest.json".into());
    names
}
