//! `destroy`: delete the stacks in reverse dependency order, then the EBS volumes Kubernetes left.

use anyhow::Result;
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

use super::assembly::{check_stack_names, home_region, load_assembly, regions, selected_stacks};
use super::{report, session};
use crate::cli::DestroyArgs;
use crate::deploy::account;
use crate::deploy::approval::{Answer, Approver, Fixed, TerminalApprover};
use crate::deploy::deployment::app_of;
use crate::deploy::destroy::Destroyer;
use crate::deploy::error::DeployError;
use crate::deploy::interrupt::Interrupt;
use crate::deploy::inventory;
use crate::deploy::last_deploy;
use crate::deploy::lock;
use crate::deploy::lock_owner::LockOwner;
use crate::deploy::parameter;
use crate::deploy::progress;
use crate::deploy::selection::{select, Extend};
use crate::deploy::tuning::Tuning;
use crate::error::UsageError;
use constructs::karmada::wellknown;
use constructs::karmada::wellknown::StackNames;
use std::time::SystemTime;

pub fn run(config_path: Option<&Path>, args: DestroyArgs) -> Result<ExitCode> {
    let assembly = load_assembly(config_path, args.assembly.app.as_deref())?;
    // Karmada's backups outlive the app: destroy never deletes their stack (README, "Backups").
    let backup_stack = StackNames::new(&app_of(&assembly)).backup;
    if args.stacks.contains(&backup_stack) {
        let note = crate::deploy::destroy::backups_kept_note(&backup_stack);
        return Err(UsageError::new(format!("{backup_stack} holds Karmada's backups, which destroy keeps"))
            .hint(note.trim_start_matches("kept: ").to_string())
            .into());
    }
    // A name that is no stack of the assembly may be a deployed stack of the app that karmada-eks keeps because
    // it did not make it; `inventory::leftovers` finds it, or says it is neither.
    let (of_assembly, others): (Vec<String>, Vec<String>) =
        args.stacks.iter().cloned().partition(|name| assembly.stack(name).is_some());
    check_stack_names(&assembly, &of_assembly)?;
    let extend = if args.exclusively { Extend::None } else { Extend::Dependents };
    let mut selected =
        if of_assembly.is_empty() && !others.is_empty() { Vec::new() } else { select(&assembly, &of_assembly, extend) };
    let backups_kept = selected.contains(&backup_stack).then(|| backup_stack.clone());
    selected.retain(|s| *s != backup_stack);
    let tuning = Tuning::from_env();
    let approver: Arc<dyn Approver> =
        if args.force { Arc::new(Fixed(Answer::Yes)) } else { Arc::new(TerminalApprover::default()) };
    let reporter: Arc<dyn progress::Reporter> = Arc::from(progress::for_output(args.json));
    let result = session::runtime()?.block_on(async {
        let aws = session::aws(&args.aws, tuning).await;
        account::ensure(&aws, account::of_stacks(selected_stacks(&assembly, &selected))).await?;
        let whole_app = args.stacks.is_empty();
        let app = app_of(&assembly);
        let home = home_region(&assembly);
        let ssm = aws.ssm(&home);
        let interrupt = Interrupt::on_ctrl_c();
        let caller = aws.caller(&home).await?;
        let me = LockOwner::this_process(&caller.arn, "destroy", SystemTime::now());
        lock::holding(&ssm, &app, &me, args.force_unlock, reporter.as_ref(), async {
            let all = inventory::all_regions(&assembly, &inventory::recorded_regions(&ssm, &app).await?);
            let clients = aws.cloudformation_clients(all.iter().map(String::as_str));
            let mut leftovers = if whole_app || !others.is_empty() {
                inventory::leftovers(&clients, &all, &app, &assembly, &others).await?
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
            let unjoin = session::host_unjoin(&aws, &home, &app, tuning, &interrupt, &reporter);
            let destroyer = Destroyer {
                clients,
                ec2: aws.ec2_clients(regions(&assembly)),
                reporter: reporter.clone(),
                approver,
                interrupt: interrupt.clone(),
                tuning,
                concurrency: usize::from(args.concurrency),
                retain_failed: args.retain_failed,
                cancel_update: args.cancel_update,
                orphans: leftovers.orphans,
                kept: leftovers.kept,
                unjoin: Some(unjoin),
                skip_unjoin: args.skip_unjoin,
                final_backup: (!args.no_final_backup).then(|| {
                    let hook = session::host_final_backup(&aws, &home, &app, tuning, &interrupt, &reporter);
                    (StackNames::new(&app).management, hook)
                }),
                backups_kept,
            };
            let report = destroyer.destroy_all(&assembly, &selected).await?;
            if whole_app && report.ok() {
                inventory::forget_regions(&ssm, &app).await?;
                last_deploy::forget(&ssm, &app).await?;
                // the host writes it, no stack holds it (docs/lifecycle.md)
                parameter::delete(&ssm, &wellknown::applied_state_parameter(&app)).await?;
            }
            anyhow::Ok(report)
        })
        .await
    })?;
    drop(reporter);
    report::print_destroy(&result, args.json);
    Ok(report::exit_code(result.errors(), result.ok(), result.changed_something()))
}
