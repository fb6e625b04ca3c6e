//! EKS constructs: cluster, node group, EBS CSI add-on, access entries.

pub mod access_entry;
pub mod cluster;
pub mod ebs_csi;
pub mod nodegroup;

pub use cluster::{Cluster, ClusterProps};
pub use ebs_csi::{EbsCsiDriver, EbsCsiDriverProps};
pub use nodegroup::{Nodegroup, NodegroupProps};
