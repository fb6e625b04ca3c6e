//! What every AWS-facing command starts from: a Tokio runtime and the engine's view of the user.

use anyhow::{Context, Result};
use std::sync::Arc;

use crate::deploy::approval::{Answer, Approver, Fixed};
use crate::deploy::interrupt::Interrupt;
use crate::deploy::ops::Ui;
use crate::deploy::progress::{PlainReporter, Reporter};
use crate::deploy::tuning::Tuning;

pub fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread().enable_all().build().context("starting the async runtime")
}

/// The engine's view of the user for a command: progress to `reporter`, questions to `approver`, Ctrl-C watched
/// (call it inside the runtime).
pub fn ui(reporter: Arc<dyn Reporter>, approver: Arc<dyn Approver>, tuning: Tuning) -> Ui {
    Ui { reporter, approver, interrupt: Interrupt::on_ctrl_c(), tuning }
}

/// The [`ui`] of a command that asks nothing: plain progress lines, every question answered no.
pub fn plain_ui(tuning: Tuning) -> Ui {
    ui(Arc::new(PlainReporter), Arc::new(Fixed(Answer::No)), tuning)
}
