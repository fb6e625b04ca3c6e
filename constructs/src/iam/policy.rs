//! IAM policy documents as JSON values whose ARNs may be references.

use serde_json::{json, Value};

use crate::core::Expr;

/// `{"Effect": "Allow", "Action": actions, "Resource": resources}`.
pub fn allow(actions: &[&str], resources: Vec<Expr>) -> Value {
    json!({"Effect": "Allow", "Action": actions, "Resource": resources})
}

/// `{"Version": "2012-10-17", "Statement": statements}`.
pub fn document(statements: Vec<Value>) -> Value {
    json!({"Version": "2012-10-17", "Statement": statements})
}

/// A trust policy letting an AWS service assume the role.
pub fn service_trust(service: &str) -> Value {
    document(vec![json!({"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"})])
}

/// ARN of an AWS managed policy, in the stack's partition.
pub fn managed_policy_arn(name: &str) -> Expr {
    Expr::arn(&format!("iam::aws:policy/{name}"))
}
