//! Zones: the zones the subnets use exist in the region, and every instance type is offered in each of them.

use std::collections::{BTreeMap, BTreeSet};

use super::demand::Zone;
use super::report::Finding;
use crate::deploy::ec2::{Ec2, Filter};
use crate::deploy::error::AwsError;

/// The zones `Fn::GetAZs` lists, in its order: the region's availability zones (not Local or Wavelength Zones)
/// sorted by name, only those with a default subnet when any zone has one (CloudFormation Template Reference,
/// `Fn::GetAZs`: "returns only Availability Zones that have a default subnet unless none of the Availability
/// Zones has a default subnet"), so `Fn::Select` index N is judged against the zone CloudFormation will pick.
pub async fn region_zones(ec2: &Ec2) -> Result<Vec<String>, AwsError> {
    let out = ec2.describe_availability_zones(&[Filter::new("zone-type", ["availability-zone"])]).await?;
    let available: Vec<String> =
        out.into_iter().filter(|z| z.state.is_empty() || z.state == "available").map(|z| z.name).collect();
    Ok(get_azs(available, &ec2.default_subnet_zones().await?))
}

/// `Fn::GetAZs` of a region with zones `available` and default subnets in `with_default_subnet`.
fn get_azs(available: Vec<String>, with_default_subnet: &[String]) -> Vec<String> {
    let mut zones: Vec<String> = match with_default_subnet.iter().any(|z| available.contains(z)) {
        true => available.into_iter().filter(|z| with_default_subnet.contains(z)).collect(),
        false => available,
    };
    zones.sort();
    zones
}

/// `(instance type, zone)` pairs where the types are offered, among `types`.
pub async fn offerings(ec2: &Ec2, types: &BTreeSet<String>) -> Result<BTreeSet<(String, String)>, AwsError> {
    let types: Vec<String> = types.iter().cloned().collect();
    Ok(ec2.instance_type_offerings(&types).await?.into_iter().collect())
}

/// The zones the subnets name, resolved against the region's zones; a failure when one does not exist.
pub fn check_zones(region: &str, wanted: &BTreeSet<Zone>, zones: &[String]) -> (Finding, Vec<String>) {
    let mut chosen = Vec::new();
    let mut missing = Vec::new();
    for z in wanted {
        match z.resolve(zones) {
            Some(name) if zones.contains(&name) => chosen.push(name),
            Some(name) => missing.push(name),
            None => missing.push(format!("zone #{}", index(z) + 1)),
        }
    }
    let finding = if missing.is_empty() {
        Finding::ok("zones", region, format!("the subnets use {}", chosen.join(", ")))
    } else if wanted.iter().all(|z| matches!(z, Zone::Index(_))) {
        Finding::fail(
            "zones",
            region,
            format!("the network needs {} zones, {region} has {} ({})", wanted.len(), zones.len(), zones.join(", ")),
            format!("set network.az_count to {} or less in karmada-eks.toml", zones.len()),
        )
    } else {
        Finding::fail(
            "zones",
            region,
            format!("{} not an available zone of {region}", missing.join(", ")),
            format!("set network.availability_zones to zones of {region}: {}", zones.join(", ")),
        )
    };
    (finding, chosen)
}

fn index(z: &Zone) -> usize {
    match z {
        Zone::Index(i) => *i,
        Zone::Named(_) => 0,
    }
}

/// One finding per instance type: offered in every chosen zone, or where it is missing and where it is offered.
pub fn check_instance_types(
    region: &str,
    types: &BTreeSet<String>,
    chosen: &[String],
    offered: &BTreeSet<(String, String)>,
) -> Vec<Finding> {
    let mut by_type: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (t, z) in offered {
        by_type.entry(t.as_str()).or_default().push(z.as_str());
    }
    types
        .iter()
        .map(|t| {
            let zones = by_type.get(t.as_str()).cloned().unwrap_or_default();
            let missing: Vec<&str> = chosen.iter().map(String::as_str).filter(|z| !zones.contains(z)).collect();
            let finding = if missing.is_empty() {
                Finding::ok("instance-type", region, format!("offered in {}", chosen.join(", ")))
            } else if zones.is_empty() {
                Finding::fail(
                    "instance-type",
                    region,
                    format!("{t} is not offered in any zone of {region}"),
                    "choose another type in parent.nodes.instance_types or management.instance_type \
                     (`aws ec2 describe-instance-type-offerings --location-type availability-zone` lists them)",
                )
            } else {
                Finding::fail(
                    "instance-type",
                    region,
                    format!("{t} is not offered in {}; it is in {}", missing.join(", "), zones.join(", ")),
                    format!(
                        "set network.availability_zones to zones that offer it (of {}), or choose another type in \
                         parent.nodes.instance_types or management.instance_type",
                        zones.join(", ")
                    ),
                )
            };
            finding.about(t.clone())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn get_azs_lists_only_zones_with_a_default_subnet_when_any_has_one() {
        let all = || ["us-east-1c", "us-east-1a", "us-east-1b", "us-east-1d"].map(String::from).to_vec();
        assert_eq!(get_azs(all(), &[]), ["us-east-1a", "us-east-1b", "us-east-1c", "us-east-1d"]);
        let defaults = ["us-east-1b".to_string(), "us-east-1d".to_string()];
        assert_eq!(get_azs(all(), &defaults), ["us-east-1b", "us-east-1d"], "index 0 is us-east-1b, not 1a");
        assert_eq!(get_azs(all(), &["us-west-2a".to_string()]).len(), 4, "a default subnet elsewhere changes nothing");
    }
    use crate::deploy::preflight::report::Status;

    fn zones() -> Vec<String> {
        vec!["us-east-1a".into(), "us-east-1b".into(), "us-east-1c".into()]
    }

    #[test]
    fn zones_by_index_resolve_in_getazs_order_and_too_many_fail_with_the_az_count_fix() {
        let wanted: BTreeSet<Zone> = [Zone::Index(0), Zone::Index(1)].into();
        let (f, chosen) = check_zones("us-east-1", &wanted, &zones());
        assert_eq!((f.result, chosen), (Status::Ok, vec!["us-east-1a".to_string(), "us-east-1b".to_string()]));
        let wanted: BTreeSet<Zone> = (0..4).map(Zone::Index).collect();
        let (f, _) = check_zones("us-east-1", &wanted, &zones());
        assert_eq!(f.result, Status::Fail);
        assert_eq!(f.found, "the network needs 4 zones, us-east-1 has 3 (us-east-1a, us-east-1b, us-east-1c)");
        assert_eq!(f.fix.as_deref(), Some("set network.az_count to 3 or less in karmada-eks.toml"));
    }

    #[test]
    fn a_named_zone_that_does_not_exist_fails_with_the_regions_zones() {
        let wanted: BTreeSet<Zone> = [Zone::Named("us-east-1a".into()), Zone::Named("us-east-1z".into())].into();
        let (f, _) = check_zones("us-east-1", &wanted, &zones());
        assert_eq!(f.result, Status::Fail);
        assert!(f.found.starts_with("us-east-1z not an available zone"), "{}", f.found);
        assert_eq!(
            f.fix.as_deref(),
            Some("set network.availability_zones to zones of us-east-1: us-east-1a, us-east-1b, us-east-1c")
        );
    }

    #[test]
    fn an_instance_type_missing_in_a_chosen_zone_fails_and_names_where_it_is_offered() {
        let offered: BTreeSet<(String, String)> = [
            ("m5.large".into(), "us-east-1a".into()),
            ("m5.large".into(), "us-east-1c".into()),
            ("t3.medium".into(), "us-east-1a".into()),
            ("t3.medium".into(), "us-east-1b".into()),
        ]
        .into();
        let types: BTreeSet<String> = ["m5.large".into(), "t3.medium".into(), "x9.nope".into()].into();
        let chosen = vec!["us-east-1a".to_string(), "us-east-1b".to_string()];
        let f = check_instance_types("us-east-1", &types, &chosen, &offered);
        assert_eq!(f[0].result, Status::Fail);
        assert_eq!(f[0].found, "m5.large is not offered in us-east-1b; it is in us-east-1a, us-east-1c");
        assert!(f[0].fix.as_deref().unwrap().starts_with("set network.availability_zones to zones that offer it"));
        assert_eq!((f[1].result, f[1].subject.as_deref()), (Status::Ok, Some("t3.medium")));
        assert_eq!(f[2].found, "x9.nope is not offered in any zone of us-east-1");
    }
}
