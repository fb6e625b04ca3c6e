//! What `status` reports: the app's stacks as deployed, Karmada as the host sees it, each member's health, and the
//! verdicts of certificates, backups and the Karmada release.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use crate::deploy::events::ResourceEvent;

use super::drift::StackDrift;

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

/// How the host answered.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum HostAnswer {
    Reached {
        status: Box<HostStatus>,
    },
    /// No host yet, or it could not be reached: why, and what to do about it.
    Unreachable {
        reason: String,
        #[serde(skip_serializing_if = "Vec::is_empty")]
        hints: Vec<String>,
    },
}

/// What `status` concluded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    Healthy,
    /// Something is wrong: a stack, a member, the control plane.
    Unhealthy,
    /// Nothing is known to be wrong, but a check could not be made (drift detection failed).
    Undetermined,
}

/// Everything `status` reports.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StatusReport {
    pub healthy: bool,
    pub summary: String,
    /// The checks that could not be made, and why (drift detection that CloudFormation could not finish).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unchecked: Vec<String>,
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

impl Verdict {
    /// The first word of the summary line.
    pub fn word(self) -> &'static str {
        match self {
            Verdict::Healthy => "healthy",
            Verdict::Unhealthy => "UNHEALTHY",
            Verdict::Undetermined => "UNDETERMINED",
        }
    }
}

impl StatusReport {
    pub fn verdict(&self) -> Verdict {
        match (self.healthy, self.unchecked.is_empty()) {
            (true, _) => Verdict::Healthy,
            (false, false) if self.is_clean_but_unchecked() => Verdict::Undetermined,
            _ => Verdict::Unhealthy,
        }
    }

    fn is_clean_but_unchecked(&self) -> bool {
        self.problems.is_empty()
            && self.stacks.iter().all(|s| s.problem().is_none())
            && self.members.iter().all(MemberHealth::healthy)
    }
}
