//! `karmada-eks`: a thin binary over the `constructs` library and the deployer.

mod app_source;
mod cli;
mod color;
mod commands;
mod config;
mod deploy;
mod error;
mod logging;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = cli::Cli::parse_from(cli::help_help(std::env::args_os()));
    match commands::run(cli) {
        Ok(code) => code,
        Err(e) => error::report(&e),
    }
}
