//! Service quotas against what the app needs in addition to what is already in use.
//!
//! The quota codes and defaults are the Service Quotas ones, from AWS's own pages:
//! - `ec2` `L-0263D0A3` "EC2-VPC Elastic IPs", default 5 per Region (AWS re:Post on DescribeAddresses: "5 by
//!   default, adjustable"; the code as Service Quotas names the quota in `list-service-quotas --service-code ec2`).
//! - `vpc` `L-F678F1CE` "VPCs per Region", default 5; `vpc` `L-FE5A380F` "NAT gateways per Availability Zone",
//!   default 5 (general reference, "Amazon Virtual Private Cloud endpoints and quotas"; the same codes and
//!   values are what ListAWSDefaultServiceQuotas returns for `vpc`).
//! - `eks` `L-1194D53C` "Clusters", default 100 per Region (EKS User Guide, "Amazon EKS service quotas").
//! - `ec2` `L-1216C47A` "Running On-Demand Standard (A, C, D, H, I, M, R, T, Z) instances", counted in vCPUs,
//!   default 5 (AWS CLI User Guide, `get-aws-default-service-quota --service-code ec2 --quota-code
//!   L-1216C47A` example output: `"Value": 5.0`).
//!
//! The applied value comes from `GetServiceQuota`. When the credentials cannot see it (no
//! `servicequotas:GetServiceQuota`, or the quota was never applied in the account), the documented default is
//! used: exceeding a visible quota fails, exceeding only the default warns, as the applied value is often higher.

use std::collections::BTreeMap;

use super::report::Finding;
use crate::deploy::ec2::Ec2;
use crate::deploy::error::{AwsError, AwsErrorKind};

/// One Service Quotas quota the app's resources count against.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Quota {
    pub check: &'static str,
    pub service: &'static str,
    pub code: &'static str,
    pub name: &'static str,
    /// The documented default, used when the applied value is not visible.
    pub default: u64,
    /// What to free instead of raising the quota.
    pub free: &'static str,
    /// What the count is of.
    pub unit: &'static str,
}

pub const ELASTIC_IPS: Quota = Quota {
    check: "quota-elastic-ips",
    service: "ec2",
    code: "L-0263D0A3",
    name: "EC2-VPC Elastic IPs",
    default: 5,
    free: "release Elastic IPs you no longer use (`aws ec2 describe-addresses`)",
    unit: "Elastic IPs",
};
pub const VPCS: Quota = Quota {
    check: "quota-vpcs",
    service: "vpc",
    code: "L-F678F1CE",
    name: "VPCs per Region",
    default: 5,
    free: "delete VPCs you no longer use (the default VPC counts too)",
    unit: "VPCs",
};
pub const NAT_GATEWAYS: Quota = Quota {
    check: "quota-nat-gateways",
    service: "vpc",
    code: "L-FE5A380F",
    name: "NAT gateways per Availability Zone",
    default: 5,
    free: "delete NAT gateways you no longer use in that zone, or set network.nat_gateways lower",
    unit: "NAT gateways",
};
pub const EKS_CLUSTERS: Quota = Quota {
    check: "quota-eks-clusters",
    service: "eks",
    code: "L-1194D53C",
    name: "Clusters",
    default: 100,
    free: "delete EKS clusters you no longer use",
    unit: "EKS clusters",
};
pub const ON_DEMAND_VCPUS: Quota = Quota {
    check: "quota-vcpus",
    service: "ec2",
    code: "L-1216C47A",
    name: "Running On-Demand Standard (A, C, D, H, I, M, R, T, Z) instances",
    default: 5,
    free: "stop instances you no longer use, or choose smaller parent.nodes.instance_types / fewer parent.nodes.max",
    unit: "vCPUs",
};

/// A quota's value and where it came from.
#[derive(Clone, Debug, PartialEq)]
pub struct Applied {
    pub value: u64,
    /// `None`: the applied value; `Some(why)`: the documented default, because of `why`.
    pub defaulted: Option<String>,
    /// Where an applied value comes from when it is not Service Quotas' (EC2's account attribute).
    pub reported_by: Option<&'static str>,
}

impl Applied {
    pub fn visible(value: u64) -> Self {
        Applied { value, defaulted: None, reported_by: None }
    }

    pub fn defaulted(quota: &Quota, why: impl Into<String>) -> Self {
        Applied { value: quota.default, defaulted: Some(why.into()), reported_by: None }
    }
}

/// The applied value of `quota` in the client's region; for a quota never raised in the account
/// (`NoSuchResourceException`), AWS's default for it (`GetAWSDefaultServiceQuota`); else its documented default.
pub async fn applied(client: &aws_sdk_servicequotas::Client, quota: &Quota) -> Applied {
    let not_visible = |e: AwsError| match e.kind {
        AwsErrorKind::AccessDenied => Applied::defaulted(
            quota,
            format!("{}; docs/deployer-policy.md lists the permissions doctor needs", e.message),
        ),
        _ => Applied::defaulted(quota, e.message),
    };
    match client.get_service_quota().service_code(quota.service).quota_code(quota.code).send().await {
        Ok(out) => match out.quota().and_then(|q| q.value()) {
            Some(v) if v >= 0.0 => Applied::visible(v as u64),
            _ => Applied::defaulted(quota, "Service Quotas returned no value"),
        },
        Err(e) => {
            let e = AwsError::from_sdk("GetServiceQuota", e);
            if e.code.as_deref() != Some("NoSuchResourceException") {
                return not_visible(e);
            }
            let default =
                client.get_aws_default_service_quota().service_code(quota.service).quota_code(quota.code).send().await;
            match default.map(|out| out.quota().and_then(|q| q.value())) {
                Ok(Some(v)) if v >= 0.0 => Applied::visible(v as u64),
                Ok(_) => not_visible(e),
                Err(d) => not_visible(AwsError::from_sdk("GetAWSDefaultServiceQuota", d)),
            }
        }
    }
}

/// The Elastic IP quota: its applied value from Service Quotas, else the account's own limit as EC2 reports it
/// (`vpc-max-elastic-ips`, visible with `ec2:DescribeAccountAttributes` where Service Quotas is not), else the
/// documented default.
pub async fn applied_elastic_ips(client: &aws_sdk_servicequotas::Client, ec2: &Ec2) -> Applied {
    let applied = applied(client, &ELASTIC_IPS).await;
    if applied.defaulted.is_none() {
        return applied;
    }
    match ec2.max_elastic_ips().await {
        Ok(Some(limit)) => {
            Applied { reported_by: Some("the account's vpc-max-elastic-ips"), ..Applied::visible(limit) }
        }
        _ => applied,
    }
}

/// The verdict on `need` more of `quota` when `in_use` are in use; `subject` names a zone for per-zone quotas.
pub fn judge(quota: &Quota, region: &str, subject: Option<&str>, in_use: u64, need: u64, applied: &Applied) -> Finding {
    let source = match (&applied.defaulted, applied.reported_by) {
        (None, None) => format!("quota {} {}", quota.code, applied.value),
        (None, Some(by)) => format!("{by} {} (EC2; Service Quotas' {} is not visible)", applied.value, quota.code),
        (Some(_), _) => format!("documented default {} of {}", applied.value, quota.code),
    };
    let total = in_use + need;
    let found = format!("{in_use} in use + {need} needed = {total} {} of {source}", quota.unit);
    let finding = if total <= applied.value {
        Finding::ok(quota.check, region, found)
    } else {
        let raise = format!(
            "`aws service-quotas request-service-quota-increase --service-code {} --quota-code {} --desired-value {total} \
             --region {region}`",
            quota.service, quota.code
        );
        match &applied.defaulted {
            None => Finding::fail(quota.check, region, found, format!("{}, or raise the quota: {raise}", quota.free)),
            Some(why) => Finding::warn(
                quota.check,
                region,
                format!("{found} (the applied value is not visible: {why})"),
                format!(
                    "check \"{}\" in the Service Quotas console; if it is below {total}, {}, or raise it: {raise}",
                    quota.name, quota.free
                ),
            ),
        }
    };
    match subject {
        Some(s) => finding.about(s),
        None => finding,
    }
}

/// Whether an instance type counts against `L-1216C47A`: the families A, C, D, H, I, M, R, T and Z, without the
/// ones with quotas of their own that share a first letter (DL, HPC, Inf, Mac, Trn).
pub fn is_standard_family(instance_type: &str) -> bool {
    let family = instance_type.split('.').next().unwrap_or("");
    let own_quota = ["dl", "hpc", "inf", "mac", "trn"].iter().any(|p| family.starts_with(p));
    family.chars().next().is_some_and(|c| "acdhimrtz".contains(c)) && !own_quota
}

/// vCPUs of the standard-family instances in `instances` (type options -> count), counting each group at its
/// largest type; types without a known vCPU count are returned apart.
pub fn standard_vcpus(instances: &BTreeMap<Vec<String>, u32>, vcpus: &BTreeMap<String, u32>) -> (u64, Vec<String>) {
    let mut total = 0u64;
    let mut unknown = Vec::new();
    for (types, count) in instances {
        let standard: Vec<&String> = types.iter().filter(|t| is_standard_family(t)).collect();
        let mut largest = 0u32;
        for t in standard {
            match vcpus.get(t) {
                Some(v) => largest = largest.max(*v),
                None => unknown.push(t.clone()),
            }
        }
        total += u64::from(largest) * u64::from(*count);
    }
    (total, unknown)
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_servicequotas::error::ErrorMetadata;
    use aws_sdk_servicequotas::operation::get_aws_default_service_quota::{
        GetAWSDefaultServiceQuotaError, GetAwsDefaultServiceQuotaOutput,
    };
    use aws_sdk_servicequotas::operation::get_service_quota::GetServiceQuotaError;
    use aws_sdk_servicequotas::types::ServiceQuota;
    use aws_sdk_servicequotas::Client;
    use aws_smithy_mocks::{mock, mock_client, RuleMode};

    fn service_error(code: &str) -> ErrorMetadata {
        ErrorMetadata::builder().code(code).message(format!("{code} from the recorded answer")).build()
    }

    /// A quota the account never raised has no applied value (`NoSuchResourceException`): AWS's default for the
    /// account stands, read with GetAWSDefaultServiceQuota, and is a visible value, not the documented one.
    #[tokio::test]
    async fn a_quota_never_raised_is_read_as_the_accounts_aws_default() {
        let unapplied = mock!(Client::get_service_quota)
            .then_error(|| GetServiceQuotaError::generic(service_error("NoSuchResourceException")));
        let default = mock!(Client::get_aws_default_service_quota).then_output(|| {
            GetAwsDefaultServiceQuotaOutput::builder().quota(ServiceQuota::builder().value(32.0).build()).build()
        });
        let client = mock_client!(aws_sdk_servicequotas, RuleMode::MatchAny, [&unapplied, &default]);
        assert_eq!(applied(&client, &ON_DEMAND_VCPUS).await, Applied::visible(32));

        let denied = mock!(Client::get_service_quota)
            .then_error(|| GetServiceQuotaError::generic(service_error("AccessDeniedException")));
        let client = mock_client!(aws_sdk_servicequotas, RuleMode::MatchAny, [&denied]);
        let fallback = applied(&client, &ON_DEMAND_VCPUS).await;
        assert_eq!(fallback.value, 5, "the documented default");
        assert!(fallback.defaulted.unwrap().contains("docs/deployer-policy.md"));

        let unapplied = mock!(Client::get_service_quota)
            .then_error(|| GetServiceQuotaError::generic(service_error("NoSuchResourceException")));
        let no_default = mock!(Client::get_aws_default_service_quota)
            .then_error(|| GetAWSDefaultServiceQuotaError::generic(service_error("AccessDeniedException")));
        let client = mock_client!(aws_sdk_servicequotas, RuleMode::MatchAny, [&unapplied, &no_default]);
        let fallback = applied(&client, &ON_DEMAND_VCPUS).await;
        assert_eq!(fallback.value, 5);
        assert!(fallback.defaulted.unwrap().starts_with("AccessDeniedException"), "the second refusal is named");
    }

    #[test]
    fn four_elastic_ips_in_use_and_four_needed_exceed_the_quota_of_five() {
        let f = judge(&ELASTIC_IPS, "us-east-1", None, 4, 4, &Applied::visible(5));
        assert_eq!(f.result, super::super::report::Status::Fail);
        assert_eq!(f.found, "4 in use + 4 needed = 8 Elastic IPs of quota L-0263D0A3 5");
        let fix = f.fix.unwrap();
        assert!(fix.starts_with("release Elastic IPs you no longer use"), "{fix}");
        assert!(
            fix.contains(
                "aws service-quotas request-service-quota-increase --service-code ec2 --quota-code L-0263D0A3 \
                 --desired-value 8 --region us-east-1"
            ),
            "{fix}"
        );
        assert_eq!(
            judge(&ELASTIC_IPS, "us-east-1", None, 1, 4, &Applied::visible(5)).result,
            super::super::report::Status::Ok
        );
    }

    #[test]
    fn over_a_default_that_is_not_the_visible_value_only_warns() {
        let f = judge(&ON_DEMAND_VCPUS, "us-east-1", None, 0, 8, &Applied::defaulted(&ON_DEMAND_VCPUS, "AccessDenied"));
        assert_eq!(f.result, super::super::report::Status::Warn);
        assert!(f.found.contains("documented default 5 of L-1216C47A"), "{}", f.found);
        assert!(f.found.contains("not visible: AccessDenied"), "{}", f.found);
        assert!(f.fix.unwrap().contains("Running On-Demand Standard (A, C, D, H, I, M, R, T, Z) instances"));
    }

    #[test]
    fn per_zone_quotas_name_the_zone() {
        let f = judge(&NAT_GATEWAYS, "us-east-1", Some("us-east-1a"), 5, 1, &Applied::visible(5));
        assert_eq!((f.result, f.subject.as_deref()), (super::super::report::Status::Fail, Some("us-east-1a")));
        assert!(f.fix.unwrap().contains("--quota-code L-FE5A380F"));
    }

    #[test]
    fn documented_codes_and_defaults() {
        let table: Vec<(&str, &str, u64)> = [ELASTIC_IPS, VPCS, NAT_GATEWAYS, EKS_CLUSTERS, ON_DEMAND_VCPUS]
            .iter()
            .map(|q| (q.service, q.code, q.default))
            .collect();
        assert_eq!(
            table,
            vec![
                ("ec2", "L-0263D0A3", 5),
                ("vpc", "L-F678F1CE", 5),
                ("vpc", "L-FE5A380F", 5),
                ("eks", "L-1194D53C", 100),
                ("ec2", "L-1216C47A", 5)
            ]
        );
    }

    #[test]
    fn standard_families_and_vcpus_per_group_at_its_largest_type() {
        for t in ["m5.large", "t3.medium", "c7g.xlarge", "r6i.2xlarge", "i4i.large", "z1d.large", "d3.xlarge"] {
            assert!(is_standard_family(t), "{t}");
        }
        for t in [
            "g5.xlarge",
            "p4d.24xlarge",
            "inf2.xlarge",
            "trn1.2xlarge",
            "dl1.24xlarge",
            "mac1.metal",
            "x2idn.16xlarge",
            "hpc6a.48xlarge",
        ] {
            assert!(!is_standard_family(t), "{t}");
        }
        let vcpus: BTreeMap<String, u32> =
            [("m5.large".into(), 2), ("m5.xlarge".into(), 4), ("t3.medium".into(), 2)].into();
        let instances: BTreeMap<Vec<String>, u32> = [
            (vec!["m5.large".to_string(), "m5.xlarge".to_string()], 3),
            (vec!["t3.medium".to_string()], 1),
            (vec!["g5.xlarge".to_string()], 2),
            (vec!["m9.huge".to_string()], 1),
        ]
        .into();
        assert_eq!(standard_vcpus(&instances, &vcpus), (3 * 4 + 2, vec!["m9.huge".to_string()]));
    }
}
