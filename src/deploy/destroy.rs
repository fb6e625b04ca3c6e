//! Deleting stacks in reverse dependency order (a stack after every selected stack that depends on it), and the
//! EBS volumes Kubernetes made for the parent cluster's persistent volumes, which CloudFormation does not own.
//! One question before anything is deleted, asked through the [`Approver`]. Members whose access entries go are
//! unjoined from Karmada first, while the management host and Karmada still run: unjoining makes Karmada remove
//! what it created in them (the workloads it propagated, and the RBAC and namespace of `join`, or the karmada-agent
//! of `register`), which would otherwise stay running and billing in clusters the app never owned. At Karmada
//! v1.18.2: deleting a Cluster makes the cluster controller delete its execution namespace (`removeCluster` in
//! pkg/controllers/cluster/cluster_controller.go), and each Work's finalizer deletes its workload from the member
//! (`handleWorkDelete` in pkg/controllers/execution/execution_controller.go; karmada-agent runs the same controller
//! for a pull member, and `unregister` removes the agent only after the Cluster is gone).

use constructs::core::Hints;
use std::collections::HashSet;
use std::sync::Arc;
use std::time::Instant;

use super::approval::{ask, Answer, Approver};
use super::client::{CfnClients, Ec2Clients};
use super::error::{AwsError, DeployError};
use super::events::{first_failures, EventStream, FAILURES_SHOWN};
use super::interrupt::Interrupt;
use super::inventory::{self, Kept};
use super::monitor::{follow, Follow, Followed};
use super::progress::{ProgressEvent, Reporter};
use super::report::{Deletion, DestroyReport, StackDeletion, VolumeDeletion};
use super::schedule;
use super::stack::{self, classify_status, DeployedStack, StatusClass};
use super::token;
use super::tuning::Tuning;
use super::unjoin::{MemberUnjoin, Unjoined};
use super::volumes::{self, Volume};
use aws_sdk_cloudformation::Client;
use constructs::core::{CloudAssembly, StackArtifact};
use constructs::karmada::wellknown::TAG_APP;

/// Deletes stacks and leftover volumes with injected clients, reporter and approver.
pub struct Destroyer {
    pub clients: CfnClients,
    pub ec2: Ec2Clients,
    pub reporter: Arc<dyn Reporter>,
    pub approver: Arc<dyn Approver>,
    pub interrupt: Interrupt,
    pub tuning: Tuning,
    pub concurrency: usize,
    /// For a stack in DELETE_FAILED, delete it keeping the resources that failed (DeleteStack RetainResources)
    /// and report them for removal by hand (`destroy --retain-failed`).
    pub retain_failed: bool,
    /// Cancel a running update (CancelUpdateStack) instead of waiting for it to finish (`destroy
    /// --cancel-update`).
    pub cancel_update: bool,
    /// The app's deployed stacks that the assembly no longer has and karmada-eks made, and those the user named
    /// (`inventory::leftovers`): deleted first, as they can only take parameters from stacks of the assembly,
    /// never give them.
    pub orphans: Vec<StackArtifact>,
    /// The app's deployed stacks that karmada-eks did not make: reported, not deleted.
    pub kept: Vec<Kept>,
    /// Unjoins the members whose access entries the deleted stacks hold, before any deletion; `None` leaves the
    /// members alone (deploy's own orphan removal unjoins them itself).
    pub unjoin: Option<Arc<dyn MemberUnjoin>>,
    /// Delete without unjoining (`destroy --skip-unjoin`): the members keep what Karmada put in them.
    pub skip_unjoin: bool,
    /// Takes the final backup of Karmada after the confirmation, before anything is unjoined or deleted, when the
    /// named stack (the management host's) is among those deleted; `None` takes none (`destroy --no-final-backup`).
    pub final_backup: Option<(String, Arc<dyn FinalBackup>)>,
    /// The stack of Karmada's backups, which destroy keeps (its bucket outlives the app).
    pub backups_kept: Option<String>,
}

/// Takes the final backup before destroy deletes the management host.
pub trait FinalBackup: Send + Sync {
    /// Where the backup went, or `None` when the app has no management host.
    fn backup(&self) -> BackupFuture<'_>;
}

/// A future [`FinalBackup::backup`] returns.
pub type BackupFuture<'a> =
    std::pin::Pin<Box<dyn std::future::Future<Output = Result<Option<String>, DeployError>> + Send + 'a>>;

/// What destroy says of the backup stack it keeps.
pub fn backups_kept_note(stack: &str) -> String {
    format!(
        "kept: Karmada's backups (the S3 bucket of stack {stack} and its KMS key outlive destroy; the next deploy \
         of the app uses them again, and `karmada-eks restore` brings one back). To delete them: empty the bucket, \
         every version included, and delete it; schedule its key's deletion; then `aws cloudformation \
         delete-stack --stack-name {stack}`"
    )
}

impl Destroyer {
    /// Asks once, then deletes `selected` stacks of `assembly` in reverse dependency order and, once every
    /// cluster stack among them is gone, the EBS volumes their clusters left. A stack that does not exist
    /// counts as deleted. An error only when nothing was deleted (volume lookup failed, not confirmed).
    pub async fn destroy_all(
        self,
        assembly: &CloudAssembly,
        selected: &[String],
    ) -> Result<DestroyReport, DeployError> {
        for k in &self.kept {
            self.reporter.report(ProgressEvent::Note { stack: k.name.clone(), message: k.note() });
        }
        let chosen: HashSet<&str> = selected.iter().map(String::as_str).collect();
        let orphans: Vec<String> = self.orphans.iter().map(|o| o.name.clone()).collect();
        let stacks: Vec<Arc<StackArtifact>> = self
            .orphans
            .iter()
            .cloned()
            .chain(assembly.stacks.iter().rev().filter(|s| chosen.contains(s.name.as_str())).cloned())
            .map(Arc::new)
            .collect();
        let clusters: Vec<(String, String)> = stacks
            .iter()
            .flat_map(|s| eks_cluster_names(s).into_iter().map(|name| (s.environment.region.clone(), name)))
            .collect();
        let app = assembly.stacks.iter().find_map(|s| s.tags.get(TAG_APP)).cloned().unwrap_or_default();
        let clusters: Vec<(String, String, String)> =
            clusters.into_iter().map(|(region, cluster)| (region, app.clone(), cluster)).collect();
        let leftovers = self.volumes(&clusters).await?;
        let members = if self.unjoin.is_some() { self.deployed_members(&stacks, &app).await? } else { Vec::new() };
        self.confirm(&stacks, &leftovers, &members)?;
        let final_backup = match &self.final_backup {
            Some((host, hook)) if stacks.iter().any(|s| &s.name == host) => {
                self.note(host, "taking the final backup of Karmada before anything is deleted".into());
                match hook.backup().await {
                    Ok(Some(location)) => {
                        self.note(host, format!("final backup: {location}"));
                        Some(location)
                    }
                    Ok(None) => {
                        self.note(host, "no management host: no Karmada to back up".into());
                        None
                    }
                    Err(e @ DeployError::Interrupted { .. }) => return Err(e),
                    Err(e) => {
                        return Err(DeployError::FinalBackupFailed { reason: e.to_string(), cause_hints: e.hints() })
                    }
                }
            }
            _ => None,
        };
        if let Some(stack) = &self.backups_kept {
            self.note(stack, backups_kept_note(stack));
        }
        let mut unjoined = Vec::new();
        if !members.is_empty() {
            unjoined = self.unjoin_members(&members).await?;
        }

        let this = Arc::new(self);
        let edges: Vec<(String, Vec<String>)> =
            stacks.iter().map(|s| (s.name.clone(), s.dependencies.clone())).collect();
        let dependents = move |s: &StackArtifact| -> Vec<String> {
            let mut after: Vec<String> =
                edges.iter().filter(|(_, deps)| deps.contains(&s.name)).map(|(name, _)| name.clone()).collect();
            if !orphans.contains(&s.name) {
                after.extend(orphans.iter().cloned());
            }
            after
        };
        let concurrency = this.concurrency;
        let deletions: Vec<StackDeletion> = schedule::run_stacks(stacks.clone(), dependents, concurrency, |stack| {
            let this = this.clone();
            async move { this.destroy_stack(&stack).await }
        })
        .await;
        let clusters_gone = deletions
            .iter()
            .filter(|d| stacks.iter().any(|s| s.name == d.name && !eks_cluster_names(s).is_empty()))
            .all(StackDeletion::ok);
        let kept = this.kept.clone();
        let backups_kept = this.backups_kept.clone();
        let mut report =
            DestroyReport { stacks: deletions, volumes: Vec::new(), unjoined, kept, final_backup, backups_kept };
        if clusters_gone {
            report.volumes = this.delete_volumes(&clusters).await;
        }
        Ok(report)
    }

    /// The members each member-access stack among `stacks` gives access to, as deployed (the config may have
    /// changed since the last deploy: what the deployed template holds is what Karmada has joined).
    async fn deployed_members(
        &self,
        stacks: &[Arc<StackArtifact>],
        app: &str,
    ) -> Result<Vec<(String, Vec<String>)>, DeployError> {
        let prefix = format!("{app}-member-access-");
        let mut found = Vec::new();
        for s in stacks {
            let members = if self.orphans.iter().any(|o| o.name == s.name) {
                inventory::access_members(&s.template)
            } else if s.name.starts_with(&prefix) {
                let client = self.clients.get(&s.environment.region)?;
                let Some(deployed) = stack::describe(client, &s.name).await? else { continue };
                stack::template(client, &deployed.id).await?.map(|t| inventory::access_members(&t)).unwrap_or_default()
            } else {
                continue;
            };
            if !members.is_empty() {
                found.push((s.name.clone(), members));
            }
        }
        Ok(found)
    }

    /// Unjoins `members` (`(stack, members)`) through the hook, or notes that `--skip-unjoin` leaves them; the
    /// members unjoined.
    async fn unjoin_members(&self, members: &[(String, Vec<String>)]) -> Result<Vec<String>, DeployError> {
        let all: Vec<String> = members.iter().flat_map(|(_, m)| m.iter().cloned()).collect();
        let Some(hook) = self.unjoin.as_ref().filter(|_| !self.skip_unjoin) else {
            for (stack, m) in members {
                self.note(
                    stack,
                    format!(
                        "not unjoining {} (--skip-unjoin): Karmada's resources and the workloads it propagated stay \
                         in those clusters",
                        m.join(", ")
                    ),
                );
            }
            return Ok(Vec::new());
        };
        for (stack, m) in members {
            self.note(stack, format!("unjoining {} from Karmada before the stack is deleted", m.join(", ")));
        }
        match hook.unjoin(&all).await {
            Ok(Unjoined::Unjoined) => Ok(all),
            Ok(Unjoined::NoHost) => {
                for (stack, m) in members {
                    self.note(stack, format!("no management host: no Karmada to unjoin {} from", m.join(", ")));
                }
                Ok(Vec::new())
            }
            Err(e @ DeployError::Interrupted { .. }) => Err(e),
            Err(e) => {
                let (reason, cause_hints) = (e.to_string(), e.hints());
                Err(DeployError::DestroyUnjoinFailed { members: all.join(", "), reason, cause_hints })
            }
        }
    }

    /// The leftover volumes of each `(region, app, cluster)`.
    async fn volumes(&self, clusters: &[(String, String, String)]) -> Result<Vec<(String, Volume)>, DeployError> {
        let mut found = Vec::new();
        for (region, app, cluster) in clusters {
            for v in volumes::find(self.ec2.get(region)?, app, cluster).await? {
                found.push((region.clone(), v));
            }
        }
        Ok(found)
    }

    /// One question listing every stack and volume, in the order they go.
    fn confirm(
        &self,
        stacks: &[Arc<StackArtifact>],
        leftovers: &[(String, Volume)],
        members: &[(String, Vec<String>)],
    ) -> Result<(), DeployError> {
        let mut question = String::from("This deletes, in this order:\n");
        let all: Vec<&str> = members.iter().flat_map(|(_, m)| m.iter().map(String::as_str)).collect();
        if !all.is_empty() && !self.skip_unjoin {
            question.push_str(&format!(
                "  first, unjoins {} from Karmada (Karmada removes the workloads it propagated to them)\n",
                all.join(", ")
            ));
        }
        for s in stacks {
            question.push_str(&format!("  stack {} ({})\n", s.name, s.environment.region));
        }
        for (region, v) in leftovers {
            let claim = v.claim.as_deref().map(|c| format!(", claim {c}")).unwrap_or_default();
            question.push_str(&format!(
                "  EBS volume {} ({region}, {} GiB{claim}), after the cluster stack\n",
                v.id, v.size_gib
            ));
        }
        question.push_str("Delete them?");
        match ask(self.reporter.as_ref(), self.approver.as_ref(), &question) {
            Answer::Yes => Ok(()),
            Answer::No => Err(DeployError::Declined { what: "destroy".into() }),
            Answer::Unavailable => Err(DeployError::ConfirmationImpossible {
                what: "destroy".into(),
                hint: "pass --force to delete without asking".into(),
            }),
        }
    }

    /// Deletes the volumes found again now that the clusters are gone.
    async fn delete_volumes(&self, clusters: &[(String, String, String)]) -> Vec<VolumeDeletion> {
        let mut done = Vec::new();
        for (region, app, cluster) in clusters {
            let ec2 = match self.ec2.get(region) {
                Ok(c) => c,
                Err(_) => continue,
            };
            let found = match volumes::find(ec2, app, cluster).await {
                Ok(found) => found,
                Err(e) => {
                    self.reporter.report(ProgressEvent::Note {
                        stack: cluster.clone(),
                        message: format!("could not list the cluster's EBS volumes: {e}"),
                    });
                    continue;
                }
            };
            for (volume, error) in volumes::delete(ec2, &found).await {
                done.push(VolumeDeletion { region: region.clone(), volume, error: error.map(DeployError::from) });
            }
        }
        done
    }

    /// Deletes one stack and waits until it is gone.
    pub async fn destroy_stack(&self, artifact: &StackArtifact) -> StackDeletion {
        let started = Instant::now();
        let mut report = StackDeletion::new(artifact, Deletion::Failed);
        if let Err(e) = self.try_destroy(artifact, started, &mut report).await {
            report.error = Some(e);
        }
        report
    }

    async fn try_destroy(
        &self,
        artifact: &StackArtifact,
        started: Instant,
        report: &mut StackDeletion,
    ) -> Result<(), DeployError> {
        let name = &artifact.name;
        let client = self.clients.get(&artifact.environment.region)?;
        let Some(deployed) = self.settled(client, artifact).await? else {
            self.reporter.report(ProgressEvent::Skipped { stack: name.clone(), reason: "does not exist".into() });
            report.outcome = Deletion::Absent;
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
        let events = if deployed.status == "DELETE_IN_PROGRESS" {
            self.note(name, "a deletion is already running; following it".into());
            self.positioned_stream(client, &deployed.id).await?
        } else {
            let retained = if self.retain_failed && deployed.status == "DELETE_FAILED" {
                stack::failed_deletions(client, &deployed.id).await?
            } else {
                Vec::new()
            };
            let retain: Vec<String> = retained.iter().map(|r| r.logical_id.clone()).collect();
            let operation = format!("karmada-eks-destroy-{}", token::unique_suffix());
            stack::delete_retaining(client, &deployed.id, Some(&operation), &retain).await?;
            report.retained = retained;
            EventStream::for_operation(&deployed.id, &operation)
        };
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
                report.outcome = Deletion::Deleted;
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
                if s.status == "DELETE_FAILED" {
                    let resources = stack::failed_deletions(client, &s.id)
                        .await
                        .unwrap_or_default()
                        .iter()
                        .map(|r| format!("{} ({})", r.logical_id, r.resource_type))
                        .collect();
                    return Err(DeployError::DeleteFailed { stack: name.clone(), reason: s.status_reason, resources });
                }
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

    /// The stack once no operation but a deletion runs on it: CloudFormation refuses DeleteStack while an update
    /// runs ("cannot be deleted while in status UPDATE_IN_PROGRESS"), so a running create, update, rollback or
    /// clean-up is waited out first, with progress. `None` when the stack is gone.
    async fn settled(&self, client: &Client, artifact: &StackArtifact) -> Result<Option<DeployedStack>, DeployError> {
        let name = &artifact.name;
        loop {
            let Some(deployed) = stack::describe(client, name).await? else { return Ok(None) };
            if classify_status(&deployed.status) != StatusClass::InProgress || deployed.status == "DELETE_IN_PROGRESS" {
                return Ok(Some(deployed));
            }
            let events = self.positioned_stream(client, &deployed.id).await?;
            // CancelUpdateStack applies to a stack in UPDATE_IN_PROGRESS only (API reference); the stack then
            // rolls back to its previous state, which is waited for like any running operation.
            if self.cancel_update && deployed.status == "UPDATE_IN_PROGRESS" {
                self.note(name, "cancelling the running update (--cancel-update); waiting for its rollback".into());
                client
                    .cancel_update_stack()
                    .stack_name(&deployed.id)
                    .send()
                    .await
                    .map_err(|e| AwsError::from_sdk("CancelUpdateStack", e))?;
            } else {
                self.note(name, format!("waiting for the running operation ({}) before deleting", deployed.status));
            }
            let mut interrupt = self.interrupt.clone();
            let followed = follow(
                Follow { client, name, stack_id: &deployed.id, events, total: 0, gone_is_done: true },
                self.reporter.as_ref(),
                &self.tuning,
                &mut interrupt,
            )
            .await?;
            if let Followed::Interrupted { status } = followed {
                return Err(DeployError::Interrupted {
                    stack: name.clone(),
                    detail: format!(
                        "stopped waiting for the running operation (status {status}); nothing was deleted. Run \
                         `karmada-eks destroy` again"
                    ),
                });
            }
        }
    }

    /// An event stream of `id` that shows only events newer than now.
    async fn positioned_stream(&self, client: &Client, id: &str) -> Result<EventStream, DeployError> {
        let mut events = EventStream::new(id, None);
        events.poll(client).await?;
        events.history.clear();
        Ok(events)
    }

    fn note(&self, stack: &str, message: String) {
        self.reporter.report(ProgressEvent::Note { stack: stack.to_string(), message });
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
