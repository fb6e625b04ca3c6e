//! What a stack takes from the app's other stacks: the outputs its template reads through `Fn::GetStackOutput`
//! (their values summed up as the stack tag `karmada-eks:inputs-sha256`), and, for an assembly of karmada-eks 0.1,
//! the parameters deploy fills from outputs.

use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;

use sha2::{Digest, Sha256};

use super::client::CfnClients;
use super::error::DeployError;
use super::stack;
use constructs::core::{OutputReference, StackArtifact};
use constructs::karmada::wellknown::TAG_INPUTS_SHA256;

/// A stack's inputs as of now.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Inputs {
    /// Values of the parameters filled from outputs (0.1 assemblies only).
    pub parameters: BTreeMap<String, String>,
    /// SHA-256 of the referenced outputs' values; `None` for a stack that reads no other stack.
    pub sha256: Option<String>,
}

/// SHA-256 over each reference (stack, region, output) and its value, in the references' order.
pub fn digest<'a>(values: impl IntoIterator<Item = (&'a OutputReference, &'a str)>) -> String {
    let mut hash = Sha256::new();
    for (r, value) in values {
        for field in [r.stack.as_str(), r.region.as_str(), r.output.as_str(), value] {
            hash.update(field.as_bytes());
            hash.update([0]);
        }
    }
    hash.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// Producers' outputs, read once per stack and region (DescribeStacks) or handed in by the run that deployed
/// them.
#[derive(Default)]
pub struct OutputCache {
    by_stack: Mutex<HashMap<(String, String), BTreeMap<String, String>>>,
}

impl OutputCache {
    /// Records `outputs` of `stack` in `region` (a stack this run deployed).
    pub fn insert(&self, stack: &str, region: &str, outputs: BTreeMap<String, String>) {
        self.by_stack.lock().unwrap_or_else(|e| e.into_inner()).insert((stack.into(), region.into()), outputs);
    }

    /// The outputs of `stack` in `region`; empty when it is not deployed.
    pub async fn outputs(
        &self,
        clients: &CfnClients,
        stack_name: &str,
        region: &str,
    ) -> Result<BTreeMap<String, String>, DeployError> {
        let key = (stack_name.to_string(), region.to_string());
        if let Some(known) = self.by_stack.lock().unwrap_or_else(|e| e.into_inner()).get(&key) {
            return Ok(known.clone());
        }
        let client = clients.get(region)?;
        let outputs = stack::describe(client, stack_name).await?.map(|s| s.outputs_map()).unwrap_or_default();
        self.insert(stack_name, region, outputs.clone());
        Ok(outputs)
    }

    /// `stack`'s inputs; a referenced output that does not exist is [`DeployError::MissingInput`] naming the
    /// producer to deploy first. `regions` gives the producers' regions for 0.1 parameters.
    pub async fn inputs(
        &self,
        clients: &CfnClients,
        stack: &StackArtifact,
        regions: &HashMap<String, String>,
    ) -> Result<Inputs, DeployError> {
        let mut values = Vec::with_capacity(stack.references.len());
        for r in &stack.references {
            let outputs = self.outputs(clients, &r.stack, &r.region).await?;
            let value = outputs.get(&r.output).ok_or_else(|| missing(stack, &r.stack, &r.output))?;
            values.push((r, value.clone()));
        }
        let sha256 = (!values.is_empty()).then(|| digest(values.iter().map(|(r, v)| (*r, v.as_str()))));
        let mut parameters = BTreeMap::new();
        for p in &stack.parameters_from_outputs {
            let region = regions.get(&p.stack).map_or(stack.environment.region.as_str(), String::as_str);
            let outputs = self.outputs(clients, &p.stack, region).await?;
            let value = outputs.get(&p.output).ok_or_else(|| missing(stack, &p.stack, &p.output))?;
            parameters.insert(p.parameter.clone(), value.clone());
        }
        Ok(Inputs { parameters, sha256 })
    }
}

fn missing(stack: &StackArtifact, producer: &str, output: &str) -> DeployError {
    DeployError::MissingInput { stack: stack.name.clone(), producer: producer.to_string(), output: output.to_string() }
}

/// A deployed stack that reads outputs whose values changed since it was deployed: CloudFormation keeps the
/// values it resolved then until the stack's next update.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Stale {
    pub name: String,
    pub region: String,
    /// The stacks it reads outputs of.
    pub reads: Vec<String>,
}

impl Stale {
    pub fn note(&self) -> String {
        format!(
            "reads outputs of {} that changed since it was deployed: `karmada-eks deploy {}` updates it",
            self.reads.join(", "),
            self.name
        )
    }
}

impl OutputCache {
    /// Whether deployed `stack` (its tags `deployed_tags`) was deployed with today's values of the outputs it
    /// reads: `None` when it reads none, `Some(false)` when they changed or one is gone.
    pub async fn current(
        &self,
        clients: &CfnClients,
        stack: &StackArtifact,
        deployed_tags: &BTreeMap<String, String>,
        regions: &HashMap<String, String>,
    ) -> Result<Option<bool>, DeployError> {
        if stack.references.is_empty() {
            return Ok(None);
        }
        match self.inputs(clients, stack, regions).await {
            Ok(inputs) => Ok(Some(deployed_tags.get(TAG_INPUTS_SHA256) == inputs.sha256.as_ref())),
            Err(DeployError::MissingInput { .. }) => Ok(Some(false)),
            Err(e) => Err(e),
        }
    }

    /// The deployed stacks of `stacks` that are stale ([`Self::current`]).
    pub async fn stale<'a>(
        &self,
        clients: &CfnClients,
        stacks: impl IntoIterator<Item = &'a StackArtifact>,
        regions: &HashMap<String, String>,
    ) -> Result<Vec<Stale>, DeployError> {
        let mut found = Vec::new();
        for s in stacks {
            if s.references.is_empty() {
                continue;
            }
            let Some(deployed) = stack::describe(clients.get(&s.environment.region)?, &s.name).await? else {
                continue;
            };
            if self.current(clients, s, &deployed.tags, regions).await? == Some(false) {
                found.push(stale_of(s));
            }
        }
        Ok(found)
    }
}

/// `stack` as a [`Stale`] entry.
pub fn stale_of(stack: &StackArtifact) -> Stale {
    let mut reads: Vec<String> = stack.references.iter().map(|r| r.stack.clone()).collect();
    reads.dedup();
    Stale { name: stack.name.clone(), region: stack.environment.region.clone(), reads }
}
