//! Elastic Load Balancing v2 constructs.

pub mod nlb;

pub use nlb::{NetworkLoadBalancer, NetworkLoadBalancerProps};
