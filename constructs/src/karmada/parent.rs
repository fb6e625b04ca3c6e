//! `KarmadaParent`: the guide's architecture as stacks.
//!
//! | stack | holds |
//! | --- | --- |
//! | `<app>-network` | VPC, subnets, internet and NAT gateways, flow logs |
//! | `<app>-cluster` | parent EKS cluster, node group, OIDC provider, EBS CSI add-on, the Karmada API NLB, the management host's role and its access entry |
//! | `<app>-member-access-<region>` (`-2`, `-3`, ... when one stack would pass 51,200 bytes) | per member region: access entries giving the management role cluster-admin on each member |
//! | `<app>-management` | the management host, whose bootstrap script installs Karmada and joins the members |
//!
//! The management role lives in the cluster stack so that the member-access stacks exist before the host's
//! bootstrap joins the members; the management stack depends on every member-access stack.

use serde_json::Value;

use super::bootstrap::{self, BootstrapContext};
use super::config::{Config, JoinMode, Member};
use super::desired_state;
use super::wellknown;
use crate::cfn::ssm::CfnParameter;
use crate::core::id::logical_id;
use crate::core::size;
use crate::core::template::{MAX_INLINE_TEMPLATE_BYTES, MAX_RESOURCES};
use crate::core::{App, Environment, Expr, Stack, SynthError};
use crate::ec2::security_group::add_ingress;
use crate::ec2::{ManagementHost, ManagementHostProps, Peer, Rule, Vpc, VpcProps, Zones};
use crate::eks::access_entry::add_cluster_admin;
use crate::eks::{Cluster, ClusterProps, EbsCsiDriver, EbsCsiDriverProps, Nodegroup, NodegroupProps};
use crate::elbv2::{NetworkLoadBalancer, NetworkLoadBalancerProps};
use crate::iam::policy::{allow, document};
use crate::iam::{InstanceProfile, OidcProvider, Role, RoleProps};

/// TCP port of the Karmada API server's NodePort, as `kubectl karmada init` creates it.
pub const KARMADA_API_PORT: u16 = 32443;

/// Names of the app's stacks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StackNames {
    pub network: String,
    pub cluster: String,
    pub management: String,
    app: String,
}

impl StackNames {
    pub fn new(app: &str) -> Self {
        StackNames {
            network: format!("{app}-network"),
            cluster: format!("{app}-cluster"),
            management: format!("{app}-management"),
            app: app.to_string(),
        }
    }

    pub fn member_access(&self, region: &str) -> String {
        format!("{}-member-access-{region}", self.app)
    }

    /// Part `part` (from 0) of a region's member-access stacks: part 0 is [`StackNames::member_access`], so a
    /// fleet that outgrows one stack keeps its first stack; later parts append `-2`, `-3`, ...
    pub fn member_access_part(&self, region: &str, part: usize) -> String {
        match part {
            0 => self.member_access(region),
            n => format!("{}-{}", self.member_access(region), n + 1),
        }
    }
}

/// SSM parameter names the app uses.
pub fn kubeconfig_parameter(app: &str) -> String {
    format!("/{app}/karmada/kubeconfig")
}

/// The whole app built from a configuration: an [`App`] (it dereferences to one) with the guide's stacks, the
/// config's `[checks]` as aspects and its `[[overrides]]` recorded. [`KarmadaParent::into_app`] hands the app
/// over for stacks, overrides and aspects of your own (see `constructs/examples/extend.rs`).
///
/// ```
/// use constructs::core::Environment;
/// use constructs::karmada::{Config, KarmadaParent};
///
/// let config = Config::from_toml("app = \"demo\"\n[[members]]\nname = \"eksuscl01\"\n").unwrap();
/// let mut app = KarmadaParent::new(&config).unwrap().into_app();
/// app.stack_mut("demo-cluster")
///     .unwrap()
///     .find_resource_mut("Nodes")
///     .unwrap()
///     .add_property_override("Labels.team", "platform");
/// app.add_stack("demo-extra", Environment::new(None, "us-east-1"));
///
/// let assembly = app.synth().unwrap();
/// let names: Vec<&str> = assembly.stacks.iter().map(|s| s.name.as_str()).collect();
/// assert_eq!(names, ["demo-network", "demo-cluster", "demo-member-access-us-east-1", "demo-management", "demo-extra"]);
/// ```
pub struct KarmadaParent {
    app: App,
}

impl std::ops::Deref for KarmadaParent {
    type Target = App;

    fn deref(&self) -> &App {
        &self.app
    }
}

impl KarmadaParent {
    /// The app for `config`, with its `[checks]` and `[[overrides]]` applied; synthesize it with [`App::synth`].
    pub fn new(config: &Config) -> Result<Self, SynthError> {
        let mut app = build(config)?;
        config.checks.add_to(&mut app);
        super::overrides::apply(&mut app, &config.overrides)?;
        Ok(KarmadaParent { app })
    }

    pub fn into_app(self) -> App {
        self.app
    }
}

fn build(config: &Config) -> Result<App, SynthError> {
    config.validate()?;
    let env = Environment::new(config.account.clone(), &config.region);
    let names = StackNames::new(&config.app);
    let mut app = App::new();

    let network = app.add_stack(&names.network, env.clone());
    network.set_description("karmada-eks: VPC with public and private subnets, internet and NAT gateways");
    tag(network, config);
    let zones = if config.network.availability_zones.is_empty() {
        Zones::Count(config.network.az_count)
    } else {
        Zones::Named(config.network.availability_zones.clone())
    };
    let vpc = Vpc::new(
        &mut network.scope(),
        "Vpc",
        VpcProps {
            cidr: config.vpc_cidr(),
            zones,
            nat_gateways: config.network.nat_gateways,
            cluster_names: vec![config.parent.name.clone()],
            flow_log_retention_days: Some(config.network.flow_log_retention_days),
        },
    );

    let stack = app.add_stack(&names.cluster, env.clone());
    stack.set_description("karmada-eks: parent EKS cluster, EBS CSI driver and the Karmada API load balancer");
    tag(stack, config);
    let mut s = stack.scope();
    let parent = &config.parent;
    let cluster = Cluster::new(
        &mut s,
        "Parent",
        ClusterProps {
            name: parent.name.clone(),
            version: parent.kubernetes_version.clone(),
            subnet_ids: vpc.private_subnet_ids(),
            endpoint_public_access: parent.endpoint_public_access,
            public_access_cidrs: parent.public_access_cidrs.clone(),
            service_cidr: parent.service_cidr.clone(),
            creator_is_admin: true,
        },
    );
    let nodes = Nodegroup::new(
        &mut s,
        "Nodes",
        NodegroupProps {
            cluster_name: cluster.name(),
            cluster_security_group_id: cluster.cluster_security_group_id(),
            vpc_id: vpc.vpc_id(),
            subnet_ids: vpc.private_subnet_ids(),
            instance_types: parent.nodes.instance_types.clone(),
            desired: parent.nodes.desired,
            min: parent.nodes.min,
            max: parent.nodes.max,
            disk_size_gib: parent.nodes.disk_size_gib,
        },
    );
    let oidc = OidcProvider::new(&mut s, "OidcProvider", cluster.oidc_issuer_url());
    EbsCsiDriver::new(
        &mut s,
        "EbsCsiDriver",
        EbsCsiDriverProps {
            cluster_name: cluster.name(),
            oidc_provider: &oidc,
            version: None,
            wait_for: Some(nodes.resource()),
        },
    );
    let allowed_cidrs: Vec<Expr> = match &config.nlb.allowed_cidrs {
        Some(cidrs) => cidrs.iter().map(Expr::from).collect(),
        None if config.nlb.internal => vec![Expr::from(vpc.cidr().to_string())],
        None => std::iter::once(Expr::from(vpc.cidr().to_string()))
            .chain(vpc.nat_public_ips().into_iter().map(host_cidr))
            .collect(),
    };
    let nlb = NetworkLoadBalancer::new(
        &mut s,
        "KarmadaApi",
        NetworkLoadBalancerProps {
            vpc_id: vpc.vpc_id(),
            vpc_cidr: vpc.cidr().to_string(),
            subnet_ids: if config.nlb.internal { vpc.private_subnet_ids() } else { vpc.public_subnet_ids() },
            internal: config.nlb.internal,
            port: KARMADA_API_PORT,
            allowed_cidrs,
        },
    );
    nodes.security_group().add_ingress(
        &mut s,
        "NodesFromKarmadaApiNlb",
        Rule::tcp(Peer::SecurityGroup(nlb.security_group().id()), KARMADA_API_PORT, "Karmada API from its NLB"),
    );
    let role = Role::new(&mut s.child("ManagementHost"), "Role", management_role(config, &names, &cluster));
    let profile = InstanceProfile::new(&mut s.child("ManagementHost"), "InstanceProfile", &role);
    add_cluster_admin(&mut s, "ManagementHostAccess", cluster.name(), role.arn());
    for (i, arn) in parent.admin_principal_arns.iter().enumerate() {
        add_cluster_admin(&mut s, &format!("AdminAccess{}", i + 1), cluster.name(), arn.into());
    }
    let stack = s.stack_mut();
    stack.add_output(
        "KarmadaApiEndpoint",
        Expr::sub(format!("https://${{Dns}}:{KARMADA_API_PORT}"), [("Dns", nlb.dns_name())]),
        "Karmada API server, through the Network Load Balancer",
        None,
    );
    if !config.nlb.internal {
        stack.add_output(
            "KarmadaApiAddresses",
            Expr::join(",", nlb.public_ips()),
            "Static public addresses of the Karmada API load balancer",
            None,
        );
    }
    stack.add_output("ParentClusterName", cluster.name(), "EKS cluster hosting the Karmada control plane", None);
    stack.add_note(match &config.nlb.allowed_cidrs {
        Some(cidrs) => format!("Karmada API (TCP {KARMADA_API_PORT}) accepts connections from {}.", cidrs.join(", ")),
        None => format!(
            "Karmada API (TCP {KARMADA_API_PORT}) accepts connections only from the VPC ({}){}; to use it from your network, set nlb.allowed_cidrs in karmada-eks.toml.",
            vpc.cidr(),
            if config.nlb.internal { "" } else { " and its NAT addresses" }
        ),
    });
    if config.members().iter().any(|m| m.mode == JoinMode::Pull) && config.nlb.allowed_cidrs.is_none() {
        stack.add_note(if config.nlb.internal {
            "Pull-mode members run karmada-agent, which connects to the Karmada API: the internal NLB needs a network path from their VPCs (peering, Transit Gateway) and their addresses in nlb.allowed_cidrs."
        } else {
            "Pull-mode members run karmada-agent, which connects to the Karmada API: add their NAT addresses to nlb.allowed_cidrs."
        });
    }

    let access_stacks = add_member_access(&mut app, config, &names, &role)?;

    let host_id = "ManagementHost";
    let instance_logical_id = logical_id(&format!("{host_id}/Instance"));
    let kubeconfig = kubeconfig_parameter(&config.app);
    let rendered = bootstrap::render(&BootstrapContext {
        config,
        management_stack: &names.management,
        cluster_stack: &names.cluster,
        instance_logical_id: &instance_logical_id,
    })
    .map_err(|e| SynthError::Construct {
        stack: names.management.clone(),
        message: format!("bootstrap script: {e}"),
    })?;
    add_desired_state(&mut app, config)?;
    let stack = app.add_stack(&names.management, env);
    stack.set_description("karmada-eks: management host that installs Karmada and runs its reconcile");
    tag(stack, config);
    for name in &access_stacks {
        stack.add_dependency(name);
    }
    let available: [(&str, Expr); 2] =
        [("NlbDnsName", nlb.dns_name()), ("NlbAddresses", Expr::join(",", nlb.public_ips()))];
    let mut variables = Vec::new();
    for wanted in &rendered.variables {
        match available.iter().find(|(name, _)| name == wanted) {
            Some((name, value)) => variables.push((name.to_string(), value.clone())),
            None => {
                return Err(SynthError::Construct {
                    stack: names.management.clone(),
                    message: format!("bootstrap script uses ${{{wanted}}}, which the app does not provide"),
                })
            }
        }
    }
    let mut s = stack.scope();
    let host = ManagementHost::new(
        &mut s,
        host_id,
        ManagementHostProps {
            vpc_id: vpc.vpc_id(),
            subnet_id: vpc.private_subnet_ids()[0].clone(),
            role,
            instance_profile: profile,
            instance_type: config.management.instance_type.clone(),
            root_volume_gib: config.management.root_volume_gib,
            user_data: Expr::Sub(rendered.script, variables.into_iter().collect()),
            signal_timeout_minutes: config.management.bootstrap_timeout_minutes,
            extra_egress: std::iter::once(Expr::from(vpc.cidr().to_string()))
                .chain(nlb.public_ips().into_iter().map(host_cidr))
                .map(|cidr| {
                    Rule::tcp(
                        Peer::Cidr(cidr),
                        KARMADA_API_PORT,
                        "The Karmada API: node ports in the VPC and the NLB's addresses",
                    )
                })
                .collect(),
        },
    );
    debug_assert_eq!(host.instance_logical_id(), instance_logical_id);
    add_ingress(
        &mut s,
        "NodesFromManagementHost",
        nodes.security_group().id(),
        Rule::tcp(
            Peer::SecurityGroup(host.security_group().id()),
            KARMADA_API_PORT,
            "Karmada API from the management host (init, health checks)",
        ),
    );
    add_ingress(
        &mut s,
        "ClusterApiFromManagementHost",
        cluster.cluster_security_group_id(),
        Rule::tcp(
            Peer::SecurityGroup(host.security_group().id()),
            443,
            "EKS private endpoint from the management host (kubectl, karmada init)",
        ),
    );
    let stack = s.stack_mut();
    stack.add_output(
        "ManagementInstanceId",
        host.instance_id(),
        "Management host: aws ssm start-session --target <id>",
        None,
    );
    stack.add_output(
        "KubeconfigParameter",
        Expr::from(kubeconfig.as_str()),
        "SSM SecureString holding the Karmada kubeconfig (karmada-eks kubeconfig)",
        None,
    );
    Ok(app)
}

/// One stack of access entries per member region, split into parts where one stack would pass a CloudFormation
/// limit (51,200 template bytes, 500 resources). Returns the stacks' names.
///
/// A region's stack is first built whole and measured; if it does not fit, the members are packed in config order
/// into parts by their measured bytes. Appending members never moves an existing member to another part. Part
/// `n` depends on part `n + 1`, so when removing a member shifts later members into earlier parts, the later part
/// deletes their access entries before the earlier part creates them (EKS allows one entry per principal).
fn add_member_access(
    app: &mut App,
    config: &Config,
    names: &StackNames,
    role: &Role,
) -> Result<Vec<String>, SynthError> {
    let members = config.members();
    let mut stacks = Vec::new();
    for region in config.member_regions() {
        let in_region: Vec<&Member> = members.iter().filter(|m| m.region == region).collect();
        let env = Environment::new(config.account.clone(), &region);
        let base = names.member_access(&region);
        add_access_stack(app, config, &base, &env, &in_region, role);
        let size = app.measure(&base).expect("just added")?;
        if size.within_limits() {
            stacks.push(base);
            continue;
        }
        app.remove_stack(&base);
        let suffix_bytes = |part: usize| names.member_access_part(&region, part).len() - base.len();
        let parts = size::pack(
            size.fixed_bytes(),
            &size.resource_bytes,
            suffix_bytes,
            MAX_INLINE_TEMPLATE_BYTES,
            MAX_RESOURCES,
        )
        .map_err(|i| SynthError::Limit {
            stack: base.clone(),
            what: "the access entry of one member in bytes",
            actual: size.fixed_bytes() + size.resource_bytes[i],
            limit: MAX_INLINE_TEMPLATE_BYTES,
            hint: format!("member {} alone does not fit a template: use fewer or shorter `tags`", in_region[i].name),
        })?;
        let part_names: Vec<String> = (0..parts.len()).map(|p| names.member_access_part(&region, p)).collect();
        for (part, range) in parts.into_iter().enumerate() {
            let stack = add_access_stack(app, config, &part_names[part], &env, &in_region[range], role);
            if let Some(next) = part_names.get(part + 1) {
                stack.add_dependency(next);
            }
        }
        stacks.extend(part_names);
    }
    Ok(stacks)
}

/// A stack of access entries giving the management role cluster-admin on `members`.
fn add_access_stack<'a>(
    app: &'a mut App,
    config: &Config,
    name: &str,
    env: &Environment,
    members: &[&Member],
    role: &Role,
) -> &'a mut Stack {
    let stack = app.add_stack(name, env.clone());
    stack.set_description(format!("karmada-eks: management host access to the member clusters in {}", env.region));
    tag(stack, config);
    let mut s = stack.scope();
    for member in members {
        add_cluster_admin(
            &mut s.child(&member.name),
            "AccessEntry",
            member.eks_cluster_name.as_str().into(),
            role.arn(),
        );
    }
    stack
}

/// Desired-state chunks per stack: 10 chunks of at most 4 KB keep a template well under the 51,200 bytes
/// CloudFormation accepts inline.
pub const DESIRED_STATE_CHUNKS_PER_STACK: usize = 10;

/// Output of `<app>-desired-state` with the SHA-256 of the bundle; `deploy` compares it with the applied state.
pub const DESIRED_STATE_SHA256_OUTPUT: &str = "DesiredStateSha256";

/// The desired state (docs/lifecycle.md) as SSM String parameters in stacks `<app>-desired-state`,
/// `<app>-desired-state-2`, ...: chunks `/<app>/karmada/desired-state/<i>`, ten a stack; the first stack also holds
/// the head `/<app>/karmada/desired-state`, the applied-state parameter (created as `none`, then written by the
/// host) and the output `DesiredStateSha256`, and depends on the others so that the chunks are in place before
/// the head names them. Returns the stacks' names.
fn add_desired_state(app: &mut App, config: &Config) -> Result<Vec<String>, SynthError> {
    let first = format!("{}-desired-state", config.app);
    let desired = desired_state::render(config)
        .map_err(|e| SynthError::Construct { stack: first.clone(), message: format!("desired state: {e}") })?;
    let env = Environment::new(config.account.clone(), &config.region);
    let groups: Vec<&[String]> = desired.chunks.chunks(DESIRED_STATE_CHUNKS_PER_STACK).collect();
    let names: Vec<String> = (0..groups.len().max(1))
        .map(|part| match part {
            0 => first.clone(),
            n => format!("{first}-{}", n + 1),
        })
        .collect();
    for (part, name) in names.iter().enumerate() {
        let stack = app.add_stack(name, env.clone());
        stack.set_description("karmada-eks: desired state of Karmada (members, weights, workload, reconcile script)");
        tag(stack, config);
        if part == 0 {
            for later in &names[1..] {
                stack.add_dependency(later);
            }
        }
        let mut s = stack.scope();
        for (offset, chunk) in groups.get(part).copied().unwrap_or_default().iter().enumerate() {
            let i = part * DESIRED_STATE_CHUNKS_PER_STACK + offset;
            s.add(
                &format!("DesiredStateChunk{i}"),
                string_parameter(
                    wellknown::desired_state_chunk(&config.app, i),
                    chunk,
                    format!("Part {i} of the desired state of Karmada: read by karmada-eks-reconcile"),
                ),
            );
        }
        if part == 0 {
            s.add(
                "DesiredStateHead",
                string_parameter(
                    wellknown::desired_state_parameter(&config.app),
                    &desired.head,
                    "SHA-256 and chunk count of the desired state of Karmada".into(),
                ),
            );
            s.add(
                "AppliedState",
                string_parameter(
                    wellknown::applied_state_parameter(&config.app),
                    "none",
                    "SHA-256 of the desired state the management host last applied (written by the host)".into(),
                ),
            );
            s.stack_mut().add_output(
                DESIRED_STATE_SHA256_OUTPUT,
                Expr::from(desired.sha256.as_str()),
                "SHA-256 of the desired state: karmada-eks-reconcile apply runs when the applied state differs",
                None,
            );
        }
    }
    Ok(names)
}

fn string_parameter(name: String, value: &str, description: String) -> CfnParameter {
    CfnParameter {
        name: Some(name.into()),
        r#type: "String".into(),
        value: value.into(),
        description: Some(description.into()),
        tier: Some("Standard".into()),
        tags: Default::default(),
    }
}

/// `<address>/32` of an address known at deploy time.
fn host_cidr(ip: Expr) -> Expr {
    Expr::sub("${Ip}/32", [("Ip", ip)])
}

fn tag(stack: &mut crate::core::Stack, config: &Config) {
    stack.tag("karmada-eks:app", config.app.as_str());
    for (k, v) in &config.tags {
        stack.tag(k, v.as_str());
    }
}

/// IAM's cap on the characters of all inline policies of one role, whitespace not counted.
pub const MAX_ROLE_INLINE_POLICY_CHARS: usize = 10_240;
/// What a reference resolved at deploy time (the KMS key's ARN) counts as when sizing the policy: an ARN's
/// length with room to spare.
const POLICY_REFERENCE_CHARS: usize = 128;

/// The management host's role: Session Manager, plus exactly what the bootstrap script calls.
///
/// `eks:DescribeCluster` names the parent and every member cluster while that keeps the role's inline policy
/// within IAM's 10,240 characters; a larger fleet gets one ARN per member region instead, with the cluster names'
/// common prefix (`cluster/<prefix>*`, or `cluster/*` when they share none).
fn management_role(config: &Config, names: &StackNames, cluster: &Cluster) -> RoleProps {
    let members = config.members();
    let explicit = member_cluster_arns(&members, false);
    let mut props = management_role_props(config, names, cluster, explicit);
    if inline_policy_chars(&props) > MAX_ROLE_INLINE_POLICY_CHARS {
        props = management_role_props(config, names, cluster, member_cluster_arns(&members, true));
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

fn management_role_props(config: &Config, names: &StackNames, cluster: &Cluster, members: Vec<String>) -> RoleProps {
    let arn = |rest: String| Expr::arn(&rest);
    let mut clusters = vec![arn(format!("eks:{}:${{AWS::AccountId}}:cluster/{}", config.region, config.parent.name))];
    clusters.extend(members.into_iter().map(arn));
    let app = &config.app;
    let region = &config.region;
    let statements: Vec<Value> = vec![
        allow(&["eks:DescribeCluster"], clusters),
        allow(
            &["eks:DescribeNodegroup"],
            vec![arn(format!("eks:{region}:${{AWS::AccountId}}:nodegroup/{}/*/*", config.parent.name))],
        ),
        serde_json::json!({
            "Effect": "Allow",
            "Action": ["autoscaling:AttachLoadBalancerTargetGroups"],
            "Resource": [arn(format!("autoscaling:{region}:${{AWS::AccountId}}:autoScalingGroup:*:autoScalingGroupName/*"))],
            "Condition": {"StringEquals": {"aws:ResourceTag/eks:cluster-name": config.parent.name}}
        }),
        allow(
            &["autoscaling:DescribeAutoScalingGroups", "elasticloadbalancing:DescribeTargetHealth"],
            vec!["*".into()],
        ),
        allow(
            &["ssm:PutParameter", "ssm:GetParameter"],
            vec![arn(format!("ssm:{region}:${{AWS::AccountId}}:parameter{}", kubeconfig_parameter(app)))],
        ),
        allow(
            &["ssm:GetParameter"],
            vec![arn(format!(
                "ssm:{region}:${{AWS::AccountId}}:parameter{}*",
                wellknown::desired_state_parameter(app)
            ))],
        ),
        allow(&["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey"], vec![cluster.secrets_key().arn()]),
        allow(
            &["cloudformation:SignalResource"],
            vec![arn(format!("cloudformation:{region}:${{AWS::AccountId}}:stack/{}/*", names.management))],
        ),
    ];
    let mut props = RoleProps::service("ec2.amazonaws.com");
    props.managed_policies = vec!["AmazonSSMManagedInstanceCore".into()];
    props.inline_policies = vec![("Bootstrap".into(), document(statements))];
    props.description = Some("Karmada management host: Session Manager and the bootstrap script".into());
    props
}
