//! Helpers shared by the CLI-level tests: run the binary, find the project's tools, list test configs.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The default app's stacks, in deploy order.
/// The default app's stacks in deploy order, as the manifest, `list` and `cdk ls` give them: the head of the
/// desired state after its other parts.
pub const DEFAULT_STACKS: [&str; 9] = [
    "karmada-backup",
    "karmada-network",
    "karmada-cluster",
    "karmada-member-access-eu-central-1",
    "karmada-member-access-us-east-1",
    "karmada-desired-state-2",
    "karmada-desired-state-3",
    "karmada-desired-state",
    "karmada-management",
];

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `karmada-eks` with `args`, run in `cwd`, with no config found by accident and no AWS environment.
pub fn karmada_eks(cwd: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_karmada-eks"))
        .args(args)
        .current_dir(cwd)
        .env_remove("KARMADA_EKS_CONFIG")
        .output()
        .expect("the binary runs")
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A tool installed by `bin/setup-tools` (under `target/`); a missing tool fails the test with the fix.
pub fn project_tool(relative: &str) -> PathBuf {
    let path = root().join("target").join(relative);
    assert!(
        path.exists(),
        "{} is missing: run bin/setup-tools (bin/test does) to install the test tools",
        path.display()
    );
    path
}

/// The test configurations: (name, path), `default` first.
pub fn configs() -> Vec<(String, PathBuf)> {
    let dir = root().join("tests/data/configs");
    let mut out: Vec<(String, PathBuf)> = std::fs::read_dir(&dir)
        .expect("tests/data/configs exists")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .map(|p| (p.file_stem().unwrap().to_string_lossy().into_owned(), p))
        .collect();
    out.sort_by_key(|(name, _)| (name != "default", name.clone()));
    out
}

/// Synthesizes `config` into `<dir>/cdk.out` and returns that path.
pub fn synth(config: &Path, dir: &Path) -> PathBuf {
    let out = dir.join("cdk.out");
    let o = karmada_eks(dir, &["--config", config.to_str().unwrap(), "synth", "-q", "-o", out.to_str().unwrap()]);
    assert!(o.status.success(), "synth of {} failed: {}", config.display(), stderr(&o));
    out
}

/// The `*.template.json` files of an assembly directory, sorted.
pub fn templates(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.to_string_lossy().ends_with(".template.json"))
        .collect();
    files.sort();
    files
}

/// The stack names the real AWS CDK CLI's `cdk ls --app <assembly>` prints, run in `cwd`.
pub fn cdk_ls(assembly: &Path, cwd: &Path) -> Vec<String> {
    let o = Command::new(project_tool("node/node_modules/.bin/cdk"))
        .args(["ls", "--app", assembly.to_str().unwrap(), "--no-notices", "--no-version-reporting"])
        .current_dir(cwd)
        .env("CDK_DISABLE_CLI_TELEMETRY", "true")
        .output()
        .expect("cdk runs");
    let listed = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success(), "cdk ls failed: {listed}{}", String::from_utf8_lossy(&o.stderr));
    listed.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_string).collect()
}
