//! Following a running stack operation: poll DescribeStacks and DescribeStackEvents with backoff, report new
//! resource events as progress, stop at a terminal status or on Ctrl-C.

use aws_sdk_cloudformation::Client;

use super::error::{AwsError, AwsErrorKind};
use super::events::{finished_resources, EventStream, ResourceEvent};
use super::interrupt::Interrupt;
use super::progress::{ProgressEvent, Reporter};
use super::stack::{self, DeployedStack};
use super::tuning::{Backoff, Tuning};

/// How following ended.
#[derive(Debug)]
pub enum Followed {
    /// A terminal status; `None` when the stack is gone (deleted).
    Done { stack: Option<DeployedStack>, events: Vec<ResourceEvent> },
    /// Ctrl-C while the operation was still running; `status` is the last one seen.
    Interrupted { status: String },
}

/// What to follow.
pub struct Follow<'a> {
    pub client: &'a Client,
    /// Name shown in progress.
    pub name: &'a str,
    /// Stack id (or name) to poll.
    pub stack_id: &'a str,
    /// The stack's event stream, positioned after the events of earlier operations.
    pub events: EventStream,
    /// Resources the operation touches (progress total).
    pub total: usize,
    /// Whether a stack that disappeared counts as done (deletes).
    pub gone_is_done: bool,
}

/// How many polls a finished status without any event of the operation is doubted before it is believed. A
/// DescribeStacks answer can predate the operation just started; the operation's own events (by client request
/// token) prove it has run. A service that does not put tokens on events (moto) is believed after these polls.
const UNPROVEN_POLLS: usize = 3;

/// Polls until the stack leaves every `*_IN_PROGRESS` status. Throttling that outlasts the SDK's retries only
/// lengthens the wait.
pub async fn follow(
    f: Follow<'_>,
    reporter: &dyn Reporter,
    tuning: &Tuning,
    interrupt: &mut Interrupt,
) -> Result<Followed, AwsError> {
    let mut events = f.events;
    let mut backoff = Backoff::new(tuning);
    let mut last_status = String::new();
    let mut seen_running = false;
    let mut polls = 0;
    loop {
        polls += 1;
        match events.poll(f.client).await {
            Ok(fresh) => {
                let base = events.history.len() - fresh.len();
                for (i, resource) in fresh.into_iter().enumerate() {
                    let done = finished_resources(&events.history[..=base + i]).min(f.total.max(1));
                    reporter.report(ProgressEvent::Resource {
                        stack: f.name.to_string(),
                        done,
                        total: f.total,
                        resource,
                    });
                }
            }
            Err(e) if e.kind == AwsErrorKind::Throttling => {}
            Err(e) if e.is_not_found() && f.gone_is_done => {}
            Err(e) => return Err(e),
        }
        match stack::describe(f.client, f.stack_id).await {
            Ok(None) if f.gone_is_done => return Ok(Followed::Done { stack: None, events: events.history }),
            Ok(None) => {
                return Err(AwsError {
                    operation: "DescribeStacks",
                    kind: AwsErrorKind::NotFound,
                    code: None,
                    message: format!("stack {} disappeared while it was being deployed", f.name),
                    request_id: None,
                })
            }
            Ok(Some(s)) if s.status == "DELETE_COMPLETE" && f.gone_is_done => {
                return Ok(Followed::Done { stack: None, events: events.history })
            }
            Ok(Some(s)) if !s.status.ends_with("_IN_PROGRESS") => {
                if events.saw_operation() || seen_running || polls >= UNPROVEN_POLLS {
                    return Ok(Followed::Done { stack: Some(s), events: events.history });
                }
                last_status = s.status;
            }
            Ok(Some(s)) => {
                seen_running = true;
                last_status = s.status;
            }
            Err(e) if e.kind == AwsErrorKind::Throttling => {}
            Err(e) => return Err(e),
        }
        if !interrupt.sleep(backoff.next_wait()).await {
            return Ok(Followed::Interrupted { status: last_status });
        }
    }
}
