//! The EC2 Query-API client (`src/deploy/ec2`) against moto's server: `destroy` finds the etcd volumes by their
//! tags (several pages of DescribeVolumes, SigV4-signed form posts) and deletes them, and leaves other volumes
//! alone. The volumes are made with boto3 from the test venv, so the test does not trust the client it checks.

use crate::support::moto;

use moto::Moto;
use serde_json::Value;

fn volume(moto: &Moto, tags: &str) -> String {
    moto.boto3(
        "us-east-1",
        &format!(
            "v = ec2.create_volume(AvailabilityZone='us-east-1a', Size=5, TagSpecifications=[{{'ResourceType': \
             'volume', 'Tags': [{tags}]}}])\nprint(v['VolumeId'])"
        ),
    )
}

#[test]
fn destroy_deletes_the_clusters_volumes_and_nothing_else() {
    let moto = Moto::start();
    let mut ours = Vec::new();
    for i in 0..3 {
        ours.push(volume(
            &moto,
            &format!(
                "{{'Key': 'KubernetesCluster', 'Value': 'karmada-parent'}}, {{'Key': \
                 'kubernetes.io/created-for/pvc/name', 'Value': 'etcd-data-etcd-{i}'}}"
            ),
        ));
    }
    ours.push(volume(&moto, "{'Key': 'kubernetes.io/cluster/karmada-parent', 'Value': 'owned'}"));
    let other = volume(&moto, "{'Key': 'KubernetesCluster', 'Value': 'someone-else'}");

    let out = moto.karmada_eks(&["destroy", "karmada-cluster", "--exclusively", "--force", "--json"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "stdout:\n{stdout}\nstderr:\n{}", String::from_utf8_lossy(&out.stderr));
    let summary: Value =
        stdout.lines().filter_map(|l| serde_json::from_str::<Value>(l).ok()).find(|v| v["event"] == "summary").unwrap();
    let mut deleted: Vec<String> = summary["volumes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| v["deleted"] == true)
        .map(|v| v["id"].as_str().unwrap().to_string())
        .collect();
    deleted.sort();
    ours.sort();
    assert_eq!(deleted, ours);

    let left =
        moto.boto3("us-east-1", "print(' '.join(sorted(v['VolumeId'] for v in ec2.describe_volumes()['Volumes'])))");
    assert_eq!(left, other, "only the other cluster's volume is left");
}

#[test]
fn ec2_errors_name_the_operation_and_the_service_code() {
    let moto = Moto::start();
    let out = moto
        .command(&["destroy", "karmada-cluster", "--exclusively", "--force"])
        .env("AWS_ENDPOINT_URL_EC2", "http://127.0.0.1:9")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("DescribeVolumes failed"), "{stderr}");
}
