//! EC2 constructs: VPC, security groups, the management host.

pub mod cidr;
