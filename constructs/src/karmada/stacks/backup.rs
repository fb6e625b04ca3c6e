//! `<app>-backup`: the S3 bucket of Karmada's backups (etcd snapshots and the certificates a restore needs),
//! versioned, KMS-encrypted, TLS only, retained on delete.

use super::stack_tags::tag;
use crate::core::{App, Environment};
use crate::karmada::config::Config;
use crate::karmada::wellknown::{Part, StackNames, BACKUP_BUCKET_OUTPUT};
use crate::s3::{PrivateBucket, PrivateBucketProps};

/// The stack `<app>-backup`: the bucket of Karmada's backups. Nothing in it depends on another stack, so it is
/// deployed first and a destroy that keeps it keeps nothing else.
pub fn backup_stack(app: &mut App, config: &Config, names: &StackNames, env: &Environment) -> PrivateBucket {
    let stack = app.add_stack(&names.backup, env.clone());
    stack.set_description(
        "karmada-eks: S3 bucket of Karmada's backups (etcd snapshots and certificates), kept by destroy",
    );
    tag(stack, config, Part::Backup);
    let mut s = stack.scope();
    let bucket = PrivateBucket::new(
        &mut s,
        "Backups",
        PrivateBucketProps {
            purpose: format!("Karmada backups of app {}", config.app),
            expire_after_days: config.backup.retain_days,
            ..Default::default()
        },
    );
    s.stack_mut().add_output(
        BACKUP_BUCKET_OUTPUT,
        bucket.name(),
        "S3 bucket of Karmada's backups: karmada-eks backup writes it, karmada-eks restore reads it",
        None,
    );
    bucket
}
