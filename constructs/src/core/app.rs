//! The app: a set of stacks, synthesized together so references between them resolve.

use serde_json::json;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::Arc;

use super::aspect::{Aspect, Aspects};
use super::assembly::{CloudAssembly, StackArtifact};
use super::environment::Environment;
use super::error::SynthError;
use super::id::sha256_hex;
use super::resolve::{self, OutputReference, Resolver};
use super::size::{self, StackSize};
use super::stack::Stack;
use super::synthesis;
use super::template::{
    self, MAX_INLINE_TEMPLATE_BYTES, MAX_OUTPUTS, MAX_PARAMETERS, MAX_RESOURCES, MAX_TEMPLATE_BYTES,
};

/// Holds stacks; [`App::synth`] turns them into a [`CloudAssembly`]: references between stacks resolved (an
/// output of the producer read with `Fn::GetStackOutput`, in any region), stacks in deploy order, aspects applied
/// and CloudFormation's limits checked. An app starts empty, with no aspects.
///
/// ```
/// use constructs::core::{App, Environment};
/// use constructs::ec2::{SecurityGroup, SecurityGroupProps, Vpc, VpcProps};
///
/// let mut app = App::new();
/// let network = app.add_stack("demo-network", Environment::new(None, "eu-west-1"));
/// let vpc = Vpc::new(&mut network.scope(), "Vpc", VpcProps::default());
/// let consumer = app.add_stack("demo-consumer", Environment::new(None, "eu-west-1"));
/// let props = SecurityGroupProps { description: "demo".into(), vpc_id: vpc.vpc_id(), ingress: vec![], egress: vec![] };
/// SecurityGroup::new(&mut consumer.scope(), "Group", props);
///
/// let assembly = app.synth().unwrap();
/// assert_eq!(assembly.stacks[1].name, "demo-consumer");
/// assert_eq!(assembly.stacks[1].dependencies, ["demo-network"]);
/// assert_eq!(assembly.stacks[1].references[0].stack, "demo-network");
/// assembly.write(&tempfile::tempdir().unwrap().path().join("cdk.out")).unwrap();
/// ```
#[derive(Debug, Default)]
pub struct App {
    stacks: Vec<Stack>,
    aspects: Aspects,
}

impl App {
    pub fn new() -> Self {
        App::default()
    }

    /// Adds a stack named `name` deploying to `env` and returns it for constructs to fill.
    pub fn add_stack(&mut self, name: &str, env: Environment) -> &mut Stack {
        self.stacks.push(Stack::new(name, env));
        self.stacks.last_mut().expect("just pushed")
    }

    pub fn stack(&self, name: &str) -> Option<&Stack> {
        self.stacks.iter().find(|s| s.name() == name)
    }

    pub fn stack_mut(&mut self, name: &str) -> Option<&mut Stack> {
        self.stacks.iter_mut().find(|s| s.name() == name)
    }

    pub fn stacks(&self) -> &[Stack] {
        &self.stacks
    }

    /// Adds an aspect that synth runs over every resource of every stack, before the stacks' own aspects (see
    /// [`super::aspect`] for the order).
    pub fn add_aspect(&mut self, aspect: impl Aspect + 'static) {
        self.aspects.0.push(Arc::new(aspect));
    }

    /// The resource `logical_id` of stack `stack` as synth renders it, after the aspects and before overrides and
    /// references: what an override's path is checked against.
    pub fn visited_resource(&self, stack: &str, logical_id: &str) -> Option<serde_json::Value> {
        let stack = self.stack(stack)?;
        let resource = synthesis::visit_resource(&self.aspects, stack, logical_id)?;
        Some(template::unresolved(stack.name(), &resource))
    }

    /// Takes the stack named `name` out of the app (e.g. to rebuild it as several smaller stacks).
    pub fn remove_stack(&mut self, name: &str) -> Option<Stack> {
        let index = self.stacks.iter().position(|s| s.name() == name)?;
        Some(self.stacks.remove(index))
    }

    /// Measures the template synth would write for the stack `name`, rendering only that stack (see
    /// [`StackSize`] for what it cannot know yet). `None` if the app has no such stack.
    pub fn measure(&self, name: &str) -> Option<Result<StackSize, SynthError>> {
        let stack = self.stack(name)?;
        let envs = self.environments();
        let declared = self.declared();
        let visited = match synthesis::visit(&self.aspects, stack) {
            Ok(v) => v,
            Err(e) => return Some(Err(e)),
        };
        let mut resolver = Resolver::new(stack.name(), &envs, &declared);
        let rendered = template::render_parts(stack, visited.entries, &mut resolver);
        if let Some(message) = resolver.errors.first() {
            return Some(Err(SynthError::Construct { stack: name.into(), message: message.clone() }));
        }
        let resource_bytes = rendered.resources.iter().map(|(id, r)| size::resource_entry_bytes(id, r)).collect();
        let (parameters, outputs) = (rendered.parameters.len(), rendered.outputs.len());
        let bytes = template::to_body(&template::assemble(stack.description.as_deref(), rendered)).len();
        Some(Ok(StackSize { bytes, resource_bytes, parameters, outputs }))
    }

    fn environments(&self) -> HashMap<String, Environment> {
        self.stacks.iter().map(|s| (s.name().to_string(), s.env().clone())).collect()
    }

    fn declared(&self) -> HashMap<String, HashSet<String>> {
        self.stacks
            .iter()
            .map(|s| (s.name().to_string(), s.resources.keys().chain(s.parameters.keys()).cloned().collect()))
            .collect()
    }

    /// Resolves references, orders stacks by dependency, renders templates and checks CloudFormation's limits.
    pub fn synth(&self) -> Result<CloudAssembly, SynthError> {
        self.check_names()?;
        for stack in &self.stacks {
            if let Some(message) = stack.errors.first() {
                return Err(SynthError::Construct { stack: stack.name().into(), message: message.clone() });
            }
            if let Some((name, _)) = stack.outputs.iter().find(|(_, o)| o.export_name.is_some()) {
                return Err(SynthError::Construct {
                    stack: stack.name().into(),
                    message: format!(
                        "output {name} has an export: an imported export freezes this stack's updates; hand the value to the consumer as a reference (it becomes an Fn::GetStackOutput, which freezes nothing) instead"
                    ),
                });
            }
        }
        let envs = self.environments();
        let declared = self.declared();

        let mut parts = Vec::with_capacity(self.stacks.len());
        let mut requests = Vec::new();
        let mut dependencies: HashMap<String, BTreeSet<String>> = HashMap::new();
        let mut visited_tags = Vec::with_capacity(self.stacks.len());
        for stack in &self.stacks {
            let visited = synthesis::visit(&self.aspects, stack)?;
            let mut resolver = Resolver::new(stack.name(), &envs, &declared);
            let rendered = template::render_parts(stack, visited.entries, &mut resolver);
            visited_tags.push((visited.tags, visited.warnings));
            if let Some(message) = resolver.errors.first() {
                return Err(SynthError::Construct { stack: stack.name().into(), message: message.clone() });
            }
            let mut deps = stack.dependencies.clone();
            deps.extend(resolver.dependencies);
            for dep in &deps {
                if !envs.contains_key(dep) {
                    return Err(SynthError::Construct {
                        stack: stack.name().into(),
                        message: format!("depends on stack {dep}, which the app does not have"),
                    });
                }
            }
            dependencies.insert(stack.name().to_string(), deps);
            requests.extend(resolver.outputs.into_values());
            parts.push(rendered);
        }

        for request in requests {
            let index = self.stacks.iter().position(|s| s.name() == request.producer).expect("declared stack");
            parts[index]
                .outputs
                .entry(request.output_name.clone())
                .or_insert_with(|| json!({"Value": resolve::local(&request.logical_id, request.attribute.as_deref())}));
        }

        let order = self.deploy_order(&dependencies)?;
        let mut parts: Vec<Option<_>> = parts.into_iter().map(Some).collect();
        let mut artifacts = Vec::with_capacity(order.len());
        for index in order {
            let stack = &self.stacks[index];
            let rendered = parts[index].take().expect("each stack once");
            let (params_len, outputs_len) = (rendered.parameters.len(), rendered.outputs.len());
            let template = template::assemble(stack.description.as_deref(), rendered);
            let body = template::to_body(&template);
            let references = OutputReference::all_in(&template, &stack.env().region);
            let (tags, aspect_warnings) = std::mem::take(&mut visited_tags[index]);
            let mut warnings = stack.warnings.clone();
            warnings.extend(aspect_warnings);
            check_limits(stack, params_len, outputs_len, body.len(), &mut warnings)?;
            let mut deps: Vec<String> = dependencies.remove(stack.name()).unwrap_or_default().into_iter().collect();
            deps.sort_by_key(|d| self.stacks.iter().position(|s| s.name() == d));
            artifacts.push(StackArtifact {
                name: stack.name().to_string(),
                environment: stack.env().clone(),
                template_sha256: sha256_hex(body.as_bytes()),
                template,
                template_body: body,
                dependencies: deps,
                references,
                parameters_from_outputs: Vec::new(),
                parameters_from_ssm: stack.parameters_from_ssm.clone(),
                termination_protection: stack.termination_protection,
                tags,
                resource_count: stack.resources.len(),
                notes: stack.notes.iter().cloned().chain(override_notes(stack)).collect(),
                warnings,
            });
        }
        Ok(CloudAssembly { stacks: artifacts })
    }

    fn check_names(&self) -> Result<(), SynthError> {
        let mut seen = HashSet::new();
        for stack in &self.stacks {
            let name = stack.name();
            let valid = name.len() <= 128
                && name.starts_with(|c: char| c.is_ascii_alphabetic())
                && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
            if !valid {
                return Err(SynthError::Construct {
                    stack: name.into(),
                    message: "a stack name must start with a letter, hold only letters, digits and '-', and be at most 128 characters".into(),
                });
            }
            if !seen.insert(name) {
                return Err(SynthError::Construct { stack: name.into(), message: "two stacks have this name".into() });
            }
        }
        Ok(())
    }

    /// Kahn's algorithm; among ready stacks the one added first goes first, so the order is stable.
    fn deploy_order(&self, dependencies: &HashMap<String, BTreeSet<String>>) -> Result<Vec<usize>, SynthError> {
        let index: HashMap<&str, usize> = self.stacks.iter().enumerate().map(|(i, s)| (s.name(), i)).collect();
        let mut pending: Vec<usize> = dependencies.iter().map(|(name, deps)| (index[name.as_str()], deps.len())).fold(
            vec![0; self.stacks.len()],
            |mut v, (i, n)| {
                v[i] = n;
                v
            },
        );
        let mut done = vec![false; self.stacks.len()];
        let mut order = Vec::with_capacity(self.stacks.len());
        while order.len() < self.stacks.len() {
            let Some(next) = (0..self.stacks.len()).find(|&i| !done[i] && pending[i] == 0) else {
                return Err(SynthError::Cycle { cycle: self.find_cycle(dependencies, &done) });
            };
            done[next] = true;
            order.push(next);
            let name = self.stacks[next].name();
            for (consumer, deps) in dependencies {
                if deps.contains(name) {
                    pending[index[consumer.as_str()]] -= 1;
                }
            }
        }
        Ok(order)
    }

    fn find_cycle(&self, dependencies: &HashMap<String, BTreeSet<String>>, done: &[bool]) -> Vec<String> {
        let start = (0..self.stacks.len()).find(|&i| !done[i]).expect("a stack is left");
        let mut path: Vec<String> = vec![self.stacks[start].name().to_string()];
        loop {
            let last = path.last().expect("non-empty");
            let next = dependencies[last]
                .iter()
                .find(|d| self.stacks.iter().position(|s| s.name() == d.as_str()).is_some_and(|i| !done[i]))
                .expect("an unfinished stack waits on another unfinished stack")
                .clone();
            if let Some(pos) = path.iter().position(|p| *p == next) {
                let mut cycle = path.split_off(pos);
                cycle.push(next);
                return cycle;
            }
            path.push(next);
        }
    }
}

/// One note for each override of a resource of `stack`, for synth's summary.
fn override_notes(stack: &Stack) -> impl Iterator<Item = String> + '_ {
    stack.resources.iter().flat_map(move |(id, r)| {
        r.overrides.iter().map(move |o| {
            let what = if o.value.is_some() { "set" } else { "deleted" };
            format!("override: {what} {} of {}/{} ({id})", o.path_text(), stack.name(), r.path)
        })
    })
}

/// CloudFormation's limits on one template: hard limits are errors; a body over the 51,200 bytes CloudFormation
/// accepts inline is a warning pushed to `warnings`, since it is valid with an S3 template URL.
fn check_limits(
    stack: &Stack,
    parameters: usize,
    outputs: usize,
    bytes: usize,
    warnings: &mut Vec<String>,
) -> Result<(), SynthError> {
    let limit = |what, actual, limit, hint: &str| SynthError::Limit {
        stack: stack.name().into(),
        what,
        actual,
        limit,
        hint: hint.into(),
    };
    if stack.resources.len() > MAX_RESOURCES {
        return Err(limit("the resource count", stack.resources.len(), MAX_RESOURCES, "split the stack"));
    }
    if outputs > MAX_OUTPUTS {
        return Err(limit(
            "the output count",
            outputs,
            MAX_OUTPUTS,
            "split the stack or reference fewer of its values",
        ));
    }
    if parameters > MAX_PARAMETERS {
        return Err(limit("the parameter count", parameters, MAX_PARAMETERS, "split the consuming stack"));
    }
    if bytes > MAX_TEMPLATE_BYTES {
        return Err(limit("the template size in bytes", bytes, MAX_TEMPLATE_BYTES, "split the stack"));
    }
    if bytes > MAX_INLINE_TEMPLATE_BYTES {
        warnings.push(format!(
            "the template is {bytes} bytes, over the {MAX_INLINE_TEMPLATE_BYTES} bytes CloudFormation accepts inline (TemplateBody): `deploy` submits templates inline and will refuse it; split the stack or use fewer or shorter tags (every resource repeats them)"
        ));
    }
    Ok(())
}
