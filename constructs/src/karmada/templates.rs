//! The handlebars templates under `templates/` (the bootstrap script and the Kubernetes manifests), embedded in
//! the crate and compiled once per process: every synth renders them, and compiling dominates rendering.
//!
//! Rendering is strict (a missing variable is an error) and unescaped (the output is shell and YAML, not HTML).

use std::sync::OnceLock;

use handlebars::Handlebars;

/// One file of `templates/`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Template {
    /// `bootstrap.sh.hbs`: the management host's user-data script.
    Bootstrap,
    /// `bootstrap-input.sh.hbs`: the shell fragment that writes the member list and manifests to disk.
    BootstrapInput,
    /// `storageclass.yaml.hbs`: the gp3 StorageClass of the etcd volumes.
    StorageClass,
    /// `deployment.yaml.hbs`: the sample workload.
    Deployment,
    /// `propagation-policy.yaml.hbs`: the sample workload's weighted PropagationPolicy.
    PropagationPolicy,
}

const ALL: [Template; 5] = [
    Template::Bootstrap,
    Template::BootstrapInput,
    Template::StorageClass,
    Template::Deployment,
    Template::PropagationPolicy,
];

/// The bootstrap script's steps, included as `{{> bootstrap/<name>}}`. The script is split because handlebars'
/// compile time grows with the square of a template's length (it computes every element's line and column from
/// the start of the text).
const PARTIALS: [(&str, &str); 7] = [
    ("bootstrap/functions", include_str!("../../../templates/bootstrap/functions.sh.hbs")),
    ("bootstrap/input", include_str!("../../../templates/bootstrap/input.sh.hbs")),
    ("bootstrap/install-tools", include_str!("../../../templates/bootstrap/install-tools.sh.hbs")),
    ("bootstrap/parent", include_str!("../../../templates/bootstrap/parent.sh.hbs")),
    ("bootstrap/karmada-init", include_str!("../../../templates/bootstrap/karmada-init.sh.hbs")),
    ("bootstrap/karmada-endpoint", include_str!("../../../templates/bootstrap/karmada-endpoint.sh.hbs")),
    ("bootstrap/join-members", include_str!("../../../templates/bootstrap/join-members.sh.hbs")),
];

impl Template {
    /// The file's name under `templates/`.
    pub fn file(self) -> &'static str {
        match self {
            Template::Bootstrap => "bootstrap.sh.hbs",
            Template::BootstrapInput => "bootstrap-input.sh.hbs",
            Template::StorageClass => "storageclass.yaml.hbs",
            Template::Deployment => "deployment.yaml.hbs",
            Template::PropagationPolicy => "propagation-policy.yaml.hbs",
        }
    }

    fn text(self) -> &'static str {
        match self {
            Template::Bootstrap => include_str!("../../../templates/bootstrap.sh.hbs"),
            Template::BootstrapInput => include_str!("../../../templates/bootstrap-input.sh.hbs"),
            Template::StorageClass => include_str!("../../../templates/storageclass.yaml.hbs"),
            Template::Deployment => include_str!("../../../templates/deployment.yaml.hbs"),
            Template::PropagationPolicy => include_str!("../../../templates/propagation-policy.yaml.hbs"),
        }
    }
}

/// A template that did not compile or render.
#[derive(Debug, thiserror::Error)]
#[error("rendering templates/{file}: {message}")]
pub struct TemplateError {
    pub file: &'static str,
    pub message: String,
}

struct Registry {
    handlebars: Handlebars<'static>,
    compile_errors: Vec<(String, String)>,
}

fn registry() -> &'static Registry {
    static REGISTRY: OnceLock<Registry> = OnceLock::new();
    REGISTRY.get_or_init(|| {
        let mut handlebars = Handlebars::new();
        handlebars.set_strict_mode(true);
        handlebars.register_escape_fn(handlebars::no_escape);
        let mut compile_errors = Vec::new();
        let partials = PARTIALS.iter().map(|(name, text)| (format!("{name}.sh.hbs"), *name, *text));
        let templates = ALL.iter().map(|t| (t.file().to_string(), t.file(), t.text()));
        for (file, name, text) in partials.chain(templates) {
            if let Err(e) = handlebars.register_template_string(name, text) {
                compile_errors.push((file, e.to_string()));
            }
        }
        Registry { handlebars, compile_errors }
    })
}

/// Renders `template` with `data`.
pub fn render(template: Template, data: &serde_json::Value) -> Result<String, TemplateError> {
    let registry = registry();
    if let Some((file, message)) = registry.compile_errors.first() {
        return Err(TemplateError {
            file: template.file(),
            message: format!("templates/{file} does not compile: {message}"),
        });
    }
    registry
        .handlebars
        .render(template.file(), data)
        .map_err(|e| TemplateError { file: template.file(), message: e.to_string() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_template_compiles() {
        assert!(registry().compile_errors.is_empty(), "{:?}", registry().compile_errors);
        for template in ALL {
            assert!(registry().handlebars.has_template(template.file()), "{}", template.file());
        }
        for (name, _) in PARTIALS {
            assert!(Template::Bootstrap.text().contains(&format!("{{{{> {name}}}}}\n")), "{name} is not included");
        }
    }

    #[test]
    fn a_missing_variable_names_the_file() {
        let message = render(Template::StorageClass, &serde_json::json!({})).unwrap_err().to_string();
        assert!(message.starts_with("rendering templates/storageclass.yaml.hbs: "), "{message}");
        assert!(message.contains("name"), "{message}");
    }
}
