//! Construct paths to CloudFormation logical IDs.
//!
//! A logical ID is the path's components in PascalCase with non-alphanumerics removed, followed by the first
//! 8 hex digits (upper case) of the SHA-256 of the full path. The readable part makes templates reviewable; the
//! hash keeps IDs unique when two paths collapse to the same readable text (`a-b/c` and `ab/c`), and stable
//! across runs because it depends only on the path. As in the AWS CDK, components named `Resource` or `Default`
//! (a construct's main resource) are left out of the readable part but not of the hash.

use sha2::{Digest, Sha256};

/// CloudFormation's limit on a logical ID's length.
pub const MAX_LOGICAL_ID_LEN: usize = 255;
const HASH_LEN: usize = 8;

/// The logical ID of the construct at `path` (components separated by `/`, relative to its stack).
pub fn logical_id(path: &str) -> String {
    let mut readable = String::with_capacity(path.len());
    for component in path.split('/').filter(|c| !matches!(*c, "Resource" | "Default")) {
        let mut chars = component.chars().filter(char::is_ascii_alphanumeric);
        if let Some(first) = chars.next() {
            readable.push(first.to_ascii_uppercase());
            readable.extend(chars);
        }
    }
    if !readable.starts_with(|c: char| c.is_ascii_alphabetic()) {
        readable.insert(0, 'R');
    }
    readable.truncate(MAX_LOGICAL_ID_LEN - HASH_LEN);
    readable.push_str(&short_hash(path));
    readable
}

/// First 8 hex digits, upper case, of the SHA-256 of `text`.
pub fn short_hash(text: &str) -> String {
    let digest = Sha256::digest(text.as_bytes());
    digest[..HASH_LEN / 2].iter().map(|b| format!("{b:02X}")).collect()
}

/// Full lower-case hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readable_pascal_case_plus_hash() {
        let id = logical_id("Vpc/PublicSubnet1/RouteTable");
        assert!(id.starts_with("VpcPublicSubnet1RouteTable"), "{id}");
        assert_eq!(id.len(), "VpcPublicSubnet1RouteTable".len() + 8);
        assert_eq!(&id[id.len() - 8..], short_hash("Vpc/PublicSubnet1/RouteTable"));
    }

    #[test]
    fn main_resource_components_are_hidden() {
        let id = logical_id("Vpc/Resource");
        assert!(id.starts_with("Vpc") && id.len() == 11, "{id}");
        assert_ne!(id, logical_id("Vpc"));
    }

    #[test]
    fn stable_across_calls() {
        assert_eq!(logical_id("Cluster/Role"), logical_id("Cluster/Role"));
    }

    #[test]
    fn paths_that_read_alike_stay_unique() {
        assert_ne!(logical_id("a-b/c"), logical_id("ab/c"));
        assert!(logical_id("a-b/c").starts_with("AbC"));
    }

    #[test]
    fn lower_case_components_are_capitalised_and_punctuation_dropped() {
        let id = logical_id("member-ekseucl01/access_entry");
        assert!(id.starts_with("Memberekseucl01Accessentry"), "{id}");
        assert!(id.chars().all(|c| c.is_ascii_alphanumeric()));
    }

    #[test]
    fn leading_digit_gets_a_letter() {
        let id = logical_id("1st");
        assert!(id.starts_with("R1st"), "{id}");
    }

    #[test]
    fn long_paths_fit_cloudformation_limit() {
        let path = vec!["Component"; 60].join("/");
        let id = logical_id(&path);
        assert_eq!(id.len(), MAX_LOGICAL_ID_LEN);
        assert!(id.ends_with(&short_hash(&path)));
        assert_ne!(logical_id(&path), logical_id(&format!("{path}/X")));
    }
}
