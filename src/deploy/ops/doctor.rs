//! `doctor`: the preflight checks on their own; and [`gate`], the same checks as `deploy` runs them before its
//! first change.

use anyhow::Result;

use crate::deploy::client::{Aws, AwsOptions};
use crate::deploy::preflight::{self, Plan, Report, Status};
use crate::deploy::progress::{ProgressEvent, Reporter};
use crate::deploy::tuning::Tuning;
use crate::error::Failure;
use constructs::core::CloudAssembly;
use constructs::inspect::facts::AppFacts;

/// Every check of the `selected` stacks.
pub async fn doctor(aws: &AwsOptions, assembly: &CloudAssembly, selected: &[String], tuning: Tuning) -> Result<Report> {
    let facts = AppFacts::of(assembly)?;
    let aws = &Aws::load(aws, tuning).await;
    Ok(preflight::run(aws, Plan::new(assembly, selected, &facts)).await)
}

/// The checks of what deploy is about to change: reported as a [`ProgressEvent::Preflight`] (the table only when
/// a check is not ok), an error naming each failed check and its fix, else the tally for the summary.
pub async fn gate(
    aws: &Aws,
    assembly: &CloudAssembly,
    selected: &[String],
    facts: &AppFacts,
    reporter: &dyn Reporter,
) -> Result<String> {
    let report = preflight::run(aws, Plan::new(assembly, selected, facts).only_changing()).await;
    let table = match report.checks.iter().any(|f| f.result != Status::Ok) {
        true => report.render(crate::color::stdout()),
        false => String::new(),
    };
    reporter.report(ProgressEvent::Preflight { table, report: report.to_json() });
    if report.failed() {
        let names: Vec<&str> = report.failures().map(|f| f.check).collect();
        let mut message =
            format!("preflight: {} check(s) failed ({}); nothing was changed", names.len(), names.join(", "));
        for f in report.failures() {
            let subject = f.subject.as_deref().map(|s| format!(" {s}")).unwrap_or_default();
            message.push_str(&format!("\n  {}{subject} ({}): {}", f.check, f.region, f.found));
            if let Some(fix) = &f.fix {
                message.push_str(&format!("\n    fix: {fix}"));
            }
        }
        let hint = "apply each failed check's fix (`karmada-eks doctor` shows them again), or pass --skip-preflight \
                    to deploy anyway";
        return Err(Failure { message, hints: vec![hint.into()] }.into());
    }
    Ok(report.tally())
}
