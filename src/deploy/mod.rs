//! The CloudFormation deployer (issue 4): reads a cloud assembly and deploys, diffs or destroys its stacks.
//!
//! `commands` is the CLI edge; everything else takes injected clients, so recorded responses can drive it.

pub mod account;
pub mod approval;
pub mod changeset;
pub mod client;
pub mod commands;
pub mod deployment;
pub mod destroy;
pub mod diff;
pub mod error;
pub mod events;
pub mod host;
pub mod interrupt;
pub mod kubeconfig;
pub mod monitor;
pub mod progress;
pub mod schedule;
pub mod selection;
pub mod stack;
pub mod tuning;
pub mod volumes;
pub mod yaml;

#[cfg(test)]
mod recorded_tests;
#[cfg(test)]
pub mod testing;
