//! AWS clients per region, built once from the SDK's default chain (environment, profile, SSO, instance role,
//! `AWS_ENDPOINT_URL` and the per-service endpoint variables), or injected by tests.

use aws_config::{BehaviorVersion, Region, SdkConfig};
use std::collections::BTreeMap;
use std::sync::Arc;

use super::error::AwsError;
use super::tuning::Tuning;

/// A method returning the `$sdk` client for a region, with the shared configuration and retry policy.
macro_rules! regional_client {
    ($(#[$doc:meta])* $name:ident, $sdk:ident) => {
        $(#[$doc])*
        pub fn $name(&self, region: &str) -> $sdk::Client {
            let conf = $sdk::config::Builder::from(&self.config)
                .region(Region::new(region.to_string()))
                .retry_config(self.tuning.retry_config())
                .timeout_config(self.tuning.timeout_config())
                .interceptor(super::request_log::RequestLog)
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

/// Whose credentials these are, as STS `GetCallerIdentity` says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Caller {
    pub account: String,
    pub arn: String,
}

/// The loaded SDK configuration; hands out clients for any region.
#[derive(Clone, Debug)]
pub struct Aws {
    config: SdkConfig,
    tuning: Tuning,
    /// The credentials' identity once STS has told it (the account check, the admin check and the preflight
    /// all need it; a refusal is not kept, so a later call asks again).
    caller: Arc<tokio::sync::OnceCell<Caller>>,
}

impl Aws {
    /// Loads the default chain once (no network call: credentials resolve on first use).
    pub async fn load(options: &AwsOptions, tuning: Tuning) -> Self {
        let mut loader = aws_config::defaults(BehaviorVersion::latest())
            .http_client(https_client())
            .retry_config(tuning.retry_config())
            .timeout_config(tuning.timeout_config());
        if let Some(profile) = &options.profile {
            loader = loader.profile_name(profile);
        }
        if let Some(region) = &options.region {
            loader = loader.region(Region::new(region.clone()));
        }
        let mut config = loader.load().await;
        // `--profile` wins over credentials in the environment, as in the AWS CLI ("Configuration and credential
        // precedence": command line options first); the SDK's default chain reads the environment before any
        // profile, so leftover AWS_ACCESS_KEY_ID would otherwise deploy into another account unseen.
        if let Some(profile) = &options.profile {
            let provider_config = aws_config::provider_config::ProviderConfig::without_region()
                .with_http_client(https_client())
                .with_region(config.region().cloned());
            let credentials = aws_config::profile::ProfileFileCredentialsProvider::builder()
                .configure(&provider_config)
                .profile_name(profile)
                .build();
            config = config
                .into_builder()
                .credentials_provider(aws_credential_types::provider::SharedCredentialsProvider::new(credentials))
                .build();
        }
        // One cache of the credentials for every client of the command (each SDK client's own identity cache
        // and the EC2 client draw from it): a role profile assumes its role once, a credential_process or an
        // MFA prompt runs once, until the credentials are within CachedCredentials::REFRESH_BEFORE of expiring.
        if let Some(provider) = config.credentials_provider() {
            config = config
                .into_builder()
                .credentials_provider(aws_credential_types::provider::SharedCredentialsProvider::new(
                    super::credentials::CachedCredentials::new(provider),
                ))
                .build();
        }
        Aws { config, tuning, caller: Arc::default() }
    }

    /// The credentials' identity: STS `GetCallerIdentity` in `region` the first time, then the same answer (STS
    /// gives the same identity in every region).
    pub async fn caller(&self, region: &str) -> Result<Caller, AwsError> {
        let caller = self
            .caller
            .get_or_try_init(|| async {
                let out = self
                    .sts(region)
                    .get_caller_identity()
                    .send()
                    .await
                    .map_err(|e| AwsError::from_sdk("GetCallerIdentity", e))?;
                let account = out.account().unwrap_or_default().to_string();
                Ok::<_, AwsError>(Caller { account, arn: out.arn().unwrap_or_default().to_string() })
            })
            .await?;
        Ok(caller.clone())
    }

    regional_client!(
        /// CloudFormation in `region`.
        cloudformation, aws_sdk_cloudformation
    );
    /// EC2 in `region` (the etcd volumes `destroy` removes; zones, addresses and instance types for the
    /// preflight), through the small Query-API client of `deploy::ec2`.
    pub fn ec2(&self, region: &str) -> super::ec2::Ec2 {
        super::ec2::Ec2::new(&self.config, region, self.tuning)
    }
    regional_client!(
        /// EKS in `region` (member clusters and name collisions the preflight checks).
        eks, aws_sdk_eks
    );
    regional_client!(
        /// Service Quotas in `region` (the applied quota values the preflight compares with).
        servicequotas, aws_sdk_servicequotas
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
pub type Ec2Clients = Regional<super::ec2::Ec2>;

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
                request_id: None,
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const IDENTITY: &str = "<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\
        <GetCallerIdentityResult><Arn>arn:aws:iam::123456789012:user/deployer</Arn><UserId>AIDA</UserId>\
        <Account>123456789012</Account></GetCallerIdentityResult>\
        <ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></GetCallerIdentityResponse>";
    const EXPIRED: &str =
        "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error><Type>Sender</Type>\
        <Code>ExpiredToken</Code><Message>The security token included in the request is expired</Message></Error>\
        <RequestId>2</RequestId></ErrorResponse>";

    /// An STS stand-in on 127.0.0.1 that refuses the first `refusals` requests; the count is of all requests.
    fn sts(refusals: usize) -> (String, crate::deploy::testing::Seen) {
        let xml = vec![("Content-Type".to_string(), "text/xml".to_string())];
        let mut answers: Vec<crate::deploy::testing::Answer> =
            (0..refusals).map(|_| (400, xml.clone(), EXPIRED.to_string())).collect();
        answers.push((200, xml, IDENTITY.to_string()));
        crate::deploy::testing::stand_in(answers)
    }

    fn against(endpoint: &str) -> Aws {
        let credentials = aws_credential_types::Credentials::new("AKIDEXAMPLE", "secret", None, None, "test");
        let config = SdkConfig::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new("us-east-1"))
            .credentials_provider(aws_credential_types::provider::SharedCredentialsProvider::new(credentials))
            .endpoint_url(endpoint)
            .http_client(https_client())
            .build();
        Aws { config, tuning: Tuning::default(), caller: Arc::default() }
    }

    /// The account check, the admin check and the preflight each need the caller; deploy asks STS once for all.
    #[tokio::test]
    async fn sts_is_asked_once_for_the_caller_and_a_refusal_is_asked_again() {
        let (endpoint, count) = sts(0);
        let aws = against(&endpoint);
        let first = aws.caller("us-east-1").await.unwrap();
        let again = aws.clone().caller("eu-central-1").await.unwrap();
        assert_eq!(
            first,
            Caller { account: "123456789012".into(), arn: "arn:aws:iam::123456789012:user/deployer".into() }
        );
        assert_eq!((again, count.lock().unwrap().len()), (first, 1));

        let (endpoint, count) = sts(1);
        let aws = against(&endpoint);
        let refused = aws.caller("us-east-1").await.unwrap_err();
        assert_eq!(refused.code.as_deref(), Some("ExpiredToken"), "{refused:?}");
        assert_eq!(aws.caller("us-east-1").await.unwrap().account, "123456789012");
        assert_eq!(count.lock().unwrap().len(), 2);
    }
}
