//! `synth`: placeholder until the L3 app lands.
use anyhow::Result;
use std::process::ExitCode;
use crate::cli::SynthArgs;
use constructs::karmada::Config;
pub fn run(_config: &Config, _args: &SynthArgs) -> Result<ExitCode> { anyhow::bail!("synth is not built yet") }
