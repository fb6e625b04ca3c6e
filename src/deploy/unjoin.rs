//! The hook deploy calls before it deletes the access entries of members that left the app: the members are
//! unjoined from Karmada first (on the management host, `karmada-eks-reconcile unjoin NAME...` through SSM Run
//! Command), so the host never loses access to a cluster Karmada still manages.

use constructs::core::Hints;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use super::error::DeployError;

/// What the hook did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unjoined {
    /// The members are no longer in Karmada.
    Unjoined,
    /// The app has no management host, so no Karmada to unjoin from: nothing was done.
    NoHost,
}

/// A future the hook returns.
pub type UnjoinFuture<'a> = Pin<Box<dyn Future<Output = Result<Unjoined, DeployError>> + Send + 'a>>;

/// Unjoins members from Karmada.
pub trait MemberUnjoin: Send + Sync {
    /// Unjoins exactly `members` (member names as in the config); an error stops the deletion of their access.
    fn unjoin<'a>(&'a self, members: &'a [String]) -> UnjoinFuture<'a>;
}

/// Unjoins `members` through `hook` before `stack` deletes their access entries; without a hook, or when the hook
/// fails, an `UnjoinFailed` error that keeps the access entries.
pub async fn before_access_removal(
    hook: Option<&Arc<dyn MemberUnjoin>>,
    stack: &str,
    members: &[String],
) -> Result<(), DeployError> {
    let failed = |reason: String, cause_hints: Vec<String>| DeployError::UnjoinFailed {
        stack: stack.to_string(),
        members: members.join(", "),
        reason,
        cause_hints,
    };
    let Some(hook) = hook else {
        return Err(failed("no way to reach the management host was given to deploy".into(), Vec::new()));
    };
    hook.unjoin(members).await.map(|_| ()).map_err(|e| failed(e.to_string(), e.hints()))
}
