//! IAM roles.

use serde_json::Value;

use super::policy::{managed_policy_arn, service_trust};
use crate::cfn::iam::{CfnRole, Policy};
use crate::core::{Expr, ResourceRef, Scope};

/// Who may assume a role.
#[derive(Clone, Debug, PartialEq)]
pub enum Principal {
    /// An AWS service, e.g. `ec2.amazonaws.com`.
    Service(String),
    /// A complete trust policy (e.g. web identity through an OIDC provider).
    Document(Value),
}

/// An IAM role. Its props: trust, AWS managed policies by name, inline policies.
pub struct RoleProps {
    pub assumed_by: Principal,
    /// AWS managed policies by name, e.g. `AmazonEKSClusterPolicy`. Default: none.
    pub managed_policies: Vec<String>,
    /// Inline policies: (name, policy document). Default: none.
    pub inline_policies: Vec<(String, Value)>,
    pub description: Option<String>,
}

impl RoleProps {
    pub fn service(service: &str) -> Self {
        RoleProps {
            assumed_by: Principal::Service(service.into()),
            managed_policies: Vec::new(),
            inline_policies: Vec::new(),
            description: None,
        }
    }
}

/// An `AWS::IAM::Role`.
#[derive(Clone, Debug)]
pub struct Role {
    resource: ResourceRef,
}

impl Role {
    pub fn new(scope: &mut Scope, id: &str, props: RoleProps) -> Self {
        let assume_role_policy_document = match props.assumed_by {
            Principal::Service(s) => service_trust(&s),
            Principal::Document(d) => d,
        };
        let resource = scope.add(
            id,
            CfnRole {
                assume_role_policy_document,
                description: props.description.map(Expr::from),
                managed_policy_arns: props.managed_policies.iter().map(|p| managed_policy_arn(p)).collect(),
                policies: props
                    .inline_policies
                    .into_iter()
                    .map(|(name, document)| Policy { policy_name: name.into(), policy_document: document })
                    .collect(),
                tags: Vec::new(),
            },
        );
        Role { resource }
    }

    pub fn arn(&self) -> Expr {
        self.resource.get_att("Arn")
    }

    pub fn name(&self) -> Expr {
        self.resource.r#ref()
    }

    pub fn resource(&self) -> &ResourceRef {
        &self.resource
    }
}
