//! The app's stacks as deployed: found by the `karmada-eks:app` tag in every region the app has used (the
//! regions of the assembly and those recorded in the SSM parameter `/<app>/karmada-eks/regions`), and the
//! ones among them that the assembly does not have: those karmada-eks made (orphans, which deploy and destroy
//! delete) and the others (kept, unless the user names them).

use aws_sdk_cloudformation::Client;
use constructs::core::{CloudAssembly, Environment, StackArtifact};
use constructs::inspect::template::access_entries;
use constructs::karmada::wellknown::StackNames;
use constructs::karmada::wellknown::{regions_parameter, TAG_APP, TAG_PART};
use serde::Serialize;
use serde_json::Value;

use super::client::CfnClients;
use super::error::{AwsError, DeployError};
use super::parameter;
use super::stack::{self, DeployedStack};

/// The regions recorded for `app` (empty when the parameter does not exist).
pub async fn recorded_regions(ssm: &aws_sdk_ssm::Client, app: &str) -> Result<Vec<String>, AwsError> {
    Ok(parameter::get(ssm, &regions_parameter(app)).await?.map(|v| parse_regions(&v)).unwrap_or_default())
}

/// Records `regions` (comma-separated, sorted) for `app`; written before a stack is first deployed to a region.
pub async fn record_regions(ssm: &aws_sdk_ssm::Client, app: &str, regions: &[String]) -> Result<(), AwsError> {
    let description = "karmada-eks: regions this app has deployed stacks to (destroy deletes it last)";
    parameter::put(ssm, &regions_parameter(app), &join_regions(regions), description).await
}

/// Deletes the regions parameter; one already gone counts as deleted.
pub async fn forget_regions(ssm: &aws_sdk_ssm::Client, app: &str) -> Result<(), AwsError> {
    parameter::delete(ssm, &regions_parameter(app)).await
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

/// A deployed stack tagged with the app that karmada-eks did not make: deploy and destroy list it and keep it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Kept {
    pub name: String,
    pub region: String,
    /// Why it is not karmada-eks's (from `StackNames::made_part`).
    pub reason: String,
}

impl Kept {
    /// The progress note deploy and destroy give it.
    pub fn note(&self) -> String {
        format!(
            "not made by karmada-eks, kept: {}; `karmada-eks deploy --prune {name}` or `karmada-eks destroy {name}` \
             deletes it",
            self.reason,
            name = self.name
        )
    }
}

/// The app's deployed stacks that the assembly does not have.
#[derive(Debug, Default)]
pub struct Leftovers {
    /// What deploy and destroy delete, in name order, as artifacts made from their deployed templates (so they
    /// are handled like any stack): the stacks karmada-eks made, and the others the user named.
    pub orphans: Vec<StackArtifact>,
    /// Names of the stacks among `orphans` that karmada-eks did not make (named by `--prune` or `destroy STACK`).
    pub named: Vec<String>,
    /// The other stacks karmada-eks did not make.
    pub kept: Vec<Kept>,
}

/// The app's deployed stacks in `regions` that `assembly` does not have, sorted into those karmada-eks made
/// (`StackNames::made_part`) and the others; the others named in `named` are deleted like the first. A name in
/// `named` that is no such stack is an error.
pub async fn leftovers(
    clients: &CfnClients,
    regions: &[String],
    app: &str,
    assembly: &CloudAssembly,
    named: &[String],
) -> Result<Leftovers, DeployError> {
    let names = StackNames::new(app);
    let mut found = Leftovers::default();
    for region in regions {
        let client = clients.get(region)?;
        for deployed in app_stacks(client, app).await? {
            if assembly.stack(&deployed.name).is_some() {
                continue;
            }
            let template = stack::template(client, &deployed.id).await?.unwrap_or(Value::Null);
            let part_tag = deployed.tags.get(TAG_PART).map(String::as_str);
            match names.made_part(&deployed.name, region, part_tag, &template) {
                Ok(_) => found.orphans.push(artifact(&deployed, region, template)),
                Err(_) if named.contains(&deployed.name) => {
                    found.named.push(deployed.name.clone());
                    found.orphans.push(artifact(&deployed, region, template));
                }
                Err(reason) => found.kept.push(Kept { name: deployed.name.clone(), region: region.clone(), reason }),
            }
        }
    }
    if let Some(unknown) = named.iter().find(|n| !found.orphans.iter().any(|o| &o.name == *n)) {
        return Err(DeployError::NotALeftover {
            stack: unknown.clone(),
            app: app.to_string(),
            kept: found.kept.iter().map(|k| k.name.clone()).collect(),
        });
    }
    found.orphans.sort_by(|a, b| a.name.cmp(&b.name));
    found.kept.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(found)
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
        references: Vec::new(),
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
    let mut members: Vec<String> = access_entries(template)
        .into_iter()
        .filter(|e| wanted(e.logical_id))
        .filter_map(|e| e.member.map(str::to_string))
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
