//! Placeholder: replaced by the deployer work (issue 4).

use anyhow::{bail, Result};
use std::path::Path;
use std::process::ExitCode;

use crate::cli::{DeployArgs, DestroyArgs, DiffArgs, KubeconfigArgs};

pub fn deploy(_config: Option<&Path>, _args: DeployArgs) -> Result<ExitCode> {
    bail!("deploy is not built yet")
}

pub fn diff(_config: Option<&Path>, _args: DiffArgs) -> Result<ExitCode> {
    bail!("diff is not built yet")
}

pub fn destroy(_config: Option<&Path>, _args: DestroyArgs) -> Result<ExitCode> {
    bail!("destroy is not built yet")
}

pub fn kubeconfig(_config: Option<&Path>, _args: KubeconfigArgs) -> Result<ExitCode> {
    bail!("kubeconfig is not built yet")
}
