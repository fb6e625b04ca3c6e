//! Reading the Karmada kubeconfig the management host stores in the Secrets Manager secret
//! `<app>/karmada/kubeconfig` (through Parameter Store's `/aws/reference/secretsmanager/` path: no Secrets Manager
//! client needed), and saving it readable by the owner only.

use std::path::Path;

use constructs::core::output_path::{self, FileWrite, OutputError, OwnFile};

use super::error::AwsError;

/// The SSM name that reads the kubeconfig secret: `/aws/reference/secretsmanager/<app>/karmada/kubeconfig`. The
/// kubeconfig does not fit an SSM parameter (about 8,700 bytes with `init`'s 3072-bit keys; an Advanced-tier
/// SecureString holds 8,192), so the host stores it in Secrets Manager (issue 9, item 3). Parameter Store serves
/// Secrets Manager references only to GetParameter(s) with decryption (SSM user guide, "Referencing AWS Secrets
/// Manager secrets from Parameter Store parameters").
pub fn parameter_name(app: &str) -> String {
    use constructs::karmada::wellknown::{kubeconfig_secret, secret_reference};
    secret_reference(&kubeconfig_secret(app))
}

/// The decrypted value of `name` (for a secret reference: its SecretString); `Ok(None)` when it does not exist.
pub async fn read(client: &aws_sdk_ssm::Client, name: &str) -> Result<Option<String>, AwsError> {
    match client.get_parameter().name(name).with_decryption(true).send().await {
        Ok(out) => Ok(out.parameter().and_then(|p| p.value()).map(str::to_string)),
        Err(e) => {
            let e = AwsError::from_sdk("GetParameter", e);
            if e.is_not_found() {
                Ok(None)
            } else {
                Err(e)
            }
        }
    }
}

/// The first line of every kubeconfig [`save`] writes: how `karmada-eks kubeconfig` recognises a file it may
/// replace. kubectl reads it as a YAML comment.
pub const SAVED_MARKER: &str =
    "# Saved by `karmada-eks kubeconfig`, which replaces this file when run again; delete this line to keep it.\n";

/// Writes the kubeconfig `content` to `path` with mode 0600, after [`SAVED_MARKER`]: through a new temporary file
/// in the same directory renamed into place, so the file never exists with wider permissions or half written. An
/// existing regular file is replaced only when it starts with the marker or `force` is set; a symlink, a
/// directory or a device never (see [`output_path::write_file`]).
pub fn save(path: &Path, content: &str, force: bool) -> Result<(), OutputError> {
    let saved = |head: &[u8]| head.starts_with(SAVED_MARKER.as_bytes());
    let how = FileWrite {
        mode: 0o600,
        force,
        offers_force: true,
        owned: Some(OwnFile { recognise: &saved, what: "a kubeconfig karmada-eks saved" }),
        leftovers: None,
        elsewhere: "choose another file with -o FILE",
    };
    output_path::write_file(path, format!("{SAVED_MARKER}{content}").as_bytes(), &how)
}

#[cfg(test)]
mod tests {
    use super::*;
    use constructs::core::hints::rendered;

    fn mode(path: &Path) -> u32 {
        use std::os::unix::fs::PermissionsExt;
        std::fs::symlink_metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn saves_owner_only_and_replaces_only_what_it_saved() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k.config");
        save(&path, "apiVersion: v1\n", false).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), format!("{SAVED_MARKER}apiVersion: v1\n"));
        assert_eq!(mode(&path), 0o600);
        save(&path, "apiVersion: v1\nkind: Config\n", false).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), format!("{SAVED_MARKER}apiVersion: v1\nkind: Config\n"));
        assert_eq!(parameter_name("karmada"), "/aws/reference/secretsmanager/karmada/karmada/kubeconfig");
    }

    #[test]
    fn a_foreign_file_is_replaced_only_with_force() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config");
        std::fs::write(&path, "apiVersion: v1\nclusters: []\n").unwrap();
        let err = save(&path, "new", false).unwrap_err();
        let OutputError::Refused(refused) = &err else { panic!("{err}") };
        assert_eq!(refused.path, path);
        assert!(rendered(&err).contains("already exists and is not a kubeconfig karmada-eks saved"), "{err}");
        assert!(rendered(&err).contains("hint: pass --force to overwrite it, or choose another file"), "{err}");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "apiVersion: v1\nclusters: []\n");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1, "no temporary file is left");

        save(&path, "new", true).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), format!("{SAVED_MARKER}new"));
        assert_eq!(mode(&path), 0o600);
    }

    /// A temporary file a killed run left (it holds a credential) goes when it is one this command wrote; a file
    /// of the same name pattern that is not stays.
    #[test]
    fn temporaries_of_killed_runs_are_removed_only_when_they_are_its_own() {
        let dir = tempfile::tempdir().unwrap();
        let ours = dir.path().join(".k.config.tmp-999999999");
        let theirs = dir.path().join(".k.config.tmp-999999998-1");
        std::fs::write(&ours, format!("{SAVED_MARKER}apiVersion: v1\n")).unwrap();
        std::fs::write(&theirs, "apiVersion: v1\n").unwrap();
        save(&dir.path().join("k.config"), "apiVersion: v1\n", false).unwrap();
        assert!(!ours.exists());
        assert_eq!(std::fs::read_to_string(&theirs).unwrap(), "apiVersion: v1\n");
    }

    /// A symlink is never followed, with or without `--force`: the file it points to keeps its bytes.
    #[test]
    fn a_symlink_is_never_followed() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("target");
        std::fs::write(&target, format!("{SAVED_MARKER}old")).unwrap();
        let link = dir.path().join("link");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        for force in [false, true] {
            let err = save(&link, "new", force).unwrap_err();
            assert!(matches!(err, OutputError::Refused(_)), "{err}");
            assert!(err.to_string().contains("is a symbolic link to"), "{err}");
            assert_eq!(std::fs::read_to_string(&target).unwrap(), format!("{SAVED_MARKER}old"));
            assert_eq!(std::fs::read_link(&link).unwrap(), target);
        }
        let err = save(dir.path(), "new", true).unwrap_err();
        assert!(err.to_string().contains("is a directory, not a regular file"), "{err}");
    }
}
