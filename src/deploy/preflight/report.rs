//! What the checks found: one `Finding` per check (and subject), printed as a table or as JSON.

use serde::Serialize;
use std::fmt::Write as _;
use std::time::Duration;

/// The result of one check.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Ok,
    /// Allowed to go on, but worth a look (the check could not decide, or deploy copes with it).
    Warn,
    /// The deploy would fail: fix it first.
    Fail,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::Warn => "warn",
            Status::Fail => "fail",
        }
    }
}

/// One check's verdict on one subject (a member, a stack, a zone) in one region.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// Stable name of the check, e.g. `quota-elastic-ips`.
    pub check: &'static str,
    /// What the check looked at when it runs once per thing (member name, stack name), else `None`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// Region the check ran in; `global` for the account.
    pub region: String,
    pub result: Status,
    pub found: String,
    /// What to do about a warning or a failure.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<String>,
}

impl Finding {
    pub fn ok(check: &'static str, region: &str, found: impl Into<String>) -> Self {
        Finding { check, subject: None, region: region.to_string(), result: Status::Ok, found: found.into(), fix: None }
    }

    pub fn warn(check: &'static str, region: &str, found: impl Into<String>, fix: impl Into<String>) -> Self {
        Finding { result: Status::Warn, fix: Some(fix.into()), ..Finding::ok(check, region, found) }
    }

    pub fn fail(check: &'static str, region: &str, found: impl Into<String>, fix: impl Into<String>) -> Self {
        Finding { result: Status::Fail, fix: Some(fix.into()), ..Finding::ok(check, region, found) }
    }

    pub fn about(mut self, subject: impl Into<String>) -> Self {
        self.subject = Some(subject.into());
        self
    }

    /// A check that could not run because an AWS call failed: a warning naming the call.
    pub fn unknown(check: &'static str, region: &str, error: &super::super::error::AwsError) -> Self {
        use super::super::error::AwsErrorKind;
        let fix = match error.kind {
            AwsErrorKind::AccessDenied => {
                "allow the read-only call for these credentials (docs/deployer-policy.md) and run `karmada-eks doctor` again"
            }
            AwsErrorKind::Credentials => "refresh the credentials (the error says how) and run `karmada-eks doctor` again",
            AwsErrorKind::ClockSkew => "sync this machine's clock and run `karmada-eks doctor` again",
            AwsErrorKind::Endpoint => {
                "check the endpoint configuration and the network (the error says which endpoint), then run `karmada-eks doctor` again"
            }
            AwsErrorKind::Throttling => "run `karmada-eks doctor` again in a minute",
            AwsErrorKind::NotFound | AwsErrorKind::Other => {
                "check it by hand (the error says what failed) and run `karmada-eks doctor` again"
            }
        };
        Finding::warn(check, region, format!("not checked: {error}"), fix)
    }

    fn label(&self) -> String {
        match &self.subject {
            Some(s) => format!("{} {s}", self.check),
            None => self.check.to_string(),
        }
    }
}

/// Every finding, and how long each region's checks took.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Report {
    pub checks: Vec<Finding>,
    #[serde(serialize_with = "timings")]
    pub regions: Vec<(String, Duration)>,
}

fn timings<S: serde::Serializer>(regions: &[(String, Duration)], s: S) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeSeq;
    let mut seq = s.serialize_seq(Some(regions.len()))?;
    for (region, took) in regions {
        seq.serialize_element(&serde_json::json!({"region": region, "millis": took.as_millis() as u64}))?;
    }
    seq.end()
}

impl Report {
    pub fn count(&self, status: Status) -> usize {
        self.checks.iter().filter(|f| f.result == status).count()
    }

    pub fn failed(&self) -> bool {
        self.count(Status::Fail) > 0
    }

    pub fn failures(&self) -> impl Iterator<Item = &Finding> {
        self.checks.iter().filter(|f| f.result == Status::Fail)
    }

    /// `N checks: a ok, b warn, c fail`.
    pub fn tally(&self) -> String {
        format!(
            "{} checks: {} ok, {} warn, {} fail",
            self.checks.len(),
            self.count(Status::Ok),
            self.count(Status::Warn),
            self.count(Status::Fail)
        )
    }

    /// The JSON document `doctor --json` prints: `{"checks": [...], "summary": {...}, "regions": [...]}`.
    pub fn to_json(&self) -> serde_json::Value {
        let mut v = serde_json::to_value(self).unwrap_or_default();
        v["summary"] = serde_json::json!({
            "ok": self.count(Status::Ok),
            "warn": self.count(Status::Warn),
            "fail": self.count(Status::Fail),
        });
        v
    }

    /// The table: CHECK, REGION, RESULT, FOUND, FIX, then the tally and the time per region.
    pub fn render(&self, color: bool) -> String {
        let header = ["CHECK", "REGION", "RESULT", "FOUND"];
        let rows: Vec<[String; 4]> = self
            .checks
            .iter()
            .map(|f| [f.label(), f.region.clone(), f.result.as_str().to_string(), f.found.clone()])
            .collect();
        let width = |i: usize| rows.iter().map(|r| r[i].chars().count()).chain([header[i].len()]).max().unwrap_or(0);
        let (w0, w1, w2) = (width(0), width(1), width(2));
        let mut out = String::new();
        let _ = writeln!(out, "{:w0$}  {:w1$}  {:w2$}  {}  FIX", header[0], header[1], header[2], header[3]);
        for (row, finding) in rows.iter().zip(&self.checks) {
            let result = paint(color, finding.result, &format!("{:w2$}", row[2]));
            let fix = finding.fix.as_deref().map(|f| format!("  fix: {f}")).unwrap_or_default();
            let _ = writeln!(out, "{:w0$}  {:w1$}  {result}  {}{fix}", row[0], row[1], row[3]);
        }
        let times: Vec<String> = self.regions.iter().map(|(r, d)| format!("{r} {:.2}s", d.as_secs_f64())).collect();
        let _ = writeln!(out, "{} (time per region: {})", self.tally(), times.join(", "));
        out
    }
}

fn paint(color: bool, status: Status, text: &str) -> String {
    let code = match status {
        Status::Ok => "32",
        Status::Warn => "33",
        Status::Fail => "31",
    };
    crate::color::paint(color, code, text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report() -> Report {
        Report {
            checks: vec![
                Finding::ok("account", "global", "account 123456789012"),
                Finding::fail("quota-elastic-ips", "us-east-1", "4 in use + 4 needed > quota 5", "raise it")
                    .about("L-0263D0A3"),
            ],
            regions: vec![("us-east-1".into(), Duration::from_millis(120))],
        }
    }

    #[test]
    fn the_table_has_one_row_per_finding_with_its_fix_and_the_time_per_region() {
        let text = report().render(false);
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines[0].starts_with("CHECK") && lines[0].ends_with("FIX"), "{text}");
        assert!(lines[1].starts_with("account ") && lines[1].contains(" ok ") && !lines[1].contains("fix:"), "{text}");
        assert!(lines[2].contains("quota-elastic-ips L-0263D0A3  us-east-1  fail"), "{text}");
        assert!(lines[2].ends_with("fix: raise it"), "{text}");
        assert_eq!(lines[3], "2 checks: 1 ok, 0 warn, 1 fail (time per region: us-east-1 0.12s)");
    }

    #[test]
    fn json_carries_each_field_and_the_summary() {
        let v = report().to_json();
        assert_eq!(v["checks"][1]["check"], "quota-elastic-ips");
        assert_eq!(v["checks"][1]["subject"], "L-0263D0A3");
        assert_eq!(v["checks"][1]["result"], "fail");
        assert_eq!(v["checks"][1]["fix"], "raise it");
        assert!(v["checks"][0].get("fix").is_none());
        assert_eq!(v["summary"], serde_json::json!({"ok": 1, "warn": 0, "fail": 1}));
        assert_eq!(v["regions"][0], serde_json::json!({"region": "us-east-1", "millis": 120}));
    }
}
