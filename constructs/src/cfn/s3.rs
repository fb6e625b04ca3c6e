//! `AWS::S3::*` resource properties.

use serde_json::Value;

use super::{cfn_property, cfn_resource, Tag};
use crate::core::Expr;

cfn_resource!(CfnBucket = "AWS::S3::Bucket", tags = List {
    bucket_encryption: Option<BucketEncryption>,
    lifecycle_configuration: Option<LifecycleConfiguration>,
    ownership_controls: Option<OwnershipControls>,
    public_access_block_configuration: Option<PublicAccessBlockConfiguration>,
    versioning_configuration: Option<VersioningConfiguration>,
    tags: Vec<Tag>,
});

cfn_resource!(CfnBucketPolicy = "AWS::S3::BucketPolicy", tags = None { bucket: Expr, policy_document: Value });

cfn_property!(BucketEncryption { server_side_encryption_configuration: Vec<ServerSideEncryptionRule> });

cfn_property!(ServerSideEncryptionRule {
    server_side_encryption_by_default: Option<ServerSideEncryptionByDefault>,
    bucket_key_enabled: Option<bool>,
});

cfn_property!(ServerSideEncryptionByDefault {
    #[serde(rename = "SSEAlgorithm")]
    sse_algorithm: String,
    #[serde(rename = "KMSMasterKeyID")]
    kms_master_key_id: Option<Expr>,
});

cfn_property!(LifecycleConfiguration { rules: Vec<LifecycleRule> });

cfn_property!(LifecycleRule {
    id: Option<String>,
    status: String,
    expiration_in_days: Option<u32>,
    noncurrent_version_expiration: Option<NoncurrentVersionExpiration>,
    abort_incomplete_multipart_upload: Option<AbortIncompleteMultipartUpload>,
});

cfn_property!(NoncurrentVersionExpiration { noncurrent_days: u32 });

cfn_property!(AbortIncompleteMultipartUpload { days_after_initiation: u32 });

cfn_property!(OwnershipControls { rules: Vec<OwnershipControlsRule> });

cfn_property!(OwnershipControlsRule { object_ownership: String });

cfn_property!(PublicAccessBlockConfiguration {
    block_public_acls: bool,
    block_public_policy: bool,
    ignore_public_acls: bool,
    restrict_public_buckets: bool,
});

cfn_property!(VersioningConfiguration { status: String });
