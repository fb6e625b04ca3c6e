//! The escape hatch of one resource: the handle that records its overrides (see [`super::overrides`]) and the
//! lookup of a resource by logical ID or construct path.

use indexmap::IndexMap;
use serde::Serialize;

use super::overrides::{parse_path, to_value, Override, OverrideError};
use super::resource::Resource;

/// The escape hatch of one resource, from [`Stack::resource_mut`](super::Stack::resource_mut) or
/// [`Stack::find_resource_mut`](super::Stack::find_resource_mut). A bad path or an override that does not apply
/// (deleting what is absent) makes synth fail, naming the resource.
///
/// ```
/// use constructs::core::{App, Environment};
/// use constructs::cfn::ec2::CfnVpc;
///
/// let mut app = App::new();
/// let stack = app.add_stack("demo", Environment::new(None, "eu-west-1"));
/// let vpc = stack.scope().add("Vpc", CfnVpc { cidr_block: "10.0.0.0/16".into(), ..Default::default() });
/// stack
///     .resource_mut(&vpc)
///     .unwrap()
///     .add_property_override("EnableDnsHostnames", true)
///     .add_property_override("Tags", serde_json::json!([{"Key": "team", "Value": "platform"}]))
///     .add_override("UpdateReplacePolicy", "Retain");
/// let template = &app.synth().unwrap().stacks[0].template;
/// let vpc = &template["Resources"][vpc.logical_id()];
/// assert_eq!(vpc["Properties"]["EnableDnsHostnames"], true);
/// assert_eq!(vpc["Properties"]["Tags"][0]["Key"], "team");
/// assert_eq!(vpc["UpdateReplacePolicy"], "Retain");
/// ```
pub struct ResourceMut<'a> {
    logical_id: &'a str,
    resource: &'a mut Resource,
    errors: &'a mut Vec<String>,
}

impl<'a> ResourceMut<'a> {
    pub(crate) fn new(logical_id: &'a str, resource: &'a mut Resource, errors: &'a mut Vec<String>) -> Self {
        ResourceMut { logical_id, resource, errors }
    }

    pub fn logical_id(&self) -> &str {
        self.logical_id
    }

    /// The construct path inside the stack.
    pub fn path(&self) -> &str {
        &self.resource.path
    }

    pub fn type_name(&self) -> &'static str {
        self.resource.type_name
    }

    /// The overrides added so far, in order.
    pub fn overrides(&self) -> &[Override] {
        &self.resource.overrides
    }

    /// Sets `path` from the resource's root (`DependsOn`, `Metadata.x`, `Properties.A.B`) to `value`.
    pub fn add_override(&mut self, path: &str, value: impl Serialize) -> &mut Self {
        let parsed = parse_path(path).and_then(|p| Ok((p, to_value(value)?)));
        self.record(path, parsed.map(|(path, value)| Override { path, value: Some(value) }))
    }

    /// Deletes `path` from the resource's root.
    pub fn add_deletion_override(&mut self, path: &str) -> &mut Self {
        let parsed = parse_path(path).map(|path| Override { path, value: None });
        self.record(path, parsed)
    }

    /// Sets `Properties.<path>` to `value`.
    pub fn add_property_override(&mut self, path: &str, value: impl Serialize) -> &mut Self {
        self.add_override(&format!("Properties.{path}"), value)
    }

    /// Deletes `Properties.<path>`.
    pub fn add_property_deletion_override(&mut self, path: &str) -> &mut Self {
        self.add_deletion_override(&format!("Properties.{path}"))
    }

    fn record(&mut self, text: &str, parsed: Result<Override, OverrideError>) -> &mut Self {
        match parsed {
            Ok(o) => self.resource.overrides.push(o),
            Err(e) => self.errors.push(format!("{}: override {text:?}: {e}", self.resource.path)),
        }
        self
    }
}

/// The logical ID of the resource of `resources` that `name` means: a logical ID, a construct path inside the
/// stack (`Nodes/Resource`), the same with the stack's name in front as the template's `aws:cdk:path` writes it,
/// or a construct whose main resource (`<name>/Resource`, `<name>/Default`) it is, as in the AWS CDK.
pub(crate) fn find<'a>(stack: &str, resources: &'a IndexMap<String, Resource>, name: &str) -> Option<&'a str> {
    let relative = name.strip_prefix(stack).and_then(|r| r.strip_prefix('/')).unwrap_or(name);
    let by = |want: &str| resources.iter().find(|(id, r)| *id == want || r.path == want).map(|(id, _)| id.as_str());
    by(name)
        .or_else(|| by(relative))
        .or_else(|| by(&format!("{relative}/Resource")))
        .or_else(|| by(&format!("{relative}/Default")))
}
