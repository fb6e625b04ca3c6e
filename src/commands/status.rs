//! `status`: every stack of the app with its CloudFormation status and whether its deployed template is the local
//! one, Karmada's health read on the management host through SSM Run Command, and with `--drift` CloudFormation
//! drift detection. Exit 0 when everything is healthy and as configured, 1 otherwise.

use anyhow::Result;
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use super::assembly::home_region;
use super::{assembly, session};
use crate::cli::StatusArgs;
use crate::deploy::account;
use crate::deploy::deployment::app_of;
use crate::deploy::host::reconcile;
use crate::deploy::host::run_command::{Host, HostTimeouts};
use crate::deploy::host::status::{self, HostAnswer, StackState};
use crate::deploy::inputs::OutputCache;
use crate::deploy::interrupt::Interrupt;
use crate::deploy::inventory;
use crate::deploy::progress::{self, Reporter};
use crate::deploy::tuning::Tuning;

/// How long `status` waits for a host that is not registered with SSM before reporting it unreachable.
const REGISTRATION_WAIT: Duration = Duration::from_secs(30);

pub fn run(config_path: Option<&Path>, args: StatusArgs) -> Result<ExitCode> {
    let config = crate::config::load(config_path)?;
    let assembly = assembly::load_assembly(config_path, args.assembly.app.as_deref())?;
    let tuning = Tuning::from_env();
    let reporter: Arc<dyn Reporter> = Arc::new(progress::PlainReporter);
    let report = session::runtime()?.block_on(async {
        let aws = session::aws(&args.aws, tuning).await;
        account::ensure(&aws, account::of_stacks(assembly.stacks.iter())).await?;
        let interrupt = Interrupt::on_ctrl_c();
        let mut stacks: Vec<StackState> = Vec::new();
        for s in &assembly.stacks {
            let cfn = aws.cloudformation(&s.environment.region);
            stacks.push(status::stack_state(&cfn, &s.name, &s.environment.region, Some(&s.template_sha256)).await?);
        }
        // Stacks of the app (by tag) the assembly no longer has, in every region it has used, as deploy finds them.
        let app = app_of(&assembly);
        let recorded = inventory::recorded_regions(&aws.ssm(&home_region(&assembly)), &app).await?;
        let regions = inventory::all_regions(&assembly, &recorded);
        let clients = aws.cloudformation_clients(regions.iter().map(String::as_str));
        for stale in OutputCache::of(&assembly).stale(&clients, &assembly.stacks).await? {
            if let Some(state) = stacks.iter_mut().find(|s| s.name == stale.name) {
                state.stale_inputs = stale.reads;
            }
        }
        for orphan in inventory::leftovers(&clients, &regions, &app, &assembly, &[]).await?.orphans {
            let cfn = aws.cloudformation(&orphan.environment.region);
            stacks.push(status::stack_state(&cfn, &orphan.name, &orphan.environment.region, None).await?);
        }
        let cfn = aws.cloudformation(&config.region);
        let desired = reconcile::desired_state(&cfn, &config.app).await.ok();
        let management = reconcile::management_stack(&config.app);
        let management_failed = stacks
            .iter()
            .find(|s| s.name == management)
            .is_some_and(|s| s.status.as_deref().is_some_and(|st| !crate::deploy::stack::is_success(st)));
        let mut bootstrap_log = Vec::new();
        let host = match reconcile::management_instance(&cfn, &config.app).await? {
            None => HostAnswer::Unreachable { reason: format!("stack {management} has no management instance") },
            Some(instance) => {
                let timeouts = HostTimeouts { registration: REGISTRATION_WAIT, ..HostTimeouts::default() };
                let host = Host::new(aws.ssm(&config.region), &instance, tuning, timeouts, interrupt.clone(), reporter);
                let answer = match status::host_status(&host).await {
                    Ok(status) => HostAnswer::Reached { status: Box::new(status) },
                    Err(e) => HostAnswer::Unreachable { reason: e.to_string() },
                };
                if management_failed {
                    bootstrap_log = status::bootstrap_log(&host).await.unwrap_or_default();
                }
                answer
            }
        };
        let drift = if args.drift {
            let mut all = Vec::new();
            for s in stacks.iter().filter(|s| s.status.is_some()) {
                let cfn = aws.cloudformation(&s.region);
                all.push(status::detect_drift(&cfn, &s.name, &tuning, &interrupt).await?);
            }
            Some(all)
        } else {
            None
        };
        anyhow::Ok(status::assess(&config, stacks, host, drift, desired, bootstrap_log))
    })?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print!("{}", status::render(&report, args.all));
    }
    Ok(if report.healthy { ExitCode::SUCCESS } else { ExitCode::from(1) })
}
