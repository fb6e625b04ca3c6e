//! CloudFormation drift detection of the app's stacks (the AWS CDK CLI's `api/drift`): which resources differ from
//! their templates, and how.

use aws_sdk_cloudformation::types::{StackDriftDetectionStatus, StackResourceDriftStatus};
use aws_sdk_cloudformation::Client as CfnClient;
use serde::Serialize;

use crate::deploy::error::AwsError;
use crate::deploy::interrupt::Interrupt;
use crate::deploy::tuning::{Backoff, Tuning};

/// A resource whose live configuration differs from its template.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ResourceDrift {
    pub logical_id: String,
    pub resource_type: String,
    /// `MODIFIED` or `DELETED`.
    pub status: String,
    /// `(path, expected, actual, type)` per differing property.
    pub properties: Vec<PropertyDrift>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PropertyDrift {
    pub path: String,
    pub expected: String,
    pub actual: String,
    /// `ADD`, `REMOVE` or `NOT_EQUAL`.
    pub difference: String,
}

/// Drift detection of one stack.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StackDrift {
    pub stack: String,
    /// `IN_SYNC`, `DRIFTED`, or `DETECTION_FAILED` with the reason in `error`.
    pub status: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    pub resources: Vec<ResourceDrift>,
}

/// Runs drift detection on `stack` (DetectStackDrift), waits for it, and lists the drifted resources
/// (DescribeStackResourceDrifts filtered to MODIFIED and DELETED) with their differing properties.
pub async fn detect_drift(
    cfn: &CfnClient,
    stack: &str,
    tuning: &Tuning,
    interrupt: &Interrupt,
) -> Result<StackDrift, AwsError> {
    let id = cfn
        .detect_stack_drift()
        .stack_name(stack)
        .send()
        .await
        .map_err(|e| AwsError::from_sdk("DetectStackDrift", e))?
        .stack_drift_detection_id()
        .unwrap_or_default()
        .to_string();
    let mut backoff = Backoff::new(tuning);
    let mut interrupt = interrupt.clone();
    let status = loop {
        let out = cfn
            .describe_stack_drift_detection_status()
            .stack_drift_detection_id(&id)
            .send()
            .await
            .map_err(|e| AwsError::from_sdk("DescribeStackDriftDetectionStatus", e))?;
        match out.detection_status() {
            Some(StackDriftDetectionStatus::DetectionInProgress) | None => {}
            Some(StackDriftDetectionStatus::DetectionFailed) => {
                return Ok(StackDrift {
                    stack: stack.to_string(),
                    status: "DETECTION_FAILED".into(),
                    error: Some(out.detection_status_reason().unwrap_or("no reason given").to_string()),
                    resources: Vec::new(),
                })
            }
            Some(_) => break out.stack_drift_status().map(|s| s.as_str().to_string()).unwrap_or_default(),
        }
        if !interrupt.sleep(backoff.next_wait()).await {
            return Ok(StackDrift {
                stack: stack.to_string(),
                status: "NOT_CHECKED".into(),
                error: Some("interrupted".into()),
                resources: Vec::new(),
            });
        }
    };
    let mut resources = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let out = cfn
            .describe_stack_resource_drifts()
            .stack_name(stack)
            .stack_resource_drift_status_filters(StackResourceDriftStatus::Modified)
            .stack_resource_drift_status_filters(StackResourceDriftStatus::Deleted)
            .set_next_token(token.clone())
            .send()
            .await
            .map_err(|e| AwsError::from_sdk("DescribeStackResourceDrifts", e))?;
        for r in out.stack_resource_drifts() {
            resources.push(ResourceDrift {
                logical_id: r.logical_resource_id().unwrap_or_default().to_string(),
                resource_type: r.resource_type().unwrap_or_default().to_string(),
                status: r.stack_resource_drift_status().map(|s| s.as_str().to_string()).unwrap_or_default(),
                properties: r
                    .property_differences()
                    .iter()
                    .map(|p| PropertyDrift {
                        path: p.property_path().unwrap_or_default().to_string(),
                        expected: p.expected_value().unwrap_or_default().to_string(),
                        actual: p.actual_value().unwrap_or_default().to_string(),
                        difference: p.difference_type().map(|d| d.as_str().to_string()).unwrap_or_default(),
                    })
                    .collect(),
            });
        }
        token = out.next_token().map(str::to_string);
        if token.is_none() {
            break;
        }
    }
    Ok(StackDrift { stack: stack.to_string(), status, error: None, resources })
}
