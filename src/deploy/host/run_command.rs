//! Commands on the management host through SSM Run Command: `SendCommand` with the `AWS-RunShellScript`
//! document, then `GetCommandInvocation` until the invocation ends.
//!
//! Facts from the SSM API reference (aws-sdk-ssm 1.133 model docs) this relies on:
//! - `GetCommandInvocation` returns only "the first 24,000 characters written by the plugin to stdout" and "the
//!   first 8,000 characters" of stderr, and both are empty until the command has finished. So nothing can be
//!   streamed from the invocation itself: every run writes its stdout to a file of its own on the host
//!   ([`RUN_DIR`]) and prints only that file's last [`READ_CHUNK_BYTES`] bytes inline; while it runs, the lines
//!   the reconcile appends to its log are copied to a second file, which the runner reads with short commands
//!   (`tail -c +N | head -c`) in chunks of at most [`READ_CHUNK_BYTES`] bytes, always under the 24,000-character
//!   cap since a character is at least one byte. Past 24,000 characters nothing is lost: the whole stdout is read
//!   from its file in chunks, and the files stay on the host for 30 days.
//! - `SendCommand` fails with `InvalidInstanceId` while the SSM Agent is not registered (or the instance is not
//!   in a valid state); `DescribeInstanceInformation` with the `InstanceIds` filter lists the node once it is
//!   registered, with `PingStatus` `Online`.
//! - Right after `SendCommand`, `GetCommandInvocation` may answer `InvocationDoesNotExist`; the invocation
//!   statuses are Pending, InProgress, Delayed, Success, Cancelled, Cancelling, Failed and TimedOut (delivery or
//!   execution timeout); `ResponseCode` is the script's exit code (-1: not started).
//! - `AWS-RunShellScript` takes `commands` (a StringList run as one script) and `executionTimeout` (seconds as a
//!   string, default 3600, at most 172800); `SendCommand`'s `TimeoutSeconds` is the delivery timeout (30 to
//!   2,592,000 in the SSM service model): a command not started by then never runs.
//! - `CancelCommand` "attempts to cancel": the runner asks for it on Ctrl-C and on its own timeout, and says so.

use aws_sdk_ssm::operation::get_command_invocation::{GetCommandInvocationError, GetCommandInvocationOutput};
use aws_sdk_ssm::operation::send_command::SendCommandError;
use aws_sdk_ssm::types::{CommandInvocationStatus, InstanceInformationStringFilter, PingStatus};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::deploy::error::AwsError;
use crate::deploy::interrupt::Interrupt;
use crate::deploy::progress::{ProgressEvent, Reporter};
use crate::deploy::tuning::{Backoff, Tuning};
use constructs::core::Hints;

/// The SSM document that runs a shell script on Linux.
pub const DOCUMENT: &str = "AWS-RunShellScript";
/// Characters of stdout `GetCommandInvocation` returns inline (SSM API reference).
pub const INLINE_STDOUT_LIMIT: usize = 24_000;
/// Characters of stderr `GetCommandInvocation` returns inline (SSM API reference).
pub const INLINE_STDERR_LIMIT: usize = 8_000;
/// `SendCommand`'s `TimeoutSeconds` range (SSM service model).
pub const MIN_DELIVERY_SECONDS: u64 = 30;
pub const MAX_DELIVERY_SECONDS: u64 = 2_592_000;
/// Bytes read from a run's output file per command: under [`INLINE_STDOUT_LIMIT`] characters whatever the text.
pub const READ_CHUNK_BYTES: usize = 20_000;
/// Directory on the host with one output file per run, removed after 30 days.
pub const RUN_DIR: &str = "/var/lib/karmada-eks/runs";
const _: () = assert!(READ_CHUNK_BYTES < INLINE_STDOUT_LIMIT, "a chunk must come back inline whole");
/// The label of the host's lines in progress output.
pub const HOST_LABEL: &str = "host";

/// How long the runner waits for what.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HostTimeouts {
    /// How long a host not yet registered with SSM is waited for. Default: 10 minutes.
    pub registration: Duration,
    /// `SendCommand` delivery timeout. Default: 10 minutes.
    pub delivery: Duration,
    /// `executionTimeout` of the script. Default: 1 hour (the document's default).
    pub execution: Duration,
    /// Extra time past delivery + execution before the runner gives up on SSM reporting the end itself (and
    /// cancels the command). Default: 1 minute.
    pub grace: Duration,
    /// How often a running command's output file is read. Default: 5 s.
    pub follow_every: Duration,
}

impl Default for HostTimeouts {
    fn default() -> Self {
        HostTimeouts {
            registration: Duration::from_secs(600),
            delivery: Duration::from_secs(600),
            execution: Duration::from_secs(3600),
            grace: Duration::from_secs(60),
            follow_every: Duration::from_secs(5),
        }
    }
}

/// How an invocation ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Invocation {
    pub command_id: String,
    /// `Success`, `Failed`, `TimedOut`, `Cancelled`, ... as SSM reports it.
    pub status: String,
    /// SSM's detailed status (`Delivery Timed Out`, `Execution Timed Out`, `Undeliverable`, ...).
    pub status_details: String,
    /// The script's exit code (-1 when it never started).
    pub exit_code: i32,
    /// The inline stdout (the last [`READ_CHUNK_BYTES`] bytes of the run's output file).
    pub stdout: String,
    /// The inline stderr (what the wrapper itself wrote: the reconcile's own stderr goes to the output file).
    pub stderr: String,
}

impl Invocation {
    pub fn succeeded(&self) -> bool {
        self.status == "Success" && self.exit_code == 0
    }
}

/// One `FAILED <step>: <reason>` line of the host's scripts.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct FailedStep {
    pub step: String,
    pub reason: String,
}

/// A host command that ended with a non-zero exit code or a failed status.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FailedRun {
    pub what: String,
    pub instance: String,
    /// SSM's detailed status (`Failed`, `Execution Timed Out`, ...).
    pub status: String,
    pub exit_code: i32,
    /// The `FAILED <step>: <reason>` lines of its output.
    pub failures: Vec<FailedStep>,
    /// The last lines of its output.
    pub last_lines: Vec<String>,
    pub stderr: String,
}

/// What went wrong running a command on the host.
#[derive(Debug, thiserror::Error)]
pub enum HostError {
    #[error("{0}")]
    Aws(#[from] AwsError),
    #[error("the management host {instance} is not registered with SSM after {waited}s")]
    NotManaged { instance: String, waited: u64 },
    #[error(
        "interrupted: {}",
        if *cancelled { format!("cancelled the command {command_id} on the management host (CancelCommand)") }
        else { format!("the command {command_id} could not be cancelled and may still run on the host") }
    )]
    Interrupted { command_id: String, cancelled: bool },
    #[error(
        "`{what}` on the management host {instance} did not finish within {seconds}s (command {command_id}{})",
        if *cancelled { ", cancelled" } else { "" }
    )]
    TimedOut { what: String, instance: String, command_id: String, seconds: u64, cancelled: bool },
    #[error("{}", failed_text(.0))]
    Failed(Box<FailedRun>),
    #[error("`{what}` on the management host printed output karmada-eks cannot read: {reason}")]
    BadOutput { what: String, reason: String },
}

impl HostError {
    pub fn is_interrupted(&self) -> bool {
        matches!(self, HostError::Interrupted { .. })
    }
}

impl Hints for HostError {
    fn hints(&self) -> Vec<String> {
        match self {
            HostError::Aws(e) => e.hints(),
            HostError::NotManaged { instance, .. } => vec![format!(
                "the SSM Agent starts with the instance and needs outbound HTTPS to the SSM endpoints (the host's \
                 subnet routes through the NAT gateway); check the instance is running (`aws ec2 describe-instances \
                 --instance-ids {instance}`) and run the command again"
            )],
            HostError::Interrupted { .. } => {
                vec!["run the command again; the reconcile holds a lock and carries on from what is already joined"
                    .into()]
            }
            HostError::TimedOut { .. } => {
                vec!["see the host's log with `karmada-eks status`, or raise the timeout".into()]
            }
            HostError::Failed(run) if run.exit_code == EXIT_NOT_FOUND => vec![format!(
                "the host has no {}: it was bootstrapped by an older karmada-eks; replace it with `karmada-eks deploy \
                 --refresh-host-image` or install the command by hand",
                constructs::karmada::wellknown::HOST_RECONCILE_COMMAND
            )],
            HostError::Failed(_) => vec![format!(
                "fix the cause named above and run `karmada-eks reconcile`; it only retries what still needs work. \
                 The host's log is {}",
                constructs::karmada::wellknown::HOST_RECONCILE_LOG
            )],
            HostError::BadOutput { .. } => Vec::new(),
        }
    }
}

/// How often a followed command that prints nothing says it is still running.
const HEARTBEAT: Duration = Duration::from_secs(30);
/// Exit code of a shell for a command it cannot find.
const EXIT_NOT_FOUND: i32 = 127;
/// Lines of output shown after a failure.
const LAST_LINES: usize = 20;

fn failed_text(run: &FailedRun) -> String {
    let FailedRun { what, instance, status, exit_code, failures, last_lines, stderr } = run;
    let mut text = format!("`{what}` failed on the management host {instance} ({status}, exit {exit_code})");
    for f in failures {
        text.push_str(&format!("\n  FAILED {}: {}", f.step, f.reason));
    }
    if !last_lines.is_empty() {
        text.push_str("\n  last lines of its output:");
        for l in last_lines {
            text.push_str(&format!("\n    {l}"));
        }
    }
    if !stderr.trim().is_empty() {
        let cut = if stderr.chars().count() >= INLINE_STDERR_LIMIT {
            " (SSM returns its first 8,000 characters)"
        } else {
            ""
        };
        text.push_str(&format!("\n  host stderr{cut}:"));
        for l in stderr.trim_end().lines() {
            text.push_str(&format!("\n    {l}"));
        }
    }
    text
}

/// The `FAILED <step>: <reason>` lines of `output`.
pub fn failed_steps(output: &str) -> Vec<FailedStep> {
    output
        .lines()
        .filter_map(|l| l.trim_start().strip_prefix("FAILED "))
        .map(|rest| match rest.split_once(": ") {
            Some((step, reason)) => FailedStep { step: step.trim().to_string(), reason: reason.trim().to_string() },
            None => FailedStep { step: rest.trim().trim_end_matches(':').to_string(), reason: String::new() },
        })
        .collect()
}

/// Quotes `arg` for a POSIX shell.
pub fn shell_quote(arg: &str) -> String {
    format!("'{}'", arg.replace('\'', r"'\''"))
}

/// The management host, reached through SSM Run Command.
pub struct Host {
    ssm: aws_sdk_ssm::Client,
    instance_id: String,
    tuning: Tuning,
    timeouts: HostTimeouts,
    interrupt: Interrupt,
    reporter: Arc<dyn Reporter>,
}

impl Host {
    pub fn new(
        ssm: aws_sdk_ssm::Client,
        instance_id: &str,
        tuning: Tuning,
        timeouts: HostTimeouts,
        interrupt: Interrupt,
        reporter: Arc<dyn Reporter>,
    ) -> Self {
        Host { ssm, instance_id: instance_id.to_string(), tuning, timeouts, interrupt, reporter }
    }

    fn note(&self, message: impl Into<String>) {
        self.reporter.report(ProgressEvent::Note { stack: HOST_LABEL.into(), message: message.into() });
    }

    /// Waits until the instance is registered with SSM and online, with a progress line per poll.
    pub async fn wait_until_managed(&self) -> Result<(), HostError> {
        let started = Instant::now();
        let mut backoff = Backoff::new(&self.tuning);
        let mut interrupt = self.interrupt.clone();
        loop {
            let filter = InstanceInformationStringFilter::builder()
                .key("InstanceIds")
                .values(&self.instance_id)
                .build()
                .map_err(|e| local_error("DescribeInstanceInformation", e.to_string()))?;
            let out = self
                .ssm
                .describe_instance_information()
                .filters(filter)
                .send()
                .await
                .map_err(|e| AwsError::from_sdk("DescribeInstanceInformation", e))?;
            let online = out.instance_information_list().iter().any(|i| {
                i.instance_id() == Some(self.instance_id.as_str()) && i.ping_status() == Some(&PingStatus::Online)
            });
            if online {
                return Ok(());
            }
            let waited = started.elapsed();
            if waited >= self.timeouts.registration {
                return Err(HostError::NotManaged { instance: self.instance_id.clone(), waited: waited.as_secs() });
            }
            self.note(format!(
                "waiting for the management host {} to register with SSM ({}s of {}s)",
                self.instance_id,
                waited.as_secs(),
                self.timeouts.registration.as_secs()
            ));
            if !interrupt.sleep(backoff.next_wait()).await {
                return Err(HostError::Interrupted { command_id: "(not sent)".into(), cancelled: true });
            }
        }
    }

    /// Sends `script` (one shell script, a line per entry); a host not yet registered is waited for.
    async fn send(&self, script: Vec<String>, comment: &str) -> Result<String, HostError> {
        let mut waited_for_registration = false;
        loop {
            let result = self
                .ssm
                .send_command()
                .instance_ids(&self.instance_id)
                .document_name(DOCUMENT)
                .comment(comment)
                .timeout_seconds(
                    self.timeouts.delivery.as_secs().clamp(MIN_DELIVERY_SECONDS, MAX_DELIVERY_SECONDS) as i32
                )
                .parameters("commands", script.clone())
                .parameters("executionTimeout", vec![self.timeouts.execution.as_secs().clamp(1, 172_800).to_string()])
                .send()
                .await;
            match result {
                Ok(out) => {
                    return out.command().and_then(|c| c.command_id()).map(str::to_string).ok_or_else(|| {
                        HostError::Aws(local_error("SendCommand", "the answer has no command ID".into()))
                    })
                }
                Err(e) if !waited_for_registration && is_invalid_instance(&e) => {
                    waited_for_registration = true;
                    self.wait_until_managed().await?;
                }
                Err(e) => return Err(AwsError::from_sdk("SendCommand", e).into()),
            }
        }
    }

    /// Polls the invocation until it ends; Ctrl-C and the runner's own deadline cancel it.
    async fn wait(
        &self,
        command_id: &str,
        what: &str,
        mut follower: Option<&mut Follower>,
    ) -> Result<Invocation, HostError> {
        let deadline = self.timeouts.delivery + self.timeouts.execution + self.timeouts.grace;
        let started = Instant::now();
        let mut backoff = Backoff::new(&self.tuning);
        let mut interrupt = self.interrupt.clone();
        let mut heartbeat = Instant::now();
        let mut state = "Pending".to_string();
        loop {
            if !interrupt.sleep(backoff.next_wait()).await {
                let cancelled = self.cancel(command_id).await;
                return Err(HostError::Interrupted { command_id: command_id.to_string(), cancelled });
            }
            match self.ssm.get_command_invocation().command_id(command_id).instance_id(&self.instance_id).send().await {
                Ok(out) => {
                    if let Some(done) = finished(command_id, &out) {
                        return Ok(done);
                    }
                    state = out.status_details().unwrap_or("In Progress").to_string();
                }
                Err(e) if is_not_yet_invoked(&e) => {}
                Err(e) => return Err(AwsError::from_sdk("GetCommandInvocation", e).into()),
            }
            if let Some(f) = follower.as_deref_mut() {
                Box::pin(f.poll(self)).await;
                if heartbeat.elapsed() >= HEARTBEAT {
                    heartbeat = Instant::now();
                    self.note(format!("`{what}`: {state} on {} ({}s)", self.instance_id, started.elapsed().as_secs()));
                }
            }
            if started.elapsed() >= deadline {
                let cancelled = self.cancel(command_id).await;
                return Err(HostError::TimedOut {
                    what: what.to_string(),
                    instance: self.instance_id.clone(),
                    command_id: command_id.to_string(),
                    seconds: started.elapsed().as_secs(),
                    cancelled,
                });
            }
        }
    }

    /// Asks SSM to cancel the command; whether SSM accepted.
    async fn cancel(&self, command_id: &str) -> bool {
        let accepted =
            self.ssm.cancel_command().command_id(command_id).instance_ids(&self.instance_id).send().await.is_ok();
        self.note(if accepted {
            format!("cancelled the command {command_id} on the host (CancelCommand)")
        } else {
            format!("could not cancel the command {command_id}; it may still run on the host")
        });
        accepted
    }

    /// Runs `script` and waits for it; no output is followed.
    pub async fn run(&self, script: Vec<String>, what: &str) -> Result<Invocation, HostError> {
        let id = self.send(script, what).await?;
        self.wait(&id, what, None).await
    }

    /// Reads up to [`READ_CHUNK_BYTES`] bytes of a host file from byte `offset` ("" when it does not exist yet).
    pub async fn read_chunk(&self, path: &str, offset: usize) -> Result<String, HostError> {
        let script =
            vec![format!("tail -c +{} {} 2>/dev/null | head -c {READ_CHUNK_BYTES}", offset + 1, shell_quote(path))];
        let done = self.run(script, "read output").await?;
        if !done.succeeded() {
            return Err(HostError::BadOutput {
                what: format!("reading {path}"),
                reason: format!("{} (exit {})", done.status_details, done.exit_code),
            });
        }
        Ok(done.stdout)
    }

    /// Reads a whole host file in chunks of [`READ_CHUNK_BYTES`].
    pub async fn read_file(&self, path: &str) -> Result<String, HostError> {
        let mut all = String::new();
        loop {
            let chunk = self.read_chunk(path, all.len()).await?;
            let n = chunk.len();
            all.push_str(&chunk);
            if n < READ_CHUNK_BYTES {
                return Ok(all);
            }
        }
    }

    /// Runs the host command `karmada-eks-reconcile <args>` with its stdout in a file of its own; with `stream`,
    /// the host's reconcile log lines written during the run are shown as progress while it runs. Returns the
    /// command's whole stdout; a failure names the failing steps and the last lines.
    pub async fn run_reconcile(&self, args: &[&str], stream: bool) -> Result<String, HostError> {
        let what = format!("karmada-eks-reconcile {}", args.join(" "));
        let run = RunFiles::new(args);
        let id = self.send(run.script(args, stream), &what).await?;
        let mut follower = Follower { path: run.log.clone(), offset: 0, pending: String::new(), last: None };
        let done = self.wait(&id, &what, stream.then_some(&mut follower)).await?;
        if stream {
            if let Err(e) = follower.drain(self).await {
                self.note(format!("could not read the rest of the host's log ({e})"));
            }
        }
        let output = if done.stdout.len() < READ_CHUNK_BYTES {
            done.stdout.clone()
        } else {
            // Past the inline cap: the whole stdout from the run's file.
            self.read_file(&run.out).await.unwrap_or_else(|e| {
                self.note(format!("could not read the whole output ({e}); showing its last part"));
                done.stdout.clone()
            })
        };
        if done.succeeded() {
            return Ok(output);
        }
        let lines: Vec<&str> = output.lines().collect();
        Err(HostError::Failed(Box::new(FailedRun {
            what,
            instance: self.instance_id.clone(),
            status: if done.status_details.is_empty() { done.status.clone() } else { done.status_details.clone() },
            exit_code: done.exit_code,
            failures: failed_steps(&output),
            last_lines: lines[lines.len().saturating_sub(LAST_LINES)..].iter().map(|l| l.to_string()).collect(),
            stderr: done.stderr,
        })))
    }
}

/// Reads a host file as it grows and reports its complete lines as progress.
struct Follower {
    path: String,
    /// Bytes of the file read so far.
    offset: usize,
    /// The last, incomplete line read.
    pending: String,
    last: Option<Instant>,
}

impl Follower {
    /// Reads the next chunk and reports its complete lines; how many bytes it had.
    async fn read_next(&mut self, host: &Host) -> Result<usize, HostError> {
        let chunk = host.read_chunk(&self.path, self.offset).await?;
        self.offset += chunk.len();
        self.pending.push_str(&chunk);
        while let Some(end) = self.pending.find('\n') {
            let line: String = self.pending.drain(..=end).collect();
            host.note(format!("| {}", line.trim_end()));
        }
        Ok(chunk.len())
    }

    /// While the command runs: reads what was added, at most every `follow_every`.
    async fn poll(&mut self, host: &Host) {
        if self.last.is_some_and(|t| t.elapsed() < host.timeouts.follow_every) {
            return;
        }
        self.last = Some(Instant::now());
        if let Err(e) = self.read_next(host).await {
            host.note(format!("could not read the host's log yet ({e})"));
        }
    }

    /// Once the command has ended: reads and reports the rest.
    async fn drain(&mut self, host: &Host) -> Result<(), HostError> {
        while self.read_next(host).await? == READ_CHUNK_BYTES {}
        if !self.pending.is_empty() {
            host.note(format!("| {}", std::mem::take(&mut self.pending).trim_end()));
        }
        Ok(())
    }
}

/// The files of one run on the host: its stdout and, when streamed, the host log lines written meanwhile.
struct RunFiles {
    out: String,
    log: String,
}

impl RunFiles {
    fn new(args: &[&str]) -> Self {
        let stamp =
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis()).unwrap_or(0);
        let name = args.first().copied().unwrap_or("run");
        let base = format!("{RUN_DIR}/{name}-{stamp}-{}", std::process::id());
        RunFiles { out: format!("{base}.out"), log: format!("{base}.log") }
    }

    /// The script: runs `karmada-eks-reconcile <args>` with stdout and stderr into `out` (with `stream`, copying
    /// the reconcile log's new lines into `log` meanwhile; GNU tail's `--pid` ends the copy with the script even
    /// when SSM cancels it), prints the last [`READ_CHUNK_BYTES`] bytes of `out`
    /// inline and exits with the command's exit code.
    fn script(&self, args: &[&str], stream: bool) -> Vec<String> {
        use constructs::karmada::wellknown::{HOST_RECONCILE_COMMAND, HOST_RECONCILE_LOG};
        let command = std::iter::once(HOST_RECONCILE_COMMAND.to_string())
            .chain(args.iter().map(|a| shell_quote(a)))
            .collect::<Vec<_>>()
            .join(" ");
        let mut script = vec![
            format!("mkdir -p {RUN_DIR} && chmod 700 {RUN_DIR} || exit 1"),
            format!("find {RUN_DIR} -type f -mtime +30 -delete 2>/dev/null"),
            format!("out={}", shell_quote(&self.out)),
        ];
        if stream {
            script.push(format!(
                "tail --pid=$$ -n 0 -F {} >{} 2>/dev/null & tailer=$!",
                shell_quote(HOST_RECONCILE_LOG),
                shell_quote(&self.log)
            ));
        }
        script.push(format!("{command} >\"$out\" 2>&1"));
        script.push("rc=$?".to_string());
        if stream {
            script.push("sleep 1; kill \"$tailer\" 2>/dev/null".to_string());
        }
        script.push(format!("tail -c {READ_CHUNK_BYTES} \"$out\""));
        script.push("exit $rc".to_string());
        script
    }
}

/// The invocation's result once it is in a terminal state.
fn finished(command_id: &str, out: &GetCommandInvocationOutput) -> Option<Invocation> {
    let status = out.status()?;
    let terminal = matches!(
        status,
        CommandInvocationStatus::Success
            | CommandInvocationStatus::Failed
            | CommandInvocationStatus::TimedOut
            | CommandInvocationStatus::Cancelled
    ) || matches!(out.status_details(), Some("Undeliverable" | "Terminated"));
    terminal.then(|| Invocation {
        command_id: command_id.to_string(),
        status: status.as_str().to_string(),
        status_details: out.status_details().unwrap_or_default().to_string(),
        exit_code: out.response_code(),
        stdout: out.standard_output_content().unwrap_or_default().to_string(),
        stderr: out.standard_error_content().unwrap_or_default().to_string(),
    })
}

/// An error raised before or after a call, not by the service.
fn local_error(operation: &'static str, message: String) -> AwsError {
    AwsError { operation, kind: crate::deploy::error::AwsErrorKind::Other, code: None, message, request_id: None }
}

fn is_invalid_instance<R>(e: &aws_sdk_ssm::error::SdkError<SendCommandError, R>) -> bool {
    e.as_service_error().is_some_and(SendCommandError::is_invalid_instance_id)
}

fn is_not_yet_invoked<R>(e: &aws_sdk_ssm::error::SdkError<GetCommandInvocationError, R>) -> bool {
    e.as_service_error().is_some_and(GetCommandInvocationError::is_invocation_does_not_exist)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The limits above as the SSM service model states them (botocore's `ssm/2014-11-06/service-2.json`, in the
    /// test venv): stdout at most 24,000 characters, stderr 8,000, TimeoutSeconds 30 to 2,592,000.
    #[test]
    fn the_limits_are_the_ssm_service_models() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let python = root.join("target/venv/bin/python");
        let script = "import botocore.loaders as l; m = l.Loader().load_service_model('ssm', 'service-2'); \
                      s = m['shapes']; print(s['StandardOutputContent']['max'], s['StandardErrorContent']['max'], \
                      s['TimeoutSeconds']['min'], s['TimeoutSeconds']['max'])";
        let out = std::process::Command::new(&python).args(["-c", script]).output().expect("the test venv's python");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        assert_eq!(
            String::from_utf8_lossy(&out.stdout).trim(),
            format!("{INLINE_STDOUT_LIMIT} {INLINE_STDERR_LIMIT} {MIN_DELIVERY_SECONDS} {MAX_DELIVERY_SECONDS}")
        );
    }

    /// The scripts SendCommand carries pass shellcheck (as the bootstrap script does, tests/suite/bootstrap_checks.rs).
    #[test]
    fn the_run_and_read_scripts_pass_shellcheck() {
        use std::io::Write;
        let run = RunFiles::new(&["unjoin", "eksuscl01"]);
        let read = format!("tail -c +1 {} 2>/dev/null | head -c {READ_CHUNK_BYTES}", shell_quote(&run.out));
        for script in [run.script(&["unjoin", "eksuscl01"], true), run.script(&["status"], false), vec![read]] {
            let mut child = std::process::Command::new("shellcheck")
                .args(["--shell=bash", "-"])
                .stdin(std::process::Stdio::piped())
                .stdout(std::process::Stdio::piped())
                .spawn()
                .expect("shellcheck (Debian's, installed by bin/setup-tools)");
            child.stdin.take().unwrap().write_all(script.join("\n").as_bytes()).unwrap();
            let out = child.wait_with_output().unwrap();
            assert!(out.status.success(), "{}\n{}", script.join("\n"), String::from_utf8_lossy(&out.stdout));
        }
    }

    #[test]
    fn failed_lines_name_step_and_reason() {
        let out = "joined ekseucl01\nFAILED join ekseucl02: cluster not reachable\n  FAILED ready eksuscl01: timeout\n";
        assert_eq!(
            failed_steps(out),
            vec![
                FailedStep { step: "join ekseucl02".into(), reason: "cluster not reachable".into() },
                FailedStep { step: "ready eksuscl01".into(), reason: "timeout".into() },
            ]
        );
    }

    #[test]
    fn the_run_script_keeps_its_output_in_a_file_and_prints_a_chunk_that_fits_inline() {
        let args = ["unjoin", "a-1", "it's"];
        let run = RunFiles::new(&args);
        assert!(run.out.starts_with(RUN_DIR) && run.out.ends_with(".out") && run.log.ends_with(".log"));
        let text = run.script(&args, true).join("\n");
        assert!(text.contains("tail --pid=$$ -n 0 -F '/var/log/karmada-eks-reconcile.log' >'"), "{text}");
        assert!(!run.script(&args, false).join("\n").contains("-F"));
        assert!(text.contains("/usr/local/bin/karmada-eks-reconcile 'unjoin' 'a-1' 'it'\\''s' >\"$out\" 2>&1"));
        assert!(text.contains(&format!("tail -c {READ_CHUNK_BYTES}")));
        assert!(text.ends_with("exit $rc"));
    }
}
