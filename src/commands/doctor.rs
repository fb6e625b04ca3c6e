//! `karmada-eks doctor`: the preflight checks on their own, as a table or JSON.

use anyhow::Result;
use std::path::Path;
use std::process::ExitCode;

use super::assembly::load_assembly;
use super::session;
use crate::cli::DoctorArgs;
use crate::deploy::client::AwsOptions;
use crate::deploy::ops::doctor;
use crate::deploy::selection::{check_stack_names, select, Extend};
use crate::deploy::tuning::Tuning;
use crate::error::Exit;

pub fn run(config_path: Option<&Path>, args: &DoctorArgs) -> Result<ExitCode> {
    let assembly = load_assembly(config_path, args.assembly.app.as_deref())?;
    check_stack_names(&assembly, &args.stacks)?;
    let selected = select(&assembly, &args.stacks, Extend::Dependencies);
    let aws = AwsOptions { profile: args.aws.profile.clone(), region: args.aws.region.clone() };
    let report =
        session::runtime()?.block_on(async { doctor::doctor(&aws, &assembly, &selected, Tuning::from_env()).await })?;
    if args.json {
        println!("{}", report.to_json());
    } else {
        print!("{}", report.render(crate::color::stdout()));
    }
    Ok(if report.failed() { Exit::Failed } else { Exit::Success }.into())
}
