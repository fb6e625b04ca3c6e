//! The app's record of its last successful deploy of the whole app: the SSM String parameter
//! `/<app>/karmada-eks/last-deploy` in the home region, JSON of what was deployed, when and by whom. The next
//! deploy reads it first and warns when its assembly would remove members or regions the record has, naming who
//! deployed them: the sign of a checkout that is not current (a colleague added them since).

use aws_sdk_ssm::Client;
use constructs::core::CloudAssembly;
use constructs::karmada::wellknown::last_deploy_parameter;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::error::AwsError;
use super::inventory;
use super::parameter;

const DESCRIPTION: &str = "karmada-eks: what the last successful deploy of this app deployed (destroy deletes it)";

/// What a deploy deployed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LastDeploy {
    /// SHA-256 of the assembly's `manifest.json` (which holds each template's SHA-256).
    pub assembly_sha256: String,
    /// RFC 3339, UTC.
    pub time: String,
    /// The deploying principal's ARN, as STS GetCallerIdentity gives it.
    pub principal: String,
    /// The karmada-eks version.
    pub version: String,
    /// The members with an access entry in the assembly, sorted.
    pub members: Vec<String>,
    /// The regions of the assembly's stacks, sorted.
    pub regions: Vec<String>,
}

impl LastDeploy {
    /// The record of deploying `assembly`.
    pub fn of(assembly: &CloudAssembly, principal: &str, version: &str, time: String) -> Self {
        let mut manifest = serde_json::to_string_pretty(&assembly.manifest()).unwrap_or_default();
        manifest.push('\n');
        let assembly_sha256 = Sha256::digest(manifest.as_bytes()).iter().map(|b| format!("{b:02x}")).collect();
        let mut members: Vec<String> =
            assembly.stacks.iter().flat_map(|s| inventory::access_members(&s.template)).collect();
        members.sort();
        members.dedup();
        LastDeploy {
            assembly_sha256,
            time,
            principal: principal.to_string(),
            version: version.to_string(),
            members,
            regions: inventory::all_regions(assembly, &[]),
        }
    }

    /// The warning when `next` lacks members or regions this record has, else `None`.
    pub fn removed_by(&self, next: &LastDeploy) -> Option<String> {
        let members: Vec<&str> =
            self.members.iter().filter(|m| !next.members.contains(m)).map(String::as_str).collect();
        let regions: Vec<&str> =
            self.regions.iter().filter(|r| !next.regions.contains(r)).map(String::as_str).collect();
        let what = match (members.is_empty(), regions.is_empty()) {
            (true, true) => return None,
            (false, true) => format!("members {}", members.join(", ")),
            (true, false) => format!("regions {}", regions.join(", ")),
            (false, false) => format!("members {} and regions {}", members.join(", "), regions.join(", ")),
        };
        Some(format!(
            "{what} were deployed by {} at {} (assembly {}); this assembly does not have them: check that your \
             checkout is current",
            self.principal,
            self.time,
            &self.assembly_sha256[..self.assembly_sha256.len().min(12)]
        ))
    }
}

/// The record of `app`; `None` when there is none, or when it cannot be read as one (a record is advice, and
/// deploy writes a good one at its end).
pub async fn read(ssm: &Client, app: &str) -> Result<Option<LastDeploy>, AwsError> {
    Ok(parameter::get(ssm, &last_deploy_parameter(app)).await?.and_then(|v| serde_json::from_str(&v).ok()))
}

pub async fn write(ssm: &Client, app: &str, record: &LastDeploy) -> Result<(), AwsError> {
    let value = serde_json::to_string(record).expect("a record serializes");
    parameter::put(ssm, &last_deploy_parameter(app), &value, DESCRIPTION).await
}

pub async fn forget(ssm: &Client, app: &str) -> Result<(), AwsError> {
    parameter::delete(ssm, &last_deploy_parameter(app)).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(members: &[&str], regions: &[&str]) -> LastDeploy {
        LastDeploy {
            assembly_sha256: "0123456789abcdef".into(),
            time: "2026-12-01T09:00:00Z".into(),
            principal: "arn:aws:sts::123456789012:assumed-role/Deployer/bob".into(),
            version: "0.1.0".into(),
            members: members.iter().map(|m| m.to_string()).collect(),
            regions: regions.iter().map(|r| r.to_string()).collect(),
        }
    }

    #[test]
    fn removing_what_the_last_deploy_had_names_who_deployed_it_and_adding_says_nothing() {
        let last = record(&["eksa", "eksb"], &["eu-west-1", "us-east-1"]);
        assert_eq!(last.removed_by(&record(&["eksa", "eksb", "eksc"], &["eu-west-1", "us-east-1"])), None);
        assert_eq!(
            last.removed_by(&record(&["eksa"], &["us-east-1"])).unwrap(),
            "members eksb and regions eu-west-1 were deployed by arn:aws:sts::123456789012:assumed-role/Deployer/bob \
             at 2026-12-01T09:00:00Z (assembly 0123456789ab); this assembly does not have them: check that your \
             checkout is current"
        );
        assert!(last
            .removed_by(&record(&["eksa"], &["eu-west-1", "us-east-1"]))
            .unwrap()
            .starts_with("members eksb were"));
    }
}
