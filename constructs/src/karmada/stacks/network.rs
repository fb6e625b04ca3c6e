//! `<app>-network`: the VPC with public and private subnets over the configured zones, the internet gateway, the
//! NAT gateways and the flow logs.

use super::stack_tags::tag;
use crate::core::{App, Environment};
use crate::ec2::{Vpc, VpcProps, Zones};
use crate::karmada::config::Config;
use crate::karmada::wellknown::{Part, StackNames};

/// Adds the network stack; returns its VPC, which the cluster and management stacks are placed in.
pub fn network_stack(app: &mut App, config: &Config, names: &StackNames, env: &Environment) -> Vpc {
    let network = app.add_stack(&names.network, env.clone());
    network.set_description("karmada-eks: VPC with public and private subnets, internet and NAT gateways");
    tag(network, config, Part::Network);
    let zones = if config.network.availability_zones.is_empty() {
        Zones::Count(config.network.az_count)
    } else {
        Zones::Named(config.network.availability_zones.clone())
    };
    let vpc = Vpc::new(
        &mut network.scope(),
        "Vpc",
        VpcProps {
            cidr: config.vpc_cidr(),
            zones,
            nat_gateways: config.network.nat_gateways,
            cluster_names: vec![config.parent.name.clone()],
            flow_log_retention_days: Some(config.network.flow_log_retention_days),
        },
    );
    vpc
}
