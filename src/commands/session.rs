//! What every AWS-facing command starts from: a Tokio runtime and the SDK configuration from `--profile` and
//! `--region`.

use anyhow::{Context, Result};

use crate::cli::AwsArgs;
use crate::deploy::client::{Aws, AwsOptions};
use crate::deploy::tuning::Tuning;

/// Exit code after Ctrl-C (128 + SIGINT), as shells report it.
pub const EXIT_INTERRUPTED: u8 = 130;

pub fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread().enable_all().build().context("starting the async runtime")
}

/// The SDK configuration for `args` (no network call).
pub async fn aws(args: &AwsArgs, tuning: Tuning) -> Aws {
    Aws::load(&AwsOptions { profile: args.profile.clone(), region: args.region.clone() }, tuning).await
}
