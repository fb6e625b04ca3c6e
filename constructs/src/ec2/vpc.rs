//! The VPC: public and private subnets over several zones, internet and NAT gateways, flow logs.

use super::cidr::Ipv4Cidr;
use crate::cfn::ec2::{
    CfnEip, CfnFlowLog, CfnInternetGateway, CfnNatGateway, CfnRoute, CfnRouteTable, CfnSubnet,
    CfnSubnetRouteTableAssociation, CfnVpc, CfnVpcGatewayAttachment,
};
use crate::cfn::Tag;
use crate::core::{Expr, ResourceRef, Scope};
use crate::iam::policy::{allow, document};
use crate::iam::{Role, RoleProps};
use crate::logs::{EncryptedLogGroup, EncryptedLogGroupProps};

/// Which availability zones the VPC spans.
#[derive(Clone, Debug, PartialEq)]
pub enum Zones {
    /// The first N zones of the stack's region (`Fn::Select` over `Fn::GetAZs`).
    Count(u8),
    /// Zones by name.
    Named(Vec<String>),
}

/// A VPC with one public and one private subnet per zone.
///
/// Addressing: the VPC block is cut in eight; private subnet *i* is the *i*-th eighth (a /19 of a /16, for
/// pods on the VPC CNI), public subnet *i* is the *i*-th /22-equivalent of the last eighth.
///
/// ```
/// use constructs::core::{App, Environment};
/// use constructs::ec2::{Vpc, VpcProps, Zones};
///
/// let mut app = App::new();
/// let stack = app.add_stack("net", Environment::new(None, "eu-west-1"));
/// let props = VpcProps { zones: Zones::Count(2), nat_gateways: 2, ..Default::default() };
/// let vpc = Vpc::new(&mut stack.scope(), "Vpc", props);
/// assert_eq!(vpc.private_subnet_ids().len(), 2);
/// assert_eq!(vpc.cidr().to_string(), "10.0.0.0/16");
/// ```
pub struct VpcProps {
    /// CIDR of the whole VPC. Default: `10.0.0.0/16`.
    pub cidr: Ipv4Cidr,
    /// Zones with one public and one private subnet each. Default: 3 (`Fn::GetAZs`).
    pub zones: Zones,
    /// NAT gateways (with an EIP each) in the first public subnets; private subnets use them round-robin.
    /// Fewer gateways save money but make private subnets of other zones depend on one zone. Default: 1.
    pub nat_gateways: u8,
    /// EKS clusters that use the subnets: each gets `kubernetes.io/cluster/<name>: shared`. Default: none.
    pub cluster_names: Vec<String>,
    /// Days of VPC flow logs (all traffic) kept in CloudWatch Logs; `None` turns flow logs off. The log group is
    /// encrypted with its own customer-managed KMS key (rotated yearly; about 1 USD a month). Default: 365.
    pub flow_log_retention_days: Option<u32>,
}

/// The VPC's CIDR block when none is given.
pub const DEFAULT_CIDR: &str = "10.0.0.0/16";

impl Default for VpcProps {
    fn default() -> Self {
        VpcProps {
            cidr: DEFAULT_CIDR.parse().expect("literal CIDR"),
            zones: Zones::Count(3),
            nat_gateways: 1,
            cluster_names: Vec::new(),
            flow_log_retention_days: Some(365),
        }
    }
}

/// The subnets, gateways and their attributes.
#[derive(Clone, Debug)]
pub struct Vpc {
    vpc: ResourceRef,
    cidr: Ipv4Cidr,
    public_subnets: Vec<ResourceRef>,
    private_subnets: Vec<ResourceRef>,
    nat_eips: Vec<ResourceRef>,
}

impl Vpc {
    pub fn new(scope: &mut Scope, id: &str, props: VpcProps) -> Self {
        let mut scope = scope.child(id);
        let zone_count = match &props.zones {
            Zones::Count(n) => usize::from(*n),
            Zones::Named(z) => z.len(),
        };
        let zone = |i: usize| match &props.zones {
            Zones::Count(_) => Expr::select(i, Expr::get_azs()),
            Zones::Named(z) => Expr::lit(z[i].as_str()),
        };
        let cluster_tags: Vec<Tag> =
            props.cluster_names.iter().map(|c| Tag::new(format!("kubernetes.io/cluster/{c}"), "shared")).collect();
        let vpc = scope.add(
            "Resource",
            CfnVpc {
                cidr_block: props.cidr.to_string().into(),
                enable_dns_hostnames: Some(true),
                enable_dns_support: Some(true),
                tags: vec![Tag::new("Name", scope.path().to_string())],
            },
        );
        let igw = scope.add("InternetGateway", CfnInternetGateway { tags: Vec::new() });
        let attachment = scope.add(
            "InternetGatewayAttachment",
            CfnVpcGatewayAttachment { vpc_id: vpc.r#ref(), internet_gateway_id: igw.r#ref() },
        );

        let eighth = props.cidr.prefix() + 3;
        let public_block = props.cidr.subnet(eighth, 7).expect("validated prefix");
        let mut public_subnets = Vec::new();
        let mut nat_eips = Vec::new();
        let mut nat_gateways = Vec::new();
        for i in 0..zone_count {
            let mut s = scope.child(&format!("PublicSubnet{}", i + 1));
            let cidr = public_block.subnet(eighth + 3, i as u32).expect("at most 8 zones");
            let (subnet, table) = subnet(&mut s, &vpc, cidr, zone(i), true, &cluster_tags);
            let route = default_route(&mut s, &table, Some(igw.r#ref()), None);
            s.depends_on(&route, &attachment);
            if i < usize::from(props.nat_gateways) {
                let eip = s
                    .add("NatEip", CfnEip { domain: "vpc".into(), tags: vec![Tag::new("Name", s.path().to_string())] });
                s.depends_on(&eip, &attachment);
                let nat = s.add(
                    "NatGateway",
                    CfnNatGateway {
                        allocation_id: eip.get_att("AllocationId"),
                        subnet_id: subnet.r#ref(),
                        tags: vec![Tag::new("Name", s.path().to_string())],
                    },
                );
                nat_eips.push(eip);
                nat_gateways.push(nat);
            }
            public_subnets.push(subnet);
        }

        let mut private_subnets = Vec::new();
        for i in 0..zone_count {
            let mut s = scope.child(&format!("PrivateSubnet{}", i + 1));
            let cidr = props.cidr.subnet(eighth, i as u32).expect("at most 7 private zones");
            let (subnet, table) = subnet(&mut s, &vpc, cidr, zone(i), false, &cluster_tags);
            if let Some(nat) = nat_gateways.get(i % nat_gateways.len().max(1)) {
                default_route(&mut s, &table, None, Some(nat.r#ref()));
            }
            private_subnets.push(subnet);
        }

        if let Some(days) = props.flow_log_retention_days {
            flow_log(&mut scope.child("FlowLog"), &vpc, days);
        }
        Vpc { vpc, cidr: props.cidr, public_subnets, private_subnets, nat_eips }
    }

    pub fn vpc_id(&self) -> Expr {
        self.vpc.r#ref()
    }

    pub fn cidr(&self) -> Ipv4Cidr {
        self.cidr
    }

    pub fn public_subnet_ids(&self) -> Vec<Expr> {
        self.public_subnets.iter().map(ResourceRef::r#ref).collect()
    }

    pub fn private_subnet_ids(&self) -> Vec<Expr> {
        self.private_subnets.iter().map(ResourceRef::r#ref).collect()
    }

    /// Public addresses of the NAT gateways: where traffic from the private subnets appears to come from.
    pub fn nat_public_ips(&self) -> Vec<Expr> {
        self.nat_eips.iter().map(|e| e.get_att("PublicIp")).collect()
    }
}

/// A subnet with its own route table. Public subnets map public addresses and carry the tag for internet-facing
/// load balancers; private ones the tag for internal load balancers.
fn subnet(
    scope: &mut Scope,
    vpc: &ResourceRef,
    cidr: Ipv4Cidr,
    zone: Expr,
    public: bool,
    cluster_tags: &[Tag],
) -> (ResourceRef, ResourceRef) {
    let role = if public { "kubernetes.io/role/elb" } else { "kubernetes.io/role/internal-elb" };
    let mut tags = vec![Tag::new("Name", scope.path().to_string()), Tag::new(role, "1")];
    tags.extend(cluster_tags.iter().cloned());
    let subnet = scope.add(
        "Subnet",
        CfnSubnet {
            vpc_id: vpc.r#ref(),
            cidr_block: cidr.to_string().into(),
            availability_zone: zone,
            map_public_ip_on_launch: Some(public),
            tags,
        },
    );
    let table = scope.add(
        "RouteTable",
        CfnRouteTable { vpc_id: vpc.r#ref(), tags: vec![Tag::new("Name", scope.path().to_string())] },
    );
    scope.add(
        "RouteTableAssociation",
        CfnSubnetRouteTableAssociation { subnet_id: subnet.r#ref(), route_table_id: table.r#ref() },
    );
    (subnet, table)
}

/// `0.0.0.0/0` through an internet gateway or a NAT gateway.
fn default_route(
    scope: &mut Scope,
    table: &ResourceRef,
    gateway_id: Option<Expr>,
    nat_gateway_id: Option<Expr>,
) -> ResourceRef {
    scope.add(
        "DefaultRoute",
        CfnRoute {
            route_table_id: table.r#ref(),
            destination_cidr_block: "0.0.0.0/0".into(),
            gateway_id,
            nat_gateway_id,
        },
    )
}

/// Flow logs of all traffic into a CloudWatch log group with the given retention, encrypted with a KMS key whose
/// policy lets CloudWatch Logs of this region use it for this account's log groups only.
fn flow_log(scope: &mut Scope, vpc: &ResourceRef, retention_days: u32) {
    let group = EncryptedLogGroup::new(
        scope,
        EncryptedLogGroupProps { name: None, retention_days, key_description: "Encrypts the VPC flow logs".into() },
    );
    let mut role_props = RoleProps::service("vpc-flow-logs.amazonaws.com");
    role_props.description = Some("Lets VPC flow logs write to their log group".into());
    role_props.inline_policies = vec![(
        "WriteFlowLogs".into(),
        document(vec![allow(
            &["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
            vec![group.arn()],
        )]),
    )];
    let role = Role::new(scope, "Role", role_props);
    scope.add(
        "Resource",
        CfnFlowLog {
            resource_id: vpc.r#ref(),
            resource_type: "VPC".into(),
            traffic_type: "ALL".into(),
            log_destination_type: "cloud-watch-logs".into(),
            log_group_name: Some(group.name()),
            deliver_logs_permission_arn: Some(role.arn()),
            tags: Vec::new(),
        },
    );
}
