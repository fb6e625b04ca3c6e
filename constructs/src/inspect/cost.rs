//! A monthly cost estimate of a synthesized app: the [`Inventory`] of its assembly priced with the dated table
//! shipped in `constructs/prices.toml`.
//!
//! Fixed items (running every hour of the month) are lines with quantity, unit price, region and monthly total,
//! summed into the total; usage-based items (per GB, per capacity unit) are listed with their rate and never
//! summed, since their quantity depends on traffic. A region or figure the table lacks is an error naming what
//! the table knows, never a silent zero, and a resource type that is neither priced nor known to be free is listed
//! as unpriced.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::eks::versions;
use crate::inspect::inventory::{EipUse, Inventory, Volumes};

/// The price table shipped with this version.
pub const PRICES: &str = include_str!("../../prices.toml");
/// Hours in the month the estimate assumes unless told otherwise (AWS's pricing pages use 730).
pub const HOURS_PER_MONTH: u32 = 730;

/// One figure and the page it was taken from.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Price {
    pub usd: f64,
    pub source: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    pub page: String,
    /// The page's own date (`YYYY`, `YYYY-MM` or `YYYY-MM-DD`), or `undated`.
    pub published: String,
    /// What the page says, in short.
    pub says: String,
}

/// A region's figures; each is optional because a region is listed only with the figures found for it.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RegionPrices {
    pub eks_cluster_hour: Option<Price>,
    /// The control plane of a Kubernetes version in EKS extended support (`crate::eks::versions`).
    pub eks_extended_cluster_hour: Option<Price>,
    #[serde(default)]
    pub ec2_hour: BTreeMap<String, Price>,
    #[serde(default)]
    pub ebs_gb_month: BTreeMap<String, Price>,
    pub nat_gateway_hour: Option<Price>,
    pub nat_gb: Option<Price>,
    pub nlb_hour: Option<Price>,
    pub nlcu_hour: Option<Price>,
    pub public_ipv4_hour: Option<Price>,
    pub kms_key_month: Option<Price>,
    pub ssm_advanced_parameter_month: Option<Price>,
    pub secret_month: Option<Price>,
    pub logs_ingest_gb: Option<Price>,
    pub logs_storage_gb_month: Option<Price>,
    /// S3 Standard storage, per GB-month (Karmada's backups).
    pub s3_storage_gb_month: Option<Price>,
    /// Data transfer out of this region to any other region, per GB, charged by the source region.
    pub inter_region_gb: Option<Price>,
    /// Destinations priced differently from `inter_region_gb` (us-east-1 to us-east-2).
    #[serde(default)]
    pub inter_region_gb_to: BTreeMap<String, Price>,
}

impl RegionPrices {
    fn all(&self) -> Vec<&Price> {
        let singles = [
            &self.eks_cluster_hour,
            &self.eks_extended_cluster_hour,
            &self.nat_gateway_hour,
            &self.nat_gb,
            &self.nlb_hour,
            &self.nlcu_hour,
            &self.public_ipv4_hour,
            &self.kms_key_month,
            &self.ssm_advanced_parameter_month,
            &self.secret_month,
            &self.logs_ingest_gb,
            &self.logs_storage_gb_month,
            &self.s3_storage_gb_month,
            &self.inter_region_gb,
        ];
        let maps = self.ec2_hour.values().chain(self.ebs_gb_month.values()).chain(self.inter_region_gb_to.values());
        singles.into_iter().flatten().chain(maps).collect()
    }
}

/// The dated price table.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PriceTable {
    /// When the figures were taken (`YYYY-MM-DD`).
    pub taken: String,
    pub sources: BTreeMap<String, Source>,
    pub regions: BTreeMap<String, RegionPrices>,
}

fn is_date(text: &str) -> bool {
    let parts: Vec<&str> = text.split('-').collect();
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    !parts.is_empty() && parts.len() <= 3 && digits(parts[0], 4) && parts[1..].iter().all(|p| digits(p, 2))
}

impl PriceTable {
    /// Parses and checks a price table: every figure positive and sourced, every source dated or `undated`.
    pub fn parse(text: &str) -> Result<PriceTable, String> {
        let table: PriceTable = toml::from_str(text).map_err(|e| e.to_string())?;
        if !is_date(&table.taken) || table.taken.len() != 10 {
            return Err(format!("taken: {:?} is not a YYYY-MM-DD date", table.taken));
        }
        for (id, s) in &table.sources {
            if !(s.published == "undated" || is_date(&s.published)) {
                return Err(format!("sources.{id}.published: {:?} is not a date or `undated`", s.published));
            }
            if !s.page.starts_with("https://") || s.says.trim().is_empty() {
                return Err(format!("sources.{id}: needs an https page and what it says"));
            }
        }
        for (region, prices) in &table.regions {
            for p in prices.all() {
                if !(p.usd.is_finite() && p.usd > 0.0) {
                    return Err(format!("regions.{region}: {} is not a positive price", p.usd));
                }
                if !table.sources.contains_key(&p.source) {
                    return Err(format!("regions.{region}: source {:?} is not in [sources]", p.source));
                }
            }
        }
        Ok(table)
    }

    /// The table in [`PRICES`].
    pub fn shipped() -> PriceTable {
        PriceTable::parse(PRICES).expect("constructs/prices.toml is checked by a unit test")
    }

    fn region(&self, region: &str) -> Result<&RegionPrices, CostError> {
        self.regions.get(region).ok_or_else(|| CostError::UnknownRegion {
            region: region.to_string(),
            known: self.regions.keys().cloned().collect::<Vec<_>>().join(", "),
        })
    }

    fn price<'a>(
        &'a self,
        region: &str,
        what: &str,
        get: impl Fn(&'a RegionPrices) -> Option<&'a Price>,
    ) -> Result<&'a Price, CostError> {
        get(self.region(region)?).ok_or_else(|| CostError::MissingPrice {
            what: what.to_string(),
            region: region.to_string(),
            known: self
                .regions
                .iter()
                .filter(|(_, p)| get(p).is_some())
                .map(|(r, _)| r.clone())
                .collect::<Vec<_>>()
                .join(", "),
        })
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CostError {
    #[error("region {region} is not in the price table (it knows: {known})")]
    UnknownRegion { region: String, known: String },
    #[error("the price table has no {what} price for {region} (regions with one: {known})")]
    MissingPrice { what: String, region: String, known: String },
}

impl CostError {
    /// What the user can do about it.
    pub fn hint(&self) -> String {
        "add the figure to constructs/prices.toml with the page it comes from, or deploy to a region the table knows"
            .into()
    }
}

/// A fixed item: runs all month, summed into the total.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Line {
    pub item: String,
    pub region: String,
    pub quantity: f64,
    /// What the quantity counts (`clusters`, `instances`, `GB-month`).
    pub quantity_unit: String,
    pub unit_usd: f64,
    /// What the unit price is per (`cluster-hour`, `GB-month`).
    pub per: String,
    pub monthly_usd: f64,
    pub source: String,
}

/// A usage-based item: its rate, never summed. A rate the table lacks for the region has no figure and says so in
/// `missing`, naming the regions that have one.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Rate {
    pub item: String,
    pub region: String,
    pub unit_usd: Option<f64>,
    pub per: String,
    pub source: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub missing: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Estimate {
    pub app: String,
    pub hours: u32,
    pub currency: &'static str,
    pub prices_taken: String,
    pub lines: Vec<Line>,
    pub total_usd: f64,
    pub usage_based: Vec<Rate>,
    /// Resource types neither priced here nor known to be free: `(region, type, count)`.
    pub unpriced: Vec<(String, String, usize)>,
    /// Where the guide's sample table (us-east-1, February 2024) is incomplete or wrong, against these lines.
    pub guide: Vec<String>,
    /// The sources the lines and rates use.
    pub sources: BTreeMap<String, Source>,
}

/// Resource types that cost nothing by themselves (their traffic, volumes or logs are priced where they arise).
const FREE_TYPES: &[&str] = &[
    "AWS::EC2::VPC",
    "AWS::EC2::Subnet",
    "AWS::EC2::RouteTable",
    "AWS::EC2::Route",
    "AWS::EC2::SubnetRouteTableAssociation",
    "AWS::EC2::InternetGateway",
    "AWS::EC2::VPCGatewayAttachment",
    "AWS::EC2::SecurityGroup",
    "AWS::EC2::SecurityGroupIngress",
    "AWS::EC2::SecurityGroupEgress",
    "AWS::EC2::LaunchTemplate",
    "AWS::IAM::Role",
    "AWS::IAM::Policy",
    "AWS::IAM::ManagedPolicy",
    "AWS::IAM::InstanceProfile",
    "AWS::IAM::OIDCProvider",
    "AWS::EKS::AccessEntry",
    "AWS::EKS::Addon",
    "AWS::EKS::PodIdentityAssociation",
    "AWS::ElasticLoadBalancingV2::TargetGroup",
    "AWS::ElasticLoadBalancingV2::Listener",
    "AWS::EC2::FlowLog",
    "AWS::Logs::LogGroup",
    "AWS::SSM::Parameter",
    "AWS::SecretsManager::ResourcePolicy",
    "AWS::S3::BucketPolicy",
    "AWS::CloudFormation::WaitCondition",
    "AWS::CloudFormation::WaitConditionHandle",
];
const PRICED_TYPES: &[&str] = &[
    "AWS::EKS::Cluster",
    "AWS::EKS::Nodegroup",
    "AWS::EC2::Instance",
    "AWS::EC2::NatGateway",
    "AWS::EC2::EIP",
    "AWS::ElasticLoadBalancingV2::LoadBalancer",
    "AWS::KMS::Key",
    "AWS::SecretsManager::Secret",
    "AWS::S3::Bucket",
];

struct Builder<'a> {
    table: &'a PriceTable,
    hours: f64,
    lines: Vec<Line>,
    usage: Vec<Rate>,
}

impl Builder<'_> {
    /// A line priced per hour: `quantity` things running `hours`.
    fn hourly(&mut self, item: String, region: &str, quantity: f64, unit: &str, per: &str, price: &Price) {
        self.line(item, region, (quantity, unit), per, price, self.hours);
    }

    /// A line priced per month, prorated to `hours` of the 730-hour month.
    fn monthly(&mut self, item: String, region: &str, quantity: f64, unit: &str, per: &str, price: &Price) {
        self.line(item, region, (quantity, unit), per, price, self.hours / f64::from(HOURS_PER_MONTH));
    }

    fn line(
        &mut self,
        item: String,
        region: &str,
        (quantity, unit): (f64, &str),
        per: &str,
        price: &Price,
        factor: f64,
    ) {
        self.lines.push(Line {
            item,
            region: region.into(),
            quantity,
            quantity_unit: unit.into(),
            unit_usd: price.usd,
            per: per.into(),
            monthly_usd: round6(quantity * price.usd * factor),
            source: price.source.clone(),
        });
    }

    fn rate(&mut self, item: String, region: &str, per: &str, price: Result<&Price, CostError>) {
        let (unit_usd, source, missing) = match price {
            Ok(p) => (Some(p.usd), Some(p.source.clone()), None),
            Err(e) => (None, None, Some(e.to_string())),
        };
        self.usage.push(Rate { item, region: region.into(), unit_usd, per: per.into(), source, missing });
    }

    fn volumes(&mut self, item: String, region: &str, v: &Volumes) -> Result<(), CostError> {
        let what = format!("EBS {}", v.volume_type);
        let price = self.table.price(region, &what, |p| p.ebs_gb_month.get(&v.volume_type))?;
        let gb = (v.count * v.size_gib) as f64;
        let item = format!("{item} ({} × {} GiB {})", v.count, v.size_gib, v.volume_type);
        self.monthly(item, region, gb, "GB-month", "GB-month", price);
        Ok(())
    }
}

fn round6(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

/// Prices `inv` for a month of `hours`.
pub fn estimate(inv: &Inventory, table: &PriceTable, hours: u32) -> Result<Estimate, CostError> {
    for region in inv.regions() {
        table.region(region)?;
    }
    let mut b = Builder { table, hours: f64::from(hours), lines: Vec::new(), usage: Vec::new() };
    for c in &inv.clusters {
        let extended = matches!(versions::support(&c.version), Some(versions::Support::Extended { .. }));
        let (price, item) = if extended {
            let what = "EKS control plane in extended support";
            let price = table.price(&c.place.region, what, |p| p.eks_extended_cluster_hour.as_ref())?;
            (price, format!("EKS control plane ({}, Kubernetes {}, extended support)", c.name, c.version))
        } else {
            let price = table.price(&c.place.region, "EKS control plane", |p| p.eks_cluster_hour.as_ref())?;
            (price, format!("EKS control plane ({}, Kubernetes {})", c.name, c.version))
        };
        b.hourly(item, &c.place.region, 1.0, "cluster", "cluster-hour", price);
    }
    for n in &inv.node_groups {
        let region = &n.place.region;
        // EKS launches On-Demand capacity from the first type listed while it is available.
        let ty = n.instance_types.first().map(String::as_str).unwrap_or("?");
        let price = table.price(region, &format!("EC2 {ty}"), |p| p.ec2_hour.get(ty))?;
        let item = format!("EC2 nodes of {} ({ty})", n.cluster);
        b.hourly(item, region, n.desired as f64, "instances", "instance-hour", price);
        b.volumes(format!("EBS node root volumes of {}", n.cluster), region, &n.root_volumes)?;
    }
    for i in &inv.instances {
        let region = &i.place.region;
        let ty = i.instance_type.as_str();
        let price = table.price(region, &format!("EC2 {ty}"), |p| p.ec2_hour.get(ty))?;
        b.hourly(format!("EC2 {} ({ty})", i.place.path), region, 1.0, "instance", "instance-hour", price);
        b.volumes(format!("EBS root volume of {}", i.place.path), region, &i.root_volume)?;
    }
    if let Some(e) = &inv.etcd {
        b.volumes("EBS etcd PVC volumes (created by the bootstrap)".into(), &e.region, &e.volumes)?;
    }
    for region in inv.regions() {
        let nats = inv.nat_gateways.iter().filter(|n| n.place.region == region).count();
        if nats > 0 {
            let price = table.price(region, "NAT gateway", |p| p.nat_gateway_hour.as_ref())?;
            b.hourly("NAT gateways".into(), region, nats as f64, "gateways", "gateway-hour", price);
        }
        let nlbs = inv.load_balancers.iter().filter(|l| l.place.region == region && l.kind == "network").count();
        if nlbs > 0 {
            let price = table.price(region, "Network Load Balancer", |p| p.nlb_hour.as_ref())?;
            b.hourly(
                "Network Load Balancer (Karmada API)".into(),
                region,
                nlbs as f64,
                "load balancers",
                "NLB-hour",
                price,
            );
        }
        for (usage, item) in [
            (EipUse::Nat, "Public IPv4: NAT gateway EIPs"),
            (EipUse::LoadBalancer, "Public IPv4: load balancer EIPs"),
            (EipUse::Other, "Public IPv4: other EIPs"),
        ] {
            let n = inv.elastic_ips.iter().filter(|e| e.place.region == region && e.used_by == usage).count();
            if n > 0 {
                let price = table.price(region, "public IPv4 address", |p| p.public_ipv4_hour.as_ref())?;
                b.hourly(item.into(), region, n as f64, "addresses", "address-hour", price);
            }
        }
        let keys = inv.kms_keys.iter().filter(|k| k.region == region).count();
        if keys > 0 {
            let price = table.price(region, "KMS key", |p| p.kms_key_month.as_ref())?;
            b.monthly("KMS customer-managed keys".into(), region, keys as f64, "keys", "key-month", price);
        }
        let advanced: Vec<&str> = inv
            .parameters
            .iter()
            .filter(|p| p.tier == "Advanced" && p.place.as_ref().map_or(region == inv.region, |pl| pl.region == region))
            .map(|p| p.name.as_str())
            .collect();
        if !advanced.is_empty() {
            let price =
                table.price(region, "SSM Advanced-tier parameter", |p| p.ssm_advanced_parameter_month.as_ref())?;
            let item = format!("SSM Advanced-tier parameters ({})", advanced.join(", "));
            b.monthly(item, region, advanced.len() as f64, "parameters", "parameter-month", price);
        }
        let secrets = inv.secrets.iter().filter(|s| s.region == region).count();
        if secrets > 0 {
            let price = table.price(region, "Secrets Manager secret", |p| p.secret_month.as_ref())?;
            b.monthly("Secrets Manager secrets".into(), region, secrets as f64, "secrets", "secret-month", price);
        }
    }
    usage_rates(&mut b, inv, table);
    let total = round6(b.lines.iter().map(|l| l.monthly_usd).sum());
    let unpriced = inv
        .resource_types
        .iter()
        .filter(|((_, t), _)| !FREE_TYPES.contains(&t.as_str()) && !PRICED_TYPES.contains(&t.as_str()))
        .map(|((r, t), n)| (r.clone(), t.clone(), *n))
        .collect();
    let used: Vec<&str> =
        b.lines.iter().map(|l| l.source.as_str()).chain(b.usage.iter().filter_map(|r| r.source.as_deref())).collect();
    let sources = table
        .sources
        .iter()
        .filter(|(id, _)| used.contains(&id.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let guide = guide_comparison(inv, &b.lines, &b.usage);
    Ok(Estimate {
        app: inv.app.clone(),
        hours,
        currency: "USD",
        prices_taken: table.taken.clone(),
        lines: b.lines,
        total_usd: total,
        usage_based: b.usage,
        unpriced,
        guide,
        sources,
    })
}

fn usage_rates(b: &mut Builder, inv: &Inventory, table: &PriceTable) {
    let app = inv.region.as_str();
    if inv.nat_gateways.iter().any(|n| n.place.region == app) {
        let price = table.price(app, "NAT data processing", |p| p.nat_gb.as_ref());
        b.rate("NAT gateway data processed".into(), app, "GB", price);
    }
    if inv.load_balancers.iter().any(|l| l.place.region == app && l.kind == "network") {
        let price = table.price(app, "NLB capacity unit", |p| p.nlcu_hour.as_ref());
        b.rate("NLB capacity units (NLCU)".into(), app, "NLCU-hour", price);
    }
    let mut logs = Vec::new();
    if !inv.flow_logs.is_empty() {
        logs.push("VPC flow logs".to_string());
    }
    for c in inv.clusters.iter().filter(|c| !c.log_types.is_empty()) {
        logs.push(format!("EKS control-plane logs of {} ({})", c.name, c.log_types.join(", ")));
    }
    if !logs.is_empty() {
        let ingest = table.price(app, "CloudWatch Logs ingestion", |p| p.logs_ingest_gb.as_ref());
        let storage = table.price(app, "CloudWatch Logs storage", |p| p.logs_storage_gb_month.as_ref());
        b.rate(format!("CloudWatch Logs ingestion: {}", logs.join("; ")), app, "GB", ingest);
        b.rate("CloudWatch Logs storage (retained logs)".into(), app, "GB-month", storage);
    }
    let buckets: Vec<&str> = inv
        .resource_types
        .iter()
        .filter(|((_, t), _)| t == "AWS::S3::Bucket")
        .map(|((region, _), _)| region.as_str())
        .collect();
    for region in buckets {
        let price = table.price(region, "S3 Standard storage", |p| p.s3_storage_gb_month.as_ref());
        b.rate("S3 storage of Karmada's backups (etcd snapshots, certificates)".into(), region, "GB-month", price);
    }
    // Inter-region transfer is charged by the source region, at a rate that can depend on the destination.
    let transfer = |from: &str, to: &str| {
        table.price(from, "inter-region data transfer", |p| p.inter_region_gb_to.get(to).or(p.inter_region_gb.as_ref()))
    };
    for region in inv.member_regions().into_iter().filter(|r| *r != app) {
        b.rate(format!("data transfer {app} -> {region} (Karmada to members)"), app, "GB", transfer(app, region));
        b.rate(format!("data transfer {region} -> {app} (members to Karmada)"), region, "GB", transfer(region, app));
    }
}

fn monthly_of(lines: &[Line], prefix: &str) -> f64 {
    lines.iter().filter(|l| l.item.starts_with(prefix)).map(|l| l.monthly_usd).sum()
}

/// The guide's sample table is for US East (February 2024): EKS 73.00, NLB 16.425 and NAT gateway 32.85 USD a
/// month, EC2 "depends on the instance type", NAT data processing at "32.85/GB", and no public IPv4, management
/// host, KMS or logs rows.
fn guide_comparison(inv: &Inventory, lines: &[Line], usage: &[Rate]) -> Vec<String> {
    if inv.region != "us-east-1" {
        return vec![format!("the guide's sample table is for us-east-1; this app is in {}", inv.region)];
    }
    let agree = |name: &str, guide: f64, here: f64| {
        let verdict = if (guide - here).abs() < 0.0005 { "agrees" } else { "differs (this config)" };
        format!("{name}: the guide says {} a month, here {} ({verdict})", money(guide), money(here))
    };
    let mut out = vec![
        agree("EKS control plane", 73.0, monthly_of(lines, "EKS control plane")),
        agree("Network Load Balancer", 16.425, monthly_of(lines, "Network Load Balancer")),
        agree("NAT gateway", 32.85, monthly_of(lines, "NAT gateways")),
    ];
    if let Some(unit) = usage.iter().find(|r| r.item.starts_with("NAT gateway data")).and_then(|r| r.unit_usd) {
        out.push(format!(
            "wrong in the guide: NAT data processing is priced at 32.85/GB; AWS charges {}/GB",
            price_text(unit)
        ));
    }
    let ec2 = monthly_of(lines, "EC2 nodes");
    out.push(format!(
        "incomplete in the guide: EC2 \"depends on the instance type\"; the nodes here cost {}",
        money(ec2)
    ));
    for (name, prefix) in [
        ("public IPv4 addresses", "Public IPv4"),
        ("the management host", "EC2 ManagementHost"),
        ("EBS volumes", "EBS"),
        ("KMS keys", "KMS"),
        ("SSM Advanced-tier parameters", "SSM"),
    ] {
        let here = monthly_of(lines, prefix);
        if here > 0.0 {
            out.push(format!("missing from the guide: {name}, {} a month here", money(here)));
        }
    }
    out.push("missing from the guide: CloudWatch Logs (flow logs, EKS control-plane logs), usage-based below".into());
    out
}

/// Money with two decimals, or three when the third is not zero (16.425).
pub fn money(x: f64) -> String {
    let milli = (x * 1000.0).round() as i64;
    if milli % 10 == 0 {
        format!("{}.{:02}", milli / 1000, (milli % 1000) / 10)
    } else {
        format!("{}.{:03}", milli / 1000, milli % 1000)
    }
}

/// A unit price with its own precision, at least two decimals (0.10, 0.0416).
fn price_text(x: f64) -> String {
    let s = format!("{x:.6}");
    let trimmed = s.trim_end_matches('0');
    let decimals = trimmed.split('.').nth(1).map_or(0, str::len);
    if decimals < 2 {
        format!("{x:.2}")
    } else {
        trimmed.to_string()
    }
}

fn quantity_text(q: f64) -> String {
    if q.fract() == 0.0 {
        format!("{}", q as i64)
    } else {
        format!("{q}")
    }
}

impl Estimate {
    /// The estimate as a table for people.
    pub fn to_text(&self) -> String {
        let mut out = format!(
            "Monthly estimate for {} ({} hours, On-Demand list prices in USD taken {}; constructs/prices.toml)\n\n",
            self.app, self.hours, self.prices_taken
        );
        let width = self.lines.iter().map(|l| l.item.chars().count()).max().unwrap_or(4).max(4);
        let _ = writeln!(
            out,
            "  {:width$}  {:14}  {:>20}  {:>24}  {:>10}  SOURCE",
            "ITEM", "REGION", "QUANTITY", "UNIT PRICE", "MONTHLY"
        );
        for l in &self.lines {
            let qty = format!("{} {}", quantity_text(l.quantity), l.quantity_unit);
            let unit = format!("{} /{}", price_text(l.unit_usd), l.per);
            let _ = writeln!(
                out,
                "  {:width$}  {:14}  {qty:>20}  {unit:>24}  {:>10}  {}",
                l.item,
                l.region,
                money(l.monthly_usd),
                l.source
            );
        }
        let _ = writeln!(
            out,
            "  {:width$}  {:14}  {:>20}  {:>24}  {:>10}",
            "TOTAL (fixed items)",
            "",
            "",
            "",
            money(self.total_usd)
        );
        out += "\nUsage-based (not in the total; multiply by your traffic):\n";
        for r in &self.usage_based {
            let _ = match (r.unit_usd, &r.source, &r.missing) {
                (Some(unit), Some(source), _) => {
                    writeln!(out, "  - {} [{}]: {} per {} ({source})", r.item, r.region, price_text(unit), r.per)
                }
                (_, _, missing) => writeln!(
                    out,
                    "  - {} [{}]: per {}: rate unknown, {}",
                    r.item,
                    r.region,
                    r.per,
                    missing.as_deref().unwrap_or("no figure")
                ),
            };
        }
        if !self.unpriced.is_empty() {
            out += "\nNot priced (no figure in the table; check these by hand):\n";
            for (region, kind, n) in &self.unpriced {
                let _ = writeln!(out, "  - {kind} × {n} [{region}]");
            }
        }
        out += "\nAgainst the guide's sample table (US East, February 2024):\n";
        for g in &self.guide {
            let _ = writeln!(out, "  - {g}");
        }
        out += "\nSources:\n";
        for (id, s) in &self.sources {
            let _ = writeln!(out, "  [{id}] {} ({}): {}", s.page, s.published, s.says);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_price_table_parses_with_every_price_positive_sourced_and_dated() {
        let t = PriceTable::parse(PRICES).unwrap();
        assert!(is_date(&t.taken) && t.taken.len() == 10);
        assert!(t.regions.contains_key("us-east-1"));
        for (region, p) in &t.regions {
            assert!(!p.all().is_empty(), "{region} has figures");
            for price in p.all() {
                assert!(price.usd > 0.0);
                let s = &t.sources[&price.source];
                assert!(s.published == "undated" || is_date(&s.published), "{region}: {:?}", s.published);
            }
        }
    }

    #[test]
    fn bad_tables_are_refused_with_the_field() {
        let base = "taken = \"2026-12-01\"\n[sources.a]\npage = \"https://x\"\npublished = \"2026\"\nsays = \"y\"\n";
        let zero = format!("{base}[regions.r]\nnat_gb = {{ usd = 0.0, source = \"a\" }}\n");
        assert!(PriceTable::parse(&zero).unwrap_err().contains("regions.r"));
        let unsourced = format!("{base}[regions.r]\nnat_gb = {{ usd = 1.0, source = \"b\" }}\n");
        assert!(PriceTable::parse(&unsourced).unwrap_err().contains("source \"b\""));
        let undated = format!("{base}[regions]\n").replace("published = \"2026\"", "published = \"soon\"");
        assert!(PriceTable::parse(&undated).unwrap_err().contains("sources.a.published"));
    }

    #[test]
    fn money_keeps_a_third_decimal_only_when_needed() {
        assert_eq!(money(73.0), "73.00");
        assert_eq!(money(16.425), "16.425");
        assert_eq!(money(32.85), "32.85");
        assert_eq!(price_text(0.1), "0.10");
        assert_eq!(price_text(0.0416), "0.0416");
    }
}

#[cfg(test)]
mod assembly_tests {
    use super::*;
    use crate::core::{CloudAssembly, Environment, StackArtifact};
    use serde_json::json;

    fn stack(name: &str, region: &str, resources: serde_json::Value) -> StackArtifact {
        let template = json!({ "Resources": resources });
        StackArtifact {
            name: name.into(),
            environment: Environment::new(None, region),
            template_body: template.to_string(),
            template,
            template_sha256: String::new(),
            dependencies: Vec::new(),
            references: Vec::new(),
            parameters_from_outputs: Vec::new(),
            parameters_from_ssm: Vec::new(),
            termination_protection: false,
            tags: Default::default(),
            resource_count: 0,
            notes: Vec::new(),
            warnings: Vec::new(),
        }
    }

    #[test]
    fn secrets_are_priced_and_unknown_types_are_listed_not_zeroed() {
        let assembly = CloudAssembly {
            stacks: vec![stack(
                "app-cluster",
                "us-east-1",
                json!({
                    "Kubeconfig": { "Type": "AWS::SecretsManager::Secret", "Properties": {} },
                    "Queue": { "Type": "AWS::SQS::Queue", "Properties": {} },
                    "Key": { "Type": "AWS::KMS::Key", "Properties": {} }
                }),
            )],
        };
        let e = estimate(&Inventory::from_assembly(&assembly), &PriceTable::shipped(), HOURS_PER_MONTH).unwrap();
        let secret = e.lines.iter().find(|l| l.item == "Secrets Manager secrets").unwrap();
        assert_eq!((secret.quantity, secret.monthly_usd), (1.0, 0.4));
        assert_eq!(e.unpriced, vec![("us-east-1".to_string(), "AWS::SQS::Queue".to_string(), 1)]);
        assert_eq!(e.total_usd, 1.4);
    }

    #[test]
    fn a_region_outside_the_table_names_the_known_regions() {
        let assembly = CloudAssembly {
            stacks: vec![stack("app-x", "sa-east-1", json!({ "K": { "Type": "AWS::KMS::Key", "Properties": {} } }))],
        };
        let err = estimate(&Inventory::from_assembly(&assembly), &PriceTable::shipped(), 730).unwrap_err();
        assert!(
            matches!(&err, CostError::UnknownRegion { region, known } if region == "sa-east-1" && known.contains("us-east-1"))
        );
    }
}
