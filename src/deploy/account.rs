//! The account a stack's environment names (`account` in the config, `aws://<account>/<region>` in the manifest)
//! must be the credentials' account: otherwise deploy would create the app in, or destroy would delete stacks of
//! the same names from, another account. Stacks without an account go to the caller's account, as in the AWS CDK.

use constructs::core::assembly::StackArtifact;

use super::client::Aws;
use super::error::DeployError;

/// `(account, region)` of each of `stacks` that names an account.
pub fn of_stacks<'a>(stacks: impl IntoIterator<Item = &'a StackArtifact>) -> impl Iterator<Item = (&'a str, &'a str)> {
    stacks.into_iter().filter_map(|s| Some((s.environment.account.as_deref()?, s.environment.region.as_str())))
}

/// An error when `caller` (the credentials' account) is not every one of `required`.
fn check(required: &[&str], caller: &str) -> Result<(), DeployError> {
    match required.iter().find(|a| **a != caller) {
        None => Ok(()),
        Some(account) => Err(DeployError::WrongAccount { required: account.to_string(), caller: caller.to_string() }),
    }
}

/// Checks that the credentials belong to every account of `wanted` (`(account, region)` pairs), asking STS in the
/// first pair's region; no AWS call when `wanted` is empty.
pub async fn ensure<'a>(aws: &Aws, wanted: impl IntoIterator<Item = (&'a str, &'a str)>) -> Result<(), DeployError> {
    let wanted: Vec<(&str, &str)> = wanted.into_iter().collect();
    let Some((_, region)) = wanted.first() else {
        return Ok(());
    };
    let caller = aws.caller(region).await?;
    let accounts: Vec<&str> = wanted.iter().map(|(account, _)| *account).collect();
    check(&accounts, &caller.account)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_explicit_account_needs_no_check_and_any_mismatch_names_both_accounts() {
        assert!(check(&[], "123456789012").is_ok());
        assert!(check(&["123456789012"], "123456789012").is_ok());
        let e = check(&["123456789012", "111111111111"], "123456789012").unwrap_err().to_string();
        assert!(e.contains("stacks are for account 111111111111"), "{e}");
        assert!(e.contains("credentials are for account 123456789012"), "{e}");
        assert!(e.contains("hint: use credentials of account 111111111111 (--profile NAME"), "{e}");
    }
}
