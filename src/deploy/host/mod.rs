//! Commands on the management host through SSM Run Command: the runner, the day-2 reconcile and the Karmada
//! part of `status` (docs/lifecycle.md, "What the host calls").

pub mod backup;
pub mod reconcile;
pub mod run_command;
pub mod status;

#[cfg(test)]
pub(crate) mod recorded_tests;
