//! Commands on the management host through SSM Run Command: the runner, the day-2 reconcile and the backups
//! (docs/lifecycle.md, "What the host calls").

pub mod backup;
pub mod reconcile;
pub mod run_command;

#[cfg(test)]
pub(crate) mod recorded_tests;
