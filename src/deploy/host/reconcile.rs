//! The day-2 reconcile (docs/lifecycle.md, "Day 2"): whether the host has applied the deployed desired state,
//! running `karmada-eks-reconcile apply` when it has not, and `unjoin NAME...` before access entries go.

use aws_sdk_cloudformation::Client as CfnClient;
use constructs::core::Hints;
use serde::Serialize;

use super::run_command::{Host, HostError};
use crate::deploy::error::{AwsError, DeployError};
use crate::deploy::unjoin::{MemberUnjoin, UnjoinFuture, Unjoined};
use constructs::karmada::wellknown;

/// Output of the `<app>-desired-state` stack with the desired state's SHA-256.
pub const DESIRED_STATE_OUTPUT: &str = "DesiredStateSha256";
/// Output of the management stack with the host's instance ID.
pub const MANAGEMENT_INSTANCE_OUTPUT: &str = "ManagementInstanceId";
/// The applied-state parameter's value before the first reconcile.
pub const NOTHING_APPLIED: &str = "none";

/// The app's stacks the reconcile reads: `<app>-desired-state` and `<app>-management`.
pub fn desired_state_stack(app: &str) -> String {
    format!("{app}-desired-state")
}

pub fn management_stack(app: &str) -> String {
    constructs::karmada::wellknown::StackNames::new(app).management
}

/// Whether the deployed desired state and the host's applied state differ.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Decision {
    /// `DesiredStateSha256` of the deployed desired-state stack.
    pub desired_sha256: String,
    /// `/<app>/karmada/applied-state` ([`NOTHING_APPLIED`] before the first reconcile, or when absent).
    pub applied_sha256: String,
}

impl Decision {
    pub fn needs_apply(&self) -> bool {
        self.desired_sha256 != self.applied_sha256
    }
}

/// What a reconcile step did, for the deploy summary and `reconcile --json`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ReconcileReport {
    #[serde(flatten)]
    pub decision: Decision,
    /// Whether `karmada-eks-reconcile apply` ran.
    pub ran: bool,
    /// Why it did not run, or that it was forced.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// The host's output of the run.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub output: String,
}

/// Why the reconcile could not be decided or run.
#[derive(Debug, thiserror::Error)]
pub enum ReconcileError {
    #[error("{0}")]
    Aws(#[from] AwsError),
    #[error("{0}")]
    Host(#[from] HostError),
    #[error("stack {stack} {problem}")]
    NotDeployed { stack: String, problem: String },
}

impl ReconcileError {
    pub fn is_interrupted(&self) -> bool {
        matches!(self, ReconcileError::Host(h) if h.is_interrupted())
    }
}

impl Hints for ReconcileError {
    fn hints(&self) -> Vec<String> {
        match self {
            ReconcileError::Aws(e) => e.hints(),
            ReconcileError::Host(e) => e.hints(),
            ReconcileError::NotDeployed { .. } => {
                vec!["run `karmada-eks deploy` first; the reconcile needs the deployed app".into()]
            }
        }
    }
}

/// The SHA-256 the host last applied, read with GetParameter (no Run Command).
pub async fn applied_state(ssm: &aws_sdk_ssm::Client, app: &str) -> Result<String, AwsError> {
    let name = wellknown::applied_state_parameter(app);
    match ssm.get_parameter().name(&name).send().await {
        Ok(out) => Ok(out
            .parameter()
            .and_then(|p| p.value())
            .map(|v| v.trim().to_string())
            .unwrap_or_else(|| NOTHING_APPLIED.into())),
        Err(e) => {
            let e = AwsError::from_sdk("GetParameter", e);
            if e.is_not_found() {
                Ok(NOTHING_APPLIED.into())
            } else {
                Err(e)
            }
        }
    }
}

/// The deployed `DesiredStateSha256` of `<app>-desired-state`.
pub async fn desired_state(cfn: &CfnClient, app: &str) -> Result<String, ReconcileError> {
    let stack = desired_state_stack(app);
    let deployed = crate::deploy::stack::describe(cfn, &stack)
        .await?
        .ok_or_else(|| ReconcileError::NotDeployed { stack: stack.clone(), problem: "does not exist".into() })?;
    deployed.outputs_map().remove(DESIRED_STATE_OUTPUT).ok_or_else(|| ReconcileError::NotDeployed {
        stack,
        problem: format!("has no output {DESIRED_STATE_OUTPUT} (status {})", deployed.status),
    })
}

/// The management host's instance ID: the stack's `AWS::EC2::Instance` resource (there before the stack's outputs
/// are, so a host whose bootstrap is failing can still be reached), else the `ManagementInstanceId` output.
pub async fn management_instance(cfn: &CfnClient, app: &str) -> Result<Option<String>, AwsError> {
    let stack = management_stack(app);
    match cfn.describe_stack_resources().stack_name(&stack).send().await {
        Ok(out) => {
            let id = out
                .stack_resources()
                .iter()
                .find(|r| r.resource_type() == Some("AWS::EC2::Instance"))
                .and_then(|r| r.physical_resource_id())
                .filter(|id| id.starts_with("i-"))
                .map(str::to_string);
            if id.is_some() {
                return Ok(id);
            }
        }
        Err(e) => {
            let e = AwsError::from_sdk("DescribeStackResources", e);
            if !e.is_not_found() {
                return Err(e);
            }
            return Ok(None);
        }
    }
    Ok(crate::deploy::stack::describe(cfn, &stack)
        .await?
        .and_then(|s| s.outputs_map().remove(MANAGEMENT_INSTANCE_OUTPUT)))
}

/// Compares the deployed and applied states.
pub async fn decide(cfn: &CfnClient, ssm: &aws_sdk_ssm::Client, app: &str) -> Result<Decision, ReconcileError> {
    let desired_sha256 = desired_state(cfn, app).await?;
    let applied_sha256 = applied_state(ssm, app).await?;
    Ok(Decision { desired_sha256, applied_sha256 })
}

/// `deploy`'s reconcile step (`force` false) and the `reconcile` command (`force` true): compares the deployed and
/// applied states, and when they differ (or `force`) finds the management host and runs the reconcile on it.
/// `connect` makes the [`Host`] for an instance ID (the SDK client, timeouts, Ctrl-C and progress are the caller's).
pub async fn run(
    cfn: &CfnClient,
    ssm: aws_sdk_ssm::Client,
    app: &str,
    force: bool,
    connect: impl FnOnce(aws_sdk_ssm::Client, &str) -> Host,
) -> Result<ReconcileReport, ReconcileError> {
    let decision = decide(cfn, &ssm, app).await?;
    if !decision.needs_apply() && !force {
        return Ok(up_to_date(decision));
    }
    let instance = management_instance(cfn, app).await?.ok_or_else(|| ReconcileError::NotDeployed {
        stack: management_stack(app),
        problem: "has no management instance".into(),
    })?;
    apply(&connect(ssm, &instance), decision, force).await
}

/// Runs `karmada-eks-reconcile apply` on the host when `decision` says the state differs (or `force`), streaming
/// its output as progress.
pub async fn apply(host: &Host, decision: Decision, force: bool) -> Result<ReconcileReport, ReconcileError> {
    if !decision.needs_apply() && !force {
        return Ok(up_to_date(decision));
    }
    host.wait_until_managed().await?;
    let output = host.run_reconcile(&["apply"], true).await?;
    let note = (!decision.needs_apply()).then(|| "run on demand: the applied state was already current".to_string());
    Ok(ReconcileReport { decision, ran: true, note, output })
}

/// The report of a reconcile that had nothing to do.
pub fn up_to_date(decision: Decision) -> ReconcileReport {
    ReconcileReport {
        note: Some(format!("the host has applied the deployed desired state {}", short(&decision.desired_sha256))),
        decision,
        ran: false,
        output: String::new(),
    }
}

/// Unjoins exactly `members` from Karmada (`karmada-eks-reconcile unjoin NAME...`): called before the access
/// entries of those members are removed, so the host still has access while it unjoins them.
pub async fn unjoin(host: &Host, members: &[String]) -> Result<String, ReconcileError> {
    if members.is_empty() {
        return Ok(String::new());
    }
    host.wait_until_managed().await?;
    let mut args = vec!["unjoin"];
    args.extend(members.iter().map(String::as_str));
    Ok(host.run_reconcile(&args, true).await?)
}

/// The deploy engine's unjoin hook ([`MemberUnjoin`]): finds the management host when it is called (the stacks may
/// have changed since deploy started) and runs `karmada-eks-reconcile unjoin NAME...` on it. An app without a
/// management host has no Karmada to unjoin from: nothing to do.
pub struct HostUnjoin<F: Fn(aws_sdk_ssm::Client, &str) -> Host + Send + Sync> {
    pub cfn: CfnClient,
    pub ssm: aws_sdk_ssm::Client,
    pub app: String,
    /// Makes the [`Host`] for an instance ID.
    pub connect: F,
}

impl<F: Fn(aws_sdk_ssm::Client, &str) -> Host + Send + Sync> MemberUnjoin for HostUnjoin<F> {
    fn unjoin<'a>(&'a self, members: &'a [String]) -> UnjoinFuture<'a> {
        Box::pin(async move {
            let Some(instance) = management_instance(&self.cfn, &self.app).await? else {
                return Ok(Unjoined::NoHost);
            };
            let host = (self.connect)(self.ssm.clone(), &instance);
            match unjoin(&host, members).await {
                Ok(_) => Ok(Unjoined::Unjoined),
                Err(e) if e.is_interrupted() => {
                    Err(DeployError::Interrupted { stack: management_stack(&self.app), detail: e.to_string() })
                }
                Err(ReconcileError::Aws(e)) => Err(DeployError::Aws(e)),
                Err(e) => Err(DeployError::on_host(&e)),
            }
        })
    }
}

/// The first 12 hex digits of a SHA-256, as the summary shows it.
pub fn short(sha: &str) -> &str {
    sha.get(..12).unwrap_or(sha)
}
