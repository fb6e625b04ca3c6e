//! `reconcile`: run the day-2 reconcile (`karmada-eks-reconcile apply`) on the management host now, through SSM
//! Run Command, streaming its output.

use anyhow::Result;
use std::path::Path;
use std::process::ExitCode;

use super::assembly::load_assembly;
use super::{report, session};
use crate::cli::ReconcileArgs;
use crate::deploy::client::AwsOptions;
use crate::deploy::ops::reconcile;
use crate::deploy::tuning::Tuning;
use constructs::inspect::facts::AppFacts;

pub fn run(config_path: Option<&Path>, args: ReconcileArgs) -> Result<ExitCode> {
    let facts = AppFacts::of(&load_assembly(config_path, args.assembly.app.as_deref())?)?;
    let tuning = Tuning::from_env();
    let aws = AwsOptions { profile: args.aws.profile.clone(), region: args.aws.region.clone() };
    let result = session::runtime()?
        .block_on(async { reconcile::reconcile(&aws, &facts, true, &session::plain_ui(tuning)).await })?;
    Ok(report::print_reconcile(&result, args.json))
}
