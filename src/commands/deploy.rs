//! `deploy`: create or update the stacks in dependency order.

use anyhow::Result;
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

use super::assembly::{check_stack_names, home_region, load_assembly, selected_stacks};
use super::{report, session};
use crate::cli::{DeployArgs, RequireApproval};
use crate::deploy::account;
use crate::deploy::approval::{Answer, ApprovalPolicy, Approver, Fixed, TerminalApprover};
use crate::deploy::changeset::TemplateSource;
use crate::deploy::deployment::{app_of, DeployOptions, Deployer};
use crate::deploy::destroy::eks_cluster_names;
use crate::deploy::error::DeployError;
use crate::deploy::host::reconcile;
use crate::deploy::interrupt::Interrupt;
use crate::deploy::last_deploy::{self, LastDeploy};
use crate::deploy::lock;
use crate::deploy::lock_owner::{rfc3339, LockOwner};
use crate::deploy::progress;
use crate::deploy::progress::ProgressEvent;
use crate::deploy::selection::{select, Extend};
use crate::deploy::tuning::Tuning;
use crate::deploy::{from_ssm, identity, inventory};
use crate::error::UsageError;
use constructs::karmada::wellknown::{last_deploy_parameter, TAG_VERSION};
use std::time::SystemTime;

pub fn run(config_path: Option<&Path>, args: DeployArgs) -> Result<ExitCode> {
    let assembly = load_assembly(config_path, args.assembly.app.as_deref())?;
    check_stack_names(&assembly, &args.stacks)?;
    let extend = if args.exclusively { Extend::None } else { Extend::Dependencies };
    let selected = select(&assembly, &args.stacks, extend);
    for stack in selected_stacks(&assembly, &selected) {
        TemplateSource::for_stack(stack).map_err(|e| UsageError::new(e.to_string()))?;
    }
    let options = DeployOptions {
        approval: match args.require_approval {
            RequireApproval::Never => ApprovalPolicy::Never,
            RequireApproval::Broadening => ApprovalPolicy::Broadening,
            RequireApproval::AnyChange => ApprovalPolicy::AnyChange,
        },
        termination_protection: args.termination_protection,
        concurrency: usize::from(args.concurrency),
        tags: [(TAG_VERSION.to_string(), env!("CARGO_PKG_VERSION").to_string())].into_iter().collect(),
        tuning: Tuning::from_env(),
        refresh_from_ssm: args.refresh_host_image,
    };
    // The assembly as read or synthesized carries the manifest's metadata, whether `--app` named a directory
    // or a command.
    let manifest = assembly.manifest();
    let filled_from_ssm = from_ssm::in_manifest(&manifest);
    let approver: Arc<dyn Approver> =
        if args.yes { Arc::new(Fixed(Answer::Yes)) } else { Arc::new(TerminalApprover::default()) };
    let reporter: Arc<dyn progress::Reporter> = Arc::from(progress::for_output(args.json));
    let config = super::doctor::preflight_config(config_path, args.assembly.app.as_deref())?;
    let tuning = options.tuning;
    let (result, reconciled) = session::runtime()?.block_on(async {
        let aws = session::aws(&args.aws, options.tuning).await;
        account::ensure(&aws, account::of_stacks(selected_stacks(&assembly, &selected))).await?;
        let clusters: Vec<_> =
            selected_stacks(&assembly, &selected).filter(|s| !eks_cluster_names(s).is_empty()).collect();
        if let Some(first) = clusters.first() {
            let caller = aws.caller(&first.environment.region).await?;
            for stack in &clusters {
                identity::check_not_listed_admin(stack, &caller.arn)?;
            }
        }
        let app = app_of(&assembly);
        let home = home_region(&assembly);
        let ssm = aws.ssm(&home);
        let interrupt = Interrupt::on_ctrl_c();
        let caller = aws.caller(&home).await?;
        let me = LockOwner::this_process(&caller.arn, "deploy", SystemTime::now());
        let note = |message: String| reporter.report(ProgressEvent::Note { stack: app.clone(), message });
        lock::holding(&ssm, &app, &me, args.force_unlock, reporter.as_ref(), async {
            let whole_app = args.stacks.is_empty();
            let recorded = inventory::recorded_regions(&ssm, &app).await?;
            let all = inventory::all_regions(&assembly, &recorded);
            let clients = aws.cloudformation_clients(all.iter().map(String::as_str));
            let leftovers = if whole_app {
                inventory::leftovers(&clients, &all, &app, &assembly, &args.prune).await?
            } else {
                Default::default()
            };
            let this_deploy = LastDeploy::of(&assembly, &caller.arn, env!("CARGO_PKG_VERSION"), String::new());
            let warning = match whole_app {
                true => last_deploy::read(&ssm, &app).await?.and_then(|last| last.removed_by(&this_deploy)),
                false => None,
            };
            let preflight = if args.skip_preflight {
                "skipped (--skip-preflight)".to_string()
            } else {
                super::doctor::preflight(&aws, &assembly, &selected, &config, args.json).await?
            };
            if interrupt.is_set() {
                return Err(
                    DeployError::Interrupted { stack: app.clone(), detail: "nothing was changed".into() }.into()
                );
            }
            if all != recorded {
                inventory::record_regions(&ssm, &app, &all).await?;
            }
            let unjoin = session::host_unjoin(&aws, &home, &app, tuning, &interrupt, &reporter);
            let store = Arc::new(from_ssm::Ssm(aws.ssm_clients(all.iter().map(String::as_str))));
            let deployer = Deployer::new(clients, reporter.clone(), approver, interrupt.clone(), options)
                .removing(leftovers, Some(unjoin))
                .warning_of_removals(warning)
                .filling_from_ssm(filled_from_ssm, store);
            let result = deployer.deploy_all(&assembly, &selected).await;
            if whole_app && result.ok() {
                let record = LastDeploy { time: rfc3339(SystemTime::now()), ..this_deploy };
                if let Err(e) = last_deploy::write(&ssm, &app, &record).await {
                    note(format!("could not record this deploy in {}: {e}", last_deploy_parameter(&app)));
                }
            }
            // The reconcile step (docs/lifecycle.md, "The deployer" 4): only after every stack is up, and only when
            // this run deployed the desired state and the host (a partial deploy, e.g. `deploy karmada-network
            // --exclusively`, leaves Karmada alone).
            let host_stack = constructs::karmada::wellknown::StackNames::new(&app).management;
            let reconciled = match assembly.stack(&reconcile::desired_state_stack(&app)) {
                Some(stack)
                    if result.ok()
                        && !args.no_reconcile
                        && selected.contains(&stack.name)
                        && selected.contains(&host_stack) =>
                {
                    let region = &stack.environment.region;
                    let (cfn, ssm) = (aws.cloudformation(region), aws.ssm(region));
                    let interrupt = interrupt.clone();
                    Some(super::reconcile::reconcile(&cfn, ssm, &app, false, tuning, interrupt, reporter.clone()).await)
                }
                _ => None,
            };
            anyhow::Ok(((result, preflight), reconciled))
        })
        .await
    })?;
    let (result, preflight) = result;
    drop(reporter);
    report::print_deploy(&result, args.json, &preflight);
    let code = report::exit_code(result.errors(), result.ok(), result.changed_something());
    match &reconciled {
        Some(r) if code == ExitCode::SUCCESS => Ok(super::reconcile::print(r, args.json)),
        _ => {
            if args.no_reconcile && result.ok() {
                println!("reconcile: skipped (--no-reconcile); `karmada-eks reconcile` runs it");
            }
            Ok(code)
        }
    }
}
