//! Progress of stack operations: one event type, shown as progress bars on a terminal, plain lines otherwise,
//! or JSON lines with `--json`.

use indicatif::{MultiProgress, ProgressBar, ProgressStyle};
use serde::Serialize;
use std::collections::HashMap;
use std::io::Write;
use std::sync::Mutex;
use std::time::Duration;

use super::changeset::Change;
use super::events::ResourceEvent;

/// Something that happened to a stack, in the order it happened.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum ProgressEvent {
    /// Work on a stack started (`action`: create, update, delete, wait, check).
    Started { stack: String, region: String, action: String },
    /// The stack already matches the assembly.
    Skipped { stack: String, reason: String },
    /// The change set's resource changes, before executing.
    Changes { stack: String, changes: Vec<Change> },
    /// A resource event; `done` of `total` resources have finished.
    Resource {
        stack: String,
        done: usize,
        total: usize,
        #[serde(flatten)]
        resource: ResourceEvent,
    },
    /// A remark about the stack (clean-up, waiting for an earlier operation, ...).
    Note { stack: String, message: String },
    /// The operation ended with `status`.
    Finished { stack: String, status: String, ok: bool, seconds: u64 },
    /// The preflight checks ran before the first change: `report` as `doctor --json` writes it, `table` as
    /// `doctor` prints it when a check is not ok (empty when all are).
    Preflight {
        #[serde(skip)]
        table: String,
        #[serde(flatten)]
        report: serde_json::Value,
    },
}

impl ProgressEvent {
    fn stack(&self) -> &str {
        match self {
            ProgressEvent::Started { stack, .. }
            | ProgressEvent::Skipped { stack, .. }
            | ProgressEvent::Changes { stack, .. }
            | ProgressEvent::Resource { stack, .. }
            | ProgressEvent::Note { stack, .. }
            | ProgressEvent::Finished { stack, .. } => stack,
            ProgressEvent::Preflight { .. } => "",
        }
    }

    /// The event as one line of text.
    pub fn line(&self) -> String {
        match self {
            ProgressEvent::Started { stack, region, action } => format!("{stack}: {action} in {region}"),
            ProgressEvent::Skipped { stack, reason } => format!("{stack}: no changes ({reason})"),
            ProgressEvent::Changes { stack, changes } => {
                let mut text = format!("{stack}: {} change(s)", changes.len());
                for c in changes {
                    text.push_str(&format!("\n  {}", c.line()));
                }
                text
            }
            ProgressEvent::Resource { stack, done, total, resource } => {
                format!("{stack}: [{done}/{total}] {}", resource.line())
            }
            ProgressEvent::Note { stack, message } => format!("{stack}: {message}"),
            ProgressEvent::Finished { stack, status, seconds, .. } => format!("{stack}: {status} ({seconds}s)"),
            ProgressEvent::Preflight { table, .. } => table.trim_end().to_string(),
        }
    }
}

/// Receives progress events; implementations decide how to show them.
pub trait Reporter: Send + Sync {
    fn report(&self, event: ProgressEvent);
    /// Runs `f` with the display paused (to ask a question).
    fn suspend(&self, f: &mut dyn FnMut()) {
        f()
    }
}

/// One line per event on stderr (no terminal, or a terminal without `--json`... when bars are off).
#[derive(Default)]
pub struct PlainReporter;

impl Reporter for PlainReporter {
    fn report(&self, event: ProgressEvent) {
        if let ProgressEvent::Preflight { table, .. } = &event {
            let _ = write!(std::io::stdout().lock(), "{table}");
            return;
        }
        let _ = writeln!(std::io::stderr().lock(), "{}", event.line());
    }
}

/// One JSON object per line on stdout.
#[derive(Default)]
pub struct JsonReporter;

impl Reporter for JsonReporter {
    fn report(&self, event: ProgressEvent) {
        if let Ok(line) = serde_json::to_string(&event) {
            let _ = writeln!(std::io::stdout().lock(), "{line}");
        }
    }
}

/// A progress bar per stack (resources done / total, the resource in progress); other events as lines above
/// the bars.
pub struct BarReporter {
    multi: MultiProgress,
    bars: Mutex<HashMap<String, ProgressBar>>,
}

impl Default for BarReporter {
    fn default() -> Self {
        BarReporter { multi: MultiProgress::new(), bars: Mutex::new(HashMap::new()) }
    }
}

impl BarReporter {
    fn bar(&self, stack: &str) -> ProgressBar {
        let mut bars = self.bars.lock().unwrap_or_else(|e| e.into_inner());
        bars.entry(stack.to_string())
            .or_insert_with(|| {
                let style = ProgressStyle::with_template("{spinner} {prefix:.bold} [{bar:25}] {pos}/{len} {msg}")
                    .unwrap_or_else(|_| ProgressStyle::default_bar())
                    .progress_chars("=> ");
                let bar = self.multi.add(ProgressBar::new(0)).with_style(style).with_prefix(stack.to_string());
                bar.enable_steady_tick(Duration::from_millis(120));
                bar
            })
            .clone()
    }
}

impl Reporter for BarReporter {
    fn report(&self, event: ProgressEvent) {
        match &event {
            ProgressEvent::Resource { stack, done, total, resource } => {
                let bar = self.bar(stack);
                bar.set_length(*total as u64);
                bar.set_position(*done as u64);
                bar.set_message(format!("{} {}", resource.logical_id, resource.status));
                if resource.status.ends_with("FAILED") {
                    let _ = self.multi.println(event.line());
                }
            }
            ProgressEvent::Finished { stack, .. } => {
                let bar = self.bar(stack);
                bar.finish_and_clear();
                self.multi.remove(&bar);
                let _ = self.multi.println(event.line());
            }
            ProgressEvent::Started { stack, action, .. } => {
                self.bar(stack).set_message(action.clone());
                let _ = self.multi.println(event.line());
            }
            ProgressEvent::Preflight { table, .. } => self.multi.suspend(|| {
                let _ = write!(std::io::stdout().lock(), "{table}");
            }),
            _ => {
                let _ = self.multi.println(event.line());
                if matches!(event, ProgressEvent::Skipped { .. }) {
                    let removed = self.bars.lock().unwrap_or_else(|e| e.into_inner()).remove(event.stack());
                    if let Some(bar) = removed {
                        bar.finish_and_clear();
                        self.multi.remove(&bar);
                    }
                }
            }
        }
    }

    fn suspend(&self, f: &mut dyn FnMut()) {
        self.multi.suspend(f)
    }
}

/// Shows nothing (waiting out an earlier operation).
#[derive(Default)]
pub struct SilentReporter;

impl Reporter for SilentReporter {
    fn report(&self, _event: ProgressEvent) {}
}

/// Keeps every event (tests).
#[cfg(test)]
#[derive(Default)]
pub struct RecordingReporter {
    pub events: Mutex<Vec<ProgressEvent>>,
}

#[cfg(test)]
impl RecordingReporter {
    pub fn events(&self) -> Vec<ProgressEvent> {
        self.events.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

#[cfg(test)]
impl Reporter for RecordingReporter {
    fn report(&self, event: ProgressEvent) {
        self.events.lock().unwrap_or_else(|e| e.into_inner()).push(event);
    }
}

/// The reporter for the output mode: JSON lines, bars on a terminal, else plain lines.
pub fn for_output(json: bool) -> Box<dyn Reporter> {
    use std::io::IsTerminal;
    if json {
        Box::new(JsonReporter)
    } else if std::io::stderr().is_terminal() {
        Box::new(BarReporter::default())
    } else {
        Box::new(PlainReporter)
    }
}
