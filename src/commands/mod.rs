//! One module per subcommand: each parses nothing itself (clap did), makes one call into the library or the
//! deploy engine's `ops`, and prints what it returns; no command calls another. `assembly`, `session`, `report`
//! and `on_host` are what several share.

mod assembly;
mod backup;
mod cost;
mod deploy;
mod destroy;
mod diagram;
mod diff;
mod doctor;
mod init;
mod kubeconfig;
mod list;
mod on_host;
mod plan;
mod reconcile;
mod report;
mod restore;
mod rotate_certs;
mod session;
mod shell;
mod status;
mod synth;

use anyhow::Result;
use std::process::ExitCode;

use crate::cli::{Cli, Command};

pub fn run(cli: Cli) -> Result<ExitCode> {
    let config_path = cli.global.config.as_deref();
    if cli.global.no_color {
        crate::color::turn_off();
    }
    crate::logging::start(if cli.global.debug { 2 } else { cli.global.verbose });
    match cli.command {
        Command::Synth(args) => synth::run(config_path, &args),
        Command::List(args) => list::run(&assembly::load_assembly(config_path, args.assembly.app.as_deref())?, &args),
        Command::Plan(args) => plan::run(&crate::config::load(config_path)?, &args),
        Command::Init(args) => init::run(&args),
        Command::Deploy(args) => deploy::run(config_path, args),
        Command::Diff(args) => diff::run(config_path, args),
        Command::Destroy(args) => destroy::run(config_path, args),
        Command::Kubeconfig(args) => kubeconfig::run(config_path, args),
        Command::Doctor(args) => doctor::run(config_path, &args),
        Command::Cost(args) => cost::run(&assembly::load_assembly(config_path, args.assembly.app.as_deref())?, &args),
        Command::Diagram(args) => {
            diagram::run(&assembly::load_assembly(config_path, args.assembly.app.as_deref())?, &args)
        }
        Command::Reconcile(args) => reconcile::run(config_path, args),
        Command::Status(args) => status::run(config_path, args),
        Command::Backup(args) => backup::run(config_path, args),
        Command::Restore(args) => restore::run(config_path, args),
        Command::RotateCerts(args) => rotate_certs::run(config_path, args),
        Command::Completions(args) => shell::completions(&args),
        Command::Man(args) => shell::man(&args),
    }
}
