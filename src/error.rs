//! How errors reach the user, in one place: `error: <message>` on stderr, then each of its hints on a line
//! `  hint: ...` (errors carry them as data, see [`Hints`]; `--json` outputs put them in a `hints` field), and the
//! one table of exit codes ([`Exit`]).

use std::fmt;
use std::process::ExitCode;

use constructs::core::output_path::{OutputError, Refused};
use constructs::core::{Hints, SynthError};
use constructs::inspect::facts::NoApp;
use constructs::karmada::{ConfigError, KarmadaError};

use crate::deploy::error::{AwsError, DeployError};
use crate::deploy::host::reconcile::ReconcileError;
use crate::deploy::host::run_command::HostError;

/// Every exit status karmada-eks gives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    Success = 0,
    /// A failure while doing the work (AWS error, failed deploy), an unhealthy `status`, a failed `doctor` check.
    Failed = 1,
    /// Bad input (config, arguments, unknown stack names, an output path holding what karmada-eks did not write)
    /// while nothing was changed.
    Usage = 2,
    /// `status` could not tell: nothing is known to be wrong, but a check could not be made (an AWS error,
    /// drift detection that failed); `diff` and `grep` answer 2 for this, which is taken here by bad input.
    Undetermined = 3,
    /// Ctrl-C (128 + SIGINT), as shells report it.
    Interrupted = 130,
    /// The reader of stdout went away (128 + SIGPIPE), what `cat | head` gives its `cat`.
    BrokenPipe = 141,
}

impl From<Exit> for ExitCode {
    fn from(exit: Exit) -> ExitCode {
        ExitCode::from(exit as u8)
    }
}

/// Input the user must fix; exits 2.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct UsageError {
    pub message: String,
    pub hint: Option<String>,
}

impl UsageError {
    pub fn new(message: impl Into<String>) -> Self {
        UsageError { message: message.into(), hint: None }
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}

impl Hints for UsageError {
    fn hints(&self) -> Vec<String> {
        self.hint.iter().cloned().collect()
    }
}

/// A failure of the work (exits 1) with what to do about it.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct Failure {
    pub message: String,
    pub hints: Vec<String>,
}

impl Hints for Failure {
    fn hints(&self) -> Vec<String> {
        self.hints.clone()
    }
}

/// The hints of one error, when it is of a type that carries them.
fn hints_of(e: &(dyn std::error::Error + 'static)) -> Vec<String> {
    macro_rules! first_of {
        ($($t:ty),*) => {
            $(if let Some(x) = e.downcast_ref::<$t>() { return x.hints(); })*
        };
    }
    first_of!(
        UsageError,
        Failure,
        ConfigError,
        KarmadaError,
        SynthError,
        OutputError,
        Refused,
        DeployError,
        AwsError,
        ReconcileError,
        HostError,
        NoApp
    );
    Vec::new()
}

/// The hints of every error in `e`'s chain, each once, outermost first.
pub fn hints(e: &anyhow::Error) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for cause in e.chain() {
        for h in hints_of(cause) {
            if !out.contains(&h) {
                out.push(h);
            }
        }
    }
    out
}

pub use constructs::core::hints::with_hints;

/// An error as a JSON outcome's fields: `{"error": message, "hints": [...]}`.
pub fn json_fields(message: impl fmt::Display, hints: &[String]) -> serde_json::Value {
    serde_json::json!({ "error": message.to_string(), "hints": hints })
}

/// What `e` means for the exit status: interrupted, the user's input to fix, or a failure.
pub fn exit_of(e: &anyhow::Error) -> Exit {
    let interrupted = |c: &(dyn std::error::Error + 'static)| {
        c.downcast_ref::<DeployError>().is_some_and(|d| matches!(d, DeployError::Interrupted { .. }))
            || c.downcast_ref::<ReconcileError>().is_some_and(ReconcileError::is_interrupted)
            || c.downcast_ref::<HostError>().is_some_and(HostError::is_interrupted)
    };
    let usage = |c: &(dyn std::error::Error + 'static)| {
        c.is::<UsageError>()
            || c.is::<ConfigError>()
            || c.is::<Refused>()
            || c.is::<NoApp>()
            || c.downcast_ref::<DeployError>().is_some_and(|d| d.is_usage())
    };
    if e.chain().any(interrupted) {
        Exit::Interrupted
    } else if e.chain().any(usage) {
        Exit::Usage
    } else {
        Exit::Failed
    }
}

pub fn report(e: &anyhow::Error) -> ExitCode {
    // The reader of stdout went away (`| head`): nothing to tell it, as a tool killed by SIGPIPE says nothing.
    let closed = e
        .chain()
        .any(|c| c.downcast_ref::<std::io::Error>().is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe));
    if closed {
        return Exit::BrokenPipe.into();
    }
    let mut text = format!("{e}");
    for cause in e.chain().skip(1) {
        let cause = cause.to_string();
        if !text.contains(&cause) {
            text.push_str(&format!("\n  caused by: {cause}"));
        }
    }
    eprintln!("error: {}", with_hints(text, &hints(e)));
    exit_of(e).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hints_are_data_printed_on_their_own_lines_and_each_kind_has_one_exit_code() {
        let usage = anyhow::Error::new(UsageError::new("no stack named \"x\"").hint("the app's stacks are: a"));
        assert_eq!(usage.to_string(), "no stack named \"x\"", "Display carries no hint");
        assert_eq!(hints(&usage), ["the app's stacks are: a"]);
        assert_eq!(with_hints(&usage, &hints(&usage)), "no stack named \"x\"\n  hint: the app's stacks are: a");
        assert_eq!(exit_of(&usage), Exit::Usage);
        let wrapped = usage.context("deploying");
        assert_eq!(hints(&wrapped), ["the app's stacks are: a"], "found through context");
        assert_eq!(exit_of(&wrapped), Exit::Usage);
        let locked = anyhow::Error::new(DeployError::Interrupted { stack: "s".into(), detail: "d".into() });
        assert_eq!(exit_of(&locked), Exit::Interrupted);
        let failed = anyhow::Error::new(Failure { message: "m".into(), hints: vec!["h1".into(), "h2".into()] });
        assert_eq!((exit_of(&failed), hints(&failed)), (Exit::Failed, vec!["h1".to_string(), "h2".to_string()]));
        assert_eq!(json_fields(&failed, &hints(&failed)), serde_json::json!({"error": "m", "hints": ["h1", "h2"]}));
        assert_eq!(
            [Exit::Success, Exit::Failed, Exit::Usage, Exit::Undetermined, Exit::Interrupted, Exit::BrokenPipe]
                .map(|e| e as u8),
            [0, 1, 2, 3, 130, 141]
        );
    }
}
