//! A Secrets Manager secret that one IAM role fills and others only read.

use serde_json::json;

use crate::cfn::secretsmanager::{CfnResourcePolicy, CfnSecret};
use crate::core::{Expr, ResourceRef, Scope};
use crate::iam::policy::document;
use crate::kms::{Key, KeyProps};

/// An empty secret with a fixed name, encrypted with a KMS key of its own, whose value only one role may set.
///
/// Creates the key `Key` (yearly rotation, administered by the account) and the secret `Resource` (no value: the
/// writer puts the first version); [`WriterOnlySecret::only_written_by`] adds its resource policy `Policy`
/// (after the writer role exists, which itself may need the secret's ARN), which denies `PutSecretValue` to every
/// principal but `writer`, and `UpdateSecret` (which can also set a value) to every principal but `writer` and
/// CloudFormation acting for the deployer (`aws:CalledVia`), so stack updates of the secret's description or
/// tags keep working. Reading stays with IAM: whoever may `GetSecretValue` and decrypt with the key.
///
/// Deleting the stack deletes the secret without a recovery window: CloudFormation's delete of an
/// `AWS::SecretsManager::Secret` is a forced deletion (the `DeletionPolicy` attribute reference; a secret deleted
/// through `DeleteSecret` without `ForceDeleteWithoutRecovery` would block its name for 7-30 days). So a destroy
/// followed by a deploy with the same app name creates the secret again. The `DeleteSecret` API reference warns
/// that the forced deletion finishes "after a short delay" in the background; a redeploy reaches the secret only
/// after the network stack (minutes), well past it.
pub struct WriterOnlySecretProps {
    pub name: String,
    pub description: String,
}

/// The secret and its key.
#[derive(Clone, Debug)]
pub struct WriterOnlySecret {
    secret: ResourceRef,
    key: Key,
    id: String,
}

impl WriterOnlySecret {
    pub fn new(scope: &mut Scope, id: &str, props: WriterOnlySecretProps) -> Self {
        let mut scope = scope.child(id);
        let key = Key::new(
            &mut scope,
            "Key",
            KeyProps { description: format!("Encrypts the secret {}", props.name), extra_statements: Vec::new() },
        );
        let secret = scope.add(
            "Resource",
            CfnSecret {
                name: Some(props.name.into()),
                description: Some(props.description.into()),
                kms_key_id: Some(key.arn()),
                tags: Vec::new(),
            },
        );
        WriterOnlySecret { secret, key, id: id.to_string() }
    }

    /// Adds the resource policy that lets only `writer` (a role ARN) set the value; `scope` is the scope the
    /// secret was created in.
    pub fn only_written_by(&self, scope: &mut Scope, writer: Expr) {
        let not_writer = json!({"ArnNotEquals": {"aws:PrincipalArn": writer}});
        let mut not_writer_nor_cloudformation = not_writer.clone();
        not_writer_nor_cloudformation["ForAllValues:StringNotEquals"] =
            json!({"aws:CalledVia": ["cloudformation.amazonaws.com"]});
        scope.child(&self.id).add(
            "Policy",
            CfnResourcePolicy {
                secret_id: self.secret.r#ref(),
                resource_policy: document(vec![
                    json!({
                        "Sid": "OnlyTheWriterPutsValues",
                        "Effect": "Deny",
                        "Principal": {"AWS": "*"},
                        "Action": "secretsmanager:PutSecretValue",
                        "Resource": "*",
                        "Condition": not_writer
                    }),
                    json!({
                        "Sid": "OnlyTheWriterAndCloudFormationUpdate",
                        "Effect": "Deny",
                        "Principal": {"AWS": "*"},
                        "Action": "secretsmanager:UpdateSecret",
                        "Resource": "*",
                        "Condition": not_writer_nor_cloudformation
                    }),
                ]),
                block_public_policy: Some(true),
            },
        );
    }

    /// The secret's ARN.
    pub fn arn(&self) -> Expr {
        self.secret.r#ref()
    }

    pub fn key(&self) -> &Key {
        &self.key
    }
}
