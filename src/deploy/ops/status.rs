//! `status` as one call: every stack of the assembly and every orphan of the app in the regions it has used,
//! Karmada as the host sees it, optionally drift; judged against the assembly's facts.

use anyhow::Result;
use std::time::Duration;

use super::Ui;
use crate::deploy::client::{Aws, AwsOptions};
use crate::deploy::host::reconcile;
use crate::deploy::host::run_command::{Host, HostTimeouts};
use crate::deploy::inputs::OutputCache;
use crate::deploy::status::{self, drift, gather, HostAnswer, StackState, StatusReport};
use crate::deploy::{account, inventory};
use constructs::core::{CloudAssembly, Hints};
use constructs::inspect::facts::AppFacts;

/// How long `status` waits for a host that is not registered with SSM before reporting it unreachable.
const REGISTRATION_WAIT: Duration = Duration::from_secs(30);

/// The status of `assembly`'s app; with `drift`, CloudFormation drift detection of each deployed stack.
pub async fn status(aws: &AwsOptions, assembly: &CloudAssembly, drift: bool, ui: &Ui) -> Result<StatusReport> {
    let facts = AppFacts::of(assembly)?;
    let aws = &Aws::load(aws, ui.tuning).await;
    super::ensure_account(aws, account::of_stacks(assembly.stacks.iter())).await?;
    let mut stacks: Vec<StackState> = Vec::new();
    for s in &assembly.stacks {
        let cfn = aws.cloudformation(&s.environment.region);
        stacks.push(gather::stack_state(&cfn, &s.name, &s.environment.region, Some(&s.template_sha256)).await?);
    }
    // Stacks of the app (by tag) the assembly no longer has, in every region it has used, as deploy finds them.
    let (app, home) = (&facts.app, &facts.home_region);
    let recorded = inventory::recorded_regions(&aws.ssm(home), app).await?;
    let regions = inventory::all_regions(assembly, &recorded);
    let clients = aws.cloudformation_clients(regions.iter().map(String::as_str));
    for stale in OutputCache::of(assembly).stale(&clients, &assembly.stacks).await? {
        if let Some(state) = stacks.iter_mut().find(|s| s.name == stale.name) {
            state.stale_inputs = stale.reads;
        }
    }
    for orphan in inventory::leftovers(&clients, &regions, app, assembly, &[]).await?.orphans {
        let cfn = aws.cloudformation(&orphan.environment.region);
        stacks.push(gather::stack_state(&cfn, &orphan.name, &orphan.environment.region, None).await?);
    }
    let cfn = aws.cloudformation(home);
    let desired = reconcile::desired_state(&cfn, app).await.ok();
    let management = &facts.names.management;
    let management_failed = stacks
        .iter()
        .find(|s| &s.name == management)
        .is_some_and(|s| s.status.as_deref().is_some_and(|st| !crate::deploy::stack::is_success(st)));
    let mut bootstrap_log = Vec::new();
    let host = match reconcile::management_instance(&cfn, app).await? {
        None => HostAnswer::Unreachable {
            reason: format!("stack {management} has no management instance"),
            hints: vec!["run `karmada-eks deploy`; the management stack creates the host".into()],
        },
        Some(instance) => {
            let timeouts = HostTimeouts { registration: REGISTRATION_WAIT, ..HostTimeouts::default() };
            let Ui { tuning, interrupt, reporter, .. } = ui.clone();
            let host = Host::new(aws.ssm(home), &instance, tuning, timeouts, interrupt, reporter);
            let answer = match gather::host_status(&host).await {
                Ok(status) => HostAnswer::Reached { status: Box::new(status) },
                Err(e) => HostAnswer::Unreachable { reason: e.to_string(), hints: e.hints() },
            };
            if management_failed {
                bootstrap_log = gather::bootstrap_log(&host).await.unwrap_or_default();
            }
            answer
        }
    };
    let drift = if drift {
        let mut all = Vec::new();
        for s in stacks.iter().filter(|s| s.status.is_some()) {
            let cfn = aws.cloudformation(&s.region);
            all.push(drift::detect_drift(&cfn, &s.name, &ui.tuning, &ui.interrupt).await?);
        }
        Some(all)
    } else {
        None
    };
    Ok(status::assess(&facts, stacks, host, drift, desired, bootstrap_log))
}
