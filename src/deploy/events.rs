//! Stack events: reading the new ones since an operation started, and picking out the failures.

use aws_sdk_cloudformation::primitives::DateTime;
use aws_sdk_cloudformation::Client;
use serde::Serialize;
use std::collections::HashSet;

use super::error::AwsError;

/// How many failed resource events a failure report shows.
pub const FAILURES_SHOWN: usize = 5;

/// One resource event, oldest first in every list this module returns.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ResourceEvent {
    pub logical_id: String,
    pub resource_type: String,
    pub status: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

impl ResourceEvent {
    pub fn line(&self) -> String {
        let mut line = format!("{} {} {}", self.status, self.resource_type, self.logical_id);
        if let Some(reason) = &self.reason {
            line.push_str(&format!(": {reason}"));
        }
        line
    }

    pub fn is_failure(&self) -> bool {
        self.status.ends_with("_FAILED")
    }

    /// A failure that only says an earlier failure stopped this resource ("Resource creation cancelled").
    fn is_knock_on(&self) -> bool {
        self.reason.as_deref().is_some_and(|r| r.contains("cancelled"))
    }
}

/// Reads a stack's events newer than a start time, or those of one operation, each once.
#[derive(Debug)]
pub struct EventStream {
    stack: String,
    since: Option<DateTime>,
    /// Only events of the operation started with this client request token.
    token: Option<String>,
    seen: HashSet<String>,
    /// Every new event read so far, oldest first.
    pub history: Vec<ResourceEvent>,
}

impl EventStream {
    /// Events of `stack` (a name or id) at or after `since` (server time; `None`: all).
    pub fn new(stack: &str, since: Option<DateTime>) -> Self {
        EventStream { stack: stack.to_string(), since, token: None, seen: HashSet::new(), history: Vec::new() }
    }

    /// The events of the one operation started with `token`. The CloudFormation API reference
    /// (StackEvent.ClientRequestToken): "All events initiated by a given stack operation are assigned the same
    /// client request token". Operations on a stack run one at a time, so this operation's events are the newest
    /// run of events carrying the token: reading stops at the first event without it.
    pub fn for_operation(stack: &str, token: &str) -> Self {
        EventStream { token: Some(token.to_string()), ..EventStream::new(stack, None) }
    }

    /// Whether an event of this stream's operation has been read (always true without a token).
    pub fn saw_operation(&self) -> bool {
        self.token.is_none() || !self.history.is_empty()
    }

    /// The events that appeared since the last call, oldest first.
    pub async fn poll(&mut self, client: &Client) -> Result<Vec<ResourceEvent>, AwsError> {
        let mut fresh = Vec::new();
        let mut token: Option<String> = None;
        'pages: loop {
            let out = client
                .describe_stack_events()
                .stack_name(&self.stack)
                .set_next_token(token.clone())
                .send()
                .await
                .map_err(|e| AwsError::from_sdk("DescribeStackEvents", e))?;
            for e in out.stack_events() {
                let id = e.event_id().unwrap_or_default();
                let too_old = match (&self.since, e.timestamp()) {
                    (Some(since), Some(ts)) => ts < since,
                    _ => false,
                };
                let other_operation = self.token.as_deref().is_some_and(|t| e.client_request_token() != Some(t));
                if too_old || other_operation || self.seen.contains(id) {
                    break 'pages;
                }
                self.seen.insert(id.to_string());
                fresh.push(ResourceEvent {
                    logical_id: e.logical_resource_id().unwrap_or_default().to_string(),
                    resource_type: e.resource_type().unwrap_or_default().to_string(),
                    status: e.resource_status().map(|s| s.as_str().to_string()).unwrap_or_default(),
                    reason: e.resource_status_reason().filter(|r| !r.is_empty()).map(str::to_string),
                });
            }
            token = out.next_token().map(str::to_string);
            if token.is_none() {
                break;
            }
        }
        fresh.reverse();
        self.history.extend(fresh.iter().cloned());
        Ok(fresh)
    }

    /// The first failed resource events, at most `limit`, leaving out knock-on cancellations when there is a
    /// real cause.
    pub fn first_failures(&self, limit: usize) -> Vec<ResourceEvent> {
        first_failures(&self.history, limit)
    }
}

/// The first failed events of `events` (oldest first), at most `limit`. The stack's own `*_FAILED` events count:
/// their reason is where CloudFormation says why a whole operation failed (for a deletion, "Export ... cannot
/// be deleted as it is in use by ...").
pub fn first_failures(events: &[ResourceEvent], limit: usize) -> Vec<ResourceEvent> {
    let failures: Vec<&ResourceEvent> = events.iter().filter(|e| e.is_failure()).collect();
    let causes: Vec<&ResourceEvent> = failures.iter().copied().filter(|e| !e.is_knock_on()).collect();
    let picked = if causes.is_empty() { failures } else { causes };
    picked.into_iter().take(limit).cloned().collect()
}

/// Counts resources that finished (a `*_COMPLETE` status), each logical id once, the stack itself left out.
pub fn finished_resources(events: &[ResourceEvent]) -> usize {
    events
        .iter()
        .filter(|e| e.resource_type != "AWS::CloudFormation::Stack" && e.status.ends_with("_COMPLETE"))
        .map(|e| e.logical_id.as_str())
        .collect::<HashSet<_>>()
        .len()
}
