//! Limits that grow with the member count, checked at synth with the member count where each one breaks, and
//! the parent's size for the member count.
//!
//! | limit | where it is checked |
//! | --- | --- |
//! | template size and resources of a member-access stack | `member_access::member_access_stacks` splits a region into parts |
//! | CloudFormation stacks per region (2,000, a default quota) | [`check_app`] |
//! | IAM inline policies of the host's role (10,240 characters) | `host_role::management_role`, then [`check_role_policy`] |
//! | SSM Standard parameters per region (10,000) for the desired state | [`check_app`], with [`desired_state_chunks`] |
//! | SSM Run Command output returned inline (24,000 characters) | [`check_parent`]: a note past it |
//! | Karmada's tested scale (100 members) and its control-plane size | [`check_parent`]: warnings |

use crate::core::{App, Stack, SynthError};
use crate::ec2::instance_type;
use crate::karmada::config::Config;

/// Members Karmada's published scale test ran: "Test Report on Karmada's Support for 100 Large-Scale Clusters"
/// (karmada.io blog, 2022-10-26): 100 clusters of 5,000 nodes and 20,000 pods each.
pub const TESTED_MEMBERS: usize = 100;
/// vCPUs of the one node the test's Karmada control plane ran on, its components without resource limits
/// (same report, "Test Environment Information"; karmada-etcd ran with `--quota-backend-bytes=8G`,
/// karmada-apiserver with `--max-requests-inflight=2000 --max-mutating-requests-inflight=1000`).
pub const TESTED_CONTROL_PLANE_VCPUS: u32 = 64;
/// Memory (GiB) of that node.
pub const TESTED_CONTROL_PLANE_GIB: u32 = 512;

/// Characters of a command's output SSM Run Command returns inline (`GetCommandInvocation`
/// `StandardOutputContent`); the rest is only in S3 or CloudWatch Logs, or on the host.
pub const RUN_COMMAND_INLINE_CHARS: usize = 24_000;
/// Upper bound of what `karmada-eks-reconcile status` prints per member (one JSON object: name, Ready, version,
/// sync mode, replicas). Our own bound until the host's scripts define it in `desired_state.rs`.
pub const STATUS_OUTPUT_BYTES_PER_MEMBER: usize = 320;

/// Upper bound of the desired-state bundle's bytes per member (its member line, its policy entry and its share of
/// the workload manifests). Our own bound until `desired_state.rs` defines it.
pub const DESIRED_STATE_BYTES_PER_MEMBER: usize = 256;
/// Upper bound of the bundle's bytes that do not depend on the members (the reconcile script, the manifests'
/// fixed parts, the settings).
pub const DESIRED_STATE_FIXED_BYTES: usize = 64 * 1024;
/// Bytes of one desired-state chunk (a Standard-tier SSM parameter holds 4 KB).
pub const DESIRED_STATE_CHUNK_BYTES: usize = 4_096;
/// Standard-tier SSM parameters per account and region (Systems Manager quotas).
pub const MAX_STANDARD_PARAMETERS: usize = 10_000;
/// CloudFormation stacks per account and region (a default quota that can be raised).
pub const MAX_STACKS_PER_REGION: usize = 2_000;

/// IAM's cap on the characters of all inline policies of one role, whitespace not counted.
pub const MAX_ROLE_INLINE_POLICY_CHARS: usize = 10_240;

/// SSM parameters the desired state of `members` members needs at most: base64 of the bundle in 4,096-byte
/// chunks, plus the head and the applied-state parameter.
pub fn desired_state_chunks(members: usize) -> usize {
    let bundle = DESIRED_STATE_FIXED_BYTES + members * DESIRED_STATE_BYTES_PER_MEMBER;
    let base64 = bundle.div_ceil(3) * 4;
    base64.div_ceil(DESIRED_STATE_CHUNK_BYTES) + 2
}

/// The largest member count whose desired state fits `MAX_STANDARD_PARAMETERS`.
pub fn desired_state_max_members() -> usize {
    let chunks = MAX_STANDARD_PARAMETERS - 2;
    let bundle = chunks * DESIRED_STATE_CHUNK_BYTES / 4 * 3;
    (bundle - DESIRED_STATE_FIXED_BYTES) / DESIRED_STATE_BYTES_PER_MEMBER
}

/// Warnings and notes on the cluster stack about the parent's size for `config`'s members.
pub fn check_parent(config: &Config, stack: &mut Stack) {
    let members = config.members.len();
    let nodes = &config.parent.nodes;
    let k = &config.karmada;
    if nodes.min < k.etcd_replicas {
        stack.add_warning(format!(
            "parent.nodes.min is {} but karmada.etcd_replicas is {}: Karmada v1.18.2 gives etcd only a preferred pod anti-affinity (pkg/karmadactl/cmdinit/kubernetes/statefulset.go), so two etcd members can share a node and losing that node loses quorum; set parent.nodes.min to at least {}",
            nodes.min, k.etcd_replicas, k.etcd_replicas
        ));
    }
    if members > TESTED_MEMBERS {
        stack.add_warning(format!(
            "{members} members are more than the {TESTED_MEMBERS} Karmada's published scale test ran; watch the control plane's load"
        ));
    }
    if let Some(shortfall) = capacity_shortfall(config) {
        stack.add_warning(shortfall);
    }
    let status = members * STATUS_OUTPUT_BYTES_PER_MEMBER;
    if status > RUN_COMMAND_INLINE_CHARS {
        stack.add_note(format!(
            "`karmada-eks-reconcile status` for {members} members prints up to {status} characters, more than the {RUN_COMMAND_INLINE_CHARS} SSM Run Command returns inline (from {} members on): the rest is read from the host's log.",
            RUN_COMMAND_INLINE_CHARS / STATUS_OUTPUT_BYTES_PER_MEMBER + 1
        ));
    }
}

/// The node group's guaranteed capacity (`min` nodes of the smallest listed type) against the tested control
/// plane's node scaled to the member count (`members / 100` of 64 vCPUs and 512 GiB, at most all of it: past 100
/// members nothing was measured, which the other warning says). That node ran unlimited components for members of
/// 5,000 nodes each, so this is a conservative yardstick, not a measured need; the default node group
/// (3 x m5.large) meets it for up to 4 members.
fn capacity_shortfall(config: &Config) -> Option<String> {
    let members = config.members.len().min(TESTED_MEMBERS) as u32;
    let nodes = &config.parent.nodes;
    let per_node = nodes.instance_types.iter().map(|t| instance_type::capacity(t)).collect::<Option<Vec<_>>>()?;
    let vcpus = per_node.iter().map(|c| c.0).min()? * nodes.min;
    let gib = per_node.iter().map(|c| c.1).min()? * nodes.min;
    let want_vcpus = (TESTED_CONTROL_PLANE_VCPUS * members).div_ceil(TESTED_MEMBERS as u32);
    let want_gib = (TESTED_CONTROL_PLANE_GIB * members).div_ceil(TESTED_MEMBERS as u32);
    (vcpus < want_vcpus || gib < want_gib).then(|| {
        format!(
            "the parent's node group guarantees {vcpus} vCPUs and {gib} GiB (parent.nodes.min = {} of {}), below the {want_vcpus} vCPUs and {want_gib} GiB that {members} members scale Karmada's tested control plane to ({TESTED_CONTROL_PLANE_VCPUS} vCPUs, {TESTED_CONTROL_PLANE_GIB} GiB for {TESTED_MEMBERS} members); raise parent.nodes.min or pick larger parent.nodes.instance_types",
            nodes.min,
            nodes.instance_types.join("/"),
        )
    })
}

/// Limits over the whole app: stacks per region and the desired state's SSM parameters.
pub fn check_app(app: &App, config: &Config) -> Result<(), SynthError> {
    let mut per_region: Vec<(&str, usize)> = Vec::new();
    for stack in app.stacks() {
        match per_region.iter_mut().find(|(r, _)| *r == stack.env().region) {
            Some((_, n)) => *n += 1,
            None => per_region.push((&stack.env().region, 1)),
        }
    }
    if let Some((region, count)) = per_region.into_iter().find(|(_, n)| *n > MAX_STACKS_PER_REGION) {
        return Err(SynthError::Quota {
            what: format!("the app's stacks in {region}"),
            actual: count,
            limit: MAX_STACKS_PER_REGION,
            service: "CloudFormation (stacks per account and region)",
            hint: format!("move members to other regions, or ask for a higher CloudFormation stack quota in {region}"),
        });
    }
    let members = config.members.len();
    let chunks = desired_state_chunks(members);
    if chunks > MAX_STANDARD_PARAMETERS {
        return Err(SynthError::Quota {
            what: format!("the desired state of {members} members in SSM Standard parameters"),
            actual: chunks,
            limit: MAX_STANDARD_PARAMETERS,
            service: "Systems Manager (Standard parameters per account and region)",
            hint: format!("at most {} members fit; split the fleet over several apps", desired_state_max_members()),
        });
    }
    Ok(())
}

/// The host role's inline policies against IAM's cap, after `host_role::management_role` fell back to one
/// `eks:DescribeCluster` ARN per member region.
pub fn check_role_policy(chars: usize, regions: usize) -> Result<(), SynthError> {
    if chars <= MAX_ROLE_INLINE_POLICY_CHARS {
        return Ok(());
    }
    Err(SynthError::Quota {
        what: format!("the management role's inline policies with members in {regions} regions, in characters"),
        actual: chars,
        limit: MAX_ROLE_INLINE_POLICY_CHARS,
        service: "IAM (inline policy characters per role)",
        hint: "use fewer member regions, or member EKS names that share a prefix per region".into(),
    })
}
