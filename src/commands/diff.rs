//! `diff`: what deploying would change, against the deployed templates.

use anyhow::Result;
use std::path::Path;
use std::process::ExitCode;

use super::assembly::{check_stack_names, home_region, load_assembly, selected_stacks};
use super::session;
use crate::cli::DiffArgs;
use crate::deploy::deployment::app_of;
use crate::deploy::inputs::OutputCache;
use crate::deploy::selection::{select, Extend};
use crate::deploy::tuning::Tuning;
use crate::deploy::{account, diff, inventory, stack};

pub fn run(config_path: Option<&Path>, args: DiffArgs) -> Result<ExitCode> {
    let assembly = load_assembly(config_path, args.assembly.app.as_deref())?;
    check_stack_names(&assembly, &args.stacks)?;
    let selected = select(&assembly, &args.stacks, Extend::None);
    let color = crate::color::stdout();
    let differs = session::runtime()?.block_on(async {
        let aws = session::aws(&args.aws, Tuning::from_env()).await;
        let stacks = selected_stacks(&assembly, &selected);
        account::ensure(&aws, account::of_stacks(stacks.clone())).await?;
        let mut differs = false;
        let clients = aws.cloudformation_clients(assembly.stacks.iter().map(|s| s.environment.region.as_str()));
        let outputs = OutputCache::of(&assembly);
        for s in stacks {
            let client = aws.cloudformation(&s.environment.region);
            let deployed = stack::template(&client, &s.name).await?;
            let d = diff::compare(deployed.as_ref().unwrap_or(&serde_json::Value::Null), &s.template);
            differs |= !d.is_empty();
            print!("{}", diff::render(&s.name, &s.environment.region, deployed.is_some(), &d, color));
            if d.is_empty() && deployed.is_some() {
                if let Some(stale) = outputs.stale(&clients, [s]).await?.pop() {
                    differs = true;
                    println!("Stack {} ({}): {}", stale.name, stale.region, stale.note());
                }
            }
        }
        if args.stacks.is_empty() {
            let app = app_of(&assembly);
            let recorded = inventory::recorded_regions(&aws.ssm(&home_region(&assembly)), &app).await?;
            let all = inventory::all_regions(&assembly, &recorded);
            let clients = aws.cloudformation_clients(all.iter().map(String::as_str));
            let leftovers = inventory::leftovers(&clients, &all, &app, &assembly, &[]).await?;
            for orphan in &leftovers.orphans {
                differs = true;
                let d = diff::compare(&orphan.template, &serde_json::Value::Null);
                print!("{}", diff::render(&orphan.name, &orphan.environment.region, true, &d, color));
                println!("(the stack left the app: `karmada-eks deploy` deletes it)");
            }
            for k in &leftovers.kept {
                println!("Stack {} ({}): {}", k.name, k.region, k.note());
            }
        }
        anyhow::Ok(differs)
    })?;
    Ok(if differs && args.fail { ExitCode::from(1) } else { ExitCode::SUCCESS })
}
