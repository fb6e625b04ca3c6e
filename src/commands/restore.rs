//! `restore`: brings a backup back into the parent (`karmada-eks-reconcile restore KEY|latest` on the management
//! host), after one question: it replaces every registration and policy Karmada holds now.

use anyhow::Result;
use std::path::Path;
use std::process::ExitCode;

use crate::cli::RestoreArgs;
use crate::deploy::approval::{ask, Answer, TerminalApprover};
use crate::deploy::host::backup::HostAction;
use crate::deploy::progress::PlainReporter;
use crate::error::{Exit, UsageError};

pub fn run(config_path: Option<&Path>, args: RestoreArgs) -> Result<ExitCode> {
    if let Some(key) = args.from.as_deref().filter(|k| !is_backup_key(k)) {
        return Err(UsageError::new(format!("--from {key:?} is not a backup key"))
            .hint(
                "keys are backups/<UTC time>-<reason>.tgz, as `karmada-eks backup` and `karmada-eks status` print \
                 them; omit --from for the newest",
            )
            .into());
    }
    let which = args.from.clone().unwrap_or_else(|| "the newest backup".into());
    if !args.yes {
        let question = format!(
            "Restore {which} into Karmada? This replaces etcd's data (every member registration and policy) and the \
             certificate Secrets with the backup's; what runs now is backed up first"
        );
        match ask(&PlainReporter, &TerminalApprover::default(), &question) {
            Answer::Yes => {}
            Answer::No => {
                eprintln!("restore: not confirmed, nothing changed");
                return Ok(Exit::Failed.into());
            }
            Answer::Unavailable => {
                return Err(UsageError::new("restore needs a confirmation and there is no terminal to ask")
                    .hint("pass --yes")
                    .into());
            }
        }
    }
    super::on_host::run(config_path, &args.assembly, &args.aws, HostAction::Restore { key: args.from }, args.json)
}

/// `backups/<time>-<reason>.tgz` as the host names them: letters, digits, `-` and one `.tgz`.
fn is_backup_key(key: &str) -> bool {
    key.strip_prefix("backups/")
        .and_then(|k| k.strip_suffix(".tgz"))
        .is_some_and(|name| !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_keys_the_host_writes_are_restored() {
        assert!(is_backup_key("backups/20261203T160000Z-manual.tgz"));
        for bad in ["20261203T160000Z-manual.tgz", "backups/.tgz", "backups/x;rm.tgz", "backups/a/b.tgz", "latest"] {
            assert!(!is_backup_key(bad), "{bad}");
        }
    }
}
