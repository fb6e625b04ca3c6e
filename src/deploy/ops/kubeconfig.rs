//! `kubeconfig`: the Karmada API kubeconfig the management host stored, read after the account check.

use anyhow::Result;

use crate::deploy::client::Aws;
use crate::deploy::{account, kubeconfig};
use constructs::inspect::facts::AppFacts;

/// The kubeconfig of `facts`' app; `None` when the host has not stored one yet.
pub async fn fetch(aws: &Aws, facts: &AppFacts) -> Result<Option<String>> {
    let region = &facts.home_region;
    account::ensure(aws, facts.account.as_deref().map(|a| (a, region.as_str()))).await?;
    Ok(kubeconfig::read(&aws.ssm(region), &kubeconfig::parameter_name(&facts.app)).await?)
}
