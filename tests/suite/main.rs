//! The integration tests of the `karmada-eks` binary, as one test binary (cargo's `tests/testsuite`, jj's
//! `cli/tests/runner.rs`): the crate and its dependencies are linked once instead of once per file. Each module
//! is one area; [`support`] holds what several share (the CLI runner, the moto harness, the bootstrap harness).
//! The library's own tests are in `constructs/tests/`.

mod support;

mod app_lifecycle_moto;
mod atomic_synth;
mod bootstrap_certs;
mod bootstrap_checks;
mod bootstrap_harness;
mod bootstrap_reconcile;
mod bootstrap_scale;
mod bootstrap_schema;
mod bootstrap_upgrade;
mod cdk_cli;
mod cfn_lint;
mod checkov;
mod cli_synth;
mod cost;
mod deploy_moto;
mod deployer_policy_moto;
mod diagram;
mod doctor_moto;
mod ec2_moto;
mod fuzz_config;
mod host_role_moto;
mod library;
mod library_deploy;
mod no_secrets;
mod output_paths;
mod plan_cli;
mod security_summary;
mod snapshots;
mod upgrade_from_previous;
