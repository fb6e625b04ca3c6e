//! `<app>-desired-state` (then `-2`, `-3`, ...): the desired state of Karmada as SSM parameters, which the
//! host's reconcile applies.

use super::stack_tags::tag;
use crate::cfn::ssm::CfnParameter;
use crate::core::{App, Environment, Expr, SynthError};
use crate::karmada::config::Config;
use crate::karmada::host::desired_state;
use crate::karmada::wellknown::{self, Part, StackNames, DESIRED_STATE_SHA256_OUTPUT};

/// Desired-state chunks per stack: 10 chunks of at most 4 KB keep a template well under the 51,200 bytes
/// CloudFormation accepts inline.
pub const DESIRED_STATE_CHUNKS_PER_STACK: usize = 10;

/// The desired state (docs/lifecycle.md) as SSM String parameters in stacks `<app>-desired-state`,
/// `<app>-desired-state-2`, ...: chunks `/<app>/karmada/desired-state/<i>`, ten a stack; the first stack also holds
/// the head `/<app>/karmada/desired-state` and the output `DesiredStateSha256`, and depends on the others so that
/// the chunks are in place before the head names them. Returns the stacks' names. The applied-state parameter
/// `/<app>/karmada/applied-state` is the host's: it creates and overwrites it (a stack holding it would show it
/// drifted after every reconcile), and `destroy` deletes it.
pub fn desired_state_stacks(app: &mut App, config: &Config) -> Result<Vec<String>, SynthError> {
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
