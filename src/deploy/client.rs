//! AWS clients per region, built once from the SDK's default chain (environment, profile, SSO, instance role,
//! `AWS_ENDPOINT_URL` and the per-service endpoint variables), or injected by tests.

use aws_config::{BehaviorVersion, Region, SdkConfig};
use std::collections::BTreeMap;

use super::tuning::Tuning;

/// A method returning the `$sdk` client for a region, with the shared configuration and retry policy.
macro_rules! regional_client {
    ($(#[$doc:meta])* $name:ident, $sdk:ident) => {
        $(#[$doc])*
        pub fn $name(&self, region: &str) -> $sdk::Client {
            let conf = $sdk::config::Builder::from(&self.config)
                .region(Region::new(region.to_string()))
                .retry_config(self.tuning.retry_config())
                .build();
            $sdk::Client::from_conf(conf)
        }
    };
}

/// The one HTTPS client every SDK client shares: hyper 1 with rustls on ring. The SDK crates' default client
/// (rustls on aws-lc) is switched off in `Cargo.toml` because aws-lc-sys is C built from source at every clean
/// build; ring does the same job for TLS 1.2/1.3 to AWS endpoints.
fn https_client() -> aws_smithy_runtime_api::client::http::SharedHttpClient {
    use aws_smithy_http_client::tls::{rustls_provider::CryptoMode, Provider};
    aws_smithy_http_client::Builder::new().tls_provider(Provider::Rustls(CryptoMode::Ring)).build_https()
}

/// Where the SDK configuration comes from.
#[derive(Clone, Debug, Default)]
pub struct AwsOptions {
    /// Shared-config profile (as `AWS_PROFILE`). Default: the SDK chain's choice.
    pub profile: Option<String>,
    /// Region for calls not tied to a stack. Default: the SDK chain's region.
    pub region: Option<String>,
}

/// The loaded SDK configuration; hands out clients for any region.
#[derive(Clone, Debug)]
pub struct Aws {
    config: SdkConfig,
    tuning: Tuning,
}

impl Aws {
    /// Loads the default chain once (no network call: credentials resolve on first use).
    pub async fn load(options: &AwsOptions, tuning: Tuning) -> Self {
        let mut loader = aws_config::defaults(BehaviorVersion::latest())
            .http_client(https_client())
            .retry_config(tuning.retry_config());
        if let Some(profile) = &options.profile {
            loader = loader.profile_name(profile);
        }
        if let Some(region) = &options.region {
            loader = loader.region(Region::new(region.clone()));
        }
        Aws { config: loader.load().await, tuning }
    }

    regional_client!(
        /// CloudFormation in `region`.
        cloudformation, aws_sdk_cloudformation
    );
    regional_client!(
        /// EC2 in `region` (the etcd volumes `destroy` removes).
        ec2, aws_sdk_ec2
    );
    regional_client!(
        /// SSM in `region` (the Karmada kubeconfig parameter).
        ssm, aws_sdk_ssm
    );
    regional_client!(
        /// STS in `region`, for the credentials' account.
        sts, aws_sdk_sts
    );

    /// CloudFormation clients for each of `regions`.
    pub fn cloudformation_clients<'a>(&self, regions: impl IntoIterator<Item = &'a str>) -> CfnClients {
        let mut clients = CfnClients::default();
        for region in regions {
            clients.insert(region, self.cloudformation(region));
        }
        clients
    }

    /// SSM clients for each of `regions`.
    pub fn ssm_clients<'a>(&self, regions: impl IntoIterator<Item = &'a str>) -> Regional<aws_sdk_ssm::Client> {
        let mut clients = Regional::default();
        for region in regions {
            clients.insert(region, self.ssm(region));
        }
        clients
    }

    /// EC2 clients for each of `regions`.
    pub fn ec2_clients<'a>(&self, regions: impl IntoIterator<Item = &'a str>) -> Ec2Clients {
        let mut clients = Ec2Clients::default();
        for region in regions {
            clients.insert(region, self.ec2(region));
        }
        clients
    }
}

/// One client of a service per region; the engine takes these, so tests can inject mocked ones.
#[derive(Clone, Debug)]
pub struct Regional<C> {
    by_region: BTreeMap<String, C>,
}

impl<C> Default for Regional<C> {
    fn default() -> Self {
        Regional { by_region: BTreeMap::new() }
    }
}

/// CloudFormation clients by region.
pub type CfnClients = Regional<aws_sdk_cloudformation::Client>;
/// EC2 clients by region.
pub type Ec2Clients = Regional<aws_sdk_ec2::Client>;

impl<C: Clone> Regional<C> {
    pub fn insert(&mut self, region: &str, client: C) {
        self.by_region.insert(region.to_string(), client);
    }

    /// The same client for every region (tests).
    #[cfg(test)]
    pub fn single<'a>(client: C, regions: impl IntoIterator<Item = &'a str>) -> Self {
        let mut clients = Regional::default();
        for region in regions {
            clients.insert(region, client.clone());
        }
        clients
    }

    /// The client for `region`; an error when none was made for it.
    pub fn get(&self, region: &str) -> Result<&C, super::error::AwsError> {
        self.by_region.get(region).ok_or_else(|| {
            let service = std::any::type_name::<C>().split("::").next().unwrap_or("AWS");
            super::error::AwsError {
                operation: "client",
                kind: super::error::AwsErrorKind::Other,
                code: None,
                message: format!("no {service} client for region {region}"),
            }
        })
    }
}
