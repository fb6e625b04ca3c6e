//! `KarmadaParent`: the guide's architecture as stacks.
//!
//! | stack | holds |
//! | --- | --- |
//! | `<app>-backup` | the S3 bucket of Karmada's backups (etcd snapshots and the certificates a restore needs), versioned, KMS-encrypted, TLS only, retained on delete; `destroy` keeps the stack unless `--delete-backups` |
//! | `<app>-network` | VPC, subnets, internet and NAT gateways, flow logs |
//! | `<app>-cluster` | parent EKS cluster (its control-plane log group created first), node group (following the cluster's Kubernetes version), OIDC provider, EBS CSI add-on, the Karmada API NLB, the management host's role and its access entry, the kubeconfig secret `<app>/karmada/kubeconfig` (own KMS key, only the host writes it) |
//! | `<app>-member-access-<region>` (`-2`, `-3`, ... when one stack would pass 51,200 bytes) | per member region: access entries giving the management role cluster-admin on each member |
//! | `<app>-management` | the management host, whose bootstrap script installs Karmada; its image is the `HostImageId` parameter, filled once by deploy |
//!
//! The management role lives in the cluster stack so that the member-access stacks exist before the host's
//! reconcile joins the members; the management stack depends on every member-access stack.
//!
//! No stack exports anything: every value one stack takes from another is a parameter that `deploy` fills from
//! the producer's outputs (see `core::resolve`), so replacing the node group, the NLB or a NAT gateway never
//! stops the producer's update. The host reads what can change under it at run time from the cluster stack's
//! outputs `NodegroupName` and `TargetGroupArn`.

use serde_json::{json, Value};

use super::bootstrap::{self, BootstrapContext};
use super::config::{Config, Member};
use super::desired_state;
use super::error::KarmadaError;
use super::scale;
use super::wellknown::{self, Part};
use crate::cfn::ssm::CfnParameter;
use crate::core::id::logical_id;
use crate::core::size;
use crate::core::template::{MAX_INLINE_TEMPLATE_BYTES, MAX_RESOURCES};
use crate::core::{App, Environment, Expr, Stack, SynthError};
use crate::ec2::security_group::add_ingress;
use crate::ec2::{ManagementHost, ManagementHostProps, Peer, Rule, Vpc, VpcProps, Zones};
use crate::eks::access_entry::add_cluster_admin;
use crate::eks::versions::{self, Support};
use crate::eks::{Cluster, ClusterProps, EbsCsiDriver, EbsCsiDriverProps, Nodegroup, NodegroupProps};
use crate::elbv2::{NetworkLoadBalancer, NetworkLoadBalancerProps};
use crate::iam::policy::{allow, document};
use crate::iam::{InstanceProfile, OidcProvider, Role, RoleProps};
use crate::s3::{PrivateBucket, PrivateBucketProps};
use crate::secretsmanager::{WriterOnlySecret, WriterOnlySecretProps};

/// TCP port of the Karmada API server's NodePort, as `kubectl karmada init` creates it.
pub const KARMADA_API_PORT: u16 = 32443;

/// Names of the app's stacks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StackNames {
    pub backup: String,
    pub network: String,
    pub cluster: String,
    pub management: String,
    app: String,
}

impl StackNames {
    pub fn new(app: &str) -> Self {
        StackNames {
            backup: format!("{app}-backup"),
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
        with_part_suffix(self.member_access(region), part)
    }

    /// Part `part` (from 0) of the desired-state stacks: `<app>-desired-state`, then `-2`, `-3`, ...
    pub fn desired_state_part(&self, part: usize) -> String {
        with_part_suffix(format!("{}-desired-state", self.app), part)
    }

    /// The part whose stack-name pattern `name` follows, for a stack deployed in `region` (a member-access stack
    /// names its own region).
    pub fn part_named(&self, name: &str, region: &str) -> Option<Part> {
        let is_part_of = |base: &str| {
            name.strip_prefix(base).is_some_and(|rest| {
                rest.is_empty()
                    || rest.strip_prefix('-').is_some_and(|n| {
                        !n.starts_with('0')
                            && n.parse::<usize>().is_ok_and(|n| n >= 2)
                            && n.bytes().all(|b| b.is_ascii_digit())
                    })
            })
        };
        if name == self.backup {
            Some(Part::Backup)
        } else if name == self.network {
            Some(Part::Network)
        } else if name == self.cluster {
            Some(Part::Cluster)
        } else if name == self.management {
            Some(Part::Management)
        } else if is_part_of(&self.member_access(region)) {
            Some(Part::MemberAccess)
        } else if is_part_of(&self.desired_state_part(0)) {
            Some(Part::DesiredState)
        } else {
            None
        }
    }

    /// Whether karmada-eks made the deployed stack `name` of this app (in `region`, tagged `karmada-eks:part =
    /// part_tag`, with the deployed `template`), and so may delete it once it left the assembly: its name follows
    /// a part's pattern and either its part tag is that part, or (a stack of the release before the tag) its
    /// template holds only the resource types that part makes. Otherwise why it is not ours to delete.
    pub fn made_part(
        &self,
        name: &str,
        region: &str,
        part_tag: Option<&str>,
        template: &Value,
    ) -> Result<Part, String> {
        let Some(part) = self.part_named(name, region) else {
            return Err(format!("its name is not one karmada-eks gives a stack of app {}", self.app));
        };
        let like = format!("it is named like the {} stacks of app {}", part.as_str(), self.app);
        match part_tag {
            Some(tag) if tag == part.as_str() => return Ok(part),
            Some(tag) => return Err(format!("{like} but tagged {}={tag}", wellknown::TAG_PART)),
            None => {}
        }
        let Some(only) = part.only_resource_types() else {
            return Err(format!(
                "{like} but has no {} tag, which every stack karmada-eks makes carries",
                wellknown::TAG_PART
            ));
        };
        let mut types: Vec<&str> = template["Resources"]
            .as_object()
            .into_iter()
            .flatten()
            .map(|(_, r)| r["Type"].as_str().unwrap_or("a resource without a type"))
            .collect();
        types.sort();
        types.dedup();
        let foreign: Vec<&str> = types.iter().copied().filter(|t| !only.contains(t)).collect();
        if types.is_empty() {
            Err(format!("{like} but has no {} tag and its deployed template holds no resources", wellknown::TAG_PART))
        } else if foreign.is_empty() {
            Ok(part)
        } else {
            Err(format!(
                "{like} but has no {} tag and holds {}, which karmada-eks never puts in those stacks",
                wellknown::TAG_PART,
                foreign.join(", ")
            ))
        }
    }
}

/// `base` for part 0, else `base-<part + 1>`.
fn with_part_suffix(base: String, part: usize) -> String {
    match part {
        0 => base,
        n => format!("{base}-{}", n + 1),
    }
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
/// assert_eq!(
///     names,
///     [
///         "demo-backup",
///         "demo-network",
///         "demo-cluster",
///         "demo-member-access-us-east-1",
///         "demo-desired-state-2",
///         "demo-desired-state-3",
///         "demo-desired-state",
///         "demo-management",
///         "demo-extra"
///     ]
/// );
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
    pub fn new(config: &Config) -> Result<Self, KarmadaError> {
        let mut app = build(config)?;
        config.checks.add_to(&mut app);
        super::overrides::apply(&mut app, &config.overrides)?;
        Ok(KarmadaParent { app })
    }

    pub fn into_app(self) -> App {
        self.app
    }
}

fn build(config: &Config) -> Result<App, KarmadaError> {
    config.validate()?;
    let env = Environment::new(config.account.clone(), &config.region);
    let names = StackNames::new(&config.app);
    let mut app = App::new();

    let backup = backup_stack(&mut app, config, &names, &env);

    let network = app.add_stack(&names.network, env.clone());
    network.set_description("karmada-eks: VPC with public and private subnets, internet and NAT gateways");
    tag(network, config, Part::Network);
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
    tag(stack, config, Part::Cluster);
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
            // Always on, whatever `admin_principal_arns` says: the flag "requires replacement" and a named cluster
            // cannot be replaced. The deployer's own principal is therefore admin already and must not be listed
            // in `admin_principal_arns` (EKS answers 409 "already in use"); config docs and README say so.
            creator_is_admin: true,
            log_retention_days: parent.log_retention_days,
        },
    );
    let nodes = Nodegroup::new(
        &mut s,
        "Nodes",
        NodegroupProps {
            cluster_name: cluster.name(),
            version: Some(parent.kubernetes_version.clone()),
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
    // The VPC (and, for an internet-facing NLB, the NAT addresses its traffic to the NLB leaves from) is always
    // allowed: the management host reaches the Karmada API that way. `nlb.allowed_cidrs` adds to it.
    let nat_cidrs = if config.nlb.internal { Vec::new() } else { vpc.nat_public_ips() };
    let allowed_cidrs: Vec<Expr> = std::iter::once(Expr::from(vpc.cidr().to_string()))
        .chain(nat_cidrs.into_iter().map(host_cidr))
        .chain(config.nlb.allowed_cidrs.iter().flatten().map(Expr::from))
        .collect();
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
    let kubeconfig_secret = WriterOnlySecret::new(
        &mut s,
        "KubeconfigSecret",
        WriterOnlySecretProps {
            name: wellknown::kubeconfig_secret(&config.app),
            description: format!(
                "Karmada API kubeconfig of app {}: written by its management host, read by karmada-eks kubeconfig",
                config.app
            ),
        },
    );
    let role_props = management_role(config, &names, &nlb, &kubeconfig_secret, &backup);
    scale::check_role_policy(inline_policy_chars(&role_props), config.member_regions().len())?;
    let role = Role::new(&mut s.child("ManagementHost"), "Role", role_props);
    kubeconfig_secret.only_written_by(&mut s, role.arn());
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
    stack.add_output(
        "NodegroupName",
        nodes.name(),
        "Node group behind the Karmada API NLB: the host attaches its Auto Scaling group on every reconcile",
        None,
    );
    stack.add_output(
        "TargetGroupArn",
        nlb.target_group_arn(),
        "Target group of the Karmada API NLB: the host attaches the node group to it on every reconcile",
        None,
    );
    stack.add_output(
        "KubeconfigSecretArn",
        kubeconfig_secret.arn(),
        "Secrets Manager secret with the Karmada kubeconfig (karmada-eks kubeconfig)",
        None,
    );
    let always = if config.nlb.internal {
        format!("the VPC ({})", vpc.cidr())
    } else {
        format!("the VPC ({}) and its NAT addresses", vpc.cidr())
    };
    stack.add_note(match config.nlb.allowed_cidrs.as_deref() {
        Some(cidrs) if !cidrs.is_empty() => {
            format!("Karmada API (TCP {KARMADA_API_PORT}) accepts connections from {always} and {}.", cidrs.join(", "))
        }
        _ => format!(
            "Karmada API (TCP {KARMADA_API_PORT}) accepts connections only from {always}; to use it from your network, add it to nlb.allowed_cidrs in karmada-eks.toml."
        ),
    });
    scale::check_parent(config, stack);
    if let Some(warning) = version_warning(&parent.kubernetes_version) {
        stack.add_warning(warning);
    }
    if !parent.endpoint_public_access && !parent.public_access_cidrs.is_empty() {
        stack.add_warning(format!(
            "parent.public_access_cidrs lists {} but the EKS endpoint is private (parent.endpoint_public_access = false, the default since the endpoint stopped being public by default): the networks are ignored; set parent.endpoint_public_access = true to open the endpoint to them",
            parent.public_access_cidrs.join(", ")
        ));
    }

    let access_stacks = add_member_access(&mut app, config, &names, &role)?;

    let host_id = "ManagementHost";
    let instance_logical_id = logical_id(&format!("{host_id}/Instance"));
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
    let desired_state = add_desired_state(&mut app, config)?;
    let stack = app.add_stack(&names.management, env);
    stack.set_description("karmada-eks: management host that installs Karmada and runs its reconcile");
    tag(stack, config, Part::Management);
    for name in &access_stacks {
        stack.add_dependency(name);
    }
    // The bootstrap runs the bundle's `backup` before it removes a half-finished install.
    stack.add_dependency(&desired_state[0]);
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
                }
                .into())
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
            image_parameter: wellknown::HOST_IMAGE_PARAMETER.into(),
        },
    );
    debug_assert_eq!(host.instance_logical_id(), instance_logical_id);
    let to_nodes = add_ingress(
        &mut s,
        "NodesFromManagementHost",
        nodes.security_group().id(),
        Rule::tcp(
            Peer::SecurityGroup(host.security_group().id()),
            KARMADA_API_PORT,
            "Karmada API from the management host (init, health checks)",
        ),
    );
    let to_endpoint = add_ingress(
        &mut s,
        "ClusterApiFromManagementHost",
        cluster.cluster_security_group_id(),
        Rule::tcp(
            Peer::SecurityGroup(host.security_group().id()),
            443,
            "EKS private endpoint from the management host (kubectl, karmada init)",
        ),
    );
    // The bootstrap's first steps reach the EKS endpoint and the nodes: without these, CloudFormation may start
    // the instance before the rules exist and the first kubectl calls time out.
    s.depends_on(host.instance(), &to_nodes);
    s.depends_on(host.instance(), &to_endpoint);
    let stack = s.stack_mut();
    stack.add_output(
        "ManagementInstanceId",
        host.instance_id(),
        "Management host: aws ssm start-session --target <id>",
        None,
    );
    stack.add_output(
        "KubeconfigSecret",
        Expr::from(wellknown::kubeconfig_secret(&config.app)),
        "Secrets Manager secret holding the Karmada kubeconfig (karmada-eks kubeconfig)",
        None,
    );
    scale::check_app(&app, config)?;
    Ok(app)
}

/// Output of `<app>-backup` with the bucket's name: the host reads it at run time.
pub const BACKUP_BUCKET_OUTPUT: &str = "BackupBucketName";

/// The stack `<app>-backup`: the bucket of Karmada's backups. Nothing in it depends on another stack, so it is
/// deployed first and a destroy that keeps it keeps nothing else.
fn backup_stack(app: &mut App, config: &Config, names: &StackNames, env: &Environment) -> PrivateBucket {
    let stack = app.add_stack(&names.backup, env.clone());
    stack.set_description(
        "karmada-eks: S3 bucket of Karmada's backups (etcd snapshots and certificates), kept by destroy",
    );
    tag(stack, config, Part::Backup);
    let mut s = stack.scope();
    let bucket = PrivateBucket::new(
        &mut s,
        "Backups",
        PrivateBucketProps {
            purpose: format!("Karmada backups of app {}", config.app),
            expire_after_days: config.backup.retain_days,
            ..Default::default()
        },
    );
    s.stack_mut().add_output(
        BACKUP_BUCKET_OUTPUT,
        bucket.name(),
        "S3 bucket of Karmada's backups: karmada-eks backup writes it, karmada-eks restore reads it",
        None,
    );
    bucket
}

/// One stack of access entries per member region, split into parts where one stack would pass a CloudFormation
/// limit (51,200 template bytes, 500 resources). Returns the stacks' names.
///
/// A region's stack is first built whole and measured; if it does not fit, the members are packed in config order
/// into parts by their measured bytes. Appending members never moves an existing member to another part. Part
/// `n` depends on part `n + 1`, so when removing a member shifts later members into earlier parts, the later part
/// deletes their access entries before the earlier part creates them (EKS allows one entry per principal).
/// The synth warning for a parent version that costs more or that the table cannot vouch for.
fn version_warning(version: &str) -> Option<String> {
    match versions::support(version)? {
        Support::Extended { until } => Some(format!(
            "parent.kubernetes_version {version} is in EKS extended support until {until} (as of {}): the control plane bills the extended rate (`karmada-eks cost`); upgrade to {} one minor version at a time",
            versions::TABLE_DATE,
            versions::offered().last().map(String::as_str).unwrap_or_default()
        )),
        Support::Unlisted => Some(format!(
            "parent.kubernetes_version {version} is newer than the table of EKS versions (as of {}): `karmada-eks doctor` asks EKS whether the region offers it, and the host's kubectl is verified against its published checksum only",
            versions::TABLE_DATE
        )),
        Support::Standard { .. } | Support::Ended { .. } | Support::Retired => None,
    }
}

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
    tag(stack, config, Part::MemberAccess);
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
/// the head `/<app>/karmada/desired-state` and the output `DesiredStateSha256`, and depends on the others so that
/// the chunks are in place before the head names them. Returns the stacks' names. The applied-state parameter
/// `/<app>/karmada/applied-state` is the host's: it creates and overwrites it (a stack holding it would show it
/// drifted after every reconcile), and `destroy` deletes it.
fn add_desired_state(app: &mut App, config: &Config) -> Result<Vec<String>, SynthError> {
    let stack_names = StackNames::new(&config.app);
    let first = stack_names.desired_state_part(0);
    let desired = desired_state::render(config)
        .map_err(|e| SynthError::Construct { stack: first.clone(), message: format!("desired state: {e}") })?;
    let env = Environment::new(config.account.clone(), &config.region);
    let groups: Vec<&[String]> = desired.chunks.chunks(DESIRED_STATE_CHUNKS_PER_STACK).collect();
    let names: Vec<String> = (0..groups.len().max(1)).map(|part| stack_names.desired_state_part(part)).collect();
    for (part, name) in names.iter().enumerate() {
        let stack = app.add_stack(name, env.clone());
        stack.set_description("karmada-eks: desired state of Karmada (members, weights, workload, reconcile script)");
        tag(stack, config, Part::DesiredState);
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

fn tag(stack: &mut crate::core::Stack, config: &Config, part: Part) {
    stack.tag(wellknown::TAG_APP, config.app.as_str());
    stack.tag(wellknown::TAG_PART, part.as_str());
    for (k, v) in &config.tags {
        stack.tag(k, v.as_str());
    }
}

/// Characters of member cluster ARNs the host's role lists one by one (about 60 members); past it the role names
/// one ARN pattern per member region, so the cluster stack, which holds the role, stays under 51,200 bytes.
pub const MEMBER_ARNS_BUDGET_CHARS: usize = 4_096;

/// IAM's cap on the characters of all inline policies of one role, whitespace not counted.
pub const MAX_ROLE_INLINE_POLICY_CHARS: usize = 10_240;
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
fn management_role(
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

#[cfg(test)]
mod tests {
    use super::*;

    fn judge(name: &str, region: &str, tag: Option<&str>, types: &[&str]) -> Result<Part, String> {
        let resources: serde_json::Map<String, Value> =
            types.iter().enumerate().map(|(i, t)| (format!("R{i}"), json!({"Type": t}))).collect();
        StackNames::new("karmada").made_part(name, region, tag, &json!({ "Resources": resources }))
    }

    #[test]
    fn stack_names_follow_their_part_pattern_and_part_suffixes_start_at_2() {
        let names = StackNames::new("karmada");
        let part = |name: &str| names.part_named(name, "us-east-1");
        assert_eq!(part("karmada-network"), Some(Part::Network));
        assert_eq!(part("karmada-cluster"), Some(Part::Cluster));
        assert_eq!(part("karmada-management"), Some(Part::Management));
        assert_eq!(part("karmada-member-access-us-east-1"), Some(Part::MemberAccess));
        assert_eq!(part("karmada-member-access-us-east-1-2"), Some(Part::MemberAccess));
        assert_eq!(part("karmada-member-access-us-east-1-12"), Some(Part::MemberAccess));
        assert_eq!(part("karmada-desired-state"), Some(Part::DesiredState));
        assert_eq!(part("karmada-desired-state-3"), Some(Part::DesiredState));
        for other in [
            "karmada-registry",
            "karmada-member-access-us-west-2",
            "karmada-member-access-us-east-1-1",
            "karmada-member-access-us-east-1-02",
            "karmada-member-access-us-east-1-x",
            "karmada-member-access-us-east-1-+2",
            "karmada-desired-state-extra",
            "karmada-network-2",
            "other-network",
        ] {
            assert_eq!(part(other), None, "{other}");
        }
        assert_eq!(names.member_access_part("us-east-1", 1), "karmada-member-access-us-east-1-2");
        assert_eq!(names.desired_state_part(0), "karmada-desired-state");
        assert_eq!(names.desired_state_part(2), "karmada-desired-state-3");
    }

    #[test]
    fn a_stack_is_ours_by_its_part_tag_or_by_what_an_untagged_earlier_release_put_in_it() {
        let access = "karmada-member-access-us-east-1-2";
        assert_eq!(judge(access, "us-east-1", Some("member-access"), &["AWS::SNS::Topic"]), Ok(Part::MemberAccess));
        assert_eq!(judge(access, "us-east-1", None, &["AWS::EKS::AccessEntry"]), Ok(Part::MemberAccess));
        assert_eq!(
            judge("karmada-desired-state-2", "us-east-1", None, &["AWS::SSM::Parameter"]),
            Ok(Part::DesiredState)
        );
        assert_eq!(judge("karmada-network", "us-east-1", Some("network"), &["AWS::EC2::VPC"]), Ok(Part::Network));

        let e = judge("karmada-registry", "us-east-1", Some("member-access"), &["AWS::ECR::Repository"]).unwrap_err();
        assert_eq!(e, "its name is not one karmada-eks gives a stack of app karmada");
        let e = judge(access, "us-east-1", Some("network"), &["AWS::EKS::AccessEntry"]).unwrap_err();
        assert_eq!(e, "it is named like the member-access stacks of app karmada but tagged karmada-eks:part=network");
        let e = judge(access, "us-east-1", None, &["AWS::EKS::AccessEntry", "AWS::SNS::Topic"]).unwrap_err();
        assert!(
            e.ends_with(
                "has no karmada-eks:part tag and holds AWS::SNS::Topic, which karmada-eks never puts in those stacks"
            ),
            "{e}"
        );
        let e = judge("karmada-desired-state", "us-east-1", None, &[]).unwrap_err();
        assert!(e.ends_with("its deployed template holds no resources"), "{e}");
        let e = judge("karmada-cluster", "us-east-1", None, &["AWS::EKS::Cluster"]).unwrap_err();
        assert!(e.ends_with("has no karmada-eks:part tag, which every stack karmada-eks makes carries"), "{e}");
        assert!(judge("karmada-member-access-us-east-1", "eu-west-1", Some("member-access"), &[]).is_err());
    }

    #[test]
    fn every_stack_of_the_app_is_tagged_with_its_part() {
        let config = Config::from_toml(
            "app = \"demo\"\n[[members]]\nname = \"a\"\nregion = \"eu-west-1\"\n[[members]]\nname = \"b\"\nregion = \"us-east-1\"\n",
        )
        .unwrap();
        let assembly = KarmadaParent::new(&config).unwrap().synth().unwrap();
        let names = StackNames::new("demo");
        for stack in &assembly.stacks {
            let tag = stack.tags.get(wellknown::TAG_PART).map(String::as_str);
            let part = names.part_named(&stack.name, &stack.environment.region).expect("a known name");
            assert_eq!(tag, Some(part.as_str()), "{}", stack.name);
            assert_eq!(names.made_part(&stack.name, &stack.environment.region, tag, &stack.template), Ok(part));
        }
        assert_eq!(assembly.stacks.len(), 9);
    }
}
