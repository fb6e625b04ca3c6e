//! The host runner, the reconcile decision and `status` driven by recorded SSM and CloudFormation responses
//! (aws-smithy-mocks), with the services' own error codes and messages.

use aws_sdk_ssm::error::ErrorMetadata;
use aws_sdk_ssm::operation::cancel_command::CancelCommandOutput;
use aws_sdk_ssm::operation::describe_instance_information::DescribeInstanceInformationOutput;
use aws_sdk_ssm::operation::get_command_invocation::{GetCommandInvocationError, GetCommandInvocationOutput};
use aws_sdk_ssm::operation::get_parameter::{GetParameterError, GetParameterOutput};
use aws_sdk_ssm::operation::send_command::{SendCommandError, SendCommandOutput};
use aws_sdk_ssm::types::error::{InvalidInstanceId, InvocationDoesNotExist, ParameterNotFound};
use aws_sdk_ssm::types::{Command, CommandInvocationStatus, InstanceInformation, Parameter, PingStatus};
use aws_sdk_ssm::Client;
use aws_smithy_mocks::{mock, mock_client, Rule, RuleMode};
use constructs::core::hints::rendered;
use std::sync::Arc;
use std::time::Duration;

use super::reconcile::{self, Decision};
use super::run_command::{Host, HostError, HostTimeouts, READ_CHUNK_BYTES};
use crate::deploy::interrupt::{Interrupt, InterruptHandle};
use crate::deploy::progress::{ProgressEvent, RecordingReporter};
use crate::deploy::status::model::HostStatus;
use crate::deploy::status::{self, drift, gather, render, HostAnswer};
use crate::deploy::tuning::Tuning;

pub(crate) const INSTANCE: &str = "i-0abc1234def567890";

pub(crate) fn tuning() -> Tuning {
    Tuning::default().fixed(Duration::from_millis(1))
}

pub(crate) fn timeouts() -> HostTimeouts {
    HostTimeouts {
        registration: Duration::from_secs(30),
        delivery: Duration::from_secs(30),
        execution: Duration::from_secs(30),
        grace: Duration::ZERO,
        follow_every: Duration::ZERO,
    }
}

pub(crate) fn ssm(rules: &[&Rule]) -> Client {
    mock_client!(aws_sdk_ssm, RuleMode::MatchAny, rules, |c| c.retry_config(tuning().retry_config()))
}

pub(crate) struct Fixture {
    pub host: Host,
    pub reporter: Arc<RecordingReporter>,
    pub handle: InterruptHandle,
}

pub(crate) fn host_with(client: Client, timeouts: HostTimeouts) -> Fixture {
    let reporter = Arc::new(RecordingReporter::default());
    let (interrupt, handle) = Interrupt::new();
    let host = Host::new(client, INSTANCE, tuning(), timeouts, interrupt, reporter.clone());
    Fixture { host, reporter, handle }
}

pub(crate) fn notes(reporter: &RecordingReporter) -> Vec<String> {
    reporter
        .events()
        .into_iter()
        .filter_map(|e| match e {
            ProgressEvent::Note { message, .. } => Some(message),
            _ => None,
        })
        .collect()
}

pub(crate) fn online() -> Rule {
    mock!(Client::describe_instance_information).then_output(|| {
        DescribeInstanceInformationOutput::builder()
            .instance_information_list(
                InstanceInformation::builder().instance_id(INSTANCE).ping_status(PingStatus::Online).build(),
            )
            .build()
    })
}

pub(crate) fn script_of(input: &aws_sdk_ssm::operation::send_command::SendCommandInput) -> String {
    input.parameters().and_then(|p| p.get("commands")).map(|c| c.join("\n")).unwrap_or_default()
}

/// SendCommand of a script containing `needle` answers `command_id`.
pub(crate) fn send(needle: &'static str, command_id: &'static str) -> Rule {
    mock!(Client::send_command)
        .match_requests(move |r| {
            script_of(r).contains(needle)
                && r.document_name() == Some("AWS-RunShellScript")
                && r.instance_ids() == [INSTANCE.to_string()]
        })
        .then_output(move || {
            SendCommandOutput::builder().command(Command::builder().command_id(command_id).build()).build()
        })
}

pub(crate) fn invocation(
    status: CommandInvocationStatus,
    details: &str,
    code: i32,
    stdout: &str,
    stderr: &str,
) -> GetCommandInvocationOutput {
    GetCommandInvocationOutput::builder()
        .instance_id(INSTANCE)
        .status(status)
        .status_details(details)
        .response_code(code)
        .standard_output_content(stdout)
        .standard_error_content(stderr)
        .build()
}

pub(crate) fn parameter_not_found() -> GetParameterError {
    GetParameterError::ParameterNotFound(
        ParameterNotFound::builder().meta(ErrorMetadata::builder().code("ParameterNotFound").build()).build(),
    )
}

pub(crate) fn not_yet() -> GetCommandInvocationError {
    GetCommandInvocationError::InvocationDoesNotExist(InvocationDoesNotExist::builder().build())
}

/// Read commands (the output-file follower) answer `chunk` from byte 0 and nothing past it.
pub(crate) fn reads(chunk: &'static str) -> [Rule; 3] {
    let first = mock!(Client::send_command)
        .match_requests(|r| script_of(r).starts_with("tail -c +1 "))
        .then_output(|| SendCommandOutput::builder().command(Command::builder().command_id("read-0").build()).build());
    let later = mock!(Client::send_command)
        .match_requests(|r| script_of(r).starts_with("tail -c +") && !script_of(r).starts_with("tail -c +1 "))
        .then_output(|| SendCommandOutput::builder().command(Command::builder().command_id("read-n").build()).build());
    let answer = mock!(Client::get_command_invocation)
        .match_requests(|r| r.command_id().is_some_and(|id| id.starts_with("read-")))
        .then_output(move || {
            // Only the first read of the file from byte 0 has content; the SDK input tells which.
            invocation(CommandInvocationStatus::Success, "Success", 0, chunk, "")
        });
    [first, later, answer]
}

/// The `cmd-apply` invocation as a running reconcile shows it: not registered yet, then in progress, then done
/// with `table` on stdout.
pub(crate) fn apply_runs_then_succeeds(table: &'static str) -> Rule {
    mock!(Client::get_command_invocation)
        .match_requests(|r| r.command_id() == Some("cmd-apply"))
        .sequence()
        .error(not_yet)
        .output(|| invocation(CommandInvocationStatus::InProgress, "In Progress", -1, "", ""))
        .output(move || invocation(CommandInvocationStatus::Success, "Success", 0, table, ""))
        .repeatedly()
        .build()
}

/// The later reads of the host's log (`read-n`): nothing new.
pub(crate) fn later_reads_empty() -> Rule {
    mock!(Client::get_command_invocation)
        .match_requests(|r| r.command_id() == Some("read-n"))
        .then_output(|| invocation(CommandInvocationStatus::Success, "Success", 0, "", ""))
}

#[tokio::test]
async fn apply_streams_the_hosts_log_lines_while_it_runs_and_returns_its_output() {
    let log = "2026-12-01T08:00:00Z [nlb-targets] attached node group\n2026-12-01T08:00:31Z [join ekseucl02] joined\n";
    let table = "member ekseucl01 already there\nmember ekseucl02 joined\n";
    let apply = send("karmada-eks-reconcile 'apply'", "cmd-apply");
    let first = mock!(Client::send_command)
        .match_requests(|r| script_of(r).starts_with("tail -c +1 ") && script_of(r).contains(".log'"))
        .then_output(|| SendCommandOutput::builder().command(Command::builder().command_id("read-0").build()).build());
    let later = mock!(Client::send_command)
        .match_requests(|r| script_of(r).starts_with("tail -c +") && !script_of(r).starts_with("tail -c +1 "))
        .then_output(|| SendCommandOutput::builder().command(Command::builder().command_id("read-n").build()).build());
    let read_first = mock!(Client::get_command_invocation)
        .match_requests(|r| r.command_id() == Some("read-0"))
        .then_output(move || invocation(CommandInvocationStatus::Success, "Success", 0, log, ""));
    let read_later = later_reads_empty();
    let main = apply_runs_then_succeeds(table);
    let f = host_with(ssm(&[&online(), &apply, &first, &later, &read_first, &read_later, &main]), timeouts());
    let decision = Decision { desired_sha256: "a".repeat(64), applied_sha256: "none".into() };

    let report = reconcile::apply(&f.host, decision, false).await.unwrap();

    assert!(report.ran);
    assert_eq!(report.output, table);
    let streamed: Vec<String> = notes(&f.reporter).into_iter().filter(|n| n.starts_with("| ")).collect();
    assert_eq!(
        streamed,
        vec![
            "| 2026-12-01T08:00:00Z [nlb-targets] attached node group",
            "| 2026-12-01T08:00:31Z [join ekseucl02] joined"
        ],
        "each log line once, in order"
    );
    assert_eq!(apply.num_calls(), 1);
    assert_eq!(first.num_calls(), 1, "the start of the log is read once");
    assert!(later.num_calls() >= 1, "then from where the last read ended, until the end");
}

#[tokio::test]
async fn output_past_the_inline_cap_is_read_from_the_run_file_in_chunks() {
    let big: &'static str = Box::leak(format!("{}\n", "x".repeat(READ_CHUNK_BYTES - 1)).into_boxed_str());
    let apply = send("karmada-eks-reconcile 'apply'", "cmd-apply");
    let main = mock!(Client::get_command_invocation)
        .match_requests(|r| r.command_id() == Some("cmd-apply"))
        .then_output(move || invocation(CommandInvocationStatus::Success, "Success", 0, big, ""));
    let first = mock!(Client::send_command)
        .match_requests(|r| script_of(r).starts_with("tail -c +1 "))
        .then_output(|| SendCommandOutput::builder().command(Command::builder().command_id("read-0").build()).build());
    let second = mock!(Client::send_command)
        .match_requests(move |r| script_of(r).starts_with(&format!("tail -c +{} ", READ_CHUNK_BYTES + 1)))
        .then_output(|| SendCommandOutput::builder().command(Command::builder().command_id("read-1").build()).build());
    let read_first = mock!(Client::get_command_invocation)
        .match_requests(|r| r.command_id() == Some("read-0"))
        .then_output(move || invocation(CommandInvocationStatus::Success, "Success", 0, big, ""));
    let read_second = mock!(Client::get_command_invocation)
        .match_requests(|r| r.command_id() == Some("read-1"))
        .then_output(|| invocation(CommandInvocationStatus::Success, "Success", 0, "FAILED nothing: tail\n", ""));
    let mut t = timeouts();
    t.follow_every = Duration::from_secs(3600);
    let f = host_with(ssm(&[&apply, &main, &first, &second, &read_first, &read_second]), t);

    let out = f.host.run_reconcile(&["apply"], false).await.unwrap();

    assert_eq!(out.len(), READ_CHUNK_BYTES + "FAILED nothing: tail\n".len());
    assert!(out.ends_with("FAILED nothing: tail\n"), "the part past the first chunk is there");
    assert_eq!((read_first.num_calls(), read_second.num_calls()), (1, 1));
}

#[tokio::test]
async fn a_failed_reconcile_names_the_failing_step_its_last_lines_and_the_hosts_stderr() {
    let stdout = "joined ekseucl01\nFAILED join ekseucl02: kubectl karmada join: context deadline exceeded\nmembers: 1 joined, 1 failed\n";
    let apply = send("karmada-eks-reconcile 'apply'", "cmd-apply");
    let main = mock!(Client::get_command_invocation)
        .match_requests(|r| r.command_id() == Some("cmd-apply"))
        .then_output(move || {
            invocation(
                CommandInvocationStatus::Failed,
                "Failed",
                1,
                stdout,
                "find: '/var/lib/karmada-eks/runs': Permission denied\n",
            )
        });
    let [first, later, answer] = reads("");
    let f = host_with(ssm(&[&online(), &apply, &main, &first, &later, &answer]), timeouts());
    let decision = Decision { desired_sha256: "b".repeat(64), applied_sha256: "a".repeat(64) };

    let err = reconcile::apply(&f.host, decision, false).await.unwrap_err();

    let reconcile::ReconcileError::Host(HostError::Failed(run)) = &err else { panic!("{err}") };
    let (failures, last_lines, exit_code, stderr) = (&run.failures, &run.last_lines, &run.exit_code, &run.stderr);
    assert_eq!(*exit_code, 1);
    assert_eq!(failures.len(), 1);
    assert_eq!(failures[0].step, "join ekseucl02");
    assert_eq!(failures[0].reason, "kubectl karmada join: context deadline exceeded");
    assert_eq!(last_lines.last().map(String::as_str), Some("members: 1 joined, 1 failed"));
    assert!(stderr.contains("Permission denied"));
    let text = rendered(&err);
    assert!(text.contains(&format!("failed on the management host {INSTANCE} (Failed, exit 1)")), "{text}");
    assert!(text.contains("\n  FAILED join ekseucl02: kubectl karmada join: context deadline exceeded"), "{text}");
    assert!(text.contains("host stderr:") && text.contains("hint: fix the cause"), "{text}");
}

#[tokio::test]
async fn a_host_without_the_reconcile_command_gets_its_own_hint() {
    let apply = send("karmada-eks-reconcile 'apply'", "cmd-apply");
    let main = mock!(Client::get_command_invocation)
        .match_requests(|r| r.command_id() == Some("cmd-apply"))
        .then_output(|| {
            invocation(
                CommandInvocationStatus::Failed,
                "Failed",
                127,
                "bash: /usr/local/bin/karmada-eks-reconcile: No such file or directory\n",
                "",
            )
        });
    let [first, later, answer] = reads("");
    let f = host_with(ssm(&[&apply, &main, &first, &later, &answer]), timeouts());
    let err = f.host.run_reconcile(&["apply"], true).await.unwrap_err();
    assert!(rendered(&err).contains("bootstrapped by an older karmada-eks"), "{err}");
}

#[tokio::test]
async fn a_command_that_outlives_its_timeout_is_cancelled_and_reported() {
    let apply = send("karmada-eks-reconcile 'apply'", "cmd-apply");
    let running = mock!(Client::get_command_invocation)
        .match_requests(|r| r.command_id() == Some("cmd-apply"))
        .then_output(|| invocation(CommandInvocationStatus::InProgress, "In Progress", -1, "", ""));
    let cancel = mock!(Client::cancel_command)
        .match_requests(|r| r.command_id() == Some("cmd-apply") && r.instance_ids() == [INSTANCE.to_string()])
        .then_output(|| CancelCommandOutput::builder().build());
    let t = HostTimeouts {
        delivery: Duration::ZERO,
        execution: Duration::ZERO,
        follow_every: Duration::from_secs(3600),
        ..timeouts()
    };
    let [first, later, answer] = reads("");
    let f = host_with(ssm(&[&apply, &running, &cancel, &first, &later, &answer]), t);

    let err = f.host.run_reconcile(&["apply"], true).await.unwrap_err();

    assert!(
        matches!(&err, HostError::TimedOut { cancelled: true, command_id, .. } if command_id == "cmd-apply"),
        "{err}"
    );
    assert_eq!(cancel.num_calls(), 1);
    assert!(err.to_string().contains("did not finish within"), "{err}");
}

#[tokio::test]
async fn ssm_reporting_an_execution_timeout_is_a_failure_with_the_detailed_status() {
    let apply = send("karmada-eks-reconcile 'status'", "cmd-status");
    let timed_out = mock!(Client::get_command_invocation)
        .then_output(|| invocation(CommandInvocationStatus::TimedOut, "Execution Timed Out", -1, "", ""));
    let mut t = timeouts();
    t.follow_every = Duration::from_secs(3600);
    let f = host_with(ssm(&[&apply, &timed_out]), t);
    let err = f.host.run_reconcile(&["status"], false).await.unwrap_err();
    assert!(matches!(&err, HostError::Failed(run) if run.status == "Execution Timed Out"), "{err}");
}

#[tokio::test]
async fn a_host_not_yet_registered_with_ssm_is_waited_for_with_progress() {
    let send_rule = mock!(Client::send_command)
        .sequence()
        .error(|| {
            SendCommandError::InvalidInstanceId(
                InvalidInstanceId::builder()
                    .message(format!("Instances [[{INSTANCE}]] not in a valid state for account 123456789012"))
                    .build(),
            )
        })
        .output(|| SendCommandOutput::builder().command(Command::builder().command_id("cmd-1").build()).build())
        .build();
    let registering = mock!(Client::describe_instance_information)
        .sequence()
        .output(|| DescribeInstanceInformationOutput::builder().build())
        .output(|| {
            DescribeInstanceInformationOutput::builder()
                .instance_information_list(
                    InstanceInformation::builder()
                        .instance_id(INSTANCE)
                        .ping_status(PingStatus::ConnectionLost)
                        .build(),
                )
                .build()
        })
        .output(|| {
            DescribeInstanceInformationOutput::builder()
                .instance_information_list(
                    InstanceInformation::builder().instance_id(INSTANCE).ping_status(PingStatus::Online).build(),
                )
                .build()
        })
        .build();
    let done = mock!(Client::get_command_invocation)
        .then_output(|| invocation(CommandInvocationStatus::Success, "Success", 0, "ok\n", ""));
    let mut t = timeouts();
    t.follow_every = Duration::from_secs(3600);
    let f = host_with(ssm(&[&send_rule, &registering, &done]), t);

    let out = f.host.run_reconcile(&["log", "bootstrap"], false).await.unwrap();

    assert_eq!(out, "ok\n");
    assert_eq!((send_rule.num_calls(), registering.num_calls()), (2, 3));
    let waits = notes(&f.reporter).into_iter().filter(|n| n.contains("to register with SSM")).count();
    assert_eq!(waits, 2, "one progress line per poll that found it not yet online");
}

#[tokio::test]
async fn a_host_that_never_registers_times_out_with_a_hint() {
    let never = mock!(Client::describe_instance_information)
        .then_output(|| DescribeInstanceInformationOutput::builder().build());
    let t = HostTimeouts { registration: Duration::ZERO, ..timeouts() };
    let f = host_with(ssm(&[&never]), t);
    let err = f.host.wait_until_managed().await.unwrap_err();
    assert!(matches!(err, HostError::NotManaged { .. }));
    let text = rendered(&err);
    assert!(text.contains(&format!("the management host {INSTANCE} is not registered with SSM")), "{text}");
    assert!(text.contains("hint: the SSM Agent"), "{text}");
}

#[tokio::test]
async fn ctrl_c_cancels_the_running_command_and_says_so() {
    let apply = send("karmada-eks-reconcile 'apply'", "cmd-apply");
    let running = mock!(Client::get_command_invocation)
        .match_requests(|r| r.command_id() == Some("cmd-apply"))
        .then_output(|| invocation(CommandInvocationStatus::InProgress, "In Progress", -1, "", ""));
    let cancel = mock!(Client::cancel_command)
        .match_requests(|r| r.command_id() == Some("cmd-apply"))
        .then_output(|| CancelCommandOutput::builder().build());
    let mut t = timeouts();
    t.execution = Duration::from_secs(3600);
    t.follow_every = Duration::from_secs(3600);
    let [first, later, answer] = reads("");
    let f = host_with(ssm(&[&apply, &running, &cancel, &first, &later, &answer]), t);
    let press = async {
        while running.num_calls() < 3 {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        f.handle.interrupt();
        std::future::pending::<()>().await
    };

    let err = tokio::time::timeout(Duration::from_secs(30), async {
        tokio::select! {
            r = f.host.run_reconcile(&["apply"], true) => r.unwrap_err(),
            _ = press => unreachable!(),
        }
    })
    .await
    .expect("Ctrl-C did not stop the wait");

    assert!(matches!(&err, HostError::Interrupted { cancelled: true, .. }), "{err}");
    assert_eq!(cancel.num_calls(), 1);
    assert!(err.to_string().contains("cancelled the command cmd-apply on the management host (CancelCommand)"));
    assert!(notes(&f.reporter).iter().any(|n| n.contains("cancelled the command cmd-apply")));
}

pub(crate) fn parameter(name: &'static str, value: &'static str) -> Rule {
    mock!(Client::get_parameter).match_requests(move |r| r.name() == Some(name)).then_output(move || {
        GetParameterOutput::builder().parameter(Parameter::builder().name(name).value(value).build()).build()
    })
}

#[tokio::test]
async fn the_applied_state_is_read_with_get_parameter_and_a_missing_one_counts_as_none() {
    let applied = parameter("/karmada/karmada/applied-state", "abc\n");
    let client = ssm(&[&applied]);
    assert_eq!(reconcile::applied_state(&client, "karmada").await.unwrap(), "abc");
    let missing = mock!(Client::get_parameter).then_error(parameter_not_found);
    let client = ssm(&[&missing]);
    assert_eq!(reconcile::applied_state(&client, "other").await.unwrap(), reconcile::NOTHING_APPLIED);
}

#[tokio::test]
async fn an_applied_state_equal_to_the_deployed_one_runs_nothing_on_the_host() {
    let apply = send("karmada-eks-reconcile", "cmd-apply");
    let f = host_with(ssm(&[&apply]), timeouts());
    let sha = "c".repeat(64);
    let report =
        reconcile::apply(&f.host, Decision { desired_sha256: sha.clone(), applied_sha256: sha }, false).await.unwrap();
    assert!(!report.ran);
    assert_eq!(apply.num_calls(), 0, "no Run Command when nothing changed");
    assert!(report.note.unwrap().contains("has applied the deployed desired state cccccccccccc"));
}

#[tokio::test]
async fn unjoin_runs_exactly_the_named_members() {
    let unjoin = send("karmada-eks-reconcile 'unjoin' 'eksuscl01' 'eksuscl02' >", "cmd-unjoin");
    let done = mock!(Client::get_command_invocation)
        .match_requests(|r| r.command_id() == Some("cmd-unjoin"))
        .then_output(|| {
            invocation(CommandInvocationStatus::Success, "Success", 0, "unjoined eksuscl01\nunjoined eksuscl02\n", "")
        });
    let [first, later, answer] = reads("");
    let f = host_with(ssm(&[&online(), &unjoin, &done, &first, &later, &answer]), timeouts());
    let out = reconcile::unjoin(&f.host, &["eksuscl01".into(), "eksuscl02".into()]).await.unwrap();
    assert_eq!(out, "unjoined eksuscl01\nunjoined eksuscl02\n");
    assert_eq!(unjoin.num_calls(), 1);
    let none = host_with(ssm(&[&unjoin]), timeouts());
    assert_eq!(reconcile::unjoin(&none.host, &[]).await.unwrap(), "");
    assert_eq!(unjoin.num_calls(), 1, "no members, no command");
}

#[tokio::test]
async fn kubeconfig_is_read_from_the_secret_reference_path_with_decryption() {
    let name = crate::deploy::kubeconfig::parameter_name("karmada");
    assert_eq!(name, "/aws/reference/secretsmanager/karmada/karmada/kubeconfig");
    let secret = mock!(Client::get_parameter)
        .match_requests(|r| {
            r.name() == Some("/aws/reference/secretsmanager/karmada/karmada/kubeconfig")
                && r.with_decryption() == Some(true)
        })
        .then_output(|| {
            GetParameterOutput::builder()
                .parameter(Parameter::builder().value("apiVersion: v1\nkind: Config\n").build())
                .build()
        });
    let client = ssm(&[&secret]);
    let value = crate::deploy::kubeconfig::read(&client, &name).await.unwrap();
    assert_eq!(value.as_deref(), Some("apiVersion: v1\nkind: Config\n"));
    let missing = mock!(Client::get_parameter).then_error(parameter_not_found);
    let client = ssm(&[&missing]);
    assert_eq!(crate::deploy::kubeconfig::read(&client, &name).await.unwrap(), None);
}

#[tokio::test]
async fn status_reads_the_hosts_json_through_run_command() {
    let json = r#"{"desired":"abc","applied":"abc","api":true,"etcd":[3,3],"apiserver":[3,3],"clusters":[["ekseucl01",true,"v1.33.4-eks-1","Push"]],"workload":[["ekseucl01",12]]}"#;
    let status_cmd = send("karmada-eks-reconcile 'status'", "cmd-status");
    let done = mock!(Client::get_command_invocation)
        .then_output(move || invocation(CommandInvocationStatus::Success, "Success", 0, json, ""));
    let mut t = timeouts();
    t.follow_every = Duration::from_secs(3600);
    let f = host_with(ssm(&[&online(), &status_cmd, &done]), t);
    let got = gather::host_status(&f.host).await.unwrap();
    assert!(got.apiserver.ready);
    assert_eq!(got.clusters[0].mode.as_deref(), Some("Push"));
    assert_eq!(got.workload.unwrap().replicas["ekseucl01"], 12);
    assert!(notes(&f.reporter).iter().all(|n| !n.starts_with("| ")), "status output is not streamed");
    let _ = HostAnswer::Reached { status: Box::<HostStatus>::default() };
}

pub(crate) fn cfn(rules: &[&Rule]) -> aws_sdk_cloudformation::Client {
    mock_client!(aws_sdk_cloudformation, RuleMode::MatchAny, rules, |c| c.retry_config(tuning().retry_config()))
}

/// DescribeStacks of `<app>-desired-state` with its `DesiredStateSha256` output, and DescribeStackResources of
/// `<app>-management` with the host instance.
pub(crate) fn deployed_app(desired: &'static str) -> [Rule; 2] {
    use aws_sdk_cloudformation::operation::describe_stack_resources::DescribeStackResourcesOutput;
    use aws_sdk_cloudformation::operation::describe_stacks::DescribeStacksOutput;
    use aws_sdk_cloudformation::types::{Output, Stack, StackResource, StackStatus};
    let stacks = mock!(aws_sdk_cloudformation::Client::describe_stacks)
        .match_requests(|r| r.stack_name() == Some("karmada-desired-state"))
        .then_output(move || {
            DescribeStacksOutput::builder()
                .stacks(
                    Stack::builder()
                        .stack_id("arn:aws:cloudformation:us-east-1:123456789012:stack/karmada-desired-state/1")
                        .stack_name("karmada-desired-state")
                        .stack_status(StackStatus::UpdateComplete)
                        .outputs(Output::builder().output_key("DesiredStateSha256").output_value(desired).build())
                        .build(),
                )
                .build()
        });
    let resources = mock!(aws_sdk_cloudformation::Client::describe_stack_resources)
        .match_requests(|r| r.stack_name() == Some("karmada-management"))
        .then_output(|| {
            DescribeStackResourcesOutput::builder()
                .stack_resources(
                    StackResource::builder()
                        .logical_resource_id("Host")
                        .physical_resource_id(INSTANCE)
                        .resource_type("AWS::EC2::Instance")
                        .build(),
                )
                .build()
        });
    [stacks, resources]
}

#[tokio::test]
async fn the_reconcile_step_runs_only_when_the_deployed_and_applied_states_differ() {
    let desired = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    let [stacks, resources] = deployed_app(desired);
    let cfn = cfn(&[&stacks, &resources]);
    let same = parameter("/karmada/karmada/applied-state", desired);
    let apply = send("karmada-eks-reconcile 'apply'", "cmd-apply");
    let f = host_with(ssm(&[&same, &apply]), timeouts());
    let report = reconcile::run(&cfn, ssm(&[&same, &apply]), "karmada", false, |_, _| f.host).await.unwrap();
    assert!(!report.ran);
    assert_eq!((apply.num_calls(), resources.num_calls()), (0, 0), "no host lookup, no Run Command");

    let old = parameter("/karmada/karmada/applied-state", "none");
    let done = mock!(Client::get_command_invocation)
        .match_requests(|r| r.command_id() == Some("cmd-apply"))
        .then_output(|| invocation(CommandInvocationStatus::Success, "Success", 0, "member ekseucl01 joined\n", ""));
    let [first, later, answer] = reads("");
    let client = ssm(&[&old, &online(), &apply, &done, &first, &later, &answer]);
    let f = host_with(client.clone(), timeouts());
    let mut connected = None;
    let report = reconcile::run(&cfn, client, "karmada", false, |_, instance| {
        connected = Some(instance.to_string());
        f.host
    })
    .await
    .unwrap();
    assert!(report.ran);
    assert_eq!(connected.as_deref(), Some(INSTANCE), "the host is the management stack's instance resource");
    assert_eq!(apply.num_calls(), 1);
    assert_eq!(report.decision.applied_sha256, "none");
}

#[tokio::test]
async fn drift_detection_waits_for_the_result_and_lists_modified_resources_with_their_properties() {
    use aws_sdk_cloudformation::operation::describe_stack_drift_detection_status::DescribeStackDriftDetectionStatusOutput;
    use aws_sdk_cloudformation::operation::describe_stack_resource_drifts::DescribeStackResourceDriftsOutput;
    use aws_sdk_cloudformation::operation::detect_stack_drift::DetectStackDriftOutput;
    use aws_sdk_cloudformation::primitives::DateTime;
    use aws_sdk_cloudformation::types::{
        DifferenceType, PropertyDifference, StackDriftDetectionStatus, StackDriftStatus, StackResourceDrift,
        StackResourceDriftStatus,
    };
    use aws_sdk_cloudformation::Client as Cfn;
    let detect = mock!(Cfn::detect_stack_drift)
        .match_requests(|r| r.stack_name() == Some("karmada-cluster"))
        .then_output(|| DetectStackDriftOutput::builder().stack_drift_detection_id("drift-1").build());
    let status_of = |detection: StackDriftDetectionStatus| {
        DescribeStackDriftDetectionStatusOutput::builder()
            .stack_id("arn:aws:cloudformation:us-east-1:123456789012:stack/karmada-cluster/1")
            .stack_drift_detection_id("drift-1")
            .detection_status(detection)
            .stack_drift_status(StackDriftStatus::Drifted)
            .timestamp(DateTime::from_secs(0))
            .build()
    };
    let progress = mock!(Cfn::describe_stack_drift_detection_status)
        .match_requests(|r| r.stack_drift_detection_id() == Some("drift-1"))
        .sequence()
        .output(move || status_of(StackDriftDetectionStatus::DetectionInProgress))
        .output(move || status_of(StackDriftDetectionStatus::DetectionComplete))
        .build();
    let drifts = mock!(Cfn::describe_stack_resource_drifts)
        .match_requests(|r| {
            r.stack_resource_drift_status_filters()
                == [StackResourceDriftStatus::Modified, StackResourceDriftStatus::Deleted]
        })
        .then_output(|| {
            DescribeStackResourceDriftsOutput::builder()
                .stack_resource_drifts(
                    StackResourceDrift::builder()
                        .stack_id("arn:aws:cloudformation:us-east-1:123456789012:stack/karmada-cluster/1")
                        .logical_resource_id("NlbSecurityGroup")
                        .resource_type("AWS::EC2::SecurityGroup")
                        .stack_resource_drift_status(StackResourceDriftStatus::Modified)
                        .timestamp(DateTime::from_secs(0))
                        .property_differences(
                            PropertyDifference::builder()
                                .property_path("/SecurityGroupIngress/2")
                                .expected_value("null")
                                .actual_value(
                                    r#"{"CidrIp":"0.0.0.0/0","FromPort":32443,"IpProtocol":"tcp","ToPort":32443}"#,
                                )
                                .difference_type(DifferenceType::Add)
                                .build(),
                        )
                        .build(),
                )
                .build()
        });
    let client = cfn(&[&detect, &progress, &drifts]);
    let (interrupt, _handle) = Interrupt::new();

    let drift = drift::detect_drift(&client, "karmada-cluster", &tuning(), &interrupt).await.unwrap();

    assert_eq!(progress.num_calls(), 2, "polled until DETECTION_COMPLETE");
    assert_eq!(drift.status, "DRIFTED");
    assert_eq!(drift.resources.len(), 1);
    let r = &drift.resources[0];
    assert_eq!((r.logical_id.as_str(), r.status.as_str()), ("NlbSecurityGroup", "MODIFIED"));
    assert_eq!(r.properties[0].path, "/SecurityGroupIngress/2");
    assert_eq!(r.properties[0].difference, "ADD");
    assert!(r.properties[0].actual.contains("0.0.0.0/0"));
}

#[tokio::test]
async fn a_failed_drift_detection_is_reported_with_its_reason() {
    use aws_sdk_cloudformation::operation::describe_stack_drift_detection_status::DescribeStackDriftDetectionStatusOutput;
    use aws_sdk_cloudformation::operation::detect_stack_drift::DetectStackDriftOutput;
    use aws_sdk_cloudformation::primitives::DateTime;
    use aws_sdk_cloudformation::types::StackDriftDetectionStatus;
    use aws_sdk_cloudformation::Client as Cfn;
    let detect = mock!(Cfn::detect_stack_drift)
        .then_output(|| DetectStackDriftOutput::builder().stack_drift_detection_id("drift-2").build());
    let failed = mock!(Cfn::describe_stack_drift_detection_status).then_output(|| {
        DescribeStackDriftDetectionStatusOutput::builder()
            .stack_id("s")
            .stack_drift_detection_id("drift-2")
            .detection_status(StackDriftDetectionStatus::DetectionFailed)
            .detection_status_reason("Failed to detect drift on resource [Cluster]")
            .timestamp(DateTime::from_secs(0))
            .build()
    });
    let (interrupt, _handle) = Interrupt::new();
    let drift = drift::detect_drift(&cfn(&[&detect, &failed]), "karmada-cluster", &tuning(), &interrupt).await.unwrap();
    assert_eq!(drift.status, "DETECTION_FAILED");
    assert_eq!(drift.error.as_deref(), Some("Failed to detect drift on resource [Cluster]"));
}

#[tokio::test]
async fn a_failed_management_stack_shows_its_first_failure_and_the_bootstrap_log_tail() {
    use aws_sdk_cloudformation::operation::describe_stack_events::DescribeStackEventsOutput;
    use aws_sdk_cloudformation::operation::describe_stacks::DescribeStacksOutput;
    use aws_sdk_cloudformation::primitives::DateTime;
    use aws_sdk_cloudformation::types::{ResourceStatus, Stack, StackEvent, StackStatus, Tag};
    use aws_sdk_cloudformation::Client as Cfn;
    let id = "arn:aws:cloudformation:us-east-1:123456789012:stack/karmada-management/1";
    let stacks = mock!(Cfn::describe_stacks).then_output(move || {
        DescribeStacksOutput::builder()
            .stacks(
                Stack::builder()
                    .stack_id(id)
                    .stack_name("karmada-management")
                    .stack_status(StackStatus::CreateFailed)
                    .stack_status_reason("The following resource(s) failed to create: [Host]. ")
                    .tags(Tag::builder().key("karmada-eks:template-sha256").value("abc").build())
                    .build(),
            )
            .build()
    });
    let event = move |n: &str, logical: &str, kind: &str, status: ResourceStatus, reason: Option<&str>| {
        StackEvent::builder()
            .event_id(n)
            .stack_id(id)
            .stack_name("karmada-management")
            .logical_resource_id(logical)
            .resource_type(kind)
            .resource_status(status)
            .set_resource_status_reason(reason.map(str::to_string))
            .timestamp(DateTime::from_secs(n.parse().unwrap()))
            .build()
    };
    let events = mock!(Cfn::describe_stack_events).then_output(move || {
        DescribeStackEventsOutput::builder()
            .stack_events(event(
                "3",
                "karmada-management",
                "AWS::CloudFormation::Stack",
                ResourceStatus::CreateFailed,
                Some("The following resource(s) failed to create: [Host]. "),
            ))
            .stack_events(event(
                "2",
                "Host",
                "AWS::EC2::Instance",
                ResourceStatus::CreateFailed,
                Some("Failed to receive 1 resource signal(s) within the specified duration"),
            ))
            .stack_events(event("1", "Host", "AWS::EC2::Instance", ResourceStatus::CreateInProgress, None))
            .build()
    });
    let state =
        gather::stack_state(&cfn(&[&stacks, &events]), "karmada-management", "us-east-1", Some("abc")).await.unwrap();
    assert_eq!(state.status.as_deref(), Some("CREATE_FAILED"));
    assert!(state
        .failures
        .iter()
        .any(|f| f.logical_id == "Host" && f.reason.as_deref().unwrap().contains("resource signal")));

    let log_cmd = send("karmada-eks-reconcile 'log' 'bootstrap'", "cmd-log");
    let log = mock!(Client::get_command_invocation).then_output(|| {
        invocation(CommandInvocationStatus::Success, "Success", 0,
            "2026-12-01T07:40:00Z [karmada-init] step karmada-init\n2026-12-01T07:58:00Z [karmada-init] FAILED karmada-init: etcd-0 not Ready after 900s\n", "")
    });
    let mut t = timeouts();
    t.follow_every = Duration::from_secs(3600);
    let f = host_with(ssm(&[&log_cmd, &log]), t);
    let tail = gather::bootstrap_log(&f.host).await.unwrap();
    let default_app = constructs::karmada::KarmadaApp::new(&Default::default()).unwrap().synth().unwrap();
    let report = status::assess(
        &constructs::inspect::facts::AppFacts::of(&default_app).unwrap(),
        vec![state],
        HostAnswer::Unreachable { reason: "the management stack is CREATE_FAILED".into(), hints: vec![] },
        None,
        None,
        tail,
    );
    let text = render::render(&report, false);
    println!("{text}");
    assert!(text.starts_with("UNHEALTHY: 0 of 1 stacks as deployed, Karmada not checked\n"), "{text}");
    assert!(
        text.contains("\n    CREATE_FAILED AWS::EC2::Instance Host: Failed to receive 1 resource signal(s)"),
        "{text}"
    );
    assert!(
        text.contains("\n    2026-12-01T07:58:00Z [karmada-init] FAILED karmada-init: etcd-0 not Ready after 900s\n"),
        "{text}"
    );
}

#[tokio::test]
async fn status_json_of_100_members_with_two_unhealthy_from_the_hosts_recorded_answer() {
    use constructs::karmada::config::{MemberConfig, WorkloadConfig};
    let defaults = constructs::karmada::Config::default();
    let config = constructs::karmada::Config {
        members: (0..100)
            .map(|i| MemberConfig { name: format!("member-{i:03}"), weight: 1, ..MemberConfig::default() })
            .collect(),
        workload: WorkloadConfig { replicas: 300, ..defaults.workload.clone() },
        ..defaults
    };
    // The host's compact document (templates/reconcile/status.sh.hbs): member-017 not Ready, member-042 not
    // joined (so it runs no replicas).
    let clusters: Vec<String> = (0..100)
        .filter(|i| *i != 42)
        .map(|i| format!(r#"["member-{i:03}",{},"v1.33.4-eks-ba3c6f1","Push"]"#, i != 17))
        .collect();
    let workload: Vec<String> = (0..100).filter(|i| *i != 42).map(|i| format!(r#"["member-{i:03}",3]"#)).collect();
    let doc = format!(
        r#"{{"desired":"{sha}","applied":"{sha}","api":true,"etcd":[3,3],"apiserver":[3,3],"clusters":[{}],"workload":[{}]}}"#,
        clusters.join(","),
        workload.join(","),
        sha = "d".repeat(64)
    );
    assert!(doc.len() < super::run_command::INLINE_STDOUT_LIMIT, "{} characters fit SSM's inline output", doc.len());
    let doc: &'static str = Box::leak(doc.into_boxed_str());
    let status_cmd = send("karmada-eks-reconcile 'status'", "cmd-status");
    let done = mock!(Client::get_command_invocation)
        .then_output(move || invocation(CommandInvocationStatus::Success, "Success", 0, doc, ""));
    let f = host_with(ssm(&[&online(), &status_cmd, &done]), timeouts());

    let host = gather::host_status(&f.host).await.unwrap();
    let assembly = constructs::karmada::KarmadaApp::new(&config).unwrap().synth().unwrap();
    let report = status::assess(
        &constructs::inspect::facts::AppFacts::of(&assembly).unwrap(),
        vec![],
        HostAnswer::Reached { status: Box::new(host) },
        None,
        Some("d".repeat(64)),
        vec![],
    );
    let json = serde_json::to_value(&report).unwrap();

    assert_eq!(json["healthy"], false);
    assert_eq!(json["members"].as_array().unwrap().len(), 100);
    let unhealthy: Vec<(&str, &str)> = json["members"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| !m["problems"].as_array().unwrap().is_empty())
        .map(|m| (m["name"].as_str().unwrap(), m["problems"][0].as_str().unwrap()))
        .collect();
    assert_eq!(unhealthy, vec![("member-017", "not Ready"), ("member-042", "not joined to Karmada")]);
    assert_eq!(status_cmd.num_calls(), 1, "one Run Command answers for all 100 members");
    assert_eq!(
        report.summary,
        "UNHEALTHY: 0 of 0 stacks as deployed, API server ready (3/3 pods), etcd 3/3, 98 of 100 members healthy"
    );
}
