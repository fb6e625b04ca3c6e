//! What every AWS-facing command starts from: a Tokio runtime and the SDK configuration from `--profile` and
//! `--region`.

use anyhow::{Context, Result};
use std::sync::Arc;

use crate::cli::AwsArgs;
use crate::deploy::client::{Aws, AwsOptions};
use crate::deploy::destroy::FinalBackup;
use crate::deploy::host::backup::HostBackup;
use crate::deploy::host::reconcile::HostUnjoin;
use crate::deploy::host::run_command::{Host, HostTimeouts};
use crate::deploy::interrupt::Interrupt;
use crate::deploy::progress::Reporter;
use crate::deploy::tuning::Tuning;
use crate::deploy::unjoin::MemberUnjoin;

/// Exit code after Ctrl-C (128 + SIGINT), as shells report it.
pub const EXIT_INTERRUPTED: u8 = 130;

pub fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread().enable_all().build().context("starting the async runtime")
}

/// The SDK configuration for `args` (no network call).
pub async fn aws(args: &AwsArgs, tuning: Tuning) -> Aws {
    Aws::load(&AwsOptions { profile: args.profile.clone(), region: args.region.clone() }, tuning).await
}

/// Makes the [`Host`] of an instance for the hooks below: default timeouts, stopped by `interrupt`, progress to
/// `reporter`.
fn connector(
    tuning: Tuning,
    interrupt: &Interrupt,
    reporter: &Arc<dyn Reporter>,
) -> impl Fn(aws_sdk_ssm::Client, &str) -> Host + Send + Sync + 'static {
    let (interrupt, reporter) = (interrupt.clone(), reporter.clone());
    move |ssm: aws_sdk_ssm::Client, instance: &str| {
        Host::new(ssm, instance, tuning, HostTimeouts::default(), interrupt.clone(), reporter.clone())
    }
}

/// The hook deploy and destroy unjoin members with: `karmada-eks-reconcile unjoin` on the app's management host
/// (found in `home`, the app's region, when called), through SSM Run Command, stopped by `interrupt`.
pub fn host_unjoin(
    aws: &Aws,
    home: &str,
    app: &str,
    tuning: Tuning,
    interrupt: &Interrupt,
    reporter: &Arc<dyn Reporter>,
) -> Arc<dyn MemberUnjoin> {
    let connect = connector(tuning, interrupt, reporter);
    Arc::new(HostUnjoin { cfn: aws.cloudformation(home), ssm: aws.ssm(home), app: app.to_string(), connect })
}

/// The final-backup hook of destroy: `karmada-eks-reconcile backup final` on the app's host, found when called.
pub fn host_final_backup(
    aws: &Aws,
    home: &str,
    app: &str,
    tuning: Tuning,
    interrupt: &Interrupt,
    reporter: &Arc<dyn Reporter>,
) -> Arc<dyn FinalBackup> {
    let connect = connector(tuning, interrupt, reporter);
    Arc::new(HostBackup { cfn: aws.cloudformation(home), ssm: aws.ssm(home), app: app.to_string(), connect })
}
