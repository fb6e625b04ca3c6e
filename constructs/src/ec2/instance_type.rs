//! What an EC2 instance type's name says: whether EC2 has it, its processor architecture, its size.

/// vCPUs and memory (GiB) of `instance_type`, read off its name for the families whose sizes follow EC2's
/// regular pattern (the EC2 "Instance types" specifications): `large` is 2 vCPUs, `xlarge` 4, `<n>xlarge` 4n;
/// memory per vCPU is 2 GiB for compute (`c`), 4 for general purpose (`m`), 8 for memory (`r`) families, and the
/// burstable `t3`/`t3a`/`t4g` sizes are listed. `None` for anything else (other families, `metal`), which callers
/// treat as "unknown", never as small.
pub fn capacity(instance_type: &str) -> Option<(u32, u32)> {
    let (family, size) = instance_type.split_once('.')?;
    if matches!(family, "t3" | "t3a" | "t4g") {
        return match size {
            "micro" => Some((2, 1)),
            "small" => Some((2, 2)),
            "medium" => Some((2, 4)),
            "large" => Some((2, 8)),
            "xlarge" => Some((4, 16)),
            "2xlarge" => Some((8, 32)),
            _ => None,
        };
    }
    let gib_per_vcpu = match family.as_bytes().first()? {
        b'c' => 2,
        b'm' => 4,
        b'r' => 8,
        _ => return None,
    };
    if !family[1..].starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    let vcpus = match size {
        "large" => 2,
        "xlarge" => 4,
        s => s.strip_suffix("xlarge")?.parse::<u32>().ok()? * 4,
    };
    Some((vcpus, vcpus * gib_per_vcpu))
}

/// Whether EC2 has `instance_type` in some region, as cfn-lint's list knows (schema.json, `_instance_types`, of
/// the schemas' date); doctor asks EC2 whether the app's regions offer it.
pub fn known(instance_type: &str) -> bool {
    crate::cfn::schema::instance_types().binary_search(&instance_type).is_ok()
}

/// The known instance types nearest to `instance_type`.
pub fn nearest(instance_type: &str) -> Vec<String> {
    let family = instance_type.split('.').next().unwrap_or_default();
    let all = crate::cfn::schema::instance_types();
    let same: Vec<&str> = all.iter().copied().filter(|t| t.split('.').next() == Some(family)).collect();
    if same.is_empty() {
        crate::core::overrides::nearest(instance_type, all.into_iter())
    } else {
        crate::core::overrides::nearest(instance_type, same.into_iter())
    }
}

/// An AWS Graviton (arm64) type: EC2's naming conventions mark them with `g` among the attributes right after
/// the generation (`t4g`, `m7g`, `c6gn`, `im4gn`; EC2 User Guide, "Amazon EC2 instance type naming conventions"),
/// and `a1` is the first Graviton generation.
pub fn is_graviton(instance_type: &str) -> bool {
    let family = instance_type.split('.').next().unwrap_or_default();
    let digits_end = family
        .find(|c: char| c.is_ascii_digit())
        .and_then(|start| family[start..].find(|c: char| !c.is_ascii_digit()).map(|n| start + n));
    family == "a1" || digits_end.is_some_and(|i| family[i..].starts_with('g'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn graviton_families() {
        for t in ["t4g.medium", "m7g.large", "c6gn.xlarge", "a1.large", "im4gn.large", "x2gd.xlarge", "g5g.xlarge"] {
            assert!(is_graviton(t), "{t}");
        }
        for t in ["t3.medium", "m5.large", "g5.xlarge", "m6i.large", "g4ad.xlarge", "gr6.4xlarge", "m7i-flex.large"] {
            assert!(!is_graviton(t), "{t}");
        }
    }

    #[test]
    fn known_types_and_the_nearest_to_an_unknown_one() {
        assert!(known("m5.large") && known("m6g.large") && known("t3.medium"));
        assert!(!known("m5.humongous") && !known("m5.Large"));
        let close = nearest("m5.humongous");
        assert!(close.iter().all(|t| t.starts_with("m5.")), "{close:?}");
        assert_eq!(nearest("m5.larg").first().map(String::as_str), Some("m5.large"));
    }

    #[test]
    fn sizes_follow_the_name() {
        assert_eq!(capacity("m5.large"), Some((2, 8)));
        assert_eq!(capacity("m6i.4xlarge"), Some((16, 64)));
        assert_eq!(capacity("c7g.xlarge"), Some((4, 8)));
        assert_eq!(capacity("r5.2xlarge"), Some((8, 64)));
        assert_eq!(capacity("t3.medium"), Some((2, 4)));
        for unknown in ["m5.metal", "g5.xlarge", "t2.micro", "mac1.metal", "x"] {
            assert_eq!(capacity(unknown), None, "{unknown}");
        }
    }
}
