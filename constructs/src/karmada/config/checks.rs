//! `[checks]` of `karmada-eks.toml`: checking aspects a user turns on; a resource that breaks one fails synth
//! (every command that synthesizes) with its construct path.

use serde::{Deserialize, Serialize};

use crate::checks::EncryptionCheck;
use crate::core::App;

/// Which checks run. Default: none.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ChecksConfig {
    /// Every EBS volume, log group and secret (Secrets Manager, and the cluster's Kubernetes secrets) encrypted
    /// with KMS; see [`EncryptionCheck`]. Default: false.
    pub encryption: bool,
}

impl ChecksConfig {
    /// Adds the checks that are on to `app`.
    pub fn add_to(&self, app: &mut App) {
        if self.encryption {
            app.add_aspect(EncryptionCheck);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::ChecksConfig;
    use crate::karmada::{Config, KarmadaApp};

    #[test]
    fn encryption_check_sees_overrides_and_names_the_path() {
        let on = "[checks]\nencryption = true\n";
        KarmadaApp::new(&Config::from_toml(on).unwrap()).unwrap().synth().unwrap();
        let text = format!(
            "{on}[[overrides]]\nstack = \"karmada-network\"\nresource = \"Vpc/FlowLog/LogGroup\"\npath = \"Properties.KmsKeyId\"\ndelete = true\n"
        );
        let app = KarmadaApp::new(&Config::from_toml(&text).unwrap()).unwrap();
        let e = app.synth().unwrap_err().to_string();
        assert!(e.contains("\n  karmada-network/Vpc/FlowLog/LogGroup: the log group has no KmsKeyId"), "{e}");
        let off = text.replace("encryption = true", "encryption = false");
        KarmadaApp::new(&Config::from_toml(&off).unwrap()).unwrap().synth().unwrap();
        assert_eq!(Config::default().checks, ChecksConfig::default());
    }
}
