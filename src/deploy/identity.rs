//! The deploying principal against the cluster's access entries. The cluster is created with
//! `BootstrapClusterCreatorAdminPermissions: true`, so EKS gives its creator an access entry itself; an
//! `AWS::EKS::AccessEntry` for the same principal then fails after the cluster exists, with EKS's
//! "The specified access entry resource is already in use on this cluster." (ResourceInUseException, 409), and the
//! stack rolls back. deploy refuses before that, naming `parent.admin_principal_arns`.

use constructs::core::StackArtifact;
use constructs::inspect::template::access_entries;
use serde_json::Value;

use super::error::DeployError;

/// The IAM principal behind `arn` as access entries name it: an assumed role (`arn:aws:sts::<acct>:assumed-role/
/// <name>/<session>`) is its role `arn:aws:iam::<acct>:role/<name>`; users and roles are themselves.
pub fn principal_of(arn: &str) -> String {
    let Some(rest) = arn.strip_prefix("arn:") else { return arn.to_string() };
    let parts: Vec<&str> = rest.splitn(5, ':').collect();
    if let [partition, "sts", _, account, resource] = parts.as_slice() {
        if let Some(role) = resource.strip_prefix("assumed-role/").and_then(|r| r.split('/').next()) {
            return format!("arn:{partition}:iam::{account}:role/{role}");
        }
        // moto answers GetCallerIdentity for a user with an sts ARN; AWS with the user's iam ARN.
        if let Some(user) = resource.strip_prefix("user/") {
            return format!("arn:{partition}:iam::{account}:user/{user}");
        }
    }
    arn.to_string()
}

/// `(account, kind, name)` of an IAM role or user ARN, the path left out: an assumed-role ARN carries no path
/// (an SSO role is `role/aws-reserved/sso.amazonaws.com/<region>/<name>`), so two ARNs are the same principal
/// when these match.
fn identity(arn: &str) -> Option<(String, String, String)> {
    let rest = arn.strip_prefix("arn:")?;
    let parts: Vec<&str> = rest.splitn(5, ':').collect();
    let [_, "iam", _, account, resource] = parts.as_slice() else { return None };
    let (kind, path) = resource.split_once('/')?;
    let name = path.rsplit('/').next()?;
    Some((account.to_string(), kind.to_string(), name.to_string()))
}

/// The literal principal ARNs of the `AWS::EKS::AccessEntry` resources of `template`.
fn access_entry_principals(template: &Value) -> Vec<String> {
    access_entries(template).into_iter().filter_map(|e| e.principal_arn.map(str::to_string)).collect()
}

/// An error when a stack that creates an EKS cluster also gives `caller_arn` (the credentials, from STS) an
/// access entry.
pub fn check_not_listed_admin(stack: &StackArtifact, caller_arn: &str) -> Result<(), DeployError> {
    let creates_cluster =
        stack.template["Resources"].as_object().is_some_and(|r| r.values().any(|r| r["Type"] == "AWS::EKS::Cluster"));
    if !creates_cluster {
        return Ok(());
    }
    let caller = principal_of(caller_arn);
    let Some(me) = identity(&caller) else { return Ok(()) };
    match access_entry_principals(&stack.template).into_iter().find(|p| identity(p).as_ref() == Some(&me)) {
        None => Ok(()),
        Some(listed) => Err(DeployError::DeployerIsListedAdmin { stack: stack.name.clone(), listed, caller }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::deploy::testing;
    use constructs::core::hints::rendered;
    use serde_json::json;

    fn cluster(principals: &[&str]) -> StackArtifact {
        let mut resources = serde_json::Map::new();
        resources.insert("Cluster".into(), json!({"Type": "AWS::EKS::Cluster", "Properties": {"Name": "c"}}));
        for (i, p) in principals.iter().enumerate() {
            resources.insert(
                format!("AdminAccess{i}"),
                json!({"Type": "AWS::EKS::AccessEntry", "Properties": {"PrincipalArn": p}}),
            );
        }
        testing::stack("karmada-cluster", "us-east-1", json!({ "Resources": resources }), &[])
    }

    #[test]
    fn an_assumed_role_is_its_role_whatever_the_role_path() {
        assert_eq!(
            principal_of("arn:aws:sts::123456789012:assumed-role/Deployer/alice"),
            "arn:aws:iam::123456789012:role/Deployer"
        );
        assert_eq!(principal_of("arn:aws:iam::123456789012:user/bob"), "arn:aws:iam::123456789012:user/bob");
        let sso = "arn:aws:iam::123456789012:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_Admin_1f9f";
        let e = rendered(
            &check_not_listed_admin(
                &cluster(&[sso]),
                "arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_Admin_1f9f/alice@example.com",
            )
            .unwrap_err(),
        );
        assert!(e.contains("parent.admin_principal_arns"), "{e}");
        assert!(e.contains("already in use on this cluster"), "{e}");
        assert!(e.contains("hint: remove"), "{e}");
    }

    #[test]
    fn other_principals_and_stacks_without_a_cluster_pass() {
        let listed = "arn:aws:iam::123456789012:role/Admins";
        assert!(
            check_not_listed_admin(&cluster(&[listed]), "arn:aws:sts::123456789012:assumed-role/Deployer/a").is_ok()
        );
        assert!(check_not_listed_admin(&cluster(&[listed]), "arn:aws:sts::999999999999:assumed-role/Admins/a").is_ok());
        let no_cluster = testing::stack(
            "karmada-member-access-us-east-1",
            "us-east-1",
            json!({"Resources": {"A": {"Type": "AWS::EKS::AccessEntry", "Properties": {"PrincipalArn": listed}}}}),
            &[],
        );
        assert!(check_not_listed_admin(&no_cluster, "arn:aws:sts::123456789012:assumed-role/Admins/a").is_ok());
    }
}
