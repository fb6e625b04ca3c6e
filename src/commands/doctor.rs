//! `karmada-eks doctor`: the preflight checks on their own, as a table or JSON.

use anyhow::{Context, Result};
use std::io::IsTerminal;
use std::path::Path;
use std::process::ExitCode;

use crate::cli::DoctorArgs;
use crate::commands::{check_stack_names, load_assembly};
use crate::deploy::client::{Aws, AwsOptions};
use crate::deploy::preflight::{self, Plan};
use crate::deploy::selection::{select, Extend};
use crate::deploy::tuning::Tuning;

pub fn run(config_path: Option<&Path>, args: &DoctorArgs) -> Result<ExitCode> {
    let config = crate::config::load(config_path)?;
    let assembly = load_assembly(config_path, args.assembly.app.as_deref())?;
    check_stack_names(&assembly, &args.stacks)?;
    let selected = select(&assembly, &args.stacks, Extend::Dependencies);
    let plan = Plan::new(&assembly, &selected, &config);
    let options = AwsOptions { profile: args.aws.profile.clone(), region: args.aws.region.clone() };
    let runtime =
        tokio::runtime::Builder::new_multi_thread().enable_all().build().context("starting the async runtime")?;
    let report = runtime.block_on(async {
        let aws = Aws::load(&options, Tuning::from_env()).await;
        preflight::run(&aws, plan).await
    });
    if args.json {
        println!("{}", report.to_json());
    } else {
        print!("{}", report.render(std::io::stdout().is_terminal()));
    }
    Ok(if report.failed() { ExitCode::from(1) } else { ExitCode::SUCCESS })
}
