//! `AWS::ElasticLoadBalancingV2::*` resource properties.

use super::{cfn_property, cfn_resource, Tag};
use crate::core::Expr;

cfn_property!(SubnetMapping { subnet_id: Expr, allocation_id: Option<Expr> });
cfn_property!(Attribute { key: Expr, value: Expr });

cfn_resource!(CfnLoadBalancer = "AWS::ElasticLoadBalancingV2::LoadBalancer", tags = List {
    r#type: Option<Expr>,
    scheme: Option<Expr>,
    subnet_mappings: Vec<SubnetMapping>,
    security_groups: Vec<Expr>,
    load_balancer_attributes: Vec<Attribute>,
    tags: Vec<Tag>,
});

cfn_resource!(CfnTargetGroup = "AWS::ElasticLoadBalancingV2::TargetGroup", tags = List {
    port: Option<Expr>,
    protocol: Option<Expr>,
    vpc_id: Option<Expr>,
    target_type: Option<Expr>,
    health_check_protocol: Option<Expr>,
    health_check_port: Option<Expr>,
    health_check_interval_seconds: Option<Expr>,
    healthy_threshold_count: Option<Expr>,
    unhealthy_threshold_count: Option<Expr>,
    target_group_attributes: Vec<Attribute>,
    tags: Vec<Tag>,
});

cfn_property!(Action { r#type: Expr, target_group_arn: Option<Expr> });

cfn_resource!(CfnListener = "AWS::ElasticLoadBalancingV2::Listener", tags = None {
    load_balancer_arn: Expr,
    port: Option<Expr>,
    protocol: Option<Expr>,
    default_actions: Vec<Action>,
});
