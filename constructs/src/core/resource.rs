//! One CloudFormation resource: its type, properties and resource attributes.

use indexmap::IndexMap;
use serde::Serialize;
use serde_json::Value;

use super::expr::{Expr, Target};
use super::overrides::Override;

/// How a resource type carries tags, if it has a `Tags` property at all.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TagFormat {
    /// `[{"Key": k, "Value": v}, ...]`, most types.
    List,
    /// `{k: v, ...}`, e.g. `AWS::EKS::Nodegroup`, `AWS::SSM::Parameter`.
    Map,
    /// The type has no `Tags` property.
    None,
}

/// A typed L1 property struct for one CloudFormation resource type.
pub trait CfnResource: Serialize {
    /// The CloudFormation type name, e.g. `AWS::EC2::VPC`.
    const TYPE: &'static str;
    /// How this type carries tags.
    const TAGS: TagFormat;
}

/// `DeletionPolicy` / `UpdateReplacePolicy` values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum RemovalPolicy {
    Delete,
    Retain,
    Snapshot,
    RetainExceptOnCreate,
}

/// Resource attributes beside `Properties`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ResourceOptions {
    pub depends_on: Vec<String>,
    pub deletion_policy: Option<RemovalPolicy>,
    pub update_replace_policy: Option<RemovalPolicy>,
    pub creation_policy: Option<Value>,
    pub condition: Option<String>,
    pub metadata: IndexMap<String, Value>,
}

/// A resource as the stack holds it, before references are resolved.
#[derive(Clone, Debug, PartialEq)]
pub struct Resource {
    pub type_name: &'static str,
    /// Construct path inside the stack, e.g. `Vpc/PublicSubnet1/Subnet`.
    pub path: String,
    pub properties: Value,
    pub tag_format: TagFormat,
    pub options: ResourceOptions,
    /// Raw edits of the rendered resource, in the order they were added (see [`super::overrides`]).
    pub overrides: Vec<Override>,
}

/// A handle on a resource added to a stack: hands out `Ref` and `Fn::GetAtt` values.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ResourceRef {
    target: Target,
    type_name: &'static str,
}

impl ResourceRef {
    pub(crate) fn new(target: Target, type_name: &'static str) -> Self {
        ResourceRef { target, type_name }
    }

    /// `{"Ref": <logical id>}` from wherever it is used.
    pub fn r#ref(&self) -> Expr {
        Expr::Ref(self.target.clone())
    }

    /// `{"Fn::GetAtt": [<logical id>, attribute]}` from wherever it is used.
    pub fn get_att(&self, attribute: &str) -> Expr {
        Expr::GetAtt(self.target.clone(), attribute.to_string())
    }

    pub fn logical_id(&self) -> &str {
        &self.target.logical_id
    }

    pub fn stack_name(&self) -> &str {
        &self.target.stack
    }

    pub fn type_name(&self) -> &'static str {
        self.type_name
    }
}
