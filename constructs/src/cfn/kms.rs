//! `AWS::KMS::*` resource properties.

use serde_json::Value;

use super::{cfn_resource, Tag};
use crate::core::Expr;

cfn_resource!(CfnKey = "AWS::KMS::Key", tags = List {
    description: Option<Expr>,
    enable_key_rotation: Option<bool>,
    key_policy: Value,
    tags: Vec<Tag>,
});

cfn_resource!(CfnAlias = "AWS::KMS::Alias", tags = None { alias_name: Expr, target_key_id: Expr });
