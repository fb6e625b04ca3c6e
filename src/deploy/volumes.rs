//! EBS volumes the EBS CSI driver created for a cluster's persistent volumes: found by the tag the app's
//! StorageClass sets (`karmada-eks:app=<app>`) and the tags the driver puts on them (`KubernetesCluster=<cluster>`
//! and `kubernetes.io/cluster/<cluster>`), deleted once the cluster is gone.

use std::collections::BTreeMap;

use super::ec2::{Ec2 as Client, Filter};
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
        Filter::new(format!("tag:{TAG_APP}"), [app]),
        Filter::new("tag:KubernetesCluster", [cluster]),
        Filter::new("tag-key", [format!("kubernetes.io/cluster/{cluster}")]),
    ];
    let mut found = BTreeMap::new();
    for filter in filters {
        for v in client.describe_volumes(std::slice::from_ref(&filter)).await? {
            let claim = v.tag("kubernetes.io/created-for/pvc/name").map(str::to_string);
            found.insert(v.id.clone(), Volume { id: v.id, size_gib: v.size_gib, state: v.state, claim });
        }
    }
    Ok(found.into_values().collect())
}

/// Deletes each volume; returns each with the error that kept it, `None` when it is gone.
pub async fn delete(client: &Client, volumes: &[Volume]) -> Vec<(Volume, Option<AwsError>)> {
    let mut done = Vec::new();
    for v in volumes {
        let error =
            client.delete_volume(&v.id).await.err().filter(|e| e.code.as_deref() != Some("InvalidVolume.NotFound"));
        done.push((v.clone(), error));
    }
    done
}
