//! `AWS::SSM::*` resource properties.

use indexmap::IndexMap;

use super::cfn_resource;
use crate::core::Expr;

cfn_resource!(CfnParameter = "AWS::SSM::Parameter", tags = Map {
    name: Option<Expr>,
    r#type: Expr,
    value: Expr,
    description: Option<Expr>,
    tier: Option<Expr>,
    tags: IndexMap<String, Expr>,
});
