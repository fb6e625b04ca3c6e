//! The Kubernetes versions EKS offers, dated: each minor's EKS release, end of standard support and end of
//! extended support, from the EKS User Guide's release calendar ("Understand the Kubernetes version lifecycle on
//! EKS": 14 months of standard support, then 12 of extended support billed per cluster-hour, then an automatic
//! upgrade). Synth judges a version as of [`TABLE_DATE`], not the day it runs, so the same config always gives the
//! same templates; `doctor` asks EKS (DescribeClusterVersions) for today's answer in the user's region.

/// The day the table was last checked against the calendar (the price table's date too).
pub const TABLE_DATE: &str = "2026-12-01";

/// One minor version's EKS dates (`YYYY-MM-DD`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EksVersion {
    pub minor: u32,
    pub released: &'static str,
    pub end_of_standard_support: &'static str,
    pub end_of_extended_support: &'static str,
}

const fn v(minor: u32, released: &'static str, standard: &'static str, extended: &'static str) -> EksVersion {
    EksVersion { minor, released, end_of_standard_support: standard, end_of_extended_support: extended }
}

/// 1.x minors, oldest first (EKS User Guide release calendar, as of [`TABLE_DATE`]).
pub const EKS_VERSIONS: &[EksVersion] = &[
    v(28, "2023-09-26", "2024-11-26", "2025-11-26"),
    v(29, "2024-01-23", "2025-03-23", "2026-03-23"),
    v(30, "2024-05-23", "2025-07-23", "2026-07-23"),
    v(31, "2024-09-26", "2025-11-26", "2026-11-26"),
    v(32, "2025-01-23", "2026-03-23", "2027-03-23"),
    v(33, "2025-05-29", "2026-07-29", "2027-07-29"),
    v(34, "2025-10-02", "2026-12-02", "2027-12-02"),
    v(35, "2026-01-28", "2027-03-27", "2028-03-27"),
];

/// Where a version stands on [`TABLE_DATE`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Support {
    /// In standard support until the date.
    Standard { until: &'static str },
    /// In extended support (billed) until the date.
    Extended { until: &'static str },
    /// No longer offered: extended support ended on the date.
    Ended { on: &'static str },
    /// Older than the table: long past extended support.
    Retired,
    /// Newer than the table: EKS may offer it since; only `doctor` can tell.
    Unlisted,
}

/// The minor of `"1.N"`; `None` for anything else.
pub fn minor(version: &str) -> Option<u32> {
    let m = version.strip_prefix("1.")?;
    (!m.is_empty() && m.bytes().all(|b| b.is_ascii_digit()) && !m.starts_with('0')).then(|| m.parse().ok())?
}

/// `version`'s support on [`TABLE_DATE`]; `None` when it is not a `1.N` version.
pub fn support(version: &str) -> Option<Support> {
    let minor = minor(version)?;
    let (first, last) = (EKS_VERSIONS[0], EKS_VERSIONS[EKS_VERSIONS.len() - 1]);
    Some(match EKS_VERSIONS.iter().find(|v| v.minor == minor) {
        // ISO dates compare as text.
        Some(v) if TABLE_DATE < v.end_of_standard_support => Support::Standard { until: v.end_of_standard_support },
        Some(v) if TABLE_DATE < v.end_of_extended_support => Support::Extended { until: v.end_of_extended_support },
        Some(v) => Support::Ended { on: v.end_of_extended_support },
        None if minor < first.minor => Support::Retired,
        None if minor > last.minor => Support::Unlisted,
        None => unreachable!("the table lists every minor from its first to its last"),
    })
}

/// The versions EKS offers on [`TABLE_DATE`], oldest first (`"1.32"`).
pub fn offered() -> Vec<String> {
    EKS_VERSIONS
        .iter()
        .filter(|v| {
            matches!(support(&format!("1.{}", v.minor)), Some(Support::Standard { .. } | Support::Extended { .. }))
        })
        .map(|v| format!("1.{}", v.minor))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_contiguous_dated_and_each_minor_gets_14_then_12_months() {
        for pair in EKS_VERSIONS.windows(2) {
            assert_eq!(pair[1].minor, pair[0].minor + 1);
            assert!(pair[0].released < pair[1].released);
        }
        let month = |d: &str| d[..4].parse::<i32>().unwrap() * 12 + d[5..7].parse::<i32>().unwrap();
        for v in EKS_VERSIONS {
            assert_eq!(month(v.end_of_standard_support) - month(v.released), 14, "1.{}", v.minor);
            assert_eq!(month(v.end_of_extended_support) - month(v.end_of_standard_support), 12, "1.{}", v.minor);
        }
    }

    #[test]
    fn versions_are_judged_on_the_tables_date() {
        assert_eq!(support("1.35"), Some(Support::Standard { until: "2027-03-27" }));
        assert_eq!(support("1.34"), Some(Support::Standard { until: "2026-12-02" }), "ends the day after");
        assert_eq!(support("1.33"), Some(Support::Extended { until: "2027-07-29" }));
        assert_eq!(support("1.31"), Some(Support::Ended { on: "2026-11-26" }));
        assert_eq!(support("1.29"), Some(Support::Ended { on: "2026-03-23" }));
        assert_eq!(support("1.27"), Some(Support::Retired));
        assert_eq!(support("1.36"), Some(Support::Unlisted));
        for bad in ["1.031", "1.", "2.1", "1.3x", "v1.35", ""] {
            assert_eq!(support(bad), None, "{bad}");
        }
        assert_eq!(offered(), ["1.32", "1.33", "1.34", "1.35"]);
    }
}
