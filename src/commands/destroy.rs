//! `destroy`: delete the stacks in reverse dependency order, then the EBS volumes Kubernetes left.

use anyhow::Result;
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

use super::assembly::load_assembly;
use super::{report, session};
use crate::cli::DestroyArgs;
use crate::deploy::approval::{Answer, Approver, Fixed, TerminalApprover};
use crate::deploy::client::AwsOptions;
use crate::deploy::ops::destroy::{self, DestroyRequest};
use crate::deploy::progress;
use crate::deploy::tuning::Tuning;

pub fn run(config_path: Option<&Path>, args: DestroyArgs) -> Result<ExitCode> {
    let assembly = load_assembly(config_path, args.assembly.app.as_deref())?;
    let request = DestroyRequest {
        stacks: args.stacks,
        exclusively: args.exclusively,
        concurrency: usize::from(args.concurrency),
        retain_failed: args.retain_failed,
        cancel_update: args.cancel_update,
        skip_unjoin: args.skip_unjoin,
        no_final_backup: args.no_final_backup,
        force_unlock: args.force_unlock,
    };
    let tuning = Tuning::from_env();
    let approver: Arc<dyn Approver> =
        if args.force { Arc::new(Fixed(Answer::Yes)) } else { Arc::new(TerminalApprover::default()) };
    let reporter: Arc<dyn progress::Reporter> = Arc::from(progress::for_output(args.json));
    let aws = AwsOptions { profile: args.aws.profile.clone(), region: args.aws.region.clone() };
    let result = session::runtime()?.block_on(async {
        destroy::destroy(&aws, &assembly, request, session::ui(reporter.clone(), approver, tuning)).await
    })?;
    drop(reporter);
    report::print_destroy(&result, args.json);
    Ok(report::exit_code(result.errors(), result.ok(), result.changed_something()))
}
