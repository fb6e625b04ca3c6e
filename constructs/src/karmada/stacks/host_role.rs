//! The management host's IAM role: exactly what the bootstrap, the reconcile and the SSM agent call.

use serde_json::{json, Value};

use super::scale::MAX_ROLE_INLINE_POLICY_CHARS;
use crate::core::size;
use crate::core::Expr;
use crate::elbv2::NetworkLoadBalancer;
use crate::iam::policy::{allow, document};
use crate::iam::RoleProps;
use crate::karmada::config::{Config, Member};
use crate::karmada::wellknown::{self, StackNames};
use crate::s3::PrivateBucket;
use crate::secretsmanager::WriterOnlySecret;

/// Characters of member cluster ARNs the host's role lists one by one (about 60 members); past it the role names
/// one ARN pattern per member region, so the cluster stack, which holds the role, stays under 51,200 bytes.
pub const MEMBER_ARNS_BUDGET_CHARS: usize = 4_096;

/// What a reference resolved at deploy time (the KMS key's ARN) counts as when sizing the policy: an ARN's
/// length with room to spare.
const POLICY_REFERENCE_CHARS: usize = 128;

/// What the host's role may use besides its own statements.
struct HostResources<'a> {
    names: &'a StackNames,
    nlb: &'a NetworkLoadBalancer,
    secret: &'a WriterOnlySecret,
    backup: &'a PrivateBucket,
}

/// The management host's role: exactly what the host calls (docs/lifecycle.md, "What the host calls"), plus
/// what the SSM agent needs for Session Manager and Run Command.
///
/// `eks:DescribeCluster` names the parent and every member cluster while that keeps the role's inline policy
/// within IAM's 10,240 characters and the member ARNs within [`MEMBER_ARNS_BUDGET_CHARS`] (the cluster stack must
/// stay under the 51,200 bytes CloudFormation accepts inline); a larger fleet gets one ARN per member region
/// instead, with the cluster names' common prefix (`cluster/<prefix>*`, or `cluster/*` when they share none).
pub fn management_role(
    config: &Config,
    names: &StackNames,
    nlb: &NetworkLoadBalancer,
    secret: &WriterOnlySecret,
    backup: &PrivateBucket,
) -> RoleProps {
    let members = config.members();
    let host = HostResources { names, nlb, secret, backup };
    let explicit = member_cluster_arns(&members, false);
    let explicit_chars: usize = explicit.iter().map(String::len).sum();
    let mut props = management_role_props(config, &host, explicit);
    if inline_policy_chars(&props) > MAX_ROLE_INLINE_POLICY_CHARS || explicit_chars > MEMBER_ARNS_BUDGET_CHARS {
        props = management_role_props(config, &host, member_cluster_arns(&members, true));
    }
    props
}

/// Upper bound of the characters IAM counts for the role's inline policies once CloudFormation resolves them.
pub fn inline_policy_chars(props: &RoleProps) -> usize {
    props
        .inline_policies
        .iter()
        .map(|(name, doc)| name.len() + size::resolved_json_len_bound(doc, POLICY_REFERENCE_CHARS))
        .sum()
}

/// `eks:DescribeCluster` resources for the members: one ARN each, or with `per_region` one per member region.
fn member_cluster_arns(members: &[Member], per_region: bool) -> Vec<String> {
    let arn = |region: &str, name: &str| format!("eks:{region}:${{AWS::AccountId}}:cluster/{name}");
    if !per_region {
        return members.iter().map(|m| arn(&m.region, &m.eks_cluster_name)).collect();
    }
    let mut regions: Vec<(&str, &str)> = Vec::new();
    for m in members {
        match regions.iter_mut().find(|(r, _)| *r == m.region) {
            Some((_, prefix)) => *prefix = common_prefix(prefix, &m.eks_cluster_name),
            None => regions.push((&m.region, &m.eks_cluster_name)),
        }
    }
    regions.into_iter().map(|(region, prefix)| arn(region, &format!("{prefix}*"))).collect()
}

fn common_prefix<'a>(a: &'a str, b: &str) -> &'a str {
    let len = a.bytes().zip(b.bytes()).take_while(|(x, y)| x == y).count();
    &a[..len]
}

fn management_role_props(config: &Config, host: &HostResources, members: Vec<String>) -> RoleProps {
    let arn = |rest: String| Expr::arn(&rest);
    let account = "${AWS::AccountId}";
    let (app, region, parent) = (&config.app, &config.region, &config.parent.name);
    let mut clusters = vec![arn(format!("eks:{region}:{account}:cluster/{parent}"))];
    clusters.extend(members.into_iter().map(arn));
    let ssm = |name: String| arn(format!("ssm:{region}:{account}:parameter{name}"));
    let statements: Vec<Value> = vec![
        // bootstrap (update-kubeconfig of the parent), reconcile (of each member)
        allow(&["eks:DescribeCluster"], clusters),
        // bootstrap and reconcile: the node group's Auto Scaling group behind the NLB
        allow(&["eks:DescribeNodegroup"], vec![arn(format!("eks:{region}:{account}:nodegroup/{parent}/*/*"))]),
        allow(&["autoscaling:DescribeAutoScalingGroups"], vec!["*".into()]),
        // The Service Authorization Reference lists `autoscaling:TargetGroupARNs` (and
        // `autoscaling:ResourceTag/${TagKey}`) for AttachLoadBalancerTargetGroups on `autoScalingGroup`. The
        // target-group key needs no assumption about which tags EKS puts on a managed node group's Auto Scaling
        // group: the host may attach this app's target group, and nothing else, to a group.
        json!({
            "Effect": "Allow",
            "Action": ["autoscaling:AttachLoadBalancerTargetGroups"],
            "Resource": [arn(format!("autoscaling:{region}:{account}:autoScalingGroup:*:autoScalingGroupName/*"))],
            "Condition": {
                "ForAllValues:StringEquals": {"autoscaling:TargetGroupARNs": [host.nlb.target_group_arn()]},
                "Null": {"autoscaling:TargetGroupARNs": "false"}
            }
        }),
        // the kubeconfig secret: the bootstrap writes it, the reconcile (and a replacement host) reads it
        allow(&["secretsmanager:GetSecretValue", "secretsmanager:PutSecretValue"], vec![host.secret.arn()]),
        json!({
            "Effect": "Allow",
            "Action": ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"],
            "Resource": [host.secret.key().arn()],
            "Condition": {"StringEquals": {"kms:ViaService": format!("secretsmanager.{region}.amazonaws.com")}}
        }),
        allow(
            &["cloudformation:SignalResource"],
            vec![arn(format!("cloudformation:{region}:{account}:stack/{}/*", host.names.management))],
        ),
        // the reconcile: the desired state (head and chunks), the applied state, the cluster stack's outputs
        allow(&["ssm:GetParameter"], vec![ssm(format!("{}*", wellknown::desired_state_parameter(app)))]),
        allow(&["ssm:GetParameter", "ssm:PutParameter"], vec![ssm(wellknown::applied_state_parameter(app))]),
        allow(
            &["cloudformation:DescribeStacks"],
            vec![
                arn(format!("cloudformation:{region}:{account}:stack/{}/*", host.names.cluster)),
                arn(format!("cloudformation:{region}:{account}:stack/{}/*", host.names.backup)),
            ],
        ),
        // backups: write and read the app's bucket, never delete (versioning keeps what a put overwrites)
        allow(&["s3:ListBucket"], vec![host.backup.arn()]),
        allow(&["s3:GetObject", "s3:PutObject"], vec![host.backup.objects_arn()]),
        json!({
            "Effect": "Allow",
            "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
            "Resource": [host.backup.key().arn()],
            "Condition": {"StringEquals": {"kms:ViaService": format!("s3.{region}.amazonaws.com")}}
        }),
    ];
    let mut props = RoleProps::service("ec2.amazonaws.com");
    props.inline_policies = vec![("Host".into(), document(statements)), ("SsmAgent".into(), ssm_agent_policy())];
    props.description = Some("Karmada management host: the bootstrap, the reconcile and the SSM agent".into());
    props
}

/// What the SSM agent calls for Session Manager and Run Command, instead of `AmazonSSMManagedInstanceCore`, whose
/// `ssm:GetParameter`/`GetParameters` on every parameter would let the host read every String parameter of the
/// account and region. These actions have no resource-level permissions except `UpdateInstanceInformation`
/// (Service Authorization Reference: Systems Manager, Session Manager Message Gateway Service, EC2 Messages):
/// the agent registers the instance (`ssm:UpdateInstanceInformation`), opens Session Manager channels
/// (`ssmmessages:*`) and receives Run Command messages (`ec2messages:*`). State Manager, Inventory and Patch
/// Manager are not used.
fn ssm_agent_policy() -> Value {
    document(vec![
        allow(&["ssm:UpdateInstanceInformation"], vec![Expr::arn("ec2:${AWS::Region}:${AWS::AccountId}:instance/*")]),
        allow(
            &[
                "ssmmessages:CreateControlChannel",
                "ssmmessages:CreateDataChannel",
                "ssmmessages:OpenControlChannel",
                "ssmmessages:OpenDataChannel",
                "ec2messages:AcknowledgeMessage",
                "ec2messages:DeleteMessage",
                "ec2messages:FailMessage",
                "ec2messages:GetEndpoint",
                "ec2messages:GetMessages",
                "ec2messages:SendReply",
            ],
            vec!["*".into()],
        ),
    ])
}
