//! `init`: placeholder.
use anyhow::Result;
use std::process::ExitCode;
use crate::cli::InitArgs;
pub fn run(_args: &InitArgs) -> Result<ExitCode> { anyhow::bail!("init is not built yet") }
