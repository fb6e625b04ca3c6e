//! `backup`: a backup of Karmada now (`karmada-eks-reconcile backup manual` on the management host): the etcd
//! snapshot and the certificates, into the app's bucket. `restore` and `rotate-certs` (`karmada-eks-reconcile
//! certs renew`) run on the host through the same call.

use anyhow::Result;
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

use super::session;
use crate::cli::{AwsArgs, BackupArgs, RotateCertsArgs};
use crate::deploy::account;
use crate::deploy::host::backup::{self, BackupAction, BackupReport};
use crate::deploy::host::reconcile::ReconcileError;
use crate::deploy::host::run_command::{Host, HostTimeouts};
use crate::deploy::interrupt::Interrupt;
use crate::deploy::progress::{self, Reporter};
use crate::deploy::tuning::Tuning;

pub fn run(config_path: Option<&Path>, args: BackupArgs) -> Result<ExitCode> {
    on_host(config_path, &args.aws, BackupAction::Backup { reason: "manual".into() }, args.json)
}

pub fn rotate_certs(config_path: Option<&Path>, args: RotateCertsArgs) -> Result<ExitCode> {
    on_host(config_path, &args.aws, BackupAction::RotateCerts { force: args.force }, args.json)
}

/// Runs `action` on the config's app's host and prints the outcome (text, or one JSON document
/// {"event": "backup" | "restore", "ok", "report" | "error"}); exit 0, 1, or 130 after Ctrl-C.
pub fn on_host(config_path: Option<&Path>, aws: &AwsArgs, action: BackupAction, json: bool) -> Result<ExitCode> {
    let config = crate::config::load(config_path)?;
    let region = aws.region.clone().unwrap_or_else(|| config.region.clone());
    let tuning = Tuning::from_env();
    let reporter: Arc<dyn Reporter> = Arc::new(progress::PlainReporter);
    let event = match action {
        BackupAction::Backup { .. } => "backup",
        BackupAction::Restore { .. } => "restore",
        BackupAction::RotateCerts { .. } => "rotate-certs",
    };
    let result: Result<BackupReport, ReconcileError> = session::runtime()?.block_on(async {
        let aws = session::aws(aws, tuning).await;
        account::ensure(&aws, config.account.as_deref().map(|a| (a, region.as_str()))).await?;
        let (cfn, ssm) = (aws.cloudformation(&region), aws.ssm(&region));
        let interrupt = Interrupt::on_ctrl_c();
        anyhow::Ok(
            backup::run(&cfn, ssm, &config.app, &action, |ssm, instance| {
                Host::new(ssm, instance, tuning, HostTimeouts::default(), interrupt, reporter.clone())
            })
            .await,
        )
    })?;
    Ok(match result {
        Ok(report) => {
            if json {
                println!("{}", serde_json::json!({"event": event, "ok": true, "report": report}));
            } else {
                for line in report.output.lines() {
                    println!("  {line}");
                }
                match (&action, &report.location) {
                    (BackupAction::Backup { .. }, Some(at)) => println!("backup: {at}"),
                    (BackupAction::Restore { .. }, Some(at)) => println!("restore: Karmada is back at {at}"),
                    _ => println!("{event}: done"),
                }
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            if json {
                println!("{}", serde_json::json!({"event": event, "ok": false, "error": e.to_string()}));
            }
            eprintln!("error: {e}");
            if e.is_interrupted() {
                ExitCode::from(session::EXIT_INTERRUPTED)
            } else {
                ExitCode::from(1)
            }
        }
    })
}
