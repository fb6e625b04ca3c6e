//! EKS constructs: cluster, node group, EBS CSI add-on, access entries; the dated table of EKS's versions.

pub mod access_entry;
pub mod cluster;
pub mod ebs_csi;
pub mod nodegroup;
pub mod versions;

pub use cluster::{Cluster, ClusterProps};
pub use ebs_csi::{EbsCsiDriver, EbsCsiDriverProps};
pub use nodegroup::{Nodegroup, NodegroupProps};
