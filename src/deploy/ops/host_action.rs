//! `backup`, `restore` and `rotate-certs`: one `karmada-eks-reconcile` action on the app's host.

use anyhow::Result;

use super::Ui;
use crate::deploy::client::{Aws, AwsOptions};
use crate::deploy::host::backup::{self, BackupReport, HostAction};
use crate::deploy::host::reconcile::ReconcileError;
use crate::deploy::host::run_command::{Host, HostTimeouts};
use constructs::inspect::facts::AppFacts;

/// Runs `action` on the host of `facts`' app after the account check. The outer error: the check failed; the
/// inner: the action did.
pub async fn run(
    aws: &AwsOptions,
    facts: &AppFacts,
    action: &HostAction,
    ui: &Ui,
) -> Result<Result<BackupReport, ReconcileError>> {
    let aws = &Aws::load(aws, ui.tuning).await;
    let region = &facts.home_region;
    super::ensure_account(aws, facts.account.as_deref().map(|a| (a, region.as_str()))).await?;
    let (cfn, ssm) = (aws.cloudformation(region), aws.ssm(region));
    let Ui { tuning, interrupt, reporter, .. } = ui.clone();
    Ok(backup::run(&cfn, ssm, &facts.app, action, |ssm, instance| {
        Host::new(ssm, instance, tuning, HostTimeouts::default(), interrupt, reporter)
    })
    .await)
}
