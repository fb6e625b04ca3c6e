//! `deploy` as one call: the checks that need no AWS, then under the app's lock the account and identity checks,
//! the regions and orphans, the preflight, the stacks in dependency order, the record of this deploy, and the
//! host's reconcile.

use anyhow::Result;
use std::sync::Arc;
use std::time::SystemTime;

use super::{doctor, hooks, reconcile, Ui};
use crate::deploy::changeset::TemplateSource;
use crate::deploy::client::{Aws, AwsOptions};
use crate::deploy::deployment::{DeployOptions, Deployer};
use crate::deploy::destroy::eks_cluster_names;
use crate::deploy::error::DeployError;
use crate::deploy::host::reconcile::{ReconcileError, ReconcileReport};
use crate::deploy::last_deploy::{self, LastDeploy};
use crate::deploy::lock;
use crate::deploy::lock_owner::rfc3339;
use crate::deploy::progress::ProgressEvent;
use crate::deploy::report::DeployReport;
use crate::deploy::selection::{check_stack_names, select, selected_stacks, Extend};
use crate::deploy::{account, from_ssm, identity, inventory};
use crate::error::UsageError;
use constructs::core::CloudAssembly;
use constructs::inspect::facts::AppFacts;
use constructs::karmada::wellknown::last_deploy_parameter;

/// What `deploy` was asked.
pub struct DeployRequest {
    /// Stack names; empty: the whole app.
    pub stacks: Vec<String>,
    /// Only the named stacks, not their dependencies.
    pub exclusively: bool,
    pub options: DeployOptions,
    pub force_unlock: bool,
    /// Orphans to delete although they are not the app's to delete by their tags (`--prune NAME`).
    pub prune: Vec<String>,
    pub skip_preflight: bool,
    pub no_reconcile: bool,
}

/// What `deploy` did.
pub struct DeployOutcome {
    pub report: DeployReport,
    /// The preflight's tally, or why it was skipped.
    pub preflight: String,
    /// The host's reconcile, when this run deployed the desired state and the host and every stack is up.
    pub reconciled: Option<Result<ReconcileReport, ReconcileError>>,
}

/// The stacks `request` selects, after the checks that need no AWS: every name is a stack, every template can be
/// handed to CloudFormation.
pub fn selection(assembly: &CloudAssembly, request: &DeployRequest) -> Result<Vec<String>, UsageError> {
    check_stack_names(assembly, &request.stacks)?;
    let extend = if request.exclusively { Extend::None } else { Extend::Dependencies };
    let selected = select(assembly, &request.stacks, extend);
    for stack in selected_stacks(assembly, &selected) {
        TemplateSource::for_stack(stack).map_err(|e| UsageError::new(e.to_string()))?;
    }
    Ok(selected)
}

/// Deploys `assembly`'s app as `request` asks.
pub async fn deploy(
    aws: &AwsOptions,
    assembly: &CloudAssembly,
    request: DeployRequest,
    ui: Ui,
) -> Result<DeployOutcome> {
    let selected = selection(assembly, &request)?;
    let facts = AppFacts::of(assembly)?;
    let aws = &Aws::load(aws, ui.tuning).await;
    let (app, home) = (&facts.app, &facts.home_region);
    let caller = aws.caller(home).await?;
    for stack in selected_stacks(assembly, &selected).filter(|s| !eks_cluster_names(s).is_empty()) {
        identity::check_not_listed_admin(stack, &caller.arn)?;
    }
    account::check(account::of_stacks(selected_stacks(assembly, &selected)), &caller.account)?;
    let ssm = aws.ssm(home);
    let Ui { reporter, approver, interrupt, tuning } = ui.clone();
    let me = (caller.arn.as_str(), "deploy");
    lock::holding(&ssm, app, me, request.force_unlock, reporter.as_ref(), async {
        let whole_app = request.stacks.is_empty();
        let this_deploy = LastDeploy::of(assembly, &caller.arn, env!("CARGO_PKG_VERSION"), String::new());
        let warning = match whole_app {
            true => last_deploy::read(&ssm, app).await?.and_then(|last| last.removed_by(&this_deploy)),
            false => None,
        };
        let recorded = inventory::recorded_regions(&ssm, app).await?;
        let all = inventory::all_regions(assembly, &recorded);
        let clients = aws.cloudformation_clients(all.iter().map(String::as_str));
        // A `--prune` naming no orphan is the user's to fix: before the preflight, which calls many services.
        let leftovers = if whole_app {
            inventory::leftovers(&clients, &all, app, assembly, &request.prune).await?
        } else {
            Default::default()
        };
        let preflight = if request.skip_preflight {
            "skipped (--skip-preflight)".to_string()
        } else {
            doctor::gate(aws, assembly, &selected, &facts, reporter.as_ref()).await?
        };
        if interrupt.is_set() {
            return Err(DeployError::Interrupted { stack: app.clone(), detail: "nothing was changed".into() }.into());
        }
        if all != recorded {
            inventory::record_regions(&ssm, app, &all).await?;
        }
        let unjoin = hooks::host_unjoin(aws, home, app, tuning, &interrupt, &reporter);
        let store = Arc::new(from_ssm::Ssm(aws.ssm_clients(all.iter().map(String::as_str))));
        let deployer = Deployer::new(clients, reporter.clone(), approver, interrupt.clone(), request.options)
            .removing(leftovers, Some(unjoin))
            .warning_of_removals(warning)
            .filling_from_ssm(from_ssm::in_manifest(&assembly.manifest()), store);
        let report = deployer.deploy_all(assembly, &selected).await;
        if whole_app && report.ok() {
            let record = LastDeploy { time: rfc3339(SystemTime::now()), ..this_deploy };
            if let Err(e) = last_deploy::write(&ssm, app, &record).await {
                let message = format!("could not record this deploy in {}: {e}", last_deploy_parameter(app));
                reporter.report(ProgressEvent::Note { stack: app.clone(), message });
            }
        }
        // The reconcile step (docs/lifecycle.md, "The deployer" 4): only after every stack is up, and only when
        // this run deployed the desired state and the host (a partial deploy, e.g. `deploy karmada-network
        // --exclusively`, leaves Karmada alone).
        let desired_state = facts.names.desired_state_part(0);
        let reconciled = match assembly.stack(&desired_state) {
            Some(_)
                if report.ok()
                    && !request.no_reconcile
                    && selected.contains(&desired_state)
                    && selected.contains(&facts.names.management) =>
            {
                Some(reconcile::on_host(aws, &facts, false, &ui).await)
            }
            _ => None,
        };
        anyhow::Ok(DeployOutcome { report, preflight, reconciled })
    })
    .await
}
