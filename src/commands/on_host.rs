//! What `backup`, `restore` and `rotate-certs` share: one action on the management host of the assembly's app,
//! and its outcome printed (text, or one JSON document).

use anyhow::Result;
use std::path::Path;
use std::process::ExitCode;

use super::assembly::load_assembly;
use super::session;
use crate::cli::{AssemblyArgs, AwsArgs};
use crate::deploy::client::AwsOptions;
use crate::deploy::host::backup::{BackupReport, HostAction};
use crate::deploy::host::reconcile::ReconcileError;
use crate::deploy::ops::host_action;
use crate::deploy::tuning::Tuning;
use constructs::inspect::facts::AppFacts;

/// Runs `action` on the host of the assembly's app and prints the outcome (text, or one JSON document
/// {"event": "backup" | "restore" | "rotate-certs", "ok", "report" | "error", "hints"}); exit 0, 1, or 130 after
/// Ctrl-C.
pub fn run(
    config_path: Option<&Path>,
    assembly: &AssemblyArgs,
    aws: &AwsArgs,
    action: HostAction,
    json: bool,
) -> Result<ExitCode> {
    let facts = AppFacts::of(&load_assembly(config_path, assembly.app.as_deref())?)?;
    let tuning = Tuning::from_env();
    let event = match action {
        HostAction::Backup { .. } => "backup",
        HostAction::Restore { .. } => "restore",
        HostAction::RotateCerts { .. } => "rotate-certs",
    };
    let aws = AwsOptions { profile: aws.profile.clone(), region: aws.region.clone() };
    let result: Result<BackupReport, ReconcileError> = session::runtime()?
        .block_on(async { host_action::run(&aws, &facts, &action, &session::plain_ui(tuning)).await })?;
    Ok(match result {
        Ok(report) => {
            if json {
                println!("{}", serde_json::json!({"event": event, "ok": true, "report": report}));
            } else {
                for line in report.output.lines() {
                    println!("  {line}");
                }
                match (&action, &report.location) {
                    (HostAction::Backup { .. }, Some(at)) => println!("backup: {at}"),
                    (HostAction::Restore { .. }, Some(at)) => println!("restore: Karmada is back at {at}"),
                    _ => println!("{event}: done"),
                }
            }
            ExitCode::SUCCESS
        }
        Err(e) => super::report::print_host_error(event, &e, json),
    })
}
