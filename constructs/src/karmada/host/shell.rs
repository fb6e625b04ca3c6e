//! What every host script shares: the rule for values written unquoted into the scripts and the marker that
//! separates the files of the desired-state bundle.

use super::error::ScriptError;

/// The line that starts each file of the bundle, followed by the file's name.
pub const FILE_MARKER: &str = "#@karmada-eks-file ";

/// A value the scripts write unquoted: letters, digits and `._-:/@+=,` only.
pub(crate) fn shell_word(field: &str, value: &str) -> Result<(), ScriptError> {
    let ok = !value.is_empty() && value.bytes().all(|b| b.is_ascii_alphanumeric() || b"._-:/@+=,".contains(&b));
    if ok {
        Ok(())
    } else {
        Err(ScriptError::UnsafeValue { field: field.into(), value: value.into() })
    }
}
