//! The parent's Kubernetes version, judged by EKS itself: whether EKS offers it in the region today
//! (`DescribeClusterVersions`, the truth the dated table of `constructs::eks::versions` stands in for at synth),
//! and whether the step from the version the cluster runs is one EKS takes: "Update the Kubernetes version" in the
//! EKS User Guide upgrades one minor version at a time, and a cluster is never downgraded.

use aws_sdk_eks::types::VersionStatus;
use constructs::eks::versions::{self, minor};

use super::report::Finding;
use crate::deploy::error::AwsError;

/// What EKS answers of one version in a region.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Offer {
    /// `STANDARD_SUPPORT`, `EXTENDED_SUPPORT` or `UNSUPPORTED`.
    pub status: String,
    /// End of standard support, `YYYY-MM-DD`.
    pub end_of_standard_support: Option<String>,
    /// End of extended support, `YYYY-MM-DD`.
    pub end_of_extended_support: Option<String>,
}

/// Asks EKS in `region` about `wanted`; `None` in the answer when EKS does not list it.
pub async fn offer(eks: &aws_sdk_eks::Client, wanted: &str) -> Result<Option<Offer>, AwsError> {
    let out = eks
        .describe_cluster_versions()
        .cluster_versions(wanted)
        .include_all(true)
        .send()
        .await
        .map_err(|e| AwsError::from_sdk("DescribeClusterVersions", e))?;
    let day = |d: Option<&aws_sdk_eks::primitives::DateTime>| {
        d.and_then(|d| d.fmt(aws_sdk_eks::primitives::DateTimeFormat::DateTime).ok()).map(|s| s[..10].to_string())
    };
    // `status` is the field's older name (deprecated, still answered, its values spelled `extended-support`):
    // what an endpoint without `versionStatus` gives.
    #[allow(deprecated)]
    let status = |v: &aws_sdk_eks::types::ClusterVersionInformation| {
        v.version_status()
            .map(VersionStatus::as_str)
            .or_else(|| v.status().map(aws_sdk_eks::types::ClusterVersionStatus::as_str))
            .unwrap_or("UNKNOWN")
            .to_ascii_uppercase()
            .replace('-', "_")
    };
    Ok(out.cluster_versions().iter().find(|v| v.cluster_version() == Some(wanted)).map(|v| Offer {
        status: status(v),
        end_of_standard_support: day(v.end_of_standard_support_date()),
        end_of_extended_support: day(v.end_of_extended_support_date()),
    }))
}

/// `eks-version`: EKS's answer about `wanted` in `region`.
pub fn judge_offer(region: &str, wanted: &str, offer: Option<&Offer>) -> Finding {
    let choose = || {
        format!(
            "set parent.kubernetes_version in karmada-eks.toml to a version EKS offers (as of {}: {})",
            versions::TABLE_DATE,
            versions::offered().join(", ")
        )
    };
    let Some(o) = offer else {
        return Finding::fail(
            "eks-version",
            region,
            format!("EKS in {region} does not offer Kubernetes {wanted}"),
            choose(),
        );
    };
    match o.status.as_str() {
        "STANDARD_SUPPORT" => Finding::ok(
            "eks-version",
            region,
            format!(
                "Kubernetes {wanted} is in standard support{}",
                o.end_of_standard_support.as_deref().map(|d| format!(" until {d}")).unwrap_or_default()
            ),
        ),
        "EXTENDED_SUPPORT" => Finding::warn(
            "eks-version",
            region,
            format!(
                "Kubernetes {wanted} is in extended support{}, billed per cluster-hour at the extended rate \
                 (`karmada-eks cost` prices it)",
                o.end_of_extended_support.as_deref().map(|d| format!(" until {d}")).unwrap_or_default()
            ),
            format!(
                "upgrade one minor version a deploy: set parent.kubernetes_version = \"1.{}\"",
                minor(wanted).map_or(0, |m| m + 1)
            ),
        ),
        other => Finding::fail(
            "eks-version",
            region,
            format!(
                "EKS in {region} answers {other} for Kubernetes {wanted}: a cluster cannot be created or kept on it"
            ),
            choose(),
        ),
    }
}

/// `eks-upgrade`: the step from `running` (what the cluster `name` runs) to `wanted`.
pub fn judge_step(region: &str, name: &str, running: &str, wanted: &str) -> Finding {
    let (Some(from), Some(to)) = (minor(running), minor(wanted)) else {
        return Finding::warn(
            "eks-upgrade",
            region,
            format!("{name} runs Kubernetes {running}; the config asks for {wanted}"),
            "check parent.kubernetes_version: it is compared by minor version (\"1.N\")",
        );
    };
    if to == from {
        return Finding::ok("eks-upgrade", region, format!("{name} runs Kubernetes {running}, as configured"));
    }
    if to == from + 1 {
        return Finding::ok(
            "eks-upgrade",
            region,
            format!(
                "deploy upgrades {name} from {running} to {wanted}: the control plane in place, then the node group \
                 rolling (the host's kubectl follows at its next reconcile)"
            ),
        );
    }
    if to < from {
        return Finding::fail(
            "eks-upgrade",
            region,
            format!("{name} runs Kubernetes {running}: EKS cannot downgrade a cluster to {wanted}"),
            format!("set parent.kubernetes_version = \"{running}\" in karmada-eks.toml"),
        );
    }
    let steps: Vec<String> = (from + 1..=to).map(|m| format!("\"1.{m}\"")).collect();
    Finding::fail(
        "eks-upgrade",
        region,
        format!("{name} runs Kubernetes {running}: EKS upgrades one minor version at a time, not to {wanted} at once"),
        format!(
            "set parent.kubernetes_version to {} in turn, one deploy each, and check `karmada-eks status` between",
            steps.join(", then ")
        ),
    )
}

/// Both findings for the parent `name` that runs `running` (absent before its first deploy).
pub async fn parent(
    eks: &aws_sdk_eks::Client,
    region: &str,
    name: &str,
    wanted: &str,
    running: Option<&str>,
) -> Vec<Finding> {
    let mut out = Vec::new();
    if let Some(running) = running {
        out.push(judge_step(region, name, running, wanted).about(name));
    }
    out.push(match offer(eks, wanted).await {
        Ok(o) => judge_offer(region, wanted, o.as_ref()),
        Err(e) => Finding::unknown("eks-version", region, &e),
    });
    out
}

#[cfg(test)]
mod tests {
    use super::super::report::Status;
    use super::*;
    use aws_sdk_eks::operation::describe_cluster_versions::DescribeClusterVersionsOutput;
    use aws_sdk_eks::types::ClusterVersionInformation;
    use aws_sdk_eks::Client;
    use aws_smithy_mocks::{mock, mock_client, RuleMode};

    #[test]
    fn one_minor_up_is_an_upgrade_more_is_refused_with_the_steps_and_down_is_refused() {
        assert_eq!(judge_step("us-east-1", "p", "1.33", "1.33").result, Status::Ok);
        let up = judge_step("us-east-1", "p", "1.33", "1.34");
        assert_eq!(up.result, Status::Ok);
        assert!(up.found.contains("upgrades p from 1.33 to 1.34"), "{}", up.found);
        let jump = judge_step("us-east-1", "p", "1.32", "1.35");
        assert_eq!(jump.result, Status::Fail);
        assert!(jump.found.contains("one minor version at a time"), "{}", jump.found);
        assert_eq!(
            jump.fix.as_deref(),
            Some("set parent.kubernetes_version to \"1.33\", then \"1.34\", then \"1.35\" in turn, one deploy each, and check `karmada-eks status` between")
        );
        let down = judge_step("us-east-1", "p", "1.34", "1.33");
        assert_eq!(down.result, Status::Fail);
        assert_eq!(down.fix.as_deref(), Some("set parent.kubernetes_version = \"1.34\" in karmada-eks.toml"));
    }

    fn answer(version: &'static str, status: &'static str) -> impl Fn() -> DescribeClusterVersionsOutput {
        move || {
            DescribeClusterVersionsOutput::builder()
                .cluster_versions(
                    ClusterVersionInformation::builder()
                        .cluster_version(version)
                        .version_status(VersionStatus::from(status))
                        .end_of_standard_support_date(aws_sdk_eks::primitives::DateTime::from_secs(1_805_760_000))
                        .end_of_extended_support_date(aws_sdk_eks::primitives::DateTime::from_secs(1_837_468_800))
                        .build(),
                )
                .build()
        }
    }

    async fn judged(version: &'static str, status: &'static str) -> Finding {
        let rule = mock!(Client::describe_cluster_versions)
            .match_requests(move |r| r.cluster_versions() == [version.to_string()] && r.include_all() == Some(true))
            .then_output(answer(version, status));
        let client = mock_client!(aws_sdk_eks, RuleMode::MatchAny, &[&rule]);
        let findings = parent(&client, "eu-west-1", "karmada-parent", version, None).await;
        assert_eq!(findings.len(), 1);
        findings.into_iter().next().unwrap()
    }

    #[tokio::test]
    async fn eks_answer_decides_standard_ok_extended_warned_unsupported_and_unlisted_failed() {
        let f = judged("1.35", "STANDARD_SUPPORT").await;
        assert_eq!(
            (f.result, f.found.as_str()),
            (Status::Ok, "Kubernetes 1.35 is in standard support until 2027-03-23")
        );
        let f = judged("1.33", "EXTENDED_SUPPORT").await;
        assert_eq!(f.result, Status::Warn);
        assert!(f.found.contains("extended support until 2028-03-24"), "{}", f.found);
        assert_eq!(
            f.fix.as_deref(),
            Some("upgrade one minor version a deploy: set parent.kubernetes_version = \"1.34\"")
        );
        let f = judged("1.31", "UNSUPPORTED").await;
        assert_eq!(f.result, Status::Fail);
        assert!(f.fix.unwrap().contains("1.32, 1.33, 1.34, 1.35"));
        // An endpoint that answers only the older `status` field.
        #[allow(deprecated)]
        let older = mock!(Client::describe_cluster_versions).then_output(|| {
            DescribeClusterVersionsOutput::builder()
                .cluster_versions(
                    ClusterVersionInformation::builder()
                        .cluster_version("1.32")
                        .status(aws_sdk_eks::types::ClusterVersionStatus::ExtendedSupport)
                        .build(),
                )
                .build()
        });
        let client = mock_client!(aws_sdk_eks, RuleMode::MatchAny, &[&older]);
        let f = parent(&client, "eu-west-1", "p", "1.32", None).await.remove(0);
        assert_eq!(f.result, Status::Warn, "{f:?}");
        let empty =
            mock!(Client::describe_cluster_versions).then_output(|| DescribeClusterVersionsOutput::builder().build());
        let client = mock_client!(aws_sdk_eks, RuleMode::MatchAny, &[&empty]);
        let f = parent(&client, "eu-west-1", "p", "1.29", Some("1.29")).await;
        assert_eq!(f[0].result, Status::Ok);
        assert_eq!(
            (f[1].result, f[1].found.as_str()),
            (Status::Fail, "EKS in eu-west-1 does not offer Kubernetes 1.29")
        );
    }
}
