//! Printing the engine's results, text or JSON, in one place: `DeployReport` and `DestroyReport` (a summary
//! line per stack, failures, errors on stderr, the next step), and the exit code they mean.

use std::process::ExitCode;

use crate::deploy::error::DeployError;
use crate::deploy::events::ResourceEvent;
use crate::deploy::host::reconcile::{short, ReconcileError, ReconcileReport};
use crate::deploy::inventory::Kept;
use crate::deploy::report::{Deletion, DeployReport, DestroyReport, Outcome};
use crate::error::Exit;
use constructs::core::Hints;

/// The exit status of a deploy or destroy: interrupted; bad input only while the run changed nothing (a refusal
/// after stacks were deployed, such as an approval no terminal can give, is a failure: work was done); failed;
/// success.
pub fn exit_code<'a>(errors: impl Iterator<Item = &'a DeployError>, ok: bool, changed: bool) -> ExitCode {
    let errors: Vec<&DeployError> = errors.collect();
    let exit = if errors.iter().any(|e| matches!(e, DeployError::Interrupted { .. })) {
        Exit::Interrupted
    } else if !changed && errors.iter().any(|e| e.is_usage()) {
        Exit::Usage
    } else if ok {
        Exit::Success
    } else {
        Exit::Failed
    };
    exit.into()
}

/// `preflight` says how the preflight checks went (their tally, or that `--skip-preflight` skipped them).
pub fn print_deploy(report: &DeployReport, json: bool, preflight: &str) {
    if json {
        println!(
            "{}",
            serde_json::json!({
                "event": "summary", "stacks": report.stacks, "removed": report.removed, "kept": report.kept,
                "stale": report.stale, "preflight": preflight
            })
        );
        print_errors(report.errors());
        return;
    }
    let color = crate::color::stdout();
    let paint = |code: &str, text: &str| crate::color::paint(color, code, text);
    print_kept(&report.kept);
    for r in &report.removed {
        let what = match r.outcome {
            Deletion::Deleted | Deletion::Absent => "deleted (left the app)".to_string(),
            Deletion::NotStarted => paint("33", "not started"),
            Deletion::Failed => paint("31", r.status.as_deref().unwrap_or("not deleted")),
        };
        println!("{} ({}): {what}", r.name, r.region);
        print_failures(&r.failures);
        print_errors(r.error.iter());
    }
    for r in &report.stacks {
        let what = match r.outcome {
            Outcome::Created => paint("32", "created"),
            Outcome::Updated => paint("32", "updated"),
            Outcome::Unchanged => "no changes".to_string(),
            Outcome::Failed => paint("31", r.status.as_deref().unwrap_or("failed")),
            Outcome::NotStarted => paint("33", "not started"),
        };
        println!("{} ({}): {what}", r.name, r.region);
        if !r.outputs.is_empty() {
            println!("  outputs:");
            for o in &r.outputs {
                println!("    {} = {}", o.key, o.value);
            }
        }
        if !r.failures.is_empty() {
            println!("  first failed resources:");
            print_failures(&r.failures);
        }
        print_errors(r.error.iter());
    }
    for s in &report.stale {
        println!("{} ({}): {}", s.name, s.region, paint("33", &s.note()));
    }
    println!("preflight: {preflight}");
    if report.ok() {
        if report.whole_app {
            println!(
                "next: `karmada-eks kubeconfig` saves the Karmada API kubeconfig (from the secret {}); \
                 `karmada-eks status` shows Karmada's health",
                constructs::karmada::wellknown::kubeconfig_secret(&report.app)
            );
        } else {
            println!("next: `karmada-eks deploy` deploys the app's other stacks");
        }
    } else if report.errors().any(|e| matches!(e, DeployError::Interrupted { .. })) {
        println!("interrupted: run `karmada-eks deploy` again to carry on from the deployed state");
    } else {
        println!("fix the cause above and run `karmada-eks deploy` again; it carries on from the deployed state");
    }
}

pub fn print_destroy(report: &DestroyReport, json: bool) {
    if json {
        let volumes: Vec<serde_json::Value> = report
            .volumes
            .iter()
            .map(|v| {
                let mut line = serde_json::json!({"id": v.volume.id, "region": v.region, "deleted": v.error.is_none()});
                if let Some(e) = &v.error {
                    line["error"] = serde_json::json!(e.to_string());
                    line["hints"] = serde_json::json!(e.hints());
                }
                line
            })
            .collect();
        let summary = serde_json::json!({
            "event": "summary", "unjoined": report.unjoined, "stacks": report.stacks, "volumes": volumes,
            "kept": report.kept, "final_backup": report.final_backup, "backups_kept": report.backups_kept
        });
        println!("{summary}");
    }
    if !json {
        print_kept(&report.kept);
        if let Some(at) = &report.final_backup {
            println!("final backup of Karmada: {at}");
        }
        if let Some(stack) = &report.backups_kept {
            println!("{}", crate::deploy::destroy::backups_kept_note(stack));
        }
    }
    if !json && !report.unjoined.is_empty() {
        println!("unjoined from Karmada first: {}", report.unjoined.join(", "));
    }
    for r in &report.stacks {
        if !json {
            let what = match r.outcome {
                Deletion::Absent => "did not exist".to_string(),
                Deletion::Deleted => "deleted".to_string(),
                Deletion::NotStarted => "not started".to_string(),
                Deletion::Failed => r.status.clone().unwrap_or_else(|| "failed".into()),
            };
            println!("{} ({}): {what}", r.name, r.region);
            print_failures(&r.failures);
            if !r.retained.is_empty() {
                println!("  kept by --retain-failed; delete these by hand:");
                for k in &r.retained {
                    let id = k.physical_id.as_deref().unwrap_or("no physical id");
                    println!("    {} ({}) {id}", k.logical_id, k.resource_type);
                }
            }
        }
        print_errors(r.error.iter());
    }
    for v in &report.volumes {
        match &v.error {
            None if !json => println!("EBS volume {} ({}): deleted", v.volume.id, v.region),
            None => {}
            Some(e) => {
                let (id, region) = (&v.volume.id, &v.region);
                let mut hints = e.hints();
                hints.push(format!("delete it with `aws ec2 delete-volume --volume-id {id} --region {region}`"));
                let message = format!("EBS volume {id} ({region}) was not deleted: {e}");
                eprintln!("error: {}", crate::error::with_hints(message, &hints));
            }
        }
    }
}

/// The stacks tagged with the app that karmada-eks did not make, and how to delete one.
fn print_kept(kept: &[Kept]) {
    for k in kept {
        println!("{} ({}): not made by karmada-eks, kept ({})", k.name, k.region, k.reason);
    }
    if let Some(k) = kept.first() {
        println!("  to delete one: `karmada-eks deploy --prune {name}` or `karmada-eks destroy {name}`", name = k.name);
    }
}

/// Errors on stderr; a stack not started because another failed says nothing of its own.
fn print_errors<'a>(errors: impl Iterator<Item = &'a DeployError>) {
    for e in errors.filter(|e| !matches!(e, DeployError::DependencyFailed)) {
        eprintln!("error: {}", crate::error::with_hints(e, &e.hints()));
    }
}

/// One line per failed resource: logical id, type, status and CloudFormation's reason.
fn print_failures(failures: &[ResourceEvent]) {
    for f in failures {
        println!(
            "    {} ({}) {}: {}",
            f.logical_id,
            f.resource_type,
            f.status,
            f.reason.as_deref().unwrap_or("no reason given")
        );
    }
}

/// Prints the outcome (text or one JSON document) and picks the exit code: 0, 1, or 130 after Ctrl-C.
pub fn print_reconcile(result: &Result<ReconcileReport, ReconcileError>, json: bool) -> ExitCode {
    match result {
        Ok(report) => {
            if json {
                println!("{}", serde_json::json!({"event": "reconcile", "ok": true, "report": report}));
            } else {
                print!("{}", reconcile_summary(report));
            }
            ExitCode::SUCCESS
        }
        Err(e) => print_host_error("reconcile", e, json),
    }
}

/// A failed command on the host (`event` names it): one JSON document `{"event", "ok": false, "error", "hints"}`
/// with `json`, `error: ...` with its hints on stderr; exit 1, or 130 after Ctrl-C.
pub fn print_host_error(event: &str, e: &ReconcileError, json: bool) -> ExitCode {
    let hints = e.hints();
    if json {
        let mut line = crate::error::json_fields(e, &hints);
        line["event"] = event.into();
        line["ok"] = false.into();
        println!("{line}");
    }
    eprintln!("error: {}", crate::error::with_hints(e, &hints));
    if e.is_interrupted() { Exit::Interrupted } else { Exit::Failed }.into()
}

/// The text summary of a reconcile that ended well: the host's output, then one line.
pub fn reconcile_summary(report: &ReconcileReport) -> String {
    if !report.ran {
        return format!("reconcile: nothing to do: {}\n", report.note.as_deref().unwrap_or("up to date"));
    }
    let mut text = String::new();
    for line in report.output.lines() {
        text.push_str(&format!("  {line}\n"));
    }
    text.push_str(&format!(
        "reconcile: the host applied the desired state {} (was {}){}\n",
        short(&report.decision.desired_sha256),
        short(&report.decision.applied_sha256),
        report.note.as_deref().map(|n| format!("; {n}")).unwrap_or_default()
    ));
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_input_is_2_only_while_nothing_was_changed() {
        let refused =
            DeployError::ApprovalImpossible { stack: "karmada-network".into(), what: "a security change".into() };
        assert_eq!(exit_code([&refused].into_iter(), false, false), ExitCode::from(2));
        assert_eq!(exit_code([&refused].into_iter(), false, true), ExitCode::from(1), "a stack was deployed first");
        let interrupted = DeployError::Interrupted { stack: "s".into(), detail: "Ctrl-C".into() };
        assert_eq!(exit_code([&interrupted].into_iter(), false, true), ExitCode::from(Exit::Interrupted));
        assert_eq!(exit_code(std::iter::empty(), true, true), ExitCode::SUCCESS);
    }
}

#[cfg(test)]
mod reconcile_transcript {
    use super::reconcile_summary;
    use crate::deploy::host::reconcile;
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
        transcript.push_str(&reconcile_summary(&report));
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
