//! Errors of synthesis.

/// Why synth refused to produce an assembly.
#[derive(Debug, thiserror::Error)]
pub enum SynthError {
    /// A construct was misused (duplicate path, bad reference, ...): a bug in the app's code.
    #[error("stack {stack}: {message}")]
    Construct { stack: String, message: String },
    /// Aspects reported errors, each `<stack>/<construct path>: <message>`.
    #[error("an aspect refused the app:\n  {}\n  hint: change the resource (an override can) or remove the aspect", errors.join("\n  "))]
    Aspect { errors: Vec<String> },
    /// Stacks reference each other in a loop.
    #[error("stacks depend on each other in a cycle: {}\n  hint: move the shared resource into one stack, or pass the value as a literal", cycle.join(" -> "))]
    Cycle { cycle: Vec<String> },
    /// A template passes a hard CloudFormation limit.
    #[error("stack {stack}: {what} is {actual}, over CloudFormation's limit of {limit}\n  hint: {hint}")]
    Limit { stack: String, what: &'static str, actual: usize, limit: usize, hint: String },
    /// A per-app limit of another service (SSM, IAM, CloudFormation quotas) that grows with the configuration.
    #[error("{what} would be {actual}, over {service}'s limit of {limit}\n  hint: {hint}")]
    Quota { what: String, actual: usize, limit: usize, service: &'static str, hint: String },
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// The output path holds something karmada-eks did not write, or writing it failed.
    #[error("{0}")]
    Output(#[from] super::output_path::OutputError),
    #[error("cloud assembly {path}: {message}")]
    Assembly { path: String, message: String },
}
