//! Karmada's rules for member cluster names, with Karmada's own messages.
//!
//! Source: Karmada v1.18.2 `pkg/apis/cluster/validation/validation.go` (`ValidateClusterName`, which
//! `kubectl karmada join`, `register`, `unregister`, karmada-agent and the webhooks call), over
//! `k8s.io/apimachinery` v0.35.3 `pkg/util/validation` (`IsDNS1123Label`, `RegexError`), the version Karmada
//! v1.18.2's go.mod pins. karmadactl prints them as `invalid cluster name(<name>): <messages joined by ";">`.

/// Longest cluster name Karmada accepts (`clusterNameMaxLength`).
pub const MAX_CLUSTER_NAME_LEN: usize = 48;

/// Kubernetes' message for a name that is not an RFC 1123 label (`validation.IsDNS1123Label`: `RegexError` of
/// `dns1123LabelErrMsg` with the examples `my-name` and `123-abc`), byte for byte: RegexError appends each example
/// as `'<example>', ` and puts ` or ` between them, hence `'my-name',  or '123-abc', ` with two spaces (vendor/
/// k8s.io/apimachinery/pkg/util/validation/validation.go at Karmada v1.18.2).
pub const RFC1123_LABEL_MESSAGE: &str = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";

/// `IsDNS1123Label`'s message for a valid RFC 1123 subdomain that is not a label (it has dots).
pub const DOTS_MESSAGE: &str = "must not contain dots";

/// Karmada's `ValidateClusterName`: non-empty, at most 48 bytes, an RFC 1123 label; the error is Karmada's
/// messages joined by `;`, as karmadactl joins them. (IsDNS1123Label's own 63-character limit never fires after
/// the 48-byte check.)
pub fn validate_cluster_name(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err("must be not empty".into());
    }
    if name.len() > MAX_CLUSTER_NAME_LEN {
        return Err(format!("must be no more than {MAX_CLUSTER_NAME_LEN} characters"));
    }
    if !is_rfc1123_label(name) {
        return Err(if is_rfc1123_subdomain(name) { DOTS_MESSAGE } else { RFC1123_LABEL_MESSAGE }.into());
    }
    Ok(())
}

/// What karmadactl v1.18.2 prints for a name it refuses (join.go, register.go, unregister.go).
pub fn invalid_cluster_name(name: &str, messages: &str) -> String {
    format!("invalid cluster name({name}): {messages}")
}

/// `[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*` (length is checked by the callers).
fn is_rfc1123_subdomain(name: &str) -> bool {
    name.split('.').all(is_rfc1123_label)
}

/// `[a-z0-9]([-a-z0-9]*[a-z0-9])?` (length is checked by the callers' own limits).
pub fn is_rfc1123_label(name: &str) -> bool {
    let bytes = name.as_bytes();
    let alnum = |b: &u8| b.is_ascii_lowercase() || b.is_ascii_digit();
    match (bytes.first(), bytes.last()) {
        (Some(first), Some(last)) => alnum(first) && alnum(last) && bytes.iter().all(|b| alnum(b) || *b == b'-'),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// apimachinery v0.35.3's `RegexError`, step for step.
    fn regex_error(msg: &str, fmt: &str, examples: &[&str]) -> String {
        if examples.is_empty() {
            return format!("{msg} (regex used for validation is '{fmt}')");
        }
        let mut out = format!("{msg} (e.g. ");
        for (i, e) in examples.iter().enumerate() {
            if i > 0 {
                out.push_str(" or ");
            }
            out.push_str(&format!("'{e}', "));
        }
        out + &format!("regex used for validation is '{fmt}')")
    }

    #[test]
    fn the_label_message_is_what_regex_error_builds() {
        let msg = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character";
        assert_eq!(RFC1123_LABEL_MESSAGE, regex_error(msg, "[a-z0-9]([-a-z0-9]*[a-z0-9])?", &["my-name", "123-abc"]));
    }

    #[test]
    fn karmada_messages() {
        assert_eq!(validate_cluster_name(""), Err("must be not empty".into()));
        assert_eq!(validate_cluster_name(&"a".repeat(49)), Err("must be no more than 48 characters".into()));
        assert_eq!(validate_cluster_name(&"a".repeat(48)), Ok(()));
        for bad in ["-a", "a-", "A", "a_b", "é", "A.b", "a..b", ".a", "a.", "a.-b"] {
            assert_eq!(validate_cluster_name(bad), Err(RFC1123_LABEL_MESSAGE.into()), "{bad}");
        }
        for dotted in ["a.b", "member.eu-central-1", "1.2.3"] {
            assert_eq!(validate_cluster_name(dotted), Err(DOTS_MESSAGE.into()), "{dotted}");
        }
        for good in ["a", "0", "ekseucl01", "a-b-c", "123-abc"] {
            assert_eq!(validate_cluster_name(good), Ok(()), "{good}");
        }
    }

    #[test]
    fn length_counts_bytes() {
        // 25 two-byte characters are 50 bytes: too long before the character check.
        assert_eq!(validate_cluster_name(&"é".repeat(25)), Err("must be no more than 48 characters".into()));
    }
}
