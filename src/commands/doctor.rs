//! `karmada-eks doctor`: the preflight checks on their own, as a table or JSON; and the same checks as `deploy`
//! runs them first.

use anyhow::Result;
use std::path::Path;
use std::process::ExitCode;

use super::assembly::{check_stack_names, load_assembly};
use super::session;
use crate::cli::DoctorArgs;
use crate::deploy::client::Aws;
use crate::deploy::preflight::{self, Plan, Report};
use crate::deploy::selection::{select, Extend};
use crate::deploy::tuning::Tuning;
use constructs::core::CloudAssembly;
use constructs::karmada::Config;

pub fn run(config_path: Option<&Path>, args: &DoctorArgs) -> Result<ExitCode> {
    let config = preflight_config(config_path, args.assembly.app.as_deref())?;
    let assembly = load_assembly(config_path, args.assembly.app.as_deref())?;
    check_stack_names(&assembly, &args.stacks)?;
    let selected = select(&assembly, &args.stacks, Extend::Dependencies);
    let plan = Plan::new(&assembly, &selected, &config);
    let report = session::runtime()?.block_on(async {
        let aws = session::aws(&args.aws, Tuning::from_env()).await;
        preflight::run(&aws, plan).await
    });
    if args.json {
        println!("{}", report.to_json());
    } else {
        print!("{}", render(&report));
    }
    Ok(if report.failed() { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

/// What the checks take from the config besides the assembly (members' join modes, the Karmada release): the
/// config, or its defaults with `--app DIR`, which deploys a reviewed assembly without reading any config.
pub fn preflight_config(config_path: Option<&Path>, app: Option<&str>) -> Result<Config> {
    match app {
        Some(_) => Ok(Config::default()),
        None => crate::config::load(config_path),
    }
}

fn render(report: &Report) -> String {
    report.render(crate::color::stdout())
}

/// The checks `deploy` runs before its first change: the table when something is not ok (as a JSON line
/// `{"event": "preflight", ...}` with `json`), an error when a check fails, else the tally for the summary.
pub async fn preflight(
    aws: &Aws,
    assembly: &CloudAssembly,
    selected: &[String],
    config: &Config,
    json: bool,
) -> Result<String> {
    let report = preflight::run(aws, Plan::new(assembly, selected, config).only_changing()).await;
    if json {
        let mut line = report.to_json();
        line["event"] = "preflight".into();
        println!("{line}");
    } else if report.checks.iter().any(|f| f.result != preflight::Status::Ok) {
        print!("{}", render(&report));
    }
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
        message.push_str(
            "\n  hint: apply each failed check's fix (`karmada-eks doctor` shows them again), or pass --skip-preflight \
             to deploy anyway",
        );
        anyhow::bail!(message);
    }
    Ok(report.tally())
}
