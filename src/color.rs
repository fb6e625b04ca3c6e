//! ANSI colour on standard output, as <https://no-color.org> asks: only on a terminal, and never while `NO_COLOR`
//! is set to anything but the empty string, nor after `--no-color`.

use std::ffi::OsString;
use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, Ordering};

static OFF: AtomicBool = AtomicBool::new(false);

/// Turns colour off for the rest of the process (`--no-color`).
pub fn turn_off() {
    OFF.store(true, Ordering::Relaxed);
}

/// Whether output to standard output is coloured now.
pub fn stdout() -> bool {
    !OFF.load(Ordering::Relaxed) && enabled(std::io::stdout().is_terminal(), std::env::var_os("NO_COLOR"))
}

/// Colour on a `terminal` unless `no_color` (the value of `NO_COLOR`) is set and not empty.
pub fn enabled(terminal: bool, no_color: Option<OsString>) -> bool {
    terminal && no_color.is_none_or(|v| v.is_empty())
}

/// `text` in the SGR colour `code` (`31` red, `32` green, `33` yellow) when `on`, else as it is.
pub fn paint(on: bool, code: &str, text: &str) -> String {
    if on {
        format!("\x1b[{code}m{text}\x1b[0m")
    } else {
        text.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_color_set_to_anything_but_empty_turns_colour_off_and_a_pipe_never_has_it() {
        assert!(enabled(true, None));
        assert!(enabled(true, Some("".into())));
        assert!(!enabled(true, Some("1".into())));
        assert!(!enabled(true, Some("false".into())), "any non-empty value, per no-color.org");
        assert!(!enabled(false, None));
        assert_eq!(paint(true, "31", "x"), "\x1b[31mx\x1b[0m");
        assert_eq!(paint(false, "31", "x"), "x");
    }
}
