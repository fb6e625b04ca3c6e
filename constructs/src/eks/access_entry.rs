//! EKS access entries: cluster access for an IAM principal, without the aws-auth ConfigMap.

use crate::cfn::eks::{AccessPolicy, AccessScope, CfnAccessEntry};
use crate::core::{Expr, Scope};

/// EKS access policy granting full cluster administration.
pub const CLUSTER_ADMIN_POLICY: &str = "AmazonEKSClusterAdminPolicy";

/// Gives `principal_arn` the `AmazonEKSClusterAdminPolicy` on the whole cluster `cluster_name` (an
/// `AWS::EKS::AccessEntry` of type STANDARD with the policy association inline).
pub fn add_cluster_admin(scope: &mut Scope, id: &str, cluster_name: Expr, principal_arn: Expr) {
    scope.add(
        id,
        CfnAccessEntry {
            cluster_name,
            principal_arn,
            r#type: Some("STANDARD".into()),
            access_policies: vec![AccessPolicy {
                policy_arn: Expr::arn(&format!("eks::aws:cluster-access-policy/{CLUSTER_ADMIN_POLICY}")),
                access_scope: AccessScope { r#type: "cluster".into(), namespaces: Vec::new() },
            }],
            tags: Vec::new(),
        },
    );
}
