//! The CloudFormation deployer (issue 4): reads a cloud assembly and deploys, diffs or destroys its stacks.
//!
//! An engine: it imports nothing from the CLI (`crate::commands` drives it) and takes injected clients, reporter
//! and approver, so recorded responses can drive it.

pub mod account;
pub mod approval;
pub mod changeset;
pub mod client;
pub mod credentials;
pub mod deployment;
pub mod destroy;
pub mod diff;
pub mod ec2;
pub mod error;
pub mod events;
pub mod from_ssm;
pub mod host;
pub mod identity;
pub mod inputs;
pub mod interrupt;
pub mod inventory;
pub mod kubeconfig;
pub mod last_deploy;
pub mod lock;
pub mod lock_owner;
pub mod monitor;
pub mod ops;
pub mod outputs_file;
pub mod parameter;
pub mod preflight;
pub mod progress;
pub mod report;
pub mod request_log;
pub mod schedule;
pub mod selection;
pub mod stack;
pub mod stack_deployment;
pub mod status;
pub mod token;
pub mod tuning;
pub mod unjoin;
pub mod volumes;
pub mod yaml;

#[cfg(test)]
pub mod http_stand_in;
#[cfg(test)]
mod recorded_tests;
#[cfg(test)]
pub mod testing;
