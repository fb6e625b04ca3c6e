//! The app's stacks as deployed: found by the `karmada-eks:app` tag in every region the app has used (the
//! regions of the assembly and those recorded in the SSM parameter `/<app>/karmada-eks/regions`), and the
//! ones among them that left the assembly (orphans), which deploy and destroy delete.

use aws_sdk_cloudformation::Client;
use constructs::core::{CloudAssembly, Environment, StackArtifact};
use constructs::karmada::wellknown::{regions_parameter, TAG_APP};
use serde_json::Value;

use super::client::CfnClients;
use super::error::{AwsError, DeployError};
use super::stack::{self, DeployedStack};

/// The regions recorded for `app` (empty when the parameter does not exist).
pub async fn recorded_regions(ssm: &aws_sdk_ssm::Client, app: &str) -> Result<Vec<String>, AwsError> {
    match ssm.get_parameter().name(regions_parameter(app)).send().await {
        Ok(out) => Ok(parse_regions(out.parameter().and_then(|p| p.value()).unwrap_or_default())),
        Err(e) => {
            let e = AwsError::from_sdk("GetParameter", e);
            if e.is_not_found() {
                Ok(Vec::new())
            } else {
                Err(e)
            }
        }
    }
}

/// Records `regions` (comma-separated, sorted) for `app`; written before a stack is first deployed to a region.
pub async fn record_regions(ssm: &aws_sdk_ssm::Client, app: &str, regions: &[String]) -> Result<(), AwsError> {
    ssm.put_parameter()
        .name(regions_parameter(app))
        .value(join_regions(regions))
        .r#type(aws_sdk_ssm::types::ParameterType::String)
        .overwrite(true)
        .description("karmada-eks: regions this app has deployed stacks to (destroy deletes it last)")
        .send()
        .await
        .map(|_| ())
        .map_err(|e| AwsError::from_sdk("PutParameter", e))
}

/// Deletes the regions parameter; one already gone counts as deleted.
pub async fn forget_regions(ssm: &aws_sdk_ssm::Client, app: &str) -> Result<(), AwsError> {
    match ssm.delete_parameter().name(regions_parameter(app)).send().await {
        Ok(_) => Ok(()),
        Err(e) => {
            let e = AwsError::from_sdk("DeleteParameter", e);
            if e.is_not_found() {
                Ok(())
            } else {
                Err(e)
            }
        }
    }
}

pub fn parse_regions(value: &str) -> Vec<String> {
    let mut regions: Vec<String> =
        value.split(',').map(str::trim).filter(|r| !r.is_empty()).map(str::to_string).collect();
    regions.sort();
    regions.dedup();
    regions
}

pub fn join_regions(regions: &[String]) -> String {
    parse_regions(&regions.join(",")).join(",")
}

/// Every region of `assembly` and of `recorded`, each once, sorted.
pub fn all_regions(assembly: &CloudAssembly, recorded: &[String]) -> Vec<String> {
    let mut regions: Vec<String> = assembly.stacks.iter().map(|s| s.environment.region.clone()).collect();
    regions.extend(recorded.iter().cloned());
    parse_regions(&regions.join(","))
}

/// The stacks in `region` that carry the tag `karmada-eks:app=<app>` (DescribeStacks lists every stack of the
/// region with its tags; deleted stacks are left out).
pub async fn app_stacks(client: &Client, app: &str) -> Result<Vec<DeployedStack>, AwsError> {
    let mut found = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let out = client
            .describe_stacks()
            .set_next_token(token)
            .send()
            .await
            .map_err(|e| AwsError::from_sdk("DescribeStacks", e))?;
        for s in out.stacks() {
            let deployed = DeployedStack::from_sdk(s);
            if deployed.tags.get(TAG_APP).map(String::as_str) == Some(app) && deployed.status != "DELETE_COMPLETE" {
                found.push(deployed);
            }
        }
        token = out.next_token().map(str::to_string);
        if token.is_none() {
            return Ok(found);
        }
    }
}

/// The app's deployed stacks in `regions` that the assembly no longer has, as artifacts made from their
/// deployed templates (so deploy and destroy handle them like any stack), in name order.
pub async fn orphans(
    clients: &CfnClients,
    regions: &[String],
    app: &str,
    assembly: &CloudAssembly,
) -> Result<Vec<StackArtifact>, DeployError> {
    let mut orphans = Vec::new();
    for region in regions {
        let client = clients.get(region)?;
        for deployed in app_stacks(client, app).await? {
            if assembly.stack(&deployed.name).is_some() {
                continue;
            }
            let template = stack::template(client, &deployed.id).await?.unwrap_or(Value::Null);
            orphans.push(artifact(&deployed, region, template));
        }
    }
    orphans.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(orphans)
}

fn artifact(deployed: &DeployedStack, region: &str, template: Value) -> StackArtifact {
    let body = serde_json::to_string(&template).unwrap_or_default();
    StackArtifact {
        name: deployed.name.clone(),
        environment: Environment::new(None, region),
        resource_count: template["Resources"].as_object().map_or(0, |r| r.len()),
        template,
        template_sha256: deployed
            .tags
            .get(constructs::karmada::wellknown::TAG_TEMPLATE_SHA256)
            .cloned()
            .unwrap_or_default(),
        template_body: body,
        dependencies: Vec::new(),
        parameters_from_outputs: Vec::new(),
        parameters_from_ssm: Vec::new(),
        termination_protection: deployed.termination_protection,
        tags: deployed.tags.clone(),
        notes: Vec::new(),
        warnings: Vec::new(),
    }
}

/// The members whose access entries a member-access template holds: each `AWS::EKS::AccessEntry` has the
/// construct path `<stack>/<member>/AccessEntry` in its `aws:cdk:path` metadata.
pub fn access_members(template: &Value) -> Vec<String> {
    access_members_of(template, |_| true)
}

/// [`access_members`] of the access entries whose logical IDs `wanted` accepts.
pub fn access_members_of(template: &Value, wanted: impl Fn(&str) -> bool) -> Vec<String> {
    let mut members: Vec<String> = template["Resources"]
        .as_object()
        .into_iter()
        .flatten()
        .filter(|(id, _)| wanted(id))
        .map(|(_, r)| r)
        .filter(|r| r["Type"] == "AWS::EKS::AccessEntry")
        .filter_map(|r| r["Metadata"]["aws:cdk:path"].as_str())
        .filter_map(|path| {
            let parts: Vec<&str> = path.split('/').collect();
            (parts.len() >= 3 && parts[parts.len() - 1] == "AccessEntry").then(|| parts[parts.len() - 2].to_string())
        })
        .collect();
    members.sort();
    members.dedup();
    members
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regions_are_recorded_sorted_once_and_members_are_read_from_access_entry_paths() {
        assert_eq!(join_regions(&["us-east-1".into(), "eu-west-1".into(), "us-east-1".into()]), "eu-west-1,us-east-1");
        assert_eq!(parse_regions(" eu-west-1, ,us-east-1"), vec!["eu-west-1", "us-east-1"]);
        let template = serde_json::json!({"Resources": {
            "A": {"Type": "AWS::EKS::AccessEntry", "Metadata": {"aws:cdk:path": "karmada-member-access-us-east-1/eksuscl01/AccessEntry"}},
            "B": {"Type": "AWS::SNS::Topic", "Metadata": {"aws:cdk:path": "x/y/AccessEntry"}},
        }});
        assert_eq!(access_members(&template), vec!["eksuscl01"]);
    }
}
