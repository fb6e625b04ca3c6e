//! When to ask before executing a change set, and how the question is asked.

use std::io::{BufRead, IsTerminal, Write};
use std::sync::Mutex;

use super::changeset::Change;
use super::progress::Reporter;

/// Resource types whose changes can grant access: IAM identities and policies, security groups and their rules,
/// key policies, EKS access entries, resource policies.
const SECURITY_TYPES: &[&str] = &[
    "AWS::IAM::Role",
    "AWS::IAM::Policy",
    "AWS::IAM::ManagedPolicy",
    "AWS::IAM::User",
    "AWS::IAM::Group",
    "AWS::IAM::InstanceProfile",
    "AWS::IAM::OIDCProvider",
    "AWS::EC2::SecurityGroup",
    "AWS::EC2::SecurityGroupIngress",
    "AWS::EC2::SecurityGroupEgress",
    "AWS::EC2::NetworkAclEntry",
    "AWS::KMS::Key",
    "AWS::EKS::AccessEntry",
    "AWS::Lambda::Permission",
    "AWS::S3::BucketPolicy",
];

/// When to ask (the CLI's `--require-approval`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum ApprovalPolicy {
    Never,
    /// Ask when a change may broaden access: an IAM or network-access resource added, or modified in more than
    /// its tags.
    #[default]
    Broadening,
    AnyChange,
}

/// The changes that may broaden access.
pub fn broadening(changes: &[Change]) -> Vec<&Change> {
    changes
        .iter()
        .filter(|c| SECURITY_TYPES.contains(&c.resource_type.as_str()))
        .filter(|c| match c.action.as_str() {
            "Add" => true,
            "Modify" => c.scope.is_empty() || c.scope.iter().any(|s| s != "Tags"),
            _ => false,
        })
        .collect()
}

/// Resource types whose replacement always needs approval: the management host (a new host means a new
/// bootstrap and signal wait).
const ASK_BEFORE_REPLACING: &[&str] = &["AWS::EC2::Instance"];

/// Properties of an `AWS::EC2::Instance` whose update stops and starts an EBS-backed instance (Resource Type
/// Reference, AWS::EC2::Instance: "Update requires: Some interruptions"). A new `UserData` does not run again
/// after the start: only the stack's record of it changes.
const STOPS_THE_INSTANCE: &[&str] = &["UserData", "InstanceType", "EbsOptimized", "KernelId", "RamdiskId"];

/// Why approval is needed for `changes` under `policy`, or `None`. Replacing the management host, or stopping it
/// to apply a change, is asked whatever the policy (only `--yes` answers it without a question).
pub fn needs_approval(policy: ApprovalPolicy, changes: &[Change]) -> Option<String> {
    let hosts = changes.iter().filter(|c| ASK_BEFORE_REPLACING.contains(&c.resource_type.as_str()));
    let replaced: Vec<String> = hosts
        .clone()
        .filter(|c| matches!(c.replacement.as_deref(), Some("True") | Some("Conditional")))
        .map(|c| format!("{} {}", c.resource_type, c.logical_id))
        .collect();
    if !replaced.is_empty() {
        return Some(format!("replaces {}", replaced.join(", ")));
    }
    let stopped: Vec<String> = hosts
        .filter(|c| c.action == "Modify")
        .filter_map(|c| {
            let why: Vec<&str> =
                c.properties.iter().map(String::as_str).filter(|p| STOPS_THE_INSTANCE.contains(p)).collect();
            (!why.is_empty()).then(|| format!("{} {} ({})", c.resource_type, c.logical_id, why.join(", ")))
        })
        .collect();
    if !stopped.is_empty() {
        return Some(format!(
            "stops and starts {} to apply the change; user data does not run again",
            stopped.join(", ")
        ));
    }
    match policy {
        ApprovalPolicy::Never => None,
        ApprovalPolicy::AnyChange if !changes.is_empty() => Some(format!("{} change(s)", changes.len())),
        ApprovalPolicy::AnyChange => None,
        ApprovalPolicy::Broadening => {
            let b = broadening(changes);
            (!b.is_empty()).then(|| {
                let names: Vec<String> = b.iter().map(|c| format!("{} {}", c.resource_type, c.logical_id)).collect();
                format!("changes that may broaden access ({})", names.join(", "))
            })
        }
    }
}

/// The answer to a yes/no question.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Answer {
    Yes,
    No,
    /// Nobody can answer (no terminal, no `--yes`).
    Unavailable,
}

/// Asks yes/no questions.
pub trait Approver: Send + Sync {
    fn ask(&self, question: &str) -> Answer;
}

/// Asks `approver` with the progress display of `reporter` paused.
pub fn ask(reporter: &dyn Reporter, approver: &dyn Approver, question: &str) -> Answer {
    let mut answer = Answer::No;
    reporter.suspend(&mut || answer = approver.ask(question));
    answer
}

/// Answers every question with the same answer (`--yes`, `--force`, tests).
pub struct Fixed(pub Answer);

impl Approver for Fixed {
    fn ask(&self, _question: &str) -> Answer {
        self.0
    }
}

/// Asks on the terminal (stderr for the question, stdin for the answer), one question at a time; without a
/// terminal on stdin, every answer is [`Answer::Unavailable`].
#[derive(Default)]
pub struct TerminalApprover {
    lock: Mutex<()>,
}

impl Approver for TerminalApprover {
    fn ask(&self, question: &str) -> Answer {
        if !std::io::stdin().is_terminal() {
            return Answer::Unavailable;
        }
        let _guard = self.lock.lock().unwrap_or_else(|e| e.into_inner());
        let mut err = std::io::stderr().lock();
        let _ = write!(err, "{question} [y/N] ");
        let _ = err.flush();
        let mut line = String::new();
        if std::io::stdin().lock().read_line(&mut line).is_err() {
            return Answer::No;
        }
        if matches!(line.trim().to_ascii_lowercase().as_str(), "y" | "yes") {
            Answer::Yes
        } else {
            Answer::No
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(action: &str, resource_type: &str, scope: &[&str]) -> Change {
        Change {
            action: action.into(),
            logical_id: "X".into(),
            resource_type: resource_type.into(),
            replacement: None,
            scope: scope.iter().map(|s| s.to_string()).collect(),
            properties: vec![],
        }
    }

    #[test]
    fn iam_and_security_group_changes_broaden_but_tag_only_changes_do_not() {
        let changes = vec![
            change("Add", "AWS::EC2::VPC", &[]),
            change("Modify", "AWS::IAM::Role", &["Tags"]),
            change("Remove", "AWS::EC2::SecurityGroup", &[]),
        ];
        assert!(needs_approval(ApprovalPolicy::Broadening, &changes).is_none());
        assert!(needs_approval(ApprovalPolicy::AnyChange, &changes).is_some());
        let more = vec![change("Modify", "AWS::EC2::SecurityGroup", &["Properties"])];
        assert!(needs_approval(ApprovalPolicy::Broadening, &more).unwrap().contains("AWS::EC2::SecurityGroup X"));
        assert!(needs_approval(ApprovalPolicy::Never, &more).is_none());
        assert!(needs_approval(ApprovalPolicy::Broadening, &[change("Add", "AWS::IAM::Role", &[])]).is_some());
    }

    #[test]
    fn a_change_that_stops_the_host_is_asked_whatever_the_policy_and_one_that_does_not_is_not() {
        let host = |properties: &[&str], replacement: Option<&str>| Change {
            replacement: replacement.map(String::from),
            properties: properties.iter().map(|p| p.to_string()).collect(),
            ..change("Modify", "AWS::EC2::Instance", &["Properties"])
        };
        let why = needs_approval(ApprovalPolicy::Never, &[host(&["UserData", "Monitoring"], Some("False"))]);
        assert_eq!(
            why.as_deref(),
            Some("stops and starts AWS::EC2::Instance X (UserData) to apply the change; user data does not run again")
        );
        assert!(needs_approval(ApprovalPolicy::Never, &[host(&["InstanceType"], Some("False"))]).is_some());
        assert!(needs_approval(ApprovalPolicy::Never, &[host(&["Monitoring", "Tags"], Some("False"))]).is_none());
        let replaced = needs_approval(ApprovalPolicy::Never, &[host(&["ImageId"], Some("True"))]).unwrap();
        assert_eq!(replaced, "replaces AWS::EC2::Instance X");
    }
}
