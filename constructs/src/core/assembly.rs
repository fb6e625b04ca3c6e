//! The cloud assembly: what synth writes and deploy reads.
//!
//! On disk it is the AWS CDK cloud-assembly layout, so `cdk ls --app <dir>` reads it too: `manifest.json` with one
//! `aws:cloudformation:stack` artifact per stack (in deploy order) and one `<Stack>.template.json` each. What the
//! CDK format has no field for goes into the artifact's metadata under `/<stack>`:
//! `karmada-eks:template-sha256` (the template file's SHA-256) and `karmada-eks:parameter-from-ssm` (a parameter that deploy fills from a public SSM parameter when the stack is
//! created and keeps from the deployed stack afterwards: `{"parameter", "path"}`). Cross-stack values are
//! `Fn::GetStackOutput`s in the templates themselves ([`OutputReference`]); the manifest's `dependencies` order
//! the stacks. Assemblies of karmada-eks 0.1 also carry `karmada-eks:parameter-from-output` entries (a parameter
//! deploy fills from another stack's output: `{"parameter", "stack", "output"}`), which are still read.

use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;

use super::environment::Environment;
use super::error::SynthError;
use super::id::sha256_hex;
use super::output_path;
pub use super::resolve::{OutputReference, ParameterFromOutput};
pub use super::stack::ParameterFromSsm;

/// Cloud-assembly schema version written to the manifest (a version the AWS CDK CLI v2 reads).
pub const SCHEMA_VERSION: &str = "36.0.0";
pub const MANIFEST_FILE: &str = "manifest.json";
const SHA_TYPE: &str = "karmada-eks:template-sha256";
const LEGACY_PARAM_TYPE: &str = "karmada-eks:parameter-from-output";
const SSM_PARAM_TYPE: &str = "karmada-eks:parameter-from-ssm";

/// One synthesized stack.
#[derive(Clone, Debug, PartialEq)]
pub struct StackArtifact {
    pub name: String,
    pub environment: Environment,
    pub template: Value,
    /// The template exactly as written to `<name>.template.json` and submitted to CloudFormation.
    pub template_body: String,
    pub template_sha256: String,
    /// Stacks that must deploy first, in app order.
    pub dependencies: Vec<String>,
    /// The other stacks' outputs the template reads (its `Fn::GetStackOutput`s).
    pub references: Vec<OutputReference>,
    /// Parameters filled from other stacks' outputs: only in an assembly of karmada-eks 0.1 read from disk.
    pub parameters_from_outputs: Vec<ParameterFromOutput>,
    /// Parameters deploy fills from a public SSM parameter at creation and keeps from the deployed stack.
    pub parameters_from_ssm: Vec<ParameterFromSsm>,
    pub termination_protection: bool,
    /// Stack-level tags (`properties.tags` in the manifest): `deploy` puts them on the stack, which
    /// CloudFormation propagates to the resources.
    pub tags: BTreeMap<String, String>,
    pub resource_count: usize,
    /// Remarks for the reader of synth's summary.
    pub notes: Vec<String>,
    /// Limits approached (e.g. over the inline template size).
    pub warnings: Vec<String>,
}

impl StackArtifact {
    pub fn template_file(&self) -> String {
        format!("{}.template.json", self.name)
    }
}

/// All stacks of an app, in an order that deploys each after its dependencies.
#[derive(Clone, Debug, PartialEq)]
pub struct CloudAssembly {
    pub stacks: Vec<StackArtifact>,
}

#[derive(Serialize, Deserialize)]
struct Manifest {
    version: String,
    artifacts: Map<String, Value>,
}

impl CloudAssembly {
    pub fn stack(&self, name: &str) -> Option<&StackArtifact> {
        self.stacks.iter().find(|s| s.name == name)
    }

    /// The `manifest.json` document.
    pub fn manifest(&self) -> Value {
        let mut artifacts = Map::new();
        for s in &self.stacks {
            let mut entries = vec![json!({"type": SHA_TYPE, "data": s.template_sha256})];
            entries.extend(s.parameters_from_outputs.iter().map(|p| json!({"type": LEGACY_PARAM_TYPE, "data": p})));
            entries.extend(s.parameters_from_ssm.iter().map(|p| json!({"type": SSM_PARAM_TYPE, "data": p})));
            let mut properties = Map::new();
            properties.insert("templateFile".into(), json!(s.template_file()));
            if s.termination_protection {
                properties.insert("terminationProtection".into(), json!(true));
            }
            if !s.tags.is_empty() {
                properties.insert("tags".into(), json!(s.tags));
            }
            let mut artifact = Map::new();
            artifact.insert("type".into(), json!("aws:cloudformation:stack"));
            artifact.insert("environment".into(), json!(s.environment.uri()));
            artifact.insert("properties".into(), Value::Object(properties));
            if !s.dependencies.is_empty() {
                artifact.insert("dependencies".into(), json!(s.dependencies));
            }
            artifact.insert("metadata".into(), json!({ format!("/{}", s.name): entries }));
            artifact.insert("displayName".into(), json!(s.name));
            artifacts.insert(s.name.clone(), Value::Object(artifact));
        }
        serde_json::to_value(Manifest { version: SCHEMA_VERSION.into(), artifacts }).unwrap_or(Value::Null)
    }

    /// Writes the assembly to `dir`, which must not exist, be empty, or hold an assembly karmada-eks wrote
    /// ([`files_written`]); anything else is refused before anything is written (see [`output_path`]). A new
    /// directory, or one holding only an earlier assembly, is replaced all at once: built in a sibling temporary
    /// directory and renamed into place, so a failure or a kill leaves what `dir` held intact (a kill between the
    /// swap's two renames leaves it as `.<dir>.old-<pid>` beside `dir`). Files beside an earlier assembly that
    /// karmada-eks did not write are kept; only the earlier templates are replaced or removed, the manifest last.
    pub fn write(&self, dir: &Path) -> Result<output_path::DirPlan, SynthError> {
        let mut manifest = serde_json::to_string_pretty(&self.manifest()).unwrap_or_default();
        manifest.push('\n');
        let mut files: Vec<(String, &str)> =
            self.stacks.iter().map(|s| (s.template_file(), s.template_body.as_str())).collect();
        files.push((MANIFEST_FILE.into(), &manifest));
        Ok(output_path::write_dir(dir, &files, &files_written)?)
    }

    /// Reads an assembly written by [`CloudAssembly::write`] (or another tool writing the same format).
    pub fn read(dir: &Path) -> Result<CloudAssembly, SynthError> {
        let err = |message: String| SynthError::Assembly { path: dir.display().to_string(), message };
        let manifest_path = dir.join(MANIFEST_FILE);
        let text = fs::read_to_string(&manifest_path).map_err(|e| {
            err(format!("cannot read {}: {e} (run `karmada-eks synth -o {}` first)", MANIFEST_FILE, dir.display()))
        })?;
        let manifest: Manifest =
            serde_json::from_str(&text).map_err(|e| err(format!("{MANIFEST_FILE} is not valid: {e}")))?;
        let mut stacks = Vec::new();
        for (name, artifact) in &manifest.artifacts {
            if artifact["type"] != "aws:cloudformation:stack" {
                continue;
            }
            let environment = parse_environment(artifact["environment"].as_str().unwrap_or_default())
                .ok_or_else(|| err(format!("artifact {name}: environment must be aws://<account>/<region>")))?;
            let file = artifact["properties"]["templateFile"]
                .as_str()
                .ok_or_else(|| err(format!("artifact {name}: properties.templateFile is missing")))?;
            let body = fs::read_to_string(dir.join(file)).map_err(|e| err(format!("cannot read {file}: {e}")))?;
            let template: Value = serde_json::from_str(&body).map_err(|e| err(format!("{file} is not JSON: {e}")))?;
            let entries = artifact["metadata"][format!("/{name}")].as_array().cloned().unwrap_or_default();
            let sha = sha256_hex(body.as_bytes());
            if let Some(recorded) = entries.iter().find(|e| e["type"] == SHA_TYPE).and_then(|e| e["data"].as_str()) {
                if recorded != sha {
                    return Err(err(format!(
                        "{file} was changed after synth (its SHA-256 is not the one in {MANIFEST_FILE}); synthesize again"
                    )));
                }
            }
            let parameters_from_outputs: Vec<ParameterFromOutput> =
                metadata_entries(&entries, LEGACY_PARAM_TYPE).map_err(|e| err(format!("artifact {name}: {e}")))?;
            let parameters_from_ssm: Vec<ParameterFromSsm> =
                metadata_entries(&entries, SSM_PARAM_TYPE).map_err(|e| err(format!("artifact {name}: {e}")))?;
            let dependencies = artifact["dependencies"]
                .as_array()
                .map(|d| d.iter().filter_map(Value::as_str).map(str::to_string).collect())
                .unwrap_or_default();
            let resource_count = template["Resources"].as_object().map_or(0, Map::len);
            let references = OutputReference::all_in(&template, &environment.region);
            stacks.push(StackArtifact {
                name: name.clone(),
                environment,
                template,
                template_body: body,
                template_sha256: sha,
                dependencies,
                references,
                parameters_from_outputs,
                parameters_from_ssm,
                termination_protection: artifact["properties"]["terminationProtection"] == true,
                tags: artifact["properties"]["tags"]
                    .as_object()
                    .map(|t| t.iter().filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string()))).collect())
                    .unwrap_or_default(),
                resource_count,
                notes: Vec::new(),
                warnings: Vec::new(),
            });
        }
        Ok(CloudAssembly { stacks })
    }
}

/// The `data` of every metadata entry of type `kind`.
fn metadata_entries<T: serde::de::DeserializeOwned>(entries: &[Value], kind: &str) -> Result<Vec<T>, String> {
    entries
        .iter()
        .filter(|e| e["type"] == kind)
        .map(|e| serde_json::from_value(e["data"].clone()).map_err(|e| format!("{kind} entry: {e}")))
        .collect()
}

/// Parses `aws://<account>/<region>`; `unknown-account` means "the caller's account".
pub fn parse_environment(uri: &str) -> Option<Environment> {
    let rest = uri.strip_prefix("aws://")?;
    let (account, region) = rest.split_once('/')?;
    if region.is_empty() || account.is_empty() {
        return None;
    }
    let account = (account != "unknown-account").then(|| account.to_string());
    Some(Environment::new(account, region))
}

/// The files of the assembly in `dir` (its manifest included) when karmada-eks wrote it: `manifest.json` is a
/// regular file whose stack artifacts each record their template's SHA-256 (`karmada-eks:template-sha256`) and
/// name a `<name>.template.json` in `dir` itself. `None` for anything else: no manifest, another tool's (the AWS
/// CDK CLI records no such SHA-256), or a template path that leaves the directory.
pub fn files_written(dir: &Path) -> Option<BTreeSet<String>> {
    let path = dir.join(MANIFEST_FILE);
    if !fs::symlink_metadata(&path).ok()?.is_file() {
        return None;
    }
    let manifest: Manifest = serde_json::from_str(&fs::read_to_string(&path).ok()?).ok()?;
    let mut files = BTreeSet::from([MANIFEST_FILE.to_string()]);
    for (name, artifact) in manifest.artifacts.iter().filter(|(_, a)| a["type"] == "aws:cloudformation:stack") {
        let entries = artifact["metadata"][format!("/{name}")].as_array()?;
        entries.iter().find(|e| e["type"] == SHA_TYPE)?;
        let file = artifact["properties"]["templateFile"].as_str()?;
        let plain = Path::new(file).file_name().is_some_and(|n| n == file) && !file.contains('\\');
        if !plain || !file.ends_with(".template.json") {
            return None;
        }
        files.insert(file.to_string());
    }
    (files.len() > 1).then_some(files)
}
