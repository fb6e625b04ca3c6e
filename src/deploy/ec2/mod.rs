//! EC2 through its Query API (form-encoded POST, SigV4, XML answers), for the few calls the tool makes: the etcd
//! volumes `destroy` removes, and the zones, addresses, instance types, VPCs and NAT gateways the preflight counts.
//!
//! Why not `aws-sdk-ec2`: that crate is generated for all of EC2's ~700 operations and took 3 to 7 minutes and
//! most of the peak memory of a clean build (issue 13); these calls need a signer and an HTTPS client, which the
//! SDK's own crates (`aws-sigv4`, hyper, rustls) already provide. Credentials, region and `AWS_ENDPOINT_URL`
//! come from the same SDK configuration as every other client (`deploy::client::Aws`); `AWS_ENDPOINT_URL_EC2`
//! overrides the endpoint for EC2 alone, as it does for the SDK.
//! Protocol: <https://docs.aws.amazon.com/AWSEC2/latest/APIReference/Query-Requests.html> (API version
//! 2016-11-15), errors: <https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html>.

mod operations;
pub mod xml;

pub use operations::*;

use aws_credential_types::provider::{ProvideCredentials, SharedCredentialsProvider};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::{connect::HttpConnector, Client};
use std::sync::OnceLock;
use std::time::{Duration, SystemTime};

use super::error::{AwsError, AwsErrorKind};
use super::tuning::Tuning;

/// The EC2 API version every request names.
pub const API_VERSION: &str = "2016-11-15";

type Https = Client<hyper_rustls::HttpsConnector<HttpConnector>, Full<Bytes>>;

/// An EC2 client for one region.
#[derive(Clone)]
pub struct Ec2 {
    region: String,
    endpoint: String,
    credentials: Option<SharedCredentialsProvider>,
    tuning: Tuning,
}

impl std::fmt::Debug for Ec2 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ec2").field("region", &self.region).field("endpoint", &self.endpoint).finish()
    }
}

impl Ec2 {
    /// A client for `region` with the SDK configuration's credentials and endpoint.
    pub fn new(config: &aws_config::SdkConfig, region: &str, tuning: Tuning) -> Self {
        let endpoint = std::env::var("AWS_ENDPOINT_URL_EC2")
            .ok()
            .filter(|e| !e.is_empty())
            .or_else(|| config.endpoint_url().map(str::to_string))
            .unwrap_or_else(|| default_endpoint(region));
        Ec2 {
            region: region.to_string(),
            endpoint: endpoint.trim_end_matches('/').to_string(),
            credentials: config.credentials_provider(),
            tuning,
        }
    }

    /// Calls `action` with `params` (already flattened: `Filter.1.Name`, ...), retrying throttling, 5XX and
    /// transport errors; returns the parsed answer.
    pub async fn call(&self, action: &'static str, params: &[(String, String)]) -> Result<xml::Element, AwsError> {
        let body = form_body(action, params);
        let mut backoff = self.tuning.retry_initial_backoff;
        let mut attempt = 1;
        loop {
            let result = self.attempt(action, &body).await;
            let retry = match &result {
                Err(Failure::Transport(_)) => true,
                Err(Failure::Service { status, error }) => *status >= 500 || error.kind == AwsErrorKind::Throttling,
                Err(Failure::Credentials(_)) | Ok(_) => false,
            };
            if !retry || attempt >= self.tuning.max_attempts.max(1) {
                return result.map_err(|f| f.into_error(action));
            }
            tokio::time::sleep(backoff).await;
            backoff = (backoff * 2).min(Duration::from_secs(20));
            attempt += 1;
        }
    }

    async fn attempt(&self, action: &'static str, body: &str) -> Result<xml::Element, Failure> {
        let request = self.signed_request(action, body).await?;
        let response = https()?.request(request).await.map_err(|e| Failure::Transport(e.to_string()))?;
        let status = response.status().as_u16();
        let bytes = response.into_body().collect().await.map_err(|e| Failure::Transport(e.to_string()))?.to_bytes();
        let text = String::from_utf8_lossy(&bytes);
        let doc = xml::parse(&text).map_err(|e| Failure::Transport(format!("HTTP {status}: {e}")))?;
        if (200..300).contains(&status) {
            return Ok(doc);
        }
        let error = match doc.find("Error") {
            Some(e) => AwsError::from_service(
                action,
                e.text_of("Code").unwrap_or("Unknown"),
                e.text_of("Message").unwrap_or_default(),
            ),
            None => AwsError::from_service(action, "Unknown", &format!("HTTP {status}")),
        };
        Err(Failure::Service { status, error })
    }

    async fn signed_request(&self, action: &'static str, body: &str) -> Result<http::Request<Full<Bytes>>, Failure> {
        let provider = self.credentials.as_ref().ok_or_else(|| Failure::Credentials("no credentials".into()))?;
        let credentials = provider.provide_credentials().await.map_err(|e| Failure::Credentials(e.to_string()))?;
        let identity = credentials.into();
        let uri = format!("{}/", self.endpoint);
        let host = uri
            .split("://")
            .nth(1)
            .and_then(|rest| rest.split('/').next())
            .ok_or_else(|| Failure::Transport(format!("endpoint {} is not a URL", self.endpoint)))?
            .to_string();
        let content_type = "application/x-www-form-urlencoded; charset=utf-8";
        let headers = [("content-type", content_type), ("host", host.as_str())];
        let params = aws_sigv4::sign::v4::SigningParams::builder()
            .identity(&identity)
            .region(&self.region)
            .name("ec2")
            .time(SystemTime::now())
            .settings(aws_sigv4::http_request::SigningSettings::default())
            .build()
            .map_err(|e| Failure::Transport(e.to_string()))?
            .into();
        let signable = aws_sigv4::http_request::SignableRequest::new(
            "POST",
            uri.as_str(),
            headers.iter().copied(),
            aws_sigv4::http_request::SignableBody::Bytes(body.as_bytes()),
        )
        .map_err(|e| Failure::Transport(e.to_string()))?;
        let (instructions, _) = aws_sigv4::http_request::sign(signable, &params)
            .map_err(|e| Failure::Transport(format!("signing {action}: {e}")))?
            .into_parts();
        let mut request = http::Request::post(uri.as_str())
            .header("content-type", content_type)
            .header("host", host)
            .body(Full::new(Bytes::from(body.to_string())))
            .map_err(|e| Failure::Transport(e.to_string()))?;
        instructions.apply_to_request_http1x(&mut request);
        Ok(request)
    }
}

enum Failure {
    Transport(String),
    Credentials(String),
    Service { status: u16, error: AwsError },
}

impl Failure {
    fn into_error(self, operation: &'static str) -> AwsError {
        match self {
            Failure::Transport(message) => AwsError { operation, kind: AwsErrorKind::Other, code: None, message },
            Failure::Credentials(message) => {
                AwsError { operation, kind: AwsErrorKind::Credentials, code: None, message }
            }
            Failure::Service { error, .. } => error,
        }
    }
}

/// `https://ec2.<region>.amazonaws.com` (`.amazonaws.com.cn` in the China regions).
pub fn default_endpoint(region: &str) -> String {
    let suffix = if region.starts_with("cn-") { "amazonaws.com.cn" } else { "amazonaws.com" };
    format!("https://ec2.{region}.{suffix}")
}

/// `Action=..&Version=..&k=v...`, form-encoded.
fn form_body(action: &str, params: &[(String, String)]) -> String {
    let mut body = format!("Action={}&Version={API_VERSION}", encode(action));
    for (k, v) in params {
        body.push('&');
        body.push_str(&encode(k));
        body.push('=');
        body.push_str(&encode(v));
    }
    body
}

/// Percent-encoding of everything but RFC 3986's unreserved characters.
fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The HTTPS client all EC2 clients share: hyper 1 and rustls on ring with the system's roots, as the SDK's.
fn https() -> Result<&'static Https, Failure> {
    static CLIENT: OnceLock<Result<Https, String>> = OnceLock::new();
    let client = CLIENT.get_or_init(|| {
        let connector = hyper_rustls::HttpsConnectorBuilder::new()
            .with_provider_and_native_roots(rustls::crypto::ring::default_provider())
            .map_err(|e| format!("no trusted root certificates on this system: {e}"))?
            .https_or_http()
            .enable_http1()
            .build();
        Ok(Client::builder(hyper_util::rt::TokioExecutor::new()).build(connector))
    });
    client.as_ref().map_err(|e| Failure::Transport(e.clone()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_are_form_encoded() {
        let body = form_body(
            "DescribeVolumes",
            &[("Filter.1.Name".into(), "tag:karmada-eks:app".into()), ("Filter.1.Value.1".into(), "a b/c".into())],
        );
        assert_eq!(
            body,
            "Action=DescribeVolumes&Version=2016-11-15&Filter.1.Name=tag%3Akarmada-eks%3Aapp&Filter.1.Value.1=a%20b%2Fc"
        );
    }

    #[tokio::test]
    async fn requests_are_signed_with_sigv4_for_ec2_in_the_region() {
        let config = aws_config::SdkConfig::builder()
            .credentials_provider(SharedCredentialsProvider::new(aws_credential_types::Credentials::new(
                "AKIDEXAMPLE",
                "secret",
                Some("session".into()),
                None,
                "test",
            )))
            .endpoint_url("http://127.0.0.1:1")
            .build();
        let ec2 = Ec2::new(&config, "eu-central-1", Tuning::default());
        let request = ec2.signed_request("DescribeVolumes", "Action=DescribeVolumes").await.ok().unwrap();
        let auth = request.headers()["authorization"].to_str().unwrap();
        assert!(auth.starts_with("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/"), "{auth}");
        assert!(auth.contains("/eu-central-1/ec2/aws4_request"), "{auth}");
        assert!(auth.contains("SignedHeaders=content-type;host;x-amz-date;x-amz-security-token"), "{auth}");
        assert_eq!(request.headers()["x-amz-security-token"], "session");
        assert_eq!(request.uri(), "http://127.0.0.1:1/");
    }

    #[test]
    fn endpoints_follow_the_partition() {
        assert_eq!(default_endpoint("eu-central-1"), "https://ec2.eu-central-1.amazonaws.com");
        assert_eq!(default_endpoint("cn-north-1"), "https://ec2.cn-north-1.amazonaws.com.cn");
    }
}
