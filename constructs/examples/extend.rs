//! Extending the Karmada app in Rust: the app a config describes, plus a stack of your own (an ECR repository for
//! the workload's image), one escape-hatch override and one checking aspect, deployed with the same CLI:
//!
//! ```sh
//! karmada-eks list   --app 'cargo run -q -p karmada-eks-constructs --example extend'
//! karmada-eks deploy --app 'cargo run -q -p karmada-eks-constructs --example extend'
//! ```
//!
//! The CLI runs the command with `CDK_OUTDIR` set to a fresh directory; the example writes the cloud assembly
//! there (to `cdk.out` when run by hand). It reads the config the CLI would: `$KARMADA_EKS_CONFIG`, else
//! `./karmada-eks.toml` if present, else the built-in defaults.

use serde::Serialize;
use std::path::PathBuf;

use constructs::cfn::Tag;
use constructs::checks::EncryptionCheck;
use constructs::core::{App, CfnResource, Environment, Expr, TagFormat};
use constructs::karmada::{Config, KarmadaApp};

/// `AWS::ECR::Repository`: an L1 type of your own is a serializable struct with CloudFormation's property names.
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct CfnRepository {
    repository_name: String,
    image_tag_mutability: &'static str,
    image_scanning_configuration: ScanOnPush,
    encryption_configuration: Encryption,
    /// Lets `karmada-eks destroy` delete the repository with its images (without it, deleting a repository that
    /// holds images fails).
    empty_on_delete: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tags: Vec<Tag>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct ScanOnPush {
    scan_on_push: bool,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct Encryption {
    encryption_type: &'static str,
}

impl CfnResource for CfnRepository {
    const TYPE: &'static str = "AWS::ECR::Repository";
    const TAGS: TagFormat = TagFormat::List;
}

fn config() -> Result<Config, Box<dyn std::error::Error>> {
    let path = std::env::var_os("KARMADA_EKS_CONFIG")
        .map(PathBuf::from)
        .or_else(|| Some(PathBuf::from("karmada-eks.toml")).filter(|p| p.exists()));
    match path {
        Some(path) => {
            let text = std::fs::read_to_string(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            Ok(Config::from_toml(&text).map_err(|e| format!("{}: {e}", path.display()))?)
        }
        None => Ok(Config::default()),
    }
}

/// The Karmada app of `config` with a registry stack, a node label and the encryption check.
fn build(config: &Config) -> Result<App, Box<dyn std::error::Error>> {
    let mut app = KarmadaApp::new(config)?.into_app();

    let registry =
        app.add_stack(&format!("{}-registry", config.app), Environment::new(config.account.clone(), &config.region));
    registry.set_description("karmada-eks example: ECR repository for the workload's image");
    registry.tag("karmada-eks:app", config.app.as_str());
    let repository = registry.scope().add(
        "Repository",
        CfnRepository {
            repository_name: format!("{}/{}", config.app, config.workload.name),
            image_tag_mutability: "IMMUTABLE",
            image_scanning_configuration: ScanOnPush { scan_on_push: true },
            encryption_configuration: Encryption { encryption_type: "KMS" },
            empty_on_delete: true,
            tags: Vec::new(),
        },
    );
    registry.add_output(
        "RepositoryUri",
        repository.get_att("RepositoryUri"),
        "Where to push the workload's image",
        None,
    );

    // An escape hatch: a property the L3 does not model, set on the construct's main resource.
    let cluster = app.stack_mut(&format!("{}-cluster", config.app)).ok_or("the app has no cluster stack")?;
    cluster
        .find_resource_mut("Nodes")
        .ok_or("the cluster stack has no node group")?
        .add_property_override("Labels.registry", Expr::lit(format!("{}/{}", config.app, config.workload.name)));

    app.add_aspect(EncryptionCheck);
    Ok(app)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let app = build(&config()?)?;
    let assembly = app.synth()?;
    let dir = std::env::var_os("CDK_OUTDIR").map_or_else(|| PathBuf::from("cdk.out"), PathBuf::from);
    assembly.write(&dir)?;
    eprintln!("extend: wrote {} stacks to {}", assembly.stacks.len(), dir.display());
    Ok(())
}
