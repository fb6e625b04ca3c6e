//! The per-app deploy lock: `deploy` and `destroy` hold it from before they write anything (the regions
//! parameter, a deletion, a change set) to their end, so two runs on one app never interleave. It is the SSM
//! String parameter `/<app>/karmada-eks/lock` in the app's home region, taken by a create that SSM refuses when
//! the parameter exists (PutParameter without Overwrite: ParameterAlreadyExists), its value the owner as JSON.
//! A lock is never taken over on its own, not even an expired one (two runs could both decide it is stale):
//! `--force-unlock` deletes it, saying whose it was, and takes it.

use aws_sdk_ssm::primitives::{DateTime, DateTimeFormat};
use aws_sdk_ssm::Client;
use serde::{Deserialize, Serialize};
use std::time::{Duration, SystemTime};

use super::error::{AwsError, DeployError};
use super::parameter;
use super::progress::{ProgressEvent, Reporter};
use constructs::karmada::wellknown::lock_parameter;
use std::future::Future;

/// How long a lock is taken for: longer than any run waits. The longest waits are the management host's
/// CreationPolicy (`management.bootstrap_timeout_minutes`, at most 12 hours), EKS cluster and node group
/// creation or deletion (about 15 to 30 minutes each), and the reconcile on the host (its SSM registration,
/// delivery and execution timeouts: 10 + 10 + 60 minutes, plus a minute of grace).
pub const LOCK_TTL: Duration = Duration::from_secs(24 * 3600);

const DESCRIPTION: &str =
    "karmada-eks: the run that deploys or destroys this app now (deleted at its end; --force-unlock breaks it)";

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

    /// The lock as a held-lock error, stale when `now` is past its expiry.
    fn held(&self, app: &str, now: SystemTime) -> DeployError {
        let expired = DateTime::from_str(&self.expires, DateTimeFormat::DateTime)
            .is_ok_and(|expires| expires.secs() < DateTime::from(now).secs());
        DeployError::LockHeld {
            app: app.to_string(),
            parameter: lock_parameter(app),
            holder: Box::new(self.clone()),
            stale: expired,
        }
    }

    fn describe(&self) -> String {
        format!(
            "{} (`karmada-eks {}` on {}, pid {}, since {})",
            self.owner, self.command, self.host, self.pid, self.started
        )
    }
}

/// A held lock's value read back: the owner, or what the parameter holds when it is not an owner.
fn read_owner(value: &str) -> LockOwner {
    serde_json::from_str(value).unwrap_or_else(|_| LockOwner {
        owner: format!("an unknown owner (the parameter holds {value:?})"),
        command: "?".into(),
        host: "?".into(),
        pid: 0,
        started: "?".into(),
        expires: "?".into(),
    })
}

/// The lock this run holds; [`DeployLock::release`] gives it back.
#[derive(Debug)]
pub struct DeployLock {
    ssm: Client,
    parameter: String,
    value: String,
}

impl DeployLock {
    /// Takes the lock of `app` for `me`. With `force_unlock`, a held lock is deleted first; `broken` is told
    /// whose it was. A lock held by anyone (this principal included) is a [`DeployError::LockHeld`].
    pub async fn take(
        ssm: &Client,
        app: &str,
        me: &LockOwner,
        force_unlock: bool,
        broken: impl FnOnce(String),
    ) -> Result<DeployLock, DeployError> {
        let name = lock_parameter(app);
        let value = serde_json::to_string(me).expect("a lock owner serializes");
        if force_unlock {
            match parameter::get(ssm, &name).await? {
                Some(held) => {
                    broken(format!(
                        "--force-unlock: deleting the lock {name} held by {}",
                        read_owner(&held).describe()
                    ));
                    parameter::delete(ssm, &name).await?;
                }
                None => broken(format!("--force-unlock: no lock was held ({name} does not exist)")),
            }
        }
        if parameter::create(ssm, &name, &value, DESCRIPTION).await? {
            return Ok(DeployLock { ssm: ssm.clone(), parameter: name, value });
        }
        let held = parameter::get(ssm, &name).await?.unwrap_or_default();
        Err(read_owner(&held).held(app, SystemTime::now()))
    }

    /// Deletes the lock, if it is still this run's (a `--force-unlock` may have given it to another run since).
    pub async fn release(self) -> Result<(), AwsError> {
        match parameter::get(&self.ssm, &self.parameter).await? {
            Some(value) if value == self.value => parameter::delete(&self.ssm, &self.parameter).await,
            _ => Ok(()),
        }
    }
}

/// Runs `work` holding the lock of `app` for `me` (see [`DeployLock::take`]), and releases it whatever `work`
/// returns. Notes go to `reporter`: whose lock `--force-unlock` broke, and a release that failed (the next run
/// then needs `--force-unlock`).
pub async fn holding<T, E: From<DeployError>>(
    ssm: &Client,
    app: &str,
    me: &LockOwner,
    force_unlock: bool,
    reporter: &dyn Reporter,
    work: impl Future<Output = Result<T, E>>,
) -> Result<T, E> {
    let note = |message: String| reporter.report(ProgressEvent::Note { stack: app.to_string(), message });
    let lock = DeployLock::take(ssm, app, me, force_unlock, note).await?;
    let result = work.await;
    if let Err(e) = lock.release().await {
        note(format!(
            "could not delete the lock {}: {e}; the next deploy or destroy will need --force-unlock",
            lock_parameter(app)
        ));
    }
    result
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::deploy::host::run_command::HostTimeouts;

    #[test]
    fn the_lock_outlasts_the_longest_waits_of_a_run() {
        let t = HostTimeouts::default();
        let bootstrap = Duration::from_secs(u64::from(constructs::karmada::config::MAX_BOOTSTRAP_TIMEOUT_MINUTES) * 60);
        let cloudformation = Duration::from_secs(2 * 3600);
        assert!(LOCK_TTL > bootstrap + cloudformation + t.registration + t.delivery + t.execution + t.grace);
    }

    #[test]
    fn an_owner_is_dated_in_utc_and_an_expired_lock_is_reported_stale_but_still_held() {
        let started = SystemTime::UNIX_EPOCH + Duration::from_secs(1_796_310_000);
        let me = LockOwner::this_process("arn:aws:iam::123456789012:user/alice", "deploy", started);
        assert_eq!(me.started, "2026-12-03T15:00:00Z");
        assert_eq!(me.expires, "2026-12-04T15:00:00Z");
        let e = me.held("karmada", started + Duration::from_secs(60)).to_string();
        assert!(e.starts_with("app karmada is locked by another run: /karmada/karmada-eks/lock is held by arn:aws:iam::123456789012:user/alice (`karmada-eks deploy` on "), "{e}");
        assert!(e.contains("since 2026-12-03T15:00:00Z, until 2026-12-04T15:00:00Z; nothing was changed"), "{e}");
        assert!(e.contains("hint: wait for that run to finish; if it is gone"), "{e}");
        assert!(e.contains("--force-unlock"), "{e}");
        let stale = me.held("karmada", started + LOCK_TTL + Duration::from_secs(1)).to_string();
        assert!(
            stale.contains("expired at 2026-12-04T15:00:00Z (the run that took it has most likely died)"),
            "{stale}"
        );
        assert_eq!(read_owner(&serde_json::to_string(&me).unwrap()), me);
        assert!(read_owner("garbage").owner.contains("\"garbage\""));
    }
}
