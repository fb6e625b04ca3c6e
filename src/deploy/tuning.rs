//! How often and how long the deployer polls CloudFormation, and how the SDK retries.

use std::time::Duration;

/// Environment variable that fixes the poll interval in milliseconds (tests set it low to stay fast).
pub const POLL_ENV: &str = "KARMADA_EKS_POLL_MS";

/// Poll intervals and retry limits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tuning {
    /// First wait between two polls. Default: 2 s.
    pub poll_initial: Duration,
    /// Longest wait between two polls; the wait grows by half each poll up to this. Default: 10 s.
    pub poll_max: Duration,
    /// Attempts per API call, including the first, for throttling and transient errors. Default: 8.
    pub max_attempts: u32,
    /// First retry backoff of the SDK (it grows exponentially with jitter, capped at 20 s). Default: 1 s.
    pub retry_initial_backoff: Duration,
    /// Longest wait for a connection to an AWS endpoint. Default: 10 s.
    pub connect_timeout: Duration,
    /// Longest wait for one attempt of an API call, from sending to the whole answer (the long waits of a
    /// deploy are polls of short calls). Default: 60 s.
    pub attempt_timeout: Duration,
}

impl Default for Tuning {
    fn default() -> Self {
        Tuning {
            poll_initial: Duration::from_secs(2),
            poll_max: Duration::from_secs(10),
            max_attempts: 8,
            retry_initial_backoff: Duration::from_secs(1),
            connect_timeout: Duration::from_secs(10),
            attempt_timeout: Duration::from_secs(60),
        }
    }
}

impl Tuning {
    /// The defaults, with both poll intervals and the retry backoff set from `KARMADA_EKS_POLL_MS` when it is a
    /// number.
    pub fn from_env() -> Self {
        let mut tuning = Tuning::default();
        if let Some(ms) = std::env::var(POLL_ENV).ok().and_then(|v| v.trim().parse::<u64>().ok()) {
            tuning = tuning.fixed(Duration::from_millis(ms));
        }
        tuning
    }

    /// The same interval for every poll and retry (tests).
    pub fn fixed(self, interval: Duration) -> Self {
        Tuning { poll_initial: interval, poll_max: interval, retry_initial_backoff: interval, ..self }
    }

    /// The SDK timeouts: `connect_timeout`, and `attempt_timeout` for each attempt of an operation.
    pub fn timeout_config(&self) -> aws_config::timeout::TimeoutConfig {
        aws_config::timeout::TimeoutConfig::builder()
            .connect_timeout(self.connect_timeout)
            .operation_attempt_timeout(self.attempt_timeout)
            .build()
    }

    /// The SDK retry policy: standard mode with `max_attempts` and `retry_initial_backoff`.
    pub fn retry_config(&self) -> aws_config::retry::RetryConfig {
        aws_config::retry::RetryConfig::standard()
            .with_max_attempts(self.max_attempts)
            .with_initial_backoff(self.retry_initial_backoff)
            .with_max_backoff(Duration::from_secs(20))
    }
}

/// Poll intervals that grow from `poll_initial` by half each step up to `poll_max`.
#[derive(Clone, Debug)]
pub struct Backoff {
    next: Duration,
    max: Duration,
}

impl Backoff {
    pub fn new(tuning: &Tuning) -> Self {
        Backoff { next: tuning.poll_initial, max: tuning.poll_max.max(tuning.poll_initial) }
    }

    /// The wait before the next poll.
    pub fn next_wait(&mut self) -> Duration {
        let wait = self.next;
        self.next = (self.next + self.next / 2).min(self.max);
        wait
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_to_the_cap() {
        let mut b = Backoff::new(&Tuning::default());
        let waits: Vec<u64> = (0..6).map(|_| b.next_wait().as_millis() as u64).collect();
        assert_eq!(waits, vec![2000, 3000, 4500, 6750, 10000, 10000]);
    }
}
