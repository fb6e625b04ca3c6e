//! `reconcile`: run the day-2 reconcile (`karmada-eks-reconcile apply`) on the management host now, through SSM
//! Run Command, streaming its output.

use anyhow::Result;
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

use super::session;
use crate::cli::ReconcileArgs;
use crate::deploy::account;
use crate::deploy::host::reconcile::{self, ReconcileError};
use crate::deploy::host::run_command::{Host, HostTimeouts};
use crate::deploy::interrupt::Interrupt;
use crate::deploy::progress::{self, Reporter};
use crate::deploy::tuning::Tuning;

pub fn run(config_path: Option<&Path>, args: ReconcileArgs) -> Result<ExitCode> {
    let config = crate::config::load(config_path)?;
    let region = args.aws.region.clone().unwrap_or_else(|| config.region.clone());
    let tuning = Tuning::from_env();
    let reporter: Arc<dyn Reporter> = Arc::new(progress::PlainReporter);
    let result = session::runtime()?.block_on(async {
        let aws = session::aws(&args.aws, tuning).await;
        account::ensure(&aws, config.account.as_deref().map(|a| (a, region.as_str()))).await?;
        let (cfn, ssm) = (aws.cloudformation(&region), aws.ssm(&region));
        anyhow::Ok(on_demand(&cfn, ssm, &config.app, tuning, reporter.clone()).await)
    })?;
    Ok(print(&result, args.json))
}

/// Decides and runs the reconcile (always, since it was asked for).
async fn on_demand(
    cfn: &aws_sdk_cloudformation::Client,
    ssm: aws_sdk_ssm::Client,
    app: &str,
    tuning: Tuning,
    reporter: Arc<dyn Reporter>,
) -> Result<reconcile::ReconcileReport, ReconcileError> {
    let decision = reconcile::decide(cfn, &ssm, app).await?;
    let host = host(cfn, ssm, app, tuning, reporter).await?;
    reconcile::apply(&host, decision, true).await
}

/// `deploy`'s last step: when the deployed desired state differs from what the host applied, runs the reconcile.
pub async fn after_deploy(
    cfn: &aws_sdk_cloudformation::Client,
    ssm: aws_sdk_ssm::Client,
    app: &str,
    tuning: Tuning,
    reporter: Arc<dyn Reporter>,
) -> Result<reconcile::ReconcileReport, ReconcileError> {
    let decision = reconcile::decide(cfn, &ssm, app).await?;
    if !decision.needs_apply() {
        return Ok(reconcile::up_to_date(decision));
    }
    let host = host(cfn, ssm, app, tuning, reporter).await?;
    reconcile::apply(&host, decision, false).await
}

/// The management host of `app`, reached through SSM.
async fn host(
    cfn: &aws_sdk_cloudformation::Client,
    ssm: aws_sdk_ssm::Client,
    app: &str,
    tuning: Tuning,
    reporter: Arc<dyn Reporter>,
) -> Result<Host, ReconcileError> {
    let instance = reconcile::management_instance(cfn, app).await?.ok_or_else(|| ReconcileError::NotDeployed {
        stack: reconcile::management_stack(app),
        problem: "has no management instance".into(),
    })?;
    Ok(Host::new(ssm, &instance, tuning, HostTimeouts::default(), Interrupt::on_ctrl_c(), reporter))
}

/// Prints the outcome (text or one JSON document) and picks the exit code: 0, 1, or 130 after Ctrl-C.
pub fn print(result: &Result<reconcile::ReconcileReport, ReconcileError>, json: bool) -> ExitCode {
    match result {
        Ok(report) => {
            if json {
                println!("{}", serde_json::json!({"event": "reconcile", "ok": true, "report": report}));
            } else if report.ran {
                println!(
                    "reconcile: the host applied the desired state {}{}",
                    reconcile::short(&report.decision.desired_sha256),
                    report.note.as_deref().map(|n| format!(" ({n})")).unwrap_or_default()
                );
            } else {
                println!("reconcile: nothing to do: {}", report.note.as_deref().unwrap_or("up to date"));
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            if json {
                println!("{}", serde_json::json!({"event": "reconcile", "ok": false, "error": e.to_string()}));
            }
            eprintln!("error: {e}");
            if e.is_interrupted() {
                ExitCode::from(session::EXIT_INTERRUPTED)
            } else {
                ExitCode::from(1)
            }
        }
    }
}
