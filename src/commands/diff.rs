//! `diff`: what deploying would change, against the deployed templates.

use anyhow::Result;
use std::path::Path;
use std::process::ExitCode;

use super::assembly::load_assembly;
use super::session;
use crate::cli::DiffArgs;
use crate::deploy::client::AwsOptions;
use crate::deploy::diff;
use crate::deploy::ops::diff::DiffOutcome;
use crate::deploy::tuning::Tuning;
use crate::error::Exit;

pub fn run(config_path: Option<&Path>, args: DiffArgs) -> Result<ExitCode> {
    let assembly = load_assembly(config_path, args.assembly.app.as_deref())?;
    crate::deploy::selection::check_stack_names(&assembly, &args.stacks)?;
    let aws = AwsOptions { profile: args.aws.profile.clone(), region: args.aws.region.clone() };
    let outcome = session::runtime()?
        .block_on(async { crate::deploy::ops::diff::diff(&aws, &assembly, &args.stacks, Tuning::from_env()).await })?;
    print!("{}", render(&outcome, crate::color::stdout()));
    Ok(if outcome.differs() && args.fail { Exit::Failed } else { Exit::Success }.into())
}

fn render(outcome: &DiffOutcome, color: bool) -> String {
    let mut text = String::new();
    for s in &outcome.stacks {
        text.push_str(&diff::render(&s.name, &s.region, s.deployed, &s.diff, color));
        if let Some(stale) = &s.stale {
            text.push_str(&format!("Stack {} ({}): {}\n", stale.name, stale.region, stale.note()));
        }
    }
    for orphan in &outcome.orphans {
        text.push_str(&diff::render(&orphan.name, &orphan.region, true, &orphan.diff, color));
        text.push_str("(the stack left the app: `karmada-eks deploy` deletes it)\n");
    }
    for k in &outcome.kept {
        text.push_str(&format!("Stack {} ({}): {}\n", k.name, k.region, k.note()));
    }
    text
}
