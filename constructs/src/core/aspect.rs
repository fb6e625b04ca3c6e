//! Aspects: visitors that [`App::synth`](super::App::synth) applies to every resource of every stack before
//! rendering, as the AWS CDK's `Aspects.of(scope).add(...)`. An aspect may change a resource in
//! [`Aspect::visit`] (tags are an aspect, see [`ApplyTag`](super::ApplyTag)) and check it in [`Aspect::check`],
//! which sees the resource's template entry as it will be deployed (after every aspect's changes and the
//! resource's overrides). Either may report an error, which aborts synth, or a warning, which synth's summary
//! shows; both name the construct path.
//!
//! Order: stacks in the app's order; in each stack, first [`Aspect::visit_stack`] of every aspect, then every
//! resource in construct-tree order (depth first, siblings in the order they were created), and for each resource
//! the app's aspects in the order they were added, then the stack's: all their `visit`s, then the resource's
//! overrides, then all their `check`s.
//!
//! ```
//! use constructs::core::{App, Aspect, EntryNode, Environment};
//! use constructs::cfn::ec2::CfnVpc;
//!
//! /// Warns about every VPC without DNS hostnames.
//! struct DnsHostnames;
//!
//! impl Aspect for DnsHostnames {
//!     fn check(&self, node: &mut EntryNode<'_>) {
//!         if node.type_name() == "AWS::EC2::VPC" && node.properties()["EnableDnsHostnames"] != true {
//!             node.warning("DNS hostnames are off");
//!         }
//!     }
//! }
//!
//! let mut app = App::new();
//! let stack = app.add_stack("demo", Environment::new(None, "eu-west-1"));
//! stack.scope().add("Vpc", CfnVpc { cidr_block: "10.0.0.0/16".into(), ..Default::default() });
//! app.add_aspect(DnsHostnames);
//! let assembly = app.synth().unwrap();
//! assert_eq!(assembly.stacks[0].warnings, ["demo/Vpc: DNS hostnames are off"]);
//! ```

use serde_json::Value;
use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use super::environment::Environment;
use super::resource::{Resource, ResourceOptions, TagFormat};

/// A visitor of resources (and stacks) run by synth.
pub trait Aspect: Send + Sync {
    /// Called once per stack, before its resources.
    fn visit_stack(&self, _stack: &mut StackNode<'_>) {}

    /// Called once per resource, to change it.
    fn visit(&self, _resource: &mut ResourceNode<'_>) {}

    /// Called once per resource after every aspect's `visit` and the resource's overrides, to judge it.
    fn check(&self, _entry: &mut EntryNode<'_>) {}
}

/// The aspects added to an app or a stack, in order.
#[derive(Clone, Default)]
pub(crate) struct Aspects(pub Vec<Arc<dyn Aspect>>);

impl fmt::Debug for Aspects {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Aspects({})", self.0.len())
    }
}

/// What an aspect reported.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Report {
    pub(crate) error: bool,
    /// `<stack>/<construct path>`.
    pub(crate) path: String,
    pub(crate) message: String,
}

/// A stack as an aspect sees it.
pub struct StackNode<'a> {
    pub(crate) name: &'a str,
    pub(crate) env: &'a Environment,
    pub(crate) tags: &'a mut BTreeMap<String, String>,
    pub(crate) reports: &'a mut Vec<Report>,
}

impl StackNode<'_> {
    pub fn name(&self) -> &str {
        self.name
    }

    pub fn env(&self) -> &Environment {
        self.env
    }

    /// Sets a stack-level tag (the manifest's `tags`: `deploy` puts it on the CloudFormation stack).
    pub fn set_tag(&mut self, key: &str, value: &str) {
        self.tags.insert(key.into(), value.into());
    }

    pub fn error(&mut self, message: impl Into<String>) {
        self.reports.push(Report { error: true, path: self.name.into(), message: message.into() });
    }

    pub fn warning(&mut self, message: impl Into<String>) {
        self.reports.push(Report { error: false, path: self.name.into(), message: message.into() });
    }
}

/// A resource as an aspect sees it: properties before references are resolved (a reference is an object
/// holding one key, see [`super::Expr`]).
pub struct ResourceNode<'a> {
    pub(crate) stack: &'a str,
    pub(crate) logical_id: &'a str,
    pub(crate) resource: &'a mut Resource,
    pub(crate) tags: &'a mut Vec<(String, Value)>,
    pub(crate) reports: &'a mut Vec<Report>,
}

impl ResourceNode<'_> {
    pub fn stack_name(&self) -> &str {
        self.stack
    }

    pub fn logical_id(&self) -> &str {
        self.logical_id
    }

    /// The construct path inside the stack, e.g. `Vpc/PublicSubnet1/Subnet`.
    pub fn path(&self) -> &str {
        &self.resource.path
    }

    pub fn type_name(&self) -> &'static str {
        self.resource.type_name
    }

    pub fn properties(&self) -> &Value {
        &self.resource.properties
    }

    pub fn properties_mut(&mut self) -> &mut Value {
        &mut self.resource.properties
    }

    pub fn options_mut(&mut self) -> &mut ResourceOptions {
        &mut self.resource.options
    }

    /// Whether the resource type has a `Tags` property.
    pub fn is_taggable(&self) -> bool {
        self.resource.tag_format != TagFormat::None
    }

    /// Adds tag `key` to the resource once every aspect has visited it, unless the resource sets that key itself;
    /// a later call for the same key replaces the value.
    pub fn set_tag(&mut self, key: &str, value: Value) {
        match self.tags.iter_mut().find(|(k, _)| k == key) {
            Some(slot) => slot.1 = value,
            None => self.tags.push((key.to_string(), value)),
        }
    }

    /// Makes synth fail, naming this resource's construct path.
    pub fn error(&mut self, message: impl Into<String>) {
        let path = format!("{}/{}", self.stack, self.resource.path);
        self.reports.push(Report { error: true, path, message: message.into() });
    }

    /// Adds a warning to synth's summary, naming this resource's construct path.
    pub fn warning(&mut self, message: impl Into<String>) {
        let path = format!("{}/{}", self.stack, self.resource.path);
        self.reports.push(Report { error: false, path, message: message.into() });
    }
}

/// A resource's template entry as an aspect's [`Aspect::check`] sees it: after aspects and overrides, before
/// references are resolved.
pub struct EntryNode<'a> {
    pub(crate) stack: &'a str,
    pub(crate) logical_id: &'a str,
    pub(crate) path: &'a str,
    pub(crate) entry: &'a Value,
    pub(crate) reports: &'a mut Vec<Report>,
}

impl EntryNode<'_> {
    pub fn stack_name(&self) -> &str {
        self.stack
    }

    pub fn logical_id(&self) -> &str {
        self.logical_id
    }

    /// The construct path inside the stack.
    pub fn path(&self) -> &str {
        self.path
    }

    pub fn type_name(&self) -> &str {
        self.entry["Type"].as_str().unwrap_or_default()
    }

    /// The whole entry: `Type`, `Properties`, `DependsOn`, `Metadata`, ...
    pub fn entry(&self) -> &Value {
        self.entry
    }

    /// `Properties` (`Null` when the resource has none).
    pub fn properties(&self) -> &Value {
        &self.entry["Properties"]
    }

    /// Makes synth fail, naming this resource's construct path.
    pub fn error(&mut self, message: impl Into<String>) {
        let path = format!("{}/{}", self.stack, self.path);
        self.reports.push(Report { error: true, path, message: message.into() });
    }

    /// Adds a warning to synth's summary, naming this resource's construct path.
    pub fn warning(&mut self, message: impl Into<String>) {
        let path = format!("{}/{}", self.stack, self.path);
        self.reports.push(Report { error: false, path, message: message.into() });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::hints::rendered;
    use crate::core::App;
    use serde_json::json;
    use std::sync::Mutex;

    #[derive(serde::Serialize)]
    struct Thing {
        #[serde(rename = "Name")]
        name: &'static str,
    }

    impl crate::core::CfnResource for Thing {
        const TYPE: &'static str = "Test::Thing";
        const TAGS: TagFormat = TagFormat::List;
    }

    /// Records "<name>:<path>" for every visit.
    struct Recorder(&'static str, Arc<Mutex<Vec<String>>>);

    impl Aspect for Recorder {
        fn visit_stack(&self, stack: &mut StackNode<'_>) {
            self.1.lock().unwrap().push(format!("{}:stack {}", self.0, stack.name()));
        }

        fn visit(&self, node: &mut ResourceNode<'_>) {
            self.1.lock().unwrap().push(format!("{}:{}", self.0, node.path()));
        }
    }

    fn app() -> App {
        let mut app = App::new();
        let stack = app.add_stack("one", Environment::new(None, "eu-west-1"));
        let mut s = stack.scope();
        s.child("A").add("X", Thing { name: "ax" });
        s.add("B", Thing { name: "b" });
        // Added last but belongs under A: the tree walk visits it right after A/X.
        s.child("A").child("C").add("Y", Thing { name: "acy" });
        app.add_stack("two", Environment::new(None, "eu-west-1")).scope().add("Z", Thing { name: "z" });
        app
    }

    #[test]
    fn visits_in_construct_tree_order_app_aspects_then_stack_aspects() {
        let log = Arc::new(Mutex::new(Vec::new()));
        let mut app = app();
        app.stack_mut("one").unwrap().add_aspect(Recorder("stack", log.clone()));
        app.add_aspect(Recorder("app1", log.clone()));
        app.add_aspect(Recorder("app2", log.clone()));
        app.synth().unwrap();
        let expected = [
            "app1:stack one",
            "app2:stack one",
            "stack:stack one",
            "app1:A/X",
            "app2:A/X",
            "stack:A/X",
            "app1:A/C/Y",
            "app2:A/C/Y",
            "stack:A/C/Y",
            "app1:B",
            "app2:B",
            "stack:B",
            "app1:stack two",
            "app2:stack two",
            "app1:Z",
            "app2:Z",
        ];
        assert_eq!(*log.lock().unwrap(), expected);
    }

    struct Forbid(&'static str);

    impl Aspect for Forbid {
        fn check(&self, node: &mut EntryNode<'_>) {
            if node.properties()["Name"] == self.0 {
                node.error(format!("name {} is not allowed", self.0));
            }
        }
    }

    #[test]
    fn an_error_aborts_synth_naming_the_construct_path() {
        let mut app = app();
        app.add_aspect(Forbid("acy"));
        let e = app.synth().unwrap_err();
        assert_eq!(
            rendered(&e),
            "an aspect refused the app:\n  one/A/C/Y: name acy is not allowed\n  hint: change the resource (an override can) or remove the aspect"
        );
    }

    struct Rename;

    impl Aspect for Rename {
        fn visit(&self, node: &mut ResourceNode<'_>) {
            let upper = node.properties()["Name"].as_str().unwrap_or_default().to_uppercase();
            node.properties_mut()["Name"] = json!(upper);
            node.set_tag("seen", json!("yes"));
        }
    }

    #[test]
    fn changes_reach_the_template_and_the_app_stays_as_built() {
        let mut app = app();
        app.add_aspect(Rename);
        let assembly = app.synth().unwrap();
        let template = &assembly.stack("one").unwrap().template;
        let thing = template["Resources"].as_object().unwrap().values().next().unwrap();
        assert_eq!(thing["Properties"], json!({"Name": "AX", "Tags": [{"Key": "seen", "Value": "yes"}]}));
        // synth is repeatable: aspects run on a copy.
        assert_eq!(app.synth().unwrap(), assembly);
    }
}
