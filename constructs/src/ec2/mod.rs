//! EC2 constructs: VPC, security groups, the management host.

pub mod cidr;
pub mod instance_type;
pub mod launch_template;
pub mod management_host;
pub mod security_group;
pub mod vpc;

pub use management_host::{ManagementHost, ManagementHostProps};
pub use security_group::{Peer, Rule, SecurityGroup, SecurityGroupProps};
pub use vpc::{Vpc, VpcProps, Zones};
