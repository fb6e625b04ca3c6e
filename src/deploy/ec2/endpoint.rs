//! EC2's endpoint, resolved as the generated SDK clients resolve theirs: a configured endpoint first
//! (`AWS_ENDPOINT_URL_EC2`, the profile's `services` section, then `AWS_ENDPOINT_URL` / `endpoint_url`, all
//! skipped under `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS`; aws-config loads them, `Builder::from(&SdkConfig)` of
//! every generated client reads them the same way), else EC2's endpoint rules over the region's partition, with
//! FIPS and dual-stack (`AWS_USE_FIPS_ENDPOINT`, `AWS_USE_DUALSTACK_ENDPOINT` or the profile). The rules are
//! those of EC2's endpoint rule set (as aws-sdk-ec2 and the other SDKs generate them); the partitions those of
//! the SDK's partitions.json (the copy aws-sdk-ssm 1.133 compiles in).

use aws_config::SdkConfig;

/// A partition: its region names, DNS suffix and dual-stack DNS suffix.
struct Partition {
    name: &'static str,
    /// The region name's prefix (`regionRegex` of partitions.json, all of the form `^<prefix>-\w+-\d+$`).
    prefixes: &'static [&'static str],
    dns_suffix: &'static str,
    dual_stack_dns_suffix: &'static str,
}

/// Every partition supports FIPS and dual-stack (partitions.json, `supportsFIPS`, `supportsDualStack`).
const PARTITIONS: [Partition; 8] = [
    Partition {
        name: "aws-cn",
        prefixes: &["cn"],
        dns_suffix: "amazonaws.com.cn",
        dual_stack_dns_suffix: "api.amazonwebservices.com.cn",
    },
    Partition {
        name: "aws-us-gov",
        prefixes: &["us-gov"],
        dns_suffix: "amazonaws.com",
        dual_stack_dns_suffix: "api.aws",
    },
    Partition {
        name: "aws-iso",
        prefixes: &["us-iso"],
        dns_suffix: "c2s.ic.gov",
        dual_stack_dns_suffix: "api.aws.ic.gov",
    },
    Partition {
        name: "aws-iso-b",
        prefixes: &["us-isob"],
        dns_suffix: "sc2s.sgov.gov",
        dual_stack_dns_suffix: "api.aws.scloud",
    },
    Partition {
        name: "aws-iso-e",
        prefixes: &["eu-isoe"],
        dns_suffix: "cloud.adc-e.uk",
        dual_stack_dns_suffix: "api.cloud-aws.adc-e.uk",
    },
    Partition {
        name: "aws-iso-f",
        prefixes: &["us-isof"],
        dns_suffix: "csp.hci.ic.gov",
        dual_stack_dns_suffix: "api.aws.hci.ic.gov",
    },
    Partition {
        name: "aws-eusc",
        prefixes: &["eusc-de"],
        dns_suffix: "amazonaws.eu",
        dual_stack_dns_suffix: "api.amazonwebservices.eu",
    },
    Partition {
        name: "aws",
        prefixes: &["us", "eu", "ap", "sa", "ca", "me", "af", "il", "mx"],
        dns_suffix: "amazonaws.com",
        dual_stack_dns_suffix: "api.aws",
    },
];

/// The partition of `region`: the first whose prefix, then `-<word>-<digits>`, is the whole name; `aws` for a
/// name no partition matches (as the SDKs fall back to the `aws` partition).
fn partition(region: &str) -> &'static Partition {
    let fits = |prefix: &str| {
        region.strip_prefix(prefix).and_then(|r| r.strip_prefix('-')).is_some_and(|rest| {
            let mut parts = rest.splitn(2, '-');
            let word = parts.next().unwrap_or_default();
            let digits = parts.next().unwrap_or_default();
            !word.is_empty()
                && word.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
                && !digits.is_empty()
                && digits.bytes().all(|b| b.is_ascii_digit())
        })
    };
    PARTITIONS.iter().find(|p| p.prefixes.iter().any(|x| fits(x))).unwrap_or(&PARTITIONS[7])
}

/// The endpoint configured for EC2 in `config`, if any.
fn configured(config: &SdkConfig) -> Option<String> {
    if config.get_origin("endpoint_url").is_client_config() {
        return config.endpoint_url().map(str::to_string);
    }
    let key = aws_types::service_config::ServiceConfigKey::builder()
        .service_id("EC2")
        .env("AWS_ENDPOINT_URL")
        .profile("endpoint_url")
        .build()
        .ok()?;
    config.service_config().and_then(|c| c.load_config(key)).or_else(|| config.endpoint_url().map(str::to_string))
}

/// EC2's endpoint for `region`; an error where the SDK refuses the configuration.
pub fn resolve(config: &SdkConfig, region: &str) -> Result<String, String> {
    let fips = config.use_fips().unwrap_or(false);
    let dual = config.use_dual_stack().unwrap_or(false);
    if let Some(url) = configured(config).filter(|u| !u.is_empty()) {
        if fips {
            return Err("Invalid Configuration: FIPS and custom endpoint are not supported".into());
        }
        if dual {
            return Err("Invalid Configuration: Dualstack and custom endpoint are not supported".into());
        }
        return Ok(url.trim_end_matches('/').to_string());
    }
    Ok(rules(region, fips, dual))
}

/// EC2's endpoint rules for a region without a configured endpoint.
fn rules(region: &str, fips: bool, dual: bool) -> String {
    let p = partition(region);
    match (fips, dual) {
        (true, true) => format!("https://ec2-fips.{region}.{}", p.dual_stack_dns_suffix),
        // EC2 in GovCloud is FIPS at its regular name.
        (true, false) if p.name == "aws-us-gov" => format!("https://ec2.{region}.amazonaws.com"),
        (true, false) => format!("https://ec2-fips.{region}.{}", p.dns_suffix),
        (false, true) => format!("https://ec2.{region}.{}", p.dual_stack_dns_suffix),
        (false, false) => format!("https://ec2.{region}.{}", p.dns_suffix),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_partition_has_its_domain() {
        let cases = [
            ("eu-central-1", "https://ec2.eu-central-1.amazonaws.com"),
            ("mx-central-1", "https://ec2.mx-central-1.amazonaws.com"),
            ("cn-north-1", "https://ec2.cn-north-1.amazonaws.com.cn"),
            ("us-gov-west-1", "https://ec2.us-gov-west-1.amazonaws.com"),
            ("us-iso-east-1", "https://ec2.us-iso-east-1.c2s.ic.gov"),
            ("us-isob-east-1", "https://ec2.us-isob-east-1.sc2s.sgov.gov"),
            ("eu-isoe-west-1", "https://ec2.eu-isoe-west-1.cloud.adc-e.uk"),
            ("us-isof-south-1", "https://ec2.us-isof-south-1.csp.hci.ic.gov"),
            ("eusc-de-east-1", "https://ec2.eusc-de-east-1.amazonaws.eu"),
        ];
        for (region, url) in cases {
            assert_eq!(rules(region, false, false), url, "{region}");
        }
    }

    #[test]
    fn fips_and_dual_stack_follow_ec2s_rules() {
        assert_eq!(rules("us-east-1", true, false), "https://ec2-fips.us-east-1.amazonaws.com");
        assert_eq!(rules("us-east-1", false, true), "https://ec2.us-east-1.api.aws");
        assert_eq!(rules("us-east-1", true, true), "https://ec2-fips.us-east-1.api.aws");
        assert_eq!(rules("us-gov-east-1", true, false), "https://ec2.us-gov-east-1.amazonaws.com");
        assert_eq!(rules("cn-north-1", false, true), "https://ec2.cn-north-1.api.amazonwebservices.com.cn");
    }

    #[test]
    fn a_configured_endpoint_wins_and_refuses_fips() {
        let config = SdkConfig::builder().endpoint_url("http://127.0.0.1:5000/").build();
        assert_eq!(resolve(&config, "us-east-1").unwrap(), "http://127.0.0.1:5000");
        let fips = SdkConfig::builder().endpoint_url("http://127.0.0.1:5000").use_fips(true).build();
        assert_eq!(
            resolve(&fips, "us-east-1").unwrap_err(),
            "Invalid Configuration: FIPS and custom endpoint are not supported"
        );
        let plain = SdkConfig::builder().use_dual_stack(true).build();
        assert_eq!(resolve(&plain, "eu-west-1").unwrap(), "https://ec2.eu-west-1.api.aws");
    }
}
