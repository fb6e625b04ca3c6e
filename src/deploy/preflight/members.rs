//! Member clusters, each in its own region: it exists and is ACTIVE, accepts EKS access entries, runs a Kubernetes
//! version the Karmada release is tested against, and can be reached (its API by the management host; for pull
//! mode, the Karmada API by the member's agent).

use constructs::ec2::cidr::Ipv4Cidr;
use constructs::karmada::JoinMode;

use super::demand::KarmadaApi;
use super::report::Finding;
use crate::deploy::ec2::{Ec2, Filter};
use crate::deploy::error::AwsError;

/// A member as the assembly names it (access entries) and the config describes it (join mode).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Member {
    /// The member-access stack whose access entry names it.
    pub stack: String,
    pub name: String,
    pub eks_name: String,
    pub region: String,
    pub mode: JoinMode,
}

/// What DescribeCluster says about a member.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MemberCluster {
    pub status: String,
    pub version: String,
    /// `accessConfig.authenticationMode`; `None` when EKS does not report one.
    pub authentication_mode: Option<String>,
    pub endpoint_public: bool,
    pub endpoint_private: bool,
    pub public_access_cidrs: Vec<String>,
    pub vpc_id: Option<String>,
}

/// The member's cluster, `None` when no cluster of that name exists in the client's region.
pub async fn describe(eks: &aws_sdk_eks::Client, name: &str) -> Result<Option<MemberCluster>, AwsError> {
    let out = match eks.describe_cluster().name(name).send().await {
        Ok(out) => out,
        Err(e) => {
            let e = AwsError::from_sdk("DescribeCluster", e);
            return if e.code.as_deref() == Some("ResourceNotFoundException") { Ok(None) } else { Err(e) };
        }
    };
    let Some(c) = out.cluster() else { return Ok(None) };
    let vpc = c.resources_vpc_config();
    Ok(Some(MemberCluster {
        status: c.status().map(|s| s.as_str().to_string()).unwrap_or_default(),
        version: c.version().unwrap_or_default().to_string(),
        authentication_mode: c.access_config().and_then(|a| a.authentication_mode()).map(|m| m.as_str().to_string()),
        endpoint_public: vpc.is_some_and(|v| v.endpoint_public_access()),
        endpoint_private: vpc.is_some_and(|v| v.endpoint_private_access()),
        public_access_cidrs: vpc.map(|v| v.public_access_cidrs().to_vec()).unwrap_or_default(),
        vpc_id: vpc.and_then(|v| v.vpc_id()).map(str::to_string),
    }))
}

/// Public addresses of the available NAT gateways matching `filter` (a VPC's, or an app's by tag).
pub async fn nat_addresses(ec2: &Ec2, filter: Filter) -> Result<Vec<String>, AwsError> {
    let gateways = ec2.describe_nat_gateways(&[filter, Filter::new("state", ["available"])]).await?;
    let mut ips: Vec<String> = gateways.into_iter().flat_map(|n| n.public_ips).collect();
    ips.sort();
    Ok(ips)
}

/// Kubernetes minor versions each Karmada release is tested against, oldest and newest: v1.15 to v1.17 from the
/// compatibility table of the README at tag v1.18.2; v1.18 from that tag's `.github/workflows/ci-schedule.yml`
/// e2e matrix (`k8s: [ v1.26.0, ..., v1.35.0 ]`).
type MinorRange = ((u32, u32), (u32, u32));
const TESTED: &[(u32, MinorRange)] =
    &[(15, ((1, 24), (1, 33))), (16, ((1, 25), (1, 34))), (17, ((1, 26), (1, 35))), (18, ((1, 26), (1, 35)))];

fn minor(version: &str) -> Option<(u32, u32)> {
    let mut parts = version.trim_start_matches('v').split('.');
    Some((parts.next()?.parse().ok()?, parts.next()?.parse().ok()?))
}

/// The Kubernetes versions Karmada `release` (e.g. `v1.18.2`) is tested against.
pub fn tested_range(release: &str) -> Option<MinorRange> {
    let (_, karmada_minor) = minor(release)?;
    TESTED.iter().find(|(m, _)| *m == karmada_minor).map(|(_, range)| *range)
}

fn covered(cidrs: &[String], ip: &str) -> bool {
    let Ok(addr) = format!("{ip}/32").parse::<Ipv4Cidr>() else { return false };
    cidrs.iter().filter_map(|c| c.parse::<Ipv4Cidr>().ok()).any(|c| c.contains(&addr))
}

/// What the member checks need besides the member's own cluster.
pub struct Context<'a> {
    /// The configured Karmada release.
    pub karmada_version: &'a str,
    /// The parent's NAT addresses, when its network is deployed.
    pub parent_nat: Option<&'a [String]>,
    /// The Karmada API as synthesized (pull-mode members reach it).
    pub karmada_api: Option<&'a KarmadaApi>,
}

/// Every member check for one member: `cluster` is its DescribeCluster (None: it does not exist), `egress` the
/// member VPC's NAT addresses when known (pull mode).
pub fn check(
    member: &Member,
    cluster: Option<&MemberCluster>,
    egress: Option<&[String]>,
    ctx: &Context,
) -> Vec<Finding> {
    let region = member.region.as_str();
    let eks = member.eks_name.as_str();
    let about = |f: Finding| f.about(member.name.clone());
    let Some(c) = cluster else {
        return vec![about(Finding::fail(
            "member-cluster",
            region,
            format!("EKS cluster {eks} does not exist in {region}"),
            format!(
                "create it, or correct the member's region / eks_cluster_name in karmada-eks.toml (`aws eks \
                 list-clusters --region {region}` lists the clusters there)"
            ),
        ))];
    };
    let mut out = Vec::new();
    out.push(about(if c.status == "ACTIVE" {
        Finding::ok("member-cluster", region, format!("{eks} is ACTIVE"))
    } else {
        Finding::fail(
            "member-cluster",
            region,
            format!("{eks} is {}", c.status),
            format!("wait until it is ACTIVE: `aws eks wait cluster-active --name {eks} --region {region}`"),
        )
    }));
    out.push(about(match c.authentication_mode.as_deref() {
        Some(mode @ ("API" | "API_AND_CONFIG_MAP")) => {
            Finding::ok("member-access-mode", region, format!("authentication mode {mode} accepts access entries"))
        }
        other => Finding::fail(
            "member-access-mode",
            region,
            format!(
                "authentication mode {} does not accept EKS access entries",
                other.unwrap_or("CONFIG_MAP (none reported)")
            ),
            format!(
                "`aws eks update-cluster-config --name {eks} --region {region} --access-config \
                 authenticationMode=API_AND_CONFIG_MAP` (keeps the aws-auth ConfigMap working)"
            ),
        ),
    }));
    out.push(about(match (minor(&c.version), tested_range(ctx.karmada_version)) {
        (Some(v), Some((lo, hi))) if v >= lo && v <= hi => Finding::ok(
            "member-version",
            region,
            format!("Kubernetes {} is within {}.{}-{}.{} (Karmada {})", c.version, lo.0, lo.1, hi.0, hi.1, ctx.karmada_version),
        ),
        (Some(_), Some((lo, hi))) => Finding::warn(
            "member-version",
            region,
            format!(
                "Kubernetes {} is outside {}.{}-{}.{}, the versions Karmada {} is tested against",
                c.version, lo.0, lo.1, hi.0, hi.1, ctx.karmada_version
            ),
            format!(
                "upgrade the member (`aws eks update-cluster-version --name {eks} --region {region} --kubernetes-version \
                 {}.{}`, one minor version at a time), or choose a karmada.version tested against it",
                hi.0, hi.1
            ),
        ),
        _ => Finding::warn(
            "member-version",
            region,
            format!("Kubernetes {} against Karmada {}: no tested range known", c.version, ctx.karmada_version),
            "check Karmada's compatibility table (https://karmada.io/docs/administrator/compatibility/)",
        ),
    }));
    out.push(about(endpoint(member, c, ctx.parent_nat)));
    if member.mode == JoinMode::Pull {
        out.push(about(pull_access(member, egress, ctx.karmada_api)));
    }
    out
}

fn endpoint(member: &Member, c: &MemberCluster, parent_nat: Option<&[String]>) -> Finding {
    let (region, eks) = (member.region.as_str(), member.eks_name.as_str());
    if !c.endpoint_public {
        return Finding::warn(
            "member-endpoint",
            region,
            format!("{eks} has a private API endpoint only"),
            "the management host reaches it only with network connectivity from the parent VPC (VPC peering or a \
             transit gateway, and the parent VPC's CIDR allowed on the member's cluster security group), or enable \
             its public endpoint",
        );
    }
    let cidrs = &c.public_access_cidrs;
    if cidrs.is_empty() || cidrs.iter().any(|c| c == "0.0.0.0/0") {
        return Finding::ok("member-endpoint", region, "public API endpoint open to all addresses");
    }
    let allowed = cidrs.join(", ");
    let update = |extra: &str| {
        format!(
            "`aws eks update-cluster-config --name {eks} --region {region} --resources-vpc-config \
             publicAccessCidrs={allowed},{extra}`"
        )
        .replace(", ", ",")
    };
    match parent_nat {
        Some(nat) if !nat.is_empty() => {
            let missing: Vec<&String> = nat.iter().filter(|ip| !covered(cidrs, ip)).collect();
            if missing.is_empty() {
                Finding::ok(
                    "member-endpoint",
                    region,
                    format!("public API endpoint allows the parent's NAT addresses ({allowed})"),
                )
            } else {
                let extra: Vec<String> = missing.iter().map(|ip| format!("{ip}/32")).collect();
                Finding::fail(
                    "member-endpoint",
                    region,
                    format!(
                        "public API endpoint allows only {allowed}, not the parent's NAT addresses {}",
                        extra.join(", ")
                    ),
                    update(&extra.join(",")),
                )
            }
        }
        _ => Finding::warn(
            "member-endpoint",
            region,
            format!("public API endpoint allows only {allowed}; the parent's NAT addresses are not known yet"),
            format!(
                "after the network stack is deployed, add its NAT gateways' addresses: {}",
                update("<NAT address>/32")
            ),
        ),
    }
}

fn pull_access(member: &Member, egress: Option<&[String]>, api: Option<&KarmadaApi>) -> Finding {
    let region = member.region.as_str();
    let Some(api) = api else {
        return Finding::warn(
            "member-pull-access",
            region,
            "the Karmada API load balancer is not in the selected stacks",
            "run `karmada-eks doctor` without naming stacks to check it",
        );
    };
    if api.internal {
        return Finding::warn(
            "member-pull-access",
            region,
            "the Karmada API load balancer is internal: a pull-mode member reaches it only through a private network",
            "connect the member's VPC to the parent VPC (peering or a transit gateway), or set nlb.internal = false",
        );
    }
    let allowed = api.allowed_cidrs.join(", ");
    match egress {
        Some(ips) if !ips.is_empty() => {
            let missing: Vec<String> =
                ips.iter().filter(|ip| !covered(&api.allowed_cidrs, ip)).map(|ip| format!("\"{ip}/32\"")).collect();
            if missing.is_empty() {
                Finding::ok("member-pull-access", region, format!("the member's NAT addresses are allowed ({allowed})"))
            } else {
                Finding::fail(
                    "member-pull-access",
                    region,
                    format!(
                        "the member's NAT addresses {} are not in the Karmada API's allowed CIDRs ({allowed})",
                        missing.join(", ")
                    ),
                    format!("add {} to nlb.allowed_cidrs in karmada-eks.toml", missing.join(", ")),
                )
            }
        }
        _ => Finding::warn(
            "member-pull-access",
            region,
            format!("the member's egress addresses are not known (no NAT gateway in its VPC); allowed: {allowed}"),
            "make sure nlb.allowed_cidrs in karmada-eks.toml contains the addresses the member's nodes leave from",
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::deploy::preflight::report::Status;

    fn member(mode: JoinMode) -> Member {
        Member {
            stack: "access".into(),
            name: "m1".into(),
            eks_name: "eks-m1".into(),
            region: "eu-central-1".into(),
            mode,
        }
    }

    fn healthy() -> MemberCluster {
        MemberCluster {
            status: "ACTIVE".into(),
            version: "1.31".into(),
            authentication_mode: Some("API_AND_CONFIG_MAP".into()),
            endpoint_public: true,
            endpoint_private: true,
            public_access_cidrs: vec!["0.0.0.0/0".into()],
            vpc_id: Some("vpc-1".into()),
        }
    }

    fn api() -> KarmadaApi {
        KarmadaApi { internal: false, allowed_cidrs: vec!["10.0.0.0/16".into(), "203.0.113.0/24".into()] }
    }

    fn ctx<'a>(nat: Option<&'a [String]>, api: Option<&'a KarmadaApi>) -> Context<'a> {
        Context { karmada_version: "v1.18.2", parent_nat: nat, karmada_api: api }
    }

    fn by_check<'a>(f: &'a [Finding], check: &str) -> &'a Finding {
        f.iter().find(|x| x.check == check).unwrap_or_else(|| panic!("no {check} in {f:?}"))
    }

    #[test]
    fn a_healthy_member_passes_every_check() {
        let a = api();
        let egress = vec!["203.0.113.7".to_string()];
        let f = check(&member(JoinMode::Pull), Some(&healthy()), Some(&egress), &ctx(None, Some(&a)));
        assert_eq!(f.len(), 5);
        assert!(f.iter().all(|x| x.result == Status::Ok && x.subject.as_deref() == Some("m1")), "{f:#?}");
    }

    #[test]
    fn a_member_that_does_not_exist_in_its_region_fails_with_the_list_clusters_fix() {
        let f = check(&member(JoinMode::Push), None, None, &ctx(None, None));
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].result, Status::Fail);
        assert_eq!(f[0].found, "EKS cluster eks-m1 does not exist in eu-central-1");
        assert!(f[0].fix.as_deref().unwrap().contains("aws eks list-clusters --region eu-central-1"));
    }

    #[test]
    fn a_cluster_not_active_fails_with_the_wait() {
        let c = MemberCluster { status: "CREATING".into(), ..healthy() };
        let f = check(&member(JoinMode::Push), Some(&c), None, &ctx(None, None));
        let s = by_check(&f, "member-cluster");
        assert_eq!((s.result, s.found.as_str()), (Status::Fail, "eks-m1 is CREATING"));
        assert_eq!(
            s.fix.as_deref(),
            Some("wait until it is ACTIVE: `aws eks wait cluster-active --name eks-m1 --region eu-central-1`")
        );
    }

    #[test]
    fn config_map_authentication_fails_with_the_update_cluster_config_fix() {
        for mode in [Some("CONFIG_MAP".to_string()), None] {
            let c = MemberCluster { authentication_mode: mode, ..healthy() };
            let f = check(&member(JoinMode::Push), Some(&c), None, &ctx(None, None));
            let s = by_check(&f, "member-access-mode");
            assert_eq!(s.result, Status::Fail);
            assert!(s.fix.as_deref().unwrap().starts_with(
                "`aws eks update-cluster-config --name eks-m1 --region eu-central-1 --access-config authenticationMode=API_AND_CONFIG_MAP`"
            ));
        }
        let c = MemberCluster { authentication_mode: Some("API".into()), ..healthy() };
        assert_eq!(
            by_check(&check(&member(JoinMode::Push), Some(&c), None, &ctx(None, None)), "member-access-mode").result,
            Status::Ok
        );
    }

    #[test]
    fn kubernetes_outside_the_karmada_releases_tested_range_warns() {
        assert_eq!(tested_range("v1.18.2"), Some(((1, 26), (1, 35))));
        assert_eq!(tested_range("v1.16.0"), Some(((1, 25), (1, 34))));
        assert_eq!(tested_range("v2.0.0"), None);
        let c = MemberCluster { version: "1.25".into(), ..healthy() };
        let f = check(&member(JoinMode::Push), Some(&c), None, &ctx(None, None));
        let s = by_check(&f, "member-version");
        assert_eq!(s.result, Status::Warn);
        assert_eq!(s.found, "Kubernetes 1.25 is outside 1.26-1.35, the versions Karmada v1.18.2 is tested against");
        assert!(s.fix.as_deref().unwrap().contains("aws eks update-cluster-version --name eks-m1"));
        let c = MemberCluster { version: "1.35".into(), ..healthy() };
        assert_eq!(
            by_check(&check(&member(JoinMode::Push), Some(&c), None, &ctx(None, None)), "member-version").result,
            Status::Ok
        );
    }

    #[test]
    fn endpoints_private_restricted_and_open() {
        let private = MemberCluster { endpoint_public: false, ..healthy() };
        let f = check(&member(JoinMode::Push), Some(&private), None, &ctx(None, None));
        let s = by_check(&f, "member-endpoint");
        assert_eq!(s.result, Status::Warn);
        assert!(s.fix.as_deref().unwrap().contains("network connectivity from the parent VPC"));

        let restricted = MemberCluster { public_access_cidrs: vec!["198.51.100.0/24".into()], ..healthy() };
        let nat = vec!["198.51.100.9".to_string(), "192.0.2.1".to_string()];
        let f = check(&member(JoinMode::Push), Some(&restricted), None, &ctx(Some(&nat), None));
        let s = by_check(&f, "member-endpoint");
        assert_eq!(s.result, Status::Fail);
        assert_eq!(
            s.found,
            "public API endpoint allows only 198.51.100.0/24, not the parent's NAT addresses 192.0.2.1/32"
        );
        assert_eq!(
            s.fix.as_deref(),
            Some("`aws eks update-cluster-config --name eks-m1 --region eu-central-1 --resources-vpc-config publicAccessCidrs=198.51.100.0/24,192.0.2.1/32`")
        );
        let f = check(&member(JoinMode::Push), Some(&restricted), None, &ctx(None, None));
        assert_eq!(by_check(&f, "member-endpoint").result, Status::Warn, "NAT addresses not known before the network");
        let nat = vec!["198.51.100.9".to_string()];
        let f = check(&member(JoinMode::Push), Some(&restricted), None, &ctx(Some(&nat), None));
        assert_eq!(by_check(&f, "member-endpoint").result, Status::Ok);
    }

    #[test]
    fn a_pull_member_whose_egress_is_not_allowed_fails_with_the_allowed_cidrs_fix() {
        let a = api();
        let egress = vec!["192.0.2.44".to_string()];
        let f = check(&member(JoinMode::Pull), Some(&healthy()), Some(&egress), &ctx(None, Some(&a)));
        let s = by_check(&f, "member-pull-access");
        assert_eq!(s.result, Status::Fail);
        assert_eq!(s.fix.as_deref(), Some("add \"192.0.2.44/32\" to nlb.allowed_cidrs in karmada-eks.toml"));
        let f = check(&member(JoinMode::Pull), Some(&healthy()), None, &ctx(None, Some(&a)));
        assert_eq!(by_check(&f, "member-pull-access").result, Status::Warn, "egress unknown");
        let internal = KarmadaApi { internal: true, ..api() };
        let f = check(&member(JoinMode::Pull), Some(&healthy()), Some(&egress), &ctx(None, Some(&internal)));
        assert_eq!(by_check(&f, "member-pull-access").result, Status::Warn);
        let f = check(&member(JoinMode::Push), Some(&healthy()), None, &ctx(None, Some(&a)));
        assert!(f.iter().all(|x| x.check != "member-pull-access"), "push members do not check the Karmada API");
    }
}
