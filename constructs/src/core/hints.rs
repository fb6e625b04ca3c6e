//! What to do about an error, kept apart from what went wrong.

/// The fixes of an error, apart from its message (jj's `CommandError` keeps hints beside the error, uv prints them
/// as `hint:` lines): `Display` says what is wrong, [`Hints::hints`] what to do about it, one fix each, in the
/// order to try them. The CLI prints each on a `hint:` line of its own, and `--json` puts them in a `hints` field.
pub trait Hints {
    fn hints(&self) -> Vec<String>;
}

/// `message` as the CLI prints it after `error: `, then each of `hints` on a line `  hint: ...`.
pub fn with_hints(message: impl std::fmt::Display, hints: &[String]) -> String {
    let mut text = message.to_string();
    for h in hints {
        text.push_str(&format!("\n  hint: {h}"));
    }
    text
}

/// `error` as the CLI prints it: [`with_hints`] of its message and its hints.
pub fn rendered(error: &(impl std::fmt::Display + Hints + ?Sized)) -> String {
    with_hints(error, &error.hints())
}
