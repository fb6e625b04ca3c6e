//! A stack: one CloudFormation template deployed to one environment, and the scopes constructs add to it.

use indexmap::IndexMap;
use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeSet;
use std::sync::Arc;

use super::aspect::{Aspect, Aspects};
use super::environment::Environment;
use super::expr::{Expr, Target};
use super::id::logical_id;
use super::resource::{CfnResource, RemovalPolicy, Resource, ResourceOptions, ResourceRef};
use super::resource_mut::{self, ResourceMut};
use super::tags::ApplyTag;

/// A template parameter.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Parameter {
    #[serde(rename = "Type")]
    pub type_name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub no_echo: Option<bool>,
}

impl Parameter {
    pub fn string(description: impl Into<String>) -> Self {
        Parameter { type_name: "String".into(), default: None, description: Some(description.into()), no_echo: None }
    }
}

/// A template output (synth refuses an `export_name`: see [`Stack::add_output`]).
#[derive(Clone, Debug, PartialEq)]
pub struct Output {
    pub value: Expr,
    pub description: Option<String>,
    pub export_name: Option<String>,
}

/// A parameter that `deploy` fills from a public SSM parameter once, then keeps (see
/// [`Stack::add_parameter_from_ssm`]).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub struct ParameterFromSsm {
    pub parameter: String,
    /// The SSM parameter path, e.g. `/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64`.
    pub path: String,
}

/// One CloudFormation stack under construction: parameters, conditions, resources (added through its
/// [`Scope`]s), outputs, tags, aspects and notes for synth's summary. A new stack has none of them and no
/// termination protection.
///
/// ```
/// use constructs::cfn::ec2::CfnVpc;
/// use constructs::core::{App, Environment, Parameter};
///
/// let mut app = App::new();
/// let stack = app.add_stack("demo", Environment::new(None, "eu-west-1"));
/// stack.set_description("a demo");
/// stack.tag("team", "platform");
/// let cidr = stack.add_parameter("Cidr", Parameter::string("the VPC's CIDR"));
/// let vpc = stack.scope().add("Vpc", CfnVpc { cidr_block: cidr, ..Default::default() });
/// stack.add_output("VpcId", vpc.r#ref(), "the VPC", None);
///
/// let artifact = &app.synth().unwrap().stacks[0];
/// assert_eq!(artifact.tags["team"], "platform");
/// let resource = &artifact.template["Resources"][vpc.logical_id()];
/// assert_eq!(resource["Properties"]["CidrBlock"], serde_json::json!({"Ref": "Cidr"}));
/// assert_eq!(resource["Properties"]["Tags"][0]["Key"], "team");
/// ```
#[derive(Clone, Debug)]
pub struct Stack {
    name: Arc<str>,
    env: Environment,
    pub(crate) description: Option<String>,
    pub(crate) parameters: IndexMap<String, Parameter>,
    pub(crate) conditions: IndexMap<String, Expr>,
    pub(crate) resources: IndexMap<String, Resource>,
    pub(crate) outputs: IndexMap<String, Output>,
    pub(crate) aspects: Aspects,
    pub(crate) dependencies: BTreeSet<String>,
    pub(crate) errors: Vec<String>,
    pub(crate) notes: Vec<String>,
    pub(crate) warnings: Vec<String>,
    pub(crate) parameters_from_ssm: Vec<ParameterFromSsm>,
    pub(crate) termination_protection: bool,
    scratch_options: ResourceOptions,
}

impl Stack {
    pub fn new(name: impl Into<String>, env: Environment) -> Self {
        let name: String = name.into();
        Stack {
            name: name.into(),
            env,
            description: None,
            parameters: IndexMap::new(),
            conditions: IndexMap::new(),
            resources: IndexMap::new(),
            outputs: IndexMap::new(),
            aspects: Aspects::default(),
            dependencies: BTreeSet::new(),
            errors: Vec::new(),
            notes: Vec::new(),
            warnings: Vec::new(),
            parameters_from_ssm: Vec::new(),
            termination_protection: false,
            scratch_options: ResourceOptions::default(),
        }
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn env(&self) -> &Environment {
        &self.env
    }

    pub fn set_description(&mut self, description: impl Into<String>) {
        self.description = Some(description.into());
    }

    /// The root scope: constructs added here get paths relative to the stack.
    pub fn scope(&mut self) -> Scope<'_> {
        Scope { stack: self, path: String::new() }
    }

    /// Declares a parameter and returns its `Ref`.
    pub fn add_parameter(&mut self, name: &str, parameter: Parameter) -> Expr {
        if self.parameters.insert(name.to_string(), parameter).is_some() {
            self.errors.push(format!("parameter {name:?} is declared twice"));
        }
        Expr::Ref(Target { stack: self.name.clone(), logical_id: name.to_string() })
    }

    /// Declares a condition (`Fn::Equals`, `Fn::Not`, ...) for `Fn::If` and resource `Condition`s.
    pub fn add_condition(&mut self, name: &str, condition: Expr) {
        self.conditions.insert(name.to_string(), condition);
    }

    /// Adds an output. `export_name` must be `None`: synth refuses exports, since an imported export freezes the
    /// producer (other stacks take the value through a reference, which becomes an `Fn::GetStackOutput`).
    pub fn add_output(&mut self, name: &str, value: Expr, description: &str, export_name: Option<String>) {
        let output = Output { value, description: Some(description.to_string()), export_name };
        if self.outputs.insert(name.to_string(), output).is_some() {
            self.errors.push(format!("output {name:?} is declared twice"));
        }
    }

    /// Tags the stack and every taggable resource of it (explicit tags of a resource win), through an
    /// [`ApplyTag`] aspect.
    pub fn tag(&mut self, key: &str, value: impl Into<Expr>) {
        self.add_aspect(ApplyTag::new("", key, value));
    }

    /// Adds an aspect that synth runs over this stack's resources after the app's aspects (see
    /// [`super::aspect`]).
    pub fn add_aspect(&mut self, aspect: impl Aspect + 'static) {
        self.aspects.0.push(Arc::new(aspect));
    }

    /// The escape hatch of a resource of this stack (`None` for a resource of another stack).
    pub fn resource_mut(&mut self, resource: &ResourceRef) -> Option<ResourceMut<'_>> {
        if resource.stack_name() != self.name() {
            return None;
        }
        self.find_resource_mut(resource.logical_id())
    }

    /// The escape hatch of the resource `name` means: a logical ID, a construct path (`Nodes/Resource`, or
    /// `Nodes` for a construct's main resource), or a path with the stack's name in front as in `aws:cdk:path`.
    pub fn find_resource_mut(&mut self, name: &str) -> Option<ResourceMut<'_>> {
        let id = resource_mut::find(&self.name, &self.resources, name)?.to_string();
        let (id, resource) = self.resources.get_key_value_mut(&id)?;
        Some(ResourceMut::new(id, resource, &mut self.errors))
    }

    /// Makes this stack deploy after `other` even where no reference says so.
    pub fn add_dependency(&mut self, other: &str) {
        if other != &*self.name {
            self.dependencies.insert(other.to_string());
        }
    }

    /// Asks the deployer to enable termination protection on this stack.
    pub fn set_termination_protection(&mut self, enabled: bool) {
        self.termination_protection = enabled;
    }

    /// A remark for the person running synth (shown in its summary), e.g. how to open a port.
    pub fn add_note(&mut self, note: impl Into<String>) {
        self.notes.push(note.into());
    }

    /// A risk the person running synth should act on (shown as `warning:` in its summary), e.g. a node group
    /// below what the member count needs. It does not stop synth.
    pub fn add_warning(&mut self, warning: impl Into<String>) {
        self.warnings.push(warning.into());
    }

    /// Declares a parameter without a default that `deploy` fills from the public SSM parameter `path` when the
    /// stack is created, then keeps from the deployed stack (recorded in the manifest as
    /// `karmada-eks:parameter-from-ssm`). Unlike an `AWS::SSM::Parameter::Value<...>` parameter, CloudFormation
    /// does not resolve it again on every update, so a value AWS republishes (an AMI) replaces nothing by itself.
    pub fn add_parameter_from_ssm(&mut self, name: &str, type_name: &str, path: &str, description: &str) -> Expr {
        self.parameters_from_ssm.push(ParameterFromSsm { parameter: name.into(), path: path.into() });
        self.add_parameter(
            name,
            Parameter {
                type_name: type_name.into(),
                default: None,
                description: Some(format!("{description}; filled by karmada-eks deploy from SSM {path}")),
                no_echo: None,
            },
        )
    }

    pub fn resource_count(&self) -> usize {
        self.resources.len()
    }

    /// Resources in insertion order: (logical id, resource).
    pub fn resources(&self) -> impl Iterator<Item = (&str, &Resource)> {
        self.resources.iter().map(|(k, v)| (k.as_str(), v))
    }
}

/// A position in a stack's construct tree: constructs create children and resources through it. A resource's
/// construct path (`Parent/Child/Id`) gives its logical ID (see [`super::id`]) and its `aws:cdk:path`.
///
/// ```
/// use constructs::cfn::ec2::CfnVpc;
/// use constructs::core::{App, Environment};
///
/// let mut app = App::new();
/// let stack = app.add_stack("demo", Environment::new(None, "eu-west-1"));
/// let mut root = stack.scope();
/// let mut network = root.child("Network");
/// network.tag("tier", "network");
/// let vpc = network.add("Vpc", CfnVpc { cidr_block: "10.0.0.0/16".into(), ..Default::default() });
/// assert!(vpc.logical_id().starts_with("NetworkVpc"));
///
/// let template = &app.synth().unwrap().stacks[0].template;
/// assert_eq!(template["Resources"][vpc.logical_id()]["Metadata"]["aws:cdk:path"], "demo/Network/Vpc");
/// ```
pub struct Scope<'a> {
    stack: &'a mut Stack,
    path: String,
}

impl<'a> Scope<'a> {
    /// The scope of a child construct called `id`.
    pub fn child(&mut self, id: &str) -> Scope<'_> {
        let path = self.join(id);
        Scope { stack: self.stack, path }
    }

    /// This scope's path inside the stack (empty at the root).
    pub fn path(&self) -> &str {
        &self.path
    }

    pub fn stack(&self) -> &Stack {
        self.stack
    }

    pub fn stack_mut(&mut self) -> &mut Stack {
        self.stack
    }

    /// Adds a resource at `<this path>/<id>`. A path used twice is a synth error.
    pub fn add<R: CfnResource>(&mut self, id: &str, properties: R) -> ResourceRef {
        let path = self.join(id);
        let logical = logical_id(&path);
        let properties = match serde_json::to_value(&properties) {
            Ok(v) => v,
            Err(e) => {
                self.stack.errors.push(format!("{path}: properties do not serialize: {e}"));
                Value::Null
            }
        };
        let resource = Resource {
            type_name: R::TYPE,
            path: path.clone(),
            properties,
            tag_format: R::TAGS,
            options: ResourceOptions::default(),
            overrides: Vec::new(),
        };
        if self.stack.resources.insert(logical.clone(), resource).is_some() {
            self.stack.errors.push(format!("construct path {path:?} is used twice in stack {}", self.stack.name));
        }
        ResourceRef::new(Target { stack: self.stack.name.clone(), logical_id: logical }, R::TYPE)
    }

    /// Resource attributes of a resource of this stack.
    pub fn options(&mut self, resource: &ResourceRef) -> &mut ResourceOptions {
        let stack_name = self.stack.name.clone();
        let stack = &mut *self.stack;
        match stack.resources.get_mut(resource.logical_id()) {
            Some(r) if resource.stack_name() == &*stack_name => &mut r.options,
            _ => {
                stack.errors.push(format!(
                    "resource options set from stack {stack_name} on {} of stack {}",
                    resource.logical_id(),
                    resource.stack_name()
                ));
                // A scratch record keeps the caller's chain valid; the synth error above reports the misuse.
                stack.scratch_options = ResourceOptions::default();
                &mut stack.scratch_options
            }
        }
    }

    /// `DependsOn`: `resource` waits for `on` (both in this stack).
    pub fn depends_on(&mut self, resource: &ResourceRef, on: &ResourceRef) {
        let id = on.logical_id().to_string();
        let options = self.options(resource);
        if !options.depends_on.contains(&id) {
            options.depends_on.push(id);
        }
    }

    pub fn set_removal_policy(&mut self, resource: &ResourceRef, policy: RemovalPolicy) {
        let options = self.options(resource);
        options.deletion_policy = Some(policy);
        options.update_replace_policy = Some(policy);
    }

    /// Tags every taggable resource under this scope, through an [`ApplyTag`] aspect.
    pub fn tag(&mut self, key: &str, value: impl Into<Expr>) {
        let aspect = ApplyTag::new(self.path.clone(), key, value);
        self.stack.add_aspect(aspect);
    }

    fn join(&self, id: &str) -> String {
        if self.path.is_empty() {
            id.to_string()
        } else {
            format!("{}/{id}", self.path)
        }
    }
}
