//! The EBS CSI driver add-on with its IAM role for service accounts.

use crate::cfn::eks::CfnAddon;
use crate::core::{Expr, ResourceRef, Scope};
use crate::iam::{OidcProvider, Principal, Role, RoleProps};

/// Namespace and name of the EBS CSI controller's service account.
pub const SERVICE_ACCOUNT: (&str, &str) = ("kube-system", "ebs-csi-controller-sa");

/// The `aws-ebs-csi-driver` EKS add-on.
///
/// Creates a role trusted through the cluster's OIDC provider for
/// `system:serviceaccount:kube-system:ebs-csi-controller-sa` with `AmazonEBSCSIDriverPolicy`, and the add-on
/// using it. The add-on waits for `wait_for` (the node group): its controller needs nodes to become active.
pub struct EbsCsiDriverProps<'a> {
    pub cluster_name: Expr,
    pub oidc_provider: &'a OidcProvider,
    /// Add-on version. Default: the default version for the cluster's Kubernetes version.
    pub version: Option<String>,
    pub wait_for: Option<&'a ResourceRef>,
}

/// The add-on and its role.
#[derive(Clone, Debug)]
pub struct EbsCsiDriver {
    addon: ResourceRef,
    role: Role,
}

impl EbsCsiDriver {
    pub fn new(scope: &mut Scope, id: &str, props: EbsCsiDriverProps) -> Self {
        let mut scope = scope.child(id);
        let (namespace, account) = SERVICE_ACCOUNT;
        let role = Role::new(
            &mut scope,
            "Role",
            RoleProps {
                assumed_by: Principal::Document(props.oidc_provider.service_account_trust(namespace, account)),
                managed_policies: vec!["service-role/AmazonEBSCSIDriverPolicy".into()],
                inline_policies: Vec::new(),
                description: Some("EBS CSI driver controller (IRSA)".into()),
            },
        );
        let addon = scope.add(
            "Addon",
            CfnAddon {
                addon_name: "aws-ebs-csi-driver".into(),
                cluster_name: props.cluster_name,
                addon_version: props.version.map(Expr::from),
                service_account_role_arn: Some(role.arn()),
                resolve_conflicts: Some("OVERWRITE".into()),
                tags: Vec::new(),
            },
        );
        if let Some(dependency) = props.wait_for {
            scope.depends_on(&addon, dependency);
        }
        EbsCsiDriver { addon, role }
    }

    pub fn addon(&self) -> &ResourceRef {
        &self.addon
    }

    pub fn role(&self) -> &Role {
        &self.role
    }
}
