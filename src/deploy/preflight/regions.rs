//! Whether each region the app uses is enabled for the account. Regions launched after March 2019 are opt-in
//! (AWS Account Management Reference Guide, "Enable or disable AWS Regions in your account"): until the account
//! enables one, every call to it fails, and doctor's other checks there can only say "not checked". EC2's
//! `DescribeRegions` with `AllRegions` gives each region's `optInStatus` (`opt-in-not-required`, `opted-in`,
//! `not-opted-in`); it is asked in the partition's first region, which is never opt-in.

use super::report::Finding;
use crate::deploy::client::Aws;

/// The region that answers for the partition of `region`, or `None` for partitions karmada-eks does not know.
fn asked_in(region: &str) -> Option<&'static str> {
    if region.starts_with("cn-") {
        Some("cn-north-1")
    } else if region.starts_with("us-gov-") {
        Some("us-gov-west-1")
    } else if region.starts_with("us-iso") || region.starts_with("eu-isoe") {
        None
    } else {
        Some("us-east-1")
    }
}

/// One finding per region of `regions` that needs opting in: ok when the account has, a failure with the fix when
/// it has not; nothing for regions that need no opt-in, or when EC2 cannot be asked (the other checks say why).
pub async fn enabled(aws: &Aws, regions: &[String]) -> Vec<Finding> {
    let Some(first) = regions.first() else { return Vec::new() };
    let Some(region) = asked_in(first) else { return Vec::new() };
    let Ok(statuses) = aws.ec2(region).region_opt_in_statuses(regions).await else { return Vec::new() };
    judge(regions, &statuses)
}

fn judge(regions: &[String], statuses: &[(String, String)]) -> Vec<Finding> {
    let mut out = Vec::new();
    for r in regions {
        match statuses.iter().find(|(name, _)| name == r).map(|(_, s)| s.as_str()) {
            Some("opted-in") => {
                out.push(Finding::ok("region-enabled", r, "the account has enabled this opt-in region"))
            }
            Some("not-opted-in") => out.push(Finding::fail(
                "region-enabled",
                r,
                "an opt-in region the account has not enabled: every call to it fails",
                format!(
                    "enable it with `aws account enable-region --region-name {r}` and wait until `aws account \
                     get-region-opt-status --region-name {r}` says ENABLED (minutes to hours), or choose another region"
                ),
            )),
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::deploy::preflight::report::Status;

    #[test]
    fn a_region_not_enabled_fails_with_the_command_that_enables_it() {
        let statuses = [
            ("us-east-1".to_string(), "opt-in-not-required".to_string()),
            ("af-south-1".to_string(), "not-opted-in".to_string()),
            ("eu-south-1".to_string(), "opted-in".to_string()),
        ];
        let regions = ["us-east-1", "af-south-1", "eu-south-1"].map(String::from);
        let findings = judge(&regions, &statuses);
        assert_eq!(findings.len(), 2, "no row for a region that needs no opt-in");
        assert_eq!((findings[0].region.as_str(), findings[0].result), ("af-south-1", Status::Fail));
        assert!(findings[0]
            .fix
            .as_deref()
            .unwrap()
            .starts_with("enable it with `aws account enable-region --region-name af-south-1`"));
        assert_eq!((findings[1].region.as_str(), findings[1].result), ("eu-south-1", Status::Ok));
        assert_eq!(asked_in("cn-northwest-1"), Some("cn-north-1"));
        assert_eq!(asked_in("us-gov-east-1"), Some("us-gov-west-1"));
        assert_eq!(asked_in("ap-southeast-5"), Some("us-east-1"));
    }
}
