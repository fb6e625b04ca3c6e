//! `AWS::Logs::*` resource properties.

use super::{cfn_resource, Tag};
use crate::core::Expr;

cfn_resource!(CfnLogGroup = "AWS::Logs::LogGroup", tags = List {
    log_group_name: Option<Expr>,
    retention_in_days: Option<u32>,
    kms_key_id: Option<Expr>,
    tags: Vec<Tag>,
});
