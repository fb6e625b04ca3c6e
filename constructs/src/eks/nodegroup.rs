//! The managed node group.

use indexmap::IndexMap;

use crate::cfn::eks::{CfnNodegroup, NodegroupLaunchTemplate, ScalingConfig};
use crate::core::{Expr, ResourceRef, Scope};
use crate::ec2::launch_template::hardened;
use crate::ec2::{SecurityGroup, SecurityGroupProps};
use crate::iam::{Role, RoleProps};

/// A managed node group.
///
/// Creates the node role (`AmazonEKSWorkerNodePolicy`, `AmazonEC2ContainerRegistryReadOnly`,
/// `AmazonEKS_CNI_Policy`), a node security group for rules of its own (the nodes also keep the cluster security
/// group), a launch template (IMDSv2 required with hop limit 2 so pods can reach it; encrypted gp3 root volume)
/// and the node group on Amazon Linux 2023.
///
/// ```
/// use constructs::core::{App, Environment};
/// use constructs::ec2::{Vpc, VpcProps};
/// use constructs::eks::{Cluster, ClusterProps, Nodegroup, NodegroupProps};
///
/// let mut app = App::new();
/// let stack = app.add_stack("eks", Environment::new(None, "eu-west-1"));
/// let mut scope = stack.scope();
/// let vpc = Vpc::new(&mut scope, "Vpc", VpcProps::default());
/// let cluster = Cluster::new(&mut scope, "Cluster", ClusterProps { subnet_ids: vpc.private_subnet_ids(), ..Default::default() });
/// let nodes = Nodegroup::new(
///     &mut scope,
///     "Nodes",
///     NodegroupProps {
///         cluster_name: cluster.name(),
///         cluster_security_group_id: cluster.cluster_security_group_id(),
///         vpc_id: vpc.vpc_id(),
///         subnet_ids: vpc.private_subnet_ids(),
///         instance_types: vec!["m6i.large".into()],
///         desired: 2,
///         min: 2,
///         max: 4,
///         disk_size_gib: 50,
///         version: Some("1.35".into()),
///     },
/// );
/// let template = &app.synth().unwrap().stacks[0].template;
/// let properties = &template["Resources"][nodes.resource().logical_id()]["Properties"];
/// assert_eq!(properties["ScalingConfig"]["MaxSize"], 4);
/// assert_eq!(properties["Version"], "1.35");
/// ```
pub struct NodegroupProps {
    pub cluster_name: Expr,
    /// Kubernetes version of the nodes: the cluster's, so raising the cluster's version upgrades the nodes in the
    /// same deploy (after the control plane: the group refers to the cluster). `None` lets EKS pick the
    /// cluster's version at creation and never upgrade. Default: `None`.
    pub version: Option<String>,
    pub cluster_security_group_id: Expr,
    pub vpc_id: Expr,
    /// Subnets of the nodes (the private ones).
    pub subnet_ids: Vec<Expr>,
    /// Of one architecture: Graviton types get the arm64 AMI type, others x86_64. Default: `["m5.large"]`.
    pub instance_types: Vec<String>,
    /// Default: 3.
    pub desired: u32,
    /// Default: 3.
    pub min: u32,
    /// Default: 3.
    pub max: u32,
    /// Root volume in GiB. Default: 50.
    pub disk_size_gib: u32,
}

/// The Amazon Linux 2023 AMI type of `instance_types`' architecture (EKS API Reference, CreateNodegroup,
/// `amiType`): `AL2023_ARM_64_STANDARD` when the first is Graviton, else `AL2023_x86_64_STANDARD`.
pub fn ami_type(instance_types: &[String]) -> &'static str {
    match instance_types.first() {
        Some(t) if crate::ec2::instance_type::is_graviton(t) => "AL2023_ARM_64_STANDARD",
        _ => "AL2023_x86_64_STANDARD",
    }
}

/// The node group and its security group.
#[derive(Clone, Debug)]
pub struct Nodegroup {
    resource: ResourceRef,
    security_group: SecurityGroup,
    role: Role,
}

impl Nodegroup {
    pub fn new(scope: &mut Scope, id: &str, props: NodegroupProps) -> Self {
        let mut scope = scope.child(id);
        let mut role_props = RoleProps::service("ec2.amazonaws.com");
        role_props.managed_policies = vec![
            "AmazonEKSWorkerNodePolicy".into(),
            "AmazonEC2ContainerRegistryReadOnly".into(),
            "AmazonEKS_CNI_Policy".into(),
        ];
        role_props.description = Some("EKS worker nodes".into());
        let role = Role::new(&mut scope, "NodeRole", role_props);
        let security_group = SecurityGroup::new(
            &mut scope,
            "SecurityGroup",
            SecurityGroupProps {
                description: "EKS nodes: rules beyond the cluster security group".into(),
                vpc_id: props.vpc_id,
                ingress: Vec::new(),
                egress: Vec::new(),
            },
        );
        let launch_template = hardened(
            &mut scope,
            "LaunchTemplate",
            2,
            props.disk_size_gib,
            vec![props.cluster_security_group_id, security_group.id()],
        );
        let resource = scope.add(
            "Resource",
            CfnNodegroup {
                cluster_name: props.cluster_name,
                node_role: role.arn(),
                subnets: props.subnet_ids,
                scaling_config: Some(ScalingConfig {
                    desired_size: Some(props.desired.into()),
                    min_size: Some(props.min.into()),
                    max_size: Some(props.max.into()),
                }),
                version: props.version.map(Expr::from),
                ami_type: Some(ami_type(&props.instance_types).into()),
                instance_types: props.instance_types.into_iter().map(Expr::from).collect(),
                launch_template: Some(NodegroupLaunchTemplate {
                    id: Some(launch_template.r#ref()),
                    version: Some(launch_template.get_att("LatestVersionNumber")),
                }),
                tags: IndexMap::new(),
            },
        );
        Nodegroup { resource, security_group, role }
    }

    /// The node group's name (`aws eks describe-nodegroup` finds its Auto Scaling group from it).
    pub fn name(&self) -> Expr {
        self.resource.get_att("NodegroupName")
    }

    pub fn security_group(&self) -> &SecurityGroup {
        &self.security_group
    }

    pub fn role(&self) -> &Role {
        &self.role
    }

    pub fn resource(&self) -> &ResourceRef {
        &self.resource
    }
}
