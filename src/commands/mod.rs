//! One module per subcommand; shared plumbing here.

mod diagram;
mod init;
mod list;
mod plan;
mod synth;

use anyhow::{Context, Result};
use std::path::Path;
use std::process::ExitCode;

use crate::cli::{Cli, Command};
use crate::error::UsageError;
use constructs::core::CloudAssembly;
use constructs::karmada::{Config, KarmadaParent};

pub fn run(cli: Cli) -> Result<ExitCode> {
    let config_path = cli.global.config.as_deref();
    match cli.command {
        Command::Synth(args) => synth::run(&crate::config::load(config_path)?, &args),
        Command::List(args) => list::run(&synth_config(&crate::config::load(config_path)?)?, &args),
        Command::Plan(args) => plan::run(&crate::config::load(config_path)?, &args),
        Command::Init(args) => init::run(&args),
        Command::Deploy(args) => crate::deploy::commands::deploy(config_path, args),
        Command::Diff(args) => crate::deploy::commands::diff(config_path, args),
        Command::Destroy(args) => crate::deploy::commands::destroy(config_path, args),
        Command::Kubeconfig(args) => crate::deploy::commands::kubeconfig(config_path, args),
        Command::Diagram(args) => diagram::run(&load_assembly(config_path, args.assembly.app.as_deref())?, &args),
    }
}

/// Synthesizes the app the config describes.
pub fn synth_config(config: &Config) -> Result<CloudAssembly> {
    let app = KarmadaParent::new(config).context("building the app")?;
    app.synth().context("synthesizing the app")
}

/// The assembly a deploy-side command works on: `--app DIR` as written earlier, else a fresh synth of the config.
pub fn load_assembly(config_path: Option<&Path>, app_dir: Option<&Path>) -> Result<CloudAssembly> {
    match app_dir {
        Some(dir) => Ok(CloudAssembly::read(dir)?),
        None => synth_config(&crate::config::load(config_path)?),
    }
}

/// A stack as `list --json` and `synth --json` describe it.
pub fn stack_json(stack: &constructs::core::StackArtifact) -> serde_json::Value {
    serde_json::json!({
        "name": stack.name,
        "environment": stack.environment.uri(),
        "region": stack.environment.region,
        "dependencies": stack.dependencies,
    })
}

/// Checks that every name given on the command line is a stack of the assembly.
pub fn check_stack_names(assembly: &CloudAssembly, names: &[String]) -> Result<()> {
    for name in names {
        if assembly.stack(name).is_none() {
            let known: Vec<&str> = assembly.stacks.iter().map(|s| s.name.as_str()).collect();
            return Err(UsageError::new(format!("no stack named {name:?}"))
                .hint(format!("the app's stacks are: {}", known.join(", ")))
                .into());
        }
    }
    Ok(())
}
