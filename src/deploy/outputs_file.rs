//! `deploy --outputs-file FILE`: the deployed stacks' outputs as JSON, `{"<stack>": {"<key>": "<value>"}}`, as
//! the AWS CDK CLI's `--outputs-file` writes them, so a script written for one reads the other. The file is
//! replaced only when it holds such outputs of this app (its first key names a stack `<app>-...`): a file
//! karmada-eks did not write is never overwritten.

use serde_json::{Map, Value};
use std::path::Path;

use super::report::DeployReport;
use constructs::core::output_path::{self, FileWrite, OutputError, OwnFile};

/// Whether `head` (a file's first bytes) is an outputs file of `app`: an empty object, or one whose first key
/// is a stack of the app.
fn is_outputs_of(app: &str, head: &[u8]) -> bool {
    let text = String::from_utf8_lossy(head);
    let Some(rest) = text.trim_start().strip_prefix('{') else { return false };
    let rest = rest.trim_start();
    rest.starts_with('}') || rest.starts_with(&format!("\"{app}-"))
}

fn refusal_or_write(path: &Path, app: &str, content: Option<&[u8]>) -> Result<(), OutputError> {
    let recognise = |head: &[u8]| is_outputs_of(app, head);
    let what = format!("the outputs of app {app} that karmada-eks wrote");
    let how = FileWrite {
        mode: 0o644,
        force: false,
        offers_force: false,
        owned: Some(OwnFile { recognise: &recognise, what: &what }),
        leftovers: None,
        elsewhere: "name another file with --outputs-file FILE",
    };
    match content {
        None => output_path::check_file(path, &how),
        Some(bytes) => output_path::write_file(path, bytes, &how),
    }
}

/// The refusal `write` would give, before any stack is touched.
pub fn check(path: &Path, app: &str) -> Result<(), OutputError> {
    refusal_or_write(path, app, None)
}

/// The outputs of every stack of `report` that ended well, in deploy order.
pub fn outputs(report: &DeployReport) -> Value {
    let mut stacks = Map::new();
    for s in report.stacks.iter().filter(|s| s.ok()) {
        let outputs: Map<String, Value> =
            s.outputs.iter().map(|o| (o.key.clone(), Value::from(o.value.clone()))).collect();
        stacks.insert(s.name.clone(), Value::Object(outputs));
    }
    Value::Object(stacks)
}

/// Writes the outputs of `report` to `path`.
pub fn write(path: &Path, app: &str, report: &DeployReport) -> Result<(), OutputError> {
    let text = serde_json::to_string_pretty(&outputs(report)).unwrap_or_default() + "\n";
    refusal_or_write(path, app, Some(text.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_an_outputs_file_of_this_app_is_recognised() {
        assert!(is_outputs_of("karmada", b"{\n  \"karmada-network\": {\n    \"VpcId\": \"vpc-1\""));
        assert!(is_outputs_of("karmada", b"{}\n"));
        assert!(!is_outputs_of("karmada", b"{\n  \"other-network\": {}"), "another app's");
        assert!(!is_outputs_of("karmada", b"apiVersion: v1\n"));
        assert!(!is_outputs_of("karmada", b""));
    }
}
