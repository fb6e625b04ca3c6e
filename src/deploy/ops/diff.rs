//! `diff` as one call: each selected stack's template against the deployed one, the stacks whose inputs
//! changed, and (for the whole app) the orphans deploy would delete and the stacks it keeps.

use anyhow::Result;
use serde_json::Value;

use crate::deploy::client::{Aws, AwsOptions};
use crate::deploy::diff::{self, TemplateDiff};
use crate::deploy::inputs::{OutputCache, Stale};
use crate::deploy::inventory::{self, Kept};
use crate::deploy::selection::{check_stack_names, select, selected_stacks, Extend};
use crate::deploy::tuning::Tuning;
use crate::deploy::{account, stack};
use constructs::core::CloudAssembly;
use constructs::inspect::facts::AppFacts;

/// One stack compared.
pub struct StackDiff {
    pub name: String,
    pub region: String,
    /// Whether the stack is deployed.
    pub deployed: bool,
    pub diff: TemplateDiff,
    /// Deployed from the same template with other values of the outputs it reads.
    pub stale: Option<Stale>,
}

impl StackDiff {
    pub fn differs(&self) -> bool {
        !self.diff.is_empty() || self.stale.is_some()
    }
}

/// What deploying would change.
#[derive(Default)]
pub struct DiffOutcome {
    pub stacks: Vec<StackDiff>,
    /// Stacks of the app that left the assembly, compared with nothing: deploy deletes them.
    pub orphans: Vec<StackDiff>,
    pub kept: Vec<Kept>,
}

impl DiffOutcome {
    pub fn differs(&self) -> bool {
        self.stacks.iter().any(StackDiff::differs) || !self.orphans.is_empty()
    }
}

/// Compares the stacks named in `names` (all when empty) with what is deployed.
pub async fn diff(aws: &AwsOptions, assembly: &CloudAssembly, names: &[String], tuning: Tuning) -> Result<DiffOutcome> {
    let aws = &Aws::load(aws, tuning).await;
    check_stack_names(assembly, names)?;
    let selected = select(assembly, names, Extend::None);
    let stacks = selected_stacks(assembly, &selected);
    super::ensure_account(aws, account::of_stacks(stacks.clone())).await?;
    let clients = aws.cloudformation_clients(assembly.stacks.iter().map(|s| s.environment.region.as_str()));
    let outputs = OutputCache::of(assembly);
    let mut outcome = DiffOutcome::default();
    for s in stacks {
        let client = aws.cloudformation(&s.environment.region);
        let deployed = stack::template(&client, &s.name).await?;
        let d = diff::compare(deployed.as_ref().unwrap_or(&Value::Null), &s.template);
        let stale = match d.is_empty() && deployed.is_some() {
            true => outputs.stale(&clients, [s]).await?.pop(),
            false => None,
        };
        let (name, region) = (s.name.clone(), s.environment.region.clone());
        outcome.stacks.push(StackDiff { name, region, deployed: deployed.is_some(), diff: d, stale });
    }
    if names.is_empty() {
        let facts = AppFacts::of(assembly)?;
        let recorded = inventory::recorded_regions(&aws.ssm(&facts.home_region), &facts.app).await?;
        let all = inventory::all_regions(assembly, &recorded);
        let clients = aws.cloudformation_clients(all.iter().map(String::as_str));
        let leftovers = inventory::leftovers(&clients, &all, &facts.app, assembly, &[]).await?;
        for orphan in &leftovers.orphans {
            outcome.orphans.push(StackDiff {
                name: orphan.name.clone(),
                region: orphan.environment.region.clone(),
                deployed: true,
                diff: diff::compare(&orphan.template, &Value::Null),
                stale: None,
            });
        }
        outcome.kept = leftovers.kept;
    }
    Ok(outcome)
}
