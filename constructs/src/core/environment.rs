//! Where a stack deploys.

/// Where a stack deploys: an account (unknown until deploy unless configured) and a region.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Environment {
    pub account: Option<String>,
    pub region: String,
}

impl Environment {
    pub fn new(account: Option<String>, region: impl Into<String>) -> Self {
        Environment { account, region: region.into() }
    }

    /// `aws://<account or unknown-account>/<region>`, as the cloud-assembly manifest writes it.
    pub fn uri(&self) -> String {
        format!("aws://{}/{}", self.account.as_deref().unwrap_or("unknown-account"), self.region)
    }
}
