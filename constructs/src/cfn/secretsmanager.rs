//! `AWS::SecretsManager::*` resource properties.

use serde_json::Value;

use super::{cfn_resource, Tag};
use crate::core::Expr;

cfn_resource!(CfnSecret = "AWS::SecretsManager::Secret", tags = List {
    name: Option<Expr>,
    description: Option<Expr>,
    kms_key_id: Option<Expr>,
    tags: Vec<Tag>,
});

cfn_resource!(CfnResourcePolicy = "AWS::SecretsManager::ResourcePolicy", tags = None {
    secret_id: Expr,
    resource_policy: Value,
    block_public_policy: Option<bool>,
});
