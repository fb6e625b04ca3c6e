//! `deploy`: create or update the stacks in dependency order, then the host's reconcile.

use anyhow::Result;
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

use super::assembly::load_assembly;
use super::{report, session};
use crate::cli::{DeployArgs, RequireApproval};
use crate::deploy::approval::{Answer, ApprovalPolicy, Approver, Fixed, TerminalApprover};
use crate::deploy::client::AwsOptions;
use crate::deploy::deployment::DeployOptions;
use crate::deploy::ops::deploy::{self, DeployRequest};
use crate::deploy::outputs_file;
use crate::deploy::progress;
use crate::deploy::tuning::Tuning;
use constructs::core::Hints;
use constructs::inspect::facts::AppFacts;
use constructs::karmada::wellknown::TAG_VERSION;

pub fn run(config_path: Option<&Path>, args: DeployArgs) -> Result<ExitCode> {
    let assembly = load_assembly(config_path, args.assembly.app.as_deref())?;
    let tuning = Tuning::from_env();
    let request = DeployRequest {
        stacks: args.stacks,
        exclusively: args.exclusively,
        options: DeployOptions {
            approval: match args.require_approval {
                RequireApproval::Never => ApprovalPolicy::Never,
                RequireApproval::Broadening => ApprovalPolicy::Broadening,
                RequireApproval::AnyChange => ApprovalPolicy::AnyChange,
            },
            termination_protection: args.termination_protection,
            concurrency: usize::from(args.concurrency),
            tags: [(TAG_VERSION.to_string(), env!("CARGO_PKG_VERSION").to_string())].into_iter().collect(),
            tuning,
            refresh_from_ssm: args.refresh_host_image,
        },
        force_unlock: args.force_unlock,
        prune: args.prune,
        skip_preflight: args.skip_preflight,
        no_reconcile: args.no_reconcile,
    };
    // Usage errors before any AWS call or runtime.
    deploy::selection(&assembly, &request)?;
    // The outputs file is checked before any stack is touched (the app's name tells its own file).
    let outputs_to = match &args.outputs_file {
        Some(path) => {
            let app = AppFacts::of(&assembly)?.app;
            outputs_file::check(path, &app)?;
            Some((path, app))
        }
        None => None,
    };
    let approver: Arc<dyn Approver> =
        if args.yes { Arc::new(Fixed(Answer::Yes)) } else { Arc::new(TerminalApprover::default()) };
    let reporter: Arc<dyn progress::Reporter> = Arc::from(progress::for_output(args.json));
    let no_reconcile = request.no_reconcile;
    let aws = AwsOptions { profile: args.aws.profile.clone(), region: args.aws.region.clone() };
    let outcome = session::runtime()?.block_on(async {
        deploy::deploy(&aws, &assembly, request, session::ui(reporter.clone(), approver, tuning)).await
    })?;
    drop(reporter);
    report::print_deploy(&outcome.report, args.json, &outcome.preflight);
    if let Some((path, app)) = &outputs_to {
        match outputs_file::write(path, app, &outcome.report) {
            Ok(()) if !args.json => println!("outputs: {}", path.display()),
            Ok(()) => {}
            Err(e) => {
                eprintln!("error: could not write {}: {}", path.display(), crate::error::with_hints(&e, &e.hints()))
            }
        }
    }
    let code = report::exit_code(outcome.report.errors(), outcome.report.ok(), outcome.report.changed_something());
    match &outcome.reconciled {
        Some(r) if code == ExitCode::SUCCESS => Ok(report::print_reconcile(r, args.json)),
        _ => {
            if no_reconcile && outcome.report.ok() {
                println!("reconcile: skipped (--no-reconcile); `karmada-eks reconcile` runs it");
            }
            Ok(code)
        }
    }
}
