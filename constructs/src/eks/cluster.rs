//! The EKS cluster.

use crate::cfn::eks::{
    AccessConfig, CfnCluster, ClusterLogging, EncryptionConfig, KubernetesNetworkConfig, Logging, LoggingTypeConfig,
    Provider, ResourcesVpcConfig,
};
use crate::core::{Expr, ResourceRef, Scope};
use crate::iam::{Role, RoleProps};
use crate::kms::{Key, KeyProps};
use crate::logs::{EncryptedLogGroup, EncryptedLogGroupProps};

/// Control-plane log types EKS can send to CloudWatch Logs.
pub const ALL_LOG_TYPES: [&str; 5] = ["api", "audit", "authenticator", "controllerManager", "scheduler"];

/// An EKS cluster.
///
/// Creates the cluster role (`AmazonEKSClusterPolicy`), a KMS key (rotated yearly) that envelope-encrypts
/// Kubernetes secrets, the control-plane log group `/aws/eks/<name>/cluster` (encrypted with a key of its own,
/// kept `log_retention_days`) before the cluster, so the stack owns it and deletes it with the cluster instead of
/// EKS creating it without retention on first use, and the cluster: authentication by access entries only (`API`
/// mode, no aws-auth ConfigMap), private endpoint (public only when asked), every control-plane log type.
///
/// ```
/// use constructs::core::{App, Environment};
/// use constructs::ec2::{Vpc, VpcProps};
/// use constructs::eks::{Cluster, ClusterProps};
///
/// let mut app = App::new();
/// let stack = app.add_stack("eks", Environment::new(None, "eu-west-1"));
/// let mut scope = stack.scope();
/// let vpc = Vpc::new(&mut scope, "Vpc", VpcProps::default());
/// let props = ClusterProps { name: "demo".into(), subnet_ids: vpc.private_subnet_ids(), ..Default::default() };
/// let cluster = Cluster::new(&mut scope, "Cluster", props);
/// assert_eq!(cluster.literal_name(), "demo");
/// app.synth().unwrap();
/// ```
pub struct ClusterProps {
    /// EKS cluster name. Default: `karmada-parent`.
    pub name: String,
    /// Kubernetes version. Default: [`DEFAULT_KUBERNETES_VERSION`].
    pub version: String,
    /// Subnets for the control-plane network interfaces (the private ones).
    pub subnet_ids: Vec<Expr>,
    /// Whether the API endpoint is also reachable from outside the VPC. Default: false: the endpoint is private,
    /// reachable only from the VPC (and networks routed to it), which is all a host in the VPC needs; a public
    /// endpoint lets `kubectl` work from a laptop without a VPN, at the price of exposing the API server (still
    /// behind IAM authentication) to the networks in `public_access_cidrs`.
    pub endpoint_public_access: bool,
    /// CIDRs allowed on the public endpoint (ignored when it is off). Default: none.
    pub public_access_cidrs: Vec<String>,
    /// Kubernetes service CIDR. Default: chosen by EKS.
    pub service_cidr: Option<String>,
    /// Give the identity that creates the stack cluster-admin access. Default: true (as eksctl does). It can
    /// never change: `BootstrapClusterCreatorAdminPermissions` "requires replacement" (AWS::EKS::Cluster
    /// AccessConfig reference), and a named cluster cannot be replaced.
    pub creator_is_admin: bool,
    /// Days the control-plane logs are kept. Default: 365.
    pub log_retention_days: u32,
}

/// The Kubernetes version of a new parent cluster, chosen on 2026-12-01: EKS gives a minor version 14 months of
/// standard support, then bills extended support (the EKS User Guide, "Understand the Kubernetes version
/// lifecycle on EKS"); 1.35 reached EKS on 2026-01-28 and stays in standard support until 2027-03-27, while
/// 1.34's ends on 2026-12-02. It is also the minor of Karmada v1.18.2's own kube-apiserver (v1.35), so one
/// kubectl is within the supported skew of both.
pub const DEFAULT_KUBERNETES_VERSION: &str = "1.35";

/// The cluster's name when none is given.
pub const DEFAULT_NAME: &str = "karmada-parent";

impl Default for ClusterProps {
    fn default() -> Self {
        ClusterProps {
            name: DEFAULT_NAME.into(),
            version: DEFAULT_KUBERNETES_VERSION.into(),
            subnet_ids: Vec::new(),
            endpoint_public_access: false,
            public_access_cidrs: Vec::new(),
            service_cidr: None,
            creator_is_admin: true,
            log_retention_days: 365,
        }
    }
}

/// The log group EKS writes a cluster's control-plane logs to (fixed by EKS).
pub fn control_plane_log_group(cluster: &str) -> String {
    format!("/aws/eks/{cluster}/cluster")
}

/// The cluster and its attributes.
#[derive(Clone, Debug)]
pub struct Cluster {
    resource: ResourceRef,
    key: Key,
    name: String,
}

impl Cluster {
    pub fn new(scope: &mut Scope, id: &str, props: ClusterProps) -> Self {
        let mut scope = scope.child(id);
        let mut role_props = RoleProps::service("eks.amazonaws.com");
        role_props.managed_policies = vec!["AmazonEKSClusterPolicy".into()];
        role_props.description = Some(format!("EKS control plane of {}", props.name));
        let role = Role::new(&mut scope, "Role", role_props);
        let key = Key::new(
            &mut scope,
            "SecretsKey",
            KeyProps {
                description: format!("Encrypts Kubernetes secrets of EKS cluster {}", props.name),
                extra_statements: Vec::new(),
            },
        );
        let logs = EncryptedLogGroup::new(
            &mut scope.child("ControlPlaneLogs"),
            EncryptedLogGroupProps {
                name: Some(control_plane_log_group(&props.name)),
                retention_days: props.log_retention_days,
                key_description: format!("Encrypts the control-plane logs of EKS cluster {}", props.name),
            },
        );
        let resource = scope.add(
            "Resource",
            CfnCluster {
                name: Some(props.name.clone().into()),
                version: Some(props.version.into()),
                role_arn: role.arn(),
                resources_vpc_config: ResourcesVpcConfig {
                    subnet_ids: props.subnet_ids,
                    security_group_ids: Vec::new(),
                    endpoint_public_access: Some(props.endpoint_public_access),
                    endpoint_private_access: Some(true),
                    public_access_cidrs: if props.endpoint_public_access {
                        props.public_access_cidrs.into_iter().map(Expr::from).collect()
                    } else {
                        Vec::new()
                    },
                },
                access_config: Some(AccessConfig {
                    authentication_mode: "API".into(),
                    bootstrap_cluster_creator_admin_permissions: Some(props.creator_is_admin),
                }),
                logging: Some(Logging {
                    cluster_logging: ClusterLogging {
                        enabled_types: ALL_LOG_TYPES
                            .iter()
                            .map(|t| LoggingTypeConfig { r#type: (*t).into() })
                            .collect(),
                    },
                }),
                encryption_config: vec![EncryptionConfig {
                    provider: Provider { key_arn: key.arn() },
                    resources: vec!["secrets".into()],
                }],
                kubernetes_network_config: props
                    .service_cidr
                    .map(|c| KubernetesNetworkConfig { service_ipv4_cidr: Some(c.into()) }),
                tags: Vec::new(),
            },
        );
        scope.depends_on(&resource, logs.resource());
        Cluster { resource, key, name: props.name }
    }

    /// The cluster's name as a reference (deploying a consumer waits for the cluster).
    pub fn name(&self) -> Expr {
        self.resource.r#ref()
    }

    /// The configured name, known at synth time (for scripts and tags).
    pub fn literal_name(&self) -> &str {
        &self.name
    }

    pub fn arn(&self) -> Expr {
        self.resource.get_att("Arn")
    }

    pub fn endpoint(&self) -> Expr {
        self.resource.get_att("Endpoint")
    }

    pub fn oidc_issuer_url(&self) -> Expr {
        self.resource.get_att("OpenIdConnectIssuerUrl")
    }

    /// The security group EKS creates for the control plane and the nodes.
    pub fn cluster_security_group_id(&self) -> Expr {
        self.resource.get_att("ClusterSecurityGroupId")
    }

    pub fn secrets_key(&self) -> &Key {
        &self.key
    }
}
