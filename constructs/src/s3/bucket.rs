//! A private S3 bucket for data that must outlive the stacks that write it.

use serde_json::json;

use crate::cfn::s3::{
    AbortIncompleteMultipartUpload, BucketEncryption, CfnBucket, CfnBucketPolicy, LifecycleConfiguration,
    LifecycleRule, NoncurrentVersionExpiration, OwnershipControls, OwnershipControlsRule,
    PublicAccessBlockConfiguration, ServerSideEncryptionByDefault, ServerSideEncryptionRule, VersioningConfiguration,
};
use crate::core::{Expr, RemovalPolicy, ResourceRef, Scope};
use crate::iam::policy::document;
use crate::kms::{Key, KeyProps};

/// What the bucket keeps and for how long.
pub struct PrivateBucketProps {
    /// What the bucket holds, for the key's description.
    pub purpose: String,
    /// Days after which S3 expires an object (it becomes a noncurrent version). Default: 30.
    pub expire_after_days: u32,
    /// Days a noncurrent version (an expired, overwritten or deleted object) is kept before S3 removes it.
    /// Default: 7.
    pub noncurrent_days: u32,
}

impl Default for PrivateBucketProps {
    fn default() -> Self {
        PrivateBucketProps { purpose: "backups".into(), expire_after_days: 30, noncurrent_days: 7 }
    }
}

/// An `AWS::S3::Bucket` (name chosen by CloudFormation) with the defaults a backup store needs: versioned,
/// encrypted with a KMS key of its own (`Key`, yearly rotation, S3 Bucket Keys on), every public access
/// blocked, ACLs disabled (bucket owner enforced), a lifecycle rule expiring objects after
/// `expire_after_days` and noncurrent versions `noncurrent_days` later (unfinished multipart uploads after a
/// day), and a bucket policy (`Policy`) refusing any request not made over TLS.
///
/// The bucket and its key have `DeletionPolicy` and `UpdateReplacePolicy` `Retain`, as aws-cdk-lib's `Bucket`
/// defaults to: deleting the stack, or a change that would replace the bucket, keeps the data. A retained
/// bucket costs its storage and its key 1 USD a month until someone empties and deletes it.
pub struct PrivateBucket {
    bucket: ResourceRef,
    key: Key,
}

impl PrivateBucket {
    pub fn new(scope: &mut Scope, id: &str, props: PrivateBucketProps) -> Self {
        let mut scope = scope.child(id);
        let key = Key::new(
            &mut scope,
            "Key",
            KeyProps { description: format!("Encrypts the S3 bucket of {}", props.purpose), extra_statements: vec![] },
        );
        let bucket = scope.add(
            "Resource",
            CfnBucket {
                bucket_encryption: Some(BucketEncryption {
                    server_side_encryption_configuration: vec![ServerSideEncryptionRule {
                        server_side_encryption_by_default: Some(ServerSideEncryptionByDefault {
                            sse_algorithm: "aws:kms".into(),
                            kms_master_key_id: Some(key.arn()),
                        }),
                        bucket_key_enabled: Some(true),
                    }],
                }),
                lifecycle_configuration: Some(LifecycleConfiguration {
                    rules: vec![LifecycleRule {
                        id: Some("ExpireBackups".into()),
                        status: "Enabled".into(),
                        expiration_in_days: Some(props.expire_after_days),
                        noncurrent_version_expiration: Some(NoncurrentVersionExpiration {
                            noncurrent_days: props.noncurrent_days,
                        }),
                        abort_incomplete_multipart_upload: Some(AbortIncompleteMultipartUpload {
                            days_after_initiation: 1,
                        }),
                    }],
                }),
                ownership_controls: Some(OwnershipControls {
                    rules: vec![OwnershipControlsRule { object_ownership: "BucketOwnerEnforced".into() }],
                }),
                public_access_block_configuration: Some(PublicAccessBlockConfiguration {
                    block_public_acls: true,
                    block_public_policy: true,
                    ignore_public_acls: true,
                    restrict_public_buckets: true,
                }),
                versioning_configuration: Some(VersioningConfiguration { status: "Enabled".into() }),
                tags: Vec::new(),
            },
        );
        scope.set_removal_policy(&bucket, RemovalPolicy::Retain);
        scope.set_removal_policy(key.resource(), RemovalPolicy::Retain);
        let arn = bucket.get_att("Arn");
        scope.add(
            "Policy",
            CfnBucketPolicy {
                bucket: bucket.r#ref(),
                policy_document: document(vec![json!({
                    "Sid": "TlsOnly",
                    "Effect": "Deny",
                    "Principal": {"AWS": "*"},
                    "Action": "s3:*",
                    "Resource": [arn.clone(), Expr::sub("${Bucket}/*", [("Bucket", arn)])],
                    "Condition": {"Bool": {"aws:SecureTransport": "false"}}
                })]),
            },
        );
        PrivateBucket { bucket, key }
    }

    /// The bucket's name.
    pub fn name(&self) -> Expr {
        self.bucket.r#ref()
    }

    /// The bucket's ARN.
    pub fn arn(&self) -> Expr {
        self.bucket.get_att("Arn")
    }

    /// The ARN of every object in the bucket.
    pub fn objects_arn(&self) -> Expr {
        Expr::sub("${Bucket}/*", [("Bucket", self.arn())])
    }

    /// The key that encrypts the bucket's objects.
    pub fn key(&self) -> &Key {
        &self.key
    }
}
