//! `AWS::EC2::*` resource properties.

use super::{cfn_property, cfn_resource, Tag};
use crate::core::Expr;

cfn_resource!(CfnVpc = "AWS::EC2::VPC", tags = List {
    cidr_block: Expr,
    enable_dns_hostnames: Option<bool>,
    enable_dns_support: Option<bool>,
    tags: Vec<Tag>,
});

cfn_resource!(CfnSubnet = "AWS::EC2::Subnet", tags = List {
    vpc_id: Expr,
    cidr_block: Expr,
    availability_zone: Expr,
    map_public_ip_on_launch: Option<bool>,
    tags: Vec<Tag>,
});

cfn_resource!(CfnInternetGateway = "AWS::EC2::InternetGateway", tags = List { tags: Vec<Tag> });

cfn_resource!(
    CfnVpcGatewayAttachment = "AWS::EC2::VPCGatewayAttachment",
    tags = None { vpc_id: Expr, internet_gateway_id: Expr }
);

cfn_resource!(CfnEip = "AWS::EC2::EIP", tags = List { domain: Expr, tags: Vec<Tag> });

cfn_resource!(CfnNatGateway = "AWS::EC2::NatGateway", tags = List {
    allocation_id: Expr,
    subnet_id: Expr,
    tags: Vec<Tag>,
});

cfn_resource!(CfnRouteTable = "AWS::EC2::RouteTable", tags = List { vpc_id: Expr, tags: Vec<Tag> });

cfn_resource!(CfnRoute = "AWS::EC2::Route", tags = None {
    route_table_id: Expr,
    destination_cidr_block: Expr,
    gateway_id: Option<Expr>,
    nat_gateway_id: Option<Expr>,
});

cfn_resource!(
    CfnSubnetRouteTableAssociation = "AWS::EC2::SubnetRouteTableAssociation",
    tags = None { subnet_id: Expr, route_table_id: Expr }
);

cfn_property!(
    /// An inline ingress rule of `AWS::EC2::SecurityGroup`.
    Ingress {
        ip_protocol: Expr,
        from_port: Option<Expr>,
        to_port: Option<Expr>,
        cidr_ip: Option<Expr>,
        source_security_group_id: Option<Expr>,
        description: Option<Expr>,
    }
);

cfn_property!(
    /// An inline egress rule of `AWS::EC2::SecurityGroup`.
    Egress {
        ip_protocol: Expr,
        from_port: Option<Expr>,
        to_port: Option<Expr>,
        cidr_ip: Option<Expr>,
        destination_security_group_id: Option<Expr>,
        description: Option<Expr>,
    }
);

cfn_resource!(CfnSecurityGroup = "AWS::EC2::SecurityGroup", tags = List {
    group_description: Expr,
    vpc_id: Expr,
    security_group_ingress: Vec<Ingress>,
    security_group_egress: Vec<Egress>,
    tags: Vec<Tag>,
});

cfn_resource!(CfnSecurityGroupIngress = "AWS::EC2::SecurityGroupIngress", tags = None {
    group_id: Expr,
    ip_protocol: Expr,
    from_port: Option<Expr>,
    to_port: Option<Expr>,
    cidr_ip: Option<Expr>,
    source_security_group_id: Option<Expr>,
    description: Option<Expr>,
});

cfn_resource!(CfnSecurityGroupEgress = "AWS::EC2::SecurityGroupEgress", tags = None {
    group_id: Expr,
    ip_protocol: Expr,
    from_port: Option<Expr>,
    to_port: Option<Expr>,
    cidr_ip: Option<Expr>,
    destination_security_group_id: Option<Expr>,
    description: Option<Expr>,
});

cfn_property!(MetadataOptions {
    http_endpoint: Option<Expr>,
    http_tokens: Option<Expr>,
    http_put_response_hop_limit: Option<Expr>,
});

cfn_property!(Ebs {
    volume_size: Option<Expr>,
    volume_type: Option<Expr>,
    encrypted: Option<bool>,
    delete_on_termination: Option<bool>,
});

cfn_property!(BlockDeviceMapping { device_name: Expr, ebs: Option<Ebs> });

cfn_property!(TagSpecification { resource_type: Expr, tags: Vec<Tag> });

cfn_property!(LaunchTemplateData {
    metadata_options: Option<MetadataOptions>,
    block_device_mappings: Vec<BlockDeviceMapping>,
    security_group_ids: Vec<Expr>,
    tag_specifications: Vec<TagSpecification>,
});

cfn_resource!(CfnLaunchTemplate = "AWS::EC2::LaunchTemplate", tags = None { launch_template_data: LaunchTemplateData });

cfn_property!(LaunchTemplateSpecification { launch_template_id: Expr, version: Expr });

cfn_resource!(CfnInstance = "AWS::EC2::Instance", tags = List {
    image_id: Expr,
    instance_type: Expr,
    subnet_id: Option<Expr>,
    security_group_ids: Vec<Expr>,
    iam_instance_profile: Option<Expr>,
    launch_template: Option<LaunchTemplateSpecification>,
    block_device_mappings: Vec<BlockDeviceMapping>,
    ebs_optimized: Option<bool>,
    monitoring: Option<bool>,
    user_data: Option<Expr>,
    tags: Vec<Tag>,
});

cfn_resource!(CfnFlowLog = "AWS::EC2::FlowLog", tags = List {
    resource_id: Expr,
    resource_type: Expr,
    traffic_type: Expr,
    log_destination_type: Expr,
    log_group_name: Option<Expr>,
    deliver_logs_permission_arn: Option<Expr>,
    tags: Vec<Tag>,
});

/// The default security-group egress rule: all traffic to anywhere.
pub fn allow_all_egress() -> Egress {
    Egress {
        ip_protocol: "-1".into(),
        cidr_ip: Some("0.0.0.0/0".into()),
        description: Some("Allow all outbound traffic".into()),
        ..Default::default()
    }
}
