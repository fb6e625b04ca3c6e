//! What an EC2 instance type's name says about its size.

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

#[cfg(test)]
mod tests {
    use super::capacity;

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
