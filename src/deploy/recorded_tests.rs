//! The engine driven by recorded CloudFormation responses (aws-smithy-mocks), for what moto cannot emulate:
//! resource events, failures and rollbacks, "no changes", throttling, expired credentials, stuck stacks.

use aws_sdk_cloudformation::error::ErrorMetadata;
use aws_sdk_cloudformation::operation::create_change_set::CreateChangeSetOutput;
use aws_sdk_cloudformation::operation::delete_change_set::DeleteChangeSetOutput;
use aws_sdk_cloudformation::operation::delete_stack::DeleteStackOutput;
use aws_sdk_cloudformation::operation::describe_change_set::DescribeChangeSetOutput;
use aws_sdk_cloudformation::operation::describe_stack_events::DescribeStackEventsOutput;
use aws_sdk_cloudformation::operation::describe_stacks::{DescribeStacksError, DescribeStacksOutput};
use aws_sdk_cloudformation::operation::execute_change_set::ExecuteChangeSetOutput;
use aws_sdk_cloudformation::primitives::DateTime;
use aws_sdk_cloudformation::types::{
    Change, ChangeAction, ChangeSetStatus, ExecutionStatus, Output, ResourceChange, ResourceStatus, Stack, StackEvent,
    StackStatus, Tag,
};
use aws_sdk_cloudformation::Client;
use aws_smithy_mocks::{mock, mock_client, Rule, RuleMode};
use constructs::core::hints::rendered;
use serde_json::json;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use super::approval::{Answer, ApprovalPolicy, Fixed};
use super::client::CfnClients;
use super::deployment::{DeployOptions, Deployer};
use super::destroy::Destroyer;
use super::error::{AwsErrorKind, DeployError};
use super::interrupt::{Interrupt, InterruptHandle};
use super::progress::{ProgressEvent, RecordingReporter};
use super::report::{Deletion, Outcome, StackReport};
use super::testing;
use super::tuning::Tuning;
use constructs::core::StackArtifact;
use constructs::karmada::wellknown::TAG_TEMPLATE_SHA256;

const NAME: &str = "net";
const STACK_ID: &str = "arn:aws:cloudformation:eu-west-1:123456789012:stack/net/1";

fn tuning() -> Tuning {
    Tuning::default().fixed(Duration::from_millis(1))
}

fn artifact() -> StackArtifact {
    testing::stack(
        NAME,
        "eu-west-1",
        json!({"Resources": {"Topic": {"Type": "AWS::SNS::Topic"}, "Queue": {"Type": "AWS::SQS::Queue"}}}),
        &[],
    )
}

fn client(rules: &[&Rule]) -> Client {
    mock_client!(aws_sdk_cloudformation, RuleMode::MatchAny, rules, |c| c.retry_config(tuning().retry_config()))
}

struct Run {
    report: StackReport,
    events: Vec<ProgressEvent>,
    _interrupt: InterruptHandle,
}

async fn deploy(client: Client, answer: Answer) -> Run {
    deploy_pressing_ctrl_c(client, answer, None).await
}

/// Deploys; with `pressed_after`, Ctrl-C is pressed once that rule has answered three calls (the tests' rules
/// repeat "in progress" forever, so only the interrupt ends those runs).
async fn deploy_pressing_ctrl_c(client: Client, answer: Answer, pressed_after: Option<&Rule>) -> Run {
    let reporter = Arc::new(RecordingReporter::default());
    let (interrupt, handle) = Interrupt::new();
    let options = DeployOptions { tuning: tuning(), approval: ApprovalPolicy::Broadening, ..DeployOptions::default() };
    let deployer = Deployer::new(
        CfnClients::single(client, ["eu-west-1"]),
        reporter.clone(),
        Arc::new(Fixed(answer)),
        interrupt,
        options,
    );
    let press = async {
        if let Some(rule) = pressed_after {
            while rule.num_calls() < 3 {
                tokio::time::sleep(Duration::from_millis(1)).await;
            }
            handle.interrupt();
        }
        std::future::pending::<()>().await
    };
    let artifact = artifact();
    let run = async {
        tokio::select! {
            report = deployer.deploy_stack(&artifact) => report,
            _ = press => unreachable!(),
        }
    };
    let report = tokio::time::timeout(Duration::from_secs(60), run).await.expect("deploy did not stop on Ctrl-C");
    Run { report, events: reporter.events(), _interrupt: handle }
}

fn not_found() -> DescribeStacksError {
    DescribeStacksError::generic(
        ErrorMetadata::builder().code("ValidationError").message("Stack with id net does not exist").build(),
    )
}

fn stack(status: &str, sha: &str) -> DescribeStacksOutput {
    stack_because(status, sha, None)
}

/// A stack in `status`, with CloudFormation's StackStatusReason.
fn stack_because(status: &str, sha: &str, reason: Option<&str>) -> DescribeStacksOutput {
    DescribeStacksOutput::builder()
        .stacks(
            Stack::builder()
                .stack_id(STACK_ID)
                .stack_name(NAME)
                .stack_status(StackStatus::from(status))
                .set_stack_status_reason(reason.map(str::to_string))
                .creation_time(DateTime::from(SystemTime::now()))
                .tags(Tag::builder().key(TAG_TEMPLATE_SHA256).value(sha).build())
                .outputs(Output::builder().output_key("TopicArn").output_value("arn:aws:sns:eu-west-1:1:t").build())
                .build(),
        )
        .build()
}

/// DescribeStacks of a stack that does not exist yet, then is `status` for good.
fn absent_then(status: &'static str) -> Rule {
    mock!(Client::describe_stacks).sequence().error(not_found).output(move || stack(status, "new")).repeatedly().build()
}

thread_local! {
    /// The client request token of the last ExecuteChangeSet or DeleteStack this test's engine sent (a
    /// `#[tokio::test]` runs the engine and the mocks on the test's own thread).
    static OPERATION: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
}

fn record_operation(token: Option<&str>) -> bool {
    OPERATION.with(|o| *o.borrow_mut() = token.unwrap_or_default().to_string());
    true
}

/// An event of the operation the engine started last (it carries that operation's client request token).
fn event(id: &str, logical: &str, resource_type: &str, status: &str, reason: Option<&str>) -> StackEvent {
    let token = OPERATION.with(|o| o.borrow().clone());
    event_of(&token, id, logical, resource_type, status, reason)
}

/// An event of the operation started with `token`.
fn event_of(
    token: &str,
    id: &str,
    logical: &str,
    resource_type: &str,
    status: &str,
    reason: Option<&str>,
) -> StackEvent {
    StackEvent::builder()
        .client_request_token(token)
        .event_id(id)
        .stack_id(STACK_ID)
        .stack_name(NAME)
        .logical_resource_id(logical)
        .resource_type(resource_type)
        .resource_status(ResourceStatus::from(status))
        .set_resource_status_reason(reason.map(str::to_string))
        .timestamp(DateTime::from(SystemTime::now()))
        .build()
}

/// Events newest first, as DescribeStackEvents returns them.
fn events(list: Vec<StackEvent>) -> DescribeStackEventsOutput {
    DescribeStackEventsOutput::builder().set_stack_events(Some(list.into_iter().rev().collect())).build()
}

fn change(action: &str, logical: &str, resource_type: &str) -> Change {
    Change::builder()
        .resource_change(
            ResourceChange::builder()
                .action(ChangeAction::from(action))
                .logical_resource_id(logical)
                .resource_type(resource_type)
                .build(),
        )
        .build()
}

fn ready_change_set() -> Rule {
    mock!(Client::describe_change_set).then_output(|| {
        DescribeChangeSetOutput::builder()
            .status(ChangeSetStatus::CreateComplete)
            .execution_status(ExecutionStatus::Available)
            .creation_time(DateTime::from(SystemTime::now() - Duration::from_secs(60)))
            .changes(change("Add", "Topic", "AWS::SNS::Topic"))
            .changes(change("Add", "Queue", "AWS::SQS::Queue"))
            .build()
    })
}

fn create_change_set() -> Rule {
    mock!(Client::create_change_set)
        .then_output(|| CreateChangeSetOutput::builder().id("cs-1").stack_id(STACK_ID).build())
}

fn execute() -> Rule {
    mock!(Client::execute_change_set)
        .match_requests(|r| record_operation(r.client_request_token()))
        .then_output(|| ExecuteChangeSetOutput::builder().build())
}

/// DescribeStacks of `net` deployed from an older template, then updating, then updated for good.
fn updated_stack() -> Rule {
    mock!(Client::describe_stacks)
        .sequence()
        .output(|| stack("UPDATE_COMPLETE", "old"))
        .output(|| stack("UPDATE_IN_PROGRESS", "old"))
        .output(|| stack("UPDATE_COMPLETE", "new"))
        .repeatedly()
        .build()
}

/// The stack-level events of an update of `net` that completes.
fn update_events() -> Rule {
    mock!(Client::describe_stack_events).then_output(|| {
        events(vec![
            event("1", NAME, "AWS::CloudFormation::Stack", "UPDATE_IN_PROGRESS", Some("User Initiated")),
            event("2", NAME, "AWS::CloudFormation::Stack", "UPDATE_COMPLETE", None),
        ])
    })
}

/// DescribeStackEvents of `stack`'s deletion, just started (the event every delete polls for).
fn deletion_started(stack: &'static str) -> Rule {
    mock!(Client::describe_stack_events).then_output(move || {
        events(vec![event("1", stack, "AWS::CloudFormation::Stack", "DELETE_IN_PROGRESS", Some("User Initiated"))])
    })
}

fn delete_stack() -> Rule {
    mock!(Client::delete_stack)
        .match_requests(|r| record_operation(r.client_request_token()))
        .then_output(|| DeleteStackOutput::builder().build())
}

fn resource_events(events: &[ProgressEvent]) -> Vec<(String, String, usize, usize)> {
    events
        .iter()
        .filter_map(|e| match e {
            ProgressEvent::Resource { resource, done, total, .. } => {
                Some((resource.logical_id.clone(), resource.status.clone(), *done, *total))
            }
            _ => None,
        })
        .collect()
}

#[tokio::test]
async fn create_streams_resource_events_until_complete_and_reads_outputs() {
    let describe = mock!(Client::describe_stacks)
        .sequence()
        .error(not_found)
        .output(|| stack("CREATE_IN_PROGRESS", "old"))
        .output(|| stack("CREATE_COMPLETE", "new"))
        .repeatedly()
        .build();
    let stack_events = mock!(Client::describe_stack_events)
        .sequence()
        .output(|| {
            events(vec![
                event("1", NAME, "AWS::CloudFormation::Stack", "CREATE_IN_PROGRESS", Some("User Initiated")),
                event("2", "Topic", "AWS::SNS::Topic", "CREATE_IN_PROGRESS", None),
            ])
        })
        .output(|| {
            events(vec![
                event("1", NAME, "AWS::CloudFormation::Stack", "CREATE_IN_PROGRESS", Some("User Initiated")),
                event("2", "Topic", "AWS::SNS::Topic", "CREATE_IN_PROGRESS", None),
                event("3", "Topic", "AWS::SNS::Topic", "CREATE_COMPLETE", None),
                event("4", "Queue", "AWS::SQS::Queue", "CREATE_COMPLETE", None),
                event("5", NAME, "AWS::CloudFormation::Stack", "CREATE_COMPLETE", None),
            ])
        })
        .repeatedly()
        .build();
    let (create, ready, exec) = (create_change_set(), ready_change_set(), execute());
    let run = deploy(client(&[&describe, &stack_events, &create, &ready, &exec]), Answer::Yes).await;

    assert_eq!(run.report.outcome, Outcome::Created, "{:?}", run.report.error);
    assert_eq!(run.report.outputs[0].key, "TopicArn");
    assert_eq!((create.num_calls(), exec.num_calls()), (1, 1));
    assert_eq!(
        resource_events(&run.events),
        vec![
            ("net".to_string(), "CREATE_IN_PROGRESS".to_string(), 0, 2),
            ("Topic".into(), "CREATE_IN_PROGRESS".into(), 0, 2),
            ("Topic".into(), "CREATE_COMPLETE".into(), 1, 2),
            ("Queue".into(), "CREATE_COMPLETE".into(), 2, 2),
            ("net".into(), "CREATE_COMPLETE".into(), 2, 2),
        ]
    );
    assert!(matches!(run.events.last(), Some(ProgressEvent::Finished { ok: true, .. })));
}

#[tokio::test]
async fn create_failed_then_rollback_complete_reports_the_first_real_failure() {
    let describe = absent_then("ROLLBACK_COMPLETE");
    let stack_events = mock!(Client::describe_stack_events).then_output(|| {
        events(vec![
            event("1", NAME, "AWS::CloudFormation::Stack", "CREATE_IN_PROGRESS", Some("User Initiated")),
            event("2", "Queue", "AWS::SQS::Queue", "CREATE_FAILED", Some("Queue name already exists")),
            event("3", "Topic", "AWS::SNS::Topic", "CREATE_FAILED", Some("Resource creation cancelled")),
            event("4", NAME, "AWS::CloudFormation::Stack", "ROLLBACK_IN_PROGRESS", Some("resource failed")),
            event("5", NAME, "AWS::CloudFormation::Stack", "ROLLBACK_COMPLETE", None),
        ])
    });
    let (create, ready, exec) = (create_change_set(), ready_change_set(), execute());
    let run = deploy(client(&[&describe, &stack_events, &create, &ready, &exec]), Answer::Yes).await;

    assert_eq!(run.report.outcome, Outcome::Failed);
    assert_eq!(run.report.status.as_deref(), Some("ROLLBACK_COMPLETE"));
    assert_eq!(run.report.failures.len(), 1, "knock-on cancellations are left out: {:?}", run.report.failures);
    assert_eq!(run.report.failures[0].logical_id, "Queue");
    assert_eq!(run.report.failures[0].reason.as_deref(), Some("Queue name already exists"));
    assert!(
        matches!(&run.report.error, Some(DeployError::StackFailed { status, .. }) if status == "ROLLBACK_COMPLETE")
    );
}

#[tokio::test]
async fn update_rollback_complete_is_a_failure() {
    let describe = mock!(Client::describe_stacks)
        .sequence()
        .output(|| stack("UPDATE_COMPLETE", "old"))
        .output(|| stack("UPDATE_ROLLBACK_COMPLETE", "old"))
        .repeatedly()
        .build();
    let stack_events = mock!(Client::describe_stack_events).then_output(|| {
        events(vec![
            event("1", "Topic", "AWS::SNS::Topic", "UPDATE_FAILED", Some("Invalid parameter: DisplayName")),
            event("2", NAME, "AWS::CloudFormation::Stack", "UPDATE_ROLLBACK_COMPLETE", None),
        ])
    });
    let (create, ready, exec) = (create_change_set(), ready_change_set(), execute());
    let run = deploy(client(&[&describe, &stack_events, &create, &ready, &exec]), Answer::Yes).await;

    assert_eq!(run.report.outcome, Outcome::Failed);
    assert_eq!(run.report.status.as_deref(), Some("UPDATE_ROLLBACK_COMPLETE"));
    assert_eq!(run.report.failures[0].status, "UPDATE_FAILED");
}

#[tokio::test]
async fn a_change_set_without_changes_is_deleted_not_executed() {
    let describe = mock!(Client::describe_stacks).then_output(|| stack("UPDATE_COMPLETE", "old"));
    let no_changes = mock!(Client::describe_change_set).then_output(|| {
        DescribeChangeSetOutput::builder()
            .status(ChangeSetStatus::Failed)
            .status_reason("The submitted information didn't contain changes. Submit different information to create a change set.")
            .build()
    });
    let delete = mock!(Client::delete_change_set).then_output(|| DeleteChangeSetOutput::builder().build());
    let (create, exec) = (create_change_set(), execute());
    let run = deploy(client(&[&describe, &no_changes, &delete, &create, &exec]), Answer::Yes).await;

    assert_eq!(run.report.outcome, Outcome::Unchanged, "{:?}", run.report.error);
    assert_eq!((create.num_calls(), exec.num_calls(), delete.num_calls()), (1, 0, 1));
}

#[tokio::test]
async fn an_unchanged_stack_costs_one_describe_stacks() {
    let sha = artifact().template_sha256;
    let describe = mock!(Client::describe_stacks).then_output(move || stack("UPDATE_COMPLETE", &sha));
    let create = create_change_set();
    let run = deploy(client(&[&describe, &create]), Answer::Yes).await;

    assert_eq!(run.report.outcome, Outcome::Unchanged);
    assert_eq!((describe.num_calls(), create.num_calls()), (1, 0));
}

#[tokio::test]
async fn throttling_is_retried() {
    let sha = artifact().template_sha256;
    let describe = mock!(Client::describe_stacks)
        .sequence()
        .error(|| {
            DescribeStacksError::generic(ErrorMetadata::builder().code("Throttling").message("Rate exceeded").build())
        })
        .times(2)
        .output(move || stack("CREATE_COMPLETE", &sha))
        .build();
    let run = deploy(client(&[&describe]), Answer::Yes).await;

    assert_eq!(run.report.outcome, Outcome::Unchanged, "{:?}", run.report.error);
    assert_eq!(describe.num_calls(), 3);
}

#[tokio::test]
async fn expired_credentials_say_what_to_run() {
    let describe = mock!(Client::describe_stacks).then_error(|| {
        DescribeStacksError::generic(
            ErrorMetadata::builder()
                .code("ExpiredToken")
                .message("The security token included in the request is expired")
                .build(),
        )
    });
    let run = deploy(client(&[&describe]), Answer::Yes).await;

    let Some(DeployError::Aws(e)) = &run.report.error else { panic!("{:?}", run.report.error) };
    assert_eq!(e.kind, AwsErrorKind::Credentials);
    assert!(rendered(e).contains("aws sso login"), "{e}");
    assert_eq!(describe.num_calls(), 1, "expired credentials are not retried");
}

/// DescribeStacks: `status`, then gone (twice: the wait and the next look), then CREATE_COMPLETE for good.
fn first_gone_then_created(status: &'static str) -> Rule {
    mock!(Client::describe_stacks)
        .sequence()
        .output(move || stack(status, "old"))
        .error(not_found)
        .times(2)
        .output(|| stack("CREATE_COMPLETE", "new"))
        .repeatedly()
        .build()
}

fn review_in_progress_rules() -> (Rule, Rule, Rule) {
    let describe = first_gone_then_created("REVIEW_IN_PROGRESS");
    let stack_events = mock!(Client::describe_stack_events).then_output(|| events(vec![]));
    let delete = delete_stack();
    (describe, stack_events, delete)
}

#[tokio::test]
async fn a_stack_stuck_in_review_in_progress_is_deleted_after_confirmation_then_created() {
    let (describe, stack_events, delete) = review_in_progress_rules();
    let (create, ready, exec) = (create_change_set(), ready_change_set(), execute());
    let run = deploy(client(&[&describe, &stack_events, &delete, &create, &ready, &exec]), Answer::Yes).await;

    assert_eq!(run.report.outcome, Outcome::Created, "{:?}", run.report.error);
    assert_eq!((delete.num_calls(), create.num_calls(), exec.num_calls()), (1, 1, 1));
}

#[tokio::test]
async fn a_stack_stuck_in_review_in_progress_is_left_alone_without_confirmation() {
    let (describe, stack_events, delete) = review_in_progress_rules();
    let create = create_change_set();
    let run = deploy(client(&[&describe, &stack_events, &delete, &create]), Answer::Unavailable).await;

    assert!(matches!(run.report.error, Some(DeployError::ApprovalImpossible { .. })), "{:?}", run.report.error);
    assert_eq!((delete.num_calls(), create.num_calls()), (0, 0));
}

#[tokio::test]
async fn broadening_changes_are_not_executed_when_refused() {
    let describe = mock!(Client::describe_stacks).sequence().error(not_found).build();
    let iam = mock!(Client::describe_change_set).then_output(|| {
        DescribeChangeSetOutput::builder()
            .status(ChangeSetStatus::CreateComplete)
            .execution_status(ExecutionStatus::Available)
            .changes(change("Add", "Role", "AWS::IAM::Role"))
            .build()
    });
    let delete = delete_stack();
    let (create, exec) = (create_change_set(), execute());
    let run = deploy(client(&[&describe, &iam, &delete, &create, &exec]), Answer::No).await;

    assert!(matches!(run.report.error, Some(DeployError::NotApproved { .. })), "{:?}", run.report.error);
    assert_eq!(exec.num_calls(), 0);
    assert_eq!(delete.num_calls(), 1, "the empty REVIEW_IN_PROGRESS stack of the change set is removed");
}

#[tokio::test]
async fn an_update_that_stops_the_host_is_asked_and_not_executed_when_refused() {
    let describe = mock!(Client::describe_stacks).then_output(|| stack("UPDATE_COMPLETE", "old"));
    let user_data = mock!(Client::describe_change_set).then_output(|| {
        let target = aws_sdk_cloudformation::types::ResourceTargetDefinition::builder()
            .attribute(aws_sdk_cloudformation::types::ResourceAttribute::Properties)
            .name("UserData")
            .requires_recreation(aws_sdk_cloudformation::types::RequiresRecreation::Never)
            .build();
        let host = ResourceChange::builder()
            .action(ChangeAction::Modify)
            .logical_resource_id("Host")
            .resource_type("AWS::EC2::Instance")
            .replacement(aws_sdk_cloudformation::types::Replacement::False)
            .details(aws_sdk_cloudformation::types::ResourceChangeDetail::builder().target(target).build())
            .build();
        DescribeChangeSetOutput::builder()
            .status(ChangeSetStatus::CreateComplete)
            .execution_status(ExecutionStatus::Available)
            .changes(Change::builder().resource_change(host).build())
            .build()
    });
    let discard = mock!(Client::delete_change_set).then_output(|| DeleteChangeSetOutput::builder().build());
    let (create, exec) = (create_change_set(), execute());
    let run = deploy(client(&[&describe, &user_data, &discard, &create, &exec]), Answer::No).await;

    match &run.report.error {
        Some(DeployError::NotApproved { what, .. }) => {
            assert!(what.contains("stops and starts AWS::EC2::Instance Host (UserData)"), "{what}")
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(exec.num_calls(), 0, "a stop the user did not approve is never started");
    assert_eq!(discard.num_calls(), 1, "the refused change set is deleted");
}

struct Destroyed {
    report: super::report::DestroyReport,
    events: Vec<ProgressEvent>,
}

async fn destroy(client: Client, retain_failed: bool) -> Destroyed {
    destroy_cancelling(client, retain_failed, false).await
}

async fn destroy_cancelling(client: Client, retain_failed: bool, cancel_update: bool) -> Destroyed {
    let (interrupt, _handle) = Interrupt::new();
    let reporter = Arc::new(RecordingReporter::default());
    let destroyer = Destroyer {
        clients: CfnClients::single(client, ["eu-west-1"]),
        ec2: Default::default(),
        reporter: reporter.clone(),
        approver: Arc::new(Fixed(Answer::Yes)),
        interrupt,
        tuning: tuning(),
        concurrency: 4,
        retain_failed,
        cancel_update,
        orphans: Vec::new(),
        kept: Vec::new(),
        unjoin: None,
        skip_unjoin: false,
        final_backup: None,
        backups_kept: None,
    };
    let assembly = constructs::core::CloudAssembly { stacks: vec![artifact()] };
    let selected = [NAME.to_string()];
    let run = destroyer.destroy_all(&assembly, &selected);
    let report = tokio::time::timeout(Duration::from_secs(60), run).await.expect("destroy ended").unwrap();
    Destroyed { report, events: reporter.events() }
}

#[tokio::test]
async fn destroying_a_stack_that_does_not_exist_counts_as_done() {
    let describe = mock!(Client::describe_stacks).then_error(not_found);
    let delete = delete_stack();
    let Destroyed { report, .. } = destroy(client(&[&describe, &delete]), false).await;

    assert!(report.ok(), "{:?}", report.stacks[0].error);
    assert_eq!(report.stacks[0].outcome, Deletion::Absent);
    assert_eq!(delete.num_calls(), 0);
}

#[tokio::test]
async fn ctrl_c_while_executing_reports_the_running_change_set_and_how_to_resume_or_cancel() {
    let describe = absent_then("CREATE_IN_PROGRESS");
    let stack_events = mock!(Client::describe_stack_events).then_output(|| {
        events(vec![event("1", NAME, "AWS::CloudFormation::Stack", "CREATE_IN_PROGRESS", Some("User Initiated"))])
    });
    let (create, ready, exec) = (create_change_set(), ready_change_set(), execute());
    let delete = delete_stack();
    let rules = [&describe, &stack_events, &create, &ready, &exec, &delete];
    let run = deploy_pressing_ctrl_c(client(&rules), Answer::Yes, Some(&describe)).await;

    assert_eq!(run.report.outcome, Outcome::Failed);
    let Some(DeployError::Interrupted { detail, .. }) = &run.report.error else {
        panic!("expected an interrupt, got {:?}", run.report.error)
    };
    assert!(
        detail.contains("the change set is still executing in CloudFormation (status CREATE_IN_PROGRESS)"),
        "{detail}"
    );
    assert!(detail.contains("run `karmada-eks deploy` again"), "{detail}");
    assert!(detail.contains("karmada-eks destroy --exclusively net"), "{detail}");
    assert_eq!(exec.num_calls(), 1, "the change set was executed once");
    assert_eq!(delete.num_calls(), 0, "an executing stack is left to CloudFormation, not deleted");
}

#[tokio::test]
async fn ctrl_c_before_executing_deletes_the_change_set_and_changes_nothing() {
    let describe = mock!(Client::describe_stacks).then_error(not_found);
    let pending = mock!(Client::describe_change_set).then_output(|| {
        DescribeChangeSetOutput::builder()
            .status(ChangeSetStatus::CreatePending)
            .creation_time(DateTime::from(SystemTime::now()))
            .build()
    });
    let (create, exec) = (create_change_set(), execute());
    let delete = delete_stack();
    let rules = [&describe, &pending, &create, &exec, &delete];
    let run = deploy_pressing_ctrl_c(client(&rules), Answer::Yes, Some(&pending)).await;

    let Some(DeployError::Interrupted { detail, .. }) = &run.report.error else {
        panic!("expected an interrupt, got {:?}", run.report.error)
    };
    assert!(
        detail.contains("stopped before executing; the change set was deleted and nothing was changed"),
        "{detail}"
    );
    assert_eq!(exec.num_calls(), 0);
    assert_eq!(delete.num_calls(), 1, "the REVIEW_IN_PROGRESS stack of a new stack's change set is removed");
}

// Issue 16, item 4: a change set is executed when the template or parameters differ, whatever its change count.
#[tokio::test]
async fn a_ready_change_set_without_resource_changes_is_executed_with_tokens_on_both_calls() {
    let describe = updated_stack();
    let outputs_only = mock!(Client::describe_change_set).then_output(|| {
        DescribeChangeSetOutput::builder()
            .status(ChangeSetStatus::CreateComplete)
            .execution_status(ExecutionStatus::Available)
            .build()
    });
    let stack_events = update_events();
    let create = mock!(Client::create_change_set)
        .match_requests(|r| r.client_token().is_some_and(|t| t.starts_with("karmada-eks-create-")))
        .then_output(|| CreateChangeSetOutput::builder().id("cs-1").stack_id(STACK_ID).build());
    let exec = mock!(Client::execute_change_set)
        .match_requests(|r| {
            r.client_request_token().is_some_and(|t| t.starts_with("karmada-eks-deploy-"))
                && record_operation(r.client_request_token())
        })
        .then_output(|| ExecuteChangeSetOutput::builder().build());
    let delete = mock!(Client::delete_change_set).then_output(|| DeleteChangeSetOutput::builder().build());
    let run = deploy(client(&[&describe, &outputs_only, &stack_events, &create, &exec, &delete]), Answer::Yes).await;

    assert_eq!(run.report.outcome, Outcome::Updated, "{:?}", run.report.error);
    assert_eq!((create.num_calls(), exec.num_calls(), delete.num_calls()), (1, 1, 0));
}

#[tokio::test]
async fn a_change_set_that_cannot_be_executed_is_deleted_not_executed() {
    let describe = mock!(Client::describe_stacks).then_output(|| stack("UPDATE_COMPLETE", "old"));
    let obsolete = mock!(Client::describe_change_set).then_output(|| {
        DescribeChangeSetOutput::builder()
            .status(ChangeSetStatus::CreateComplete)
            .execution_status(ExecutionStatus::Obsolete)
            .changes(change("Modify", "Topic", "AWS::SNS::Topic"))
            .build()
    });
    let delete = mock!(Client::delete_change_set).then_output(|| DeleteChangeSetOutput::builder().build());
    let (create, exec) = (create_change_set(), execute());
    let run = deploy(client(&[&describe, &obsolete, &delete, &create, &exec]), Answer::Yes).await;

    let Some(DeployError::ChangeSetFailed { reason, .. }) = &run.report.error else { panic!("{:?}", run.report.error) };
    assert!(reason.contains("ExecutionStatus OBSOLETE, not AVAILABLE"), "{reason}");
    assert_eq!((exec.num_calls(), delete.num_calls()), (0, 1));
}

#[tokio::test]
async fn a_failed_change_set_of_a_new_stack_removes_its_review_in_progress_stack() {
    let describe = mock!(Client::describe_stacks).then_error(not_found);
    let failed = mock!(Client::describe_change_set).then_output(|| {
        DescribeChangeSetOutput::builder()
            .status(ChangeSetStatus::Failed)
            .status_reason("Parameter validation failed: parameter value ami-0 for parameter name HostImageId does not exist. Rollback requested by user.")
            .build()
    });
    let delete = delete_stack();
    let (create, exec) = (create_change_set(), execute());
    let run = deploy(client(&[&describe, &failed, &delete, &create, &exec]), Answer::Yes).await;

    assert!(
        matches!(&run.report.error, Some(DeployError::ChangeSetFailed { reason, .. }) if reason.contains("HostImageId"))
    );
    assert_eq!((exec.num_calls(), delete.num_calls()), (0, 1), "the empty REVIEW_IN_PROGRESS stack is deleted");
}

// Issue 16, item 3: only this operation's events, by client request token; the stack's own failure reason.
#[tokio::test]
async fn failures_are_this_operations_only_and_a_stale_finished_status_is_not_its_end() {
    let describe = mock!(Client::describe_stacks)
        .sequence()
        .output(|| stack("UPDATE_COMPLETE", "old"))
        .output(|| stack("UPDATE_COMPLETE", "old"))
        .output(|| stack("UPDATE_ROLLBACK_IN_PROGRESS", "old"))
        .output(|| stack("UPDATE_ROLLBACK_COMPLETE", "old"))
        .repeatedly()
        .build();
    let earlier = || {
        event_of("karmada-eks-deploy-earlier", "0", "Queue", "AWS::SQS::Queue", "UPDATE_FAILED", Some("an old failure"))
    };
    let stack_events = mock!(Client::describe_stack_events)
        .sequence()
        .output(move || events(vec![earlier()]))
        .output(move || {
            events(vec![
                earlier(),
                event("1", NAME, "AWS::CloudFormation::Stack", "UPDATE_IN_PROGRESS", Some("User Initiated")),
                event("2", "Topic", "AWS::SNS::Topic", "UPDATE_FAILED", Some("Invalid parameter: DisplayName")),
                event(
                    "3",
                    NAME,
                    "AWS::CloudFormation::Stack",
                    "UPDATE_ROLLBACK_IN_PROGRESS",
                    Some("The following resource(s) failed to update: [Topic]. "),
                ),
                event("4", NAME, "AWS::CloudFormation::Stack", "UPDATE_ROLLBACK_COMPLETE", None),
            ])
        })
        .repeatedly()
        .build();
    let (create, ready, exec) = (create_change_set(), ready_change_set(), execute());
    let run = deploy(client(&[&describe, &stack_events, &create, &ready, &exec]), Answer::Yes).await;

    assert_eq!(run.report.outcome, Outcome::Failed, "the UPDATE_COMPLETE from before the execution is not its end");
    assert_eq!(run.report.status.as_deref(), Some("UPDATE_ROLLBACK_COMPLETE"));
    let ids: Vec<&str> = run.report.failures.iter().map(|f| f.logical_id.as_str()).collect();
    assert_eq!(ids, vec!["Topic"], "the earlier operation's failure is not reported: {:?}", run.report.failures);
}

// Issue 16, item 5: a stack gone after DELETE_IN_PROGRESS is a stack to create.
#[tokio::test]
async fn a_stack_being_deleted_is_created_once_it_is_gone() {
    let describe = first_gone_then_created("DELETE_IN_PROGRESS");
    let stack_events = mock!(Client::describe_stack_events)
        .then_output(|| events(vec![event("1", NAME, "AWS::CloudFormation::Stack", "CREATE_COMPLETE", None)]));
    let (create, ready, exec) = (create_change_set(), ready_change_set(), execute());
    let run = deploy(client(&[&describe, &stack_events, &create, &ready, &exec]), Answer::Yes).await;

    assert_eq!(run.report.outcome, Outcome::Created, "{:?}", run.report.error);
    assert_eq!((create.num_calls(), exec.num_calls()), (1, 1));
}

// Issue 16, item 2: CloudFormation refuses DeleteStack while an update runs; destroy waits for it first.
#[tokio::test]
async fn destroy_waits_for_a_running_update_before_deleting() {
    let describe = mock!(Client::describe_stacks)
        .sequence()
        .output(|| stack("UPDATE_IN_PROGRESS", "old"))
        .times(2)
        .output(|| stack("UPDATE_COMPLETE_CLEANUP_IN_PROGRESS", "old"))
        .output(|| stack("UPDATE_COMPLETE", "old"))
        .times(2)
        .output(|| stack("DELETE_IN_PROGRESS", "old"))
        .error(not_found)
        .repeatedly()
        .build();
    let stack_events = deletion_started(NAME);
    let calls = describe.clone();
    let refused = mock!(Client::delete_stack).match_requests(move |_| calls.num_calls() < 5).then_error(|| {
        aws_sdk_cloudformation::operation::delete_stack::DeleteStackError::generic(
            ErrorMetadata::builder()
                .code("ValidationError")
                .message(format!("Stack [{STACK_ID}] cannot be deleted while in status UPDATE_IN_PROGRESS"))
                .build(),
        )
    });
    let delete = delete_stack();
    let Destroyed { report, events } = destroy(client(&[&describe, &stack_events, &refused, &delete]), false).await;

    assert_eq!(report.stacks[0].outcome, Deletion::Deleted, "{:?}", report.stacks[0].error);
    assert_eq!((refused.num_calls(), delete.num_calls()), (0, 1));
    assert!(
        events.iter().any(|e| matches!(e, ProgressEvent::Note { message, .. }
        if message.contains("waiting for the running operation (UPDATE_IN_PROGRESS)"))),
        "{events:?}"
    );
}

// Issue 16, item 3: a deletion stopped by an export in use goes back to UPDATE_COMPLETE with the reason.
#[tokio::test]
async fn destroy_blocked_by_an_export_in_use_reports_the_stack_reason_not_old_failures() {
    let reason =
        "Export karmada-cluster:ManagementRoleArn cannot be deleted as it is in use by karmada-member-access-us-east-1";
    let describe = mock!(Client::describe_stacks)
        .sequence()
        .output(|| stack("UPDATE_COMPLETE", "old"))
        .output(|| stack("DELETE_IN_PROGRESS", "old"))
        .output(move || stack_because("UPDATE_COMPLETE", "old", Some(reason)))
        .repeatedly()
        .build();
    let stack_events = mock!(Client::describe_stack_events).then_output(|| {
        events(vec![
            event_of("earlier", "0", "Queue", "AWS::SQS::Queue", "CREATE_FAILED", Some("an old failure")),
            event("1", NAME, "AWS::CloudFormation::Stack", "DELETE_IN_PROGRESS", Some("User Initiated")),
        ])
    });
    let delete = delete_stack();
    let Destroyed { report, .. } = destroy(client(&[&describe, &stack_events, &delete]), false).await;

    let deletion = &report.stacks[0];
    assert_eq!(deletion.outcome, Deletion::Failed);
    assert!(deletion.failures.is_empty(), "old failures are not this deletion's: {:?}", deletion.failures);
    let error = rendered(deletion.error.as_ref().unwrap());
    assert!(error.contains("in use by karmada-member-access-us-east-1"), "{error}");
}

fn failed_bucket() -> aws_sdk_cloudformation::operation::list_stack_resources::ListStackResourcesOutput {
    aws_sdk_cloudformation::operation::list_stack_resources::ListStackResourcesOutput::builder()
        .stack_resource_summaries(
            aws_sdk_cloudformation::types::StackResourceSummary::builder()
                .logical_resource_id("Bucket")
                .physical_resource_id("karmada-flow-logs-123")
                .resource_type("AWS::S3::Bucket")
                .resource_status(ResourceStatus::DeleteFailed)
                .resource_status_reason("The bucket you tried to delete is not empty")
                .last_updated_timestamp(DateTime::from(SystemTime::now()))
                .build(),
        )
        .stack_resource_summaries(
            aws_sdk_cloudformation::types::StackResourceSummary::builder()
                .logical_resource_id("Topic")
                .resource_type("AWS::SNS::Topic")
                .resource_status(ResourceStatus::DeleteComplete)
                .last_updated_timestamp(DateTime::from(SystemTime::now()))
                .build(),
        )
        .build()
}

// Issue 16, item 6: DELETE_FAILED names the resources and offers RetainResources; --retain-failed lists them.
#[tokio::test]
async fn delete_failed_names_the_resources_and_retain_failed_deletes_the_stack_keeping_them() {
    let describe = mock!(Client::describe_stacks)
        .sequence()
        .output(|| stack("UPDATE_COMPLETE", "old"))
        .output(|| stack("DELETE_IN_PROGRESS", "old"))
        .output(|| {
            stack_because("DELETE_FAILED", "old", Some("The following resource(s) failed to delete: [Bucket]. "))
        })
        .repeatedly()
        .build();
    let stack_events = mock!(Client::describe_stack_events).then_output(|| {
        events(vec![
            event("1", NAME, "AWS::CloudFormation::Stack", "DELETE_IN_PROGRESS", Some("User Initiated")),
            event(
                "2",
                "Bucket",
                "AWS::S3::Bucket",
                "DELETE_FAILED",
                Some("The bucket you tried to delete is not empty"),
            ),
            event(
                "3",
                NAME,
                "AWS::CloudFormation::Stack",
                "DELETE_FAILED",
                Some("The following resource(s) failed to delete: [Bucket]. "),
            ),
        ])
    });
    let resources = mock!(Client::list_stack_resources).then_output(failed_bucket);
    let delete = delete_stack();
    let Destroyed { report, .. } = destroy(client(&[&describe, &stack_events, &resources, &delete]), false).await;

    let deletion = &report.stacks[0];
    let error = rendered(deletion.error.as_ref().unwrap());
    assert!(error.contains("resources that failed to delete: Bucket (AWS::S3::Bucket)"), "{error}");
    assert!(error.contains("karmada-eks destroy --retain-failed --exclusively net"), "{error}");
    let reasons: Vec<&str> = deletion.failures.iter().filter_map(|f| f.reason.as_deref()).collect();
    assert!(
        reasons.contains(&"The following resource(s) failed to delete: [Bucket]. "),
        "the stack's own reason: {reasons:?}"
    );

    let describe = mock!(Client::describe_stacks)
        .sequence()
        .output(|| stack("DELETE_FAILED", "old"))
        .output(|| stack("DELETE_IN_PROGRESS", "old"))
        .error(not_found)
        .repeatedly()
        .build();
    let stack_events = deletion_started(NAME);
    let resources = mock!(Client::list_stack_resources).then_output(failed_bucket);
    let retaining = mock!(Client::delete_stack)
        .match_requests(|r| {
            r.retain_resources() == ["Bucket".to_string()] && record_operation(r.client_request_token())
        })
        .then_output(|| DeleteStackOutput::builder().build());
    let Destroyed { report, .. } = destroy(client(&[&describe, &stack_events, &resources, &retaining]), true).await;

    let deletion = &report.stacks[0];
    assert_eq!(deletion.outcome, Deletion::Deleted, "{:?}", deletion.error);
    assert_eq!(retaining.num_calls(), 1);
    assert_eq!(deletion.retained.len(), 1);
    assert_eq!(deletion.retained[0].physical_id.as_deref(), Some("karmada-flow-logs-123"));
}

// Issue 16, item 1: stacks that left the app.
const ORPHAN: &str = "karmada-member-access-us-east-1";
const ORPHAN_ID: &str = "arn:aws:cloudformation:eu-west-1:123456789012:stack/karmada-member-access-us-east-1/2";

type Log = Arc<std::sync::Mutex<Vec<String>>>;

fn log(log: &Log, line: String) -> bool {
    log.lock().unwrap().push(line);
    true
}

/// The unjoin hook as a recording fake.
struct RecordingUnjoin {
    log: Log,
    fails: bool,
}

impl super::unjoin::MemberUnjoin for RecordingUnjoin {
    fn unjoin<'a>(&'a self, members: &'a [String]) -> super::unjoin::UnjoinFuture<'a> {
        Box::pin(async move {
            log(&self.log, format!("unjoin {}", members.join(" ")));
            if self.fails {
                return Err(DeployError::Aws(super::error::AwsError {
                    operation: "SendCommand",
                    kind: AwsErrorKind::Other,
                    code: Some("InvalidInstanceId".into()),
                    message: "Instances not in a valid state for account".into(),
                    request_id: None,
                }));
            }
            Ok(super::unjoin::Unjoined::Unjoined)
        })
    }
}

fn orphan() -> StackArtifact {
    testing::stack(
        ORPHAN,
        "eu-west-1",
        json!({"Resources": {"Eksuscl01AccessEntryF3D80FD2": {
            "Type": "AWS::EKS::AccessEntry",
            "Properties": {"ClusterName": "eksuscl01"},
            "Metadata": {"aws:cdk:path": "karmada-member-access-us-east-1/eksuscl01/AccessEntry"}
        }}}),
        &[],
    )
}

fn orphan_stack(status: &str) -> DescribeStacksOutput {
    described(ORPHAN_ID, ORPHAN, status)
}

/// DescribeStacks of one stack `name` (`id`) in `status`.
fn described(id: &str, name: &str, status: &str) -> DescribeStacksOutput {
    DescribeStacksOutput::builder()
        .stacks(
            Stack::builder()
                .stack_id(id)
                .stack_name(name)
                .stack_status(StackStatus::from(status))
                .creation_time(DateTime::from(SystemTime::now()))
                .build(),
        )
        .build()
}

/// Rules for one orphan that is deleted and one stack `net` that is unchanged, logging the order of the calls.
fn orphan_rules(calls: &Log) -> Vec<Rule> {
    let sha = artifact().template_sha256;
    let l = calls.clone();
    let net = mock!(Client::describe_stacks)
        .match_requests(move |r| r.stack_name() == Some(NAME) && log(&l, "describe net".into()))
        .then_output(move || stack("UPDATE_COMPLETE", &sha));
    let gone = mock!(Client::describe_stacks)
        .match_requests(|r| matches!(r.stack_name(), Some(ORPHAN) | Some(ORPHAN_ID)))
        .sequence()
        .output(|| orphan_stack("UPDATE_COMPLETE"))
        .output(|| orphan_stack("DELETE_IN_PROGRESS"))
        .error(not_found)
        .repeatedly()
        .build();
    let stack_events = deletion_started(ORPHAN);
    let l = calls.clone();
    let delete = mock!(Client::delete_stack)
        .match_requests(move |r| {
            log(&l, format!("delete {}", r.stack_name().unwrap_or_default()))
                && record_operation(r.client_request_token())
        })
        .then_output(|| DeleteStackOutput::builder().build());
    vec![net, gone, stack_events, delete]
}

async fn deploy_removing(rules: &[Rule], unjoin: RecordingUnjoin) -> super::report::DeployReport {
    deploy_net_with(rules, vec![orphan()], Vec::new(), Arc::new(unjoin)).await
}

/// Deploys the stack `net` of an assembly that also holds `others`, removing `orphans` first.
async fn deploy_net_with(
    rules: &[Rule],
    orphans: Vec<StackArtifact>,
    others: Vec<StackArtifact>,
    unjoin: Arc<dyn super::unjoin::MemberUnjoin>,
) -> super::report::DeployReport {
    let refs: Vec<&Rule> = rules.iter().collect();
    let (interrupt, _handle) = Interrupt::new();
    let options = DeployOptions { tuning: tuning(), ..DeployOptions::default() };
    let deployer = Deployer::new(
        CfnClients::single(client(&refs), ["eu-west-1"]),
        Arc::new(RecordingReporter::default()),
        Arc::new(Fixed(Answer::Yes)),
        interrupt,
        options,
    )
    .removing(super::inventory::Leftovers { orphans, ..Default::default() }, Some(unjoin));
    let mut stacks = vec![artifact()];
    stacks.extend(others);
    let assembly = constructs::core::CloudAssembly { stacks };
    tokio::time::timeout(Duration::from_secs(60), deployer.deploy_all(&assembly, &[NAME.to_string()]))
        .await
        .expect("deploy ended")
}

#[tokio::test]
async fn deploy_unjoins_the_members_of_a_stack_that_left_the_app_deletes_it_then_deploys_the_rest() {
    let calls: Log = Default::default();
    let report = deploy_removing(&orphan_rules(&calls), RecordingUnjoin { log: calls.clone(), fails: false }).await;

    assert!(report.ok(), "{:?}", report.errors().collect::<Vec<_>>());
    assert_eq!(report.removed[0].outcome, Deletion::Deleted);
    assert_eq!(
        *calls.lock().unwrap(),
        vec!["unjoin eksuscl01".to_string(), format!("delete {ORPHAN_ID}"), "describe net".into()]
    );
}

#[tokio::test]
async fn a_failed_unjoin_keeps_the_access_stack_and_deploys_nothing() {
    let calls: Log = Default::default();
    let report = deploy_removing(&orphan_rules(&calls), RecordingUnjoin { log: calls.clone(), fails: true }).await;

    assert!(!report.ok());
    let error = rendered(report.removed[0].error.as_ref().unwrap());
    assert!(error.contains("its members eksuscl01 could not be unjoined"), "{error}");
    assert_eq!(report.stacks[0].outcome, Outcome::NotStarted);
    assert_eq!(*calls.lock().unwrap(), vec!["unjoin eksuscl01".to_string()], "no deletion, no deploy");
}

/// Issue 22: a region shrinks back from two access stacks to one. The orphan (part `-2` that left) holds the
/// entries of `eksa` (leaving the app) and `eksb` (moved into the base stack, which the assembly has): only `eksa`
/// is unjoined, as the in-place path does.
#[tokio::test]
async fn removing_a_part_that_left_unjoins_only_the_members_no_stack_of_the_assembly_keeps() {
    let calls: Log = Default::default();
    let entry = |m: &str| json!({"Type": "AWS::EKS::AccessEntry", "Metadata": {"aws:cdk:path": format!("{ORPHAN}/{m}/AccessEntry")}});
    let part = testing::stack(ORPHAN, "eu-west-1", json!({"Resources": {"A": entry("eksa"), "B": entry("eksb")}}), &[]);
    let base = testing::stack("base", "eu-west-1", json!({"Resources": {"B": entry("eksb")}}), &[]);
    let unjoin = RecordingUnjoin { log: calls.clone(), fails: false };
    let report = deploy_net_with(&orphan_rules(&calls), vec![part], vec![base], Arc::new(unjoin)).await;

    assert!(report.ok(), "{:?}", report.errors().collect::<Vec<_>>());
    assert_eq!(
        *calls.lock().unwrap(),
        vec!["unjoin eksa".to_string(), format!("delete {ORPHAN_ID}"), "describe net".into()]
    );
}

/// A deletion is asked whatever the approval policy: without a terminal and without `--yes`, `--require-approval
/// never` deletes nothing and says to pass --yes.
#[tokio::test]
async fn removing_a_stack_that_left_is_asked_even_with_require_approval_never() {
    let calls: Log = Default::default();
    let rules = orphan_rules(&calls);
    let refs: Vec<&Rule> = rules.iter().collect();
    let (interrupt, _handle) = Interrupt::new();
    let options = DeployOptions { tuning: tuning(), approval: ApprovalPolicy::Never, ..DeployOptions::default() };
    let reporter = Arc::new(RecordingReporter::default());
    let deployer = Deployer::new(
        CfnClients::single(client(&refs), ["eu-west-1"]),
        reporter.clone(),
        Arc::new(Fixed(Answer::Unavailable)),
        interrupt,
        options,
    )
    .removing(super::inventory::Leftovers { orphans: vec![orphan()], ..Default::default() }, None);
    let assembly = constructs::core::CloudAssembly { stacks: vec![artifact()] };
    let report = deployer.deploy_all(&assembly, &[NAME.to_string()]).await;

    let error = rendered(report.removed[0].error.as_ref().unwrap());
    assert!(error.contains("needs confirmation, but there is no terminal"), "{error}");
    assert!(error.contains("hint: pass --yes"), "{error}");
    assert!(calls.lock().unwrap().is_empty(), "nothing deleted, nothing deployed");
    assert!(reporter.events().iter().any(|e| matches!(e, ProgressEvent::Note { message, .. }
        if message == "left the app: the stack is deleted after unjoining eksuscl01")));
}

/// A destroyer in eu-west-1 that says yes, with `orphans` and `unjoin` (keep the handle while it runs).
fn destroyer_with(
    client: Client,
    reporter: Arc<RecordingReporter>,
    orphans: Vec<StackArtifact>,
    unjoin: RecordingUnjoin,
    skip_unjoin: bool,
) -> (Destroyer, super::interrupt::InterruptHandle) {
    let (interrupt, handle) = Interrupt::new();
    let destroyer = Destroyer {
        clients: CfnClients::single(client, ["eu-west-1"]),
        ec2: Default::default(),
        reporter,
        approver: Arc::new(Fixed(Answer::Yes)),
        interrupt,
        tuning: tuning(),
        concurrency: 4,
        retain_failed: false,
        cancel_update: false,
        orphans,
        kept: Vec::new(),
        unjoin: Some(Arc::new(unjoin)),
        skip_unjoin,
        final_backup: None,
        backups_kept: None,
    };
    (destroyer, handle)
}

/// Destroys the stack `net` and the orphan (a member-access stack holding eksuscl01's access entry), with `unjoin`
/// as the hook: the result, the progress events and the calls in order.
async fn destroy_with_orphan(
    unjoin: RecordingUnjoin,
    skip_unjoin: bool,
) -> (Result<super::report::DestroyReport, DeployError>, Vec<ProgressEvent>, Vec<String>) {
    destroy_net_and_orphan(unjoin, skip_unjoin, None).await
}

/// Destroys `net` and the orphan with `unjoin` and the final-backup hook `backup` (for the stack `net`, which
/// stands for the management stack), the backup stack kept: the result, the progress events and the calls.
async fn destroy_net_and_orphan(
    unjoin: RecordingUnjoin,
    skip_unjoin: bool,
    backup: Option<bool>,
) -> (Result<super::report::DestroyReport, DeployError>, Vec<ProgressEvent>, Vec<String>) {
    let calls = unjoin.log.clone();
    let net = mock!(Client::describe_stacks)
        .match_requests(move |r| matches!(r.stack_name(), Some(NAME) | Some(STACK_ID)))
        .sequence()
        .output(|| stack("UPDATE_COMPLETE", "old"))
        .output(|| stack("DELETE_IN_PROGRESS", "old"))
        .error(not_found)
        .repeatedly()
        .build();
    let mut rules = orphan_rules(&calls);
    rules.remove(0);
    rules.push(net);
    let refs: Vec<&Rule> = rules.iter().collect();
    let reporter = Arc::new(RecordingReporter::default());
    let (mut destroyer, _handle) = destroyer_with(client(&refs), reporter.clone(), vec![orphan()], unjoin, skip_unjoin);
    if let Some(fails) = backup {
        destroyer.final_backup = Some((NAME.to_string(), Arc::new(RecordingBackup { log: calls.clone(), fails })));
        destroyer.backups_kept = Some("karmada-backup".into());
    }
    let assembly = constructs::core::CloudAssembly { stacks: vec![artifact()] };
    let result = destroyer.destroy_all(&assembly, &[NAME.to_string()]).await;
    let calls = calls.lock().unwrap().clone();
    (result, reporter.events(), calls)
}

#[tokio::test]
async fn destroy_unjoins_the_members_then_deletes_a_stack_the_assembly_no_longer_has_before_the_others() {
    let unjoin = RecordingUnjoin { log: Default::default(), fails: false };
    let (report, _, calls) = destroy_with_orphan(unjoin, false).await;
    let report = report.unwrap();

    assert!(report.ok(), "{:?}", report.errors().collect::<Vec<_>>());
    let names: Vec<&str> = report.stacks.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, vec![ORPHAN, NAME]);
    assert_eq!(report.unjoined, ["eksuscl01"]);
    assert_eq!(calls, ["unjoin eksuscl01".to_string(), format!("delete {ORPHAN_ID}"), format!("delete {STACK_ID}")]);
}

/// A member that cannot be unjoined stops destroy before any deletion: the host still runs, so the cause can be
/// fixed and destroy run again; the error names `--skip-unjoin` and what it would leave.
#[tokio::test]
async fn a_failed_unjoin_stops_destroy_before_anything_is_deleted() {
    let unjoin = RecordingUnjoin { log: Default::default(), fails: true };
    let (result, _, calls) = destroy_with_orphan(unjoin, false).await;

    let error = rendered(&result.unwrap_err());
    assert!(
        error.starts_with("members eksuscl01 could not be unjoined from Karmada, so nothing was deleted"),
        "{error}"
    );
    assert!(error.contains("karmada-eks destroy --skip-unjoin"), "{error}");
    assert_eq!(calls, ["unjoin eksuscl01"], "no deletion");
}

#[tokio::test]
async fn skip_unjoin_deletes_without_unjoining_and_says_what_stays() {
    let unjoin = RecordingUnjoin { log: Default::default(), fails: false };
    let (report, events, calls) = destroy_with_orphan(unjoin, true).await;

    assert!(report.unwrap().unjoined.is_empty());
    assert_eq!(calls, [format!("delete {ORPHAN_ID}"), format!("delete {STACK_ID}")]);
    assert!(
        events.iter().any(|e| matches!(e, ProgressEvent::Note { stack, message }
            if stack == ORPHAN && message.starts_with("not unjoining eksuscl01 (--skip-unjoin)"))),
        "{events:?}"
    );
}

struct RecordingBackup {
    log: Log,
    fails: bool,
}

impl super::destroy::FinalBackup for RecordingBackup {
    fn backup(&self) -> super::destroy::BackupFuture<'_> {
        Box::pin(async move {
            log(&self.log, "backup final".into());
            if self.fails {
                return Err(DeployError::OnHost {
                    message: "FAILED backup: no etcd pod of karmada-system is Ready".into(),
                    hints: Vec::new(),
                });
            }
            Ok(Some("s3://b/backups/20261203T160000Z-final.tgz".into()))
        })
    }
}

#[tokio::test]
async fn destroy_backs_karmada_up_before_it_unjoins_or_deletes_anything_and_keeps_the_backups() {
    let (report, events, calls) =
        destroy_net_and_orphan(RecordingUnjoin { log: Default::default(), fails: false }, false, Some(false)).await;
    let report = report.unwrap();
    assert!(report.ok());
    assert_eq!(
        calls,
        [
            "backup final".to_string(),
            "unjoin eksuscl01".into(),
            format!("delete {ORPHAN_ID}"),
            format!("delete {STACK_ID}")
        ]
    );
    assert_eq!(report.final_backup.as_deref(), Some("s3://b/backups/20261203T160000Z-final.tgz"));
    assert_eq!(report.backups_kept.as_deref(), Some("karmada-backup"));
    assert!(events.iter().any(|e| matches!(e, ProgressEvent::Note { message, .. }
        if message.starts_with("kept: Karmada's backups (the S3 bucket of stack karmada-backup"))));
}

#[tokio::test]
async fn a_failed_final_backup_stops_destroy_before_anything_is_unjoined_or_deleted() {
    let (result, _, calls) =
        destroy_net_and_orphan(RecordingUnjoin { log: Default::default(), fails: false }, false, Some(true)).await;
    let error = rendered(&result.unwrap_err());
    assert!(error.starts_with("the final backup of Karmada failed, so nothing was deleted: FAILED backup"), "{error}");
    assert!(error.contains("karmada-eks destroy --no-final-backup"), "{error}");
    assert_eq!(calls, ["backup final"]);
}

/// An access stack of the assembly: the members come from its deployed template, which holds `eksb` as well (the
/// config dropped it after the last deploy), not from the synthesized one.
#[tokio::test]
async fn destroy_unjoins_the_members_of_the_deployed_access_template() {
    const ACCESS: &str = "karmada-member-access-eu-west-1";
    const ACCESS_ID: &str = "arn:aws:cloudformation:eu-west-1:123456789012:stack/karmada-member-access-eu-west-1/3";
    let entry = |m: &str| json!({"Type": "AWS::EKS::AccessEntry", "Metadata": {"aws:cdk:path": format!("{ACCESS}/{m}/AccessEntry")}});
    let mut access = testing::stack(ACCESS, "eu-west-1", json!({"Resources": {"A": entry("eksa")}}), &[]);
    access.tags.insert(constructs::karmada::wellknown::TAG_APP.into(), "karmada".into());
    let deployed = json!({"Resources": {"A": entry("eksa"), "B": entry("eksb")}});
    let describe = mock!(Client::describe_stacks)
        .sequence()
        .output(|| described(ACCESS_ID, ACCESS, "UPDATE_COMPLETE"))
        .output(|| described(ACCESS_ID, ACCESS, "UPDATE_COMPLETE"))
        .output(|| described(ACCESS_ID, ACCESS, "DELETE_IN_PROGRESS"))
        .error(not_found)
        .repeatedly()
        .build();
    let template = mock!(Client::get_template).then_output(move || {
        aws_sdk_cloudformation::operation::get_template::GetTemplateOutput::builder()
            .template_body(deployed.to_string())
            .build()
    });
    let stack_events = deletion_started(ACCESS);
    let calls: Log = Default::default();
    let l = calls.clone();
    let delete = mock!(Client::delete_stack)
        .match_requests(move |r| log(&l, "delete".into()) && record_operation(r.client_request_token()))
        .then_output(|| DeleteStackOutput::builder().build());
    let (destroyer, _handle) = destroyer_with(
        client(&[&describe, &template, &stack_events, &delete]),
        Arc::new(RecordingReporter::default()),
        Vec::new(),
        RecordingUnjoin { log: calls.clone(), fails: false },
        false,
    );
    let assembly = constructs::core::CloudAssembly { stacks: vec![access] };
    let report = destroyer.destroy_all(&assembly, &[ACCESS.to_string()]).await.unwrap();

    assert!(report.ok(), "{:?}", report.errors().collect::<Vec<_>>());
    assert_eq!(report.unjoined, ["eksa", "eksb"]);
    assert_eq!(*calls.lock().unwrap(), ["unjoin eksa eksb", "delete"]);
}

/// The real hook (deploy::host::reconcile::HostUnjoin, day2 branch) in the same ordering: the management host runs
/// `karmada-eks-reconcile unjoin eksuscl01` through SSM Run Command before the access stack is deleted.
#[tokio::test]
async fn the_host_unjoin_runs_on_the_management_host_before_the_access_stack_is_deleted() {
    use super::host::reconcile::HostUnjoin;
    use super::host::recorded_tests as host;
    use super::host::run_command::Host;
    let calls: Log = Default::default();
    let l = calls.clone();
    let unjoin_cmd = mock!(aws_sdk_ssm::Client::send_command)
        .match_requests(move |r| {
            let script = host::script_of(r);
            script.contains("karmada-eks-reconcile 'unjoin' 'eksuscl01' >") && log(&l, "host unjoin eksuscl01".into())
        })
        .then_output(|| {
            aws_sdk_ssm::operation::send_command::SendCommandOutput::builder()
                .command(aws_sdk_ssm::types::Command::builder().command_id("cmd-unjoin").build())
                .build()
        });
    let done = mock!(aws_sdk_ssm::Client::get_command_invocation)
        .match_requests(|r| r.command_id() == Some("cmd-unjoin"))
        .then_output(|| {
            host::invocation(
                aws_sdk_ssm::types::CommandInvocationStatus::Success,
                "Success",
                0,
                "unjoined eksuscl01\n",
                "",
            )
        });
    let [first, later, answer] = host::reads("");
    let ssm = host::ssm(&[&host::online(), &unjoin_cmd, &done, &first, &later, &answer]);
    let [_, resources] = host::deployed_app("unused");
    let hook = HostUnjoin {
        cfn: host::cfn(&[&resources]),
        ssm,
        app: "karmada".into(),
        connect: |ssm: aws_sdk_ssm::Client, instance: &str| {
            let (interrupt, _) = Interrupt::new();
            Host::new(ssm, instance, tuning(), host::timeouts(), interrupt, Arc::new(RecordingReporter::default()))
        },
    };
    let report = deploy_net_with(&orphan_rules(&calls), vec![orphan()], Vec::new(), Arc::new(hook)).await;

    assert!(report.ok(), "{:?}", report.errors().collect::<Vec<_>>());
    assert_eq!(
        *calls.lock().unwrap(),
        vec!["host unjoin eksuscl01".to_string(), format!("delete {ORPHAN_ID}"), "describe net".into()]
    );
}

// Issue 16, item 7: the host's image is resolved once and kept; a refresh that replaces the host is asked.
struct FakeStore {
    value: &'static str,
    calls: std::sync::atomic::AtomicUsize,
}

impl super::from_ssm::ParameterStore for FakeStore {
    fn get<'a>(&'a self, _region: &'a str, path: &'a str) -> super::from_ssm::StoreFuture<'a> {
        self.calls.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        assert_eq!(path, "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64");
        Box::pin(async move { Ok(self.value.to_string()) })
    }
}

fn host_artifact() -> StackArtifact {
    testing::stack(
        NAME,
        "eu-west-1",
        json!({
            "Parameters": {"HostImageId": {"Type": "AWS::EC2::Image::Id"}},
            "Resources": {"Host": {"Type": "AWS::EC2::Instance", "Properties": {"ImageId": {"Ref": "HostImageId"}}}}
        }),
        &[],
    )
}

fn host_stack(status: &str, image: &str) -> DescribeStacksOutput {
    DescribeStacksOutput::builder()
        .stacks(
            Stack::builder()
                .stack_id(STACK_ID)
                .stack_name(NAME)
                .stack_status(StackStatus::from(status))
                .creation_time(DateTime::from(SystemTime::now()))
                .tags(Tag::builder().key(TAG_TEMPLATE_SHA256).value("an older template").build())
                .parameters(
                    aws_sdk_cloudformation::types::Parameter::builder()
                        .parameter_key("HostImageId")
                        .parameter_value(image)
                        .build(),
                )
                .build(),
        )
        .build()
}

fn host_change(replacement: &str) -> Rule {
    let replacement = replacement.to_string();
    mock!(Client::describe_change_set).then_output(move || {
        DescribeChangeSetOutput::builder()
            .status(ChangeSetStatus::CreateComplete)
            .execution_status(ExecutionStatus::Available)
            .changes(
                Change::builder()
                    .resource_change(
                        ResourceChange::builder()
                            .action(ChangeAction::Modify)
                            .logical_resource_id("Host")
                            .resource_type("AWS::EC2::Instance")
                            .replacement(aws_sdk_cloudformation::types::Replacement::from(replacement.as_str()))
                            .build(),
                    )
                    .build(),
            )
            .build()
    })
}

async fn deploy_host(rules: &[&Rule], answer: Answer, refresh: bool, store: Arc<FakeStore>) -> Run {
    let reporter = Arc::new(RecordingReporter::default());
    let (interrupt, handle) = Interrupt::new();
    let options = DeployOptions {
        tuning: tuning(),
        approval: ApprovalPolicy::Never,
        refresh_from_ssm: refresh,
        ..DeployOptions::default()
    };
    let wanted = super::from_ssm::FromSsm {
        parameter: "HostImageId".into(),
        path: "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64".into(),
    };
    let deployer = Deployer::new(
        CfnClients::single(client(rules), ["eu-west-1"]),
        reporter.clone(),
        Arc::new(Fixed(answer)),
        interrupt,
        options,
    )
    .filling_from_ssm([(NAME.to_string(), vec![wanted])].into_iter().collect(), store);
    let artifact = host_artifact();
    let report = tokio::time::timeout(Duration::from_secs(60), deployer.deploy_stack(&artifact)).await.expect("ended");
    Run { report, events: reporter.events(), _interrupt: handle }
}

fn submitted_image(r: &aws_sdk_cloudformation::operation::create_change_set::CreateChangeSetInput) -> String {
    let p = r.parameters().iter().find(|p| p.parameter_key() == Some("HostImageId"));
    match p {
        Some(p) if p.use_previous_value() == Some(true) => "previous".into(),
        Some(p) => p.parameter_value().unwrap_or_default().to_string(),
        None => "none".into(),
    }
}

#[tokio::test]
async fn a_redeploy_after_aws_published_a_new_image_keeps_the_hosts_image() {
    let describe = mock!(Client::describe_stacks)
        .sequence()
        .output(|| host_stack("UPDATE_COMPLETE", "ami-old"))
        .output(|| host_stack("UPDATE_IN_PROGRESS", "ami-old"))
        .output(|| host_stack("UPDATE_COMPLETE", "ami-old"))
        .repeatedly()
        .build();
    let create = mock!(Client::create_change_set)
        .match_requests(|r| submitted_image(r) == "previous")
        .then_output(|| CreateChangeSetOutput::builder().id("cs-1").stack_id(STACK_ID).build());
    let tags_only = host_change("False");
    let stack_events = mock!(Client::describe_stack_events)
        .then_output(|| events(vec![event("1", NAME, "AWS::CloudFormation::Stack", "UPDATE_COMPLETE", None)]));
    let exec = execute();
    let store = Arc::new(FakeStore { value: "ami-new", calls: Default::default() });
    let run =
        deploy_host(&[&describe, &create, &tags_only, &stack_events, &exec], Answer::No, false, store.clone()).await;

    assert_eq!(run.report.outcome, Outcome::Updated, "{:?}", run.report.error);
    assert_eq!(create.num_calls(), 1, "HostImageId was submitted as UsePreviousValue");
    assert_eq!(store.calls.load(std::sync::atomic::Ordering::SeqCst), 0, "SSM is not read again");
}

#[tokio::test]
async fn refresh_host_image_shows_the_host_replacement_and_asks_whatever_the_approval_policy() {
    let describe = mock!(Client::describe_stacks).then_output(|| host_stack("UPDATE_COMPLETE", "ami-old"));
    let create = mock!(Client::create_change_set)
        .match_requests(|r| submitted_image(r) == "ami-new")
        .then_output(|| CreateChangeSetOutput::builder().id("cs-1").stack_id(STACK_ID).build());
    let replacing = host_change("True");
    let delete = mock!(Client::delete_change_set).then_output(|| DeleteChangeSetOutput::builder().build());
    let exec = execute();
    let store = Arc::new(FakeStore { value: "ami-new", calls: Default::default() });
    let run = deploy_host(&[&describe, &create, &replacing, &delete, &exec], Answer::No, true, store.clone()).await;

    let Some(DeployError::NotApproved { what, .. }) = &run.report.error else { panic!("{:?}", run.report.error) };
    assert!(what.contains("replaces AWS::EC2::Instance Host"), "{what}");
    assert_eq!((create.num_calls(), exec.num_calls(), delete.num_calls()), (1, 0, 1));
    assert_eq!(store.calls.load(std::sync::atomic::Ordering::SeqCst), 1);
    let shown = run.events.iter().find_map(|e| match e {
        ProgressEvent::Changes { .. } => Some(e.line()),
        _ => None,
    });
    assert!(shown.unwrap_or_default().contains("~ AWS::EC2::Instance Host [replacement]"));
}

#[tokio::test]
async fn a_first_deploy_resolves_the_image_from_ssm() {
    let describe = absent_then("CREATE_COMPLETE");
    let create = mock!(Client::create_change_set)
        .match_requests(|r| submitted_image(r) == "ami-new")
        .then_output(|| CreateChangeSetOutput::builder().id("cs-1").stack_id(STACK_ID).build());
    let stack_events = mock!(Client::describe_stack_events)
        .then_output(|| events(vec![event("1", NAME, "AWS::CloudFormation::Stack", "CREATE_COMPLETE", None)]));
    let (ready, exec) = (ready_change_set(), execute());
    let store = Arc::new(FakeStore { value: "ami-new", calls: Default::default() });
    let run = deploy_host(&[&describe, &create, &stack_events, &ready, &exec], Answer::Yes, false, store.clone()).await;

    assert_eq!(run.report.outcome, Outcome::Created, "{:?}", run.report.error);
    assert_eq!(store.calls.load(std::sync::atomic::Ordering::SeqCst), 1);
}

#[tokio::test]
async fn destroy_cancel_update_cancels_a_running_update_and_deletes_after_its_rollback() {
    let describe = mock!(Client::describe_stacks)
        .sequence()
        .output(|| stack("UPDATE_IN_PROGRESS", "old"))
        .output(|| stack("UPDATE_ROLLBACK_IN_PROGRESS", "old"))
        .output(|| stack("UPDATE_ROLLBACK_COMPLETE", "old"))
        .times(2)
        .output(|| stack("DELETE_IN_PROGRESS", "old"))
        .error(not_found)
        .repeatedly()
        .build();
    let stack_events = deletion_started(NAME);
    let cancel = mock!(Client::cancel_update_stack).then_output(|| {
        aws_sdk_cloudformation::operation::cancel_update_stack::CancelUpdateStackOutput::builder().build()
    });
    let delete = delete_stack();
    let rules = [&describe, &stack_events, &cancel, &delete];
    let Destroyed { report, .. } = destroy_cancelling(client(&rules), false, true).await;

    assert_eq!(report.stacks[0].outcome, Deletion::Deleted, "{:?}", report.stacks[0].error);
    assert_eq!((cancel.num_calls(), delete.num_calls()), (1, 1));
}

/// A member-access stack updated in place: its deployed template holds the entries of `eksa` (leaving the app)
/// and `eksb` (moving to the stack's next part); the change set removes both.
fn access_update_rules(calls: &Log) -> Vec<Rule> {
    let describe = updated_stack();
    let removes = mock!(Client::describe_change_set).then_output(|| {
        DescribeChangeSetOutput::builder()
            .status(ChangeSetStatus::CreateComplete)
            .execution_status(ExecutionStatus::Available)
            .changes(change("Remove", "EksaAccessEntry1", "AWS::EKS::AccessEntry"))
            .changes(change("Remove", "EksbAccessEntry2", "AWS::EKS::AccessEntry"))
            .build()
    });
    let deployed = json!({"Resources": {
        "EksaAccessEntry1": {"Type": "AWS::EKS::AccessEntry", "Metadata": {"aws:cdk:path": "net/eksa/AccessEntry"}},
        "EksbAccessEntry2": {"Type": "AWS::EKS::AccessEntry", "Metadata": {"aws:cdk:path": "net/eksb/AccessEntry"}},
        "Topic": {"Type": "AWS::SNS::Topic"}
    }});
    let template = mock!(Client::get_template).then_output(move || {
        aws_sdk_cloudformation::operation::get_template::GetTemplateOutput::builder()
            .template_body(deployed.to_string())
            .build()
    });
    let l = calls.clone();
    let exec = mock!(Client::execute_change_set)
        .match_requests(move |r| log(&l, "execute".into()) && record_operation(r.client_request_token()))
        .then_output(|| ExecuteChangeSetOutput::builder().build());
    let stack_events = update_events();
    let delete = mock!(Client::delete_change_set).then_output(|| DeleteChangeSetOutput::builder().build());
    vec![describe, removes, template, create_change_set(), exec, stack_events, delete]
}

async fn deploy_access_update(rules: &[Rule], unjoin: RecordingUnjoin) -> super::report::DeployReport {
    let next_part = testing::stack(
        "net-2",
        "eu-west-1",
        json!({"Resources": {"EksbAccessEntry3": {
            "Type": "AWS::EKS::AccessEntry",
            "Metadata": {"aws:cdk:path": "net-2/eksb/AccessEntry"}
        }}}),
        &[],
    );
    deploy_net_with(rules, Vec::new(), vec![next_part], Arc::new(unjoin)).await
}

#[tokio::test]
async fn a_member_leaving_an_access_stack_in_place_is_unjoined_before_the_update_and_a_moved_one_stays() {
    let calls: Log = Default::default();
    let report =
        deploy_access_update(&access_update_rules(&calls), RecordingUnjoin { log: calls.clone(), fails: false }).await;

    assert!(report.ok(), "{:?}", report.errors().collect::<Vec<_>>());
    assert_eq!(*calls.lock().unwrap(), vec!["unjoin eksa".to_string(), "execute".into()]);
}

#[tokio::test]
async fn a_failed_unjoin_keeps_the_access_entries_of_an_in_place_update() {
    let calls: Log = Default::default();
    let report =
        deploy_access_update(&access_update_rules(&calls), RecordingUnjoin { log: calls.clone(), fails: true }).await;

    assert!(!report.ok());
    let error = report.stacks[0].error.as_ref().unwrap().to_string();
    assert!(error.contains("eksa"), "{error}");
    assert_eq!(*calls.lock().unwrap(), vec!["unjoin eksa".to_string()], "the change set is not executed");
}
