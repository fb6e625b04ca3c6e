//! `<app>-management`: the management host, whose bootstrap user-data installs Karmada and whose reconcile
//! applies the desired state; its image is the `HostImageId` parameter, filled once by deploy.

use super::cluster::ParentCluster;
use super::stack_tags::tag;
use crate::core::id::logical_id;
use crate::core::{App, Environment, Expr, SynthError};
use crate::ec2::cidr::host_cidr;
use crate::ec2::security_group::add_ingress;
use crate::ec2::{ManagementHost, ManagementHostProps, Peer, Rule, Vpc};
use crate::karmada::config::Config;
use crate::karmada::host::bootstrap::{self, BootstrapContext, RenderedBootstrap};
use crate::karmada::wellknown::{self, Part, StackNames, KARMADA_API_PORT};

/// The host's bootstrap script, rendered before the stacks that follow the cluster stack so that its errors come
/// first.
pub struct HostScript {
    rendered: RenderedBootstrap,
    instance_logical_id: String,
}

/// Renders the bootstrap for the host of `names.management`.
pub fn bootstrap_script(config: &Config, names: &StackNames) -> Result<HostScript, SynthError> {
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
    Ok(HostScript { rendered, instance_logical_id })
}

/// Adds the management stack: the host in `vpc`, running as the role of `parent`, after every member-access stack
/// (`access`) and the desired state's first stack (`desired[0]`).
#[allow(clippy::too_many_arguments)]
pub fn management_stack(
    app: &mut App,
    config: &Config,
    names: &StackNames,
    env: Environment,
    vpc: &Vpc,
    parent: ParentCluster,
    access: &[String],
    desired: &[String],
    script: HostScript,
) -> Result<(), SynthError> {
    let ParentCluster { cluster, nodes, nlb, role, profile } = parent;
    let HostScript { rendered, instance_logical_id } = script;
    let host_id = "ManagementHost";
    let stack = app.add_stack(&names.management, env);
    stack.set_description("karmada-eks: management host that installs Karmada and runs its reconcile");
    tag(stack, config, Part::Management);
    for name in access {
        stack.add_dependency(name);
    }
    // The bootstrap runs the bundle's `backup` before it removes a half-finished install.
    stack.add_dependency(&desired[0]);
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
    Ok(())
}
