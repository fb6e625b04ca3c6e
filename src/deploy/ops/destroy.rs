//! `destroy` as one call: the checks that need no AWS, then under the app's lock the account check, the app's
//! regions and orphans, the members' unjoin and the final backup, the stacks in reverse dependency order, and
//! the app's own records.

use anyhow::Result;

use super::{hooks, Ui};
use crate::deploy::client::{Aws, AwsOptions};
use crate::deploy::destroy::{backups_kept_note, Destroyer};
use crate::deploy::error::DeployError;
use crate::deploy::lock;
use crate::deploy::report::DestroyReport;
use crate::deploy::selection::{check_stack_names, select, selected_stacks, Extend};
use crate::deploy::{account, inventory, last_deploy, parameter};
use crate::error::UsageError;
use constructs::core::CloudAssembly;
use constructs::inspect::facts::AppFacts;
use constructs::karmada::wellknown;

/// What `destroy` was asked.
pub struct DestroyRequest {
    /// Stack names; empty: the whole app. A name that is no stack of the assembly may be a deployed stack of
    /// the app that left it.
    pub stacks: Vec<String>,
    /// Only the named stacks, not the stacks that depend on them.
    pub exclusively: bool,
    pub concurrency: usize,
    pub retain_failed: bool,
    pub cancel_update: bool,
    pub skip_unjoin: bool,
    pub no_final_backup: bool,
    pub force_unlock: bool,
}

/// Destroys `assembly`'s app as `request` asks. Karmada's backups outlive the app: the backup stack is never
/// deleted (README, "Backups").
pub async fn destroy(
    aws: &AwsOptions,
    assembly: &CloudAssembly,
    request: DestroyRequest,
    ui: Ui,
) -> Result<DestroyReport> {
    let facts = AppFacts::of(assembly)?;
    let backup_stack = facts.names.backup.clone();
    if request.stacks.contains(&backup_stack) {
        let note = backups_kept_note(&backup_stack);
        return Err(UsageError::new(format!("{backup_stack} holds Karmada's backups, which destroy keeps"))
            .hint(note.trim_start_matches("kept: ").to_string())
            .into());
    }
    // A name that is no stack of the assembly may be a deployed stack of the app that karmada-eks keeps because
    // it did not make it; `inventory::leftovers` finds it, or says it is neither.
    let (of_assembly, others): (Vec<String>, Vec<String>) =
        request.stacks.iter().cloned().partition(|name| assembly.stack(name).is_some());
    check_stack_names(assembly, &of_assembly)?;
    let extend = if request.exclusively { Extend::None } else { Extend::Dependents };
    let mut selected =
        if of_assembly.is_empty() && !others.is_empty() { Vec::new() } else { select(assembly, &of_assembly, extend) };
    let backups_kept = selected.contains(&backup_stack).then(|| backup_stack.clone());
    selected.retain(|s| *s != backup_stack);
    let aws = &Aws::load(aws, ui.tuning).await;
    let whole_app = request.stacks.is_empty();
    let (app, home) = (&facts.app, &facts.home_region);
    let caller = aws.caller(home).await?;
    account::check(account::of_stacks(selected_stacks(assembly, &selected)), &caller.account)?;
    let ssm = aws.ssm(home);
    let me = (caller.arn.as_str(), "destroy");
    let Ui { reporter, approver, interrupt, tuning } = ui;
    lock::holding(&ssm, app, me, request.force_unlock, reporter.as_ref(), async {
        let all = inventory::all_regions(assembly, &inventory::recorded_regions(&ssm, app).await?);
        let clients = aws.cloudformation_clients(all.iter().map(String::as_str));
        let mut leftovers = if whole_app || !others.is_empty() {
            inventory::leftovers(&clients, &all, app, assembly, &others).await?
        } else {
            Default::default()
        };
        if !whole_app {
            leftovers.orphans.retain(|o| others.contains(&o.name));
            leftovers.kept.clear();
        }
        if interrupt.is_set() {
            let detail = "nothing was deleted".to_string();
            return Err(DeployError::Interrupted { stack: app.clone(), detail }.into());
        }
        let unjoin = hooks::host_unjoin(aws, home, app, tuning, &interrupt, &reporter);
        let final_backup = (!request.no_final_backup).then(|| {
            let hook = hooks::host_final_backup(aws, home, app, tuning, &interrupt, &reporter);
            (facts.names.management.clone(), hook)
        });
        let destroyer = Destroyer {
            clients,
            ec2: aws.ec2_clients(facts.regions.iter().map(String::as_str)),
            reporter: reporter.clone(),
            approver,
            interrupt: interrupt.clone(),
            tuning,
            concurrency: request.concurrency,
            retain_failed: request.retain_failed,
            cancel_update: request.cancel_update,
            orphans: leftovers.orphans,
            kept: leftovers.kept,
            unjoin: Some(unjoin),
            skip_unjoin: request.skip_unjoin,
            final_backup,
            backups_kept,
        };
        let report = destroyer.destroy_all(assembly, &selected).await?;
        if whole_app && report.ok() {
            inventory::forget_regions(&ssm, app).await?;
            last_deploy::forget(&ssm, app).await?;
            // the host writes it, no stack holds it (docs/lifecycle.md)
            parameter::delete(&ssm, &wellknown::applied_state_parameter(app)).await?;
        }
        anyhow::Ok(report)
    })
    .await
}
