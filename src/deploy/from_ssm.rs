//! Stack parameters that deploy fills from a public SSM parameter once (the management host's image:
//! `HostImageId` from `/aws/service/ami-amazon-linux-latest/...`), then keeps from the deployed stack until the
//! user asks for a fresh value (`deploy --refresh-host-image`). An `AWS::SSM::Parameter::Value<...>` parameter
//! would be resolved again by CloudFormation on every stack update, so the first update after AWS publishes a
//! new image would replace the host; a plain parameter filled here changes only when asked.

use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;

use super::changeset::ParameterValue;
use super::client::Regional;
use super::error::{AwsError, DeployError};

/// One parameter filled from SSM, as the manifest's `karmada-eks:parameter-from-ssm` names it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FromSsm {
    /// The stack parameter, e.g. `HostImageId`.
    pub parameter: String,
    /// The SSM parameter path read in the stack's region.
    pub path: String,
}

/// A future a [`ParameterStore`] returns.
pub type StoreFuture<'a> = Pin<Box<dyn Future<Output = Result<String, DeployError>> + Send + 'a>>;

/// Reads SSM parameters (SSM GetParameter in the stack's region; a fake in tests).
pub trait ParameterStore: Send + Sync {
    fn get<'a>(&'a self, region: &'a str, path: &'a str) -> StoreFuture<'a>;
}

/// [`ParameterStore`] over SSM clients by region.
pub struct Ssm(pub Regional<aws_sdk_ssm::Client>);

impl ParameterStore for Ssm {
    fn get<'a>(&'a self, region: &'a str, path: &'a str) -> StoreFuture<'a> {
        Box::pin(async move {
            let out = self.0.get(region)?.get_parameter().name(path).send().await.map_err(|e| {
                let e = AwsError::from_sdk("GetParameter", e);
                DeployError::MissingParameter {
                    stack: String::new(),
                    parameter: path.to_string(),
                    reason: format!("SSM parameter {path} could not be read in {region}: {e}"),
                }
            })?;
            Ok(out.parameter().and_then(|p| p.value()).unwrap_or_default().to_string())
        })
    }
}

/// The values of `wanted` to submit: resolved from `store` when the stack has no value yet or `refresh` is set;
/// otherwise kept (the deployed value).
pub async fn values(
    wanted: &[FromSsm],
    region: &str,
    deployed: Option<&BTreeMap<String, String>>,
    refresh: bool,
    store: &dyn ParameterStore,
) -> Result<BTreeMap<String, ParameterValue>, DeployError> {
    let mut values = BTreeMap::new();
    for p in wanted {
        let kept = !refresh && deployed.is_some_and(|d| d.get(&p.parameter).is_some_and(|v| !v.is_empty()));
        let value =
            if kept { ParameterValue::UsePrevious } else { ParameterValue::Value(store.get(region, &p.path).await?) };
        values.insert(p.parameter.clone(), value);
    }
    Ok(values)
}

/// The manifest entry type that names a parameter filled from SSM (`{"parameter": ..., "path": ...}` in a
/// stack artifact's metadata under `/<stack>`).
pub const MANIFEST_ENTRY: &str = "karmada-eks:parameter-from-ssm";

/// The parameters filled from SSM, by stack, as a cloud-assembly manifest records them.
pub fn in_manifest(manifest: &serde_json::Value) -> BTreeMap<String, Vec<FromSsm>> {
    let mut by_stack = BTreeMap::new();
    for (name, artifact) in manifest["artifacts"].as_object().into_iter().flatten() {
        let wanted: Vec<FromSsm> = artifact["metadata"][format!("/{name}")]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|e| e["type"] == MANIFEST_ENTRY)
            .filter_map(|e| {
                Some(FromSsm {
                    parameter: e["data"]["parameter"].as_str()?.to_string(),
                    path: e["data"]["path"].as_str()?.to_string(),
                })
            })
            .collect();
        if !wanted.is_empty() {
            by_stack.insert(name.clone(), wanted);
        }
    }
    by_stack
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_manifest_names_the_parameters_filled_from_ssm() {
        let manifest = serde_json::json!({"artifacts": {
            "karmada-management": {"metadata": {"/karmada-management": [
                {"type": "karmada-eks:template-sha256", "data": "ab"},
                {"type": MANIFEST_ENTRY, "data": {"parameter": "HostImageId",
                    "path": "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64"}}
            ]}},
            "karmada-network": {"metadata": {"/karmada-network": []}}
        }});
        let by_stack = in_manifest(&manifest);
        assert_eq!(by_stack.len(), 1);
        assert_eq!(by_stack["karmada-management"][0].parameter, "HostImageId");
    }
}
