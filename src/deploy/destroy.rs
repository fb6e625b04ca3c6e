//! Deleting stacks in reverse dependency order (a stack after every selected stack that depends on it), and the
//! EBS volumes Kubernetes made for the parent cluster's persistent volumes, which CloudFormation does not own.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Instant;

use super::client::CfnClients;
use super::deployment::{Outcome, StackReport, FAILURES_SHOWN};
use super::error::{AwsError, DeployError};
use super::events::{first_failures, EventStream};
use super::interrupt::Interrupt;
use super::monitor::{follow, Follow, Followed};
use super::progress::{ProgressEvent, Reporter};
use super::schedule;
use super::stack;
use super::tuning::Tuning;
use constructs::core::{CloudAssembly, StackArtifact};

/// Deletes stacks with injected clients and reporter.
pub struct Destroyer {
    pub clients: CfnClients,
    pub reporter: Arc<dyn Reporter>,
    pub interrupt: Interrupt,
    pub tuning: Tuning,
    pub concurrency: usize,
}

impl Destroyer {
    /// Deletes `selected` stacks of `assembly`; reports in deletion order. A stack that does not exist counts as
    /// deleted.
    pub async fn destroy_all(self, assembly: &CloudAssembly, selected: &[String]) -> Vec<StackReport> {
        let this = Arc::new(self);
        let chosen: HashSet<&str> = selected.iter().map(String::as_str).collect();
        let stacks: Vec<Arc<StackArtifact>> =
            assembly.stacks.iter().rev().filter(|s| chosen.contains(s.name.as_str())).cloned().map(Arc::new).collect();
        let edges: Vec<(String, Vec<String>)> =
            stacks.iter().map(|s| (s.name.clone(), s.dependencies.clone())).collect();
        let dependents = move |s: &StackArtifact| -> Vec<String> {
            edges.iter().filter(|(_, deps)| deps.contains(&s.name)).map(|(name, _)| name.clone()).collect()
        };
        let concurrency = this.concurrency;
        schedule::run_stacks(stacks, dependents, concurrency, |stack| {
            let this = this.clone();
            async move { this.destroy_stack(&stack).await }
        })
        .await
    }

    /// Deletes one stack and waits until it is gone.
    pub async fn destroy_stack(&self, artifact: &StackArtifact) -> StackReport {
        let started = Instant::now();
        let mut report = StackReport {
            name: artifact.name.clone(),
            region: artifact.environment.region.clone(),
            outcome: Outcome::Failed,
            status: None,
            outputs: vec![],
            failures: vec![],
            error: None,
        };
        match self.try_destroy(artifact, started, &mut report).await {
            Ok(()) => {}
            Err(e) => report.error = Some(e),
        }
        report
    }

    async fn try_destroy(
        &self,
        artifact: &StackArtifact,
        started: Instant,
        report: &mut StackReport,
    ) -> Result<(), DeployError> {
        let name = &artifact.name;
        let client = self.clients.get(&artifact.environment.region)?;
        let Some(deployed) = stack::describe(client, name).await? else {
            self.reporter.report(ProgressEvent::Skipped { stack: name.clone(), reason: "does not exist".into() });
            report.outcome = Outcome::Unchanged;
            return Ok(());
        };
        if deployed.termination_protection {
            return Err(DeployError::Blocked {
                stack: name.clone(),
                status: format!("{} with termination protection", deployed.status),
                action: "deleted",
                hint: format!(
                    "turn it off first: `aws cloudformation update-termination-protection \
                     --no-enable-termination-protection --stack-name {name} --region {}`",
                    artifact.environment.region
                ),
            });
        }
        self.reporter.report(ProgressEvent::Started {
            stack: name.clone(),
            region: artifact.environment.region.clone(),
            action: "delete".into(),
        });
        let mut events = EventStream::new(&deployed.id, None);
        events.poll(client).await?;
        client
            .delete_stack()
            .stack_name(&deployed.id)
            .send()
            .await
            .map_err(|e| AwsError::from_sdk("DeleteStack", e))?;
        let mut interrupt = self.interrupt.clone();
        let total = artifact.resource_count;
        let followed = follow(
            Follow { client, name, stack_id: &deployed.id, events, total, gone_is_done: true },
            self.reporter.as_ref(),
            &self.tuning,
            &mut interrupt,
        )
        .await?;
        match followed {
            Followed::Done { stack: None, .. } => {
                self.reporter.report(ProgressEvent::Finished {
                    stack: name.clone(),
                    status: "DELETE_COMPLETE".into(),
                    ok: true,
                    seconds: started.elapsed().as_secs(),
                });
                report.outcome = Outcome::Updated;
                report.status = Some("DELETE_COMPLETE".into());
                Ok(())
            }
            Followed::Done { stack: Some(s), events } => {
                self.reporter.report(ProgressEvent::Finished {
                    stack: name.clone(),
                    status: s.status.clone(),
                    ok: false,
                    seconds: started.elapsed().as_secs(),
                });
                report.failures = first_failures(&events, FAILURES_SHOWN);
                report.status = Some(s.status.clone());
                Err(DeployError::StackFailed { stack: name.clone(), status: s.status, reason: s.status_reason })
            }
            Followed::Interrupted { status } => Err(DeployError::Interrupted {
                stack: name.clone(),
                detail: format!(
                    "stopped waiting; the deletion goes on in CloudFormation (status {status}). Run `karmada-eks \
                     destroy` again to follow it"
                ),
            }),
        }
    }
}

/// Names of the EKS clusters a template creates: deleting its stack leaves their Kubernetes-made EBS volumes.
pub fn eks_cluster_names(stack: &StackArtifact) -> Vec<String> {
    stack.template["Resources"]
        .as_object()
        .map(|resources| {
            resources
                .values()
                .filter(|r| r["Type"] == "AWS::EKS::Cluster")
                .filter_map(|r| r["Properties"]["Name"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}
