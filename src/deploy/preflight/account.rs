//! Credentials and account: STS says whose credentials these are; a stack that names an account must be theirs.

use super::report::Finding;
use crate::deploy::client::Aws;
use crate::deploy::error::AwsErrorKind;

/// The credentials' finding and account (`None` when STS refused them: nothing else can be checked).
pub async fn check(aws: &Aws, region: &str, wanted: &[(String, String)]) -> (Finding, Option<String>) {
    match aws.caller(region).await {
        Ok(caller) => (judge(&caller.account, &caller.arn, wanted), Some(caller.account)),
        Err(e) => {
            let fix = match e.kind {
                AwsErrorKind::Credentials => {
                    "run `aws sso login` (with --profile NAME if you use a profile), or set \
                                              AWS_PROFILE / pass --profile, or export fresh AWS_ACCESS_KEY_ID, \
                                              AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN"
                }
                _ => "check the credentials and the network, then run `karmada-eks doctor` again",
            };
            let found = match e.kind {
                AwsErrorKind::Credentials => {
                    format!("GetCallerIdentity failed: the AWS credentials are missing or expired ({})", e.message)
                }
                _ => format!("GetCallerIdentity failed: {}", e.message),
            };
            (Finding::fail("account", "global", found, fix), None)
        }
    }
}

fn judge(caller: &str, arn: &str, wanted: &[(String, String)]) -> Finding {
    match wanted.iter().find(|(account, _)| account != caller) {
        None if wanted.is_empty() => {
            Finding::ok("account", "global", format!("{arn} (account {caller}; the stacks name no account)"))
        }
        None => Finding::ok("account", "global", format!("{arn}, the stacks' account {caller}")),
        Some((account, region)) => Finding::fail(
            "account",
            region,
            format!("the stacks are for account {account}, the credentials ({arn}) for account {caller}"),
            format!(
                "use credentials of account {account} (--profile NAME or AWS_PROFILE), or set `account = \"{caller}\"` in \
                 karmada-eks.toml"
            ),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::deploy::preflight::report::Status;

    #[test]
    fn another_account_fails_naming_both_and_the_fix() {
        let arn = "arn:aws:iam::111111111111:user/u";
        assert_eq!(judge("111111111111", arn, &[]).result, Status::Ok);
        assert_eq!(judge("111111111111", arn, &[("111111111111".into(), "us-east-1".into())]).result, Status::Ok);
        let f = judge("111111111111", arn, &[("222222222222".into(), "us-east-1".into())]);
        assert_eq!(f.result, Status::Fail);
        assert!(
            f.found.contains("for account 222222222222") && f.found.contains("for account 111111111111"),
            "{}",
            f.found
        );
        assert!(f.fix.unwrap().starts_with("use credentials of account 222222222222"));
    }
}
