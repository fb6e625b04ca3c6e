//! `AWS::IAM::*` resource properties.

use serde_json::Value;

use super::{cfn_property, cfn_resource, Tag};
use crate::core::Expr;

cfn_property!(
    /// An inline policy of a role.
    Policy { policy_name: Expr, policy_document: Value }
);

cfn_resource!(CfnRole = "AWS::IAM::Role", tags = List {
    /// A policy object, or (for conditions whose keys are only known at deploy time) an `Fn::Sub` of its JSON.
    assume_role_policy_document: Value,
    description: Option<Expr>,
    managed_policy_arns: Vec<Expr>,
    policies: Vec<Policy>,
    tags: Vec<Tag>,
});

cfn_resource!(CfnInstanceProfile = "AWS::IAM::InstanceProfile", tags = None { roles: Vec<Expr> });

cfn_resource!(CfnOidcProvider = "AWS::IAM::OIDCProvider", tags = List {
    url: Expr,
    client_id_list: Vec<Expr>,
    thumbprint_list: Vec<Expr>,
    tags: Vec<Tag>,
});
