//! `kubeconfig`: the Karmada API kubeconfig the management host stored, read after the account check.

use anyhow::Result;

use crate::deploy::client::{Aws, AwsOptions};
use crate::deploy::kubeconfig;
use crate::deploy::tuning::Tuning;
use constructs::inspect::facts::AppFacts;

/// The kubeconfig of `facts`' app; `None` when the host has not stored one yet.
pub async fn fetch(aws: &AwsOptions, facts: &AppFacts, tuning: Tuning) -> Result<Option<String>> {
    let aws = &Aws::load(aws, tuning).await;
    let region = &facts.home_region;
    super::ensure_account(aws, facts.account.as_deref().map(|a| (a, region.as_str()))).await?;
    Ok(kubeconfig::read(&aws.ssm(region), &kubeconfig::parameter_name(&facts.app)).await?)
}
