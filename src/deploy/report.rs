//! What an operation did: one result type per operation (`DeployReport`, `DestroyReport`), each made of one
//! line per stack. The CLI prints them (text or JSON) in one place; the engine only fills them.

use constructs::core::Hints;
use serde::ser::SerializeStruct;
use serde::Serialize;

use super::error::DeployError;
use super::events::ResourceEvent;
use super::inputs::Stale;
use super::inventory::Kept;
use super::stack::{StackOutput, StackResource};
use super::volumes::Volume;
use constructs::core::StackArtifact;

/// How one stack's deploy ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    Created,
    Updated,
    /// Already as in the assembly.
    Unchanged,
    /// Failed, interrupted or refused; the error says which.
    Failed,
    /// Not started because another stack failed first.
    NotStarted,
}

/// What happened to one stack in a deploy; its JSON is the line `deploy --json` prints for it (the error as its
/// message in `error` and its fixes in `hints`).
#[derive(Debug)]
pub struct StackReport {
    pub name: String,
    pub region: String,
    pub outcome: Outcome,
    /// The final status, when the stack exists.
    pub status: Option<String>,
    pub outputs: Vec<StackOutput>,
    /// The first failed resource events.
    pub failures: Vec<ResourceEvent>,
    pub error: Option<DeployError>,
}

impl Serialize for StackReport {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let hints = self.error.as_ref().map(Hints::hints).unwrap_or_default();
        let mut st = s.serialize_struct("StackReport", 7 + usize::from(!hints.is_empty()))?;
        st.serialize_field("stack", &self.name)?;
        st.serialize_field("region", &self.region)?;
        st.serialize_field("outcome", &self.outcome)?;
        st.serialize_field("status", &self.status)?;
        st.serialize_field("outputs", &self.outputs)?;
        st.serialize_field("failures", &self.failures)?;
        error_fields(&mut st, &self.error, hints)?;
        st.end()
    }
}

/// `error` (the message, or null) and, when there are any, `hints`.
fn error_fields<S: SerializeStruct>(
    st: &mut S,
    error: &Option<DeployError>,
    hints: Vec<String>,
) -> Result<(), S::Error> {
    st.serialize_field("error", &error.as_ref().map(ToString::to_string))?;
    if !hints.is_empty() {
        st.serialize_field("hints", &hints)?;
    }
    Ok(())
}

impl StackReport {
    pub(crate) fn new(stack: &StackArtifact, outcome: Outcome) -> Self {
        StackReport {
            name: stack.name.clone(),
            region: stack.environment.region.clone(),
            outcome,
            status: None,
            outputs: Vec::new(),
            failures: Vec::new(),
            error: None,
        }
    }

    pub(crate) fn failed(stack: &StackArtifact, error: DeployError) -> Self {
        StackReport { error: Some(error), ..StackReport::new(stack, Outcome::Failed) }
    }

    pub fn ok(&self) -> bool {
        matches!(self.outcome, Outcome::Created | Outcome::Updated | Outcome::Unchanged)
    }
}

impl super::schedule::StackResult for StackReport {
    fn ok(&self) -> bool {
        StackReport::ok(self)
    }

    fn not_started(stack: &StackArtifact) -> Self {
        StackReport { error: Some(DeployError::DependencyFailed), ..StackReport::new(stack, Outcome::NotStarted) }
    }
}

/// The result of `deploy`: one report per selected stack, in deploy order.
#[derive(Debug, Default)]
pub struct DeployReport {
    pub stacks: Vec<StackReport>,
    /// Stacks that left the app (and stacks named by `--prune`), deleted before the others deployed.
    pub removed: Vec<StackDeletion>,
    /// Stacks tagged with the app that karmada-eks did not make: listed, not deleted.
    pub kept: Vec<Kept>,
    /// Deployed stacks left out of a partial deploy that read outputs it changed.
    pub stale: Vec<Stale>,
    /// Whether every stack of the assembly was selected (the next step then is the kubeconfig).
    pub whole_app: bool,
    /// The app name (from the stacks' `karmada-eks:app` tag).
    pub app: String,
}

impl DeployReport {
    pub fn ok(&self) -> bool {
        self.stacks.iter().all(StackReport::ok) && self.removed.iter().all(StackDeletion::ok)
    }

    pub fn errors(&self) -> impl Iterator<Item = &DeployError> {
        self.removed.iter().filter_map(|r| r.error.as_ref()).chain(self.stacks.iter().filter_map(|r| r.error.as_ref()))
    }

    /// Whether this run created, updated or deleted a stack (what exit status 2, "nothing changed", rules out).
    pub fn changed_something(&self) -> bool {
        self.stacks.iter().any(|s| matches!(s.outcome, Outcome::Created | Outcome::Updated))
            || self.removed.iter().any(|r| r.outcome == Deletion::Deleted)
    }
}

/// How one stack's deletion ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Deletion {
    Deleted,
    /// The stack did not exist.
    Absent,
    Failed,
    /// Not started because a stack that had to go first failed.
    NotStarted,
}

/// What happened to one stack in a destroy; its JSON is the line `destroy --json` prints for it.
#[derive(Debug)]
pub struct StackDeletion {
    pub name: String,
    pub region: String,
    pub outcome: Deletion,
    /// The last status seen, when the stack still exists.
    pub status: Option<String>,
    /// The failed events of this deletion (the stack's own reason included).
    pub failures: Vec<ResourceEvent>,
    /// Resources kept by `--retain-failed`: they still exist and are to be removed by hand.
    pub retained: Vec<StackResource>,
    pub error: Option<DeployError>,
}

impl Serialize for StackDeletion {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let hints = self.error.as_ref().map(Hints::hints).unwrap_or_default();
        let mut st = s.serialize_struct("StackDeletion", 7 + usize::from(!hints.is_empty()))?;
        st.serialize_field("stack", &self.name)?;
        st.serialize_field("region", &self.region)?;
        st.serialize_field("outcome", &self.outcome)?;
        st.serialize_field("status", &self.status)?;
        st.serialize_field("failures", &self.failures)?;
        st.serialize_field("retained", &self.retained)?;
        error_fields(&mut st, &self.error, hints)?;
        st.end()
    }
}

impl StackDeletion {
    pub(crate) fn new(stack: &StackArtifact, outcome: Deletion) -> Self {
        StackDeletion {
            name: stack.name.clone(),
            region: stack.environment.region.clone(),
            outcome,
            status: None,
            failures: Vec::new(),
            retained: Vec::new(),
            error: None,
        }
    }

    pub fn ok(&self) -> bool {
        matches!(self.outcome, Deletion::Deleted | Deletion::Absent)
    }
}

impl super::schedule::StackResult for StackDeletion {
    fn ok(&self) -> bool {
        StackDeletion::ok(self)
    }

    fn not_started(stack: &StackArtifact) -> Self {
        StackDeletion { error: Some(DeployError::DependencyFailed), ..StackDeletion::new(stack, Deletion::NotStarted) }
    }
}

/// One leftover EBS volume `destroy` tried to delete.
#[derive(Debug)]
pub struct VolumeDeletion {
    pub region: String,
    pub volume: Volume,
    /// `None` when deleted.
    pub error: Option<DeployError>,
}

/// The result of `destroy`: the stacks in deletion order, then the leftover EBS volumes.
#[derive(Debug, Default)]
pub struct DestroyReport {
    pub stacks: Vec<StackDeletion>,
    pub volumes: Vec<VolumeDeletion>,
    /// Members unjoined from Karmada before the stacks went.
    pub unjoined: Vec<String>,
    /// Stacks tagged with the app that karmada-eks did not make: listed, not deleted.
    pub kept: Vec<Kept>,
    /// The final backup taken before the management host went (`s3://...`).
    pub final_backup: Option<String>,
    /// The stack of Karmada's backups, kept.
    pub backups_kept: Option<String>,
}

impl DestroyReport {
    pub fn ok(&self) -> bool {
        self.stacks.iter().all(StackDeletion::ok) && self.volumes.iter().all(|v| v.error.is_none())
    }

    pub fn errors(&self) -> impl Iterator<Item = &DeployError> {
        self.stacks.iter().filter_map(|r| r.error.as_ref()).chain(self.volumes.iter().filter_map(|v| v.error.as_ref()))
    }

    /// Whether this run deleted a stack or a volume.
    pub fn changed_something(&self) -> bool {
        self.stacks.iter().any(|s| s.outcome == Deletion::Deleted) || self.volumes.iter().any(|v| v.error.is_none())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_failed_stack_in_json_has_its_message_in_error_and_its_fixes_in_hints() {
        let mut app = constructs::core::App::new();
        app.add_stack("net", constructs::core::Environment::new(None, "eu-west-1"));
        let stack = app.synth().unwrap().stacks.remove(0);
        let error = DeployError::ApprovalImpossible { stack: "net".into(), what: "a deletion".into() };
        let line = serde_json::to_value(StackReport::failed(&stack, error)).unwrap();
        assert_eq!(line["error"], "stack net: a deletion needs approval, but there is no terminal to ask on");
        assert_eq!(line["hints"], json!(["pass --yes, or --require-approval never"]));
        let fine = serde_json::to_value(StackReport::new(&stack, Outcome::Unchanged)).unwrap();
        assert_eq!(fine["error"], serde_json::Value::Null);
        assert!(fine.get("hints").is_none(), "no hints key without an error: {fine}");
    }
}
