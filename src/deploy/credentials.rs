//! One cache of the credentials for a whole command. The SDK's default chain resolves credentials on every call
//! of its provider; each SDK client puts its own identity cache in front, but every client (and the EC2 client,
//! which signs by itself) has its own, so a command with a dozen clients assumed a role, ran a
//! `credential_process` or prompted for MFA a dozen times. Wrapping the chain's provider once, before any
//! client is built, makes that once per command, refreshed as the SDK's cache refreshes: shortly before expiry.

use aws_credential_types::provider::{self, future, ProvideCredentials, SharedCredentialsProvider};
use aws_credential_types::Credentials;
use std::time::{Duration, SystemTime};
use tokio::sync::Mutex;

/// The chain's provider behind one cache.
#[derive(Debug)]
pub struct CachedCredentials {
    inner: SharedCredentialsProvider,
    current: Mutex<Option<Credentials>>,
}

impl CachedCredentials {
    /// Credentials this close to their expiry are resolved again (botocore's advisory refresh is 15 minutes, the
    /// Rust SDK's identity cache buffer 10 seconds; a deploy's calls are short, so 5 minutes is ample).
    pub const REFRESH_BEFORE: Duration = Duration::from_secs(5 * 60);

    pub fn new(inner: SharedCredentialsProvider) -> Self {
        CachedCredentials { inner, current: Mutex::new(None) }
    }

    async fn get(&self) -> provider::Result {
        // Held across the resolution: callers that arrive meanwhile wait for it instead of resolving again.
        let mut current = self.current.lock().await;
        if let Some(c) = current.as_ref().filter(|c| fresh(c, SystemTime::now())) {
            return Ok(c.clone());
        }
        let resolved = self.inner.provide_credentials().await?;
        *current = Some(resolved.clone());
        Ok(resolved)
    }
}

/// Credentials without an expiry (static keys) stay; others until [`CachedCredentials::REFRESH_BEFORE`] is left.
fn fresh(c: &Credentials, now: SystemTime) -> bool {
    c.expiry().is_none_or(|end| end > now + CachedCredentials::REFRESH_BEFORE)
}

impl ProvideCredentials for CachedCredentials {
    fn provide_credentials<'a>(&'a self) -> future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        future::ProvideCredentials::new(self.get())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    /// A provider that counts its resolutions and hands out credentials expiring `lifetime` from now.
    #[derive(Debug)]
    struct Counting {
        calls: Arc<AtomicUsize>,
        lifetime: Option<Duration>,
    }

    impl ProvideCredentials for Counting {
        fn provide_credentials<'a>(&'a self) -> future::ProvideCredentials<'a>
        where
            Self: 'a,
        {
            let n = self.calls.fetch_add(1, Ordering::SeqCst);
            let expiry = self.lifetime.map(|l| SystemTime::now() + l);
            future::ProvideCredentials::ready(Ok(Credentials::new(format!("AKID{n}"), "secret", None, expiry, "test")))
        }
    }

    fn cached(lifetime: Option<Duration>) -> (Arc<CachedCredentials>, Arc<AtomicUsize>) {
        let calls = Arc::new(AtomicUsize::new(0));
        let inner = SharedCredentialsProvider::new(Counting { calls: calls.clone(), lifetime });
        (Arc::new(CachedCredentials::new(inner)), calls)
    }

    #[tokio::test]
    async fn concurrent_callers_share_one_resolution() {
        let (cache, calls) = cached(Some(Duration::from_secs(3600)));
        let mut tasks = Vec::new();
        for _ in 0..16 {
            let cache = cache.clone();
            tasks.push(tokio::spawn(
                async move { cache.provide_credentials().await.unwrap().access_key_id().to_string() },
            ));
        }
        for t in tasks {
            assert_eq!(t.await.unwrap(), "AKID0");
        }
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn credentials_near_their_expiry_are_resolved_again_and_static_ones_never() {
        let (cache, calls) = cached(Some(Duration::from_secs(60)));
        cache.provide_credentials().await.unwrap();
        cache.provide_credentials().await.unwrap();
        assert_eq!(calls.load(Ordering::SeqCst), 2, "a minute left is within the refresh window");
        let (cache, calls) = cached(None);
        for _ in 0..5 {
            cache.provide_credentials().await.unwrap();
        }
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn a_failed_resolution_is_not_kept() {
        #[derive(Debug)]
        struct Failing(Arc<AtomicUsize>);
        impl ProvideCredentials for Failing {
            fn provide_credentials<'a>(&'a self) -> future::ProvideCredentials<'a>
            where
                Self: 'a,
            {
                self.0.fetch_add(1, Ordering::SeqCst);
                future::ProvideCredentials::ready(Err(provider::error::CredentialsError::not_loaded("no profile")))
            }
        }
        let calls = Arc::new(AtomicUsize::new(0));
        let cache = CachedCredentials::new(SharedCredentialsProvider::new(Failing(calls.clone())));
        assert!(cache.provide_credentials().await.is_err());
        assert!(cache.provide_credentials().await.is_err());
        assert_eq!(calls.load(Ordering::SeqCst), 2);
    }
}
