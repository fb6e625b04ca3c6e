//! Preflight (issue 11): read-only checks of an account against a synthesized assembly, for what would fail a
//! half-hour deploy after it started. `doctor` prints them; `deploy` runs them first and stops on a failure.
//!
//! The account check runs first (nothing else can be checked with refused credentials); then each region's checks
//! run in parallel with the other regions': stack states, then quotas, zones and instance types, names, members
//! and stacks left in other regions. Every count comes from the templates (`demand`), never from the config.

pub mod account;
pub mod demand;
pub mod members;
pub mod names;
pub mod quotas;
pub mod regions;
pub mod release;
pub mod report;
pub mod stacks;
pub mod versions;
pub mod zones;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::Instant;

use constructs::core::{CloudAssembly, StackArtifact};
use constructs::inspect::desired_state::chunks_in;
use constructs::inspect::facts::AppFacts;
use constructs::karmada::{Config, JoinMode};

use crate::deploy::client::Aws;
use crate::deploy::ec2::{Ec2, Filter};
use crate::deploy::error::AwsError;
use constructs::karmada::wellknown::TAG_APP;
use demand::{Demand, KarmadaApi, Zone};
use members::Member;
use quotas::Applied;
pub use report::{Finding, Report, Status};

/// What the checks look at: the selected stacks and what the rest of the assembly says about them.
#[derive(Clone, Debug)]
pub struct Plan {
    pub app: String,
    /// The region of the parent's stacks (the assembly's first stack).
    pub app_region: String,
    /// The Karmada release of the assembly's desired state (karmada-eks's default when the assembly holds none).
    pub karmada_version: String,
    /// Names of the selected stacks that hold the desired state's SSM parameters.
    pub desired_state_stacks: Vec<String>,
    /// The selected stacks, in deploy order.
    pub stacks: Vec<StackArtifact>,
    /// Regions of the selected stacks, the app region first.
    pub regions: Vec<String>,
    /// Regions of every stack of the assembly.
    pub assembly_regions: Vec<String>,
    /// `(account, region)` of each selected stack that names an account.
    pub accounts: Vec<(String, String)>,
    pub members: Vec<Member>,
    /// EKS name of the parent cluster, when its stack is selected, and that stack's name.
    pub parent: Option<(String, String)>,
    /// The Kubernetes version the parent's template asks for (`Version` of its `AWS::EKS::Cluster`).
    pub parent_version: Option<String>,
    pub karmada_api: Option<KarmadaApi>,
    /// The zones the subnets of each region use (whole assembly).
    pub zones: BTreeMap<String, BTreeSet<Zone>>,
    /// Check only what deploy is about to create or update: stacks deployed from the same template are left out
    /// of the member and name checks (`deploy`); `doctor` checks everything.
    pub only_changing: bool,
}

impl Plan {
    /// The plan for `selected` (names of `assembly`'s stacks); members' names and join modes come from the
    /// assembly's desired state (`facts`).
    pub fn new(assembly: &CloudAssembly, selected: &[String], facts: &AppFacts) -> Plan {
        let stacks: Vec<StackArtifact> =
            assembly.stacks.iter().filter(|s| selected.contains(&s.name)).cloned().collect();
        let app_region = facts.home_region.clone();
        let app = facts.app.clone();
        let mut regions = vec![];
        for r in std::iter::once(&app_region).chain(stacks.iter().map(|s| &s.environment.region)) {
            if stacks.iter().any(|s| &s.environment.region == r) && !regions.contains(r) {
                regions.push(r.clone());
            }
        }
        let mut assembly_regions: Vec<String> = Vec::new();
        for s in &assembly.stacks {
            if !assembly_regions.contains(&s.environment.region) {
                assembly_regions.push(s.environment.region.clone());
            }
        }
        let accounts =
            crate::deploy::account::of_stacks(&stacks).map(|(a, r)| (a.to_string(), r.to_string())).collect();
        let members = stacks
            .iter()
            .flat_map(|s| {
                demand::access_entry_clusters(&s.template)
                    .into_iter()
                    .map(move |m| (s.name.clone(), s.environment.region.clone(), m))
            })
            .map(|(stack, region, m)| {
                let listed = facts.members.iter().find(|c| c.eks_cluster_name == m.eks_name && c.region == region);
                Member {
                    stack,
                    name: listed.map(|c| c.name.clone()).unwrap_or(m.name),
                    eks_name: m.eks_name,
                    region,
                    mode: listed.map(|c| c.mode).unwrap_or(JoinMode::Push),
                }
            })
            .collect();
        let parent = stacks
            .iter()
            .find_map(|s| demand::cluster_names(&s.template).into_iter().next().map(|n| (n, s.name.clone())));
        let parent_version = stacks.iter().find_map(|s| demand::cluster_versions(&s.template).into_iter().next());
        let karmada_api = assembly.stacks.iter().find_map(|s| {
            demand::karmada_api(&s.template, u64::from(constructs::karmada::wellknown::KARMADA_API_PORT))
        });
        let karmada_version = facts.karmada_version.clone().unwrap_or_else(|| Config::default().karmada.version);
        let desired_state_stacks =
            stacks.iter().filter(|s| !chunks_in(&s.template, &app).is_empty()).map(|s| s.name.clone()).collect();
        let mut zones: BTreeMap<String, BTreeSet<Zone>> = BTreeMap::new();
        for s in &assembly.stacks {
            zones.entry(s.environment.region.clone()).or_default().extend(demand::subnet_zones(&s.template));
        }
        Plan {
            app,
            app_region,
            karmada_version,
            desired_state_stacks,
            stacks,
            regions,
            assembly_regions,
            accounts,
            members,
            parent,
            parent_version,
            karmada_api,
            zones,
            only_changing: false,
        }
    }

    /// The same plan for `deploy`: only what it creates or updates.
    pub fn only_changing(mut self) -> Plan {
        self.only_changing = true;
        self
    }
}

/// Runs every check of `plan` with `aws`'s credentials.
pub async fn run(aws: &Aws, plan: Plan) -> Report {
    let started = Instant::now();
    let nat_filter = Filter::new(format!("tag:{TAG_APP}"), [plan.app.as_str()]);
    let app_ec2 = aws.ec2(&plan.app_region);
    let (account, parent_nat) = tokio::join!(
        account::check(aws, &plan.app_region, &plan.accounts),
        members::nat_addresses(&app_ec2, nat_filter)
    );
    let (finding, caller) = account;
    let mut report = Report { checks: vec![finding], regions: vec![] };
    if caller.is_none() {
        report.regions.push(("global".into(), started.elapsed()));
        return report;
    }
    report.checks.extend(regions::enabled(aws, &plan.regions).await);
    let parent_nat = parent_nat.ok().filter(|ips| !ips.is_empty());
    let plan = Arc::new(plan);
    let mut tasks = tokio::task::JoinSet::new();
    for (i, region) in plan.regions.iter().enumerate() {
        let (aws, plan, region, nat) = (aws.clone(), plan.clone(), region.clone(), parent_nat.clone());
        tasks.spawn(async move {
            let t = Instant::now();
            let findings = region_checks(&aws, &plan, &region, nat.as_deref()).await;
            (i, region, findings, t.elapsed())
        });
    }
    let mut done = Vec::new();
    while let Some(result) = tasks.join_next().await {
        if let Ok(r) = result {
            done.push(r);
        }
    }
    done.sort_by_key(|(i, ..)| *i);
    for (_, region, findings, took) in done {
        report.checks.extend(findings);
        report.regions.push((region, took));
    }
    report
}

async fn region_checks(aws: &Aws, plan: &Plan, region: &str, parent_nat: Option<&[String]>) -> Vec<Finding> {
    let cfn = aws.cloudformation(region);
    let mut findings = Vec::new();
    let mut need = Demand::default();
    let mut full = Demand::default();
    let mut cluster_stack_exists = false;
    let mut unchanged: BTreeSet<String> = BTreeSet::new();
    let here: Vec<StackArtifact> = plan.stacks.iter().filter(|s| s.environment.region == region).cloned().collect();
    let inspected = each(here.clone(), move |s| {
        let cfn = cfn.clone();
        async move { stacks::inspect(&cfn, &s).await }
    })
    .await;
    for (s, (f, state)) in here.iter().zip(inspected) {
        findings.push(f);
        let d = Demand::of_template(&s.template);
        full.add(&d);
        match &state {
            stacks::State::Absent => need.add(&d),
            stacks::State::Changed(deployed) => need.add(&d.beyond(deployed)),
            stacks::State::Unchanged => {}
        }
        if plan.parent.as_ref().is_some_and(|(_, stack)| stack == &s.name) {
            cluster_stack_exists = state != stacks::State::Absent;
        }
        if plan.only_changing && state == stacks::State::Unchanged {
            unchanged.insert(s.name.clone());
        }
    }
    if plan.only_changing && unchanged.len() == here.len() {
        return findings;
    }
    let wanted_zones = plan.zones.get(region).cloned().unwrap_or_default();
    let is_app_region = region == plan.app_region;
    let release_changes = is_app_region
        && plan.desired_state_stacks.iter().any(|s| here.iter().any(|h| &h.name == s) && !unchanged.contains(s));
    let (capacity, names, members, elsewhere, release) = tokio::join!(
        capacity(aws, region, &need, &full, &wanted_zones),
        async {
            let mut out = Vec::new();
            if let Some((parent, _)) = plan.parent.as_ref().filter(|(_, s)| is_app_region && !unchanged.contains(s)) {
                let eks = aws.eks(region);
                let (finding, running) = names::parent_cluster(&eks, region, parent, &plan.app).await;
                out.push(finding);
                if let Some(wanted) = &plan.parent_version {
                    out.extend(versions::parent(&eks, region, parent, wanted, running.as_deref()).await);
                }
                out.push(names::kubeconfig_secret(&aws.ssm(region), region, &plan.app, cluster_stack_exists).await);
            }
            out
        },
        member_checks(aws, plan, region, parent_nat, &unchanged),
        async {
            if is_app_region && !plan.only_changing {
                stacks::elsewhere(aws, &plan.app, region, &plan.assembly_regions).await
            } else {
                Vec::new()
            }
        },
        async {
            if !release_changes {
                return None;
            }
            match release::deployed(&aws.ssm(region), &plan.app).await {
                Ok(d) => release::judge(region, d.as_ref(), &plan.karmada_version),
                Err(e) => Some(Finding::unknown("karmada-release", region, &e)),
            }
        }
    );
    findings.extend(release);
    findings.extend(capacity);
    findings.extend(names);
    findings.extend(members);
    findings.extend(elsewhere);
    findings
}

async fn member_checks(
    aws: &Aws,
    plan: &Plan,
    region: &str,
    parent_nat: Option<&[String]>,
    unchanged: &BTreeSet<String>,
) -> Vec<Finding> {
    let eks = aws.eks(region);
    let ec2 = aws.ec2(region);
    let ctx =
        members::Context { karmada_version: &plan.karmada_version, parent_nat, karmada_api: plan.karmada_api.as_ref() };
    let here: Vec<Member> =
        plan.members.iter().filter(|m| m.region == region && !unchanged.contains(&m.stack)).cloned().collect();
    let facts = each(here.clone(), move |m| {
        let (eks, ec2) = (eks.clone(), ec2.clone());
        async move {
            let cluster = members::describe(&eks, &m.eks_name).await?;
            let egress = match (m.mode, cluster.as_ref().and_then(|c| c.vpc_id.clone())) {
                (JoinMode::Pull, Some(vpc)) => {
                    let f = Filter::new("vpc-id", [vpc.as_str()]);
                    members::nat_addresses(&ec2, f).await.ok()
                }
                _ => None,
            };
            Ok::<_, AwsError>((cluster, egress))
        }
    })
    .await;
    let mut out = Vec::new();
    for (m, fact) in here.iter().zip(facts) {
        match fact {
            Ok((cluster, egress)) => out.extend(members::check(m, cluster.as_ref(), egress.as_deref(), &ctx)),
            Err(e) => out.push(Finding::unknown("member-cluster", region, &e).about(m.name.clone())),
        }
    }
    out
}

/// Runs `work` on every item at once; the results in the items' order.
async fn each<T, R, F, Fut>(items: Vec<T>, work: F) -> Vec<R>
where
    T: Send + 'static,
    R: Send + 'static,
    F: Fn(T) -> Fut,
    Fut: std::future::Future<Output = R> + Send + 'static,
{
    let mut tasks = tokio::task::JoinSet::new();
    let count = items.len();
    for (i, item) in items.into_iter().enumerate() {
        let fut = work(item);
        tasks.spawn(async move { (i, fut.await) });
    }
    let mut results: Vec<Option<R>> = (0..count).map(|_| None).collect();
    while let Some(Ok((i, r))) = tasks.join_next().await {
        results[i] = Some(r);
    }
    results.into_iter().flatten().collect()
}

/// Quotas, zones and instance types of one region: `need` is what the deploy adds, `full` what the selected
/// stacks hold in all (a quota the stacks do not touch is not checked).
async fn capacity(
    aws: &Aws,
    region: &str,
    need: &Demand,
    full: &Demand,
    wanted_zones: &BTreeSet<Zone>,
) -> Vec<Finding> {
    let types = full.instance_types();
    if full == &Demand::default() && wanted_zones.is_empty() {
        return Vec::new();
    }
    let ec2 = aws.ec2(region);
    let sq = aws.servicequotas(region);
    let eks = aws.eks(region);
    let zones = zones::region_zones(&ec2).await;
    let zone_names = zones.clone().unwrap_or_default();
    let (eips, vpcs, nats, clusters, vcpus, offered) = tokio::join!(
        async {
            if full.elastic_ips == 0 {
                return vec![];
            }
            let (in_use, quota) = tokio::join!(
                async { ec2.describe_addresses().await.map(|a| a.len() as u64) },
                quotas::applied_elastic_ips(&sq, &ec2)
            );
            vec![judged(&quotas::ELASTIC_IPS, region, None, in_use, u64::from(need.elastic_ips), &quota)]
        },
        async {
            if full.vpcs == 0 {
                return vec![];
            }
            let (in_use, quota) = tokio::join!(count_vpcs(&ec2), quotas::applied(&sq, &quotas::VPCS));
            vec![judged(&quotas::VPCS, region, None, in_use, u64::from(need.vpcs), &quota)]
        },
        async {
            if full.nat_gateways.is_empty() {
                return vec![];
            }
            let (in_use, quota) = tokio::join!(nat_gateways_by_zone(&ec2), quotas::applied(&sq, &quotas::NAT_GATEWAYS));
            let wanted = need.nat_gateways_by_zone(&zone_names);
            if wanted.is_empty() {
                let total = in_use.as_ref().map(|m| m.values().sum::<u64>()).map_err(Clone::clone);
                return vec![judged(&quotas::NAT_GATEWAYS, region, None, total, 0, &quota)];
            }
            wanted
                .iter()
                .map(|(zone, n)| {
                    let used = in_use.as_ref().map(|m| m.get(zone).copied().unwrap_or(0)).map_err(Clone::clone);
                    judged(&quotas::NAT_GATEWAYS, region, Some(zone), used, u64::from(*n), &quota)
                })
                .collect()
        },
        async {
            if full.clusters == 0 {
                return vec![];
            }
            let (in_use, quota) = tokio::join!(count_clusters(&eks), quotas::applied(&sq, &quotas::EKS_CLUSTERS));
            vec![judged(&quotas::EKS_CLUSTERS, region, None, in_use, u64::from(need.clusters), &quota)]
        },
        async {
            if full.instances.is_empty() {
                return vec![];
            }
            let (vcpu, quota) = tokio::join!(vcpus(&ec2, need), quotas::applied(&sq, &quotas::ON_DEMAND_VCPUS));
            match vcpu {
                Ok((in_use, needed, unknown)) => {
                    let mut f = quotas::judge(&quotas::ON_DEMAND_VCPUS, region, None, in_use, needed, &quota);
                    if !unknown.is_empty() {
                        f.found.push_str(&format!(" (vCPUs of {} not known)", unknown.join(", ")));
                    }
                    vec![f]
                }
                Err(e) => vec![Finding::unknown(quotas::ON_DEMAND_VCPUS.check, region, &e)],
            }
        },
        async {
            if types.is_empty() {
                return None;
            }
            Some(zones::offerings(&ec2, &types).await)
        }
    );
    let mut out = Vec::new();
    out.extend(eips);
    out.extend(vpcs);
    out.extend(nats);
    out.extend(clusters);
    out.extend(vcpus);
    match zones {
        Err(e) => out.push(Finding::unknown("zones", region, &e)),
        Ok(zone_names) => {
            if wanted_zones.is_empty() {
                return out;
            }
            let (f, chosen) = zones::check_zones(region, wanted_zones, &zone_names);
            out.push(f);
            match offered {
                Some(Ok(offered)) => out.extend(zones::check_instance_types(region, &types, &chosen, &offered)),
                Some(Err(e)) => out.push(Finding::unknown("instance-type", region, &e)),
                None => {}
            }
        }
    }
    out
}

fn judged(
    quota: &quotas::Quota,
    region: &str,
    subject: Option<&str>,
    in_use: Result<u64, AwsError>,
    need: u64,
    applied: &Applied,
) -> Finding {
    match in_use {
        Ok(n) => quotas::judge(quota, region, subject, n, need, applied),
        Err(e) => Finding::unknown(quota.check, region, &e),
    }
}

async fn count_vpcs(ec2: &Ec2) -> Result<u64, AwsError> {
    Ok(ec2.describe_vpcs().await?.len() as u64)
}

async fn count_clusters(eks: &aws_sdk_eks::Client) -> Result<u64, AwsError> {
    let mut n = 0;
    let mut pages = eks.list_clusters().into_paginator().send();
    while let Some(page) = pages.next().await {
        n += page.map_err(|e| AwsError::from_sdk("ListClusters", e))?.clusters().len() as u64;
    }
    Ok(n)
}

/// NAT gateways pending or available, by the zone of their subnet.
async fn nat_gateways_by_zone(ec2: &Ec2) -> Result<BTreeMap<String, u64>, AwsError> {
    let gateways = ec2.describe_nat_gateways(&[Filter::new("state", ["pending", "available"])]).await?;
    let subnets: BTreeSet<String> = gateways.iter().map(|n| n.subnet_id.clone()).filter(|s| !s.is_empty()).collect();
    let mut by_zone = BTreeMap::new();
    if subnets.is_empty() {
        return Ok(by_zone);
    }
    let zone_of: BTreeMap<String, String> =
        ec2.subnet_zones(&subnets.into_iter().collect::<Vec<_>>()).await?.into_iter().collect();
    for n in &gateways {
        if let Some(zone) = zone_of.get(&n.subnet_id) {
            *by_zone.entry(zone.clone()).or_default() += 1;
        }
    }
    Ok(by_zone)
}

/// Standard-family On-Demand vCPUs running (or pending) and needed, and the types whose vCPUs are unknown.
async fn vcpus(ec2: &Ec2, need: &Demand) -> Result<(u64, u64, Vec<String>), AwsError> {
    let state = Filter::new("instance-state-name", ["pending", "running"]);
    let mut running: BTreeMap<Vec<String>, u32> = BTreeMap::new();
    for t in ec2.on_demand_instance_types(&[state]).await? {
        *running.entry(vec![t]).or_default() += 1;
    }
    let mut types: BTreeSet<String> = need.instance_types();
    types.extend(running.keys().flatten().cloned());
    let standard: Vec<String> = types.into_iter().filter(|t| quotas::is_standard_family(t)).collect();
    let per_type = vcpus_of(ec2, &standard).await?;
    let (in_use, _) = quotas::standard_vcpus(&running, &per_type);
    let (needed, unknown) = quotas::standard_vcpus(&need.instances, &per_type);
    Ok((in_use, needed, unknown))
}

/// Default vCPUs of each of `types` (DescribeInstanceTypes); a type EC2 does not know is left out.
async fn vcpus_of(ec2: &Ec2, types: &[String]) -> Result<BTreeMap<String, u32>, AwsError> {
    let mut out = BTreeMap::new();
    for chunk in types.chunks(100) {
        let found = match ec2.instance_types(chunk).await {
            Ok(found) => found,
            // One unknown type fails the whole call: ask again one type at a time, keeping the ones EC2 knows.
            Err(e) if e.code.as_deref() == Some("InvalidInstanceType") => {
                let mut found = Vec::new();
                for t in chunk {
                    if let Ok(one) = ec2.instance_types(std::slice::from_ref(t)).await {
                        found.extend(one);
                    }
                }
                found
            }
            Err(e) => return Err(e),
        };
        for t in found.into_iter().filter(|t| t.vcpus > 0) {
            out.insert(t.instance_type, t.vcpus);
        }
    }
    Ok(out)
}
