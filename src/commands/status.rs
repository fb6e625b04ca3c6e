//! `status`: every stack of the app with its CloudFormation status and whether its deployed template is the local
//! one, Karmada's health read on the management host through SSM Run Command, and with `--drift` CloudFormation
//! drift detection. Exit 0 when everything is healthy and as deployed, 1 otherwise.

use anyhow::Result;
use std::path::Path;
use std::process::ExitCode;

use super::assembly::load_assembly;
use super::session;
use crate::cli::StatusArgs;
use crate::deploy::client::AwsOptions;
use crate::deploy::ops::status;
use crate::deploy::status::render::render;
use crate::deploy::tuning::Tuning;
use crate::error::Exit;

pub fn run(config_path: Option<&Path>, args: StatusArgs) -> Result<ExitCode> {
    let assembly = load_assembly(config_path, args.assembly.app.as_deref())?;
    let tuning = Tuning::from_env();
    let aws = AwsOptions { profile: args.aws.profile.clone(), region: args.aws.region.clone() };
    let report = session::runtime()?
        .block_on(async { status::status(&aws, &assembly, args.drift, &session::plain_ui(tuning)).await })?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print!("{}", render(&report, args.all));
    }
    Ok(if report.healthy { Exit::Success } else { Exit::Failed }.into())
}
