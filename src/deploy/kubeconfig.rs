//! Reading the Karmada kubeconfig the management host stores in the Secrets Manager secret
//! `<app>/karmada/kubeconfig` (through Parameter Store's `/aws/reference/secretsmanager/` path: no Secrets Manager
//! client needed), and saving it readable by the owner only.

use std::io::Write;
use std::path::Path;

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

/// Writes `content` to `path` with mode 0600: through a temporary file in the same directory, renamed into
/// place, so the file never exists with wider permissions or half written.
pub fn save(path: &Path, content: &str) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "kubeconfig".into());
    let tmp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let _ = std::fs::remove_file(&tmp);
    let result = options.open(&tmp).and_then(|mut f| {
        f.write_all(content.as_bytes())?;
        f.sync_all()
    });
    let result = result.and_then(|()| std::fs::rename(&tmp, path));
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn saves_with_owner_only_permissions_over_an_existing_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k.config");
        std::fs::write(&path, "old").unwrap();
        save(&path, "apiVersion: v1\n").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "apiVersion: v1\n");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        }
        assert_eq!(parameter_name("karmada"), "/aws/reference/secretsmanager/karmada/karmada/kubeconfig");
    }
}
