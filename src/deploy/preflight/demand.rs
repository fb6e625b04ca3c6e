//! What the synthesized templates ask of an account, counted from their resources (never from the config):
//! Elastic IPs, VPCs, NAT gateways per zone, EKS clusters, instances by type, the zones the subnets use, the
//! member clusters the access entries name and the Karmada API's allowed networks.

use constructs::inspect::template::access_entries;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

/// An availability zone as a template names it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Zone {
    /// A zone name written in the template (`network.availability_zones`).
    Named(String),
    /// `Fn::Select [i, Fn::GetAZs ""]`: the region's i-th zone, from 0.
    Index(usize),
}

impl Zone {
    fn parse(v: &Value) -> Option<Zone> {
        if let Some(name) = v.as_str() {
            return Some(Zone::Named(name.to_string()));
        }
        let select = v.get("Fn::Select")?.as_array()?;
        let index = select.first()?.as_u64().or_else(|| select.first()?.as_str()?.parse().ok())?;
        select.get(1)?.get("Fn::GetAZs")?;
        Some(Zone::Index(usize::try_from(index).ok()?))
    }

    /// The zone's name, given the region's zones in `Fn::GetAZs` order.
    pub fn resolve(&self, zones: &[String]) -> Option<String> {
        match self {
            Zone::Named(n) => Some(n.clone()),
            Zone::Index(i) => zones.get(*i).cloned(),
        }
    }
}

/// What one template (or the sum of several) creates that a quota limits.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Demand {
    /// `AWS::EC2::EIP` (NAT gateways' and the NLB's addresses).
    pub elastic_ips: u32,
    /// `AWS::EC2::VPC`.
    pub vpcs: u32,
    /// `AWS::EC2::NatGateway` by the zone of its subnet.
    pub nat_gateways: BTreeMap<Zone, u32>,
    /// `AWS::EKS::Cluster`.
    pub clusters: u32,
    /// Instances that may run at once by the instance types they may be: a node group counts `MaxSize` nodes of
    /// any of its `InstanceTypes`, an `AWS::EC2::Instance` one of its `InstanceType`.
    pub instances: BTreeMap<Vec<String>, u32>,
}

/// EKS's `InstanceTypes` default for a managed node group without one (AWS::EKS::Nodegroup reference).
const NODEGROUP_DEFAULT_INSTANCE_TYPE: &str = "t3.medium";

fn resources(template: &Value) -> impl Iterator<Item = (&String, &str, &Value)> {
    template.get("Resources").and_then(Value::as_object).into_iter().flatten().map(|(id, r)| {
        (id, r.get("Type").and_then(Value::as_str).unwrap_or(""), r.get("Properties").unwrap_or(&Value::Null))
    })
}

fn strings(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array).into_iter().flatten().filter_map(|s| s.as_str().map(str::to_string)).collect()
}

impl Demand {
    pub fn of_template(template: &Value) -> Demand {
        let mut d = Demand::default();
        let all = template.get("Resources").cloned().unwrap_or(Value::Null);
        for (_, kind, props) in resources(template) {
            match kind {
                "AWS::EC2::EIP" => d.elastic_ips += 1,
                "AWS::EC2::VPC" => d.vpcs += 1,
                "AWS::EKS::Cluster" => d.clusters += 1,
                "AWS::EC2::NatGateway" => {
                    let subnet = props.get("SubnetId").and_then(|s| s.get("Ref")).and_then(Value::as_str);
                    let zone = subnet
                        .and_then(|id| all.get(id))
                        .and_then(|s| s.get("Properties")?.get("AvailabilityZone"))
                        .and_then(Zone::parse);
                    // A NAT gateway whose subnet is not in this template counts against zone 0.
                    *d.nat_gateways.entry(zone.unwrap_or(Zone::Index(0))).or_default() += 1;
                }
                "AWS::EKS::Nodegroup" => {
                    let mut types = strings(props.get("InstanceTypes"));
                    if types.is_empty() {
                        types.push(NODEGROUP_DEFAULT_INSTANCE_TYPE.to_string());
                    }
                    let scaling = props.get("ScalingConfig");
                    let max = ["MaxSize", "DesiredSize"]
                        .iter()
                        .find_map(|k| scaling.and_then(|s| s.get(*k)).and_then(Value::as_u64))
                        .unwrap_or(1);
                    *d.instances.entry(types).or_default() += u32::try_from(max).unwrap_or(u32::MAX);
                }
                "AWS::EC2::Instance" => {
                    if let Some(t) = props.get("InstanceType").and_then(Value::as_str) {
                        *d.instances.entry(vec![t.to_string()]).or_default() += 1;
                    }
                }
                _ => {}
            }
        }
        d
    }

    pub fn add(&mut self, other: &Demand) {
        self.elastic_ips += other.elastic_ips;
        self.vpcs += other.vpcs;
        self.clusters += other.clusters;
        for (z, n) in &other.nat_gateways {
            *self.nat_gateways.entry(z.clone()).or_default() += n;
        }
        for (t, n) in &other.instances {
            *self.instances.entry(t.clone()).or_default() += n;
        }
    }

    /// What `self` (the new template) adds to `deployed` (the stack's deployed template): an update needs only
    /// the resources it adds; what the stack already has is in use and counted there.
    pub fn beyond(&self, deployed: &Demand) -> Demand {
        let sub = |a: u32, b: u32| a.saturating_sub(b);
        Demand {
            elastic_ips: sub(self.elastic_ips, deployed.elastic_ips),
            vpcs: sub(self.vpcs, deployed.vpcs),
            clusters: sub(self.clusters, deployed.clusters),
            nat_gateways: self
                .nat_gateways
                .iter()
                .map(|(z, n)| (z.clone(), sub(*n, deployed.nat_gateways.get(z).copied().unwrap_or(0))))
                .filter(|(_, n)| *n > 0)
                .collect(),
            instances: self
                .instances
                .iter()
                .map(|(t, n)| (t.clone(), sub(*n, deployed.instances.get(t).copied().unwrap_or(0))))
                .filter(|(_, n)| *n > 0)
                .collect(),
        }
    }

    /// Every instance type named.
    pub fn instance_types(&self) -> BTreeSet<String> {
        self.instances.keys().flatten().cloned().collect()
    }

    /// NAT gateways by zone name (`zones` in `Fn::GetAZs` order); an index past the region's zones keeps its
    /// `#i` form (the zones check reports it).
    pub fn nat_gateways_by_zone(&self, zones: &[String]) -> BTreeMap<String, u32> {
        let mut out = BTreeMap::new();
        for (z, n) in &self.nat_gateways {
            let name = z.resolve(zones).unwrap_or_else(|| format!("zone #{}", index_of(z)));
            *out.entry(name).or_default() += n;
        }
        out
    }
}

fn index_of(z: &Zone) -> usize {
    match z {
        Zone::Index(i) => *i,
        Zone::Named(_) => 0,
    }
}

/// The zones the template's subnets are in.
pub fn subnet_zones(template: &Value) -> BTreeSet<Zone> {
    resources(template)
        .filter(|(_, kind, _)| *kind == "AWS::EC2::Subnet")
        .filter_map(|(_, _, props)| props.get("AvailabilityZone").and_then(Zone::parse))
        .collect()
}

/// An EKS cluster an access entry of the template points at: the member to check.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MemberRef {
    /// Karmada cluster name (from the construct path `<stack>/<member>/AccessEntry`; else the EKS name).
    pub name: String,
    pub eks_name: String,
}

pub fn access_entry_clusters(template: &Value) -> Vec<MemberRef> {
    access_entries(template)
        .into_iter()
        .filter_map(|e| {
            let eks_name = e.cluster_name?.to_string();
            Some(MemberRef { name: e.member.map_or_else(|| eks_name.clone(), str::to_string), eks_name })
        })
        .collect()
}

/// The EKS clusters the template creates, by their `Name`.
pub fn cluster_names(template: &Value) -> Vec<String> {
    resources(template)
        .filter(|(_, kind, _)| *kind == "AWS::EKS::Cluster")
        .filter_map(|(_, _, p)| p.get("Name").and_then(Value::as_str).map(str::to_string))
        .collect()
}

/// The `Version` of each EKS cluster the template defines.
pub fn cluster_versions(template: &Value) -> Vec<String> {
    resources(template)
        .filter(|(_, kind, _)| *kind == "AWS::EKS::Cluster")
        .filter_map(|(_, _, p)| p.get("Version").and_then(Value::as_str).map(str::to_string))
        .collect()
}

/// The Karmada API's network load balancer as the template defines it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct KarmadaApi {
    pub internal: bool,
    /// CIDRs written in the template that may reach TCP `port` (the NAT addresses, added as references, are not
    /// in this list: they are the parent's own).
    pub allowed_cidrs: Vec<String>,
}

/// The Karmada API (NodePort 32443 behind the NLB) of the template, if it has one.
pub fn karmada_api(template: &Value, port: u64) -> Option<KarmadaApi> {
    let scheme = resources(template)
        .find(|(_, kind, _)| *kind == "AWS::ElasticLoadBalancingV2::LoadBalancer")
        .map(|(_, _, p)| p.get("Scheme").and_then(Value::as_str).unwrap_or("internet-facing").to_string())?;
    let mut allowed = Vec::new();
    for (_, kind, props) in resources(template) {
        let rules: Vec<&Value> = match kind {
            "AWS::EC2::SecurityGroup" => {
                props.get("SecurityGroupIngress").and_then(Value::as_array).into_iter().flatten().collect()
            }
            "AWS::EC2::SecurityGroupIngress" => vec![props],
            _ => continue,
        };
        for rule in rules {
            if rule.get("FromPort").and_then(Value::as_u64) == Some(port) {
                if let Some(cidr) = rule.get("CidrIp").and_then(Value::as_str) {
                    allowed.push(cidr.to_string());
                }
            }
        }
    }
    Some(KarmadaApi { internal: scheme == "internal", allowed_cidrs: allowed })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn network() -> Value {
        json!({"Resources": {
            "Vpc": {"Type": "AWS::EC2::VPC", "Properties": {}},
            "Public1": {"Type": "AWS::EC2::Subnet", "Properties": {"AvailabilityZone": {"Fn::Select": [0, {"Fn::GetAZs": ""}]}}},
            "Public2": {"Type": "AWS::EC2::Subnet", "Properties": {"AvailabilityZone": {"Fn::Select": [1, {"Fn::GetAZs": ""}]}}},
            "Eip1": {"Type": "AWS::EC2::EIP", "Properties": {}},
            "Eip2": {"Type": "AWS::EC2::EIP", "Properties": {}},
            "Nat1": {"Type": "AWS::EC2::NatGateway", "Properties": {"SubnetId": {"Ref": "Public1"}}},
            "Nat2": {"Type": "AWS::EC2::NatGateway", "Properties": {"SubnetId": {"Ref": "Public2"}}}
        }})
    }

    #[test]
    fn counts_come_from_the_resources_and_nat_gateways_from_their_subnets_zones() {
        let d = Demand::of_template(&network());
        assert_eq!((d.elastic_ips, d.vpcs, d.clusters), (2, 1, 0));
        assert_eq!(d.nat_gateways, [(Zone::Index(0), 1), (Zone::Index(1), 1)].into_iter().collect());
        let zones = vec!["us-east-1a".to_string(), "us-east-1b".to_string()];
        assert_eq!(
            d.nat_gateways_by_zone(&zones),
            [("us-east-1a".into(), 1), ("us-east-1b".into(), 1)].into_iter().collect()
        );
        assert_eq!(subnet_zones(&network()), [Zone::Index(0), Zone::Index(1)].into_iter().collect());
    }

    #[test]
    fn a_node_group_counts_its_most_nodes_and_defaults_to_t3_medium() {
        let t = json!({"Resources": {
            "Ng": {"Type": "AWS::EKS::Nodegroup", "Properties": {"InstanceTypes": ["m5.large", "m5a.large"], "ScalingConfig": {"MinSize": 3, "DesiredSize": 3, "MaxSize": 5}}},
            "Bare": {"Type": "AWS::EKS::Nodegroup", "Properties": {"ScalingConfig": {"DesiredSize": 2}}},
            "Host": {"Type": "AWS::EC2::Instance", "Properties": {"InstanceType": "t3.medium"}}
        }});
        let d = Demand::of_template(&t);
        assert_eq!(d.instances[&vec!["m5.large".to_string(), "m5a.large".to_string()]], 5);
        assert_eq!(d.instances[&vec!["t3.medium".to_string()]], 3, "2 default nodes and the host");
    }

    #[test]
    fn an_update_needs_only_what_it_adds() {
        let mut wider = network();
        wider["Resources"]["Eip3"] = json!({"Type": "AWS::EC2::EIP"});
        let d = Demand::of_template(&wider).beyond(&Demand::of_template(&network()));
        assert_eq!(d, Demand { elastic_ips: 1, ..Demand::default() });
        assert_eq!(Demand::of_template(&network()).beyond(&Demand::of_template(&wider)), Demand::default());
    }

    #[test]
    fn members_and_the_karmada_api_are_read_from_the_templates() {
        let access = json!({"Resources": {"E": {"Type": "AWS::EKS::AccessEntry", "Properties": {"ClusterName": "eks-a"},
            "Metadata": {"aws:cdk:path": "app-member-access-eu-central-1/member-a/AccessEntry"}}}});
        assert_eq!(
            access_entry_clusters(&access),
            vec![MemberRef { name: "member-a".into(), eks_name: "eks-a".into() }]
        );
        let cluster = json!({"Resources": {
            "Nlb": {"Type": "AWS::ElasticLoadBalancingV2::LoadBalancer", "Properties": {"Scheme": "internet-facing"}},
            "Sg": {"Type": "AWS::EC2::SecurityGroup", "Properties": {"SecurityGroupIngress": [
                {"FromPort": 32443, "CidrIp": "10.0.0.0/16"},
                {"FromPort": 32443, "CidrIp": {"Fn::Sub": "${Ip}/32"}},
                {"FromPort": 443, "CidrIp": "0.0.0.0/0"}]}},
            "Parent": {"Type": "AWS::EKS::Cluster", "Properties": {"Name": "parent"}}
        }});
        assert_eq!(
            karmada_api(&cluster, 32443),
            Some(KarmadaApi { internal: false, allowed_cidrs: vec!["10.0.0.0/16".into()] })
        );
        assert_eq!(cluster_names(&cluster), vec!["parent"]);
        assert_eq!(karmada_api(&access, 32443), None);
    }
}
