//! Security groups and their rules as values.

use crate::cfn::ec2::{CfnSecurityGroup, CfnSecurityGroupIngress, Egress, Ingress};
use crate::core::{Expr, ResourceRef, Scope};

/// Where traffic comes from or goes to.
#[derive(Clone, Debug, PartialEq)]
pub enum Peer {
    Cidr(Expr),
    SecurityGroup(Expr),
}

/// One rule: a TCP port (or all traffic) to or from a peer.
#[derive(Clone, Debug, PartialEq)]
pub struct Rule {
    pub peer: Peer,
    /// A TCP port; `None` means all protocols and ports.
    pub tcp_port: Option<u16>,
    pub description: String,
}

impl Rule {
    pub fn tcp(peer: Peer, port: u16, description: impl Into<String>) -> Self {
        Rule { peer, tcp_port: Some(port), description: description.into() }
    }

    fn protocol_and_ports(&self) -> (Expr, Option<Expr>, Option<Expr>) {
        match self.tcp_port {
            Some(p) => ("tcp".into(), Some(u32::from(p).into()), Some(u32::from(p).into())),
            None => ("-1".into(), None, None),
        }
    }
}

/// A security group. Props: description, VPC, ingress and egress rules. Default egress: none listed means
/// CloudFormation's default (all outbound); list rules to restrict it.
pub struct SecurityGroupProps {
    pub description: String,
    pub vpc_id: Expr,
    pub ingress: Vec<Rule>,
    pub egress: Vec<Rule>,
}

/// An `AWS::EC2::SecurityGroup`.
#[derive(Clone, Debug)]
pub struct SecurityGroup {
    resource: ResourceRef,
}

impl SecurityGroup {
    pub fn new(scope: &mut Scope, id: &str, props: SecurityGroupProps) -> Self {
        let ingress = props
            .ingress
            .iter()
            .map(|r| {
                let (ip_protocol, from_port, to_port) = r.protocol_and_ports();
                let (cidr_ip, source_security_group_id) = split_peer(&r.peer);
                Ingress {
                    ip_protocol,
                    from_port,
                    to_port,
                    cidr_ip,
                    source_security_group_id,
                    description: Some(r.description.clone().into()),
                }
            })
            .collect();
        let egress = props
            .egress
            .iter()
            .map(|r| {
                let (ip_protocol, from_port, to_port) = r.protocol_and_ports();
                let (cidr_ip, destination_security_group_id) = split_peer(&r.peer);
                Egress {
                    ip_protocol,
                    from_port,
                    to_port,
                    cidr_ip,
                    destination_security_group_id,
                    description: Some(r.description.clone().into()),
                }
            })
            .collect();
        let resource = scope.add(
            id,
            CfnSecurityGroup {
                group_description: props.description.into(),
                vpc_id: props.vpc_id,
                security_group_ingress: ingress,
                security_group_egress: egress,
                tags: Vec::new(),
            },
        );
        SecurityGroup { resource }
    }

    pub fn id(&self) -> Expr {
        self.resource.get_att("GroupId")
    }

    /// Adds an ingress rule as its own resource in `scope`, which may be in another stack (the rule then lives
    /// with the stack that knows the peer, avoiding a reference cycle).
    pub fn add_ingress(&self, scope: &mut Scope, id: &str, rule: Rule) -> ResourceRef {
        add_ingress(scope, id, self.id(), rule)
    }
}

/// An `AWS::EC2::SecurityGroupIngress` on the group `group_id`.
pub fn add_ingress(scope: &mut Scope, id: &str, group_id: Expr, rule: Rule) -> ResourceRef {
    let (ip_protocol, from_port, to_port) = rule.protocol_and_ports();
    let (cidr_ip, source_security_group_id) = split_peer(&rule.peer);
    scope.add(
        id,
        CfnSecurityGroupIngress {
            group_id,
            ip_protocol,
            from_port,
            to_port,
            cidr_ip,
            source_security_group_id,
            description: Some(rule.description.into()),
        },
    )
}

fn split_peer(peer: &Peer) -> (Option<Expr>, Option<Expr>) {
    match peer {
        Peer::Cidr(c) => (Some(c.clone()), None),
        Peer::SecurityGroup(g) => (None, Some(g.clone())),
    }
}
