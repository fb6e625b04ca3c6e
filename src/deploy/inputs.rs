//! What a stack takes from the app's other stacks: the outputs its template reads through `Fn::GetStackOutput`
//! (their values summed up as the stack tag `karmada-eks:inputs-sha256`), and, for an assembly of karmada-eks 0.1,
//! the parameters deploy fills from outputs.

use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;

use sha2::{Digest, Sha256};

use super::client::CfnClients;
use super::error::DeployError;
use super::stack;
use constructs::core::{CloudAssembly, OutputReference, StackArtifact};
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
    /// The region of each stack of the assembly: a 0.1 parameter names its producer but not the region.
    regions: HashMap<String, String>,
}

impl OutputCache {
    /// An empty cache for the stacks of `assembly`.
    pub fn of(assembly: &CloudAssembly) -> Self {
        let regions = assembly.stacks.iter().map(|s| (s.name.clone(), s.environment.region.clone())).collect();
        OutputCache { by_stack: Mutex::default(), regions }
    }

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
    /// producer to deploy first.
    pub async fn inputs(&self, clients: &CfnClients, stack: &StackArtifact) -> Result<Inputs, DeployError> {
        let mut values = Vec::with_capacity(stack.references.len());
        for r in &stack.references {
            let outputs = self.outputs(clients, &r.stack, &r.region).await?;
            let value = outputs.get(&r.output).ok_or_else(|| missing(stack, &r.stack, &r.output))?;
            values.push((r, value.clone()));
        }
        let sha256 = (!values.is_empty()).then(|| digest(values.iter().map(|(r, v)| (*r, v.as_str()))));
        let mut parameters = BTreeMap::new();
        for p in &stack.parameters_from_outputs {
            let region = self.regions.get(&p.stack).map_or(stack.environment.region.as_str(), String::as_str);
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
    /// The stacks whose outputs it reads: those a deploy just changed, or (for `diff` and `status`, which cannot
    /// tell which one changed) all of them.
    pub reads: Vec<String>,
}

impl Stale {
    pub fn note(&self) -> String {
        stale_note(&self.name, &self.reads)
    }
}

/// What to say of stack `name`, deployed with other values of the outputs of `reads` than they hold now.
pub fn stale_note(name: &str, reads: &[String]) -> String {
    format!(
        "the outputs of {} it reads changed since it was deployed: `karmada-eks deploy {name}` updates it",
        reads.join(", ")
    )
}

impl OutputCache {
    /// Whether deployed `stack` (its tags `deployed_tags`) was deployed with today's values of the outputs it
    /// reads: `None` when it reads none, `Some(false)` when they changed or one is gone.
    pub async fn current(
        &self,
        clients: &CfnClients,
        stack: &StackArtifact,
        deployed_tags: &BTreeMap<String, String>,
    ) -> Result<Option<bool>, DeployError> {
        if stack.references.is_empty() {
            return Ok(None);
        }
        match self.inputs(clients, stack).await {
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
    ) -> Result<Vec<Stale>, DeployError> {
        let mut found = Vec::new();
        for s in stacks {
            if s.references.is_empty() {
                continue;
            }
            let Some(deployed) = stack::describe(clients.get(&s.environment.region)?, &s.name).await? else {
                continue;
            };
            if self.current(clients, s, &deployed.tags).await? == Some(false) {
                found.push(stale_of(s));
            }
        }
        Ok(found)
    }
}

/// `stack` as a [`Stale`] entry.
pub fn stale_of(stack: &StackArtifact) -> Stale {
    let mut reads: Vec<String> = stack.references.iter().map(|r| r.stack.clone()).collect();
    reads.sort();
    reads.dedup();
    Stale { name: stack.name.clone(), region: stack.environment.region.clone(), reads }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::deploy::testing;
    use aws_sdk_cloudformation::operation::describe_stacks::DescribeStacksOutput;
    use aws_sdk_cloudformation::types::{Output, Stack, StackStatus};
    use aws_smithy_mocks::{mock, mock_client, RuleMode};
    use constructs::core::ParameterFromOutput;
    use serde_json::json;

    fn reference(stack: &str, output: &str) -> OutputReference {
        OutputReference { stack: stack.into(), output: output.into(), region: "eu-west-1".into() }
    }

    fn consumer(references: Vec<OutputReference>) -> StackArtifact {
        let mut s = testing::stack("app", "eu-west-1", json!({"Resources": {}}), &["net"]);
        s.references = references;
        s
    }

    /// Clients whose only answer is the deployed `net` stack with output `Vpc` = `vpc`, and that answer's rule.
    fn net_deployed_counted(vpc: &'static str) -> (CfnClients, aws_smithy_mocks::Rule) {
        let rule = mock!(aws_sdk_cloudformation::Client::describe_stacks).then_output(move || {
            let stack = Stack::builder()
                .stack_name("net")
                .stack_status(StackStatus::CreateComplete)
                .creation_time(aws_sdk_cloudformation::primitives::DateTime::from_secs(0))
                .outputs(Output::builder().output_key("Vpc").output_value(vpc).build())
                .build();
            DescribeStacksOutput::builder().stacks(stack).build()
        });
        (CfnClients::single(mock_client!(aws_sdk_cloudformation, RuleMode::MatchAny, [&rule]), ["eu-west-1"]), rule)
    }

    fn net_deployed(vpc: &'static str) -> CfnClients {
        net_deployed_counted(vpc).0
    }

    #[test]
    fn the_digest_covers_each_value_and_which_output_it_came_from() {
        let (a, b) = (reference("net", "Vpc"), reference("net", "Subnet"));
        let base = digest([(&a, "vpc-1"), (&b, "subnet-1")]);
        assert_eq!(base, digest([(&a, "vpc-1"), (&b, "subnet-1")]), "deterministic");
        assert_ne!(base, digest([(&a, "vpc-2"), (&b, "subnet-1")]), "a new value");
        assert_ne!(base, digest([(&b, "vpc-1"), (&a, "subnet-1")]), "the same values from other outputs");
        assert_ne!(digest([(&a, "ab"), (&b, "c")]), digest([(&a, "a"), (&b, "bc")]), "values are delimited");
        let elsewhere = OutputReference { region: "us-east-1".into(), ..a.clone() };
        assert_ne!(digest([(&a, "vpc-1")]), digest([(&elsewhere, "vpc-1")]), "the producer's region counts");
    }

    #[tokio::test]
    async fn inputs_are_read_once_per_producer_and_a_missing_output_names_the_producer() {
        let cache = OutputCache::default();
        let (clients, describe) = net_deployed_counted("vpc-1");
        let stack = consumer(vec![reference("net", "Vpc")]);
        let inputs = cache.inputs(&clients, &stack).await.unwrap();
        assert_eq!(inputs.sha256, Some(digest([(&stack.references[0], "vpc-1")])));
        assert!(inputs.parameters.is_empty());
        assert_eq!(cache.inputs(&clients, &stack).await.unwrap(), inputs);
        assert_eq!(describe.num_calls(), 1, "one DescribeStacks per producer and region");

        let missing = consumer(vec![reference("net", "Vpc"), reference("net", "Gone")]);
        let err = cache.inputs(&clients, &missing).await.unwrap_err();
        assert!(
            matches!(&err, DeployError::MissingInput { producer, output, .. } if producer == "net" && output == "Gone")
        );
        assert!(err.to_string().contains("deploy net first"), "{err}");
    }

    #[tokio::test]
    async fn an_assembly_of_0_1_gets_its_parameters_filled_from_the_outputs() {
        let mut stack = consumer(vec![]);
        stack.parameters_from_outputs =
            vec![ParameterFromOutput { parameter: "NetVpc".into(), stack: "net".into(), output: "Vpc".into() }];
        let inputs = OutputCache::default().inputs(&net_deployed("vpc-7"), &stack).await.unwrap();
        assert_eq!(inputs.parameters, BTreeMap::from([("NetVpc".to_string(), "vpc-7".to_string())]));
        assert_eq!(inputs.sha256, None, "a stack reading no Fn::GetStackOutput has no inputs tag");
    }

    #[tokio::test]
    async fn a_consumer_deployed_with_other_values_is_stale_and_one_with_todays_is_current() {
        let stack = consumer(vec![reference("net", "Vpc")]);
        let today = digest([(&stack.references[0], "vpc-2")]);
        let clients = net_deployed("vpc-2");
        let cache = OutputCache::default();
        let tags = |sha: &str| BTreeMap::from([(TAG_INPUTS_SHA256.to_string(), sha.to_string())]);
        assert_eq!(cache.current(&clients, &stack, &tags(&today)).await.unwrap(), Some(true));
        let before = digest([(&stack.references[0], "vpc-1")]);
        assert_eq!(cache.current(&clients, &stack, &tags(&before)).await.unwrap(), Some(false));
        assert_eq!(cache.current(&clients, &stack, &BTreeMap::new()).await.unwrap(), Some(false));
        assert_eq!(cache.current(&clients, &consumer(vec![]), &BTreeMap::new()).await.unwrap(), None);
        assert_eq!(
            stale_of(&stack).note(),
            "the outputs of net it reads changed since it was deployed: `karmada-eks deploy app` updates it"
        );
    }
}
