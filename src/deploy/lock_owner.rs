//! Who holds an app's deploy lock: the value of its lock parameter.

use aws_sdk_ssm::primitives::{DateTime, DateTimeFormat};
use serde::{Deserialize, Serialize};
use std::time::{Duration, SystemTime};

/// How long a lock is taken for: longer than any run waits. The longest waits are the management host's
/// CreationPolicy (`management.bootstrap_timeout_minutes`, at most 12 hours), EKS cluster and node group
/// creation or deletion (about 15 to 30 minutes each), and the reconcile on the host (its SSM registration,
/// delivery and execution timeouts: 10 + 10 + 60 minutes, plus a minute of grace).
pub const LOCK_TTL: Duration = Duration::from_secs(24 * 3600);

/// Who holds the lock: the parameter's value.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LockOwner {
    /// The principal's ARN, as STS GetCallerIdentity gives it.
    pub owner: String,
    /// `deploy` or `destroy`.
    pub command: String,
    pub host: String,
    pub pid: u32,
    /// RFC 3339, UTC.
    pub started: String,
    /// RFC 3339, UTC: `started` + [`LOCK_TTL`].
    pub expires: String,
}

impl LockOwner {
    /// This process running `command` for `owner`, from `now`.
    pub fn this_process(owner: &str, command: &str, now: SystemTime) -> Self {
        LockOwner {
            owner: owner.to_string(),
            command: command.to_string(),
            host: hostname(),
            pid: std::process::id(),
            started: rfc3339(now),
            expires: rfc3339(now + LOCK_TTL),
        }
    }

    pub fn describe(&self) -> String {
        format!(
            "{} (`karmada-eks {}` on {}, pid {}, since {})",
            self.owner, self.command, self.host, self.pid, self.started
        )
    }
}

/// A held lock's value read back: the owner, or what the parameter holds when it is not an owner.
pub fn read_owner(value: &str) -> LockOwner {
    serde_json::from_str(value).unwrap_or_else(|_| LockOwner {
        owner: format!("an unknown owner (the parameter holds {value:?})"),
        command: "?".into(),
        host: "?".into(),
        pid: 0,
        started: "?".into(),
        expires: "?".into(),
    })
}

/// `t` as RFC 3339 in UTC, to the second (`2026-12-03T15:06:29Z`).
pub fn rfc3339(t: SystemTime) -> String {
    let secs = DateTime::from(t).secs();
    DateTime::from_secs(secs).fmt(DateTimeFormat::DateTime).unwrap_or_else(|_| format!("{secs} s after 1970"))
}

/// This machine's host name (Linux: the kernel's; elsewhere `$HOSTNAME`).
fn hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .or_else(|| std::env::var("HOSTNAME").ok())
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "an unknown host".into())
}
