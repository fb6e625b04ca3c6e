//! One stack's deployment, step by step as the README tells it: settle the deployed stack, create a change set,
//! approve it, execute it, follow the operation, report. A change set that was created and not executed is
//! discarded in one place, [`StackDeployment::run`], whatever step stopped.

use aws_sdk_cloudformation::types::ChangeSetType;
use aws_sdk_cloudformation::Client;
use std::collections::{BTreeMap, BTreeSet};
use std::time::Instant;

use super::approval::{ask, needs_approval, Answer};
use super::approval::{ApprovalPolicy, Approver};
use super::changeset::{self, Change, ChangeSet, ChangeSetOutcome, ChangeSetRequest, ParameterValue, TemplateSource};
use super::error::DeployError;
use super::events::{first_failures, EventStream, ResourceEvent, FAILURES_SHOWN};
use super::from_ssm::{self, FromSsm, ParameterStore};
use super::inputs::Inputs;
use super::interrupt::Interrupt;
use super::inventory;
use super::monitor::{follow, Follow, Followed};
use super::progress::Reporter;
use super::progress::{ProgressEvent, SilentReporter};
use super::report::{Outcome, StackReport};
use super::stack::{self, classify_status, is_success, DeployedStack, StatusClass};
use super::token;
use super::tuning::Tuning;
use super::unjoin::MemberUnjoin;
use constructs::core::StackArtifact;
use constructs::karmada::wellknown::{TAG_INPUTS_SHA256, TAG_TEMPLATE_SHA256};
use std::sync::Arc;

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
    /// Resolve the parameters filled from SSM again instead of keeping the deployed values
    /// (`deploy --refresh-host-image`). Default: off.
    pub refresh_from_ssm: bool,
}

impl Default for DeployOptions {
    fn default() -> Self {
        DeployOptions {
            approval: ApprovalPolicy::Broadening,
            termination_protection: false,
            concurrency: 4,
            tags: BTreeMap::new(),
            tuning: Tuning::default(),
            refresh_from_ssm: false,
        }
    }
}

/// What the deployments of one run share: where progress goes, who approves, Ctrl-C, the settings.
pub struct DeployContext {
    pub reporter: Arc<dyn Reporter>,
    pub approver: Arc<dyn Approver>,
    pub interrupt: Interrupt,
    pub options: DeployOptions,
    /// Where parameters filled from SSM are read.
    pub store: Option<Arc<dyn ParameterStore>>,
    /// Unjoins members from Karmada before their access entries are deleted.
    pub unjoin: Option<Arc<dyn MemberUnjoin>>,
    /// Every member with an access entry in the assembly: those stay joined when an entry moves between parts.
    pub members_kept: BTreeSet<String>,
}

/// A change set this deployment created and has not executed.
struct Pending {
    change_set: ChangeSet,
    /// A CREATE change set made an empty REVIEW_IN_PROGRESS stack, which goes with it.
    made_the_stack: bool,
}

/// What the deployment submits: the change-set type and the parameters.
struct Plan {
    kind: ChangeSetType,
    parameters: BTreeMap<String, ParameterValue>,
}

/// A ready change set: its changes.
struct Ready {
    changes: Vec<Change>,
}

/// Deploys one stack of the assembly.
pub struct StackDeployment<'a> {
    context: &'a DeployContext,
    stack: &'a StackArtifact,
    client: &'a Client,
    /// What the stack reads from other stacks now.
    inputs: Inputs,
    /// Parameters filled from SSM once, then kept.
    from_ssm: Vec<FromSsm>,
    started: Instant,
    /// The stack as it was before this deployment (after settling), `None` when it is to be created.
    deployed: Option<DeployedStack>,
    /// The stack's id once known (from DescribeStacks or CreateChangeSet), else its name.
    stack_id: String,
    /// ExecuteChangeSet's client request token: the events of this deployment carry it.
    operation: String,
    pending: Option<Pending>,
}

impl<'a> StackDeployment<'a> {
    pub fn new(
        context: &'a DeployContext,
        stack: &'a StackArtifact,
        client: &'a Client,
        inputs: Inputs,
        from_ssm: Vec<FromSsm>,
    ) -> Self {
        StackDeployment {
            context,
            stack,
            client,
            inputs,
            from_ssm,
            started: Instant::now(),
            deployed: None,
            stack_id: stack.name.clone(),
            operation: format!("karmada-eks-deploy-{}", token::unique_suffix()),
            pending: None,
        }
    }

    /// Runs every step; never panics, every failure is in the report. An unexecuted change set is deleted here.
    pub async fn run(mut self) -> StackReport {
        let result = self.steps().await;
        if let Some(pending) = self.pending.take() {
            self.discard(pending).await;
        }
        match result {
            Ok(report) => report,
            Err(error) => {
                if !matches!(error, DeployError::Aws(_) | DeployError::StackFailed { .. }) {
                    self.note(format!("{error}"));
                }
                StackReport::failed(self.stack, error)
            }
        }
    }

    async fn steps(&mut self) -> Result<StackReport, DeployError> {
        let template = TemplateSource::for_stack(self.stack)?;
        self.deployed = self.settle().await?;
        let plan = self.plan().await?;
        if let Some(report) = self.unchanged(&plan).await? {
            return Ok(report);
        }
        self.started(&plan);
        let Some(ready) = self.create_change_set(&plan, &template).await? else {
            let current = self.deployed.clone().ok_or_else(|| DeployError::ChangeSetFailed {
                stack: self.stack.name.clone(),
                reason: "a new stack's change set had no changes".into(),
            })?;
            self.context.reporter.report(ProgressEvent::Skipped {
                stack: self.stack.name.clone(),
                reason: "CloudFormation found no changes".into(),
            });
            return Ok(self.finish(Outcome::Unchanged, current));
        };
        self.approve(&ready.changes)?;
        self.unjoin_leaving(&ready.changes).await?;
        self.execute().await?;
        let (final_stack, events) = self.follow(&plan, &ready).await?;
        self.report(&plan, final_stack, events).await
    }

    /// Brings an existing stack to a state a change set can start from: waits out a running operation, deletes
    /// (after confirmation) a stack left in REVIEW_IN_PROGRESS or ROLLBACK_COMPLETE, refuses stuck states.
    async fn settle(&self) -> Result<Option<DeployedStack>, DeployError> {
        loop {
            let Some(deployed) = stack::describe(self.client, &self.stack.name).await? else { return Ok(None) };
            match classify_status(&deployed.status) {
                StatusClass::Updatable => return Ok(Some(deployed)),
                StatusClass::Deleted => return Ok(None),
                StatusClass::InProgress => {
                    // A stack gone after its operation (DELETE_IN_PROGRESS) is a stack to create.
                    self.note(format!("waiting for the running operation ({})", deployed.status));
                    self.wait_quietly(&deployed.id, true).await?;
                }
                StatusClass::ReviewInProgress | StatusClass::RollbackComplete => {
                    let why = if deployed.status == "REVIEW_IN_PROGRESS" {
                        "was left by a change set that never ran"
                    } else {
                        "failed to create and rolled back"
                    };
                    let question = format!(
                        "{}: the stack is {} (it {why}); delete it and create it again?",
                        self.stack.name, deployed.status
                    );
                    self.confirm(&question, &format!("deleting the {} stack", deployed.status))?;
                    self.note(format!("deleting the {} stack", deployed.status));
                    stack::delete(self.client, &deployed.id, None).await?;
                    self.wait_quietly(&deployed.id, true).await?;
                }
                StatusClass::Stuck => {
                    return Err(DeployError::Blocked {
                        stack: self.stack.name.clone(),
                        status: deployed.status.clone(),
                        action: "deployed",
                        hint: stuck_hint(self.stack, &deployed.status),
                    })
                }
            }
        }
    }

    /// The change-set type and parameters to submit.
    async fn plan(&self) -> Result<Plan, DeployError> {
        let previous = self.deployed.as_ref().map(|d| &d.parameters);
        let mut filled = self.inputs.parameters.clone();
        if !self.from_ssm.is_empty() {
            let store = self.context.store.as_deref().ok_or_else(|| DeployError::MissingParameter {
                stack: self.stack.name.clone(),
                parameter: self.from_ssm[0].parameter.clone(),
                reason: "it is filled from SSM, and deploy was given no SSM client".into(),
            })?;
            let region = &self.stack.environment.region;
            let refresh = self.context.options.refresh_from_ssm;
            for (name, value) in from_ssm::values(&self.from_ssm, region, previous, refresh, store).await? {
                if let ParameterValue::Value(v) = value {
                    filled.insert(name, v);
                }
            }
        }
        let parameters = changeset::parameters(self.stack, &filled, previous)?;
        let kind = if self.deployed.is_some() { ChangeSetType::Update } else { ChangeSetType::Create };
        Ok(Plan { kind, parameters })
    }

    /// The report of a stack whose template SHA-256, inputs and parameters match the deployed ones (no change
    /// set). Different inputs update the stack even with the same template: the new inputs tag is the change, and
    /// the update resolves its `Fn::GetStackOutput`s again.
    async fn unchanged(&self, plan: &Plan) -> Result<Option<StackReport>, DeployError> {
        let Some(d) = &self.deployed else { return Ok(None) };
        let same_template = d.tags.get(TAG_TEMPLATE_SHA256) == Some(&self.stack.template_sha256);
        let same_inputs = d.tags.get(TAG_INPUTS_SHA256) == self.inputs.sha256.as_ref();
        let same_params = changeset::expected_parameters(self.stack, &plan.parameters, &d.parameters) == d.parameters;
        if !(same_template && same_inputs && same_params) {
            return Ok(None);
        }
        if self.wants_protection() && !d.termination_protection {
            stack::protect(self.client, &self.stack.name).await?;
        }
        self.context.reporter.report(ProgressEvent::Skipped {
            stack: self.stack.name.clone(),
            reason: "template sha256, inputs and parameters match the deployed stack".into(),
        });
        Ok(Some(self.finish(Outcome::Unchanged, d.clone())))
    }

    fn started(&self, plan: &Plan) {
        self.context.reporter.report(ProgressEvent::Started {
            stack: self.stack.name.clone(),
            region: self.stack.environment.region.clone(),
            action: action(plan).into(),
        });
    }

    /// Creates the change set and waits until it is ready; `None` when CloudFormation found nothing to change.
    async fn create_change_set(
        &mut self,
        plan: &Plan,
        template: &TemplateSource,
    ) -> Result<Option<Ready>, DeployError> {
        let mut tags = self.stack.tags.clone();
        tags.extend(self.context.options.tags.clone());
        tags.insert(TAG_TEMPLATE_SHA256.into(), self.stack.template_sha256.clone());
        if let Some(sha) = &self.inputs.sha256 {
            tags.insert(TAG_INPUTS_SHA256.into(), sha.clone());
        }
        let request = ChangeSetRequest {
            stack: self.stack,
            kind: plan.kind.clone(),
            template,
            parameters: &plan.parameters,
            tags: &tags,
            name: format!("karmada-eks-{}", token::unique_suffix()),
            client_token: format!("karmada-eks-create-{}", token::unique_suffix()),
        };
        let change_set = changeset::create(self.client, &request).await?;
        self.stack_id = change_set.stack_id.clone();
        self.pending =
            Some(Pending { change_set: change_set.clone(), made_the_stack: plan.kind == ChangeSetType::Create });
        let mut interrupt = self.context.interrupt.clone();
        let outcome = tokio::select! {
            outcome = changeset::wait(self.client, &change_set, &self.context.options.tuning) => outcome?,
            _ = interrupt.wait() => {
                return Err(DeployError::Interrupted {
                    stack: self.stack.name.clone(),
                    detail: "stopped before executing; the change set was deleted and nothing was changed".into(),
                });
            }
        };
        match outcome {
            ChangeSetOutcome::Ready { execution_status, .. } if execution_status != "AVAILABLE" => {
                Err(DeployError::ChangeSetFailed {
                    stack: self.stack.name.clone(),
                    reason: format!(
                        "CloudFormation made the change set but cannot execute it (ExecutionStatus \
                         {execution_status}, not AVAILABLE); run `karmada-eks deploy` again"
                    ),
                })
            }
            ChangeSetOutcome::Ready { changes, .. } => {
                self.context
                    .reporter
                    .report(ProgressEvent::Changes { stack: self.stack.name.clone(), changes: changes.clone() });
                Ok(Some(Ready { changes }))
            }
            ChangeSetOutcome::NoChanges => {
                if let Some(p) = self.pending.as_mut() {
                    p.made_the_stack = false;
                }
                Ok(None)
            }
            ChangeSetOutcome::Failed(reason) => {
                Err(DeployError::ChangeSetFailed { stack: self.stack.name.clone(), reason })
            }
        }
    }

    /// Asks the approver when the policy wants it for these changes.
    fn approve(&self, changes: &[Change]) -> Result<(), DeployError> {
        let Some(why) = needs_approval(self.context.options.approval, changes) else { return Ok(()) };
        let verb = if self.deployed.is_some() { "update" } else { "create" };
        let question = format!("{}: execute {verb} ({why})?", self.stack.name);
        self.confirm(&question, &why)
    }

    /// Before a change set deletes access entries, unjoins the members that leave the app, so the host never loses
    /// access to a cluster Karmada still manages. A member whose entry only moves to another part of its region's
    /// access stacks stays joined.
    async fn unjoin_leaving(&self, changes: &[Change]) -> Result<(), DeployError> {
        let removed: BTreeSet<&str> = changes
            .iter()
            .filter(|c| c.action == "Remove" && c.resource_type == "AWS::EKS::AccessEntry")
            .map(|c| c.logical_id.as_str())
            .collect();
        let Some(deployed) = self.deployed.as_ref().filter(|_| !removed.is_empty()) else { return Ok(()) };
        let old = stack::template(self.client, &deployed.id).await?.unwrap_or_default();
        let leaving: Vec<String> = inventory::access_members_of(&old, |id| removed.contains(id))
            .into_iter()
            .filter(|m| !self.context.members_kept.contains(m))
            .collect();
        if leaving.is_empty() {
            return Ok(());
        }
        self.note(format!("unjoining {} from Karmada before their access entries go", leaving.join(", ")));
        super::unjoin::before_access_removal(self.context.unjoin.as_ref(), &self.stack.name, &leaving).await
    }

    /// Executes the pending change set; from here on it belongs to CloudFormation.
    async fn execute(&mut self) -> Result<(), DeployError> {
        let Some(pending) = self.pending.as_ref() else { return Ok(()) };
        changeset::execute(self.client, &pending.change_set, &self.operation).await?;
        self.pending = None;
        Ok(())
    }

    /// Follows the execution to a terminal status, reporting resource events.
    async fn follow(&self, plan: &Plan, ready: &Ready) -> Result<(DeployedStack, Vec<ResourceEvent>), DeployError> {
        let stack_id = &self.stack_id;
        let mut interrupt = self.context.interrupt.clone();
        let followed = follow(
            Follow {
                client: self.client,
                name: &self.stack.name,
                stack_id,
                events: EventStream::for_operation(stack_id, &self.operation),
                total: ready.changes.len(),
                gone_is_done: false,
            },
            self.context.reporter.as_ref(),
            &self.context.options.tuning,
            &mut interrupt,
        )
        .await?;
        match followed {
            Followed::Done { stack: Some(s), events } => Ok((s, events)),
            Followed::Done { stack: None, .. } => {
                Err(DeployError::StackFailed { stack: self.stack.name.clone(), status: "DELETED".into(), reason: None })
            }
            Followed::Interrupted { status } => Err(DeployError::Interrupted {
                stack: self.stack.name.clone(),
                detail: resume_hint(self.stack, &status, plan.kind == ChangeSetType::Create),
            }),
        }
    }

    /// The stack's report after the operation ended: outputs on success, the first failures otherwise.
    async fn report(
        &self,
        plan: &Plan,
        final_stack: DeployedStack,
        events: Vec<ResourceEvent>,
    ) -> Result<StackReport, DeployError> {
        let ok = is_success(&final_stack.status);
        self.context.reporter.report(ProgressEvent::Finished {
            stack: self.stack.name.clone(),
            status: final_stack.status.clone(),
            ok,
            seconds: self.started.elapsed().as_secs(),
        });
        if !ok {
            let mut failures = first_failures(&events, FAILURES_SHOWN);
            if failures.is_empty() {
                let mut stream = EventStream::for_operation(&final_stack.id, &self.operation);
                let _ = stream.poll(self.client).await;
                failures = stream.first_failures(FAILURES_SHOWN);
            }
            let mut report = StackReport::failed(
                self.stack,
                DeployError::StackFailed {
                    stack: self.stack.name.clone(),
                    status: final_stack.status.clone(),
                    reason: final_stack.status_reason.clone(),
                },
            );
            report.status = Some(final_stack.status);
            report.failures = failures;
            return Ok(report);
        }
        if self.wants_protection() && !final_stack.termination_protection {
            stack::protect(self.client, &self.stack.name).await?;
        }
        let outcome = if plan.kind == ChangeSetType::Create { Outcome::Created } else { Outcome::Updated };
        Ok(self.finish(outcome, final_stack))
    }

    /// Deletes an unexecuted change set, and the empty REVIEW_IN_PROGRESS stack a CREATE change set made.
    async fn discard(&self, pending: Pending) {
        let result = if pending.made_the_stack {
            stack::delete(self.client, &pending.change_set.stack_id, None).await
        } else {
            changeset::delete(self.client, &pending.change_set).await
        };
        if let Err(e) = result {
            self.note(format!("could not delete change set {}: {e}", pending.change_set.id));
        }
    }

    async fn wait_quietly(&self, id: &str, gone_is_done: bool) -> Result<(), DeployError> {
        let mut interrupt = self.context.interrupt.clone();
        let followed = follow(
            Follow {
                client: self.client,
                name: &self.stack.name,
                stack_id: id,
                events: EventStream::new(id, None),
                total: 0,
                gone_is_done,
            },
            &SilentReporter,
            &self.context.options.tuning,
            &mut interrupt,
        )
        .await?;
        match followed {
            Followed::Interrupted { status } => Err(DeployError::Interrupted {
                stack: self.stack.name.clone(),
                detail: format!("stopped waiting while the stack was {status}; run `karmada-eks deploy` again later"),
            }),
            Followed::Done { .. } => Ok(()),
        }
    }

    fn confirm(&self, question: &str, what: &str) -> Result<(), DeployError> {
        let stack = self.stack.name.clone();
        match ask(self.context.reporter.as_ref(), self.context.approver.as_ref(), question) {
            Answer::Yes => Ok(()),
            Answer::No => Err(DeployError::NotApproved { stack, what: what.to_string() }),
            Answer::Unavailable => Err(DeployError::ApprovalImpossible { stack, what: what.to_string() }),
        }
    }

    fn wants_protection(&self) -> bool {
        self.context.options.termination_protection || self.stack.termination_protection
    }

    fn finish(&self, outcome: Outcome, deployed: DeployedStack) -> StackReport {
        StackReport {
            status: Some(deployed.status.clone()),
            outputs: deployed.outputs,
            ..StackReport::new(self.stack, outcome)
        }
    }

    fn note(&self, message: String) {
        self.context.reporter.report(ProgressEvent::Note { stack: self.stack.name.clone(), message });
    }
}

fn action(plan: &Plan) -> &'static str {
    if plan.kind == ChangeSetType::Create {
        "create"
    } else {
        "update"
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
