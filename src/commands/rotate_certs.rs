//! `rotate-certs`: renew Karmada's leaf certificates now (`karmada-eks-reconcile certs renew` on the management
//! host), those due or with `--force` all of them.

use anyhow::Result;
use std::path::Path;
use std::process::ExitCode;

use crate::cli::RotateCertsArgs;
use crate::deploy::host::backup::HostAction;

pub fn run(config_path: Option<&Path>, args: RotateCertsArgs) -> Result<ExitCode> {
    super::on_host::run(
        config_path,
        &args.assembly,
        &args.aws,
        HostAction::RotateCerts { force: args.force },
        args.json,
    )
}
