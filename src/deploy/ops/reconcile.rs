//! The host's reconcile (`karmada-eks-reconcile apply`): `reconcile` runs it always, `deploy` when the deployed
//! desired state differs from the applied one.

use anyhow::Result;

use super::Ui;
use crate::deploy::client::{Aws, AwsOptions};
use crate::deploy::host::reconcile::{self, ReconcileError, ReconcileReport};
use crate::deploy::host::run_command::{Host, HostTimeouts};
use constructs::inspect::facts::AppFacts;

/// `reconcile`: the account check, then the reconcile with `force`. The outer error: the check failed; the inner:
/// the reconcile did.
pub async fn reconcile(
    aws: &AwsOptions,
    facts: &AppFacts,
    force: bool,
    ui: &Ui,
) -> Result<Result<ReconcileReport, ReconcileError>> {
    let aws = &Aws::load(aws, ui.tuning).await;
    super::ensure_account(aws, facts.account.as_deref().map(|a| (a, facts.home_region.as_str()))).await?;
    Ok(on_host(aws, facts, force, ui).await)
}

/// The reconcile on the app's host, in its home region.
pub async fn on_host(aws: &Aws, facts: &AppFacts, force: bool, ui: &Ui) -> Result<ReconcileReport, ReconcileError> {
    let region = &facts.home_region;
    let (cfn, ssm) = (aws.cloudformation(region), aws.ssm(region));
    let Ui { tuning, interrupt, reporter, .. } = ui.clone();
    reconcile::run(&cfn, ssm, &facts.app, force, |ssm, instance| {
        Host::new(ssm, instance, tuning, HostTimeouts::default(), interrupt, reporter)
    })
    .await
}
