//! Deploying the stacks of an assembly: per stack, skip when unchanged, else a change set that is shown,
//! approved when needed, executed and followed to a terminal status; stacks in dependency order, independent
//! ones concurrently.

use aws_sdk_cloudformation::types::ChangeSetType;
use aws_sdk_cloudformation::Client;
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use super::approval::{needs_approval, Answer, ApprovalPolicy, Approver};
use super::changeset::{self, ChangeSet, ChangeSetOutcome, ChangeSetRequest, TemplateSource};
use super::client::CfnClients;
use super::error::{AwsError, DeployError};
use super::events::{first_failures, EventStream, ResourceEvent};
use super::interrupt::Interrupt;
use super::monitor::{follow, Follow, Followed};
use super::progress::{ProgressEvent, Reporter};
use super::schedule;
use super::stack::{self, classify_status, is_success, DeployedStack, StackOutput, StatusClass, TAG_TEMPLATE_SHA256};
use super::tuning::Tuning;
use constructs::core::{CloudAssembly, StackArtifact};

/// How many failed resource events a failure report shows.
pub const FAILURES_SHOWN: usize = 5;

/// Settings of one deploy run.
#[derive(Clone, Debug)]
pub struct DeployOptions {
    /// When to ask before executing. Default: broadening.
    pub approval: ApprovalPolicy,
    /// Turn termination protection on for every stack (stacks the assembly marks get it anyway). Default: off.
    pub termination_protection: bool,
    /// Independent stacks deployed at once. Default: 4.
    pub concurrency: usize,
    /// Stack tags added to each stack's own (from the assembly) and its template SHA-256: the tool version.
    pub tags: BTreeMap<String, String>,
    pub tuning: Tuning,
}

impl Default for DeployOptions {
    fn default() -> Self {
        DeployOptions {
            approval: ApprovalPolicy::Broadening,
            termination_protection: false,
            concurrency: 4,
            tags: BTreeMap::new(),
            tuning: Tuning::default(),
        }
    }
}

/// How one stack's deploy ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    Created,
    Updated,
    /// Already as in the assembly.
    Unchanged,
    /// Failed, interrupted or refused; the error says which.
    Failed,
    /// Not started because another stack failed first.
    NotStarted,
}

/// What happened to one stack.
#[derive(Debug)]
pub struct StackReport {
    pub name: String,
    pub region: String,
    pub outcome: Outcome,
    /// The final status, when the stack exists.
    pub status: Option<String>,
    pub outputs: Vec<StackOutput>,
    /// The first failed resource events.
    pub failures: Vec<ResourceEvent>,
    pub error: Option<DeployError>,
}

impl StackReport {
    fn new(stack: &StackArtifact, outcome: Outcome) -> Self {
        StackReport {
            name: stack.name.clone(),
            region: stack.environment.region.clone(),
            outcome,
            status: None,
            outputs: Vec::new(),
            failures: Vec::new(),
            error: None,
        }
    }

    /// A stack left waiting because a stack it needed failed.
    pub(crate) fn not_started(stack: &StackArtifact) -> Self {
        StackReport { error: Some(DeployError::DependencyFailed), ..StackReport::new(stack, Outcome::NotStarted) }
    }

    fn failed(stack: &StackArtifact, error: DeployError) -> Self {
        StackReport { error: Some(error), ..StackReport::new(stack, Outcome::Failed) }
    }

    pub fn ok(&self) -> bool {
        matches!(self.outcome, Outcome::Created | Outcome::Updated | Outcome::Unchanged)
    }
}

/// Deploys stacks with injected clients, reporter, approver and interrupt.
pub struct Deployer {
    clients: CfnClients,
    reporter: Arc<dyn Reporter>,
    approver: Arc<dyn Approver>,
    interrupt: Interrupt,
    options: DeployOptions,
    /// Outputs of stacks read or deployed in this run, by stack name.
    outputs: Mutex<HashMap<String, BTreeMap<String, String>>>,
    /// Regions of every stack of the assembly (to read producers' outputs).
    regions: HashMap<String, String>,
}

impl Deployer {
    pub fn new(
        clients: CfnClients,
        reporter: Arc<dyn Reporter>,
        approver: Arc<dyn Approver>,
        interrupt: Interrupt,
        options: DeployOptions,
    ) -> Self {
        Deployer {
            clients,
            reporter,
            approver,
            interrupt,
            options,
            outputs: Mutex::new(HashMap::new()),
            regions: HashMap::new(),
        }
    }

    /// Deploys `selected` (names of stacks of `assembly`) in dependency order. Returns one report per selected
    /// stack, in assembly order.
    pub async fn deploy_all(self, assembly: &CloudAssembly, selected: &[String]) -> Vec<StackReport> {
        let mut this = self;
        this.regions = assembly.stacks.iter().map(|s| (s.name.clone(), s.environment.region.clone())).collect();
        let this = Arc::new(this);
        let stacks: Vec<Arc<StackArtifact>> =
            assembly.stacks.iter().filter(|s| selected.contains(&s.name)).cloned().map(Arc::new).collect();
        let concurrency = this.options.concurrency;
        schedule::run_stacks(
            stacks,
            |s| s.dependencies.clone(),
            concurrency,
            |stack| {
                let this = this.clone();
                async move { this.deploy_stack(&stack).await }
            },
        )
        .await
    }

    /// Deploys one stack; never panics, every failure is in the report.
    pub async fn deploy_stack(&self, stack: &StackArtifact) -> StackReport {
        let started = Instant::now();
        match self.try_deploy(stack, started).await {
            Ok(report) => report,
            Err(error) => {
                if let DeployError::Aws(_) | DeployError::StackFailed { .. } = &error {
                } else {
                    self.note(stack, format!("{error}"));
                }
                StackReport::failed(stack, error)
            }
        }
    }

    async fn try_deploy(&self, stack: &StackArtifact, started: Instant) -> Result<StackReport, DeployError> {
        let client = self.clients.get(&stack.environment.region)?;
        let template = TemplateSource::for_stack(stack)?;
        let deployed = self.settle(client, stack).await?;
        let kind = if deployed.is_some() { ChangeSetType::Update } else { ChangeSetType::Create };
        let from_outputs = self.parameters_from_outputs(stack).await?;
        let previous = deployed.as_ref().map(|d| d.parameters.clone()).unwrap_or_default();
        let params = changeset::parameters(stack, &from_outputs, deployed.as_ref().map(|d| &d.parameters))?;
        let want_protection = self.options.termination_protection || stack.termination_protection;

        if let Some(d) = &deployed {
            let same_template = d.tags.get(TAG_TEMPLATE_SHA256) == Some(&stack.template_sha256);
            let same_params = changeset::expected_parameters(stack, &params, &previous) == d.parameters;
            if same_template && same_params {
                if want_protection && !d.termination_protection {
                    self.set_termination_protection(client, &stack.name).await?;
                }
                self.reporter.report(ProgressEvent::Skipped {
                    stack: stack.name.clone(),
                    reason: "template sha256 and parameters match the deployed stack".into(),
                });
                return Ok(self.finish(stack, Outcome::Unchanged, d.clone()));
            }
        }

        let action = if deployed.is_some() { "update" } else { "create" };
        self.reporter.report(ProgressEvent::Started {
            stack: stack.name.clone(),
            region: stack.environment.region.clone(),
            action: action.into(),
        });
        let mut tags = stack.tags.clone();
        tags.extend(self.options.tags.clone());
        tags.insert(TAG_TEMPLATE_SHA256.into(), stack.template_sha256.clone());
        let request = ChangeSetRequest {
            stack,
            kind: kind.clone(),
            template: &template,
            parameters: &params,
            tags: &tags,
            name: format!("karmada-eks-{}", unique_suffix()),
        };
        let change_set = changeset::create(client, &request).await?;
        let mut interrupt = self.interrupt.clone();
        let outcome = tokio::select! {
            outcome = changeset::wait(client, &change_set, &self.options.tuning) => outcome?,
            _ = interrupt.wait() => {
                self.discard(client, stack, &change_set, kind == ChangeSetType::Create).await;
                return Err(DeployError::Interrupted {
                    stack: stack.name.clone(),
                    detail: "stopped before executing; the change set was deleted and nothing was changed".into(),
                });
            }
        };
        let (changes, created) = match outcome {
            ChangeSetOutcome::Ready { changes, created } => (changes, created),
            ChangeSetOutcome::NoChanges => {
                self.discard(client, stack, &change_set, false).await;
                let current = deployed.ok_or_else(|| DeployError::ChangeSetFailed {
                    stack: stack.name.clone(),
                    reason: "a new stack's change set had no changes".into(),
                })?;
                self.reporter.report(ProgressEvent::Skipped {
                    stack: stack.name.clone(),
                    reason: "CloudFormation found no changes".into(),
                });
                return Ok(self.finish(stack, Outcome::Unchanged, current));
            }
            ChangeSetOutcome::Failed(reason) => {
                self.discard(client, stack, &change_set, kind == ChangeSetType::Create).await;
                return Err(DeployError::ChangeSetFailed { stack: stack.name.clone(), reason });
            }
        };
        let total = changes.len();
        self.reporter.report(ProgressEvent::Changes { stack: stack.name.clone(), changes: changes.clone() });
        if let Some(why) = needs_approval(self.options.approval, &changes) {
            let question = format!("{}: execute {} ({why})?", stack.name, action);
            if let Err(e) = self.confirm(stack, &question, &why) {
                self.discard(client, stack, &change_set, kind == ChangeSetType::Create).await;
                return Err(e);
            }
        }

        let token = format!("karmada-eks-{}", unique_suffix());
        changeset::execute(client, &change_set, &token).await?;
        let mut interrupt = self.interrupt.clone();
        let followed = follow(
            Follow {
                client,
                name: &stack.name,
                stack_id: &change_set.stack_id,
                events: EventStream::new(&change_set.stack_id, created),
                total,
                gone_is_done: false,
            },
            self.reporter.as_ref(),
            &self.options.tuning,
            &mut interrupt,
        )
        .await?;
        let (final_stack, events) = match followed {
            Followed::Done { stack: Some(s), events } => (s, events),
            Followed::Done { stack: None, .. } => {
                return Err(DeployError::StackFailed {
                    stack: stack.name.clone(),
                    status: "DELETED".into(),
                    reason: None,
                })
            }
            Followed::Interrupted { status } => {
                return Err(DeployError::Interrupted {
                    stack: stack.name.clone(),
                    detail: resume_hint(stack, &status, kind == ChangeSetType::Create),
                })
            }
        };
        let seconds = started.elapsed().as_secs();
        let ok = is_success(&final_stack.status);
        self.reporter.report(ProgressEvent::Finished {
            stack: stack.name.clone(),
            status: final_stack.status.clone(),
            ok,
            seconds,
        });
        if !ok {
            let mut failures = first_failures(&events, FAILURES_SHOWN);
            if failures.is_empty() {
                failures = self.failures_since(client, &change_set.stack_id, created).await;
            }
            let mut report = StackReport::failed(
                stack,
                DeployError::StackFailed {
                    stack: stack.name.clone(),
                    status: final_stack.status.clone(),
                    reason: final_stack.status_reason.clone(),
                },
            );
            report.status = Some(final_stack.status);
            report.failures = failures;
            return Ok(report);
        }
        if want_protection && !final_stack.termination_protection {
            self.set_termination_protection(client, &stack.name).await?;
        }
        let outcome = if kind == ChangeSetType::Create { Outcome::Created } else { Outcome::Updated };
        Ok(self.finish(stack, outcome, final_stack))
    }

    /// Brings an existing stack to a state a change set can start from: waits out a running operation, deletes
    /// (after confirmation) a stack left in REVIEW_IN_PROGRESS or ROLLBACK_COMPLETE, refuses stuck states.
    async fn settle(&self, client: &Client, stack: &StackArtifact) -> Result<Option<DeployedStack>, DeployError> {
        loop {
            let Some(deployed) = stack::describe(client, &stack.name).await? else { return Ok(None) };
            match classify_status(&deployed.status) {
                StatusClass::Updatable => return Ok(Some(deployed)),
                StatusClass::Deleted => return Ok(None),
                StatusClass::InProgress => {
                    self.note(stack, format!("waiting for the running operation ({})", deployed.status));
                    self.wait_quietly(client, stack, &deployed.id, false).await?;
                }
                StatusClass::ReviewInProgress | StatusClass::RollbackComplete => {
                    let why = if deployed.status == "REVIEW_IN_PROGRESS" {
                        "was left by a change set that never ran"
                    } else {
                        "failed to create and rolled back"
                    };
                    let question = format!(
                        "{}: the stack is {} (it {why}); delete it and create it again?",
                        stack.name, deployed.status
                    );
                    self.confirm(stack, &question, &format!("deleting the {} stack", deployed.status))?;
                    self.note(stack, format!("deleting the {} stack", deployed.status));
                    client
                        .delete_stack()
                        .stack_name(&deployed.id)
                        .send()
                        .await
                        .map_err(|e| AwsError::from_sdk("DeleteStack", e))?;
                    self.wait_quietly(client, stack, &deployed.id, true).await?;
                }
                StatusClass::Stuck => {
                    return Err(DeployError::Blocked {
                        stack: stack.name.clone(),
                        status: deployed.status.clone(),
                        action: "deployed",
                        hint: stuck_hint(stack, &deployed.status),
                    })
                }
            }
        }
    }

    async fn wait_quietly(
        &self,
        client: &Client,
        stack: &StackArtifact,
        id: &str,
        gone_is_done: bool,
    ) -> Result<(), DeployError> {
        let mut interrupt = self.interrupt.clone();
        let quiet = super::progress::SilentReporter;
        let followed = follow(
            Follow {
                client,
                name: &stack.name,
                stack_id: id,
                events: EventStream::new(id, None),
                total: 0,
                gone_is_done,
            },
            &quiet,
            &self.options.tuning,
            &mut interrupt,
        )
        .await?;
        match followed {
            Followed::Interrupted { status } => Err(DeployError::Interrupted {
                stack: stack.name.clone(),
                detail: format!("stopped waiting while the stack was {status}; run `karmada-eks deploy` again later"),
            }),
            Followed::Done { .. } => Ok(()),
        }
    }

    fn confirm(&self, stack: &StackArtifact, question: &str, what: &str) -> Result<(), DeployError> {
        let mut answer = Answer::No;
        self.reporter.suspend(&mut || answer = self.approver.ask(question));
        match answer {
            Answer::Yes => Ok(()),
            Answer::No => Err(DeployError::NotApproved { stack: stack.name.clone(), what: what.to_string() }),
            Answer::Unavailable => {
                Err(DeployError::ApprovalImpossible { stack: stack.name.clone(), what: what.to_string() })
            }
        }
    }

    /// Deletes an unexecuted change set, and the empty REVIEW_IN_PROGRESS stack a CREATE change set made.
    async fn discard(&self, client: &Client, stack: &StackArtifact, change_set: &ChangeSet, created_stack: bool) {
        let result = if created_stack {
            client
                .delete_stack()
                .stack_name(&change_set.stack_id)
                .send()
                .await
                .map(|_| ())
                .map_err(|e| AwsError::from_sdk("DeleteStack", e))
        } else {
            changeset::delete(client, change_set).await
        };
        if let Err(e) = result {
            self.note(stack, format!("could not delete change set {}: {e}", change_set.id));
        }
    }

    /// Values of the parameters filled from other stacks' outputs (read from this run, else DescribeStacks in
    /// the producer's region).
    async fn parameters_from_outputs(&self, stack: &StackArtifact) -> Result<BTreeMap<String, String>, DeployError> {
        let mut values = BTreeMap::new();
        for p in &stack.parameters_from_outputs {
            let known = self.outputs.lock().unwrap_or_else(|e| e.into_inner()).get(&p.stack).cloned();
            let outputs = match known {
                Some(o) => o,
                None => {
                    let region =
                        self.regions.get(&p.stack).cloned().unwrap_or_else(|| stack.environment.region.clone());
                    let client = self.clients.get(&region)?;
                    let producer = stack::describe(client, &p.stack).await?;
                    let outputs = producer.map(|s| s.outputs_map()).unwrap_or_default();
                    self.outputs.lock().unwrap_or_else(|e| e.into_inner()).insert(p.stack.clone(), outputs.clone());
                    outputs
                }
            };
            let value = outputs.get(&p.output).ok_or_else(|| DeployError::MissingParameter {
                stack: stack.name.clone(),
                parameter: p.parameter.clone(),
                reason: format!("stack {} has no output {} (deploy {} first)", p.stack, p.output, p.stack),
            })?;
            values.insert(p.parameter.clone(), value.clone());
        }
        Ok(values)
    }

    async fn set_termination_protection(&self, client: &Client, name: &str) -> Result<(), AwsError> {
        client
            .update_termination_protection()
            .stack_name(name)
            .enable_termination_protection(true)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| AwsError::from_sdk("UpdateTerminationProtection", e))
    }

    async fn failures_since(
        &self,
        client: &Client,
        stack_id: &str,
        since: Option<aws_sdk_cloudformation::primitives::DateTime>,
    ) -> Vec<ResourceEvent> {
        let mut stream = EventStream::new(stack_id, since);
        let _ = stream.poll(client).await;
        stream.first_failures(FAILURES_SHOWN)
    }

    fn finish(&self, stack: &StackArtifact, outcome: Outcome, deployed: DeployedStack) -> StackReport {
        self.outputs.lock().unwrap_or_else(|e| e.into_inner()).insert(stack.name.clone(), deployed.outputs_map());
        StackReport {
            status: Some(deployed.status.clone()),
            outputs: deployed.outputs,
            ..StackReport::new(stack, outcome)
        }
    }

    fn note(&self, stack: &StackArtifact, message: String) {
        self.reporter.report(ProgressEvent::Note { stack: stack.name.clone(), message });
    }
}

/// What to do after Ctrl-C left an operation running.
fn resume_hint(stack: &StackArtifact, status: &str, creating: bool) -> String {
    let region = &stack.environment.region;
    let cancel = if creating {
        format!("to cancel, delete the stack: `karmada-eks destroy --exclusively {}`", stack.name)
    } else {
        format!("to cancel: `aws cloudformation cancel-update-stack --stack-name {} --region {region}`", stack.name)
    };
    format!(
        "stopped waiting; the change set is still executing in CloudFormation (status {status}). To follow it and \
         carry on: run `karmada-eks deploy` again; {cancel}"
    )
}

/// What to do about a stack in a state that needs a human.
pub(crate) fn stuck_hint(stack: &StackArtifact, status: &str) -> String {
    let region = &stack.environment.region;
    match status {
        "UPDATE_ROLLBACK_FAILED" => format!(
            "finish the rollback with `aws cloudformation continue-update-rollback --stack-name {} --region {region}` \
             (skip resources that cannot roll back with --resources-to-skip), then deploy again",
            stack.name
        ),
        _ => format!(
            "look at the stack's events in the CloudFormation console ({region}), then delete it with \
             `karmada-eks destroy --exclusively {}` and deploy again",
            stack.name
        ),
    }
}

/// A suffix unique to this process and moment, for change set names and request tokens.
fn unique_suffix() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let millis = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis()).unwrap_or(0);
    format!("{millis}-{}-{}", std::process::id(), COUNTER.fetch_add(1, Ordering::Relaxed))
}
