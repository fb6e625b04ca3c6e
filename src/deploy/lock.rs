//! The per-app deploy lock: `deploy` and `destroy` hold it from before they write anything (the regions
//! parameter, a deletion, a change set) to their end, so two runs on one app never interleave. It is the SSM
//! String parameter `/<app>/karmada-eks/lock` in the app's home region, taken by a create that SSM refuses when
//! the parameter exists (PutParameter without Overwrite: ParameterAlreadyExists), its value the owner as JSON.
//! A lock is never taken over on its own, not even an expired one (two runs could both decide it is stale):
//! `--force-unlock` deletes it, saying whose it was, and takes it.

use aws_sdk_ssm::primitives::{DateTime, DateTimeFormat};
use aws_sdk_ssm::Client;
use std::time::SystemTime;

use super::error::{AwsError, DeployError};
use super::lock_owner::{read_owner, LockOwner};
use super::parameter;
use super::progress::{ProgressEvent, Reporter};
use constructs::karmada::wellknown::lock_parameter;
use std::future::Future;

/// The lock as a held-lock error, stale when `now` is past its expiry.
fn held(owner: &LockOwner, app: &str, now: SystemTime) -> DeployError {
    let expired = DateTime::from_str(&owner.expires, DateTimeFormat::DateTime)
        .is_ok_and(|expires| expires.secs() < DateTime::from(now).secs());
    DeployError::LockHeld {
        app: app.to_string(),
        parameter: lock_parameter(app),
        holder: Box::new(owner.clone()),
        stale: expired,
    }
}

const DESCRIPTION: &str =
    "karmada-eks: the run that deploys or destroys this app now (deleted at its end; --force-unlock breaks it)";

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
        let value = parameter::get(ssm, &name).await?.unwrap_or_default();
        Err(held(&read_owner(&value), app, SystemTime::now()))
    }

    /// Deletes the lock, if it is still this run's (a `--force-unlock` may have given it to another run since).
    pub async fn release(self) -> Result<(), AwsError> {
        match parameter::get(&self.ssm, &self.parameter).await? {
            Some(value) if value == self.value => parameter::delete(&self.ssm, &self.parameter).await,
            _ => Ok(()),
        }
    }
}

/// Runs `work` holding the lock of `app` for `owner` (an ARN) running `command` (see [`DeployLock::take`]), and
/// releases it whatever `work` returns. Notes go to `reporter`: whose lock `--force-unlock` broke, and a release
/// that failed (the next run then needs `--force-unlock`).
pub async fn holding<T, E: From<DeployError>>(
    ssm: &Client,
    app: &str,
    (owner, command): (&str, &str),
    force_unlock: bool,
    reporter: &dyn Reporter,
    work: impl Future<Output = Result<T, E>>,
) -> Result<T, E> {
    let note = |message: String| reporter.report(ProgressEvent::Note { stack: app.to_string(), message });
    let me = LockOwner::this_process(owner, command, SystemTime::now());
    let lock = DeployLock::take(ssm, app, &me, force_unlock, note).await?;
    let result = work.await;
    if let Err(e) = lock.release().await {
        note(format!(
            "could not delete the lock {}: {e}; the next deploy or destroy will need --force-unlock",
            lock_parameter(app)
        ));
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::deploy::host::run_command::HostTimeouts;
    use crate::deploy::lock_owner::LOCK_TTL;
    use constructs::core::hints::rendered;
    use std::time::Duration;

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
        let e = rendered(&held(&me, "karmada", started + Duration::from_secs(60)));
        assert!(e.starts_with("app karmada is locked by another run: /karmada/karmada-eks/lock is held by arn:aws:iam::123456789012:user/alice (`karmada-eks deploy` on "), "{e}");
        assert!(e.contains("since 2026-12-03T15:00:00Z, until 2026-12-04T15:00:00Z; nothing was changed"), "{e}");
        assert!(e.contains("hint: wait for that run to finish; if it is gone"), "{e}");
        assert!(e.contains("--force-unlock"), "{e}");
        let stale = held(&me, "karmada", started + LOCK_TTL + Duration::from_secs(1)).to_string();
        assert!(
            stale.contains("expired at 2026-12-04T15:00:00Z (the run that took it has most likely died)"),
            "{stale}"
        );
        assert_eq!(read_owner(&serde_json::to_string(&me).unwrap()), me);
        assert!(read_owner("garbage").owner.contains("\"garbage\""));
    }
}
