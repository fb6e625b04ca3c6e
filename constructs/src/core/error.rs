//! Errors of synthesis.

use super::hints::Hints;

/// Why synth refused to produce an assembly.
#[derive(Debug, thiserror::Error)]
pub enum SynthError {
    /// A construct was misused (duplicate path, bad reference, ...): a bug in the app's code.
    #[error("stack {stack}: {message}")]
    Construct { stack: String, message: String },
    /// Aspects reported errors, each `<stack>/<construct path>: <message>`.
    #[error("an aspect refused the app:\n  {}", errors.join("\n  "))]
    Aspect { errors: Vec<String> },
    /// Stacks reference each other in a loop.
    #[error("stacks depend on each other in a cycle: {}", cycle.join(" -> "))]
    Cycle { cycle: Vec<String> },
    /// A template passes a hard CloudFormation limit.
    #[error("stack {stack}: {what} is {actual}, over CloudFormation's limit of {limit}")]
    Limit { stack: String, what: &'static str, actual: usize, limit: usize, hint: String },
    /// A per-app limit of another service (SSM, IAM, CloudFormation quotas) that grows with the configuration.
    #[error("{what} would be {actual}, over {service}'s limit of {limit}")]
    Quota { what: String, actual: usize, limit: usize, service: &'static str, hint: String },
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// The output path holds something karmada-eks did not write, or writing it failed.
    #[error("{0}")]
    Output(#[from] super::output_path::OutputError),
    #[error("cloud assembly {path}: {message}")]
    Assembly { path: String, message: String },
}

impl Hints for SynthError {
    fn hints(&self) -> Vec<String> {
        match self {
            SynthError::Aspect { .. } => vec!["change the resource (an override can) or remove the aspect".into()],
            SynthError::Cycle { .. } => {
                vec!["move the shared resource into one stack, or pass the value as a literal".into()]
            }
            SynthError::Limit { hint, .. } | SynthError::Quota { hint, .. } => vec![hint.clone()],
            SynthError::Output(e) => e.hints(),
            SynthError::Construct { .. } | SynthError::Io(_) | SynthError::Assembly { .. } => Vec::new(),
        }
    }
}
