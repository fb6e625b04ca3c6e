//! The CloudFormation deployer (issue 4).

pub mod commands;
