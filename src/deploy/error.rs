//! What can go wrong while talking to AWS, sorted by what the user can do about it.

use aws_sdk_cloudformation::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_types::request_id::RequestId;
use constructs::core::Hints;
use std::fmt;

/// Service error codes that mean the credentials are missing, wrong or expired.
const CREDENTIAL_CODES: &[&str] = &[
    "ExpiredToken",
    "ExpiredTokenException",
    "InvalidClientTokenId",
    "UnrecognizedClientException",
    "InvalidSignatureException",
    "SignatureDoesNotMatch",
    "AuthFailure",
];

/// Codes of a request refused for the time it was signed at: this machine's clock is off (SigV4 allows 5
/// minutes; EC2 "Common client errors", STS and the JSON APIs answer the first two).
const CLOCK_CODES: &[&str] = &["RequestExpired", "RequestTimeTooSkewed", "RequestInTheFuture"];

/// The codes of a call IAM refused: CloudFormation, STS and the other Query APIs say `AccessDenied`, the JSON
/// APIs (SSM, EKS, Service Quotas) `AccessDeniedException`, EC2 `UnauthorizedOperation`.
const ACCESS_DENIED_CODES: &[&str] = &["AccessDenied", "AccessDeniedException", "UnauthorizedOperation"];

/// Service error codes of throttling.
const THROTTLING_CODES: &[&str] =
    &["Throttling", "ThrottlingException", "RequestLimitExceeded", "TooManyRequestsException"];

/// How a failed AWS call can be handled.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AwsErrorKind {
    /// No credentials, or the service rejected them (expired, unknown key).
    Credentials,
    /// Still throttled after the SDK's own retries.
    Throttling,
    /// IAM refused the call: the credentials' policy lacks the action (docs/deployer-policy.md).
    AccessDenied,
    /// The stack (or other named thing) does not exist.
    NotFound,
    /// The request's signing time was refused: this machine's clock is off.
    ClockSkew,
    /// The endpoint could not be reached, or what answered is not the AWS service (a proxy, a wrong
    /// `AWS_ENDPOINT_URL`).
    Endpoint,
    /// Anything else: the message says what.
    Other,
}

/// A failed AWS API call.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AwsError {
    /// The API operation, e.g. `DescribeStacks`.
    pub operation: &'static str,
    pub kind: AwsErrorKind,
    /// The service's error code, when the service answered.
    pub code: Option<String>,
    pub message: String,
    /// The request ID the service answered with (`x-amzn-RequestId`, EC2's `RequestID`): what AWS Support asks
    /// for, and what CloudTrail records the call under.
    pub request_id: Option<String>,
}

impl AwsError {
    /// Sorts an SDK error of any service.
    pub fn from_sdk<E, R>(operation: &'static str, err: SdkError<E, R>) -> Self
    where
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
        R: fmt::Debug,
        SdkError<E, R>: RequestId,
    {
        let request_id = err.request_id().map(str::to_string);
        let code = err.code().map(str::to_string);
        let service_message = err.message().map(str::to_string);
        let full = DisplayErrorContext(&err).to_string();
        let text = full.split(" (").next().unwrap_or(&full).to_string();
        let message = match (&code, service_message) {
            (Some(code), Some(m)) => format!("{code}: {m}"),
            (Some(code), None) => code.clone(),
            (None, _) => text.clone(),
        };
        let kind = classify(code.as_deref(), &message, matches!(err, SdkError::ServiceError(_)));
        AwsError { operation, kind, code, message, request_id }
    }

    /// An error a service answered with `code` and `message`, for clients outside the SDK (EC2's Query API).
    pub fn from_service(operation: &'static str, code: &str, message: &str) -> Self {
        let message = if message.is_empty() { code.to_string() } else { format!("{code}: {message}") };
        let kind = classify(Some(code), &message, true);
        AwsError { operation, kind, code: Some(code.to_string()), message, request_id: None }
    }

    /// The same error, with the request ID the service gave it.
    pub fn with_request_id(mut self, request_id: Option<&str>) -> Self {
        self.request_id = request_id.filter(|id| !id.is_empty()).map(str::to_string);
        self
    }

    pub fn is_not_found(&self) -> bool {
        self.kind == AwsErrorKind::NotFound
    }
}

fn classify(code: Option<&str>, message: &str, from_service: bool) -> AwsErrorKind {
    let lower = message.to_ascii_lowercase();
    match code {
        Some(c) if CLOCK_CODES.contains(&c) => AwsErrorKind::ClockSkew,
        Some("InvalidSignatureException" | "SignatureDoesNotMatch") if lower.contains("signature expired") => {
            AwsErrorKind::ClockSkew
        }
        Some(c) if CREDENTIAL_CODES.contains(&c) => AwsErrorKind::Credentials,
        Some(c) if THROTTLING_CODES.contains(&c) => AwsErrorKind::Throttling,
        Some(c) if ACCESS_DENIED_CODES.contains(&c) => AwsErrorKind::AccessDenied,
        Some("ValidationError") if lower.contains("does not exist") => AwsErrorKind::NotFound,
        Some("ParameterNotFound") | Some("ChangeSetNotFound") | Some("ChangeSetNotFoundException") => {
            AwsErrorKind::NotFound
        }
        _ if !from_service && (lower.contains("credential") || lower.contains("token has expired")) => {
            AwsErrorKind::Credentials
        }
        _ => AwsErrorKind::Other,
    }
}

impl fmt::Display for AwsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            AwsErrorKind::Credentials => {
                write!(f, "{} failed: the AWS credentials are missing or expired ({})", self.operation, self.message)?
            }
            AwsErrorKind::Throttling => {
                write!(f, "{} failed: still throttled by AWS after retries ({})", self.operation, self.message)?
            }
            AwsErrorKind::ClockSkew => {
                write!(f, "{} failed: AWS refused the request's time ({})", self.operation, self.message)?
            }
            _ => write!(f, "{} failed: {}", self.operation, self.message)?,
        }
        match &self.request_id {
            Some(id) => write!(f, " [request ID {id}]"),
            None => Ok(()),
        }
    }
}

impl Hints for AwsError {
    fn hints(&self) -> Vec<String> {
        let hint = match self.kind {
            AwsErrorKind::Credentials => {
                "run `aws sso login` (with --profile NAME if you use a profile), or set AWS_PROFILE / pass --profile, or \
                 export fresh AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN"
                    .to_string()
            }
            AwsErrorKind::Throttling => {
                "wait a minute and run the command again; it carries on from the deployed state".to_string()
            }
            AwsErrorKind::AccessDenied => format!(
                "the AWS credentials are not allowed to call {}; give them the policy docs/deployer-policy.md lists \
                 for this command (the minimum each karmada-eks command needs)",
                self.denied_action().unwrap_or_else(|| self.operation.to_string())
            ),
            AwsErrorKind::ClockSkew => "this machine's clock is more than 5 minutes off; sync it (`timedatectl \
                                        set-ntp true`, or `sudo chronyc makestep`) and run the command again"
                .to_string(),
            AwsErrorKind::Endpoint => "the AWS endpoint could not be reached or did not answer as AWS does: check \
                                       AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_<SERVICE>, the profile's endpoint_url and \
                                       services, a proxy (HTTPS_PROXY) and the network"
                .to_string(),
            _ => return Vec::new(),
        };
        vec![hint]
    }
}

impl AwsError {
    /// The IAM action AWS names in an access-denied message (`... is not authorized to perform: ssm:PutParameter
    /// on resource: ...`).
    pub fn denied_action(&self) -> Option<String> {
        let rest = self.message.split("perform: ").nth(1)?;
        let action = rest.split(|c: char| c.is_whitespace() || c == ',').next()?;
        action.contains(':').then(|| action.to_string())
    }
}

impl std::error::Error for AwsError {}

/// Why a stack operation did not finish as asked.
#[derive(Debug, thiserror::Error)]
pub enum DeployError {
    #[error("{0}")]
    Aws(#[from] AwsError),
    #[error(
        "stack {stack}: the template is {size} bytes, over CloudFormation's 51,200-byte limit for an inline \
         template"
    )]
    TemplateTooLarge { stack: String, size: usize },
    #[error("stack {stack}: parameter {parameter} has no value: {reason}")]
    MissingParameter { stack: String, parameter: String, reason: String },
    #[error(
        "stack {stack} reads output {output} of stack {producer}, which has no such output (deploy {producer} first)"
    )]
    MissingInput { stack: String, producer: String, output: String },
    #[error("stack {stack} failed: {status}{}", reason.as_ref().map(|r| format!(" ({r})")).unwrap_or_default())]
    StackFailed { stack: String, status: String, reason: Option<String> },
    #[error("stack {stack} is {status} and cannot be {action}")]
    Blocked { stack: String, status: String, action: &'static str, hint: String },
    #[error("stack {stack}: change set failed: {reason}")]
    ChangeSetFailed { stack: String, reason: String },
    #[error("stack {stack}: {what} was not approved; nothing was changed")]
    NotApproved { stack: String, what: String },
    #[error("stack {stack}: {what} needs approval, but there is no terminal to ask on")]
    ApprovalImpossible { stack: String, what: String },
    #[error("stack {stack}: interrupted: {detail}")]
    Interrupted { stack: String, detail: String },
    #[error("not started: a stack it depends on failed")]
    DependencyFailed,
    #[error(
        "the stacks are for account {required}, but the AWS credentials are for account {caller}; nothing was \
         changed"
    )]
    WrongAccount { required: String, caller: String },
    #[error("the deployed template of {stack} cannot be read ({reason})")]
    TemplateNotJson { stack: String, reason: String },
    #[error(
        "stack {stack} could not be deleted: DELETE_FAILED{}{}",
        reason.as_ref().map(|r| format!(" ({r})")).unwrap_or_default(),
        failed_list(resources)
    )]
    DeleteFailed {
        stack: String,
        reason: Option<String>,
        /// Each resource that failed to delete, as `LogicalId (Type)`.
        resources: Vec<String>,
    },
    #[error("stack {stack} left the app, but its members {members} could not be unjoined from Karmada: {reason}")]
    UnjoinFailed {
        stack: String,
        members: String,
        reason: String,
        /// The hints of the failure on the host.
        cause_hints: Vec<String>,
    },
    #[error("members {members} could not be unjoined from Karmada, so nothing was deleted: {reason}")]
    DestroyUnjoinFailed { members: String, reason: String, cause_hints: Vec<String> },
    #[error("the final backup of Karmada failed, so nothing was deleted: {reason}")]
    FinalBackupFailed { reason: String, cause_hints: Vec<String> },
    /// A command on the management host failed: its message names the step (deploy::host).
    #[error("{message}")]
    OnHost { message: String, hints: Vec<String> },
    #[error(
        "stack {stack}: parent.admin_principal_arns lists {listed}, which is the deploying principal ({caller}); \
         EKS already gives the cluster's creator admin access (BootstrapClusterCreatorAdminPermissions), so this \
         access entry would fail with \"The specified access entry resource is already in use on this cluster\" \
         after the cluster is created, and the stack would roll back; nothing was changed"
    )]
    DeployerIsListedAdmin { stack: String, listed: String, caller: String },
    #[error(
        "{stack} is not a deployed stack of app {app} that the assembly lacks, so it cannot be deleted by name; \
         nothing was changed"
    )]
    NotALeftover { stack: String, app: String, kept: Vec<String> },
    #[error(
        "app {app} is locked by another run: {parameter} is held by {} (`karmada-eks {}` on {}, pid {}) since {}, \
         {}; nothing was changed",
        holder.owner, holder.command, holder.host, holder.pid, holder.started,
        if *stale {
            format!("expired at {} (the run that took it has most likely died)", holder.expires)
        } else {
            format!("until {}", holder.expires)
        }
    )]
    LockHeld {
        app: String,
        parameter: String,
        holder: Box<super::lock_owner::LockOwner>,
        /// The lock's expiry has passed.
        stale: bool,
    },
    #[error("{what} was not confirmed; nothing was deleted")]
    Declined { what: String },
    #[error("{what} needs confirmation, but there is no terminal to ask on")]
    ConfirmationImpossible { what: String, hint: String },
}

impl Hints for DeployError {
    /// The variant's own fix, after the hints of the failure on the host it wraps.
    fn hints(&self) -> Vec<String> {
        let cause: &[String] = match self {
            DeployError::UnjoinFailed { cause_hints, .. }
            | DeployError::DestroyUnjoinFailed { cause_hints, .. }
            | DeployError::FinalBackupFailed { cause_hints, .. } => cause_hints,
            _ => &[],
        };
        let hint = match self {
            DeployError::Aws(e) => return e.hints(),
            DeployError::TemplateTooLarge { .. } => {
                "uploading large templates to S3 is not supported yet; reduce the stack's resources".to_string()
            }
            DeployError::Blocked { hint, .. } | DeployError::ConfirmationImpossible { hint, .. } => hint.clone(),
            DeployError::OnHost { hints, .. } => return hints.clone(),
            DeployError::ApprovalImpossible { .. } => "pass --yes, or --require-approval never".into(),
            DeployError::WrongAccount { required, caller } => format!(
                "use credentials of account {required} (--profile NAME or AWS_PROFILE), or set `account = \
                 \"{caller}\"` in karmada-eks.toml (remove it to deploy to whichever account the credentials belong to)"
            ),
            DeployError::TemplateNotJson { .. } => {
                "it was not deployed by karmada-eks or the AWS CDK CLI; compare it by hand".into()
            }
            DeployError::DeleteFailed { stack, .. } => format!(
                "remove what keeps them (see the reasons above) and run `karmada-eks destroy` again; or run \
                 `karmada-eks destroy --retain-failed --exclusively {stack}` to delete the stack and keep those \
                 resources, then delete them by hand"
            ),
            DeployError::UnjoinFailed { .. } => {
                "fix the cause and run `karmada-eks deploy` again; the stack stays until its members are unjoined"
                    .into()
            }
            DeployError::DestroyUnjoinFailed { .. } => "fix the cause and run `karmada-eks destroy` again; or run \
                                                       `karmada-eks destroy --skip-unjoin` to delete the stacks \
                                                       anyway, leaving in those clusters what Karmada created there \
                                                       (the workloads it propagated, the karmada-cluster namespace \
                                                       and RBAC of `join`, or the karmada-agent of `register`)"
                .into(),
            DeployError::FinalBackupFailed { .. } => "fix the cause and run `karmada-eks destroy` again \
                                                     (`karmada-eks status` shows the last backup); or run \
                                                     `karmada-eks destroy --no-final-backup` to delete without one, \
                                                     losing what changed since the last backup"
                .into(),
            DeployError::DeployerIsListedAdmin { listed, .. } => format!(
                "remove {listed} from parent.admin_principal_arns (you keep admin access as the creator), or deploy \
                 with other credentials"
            ),
            DeployError::NotALeftover { kept, .. } if kept.is_empty() => {
                "no stack tagged with the app is outside the assembly; to delete a stack of the assembly run \
                 `karmada-eks destroy` with its name"
                    .into()
            }
            DeployError::NotALeftover { kept, .. } => {
                format!("the stacks karmada-eks keeps because it did not make them are: {}", kept.join(", "))
            }
            DeployError::LockHeld { .. } => "wait for that run to finish; if it is gone (killed, or its machine \
                                            lost), run the command again with --force-unlock"
                .into(),
            DeployError::MissingParameter { .. }
            | DeployError::MissingInput { .. }
            | DeployError::StackFailed { .. }
            | DeployError::ChangeSetFailed { .. }
            | DeployError::NotApproved { .. }
            | DeployError::Interrupted { .. }
            | DeployError::DependencyFailed
            | DeployError::Declined { .. } => return Vec::new(),
        };
        cause.iter().cloned().chain([hint]).collect()
    }
}

/// "; resources that failed to delete: A (type), B (type)", or nothing.
fn failed_list(resources: &[String]) -> String {
    if resources.is_empty() {
        return String::new();
    }
    format!("; resources that failed to delete: {}", resources.join(", "))
}

impl DeployError {
    /// A failure on the management host, with its hints.
    pub fn on_host(e: &(impl fmt::Display + Hints)) -> DeployError {
        DeployError::OnHost { message: e.to_string(), hints: e.hints() }
    }

    /// Whether this is the user's input to fix (exit 2) rather than a failure while working (exit 1).
    pub fn is_usage(&self) -> bool {
        matches!(
            self,
            DeployError::TemplateTooLarge { .. }
                | DeployError::ApprovalImpossible { .. }
                | DeployError::ConfirmationImpossible { .. }
                | DeployError::WrongAccount { .. }
                | DeployError::DeployerIsListedAdmin { .. }
                | DeployError::NotALeftover { .. }
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use constructs::core::hints::rendered;

    #[test]
    fn the_request_id_the_service_answered_with_is_kept_and_shown() {
        use aws_sdk_cloudformation::config::http::HttpResponse;
        use aws_sdk_cloudformation::operation::describe_stacks::DescribeStacksError;
        use aws_smithy_types::body::SdkBody;
        use aws_smithy_types::error::ErrorMetadata;
        let mut raw = HttpResponse::new(400.try_into().unwrap(), SdkBody::empty());
        raw.headers_mut().insert("x-amzn-RequestId", "4f9e2c1a-0000-4000-8000-000000000000");
        let meta = ErrorMetadata::builder().code("ValidationError").message("Stack with id x does not exist").build();
        let e = AwsError::from_sdk("DescribeStacks", SdkError::service_error(DescribeStacksError::generic(meta), raw));
        assert_eq!(e.request_id.as_deref(), Some("4f9e2c1a-0000-4000-8000-000000000000"));
        assert_eq!(
            e.to_string(),
            "DescribeStacks failed: ValidationError: Stack with id x does not exist [request ID \
             4f9e2c1a-0000-4000-8000-000000000000]"
        );
        let ec2 = AwsError::from_service("DescribeVpcs", "AuthFailure", "no").with_request_id(Some("req-1"));
        assert!(ec2.to_string().ends_with(" [request ID req-1]"), "{ec2}");
        assert_eq!(AwsError::from_service("DescribeVpcs", "X", "y").with_request_id(Some("")).request_id, None);
    }

    #[test]
    fn an_access_denied_error_names_the_action_and_points_at_the_policy_doc() {
        let message = "User: arn:aws:iam::123456789012:user/deployer is not authorized to perform: \
                       cloudformation:CreateChangeSet on resource: arn:aws:cloudformation:us-east-1:123456789012:\
                       stack/karmada-network/* because no identity-based policy allows the \
                       cloudformation:CreateChangeSet action";
        let e = AwsError::from_service("CreateChangeSet", "AccessDenied", message);
        assert_eq!(e.kind, AwsErrorKind::AccessDenied);
        assert_eq!(e.denied_action().as_deref(), Some("cloudformation:CreateChangeSet"));
        let text = rendered(&e);
        assert!(text.starts_with("CreateChangeSet failed: AccessDenied: User: "), "{text}");
        assert!(text.contains("not allowed to call cloudformation:CreateChangeSet"), "{text}");
        assert!(text.contains("docs/deployer-policy.md"), "{text}");

        for code in ["AccessDeniedException", "UnauthorizedOperation"] {
            let e = AwsError::from_service("DeleteVolume", code, "You are not authorized to perform this operation.");
            assert_eq!(e.kind, AwsErrorKind::AccessDenied, "{code}");
            assert_eq!(e.denied_action(), None, "no action named: the hint names the operation");
            assert!(rendered(&e).contains("not allowed to call DeleteVolume"), "{e}");
        }
        let other = AwsError::from_service("DescribeStacks", "ValidationError", "Stack with id x does not exist");
        assert_ne!(other.kind, AwsErrorKind::AccessDenied);
    }
}
