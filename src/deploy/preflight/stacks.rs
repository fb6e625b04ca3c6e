//! Existing stacks: the state each selected stack is in, what its deployed template already holds (so quotas
//! count only what an update adds), and stacks of the same app in regions the assembly no longer uses.

use constructs::core::StackArtifact;
use constructs::karmada::wellknown;

use super::demand::Demand;
use super::report::Finding;
use crate::deploy::client::Aws;
use crate::deploy::error::AwsError;
use crate::deploy::stack::{self, classify_status, StatusClass};
use constructs::karmada::wellknown::{TAG_APP, TAG_TEMPLATE_SHA256};

/// What deploy will do to a stack, as far as quotas care.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum State {
    /// Not deployed (or holding nothing, as after a failed create): everything is new.
    Absent,
    /// Deployed from this very template: deploy leaves it alone.
    Unchanged,
    /// Deployed from another template, which holds this.
    Changed(Demand),
}

/// The stack's finding and state.
pub async fn inspect(cfn: &aws_sdk_cloudformation::Client, artifact: &StackArtifact) -> (Finding, State) {
    let region = artifact.environment.region.as_str();
    let name = artifact.name.as_str();
    let deployed = match stack::describe(cfn, name).await {
        Ok(d) => d,
        Err(e) => return (Finding::unknown("stack-state", region, &e).about(name), State::Changed(Demand::default())),
    };
    let Some(d) = deployed else {
        return (
            Finding::ok("stack-state", region, "does not exist yet; deploy creates it").about(name),
            State::Absent,
        );
    };
    let status = d.status.as_str();
    let unchanged = d.tags.get(TAG_TEMPLATE_SHA256) == Some(&artifact.template_sha256);
    let finding = match classify_status(status) {
        StatusClass::Updatable | StatusClass::Deleted if unchanged => {
            Finding::ok("stack-state", region, format!("{status}, deployed from this template"))
        }
        StatusClass::Updatable | StatusClass::Deleted => {
            Finding::ok("stack-state", region, format!("{status}; deploy updates it"))
        }
        StatusClass::InProgress => Finding::warn(
            "stack-state",
            region,
            format!("{status}: an operation is running"),
            format!(
                "deploy waits for it to finish; to watch it: `aws cloudformation describe-stacks --stack-name {name} \
                 --region {region}`"
            ),
        ),
        StatusClass::RollbackComplete | StatusClass::ReviewInProgress => Finding::warn(
            "stack-state",
            region,
            format!(
                "{status}: it holds nothing{}",
                d.status_reason.as_deref().map(|r| format!(" ({r})")).unwrap_or_default()
            ),
            format!(
                "deploy deletes it (after asking) and creates it again; or delete it now: `aws cloudformation \
                 delete-stack --stack-name {name} --region {region}`"
            ),
        ),
        StatusClass::Stuck => Finding::fail(
            "stack-state",
            region,
            format!("{status}{}", d.status_reason.as_deref().map(|r| format!(" ({r})")).unwrap_or_default()),
            crate::deploy::stack_deployment::stuck_hint(artifact, status),
        ),
    };
    let state = match classify_status(status) {
        StatusClass::RollbackComplete | StatusClass::ReviewInProgress => State::Absent,
        _ if unchanged => State::Unchanged,
        _ => State::Changed(deployed_demand(cfn, name).await.unwrap_or_default()),
    };
    (finding.about(name), state)
}

/// What the deployed template holds; `None` when it cannot be read (then everything counts as new).
async fn deployed_demand(cfn: &aws_sdk_cloudformation::Client, name: &str) -> Option<Demand> {
    let out = cfn
        .get_template()
        .stack_name(name)
        .template_stage(aws_sdk_cloudformation::types::TemplateStage::Original)
        .send()
        .await
        .ok()?;
    let template: serde_json::Value = serde_json::from_str(out.template_body()?).ok()?;
    Some(Demand::of_template(&template))
}

/// Stacks tagged with `app` in regions of the regions parameter that the assembly does not use.
pub async fn elsewhere(aws: &Aws, app: &str, app_region: &str, regions: &[String]) -> Vec<Finding> {
    let parameter = wellknown::regions_parameter(app);
    let listed = match aws.ssm(app_region).get_parameter().name(&parameter).send().await {
        Ok(out) => out.parameter().and_then(|p| p.value()).unwrap_or_default().to_string(),
        Err(e) => {
            let e = AwsError::from_sdk("GetParameter", e);
            if e.is_not_found() {
                return vec![Finding::ok(
                    "stacks-elsewhere",
                    app_region,
                    format!("no other regions recorded ({parameter} does not exist)"),
                )];
            }
            return vec![Finding::unknown("stacks-elsewhere", app_region, &e)];
        }
    };
    let others: Vec<&str> =
        listed.split(',').map(str::trim).filter(|r| !r.is_empty() && !regions.iter().any(|a| a == r)).collect();
    let mut out = Vec::new();
    for region in &others {
        match tagged_stacks(&aws.cloudformation(region), app).await {
            Ok(names) if names.is_empty() => {}
            Ok(names) => out.push(Finding::warn(
                "stacks-elsewhere",
                region,
                format!("stacks of app {app} outside the assembly's regions: {}", names.join(", ")),
                format!(
                    "`karmada-eks deploy` removes stacks that left the app; to remove them by hand: {}",
                    names
                        .iter()
                        .map(|n| format!("`aws cloudformation delete-stack --stack-name {n} --region {region}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )),
            Err(e) => out.push(Finding::unknown("stacks-elsewhere", region, &e)),
        }
    }
    if out.is_empty() {
        let found = if others.is_empty() {
            format!("every region in {parameter} is one of the assembly's")
        } else {
            format!("no stacks of app {app} in {}", others.join(", "))
        };
        out.push(Finding::ok("stacks-elsewhere", app_region, found));
    }
    out
}

async fn tagged_stacks(cfn: &aws_sdk_cloudformation::Client, app: &str) -> Result<Vec<String>, AwsError> {
    let mut names = Vec::new();
    let mut pages = cfn.describe_stacks().into_paginator().send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| AwsError::from_sdk("DescribeStacks", e))?;
        for s in page.stacks() {
            let ours = s.tags().iter().any(|t| t.key() == Some(TAG_APP) && t.value() == Some(app));
            let gone = s.stack_status().is_some_and(|st| st.as_str() == "DELETE_COMPLETE");
            if ours && !gone {
                names.push(s.stack_name().unwrap_or_default().to_string());
            }
        }
    }
    Ok(names)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::deploy::preflight::report::Status;
    use aws_sdk_cloudformation::error::ErrorMetadata;
    use aws_sdk_cloudformation::operation::describe_stacks::{DescribeStacksError, DescribeStacksOutput};
    use aws_sdk_cloudformation::operation::get_template::GetTemplateOutput;
    use aws_sdk_cloudformation::types::{Stack, StackStatus, Tag};
    use aws_sdk_cloudformation::Client;
    use aws_smithy_mocks::{mock, mock_client, RuleMode};
    use serde_json::json;

    fn artifact() -> StackArtifact {
        crate::deploy::testing::stack(
            "app-network",
            "eu-west-1",
            json!({"Resources": {"A": {"Type": "AWS::EC2::EIP"}, "B": {"Type": "AWS::EC2::EIP"}}}),
            &[],
        )
    }

    fn deployed(status: &'static str, sha: String) -> impl Fn() -> DescribeStacksOutput {
        move || {
            DescribeStacksOutput::builder()
                .stacks(
                    Stack::builder()
                        .stack_id("arn:aws:cloudformation:eu-west-1:123456789012:stack/app-network/1")
                        .stack_name("app-network")
                        .stack_status(StackStatus::from(status))
                        .creation_time(aws_sdk_cloudformation::primitives::DateTime::from_secs(0))
                        .tags(Tag::builder().key(TAG_TEMPLATE_SHA256).value(sha.clone()).build())
                        .build(),
                )
                .build()
        }
    }

    async fn inspect_with(status: &'static str, sha: String) -> (Finding, State) {
        let describe = mock!(Client::describe_stacks).then_output(deployed(status, sha));
        let template = mock!(Client::get_template).then_output(|| {
            GetTemplateOutput::builder()
                .template_body(json!({"Resources": {"A": {"Type": "AWS::EC2::EIP"}}}).to_string())
                .build()
        });
        let client = mock_client!(aws_sdk_cloudformation, RuleMode::MatchAny, &[&describe, &template]);
        inspect(&client, &artifact()).await
    }

    #[tokio::test]
    async fn an_absent_stack_is_created_and_counts_everything() {
        let rule = mock!(Client::describe_stacks).then_error(|| {
            DescribeStacksError::generic(
                ErrorMetadata::builder()
                    .code("ValidationError")
                    .message("Stack with id app-network does not exist")
                    .build(),
            )
        });
        let client = mock_client!(aws_sdk_cloudformation, RuleMode::MatchAny, &[&rule]);
        let (f, state) = inspect(&client, &artifact()).await;
        assert_eq!((f.result, state), (Status::Ok, State::Absent));
    }

    #[tokio::test]
    async fn an_update_counts_only_what_the_deployed_template_lacks() {
        let (f, state) = inspect_with("UPDATE_COMPLETE", "old".into()).await;
        assert_eq!(f.found, "UPDATE_COMPLETE; deploy updates it");
        let State::Changed(deployed) = state else { panic!("{state:?}") };
        let need = Demand::of_template(&artifact().template).beyond(&deployed);
        assert_eq!(need.elastic_ips, 1);
        let (_, state) = inspect_with("CREATE_COMPLETE", artifact().template_sha256).await;
        assert_eq!(state, State::Unchanged);
    }

    #[tokio::test]
    async fn each_bad_state_is_reported_with_its_fix() {
        let (f, state) = inspect_with("ROLLBACK_COMPLETE", "old".into()).await;
        assert_eq!((f.result, state), (Status::Warn, State::Absent));
        assert!(f
            .fix
            .as_deref()
            .unwrap()
            .contains("aws cloudformation delete-stack --stack-name app-network --region eu-west-1"));
        let (f, _) = inspect_with("UPDATE_IN_PROGRESS", "old".into()).await;
        assert_eq!(f.result, Status::Warn);
        assert!(f.fix.as_deref().unwrap().starts_with("deploy waits for it to finish"));
        let (f, _) = inspect_with("UPDATE_ROLLBACK_FAILED", "old".into()).await;
        assert_eq!(f.result, Status::Fail);
        assert!(f
            .fix
            .as_deref()
            .unwrap()
            .contains("aws cloudformation continue-update-rollback --stack-name app-network --region eu-west-1"));
        let (f, _) = inspect_with("DELETE_FAILED", "old".into()).await;
        assert_eq!(f.result, Status::Fail);
        assert!(f.fix.as_deref().unwrap().contains("karmada-eks destroy --exclusively app-network"));
    }
}
