//! The EC2 operations the tool calls, with typed answers. Names and fields as in the EC2 API Reference
//! (<https://docs.aws.amazon.com/AWSEC2/latest/APIReference/>): lists are `<xSet><item>`, pages end when
//! `nextToken` is empty.

use super::xml::Element;
use super::Ec2;
use crate::deploy::error::{AwsError, AwsErrorKind};

/// A `Filter.N` of a Describe call: `name` with any of `values`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Filter {
    pub name: String,
    pub values: Vec<String>,
}

impl Filter {
    pub fn new(name: impl Into<String>, values: impl IntoIterator<Item = impl Into<String>>) -> Self {
        Filter { name: name.into(), values: values.into_iter().map(Into::into).collect() }
    }
}

/// An EBS volume.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VolumeInfo {
    pub id: String,
    pub size_gib: i32,
    pub state: String,
    pub tags: Vec<(String, String)>,
}

impl VolumeInfo {
    pub fn tag(&self, key: &str) -> Option<&str> {
        self.tags.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }
}

/// An availability zone of the region.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Zone {
    pub name: String,
    pub id: String,
    /// `available`, `information`, `impaired`, `unavailable`.
    pub state: String,
    /// `availability-zone`, `local-zone` or `wavelength-zone`.
    pub zone_type: String,
}

/// An Elastic IP address.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Address {
    pub public_ip: String,
    pub allocation_id: Option<String>,
    pub association_id: Option<String>,
}

/// A NAT gateway.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NatGateway {
    pub id: String,
    pub subnet_id: String,
    pub state: String,
    pub public_ips: Vec<String>,
}

/// An instance type's vCPUs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InstanceTypeInfo {
    pub instance_type: String,
    pub vcpus: u32,
}

fn filter_params(filters: &[Filter]) -> Vec<(String, String)> {
    let mut params = Vec::new();
    for (i, f) in filters.iter().enumerate() {
        params.push((format!("Filter.{}.Name", i + 1), f.name.clone()));
        for (j, v) in f.values.iter().enumerate() {
            params.push((format!("Filter.{}.Value.{}", i + 1, j + 1), v.clone()));
        }
    }
    params
}

fn list_params(name: &str, values: &[String]) -> Vec<(String, String)> {
    values.iter().enumerate().map(|(i, v)| (format!("{name}.{}", i + 1), v.clone())).collect()
}

fn text(item: &Element, name: &str) -> String {
    item.text_of(name).unwrap_or_default().to_string()
}

impl Ec2 {
    /// Every page of `action`: `set` names the list element of the answer; `max_results` is sent as `MaxResults`
    /// (each action's largest page, from the EC2 API Reference; `None` where the request names its items, which
    /// EC2 does not page). A `nextToken` seen before ends the paging with an error instead of looping.
    async fn all_items(
        &self,
        action: &'static str,
        params: Vec<(String, String)>,
        set: &str,
        max_results: Option<u32>,
    ) -> Result<Vec<Element>, AwsError> {
        let mut items = Vec::new();
        let mut token: Option<String> = None;
        let mut seen = std::collections::HashSet::new();
        loop {
            let mut page = params.clone();
            if let Some(n) = max_results {
                page.push(("MaxResults".into(), n.to_string()));
            }
            if let Some(t) = &token {
                page.push(("NextToken".into(), t.clone()));
            }
            let answer = self.call(action, &page).await?;
            items.extend(answer.items(set).cloned());
            token = answer.text_of("nextToken").filter(|t| !t.is_empty()).map(str::to_string);
            match &token {
                None => return Ok(items),
                Some(t) if !seen.insert(t.clone()) => {
                    return Err(AwsError {
                        operation: action,
                        kind: AwsErrorKind::Other,
                        code: None,
                        message: format!(
                            "EC2 answered a nextToken it had already given after {} pages: stopped paging",
                            seen.len()
                        ),
                        request_id: None,
                    })
                }
                Some(_) => {}
            }
        }
    }

    /// `DescribeVolumes` with `filters`.
    pub async fn describe_volumes(&self, filters: &[Filter]) -> Result<Vec<VolumeInfo>, AwsError> {
        let items = self.all_items("DescribeVolumes", filter_params(filters), "volumeSet", Some(500)).await?;
        Ok(items
            .iter()
            .map(|v| VolumeInfo {
                id: text(v, "volumeId"),
                size_gib: v.text_of("size").and_then(|s| s.parse().ok()).unwrap_or(0),
                state: text(v, "status"),
                tags: v.items("tagSet").map(|t| (text(t, "key"), text(t, "value"))).collect(),
            })
            .collect())
    }

    /// `DeleteVolume`.
    pub async fn delete_volume(&self, id: &str) -> Result<(), AwsError> {
        self.call("DeleteVolume", &[("VolumeId".into(), id.into())]).await.map(drop)
    }

    /// `DescribeAvailabilityZones` with `filters` (zones that are opted in).
    pub async fn describe_availability_zones(&self, filters: &[Filter]) -> Result<Vec<Zone>, AwsError> {
        let answer = self.call("DescribeAvailabilityZones", &filter_params(filters)).await?;
        Ok(answer
            .items("availabilityZoneInfo")
            .map(|z| Zone {
                name: text(z, "zoneName"),
                id: text(z, "zoneId"),
                state: text(z, "zoneState"),
                zone_type: z.text_of("zoneType").unwrap_or("availability-zone").to_string(),
            })
            .collect())
    }

    /// `DescribeAddresses`: every Elastic IP of the region.
    pub async fn describe_addresses(&self) -> Result<Vec<Address>, AwsError> {
        let answer = self.call("DescribeAddresses", &[]).await?;
        Ok(answer
            .items("addressesSet")
            .map(|a| Address {
                public_ip: text(a, "publicIp"),
                allocation_id: a.text_of("allocationId").map(str::to_string),
                association_id: a.text_of("associationId").map(str::to_string),
            })
            .collect())
    }

    /// `DescribeVpcs`: the IDs of every VPC of the region.
    pub async fn describe_vpcs(&self) -> Result<Vec<String>, AwsError> {
        let items = self.all_items("DescribeVpcs", Vec::new(), "vpcSet", Some(1000)).await?;
        Ok(items.iter().map(|v| text(v, "vpcId")).collect())
    }

    /// `DescribeNatGateways` with `filters` (e.g. `state` = `pending`, `available`).
    pub async fn describe_nat_gateways(&self, filters: &[Filter]) -> Result<Vec<NatGateway>, AwsError> {
        let items = self.all_items("DescribeNatGateways", filter_params(filters), "natGatewaySet", Some(1000)).await?;
        Ok(items
            .iter()
            .map(|n| NatGateway {
                id: text(n, "natGatewayId"),
                subnet_id: text(n, "subnetId"),
                state: text(n, "state"),
                public_ips: n
                    .items("natGatewayAddressSet")
                    .filter_map(|a| a.text_of("publicIp"))
                    .map(str::to_string)
                    .collect(),
            })
            .collect())
    }

    /// `DescribeInstances` with `filters`: the instance type of each On-Demand instance.
    pub async fn on_demand_instance_types(&self, filters: &[Filter]) -> Result<Vec<String>, AwsError> {
        let reservations =
            self.all_items("DescribeInstances", filter_params(filters), "reservationSet", Some(1000)).await?;
        // A Spot instance has `instanceLifecycle` spot and counts against the Spot vCPU quotas, not the On-Demand
        // ones (EC2 User Guide, "Amazon EC2 service quotas"; `DescribeInstances`: `InstanceLifecycle`, absent
        // for On-Demand).
        Ok(reservations
            .iter()
            .flat_map(|r| r.items("instancesSet"))
            .filter(|i| i.text_of("instanceLifecycle").is_none_or(|l| l.is_empty()))
            .map(|i| text(i, "instanceType"))
            .collect())
    }

    /// `DescribeSubnets` of `ids`: (subnet ID, availability zone).
    pub async fn subnet_zones(&self, ids: &[String]) -> Result<Vec<(String, String)>, AwsError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let items = self.all_items("DescribeSubnets", list_params("SubnetId", ids), "subnetSet", None).await?;
        Ok(items.iter().map(|s| (text(s, "subnetId"), text(s, "availabilityZone"))).collect())
    }

    /// The account's applied limit of Elastic IPs in the region: `DescribeAccountAttributes`' `vpc-max-elastic-ips`.
    pub async fn max_elastic_ips(&self) -> Result<Option<u64>, AwsError> {
        let params = [("AttributeName.1".to_string(), "vpc-max-elastic-ips".to_string())];
        let doc = self.call("DescribeAccountAttributes", &params).await?;
        let limit = doc
            .items("accountAttributeSet")
            .filter(|a| a.text_of("attributeName") == Some("vpc-max-elastic-ips"))
            .flat_map(|a| a.items("attributeValueSet"))
            .find_map(|v| v.text_of("attributeValue").and_then(|n| n.parse().ok()));
        Ok(limit)
    }

    /// `DescribeRegions` of `regions`, with `AllRegions` so that regions the account has not enabled are listed
    /// too: (region, `optInStatus`).
    pub async fn region_opt_in_statuses(&self, regions: &[String]) -> Result<Vec<(String, String)>, AwsError> {
        let mut params = vec![("AllRegions".to_string(), "true".to_string())];
        params.extend(list_params("RegionName", regions));
        let doc = self.call("DescribeRegions", &params).await?;
        let statuses = doc.items("regionInfo").map(|r| (text(r, "regionName"), text(r, "optInStatus"))).collect();
        Ok(statuses)
    }

    /// The zones that hold a default subnet (`DescribeSubnets`, `default-for-az`), each once.
    pub async fn default_subnet_zones(&self) -> Result<Vec<String>, AwsError> {
        let filter = [Filter::new("default-for-az", ["true"])];
        let items = self.all_items("DescribeSubnets", filter_params(&filter), "subnetSet", Some(1000)).await?;
        let mut zones: Vec<String> = items.iter().map(|s| text(s, "availabilityZone")).collect();
        zones.sort();
        zones.dedup();
        Ok(zones)
    }

    /// `DescribeInstanceTypeOfferings` by zone for `types`: (instance type, zone name) pairs.
    pub async fn instance_type_offerings(&self, types: &[String]) -> Result<Vec<(String, String)>, AwsError> {
        let mut params = vec![("LocationType".to_string(), "availability-zone".to_string())];
        params.extend(filter_params(&[Filter::new("instance-type", types.iter().cloned())]));
        let items =
            self.all_items("DescribeInstanceTypeOfferings", params, "instanceTypeOfferingSet", Some(1000)).await?;
        Ok(items.iter().map(|o| (text(o, "instanceType"), text(o, "location"))).collect())
    }

    /// `DescribeInstanceTypes` of `types`: their default vCPUs.
    pub async fn instance_types(&self, types: &[String]) -> Result<Vec<InstanceTypeInfo>, AwsError> {
        let items = self
            .all_items("DescribeInstanceTypes", list_params("InstanceType", types), "instanceTypeSet", None)
            .await?;
        Ok(items
            .iter()
            .map(|t| InstanceTypeInfo {
                instance_type: text(t, "instanceType"),
                vcpus: t
                    .child("vCpuInfo")
                    .and_then(|v| v.text_of("defaultVCpus"))
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(0),
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_are_numbered_from_one() {
        let params = filter_params(&[Filter::new("tag-key", ["a"]), Filter::new("state", ["x", "y"])]);
        let flat: Vec<String> = params.iter().map(|(k, v)| format!("{k}={v}")).collect();
        assert_eq!(
            flat,
            [
                "Filter.1.Name=tag-key",
                "Filter.1.Value.1=a",
                "Filter.2.Name=state",
                "Filter.2.Value.1=x",
                "Filter.2.Value.2=y"
            ]
        );
        assert_eq!(list_params("InstanceType", &["m5.large".into()]), [("InstanceType.1".into(), "m5.large".into())]);
    }
}
