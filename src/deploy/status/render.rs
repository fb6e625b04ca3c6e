//! `status` as text: one line when all is well, else each stack and member that is not, with the fix.

use super::model::{human, CertExpiry, StatusReport};

/// The report as text: the summary line, then what is wrong (everything with `all`).
pub fn render(report: &StatusReport, all: bool) -> String {
    let mut out = format!("{}\n", report.summary);
    for p in report.problems.iter().chain(&report.unchecked) {
        out.push_str(&format!("  {p}\n"));
    }
    for w in &report.warnings {
        out.push_str(&format!("  warning: {w}\n"));
    }
    if let Some(b) = &report.backup {
        out.push_str(&format!("  last backup: {} (every {})\n", b.line(), human(b.period_seconds)));
    }
    if all && !report.certs.is_empty() {
        let list: Vec<String> = report.certs.iter().map(CertExpiry::line).collect();
        out.push_str(&format!("  certificates expire: {}\n", list.join(", ")));
    }
    for s in &report.stacks {
        match s.problem() {
            Some(p) => out.push_str(&format!("  stack {} ({}): {p}\n", s.name, s.region)),
            None if all => out.push_str(&format!(
                "  stack {} ({}): {}\n",
                s.name,
                s.region,
                s.status.as_deref().unwrap_or_default()
            )),
            None => {}
        }
        for f in &s.failures {
            out.push_str(&format!("    {}\n", f.line()));
        }
    }
    if !report.bootstrap_log.is_empty() {
        out.push_str(&format!(
            "  last lines of the bootstrap log ({}):\n",
            constructs::karmada::wellknown::HOST_BOOTSTRAP_LOG
        ));
        for l in &report.bootstrap_log {
            out.push_str(&format!("    {l}\n"));
        }
    }
    for m in &report.members {
        if m.healthy() && !all {
            continue;
        }
        let detail = [
            Some(if m.ready { "Ready".to_string() } else { "not Ready".to_string() }),
            m.version.clone(),
            m.mode.clone(),
            m.replicas.map(|r| match m.planned_replicas {
                Some(p) => format!("{r} replicas (plan {p})"),
                None => format!("{r} replicas"),
            }),
            m.agent_cert_days_left.map(|d| {
                if d < 0 {
                    "agent certificate EXPIRED".into()
                } else {
                    format!("agent certificate {d} d")
                }
            }),
        ]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(", ");
        let verdict = if m.healthy() { "ok".to_string() } else { m.problems.join("; ") };
        out.push_str(&format!("  member {}: {verdict} [{detail}]\n", m.name));
    }
    for d in report.drift.iter().flatten() {
        if d.status == "IN_SYNC" && !all {
            continue;
        }
        out.push_str(&format!("  drift {}: {}\n", d.stack, d.error.as_deref().unwrap_or(&d.status)));
        for r in &d.resources {
            out.push_str(&format!("    {} {} {}\n", r.status, r.resource_type, r.logical_id));
            for p in &r.properties {
                out.push_str(&format!("      {} {}: {} -> {}\n", p.difference, p.path, p.expected, p.actual));
            }
        }
    }
    out
}
