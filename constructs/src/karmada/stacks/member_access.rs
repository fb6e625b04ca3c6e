//! `<app>-member-access-<region>` (`-2`, `-3`, ... when one stack would pass a limit): per member region, the
//! access entries that give the management host's role cluster-admin on each member.

use super::stack_tags::tag;
use crate::core::size;
use crate::core::template::{MAX_INLINE_TEMPLATE_BYTES, MAX_RESOURCES};
use crate::core::{App, Environment, Stack, SynthError};
use crate::eks::access_entry::add_cluster_admin;
use crate::iam::Role;
use crate::karmada::config::{Config, Member};
use crate::karmada::wellknown::{Part, StackNames};

/// One stack of access entries per member region, split into parts where one stack would pass a CloudFormation
/// limit (51,200 template bytes, 500 resources). Returns the stacks' names.
///
/// A region's stack is first built whole and measured; if it does not fit, the members are packed in config order
/// into parts by their measured bytes. Appending members never moves an existing member to another part. Part
/// `n` depends on part `n + 1`, so when removing a member shifts later members into earlier parts, the later part
/// deletes their access entries before the earlier part creates them (EKS allows one entry per principal).
pub fn member_access_stacks(
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
