//! `karmada-eks.toml`: every field optional, the guide's example built in, errors that name the field.

use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashSet};
use std::fmt;

pub mod budget;
pub mod checks;
pub mod names;
pub mod overrides;
pub mod placement;
pub mod release;

use crate::ec2::cidr::Ipv4Cidr;
use crate::eks::cluster::DEFAULT_KUBERNETES_VERSION;
use crate::eks::versions::{self, Support};
use checks::ChecksConfig;
use names::{invalid_cluster_name, validate_cluster_name};
use overrides::OverrideConfig;

/// The commented starter configuration `karmada-eks init` writes: every field at its default.
pub const STARTER: &str = include_str!("starter.toml");

/// The longest `management.bootstrap_timeout_minutes`: CloudFormation waits at most 12 hours for a signal.
pub const MAX_BOOTSTRAP_TIMEOUT_MINUTES: u32 = 720;

/// A configuration the tool refuses: which field, what is wrong, how to fix it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError {
    /// Path of the field, e.g. `members[2].name` (indices from 0); empty for a syntax error of the whole file.
    pub field: String,
    pub message: String,
    pub hint: Option<String>,
}

impl ConfigError {
    fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        ConfigError { field: field.into(), message: message.into(), hint: None }
    }

    fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.field.is_empty() {
            write!(f, "{}", self.message)?;
        } else {
            write!(f, "{}: {}", self.field, self.message)?;
        }
        Ok(())
    }
}

impl crate::core::hints::Hints for ConfigError {
    fn hints(&self) -> Vec<String> {
        self.hint.iter().cloned().collect()
    }
}

impl std::error::Error for ConfigError {}

/// How a member cluster connects to the Karmada control plane.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum JoinMode {
    /// The Karmada control plane reaches the member's API server (`kubectl karmada join`).
    #[default]
    Push,
    /// A karmada-agent in the member reaches the Karmada API (`kubectl karmada register`).
    Pull,
}

impl JoinMode {
    pub fn as_str(self) -> &'static str {
        match self {
            JoinMode::Push => "push",
            JoinMode::Pull => "pull",
        }
    }
}

/// The whole configuration. Defaults reproduce the guide's example.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Prefix of every stack name and of the SSM parameters. Default: `karmada`.
    pub app: String,
    /// Region of the network, parent cluster and management stacks. Default: `us-east-1`.
    pub region: String,
    /// AWS account to deploy to. Default: the account of the credentials in use.
    pub account: Option<String>,
    /// Tags on every stack and taggable resource.
    pub tags: BTreeMap<String, String>,
    pub network: NetworkConfig,
    pub parent: ParentConfig,
    pub karmada: KarmadaConfig,
    pub nlb: NlbConfig,
    pub management: ManagementConfig,
    /// Existing EKS clusters to join to Karmada. Default: `ekseucl01`, `ekseucl02` (eu-central-1),
    /// `eksuscl01` (us-east-1), with weights 1, 1, 2.
    pub members: Vec<MemberConfig>,
    pub workload: WorkloadConfig,
    /// How the management host reconciles the members (see [`ReconcileConfig`]).
    pub reconcile: ReconcileConfig,
    /// Backups of Karmada's etcd and certificates (see [`BackupConfig`]).
    pub backup: BackupConfig,
    /// Checks that fail synth for a resource breaking them (see [`ChecksConfig`]). Default: none.
    pub checks: ChecksConfig,
    /// Property overrides applied to the synthesized resources (see [`super::overrides`]). Default: none.
    pub overrides: Vec<OverrideConfig>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct NetworkConfig {
    /// CIDR of the VPC, /16 to /22. Default: `10.0.0.0/16`.
    pub cidr: String,
    /// Availability zones by name; empty: the first `az_count` zones of the region (`Fn::GetAZs`).
    pub availability_zones: Vec<String>,
    /// How many zones get a public and a private subnet when none are named (2-6). Default: 3.
    pub az_count: u8,
    /// NAT gateways, one per zone at most. One saves money; one per zone survives a zone outage and avoids
    /// cross-zone traffic charges. Default: 1.
    pub nat_gateways: u8,
    /// Days the VPC flow logs are kept in CloudWatch Logs. Default: 365.
    pub flow_log_retention_days: u32,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ParentConfig {
    /// EKS name of the cluster that hosts Karmada. Default: `karmada-parent`.
    pub name: String,
    /// Kubernetes version of the control plane and the node group (the nodes follow it). Default: `1.35`, in
    /// EKS standard support until 2027-03-27 (chosen on 2026-12-01; see `DEFAULT_KUBERNETES_VERSION`).
    pub kubernetes_version: String,
    /// Whether the EKS API endpoint is also reachable from outside the VPC. Default: false. Nothing in the app
    /// needs it (the management host uses the private endpoint); turning it on lets `kubectl` reach the parent
    /// from your network without a VPN or bastion, and exposes the API server (still behind IAM authentication)
    /// to `public_access_cidrs`.
    pub endpoint_public_access: bool,
    /// Networks allowed on the public EKS endpoint; required (non-empty) when it is on. Default: none.
    /// `0.0.0.0/0` opens it to the internet.
    pub public_access_cidrs: Vec<String>,
    /// Days the EKS control-plane logs (`/aws/eks/<name>/cluster`, created by the stack) are kept. Default: 365.
    pub log_retention_days: u32,
    /// Kubernetes service CIDR; must not overlap the VPC. Default: chosen by EKS.
    pub service_cidr: Option<String>,
    /// IAM principals (role or user ARNs) given cluster-admin access entries besides the management host. The
    /// principal that deploys the cluster stack is already cluster admin (EKS's bootstrap admin, which the
    /// stack keeps on because turning it off would replace the cluster): do not list it here, or EKS refuses the
    /// second access entry ("already in use").
    pub admin_principal_arns: Vec<String>,
    pub nodes: NodesConfig,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct NodesConfig {
    /// EC2 instance types of the managed node group. Default: `["m5.large"]`.
    pub instance_types: Vec<String>,
    /// Nodes to run. Default: 3.
    pub desired: u32,
    /// Fewest nodes; at least `karmada.apiserver_replicas` (each API server replica needs a node of its own).
    /// Default: 3.
    pub min: u32,
    /// Most nodes. Default: 3.
    pub max: u32,
    /// Root volume size (encrypted gp3) in GiB. Default: 50.
    pub disk_size_gib: u32,
}

/// The Karmada releases the host's scripts are checked against (every `kubectl karmada` flag they pass, the
/// CRDs the manifests are validated with, the etcd the backup restores into), newest first. v1.18.0 and v1.18.1
/// are the same release as v1.18.2 for everything the scripts touch: `git diff v1.18.0 v1.18.2 --
/// pkg/karmadactl charts/karmada/_crds` is empty, so their flags, defaults (images, etcd, `--kube-image-tag`),
/// register and CRDs are v1.18.2's. An app installed with one of them upgrades to a newer one in place (the
/// reconcile's `upgrade` step, templates/reconcile/upgrade.sh.hbs).
pub const KARMADA_RELEASES: &[&str] = &["v1.18.2", "v1.18.1", "v1.18.0"];

/// "v1.18.2 (or v1.18.1, v1.18.0)": the newest known release first, as an error's hint names them.
fn known_releases() -> String {
    match KARMADA_RELEASES.split_first() {
        Some((newest, [])) => (*newest).to_string(),
        Some((newest, older)) => format!("{newest} (or {})", older.join(", ")),
        None => String::new(),
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct KarmadaConfig {
    /// Karmada release installed by `kubectl karmada init`. Default: `v1.18.2`.
    pub version: String,
    /// Karmada API server replicas. Default: 3.
    pub apiserver_replicas: u32,
    /// etcd replicas (odd, for quorum). Default: 3.
    pub etcd_replicas: u32,
    /// Size of each etcd PVC. Default: `5Gi`.
    pub etcd_storage_size: String,
    /// StorageClass (gp3, encrypted) the etcd PVCs use. Default: `ebs-sc`.
    pub storage_class: String,
    /// karmada-scheduler replicas (`--karmada-scheduler-replicas`; leader-elected, 2 survive a node loss).
    /// Default: 2.
    pub scheduler_replicas: u32,
    /// karmada-controller-manager replicas (`--karmada-controller-manager-replicas`). Default: 2.
    pub controller_manager_replicas: u32,
    /// karmada-webhook replicas (`--karmada-webhook-replicas`): every policy write goes through it. Default: 2.
    pub webhook_replicas: u32,
    /// karmada-aggregated-apiserver replicas (`--karmada-aggregated-apiserver-replicas`). Default: 2.
    pub aggregated_apiserver_replicas: u32,
    /// kube-controller-manager replicas of the Karmada control plane
    /// (`--karmada-kube-controller-manager-replicas`). Default: 2.
    pub kube_controller_manager_replicas: u32,
    /// How long `kubectl karmada init` waits for each component (`--wait-component-ready-timeout`, seconds; init's
    /// own default, 120, is short for EBS provisioning and image pulls). Default: 600.
    pub component_ready_timeout_seconds: u32,
    /// Lifetime of the certificates `init` issues and `rotate-certs` renews, in days (30-3650; passed to `kubectl
    /// karmada init --cert-validity-period`, whose own default is 365). The CA is not among them: `init` makes it
    /// for 10 years (docs/certificates.md). Default: 365.
    pub cert_validity_days: u32,
    /// The host renews a certificate on its own (a daily timer) once it has fewer days than this left (1-365, at
    /// most half of `cert_validity_days`); `status` warns under the same count. Default: 30.
    pub renew_before_days: u32,
}

/// How the management host's reconcile (`karmada-eks-reconcile apply`) works through the members.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ReconcileConfig {
    /// Members joined, unjoined or waited for at the same time (1-50). Default: 10.
    pub concurrency: u32,
    /// Longest one member may take to join (or unjoin) and turn Ready, in seconds (60-3600); past it the member
    /// fails with the step it was in, and the others go on. Default: 900.
    pub member_timeout_seconds: u32,
    /// Seconds between two looks at a member's Ready condition (1-60). Default: 10.
    pub ready_poll_seconds: u32,
}

/// Backups of Karmada's state: the management host snapshots etcd (with the certificates a restore needs) into
/// the app's S3 bucket (stack `<app>-backup`, kept by `destroy`) on a schedule, before every risky step and on
/// `karmada-eks backup`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct BackupConfig {
    /// Days S3 keeps a backup (1-3650); an expired one stays 7 more days as a noncurrent version. Default: 30.
    pub retain_days: u32,
    /// Time between two scheduled backups, as a systemd time span of one number and a unit: `<n>m` (at least 15),
    /// `<n>h` or `<n>d` (at most 7). `status` warns when the last good backup is older than two of them.
    /// Default: `6h`.
    pub schedule: String,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct NlbConfig {
    /// An internal NLB is reachable only inside the VPC (and peered networks). Default: false (internet-facing).
    pub internal: bool,
    /// Further CIDRs allowed to reach the Karmada API on TCP 32443. The VPC CIDR, and for an internet-facing NLB
    /// the NAT gateways' addresses (traffic from the VPC to it leaves through NAT), are always allowed: the
    /// management host needs them. Add your own networks and the egress addresses of pull-mode members here;
    /// `0.0.0.0/0` opens it to the internet (client certificates still apply). Default: none.
    pub allowed_cidrs: Option<Vec<String>>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ManagementConfig {
    /// Instance type of the management host. Default: `t3.medium`.
    pub instance_type: String,
    /// Encrypted gp3 root volume in GiB. Default: 30.
    pub root_volume_gib: u32,
    /// How long CloudFormation waits for the bootstrap script's signal (10-720). Default: 60.
    pub bootstrap_timeout_minutes: u32,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MemberConfig {
    /// Karmada cluster name: at most 48 characters, `[a-z0-9]([-a-z0-9]*[a-z0-9])?`.
    pub name: String,
    /// Region of the member's EKS cluster. Default: the app's region.
    pub region: Option<String>,
    /// EKS name of the member cluster. Default: `name`.
    pub eks_cluster_name: Option<String>,
    /// `push` or `pull`. Default: `push`.
    pub mode: JoinMode,
    /// Static weight in the sample workload's PropagationPolicy; 0 leaves the cluster out. Default: 1.
    pub weight: u32,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct WorkloadConfig {
    /// Deploy the sample nginx Deployment and its weighted PropagationPolicy. Default: true.
    pub enabled: bool,
    /// Deployment name. Default: `nginx`.
    pub name: String,
    /// Namespace of the Deployment and policy. Default: `default`.
    pub namespace: String,
    /// Container image. Default: `public.ecr.aws/nginx/nginx:1.27`.
    pub image: String,
    /// Replicas Karmada divides over the members by weight. Default: 12.
    pub replicas: u32,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            app: "karmada".into(),
            region: "us-east-1".into(),
            account: None,
            tags: BTreeMap::new(),
            network: NetworkConfig::default(),
            parent: ParentConfig::default(),
            karmada: KarmadaConfig::default(),
            nlb: NlbConfig::default(),
            management: ManagementConfig::default(),
            members: vec![
                MemberConfig::new("ekseucl01", "eu-central-1", 1),
                MemberConfig::new("ekseucl02", "eu-central-1", 1),
                MemberConfig::new("eksuscl01", "us-east-1", 2),
            ],
            workload: WorkloadConfig::default(),
            reconcile: ReconcileConfig::default(),
            backup: BackupConfig::default(),
            checks: ChecksConfig::default(),
            overrides: Vec::new(),
        }
    }
}

impl Default for NetworkConfig {
    fn default() -> Self {
        NetworkConfig {
            cidr: crate::ec2::vpc::DEFAULT_CIDR.into(),
            availability_zones: Vec::new(),
            az_count: 3,
            nat_gateways: 1,
            flow_log_retention_days: 365,
        }
    }
}

impl Default for ParentConfig {
    fn default() -> Self {
        ParentConfig {
            name: crate::eks::cluster::DEFAULT_NAME.into(),
            kubernetes_version: DEFAULT_KUBERNETES_VERSION.into(),
            endpoint_public_access: false,
            public_access_cidrs: Vec::new(),
            log_retention_days: 365,
            service_cidr: None,
            admin_principal_arns: Vec::new(),
            nodes: NodesConfig::default(),
        }
    }
}

impl Default for NodesConfig {
    fn default() -> Self {
        NodesConfig { instance_types: vec!["m5.large".into()], desired: 3, min: 3, max: 3, disk_size_gib: 50 }
    }
}

impl Default for KarmadaConfig {
    fn default() -> Self {
        KarmadaConfig {
            version: KARMADA_RELEASES[0].into(),
            apiserver_replicas: 3,
            etcd_replicas: 3,
            etcd_storage_size: "5Gi".into(),
            storage_class: "ebs-sc".into(),
            scheduler_replicas: 2,
            controller_manager_replicas: 2,
            webhook_replicas: 2,
            aggregated_apiserver_replicas: 2,
            kube_controller_manager_replicas: 2,
            component_ready_timeout_seconds: 600,
            cert_validity_days: 365,
            renew_before_days: 30,
        }
    }
}

impl Default for ReconcileConfig {
    fn default() -> Self {
        ReconcileConfig { concurrency: 10, member_timeout_seconds: 900, ready_poll_seconds: 10 }
    }
}

impl Default for BackupConfig {
    fn default() -> Self {
        BackupConfig { retain_days: 30, schedule: "6h".into() }
    }
}

impl BackupConfig {
    /// The schedule in seconds; `None` when it is not `<n>m`, `<n>h` or `<n>d` within 15 minutes and 7 days.
    pub fn schedule_seconds(&self) -> Option<u64> {
        let s = self.schedule.as_str();
        let unit = match s.as_bytes().last()? {
            b'm' => 60,
            b'h' => 3600,
            b'd' => 86_400,
            _ => return None,
        };
        let digits = &s[..s.len() - 1];
        if digits.is_empty() || digits.starts_with('0') || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let seconds = digits.parse::<u64>().ok()?.checked_mul(unit)?;
        (15 * 60..=7 * 86_400).contains(&seconds).then_some(seconds)
    }
}

impl Default for ManagementConfig {
    fn default() -> Self {
        ManagementConfig { instance_type: "t3.medium".into(), root_volume_gib: 30, bootstrap_timeout_minutes: 60 }
    }
}

impl Default for MemberConfig {
    fn default() -> Self {
        MemberConfig { name: String::new(), region: None, eks_cluster_name: None, mode: JoinMode::Push, weight: 1 }
    }
}

impl MemberConfig {
    pub fn new(name: &str, region: &str, weight: u32) -> Self {
        MemberConfig { name: name.into(), region: Some(region.into()), weight, ..MemberConfig::default() }
    }
}

impl Default for WorkloadConfig {
    fn default() -> Self {
        WorkloadConfig {
            enabled: true,
            name: "nginx".into(),
            namespace: "default".into(),
            image: "public.ecr.aws/nginx/nginx:1.27".into(),
            replicas: 12,
        }
    }
}

/// A member with its defaults filled in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Member {
    pub name: String,
    pub region: String,
    pub eks_cluster_name: String,
    pub mode: JoinMode,
    pub weight: u32,
}

impl Config {
    /// Parses and validates TOML text. Nothing else is read; `source` names the text in messages.
    pub fn from_toml(text: &str) -> Result<Config, ConfigError> {
        let deserializer = toml::Deserializer::parse(text).map_err(|e| ConfigError::new("", toml_message(&e)))?;
        let config: Config = serde_path_to_error::deserialize(deserializer).map_err(|e| {
            let field = e.path().to_string();
            let field = if field == "." { String::new() } else { field };
            let message = toml_message(e.inner());
            let hint = message.contains("unknown field").then(|| {
                "remove the field or check its spelling; `karmada-eks init` writes every field with its default"
                    .to_string()
            });
            ConfigError { field, message, hint }
        })?;
        config.validate()?;
        Ok(config)
    }

    /// Members with region and EKS name defaults applied.
    pub fn members(&self) -> Vec<Member> {
        self.members
            .iter()
            .map(|m| Member {
                name: m.name.clone(),
                region: m.region.clone().unwrap_or_else(|| self.region.clone()),
                eks_cluster_name: m.eks_cluster_name.clone().unwrap_or_else(|| m.name.clone()),
                mode: m.mode,
                weight: m.weight,
            })
            .collect()
    }

    /// Regions of the members, in first-appearance order.
    pub fn member_regions(&self) -> Vec<String> {
        let mut regions: Vec<String> = Vec::new();
        for m in self.members() {
            if !regions.contains(&m.region) {
                regions.push(m.region);
            }
        }
        regions
    }

    /// Number of availability zones the VPC spans.
    pub fn az_count(&self) -> u8 {
        if self.network.availability_zones.is_empty() {
            self.network.az_count
        } else {
            self.network.availability_zones.len() as u8
        }
    }

    pub fn vpc_cidr(&self) -> Ipv4Cidr {
        self.network.cidr.parse().unwrap_or_else(|_| NetworkConfig::default().cidr.parse().expect("default CIDR"))
    }

    /// Checks everything that serde's shapes cannot: ranges, formats, cross-field rules.
    pub fn validate(&self) -> Result<(), ConfigError> {
        check_name("app", &self.app, 40)?;
        check_region("region", &self.region)?;
        if let Some(account) = &self.account {
            if account.len() != 12 || !account.bytes().all(|b| b.is_ascii_digit()) {
                return Err(ConfigError::new("account", format!("{account:?} is not a 12-digit AWS account id"))
                    .hint("remove `account` to use the account of your credentials"));
            }
        }
        for (key, value) in &self.tags {
            let field = format!("tags.{key}");
            if key.is_empty() || key.len() > 128 || key.to_ascii_lowercase().starts_with("aws:") {
                return Err(ConfigError::new(
                    field,
                    "tag keys must be 1-128 characters and must not start with \"aws:\"",
                ));
            }
            if value.len() > 256 {
                return Err(ConfigError::new(field, "tag values must be at most 256 characters"));
            }
        }
        self.validate_network()?;
        self.validate_parent()?;
        self.validate_karmada()?;
        self.validate_nlb()?;
        self.validate_management()?;
        self.validate_members()?;
        self.validate_workload()?;
        self.validate_backup()?;
        overrides::validate(&self.overrides)?;

        self.validate_host_scripts()
    }

    /// The fields only the management host's scripts read: component replicas and the reconcile settings.
    fn validate_host_scripts(&self) -> Result<(), ConfigError> {
        let k = &self.karmada;
        let r = &self.reconcile;
        let ranges = [
            ("karmada.scheduler_replicas", k.scheduler_replicas, 1, 10),
            ("karmada.controller_manager_replicas", k.controller_manager_replicas, 1, 10),
            ("karmada.webhook_replicas", k.webhook_replicas, 1, 10),
            ("karmada.aggregated_apiserver_replicas", k.aggregated_apiserver_replicas, 1, 10),
            ("karmada.kube_controller_manager_replicas", k.kube_controller_manager_replicas, 1, 10),
            ("karmada.component_ready_timeout_seconds", k.component_ready_timeout_seconds, 60, 1800),
            ("karmada.cert_validity_days", k.cert_validity_days, 30, 3650),
            ("karmada.renew_before_days", k.renew_before_days, 1, 365),
            ("reconcile.concurrency", r.concurrency, 1, 50),
            ("reconcile.member_timeout_seconds", r.member_timeout_seconds, 60, 3600),
            ("reconcile.ready_poll_seconds", r.ready_poll_seconds, 1, 60),
        ];
        for (field, value, min, max) in ranges {
            if !(min..=max).contains(&value) {
                return Err(ConfigError::new(field, format!("{value} is outside {min}-{max}"))
                    .hint(format!("set {field} between {min} and {max}, or remove it for the default")));
            }
        }
        if k.renew_before_days * 2 > k.cert_validity_days {
            return Err(ConfigError::new(
                "karmada.renew_before_days",
                format!(
                    "{} days is more than half of karmada.cert_validity_days ({}): every renewal would be due again within the same timer period",
                    k.renew_before_days, k.cert_validity_days
                ),
            )
            .hint(format!("set karmada.renew_before_days to {} or less", k.cert_validity_days / 2)));
        }
        budget::budget(self).map(|_| ())
    }

    fn validate_network(&self) -> Result<(), ConfigError> {
        let n = &self.network;
        let cidr = parse_cidr("network.cidr", &n.cidr)?;
        if !(16..=22).contains(&cidr.prefix()) {
            return Err(ConfigError::new("network.cidr", format!("/{} is outside /16 to /22", cidr.prefix())).hint(
                "karmada-eks carves 3-6 private /19-equivalents and public /22-equivalents; use e.g. 10.0.0.0/16",
            ));
        }
        if n.availability_zones.is_empty() {
            if !(2..=6).contains(&n.az_count) {
                return Err(ConfigError::new("network.az_count", format!("{} is outside 2 to 6", n.az_count))
                    .hint("EKS needs subnets in at least 2 zones; 3 is the guide's choice"));
            }
        } else {
            let count = n.availability_zones.len();
            if !(2..=6).contains(&count) {
                return Err(ConfigError::new(
                    "network.availability_zones",
                    format!("{count} zones given; between 2 and 6 are needed"),
                ));
            }
            let mut seen = HashSet::new();
            for (i, az) in n.availability_zones.iter().enumerate() {
                let field = format!("network.availability_zones[{i}]");
                let suffix = az.strip_prefix(self.region.as_str());
                if !suffix.is_some_and(|s| s.len() == 1 && s.bytes().all(|b| b.is_ascii_lowercase())) {
                    return Err(ConfigError::new(field, format!("{az:?} is not a zone of region {}", self.region))
                        .hint(format!("zone names are the region plus a letter, e.g. {}a", self.region)));
                }
                if !seen.insert(az) {
                    return Err(ConfigError::new(field, format!("{az:?} is listed twice")));
                }
            }
        }
        let azs = self.az_count();
        if n.nat_gateways < 1 || n.nat_gateways > azs {
            return Err(ConfigError::new(
                "network.nat_gateways",
                format!("{} is outside 1 to {azs} (one per zone at most)", n.nat_gateways),
            ));
        }
        check_retention("network.flow_log_retention_days", n.flow_log_retention_days)
    }

    fn validate_parent(&self) -> Result<(), ConfigError> {
        let p = &self.parent;
        check_eks_name("parent.name", &p.name)?;
        let offered = || {
            format!(
                "use one of {} (EKS's calendar as of {}; an existing cluster upgrades one minor version at a time)",
                versions::offered().join(", "),
                versions::TABLE_DATE
            )
        };
        let refused = |why: String| Err(ConfigError::new("parent.kubernetes_version", why).hint(offered()));
        match versions::support(&p.kubernetes_version) {
            None => {
                return refused(format!("{:?} is not a Kubernetes minor version like \"1.35\"", p.kubernetes_version))
            }
            Some(Support::Ended { on }) => {
                return refused(format!(
                    "{:?} is no longer offered by EKS: its extended support ended on {on}",
                    p.kubernetes_version
                ))
            }
            Some(Support::Retired) => {
                return refused(format!("{:?} is no longer offered by EKS", p.kubernetes_version));
            }
            Some(Support::Standard { .. } | Support::Extended { .. } | Support::Unlisted) => {}
        }
        if p.endpoint_public_access && p.public_access_cidrs.is_empty() {
            return Err(ConfigError::new("parent.public_access_cidrs", "is empty while the public endpoint is on")
                .hint("list the networks that may reach the EKS API, or set parent.endpoint_public_access = false"));
        }
        check_retention("parent.log_retention_days", p.log_retention_days)?;
        for (i, c) in p.public_access_cidrs.iter().enumerate() {
            parse_cidr(&format!("parent.public_access_cidrs[{i}]"), c)?;
        }
        if let Some(service) = &p.service_cidr {
            let cidr = parse_cidr("parent.service_cidr", service)?;
            let vpc = self.vpc_cidr();
            if cidr.overlaps(&vpc) {
                return Err(ConfigError::new("parent.service_cidr", format!("{cidr} overlaps the VPC CIDR {vpc}"))
                    .hint("pick a block outside the VPC, e.g. 172.20.0.0/16"));
            }
            let private: [Ipv4Cidr; 3] =
                ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"].map(|c| c.parse().expect("literal"));
            if !(12..=24).contains(&cidr.prefix()) || !private.iter().any(|p| p.contains(&cidr)) {
                return Err(ConfigError::new(
                    "parent.service_cidr",
                    format!("{cidr} must be a /12 to /24 inside 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16"),
                ));
            }
        }
        for (i, arn) in p.admin_principal_arns.iter().enumerate() {
            if !arn.starts_with("arn:") || !arn.contains(":iam::") {
                return Err(ConfigError::new(
                    format!("parent.admin_principal_arns[{i}]"),
                    format!("{arn:?} is not an IAM role or user ARN"),
                ));
            }
        }
        let nodes = &p.nodes;
        if nodes.instance_types.is_empty() {
            return Err(ConfigError::new("parent.nodes.instance_types", "is empty")
                .hint("name at least one, e.g. [\"m5.large\"]"));
        }
        for (i, t) in nodes.instance_types.iter().enumerate() {
            check_instance_type(&format!("parent.nodes.instance_types[{i}]"), t)?;
        }
        // A managed node group runs one AMI type (AmiType: AL2023_x86_64_STANDARD or AL2023_ARM_64_STANDARD), so
        // its instance types share one architecture (EKS API Reference, CreateNodegroup, amiType).
        let graviton = |t: &String| crate::ec2::instance_type::is_graviton(t);
        if let Some(i) = nodes.instance_types.iter().position(|t| graviton(t) != graviton(&nodes.instance_types[0])) {
            let arch = |t: &String| if graviton(t) { "arm64 (Graviton)" } else { "x86_64" };
            return Err(ConfigError::new(
                format!("parent.nodes.instance_types[{i}]"),
                format!(
                    "{} is {} but {} is {}: a node group runs one AMI type, for one architecture",
                    nodes.instance_types[i],
                    arch(&nodes.instance_types[i]),
                    nodes.instance_types[0],
                    arch(&nodes.instance_types[0])
                ),
            )
            .hint("list types of one architecture only (all Graviton, such as m6g.large and m7g.large, or none)"));
        }
        if nodes.min < 1 || nodes.min > nodes.desired || nodes.desired > nodes.max || nodes.max > 450 {
            return Err(ConfigError::new(
                "parent.nodes",
                format!(
                    "min {} / desired {} / max {} must satisfy 1 <= min <= desired <= max <= 450",
                    nodes.min, nodes.desired, nodes.max
                ),
            ));
        }
        // Every Deployment `kubectl karmada init` v1.18.2 creates (karmada-apiserver first) has a *required*
        // pod anti-affinity on `kubernetes.io/hostname`, and init waits for every replica: more API server
        // replicas than nodes leave one Pending and init fails (pkg/karmadactl/cmdinit/kubernetes/deployments.go).
        // etcd's anti-affinity is only *preferred* (statefulset.go), so etcd replicas may share a node; synth
        // warns about that instead (see `KarmadaApp`).
        if nodes.min < self.karmada.apiserver_replicas {
            return Err(ConfigError::new(
                "parent.nodes.min",
                format!(
                    "{} nodes are fewer than karmada.apiserver_replicas ({}): each Karmada API server replica needs a node of its own (required pod anti-affinity), so `kubectl karmada init` would wait for a replica that never schedules",
                    nodes.min, self.karmada.apiserver_replicas
                ),
            )
            .hint(format!(
                "set parent.nodes.min (and desired) to at least {}, or lower karmada.apiserver_replicas",
                self.karmada.apiserver_replicas
            )));
        }
        if !(20..=16384).contains(&nodes.disk_size_gib) {
            return Err(ConfigError::new(
                "parent.nodes.disk_size_gib",
                format!("{} is outside 20 to 16384", nodes.disk_size_gib),
            ));
        }
        Ok(())
    }

    fn validate_karmada(&self) -> Result<(), ConfigError> {
        let k = &self.karmada;
        let parts: Vec<&str> = k.version.strip_prefix('v').unwrap_or("").split('.').collect();
        if parts.len() != 3 || parts.iter().any(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit())) {
            return Err(ConfigError::new(
                "karmada.version",
                format!("{:?} is not a release tag like \"v1.18.2\"", k.version),
            )
            .hint(format!("use {}", known_releases())));
        }
        if !KARMADA_RELEASES.contains(&k.version.as_str()) {
            return Err(ConfigError::new(
                "karmada.version",
                format!("{} is not a Karmada release this version of karmada-eks installs", k.version),
            )
            .hint(format!(
                "use {}: the init, join, register, upgrade and backup steps are checked against those tags' source, and a release nobody checked could install with flags it does not take",
                known_releases()
            )));
        }
        if !(1..=9).contains(&k.apiserver_replicas) {
            return Err(ConfigError::new(
                "karmada.apiserver_replicas",
                format!("{} is outside 1 to 9", k.apiserver_replicas),
            ));
        }
        if !matches!(k.etcd_replicas, 1 | 3 | 5 | 7) {
            return Err(ConfigError::new("karmada.etcd_replicas", format!("{} is not 1, 3, 5 or 7", k.etcd_replicas))
                .hint("etcd needs an odd member count for quorum; 3 is the guide's HA setting"));
        }
        let size = k.etcd_storage_size.strip_suffix("Gi").and_then(|n| n.parse::<u32>().ok());
        if !size.is_some_and(|n| (1..=16384).contains(&n)) {
            return Err(ConfigError::new(
                "karmada.etcd_storage_size",
                format!("{:?} is not a size like \"5Gi\"", k.etcd_storage_size),
            ));
        }
        if !names::is_rfc1123_label(&k.storage_class) || k.storage_class.len() > 63 {
            return Err(ConfigError::new(
                "karmada.storage_class",
                format!("{:?} is not a valid StorageClass name", k.storage_class),
            )
            .hint(names::RFC1123_LABEL_MESSAGE));
        }
        Ok(())
    }

    fn validate_nlb(&self) -> Result<(), ConfigError> {
        for (i, c) in self.nlb.allowed_cidrs.iter().flatten().enumerate() {
            parse_cidr(&format!("nlb.allowed_cidrs[{i}]"), c)?;
        }
        // A pull-mode member's karmada-agent connects to the Karmada API from the member's network; by default the
        // NLB admits only this VPC and its NAT addresses, so the agent would never register and the join would
        // time out on the host. The config must say how pull members get in.
        let declared = self.nlb.allowed_cidrs.as_ref().is_some_and(|c| !c.is_empty());
        if let Some((i, m)) = self.members.iter().enumerate().find(|(_, m)| m.mode == JoinMode::Pull) {
            if !declared {
                let hint = if self.nlb.internal {
                    "the NLB is internal: give the member's VPC a route to this VPC (peering, Transit Gateway) and add its CIDR to nlb.allowed_cidrs"
                } else {
                    "add the member's egress addresses (its NAT gateways' public IPs, as /32) to nlb.allowed_cidrs, or use a private path (nlb.internal = true with peering or Transit Gateway, and the member's VPC CIDR in nlb.allowed_cidrs); or set the member's mode = \"push\""
                };
                return Err(ConfigError::new(
                    format!("members[{i}].mode"),
                    format!(
                        "{:?} is a pull-mode member, but nlb.allowed_cidrs declares no network its karmada-agent connects from: the Karmada API admits only the VPC and its NAT addresses",
                        m.name
                    ),
                )
                .hint(hint));
            }
        }
        Ok(())
    }

    fn validate_backup(&self) -> Result<(), ConfigError> {
        let b = &self.backup;
        if !(1..=3650).contains(&b.retain_days) {
            return Err(ConfigError::new("backup.retain_days", format!("{} is outside 1 to 3650", b.retain_days))
                .hint("set backup.retain_days between 1 and 3650, or remove it for the default of 30"));
        }
        if b.schedule_seconds().is_none() {
            return Err(ConfigError::new(
                "backup.schedule",
                format!("{:?} is not a time span between 15m and 7d of the form <n>m, <n>h or <n>d", b.schedule),
            )
            .hint("for example schedule = \"6h\" (the default), \"30m\" or \"1d\""));
        }
        Ok(())
    }

    fn validate_management(&self) -> Result<(), ConfigError> {
        let m = &self.management;
        check_instance_type("management.instance_type", &m.instance_type)?;
        if crate::ec2::instance_type::is_graviton(&m.instance_type) {
            return Err(ConfigError::new(
                "management.instance_type",
                format!("{} is an arm64 (Graviton) type", m.instance_type),
            )
            .hint(format!(
                "use an x86_64 type such as t3.medium: the host's backups run etcd {} tools, whose checksum karmada-eks pins for linux-amd64 only",
                crate::karmada::pins::ETCD_TOOLS.version
            )));
        }
        if !(8..=16384).contains(&m.root_volume_gib) {
            return Err(ConfigError::new(
                "management.root_volume_gib",
                format!("{} is outside 8 to 16384", m.root_volume_gib),
            ));
        }
        if !(10..=MAX_BOOTSTRAP_TIMEOUT_MINUTES).contains(&m.bootstrap_timeout_minutes) {
            return Err(ConfigError::new(
                "management.bootstrap_timeout_minutes",
                format!("{} is outside 10 to {MAX_BOOTSTRAP_TIMEOUT_MINUTES}", m.bootstrap_timeout_minutes),
            )
            .hint("CloudFormation waits at most 12 hours for a signal"));
        }
        Ok(())
    }

    fn validate_members(&self) -> Result<(), ConfigError> {
        let mut names = HashSet::new();
        let mut clusters = HashSet::new();
        for (i, m) in self.members.iter().enumerate() {
            validate_cluster_name(&m.name).map_err(|msg| {
                ConfigError::new(format!("members[{i}].name"), invalid_cluster_name(&m.name, &msg))
                    .hint("Karmada v1.18.2 (kubectl karmada join/register) refuses this name: use at most 48 lower-case letters, digits or '-', starting and ending with a letter or digit")
            })?;
            if !names.insert(m.name.as_str()) {
                return Err(ConfigError::new(
                    format!("members[{i}].name"),
                    format!("{:?} is used by an earlier member", m.name),
                )
                .hint("Karmada cluster names must be unique"));
            }
            if let Some(region) = &m.region {
                check_region(&format!("members[{i}].region"), region)?;
            }
            if let Some(eks) = &m.eks_cluster_name {
                check_eks_name(&format!("members[{i}].eks_cluster_name"), eks)?;
            }
            let region = m.region.as_deref().unwrap_or(&self.region);
            let eks = m.eks_cluster_name.as_deref().unwrap_or(&m.name);
            if region == self.region && eks == self.parent.name {
                return Err(ConfigError::new(format!("members[{i}].eks_cluster_name"), "is the parent cluster itself")
                    .hint("members are other EKS clusters; the parent runs the Karmada control plane"));
            }
            if !clusters.insert((region, eks)) {
                return Err(ConfigError::new(
                    format!("members[{i}]"),
                    format!("EKS cluster {eks} in {region} is already a member"),
                ));
            }
            if m.weight > 10_000 {
                return Err(ConfigError::new(format!("members[{i}].weight"), format!("{} is over 10000", m.weight)));
            }
        }
        Ok(())
    }

    fn validate_workload(&self) -> Result<(), ConfigError> {
        let w = &self.workload;
        if !names::is_rfc1123_label(&w.name) || w.name.len() > 63 {
            return Err(ConfigError::new("workload.name", format!("{:?} is not a valid Deployment name", w.name))
                .hint(names::RFC1123_LABEL_MESSAGE));
        }
        if !names::is_rfc1123_label(&w.namespace) || w.namespace.len() > 63 {
            return Err(ConfigError::new("workload.namespace", format!("{:?} is not a valid namespace", w.namespace))
                .hint(names::RFC1123_LABEL_MESSAGE));
        }
        if w.image.is_empty()
            || w.image
                .chars()
                .any(|c| c.is_whitespace() || c.is_control() || matches!(c, '\'' | '"' | '$' | '`' | '\\'))
        {
            return Err(ConfigError::new("workload.image", format!("{:?} is not an image reference", w.image)));
        }
        if w.replicas > 10_000 {
            return Err(ConfigError::new("workload.replicas", format!("{} is over 10000", w.replicas)));
        }
        if w.enabled && self.members.is_empty() {
            return Err(ConfigError::new("workload.enabled", "the sample workload needs at least one member")
                .hint("add [[members]] or set workload.enabled = false"));
        }
        Ok(())
    }
}

fn toml_message(e: &toml::de::Error) -> String {
    e.message().trim().to_string() + &e.span().map(|s| format!(" (at byte {})", s.start)).unwrap_or_default()
}

fn parse_cidr(field: &str, text: &str) -> Result<Ipv4Cidr, ConfigError> {
    text.parse().map_err(|e: String| ConfigError::new(field, e).hint("write an IPv4 network such as 203.0.113.0/24"))
}

fn check_name(field: &str, value: &str, max: usize) -> Result<(), ConfigError> {
    let ok = !value.is_empty()
        && value.len() <= max
        && value.starts_with(|c: char| c.is_ascii_lowercase())
        && names::is_rfc1123_label(value);
    if ok {
        Ok(())
    } else {
        Err(ConfigError::new(field, format!("{value:?} must be 1-{max} lower-case letters, digits or '-', starting with a letter and not ending with '-'")))
    }
}

/// The retention periods CloudWatch Logs accepts (`PutRetentionPolicy`).
const RETENTION_DAYS: [u32; 22] =
    [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];

fn check_retention(field: &str, days: u32) -> Result<(), ConfigError> {
    if RETENTION_DAYS.contains(&days) {
        Ok(())
    } else {
        Err(ConfigError::new(field, format!("{days} is not a CloudWatch Logs retention period"))
            .hint(format!("use one of {RETENTION_DAYS:?}")))
    }
}

fn check_region(field: &str, region: &str) -> Result<(), ConfigError> {
    let parts: Vec<&str> = region.split('-').collect();
    let ok = parts.len() >= 3
        && parts[0].len() == 2
        && parts.iter().all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()))
        && parts.last().is_some_and(|p| p.bytes().all(|b| b.is_ascii_digit()));
    if !ok {
        return Err(ConfigError::new(field, format!("{region:?} is not an AWS region name"))
            .hint("e.g. us-east-1, eu-central-1"));
    }
    let known = crate::cfn::schema::regions();
    if known.contains(&region) {
        return Ok(());
    }
    let close = crate::core::overrides::nearest(region, known.iter().copied());
    Err(ConfigError::new(field, format!("{region} is not an AWS region")).hint(format!(
        "the nearest are: {} (the regions CloudFormation had on {}; all: `aws ec2 describe-regions --all-regions`)",
        close.join(", "),
        crate::cfn::schema::schema_date()
    )))
}

fn check_eks_name(field: &str, name: &str) -> Result<(), ConfigError> {
    let ok = !name.is_empty()
        && name.len() <= 100
        && name.starts_with(|c: char| c.is_ascii_alphanumeric())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if ok {
        Ok(())
    } else {
        Err(ConfigError::new(field, format!("{name:?} is not a valid EKS cluster name"))
            .hint("1-100 letters, digits, '-' or '_', starting with a letter or digit"))
    }
}

fn check_instance_type(field: &str, t: &str) -> Result<(), ConfigError> {
    let ok = t.split_once('.').is_some_and(|(family, size)| {
        !family.is_empty()
            && !size.is_empty()
            && family.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && size.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    });
    if !ok {
        return Err(ConfigError::new(field, format!("{t:?} is not an EC2 instance type")).hint("e.g. m5.large"));
    }
    if crate::ec2::instance_type::known(t) {
        return Ok(());
    }
    Err(ConfigError::new(field, format!("{t} is not an EC2 instance type")).hint(format!(
        "the nearest are: {} (the types EC2 had on {}; all: `aws ec2 describe-instance-types`)",
        crate::ec2::instance_type::nearest(t).join(", "),
        crate::cfn::schema::schema_date()
    )))
}
