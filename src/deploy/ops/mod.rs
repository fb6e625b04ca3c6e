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

use crate::deploy::approval::Approver;
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
