//! Backups and restores of Karmada on the management host (`karmada-eks-reconcile backup | restore`, through SSM
//! Run Command): what `karmada-eks backup`, `karmada-eks restore` and `destroy`'s final backup run.

use aws_sdk_cloudformation::Client as CfnClient;
use serde::Serialize;

use super::reconcile::{management_instance, management_stack, ReconcileError};
use super::run_command::Host;
use crate::deploy::destroy::{BackupFuture, FinalBackup};
use crate::deploy::error::DeployError;

/// What to run on the host: a backup, a restore, or a certificate rotation (`karmada-eks-reconcile` subcommands).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HostAction {
    /// A backup now, labelled with the reason (`manual`, `final`, ...).
    Backup { reason: String },
    /// A restore of `key` (`backups/<time>-<reason>.tgz`), or of the newest backup.
    Restore { key: Option<String> },
    /// A renewal of the certificates due, or of all with `force` (`certs renew [--force]`).
    RotateCerts { force: bool },
}

impl HostAction {
    fn args(&self) -> Vec<&str> {
        match self {
            HostAction::Backup { reason } => vec!["backup", reason],
            HostAction::Restore { key } => vec!["restore", key.as_deref().unwrap_or("latest")],
            HostAction::RotateCerts { force: false } => vec!["certs", "renew"],
            HostAction::RotateCerts { force: true } => vec!["certs", "renew", "--force"],
        }
    }
}

/// What the host did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct BackupReport {
    /// `backup` or `restore`.
    pub action: &'static str,
    /// The backup written (`s3://<bucket>/backups/...`) or restored (`backups/...`), as the host printed it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// The host's output.
    pub output: String,
}

/// Runs `action` on `app`'s management host; `connect` makes the [`Host`] for its instance ID.
pub async fn run(
    cfn: &CfnClient,
    ssm: aws_sdk_ssm::Client,
    app: &str,
    action: &HostAction,
    connect: impl FnOnce(aws_sdk_ssm::Client, &str) -> Host,
) -> Result<BackupReport, ReconcileError> {
    let instance = management_instance(cfn, app).await?.ok_or_else(|| ReconcileError::NotDeployed {
        stack: management_stack(app),
        problem: "has no management instance".into(),
    })?;
    let host = connect(ssm, &instance);
    host.wait_until_managed().await?;
    let output = host.run_reconcile(&action.args(), true).await.map_err(|e| {
        // A fetcher from before backups (or certificate renewal) answers its usage (exit 2): deploy installs the
        // new one.
        if e.to_string().contains("usage: karmada-eks-reconcile") {
            ReconcileError::NotDeployed {
                stack: management_stack(app),
                problem: format!(
                    "has a host whose karmada-eks-reconcile predates `{}` (bootstrapped by an earlier release; the \
                     next deploy's reconcile installs the new one)",
                    action.args()[0]
                ),
            }
        } else {
            ReconcileError::Host(e)
        }
    })?;
    Ok(report(action, output))
}

/// destroy's final-backup hook ([`FinalBackup`]): `karmada-eks-reconcile backup final` on the host, found when
/// called; an app without a management host has nothing to back up.
pub struct HostBackup<F: Fn(aws_sdk_ssm::Client, &str) -> Host + Send + Sync> {
    pub cfn: CfnClient,
    pub ssm: aws_sdk_ssm::Client,
    pub app: String,
    /// Makes the [`Host`] for an instance ID.
    pub connect: F,
}

impl<F: Fn(aws_sdk_ssm::Client, &str) -> Host + Send + Sync> FinalBackup for HostBackup<F> {
    fn backup(&self) -> BackupFuture<'_> {
        Box::pin(async move {
            if management_instance(&self.cfn, &self.app).await?.is_none() {
                return Ok(None);
            }
            let action = HostAction::Backup { reason: "final".into() };
            match run(&self.cfn, self.ssm.clone(), &self.app, &action, &self.connect).await {
                Ok(report) => Ok(Some(report.location.unwrap_or_else(|| "taken".into()))),
                Err(e) if e.is_interrupted() => {
                    Err(DeployError::Interrupted { stack: management_stack(&self.app), detail: e.to_string() })
                }
                Err(ReconcileError::Aws(e)) => Err(DeployError::Aws(e)),
                Err(e) => Err(DeployError::on_host(&e)),
            }
        })
    }
}

fn report(action: &HostAction, output: String) -> BackupReport {
    let (name, prefix) = match action {
        HostAction::Backup { .. } => ("backup", "backup "),
        HostAction::Restore { .. } => ("restore", "restored "),
        HostAction::RotateCerts { .. } => {
            return BackupReport { action: "rotate-certs", location: None, output };
        }
    };
    let location = output
        .lines()
        .rev()
        .find_map(|l| l.strip_prefix(prefix))
        .map(|rest| rest.split_whitespace().next().unwrap_or_default().to_string());
    BackupReport { action: name, location, output }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_report_names_the_backup_the_host_wrote_or_restored() {
        let b = report(
            &HostAction::Backup { reason: "manual".into() },
            "backup s3://b/backups/20261203T160000Z-manual.tgz\n".into(),
        );
        assert_eq!(b.location.as_deref(), Some("s3://b/backups/20261203T160000Z-manual.tgz"));
        let r = report(
            &HostAction::Restore { key: None },
            "backup s3://b/backups/20261203T160100Z-pre-restore.tgz\nrestored backups/20261203T160000Z-manual.tgz (etcd revision 101)\nmembers: 3 of 3 Ready\n".into(),
        );
        assert_eq!(r.location.as_deref(), Some("backups/20261203T160000Z-manual.tgz"));
        assert_eq!(HostAction::Restore { key: None }.args(), ["restore", "latest"]);
    }
}
