//! One module per subcommand: each parses nothing itself (clap did) and makes one call into the library or the
//! deploy engine; `assembly`, `session` and `report` are what several share.

mod assembly;
mod deploy;
mod destroy;
mod diff;
mod init;
mod kubeconfig;
mod list;
mod plan;
mod reconcile;
mod report;
mod session;
mod status;
mod synth;

use anyhow::Result;
use std::process::ExitCode;

use crate::cli::{Cli, Command};

pub fn run(cli: Cli) -> Result<ExitCode> {
    let config_path = cli.global.config.as_deref();
    match cli.command {
        Command::Synth(args) => synth::run(&crate::config::load(config_path)?, &args),
        Command::List(args) => list::run(&assembly::synth_config(&crate::config::load(config_path)?)?, &args),
        Command::Plan(args) => plan::run(&crate::config::load(config_path)?, &args),
        Command::Init(args) => init::run(&args),
        Command::Deploy(args) => deploy::run(config_path, args),
        Command::Diff(args) => diff::run(config_path, args),
        Command::Destroy(args) => destroy::run(config_path, args),
        Command::Kubeconfig(args) => kubeconfig::run(config_path, args),
        Command::Reconcile(args) => reconcile::run(config_path, args),
        Command::Status(args) => status::run(config_path, args),
    }
}
