//! How errors reach the user: `error: ...` on stderr, `hint: ...` where there is a fix, and the exit code.
//!
//! Exit codes: 0 success, 1 a failure while doing the work (AWS error, failed deploy), 2 bad input (config,
//! arguments, unknown stack names, an output path holding what karmada-eks did not write) with nothing written.

use std::process::ExitCode;

use constructs::core::output_path::Refused;
use constructs::karmada::ConfigError;

/// Input the user must fix; exits 2.
#[derive(Debug, thiserror::Error)]
#[error("{message}{}", hint.as_ref().map(|h| format!("\n  hint: {h}")).unwrap_or_default())]
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

pub fn exit_code(e: &anyhow::Error) -> u8 {
    let usage = |c: &(dyn std::error::Error + 'static)| {
        c.is::<UsageError>()
            || c.is::<ConfigError>()
            || c.is::<Refused>()
            || c.downcast_ref::<crate::deploy::error::DeployError>().is_some_and(|d| d.is_usage())
    };
    if e.chain().any(usage) {
        2
    } else {
        1
    }
}

/// The exit status of a process killed by SIGPIPE (128 + 13), what `cat | head` gives its `cat`.
const BROKEN_PIPE: u8 = 141;

pub fn report(e: &anyhow::Error) -> ExitCode {
    // The reader of stdout went away (`| head`): nothing to tell it, as a tool killed by SIGPIPE says nothing.
    let closed = e
        .chain()
        .any(|c| c.downcast_ref::<std::io::Error>().is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe));
    if closed {
        return ExitCode::from(BROKEN_PIPE);
    }
    let mut text = format!("{e}");
    for cause in e.chain().skip(1) {
        let cause = cause.to_string();
        if !text.contains(&cause) {
            text.push_str(&format!("\n  caused by: {cause}"));
        }
    }
    eprintln!("error: {text}");
    ExitCode::from(exit_code(e))
}
