//! Which stacks a command works on, as the AWS CDK CLI chooses them: all when none are named; the named ones plus
//! their dependencies (deploy, diff) or plus the stacks that depend on them (destroy), unless `--exclusively`.

use constructs::core::{CloudAssembly, StackArtifact};

use crate::error::UsageError;
use std::collections::BTreeSet;

/// Which way to extend a selection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Extend {
    /// Add what the named stacks depend on, transitively.
    Dependencies,
    /// Add the stacks that depend on the named ones, transitively.
    Dependents,
    None,
}

/// The selected stack names, in assembly (deploy) order.
pub fn select(assembly: &CloudAssembly, names: &[String], extend: Extend) -> Vec<String> {
    if names.is_empty() {
        return assembly.stacks.iter().map(|s| s.name.clone()).collect();
    }
    let mut chosen: BTreeSet<String> = names.iter().cloned().collect();
    loop {
        let before = chosen.len();
        for s in &assembly.stacks {
            match extend {
                Extend::Dependencies if chosen.contains(&s.name) => chosen.extend(s.dependencies.iter().cloned()),
                Extend::Dependents if s.dependencies.iter().any(|d| chosen.contains(d)) => {
                    chosen.insert(s.name.clone());
                }
                _ => {}
            }
        }
        if chosen.len() == before {
            break;
        }
    }
    assembly.stacks.iter().filter(|s| chosen.contains(&s.name)).map(|s| s.name.clone()).collect()
}

/// Checks that every name given on the command line is a stack of the assembly.
pub fn check_stack_names(assembly: &CloudAssembly, names: &[String]) -> Result<(), UsageError> {
    for name in names {
        if assembly.stack(name).is_none() {
            let known: Vec<&str> = assembly.stacks.iter().map(|s| s.name.as_str()).collect();
            return Err(UsageError::new(format!("no stack named {name:?}"))
                .hint(format!("the app's stacks are: {}", known.join(", "))));
        }
    }
    Ok(())
}

/// The stacks of `assembly` named in `selected`, in the assembly's order.
pub fn selected_stacks<'a>(
    assembly: &'a CloudAssembly,
    selected: &'a [String],
) -> impl Iterator<Item = &'a StackArtifact> + Clone {
    assembly.stacks.iter().filter(|s| selected.contains(&s.name))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::deploy::testing::assembly;

    #[test]
    fn named_stacks_extend_as_in_the_cdk_cli() {
        let a = assembly(&[("net", &[]), ("cluster", &["net"]), ("mgmt", &["cluster"]), ("other", &[])]);
        let s = |names: &[&str], e| select(&a, &names.iter().map(|n| n.to_string()).collect::<Vec<_>>(), e);
        assert_eq!(s(&[], Extend::None), vec!["net", "cluster", "mgmt", "other"]);
        assert_eq!(s(&["mgmt"], Extend::Dependencies), vec!["net", "cluster", "mgmt"]);
        assert_eq!(s(&["mgmt"], Extend::None), vec!["mgmt"]);
        assert_eq!(s(&["net"], Extend::Dependents), vec!["net", "cluster", "mgmt"]);
    }
}
