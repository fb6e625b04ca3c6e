//! The handlebars templates under `templates/` (the bootstrap script and the Kubernetes manifests), embedded in
//! the crate and compiled once per process: every synth renders them, and compiling dominates rendering. Their
//! tag-free lines are kept out of the parser ([`static_lines`]), which makes compiling them several times cheaper.
//!
//! Rendering is strict (a missing variable is an error) and unescaped (the output is shell and YAML, not HTML).

use std::sync::OnceLock;

use handlebars::Handlebars;

use super::static_lines::{self, StaticText};

/// One file of `templates/`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Template {
    /// `bootstrap.sh.hbs`: the management host's user-data script.
    Bootstrap,
    /// `reconcile.sh.hbs`: the reconcile script of the desired-state bundle.
    Reconcile,
    /// `fetcher.sh.hbs`: `karmada-eks-reconcile`, which fetches the desired state and runs its reconcile script.
    Fetcher,
    /// `storageclass.yaml.hbs`: the gp3 StorageClass of the etcd volumes.
    StorageClass,
    /// `deployment.yaml.hbs`: the sample workload.
    Deployment,
    /// `propagation-policy.yaml.hbs`: the sample workload's weighted PropagationPolicy.
    PropagationPolicy,
}

const ALL: [Template; 6] = [
    Template::Bootstrap,
    Template::Reconcile,
    Template::Fetcher,
    Template::StorageClass,
    Template::Deployment,
    Template::PropagationPolicy,
];

/// The scripts' parts, included as `{{> bootstrap/<name>}}` and `{{> reconcile/<name>}}`. The scripts are split
/// because handlebars' compile time grows with the square of a template's length (it computes every element's line
/// and column from the start of the text). `reconcile/nlb-targets` is in both scripts.
const PARTIALS: [(&str, &str); 15] = [
    ("bootstrap/functions", include_str!("../../../../templates/bootstrap/functions.sh.hbs")),
    ("bootstrap/install-tools", include_str!("../../../../templates/bootstrap/install-tools.sh.hbs")),
    ("bootstrap/parent", include_str!("../../../../templates/bootstrap/parent.sh.hbs")),
    ("bootstrap/karmada-init", include_str!("../../../../templates/bootstrap/karmada-init.sh.hbs")),
    ("bootstrap/karmada-endpoint", include_str!("../../../../templates/bootstrap/karmada-endpoint.sh.hbs")),
    ("bootstrap/install-reconcile", include_str!("../../../../templates/bootstrap/install-reconcile.sh.hbs")),
    ("reconcile/nlb-targets", include_str!("../../../../templates/reconcile/nlb-targets.sh.hbs")),
    ("reconcile/member", include_str!("../../../../templates/reconcile/member.sh.hbs")),
    ("reconcile/apply", include_str!("../../../../templates/reconcile/apply.sh.hbs")),
    ("reconcile/status", include_str!("../../../../templates/reconcile/status.sh.hbs")),
    ("reconcile/backup", include_str!("../../../../templates/reconcile/backup.sh.hbs")),
    ("reconcile/restore", include_str!("../../../../templates/reconcile/restore.sh.hbs")),
    ("reconcile/certs", include_str!("../../../../templates/reconcile/certs.sh.hbs")),
    ("reconcile/tools", include_str!("../../../../templates/reconcile/tools.sh.hbs")),
    ("reconcile/upgrade", include_str!("../../../../templates/reconcile/upgrade.sh.hbs")),
];

impl Template {
    /// The file's name under `templates/`.
    pub fn file(self) -> &'static str {
        match self {
            Template::Bootstrap => "bootstrap.sh.hbs",
            Template::Reconcile => "reconcile.sh.hbs",
            Template::Fetcher => "fetcher.sh.hbs",
            Template::StorageClass => "storageclass.yaml.hbs",
            Template::Deployment => "deployment.yaml.hbs",
            Template::PropagationPolicy => "propagation-policy.yaml.hbs",
        }
    }

    fn text(self) -> &'static str {
        match self {
            Template::Bootstrap => include_str!("../../../../templates/bootstrap.sh.hbs"),
            Template::Reconcile => include_str!("../../../../templates/reconcile.sh.hbs"),
            Template::Fetcher => include_str!("../../../../templates/fetcher.sh.hbs"),
            Template::StorageClass => include_str!("../../../../templates/storageclass.yaml.hbs"),
            Template::Deployment => include_str!("../../../../templates/deployment.yaml.hbs"),
            Template::PropagationPolicy => include_str!("../../../../templates/propagation-policy.yaml.hbs"),
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
        let mut static_text = StaticText::default();
        let partials = PARTIALS.iter().map(|(name, text)| (format!("{name}.sh.hbs"), *name, *text));
        let templates = ALL.iter().map(|t| (t.file().to_string(), t.file(), t.text()));
        for (file, name, text) in partials.chain(templates) {
            if handlebars.register_template_string(name, static_text.extract(text)).is_err() {
                // Compiled again whole for an error whose line and column are the file's own.
                let message = handlebars::Template::compile(text).err().map_or_else(
                    || format!("does not compile once its static lines are taken out (see {})", module_path!()),
                    |e| e.to_string(),
                );
                compile_errors.push((file, message));
            }
        }
        handlebars.register_helper(static_lines::HELPER, Box::new(static_text));
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
        let includers: Vec<&str> =
            [Template::Bootstrap.text(), Template::Reconcile.text()].into_iter().chain(PARTIALS.map(|p| p.1)).collect();
        for (name, _) in PARTIALS {
            let include = format!("{{{{> {name}}}}}\n");
            assert!(includers.iter().any(|t| t.contains(&include)), "{name} is not included");
        }
    }

    #[test]
    fn a_missing_variable_names_the_file() {
        let message = render(Template::StorageClass, &serde_json::json!({})).unwrap_err().to_string();
        assert!(message.starts_with("rendering templates/storageclass.yaml.hbs: "), "{message}");
        assert!(message.contains("name"), "{message}");
    }
}
