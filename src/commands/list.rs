//! `list`: placeholder until the L3 app lands.
use anyhow::Result;
use std::process::ExitCode;
use crate::cli::ListArgs;
use constructs::core::CloudAssembly;
pub fn run(_a: &CloudAssembly, _args: &ListArgs) -> Result<ExitCode> { anyhow::bail!("list is not built yet") }
