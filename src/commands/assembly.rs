//! The cloud assembly a command works on: synthesized from the config, or from `--app DIR|COMMAND`; and the
//! check that stack names given on the command line belong to it.

use anyhow::{Context, Result};
use std::path::Path;

use crate::app_source::AppSource;
use constructs::core::{CloudAssembly, StackArtifact};
use constructs::karmada::{Config, KarmadaApp, KarmadaError};

/// Synthesizes the app the config describes, with its `[checks]` and `[[overrides]]`. A config error found while
/// building (an override naming no resource) is reported as the config error it is: the field and the hint.
pub fn synth_config(config: &Config) -> Result<CloudAssembly> {
    let app = KarmadaApp::new(config).map_err(|e| match e {
        KarmadaError::Config(e) => anyhow::Error::new(e),
        other => anyhow::Error::new(other).context("building the app"),
    })?;
    app.synth().context("synthesizing the app")
}

/// The assembly a command works on: `--app DIR` as written earlier, `--app COMMAND` as that command writes it,
/// else a fresh synth of the config.
///
/// Without `--app`, the `app` of `./cdk.json` is used as the AWS CDK CLI uses it (and said on stderr), unless a
/// `--config` names the config to synthesize.
pub fn load_assembly(config_path: Option<&Path>, app: Option<&str>) -> Result<CloudAssembly> {
    let remembered = match (app, config_path) {
        (None, None) => crate::app_source::from_cdk_json(Path::new("."))?,
        _ => None,
    };
    if let Some(app) = &remembered {
        eprintln!("Using the app of {}: {app}", crate::app_source::CDK_JSON);
    }
    match app.or(remembered.as_deref()) {
        Some(app) => AppSource::parse(app)?.load(config_path),
        None => synth_config(&crate::config::load(config_path)?),
    }
}

/// A stack as `list --json` and `synth --json` describe it.
pub fn stack_json(stack: &StackArtifact) -> serde_json::Value {
    serde_json::json!({
        "name": stack.name,
        "environment": stack.environment.uri(),
        "region": stack.environment.region,
        "dependencies": stack.dependencies,
    })
}
