//! Deploying the stacks of an assembly: each stack's [`StackDeployment`] in dependency order, independent ones
//! concurrently, with the outputs of the stacks deployed or read so far summed up for the stacks that read them
//! ([`super::inputs`]).

use std::collections::BTreeMap;
use std::sync::Arc;

use super::approval::{ask, Answer, Approver};
use super::changeset::Change;
use super::client::CfnClients;
use super::destroy::Destroyer;
use super::error::DeployError;
use super::from_ssm::{FromSsm, ParameterStore};
use super::inputs::{OutputCache, Stale};
use super::interrupt::Interrupt;
use super::inventory::{self, Kept, Leftovers};
use super::progress::ProgressEvent;
use super::progress::Reporter;
use super::report::{Deletion, DeployReport, Outcome, StackDeletion, StackReport};
use super::schedule;
use super::unjoin::MemberUnjoin;

pub use super::stack_deployment::DeployOptions;
use super::stack_deployment::{DeployContext, StackDeployment};
use constructs::core::{CloudAssembly, StackArtifact};

/// Deploys stacks with injected clients, reporter, approver and interrupt.
pub struct Deployer {
    clients: CfnClients,
    context: DeployContext,
    /// Outputs of stacks read or deployed in this run.
    outputs: OutputCache,
    /// Stacks that left the app (and the stacks not made by karmada-eks that the user named), deleted before the
    /// assembly's stacks deploy.
    leftovers: Leftovers,
    /// Why this assembly may be stale: it lacks members or regions the app's last deploy had (`last_deploy`).
    stale_warning: Option<String>,
    /// Parameters filled from SSM, by stack name.
    from_ssm: BTreeMap<String, Vec<FromSsm>>,
}

impl Deployer {
    pub fn new(
        clients: CfnClients,
        reporter: Arc<dyn Reporter>,
        approver: Arc<dyn Approver>,
        interrupt: Interrupt,
        options: DeployOptions,
    ) -> Self {
        Deployer {
            clients,
            context: DeployContext {
                reporter,
                approver,
                interrupt,
                options,
                store: None,
                unjoin: None,
                members_kept: Default::default(),
            },
            from_ssm: BTreeMap::new(),
            outputs: OutputCache::default(),
            leftovers: Leftovers::default(),
            stale_warning: None,
        }
    }

    /// Fills the parameters `by_stack` names from `store` when a stack is created (or with
    /// `DeployOptions::refresh_from_ssm`), else keeps the deployed values.
    pub fn filling_from_ssm(
        mut self,
        by_stack: BTreeMap<String, Vec<FromSsm>>,
        store: Arc<dyn ParameterStore>,
    ) -> Self {
        self.from_ssm = by_stack;
        self.context.store = Some(store);
        self
    }

    /// Deletes `leftovers.orphans` (from `inventory::leftovers`) before deploying: each after approval, asked
    /// whatever the approval policy (only `--yes` answers it without a question), and after `unjoin` has unjoined
    /// the members whose access entries it holds and the assembly does not keep. They go first because an orphan
    /// can only take parameters from stacks that stay, so the stacks it took them from can change after it is
    /// gone. `leftovers.kept` are reported and left alone.
    pub fn removing(mut self, leftovers: Leftovers, unjoin: Option<Arc<dyn MemberUnjoin>>) -> Self {
        self.leftovers = leftovers;
        self.context.unjoin = unjoin;
        self
    }

    /// Shows `warning` (from `LastDeploy::removed_by`) as a note and in the question before each removal.
    pub fn warning_of_removals(mut self, warning: Option<String>) -> Self {
        self.stale_warning = warning;
        self
    }

    /// Deploys `selected` (names of stacks of `assembly`) in dependency order. Returns one report per selected
    /// stack, in assembly order.
    pub async fn deploy_all(self, assembly: &CloudAssembly, selected: &[String]) -> DeployReport {
        let mut this = self;
        this.outputs = OutputCache::of(assembly);
        this.context.members_kept =
            assembly.stacks.iter().flat_map(|s| inventory::access_members(&s.template)).collect();
        let app = app_of(assembly);
        let kept = this.report_kept();
        if let Some(warning) = &this.stale_warning {
            this.context.reporter.report(ProgressEvent::Note { stack: app.clone(), message: warning.clone() });
        }
        let removed = this.remove_orphans().await;
        if !removed.iter().all(StackDeletion::ok) {
            let stacks = assembly
                .stacks
                .iter()
                .filter(|s| selected.contains(&s.name))
                .map(<StackReport as schedule::StackResult>::not_started)
                .collect();
            let whole_app = selected.len() == assembly.stacks.len();
            return DeployReport { stacks, removed, kept, stale: Vec::new(), whole_app, app };
        }
        let this = Arc::new(this);
        let stacks: Vec<Arc<StackArtifact>> =
            assembly.stacks.iter().filter(|s| selected.contains(&s.name)).cloned().map(Arc::new).collect();
        let concurrency = this.context.options.concurrency;
        let reports = schedule::run_stacks(
            stacks,
            |s| s.dependencies.clone(),
            concurrency,
            |stack| {
                let this = this.clone();
                async move { this.deploy_stack(&stack).await }
            },
        )
        .await;
        let changed: Vec<&str> = reports
            .iter()
            .filter(|r| matches!(r.outcome, Outcome::Created | Outcome::Updated))
            .map(|r| r.name.as_str())
            .collect();
        let stale = this.stale_consumers(assembly, selected, &changed).await;
        DeployReport { stacks: reports, removed, kept, stale, whole_app: selected.len() == assembly.stacks.len(), app }
    }

    /// The deployed stacks left out of `selected` that read outputs of a stack this run created or updated (a
    /// partial deploy updates the producer only) and no longer match them; no call when nothing changed. A stack
    /// whose state cannot be read is noted, not failed: the deploy itself is done.
    async fn stale_consumers(&self, assembly: &CloudAssembly, selected: &[String], changed: &[&str]) -> Vec<Stale> {
        if changed.is_empty() {
            return Vec::new();
        }
        let consumers = assembly.stacks.iter().filter(|s| {
            !selected.contains(&s.name) && s.references.iter().any(|r| changed.contains(&r.stack.as_str()))
        });
        match self.outputs.stale(&self.clients, consumers).await {
            Ok(mut stale) => {
                for s in &mut stale {
                    s.reads.retain(|producer| changed.contains(&producer.as_str()));
                }
                for s in &stale {
                    self.context.reporter.report(ProgressEvent::Note { stack: s.name.clone(), message: s.note() });
                }
                stale
            }
            Err(e) => {
                let message = format!("cannot tell whether the stacks that read the deployed ones are current: {e}");
                self.context.reporter.report(ProgressEvent::Note { stack: app_of(assembly), message });
                Vec::new()
            }
        }
    }

    /// Notes each stack kept because karmada-eks did not make it; the list for the report.
    fn report_kept(&self) -> Vec<Kept> {
        for k in &self.leftovers.kept {
            self.context.reporter.report(ProgressEvent::Note { stack: k.name.clone(), message: k.note() });
        }
        self.leftovers.kept.clone()
    }

    /// Deletes the orphans one at a time; stops at the first that fails (the rest are not started).
    async fn remove_orphans(&self) -> Vec<StackDeletion> {
        let mut removed = Vec::new();
        let mut failed = false;
        for orphan in &self.leftovers.orphans {
            if failed {
                removed.push(<StackDeletion as schedule::StackResult>::not_started(orphan));
                continue;
            }
            let deletion = match self.before_removal(orphan).await {
                Ok(()) => self.destroyer().destroy_stack(orphan).await,
                Err(e) => StackDeletion { error: Some(e), ..StackDeletion::new(orphan, Deletion::Failed) },
            };
            failed = !deletion.ok();
            removed.push(deletion);
        }
        removed
    }

    /// Shows what leaves, asks (whatever the approval policy), and unjoins the members whose access entries go
    /// and that no stack of the assembly keeps (a member moved from part `-2` into the base stack stays joined).
    async fn before_removal(&self, orphan: &StackArtifact) -> Result<(), DeployError> {
        let reporter = &self.context.reporter;
        let members: Vec<String> = inventory::access_members(&orphan.template)
            .into_iter()
            .filter(|m| !self.context.members_kept.contains(m))
            .collect();
        let changes = orphan.template["Resources"]
            .as_object()
            .into_iter()
            .flatten()
            .map(|(id, r)| Change {
                action: "Remove".into(),
                logical_id: id.clone(),
                resource_type: r["Type"].as_str().unwrap_or_default().to_string(),
                replacement: None,
                scope: Vec::new(),
                properties: Vec::new(),
            })
            .collect();
        reporter.report(ProgressEvent::Changes { stack: orphan.name.clone(), changes });
        let unjoining =
            if members.is_empty() { String::new() } else { format!(" after unjoining {}", members.join(", ")) };
        let named = self.leftovers.named.contains(&orphan.name);
        let why = if named { "was not made by karmada-eks and is named by --prune" } else { "left the app" };
        reporter.report(ProgressEvent::Note {
            stack: orphan.name.clone(),
            message: format!("{why}: the stack is deleted{unjoining}"),
        });
        let warning = self.stale_warning.as_ref().map(|w| format!("\n  warning: {w}")).unwrap_or_default();
        let question = format!("{} ({}) {why}; delete it{unjoining}?{warning}", orphan.name, orphan.environment.region);
        let what = format!("deleting {}, which {why}", orphan.name);
        match ask(reporter.as_ref(), self.context.approver.as_ref(), &question) {
            Answer::Yes => {}
            Answer::No => return Err(DeployError::NotApproved { stack: orphan.name.clone(), what }),
            Answer::Unavailable => {
                return Err(DeployError::ConfirmationImpossible {
                    what,
                    hint: "pass --yes to delete it without asking (a deletion is asked whatever \
                           --require-approval says)"
                        .into(),
                })
            }
        }
        if members.is_empty() {
            return Ok(());
        }
        super::unjoin::before_access_removal(self.context.unjoin.as_ref(), &orphan.name, &members).await
    }

    fn destroyer(&self) -> Destroyer {
        Destroyer {
            final_backup: None,
            backups_kept: None,
            unjoin: None,
            skip_unjoin: false,
            clients: self.clients.clone(),
            ec2: Default::default(),
            reporter: self.context.reporter.clone(),
            approver: self.context.approver.clone(),
            interrupt: self.context.interrupt.clone(),
            tuning: self.context.options.tuning,
            concurrency: 1,
            retain_failed: false,
            cancel_update: false,
            orphans: Vec::new(),
            kept: Vec::new(),
        }
    }

    /// Deploys one stack; never panics, every failure is in the report.
    pub async fn deploy_stack(&self, stack: &StackArtifact) -> StackReport {
        let client = match self.clients.get(&stack.environment.region) {
            Ok(client) => client,
            Err(e) => return StackReport::failed(stack, e.into()),
        };
        let inputs = match self.outputs.inputs(&self.clients, stack).await {
            Ok(inputs) => inputs,
            Err(e) => return StackReport::failed(stack, e),
        };
        let from_ssm = self.from_ssm.get(&stack.name).cloned().unwrap_or_default();
        let report = StackDeployment::new(&self.context, stack, client, inputs, from_ssm).run().await;
        if report.ok() {
            let outputs = report.outputs.iter().map(|o| (o.key.clone(), o.value.clone())).collect();
            self.outputs.insert(&stack.name, &stack.environment.region, outputs);
        }
        report
    }
}

/// The app name: the stacks' `karmada-eks:app` tag.
pub fn app_of(assembly: &CloudAssembly) -> String {
    assembly
        .stacks
        .iter()
        .find_map(|s| s.tags.get(constructs::karmada::wellknown::TAG_APP))
        .cloned()
        .unwrap_or_default()
}
