//! A Network Load Balancer forwarding one TCP port to a node port of the cluster's nodes.

use crate::cfn::ec2::CfnEip;
use crate::cfn::elbv2::{Action, Attribute, CfnListener, CfnLoadBalancer, CfnTargetGroup, SubnetMapping};
use crate::cfn::Tag;
use crate::core::{Expr, ResourceRef, Scope};
use crate::ec2::{Peer, Rule, SecurityGroup, SecurityGroupProps};

/// A Network Load Balancer in front of a TCP service.
///
/// Creates a security group (the port from `allowed_cidrs` only; out to the VPC on the port), one Elastic IP
/// per subnet when internet-facing (static addresses for certificates and allow-lists, attached through
/// `SubnetMappings`), the load balancer (cross-zone on), a TCP target group of instances on the same port with
/// a TCP health check and client-IP preservation off (targets see the NLB, so their security group can allow
/// the NLB's group), and a TCP listener. TCP passes TLS through: the Karmada API authenticates clients by
/// certificate.
pub struct NetworkLoadBalancerProps {
    pub vpc_id: Expr,
    pub vpc_cidr: String,
    /// One subnet per zone: the public ones when internet-facing, else the private ones.
    pub subnet_ids: Vec<Expr>,
    /// Default: false (internet-facing).
    pub internal: bool,
    /// Listener and target port. Default: 32443 (Karmada's API NodePort).
    pub port: u16,
    /// Who may connect. Required: there is no open default.
    pub allowed_cidrs: Vec<Expr>,
}

/// The load balancer and its attributes.
#[derive(Clone, Debug)]
pub struct NetworkLoadBalancer {
    load_balancer: ResourceRef,
    target_group: ResourceRef,
    security_group: SecurityGroup,
    eips: Vec<ResourceRef>,
}

impl NetworkLoadBalancer {
    pub fn new(scope: &mut Scope, id: &str, props: NetworkLoadBalancerProps) -> Self {
        let mut scope = scope.child(id);
        let port = props.port;
        let ingress = props
            .allowed_cidrs
            .into_iter()
            .map(|cidr| Rule::tcp(Peer::Cidr(cidr), port, format!("Karmada API clients on TCP {port}")))
            .collect();
        let security_group = SecurityGroup::new(
            &mut scope,
            "SecurityGroup",
            SecurityGroupProps {
                description: format!("Karmada API NLB: TCP {port} from allowed networks"),
                vpc_id: props.vpc_id.clone(),
                ingress,
                egress: vec![Rule::tcp(Peer::Cidr(props.vpc_cidr.into()), port, format!("To the nodes on TCP {port}"))],
            },
        );
        let mut eips = Vec::new();
        let mut mappings = Vec::new();
        for (i, subnet) in props.subnet_ids.into_iter().enumerate() {
            let allocation_id = if props.internal {
                None
            } else {
                let name = format!("Eip{}", i + 1);
                let eip = scope.add(
                    &name,
                    CfnEip { domain: "vpc".into(), tags: vec![Tag::new("Name", format!("{}/{name}", scope.path()))] },
                );
                let allocation = eip.get_att("AllocationId");
                eips.push(eip);
                Some(allocation)
            };
            mappings.push(SubnetMapping { subnet_id: subnet, allocation_id });
        }
        let load_balancer = scope.add(
            "Resource",
            CfnLoadBalancer {
                r#type: Some("network".into()),
                scheme: Some(if props.internal { "internal" } else { "internet-facing" }.into()),
                subnet_mappings: mappings,
                security_groups: vec![security_group.id()],
                load_balancer_attributes: vec![Attribute {
                    key: "load_balancing.cross_zone.enabled".into(),
                    value: "true".into(),
                }],
                tags: Vec::new(),
            },
        );
        let target_group = scope.add(
            "TargetGroup",
            CfnTargetGroup {
                port: Some(u32::from(port).into()),
                protocol: Some("TCP".into()),
                vpc_id: Some(props.vpc_id),
                target_type: Some("instance".into()),
                health_check_protocol: Some("TCP".into()),
                health_check_port: Some("traffic-port".into()),
                health_check_interval_seconds: Some(10u32.into()),
                healthy_threshold_count: Some(3u32.into()),
                unhealthy_threshold_count: Some(3u32.into()),
                target_group_attributes: vec![
                    Attribute { key: "preserve_client_ip.enabled".into(), value: "false".into() },
                    Attribute { key: "deregistration_delay.timeout_seconds".into(), value: "30".into() },
                ],
                tags: Vec::new(),
            },
        );
        scope.add(
            "Listener",
            CfnListener {
                load_balancer_arn: load_balancer.r#ref(),
                port: Some(u32::from(port).into()),
                protocol: Some("TCP".into()),
                default_actions: vec![Action {
                    r#type: "forward".into(),
                    target_group_arn: Some(target_group.r#ref()),
                }],
            },
        );
        NetworkLoadBalancer { load_balancer, target_group, security_group, eips }
    }

    pub fn arn(&self) -> Expr {
        self.load_balancer.r#ref()
    }

    pub fn dns_name(&self) -> Expr {
        self.load_balancer.get_att("DNSName")
    }

    pub fn target_group_arn(&self) -> Expr {
        self.target_group.r#ref()
    }

    pub fn security_group(&self) -> &SecurityGroup {
        &self.security_group
    }

    /// The static public addresses (empty for an internal NLB).
    pub fn public_ips(&self) -> Vec<Expr> {
        self.eips.iter().map(|e| e.get_att("PublicIp")).collect()
    }
}
