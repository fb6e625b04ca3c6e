//! Instance profiles.

use super::role::Role;
use crate::cfn::iam::CfnInstanceProfile;
use crate::core::{Expr, ResourceRef, Scope};

/// An `AWS::IAM::InstanceProfile` carrying one role.
#[derive(Clone, Debug)]
pub struct InstanceProfile {
    resource: ResourceRef,
}

impl InstanceProfile {
    pub fn new(scope: &mut Scope, id: &str, role: &Role) -> Self {
        InstanceProfile { resource: scope.add(id, CfnInstanceProfile { roles: vec![role.name()] }) }
    }

    /// The profile's name, as `AWS::EC2::Instance.IamInstanceProfile` takes it.
    pub fn name(&self) -> Expr {
        self.resource.r#ref()
    }
}
