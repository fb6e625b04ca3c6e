//! Reading what `status` judges: each stack's state from CloudFormation, and the host's compact status document and
//! bootstrap log through SSM Run Command.

use aws_sdk_cloudformation::Client as CfnClient;

use super::model::{
    BackupStatus, CertExpiry, ClusterStatus, Component, HostStatus, KarmadaRelease, Pods, StackState, WorkloadStatus,
};
use crate::deploy::error::AwsError;
use crate::deploy::events::EventStream;
use crate::deploy::host::run_command::{Host, HostError};

/// Reads one stack's state; `local_sha256` is the template SHA-256 of the assembly (`None`: an orphan).
pub async fn stack_state(
    cfn: &CfnClient,
    name: &str,
    region: &str,
    local_sha256: Option<&str>,
) -> Result<StackState, AwsError> {
    let deployed = crate::deploy::stack::describe(cfn, name).await?;
    let mut state = StackState {
        name: name.to_string(),
        region: region.to_string(),
        status: deployed.as_ref().map(|d| d.status.clone()),
        status_reason: deployed.as_ref().and_then(|d| d.status_reason.clone()),
        template_current: deployed.as_ref().and_then(|d| {
            let tag = d.tags.get(constructs::karmada::wellknown::TAG_TEMPLATE_SHA256)?;
            Some(local_sha256.is_some_and(|l| l == tag))
        }),
        stale_inputs: Vec::new(),
        failures: Vec::new(),
        orphan: local_sha256.is_none() && deployed.is_some(),
    };
    if let Some(d) = &deployed {
        if d.status.ends_with("_FAILED") || d.status.contains("ROLLBACK") {
            let mut events = EventStream::new(&d.id, None);
            events.poll(cfn).await?;
            state.failures = events.first_failures(3);
        }
    }
    Ok(state)
}

/// Asks the host for Karmada's state.
pub async fn host_status(host: &Host) -> Result<HostStatus, HostError> {
    host.wait_until_managed().await?;
    let output = host.run_reconcile(&["status"], false).await?;
    parse_host_status(&output)
}

/// The JSON document in the output of `karmada-eks-reconcile status`. The host prints it compact, so 100 members
/// fit SSM's 24,000-character inline output (templates/reconcile/status.sh.hbs):
/// `{"desired","applied","api":bool,"etcd":[ready,desired],"apiserver":[ready,desired],
/// "clusters":[[name,ready,version,mode],...],"workload":[[cluster,replicas],...]}`. The long form of
/// [`HostStatus`] is read too.
pub fn parse_host_status(output: &str) -> Result<HostStatus, HostError> {
    let bad = |reason: String| HostError::BadOutput { what: "karmada-eks-reconcile status".into(), reason };
    let start = output.find('{').ok_or_else(|| bad("no JSON document in it".into()))?;
    let value: serde_json::Value = serde_json::from_str(output[start..].trim()).map_err(|e| bad(e.to_string()))?;
    if value.get("api").is_none() {
        return serde_json::from_value(value).map_err(|e| bad(e.to_string()));
    }
    let pods = |v: &serde_json::Value| Pods {
        ready: v[0].as_u64().unwrap_or(0) as u32,
        desired: v[1].as_u64().unwrap_or(0) as u32,
    };
    let text = |v: &serde_json::Value| v.as_str().filter(|s| !s.is_empty()).map(str::to_string);
    let clusters = value["clusters"]
        .as_array()
        .ok_or_else(|| bad("\"clusters\" is not a list".into()))?
        .iter()
        .map(|c| ClusterStatus {
            name: c[0].as_str().unwrap_or_default().to_string(),
            ready: c[1].as_bool().unwrap_or(false),
            version: text(&c[2]),
            mode: text(&c[3]),
            reason: None,
            agent_cert_seconds_left: c[4].as_i64(),
        })
        .collect();
    let workload = value["workload"].as_array().map(|list| WorkloadStatus {
        name: String::new(),
        namespace: String::new(),
        replicas: list
            .iter()
            .filter_map(|w| Some((w[0].as_str()?.to_string(), w[1].as_u64().unwrap_or(0) as u32)))
            .collect(),
    });
    Ok(HostStatus {
        apiserver: Component { ready: value["api"].as_bool().unwrap_or(false), pods: pods(&value["apiserver"]) },
        etcd: Component { ready: pods(&value["etcd"]).ready > 0, pods: pods(&value["etcd"]) },
        clusters,
        workload,
        applied_sha256: text(&value["applied"]),
        backup: value["backup"].as_array().map(|b| BackupStatus {
            age_seconds: b.first().and_then(serde_json::Value::as_u64),
            period_seconds: b.get(1).and_then(serde_json::Value::as_u64).unwrap_or(0),
            last: b.get(2).and_then(text).filter(|k| k != "-").map(|k| format!("backups/{k}")),
        }),
        certs: value["certs"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|c| {
                Some(CertExpiry {
                    name: c[0].as_str()?.to_string(),
                    not_after: c[1].as_i64()?,
                    seconds_left: c[2].as_i64()?,
                })
            })
            .collect(),
        karmada: value["karmada"]
            .as_array()
            .map(|k| KarmadaRelease { running: k.first().and_then(text), upgrading_to: k.get(1).and_then(text) }),
    })
}

/// The last lines of the bootstrap log (`karmada-eks-reconcile log bootstrap`).
pub async fn bootstrap_log(host: &Host) -> Result<Vec<String>, HostError> {
    let output = host.run_reconcile(&["log", "bootstrap"], false).await?;
    let lines: Vec<String> = output.lines().map(str::to_string).collect();
    Ok(lines[lines.len().saturating_sub(30)..].to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[test]
    fn the_hosts_compact_status_document_is_read() {
        let out = r#"{"desired":"abc","applied":"abc","api":true,"etcd":[3,3],"apiserver":[2,3],"clusters":[["ekseucl01",true,"v1.33.4-eks-1","Push"],["ekseucl02",false,"","Pull"]],"workload":[["ekseucl01",3]]}"#;
        let s = parse_host_status(out).unwrap();
        assert!(s.apiserver.ready);
        assert_eq!((s.apiserver.pods, s.etcd.pods), (Pods { ready: 2, desired: 3 }, Pods { ready: 3, desired: 3 }));
        assert_eq!(
            s.clusters[1],
            ClusterStatus {
                name: "ekseucl02".into(),
                ready: false,
                version: None,
                mode: Some("Pull".into()),
                reason: None,
                agent_cert_seconds_left: None,
            }
        );
        assert_eq!(s.workload.unwrap().replicas, BTreeMap::from([("ekseucl01".to_string(), 3)]));
        assert_eq!(s.applied_sha256.as_deref(), Some("abc"));
    }

    #[test]
    fn the_hosts_json_is_found_after_other_lines_and_bad_json_is_an_error() {
        let parsed = parse_host_status("warning: x\n{\"apiserver\":{\"ready\":true}}\n").unwrap();
        assert!(parsed.apiserver.ready);
        assert!(matches!(parse_host_status("no json"), Err(HostError::BadOutput { .. })));
    }
}
