//! The cloud assembly: what synth writes and deploy reads.
//!
//! On disk it is the AWS CDK cloud-assembly layout, so `cdk ls --app <dir>` reads it too: `manifest.json` with one
//! `aws:cloudformation:stack` artifact per stack (in deploy order) and one `<Stack>.template.json` each. What the
//! CDK format has no field for goes into the artifact's metadata under `/<stack>`:
//! `karmada-eks:template-sha256` (the template file's SHA-256), `karmada-eks:parameter-from-output` (a
//! parameter that deploy fills from another stack's output: `{"parameter", "stack", "output"}`) and
//! `karmada-eks:parameter-from-ssm` (a parameter that deploy fills from a public SSM parameter when the stack is
//! created and keeps from the deployed stack afterwards: `{"parameter", "path"}`).

use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use super::error::SynthError;
use super::id::sha256_hex;
pub use super::resolve::ParameterFromOutput;
use super::stack::Environment;
pub use super::stack::ParameterFromSsm;

/// Cloud-assembly schema version written to the manifest (a version the AWS CDK CLI v2 reads).
pub const SCHEMA_VERSION: &str = "36.0.0";
pub const MANIFEST_FILE: &str = "manifest.json";
const SHA_TYPE: &str = "karmada-eks:template-sha256";
const PARAM_TYPE: &str = "karmada-eks:parameter-from-output";
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
            entries.extend(s.parameters_from_outputs.iter().map(|p| json!({"type": PARAM_TYPE, "data": p})));
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

    /// Writes the assembly to `dir` all at once: it is built in a sibling temporary directory and renamed into
    /// place, so a failure or a kill leaves whatever `dir` held before intact (a kill between the swap's two
    /// renames leaves it as `.<dir>.old-<pid>` beside `dir`). A successful write also removes the staging and
    /// backup directories that killed runs left.
    pub fn write(&self, dir: &Path) -> Result<(), SynthError> {
        let parent = match dir.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        fs::create_dir_all(&parent)?;
        let base = dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "cdk.out".into());
        let staging = parent.join(format!(".{base}.tmp-{}", std::process::id()));
        let _ = fs::remove_dir_all(&staging);
        fs::create_dir_all(&staging)?;
        let result = self.write_files(&staging).and_then(|()| swap_into_place(&staging, dir, &parent, &base));
        if result.is_err() {
            let _ = fs::remove_dir_all(&staging);
        } else {
            remove_leftovers(&parent, &base);
        }
        result
    }

    fn write_files(&self, dir: &Path) -> Result<(), SynthError> {
        for s in &self.stacks {
            fs::write(dir.join(s.template_file()), &s.template_body)?;
        }
        let mut manifest = serde_json::to_string_pretty(&self.manifest()).unwrap_or_default();
        manifest.push('\n');
        fs::write(dir.join(MANIFEST_FILE), manifest)?;
        Ok(())
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
                metadata_entries(&entries, PARAM_TYPE).map_err(|e| err(format!("artifact {name}: {e}")))?;
            let parameters_from_ssm: Vec<ParameterFromSsm> =
                metadata_entries(&entries, SSM_PARAM_TYPE).map_err(|e| err(format!("artifact {name}: {e}")))?;
            let dependencies = artifact["dependencies"]
                .as_array()
                .map(|d| d.iter().filter_map(Value::as_str).map(str::to_string).collect())
                .unwrap_or_default();
            let resource_count = template["Resources"].as_object().map_or(0, Map::len);
            stacks.push(StackArtifact {
                name: name.clone(),
                environment,
                template,
                template_body: body,
                template_sha256: sha,
                dependencies,
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

fn swap_into_place(staging: &Path, dir: &Path, parent: &Path, base: &str) -> Result<(), SynthError> {
    if dir.exists() {
        let old = parent.join(format!(".{base}.old-{}", std::process::id()));
        let _ = fs::remove_dir_all(&old);
        fs::rename(dir, &old)?;
        if let Err(e) = fs::rename(staging, dir) {
            let _ = fs::rename(&old, dir);
            return Err(e.into());
        }
        let _ = fs::remove_dir_all(&old);
    } else {
        fs::rename(staging, dir)?;
    }
    Ok(())
}

/// Removes `.<base>.tmp-<pid>` and `.<base>.old-<pid>` directories in `parent` whose process is gone (a killed
/// synth). Where liveness cannot be checked (no `/proc`), only this process's own are removed.
fn remove_leftovers(parent: &Path, base: &str) {
    let Ok(entries) = fs::read_dir(parent) else { return };
    let proc = Path::new("/proc");
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(pid) = [".tmp-", ".old-"]
            .iter()
            .find_map(|kind| name.strip_prefix(&format!(".{base}{kind}")))
            .and_then(|pid| pid.parse::<u32>().ok())
        else {
            continue;
        };
        let gone = pid == std::process::id() || (proc.is_dir() && !proc.join(pid.to_string()).exists());
        if gone {
            let _ = fs::remove_dir_all(entry.path());
        }
    }
}
