//! Hardened launch templates shared by the management host and the node group.

use crate::cfn::ec2::{BlockDeviceMapping, CfnLaunchTemplate, Ebs, LaunchTemplateData, MetadataOptions};
use crate::core::{Expr, ResourceRef, Scope};

/// A launch template with IMDSv2 required (`hop_limit` 1 for a host, 2 when containers must reach the
/// metadata service), an encrypted gp3 root volume of `root_volume_gib` on `/dev/xvda` deleted with the
/// instance, and `security_group_ids` (empty: set them on the instance instead).
pub fn hardened(
    scope: &mut Scope,
    id: &str,
    hop_limit: u32,
    root_volume_gib: u32,
    security_group_ids: Vec<Expr>,
) -> ResourceRef {
    scope.add(
        id,
        CfnLaunchTemplate {
            launch_template_data: LaunchTemplateData {
                metadata_options: Some(MetadataOptions {
                    http_endpoint: Some("enabled".into()),
                    http_tokens: Some("required".into()),
                    http_put_response_hop_limit: Some(hop_limit.into()),
                }),
                block_device_mappings: vec![BlockDeviceMapping {
                    device_name: "/dev/xvda".into(),
                    ebs: Some(Ebs {
                        volume_size: Some(root_volume_gib.into()),
                        volume_type: Some("gp3".into()),
                        encrypted: Some(true),
                        delete_on_termination: Some(true),
                    }),
                }],
                security_group_ids,
                tag_specifications: Vec::new(),
            },
        },
    )
}
