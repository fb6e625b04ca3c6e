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
        anyhow::Ok(reconcile(&cfn, ssm, &config.app, true, tuning, Interrupt::on_ctrl_c(), reporter.clone()).await)
    })?;
    Ok(print(&result, args.json))
}

/// The reconcile on `app`'s host: always with `force` (the `reconcile` command), else only when the deployed
/// desired state differs from the applied one (`deploy`).
pub async fn reconcile(
    cfn: &aws_sdk_cloudformation::Client,
    ssm: aws_sdk_ssm::Client,
    app: &str,
    force: bool,
    tuning: Tuning,
    interrupt: Interrupt,
    reporter: Arc<dyn Reporter>,
) -> Result<reconcile::ReconcileReport, ReconcileError> {
    reconcile::run(cfn, ssm, app, force, |ssm, instance| {
        Host::new(ssm, instance, tuning, HostTimeouts::default(), interrupt, reporter)
    })
    .await
}

/// Prints the outcome (text or one JSON document) and picks the exit code: 0, 1, or 130 after Ctrl-C.
pub fn print(result: &Result<reconcile::ReconcileReport, ReconcileError>, json: bool) -> ExitCode {
    match result {
        Ok(report) => {
            if json {
                println!("{}", serde_json::json!({"event": "reconcile", "ok": true, "report": report}));
            } else {
                print!("{}", summary(report));
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

/// The text summary of a reconcile that ended well: the host's output, then one line.
pub fn summary(report: &reconcile::ReconcileReport) -> String {
    if !report.ran {
        return format!("reconcile: nothing to do: {}\n", report.note.as_deref().unwrap_or("up to date"));
    }
    let mut text = String::new();
    for line in report.output.lines() {
        text.push_str(&format!("  {line}\n"));
    }
    text.push_str(&format!(
        "reconcile: the host applied the desired state {} (was {}){}\n",
        reconcile::short(&report.decision.desired_sha256),
        reconcile::short(&report.decision.applied_sha256),
        report.note.as_deref().map(|n| format!("; {n}")).unwrap_or_default()
    ));
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::deploy::host::recorded_tests::*;

    /// What `deploy` prints for its reconcile step, from recorded responses: the host's log lines streamed as
    /// progress (stderr), then the host's per-member lines and the summary line (stdout).
    #[tokio::test]
    async fn the_deploy_reconcile_step_transcript() {
        let desired = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
        let [stacks, resources] = deployed_app(desired);
        let cfn = cfn(&[&stacks, &resources]);
        let applied = parameter("/karmada/karmada/applied-state", "none");
        let apply = send("karmada-eks-reconcile 'apply'", "cmd-apply");
        let log = "2026-12-01T08:10:02Z [nlb-targets] target group has the node group's Auto Scaling group\n\
                   2026-12-01T08:10:05Z [join eksuscl02] kubectl karmada join eksuscl02\n\
                   2026-12-01T08:10:41Z [ready eksuscl02] Ready\n\
                   2026-12-01T08:10:42Z [policy] propagationpolicy.policy.karmada.io/nginx-propagation configured\n";
        let table = "member ekseucl01 already there\nmember ekseucl02 already there\nmember eksuscl01 already there\n\
                     member eksuscl02 joined (36s)\napplied 9f86d081884c\n";
        let main = apply_runs_then_succeeds(table);
        let [first, later, answer] = reads(log);
        let later_empty = later_reads_empty();
        let client = ssm(&[&applied, &online(), &apply, &main, &first, &later, &later_empty, &answer]);
        let f = host_with(client.clone(), timeouts());
        let report = reconcile::run(&cfn, client, "karmada", false, |_, _| f.host).await.unwrap();

        let mut transcript: String = f.reporter.events().iter().map(|e| format!("{}\n", e.line())).collect();
        transcript.push_str(&summary(&report));
        println!("{transcript}");
        assert!(transcript.starts_with(
            "host: | 2026-12-01T08:10:02Z [nlb-targets] target group has the node group's Auto Scaling group\n"
        ));
        assert!(transcript.contains("host: | 2026-12-01T08:10:05Z [join eksuscl02] kubectl karmada join eksuscl02\n"));
        assert!(transcript.contains("  member eksuscl02 joined (36s)\n"));
        assert!(transcript.ends_with("reconcile: the host applied the desired state 9f86d081884c (was none)\n"));
        assert_eq!(transcript.matches("[join eksuscl02]").count(), 1, "streamed once");
    }
}
