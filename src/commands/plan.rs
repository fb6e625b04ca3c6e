//! Placeholder: replaced by the plan work (issue 3).

use anyhow::{bail, Result};
use std::process::ExitCode;

use crate::cli::PlanArgs;
use constructs::karmada::Config;

pub fn run(_config: &Config, _args: &PlanArgs) -> Result<ExitCode> {
    bail!("plan is not built yet")
}
