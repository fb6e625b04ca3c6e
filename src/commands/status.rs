//! `status`: every stack of the app with its CloudFormation status and whether its deployed template is the local
//! one, Karmada's health read on the management host through SSM Run Command, and with `--drift` CloudFormation
//! drift detection. Exit 0 when everything is healthy and as deployed, 1 when something is not, 3 when status
//! could not tell (an AWS call failed, or drift detection could not finish) and nothing is known to be wrong.

use anyhow::Result;
use std::path::Path;
use std::process::ExitCode;

use super::assembly::load_assembly;
use super::session;
use crate::cli::StatusArgs;
use crate::deploy::client::AwsOptions;
use crate::deploy::ops::status;
use crate::deploy::status::model::Verdict;
use crate::deploy::status::render::render;
use crate::deploy::tuning::Tuning;
use crate::error::Exit;

pub fn run(config_path: Option<&Path>, args: StatusArgs) -> Result<ExitCode> {
    let assembly = load_assembly(config_path, args.assembly.app.as_deref())?;
    let tuning = Tuning::from_env();
    let aws = AwsOptions { profile: args.aws.profile.clone(), region: args.aws.region.clone() };
    let result = session::runtime()?
        .block_on(async { status::status(&aws, &assembly, args.drift, &session::plain_ui(tuning)).await });
    // A status that could not be read is not a verdict: scripts tell it from "unhealthy" by its exit code.
    let report = match result {
        Ok(report) => report,
        Err(e) if crate::error::exit_of(&e) == Exit::Failed => {
            crate::error::report(&e);
            return Ok(Exit::Undetermined.into());
        }
        Err(e) => return Err(e),
    };
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print!("{}", render(&report, args.all));
    }
    Ok(match report.verdict() {
        Verdict::Healthy => Exit::Success,
        Verdict::Unhealthy => Exit::Failed,
        Verdict::Undetermined => Exit::Undetermined,
    }
    .into())
}
