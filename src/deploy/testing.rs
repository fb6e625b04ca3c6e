//! Small hand-written assemblies for the deployer's tests.

use constructs::core::{CloudAssembly, Environment, StackArtifact};
use serde_json::{json, Value};

/// A stack named `name` in `region` with `template`, its body and SHA-256 filled in.
pub fn stack(name: &str, region: &str, template: Value, dependencies: &[&str]) -> StackArtifact {
    let body = serde_json::to_string_pretty(&template).unwrap_or_default();
    let sha = {
        use sha2::{Digest, Sha256};
        Sha256::digest(body.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
    };
    StackArtifact {
        name: name.into(),
        environment: Environment::new(None, region),
        resource_count: template["Resources"].as_object().map_or(0, |m| m.len()),
        template,
        template_body: body,
        template_sha256: sha,
        dependencies: dependencies.iter().map(|d| d.to_string()).collect(),
        references: vec![],
        parameters_from_outputs: vec![],
        parameters_from_ssm: vec![],
        termination_protection: false,
        tags: Default::default(),
        notes: vec![],
        warnings: vec![],
    }
}

/// An assembly of one-topic stacks in eu-west-1 with the given dependencies.
pub fn assembly(stacks: &[(&str, &[&str])]) -> CloudAssembly {
    CloudAssembly {
        stacks: stacks
            .iter()
            .map(|(name, deps)| {
                stack(name, "eu-west-1", json!({"Resources": {"Topic": {"Type": "AWS::SNS::Topic"}}}), deps)
            })
            .collect(),
    }
}

pub use super::http_stand_in::{stand_in, Answer, Seen};
