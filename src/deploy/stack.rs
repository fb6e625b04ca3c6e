//! A deployed stack as DescribeStacks reports it, and what its status allows.

use aws_sdk_cloudformation::Client;
use std::collections::BTreeMap;

use super::error::{AwsError, DeployError};

/// One stack output.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct StackOutput {
    pub key: String,
    pub value: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub export_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// What DescribeStacks says about one stack.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeployedStack {
    pub id: String,
    pub name: String,
    pub status: String,
    pub status_reason: Option<String>,
    pub tags: BTreeMap<String, String>,
    /// Parameter values as submitted (for SSM-typed parameters: the parameter name, not the resolved value).
    pub parameters: BTreeMap<String, String>,
    pub outputs: Vec<StackOutput>,
    pub termination_protection: bool,
}

/// What a status means for the next operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StatusClass {
    /// An operation is running: wait for it.
    InProgress,
    /// Created by a change set that was never executed: delete, then create.
    ReviewInProgress,
    /// The first create failed and rolled back: delete, then create.
    RollbackComplete,
    /// Stable: an update can start (includes UPDATE_ROLLBACK_COMPLETE).
    Updatable,
    /// Needs a human (ROLLBACK_FAILED, UPDATE_ROLLBACK_FAILED, DELETE_FAILED, ...).
    Stuck,
    /// Deleted.
    Deleted,
}

pub fn classify_status(status: &str) -> StatusClass {
    match status {
        "REVIEW_IN_PROGRESS" => StatusClass::ReviewInProgress,
        "ROLLBACK_COMPLETE" => StatusClass::RollbackComplete,
        "DELETE_COMPLETE" => StatusClass::Deleted,
        "CREATE_COMPLETE"
        | "UPDATE_COMPLETE"
        | "UPDATE_ROLLBACK_COMPLETE"
        | "IMPORT_COMPLETE"
        | "IMPORT_ROLLBACK_COMPLETE" => StatusClass::Updatable,
        s if s.ends_with("_IN_PROGRESS") => StatusClass::InProgress,
        _ => StatusClass::Stuck,
    }
}

/// Whether a finished operation left the stack as asked (create, update or import done).
pub fn is_success(status: &str) -> bool {
    matches!(status, "CREATE_COMPLETE" | "UPDATE_COMPLETE" | "IMPORT_COMPLETE")
}

impl DeployedStack {
    pub fn outputs_map(&self) -> BTreeMap<String, String> {
        self.outputs.iter().map(|o| (o.key.clone(), o.value.clone())).collect()
    }

    pub(crate) fn from_sdk(s: &aws_sdk_cloudformation::types::Stack) -> Self {
        DeployedStack {
            id: s.stack_id().unwrap_or_default().to_string(),
            name: s.stack_name().unwrap_or_default().to_string(),
            status: s.stack_status().map(|st| st.as_str().to_string()).unwrap_or_default(),
            status_reason: s.stack_status_reason().map(str::to_string),
            tags: s
                .tags()
                .iter()
                .map(|t| (t.key().unwrap_or_default().to_string(), t.value().unwrap_or_default().to_string()))
                .collect(),
            parameters: s
                .parameters()
                .iter()
                .map(|p| {
                    (
                        p.parameter_key().unwrap_or_default().to_string(),
                        p.parameter_value().unwrap_or_default().to_string(),
                    )
                })
                .collect(),
            outputs: s
                .outputs()
                .iter()
                .map(|o| StackOutput {
                    key: o.output_key().unwrap_or_default().to_string(),
                    value: o.output_value().unwrap_or_default().to_string(),
                    export_name: o.export_name().map(str::to_string),
                    description: o.description().map(str::to_string),
                })
                .collect(),
            termination_protection: s.enable_termination_protection().unwrap_or(false),
        }
    }
}

/// Describes the stack `name` (or id); `None` when it does not exist (or is deleted).
pub async fn describe(client: &Client, name: &str) -> Result<Option<DeployedStack>, AwsError> {
    match client.describe_stacks().stack_name(name).send().await {
        Ok(out) => Ok(out.stacks().first().map(DeployedStack::from_sdk).filter(|s| s.status != "DELETE_COMPLETE")),
        Err(e) => {
            let e = AwsError::from_sdk("DescribeStacks", e);
            if e.is_not_found() {
                Ok(None)
            } else {
                Err(e)
            }
        }
    }
}

/// The deployed (original) template of `name` as JSON, `None` when the stack does not exist.
pub async fn template(client: &Client, name: &str) -> Result<Option<serde_json::Value>, DeployError> {
    let out = match client
        .get_template()
        .stack_name(name)
        .template_stage(aws_sdk_cloudformation::types::TemplateStage::Original)
        .send()
        .await
    {
        Ok(out) => out,
        Err(e) => {
            let e = AwsError::from_sdk("GetTemplate", e);
            return if e.is_not_found() { Ok(None) } else { Err(e.into()) };
        }
    };
    let body = out.template_body().unwrap_or("{}");
    super::yaml::template_from_str(body)
        .map(Some)
        .map_err(|e| DeployError::TemplateNotJson { stack: name.to_string(), reason: e.to_string() })
}

/// One resource of a stack as ListStackResources reports it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct StackResource {
    pub logical_id: String,
    pub resource_type: String,
    /// What to look for by hand (an ARN, an id), when CloudFormation made it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub physical_id: Option<String>,
    pub status: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// The resources of the stack `id` that are in `DELETE_FAILED`.
pub async fn failed_deletions(client: &Client, id: &str) -> Result<Vec<StackResource>, AwsError> {
    let mut found = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let out = client
            .list_stack_resources()
            .stack_name(id)
            .set_next_token(token)
            .send()
            .await
            .map_err(|e| AwsError::from_sdk("ListStackResources", e))?;
        for r in out.stack_resource_summaries() {
            let status = r.resource_status().map(|s| s.as_str().to_string()).unwrap_or_default();
            if status == "DELETE_FAILED" {
                found.push(StackResource {
                    logical_id: r.logical_resource_id().unwrap_or_default().to_string(),
                    resource_type: r.resource_type().unwrap_or_default().to_string(),
                    physical_id: r.physical_resource_id().filter(|p| !p.is_empty()).map(str::to_string),
                    status,
                    reason: r.resource_status_reason().map(str::to_string),
                });
            }
        }
        token = out.next_token().map(str::to_string);
        if token.is_none() {
            return Ok(found);
        }
    }
}

/// Starts deleting the stack `id` (DeleteStack), with `token` as the client request token when given, keeping
/// the resources `retain` (logical ids; CloudFormation accepts them only for a stack in `DELETE_FAILED`).
pub async fn delete(client: &Client, id: &str, token: Option<&str>) -> Result<(), AwsError> {
    delete_retaining(client, id, token, &[]).await
}

/// [`delete`], keeping `retain`.
pub async fn delete_retaining(
    client: &Client,
    id: &str,
    token: Option<&str>,
    retain: &[String],
) -> Result<(), AwsError> {
    client
        .delete_stack()
        .stack_name(id)
        .set_client_request_token(token.map(str::to_string))
        .set_retain_resources((!retain.is_empty()).then(|| retain.to_vec()))
        .send()
        .await
        .map(|_| ())
        .map_err(|e| AwsError::from_sdk("DeleteStack", e))
}

/// Turns termination protection on.
pub async fn protect(client: &Client, name: &str) -> Result<(), AwsError> {
    client
        .update_termination_protection()
        .stack_name(name)
        .enable_termination_protection(true)
        .send()
        .await
        .map(|_| ())
        .map_err(|e| AwsError::from_sdk("UpdateTerminationProtection", e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_sort_into_what_to_do() {
        assert_eq!(classify_status("CREATE_IN_PROGRESS"), StatusClass::InProgress);
        assert_eq!(classify_status("UPDATE_COMPLETE_CLEANUP_IN_PROGRESS"), StatusClass::InProgress);
        assert_eq!(classify_status("REVIEW_IN_PROGRESS"), StatusClass::ReviewInProgress);
        assert_eq!(classify_status("ROLLBACK_COMPLETE"), StatusClass::RollbackComplete);
        assert_eq!(classify_status("UPDATE_ROLLBACK_COMPLETE"), StatusClass::Updatable);
        assert_eq!(classify_status("UPDATE_ROLLBACK_FAILED"), StatusClass::Stuck);
        assert_eq!(classify_status("DELETE_COMPLETE"), StatusClass::Deleted);
        assert!(!is_success("UPDATE_ROLLBACK_COMPLETE"));
    }
}
