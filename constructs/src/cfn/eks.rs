//! `AWS::EKS::*` resource properties.

use indexmap::IndexMap;

use super::{cfn_property, cfn_resource, Tag};
use crate::core::Expr;

cfn_property!(ResourcesVpcConfig {
    subnet_ids: Vec<Expr>,
    security_group_ids: Vec<Expr>,
    endpoint_public_access: Option<bool>,
    endpoint_private_access: Option<bool>,
    public_access_cidrs: Vec<Expr>,
});

cfn_property!(AccessConfig { authentication_mode: Expr, bootstrap_cluster_creator_admin_permissions: Option<bool> });

cfn_property!(LoggingTypeConfig { r#type: Expr });
cfn_property!(ClusterLogging { enabled_types: Vec<LoggingTypeConfig> });
cfn_property!(Logging { cluster_logging: ClusterLogging });

cfn_property!(Provider { key_arn: Expr });
cfn_property!(EncryptionConfig { provider: Provider, resources: Vec<Expr> });

cfn_property!(KubernetesNetworkConfig { service_ipv4_cidr: Option<Expr> });

cfn_resource!(CfnCluster = "AWS::EKS::Cluster", tags = List {
    name: Option<Expr>,
    version: Option<Expr>,
    role_arn: Expr,
    resources_vpc_config: ResourcesVpcConfig,
    access_config: Option<AccessConfig>,
    logging: Option<Logging>,
    encryption_config: Vec<EncryptionConfig>,
    kubernetes_network_config: Option<KubernetesNetworkConfig>,
    tags: Vec<Tag>,
});

cfn_property!(ScalingConfig { desired_size: Option<Expr>, min_size: Option<Expr>, max_size: Option<Expr> });
cfn_property!(NodegroupLaunchTemplate { id: Option<Expr>, version: Option<Expr> });

cfn_resource!(CfnNodegroup = "AWS::EKS::Nodegroup", tags = Map {
    cluster_name: Expr,
    node_role: Expr,
    subnets: Vec<Expr>,
    scaling_config: Option<ScalingConfig>,
    version: Option<Expr>,
    instance_types: Vec<Expr>,
    ami_type: Option<Expr>,
    launch_template: Option<NodegroupLaunchTemplate>,
    tags: IndexMap<String, Expr>,
});

cfn_resource!(CfnAddon = "AWS::EKS::Addon", tags = List {
    addon_name: Expr,
    cluster_name: Expr,
    addon_version: Option<Expr>,
    service_account_role_arn: Option<Expr>,
    resolve_conflicts: Option<Expr>,
    tags: Vec<Tag>,
});

cfn_property!(AccessScope { r#type: Expr, namespaces: Vec<Expr> });
cfn_property!(AccessPolicy { policy_arn: Expr, access_scope: AccessScope });

cfn_resource!(CfnAccessEntry = "AWS::EKS::AccessEntry", tags = List {
    cluster_name: Expr,
    principal_arn: Expr,
    r#type: Option<Expr>,
    access_policies: Vec<AccessPolicy>,
    tags: Vec<Tag>,
});
