//! `karmada-eks-reconcile` (`templates/fetcher.sh.hbs`), the management host's one entry point for day 2: it
//! fetches the desired state from SSM and runs the bundle's reconcile script. One text, written twice: by the
//! user-data on day 1, and by every later bundle's `apply`, so a host deployed by an earlier release gets the
//! subcommands of the release that deploys it now.

use serde_json::json;

use super::shell::FILE_MARKER;
use super::templates::{self, Template, TemplateError};
use crate::karmada::wellknown;

/// The fetcher of `app`'s host, as the host runs it.
pub fn render(app: &str) -> Result<String, TemplateError> {
    let text = templates::render(
        Template::Fetcher,
        &json!({
            "desired_state_parameter": wellknown::desired_state_parameter(app),
            "desired_state_chunk_prefix": format!("{}/", wellknown::desired_state_parameter(app)),
            "bootstrap_log": wellknown::HOST_BOOTSTRAP_LOG,
            "reconcile_log": wellknown::HOST_RECONCILE_LOG,
            "file_marker": FILE_MARKER,
            "file_marker_len_plus_one": FILE_MARKER.len() + 1,
        }),
    )?;
    Ok(text.trim_start().to_string())
}

/// The fetcher as the user-data holds it: inside `Fn::Sub`, so every `${` of the shell is written `${!`.
pub fn for_user_data(app: &str) -> Result<String, TemplateError> {
    Ok(render(app)?.replace("${", "${!").trim_end().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fetcher_starts_with_its_interpreter_and_hands_every_subcommand_but_log_to_the_bundle() {
        let text = render("karmada").unwrap();
        assert!(text.starts_with("#!/bin/bash\n"), "{text}");
        assert!(text.contains("/karmada/karmada/desired-state"));
        assert!(text.contains("if [ \"${1:-}\" = log ]; then"));
        assert!(text.trim_end().ends_with("BUNDLE_SHA256=$sha exec bash \"$dir/reconcile.sh\" \"$@\""));
        let escaped = for_user_data("karmada").unwrap();
        assert_eq!(escaped.matches("${").count(), escaped.matches("${!").count());
        assert_eq!(escaped.replace("${!", "${"), text.trim_end());
    }
}
