//! cfn-lint (installed by bin/setup-tools) finds no error and no warning in any template of any tested config.

use crate::support::common;

use std::process::Command;

#[test]
fn cfn_lint_reports_nothing_on_every_template() {
    let cfn_lint = common::project_tool("venv/bin/cfn-lint");
    let dir = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    for (name, config) in common::configs() {
        let work = dir.path().join(&name);
        std::fs::create_dir_all(&work).unwrap();
        files.extend(common::templates(&common::synth(&config, &work)));
    }
    assert!(files.len() >= 12, "{files:?}");
    let o = Command::new(cfn_lint).args(["--format", "parseable"]).args(&files).output().expect("cfn-lint runs");
    let report = String::from_utf8_lossy(&o.stdout);
    let findings: Vec<&str> = report.lines().filter(|l| l.contains(":E") || l.contains(":W")).collect();
    assert!(findings.is_empty(), "cfn-lint findings:\n{}", findings.join("\n"));
    assert!(o.status.success(), "cfn-lint exit {:?}: {report}{}", o.status.code(), String::from_utf8_lossy(&o.stderr));
}
