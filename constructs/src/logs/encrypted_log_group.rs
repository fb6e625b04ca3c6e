//! A CloudWatch Logs group encrypted with a KMS key of its own.

use serde_json::json;

use crate::cfn::logs::CfnLogGroup;
use crate::core::{Expr, ResourceRef, Scope};
use crate::kms::{Key, KeyProps};

/// A log group with a retention period, encrypted with its own KMS key.
///
/// Creates the key `Key` (yearly rotation) whose policy lets CloudWatch Logs of the stack's region use it only
/// for log groups of this account (`kms:EncryptionContext:aws:logs:arn`, as "Encrypt log data in CloudWatch
/// Logs using AWS KMS" in the CloudWatch Logs user guide prescribes), and the group `LogGroup`. Deleting the
/// stack deletes the group and schedules the key's deletion: nothing is left behind.
pub struct EncryptedLogGroupProps {
    /// The group's name; a service that writes to a fixed name (EKS: `/aws/eks/<cluster>/cluster`) needs it.
    /// Default: `None`, a name CloudFormation generates.
    pub name: Option<String>,
    /// Days the events are kept (one of CloudWatch Logs' retention periods).
    pub retention_days: u32,
    /// What the key encrypts, for its description.
    pub key_description: String,
}

/// The group and its key.
#[derive(Clone, Debug)]
pub struct EncryptedLogGroup {
    group: ResourceRef,
    key: Key,
}

impl EncryptedLogGroup {
    pub fn new(scope: &mut Scope, props: EncryptedLogGroupProps) -> Self {
        let log_groups = match &props.name {
            Some(name) => format!("logs:${{AWS::Region}}:${{AWS::AccountId}}:log-group:{name}"),
            None => "logs:${AWS::Region}:${AWS::AccountId}:log-group:*".to_string(),
        };
        let key = Key::new(
            scope,
            "Key",
            KeyProps {
                description: props.key_description,
                extra_statements: vec![json!({
                    "Sid": "CloudWatchLogsEncrypts",
                    "Effect": "Allow",
                    "Principal": {"Service": Expr::sub("logs.${AWS::Region}.${AWS::URLSuffix}", Vec::<(String, Expr)>::new())},
                    "Action": ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
                    "Resource": "*",
                    "Condition": {"ArnLike": {"kms:EncryptionContext:aws:logs:arn": Expr::arn(&log_groups)}}
                })],
            },
        );
        let group = scope.add(
            "LogGroup",
            CfnLogGroup {
                log_group_name: props.name.map(Expr::from),
                retention_in_days: Some(props.retention_days),
                kms_key_id: Some(key.arn()),
                tags: Vec::new(),
            },
        );
        EncryptedLogGroup { group, key }
    }

    pub fn resource(&self) -> &ResourceRef {
        &self.group
    }

    /// The group's name.
    pub fn name(&self) -> Expr {
        self.group.r#ref()
    }

    pub fn arn(&self) -> Expr {
        self.group.get_att("Arn")
    }

    pub fn key(&self) -> &Key {
        &self.key
    }
}
