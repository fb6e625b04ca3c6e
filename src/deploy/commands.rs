//! The CLI edge of `deploy`, `diff`, `destroy` and `kubeconfig`: load the assembly and config, build the SDK
//! clients, run the engine on a Tokio runtime, print the result and choose the exit code.

use anyhow::{Context, Result};
use std::io::IsTerminal;
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

use super::account;
use super::approval::{Answer, ApprovalPolicy, Approver, Fixed, TerminalApprover};
use super::changeset::TemplateSource;
use super::client::{Aws, AwsOptions};
use super::deployment::{DeployOptions, Deployer, Outcome, StackReport};
use super::destroy::{eks_cluster_names, Destroyer};
use super::error::{AwsError, DeployError};
use super::interrupt::Interrupt;
use super::progress;
use super::selection::{select, Extend};
use super::stack::{TAG_APP, TAG_VERSION};
use super::tuning::Tuning;
use super::volumes;
use crate::cli::{AwsArgs, DeployArgs, DestroyArgs, DiffArgs, KubeconfigArgs, RequireApproval};
use crate::commands::{check_stack_names, load_assembly};
use crate::error::UsageError;

/// Exit code after Ctrl-C (128 + SIGINT), as shells report it.
const EXIT_INTERRUPTED: u8 = 130;

pub fn deploy(config_path: Option<&Path>, args: DeployArgs) -> Result<ExitCode> {
    let assembly = load_assembly(config_path, args.assembly.app.as_deref())?;
    check_stack_names(&assembly, &args.stacks)?;
    let extend = if args.exclusively { Extend::None } else { Extend::Dependencies };
    let selected = select(&assembly, &args.stacks, extend);
    for name in &selected {
        if let Some(stack) = assembly.stack(name) {
            TemplateSource::for_stack(stack).map_err(|e| UsageError::new(e.to_string()))?;
        }
    }
    let mut regions: Vec<&str> = assembly.stacks.iter().map(|s| s.environment.region.as_str()).collect();
    regions.dedup();
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
    };
    let approver: Arc<dyn Approver> =
        if args.yes { Arc::new(Fixed(Answer::Yes)) } else { Arc::new(TerminalApprover::default()) };
    let reporter: Arc<dyn progress::Reporter> = Arc::from(progress::for_output(args.json));
    let runtime = runtime()?;
    let reports = runtime.block_on(async {
        let aws = Aws::load(&aws_options(&args.aws), options.tuning).await;
        account::ensure(&aws, account::of_stacks(selected_stacks(&assembly, &selected))).await?;
        let clients = aws.cloudformation_clients(regions.iter().copied());
        let deployer = Deployer::new(clients, reporter.clone(), approver, Interrupt::on_ctrl_c(), options);
        anyhow::Ok(deployer.deploy_all(&assembly, &selected).await)
    })?;
    drop(reporter);
    let all_selected = selected.len() == assembly.stacks.len();
    let app = assembly.stacks.iter().find_map(|s| s.tags.get(TAG_APP)).cloned().unwrap_or_default();
    print_deploy_summary(&reports, args.json, &app, all_selected);
    Ok(exit_code(&reports))
}

pub fn diff(config_path: Option<&Path>, args: DiffArgs) -> Result<ExitCode> {
    let assembly = load_assembly(config_path, args.assembly.app.as_deref())?;
    check_stack_names(&assembly, &args.stacks)?;
    let selected = select(&assembly, &args.stacks, Extend::None);
    let color = std::io::stdout().is_terminal();
    let runtime = runtime()?;
    let differs = runtime.block_on(async {
        let aws = Aws::load(&aws_options(&args.aws), Tuning::from_env()).await;
        let stacks = selected_stacks(&assembly, &selected);
        account::ensure(&aws, account::of_stacks(stacks.clone())).await?;
        let mut differs = false;
        for stack in stacks {
            let client = aws.cloudformation(&stack.environment.region);
            let deployed = deployed_template(&client, &stack.name).await?;
            let d = super::diff::compare(deployed.as_ref().unwrap_or(&serde_json::Value::Null), &stack.template);
            differs |= !d.is_empty();
            print!("{}", super::diff::render(&stack.name, &stack.environment.region, deployed.is_some(), &d, color));
        }
        anyhow::Ok(differs)
    })?;
    Ok(if differs && args.fail { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

/// The deployed template of `name` as JSON, `None` when the stack does not exist.
async fn deployed_template(client: &aws_sdk_cloudformation::Client, name: &str) -> Result<Option<serde_json::Value>> {
    let out = match client
        .get_template()
        .stack_name(name)
        .template_stage(aws_sdk_cloudformation::types::TemplateStage::Original)
        .send()
        .await
    {
        Ok(out) => out,
        Err(e) => {
            let e = AwsError::from_sdk("GetTemplate", e);
            return if e.is_not_found() { Ok(None) } else { Err(e.into()) };
        }
    };
    let body = out.template_body().unwrap_or("{}");
    let value = serde_json::from_str(body).map_err(|e| {
        UsageError::new(format!("the deployed template of {name} is not JSON ({e})"))
            .hint("it was not deployed by karmada-eks; compare it by hand")
    })?;
    Ok(Some(value))
}

pub fn destroy(config_path: Option<&Path>, args: DestroyArgs) -> Result<ExitCode> {
    let assembly = load_assembly(config_path, args.assembly.app.as_deref())?;
    check_stack_names(&assembly, &args.stacks)?;
    let extend = if args.exclusively { Extend::None } else { Extend::Dependents };
    let selected = select(&assembly, &args.stacks, extend);
    let clusters: Vec<(String, String)> = selected_stacks(&assembly, &selected)
        .flat_map(|s| eks_cluster_names(s).into_iter().map(|name| (s.environment.region.clone(), name)))
        .collect();
    let tuning = Tuning::from_env();
    let reporter: Arc<dyn progress::Reporter> = Arc::from(progress::for_output(args.json));
    let runtime = runtime()?;
    let (reports, removed, failed) = runtime.block_on(async {
        let aws = Aws::load(&aws_options(&args.aws), tuning).await;
        account::ensure(&aws, account::of_stacks(selected_stacks(&assembly, &selected))).await?;
        let mut leftovers = Vec::new();
        for (region, cluster) in &clusters {
            for v in volumes::find(&aws.ec2(region), cluster).await? {
                leftovers.push((region.clone(), v));
            }
        }
        if !args.force {
            let mut question = String::from("This deletes, in this order:\n");
            for name in selected.iter().rev() {
                if let Some(s) = assembly.stack(name) {
                    question.push_str(&format!("  stack {name} ({})\n", s.environment.region));
                }
            }
            for (region, v) in &leftovers {
                let claim = v.claim.as_deref().map(|c| format!(", claim {c}")).unwrap_or_default();
                question.push_str(&format!(
                    "  EBS volume {} ({region}, {} GiB{claim}), after the cluster stack\n",
                    v.id, v.size_gib
                ));
            }
            question.push_str("Delete them?");
            match TerminalApprover::default().ask(&question) {
                Answer::Yes => {}
                Answer::No => anyhow::bail!("nothing was deleted"),
                Answer::Unavailable => {
                    return Err(UsageError::new("destroy needs confirmation, but there is no terminal to ask on")
                        .hint("pass --force to delete without asking")
                        .into())
                }
            }
        }
        let regions: Vec<&str> = assembly.stacks.iter().map(|s| s.environment.region.as_str()).collect();
        let destroyer = Destroyer {
            clients: aws.cloudformation_clients(regions),
            reporter: reporter.clone(),
            interrupt: Interrupt::on_ctrl_c(),
            tuning,
            concurrency: usize::from(args.concurrency),
        };
        let reports = destroyer.destroy_all(&assembly, &selected).await;
        let clusters_gone = reports
            .iter()
            .filter(|r| assembly.stack(&r.name).is_some_and(|s| !eks_cluster_names(s).is_empty()))
            .all(|r| r.ok());
        let mut removed = Vec::new();
        let mut failed = Vec::new();
        if clusters_gone {
            for (region, cluster) in &clusters {
                let ec2 = aws.ec2(region);
                let found = volumes::find(&ec2, cluster).await?;
                let (ok, bad) = volumes::delete(&ec2, &found).await;
                removed.extend(ok.into_iter().map(|id| (region.clone(), id)));
                failed.extend(bad.into_iter().map(|(id, e)| (region.clone(), id, e)));
            }
        }
        anyhow::Ok((reports, removed, failed))
    })?;
    drop(reporter);
    let outcome = |r: &StackReport| match r.outcome {
        Outcome::Unchanged => "absent".to_string(),
        Outcome::Updated => "deleted".to_string(),
        Outcome::NotStarted => "not-started".to_string(),
        _ => "failed".to_string(),
    };
    if args.json {
        let stacks: Vec<serde_json::Value> = reports.iter().map(|r| stack_json(r, &outcome(r))).collect();
        let volumes: Vec<serde_json::Value> = removed
            .iter()
            .map(|(region, id)| serde_json::json!({"id": id, "region": region, "deleted": true}))
            .chain(failed.iter().map(|(region, id, e)| {
                serde_json::json!({"id": id, "region": region, "deleted": false, "error": e.to_string()})
            }))
            .collect();
        println!("{}", serde_json::json!({"event": "summary", "stacks": stacks, "volumes": volumes}));
    }
    for r in &reports {
        if !args.json {
            let what = match r.outcome {
                Outcome::Unchanged => "did not exist".to_string(),
                Outcome::Updated => "deleted".to_string(),
                Outcome::NotStarted => "not started".to_string(),
                _ => r.status.clone().unwrap_or_else(|| "failed".into()),
            };
            println!("{} ({}): {what}", r.name, r.region);
            print_failures(&r.failures);
        }
        if let Some(e) = r.error.as_ref().filter(|e| !matches!(e, DeployError::DependencyFailed)) {
            eprintln!("error: {e}");
        }
    }
    if !args.json {
        for (region, id) in &removed {
            println!("EBS volume {id} ({region}): deleted");
        }
    }
    for (region, id, e) in &failed {
        eprintln!("error: EBS volume {id} ({region}) was not deleted: {e}\n  hint: delete it with `aws ec2 delete-volume --volume-id {id} --region {region}`");
    }
    let code = exit_code(&reports);
    Ok(if code == ExitCode::SUCCESS && !failed.is_empty() { ExitCode::from(1) } else { code })
}

pub fn kubeconfig(config_path: Option<&Path>, args: KubeconfigArgs) -> Result<ExitCode> {
    let config = crate::config::load(config_path)?;
    let name = super::kubeconfig::parameter_name(&config.app);
    let output = args.output.clone().unwrap_or_else(|| format!("{}-karmada.kubeconfig", config.app).into());
    let runtime = runtime()?;
    let value = runtime.block_on(async {
        let aws = Aws::load(&aws_options(&args.aws), Tuning::from_env()).await;
        let region = args.aws.region.clone().unwrap_or_else(|| config.region.clone());
        account::ensure(&aws, config.account.as_deref().map(|a| (a, region.as_str()))).await?;
        let value = super::kubeconfig::read(&aws.ssm(&region), &name).await?;
        anyhow::Ok((value, region))
    })?;
    let (Some(content), _) = &value else {
        return Err(anyhow::anyhow!(
            "the kubeconfig secret {} does not exist in {} (read as {name})\n  hint: the management host writes it \
             when Karmada is up; run `karmada-eks deploy` and wait for it to finish, or see `karmada-eks status`",
            constructs::karmada::wellknown::kubeconfig_secret(&config.app),
            value.1
        ));
    };
    super::kubeconfig::save(&output, content).with_context(|| format!("writing {}", output.display()))?;
    println!(
        "wrote {} (mode 0600) from the secret {}",
        output.display(),
        constructs::karmada::wellknown::kubeconfig_secret(&config.app)
    );
    println!("next: export KUBECONFIG={} && kubectl get clusters", output.display());
    Ok(ExitCode::SUCCESS)
}

/// The stacks of `assembly` named in `selected`, in the assembly's order.
fn selected_stacks<'a>(
    assembly: &'a constructs::core::assembly::CloudAssembly,
    selected: &'a [String],
) -> impl Iterator<Item = &'a constructs::core::assembly::StackArtifact> + Clone {
    assembly.stacks.iter().filter(|s| selected.contains(&s.name))
}

fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread().enable_all().build().context("starting the async runtime")
}

fn aws_options(args: &AwsArgs) -> AwsOptions {
    AwsOptions { profile: args.profile.clone(), region: args.region.clone() }
}

/// 0 when every stack is fine, 130 after Ctrl-C, 2 when the user must change the input, else 1.
fn exit_code(reports: &[StackReport]) -> ExitCode {
    let errors: Vec<&DeployError> = reports.iter().filter_map(|r| r.error.as_ref()).collect();
    if errors.iter().any(|e| matches!(e, DeployError::Interrupted { .. })) {
        ExitCode::from(EXIT_INTERRUPTED)
    } else if errors.iter().any(|e| e.is_usage()) {
        ExitCode::from(2)
    } else if reports.iter().all(StackReport::ok) {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// One line per failed resource: logical id, type, status and CloudFormation's reason.
fn print_failures(failures: &[super::events::ResourceEvent]) {
    for f in failures {
        println!(
            "    {} ({}) {}: {}",
            f.logical_id,
            f.resource_type,
            f.status,
            f.reason.as_deref().unwrap_or("no reason given")
        );
    }
}

/// A stack's line in a `--json` summary.
fn stack_json(r: &StackReport, outcome: &str) -> serde_json::Value {
    serde_json::json!({
        "stack": r.name,
        "region": r.region,
        "outcome": outcome,
        "status": r.status,
        "failures": r.failures,
        "error": r.error.as_ref().map(|e| e.to_string()),
    })
}

fn print_deploy_summary(reports: &[StackReport], json: bool, app: &str, all_selected: bool) {
    if json {
        let stacks: Vec<serde_json::Value> = reports
            .iter()
            .map(|r| {
                let mut v = stack_json(r, &format!("{:?}", r.outcome).to_ascii_lowercase());
                v["outputs"] = serde_json::json!(r.outputs);
                v
            })
            .collect();
        println!("{}", serde_json::json!({"event": "summary", "stacks": stacks}));
    }
    let color = !json && std::io::stdout().is_terminal();
    let paint = |code: &str, text: &str| if color { format!("\x1b[{code}m{text}\x1b[0m") } else { text.to_string() };
    for r in reports {
        if json {
            if let Some(e) = &r.error {
                eprintln!("error: {e}");
            }
            continue;
        }
        let what = match r.outcome {
            Outcome::Created => paint("32", "created"),
            Outcome::Updated => paint("32", "updated"),
            Outcome::Unchanged => "no changes".to_string(),
            Outcome::Failed => paint("31", r.status.as_deref().unwrap_or("failed")),
            Outcome::NotStarted => paint("33", "not started"),
        };
        println!("{} ({}): {what}", r.name, r.region);
        if !r.outputs.is_empty() {
            println!("  outputs:");
            for o in &r.outputs {
                println!("    {} = {}", o.key, o.value);
            }
        }
        if !r.failures.is_empty() {
            println!("  first failed resources:");
            print_failures(&r.failures);
        }
        if let Some(e) = &r.error {
            if !matches!(e, DeployError::DependencyFailed) {
                eprintln!("error: {e}");
            }
        }
    }
    if json {
        return;
    }
    if reports.iter().all(StackReport::ok) {
        if all_selected {
            println!(
                "next: `karmada-eks kubeconfig` saves the Karmada API kubeconfig (SSM parameter /{app}/karmada/kubeconfig)"
            );
        } else {
            println!("next: `karmada-eks deploy` deploys the app's other stacks");
        }
    } else if reports.iter().any(|r| matches!(r.error, Some(DeployError::Interrupted { .. }))) {
        println!("interrupted: run `karmada-eks deploy` again to carry on from the deployed state");
    } else {
        println!("fix the cause above and run `karmada-eks deploy` again; it carries on from the deployed state");
    }
}
