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
use crate::deploy::interrupt::Interrupt;
use crate::deploy::inventory;
use crate::deploy::progress;
use crate::deploy::selection::{select, Extend};
use crate::deploy::tuning::Tuning;

pub fn run(config_path: Option<&Path>, args: DestroyArgs) -> Result<ExitCode> {
    let assembly = load_assembly(config_path, args.assembly.app.as_deref())?;
    check_stack_names(&assembly, &args.stacks)?;
    let extend = if args.exclusively { Extend::None } else { Extend::Dependents };
    let selected = select(&assembly, &args.stacks, extend);
    let tuning = Tuning::from_env();
    let approver: Arc<dyn Approver> =
        if args.force { Arc::new(Fixed(Answer::Yes)) } else { Arc::new(TerminalApprover::default()) };
    let reporter: Arc<dyn progress::Reporter> = Arc::from(progress::for_output(args.json));
    let result = session::runtime()?.block_on(async {
        let aws = session::aws(&args.aws, tuning).await;
        account::ensure(&aws, account::of_stacks(selected_stacks(&assembly, &selected))).await?;
        let whole_app = args.stacks.is_empty();
        let app = app_of(&assembly);
        let ssm = aws.ssm(&home_region(&assembly));
        let all = inventory::all_regions(&assembly, &inventory::recorded_regions(&ssm, &app).await?);
        let clients = aws.cloudformation_clients(all.iter().map(String::as_str));
        let orphans = if whole_app { inventory::orphans(&clients, &all, &app, &assembly).await? } else { Vec::new() };
        let interrupt = Interrupt::on_ctrl_c();
        let home = home_region(&assembly);
        let unjoin = session::host_unjoin(&aws, &home, &app, tuning, &interrupt, &reporter);
        let destroyer = Destroyer {
            clients,
            ec2: aws.ec2_clients(regions(&assembly)),
            reporter: reporter.clone(),
            approver,
            interrupt,
            tuning,
            concurrency: usize::from(args.concurrency),
            retain_failed: args.retain_failed,
            cancel_update: args.cancel_update,
            orphans,
            unjoin: Some(unjoin),
            skip_unjoin: args.skip_unjoin,
        };
        let report = destroyer.destroy_all(&assembly, &selected).await?;
        if whole_app && report.ok() {
            inventory::forget_regions(&ssm, &app).await?;
        }
        anyhow::Ok(report)
    })?;
    drop(reporter);
    report::print_destroy(&result, args.json);
    Ok(report::exit_code(result.errors(), result.ok()))
}
