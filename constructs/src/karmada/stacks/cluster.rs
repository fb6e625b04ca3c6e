//! `<app>-cluster`: the parent EKS cluster (its control-plane log group first), the node group, the OIDC provider
//! and the EBS CSI add-on, the Karmada API load balancer, the kubeconfig secret, and the management host's role
//! with its access entry (here, so that the member-access stacks can name the role before the host exists).

use super::host_role::{inline_policy_chars, management_role};
use super::scale;
use super::stack_tags::tag;
use crate::core::{App, Environment, Expr, SynthError};
use crate::ec2::cidr::host_cidr;
use crate::ec2::{Peer, Rule, Vpc};
use crate::eks::access_entry::add_cluster_admin;
use crate::eks::versions::{self, Support};
use crate::eks::{Cluster, ClusterProps, EbsCsiDriver, EbsCsiDriverProps, Nodegroup, NodegroupProps};
use crate::elbv2::{NetworkLoadBalancer, NetworkLoadBalancerProps};
use crate::iam::{InstanceProfile, OidcProvider, Role};
use crate::karmada::config::Config;
use crate::karmada::wellknown::{self, Part, StackNames, KARMADA_API_PORT};
use crate::s3::PrivateBucket;
use crate::secretsmanager::{WriterOnlySecret, WriterOnlySecretProps};

/// What the cluster stack hands to the stacks after it.
pub struct ParentCluster {
    pub cluster: Cluster,
    pub nodes: Nodegroup,
    pub nlb: NetworkLoadBalancer,
    /// The management host's role: the member-access stacks give it cluster-admin, the management stack runs as it.
    pub role: Role,
    pub profile: InstanceProfile,
}

/// Adds the cluster stack in `vpc`; the host's role may use the `backup` bucket.
pub fn cluster_stack(
    app: &mut App,
    config: &Config,
    names: &StackNames,
    env: &Environment,
    vpc: &Vpc,
    backup: &PrivateBucket,
) -> Result<ParentCluster, SynthError> {
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
    let role_props = management_role(config, names, &nlb, &kubeconfig_secret, backup);
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
    Ok(ParentCluster { cluster, nodes, nlb, role, profile })
}

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
