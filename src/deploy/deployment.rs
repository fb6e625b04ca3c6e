//! Deploying the stacks of an assembly: each stack's [`StackDeployment`] in dependency order, independent ones
//! concurrently, with the outputs of the stacks deployed or read so far handed to the stacks that take them as
//! parameters.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use super::approval::Approver;
use super::client::CfnClients;
use super::error::DeployError;
use super::interrupt::Interrupt;
use super::progress::Reporter;
use super::report::{DeployReport, StackReport};
use super::schedule;
use super::stack;

pub use super::stack_deployment::DeployOptions;
use super::stack_deployment::{DeployContext, StackDeployment};
use constructs::core::{CloudAssembly, StackArtifact};

/// Deploys stacks with injected clients, reporter, approver and interrupt.
pub struct Deployer {
    clients: CfnClients,
    context: DeployContext,
    /// Outputs of stacks read or deployed in this run, by stack name.
    outputs: Mutex<HashMap<String, BTreeMap<String, String>>>,
    /// Regions of every stack of the assembly (to read producers' outputs).
    regions: HashMap<String, String>,
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
            context: DeployContext { reporter, approver, interrupt, options },
            outputs: Mutex::new(HashMap::new()),
            regions: HashMap::new(),
        }
    }

    /// Deploys `selected` (names of stacks of `assembly`) in dependency order. Returns one report per selected
    /// stack, in assembly order.
    pub async fn deploy_all(self, assembly: &CloudAssembly, selected: &[String]) -> DeployReport {
        let mut this = self;
        this.regions = assembly.stacks.iter().map(|s| (s.name.clone(), s.environment.region.clone())).collect();
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
        DeployReport {
            stacks: reports,
            whole_app: selected.len() == assembly.stacks.len(),
            app: assembly
                .stacks
                .iter()
                .find_map(|s| s.tags.get(constructs::karmada::wellknown::TAG_APP))
                .cloned()
                .unwrap_or_default(),
        }
    }

    /// Deploys one stack; never panics, every failure is in the report.
    pub async fn deploy_stack(&self, stack: &StackArtifact) -> StackReport {
        let client = match self.clients.get(&stack.environment.region) {
            Ok(client) => client,
            Err(e) => return StackReport::failed(stack, e.into()),
        };
        let from_outputs = match self.parameters_from_outputs(stack).await {
            Ok(values) => values,
            Err(e) => return StackReport::failed(stack, e),
        };
        let report = StackDeployment::new(&self.context, stack, client, from_outputs).run().await;
        if report.ok() {
            let outputs = report.outputs.iter().map(|o| (o.key.clone(), o.value.clone())).collect();
            self.outputs.lock().unwrap_or_else(|e| e.into_inner()).insert(stack.name.clone(), outputs);
        }
        report
    }

    /// Values of the parameters filled from other stacks' outputs (read from this run, else DescribeStacks in
    /// the producer's region).
    async fn parameters_from_outputs(&self, stack: &StackArtifact) -> Result<BTreeMap<String, String>, DeployError> {
        let mut values = BTreeMap::new();
        for p in &stack.parameters_from_outputs {
            let known = self.outputs.lock().unwrap_or_else(|e| e.into_inner()).get(&p.stack).cloned();
            let outputs = match known {
                Some(o) => o,
                None => {
                    let region =
                        self.regions.get(&p.stack).cloned().unwrap_or_else(|| stack.environment.region.clone());
                    let client = self.clients.get(&region)?;
                    let producer = stack::describe(client, &p.stack).await?;
                    let outputs = producer.map(|s| s.outputs_map()).unwrap_or_default();
                    self.outputs.lock().unwrap_or_else(|e| e.into_inner()).insert(p.stack.clone(), outputs.clone());
                    outputs
                }
            };
            let value = outputs.get(&p.output).ok_or_else(|| DeployError::MissingParameter {
                stack: stack.name.clone(),
                parameter: p.parameter.clone(),
                reason: format!("stack {} has no output {} (deploy {} first)", p.stack, p.output, p.stack),
            })?;
            values.insert(p.parameter.clone(), value.clone());
        }
        Ok(values)
    }
}
