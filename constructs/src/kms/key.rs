//! Customer-managed KMS keys.

use serde_json::{json, Value};

use crate::cfn::kms::CfnKey;
use crate::core::{Expr, ResourceRef, Scope};
use crate::iam::policy::document;

/// A symmetric KMS key with yearly rotation. Its policy gives the account (IAM) control, as the default key
/// policy does, plus `extra_statements`.
pub struct KeyProps {
    pub description: String,
    /// Further key-policy statements, e.g. for a service principal. Default: none.
    pub extra_statements: Vec<Value>,
}

/// An `AWS::KMS::Key`. Deleting the stack schedules the key for deletion (30-day waiting period), so `destroy`
/// leaves nothing billing.
#[derive(Clone, Debug)]
pub struct Key {
    resource: ResourceRef,
}

impl Key {
    pub fn new(scope: &mut Scope, id: &str, props: KeyProps) -> Self {
        let mut statements = vec![json!({
            "Sid": "AccountAdministers",
            "Effect": "Allow",
            "Principal": {"AWS": Expr::arn("iam::${AWS::AccountId}:root")},
            "Action": "kms:*",
            "Resource": "*"
        })];
        statements.extend(props.extra_statements);
        let resource = scope.add(
            id,
            CfnKey {
                description: Some(props.description.into()),
                enable_key_rotation: Some(true),
                key_policy: document(statements),
                tags: Vec::new(),
            },
        );
        Key { resource }
    }

    pub fn arn(&self) -> Expr {
        self.resource.get_att("Arn")
    }

    /// The `AWS::KMS::Key` resource, for resource attributes such as its removal policy.
    pub fn resource(&self) -> &ResourceRef {
        &self.resource
    }

    pub fn key_id(&self) -> Expr {
        self.resource.r#ref()
    }
}
