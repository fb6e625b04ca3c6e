//! L1: typed properties of every CloudFormation resource type the app uses, one file per service, with
//! CloudFormation's own property names (snake_case here, PascalCase in the template). Optional properties are
//! `Option`s or empty collections and are left out of the template.

use indexmap::IndexMap;
use serde::Serialize;
use serde_json::Value;

use crate::core::Expr;

pub mod ec2;
pub mod eks;
pub mod elbv2;
pub mod iam;
pub mod kms;
pub mod logs;
pub mod s3;
pub mod schema;
pub mod secretsmanager;
pub mod ssm;

/// Whether a property value is left out of the template.
pub trait Skip {
    fn skip(&self) -> bool {
        false
    }
}

impl<T> Skip for Option<T> {
    fn skip(&self) -> bool {
        self.is_none()
    }
}

impl<T> Skip for Vec<T> {
    fn skip(&self) -> bool {
        self.is_empty()
    }
}

impl<K, V> Skip for IndexMap<K, V> {
    fn skip(&self) -> bool {
        self.is_empty()
    }
}

impl Skip for Value {
    fn skip(&self) -> bool {
        self.is_null()
    }
}

impl Skip for Expr {
    fn skip(&self) -> bool {
        matches!(self, Expr::Literal(Value::Null))
    }
}
impl Skip for bool {}
impl Skip for u32 {}
impl Skip for String {}

/// Declares an L1 resource: a property struct plus its CloudFormation type and tag format.
macro_rules! cfn_resource {
    ($(#[$m:meta])* $name:ident = $type:literal, tags = $tags:ident { $( $(#[$fm:meta])* $field:ident : $ty:ty ),* $(,)? }) => {
        $(#[$m])*
        #[derive(Clone, Debug, Default, PartialEq, serde::Serialize)]
        #[serde(rename_all = "PascalCase")]
        pub struct $name { $( $(#[$fm])* #[serde(skip_serializing_if = "crate::cfn::Skip::skip")] pub $field: $ty, )* }
        impl crate::core::CfnResource for $name {
            const TYPE: &'static str = $type;
            const TAGS: crate::core::TagFormat = crate::core::TagFormat::$tags;
        }
    };
}

/// Declares a nested property type of an L1 resource.
macro_rules! cfn_property {
    ($(#[$m:meta])* $name:ident { $( $(#[$fm:meta])* $field:ident : $ty:ty ),* $(,)? }) => {
        $(#[$m])*
        #[derive(Clone, Debug, Default, PartialEq, serde::Serialize)]
        #[serde(rename_all = "PascalCase")]
        pub struct $name { $( $(#[$fm])* #[serde(skip_serializing_if = "crate::cfn::Skip::skip")] pub $field: $ty, )* }
        impl crate::cfn::Skip for $name {}
    };
}

pub(crate) use {cfn_property, cfn_resource};

/// A `{"Key", "Value"}` tag of list-format resources.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Tag {
    pub key: String,
    pub value: Expr,
}

impl Tag {
    pub fn new(key: impl Into<String>, value: impl Into<Expr>) -> Self {
        Tag { key: key.into(), value: value.into() }
    }
}

impl Default for Expr {
    fn default() -> Self {
        Expr::Literal(Value::Null)
    }
}
