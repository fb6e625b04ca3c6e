//! checkov (installed by bin/setup-tools) over every template of every tested config, in one offline run: every
//! failed check must be an accepted finding of security/checkov-skips.toml for that very resource, and every
//! accepted finding must still be reported (no stale skip entries).

use crate::support::common;

use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::process::Command;
use std::time::Instant;

use constructs::core::CloudAssembly;
use constructs::inspect::security::{checkov_skips, SecurityReport};

/// (config, template file, logical id, check id)
type Finding = (String, String, String, String);

#[test]
fn checkov_fails_nothing_but_the_accepted_findings() {
    let checkov = common::project_tool("venv/bin/checkov");
    let dir = tempfile::tempdir().unwrap();
    let skips = checkov_skips();
    let mut expected: BTreeSet<Finding> = BTreeSet::new();
    let mut used_entries: BTreeSet<usize> = BTreeSet::new();
    let mut resources = 0;
    let configs = common::configs();
    assert!(configs.len() >= 4, "{configs:?}");
    for (name, config) in &configs {
        let work = dir.path().join("work").join(name);
        std::fs::create_dir_all(&work).unwrap();
        let out = common::synth(config, &work);
        let target = dir.path().join("scan").join(name);
        std::fs::create_dir_all(&target).unwrap();
        for file in common::templates(&out) {
            std::fs::copy(&file, target.join(file.file_name().unwrap())).unwrap();
        }
        let assembly = CloudAssembly::read(&out).unwrap();
        resources += assembly.stacks.iter().map(|s| s.resource_count).sum::<usize>();
        for f in SecurityReport::with_skips(&assembly, &skips).accepted_findings {
            let entry = skips.iter().position(|s| s.check == f.check && f.reason == s.reason).unwrap();
            used_entries.insert(entry);
            expected.insert((name.clone(), format!("{}.template.json", f.stack), f.logical_id, f.check));
        }
    }

    let started = Instant::now();
    let o = Command::new(checkov)
        .args(["--directory", dir.path().join("scan").to_str().unwrap()])
        .args(["--framework", "cloudformation", "--output", "json", "--compact", "--skip-download"])
        .args(["--download-external-modules", "false"])
        .env("BC_SKIP_MAPPING", "TRUE")
        .env("CHECKOV_RUN_SCA_PACKAGE_SCAN_V2", "false")
        .env("CHECKOV_NO_OUTPUT_PROGRESS", "1")
        .env_remove("BC_API_KEY")
        .env_remove("PRISMA_API_URL")
        .output()
        .expect("checkov runs");
    let elapsed = started.elapsed();
    let stdout = String::from_utf8_lossy(&o.stdout);
    let report: Value = serde_json::from_str(&stdout).unwrap_or_else(|e| {
        panic!(
            "checkov output is not JSON ({e}); exit {:?}\n{stdout}\n{}",
            o.status.code(),
            String::from_utf8_lossy(&o.stderr)
        )
    });
    let reports = match report {
        Value::Array(r) => r,
        single => vec![single],
    };
    let cfn = reports.iter().find(|r| r["check_type"] == "cloudformation").expect("a cloudformation report");
    let summary = &cfn["summary"];
    assert_eq!(summary["parsing_errors"], 0, "{summary}");
    assert_eq!(summary["resource_count"].as_u64(), Some(resources as u64), "checkov saw every resource: {summary}");

    let mut failed: BTreeSet<Finding> = BTreeSet::new();
    let mut per_config: BTreeMap<String, (u64, u64)> = BTreeMap::new();
    for (kind, list) in [("passed", "passed_checks"), ("failed", "failed_checks")] {
        for c in cfn["results"][list].as_array().into_iter().flatten() {
            let path = c["file_path"].as_str().unwrap().trim_start_matches('/');
            let (config, file) = path.split_once('/').unwrap();
            let counts = per_config.entry(config.to_string()).or_default();
            if kind == "passed" {
                counts.0 += 1;
                continue;
            }
            counts.1 += 1;
            let logical_id = c["resource"].as_str().unwrap().rsplit_once('.').unwrap().1;
            failed.insert((config.into(), file.into(), logical_id.into(), c["check_id"].as_str().unwrap().into()));
        }
    }
    eprintln!("checkov {} over {} configs in {elapsed:.1?}: {summary}", summary["checkov_version"], configs.len());
    for (config, (passed, failed)) in &per_config {
        eprintln!("  {config}: {passed} passed, {failed} failed (accepted in security/checkov-skips.toml)");
    }

    let unexpected: Vec<&Finding> = failed.difference(&expected).collect();
    assert!(unexpected.is_empty(), "checkov findings that are neither fixed nor accepted: {unexpected:#?}");
    let stale: Vec<&Finding> = expected.difference(&failed).collect();
    assert!(stale.is_empty(), "accepted findings checkov no longer reports (remove them): {stale:#?}");
    let unused: Vec<_> = skips.iter().enumerate().filter(|(i, _)| !used_entries.contains(i)).map(|(_, s)| s).collect();
    assert!(unused.is_empty(), "skip entries matching no resource of any tested config: {unused:#?}");
    assert_eq!(per_config.len(), configs.len(), "every config was scanned: {per_config:?}");
    assert!(per_config.values().all(|(passed, _)| *passed > 50), "{per_config:?}");
}
