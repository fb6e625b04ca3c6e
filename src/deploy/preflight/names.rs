//! Names the app would create that something else already holds: an EKS cluster named like the parent, the
//! kubeconfig secret `<app>/karmada/kubeconfig`.

use constructs::karmada::wellknown;

use super::report::Finding;
use crate::deploy::error::AwsError;
use constructs::karmada::wellknown::TAG_APP;

/// An existing EKS cluster named `name` that is not the app's (tag `karmada-eks:app`) fails. Also returns the
/// Kubernetes version the cluster runs, when it exists.
pub async fn parent_cluster(
    eks: &aws_sdk_eks::Client,
    region: &str,
    name: &str,
    app: &str,
) -> (Finding, Option<String>) {
    let mut running = None;
    let finding = match eks.describe_cluster().name(name).send().await {
        Ok(out) => {
            let owner = out.cluster().and_then(|c| c.tags()).and_then(|t| t.get(TAG_APP)).cloned();
            // Another app's cluster is not ours to judge the version of.
            if owner.as_deref() == Some(app) {
                running = out.cluster().and_then(|c| c.version()).map(str::to_string);
            }
            judge_cluster(region, name, app, owner.as_deref(), true)
        }
        Err(e) => {
            let e = AwsError::from_sdk("DescribeCluster", e);
            if e.code.as_deref() == Some("ResourceNotFoundException") {
                judge_cluster(region, name, app, None, false)
            } else {
                Finding::unknown("name-eks-cluster", region, &e)
            }
        }
    };
    (finding.about(name), running)
}

fn judge_cluster(region: &str, name: &str, app: &str, owner: Option<&str>, exists: bool) -> Finding {
    match (exists, owner) {
        (false, _) => Finding::ok("name-eks-cluster", region, format!("no EKS cluster named {name} yet")),
        (true, Some(o)) if o == app => {
            Finding::ok("name-eks-cluster", region, format!("{name} is this app's cluster ({TAG_APP}={app})"))
        }
        (true, owner) => Finding::fail(
            "name-eks-cluster",
            region,
            format!(
                "an EKS cluster named {name} already exists in {region} and is not app {app}'s{}",
                owner.map(|o| format!(" (it is app {o}'s)")).unwrap_or_default()
            ),
            "set parent.name in karmada-eks.toml to a name not in use, or delete that cluster",
        ),
    }
}

/// The kubeconfig secret, read through its SSM reference path: one that exists while the app's cluster stack
/// (which creates it) does not is someone else's, and creating the app's would fail.
pub async fn kubeconfig_secret(
    ssm: &aws_sdk_ssm::Client,
    region: &str,
    app: &str,
    cluster_stack_exists: bool,
) -> Finding {
    let secret = wellknown::kubeconfig_secret(app);
    let reference = wellknown::secret_reference(&secret);
    let exists = match ssm.get_parameter().name(&reference).with_decryption(true).send().await {
        Ok(_) => true,
        Err(e) => {
            let e = AwsError::from_sdk("GetParameter", e);
            if !e.is_not_found() {
                return Finding::unknown("name-kubeconfig-secret", region, &e).about(secret);
            }
            false
        }
    };
    judge_secret(region, &secret, app, exists, cluster_stack_exists).about(secret)
}

fn judge_secret(region: &str, secret: &str, app: &str, exists: bool, cluster_stack_exists: bool) -> Finding {
    match (exists, cluster_stack_exists) {
        (false, _) => Finding::ok("name-kubeconfig-secret", region, format!("no secret named {secret} yet")),
        (true, true) => Finding::ok("name-kubeconfig-secret", region, "the secret belongs to the deployed cluster stack"),
        (true, false) => Finding::fail(
            "name-kubeconfig-secret",
            region,
            format!("a secret named {secret} exists, but the app's cluster stack does not"),
            format!(
                "if it is left from an earlier app named {app}, delete it (`aws secretsmanager delete-secret --secret-id \
                 {secret} --force-delete-without-recovery --region {region}`); otherwise set `app` in karmada-eks.toml \
                 to another name"
            ),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::deploy::preflight::report::Status;

    #[test]
    fn a_cluster_of_another_owner_fails_and_the_apps_own_passes() {
        assert_eq!(judge_cluster("r", "parent", "app", None, false).result, Status::Ok);
        assert_eq!(judge_cluster("r", "parent", "app", Some("app"), true).result, Status::Ok);
        let f = judge_cluster("r", "parent", "app", Some("other"), true);
        assert_eq!(f.result, Status::Fail);
        assert_eq!(f.found, "an EKS cluster named parent already exists in r and is not app app's (it is app other's)");
        assert_eq!(
            f.fix.as_deref(),
            Some("set parent.name in karmada-eks.toml to a name not in use, or delete that cluster")
        );
        assert_eq!(judge_cluster("r", "parent", "app", None, true).result, Status::Fail);
    }

    #[test]
    fn a_secret_without_the_cluster_stack_fails_with_the_delete_secret_fix() {
        assert_eq!(judge_secret("r", "app/karmada/kubeconfig", "app", false, false).result, Status::Ok);
        assert_eq!(judge_secret("r", "app/karmada/kubeconfig", "app", true, true).result, Status::Ok);
        let f = judge_secret("r", "app/karmada/kubeconfig", "app", true, false);
        assert_eq!(f.result, Status::Fail);
        assert!(f.fix.as_deref().unwrap().contains(
            "aws secretsmanager delete-secret --secret-id app/karmada/kubeconfig --force-delete-without-recovery --region r"
        ));
    }
}
