//! The management host: a private EC2 instance reached through SSM that runs the bootstrap script.

use serde_json::json;

use super::launch_template::hardened;
use super::security_group::{Peer, Rule, SecurityGroup, SecurityGroupProps};
use crate::cfn::ec2::{CfnInstance, LaunchTemplateSpecification};
use crate::cfn::Tag;
use crate::core::{Expr, Parameter, ResourceRef, Scope};
use crate::iam::{InstanceProfile, Role};

/// Public SSM parameters holding the latest Amazon Linux 2023 AMI per architecture.
const AL2023_X86_64: &str = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64";
const AL2023_ARM64: &str = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64";

/// A management host.
///
/// Creates a launch template (IMDSv2 required, hop limit 1; encrypted gp3 root volume), an instance of it in a
/// private subnet with no key pair and no public address, its security group (outbound HTTPS and the Karmada
/// API port only), and a template parameter resolving the Amazon Linux 2023 AMI from the public SSM parameter.
/// The instance has a `CreationPolicy`: CloudFormation waits for one `cfn-signal` from the user-data.
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
        let arm = is_graviton(&props.instance_type);
        let ami = scope.stack_mut().add_parameter(
            "ManagementHostAmi",
            Parameter {
                type_name: "AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>".into(),
                default: Some(json!(if arm { AL2023_ARM64 } else { AL2023_X86_64 })),
                description: Some("Amazon Linux 2023 AMI of the management host (public SSM parameter)".into()),
                no_echo: None,
            },
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
        let instance = scope.add(
            "Instance",
            CfnInstance {
                image_id: ami,
                instance_type: props.instance_type.into(),
                subnet_id: Some(props.subnet_id),
                security_group_ids: vec![security_group.id()],
                iam_instance_profile: Some(props.instance_profile.name()),
                launch_template: Some(LaunchTemplateSpecification {
                    launch_template_id: launch_template.r#ref(),
                    version: launch_template.get_att("LatestVersionNumber"),
                }),
                block_device_mappings: Vec::new(),
                ebs_optimized: Some(true),
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

/// Graviton families have a `g` right after the generation digit (`t4g`, `m7g`, `c6gn`).
fn is_graviton(instance_type: &str) -> bool {
    let family = instance_type.split('.').next().unwrap_or_default();
    let digits_end = family
        .find(|c: char| c.is_ascii_digit())
        .and_then(|start| family[start..].find(|c: char| !c.is_ascii_digit()).map(|n| start + n));
    digits_end.is_some_and(|i| family[i..].starts_with('g'))
}

#[cfg(test)]
mod tests {
    use super::is_graviton;

    #[test]
    fn graviton_families() {
        for t in ["t4g.medium", "m7g.large", "c6gn.xlarge"] {
            assert!(is_graviton(t), "{t}");
        }
        for t in ["t3.medium", "m5.large", "g5.xlarge", "m6i.large"] {
            assert!(!is_graviton(t), "{t}");
        }
    }
}
