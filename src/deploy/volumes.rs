//! EBS volumes the EBS CSI driver created for a cluster's persistent volumes: found by the tag the app's
//! StorageClass sets (`karmada-eks:app=<app>`) and the tags the driver puts on them (`KubernetesCluster=<cluster>`
//! and `kubernetes.io/cluster/<cluster>`), deleted once the cluster is gone.

use aws_sdk_ec2::types::Filter;
use aws_sdk_ec2::Client;
use std::collections::BTreeMap;

use super::error::AwsError;
use constructs::karmada::wellknown::TAG_APP;

/// One leftover volume.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Volume {
    pub id: String,
    pub size_gib: i32,
    pub state: String,
    /// The `kubernetes.io/created-for/pvc/name` tag, when present.
    pub claim: Option<String>,
}

/// Volumes tagged as belonging to the app `app` or to its cluster `cluster`.
pub async fn find(client: &Client, app: &str, cluster: &str) -> Result<Vec<Volume>, AwsError> {
    let filters = [
        Filter::builder().name(format!("tag:{TAG_APP}")).values(app).build(),
        Filter::builder().name("tag:KubernetesCluster").values(cluster).build(),
        Filter::builder().name("tag-key").values(format!("kubernetes.io/cluster/{cluster}")).build(),
    ];
    let mut found = BTreeMap::new();
    for filter in filters {
        let mut token = None;
        loop {
            let out = client
                .describe_volumes()
                .filters(filter.clone())
                .set_next_token(token)
                .send()
                .await
                .map_err(|e| AwsError::from_sdk("DescribeVolumes", e))?;
            for v in out.volumes() {
                let id = v.volume_id().unwrap_or_default().to_string();
                let claim = v
                    .tags()
                    .iter()
                    .find(|t| t.key() == Some("kubernetes.io/created-for/pvc/name"))
                    .and_then(|t| t.value().map(str::to_string));
                found.insert(
                    id.clone(),
                    Volume {
                        id,
                        size_gib: v.size().unwrap_or(0),
                        state: v.state().map(|s| s.as_str().to_string()).unwrap_or_default(),
                        claim,
                    },
                );
            }
            token = out.next_token().map(str::to_string);
            if token.is_none() {
                break;
            }
        }
    }
    Ok(found.into_values().collect())
}

/// Deletes each volume; returns each with the error that kept it, `None` when it is gone.
pub async fn delete(client: &Client, volumes: &[Volume]) -> Vec<(Volume, Option<AwsError>)> {
    let mut done = Vec::new();
    for v in volumes {
        let error = match client.delete_volume().volume_id(&v.id).send().await {
            Ok(_) => None,
            Err(e) => Some(AwsError::from_sdk("DeleteVolume", e))
                .filter(|e| e.code.as_deref() != Some("InvalidVolume.NotFound")),
        };
        done.push((v.clone(), error));
    }
    done
}
