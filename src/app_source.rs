//! `--app`: where a command gets its cloud assembly when not from the config. As the AWS CDK CLI does, an
//! existing directory is an assembly written earlier, anything else is a command line run by `sh -c` with
//! `CDK_OUTDIR` (the variable the CDK's `cxapi.OUTDIR_ENV` names) set to a fresh directory, where the command
//! must write the assembly. Either way the assembly is then read, and its template hashes checked, by
//! [`CloudAssembly::read`].

use anyhow::{anyhow, Result};
use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::error::UsageError;
use constructs::core::assembly::MANIFEST_FILE;
use constructs::core::CloudAssembly;

/// The environment variable that tells an app where to write its cloud assembly.
pub const OUTDIR_ENV: &str = "CDK_OUTDIR";
/// The environment variable that names the config file (`--config`'s `env`), handed to an app command.
pub const CONFIG_ENV: &str = "KARMADA_EKS_CONFIG";
/// The AWS CDK's project file; its `app` is the `--app` of every command run beside it.
pub const CDK_JSON: &str = "cdk.json";
/// How many of a failing command's last stderr lines the error repeats.
const STDERR_LINES: usize = 10;

/// What `--app` names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AppSource {
    Directory(PathBuf),
    Command(String),
}

impl AppSource {
    /// A directory if `app` is one, else a command.
    pub fn parse(app: &str) -> Result<AppSource> {
        if app.trim().is_empty() {
            return Err(UsageError::new("--app is empty")
                .hint("pass the directory of a cloud assembly, or a command that writes one into $CDK_OUTDIR")
                .into());
        }
        let path = Path::new(app);
        Ok(if path.is_dir() { AppSource::Directory(path.to_path_buf()) } else { AppSource::Command(app.to_string()) })
    }

    /// The assembly: read from the directory, or written by the command into a fresh directory (removed after
    /// reading). A command gets `config` (the `--config` file) as `KARMADA_EKS_CONFIG`, so a Rust app built on
    /// `Config::load` reads the same config the user named.
    pub fn load(&self, config: Option<&Path>) -> Result<CloudAssembly> {
        match self {
            AppSource::Directory(dir) => Ok(CloudAssembly::read(dir)?),
            AppSource::Command(command) => {
                let dir = fresh_dir()?;
                let config = config.map(|c| std::path::absolute(c).unwrap_or_else(|_| c.to_path_buf()));
                let result = run(command, &dir, config.as_deref());
                let _ = std::fs::remove_dir_all(&dir);
                result
            }
        }
    }
}

/// The `app` of `./cdk.json`, as the AWS CDK CLI reads it when `--app` is not given (its "Specifying the app
/// command"); `None` without the file or the key; an error naming the file when it is not JSON.
pub fn from_cdk_json(dir: &Path) -> Result<Option<String>> {
    let path = dir.join(CDK_JSON);
    let Ok(text) = std::fs::read_to_string(&path) else { return Ok(None) };
    let json: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
        UsageError::new(format!("{} is not JSON: {e}", path.display())).hint("fix it, or pass --app explicitly")
    })?;
    Ok(json["app"].as_str().map(str::to_string))
}

/// Runs `command` with `CDK_OUTDIR=dir` and reads what it wrote. Its stdout and stderr go to our stderr as they
/// come (stdout stays for the command's own output, e.g. `list --json`).
fn run(command: &str, dir: &Path, config: Option<&Path>) -> Result<CloudAssembly> {
    eprintln!("Running the app: {command}");
    let mut cmd = Command::new("sh");
    if let Some(config) = config {
        cmd.env(CONFIG_ENV, config);
    }
    let mut child = cmd
        .arg("-c")
        .arg(command)
        .env(OUTDIR_ENV, dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| anyhow!("cannot start the app command `{command}` with sh: {e}"))?;
    let stdout = child.stdout.take().expect("piped");
    let stderr = child.stderr.take().expect("piped");
    let forward = std::thread::spawn(move || forward_stdout(stdout));
    let last = tee_stderr(stderr);
    let _ = forward.join();
    let status = child.wait().map_err(|e| anyhow!("waiting for the app command `{command}`: {e}"))?;
    if !status.success() {
        let lines: Vec<String> = last.iter().map(|l| format!("\n    {l}")).collect();
        let tail = if lines.is_empty() { " (it wrote nothing to stderr)".to_string() } else { lines.concat() };
        return Err(anyhow!("the app command `{command}` failed ({status}); its last stderr lines:{tail}"));
    }
    if !dir.join(MANIFEST_FILE).is_file() {
        return Err(UsageError::new(format!(
            "the app command `{command}` succeeded but wrote no {MANIFEST_FILE} into ${OUTDIR_ENV} ({})",
            dir.display()
        ))
        .hint(format!(
            "the command must write its cloud assembly into the directory ${OUTDIR_ENV} names (with the library: `app.synth()?.write(Path::new(&std::env::var(\"{OUTDIR_ENV}\")?))`); or pass --app the directory of an assembly"
        ))
        .into());
    }
    Ok(CloudAssembly::read(dir)?)
}

fn forward_stdout(stdout: impl Read) {
    let mut err = std::io::stderr();
    for line in BufReader::new(stdout).lines().map_while(Result::ok) {
        let _ = writeln!(err, "{line}");
    }
}

/// Copies `stderr` to ours line by line and returns its last [`STDERR_LINES`] lines.
fn tee_stderr(stderr: impl Read) -> VecDeque<String> {
    let mut last = VecDeque::with_capacity(STDERR_LINES);
    let mut err = std::io::stderr();
    for line in BufReader::new(stderr).lines().map_while(Result::ok) {
        let _ = writeln!(err, "{line}");
        if last.len() == STDERR_LINES {
            last.pop_front();
        }
        last.push_back(line);
    }
    last
}

/// A new, empty directory under the system's temporary directory, created by us (so ours to remove).
fn fresh_dir() -> Result<PathBuf> {
    let base = std::env::temp_dir();
    for attempt in 0..100u32 {
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.subsec_nanos());
        let dir = base.join(format!("karmada-eks-app.{}.{nanos}.{attempt}", std::process::id()));
        match std::fs::create_dir(&dir) {
            Ok(()) => return Ok(dir),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(anyhow!("cannot create a directory for the app's output in {}: {e}", base.display())),
        }
    }
    Err(anyhow!("cannot create a fresh directory for the app's output in {}", base.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_directory_is_an_assembly_and_anything_else_a_command() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().to_str().unwrap();
        assert_eq!(AppSource::parse(path).unwrap(), AppSource::Directory(dir.path().to_path_buf()));
        let command = format!("{path}/missing --flag");
        assert_eq!(AppSource::parse(&command).unwrap(), AppSource::Command(command.clone()));
        assert!(AppSource::parse("  ").unwrap_err().to_string().starts_with("--app is empty"));
    }

    #[test]
    fn a_failing_command_reports_its_last_stderr_lines() {
        let script = "for i in $(seq 1 15); do echo line$i >&2; done; exit 3";
        let e = AppSource::Command(script.into()).load(None).unwrap_err();
        let text = e.to_string();
        assert!(text.contains("failed (exit status: 3); its last stderr lines:\n    line6\n"), "{text}");
        assert!(text.ends_with("\n    line15"), "{text}");
        assert!(!text.contains("line5\n"), "{text}");
        assert_eq!(crate::error::exit_of(&e), crate::error::Exit::Failed);
    }

    #[test]
    fn a_command_that_writes_no_manifest_is_bad_input_and_its_directory_is_removed() {
        let e = AppSource::Command("echo \"$CDK_OUTDIR\" > /dev/null; true".into()).load(None).unwrap_err();
        assert!(e.to_string().contains("succeeded but wrote no manifest.json into $CDK_OUTDIR"), "{e}");
        assert_eq!(crate::error::exit_of(&e), crate::error::Exit::Usage);
    }

    #[test]
    fn the_fresh_directory_is_new_empty_and_removed_afterwards() {
        let record = tempfile::tempdir().unwrap();
        let file = record.path().join("outdir");
        let command = format!("ls -A \"$CDK_OUTDIR\" | wc -l > {0}.count; echo \"$CDK_OUTDIR\" > {0}", file.display());
        AppSource::Command(command.clone()).load(None).unwrap_err();
        let first = std::fs::read_to_string(&file).unwrap().trim().to_string();
        assert_eq!(std::fs::read_to_string(record.path().join("outdir.count")).unwrap().trim(), "0");
        assert!(!Path::new(&first).exists(), "{first} was not removed");
        AppSource::Command(command).load(None).unwrap_err();
        assert_ne!(std::fs::read_to_string(&file).unwrap().trim(), first, "each run gets its own directory");
    }
}
