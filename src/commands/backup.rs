//! `backup`: a backup of Karmada now (`karmada-eks-reconcile backup manual` on the management host): the etcd
//! snapshot and the certificates, into the app's bucket.

use anyhow::Result;
use std::path::Path;
use std::process::ExitCode;

use crate::cli::BackupArgs;
use crate::deploy::host::backup::HostAction;

pub fn run(config_path: Option<&Path>, args: BackupArgs) -> Result<ExitCode> {
    super::on_host::run(
        config_path,
        &args.assembly,
        &args.aws,
        HostAction::Backup { reason: "manual".into() },
        args.json,
    )
}
