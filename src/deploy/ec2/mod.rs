//! EC2 through its Query API (form-encoded POST, SigV4, XML answers), for the few calls the tool makes: the etcd
//! volumes `destroy` removes, and the zones, addresses, instance types, VPCs and NAT gateways the preflight counts.
//!
//! Why not `aws-sdk-ec2`: that crate is generated for all of EC2's ~700 operations and took 3 to 7 minutes and
//! most of the peak memory of a clean build (issue 13); these calls need a signer and an HTTPS client, which the
//! SDK's own crates (`aws-sigv4`, hyper, rustls) already provide. What the generated clients get from the SDK
//! runtime, this one takes from the same places or does as they do:
//! - credentials: the SDK configuration's provider, which `deploy::client` wraps in one cache for every client,
//!   so a role or `credential_process` profile is resolved once per command, not per request;
//! - the endpoint: `endpoint::resolve`, the generated clients' rules (configured endpoints, partitions, FIPS,
//!   dual-stack);
//! - retries: the SDK's standard mode (SDKs and Tools Reference Guide, "Retry behavior"): throttling, transient
//!   errors and 5XX, at most `Tuning::max_attempts`, exponential backoff with full jitter capped at 20 s; an
//!   answer that is not EC2's (a proxy's plain-text 403) is not retried;
//! - timeouts: `Tuning::connect_timeout` to connect, `Tuning::attempt_timeout` per attempt;
//! - clock skew: a request refused as expired or too skewed is signed again once with the server's clock (its
//!   `Date` header), as the SDKs correct skew.
//!
//! Protocol: <https://docs.aws.amazon.com/AWSEC2/latest/APIReference/Query-Requests.html> (API version
//! 2016-11-15), errors: <https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html>.

mod endpoint;
mod operations;
pub mod xml;

pub use operations::*;

use aws_credential_types::provider::{ProvideCredentials, SharedCredentialsProvider};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::{connect::HttpConnector, Client};
use std::sync::atomic::{AtomicI64, Ordering};
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
    /// The endpoint, or why the configuration has none.
    endpoint: Result<String, String>,
    credentials: Option<SharedCredentialsProvider>,
    tuning: Tuning,
}

impl std::fmt::Debug for Ec2 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ec2").field("region", &self.region).field("endpoint", &self.endpoint).finish()
    }
}

/// Codes of a request refused for its time: the signing clock is off (EC2 "Common client errors";
/// SDKs and Tools Reference Guide, clock skew).
const SKEW_CODES: [&str; 3] = ["RequestExpired", "RequestTimeTooSkewed", "RequestInTheFuture"];

/// Codes the SDKs' standard mode retries besides throttling (transient errors).
const TRANSIENT_CODES: [&str; 4] = ["RequestTimeout", "RequestTimeoutException", "InternalError", "ServiceUnavailable"];

/// Seconds to add to this machine's clock when signing, learnt from a server that refused a skewed request.
static SKEW_SECONDS: AtomicI64 = AtomicI64::new(0);

impl Ec2 {
    /// A client for `region` with the SDK configuration's credentials and endpoint.
    pub fn new(config: &aws_config::SdkConfig, region: &str, tuning: Tuning) -> Self {
        Ec2 {
            region: region.to_string(),
            endpoint: endpoint::resolve(config, region),
            credentials: config.credentials_provider(),
            tuning,
        }
    }

    /// Calls `action` with `params` (already flattened: `Filter.1.Name`, ...), retrying as the SDK's standard
    /// mode does; returns the parsed answer.
    pub async fn call(&self, action: &'static str, params: &[(String, String)]) -> Result<xml::Element, AwsError> {
        let body = form_body(action, params);
        let mut attempt = 1;
        let mut skew_corrected = false;
        loop {
            let result = match tokio::time::timeout(self.tuning.attempt_timeout, self.attempt(action, &body)).await {
                Ok(r) => r,
                Err(_) => Err(Failure::Transport(format!(
                    "no answer from {} within {} s",
                    self.endpoint.as_deref().unwrap_or_default(),
                    self.tuning.attempt_timeout.as_secs()
                ))),
            };
            if let Err(Failure::Service { error, server_time: Some(server), .. }) = &result {
                if !skew_corrected && error.code.as_deref().is_some_and(|c| SKEW_CODES.contains(&c)) {
                    let local = SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).unwrap_or_default();
                    SKEW_SECONDS.store(*server - local.as_secs() as i64, Ordering::Relaxed);
                    skew_corrected = true;
                    continue;
                }
            }
            let retry = match &result {
                Err(Failure::Transport(_)) => true,
                Err(Failure::Service { status, error, .. }) => {
                    matches!(status, 500 | 502 | 503 | 504)
                        || error.kind == AwsErrorKind::Throttling
                        || error.code.as_deref().is_some_and(|c| TRANSIENT_CODES.contains(&c))
                }
                Err(Failure::Credentials(_)) | Err(Failure::NotEc2 { .. }) | Err(Failure::Config(_)) | Ok(_) => false,
            };
            if !retry || attempt >= self.tuning.max_attempts.max(1) {
                return result.map_err(|f| f.into_error(action));
            }
            tokio::time::sleep(full_jitter(self.tuning.retry_initial_backoff, attempt)).await;
            attempt += 1;
        }
    }

    async fn attempt(&self, action: &'static str, body: &str) -> Result<xml::Element, Failure> {
        let endpoint = self.endpoint.as_deref().map_err(|e| Failure::Config(e.to_string()))?;
        let request = self.signed_request(endpoint, action, body).await?;
        tracing::debug!(action, endpoint, "EC2 request");
        let response = https(&self.tuning)?.request(request).await.map_err(|e| {
            tracing::info!(action, endpoint, error = %e, "EC2 request failed to send");
            Failure::Transport(e.to_string())
        })?;
        let status = response.status().as_u16();
        let server_time = response
            .headers()
            .get("date")
            .and_then(|d| d.to_str().ok())
            .and_then(|d| aws_smithy_types::DateTime::from_str(d, aws_smithy_types::date_time::Format::HttpDate).ok())
            .map(|d| d.secs());
        let bytes = response.into_body().collect().await.map_err(|e| Failure::Transport(e.to_string()))?.to_bytes();
        let text = String::from_utf8_lossy(&bytes);
        let doc = match xml::parse(&text) {
            Ok(doc) => doc,
            // A 5XX of a load balancer in front of EC2 is transient; anything else that is not XML is not EC2's.
            Err(_) if status >= 500 => return Err(Failure::Transport(format!("HTTP {status} from {endpoint}"))),
            Err(_) => {
                let excerpt: String = text.split_whitespace().collect::<Vec<_>>().join(" ").chars().take(160).collect();
                return Err(Failure::NotEc2 { status, endpoint: endpoint.to_string(), excerpt });
            }
        };
        let request_id = doc.text_of("RequestID").or_else(|| doc.text_of("requestId"));
        tracing::info!(action, status, request_id, "EC2 response");
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
        }
        .with_request_id(
            doc.text_of("RequestID").or_else(|| doc.find("RequestID").and_then(|r| r.text_of("RequestID"))),
        );
        Err(Failure::Service { status, error, server_time })
    }

    async fn signed_request(
        &self,
        endpoint: &str,
        action: &'static str,
        body: &str,
    ) -> Result<http::Request<Full<Bytes>>, Failure> {
        let provider = self.credentials.as_ref().ok_or_else(|| Failure::Credentials("no credentials".into()))?;
        let credentials = provider.provide_credentials().await.map_err(|e| Failure::Credentials(e.to_string()))?;
        let identity = credentials.into();
        let uri = format!("{endpoint}/");
        let host = uri
            .split("://")
            .nth(1)
            .and_then(|rest| rest.split('/').next())
            .ok_or_else(|| Failure::Config(format!("endpoint {endpoint} is not a URL")))?
            .to_string();
        let content_type = "application/x-www-form-urlencoded; charset=utf-8";
        let headers = [("content-type", content_type), ("host", host.as_str())];
        let skew = SKEW_SECONDS.load(Ordering::Relaxed);
        let now = SystemTime::now();
        let time = if skew >= 0 {
            now + Duration::from_secs(skew as u64)
        } else {
            now - Duration::from_secs(skew.unsigned_abs())
        };
        let params = aws_sigv4::sign::v4::SigningParams::builder()
            .identity(&identity)
            .region(&self.region)
            .name("ec2")
            .time(time)
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

/// The SDK's standard-mode wait before retry `attempt` (1-based): a random share of `base` * 2^(attempt-1),
/// capped at 20 s ("full jitter").
fn full_jitter(base: Duration, attempt: u32) -> Duration {
    let cap = base.saturating_mul(1 << (attempt - 1).min(16)).min(Duration::from_secs(20));
    let nanos = SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).unwrap_or_default().subsec_nanos();
    // xorshift of the clock's nanoseconds: enough randomness to spread retries, no crate needed.
    let mut x = u64::from(nanos) | 1;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    cap.mul_f64((x % 10_000) as f64 / 10_000.0)
}

enum Failure {
    Transport(String),
    Credentials(String),
    /// The configuration names no usable endpoint.
    Config(String),
    /// EC2 answered with an error document; `server_time` from its `Date` header.
    Service {
        status: u16,
        error: AwsError,
        server_time: Option<i64>,
    },
    /// Something that is not EC2 answered (no XML): a proxy, a wrong endpoint.
    NotEc2 {
        status: u16,
        endpoint: String,
        excerpt: String,
    },
}

impl Failure {
    fn into_error(self, operation: &'static str) -> AwsError {
        match self {
            Failure::Transport(message) => {
                AwsError { operation, kind: AwsErrorKind::Endpoint, code: None, message, request_id: None }
            }
            Failure::Credentials(message) => {
                AwsError { operation, kind: AwsErrorKind::Credentials, code: None, message, request_id: None }
            }
            Failure::Config(message) => {
                AwsError { operation, kind: AwsErrorKind::Endpoint, code: None, message, request_id: None }
            }
            Failure::Service { error, .. } => error,
            Failure::NotEc2 { status, endpoint, excerpt } => AwsError {
                operation,
                kind: AwsErrorKind::Endpoint,
                code: Some(format!("HTTP {status}")),
                message: format!("{endpoint} answered HTTP {status} with no AWS error document: {excerpt:?}"),
                request_id: None,
            },
        }
    }
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

/// The HTTPS client all EC2 clients share: hyper 1 and rustls on ring with the system's roots, as the SDK's,
/// connecting within `Tuning::connect_timeout`.
fn https(tuning: &Tuning) -> Result<&'static Https, Failure> {
    static CLIENT: OnceLock<Result<Https, String>> = OnceLock::new();
    let client = CLIENT.get_or_init(|| {
        let mut http = HttpConnector::new();
        http.enforce_http(false);
        http.set_connect_timeout(Some(tuning.connect_timeout));
        let connector = hyper_rustls::HttpsConnectorBuilder::new()
            .with_provider_and_native_roots(rustls::crypto::ring::default_provider())
            .map_err(|e| format!("no trusted root certificates on this system: {e}"))?
            .https_or_http()
            .enable_http1()
            .wrap_connector(http);
        Ok(Client::builder(hyper_util::rt::TokioExecutor::new()).build(connector))
    });
    client.as_ref().map_err(|e| Failure::Transport(e.clone()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use constructs::core::hints::rendered;

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
        let request =
            ec2.signed_request("http://127.0.0.1:1", "DescribeVolumes", "Action=DescribeVolumes").await.ok().unwrap();
        let auth = request.headers()["authorization"].to_str().unwrap();
        assert!(auth.starts_with("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/"), "{auth}");
        assert!(auth.contains("/eu-central-1/ec2/aws4_request"), "{auth}");
        assert!(auth.contains("SignedHeaders=content-type;host;x-amz-date;x-amz-security-token"), "{auth}");
        assert_eq!(request.headers()["x-amz-security-token"], "session");
        assert_eq!(request.uri(), "http://127.0.0.1:1/");
    }

    use crate::deploy::testing::{stand_in, Answer};

    fn client(endpoint: &str, attempts: u32) -> Ec2 {
        let config = aws_config::SdkConfig::builder()
            .credentials_provider(SharedCredentialsProvider::new(aws_credential_types::Credentials::new(
                "AKIDEXAMPLE",
                "secret",
                None,
                None,
                "test",
            )))
            .endpoint_url(endpoint)
            .build();
        let tuning = Tuning {
            max_attempts: attempts,
            retry_initial_backoff: Duration::from_millis(1),
            attempt_timeout: Duration::from_millis(500),
            ..Tuning::default()
        };
        Ec2::new(&config, "us-east-1", tuning)
    }

    const VPCS: &str =
        "<DescribeVpcsResponse><vpcSet><item><vpcId>vpc-1</vpcId></item></vpcSet>TOKEN</DescribeVpcsResponse>";

    fn page(token: &str) -> Answer {
        let t = if token.is_empty() { String::new() } else { format!("<nextToken>{token}</nextToken>") };
        (200, vec![], VPCS.replace("TOKEN", &t))
    }

    #[tokio::test]
    async fn the_accounts_elastic_ip_limit_is_read_from_its_attributes() {
        let attributes = r#"<DescribeAccountAttributesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">
            <requestId>r-1</requestId><accountAttributeSet>
              <item><attributeName>vpc-max-security-groups-per-interface</attributeName>
                <attributeValueSet><item><attributeValue>5</attributeValue></item></attributeValueSet></item>
              <item><attributeName>vpc-max-elastic-ips</attributeName>
                <attributeValueSet><item><attributeValue>12</attributeValue></item></attributeValueSet></item>
            </accountAttributeSet></DescribeAccountAttributesResponse>"#;
        let (endpoint, seen) = stand_in(vec![(200, vec![], attributes.into())]);
        assert_eq!(client(&endpoint, 1).max_elastic_ips().await.unwrap(), Some(12));
        let body = seen.lock().unwrap()[0].1.clone();
        assert_eq!(body, "Action=DescribeAccountAttributes&Version=2016-11-15&AttributeName.1=vpc-max-elastic-ips");
    }

    #[tokio::test]
    async fn regions_are_asked_with_all_regions_and_their_opt_in_status_read() {
        let regions = r#"<DescribeRegionsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><regionInfo>
              <item><regionName>af-south-1</regionName><regionEndpoint>ec2.af-south-1.amazonaws.com</regionEndpoint>
                <optInStatus>not-opted-in</optInStatus></item>
              <item><regionName>us-east-1</regionName><optInStatus>opt-in-not-required</optInStatus></item>
            </regionInfo></DescribeRegionsResponse>"#;
        let (endpoint, seen) = stand_in(vec![(200, vec![], regions.into())]);
        let wanted = ["af-south-1".to_string(), "us-east-1".to_string()];
        let got = client(&endpoint, 1).region_opt_in_statuses(&wanted).await.unwrap();
        assert_eq!(got[0], ("af-south-1".to_string(), "not-opted-in".to_string()));
        assert_eq!(got[1], ("us-east-1".to_string(), "opt-in-not-required".to_string()));
        let body = seen.lock().unwrap()[0].1.clone();
        assert_eq!(
            body,
            "Action=DescribeRegions&Version=2016-11-15&AllRegions=true&RegionName.1=af-south-1&RegionName.2=us-east-1"
        );
    }

    #[tokio::test]
    async fn spot_instances_are_not_counted_as_on_demand() {
        let instances = r#"<DescribeInstancesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">
            <reservationSet><item><instancesSet>
              <item><instanceId>i-1</instanceId><instanceType>m5.large</instanceType></item>
              <item><instanceId>i-2</instanceId><instanceType>m5.xlarge</instanceType><instanceLifecycle>spot</instanceLifecycle></item>
            </instancesSet></item></reservationSet></DescribeInstancesResponse>"#;
        let (endpoint, _) = stand_in(vec![(200, vec![], instances.into())]);
        assert_eq!(client(&endpoint, 1).on_demand_instance_types(&[]).await.unwrap(), ["m5.large"]);
    }

    #[tokio::test]
    async fn a_plain_text_refusal_is_not_ec2s_and_is_not_retried() {
        let (endpoint, seen) = stand_in(vec![(403, vec![], "Forbidden by the proxy".into())]);
        let e = client(&endpoint, 8).describe_vpcs().await.unwrap_err();
        assert_eq!(seen.lock().unwrap().len(), 1, "one request");
        assert_eq!(e.kind, AwsErrorKind::Endpoint);
        assert_eq!(
            e.message,
            format!("{endpoint} answered HTTP 403 with no AWS error document: \"Forbidden by the proxy\"")
        );
        assert!(rendered(&e).contains("check AWS_ENDPOINT_URL"), "{e}");
    }

    #[tokio::test]
    async fn transient_answers_are_retried_up_to_the_attempts_and_an_access_denial_never() {
        let busy =
            (503, vec![], "<Response><Errors><Error><Code>Unavailable</Code></Error></Errors></Response>".into());
        let (endpoint, seen) = stand_in(vec![busy.clone(), busy, page("")]);
        assert_eq!(client(&endpoint, 8).describe_vpcs().await.unwrap(), ["vpc-1"]);
        assert_eq!(seen.lock().unwrap().len(), 3);
        let denied = "<Response><Errors><Error><Code>UnauthorizedOperation</Code><Message>no</Message></Error></Errors></Response>";
        let (endpoint, seen) = stand_in(vec![(403, vec![], denied.into())]);
        let e = client(&endpoint, 8).describe_vpcs().await.unwrap_err();
        assert_eq!((e.kind, seen.lock().unwrap().len()), (AwsErrorKind::AccessDenied, 1));
        let (endpoint, seen) = stand_in(vec![(500, vec![], "oops".into())]);
        assert_eq!(client(&endpoint, 3).describe_vpcs().await.unwrap_err().kind, AwsErrorKind::Endpoint);
        assert_eq!(seen.lock().unwrap().len(), 3, "max_attempts in all");
    }

    #[tokio::test]
    async fn pages_are_asked_for_with_max_results_and_a_repeated_token_stops_the_paging() {
        let (endpoint, seen) = stand_in(vec![page("a"), page("b"), page("")]);
        assert_eq!(client(&endpoint, 1).describe_vpcs().await.unwrap(), ["vpc-1", "vpc-1", "vpc-1"]);
        let bodies: Vec<String> = seen.lock().unwrap().iter().map(|(_, b)| b.clone()).collect();
        assert_eq!(bodies[0], "Action=DescribeVpcs&Version=2016-11-15&MaxResults=1000");
        assert_eq!(bodies[2], "Action=DescribeVpcs&Version=2016-11-15&MaxResults=1000&NextToken=b");
        let (endpoint, seen) = stand_in(vec![page("a"), page("b"), page("a")]);
        let e = client(&endpoint, 1).describe_vpcs().await.unwrap_err();
        assert!(e.message.contains("a nextToken it had already given"), "{e}");
        assert_eq!(seen.lock().unwrap().len(), 3);
    }

    #[tokio::test]
    async fn a_request_refused_for_its_time_is_signed_again_with_the_servers_clock() {
        let expired = "<Response><Errors><Error><Code>RequestExpired</Code><Message>Request has expired.</Message></Error></Errors></Response>";
        let date = vec![("Date".to_string(), "Wed, 01 Jan 2031 00:00:00 GMT".to_string())];
        let (endpoint, seen) = stand_in(vec![(400, date, expired.into()), page("")]);
        assert_eq!(client(&endpoint, 1).describe_vpcs().await.unwrap(), ["vpc-1"], "corrected within one attempt");
        let heads: Vec<String> = seen.lock().unwrap().iter().map(|(h, _)| h.to_ascii_lowercase()).collect();
        assert!(heads[1].contains("x-amz-date: 20310101t"), "signed at the server's time: {}", heads[1]);
        SKEW_SECONDS.store(0, Ordering::Relaxed);
        let (endpoint, _) = stand_in(vec![(400, vec![], expired.into())]);
        let e = client(&endpoint, 1).describe_vpcs().await.unwrap_err();
        assert_eq!(e.kind, AwsErrorKind::ClockSkew);
        assert!(rendered(&e).contains("clock") && !rendered(&e).contains("sso login"), "{e}");
    }

    #[tokio::test]
    async fn an_endpoint_that_never_answers_times_out_per_attempt() {
        let (endpoint, seen) = stand_in(vec![(0, vec![], String::new())]);
        let started = std::time::Instant::now();
        let e = client(&endpoint, 2).describe_vpcs().await.unwrap_err();
        assert_eq!(e.kind, AwsErrorKind::Endpoint);
        assert!(e.message.contains("no answer from"), "{e}");
        assert!(started.elapsed() < Duration::from_secs(10));
        assert_eq!(seen.lock().unwrap().len(), 2);
    }

    #[test]
    fn retries_wait_a_random_share_of_a_doubling_cap() {
        for attempt in 1..=8 {
            let cap = Duration::from_millis(100).saturating_mul(1 << (attempt - 1)).min(Duration::from_secs(20));
            assert!(full_jitter(Duration::from_millis(100), attempt) <= cap);
        }
        assert!(full_jitter(Duration::from_secs(1), 30) <= Duration::from_secs(20));
    }
}
