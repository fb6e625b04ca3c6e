//! [`EncryptionCheck`]: every EBS volume, log group and secret encrypted at rest.

use serde_json::Value;

use crate::core::{Aspect, EntryNode};

/// Fails synth for a resource that stores data unencrypted or with no key of the account's own, as it will be
/// deployed (overrides included):
///
/// | type | rule |
/// | --- | --- |
/// | `AWS::EC2::Volume` | `Encrypted: true` |
/// | `AWS::EC2::Instance`, `AWS::EC2::LaunchTemplate` | block device mappings present (or, for an instance, a launch template), each EBS one `Encrypted: true` |
/// | `AWS::EKS::Nodegroup` | a launch template (volumes made from `DiskSize` follow the account's EBS default) |
/// | `AWS::Logs::LogGroup` | `KmsKeyId` |
/// | `AWS::SecretsManager::Secret` | `KmsKeyId` |
/// | `AWS::EKS::Cluster` | `EncryptionConfig` covering `secrets` (Kubernetes secrets) |
///
/// Sources (AWS CloudFormation resource reference): `AWS::EC2::Volume` `Encrypted` and the `Ebs` block device
/// type default to the account's EBS encryption-by-default setting; `AWS::Logs::LogGroup` data is always encrypted
/// but not with KMS unless `KmsKeyId` is set; a secret without `KmsKeyId` uses the AWS managed key
/// `aws/secretsmanager`, which cannot be shared across accounts or governed by a key policy of yours.
/// A value given as an intrinsic function (a condition, a reference) is not judged and passes.
#[derive(Clone, Copy, Debug, Default)]
pub struct EncryptionCheck;

impl Aspect for EncryptionCheck {
    fn check(&self, node: &mut EntryNode<'_>) {
        let props = node.properties().clone();
        let problem = match node.type_name() {
            "AWS::EC2::Volume" => (!is_true(&props["Encrypted"])).then(|| "the volume is not encrypted".to_string()),
            // An instance launched from a template gets its volumes from it; the template is checked itself.
            "AWS::EC2::Instance" if props.get("LaunchTemplate").is_some() && props.get("BlockDeviceMappings").is_none() => None,
            "AWS::EC2::Instance" => block_devices(&props["BlockDeviceMappings"], "BlockDeviceMappings"),
            "AWS::EC2::LaunchTemplate" => {
                block_devices(&props["LaunchTemplateData"]["BlockDeviceMappings"], "LaunchTemplateData.BlockDeviceMappings")
            }
            "AWS::EKS::Nodegroup" => props.get("LaunchTemplate").is_none().then(|| {
                "the node group has no launch template, so its volumes are encrypted only if the account encrypts EBS by default".to_string()
            }),
            "AWS::Logs::LogGroup" => {
                props.get("KmsKeyId").is_none().then(|| "the log group has no KmsKeyId (KMS encryption)".to_string())
            }
            "AWS::SecretsManager::Secret" => props
                .get("KmsKeyId")
                .is_none()
                .then(|| "the secret has no KmsKeyId: it would use the AWS managed key aws/secretsmanager".to_string()),
            "AWS::EKS::Cluster" => (!encrypts_secrets(&props["EncryptionConfig"]))
                .then(|| "the cluster has no EncryptionConfig for Kubernetes secrets".to_string()),
            _ => None,
        };
        if let Some(problem) = problem {
            node.error(format!("{problem}; the encryption check requires it ([checks] encryption)"));
        }
    }
}

/// `true`, `"true"`, or an intrinsic (not judged).
fn is_true(value: &Value) -> bool {
    match value {
        Value::Bool(b) => *b,
        Value::String(s) => s.eq_ignore_ascii_case("true"),
        Value::Object(_) => true,
        _ => false,
    }
}

fn block_devices(mappings: &Value, field: &str) -> Option<String> {
    let Some(list) = mappings.as_array() else {
        if mappings.is_object() {
            return None;
        }
        return Some(format!("{field} is missing, so the root volume is encrypted only if the AMI's snapshot or the account default encrypts it"));
    };
    list.iter().enumerate().find_map(|(i, m)| {
        let ebs = m.get("Ebs")?;
        (!is_true(&ebs["Encrypted"])).then(|| format!("{field}.{i}.Ebs.Encrypted is not true"))
    })
}

fn encrypts_secrets(config: &Value) -> bool {
    match config {
        Value::Array(items) => items.iter().any(|c| match &c["Resources"] {
            Value::Array(r) => r.iter().any(|r| r == "secrets" || r.is_object()),
            other => other.is_object(),
        }),
        other => other.is_object(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::{App, CfnResource, Environment, SynthError, TagFormat};
    use serde_json::json;

    macro_rules! raw {
        ($name:ident, $type:literal) => {
            #[derive(serde::Serialize)]
            struct $name(Value);
            impl CfnResource for $name {
                const TYPE: &'static str = $type;
                const TAGS: TagFormat = TagFormat::None;
            }
        };
    }
    raw!(Volume, "AWS::EC2::Volume");
    raw!(Instance, "AWS::EC2::Instance");
    raw!(LaunchTemplate, "AWS::EC2::LaunchTemplate");
    raw!(Nodegroup, "AWS::EKS::Nodegroup");
    raw!(LogGroup, "AWS::Logs::LogGroup");
    raw!(Secret, "AWS::SecretsManager::Secret");
    raw!(Cluster, "AWS::EKS::Cluster");

    fn errors(build: impl FnOnce(&mut crate::core::Scope<'_>)) -> Vec<String> {
        let mut app = App::new();
        build(&mut app.add_stack("s", Environment::new(None, "eu-west-1")).scope());
        app.add_aspect(EncryptionCheck);
        match app.synth() {
            Ok(_) => Vec::new(),
            Err(SynthError::Aspect { errors }) => errors,
            Err(e) => panic!("{e}"),
        }
    }

    #[test]
    fn encrypted_resources_pass() {
        let found = errors(|s| {
            s.add("V", Volume(json!({"Encrypted": true, "Size": 1})));
            s.add("I", Instance(json!({"BlockDeviceMappings": [{"DeviceName": "/dev/xvda", "Ebs": {"Encrypted": true}}, {"DeviceName": "/dev/sdb", "NoDevice": {}}]})));
            s.add(
                "T",
                LaunchTemplate(
                    json!({"LaunchTemplateData": {"BlockDeviceMappings": [{"Ebs": {"Encrypted": "true"}}]}}),
                ),
            );
            s.add("N", Nodegroup(json!({"LaunchTemplate": {"Id": "lt"}})));
            s.add("FromTemplate", Instance(json!({"LaunchTemplate": {"LaunchTemplateId": "lt"}})));
            s.add("L", LogGroup(json!({"KmsKeyId": "arn:aws:kms:eu-west-1:1:key/k"})));
            s.add("S", Secret(json!({"KmsKeyId": "alias/mine"})));
            s.add("C", Cluster(json!({"EncryptionConfig": [{"Resources": ["secrets"], "Provider": {"KeyArn": "k"}}]})));
            s.add("Cond", Volume(json!({"Encrypted": {"Fn::If": ["C", true, false]}})));
        });
        assert!(found.is_empty(), "{found:?}");
    }

    #[test]
    fn each_unencrypted_resource_is_an_error_with_its_path() {
        let found = errors(|s| {
            s.add("V", Volume(json!({"Size": 1})));
            s.child("Host").add("I", Instance(json!({"ImageId": "ami-1"})));
            s.add("T", LaunchTemplate(json!({"LaunchTemplateData": {"BlockDeviceMappings": [{"Ebs": {"Encrypted": true}}, {"Ebs": {"Encrypted": false}}]}})));
            s.add("N", Nodegroup(json!({"DiskSize": 20})));
            s.add("L", LogGroup(json!({"RetentionInDays": 7})));
            s.add("S", Secret(json!({"Name": "x"})));
            s.add("C", Cluster(json!({"Name": "c"})));
        });
        assert_eq!(found.len(), 7, "{found:#?}");
        assert_eq!(
            found[0],
            "s/V: the volume is not encrypted; the encryption check requires it ([checks] encryption)"
        );
        assert!(found[1].starts_with("s/Host/I: BlockDeviceMappings is missing"), "{}", found[1]);
        assert!(found[2].starts_with("s/T: LaunchTemplateData.BlockDeviceMappings.1.Ebs.Encrypted is not true"));
        assert!(found[3].starts_with("s/N: the node group has no launch template"));
        assert!(found[4].starts_with("s/L: the log group has no KmsKeyId"));
        assert!(found[5].starts_with("s/S: the secret has no KmsKeyId"));
        assert!(found[6].starts_with("s/C: the cluster has no EncryptionConfig"));
    }

    #[test]
    fn the_default_karmada_app_passes() {
        let mut app = crate::karmada::KarmadaApp::new(&crate::karmada::Config::default()).unwrap().into_app();
        app.add_aspect(EncryptionCheck);
        app.synth().unwrap();
    }
}
