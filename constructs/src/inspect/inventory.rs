//! What a synthesized app deploys, read back from its cloud assembly: the VPC and its zones, NAT gateways, public
//! addresses, the Karmada API load balancer, EKS clusters and node groups, instances, keys, logs, parameters and
//! the member clusters. `cost` prices it and `diagram` draws it; both see exactly the JSON that is deployed, so
//! neither can drift from the templates.
//!
//! A few facts live in the management host's user-data rather than in a resource: the etcd PVCs that
//! `kubectl karmada init --etcd-replicas N --etcd-pvc-size S` creates, the StorageClass's volume type and the
//! members' join mode. They are read from the literal strings of the templates.

use serde::Serialize;
use serde_json::{Map, Value};
use std::collections::BTreeMap;

use crate::core::{CloudAssembly, StackArtifact, GET_STACK_OUTPUT};
use crate::karmada::wellknown::TAG_APP;

use crate::core::template::CDK_PATH;
/// EBS volume size when neither the node group's launch template nor `DiskSize` sets one (EKS's default).
const EKS_DEFAULT_DISK_GIB: u64 = 20;
/// `--etcd-pvc-size` default of `kubectl karmada init` (v1.18.2, `pkg/karmadactl/cmdinit/cmdinit.go`: `5Gi`).
const ETCD_DEFAULT_PVC_GIB: u64 = 5;
/// Root volume of an instance whose template sets none: an assumption, named in the item.
const UNKNOWN_ROOT_GIB: u64 = 8;

/// Where a resource lives.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Place {
    pub stack: String,
    pub region: String,
    /// Construct path inside the stack (`Vpc/PublicSubnet1/NatGateway`), or the logical ID without one.
    pub path: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Subnet {
    pub place: Place,
    pub logical_id: String,
    pub cidr: String,
    pub public: bool,
    /// Availability zone: its name when the template names it, else `zone N` (`Fn::Select N` of `Fn::GetAZs`).
    pub zone: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Vpc {
    pub place: Place,
    pub cidr: String,
    pub subnets: Vec<Subnet>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum EipUse {
    Nat,
    LoadBalancer,
    Other,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ElasticIp {
    pub place: Place,
    pub used_by: EipUse,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct NatGateway {
    pub place: Place,
    /// Logical ID of the subnet it sits in (same stack).
    pub subnet: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LoadBalancer {
    pub place: Place,
    /// `network` or `application`.
    pub kind: String,
    pub internet_facing: bool,
    /// Listener ports with their protocol (`TCP 32443`).
    pub listeners: Vec<String>,
    /// Logical IDs of the subnets it has a node in.
    pub subnets: Vec<String>,
    pub elastic_ips: usize,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct EksCluster {
    pub place: Place,
    pub name: String,
    pub version: String,
    /// Control-plane log types sent to CloudWatch Logs.
    pub log_types: Vec<String>,
}

/// An EBS volume group: `count` volumes of `size_gib` each.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Volumes {
    pub count: u64,
    pub size_gib: u64,
    pub volume_type: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct NodeGroup {
    pub place: Place,
    pub cluster: String,
    /// In the order EKS tries them for On-Demand capacity (the first is used while it is available).
    pub instance_types: Vec<String>,
    pub desired: u64,
    pub root_volumes: Volumes,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Instance {
    pub place: Place,
    pub instance_type: String,
    pub root_volume: Volumes,
    /// Logical ID of its subnet when the subnet is an import of this app's VPC (`Fn::GetStackOutput`, `Fn::ImportValue`).
    pub subnet_hint: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LogGroup {
    pub place: Place,
    pub retention_days: Option<u64>,
    /// What writes to it (`VPC flow logs`), when the template says.
    pub written_by: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Parameter {
    pub place: Option<Place>,
    pub name: String,
    /// `Standard` or `Advanced`.
    pub tier: String,
    /// Written by the management host at run time, not by CloudFormation.
    pub written_by_host: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MemberCluster {
    /// Karmada cluster name.
    pub name: String,
    pub eks_cluster_name: String,
    pub region: String,
    /// `push` or `pull`; `None` when the assembly does not say.
    pub mode: Option<String>,
    /// Its static weight in the workload's PropagationPolicy and the replicas Karmada gives it; `None` without a
    /// workload in the desired state.
    pub placement: Option<(u32, u32)>,
}

/// The etcd members' persistent volumes, which the EBS CSI driver creates at bootstrap (no CloudFormation
/// resource owns them).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Etcd {
    pub region: String,
    pub volumes: Volumes,
}

/// Everything an assembly deploys that costs money or belongs in the picture.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Inventory {
    pub app: String,
    /// Region of the parent cluster (the first stack's region when there is none).
    pub region: String,
    pub vpcs: Vec<Vpc>,
    pub nat_gateways: Vec<NatGateway>,
    pub elastic_ips: Vec<ElasticIp>,
    pub load_balancers: Vec<LoadBalancer>,
    pub clusters: Vec<EksCluster>,
    pub node_groups: Vec<NodeGroup>,
    pub instances: Vec<Instance>,
    pub kms_keys: Vec<Place>,
    pub log_groups: Vec<LogGroup>,
    pub flow_logs: Vec<Place>,
    pub parameters: Vec<Parameter>,
    pub secrets: Vec<Place>,
    pub members: Vec<MemberCluster>,
    pub etcd: Option<Etcd>,
    /// Resource types seen, with how many of each, per region: `(region, type) -> count`.
    pub resource_types: BTreeMap<(String, String), usize>,
}

impl Inventory {
    /// Reads an assembly. Never fails: what a template does not say is left out (and the readers say so).
    pub fn from_assembly(assembly: &CloudAssembly) -> Inventory {
        let mut inv = Inventory { app: app_name(assembly), ..Inventory::default() };
        for stack in &assembly.stacks {
            read_stack(&mut inv, stack);
        }
        inv.region = inv
            .clusters
            .first()
            .map(|c| c.place.region.clone())
            .or_else(|| assembly.stacks.first().map(|s| s.environment.region.clone()))
            .unwrap_or_default();
        let bundle = super::desired_state::bundle_in(assembly, &inv.app);
        let file =
            |name: &str| bundle.as_deref().and_then(|b| crate::karmada::host::desired_state::bundle_file(b, name));
        let modes: BTreeMap<String, String> = super::facts::members(file("members").unwrap_or_default())
            .into_iter()
            .map(|m| (m.name, m.mode.as_str().to_string()))
            .collect();
        // The init flags of the desired state (one a line), beside the user-data that passes them.
        let init_flags = file("init-flags").unwrap_or_default().replace('\n', " ");
        let mut texts: Vec<&str> = assembly.stacks.iter().flat_map(|s| strings(&s.template)).collect();
        texts.push(&init_flags);
        for m in &mut inv.members {
            m.mode = modes.get(&m.name).cloned();
        }
        if let Some((weights, replicas)) = file("workload.yaml").and_then(super::facts::static_weights) {
            let listed: Vec<(String, u32)> =
                inv.members.iter().map(|m| (m.name.clone(), weights.get(&m.name).copied().unwrap_or(0))).collect();
            let shares = crate::karmada::config::placement::divide(replicas, &listed);
            for m in &mut inv.members {
                let share = shares.iter().find(|s| s.name == m.name).map_or(0, |s| s.replicas);
                m.placement = Some((weights.get(&m.name).copied().unwrap_or(0), share));
            }
        }
        inv.etcd = etcd(&texts).map(|volumes| Etcd { region: inv.region.clone(), volumes });
        inv
    }

    /// Regions of the member clusters other than the app region, in first-seen order.
    pub fn member_regions(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for m in &self.members {
            if !out.contains(&m.region.as_str()) {
                out.push(&m.region);
            }
        }
        out
    }

    /// Every region the app touches: the app region first, then the member regions.
    pub fn regions(&self) -> Vec<&str> {
        let mut out = vec![self.region.as_str()];
        for r in self.member_regions() {
            if !out.contains(&r) {
                out.push(r);
            }
        }
        out
    }
}

fn app_name(assembly: &CloudAssembly) -> String {
    let tagged = assembly.stacks.iter().find_map(|s| s.tags.get(TAG_APP).cloned());
    tagged.unwrap_or_else(|| {
        let first = assembly.stacks.first().map(|s| s.name.as_str()).unwrap_or("app");
        first.rsplit_once('-').map_or(first, |(a, _)| a).to_string()
    })
}

fn place(stack: &StackArtifact, id: &str, resource: &Value) -> Place {
    let full = resource["Metadata"][CDK_PATH].as_str().unwrap_or(id);
    let path = full.strip_prefix(&format!("{}/", stack.name)).unwrap_or(full);
    let path = path.strip_suffix("/Resource").unwrap_or(path);
    Place { stack: stack.name.clone(), region: stack.environment.region.clone(), path: path.to_string() }
}

/// The logical ID a `Ref` or `Fn::GetAtt` points at.
fn target(value: &Value) -> Option<&str> {
    value["Ref"].as_str().or_else(|| value["Fn::GetAtt"][0].as_str())
}

fn u64_of(value: &Value) -> Option<u64> {
    value.as_u64().or_else(|| value.as_str().and_then(|s| s.parse().ok()))
}

fn read_stack(inv: &mut Inventory, stack: &StackArtifact) {
    let empty = Map::new();
    let resources = stack.template["Resources"].as_object().unwrap_or(&empty);
    let region = stack.environment.region.clone();
    let eip_use = eip_uses(resources);
    let mut vpcs: Vec<(String, Vpc)> = Vec::new();
    let mut subnets: Vec<(String, Subnet)> = Vec::new();
    for (id, r) in resources {
        let kind = r["Type"].as_str().unwrap_or_default();
        *inv.resource_types.entry((region.clone(), kind.to_string())).or_default() += 1;
        let p = &r["Properties"];
        let at = || place(stack, id, r);
        match kind {
            "AWS::EC2::VPC" => vpcs.push((
                id.clone(),
                Vpc { place: at(), cidr: p["CidrBlock"].as_str().unwrap_or("?").into(), subnets: Vec::new() },
            )),
            "AWS::EC2::Subnet" => subnets.push((
                target(&p["VpcId"]).unwrap_or_default().to_string(),
                Subnet {
                    place: at(),
                    logical_id: id.clone(),
                    cidr: p["CidrBlock"].as_str().unwrap_or("?").into(),
                    public: p["MapPublicIpOnLaunch"] == true,
                    zone: zone_name(&p["AvailabilityZone"]),
                },
            )),
            "AWS::EC2::NatGateway" => inv
                .nat_gateways
                .push(NatGateway { place: at(), subnet: target(&p["SubnetId"]).unwrap_or_default().to_string() }),
            "AWS::EC2::EIP" => inv
                .elastic_ips
                .push(ElasticIp { place: at(), used_by: eip_use.get(id.as_str()).copied().unwrap_or(EipUse::Other) }),
            "AWS::ElasticLoadBalancingV2::LoadBalancer" => {
                inv.load_balancers.push(load_balancer(resources, id, r, at()))
            }
            "AWS::EKS::Cluster" => inv.clusters.push(EksCluster {
                place: at(),
                name: p["Name"].as_str().unwrap_or(id).into(),
                version: p["Version"].as_str().unwrap_or("default").into(),
                log_types: p["Logging"]["ClusterLogging"]["EnabledTypes"]
                    .as_array()
                    .map(|t| t.iter().filter_map(|e| e["Type"].as_str().map(str::to_string)).collect())
                    .unwrap_or_default(),
            }),
            "AWS::EKS::Nodegroup" => inv.node_groups.push(node_group(resources, id, r, at())),
            "AWS::EC2::Instance" => inv.instances.push(instance(resources, r, at())),
            "AWS::KMS::Key" => inv.kms_keys.push(at()),
            "AWS::Logs::LogGroup" => inv.log_groups.push(LogGroup {
                place: at(),
                retention_days: u64_of(&p["RetentionInDays"]),
                written_by: flow_log_writer(resources, id),
            }),
            "AWS::EC2::FlowLog" => inv.flow_logs.push(at()),
            "AWS::SSM::Parameter" => inv.parameters.push(Parameter {
                place: Some(at()),
                name: p["Name"].as_str().unwrap_or(id).into(),
                tier: p["Tier"].as_str().unwrap_or("Standard").into(),
                written_by_host: false,
            }),
            "AWS::SecretsManager::Secret" => inv.secrets.push(at()),
            // An access entry on a cluster this stack does not create is a member cluster's.
            "AWS::EKS::AccessEntry" if p["ClusterName"].is_string() => {
                let path = at().path;
                let name = path.split('/').next().unwrap_or(&path).to_string();
                inv.members.push(MemberCluster {
                    name,
                    eks_cluster_name: p["ClusterName"].as_str().unwrap_or_default().into(),
                    region: region.clone(),
                    mode: None,
                    placement: None,
                });
            }
            _ => {}
        }
    }
    for (vpc_id, subnet) in subnets {
        if let Some((_, vpc)) = vpcs.iter_mut().find(|(id, _)| *id == vpc_id) {
            vpc.subnets.push(subnet);
        }
    }
    inv.vpcs.extend(vpcs.into_iter().map(|(_, v)| v));
}

fn zone_name(az: &Value) -> String {
    if let Some(name) = az.as_str() {
        return name.to_string();
    }
    match az["Fn::Select"][0].as_u64() {
        Some(i) => format!("zone {}", i + 1),
        None => "zone ?".into(),
    }
}

/// Which EIPs the NAT gateways and load balancers of a stack use.
fn eip_uses(resources: &Map<String, Value>) -> BTreeMap<&str, EipUse> {
    let mut out = BTreeMap::new();
    for r in resources.values() {
        let p = &r["Properties"];
        match r["Type"].as_str() {
            Some("AWS::EC2::NatGateway") => {
                if let Some(id) = target(&p["AllocationId"]) {
                    out.insert(id, EipUse::Nat);
                }
            }
            Some("AWS::ElasticLoadBalancingV2::LoadBalancer") => {
                for m in p["SubnetMappings"].as_array().into_iter().flatten() {
                    if let Some(id) = target(&m["AllocationId"]) {
                        out.insert(id, EipUse::LoadBalancer);
                    }
                }
            }
            _ => {}
        }
    }
    out
}

fn load_balancer(resources: &Map<String, Value>, id: &str, r: &Value, place: Place) -> LoadBalancer {
    let p = &r["Properties"];
    let mappings = p["SubnetMappings"].as_array().cloned().unwrap_or_default();
    let mut subnets: Vec<String> = mappings.iter().filter_map(|m| subnet_hint(&m["SubnetId"])).collect();
    subnets.extend(p["Subnets"].as_array().into_iter().flatten().filter_map(subnet_hint));
    let listeners = resources
        .values()
        .filter(|l| l["Type"] == "AWS::ElasticLoadBalancingV2::Listener")
        .filter(|l| target(&l["Properties"]["LoadBalancerArn"]) == Some(id))
        .map(|l| {
            let lp = &l["Properties"];
            format!("{} {}", lp["Protocol"].as_str().unwrap_or("?"), u64_of(&lp["Port"]).unwrap_or(0))
        })
        .collect();
    LoadBalancer {
        place,
        kind: p["Type"].as_str().unwrap_or("application").into(),
        internet_facing: p["Scheme"].as_str().unwrap_or("internet-facing") == "internet-facing",
        listeners,
        subnets,
        elastic_ips: mappings.iter().filter(|m| !m["AllocationId"].is_null()).count(),
    }
}

/// The logical ID of the subnet: its `Ref`, or the producing subnet behind an `Fn::GetStackOutput` or an import,
/// read from the output's name (synth names it after the resource: `OutputRef<LogicalId>`).
fn subnet_hint(value: &Value) -> Option<String> {
    if let Some(id) = value["Ref"].as_str() {
        return Some(id.to_string());
    }
    let output = match value[GET_STACK_OUTPUT]["OutputName"].as_str() {
        Some(output) => output,
        None => value["Fn::ImportValue"].as_str()?.rsplit(':').next()?,
    };
    let output = output.strip_prefix("Exports").unwrap_or(output);
    Some(output.strip_prefix("OutputRef").unwrap_or(output).to_string())
}

fn launch_template_volume<'a>(resources: &'a Map<String, Value>, reference: &Value) -> Option<&'a Value> {
    let lt = resources.get(target(&reference["LaunchTemplateId"]).or_else(|| target(&reference["Id"]))?)?;
    lt["Properties"]["LaunchTemplateData"]["BlockDeviceMappings"].get(0).map(|m| &m["Ebs"])
}

fn volumes(count: u64, ebs: Option<&Value>, default_gib: u64) -> Volumes {
    Volumes {
        count,
        size_gib: ebs.and_then(|e| u64_of(&e["VolumeSize"])).unwrap_or(default_gib),
        volume_type: ebs.and_then(|e| e["VolumeType"].as_str()).unwrap_or("gp2").into(),
    }
}

fn node_group(resources: &Map<String, Value>, id: &str, r: &Value, place: Place) -> NodeGroup {
    let p = &r["Properties"];
    let desired = u64_of(&p["ScalingConfig"]["DesiredSize"]).or_else(|| u64_of(&p["ScalingConfig"]["MinSize"]));
    let desired = desired.unwrap_or(1);
    let ebs = launch_template_volume(resources, &p["LaunchTemplate"]);
    let root_volumes = match (ebs, u64_of(&p["DiskSize"])) {
        (None, Some(gib)) => Volumes { count: desired, size_gib: gib, volume_type: "gp2".into() },
        (ebs, _) => volumes(desired, ebs, EKS_DEFAULT_DISK_GIB),
    };
    NodeGroup {
        place,
        cluster: target(&p["ClusterName"])
            .and_then(|c| resources.get(c))
            .and_then(|c| c["Properties"]["Name"].as_str())
            .or_else(|| p["ClusterName"].as_str())
            .unwrap_or(id)
            .into(),
        instance_types: p["InstanceTypes"]
            .as_array()
            .map(|t| t.iter().filter_map(|i| i.as_str().map(str::to_string)).collect())
            .unwrap_or_else(|| vec!["t3.medium".into()]),
        desired,
        root_volumes,
    }
}

fn instance(resources: &Map<String, Value>, r: &Value, place: Place) -> Instance {
    let p = &r["Properties"];
    let own = p["BlockDeviceMappings"].get(0).map(|m| &m["Ebs"]);
    let ebs = own.or_else(|| launch_template_volume(resources, &p["LaunchTemplate"]));
    Instance {
        place,
        instance_type: p["InstanceType"].as_str().unwrap_or("m1.small").into(),
        root_volume: volumes(1, ebs, UNKNOWN_ROOT_GIB),
        subnet_hint: subnet_hint(&p["SubnetId"]),
    }
}

fn flow_log_writer(resources: &Map<String, Value>, log_group: &str) -> Option<String> {
    resources
        .values()
        .any(|r| r["Type"] == "AWS::EC2::FlowLog" && target(&r["Properties"]["LogGroupName"]) == Some(log_group))
        .then(|| "VPC flow logs".to_string())
}

/// Every string literal in a JSON document.
fn strings(value: &Value) -> Vec<&str> {
    match value {
        Value::String(s) => vec![s.as_str()],
        Value::Array(a) => a.iter().flat_map(strings).collect(),
        Value::Object(o) => o.values().flat_map(strings).collect(),
        _ => Vec::new(),
    }
}

/// The value after `flag ` in any of the texts.
fn flag_value<'a>(texts: &[&'a str], flag: &str) -> Option<&'a str> {
    let needle = format!("{flag} ");
    texts.iter().find_map(|t| {
        let rest = &t[t.find(&needle)? + needle.len()..];
        rest.split_whitespace().next()
    })
}

/// The etcd PVCs of `kubectl karmada init --etcd-storage-mode PVC` (flags as in Karmada v1.18.2's
/// `pkg/karmadactl/cmdinit/cmdinit.go`: `--etcd-replicas`, `--etcd-pvc-size`).
fn etcd(texts: &[&str]) -> Option<Volumes> {
    flag_value(texts, "--etcd-storage-mode").filter(|m| *m == "PVC")?;
    let count = flag_value(texts, "--etcd-replicas").and_then(|n| n.parse().ok()).unwrap_or(1);
    let size = flag_value(texts, "--etcd-pvc-size").and_then(parse_gib).unwrap_or(ETCD_DEFAULT_PVC_GIB);
    let volume_type = texts
        .iter()
        .filter(|t| t.contains("kind: StorageClass"))
        .find_map(|t| t.lines().find_map(|l| l.trim().strip_prefix("type:")).map(|v| v.trim().trim_matches('"')))
        .unwrap_or("gp3");
    Some(Volumes { count, size_gib: size, volume_type: volume_type.to_string() })
}

/// `5Gi` -> 5; a size that is not whole GiB rounds up (EBS allocates whole GiB).
fn parse_gib(quantity: &str) -> Option<u64> {
    let (number, unit) = quantity.split_at(quantity.find(|c: char| !c.is_ascii_digit()).unwrap_or(quantity.len()));
    let n: u64 = number.parse().ok()?;
    let mib = match unit {
        "Gi" => n * 1024,
        "Ti" => n * 1024 * 1024,
        "Mi" => n,
        "G" => n * 1000 * 1000 / 1024,
        _ => return None,
    };
    Some(mib.div_ceil(1024))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kubernetes_quantities_become_whole_gib() {
        assert_eq!(parse_gib("5Gi"), Some(5));
        assert_eq!(parse_gib("1Ti"), Some(1024));
        assert_eq!(parse_gib("1536Mi"), Some(2));
        assert_eq!(parse_gib("five"), None);
    }

    #[test]
    fn etcd_needs_pvc_mode() {
        let init = "kubectl karmada init --etcd-replicas 3 --etcd-storage-mode PVC --etcd-pvc-size 5Gi";
        let class = "kind: StorageClass\nparameters:\n  type: gp3\n";
        let v = etcd(&[init, class]).unwrap();
        assert_eq!((v.count, v.size_gib, v.volume_type.as_str()), (3, 5, "gp3"));
        assert_eq!(etcd(&["kubectl karmada init --etcd-storage-mode hostPath"]), None);
    }
}
