//! One call per workflow, as cargo's `ops` serve its commands and the AWS CDK's `Toolkit` serves its CLI: each
//! owns the account check, the caller's identity, the app's lock, its regions and orphans, the preflight and the
//! reconcile, and takes the app's facts from the assembly it was given. A command parses its arguments, makes one
//! of these calls, and prints what it returns.

pub mod deploy;
pub mod destroy;
pub mod diff;
pub mod doctor;
pub mod hooks;
pub mod host_action;
pub mod kubeconfig;
pub mod reconcile;
pub mod status;

use std::sync::Arc;

use crate::deploy::account;
use crate::deploy::approval::Approver;
use crate::deploy::client::Aws;
use crate::deploy::error::DeployError;
use crate::deploy::interrupt::Interrupt;
use crate::deploy::progress::Reporter;
use crate::deploy::tuning::Tuning;

/// How a workflow talks to its user: progress, questions, Ctrl-C, and the timings it keeps.
#[derive(Clone)]
pub struct Ui {
    pub reporter: Arc<dyn Reporter>,
    pub approver: Arc<dyn Approver>,
    pub interrupt: Interrupt,
    pub tuning: Tuning,
}

/// Checks that the credentials belong to every account of `wanted` (`(account, region)` pairs), asking STS in the
/// first pair's region; no AWS call when `wanted` is empty (stacks without an account go to the caller's, as in
/// the AWS CDK).
async fn ensure_account<'a>(
    aws: &Aws,
    wanted: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> Result<(), DeployError> {
    let wanted: Vec<(&str, &str)> = wanted.into_iter().collect();
    let Some((_, region)) = wanted.first() else {
        return Ok(());
    };
    let caller = aws.caller(region).await?;
    account::check(wanted.iter().copied(), &caller.account)
}
