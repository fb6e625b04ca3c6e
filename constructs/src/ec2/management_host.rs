//! The management host: a private EC2 instance reached through SSM that runs the bootstrap script.

use serde_json::json;

use super::launch_template::hardened;
use super::security_group::{Peer, Rule, SecurityGroup, SecurityGroupProps};
use crate::cfn::ec2::{CfnInstance, LaunchTemplateSpecification};
use crate::cfn::Tag;
use crate::core::{Expr, ResourceRef, Scope};
use crate::iam::{InstanceProfile, Role};

/// Public SSM parameters holding the latest Amazon Linux 2023 AMI per architecture.
pub const AL2023_X86_64: &str = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64";
pub const AL2023_ARM64: &str = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64";

/// A management host.
///
/// Creates a launch template (IMDSv2 required, hop limit 1; encrypted gp3 root volume), an instance of it in a
/// private subnet with no key pair and no public address, its security group (outbound HTTPS and the Karmada
/// API port only), and the image parameter `image_parameter` (type `AWS::EC2::Image::Id`), which `deploy` fills
/// once from the public Amazon Linux 2023 SSM parameter of the instance's architecture and then keeps: an
/// `AWS::SSM::Parameter::Value<...>` parameter would be resolved again on every stack update and replace the
/// host whenever AWS publishes a new image. The instance has a `CreationPolicy`: CloudFormation waits for one
/// `cfn-signal` from the user-data. It is EBS-optimized where its type supports that (see [`ebs_optimized`]).
pub struct ManagementHostProps {
    pub vpc_id: Expr,
    pub subnet_id: Expr,
    /// The role the host runs as; it should carry `AmazonSSMManagedInstanceCore` for Session Manager.
    pub role: Role,
    pub instance_profile: InstanceProfile,
    /// Default: `t3.medium` (an x86_64 AMI; Graviton types such as `t4g.medium` get the arm64 AMI).
    pub instance_type: String,
    /// Root volume size in GiB. Default: 30.
    pub root_volume_gib: u32,
    /// The user-data script: an `Fn::Sub` expression; it is base64-encoded here.
    pub user_data: Expr,
    /// How long CloudFormation waits for the success signal. Default: 60 minutes.
    pub signal_timeout_minutes: u32,
    /// Outbound rules besides HTTPS to anywhere (AWS APIs, EKS, downloads). Default: none.
    pub extra_egress: Vec<Rule>,
    /// Name of the stack parameter holding the image ID. Default: `HostImageId`.
    pub image_parameter: String,
}

/// The instance and its security group.
#[derive(Clone, Debug)]
pub struct ManagementHost {
    instance: ResourceRef,
    security_group: SecurityGroup,
    role: Role,
}

impl ManagementHost {
    pub fn new(scope: &mut Scope, id: &str, props: ManagementHostProps) -> Self {
        let arm = super::instance_type::is_graviton(&props.instance_type);
        let ami = scope.stack_mut().add_parameter_from_ssm(
            &props.image_parameter,
            "AWS::EC2::Image::Id",
            if arm { AL2023_ARM64 } else { AL2023_X86_64 },
            "Amazon Linux 2023 image of the management host",
        );
        let mut scope = scope.child(id);
        let mut egress = vec![Rule::tcp(Peer::Cidr("0.0.0.0/0".into()), 443, "HTTPS: AWS APIs, EKS, downloads")];
        egress.extend(props.extra_egress);
        let security_group = SecurityGroup::new(
            &mut scope,
            "SecurityGroup",
            SecurityGroupProps {
                description: "Karmada management host: no inbound, HTTPS and the Karmada API outbound".into(),
                vpc_id: props.vpc_id,
                ingress: Vec::new(),
                egress,
            },
        );
        let launch_template = hardened(&mut scope, "LaunchTemplate", 1, props.root_volume_gib, Vec::new());
        let instance_type = props.instance_type;
        let instance = scope.add(
            "Instance",
            CfnInstance {
                image_id: ami,
                instance_type: instance_type.as_str().into(),
                subnet_id: Some(props.subnet_id),
                security_group_ids: vec![security_group.id()],
                iam_instance_profile: Some(props.instance_profile.name()),
                launch_template: Some(LaunchTemplateSpecification {
                    launch_template_id: launch_template.r#ref(),
                    version: launch_template.get_att("LatestVersionNumber"),
                }),
                block_device_mappings: Vec::new(),
                ebs_optimized: ebs_optimized(&instance_type),
                monitoring: Some(true),
                user_data: Some(Expr::base64(props.user_data)),
                tags: vec![Tag::new("Name", scope.path().to_string())],
            },
        );
        scope.options(&instance).creation_policy = Some(json!({
            "ResourceSignal": {"Count": 1, "Timeout": format!("PT{}M", props.signal_timeout_minutes)}
        }));
        ManagementHost { instance, security_group, role: props.role }
    }

    pub fn instance_id(&self) -> Expr {
        self.instance.r#ref()
    }

    /// The instance resource (to make it wait for rules it needs, with [`Scope::depends_on`]).
    ///
    /// [`Scope::depends_on`]: crate::core::Scope::depends_on
    pub fn instance(&self) -> &ResourceRef {
        &self.instance
    }

    /// The logical ID of the instance, which `cfn-signal --resource` names.
    pub fn instance_logical_id(&self) -> &str {
        self.instance.logical_id()
    }

    pub fn security_group(&self) -> &SecurityGroup {
        &self.security_group
    }

    pub fn role(&self) -> &Role {
        &self.role
    }
}

/// `EbsOptimized` for `instance_type`: `Some(true)` where the type supports EBS optimization (every current
/// generation type; most are EBS-optimized by default, and saying so changes nothing), `None` (left out) where it
/// does not: launching such a type with `EbsOptimized: true` fails with "EBS-optimized instances are not
/// supported for your requested configuration". The unsupported types are the previous-generation ones missing
/// from the EC2 User Guide's "Amazon EBS-optimized instance types" tables (`EbsInfo.EbsOptimizedSupport` is
/// `unsupported` for them in `DescribeInstanceTypes`): all of `t1`, `t2`, `cc2`, `cr1` and `hi1`, and the sizes
/// listed in `UNSUPPORTED_SIZES`.
pub fn ebs_optimized(instance_type: &str) -> Option<bool> {
    const UNSUPPORTED_FAMILIES: [&str; 5] = ["t1", "t2", "cc2", "cr1", "hi1"];
    const UNSUPPORTED_SIZES: [&str; 12] = [
        "m1.small",
        "m1.medium",
        "m2.xlarge",
        "m3.medium",
        "m3.large",
        "c1.medium",
        "c3.large",
        "c3.8xlarge",
        "r3.large",
        "r3.8xlarge",
        "i2.8xlarge",
        "g2.8xlarge",
    ];
    let family = instance_type.split('.').next().unwrap_or_default();
    let unsupported = UNSUPPORTED_FAMILIES.contains(&family) || UNSUPPORTED_SIZES.contains(&instance_type);
    (!unsupported).then_some(true)
}

#[cfg(test)]
mod tests {
    use super::ebs_optimized;

    #[test]
    fn ebs_optimization_only_where_the_type_supports_it() {
        for t in ["t3.medium", "t3a.large", "m5.large", "t4g.medium", "c6i.xlarge", "m4.large", "m3.xlarge", "m1.large"]
        {
            assert_eq!(ebs_optimized(t), Some(true), "{t}");
        }
        for t in ["t2.medium", "t2.micro", "t1.micro", "m1.small", "m3.medium", "c3.large", "c3.8xlarge"] {
            assert_eq!(ebs_optimized(t), None, "{t}");
        }
    }
}
