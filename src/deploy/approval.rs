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

/// Why approval is needed for `changes` under `policy`, or `None`. Replacing an EC2 instance is asked whatever
/// the policy (only `--yes` answers it without a question).
pub fn needs_approval(policy: ApprovalPolicy, changes: &[Change]) -> Option<String> {
    let replaced: Vec<String> = changes
        .iter()
        .filter(|c| ASK_BEFORE_REPLACING.contains(&c.resource_type.as_str()))
        .filter(|c| matches!(c.replacement.as_deref(), Some("True") | Some("Conditional")))
        .map(|c| format!("{} {}", c.resource_type, c.logical_id))
        .collect();
    if !replaced.is_empty() {
        return Some(format!("replaces {}", replaced.join(", ")));
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
}
