//! The account a stack's environment names (`account` in the config, `aws://<account>/<region>` in the manifest)
//! must be the credentials' account: otherwise deploy would create the app in, or destroy would delete stacks of
//! the same names from, another account. Stacks without an account go to the caller's account, as in the AWS CDK.

use constructs::core::assembly::StackArtifact;

use super::error::DeployError;

/// `(account, region)` of each of `stacks` that names an account.
pub fn of_stacks<'a>(stacks: impl IntoIterator<Item = &'a StackArtifact>) -> impl Iterator<Item = (&'a str, &'a str)> {
    stacks.into_iter().filter_map(|s| Some((s.environment.account.as_deref()?, s.environment.region.as_str())))
}

/// An error when `caller` (the credentials' account) is not the account of every one of `wanted` (`(account,
/// region)` pairs, as [`of_stacks`] gives them).
pub fn check<'a>(wanted: impl IntoIterator<Item = (&'a str, &'a str)>, caller: &str) -> Result<(), DeployError> {
    match wanted.into_iter().map(|(account, _)| account).find(|a| *a != caller) {
        None => Ok(()),
        Some(account) => Err(DeployError::WrongAccount { required: account.to_string(), caller: caller.to_string() }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use constructs::core::hints::rendered;

    #[test]
    fn no_explicit_account_needs_no_check_and_any_mismatch_names_both_accounts() {
        let r = "us-east-1";
        assert!(check([], "123456789012").is_ok());
        assert!(check([("123456789012", r)], "123456789012").is_ok());
        let e = rendered(&check([("123456789012", r), ("111111111111", r)], "123456789012").unwrap_err());
        assert!(e.contains("stacks are for account 111111111111"), "{e}");
        assert!(e.contains("credentials are for account 123456789012"), "{e}");
        assert!(e.contains("hint: use credentials of account 111111111111 (--profile NAME"), "{e}");
    }
}
