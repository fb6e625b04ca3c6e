//! Change sets: what to submit (template, parameters, tags), creating one, waiting for it, reading its changes,
//! executing or deleting it.

use aws_sdk_cloudformation::primitives::DateTime;
use aws_sdk_cloudformation::types::{Capability, ChangeSetType, Parameter, Tag};
use aws_sdk_cloudformation::Client;
use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeMap;

use super::error::{AwsError, DeployError};
use super::tuning::{Backoff, Tuning};
use constructs::core::StackArtifact;

/// CloudFormation's limit for a template passed inline (TemplateBody).
pub const MAX_TEMPLATE_BODY_BYTES: usize = 51_200;

/// How the template reaches CloudFormation. Only inline bodies exist today; an S3 URL variant is where staging of
/// larger templates will go.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TemplateSource {
    Body(String),
}

impl TemplateSource {
    /// The inline body of `stack`, or [`DeployError::TemplateTooLarge`].
    pub fn for_stack(stack: &StackArtifact) -> Result<Self, DeployError> {
        let size = stack.template_body.len();
        if size > MAX_TEMPLATE_BODY_BYTES {
            return Err(DeployError::TemplateTooLarge { stack: stack.name.clone(), size });
        }
        Ok(TemplateSource::Body(stack.template_body.clone()))
    }
}

/// One parameter as submitted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ParameterValue {
    Value(String),
    /// Keep what the deployed stack has.
    UsePrevious,
}

/// The parameters to submit for `stack`: values filled from other stacks' outputs; nothing for parameters with
/// a template default (the default applies, exactly as synthesized); the previous value for the rest when the
/// stack exists.
pub fn parameters(
    stack: &StackArtifact,
    from_outputs: &BTreeMap<String, String>,
    previous: Option<&BTreeMap<String, String>>,
) -> Result<BTreeMap<String, ParameterValue>, DeployError> {
    let mut values = BTreeMap::new();
    let declared = stack.template["Parameters"].as_object().cloned().unwrap_or_default();
    for (name, decl) in &declared {
        if let Some(v) = from_outputs.get(name) {
            values.insert(name.clone(), ParameterValue::Value(v.clone()));
        } else if decl.get("Default").is_some() {
            continue;
        } else if previous.is_some_and(|p| p.contains_key(name)) {
            values.insert(name.clone(), ParameterValue::UsePrevious);
        } else {
            return Err(DeployError::MissingParameter {
                stack: stack.name.clone(),
                parameter: name.clone(),
                reason: "it has no default and is not filled from another stack's output".into(),
            });
        }
    }
    Ok(values)
}

/// The parameter values a deployed stack would show after deploying `stack` with `submitted`, for comparison
/// with DescribeStacks (defaults as strings; lists joined with commas).
pub fn expected_parameters(
    stack: &StackArtifact,
    submitted: &BTreeMap<String, ParameterValue>,
    previous: &BTreeMap<String, String>,
) -> BTreeMap<String, String> {
    let declared = stack.template["Parameters"].as_object().cloned().unwrap_or_default();
    declared
        .iter()
        .map(|(name, decl)| {
            let value = match submitted.get(name) {
                Some(ParameterValue::Value(v)) => v.clone(),
                Some(ParameterValue::UsePrevious) => previous.get(name).cloned().unwrap_or_default(),
                None => match decl.get("Default") {
                    Some(Value::String(s)) => s.clone(),
                    Some(Value::Array(items)) => items
                        .iter()
                        .map(|i| i.as_str().map(str::to_string).unwrap_or(i.to_string()))
                        .collect::<Vec<_>>()
                        .join(","),
                    Some(other) => other.to_string(),
                    None => String::new(),
                },
            };
            (name.clone(), value)
        })
        .collect()
}

/// One resource change of a change set.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Change {
    /// Add, Modify, Remove, Import or Dynamic.
    pub action: String,
    pub logical_id: String,
    pub resource_type: String,
    /// For Modify: True, False or Conditional.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replacement: Option<String>,
    /// What changes: Properties, Tags, Metadata, ...
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub scope: Vec<String>,
    /// The properties that change (from the change details).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub properties: Vec<String>,
}

impl Change {
    pub fn line(&self) -> String {
        let sign = match self.action.as_str() {
            "Add" => "+",
            "Remove" => "-",
            "Modify" => "~",
            _ => "?",
        };
        let mut line = format!("{sign} {} {}", self.resource_type, self.logical_id);
        if !self.properties.is_empty() {
            line.push_str(&format!(" ({})", self.properties.join(", ")));
        } else if !self.scope.is_empty() {
            line.push_str(&format!(" ({})", self.scope.join(", ")));
        }
        match self.replacement.as_deref() {
            Some("True") => line.push_str(" [replacement]"),
            Some("Conditional") => line.push_str(" [may be replaced]"),
            _ => {}
        }
        line
    }
}

/// A created change set.
#[derive(Clone, Debug, PartialEq)]
pub struct ChangeSet {
    pub id: String,
    pub stack_id: String,
}

/// How waiting for a change set ended.
#[derive(Clone, Debug, PartialEq)]
pub enum ChangeSetOutcome {
    /// Created. `changes` may be empty: CloudFormation makes such a change set when only Outputs (exports
    /// included) or other non-resource sections change, and it must be executed. `execution_status` is
    /// DescribeChangeSet's ExecutionStatus: only `AVAILABLE` can be executed (API reference, ChangeSetSummary:
    /// "If the change set execution status is AVAILABLE, you can execute the change set").
    Ready {
        changes: Vec<Change>,
        created: Option<DateTime>,
        execution_status: String,
    },
    /// CloudFormation found nothing to change (the change set FAILED with "didn't contain changes").
    NoChanges,
    Failed(String),
}

/// What one CreateChangeSet submits.
pub struct ChangeSetRequest<'a> {
    pub stack: &'a StackArtifact,
    pub kind: ChangeSetType,
    pub template: &'a TemplateSource,
    pub parameters: &'a BTreeMap<String, ParameterValue>,
    pub tags: &'a BTreeMap<String, String>,
    /// Unique per attempt.
    pub name: String,
    /// CreateChangeSet's ClientToken, so the SDK's retries after a timeout or a 5XX do not make a second change
    /// set (API reference: "Specify this token if you plan to retry requests so that CloudFormation knows that
    /// you're not attempting to create another change set with the same name").
    pub client_token: String,
}

pub async fn create(client: &Client, req: &ChangeSetRequest<'_>) -> Result<ChangeSet, AwsError> {
    let params = req
        .parameters
        .iter()
        .map(|(k, v)| {
            let p = Parameter::builder().parameter_key(k);
            match v {
                ParameterValue::Value(value) => p.parameter_value(value).build(),
                ParameterValue::UsePrevious => p.use_previous_value(true).build(),
            }
        })
        .collect();
    let tags = req.tags.iter().map(|(k, v)| Tag::builder().key(k).value(v).build()).collect();
    let mut call = client
        .create_change_set()
        .stack_name(&req.stack.name)
        .change_set_name(&req.name)
        .client_token(&req.client_token)
        .change_set_type(req.kind.clone())
        .capabilities(Capability::CapabilityIam)
        .capabilities(Capability::CapabilityNamedIam)
        .set_parameters(Some(params))
        .set_tags(Some(tags))
        .description(format!("karmada-eks deploy of template sha256 {}", &req.stack.template_sha256));
    match req.template {
        TemplateSource::Body(body) => call = call.template_body(body),
    }
    let out = call.send().await.map_err(|e| AwsError::from_sdk("CreateChangeSet", e))?;
    Ok(ChangeSet {
        id: out.id().unwrap_or(&req.name).to_string(),
        stack_id: out.stack_id().unwrap_or(&req.stack.name).to_string(),
    })
}

/// Whether a failed change set's reason means "nothing to change".
pub fn is_no_changes(reason: &str) -> bool {
    let r = reason.to_ascii_lowercase();
    r.contains("didn't contain changes") || r.contains("no updates are to be performed") || r.contains("no changes")
}

/// Polls DescribeChangeSet until the change set is created or failed; reads every page of changes.
pub async fn wait(client: &Client, change_set: &ChangeSet, tuning: &Tuning) -> Result<ChangeSetOutcome, AwsError> {
    let mut backoff = Backoff::new(tuning);
    loop {
        let mut changes = Vec::new();
        let mut token: Option<String> = None;
        let (status, reason, created, execution_status) = loop {
            let out = client
                .describe_change_set()
                .change_set_name(&change_set.id)
                .stack_name(&change_set.stack_id)
                .set_next_token(token.clone())
                .send()
                .await
                .map_err(|e| AwsError::from_sdk("DescribeChangeSet", e))?;
            changes.extend(out.changes().iter().filter_map(|c| c.resource_change()).map(|rc| Change {
                action: rc.action().map(|a| a.as_str().to_string()).unwrap_or_default(),
                logical_id: rc.logical_resource_id().unwrap_or_default().to_string(),
                resource_type: rc.resource_type().unwrap_or_default().to_string(),
                replacement: rc.replacement().map(|r| r.as_str().to_string()),
                scope: rc.scope().iter().map(|s| s.as_str().to_string()).collect(),
                properties: {
                    let mut names: Vec<String> = rc
                        .details()
                        .iter()
                        .filter_map(|d| d.target())
                        .filter_map(|t| t.name().map(str::to_string))
                        .collect();
                    names.dedup();
                    names
                },
            }));
            token = out.next_token().map(str::to_string);
            if token.is_none() {
                break (
                    out.status().map(|s| s.as_str().to_string()).unwrap_or_default(),
                    out.status_reason().unwrap_or_default().to_string(),
                    out.creation_time().cloned(),
                    out.execution_status().map(|s| s.as_str().to_string()).unwrap_or_default(),
                );
            }
        };
        match status.as_str() {
            "CREATE_COMPLETE" => return Ok(ChangeSetOutcome::Ready { changes, created, execution_status }),
            "FAILED" if is_no_changes(&reason) => return Ok(ChangeSetOutcome::NoChanges),
            "FAILED" => return Ok(ChangeSetOutcome::Failed(reason)),
            _ => tokio::time::sleep(backoff.next_wait()).await,
        }
    }
}

pub async fn execute(client: &Client, change_set: &ChangeSet, token: &str) -> Result<(), AwsError> {
    client
        .execute_change_set()
        .change_set_name(&change_set.id)
        .stack_name(&change_set.stack_id)
        .client_request_token(token)
        .send()
        .await
        .map(|_| ())
        .map_err(|e| AwsError::from_sdk("ExecuteChangeSet", e))
}

/// Deletes an unexecuted change set; one that is already gone counts as deleted.
pub async fn delete(client: &Client, change_set: &ChangeSet) -> Result<(), AwsError> {
    match client.delete_change_set().change_set_name(&change_set.id).stack_name(&change_set.stack_id).send().await {
        Ok(_) => Ok(()),
        Err(e) => {
            let e = AwsError::from_sdk("DeleteChangeSet", e);
            if e.is_not_found() {
                Ok(())
            } else {
                Err(e)
            }
        }
    }
}
