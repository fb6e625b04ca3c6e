//! The EKS cluster.

use crate::cfn::eks::{
    AccessConfig, CfnCluster, ClusterLogging, EncryptionConfig, KubernetesNetworkConfig, Logging, LoggingTypeConfig,
    Provider, ResourcesVpcConfig,
};
use crate::core::{Expr, ResourceRef, Scope};
use crate::iam::{Role, RoleProps};
use crate::kms::{Key, KeyProps};

/// Control-plane log types EKS can send to CloudWatch Logs.
pub const ALL_LOG_TYPES: [&str; 5] = ["api", "audit", "authenticator", "controllerManager", "scheduler"];

/// An EKS cluster.
///
/// Creates the cluster role (`AmazonEKSClusterPolicy`), a KMS key (rotated yearly) that envelope-encrypts
/// Kubernetes secrets, and the cluster: authentication by access entries only (`API` mode, no aws-auth
/// ConfigMap), public and private endpoint, every control-plane log type.
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
    /// Kubernetes version. Default: `1.31`.
    pub version: String,
    /// Subnets for the control-plane network interfaces (the private ones).
    pub subnet_ids: Vec<Expr>,
    /// Whether the API endpoint is reachable from the internet. Default: true.
    pub endpoint_public_access: bool,
    /// CIDRs allowed on the public endpoint. Default: `0.0.0.0/0`.
    pub public_access_cidrs: Vec<String>,
    /// Kubernetes service CIDR. Default: chosen by EKS.
    pub service_cidr: Option<String>,
    /// Give the identity that creates the stack cluster-admin access. Default: true (as eksctl does).
    pub creator_is_admin: bool,
}

impl Default for ClusterProps {
    fn default() -> Self {
        ClusterProps {
            name: "karmada-parent".into(),
            version: "1.31".into(),
            subnet_ids: Vec::new(),
            endpoint_public_access: true,
            public_access_cidrs: vec!["0.0.0.0/0".into()],
            service_cidr: None,
            creator_is_admin: true,
        }
    }
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
