//! `kubeconfig`: save the Karmada API kubeconfig the management host stored.

use anyhow::{Context, Result};
use std::path::Path;
use std::process::ExitCode;

use super::assembly::load_assembly;
use super::session;
use crate::cli::KubeconfigArgs;
use crate::deploy::client::AwsOptions;
use crate::deploy::kubeconfig;
use crate::deploy::tuning::Tuning;
use crate::error::Failure;
use constructs::core::output_path::OutputError;
use constructs::inspect::facts::AppFacts;

pub fn run(config_path: Option<&Path>, args: KubeconfigArgs) -> Result<ExitCode> {
    let facts = AppFacts::of(&load_assembly(config_path, args.assembly.app.as_deref())?)?;
    let name = kubeconfig::parameter_name(&facts.app);
    let secret = constructs::karmada::wellknown::kubeconfig_secret(&facts.app);
    let output = args.output.clone().unwrap_or_else(|| format!("{}-karmada.kubeconfig", facts.app).into());
    let region = &facts.home_region;
    let aws = AwsOptions { profile: args.aws.profile.clone(), region: args.aws.region.clone() };
    let value = session::runtime()?
        .block_on(async { crate::deploy::ops::kubeconfig::fetch(&aws, &facts, Tuning::from_env()).await })?;
    let Some(content) = value else {
        return Err(Failure {
            message: format!("the kubeconfig secret {secret} does not exist in {region} (read as {name})"),
            hints: vec!["the management host writes it when Karmada is up; run `karmada-eks deploy` and wait for it \
                         to finish, or see `karmada-eks status`"
                .into()],
        }
        .into());
    };
    match kubeconfig::save(&output, &content, args.force) {
        Err(OutputError::Refused(refused)) => return Err(refused.into()),
        saved => saved.with_context(|| format!("writing {}", output.display()))?,
    }
    println!("wrote {} (mode 0600) from the secret {secret}", output.display());
    println!("next: export KUBECONFIG={} && kubectl get clusters", output.display());
    Ok(ExitCode::SUCCESS)
}
