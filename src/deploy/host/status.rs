//! `status`: the app's stacks as CloudFormation reports them, Karmada as the host sees it (read through SSM Run
//! Command, so no network path to the NLB is needed), and optionally CloudFormation drift, judged against the
//! config: healthy and as configured, or a list of what is not.

use aws_sdk_cloudformation::types::{StackDriftDetectionStatus, StackResourceDriftStatus};
use aws_sdk_cloudformation::Client as CfnClient;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

use super::run_command::{Host, HostError};
use crate::deploy::error::AwsError;
use crate::deploy::events::{EventStream, ResourceEvent};
use crate::deploy::interrupt::Interrupt;
use crate::deploy::tuning::{Backoff, Tuning};
use constructs::karmada::config::placement;
use constructs::karmada::Config;

/// One stack of the app as deployed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StackState {
    pub name: String,
    pub region: String,
    /// CloudFormation's status; `None` when the stack is not deployed.
    pub status: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status_reason: Option<String>,
    /// Whether the deployed `karmada-eks:template-sha256` tag equals the local template's SHA-256 (`None`: not
    /// deployed, or no tag).
    pub template_current: Option<bool>,
    /// When the stack reads outputs that changed since it was deployed: the stacks it reads (`deploy` updates it).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub stale_inputs: Vec<String>,
    /// The first failed resources of a failed stack, with CloudFormation's reasons.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub failures: Vec<ResourceEvent>,
    /// A stack of the app the assembly no longer has (`deploy` removes it).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub orphan: bool,
}

impl StackState {
    pub fn problem(&self) -> Option<String> {
        if self.orphan {
            return Some("left the app: `karmada-eks deploy` removes it".into());
        }
        let Some(status) = &self.status else { return Some("not deployed".into()) };
        if !crate::deploy::stack::is_success(status) {
            return Some(match &self.status_reason {
                Some(r) => format!("{status}: {r}"),
                None => status.clone(),
            });
        }
        match self.template_current {
            Some(false) => Some("deployed template differs from the local one: run `karmada-eks deploy`".into()),
            None => Some("deployed without the karmada-eks:template-sha256 tag".into()),
            Some(true) if !self.stale_inputs.is_empty() => {
                Some(crate::deploy::inputs::stale_note(&self.name, &self.stale_inputs))
            }
            Some(true) => None,
        }
    }
}

/// Ready and desired pods of a Karmada component.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pods {
    #[serde(default)]
    pub ready: u32,
    #[serde(default)]
    pub desired: u32,
}

/// A component of the Karmada control plane as `karmada-eks-reconcile status` reports it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Component {
    /// For the API server: its `/readyz` answered ok.
    #[serde(default)]
    pub ready: bool,
    #[serde(default)]
    pub pods: Pods,
}

/// One Karmada cluster object.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClusterStatus {
    pub name: String,
    /// The `Ready` condition is `True`.
    #[serde(default)]
    pub ready: bool,
    /// `status.kubernetesVersion`.
    #[serde(default)]
    pub version: Option<String>,
    /// `spec.syncMode`: `Push` or `Pull`.
    #[serde(default)]
    pub mode: Option<String>,
    /// The `Ready` condition's reason or message when it is not `True`.
    #[serde(default)]
    pub reason: Option<String>,
    /// A pull member's karmada-agent certificate: seconds left by the host's clock, as the host last read it.
    #[serde(default)]
    pub agent_cert_seconds_left: Option<i64>,
}

/// The sample workload's replicas per cluster (from its ResourceBinding).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkloadStatus {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub namespace: String,
    #[serde(default)]
    pub replicas: BTreeMap<String, u32>,
}

/// The JSON document `karmada-eks-reconcile status` prints (docs/lifecycle.md, "Day 2").
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HostStatus {
    #[serde(default)]
    pub apiserver: Component,
    #[serde(default)]
    pub etcd: Component,
    #[serde(default)]
    pub clusters: Vec<ClusterStatus>,
    #[serde(default)]
    pub workload: Option<WorkloadStatus>,
    #[serde(default)]
    pub applied_sha256: Option<String>,
    /// The newest backup the host knows, with the schedule's period (hosts of earlier releases report none).
    #[serde(default)]
    pub backup: Option<BackupStatus>,
    /// Karmada's certificates (Secret karmada-system/karmada-cert); empty from hosts of earlier releases.
    #[serde(default)]
    pub certs: Vec<CertExpiry>,
    /// The Karmada release the control plane runs; `None` from hosts of earlier releases.
    #[serde(default)]
    pub karmada: Option<KarmadaRelease>,
}

/// `["<running>","<upgrading to>"]` in the compact status.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct KarmadaRelease {
    /// The tag of karmada-controller-manager's image (`None`: it could not be read).
    pub running: Option<String>,
    /// The release an unfinished upgrade is bringing (templates/reconcile/upgrade.sh.hbs).
    pub upgrading_to: Option<String>,
}

impl KarmadaRelease {
    /// A problem when Karmada does not run `configured` and nothing is bringing it; a warning while an upgrade is
    /// unfinished.
    pub fn verdict(&self, configured: &str) -> Option<(bool, String)> {
        let running = self.running.as_deref()?;
        if let Some(to) = &self.upgrading_to {
            return Some((
                false,
                format!(
                    "Karmada's upgrade to {to} is unfinished (its components run {running}, or a pull member's agent \
                     did not answer): `karmada-eks reconcile` goes on from where it stopped"
                ),
            ));
        }
        (running != configured).then(|| {
            (
                true,
                format!(
                    "Karmada runs {running} but the config says {configured}: `karmada-eks reconcile` upgrades it, or \
                     says why it cannot"
                ),
            )
        })
    }
}

/// One certificate of Karmada: `["<name>",<notAfter>,<seconds left>]` in the compact status.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CertExpiry {
    /// `ca`, `front-proxy-ca`, `etcd-ca` (the CAs) or `apiserver`, `karmada` (the admin kubeconfig's and the
    /// webhook's), `front-proxy-client`, `etcd-server` (also etcd's peer certificate), `etcd-client`.
    pub name: String,
    /// notAfter, in seconds since the epoch.
    pub not_after: i64,
    /// Seconds left by the host's clock (negative: expired).
    pub seconds_left: i64,
}

/// Under this many days left a certificate makes `status` unhealthy.
pub const CERT_UNHEALTHY_DAYS: i64 = 7;

impl CertExpiry {
    pub fn days_left(&self) -> i64 {
        self.seconds_left.div_euclid(86_400)
    }

    /// `apiserver 2027-12-07 (365 d)`.
    pub fn line(&self) -> String {
        let date = aws_sdk_ssm::primitives::DateTime::from_secs(self.not_after)
            .fmt(aws_sdk_ssm::primitives::DateTimeFormat::DateTime)
            .map(|d| d[..10].to_string())
            .unwrap_or_else(|_| self.not_after.to_string());
        if self.seconds_left < 0 {
            format!("{} {date} (EXPIRED)", self.name)
        } else {
            format!("{} {date} ({} d)", self.name, self.days_left())
        }
    }

    /// A problem under [`CERT_UNHEALTHY_DAYS`], a warning under `warn_days`, else nothing.
    pub fn verdict(&self, warn_days: i64) -> Option<(bool, String)> {
        let fix = if self.name.ends_with("ca") {
            "a CA is not renewed by karmada-eks: see docs/certificates.md, \"Replacing a CA\""
        } else {
            "run `karmada-eks rotate-certs`; the host's daily timer should have (`karmada-eks-reconcile log reconcile`)"
        };
        self.judge(warn_days, |left| format!("certificate {} {left}: {fix}", self.name))
    }

    /// As [`CertExpiry::verdict`], for a pull member's karmada-agent certificate: the agent renews it itself once
    /// a fifth of its life is left (`--enable-cert-rotation`, `--cert-rotation-remaining-time-threshold` 0.2 at
    /// v1.18.2, pkg/controllers/certificate/cert_rotation_controller.go), so one this close to its end means the
    /// rotation is not running.
    pub fn agent_verdict(&self, warn_days: i64) -> Option<(bool, String)> {
        self.judge(warn_days, |left| {
            format!(
                "its karmada-agent's certificate {left}, and the agent renews it itself well before: check the agent \
                 (`kubectl -n karmada-system logs deployment/karmada-agent` in the member); to issue a new one, \
                 remove the member, deploy, add it back, deploy"
            )
        })
    }

    /// `(true, text)` under [`CERT_UNHEALTHY_DAYS`], `(false, text)` under `warn_days`; `text` is told what is
    /// left ("expires in 20 d", "has EXPIRED").
    fn judge(&self, warn_days: i64, text: impl FnOnce(&str) -> String) -> Option<(bool, String)> {
        let left = if self.seconds_left < 0 {
            "has EXPIRED".to_string()
        } else {
            format!("expires in {}", human(self.seconds_left as u64))
        };
        let days = self.days_left();
        (days < warn_days.max(CERT_UNHEALTHY_DAYS)).then(|| (days < CERT_UNHEALTHY_DAYS, text(&left)))
    }
}

/// The host's last backup: `[age or -1, period, "<time>-<reason>.tgz"]` in the compact status.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BackupStatus {
    /// Seconds since the last good backup; `None` when the host has taken none.
    pub age_seconds: Option<u64>,
    /// Seconds between scheduled backups (`backup.schedule`).
    pub period_seconds: u64,
    /// Its key in the bucket, `backups/<time>-<reason>.tgz`.
    pub last: Option<String>,
}

impl BackupStatus {
    /// A warning when there is no backup, or the last is older than two schedule periods.
    pub fn warning(&self) -> Option<String> {
        match self.age_seconds {
            None => Some("no backup of Karmada yet: run `karmada-eks backup`".into()),
            Some(age) if self.period_seconds > 0 && age > 2 * self.period_seconds => Some(format!(
                "the last backup of Karmada is {} old, more than two schedule periods ({} each): check \
                 `systemctl status karmada-eks-backup.timer` on the host (`karmada-eks-reconcile log reconcile`), \
                 or run `karmada-eks backup`",
                human(age),
                human(self.period_seconds)
            )),
            Some(_) => None,
        }
    }

    /// `backups/<time>-<reason>.tgz, 2 h 5 min ago` or `none`.
    pub fn line(&self) -> String {
        match (self.age_seconds, &self.last) {
            (Some(age), Some(key)) => format!("{key}, {} ago", human(age)),
            (Some(age), None) => format!("{} ago", human(age)),
            _ => "none".into(),
        }
    }
}

/// `45 s`, `12 min`, `3 h 5 min`, `2 d 4 h`.
pub fn human(seconds: u64) -> String {
    let (d, h, m) = (seconds / 86_400, seconds % 86_400 / 3600, seconds % 3600 / 60);
    match (d, h, m) {
        (0, 0, 0) => format!("{seconds} s"),
        (0, 0, m) => format!("{m} min"),
        (0, h, 0) => format!("{h} h"),
        (0, h, m) => format!("{h} h {m} min"),
        (d, 0, _) => format!("{d} d"),
        (d, h, _) => format!("{d} d {h} h"),
    }
}

/// One member, configured or found in Karmada, with what is wrong with it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MemberHealth {
    pub name: String,
    /// Listed in the config.
    pub configured: bool,
    /// Present as a Karmada cluster.
    pub joined: bool,
    pub ready: bool,
    pub version: Option<String>,
    /// Sync mode in Karmada (`push`/`pull`).
    pub mode: Option<String>,
    /// Sync mode the config asks for.
    pub expected_mode: Option<String>,
    /// The workload's replicas on this cluster.
    pub replicas: Option<u32>,
    /// What `plan` predicts for it.
    pub planned_replicas: Option<u32>,
    /// Days left on its karmada-agent's certificate (pull members), as the host last read it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agent_cert_days_left: Option<i64>,
    pub problems: Vec<String>,
}

impl MemberHealth {
    pub fn healthy(&self) -> bool {
        self.problems.is_empty()
    }
}

/// A resource whose live configuration differs from its template.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ResourceDrift {
    pub logical_id: String,
    pub resource_type: String,
    /// `MODIFIED` or `DELETED`.
    pub status: String,
    /// `(path, expected, actual, type)` per differing property.
    pub properties: Vec<PropertyDrift>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PropertyDrift {
    pub path: String,
    pub expected: String,
    pub actual: String,
    /// `ADD`, `REMOVE` or `NOT_EQUAL`.
    pub difference: String,
}

/// Drift detection of one stack.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StackDrift {
    pub stack: String,
    /// `IN_SYNC`, `DRIFTED`, or `DETECTION_FAILED` with the reason in `error`.
    pub status: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    pub resources: Vec<ResourceDrift>,
}

/// How the host answered.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum HostAnswer {
    Reached {
        status: Box<HostStatus>,
    },
    /// No host yet, or it could not be reached: why.
    Unreachable {
        reason: String,
    },
}

/// Everything `status` reports.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StatusReport {
    pub healthy: bool,
    pub summary: String,
    pub stacks: Vec<StackState>,
    pub host: HostAnswer,
    pub members: Vec<MemberHealth>,
    /// Problems of the control plane and the app as a whole.
    pub problems: Vec<String>,
    /// What needs attention without making the app unhealthy (a backup that is missing or old).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
    /// The last backup of Karmada, as the host reports it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub backup: Option<BackupStatus>,
    /// Karmada's certificates and when each expires, as the host reads them.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub certs: Vec<CertExpiry>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub drift: Option<Vec<StackDrift>>,
    /// The tail of the bootstrap log, when the management stack failed and the host answered.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub bootstrap_log: Vec<String>,
    /// The SHA-256 of the desired state deployed, and whether the host has applied it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub desired_sha256: Option<String>,
}

/// Judges what was read against the config. `desired_sha256`: the deployed `DesiredStateSha256`.
pub fn assess(
    config: &Config,
    stacks: Vec<StackState>,
    host: HostAnswer,
    drift: Option<Vec<StackDrift>>,
    desired_sha256: Option<String>,
    bootstrap_log: Vec<String>,
) -> StatusReport {
    let mut problems = Vec::new();
    let configured = config.members();
    let mut members: Vec<MemberHealth> = Vec::new();
    let mut agent_warnings: Vec<String> = Vec::new();
    match &host {
        HostAnswer::Unreachable { reason } => problems.push(format!("Karmada not checked: {reason}")),
        HostAnswer::Reached { status } => {
            if !status.apiserver.ready {
                problems.push("the Karmada API server is not ready".into());
            }
            for (what, c) in [("karmada-apiserver", &status.apiserver), ("etcd", &status.etcd)] {
                if c.pods.desired == 0 || c.pods.ready < c.pods.desired {
                    problems.push(format!("{what}: {} of {} pods ready", c.pods.ready, c.pods.desired));
                }
            }
            if let (Some(desired), Some(applied)) = (&desired_sha256, &status.applied_sha256) {
                if desired != applied {
                    problems.push(format!(
                        "the host has not applied the deployed desired state ({} != {}): run `karmada-eks reconcile`",
                        super::reconcile::short(applied),
                        super::reconcile::short(desired)
                    ));
                }
            }
            let planned: BTreeMap<String, u32> = if config.workload.enabled {
                let weights: Vec<(String, u32)> = configured.iter().map(|m| (m.name.clone(), m.weight)).collect();
                placement::divide(config.workload.replicas, &weights)
                    .into_iter()
                    .map(|s| (s.name, s.replicas))
                    .collect()
            } else {
                BTreeMap::new()
            };
            let replicas = status.workload.as_ref().map(|w| &w.replicas);
            if config.workload.enabled && status.workload.is_none() {
                problems.push(format!("the workload {} was not found in Karmada", config.workload.name));
            }
            let by_name: BTreeMap<&str, &ClusterStatus> =
                status.clusters.iter().map(|c| (c.name.as_str(), c)).collect();
            for m in &configured {
                let found = by_name.get(m.name.as_str());
                let mut health = MemberHealth {
                    name: m.name.clone(),
                    configured: true,
                    joined: found.is_some(),
                    ready: found.is_some_and(|c| c.ready),
                    version: found.and_then(|c| c.version.clone()),
                    mode: found.and_then(|c| c.mode.as_ref().map(|s| s.to_ascii_lowercase())),
                    expected_mode: Some(m.mode.as_str().to_string()),
                    replicas: replicas.map(|r| r.get(&m.name).copied().unwrap_or(0)),
                    planned_replicas: planned.get(&m.name).copied(),
                    agent_cert_days_left: found.and_then(|c| c.agent_cert_seconds_left).map(|s| s.div_euclid(86_400)),
                    problems: Vec::new(),
                };
                match found {
                    None => health.problems.push("not joined to Karmada".into()),
                    Some(c) => {
                        if !c.ready {
                            health.problems.push(match &c.reason {
                                Some(r) => format!("not Ready: {r}"),
                                None => "not Ready".into(),
                            });
                        }
                        if let Some(left) = c.agent_cert_seconds_left {
                            let agent = CertExpiry { name: "karmada-agent".into(), not_after: 0, seconds_left: left };
                            match agent.agent_verdict(i64::from(config.karmada.renew_before_days)) {
                                Some((true, p)) => health.problems.push(p),
                                Some((false, w)) => agent_warnings.push(format!("member {}: {w}", m.name)),
                                None => {}
                            }
                        }
                        if health.mode.as_deref().is_some_and(|mode| mode != m.mode.as_str()) {
                            health.problems.push(format!(
                                "joined in {} mode, the config says {}",
                                health.mode.as_deref().unwrap_or_default(),
                                m.mode.as_str()
                            ));
                        }
                    }
                }
                if let (Some(have), Some(want)) = (health.replicas, health.planned_replicas) {
                    if have != want {
                        health.problems.push(format!("runs {have} workload replicas, plan predicts {want}"));
                    }
                }
                members.push(health);
            }
            let names: BTreeSet<&str> = configured.iter().map(|m| m.name.as_str()).collect();
            for c in status.clusters.iter().filter(|c| !names.contains(c.name.as_str())) {
                members.push(MemberHealth {
                    name: c.name.clone(),
                    configured: false,
                    joined: true,
                    ready: c.ready,
                    version: c.version.clone(),
                    mode: c.mode.as_ref().map(|s| s.to_ascii_lowercase()),
                    expected_mode: None,
                    replicas: replicas.and_then(|r| r.get(&c.name).copied()),
                    planned_replicas: None,
                    agent_cert_days_left: c.agent_cert_seconds_left.map(|s| s.div_euclid(86_400)),
                    problems: vec!["in Karmada but not in the config: `karmada-eks reconcile` unjoins it".into()],
                });
            }
        }
    }
    for d in drift.iter().flatten() {
        if d.status != "IN_SYNC" {
            problems.push(format!("stack {} drift: {}", d.stack, d.error.as_deref().unwrap_or(&d.status)));
        }
    }
    let certs = match &host {
        HostAnswer::Reached { status } => status.certs.clone(),
        HostAnswer::Unreachable { .. } => Vec::new(),
    };
    let mut cert_warnings = Vec::new();
    for c in &certs {
        match c.verdict(i64::from(config.karmada.renew_before_days)) {
            Some((true, p)) => problems.push(p),
            Some((false, w)) => cert_warnings.push(w),
            None => {}
        }
    }
    let release = match &host {
        HostAnswer::Reached { status } => status.karmada.clone(),
        HostAnswer::Unreachable { .. } => None,
    };
    match release.as_ref().and_then(|r| r.verdict(&config.karmada.version)) {
        Some((true, p)) => problems.push(p),
        Some((false, w)) => cert_warnings.push(w),
        None => {}
    }
    let bad_stacks = stacks.iter().filter(|s| s.problem().is_some()).count();
    let bad_members = members.iter().filter(|m| !m.healthy()).count();
    let healthy = bad_stacks == 0 && bad_members == 0 && problems.is_empty();
    let mut parts = vec![format!("{} of {} stacks as deployed", stacks.len() - bad_stacks, stacks.len())];
    if let HostAnswer::Reached { status } = &host {
        parts.push(format!(
            "API server {} ({}/{} pods), etcd {}/{}",
            if status.apiserver.ready { "ready" } else { "NOT ready" },
            status.apiserver.pods.ready,
            status.apiserver.pods.desired,
            status.etcd.pods.ready,
            status.etcd.pods.desired
        ));
        if let Some(running) = status.karmada.as_ref().and_then(|k| k.running.as_deref()) {
            parts.push(format!("Karmada {running}"));
        }
        let configured_ok = members.iter().filter(|m| m.configured && m.healthy()).count();
        parts.push(format!("{configured_ok} of {} members healthy", configured.len()));
        let extra = members.iter().filter(|m| !m.configured).count();
        if extra > 0 {
            parts.push(format!("{extra} not in the config"));
        }
    } else {
        parts.push("Karmada not checked".into());
    }
    if let Some(d) = &drift {
        let drifted = d.iter().filter(|s| s.status != "IN_SYNC").count();
        parts.push(format!("{drifted} stacks drifted"));
    }
    let backup = match &host {
        HostAnswer::Reached { status } => status.backup.clone(),
        HostAnswer::Unreachable { .. } => None,
    };
    let mut warnings: Vec<String> = backup.iter().filter_map(BackupStatus::warning).collect();
    warnings.extend(cert_warnings);
    warnings.extend(agent_warnings);
    if let Some(b) = &backup {
        parts.push(match b.age_seconds {
            Some(age) => format!("last backup {} ago", human(age)),
            None => "no backup yet".into(),
        });
    }
    let summary = format!("{}: {}", if healthy { "healthy" } else { "UNHEALTHY" }, parts.join(", "));
    StatusReport {
        healthy,
        summary,
        stacks,
        host,
        members,
        problems,
        warnings,
        backup,
        certs,
        drift,
        bootstrap_log,
        desired_sha256,
    }
}

/// The report as text: the summary line, then what is wrong (everything with `all`).
pub fn render(report: &StatusReport, all: bool) -> String {
    let mut out = format!("{}\n", report.summary);
    for p in &report.problems {
        out.push_str(&format!("  {p}\n"));
    }
    for w in &report.warnings {
        out.push_str(&format!("  warning: {w}\n"));
    }
    if let Some(b) = &report.backup {
        out.push_str(&format!("  last backup: {} (every {})\n", b.line(), human(b.period_seconds)));
    }
    if all && !report.certs.is_empty() {
        let list: Vec<String> = report.certs.iter().map(CertExpiry::line).collect();
        out.push_str(&format!("  certificates expire: {}\n", list.join(", ")));
    }
    for s in &report.stacks {
        match s.problem() {
            Some(p) => out.push_str(&format!("  stack {} ({}): {p}\n", s.name, s.region)),
            None if all => out.push_str(&format!(
                "  stack {} ({}): {}\n",
                s.name,
                s.region,
                s.status.as_deref().unwrap_or_default()
            )),
            None => {}
        }
        for f in &s.failures {
            out.push_str(&format!("    {}\n", f.line()));
        }
    }
    if !report.bootstrap_log.is_empty() {
        out.push_str(&format!(
            "  last lines of the bootstrap log ({}):\n",
            constructs::karmada::wellknown::HOST_BOOTSTRAP_LOG
        ));
        for l in &report.bootstrap_log {
            out.push_str(&format!("    {l}\n"));
        }
    }
    for m in &report.members {
        if m.healthy() && !all {
            continue;
        }
        let detail = [
            Some(if m.ready { "Ready".to_string() } else { "not Ready".to_string() }),
            m.version.clone(),
            m.mode.clone(),
            m.replicas.map(|r| match m.planned_replicas {
                Some(p) => format!("{r} replicas (plan {p})"),
                None => format!("{r} replicas"),
            }),
            m.agent_cert_days_left.map(|d| {
                if d < 0 {
                    "agent certificate EXPIRED".into()
                } else {
                    format!("agent certificate {d} d")
                }
            }),
        ]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(", ");
        let verdict = if m.healthy() { "ok".to_string() } else { m.problems.join("; ") };
        out.push_str(&format!("  member {}: {verdict} [{detail}]\n", m.name));
    }
    for d in report.drift.iter().flatten() {
        if d.status == "IN_SYNC" && !all {
            continue;
        }
        out.push_str(&format!("  drift {}: {}\n", d.stack, d.error.as_deref().unwrap_or(&d.status)));
        for r in &d.resources {
            out.push_str(&format!("    {} {} {}\n", r.status, r.resource_type, r.logical_id));
            for p in &r.properties {
                out.push_str(&format!("      {} {}: {} -> {}\n", p.difference, p.path, p.expected, p.actual));
            }
        }
    }
    out
}

/// Reads one stack's state; `local_sha256` is the template SHA-256 of the assembly (`None`: an orphan).
pub async fn stack_state(
    cfn: &CfnClient,
    name: &str,
    region: &str,
    local_sha256: Option<&str>,
) -> Result<StackState, AwsError> {
    let deployed = crate::deploy::stack::describe(cfn, name).await?;
    let mut state = StackState {
        name: name.to_string(),
        region: region.to_string(),
        status: deployed.as_ref().map(|d| d.status.clone()),
        status_reason: deployed.as_ref().and_then(|d| d.status_reason.clone()),
        template_current: deployed.as_ref().and_then(|d| {
            let tag = d.tags.get(constructs::karmada::wellknown::TAG_TEMPLATE_SHA256)?;
            Some(local_sha256.is_some_and(|l| l == tag))
        }),
        stale_inputs: Vec::new(),
        failures: Vec::new(),
        orphan: local_sha256.is_none() && deployed.is_some(),
    };
    if let Some(d) = &deployed {
        if d.status.ends_with("_FAILED") || d.status.contains("ROLLBACK") {
            let mut events = EventStream::new(&d.id, None);
            events.poll(cfn).await?;
            state.failures = events.first_failures(3);
        }
    }
    Ok(state)
}

/// Asks the host for Karmada's state.
pub async fn host_status(host: &Host) -> Result<HostStatus, HostError> {
    host.wait_until_managed().await?;
    let output = host.run_reconcile(&["status"], false).await?;
    parse_host_status(&output)
}

/// The JSON document in the output of `karmada-eks-reconcile status`. The host prints it compact, so 100 members
/// fit SSM's 24,000-character inline output (templates/reconcile/status.sh.hbs):
/// `{"desired","applied","api":bool,"etcd":[ready,desired],"apiserver":[ready,desired],
/// "clusters":[[name,ready,version,mode],...],"workload":[[cluster,replicas],...]}`. The long form of
/// [`HostStatus`] is read too.
pub fn parse_host_status(output: &str) -> Result<HostStatus, HostError> {
    let bad = |reason: String| HostError::BadOutput { what: "karmada-eks-reconcile status".into(), reason };
    let start = output.find('{').ok_or_else(|| bad("no JSON document in it".into()))?;
    let value: serde_json::Value = serde_json::from_str(output[start..].trim()).map_err(|e| bad(e.to_string()))?;
    if value.get("api").is_none() {
        return serde_json::from_value(value).map_err(|e| bad(e.to_string()));
    }
    let pods = |v: &serde_json::Value| Pods {
        ready: v[0].as_u64().unwrap_or(0) as u32,
        desired: v[1].as_u64().unwrap_or(0) as u32,
    };
    let text = |v: &serde_json::Value| v.as_str().filter(|s| !s.is_empty()).map(str::to_string);
    let clusters = value["clusters"]
        .as_array()
        .ok_or_else(|| bad("\"clusters\" is not a list".into()))?
        .iter()
        .map(|c| ClusterStatus {
            name: c[0].as_str().unwrap_or_default().to_string(),
            ready: c[1].as_bool().unwrap_or(false),
            version: text(&c[2]),
            mode: text(&c[3]),
            reason: None,
            agent_cert_seconds_left: c[4].as_i64(),
        })
        .collect();
    let workload = value["workload"].as_array().map(|list| WorkloadStatus {
        name: String::new(),
        namespace: String::new(),
        replicas: list
            .iter()
            .filter_map(|w| Some((w[0].as_str()?.to_string(), w[1].as_u64().unwrap_or(0) as u32)))
            .collect(),
    });
    Ok(HostStatus {
        apiserver: Component { ready: value["api"].as_bool().unwrap_or(false), pods: pods(&value["apiserver"]) },
        etcd: Component { ready: pods(&value["etcd"]).ready > 0, pods: pods(&value["etcd"]) },
        clusters,
        workload,
        applied_sha256: text(&value["applied"]),
        backup: value["backup"].as_array().map(|b| BackupStatus {
            age_seconds: b.first().and_then(serde_json::Value::as_u64),
            period_seconds: b.get(1).and_then(serde_json::Value::as_u64).unwrap_or(0),
            last: b.get(2).and_then(text).filter(|k| k != "-").map(|k| format!("backups/{k}")),
        }),
        certs: value["certs"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|c| {
                Some(CertExpiry {
                    name: c[0].as_str()?.to_string(),
                    not_after: c[1].as_i64()?,
                    seconds_left: c[2].as_i64()?,
                })
            })
            .collect(),
        karmada: value["karmada"]
            .as_array()
            .map(|k| KarmadaRelease { running: k.first().and_then(text), upgrading_to: k.get(1).and_then(text) }),
    })
}

/// The last lines of the bootstrap log (`karmada-eks-reconcile log bootstrap`).
pub async fn bootstrap_log(host: &Host) -> Result<Vec<String>, HostError> {
    let output = host.run_reconcile(&["log", "bootstrap"], false).await?;
    let lines: Vec<String> = output.lines().map(str::to_string).collect();
    Ok(lines[lines.len().saturating_sub(30)..].to_vec())
}

/// Runs drift detection on `stack` (DetectStackDrift), waits for it, and lists the drifted resources
/// (DescribeStackResourceDrifts filtered to MODIFIED and DELETED) with their differing properties.
pub async fn detect_drift(
    cfn: &CfnClient,
    stack: &str,
    tuning: &Tuning,
    interrupt: &Interrupt,
) -> Result<StackDrift, AwsError> {
    let id = cfn
        .detect_stack_drift()
        .stack_name(stack)
        .send()
        .await
        .map_err(|e| AwsError::from_sdk("DetectStackDrift", e))?
        .stack_drift_detection_id()
        .unwrap_or_default()
        .to_string();
    let mut backoff = Backoff::new(tuning);
    let mut interrupt = interrupt.clone();
    let status = loop {
        let out = cfn
            .describe_stack_drift_detection_status()
            .stack_drift_detection_id(&id)
            .send()
            .await
            .map_err(|e| AwsError::from_sdk("DescribeStackDriftDetectionStatus", e))?;
        match out.detection_status() {
            Some(StackDriftDetectionStatus::DetectionInProgress) | None => {}
            Some(StackDriftDetectionStatus::DetectionFailed) => {
                return Ok(StackDrift {
                    stack: stack.to_string(),
                    status: "DETECTION_FAILED".into(),
                    error: Some(out.detection_status_reason().unwrap_or("no reason given").to_string()),
                    resources: Vec::new(),
                })
            }
            Some(_) => break out.stack_drift_status().map(|s| s.as_str().to_string()).unwrap_or_default(),
        }
        if !interrupt.sleep(backoff.next_wait()).await {
            return Ok(StackDrift {
                stack: stack.to_string(),
                status: "NOT_CHECKED".into(),
                error: Some("interrupted".into()),
                resources: Vec::new(),
            });
        }
    };
    let mut resources = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let out = cfn
            .describe_stack_resource_drifts()
            .stack_name(stack)
            .stack_resource_drift_status_filters(StackResourceDriftStatus::Modified)
            .stack_resource_drift_status_filters(StackResourceDriftStatus::Deleted)
            .set_next_token(token.clone())
            .send()
            .await
            .map_err(|e| AwsError::from_sdk("DescribeStackResourceDrifts", e))?;
        for r in out.stack_resource_drifts() {
            resources.push(ResourceDrift {
                logical_id: r.logical_resource_id().unwrap_or_default().to_string(),
                resource_type: r.resource_type().unwrap_or_default().to_string(),
                status: r.stack_resource_drift_status().map(|s| s.as_str().to_string()).unwrap_or_default(),
                properties: r
                    .property_differences()
                    .iter()
                    .map(|p| PropertyDrift {
                        path: p.property_path().unwrap_or_default().to_string(),
                        expected: p.expected_value().unwrap_or_default().to_string(),
                        actual: p.actual_value().unwrap_or_default().to_string(),
                        difference: p.difference_type().map(|d| d.as_str().to_string()).unwrap_or_default(),
                    })
                    .collect(),
            });
        }
        token = out.next_token().map(str::to_string);
        if token.is_none() {
            break;
        }
    }
    Ok(StackDrift { stack: stack.to_string(), status, error: None, resources })
}

#[cfg(test)]
mod tests {
    use super::*;
    use constructs::karmada::config::{MemberConfig, WorkloadConfig};
    use constructs::karmada::JoinMode;

    fn stack(name: &str, status: &str, current: bool) -> StackState {
        StackState {
            name: name.into(),
            region: "us-east-1".into(),
            status: Some(status.into()),
            status_reason: None,
            template_current: Some(current),
            stale_inputs: Vec::new(),
            failures: Vec::new(),
            orphan: false,
        }
    }

    #[test]
    fn a_stack_that_reads_changed_outputs_is_a_problem_naming_the_producers_and_the_fix() {
        let mut management = stack("karmada-management", "UPDATE_COMPLETE", true);
        assert_eq!(management.problem(), None);
        management.stale_inputs = vec!["karmada-cluster".into()];
        assert_eq!(
            management.problem().as_deref(),
            Some(
                "the outputs of karmada-cluster it reads changed since it was deployed: `karmada-eks deploy karmada-management` updates it"
            )
        );
    }

    fn stacks() -> Vec<StackState> {
        ["karmada-network", "karmada-cluster", "karmada-desired-state", "karmada-management"]
            .iter()
            .map(|n| stack(n, "UPDATE_COMPLETE", true))
            .collect()
    }

    fn cluster(name: &str, ready: bool, mode: &str) -> ClusterStatus {
        ClusterStatus {
            name: name.into(),
            ready,
            version: Some("v1.33.4-eks-1".into()),
            mode: Some(mode.into()),
            reason: (!ready).then(|| "cluster is not reachable".into()),
            agent_cert_seconds_left: None,
        }
    }

    /// What the host answers for `config` when every member is joined, Ready and placed as planned.
    fn healthy_host(config: &Config) -> HostStatus {
        let weights: Vec<(String, u32)> = config.members().iter().map(|m| (m.name.clone(), m.weight)).collect();
        let shares = placement::divide(config.workload.replicas, &weights);
        HostStatus {
            apiserver: Component { ready: true, pods: Pods { ready: 3, desired: 3 } },
            etcd: Component { ready: true, pods: Pods { ready: 3, desired: 3 } },
            clusters: config
                .members()
                .iter()
                .map(|m| cluster(&m.name, true, if m.mode == JoinMode::Pull { "Pull" } else { "Push" }))
                .collect(),
            workload: Some(WorkloadStatus {
                name: "nginx".into(),
                namespace: "default".into(),
                replicas: shares.into_iter().filter(|s| s.replicas > 0).map(|s| (s.name, s.replicas)).collect(),
            }),
            applied_sha256: Some("d".repeat(64)),
            backup: None,
            certs: vec![CertExpiry { name: "apiserver".into(), not_after: 1_828_224_000, seconds_left: 300 * 86_400 }],
            karmada: Some(KarmadaRelease { running: Some(config.karmada.version.clone()), upgrading_to: None }),
        }
    }

    #[test]
    fn a_pull_agent_certificate_near_its_end_is_a_warning_then_a_problem_of_that_member() {
        let mut config = Config::default();
        config.members[2].mode = JoinMode::Pull;
        let with = |days: i64| {
            let mut host = healthy_host(&config);
            host.clusters[2].agent_cert_seconds_left = Some(days * 86_400 + 3_600);
            assess(&config, vec![], reached(host), None, None, vec![])
        };
        let fine = with(300);
        assert!(fine.healthy && fine.warnings.is_empty(), "{fine:?}");
        assert_eq!(fine.members[2].agent_cert_days_left, Some(300));
        assert!(render(&fine, true).contains("agent certificate 300 d"), "{}", render(&fine, true));
        let soon = with(20);
        assert!(soon.healthy, "{soon:?}");
        assert!(
            soon.warnings
                .iter()
                .any(|w| w.starts_with("member eksuscl01: its karmada-agent's certificate expires in 20 d")),
            "{:?}",
            soon.warnings
        );
        let urgent = with(2);
        assert!(!urgent.healthy);
        assert!(urgent.members[2].problems.iter().any(|p| p.contains("karmada-agent's certificate expires in 2 d")));
        let parsed = parse_host_status(
            r#"{"api":true,"etcd":[3,3],"apiserver":[3,3],"clusters":[["a",true,"v1.31","Pull",86400],["b",true,"v1.31","Push"]]}"#,
        )
        .unwrap();
        assert_eq!(parsed.clusters[0].agent_cert_seconds_left, Some(86_400));
        assert_eq!(parsed.clusters[1].agent_cert_seconds_left, None, "push members and older hosts carry none");
    }

    #[test]
    fn karmada_behind_its_config_is_unhealthy_and_an_unfinished_upgrade_a_warning() {
        let config = Config::default();
        let with = |running: &str, to: Option<&str>| {
            let mut host = healthy_host(&config);
            host.karmada = Some(KarmadaRelease { running: Some(running.into()), upgrading_to: to.map(str::to_string) });
            assess(&config, vec![], reached(host), None, None, vec![])
        };
        let fine = with("v1.18.2", None);
        assert!(fine.healthy, "{fine:?}");
        assert!(fine.summary.contains("Karmada v1.18.2"), "{}", fine.summary);
        let behind = with("v1.18.1", None);
        assert!(!behind.healthy);
        assert!(
            behind.problems.iter().any(|p| p.starts_with("Karmada runs v1.18.1 but the config says v1.18.2")),
            "{:?}",
            behind.problems
        );
        let upgrading = with("v1.18.1", Some("v1.18.2"));
        assert!(upgrading.healthy, "{upgrading:?}");
        assert!(upgrading.warnings.iter().any(|w| w.contains("upgrade to v1.18.2 is unfinished")));
        let mut older = healthy_host(&config);
        older.karmada = None;
        assert!(assess(&config, vec![], reached(older), None, None, vec![]).healthy);
    }

    #[test]
    fn a_certificate_under_seven_days_is_unhealthy_and_under_the_renewal_window_a_warning() {
        let config = Config::default();
        let with = |name: &str, days: i64| {
            let mut host = healthy_host(&config);
            host.certs = vec![CertExpiry { name: name.into(), not_after: 1_796_601_600, seconds_left: days * 86_400 }];
            assess(&config, vec![], reached(host), None, None, vec![])
        };
        let fine = with("apiserver", 300);
        assert!(fine.healthy && fine.warnings.iter().all(|w| !w.contains("certificate")), "{fine:?}");
        assert!(!render(&fine, false).contains("certificates expire"));
        assert!(render(&fine, true).contains("certificates expire: apiserver 2026-12-07 (300 d)"));
        let soon = with("etcd-server", 20);
        assert!(soon.healthy, "{soon:?}");
        assert!(
            soon.warnings.iter().any(
                |w| w.contains("certificate etcd-server expires in 20 d") && w.contains("karmada-eks rotate-certs")
            ),
            "{:?}",
            soon.warnings
        );
        let urgent = with("karmada", 3);
        assert!(!urgent.healthy);
        assert!(
            urgent.problems.iter().any(|p| p.contains("certificate karmada expires in 3 d")),
            "{:?}",
            urgent.problems
        );
        let gone = with("ca", -1);
        assert!(!gone.healthy);
        assert!(
            gone.problems.iter().any(|p| p.contains("certificate ca has EXPIRED") && p.contains("Replacing a CA")),
            "{:?}",
            gone.problems
        );
        assert!(render(&gone, true).contains("ca 2026-12-07 (EXPIRED)"));
    }

    #[test]
    fn the_compact_status_carries_the_certificates_and_an_older_host_none() {
        let out = r#"{"desired":"a","applied":"a","api":true,"etcd":[3,3],"apiserver":[3,3],"clusters":[],"workload":[],"backup":[60,21600,"x.tgz"],"certs":[["ca",2112336000,315532800],["apiserver",1828224000,31536000]]}"#;
        let status = parse_host_status(out).unwrap();
        assert_eq!(
            status.certs,
            [
                CertExpiry { name: "ca".into(), not_after: 2_112_336_000, seconds_left: 315_532_800 },
                CertExpiry { name: "apiserver".into(), not_after: 1_828_224_000, seconds_left: 31_536_000 },
            ]
        );
        let older = r#"{"desired":"a","applied":"a","api":true,"etcd":[3,3],"apiserver":[3,3],"clusters":[]}"#;
        assert!(parse_host_status(older).unwrap().certs.is_empty());
        assert_eq!(parse_host_status(older).unwrap().karmada, None);
        let upgrading = out.replace("]]}", r#"]],"karmada":["v1.18.1","v1.18.2"]}"#);
        assert_eq!(
            parse_host_status(&upgrading).unwrap().karmada,
            Some(KarmadaRelease { running: Some("v1.18.1".into()), upgrading_to: Some("v1.18.2".into()) })
        );
        let done = out.replace("]]}", r#"]],"karmada":["v1.18.2",""]}"#);
        assert_eq!(parse_host_status(&done).unwrap().karmada.unwrap().upgrading_to, None);
    }

    fn reached(status: HostStatus) -> HostAnswer {
        HostAnswer::Reached { status: Box::new(status) }
    }

    #[test]
    fn the_last_backup_is_shown_and_warned_about_past_two_schedule_periods() {
        let config = Config::default();
        let out = r#"{"desired":"d","applied":"d","api":true,"etcd":[3,3],"apiserver":[3,3],"clusters":[],"workload":[],"backup":[7500,21600,"20261203T140000Z-scheduled.tgz"]}"#;
        let b = parse_host_status(out).unwrap().backup.unwrap();
        assert_eq!(
            b,
            BackupStatus {
                age_seconds: Some(7500),
                period_seconds: 21600,
                last: Some("backups/20261203T140000Z-scheduled.tgz".into())
            }
        );
        let mut host = healthy_host(&config);
        host.backup = Some(b.clone());
        let report = assess(&config, stacks(), reached(host.clone()), None, Some("d".repeat(64)), vec![]);
        assert!(report.healthy && report.warnings.is_empty(), "{report:#?}");
        let text = render(&report, false);
        assert!(text.starts_with("healthy: 4 of 4 stacks as deployed, API server ready (3/3 pods), etcd 3/3, Karmada v1.18.2, 3 of 3 members healthy, last backup 2 h 5 min ago\n"), "{text}");
        assert!(
            text.contains("  last backup: backups/20261203T140000Z-scheduled.tgz, 2 h 5 min ago (every 6 h)\n"),
            "{text}"
        );

        host.backup = Some(BackupStatus { age_seconds: Some(2 * 21600 + 1), ..b.clone() });
        let report = assess(&config, stacks(), reached(host.clone()), None, Some("d".repeat(64)), vec![]);
        assert!(report.healthy, "a stale backup warns, Karmada itself is healthy");
        assert!(
            render(&report, false).contains("  warning: the last backup of Karmada is 12 h old"),
            "{}",
            render(&report, false)
        );
        host.backup = Some(BackupStatus { age_seconds: Some(2 * 21600), ..b });
        assert!(assess(&config, stacks(), reached(host.clone()), None, None, vec![]).warnings.is_empty());

        let none =
            parse_host_status(&out.replace("[7500,21600,\"20261203T140000Z-scheduled.tgz\"]", "[-1,21600,\"-\"]"))
                .unwrap();
        host.backup = none.backup;
        let report = assess(&config, stacks(), reached(host), None, None, vec![]);
        assert_eq!(report.warnings, ["no backup of Karmada yet: run `karmada-eks backup`"]);
        assert!(render(&report, false).contains("no backup yet"));
    }

    #[test]
    fn the_default_app_healthy_and_as_configured_prints_one_line() {
        let config = Config::default();
        let report = assess(&config, stacks(), reached(healthy_host(&config)), None, Some("d".repeat(64)), vec![]);
        assert!(report.healthy, "{:#?}", report);
        assert_eq!(
            render(&report, false),
            "healthy: 4 of 4 stacks as deployed, API server ready (3/3 pods), etcd 3/3, Karmada v1.18.2, 3 of 3 members healthy\n"
        );
        let all = render(&report, true);
        assert!(all.contains("  member eksuscl01: ok [Ready, v1.33.4-eks-1, push, 6 replicas (plan 6)]"), "{all}");
        assert!(all.contains("  stack karmada-management (us-east-1): UPDATE_COMPLETE"), "{all}");
    }

    #[test]
    fn unready_wrong_mode_misplaced_extra_and_missing_members_are_each_named() {
        let config = Config::default();
        let mut host = healthy_host(&config);
        host.clusters.retain(|c| c.name != "ekseucl02");
        host.clusters[0] = cluster("ekseucl01", false, "Pull");
        host.clusters.push(cluster("oldmember", true, "Push"));
        host.workload.as_mut().unwrap().replicas.insert("eksuscl01".into(), 5);
        host.etcd.pods.ready = 2;
        let mut stacks = stacks();
        stacks[1].template_current = Some(false);
        let report = assess(&config, stacks, reached(host), None, Some("e".repeat(64)), vec![]);
        assert!(!report.healthy);
        let text = render(&report, false);
        assert!(text.starts_with("UNHEALTHY: 3 of 4 stacks as deployed, API server ready (3/3 pods), etcd 2/3, Karmada v1.18.2, 0 of 3 members healthy, 1 not in the config\n"), "{text}");
        assert!(text.contains("  etcd: 2 of 3 pods ready\n"), "{text}");
        assert!(
            text.contains("the host has not applied the deployed desired state (dddddddddddd != eeeeeeeeeeee)"),
            "{text}"
        );
        assert!(
            text.contains("  stack karmada-cluster (us-east-1): deployed template differs from the local one"),
            "{text}"
        );
        assert!(
            text.contains(
                "  member ekseucl01: not Ready: cluster is not reachable; joined in pull mode, the config says push"
            ),
            "{text}"
        );
        assert!(text.contains("  member ekseucl02: not joined to Karmada"), "{text}");
        assert!(text.contains("  member eksuscl01: runs 5 workload replicas, plan predicts 6"), "{text}");
        assert!(text.contains("  member oldmember: in Karmada but not in the config"), "{text}");
    }

    #[test]
    fn a_stack_that_left_the_app_is_listed_as_such() {
        let config = Config::default();
        let mut stacks = stacks();
        stacks.push(StackState {
            name: "karmada-member-access-us-west-2".into(),
            region: "us-west-2".into(),
            template_current: Some(false),
            stale_inputs: Vec::new(),
            orphan: true,
            ..stack("", "UPDATE_COMPLETE", false)
        });
        let report = assess(&config, stacks, reached(healthy_host(&config)), None, Some("d".repeat(64)), vec![]);
        assert!(!report.healthy);
        let text = render(&report, false);
        assert!(text.starts_with("UNHEALTHY: 4 of 5 stacks as deployed"), "{text}");
        assert!(
            text.contains(
                "  stack karmada-member-access-us-west-2 (us-west-2): left the app: `karmada-eks deploy` removes it\n"
            ),
            "{text}"
        );
    }

    #[test]
    fn a_failed_bootstrap_shows_the_stack_reason_and_the_log_tail() {
        let config = Config::default();
        let mut stacks = stacks();
        stacks[3] = StackState {
            status: Some("CREATE_FAILED".into()),
            status_reason: Some("The following resource(s) failed to create: [Host]".into()),
            failures: vec![ResourceEvent {
                logical_id: "Host".into(),
                resource_type: "AWS::EC2::Instance".into(),
                status: "CREATE_FAILED".into(),
                reason: Some("Failed to receive 1 resource signal(s) within the specified duration".into()),
            }],
            ..stacks[3].clone()
        };
        let log = vec!["step init: kubectl karmada init".to_string(), "FAILED init: etcd not ready".to_string()];
        let host = HostAnswer::Unreachable { reason: "the management stack is not complete".into() };
        let report = assess(&config, stacks, host, None, None, log);
        let text = render(&report, false);
        assert!(!report.healthy);
        assert!(text.contains("stack karmada-management (us-east-1): CREATE_FAILED: The following resource(s) failed to create: [Host]"), "{text}");
        assert!(
            text.contains("    CREATE_FAILED AWS::EC2::Instance Host: Failed to receive 1 resource signal(s)"),
            "{text}"
        );
        assert!(
            text.contains("last lines of the bootstrap log (/var/log/karmada-eks-bootstrap.log):\n    step init"),
            "{text}"
        );
        assert!(text.contains("    FAILED init: etcd not ready"), "{text}");
    }

    #[test]
    fn a_hundred_members_with_two_unhealthy_list_only_those_two_and_json_has_all() {
        let defaults = Config::default();
        let config = Config {
            members: (0..100)
                .map(|i| MemberConfig {
                    name: format!("member{i:03}"),
                    region: Some(if i % 2 == 0 { "eu-central-1".into() } else { "us-east-1".into() }),
                    weight: 1,
                    ..MemberConfig::default()
                })
                .collect(),
            workload: WorkloadConfig { replicas: 200, ..defaults.workload.clone() },
            ..defaults
        };
        let mut host = healthy_host(&config);
        host.clusters[17].ready = false;
        host.clusters[17].reason = Some("cluster is not reachable".into());
        host.clusters.retain(|c| c.name != "member042");
        host.workload.as_mut().unwrap().replicas.remove("member042");
        let report = assess(&config, stacks(), reached(host), None, Some("d".repeat(64)), vec![]);
        let text = render(&report, false);
        println!("{text}");
        assert_eq!(
            text,
            "UNHEALTHY: 4 of 4 stacks as deployed, API server ready (3/3 pods), etcd 3/3, Karmada v1.18.2, 98 of 100 members healthy\n  \
             member member017: not Ready: cluster is not reachable [not Ready, v1.33.4-eks-1, push, 2 replicas (plan 2)]\n  \
             member member042: not joined to Karmada; runs 0 workload replicas, plan predicts 2 [not Ready, 0 replicas (plan 2)]\n"
        );
        let json = serde_json::to_value(&report).unwrap();
        println!("{}", serde_json::to_string_pretty(&json["members"][17]).unwrap());
        assert_eq!(json["healthy"], false);
        assert_eq!(json["members"].as_array().unwrap().len(), 100);
        let unhealthy: Vec<&str> = json["members"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|m| !m["problems"].as_array().unwrap().is_empty())
            .map(|m| m["name"].as_str().unwrap())
            .collect();
        assert_eq!(unhealthy, vec!["member017", "member042"]);
        assert_eq!(json["host"]["state"], "reached");
    }

    #[test]
    fn drift_is_listed_with_the_differing_properties() {
        let config = Config::default();
        let drift = vec![
            StackDrift { stack: "karmada-network".into(), status: "IN_SYNC".into(), error: None, resources: vec![] },
            StackDrift {
                stack: "karmada-cluster".into(),
                status: "DRIFTED".into(),
                error: None,
                resources: vec![ResourceDrift {
                    logical_id: "NlbSecurityGroup".into(),
                    resource_type: "AWS::EC2::SecurityGroup".into(),
                    status: "MODIFIED".into(),
                    properties: vec![PropertyDrift {
                        path: "/SecurityGroupIngress/1".into(),
                        expected: "null".into(),
                        actual: r#"{"CidrIp":"0.0.0.0/0","FromPort":32443}"#.into(),
                        difference: "ADD".into(),
                    }],
                }],
            },
        ];
        let report =
            assess(&config, stacks(), reached(healthy_host(&config)), Some(drift), Some("d".repeat(64)), vec![]);
        assert!(!report.healthy);
        let text = render(&report, false);
        assert!(text.starts_with("UNHEALTHY: 4 of 4 stacks as deployed"), "{text}");
        assert!(text.contains(", 1 stacks drifted\n"), "{text}");
        assert!(text.contains("  drift karmada-cluster: DRIFTED\n    MODIFIED AWS::EC2::SecurityGroup NlbSecurityGroup\n      ADD /SecurityGroupIngress/1: null -> {\"CidrIp\":\"0.0.0.0/0\",\"FromPort\":32443}\n"), "{text}");
        assert!(!text.contains("drift karmada-network"), "in-sync stacks only with --all");
    }

    #[test]
    fn the_hosts_compact_status_document_is_read() {
        let out = r#"{"desired":"abc","applied":"abc","api":true,"etcd":[3,3],"apiserver":[2,3],"clusters":[["ekseucl01",true,"v1.33.4-eks-1","Push"],["ekseucl02",false,"","Pull"]],"workload":[["ekseucl01",3]]}"#;
        let s = parse_host_status(out).unwrap();
        assert!(s.apiserver.ready);
        assert_eq!((s.apiserver.pods, s.etcd.pods), (Pods { ready: 2, desired: 3 }, Pods { ready: 3, desired: 3 }));
        assert_eq!(
            s.clusters[1],
            ClusterStatus {
                name: "ekseucl02".into(),
                ready: false,
                version: None,
                mode: Some("Pull".into()),
                reason: None,
                agent_cert_seconds_left: None,
            }
        );
        assert_eq!(s.workload.unwrap().replicas, BTreeMap::from([("ekseucl01".to_string(), 3)]));
        assert_eq!(s.applied_sha256.as_deref(), Some("abc"));
    }

    #[test]
    fn the_hosts_json_is_found_after_other_lines_and_bad_json_is_an_error() {
        let parsed = parse_host_status("warning: x\n{\"apiserver\":{\"ready\":true}}\n").unwrap();
        assert!(parsed.apiserver.ready);
        assert!(matches!(parse_host_status("no json"), Err(HostError::BadOutput { .. })));
    }
}
