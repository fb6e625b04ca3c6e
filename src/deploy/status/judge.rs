//! Judging what `status` gathered against the app's facts: healthy and as deployed, or a list of what is not.

use std::collections::{BTreeMap, BTreeSet};

use super::drift::StackDrift;
use super::model::{
    human, BackupStatus, CertExpiry, ClusterStatus, HostAnswer, MemberHealth, StackState, StatusReport,
};
use constructs::inspect::facts::AppFacts;
use constructs::karmada::config::placement;
use constructs::karmada::Config;

/// Judges what was read against the app's facts (its desired state, as the assembly holds it). `desired_sha256`:
/// the deployed `DesiredStateSha256`.
pub fn assess(
    facts: &AppFacts,
    stacks: Vec<StackState>,
    host: HostAnswer,
    drift: Option<Vec<StackDrift>>,
    desired_sha256: Option<String>,
    bootstrap_log: Vec<String>,
) -> StatusReport {
    let mut problems = Vec::new();
    let configured = &facts.members;
    let renew_before_days =
        i64::from(facts.renew_before_days.unwrap_or_else(|| Config::default().karmada.renew_before_days));
    let mut members: Vec<MemberHealth> = Vec::new();
    let mut agent_warnings: Vec<String> = Vec::new();
    match &host {
        HostAnswer::Unreachable { reason, hints } => {
            let fixes: String = hints.iter().map(|h| format!("; hint: {h}")).collect();
            problems.push(format!("Karmada not checked: {reason}{fixes}"))
        }
        HostAnswer::Reached { status } => {
            if !status.apiserver.ready {
                problems.push("the Karmada API server is not ready".into());
            }
            for (what, c) in [("karmada-apiserver", &status.apiserver), ("etcd", &status.etcd)] {
                if c.pods.desired == 0 || c.pods.ready < c.pods.desired {
                    problems.push(format!("{what}: {} of {} pods ready", c.pods.ready, c.pods.desired));
                }
            }
            if let (Some(desired), Some(applied)) = (&desired_sha256, &status.applied_sha256) {
                if desired != applied {
                    problems.push(format!(
                        "the host has not applied the deployed desired state ({} != {}): run `karmada-eks reconcile`",
                        crate::deploy::host::reconcile::short(applied),
                        crate::deploy::host::reconcile::short(desired)
                    ));
                }
            }
            let planned: BTreeMap<String, u32> = if let Some(workload) = &facts.workload {
                let weights: Vec<(String, u32)> = configured.iter().map(|m| (m.name.clone(), m.weight)).collect();
                placement::divide(workload.replicas, &weights).into_iter().map(|s| (s.name, s.replicas)).collect()
            } else {
                BTreeMap::new()
            };
            let replicas = status.workload.as_ref().map(|w| &w.replicas);
            if let Some(workload) = facts.workload.as_ref().filter(|_| status.workload.is_none()) {
                problems.push(format!("the workload {} was not found in Karmada", workload.name));
            }
            let by_name: BTreeMap<&str, &ClusterStatus> =
                status.clusters.iter().map(|c| (c.name.as_str(), c)).collect();
            for m in configured {
                let found = by_name.get(m.name.as_str());
                let mut health = MemberHealth {
                    name: m.name.clone(),
                    configured: true,
                    joined: found.is_some(),
                    ready: found.is_some_and(|c| c.ready),
                    version: found.and_then(|c| c.version.clone()),
                    mode: found.and_then(|c| c.mode.as_ref().map(|s| s.to_ascii_lowercase())),
                    expected_mode: Some(m.mode.as_str().to_string()),
                    replicas: replicas.map(|r| r.get(&m.name).copied().unwrap_or(0)),
                    planned_replicas: planned.get(&m.name).copied(),
                    agent_cert_days_left: found.and_then(|c| c.agent_cert_seconds_left).map(|s| s.div_euclid(86_400)),
                    problems: Vec::new(),
                };
                match found {
                    None => health.problems.push("not joined to Karmada".into()),
                    Some(c) => {
                        if !c.ready {
                            health.problems.push(match &c.reason {
                                Some(r) => format!("not Ready: {r}"),
                                None => "not Ready".into(),
                            });
                        }
                        if let Some(left) = c.agent_cert_seconds_left {
                            let agent = CertExpiry { name: "karmada-agent".into(), not_after: 0, seconds_left: left };
                            match agent.agent_verdict(renew_before_days) {
                                Some((true, p)) => health.problems.push(p),
                                Some((false, w)) => agent_warnings.push(format!("member {}: {w}", m.name)),
                                None => {}
                            }
                        }
                        if health.mode.as_deref().is_some_and(|mode| mode != m.mode.as_str()) {
                            health.problems.push(format!(
                                "joined in {} mode, the config says {}",
                                health.mode.as_deref().unwrap_or_default(),
                                m.mode.as_str()
                            ));
                        }
                    }
                }
                if let (Some(have), Some(want)) = (health.replicas, health.planned_replicas) {
                    if have != want {
                        health.problems.push(format!("runs {have} workload replicas, plan predicts {want}"));
                    }
                }
                members.push(health);
            }
            let names: BTreeSet<&str> = configured.iter().map(|m| m.name.as_str()).collect();
            for c in status.clusters.iter().filter(|c| !names.contains(c.name.as_str())) {
                members.push(MemberHealth {
                    name: c.name.clone(),
                    configured: false,
                    joined: true,
                    ready: c.ready,
                    version: c.version.clone(),
                    mode: c.mode.as_ref().map(|s| s.to_ascii_lowercase()),
                    expected_mode: None,
                    replicas: replicas.and_then(|r| r.get(&c.name).copied()),
                    planned_replicas: None,
                    agent_cert_days_left: c.agent_cert_seconds_left.map(|s| s.div_euclid(86_400)),
                    problems: vec!["in Karmada but not in the config: `karmada-eks reconcile` unjoins it".into()],
                });
            }
        }
    }
    let mut unchecked = Vec::new();
    for d in drift.iter().flatten() {
        match d.status.as_str() {
            "IN_SYNC" => {}
            "DETECTION_FAILED" => unchecked.push(format!(
                "stack {}: drift not checked: {}",
                d.stack,
                d.error.as_deref().unwrap_or("CloudFormation could not finish drift detection")
            )),
            _ => problems.push(format!("stack {} drift: {}", d.stack, d.error.as_deref().unwrap_or(&d.status))),
        }
    }
    let certs = match &host {
        HostAnswer::Reached { status } => status.certs.clone(),
        HostAnswer::Unreachable { .. } => Vec::new(),
    };
    let mut cert_warnings = Vec::new();
    for c in &certs {
        match c.verdict(renew_before_days) {
            Some((true, p)) => problems.push(p),
            Some((false, w)) => cert_warnings.push(w),
            None => {}
        }
    }
    let release = match &host {
        HostAnswer::Reached { status } => status.karmada.clone(),
        HostAnswer::Unreachable { .. } => None,
    };
    match release.as_ref().zip(facts.karmada_version.as_deref()).and_then(|(r, wanted)| r.verdict(wanted)) {
        Some((true, p)) => problems.push(p),
        Some((false, w)) => cert_warnings.push(w),
        None => {}
    }
    let bad_stacks = stacks.iter().filter(|s| s.problem().is_some()).count();
    let bad_members = members.iter().filter(|m| !m.healthy()).count();
    let healthy = bad_stacks == 0 && bad_members == 0 && problems.is_empty() && unchecked.is_empty();
    let mut parts = vec![format!("{} of {} stacks as deployed", stacks.len() - bad_stacks, stacks.len())];
    if let HostAnswer::Reached { status } = &host {
        parts.push(format!(
            "API server {} ({}/{} pods), etcd {}/{}",
            if status.apiserver.ready { "ready" } else { "NOT ready" },
            status.apiserver.pods.ready,
            status.apiserver.pods.desired,
            status.etcd.pods.ready,
            status.etcd.pods.desired
        ));
        if let Some(running) = status.karmada.as_ref().and_then(|k| k.running.as_deref()) {
            parts.push(format!("Karmada {running}"));
        }
        let configured_ok = members.iter().filter(|m| m.configured && m.healthy()).count();
        parts.push(format!("{configured_ok} of {} members healthy", configured.len()));
        let extra = members.iter().filter(|m| !m.configured).count();
        if extra > 0 {
            parts.push(format!("{extra} not in the config"));
        }
    } else {
        parts.push("Karmada not checked".into());
    }
    if let Some(d) = &drift {
        let drifted = d.iter().filter(|s| s.status != "IN_SYNC").count();
        parts.push(format!("{drifted} stacks drifted"));
    }
    let backup = match &host {
        HostAnswer::Reached { status } => status.backup.clone(),
        HostAnswer::Unreachable { .. } => None,
    };
    let mut warnings: Vec<String> = backup.iter().filter_map(BackupStatus::warning).collect();
    warnings.extend(cert_warnings);
    warnings.extend(agent_warnings);
    if let Some(b) = &backup {
        parts.push(match b.age_seconds {
            Some(age) => format!("last backup {} ago", human(age)),
            None => "no backup yet".into(),
        });
    }
    let mut report = StatusReport {
        healthy,
        summary: String::new(),
        unchecked,
        stacks,
        host,
        members,
        problems,
        warnings,
        backup,
        certs,
        drift,
        bootstrap_log,
        desired_sha256,
    };
    report.summary = format!("{}: {}", report.verdict().word(), parts.join(", "));
    report
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::deploy::events::ResourceEvent;
    use crate::deploy::status::drift::{PropertyDrift, ResourceDrift};
    use crate::deploy::status::gather::parse_host_status;
    use crate::deploy::status::model::*;
    use crate::deploy::status::render::render;
    use constructs::inspect::facts::{MemberFacts, WorkloadFacts};
    use constructs::karmada::config::{MemberConfig, WorkloadConfig};
    use constructs::karmada::JoinMode;

    /// The facts an assembly synthesized from `config` holds.
    fn facts(config: &Config) -> AppFacts {
        AppFacts {
            app: config.app.clone(),
            home_region: config.region.clone(),
            account: config.account.clone(),
            regions: vec![config.region.clone()],
            names: constructs::karmada::wellknown::StackNames::new(&config.app),
            members: config
                .members()
                .into_iter()
                .map(|m| MemberFacts {
                    name: m.name,
                    region: m.region,
                    eks_cluster_name: m.eks_cluster_name,
                    mode: m.mode,
                    weight: m.weight,
                })
                .collect(),
            workload: config
                .workload
                .enabled
                .then(|| WorkloadFacts { name: config.workload.name.clone(), replicas: config.workload.replicas }),
            karmada_version: Some(config.karmada.version.clone()),
            renew_before_days: Some(config.karmada.renew_before_days),
        }
    }

    fn stack(name: &str, status: &str, current: bool) -> StackState {
        StackState {
            name: name.into(),
            region: "us-east-1".into(),
            status: Some(status.into()),
            status_reason: None,
            template_current: Some(current),
            stale_inputs: Vec::new(),
            failures: Vec::new(),
            orphan: false,
        }
    }

    #[test]
    fn a_stack_that_reads_changed_outputs_is_a_problem_naming_the_producers_and_the_fix() {
        let mut management = stack("karmada-management", "UPDATE_COMPLETE", true);
        assert_eq!(management.problem(), None);
        management.stale_inputs = vec!["karmada-cluster".into()];
        assert_eq!(
            management.problem().as_deref(),
            Some(
                "the outputs of karmada-cluster it reads changed since it was deployed: `karmada-eks deploy karmada-management` updates it"
            )
        );
    }

    fn stacks() -> Vec<StackState> {
        ["karmada-network", "karmada-cluster", "karmada-desired-state", "karmada-management"]
            .iter()
            .map(|n| stack(n, "UPDATE_COMPLETE", true))
            .collect()
    }

    fn cluster(name: &str, ready: bool, mode: &str) -> ClusterStatus {
        ClusterStatus {
            name: name.into(),
            ready,
            version: Some("v1.33.4-eks-1".into()),
            mode: Some(mode.into()),
            reason: (!ready).then(|| "cluster is not reachable".into()),
            agent_cert_seconds_left: None,
        }
    }

    /// What the host answers for `config` when every member is joined, Ready and placed as planned.
    fn healthy_host(config: &Config) -> HostStatus {
        let weights: Vec<(String, u32)> = config.members().iter().map(|m| (m.name.clone(), m.weight)).collect();
        let shares = placement::divide(config.workload.replicas, &weights);
        HostStatus {
            apiserver: Component { ready: true, pods: Pods { ready: 3, desired: 3 } },
            etcd: Component { ready: true, pods: Pods { ready: 3, desired: 3 } },
            clusters: config
                .members()
                .iter()
                .map(|m| cluster(&m.name, true, if m.mode == JoinMode::Pull { "Pull" } else { "Push" }))
                .collect(),
            workload: Some(WorkloadStatus {
                name: "nginx".into(),
                namespace: "default".into(),
                replicas: shares.into_iter().filter(|s| s.replicas > 0).map(|s| (s.name, s.replicas)).collect(),
            }),
            applied_sha256: Some("d".repeat(64)),
            backup: None,
            certs: vec![CertExpiry { name: "apiserver".into(), not_after: 1_828_224_000, seconds_left: 300 * 86_400 }],
            karmada: Some(KarmadaRelease { running: Some(config.karmada.version.clone()), upgrading_to: None }),
        }
    }

    #[test]
    fn a_pull_agent_certificate_near_its_end_is_a_warning_then_a_problem_of_that_member() {
        let mut config = Config::default();
        config.members[2].mode = JoinMode::Pull;
        let with = |days: i64| {
            let mut host = healthy_host(&config);
            host.clusters[2].agent_cert_seconds_left = Some(days * 86_400 + 3_600);
            assess(&facts(&config), vec![], reached(host), None, None, vec![])
        };
        let fine = with(300);
        assert!(fine.healthy && fine.warnings.is_empty(), "{fine:?}");
        assert_eq!(fine.members[2].agent_cert_days_left, Some(300));
        assert!(render(&fine, true).contains("agent certificate 300 d"), "{}", render(&fine, true));
        let soon = with(20);
        assert!(soon.healthy, "{soon:?}");
        assert!(
            soon.warnings
                .iter()
                .any(|w| w.starts_with("member eksuscl01: its karmada-agent's certificate expires in 20 d")),
            "{:?}",
            soon.warnings
        );
        let urgent = with(2);
        assert!(!urgent.healthy);
        assert!(urgent.members[2].problems.iter().any(|p| p.contains("karmada-agent's certificate expires in 2 d")));
        let parsed = parse_host_status(
            r#"{"api":true,"etcd":[3,3],"apiserver":[3,3],"clusters":[["a",true,"v1.31","Pull",86400],["b",true,"v1.31","Push"]]}"#,
        )
        .unwrap();
        assert_eq!(parsed.clusters[0].agent_cert_seconds_left, Some(86_400));
        assert_eq!(parsed.clusters[1].agent_cert_seconds_left, None, "push members and older hosts carry none");
    }

    #[test]
    fn karmada_behind_its_config_is_unhealthy_and_an_unfinished_upgrade_a_warning() {
        let config = Config::default();
        let with = |running: &str, to: Option<&str>| {
            let mut host = healthy_host(&config);
            host.karmada = Some(KarmadaRelease { running: Some(running.into()), upgrading_to: to.map(str::to_string) });
            assess(&facts(&config), vec![], reached(host), None, None, vec![])
        };
        let fine = with("v1.18.2", None);
        assert!(fine.healthy, "{fine:?}");
        assert!(fine.summary.contains("Karmada v1.18.2"), "{}", fine.summary);
        let behind = with("v1.18.1", None);
        assert!(!behind.healthy);
        assert!(
            behind.problems.iter().any(|p| p.starts_with("Karmada runs v1.18.1 but the config says v1.18.2")),
            "{:?}",
            behind.problems
        );
        let upgrading = with("v1.18.1", Some("v1.18.2"));
        assert!(upgrading.healthy, "{upgrading:?}");
        assert!(upgrading.warnings.iter().any(|w| w.contains("upgrade to v1.18.2 is unfinished")));
        let mut older = healthy_host(&config);
        older.karmada = None;
        assert!(assess(&facts(&config), vec![], reached(older), None, None, vec![]).healthy);
    }

    #[test]
    fn a_certificate_under_seven_days_is_unhealthy_and_under_the_renewal_window_a_warning() {
        let config = Config::default();
        let with = |name: &str, days: i64| {
            let mut host = healthy_host(&config);
            host.certs = vec![CertExpiry { name: name.into(), not_after: 1_796_601_600, seconds_left: days * 86_400 }];
            assess(&facts(&config), vec![], reached(host), None, None, vec![])
        };
        let fine = with("apiserver", 300);
        assert!(fine.healthy && fine.warnings.iter().all(|w| !w.contains("certificate")), "{fine:?}");
        assert!(!render(&fine, false).contains("certificates expire"));
        assert!(render(&fine, true).contains("certificates expire: apiserver 2026-12-07 (300 d)"));
        let soon = with("etcd-server", 20);
        assert!(soon.healthy, "{soon:?}");
        assert!(
            soon.warnings.iter().any(
                |w| w.contains("certificate etcd-server expires in 20 d") && w.contains("karmada-eks rotate-certs")
            ),
            "{:?}",
            soon.warnings
        );
        let urgent = with("karmada", 3);
        assert!(!urgent.healthy);
        assert!(
            urgent.problems.iter().any(|p| p.contains("certificate karmada expires in 3 d")),
            "{:?}",
            urgent.problems
        );
        let gone = with("ca", -1);
        assert!(!gone.healthy);
        assert!(
            gone.problems.iter().any(|p| p.contains("certificate ca has EXPIRED") && p.contains("Replacing a CA")),
            "{:?}",
            gone.problems
        );
        assert!(render(&gone, true).contains("ca 2026-12-07 (EXPIRED)"));
    }

    #[test]
    fn the_compact_status_carries_the_certificates_and_an_older_host_none() {
        let out = r#"{"desired":"a","applied":"a","api":true,"etcd":[3,3],"apiserver":[3,3],"clusters":[],"workload":[],"backup":[60,21600,"x.tgz"],"certs":[["ca",2112336000,315532800],["apiserver",1828224000,31536000]]}"#;
        let status = parse_host_status(out).unwrap();
        assert_eq!(
            status.certs,
            [
                CertExpiry { name: "ca".into(), not_after: 2_112_336_000, seconds_left: 315_532_800 },
                CertExpiry { name: "apiserver".into(), not_after: 1_828_224_000, seconds_left: 31_536_000 },
            ]
        );
        let older = r#"{"desired":"a","applied":"a","api":true,"etcd":[3,3],"apiserver":[3,3],"clusters":[]}"#;
        assert!(parse_host_status(older).unwrap().certs.is_empty());
        assert_eq!(parse_host_status(older).unwrap().karmada, None);
        let upgrading = out.replace("]]}", r#"]],"karmada":["v1.18.1","v1.18.2"]}"#);
        assert_eq!(
            parse_host_status(&upgrading).unwrap().karmada,
            Some(KarmadaRelease { running: Some("v1.18.1".into()), upgrading_to: Some("v1.18.2".into()) })
        );
        let done = out.replace("]]}", r#"]],"karmada":["v1.18.2",""]}"#);
        assert_eq!(parse_host_status(&done).unwrap().karmada.unwrap().upgrading_to, None);
    }

    fn reached(status: HostStatus) -> HostAnswer {
        HostAnswer::Reached { status: Box::new(status) }
    }

    #[test]
    fn the_last_backup_is_shown_and_warned_about_past_two_schedule_periods() {
        let config = Config::default();
        let out = r#"{"desired":"d","applied":"d","api":true,"etcd":[3,3],"apiserver":[3,3],"clusters":[],"workload":[],"backup":[7500,21600,"20261203T140000Z-scheduled.tgz"]}"#;
        let b = parse_host_status(out).unwrap().backup.unwrap();
        assert_eq!(
            b,
            BackupStatus {
                age_seconds: Some(7500),
                period_seconds: 21600,
                last: Some("backups/20261203T140000Z-scheduled.tgz".into())
            }
        );
        let mut host = healthy_host(&config);
        host.backup = Some(b.clone());
        let report = assess(&facts(&config), stacks(), reached(host.clone()), None, Some("d".repeat(64)), vec![]);
        assert!(report.healthy && report.warnings.is_empty(), "{report:#?}");
        let text = render(&report, false);
        assert!(text.starts_with("healthy: 4 of 4 stacks as deployed, API server ready (3/3 pods), etcd 3/3, Karmada v1.18.2, 3 of 3 members healthy, last backup 2 h 5 min ago\n"), "{text}");
        assert!(
            text.contains("  last backup: backups/20261203T140000Z-scheduled.tgz, 2 h 5 min ago (every 6 h)\n"),
            "{text}"
        );

        host.backup = Some(BackupStatus { age_seconds: Some(2 * 21600 + 1), ..b.clone() });
        let report = assess(&facts(&config), stacks(), reached(host.clone()), None, Some("d".repeat(64)), vec![]);
        assert!(report.healthy, "a stale backup warns, Karmada itself is healthy");
        assert!(
            render(&report, false).contains("  warning: the last backup of Karmada is 12 h old"),
            "{}",
            render(&report, false)
        );
        host.backup = Some(BackupStatus { age_seconds: Some(2 * 21600), ..b });
        assert!(assess(&facts(&config), stacks(), reached(host.clone()), None, None, vec![]).warnings.is_empty());

        let none =
            parse_host_status(&out.replace("[7500,21600,\"20261203T140000Z-scheduled.tgz\"]", "[-1,21600,\"-\"]"))
                .unwrap();
        host.backup = none.backup;
        let report = assess(&facts(&config), stacks(), reached(host), None, None, vec![]);
        assert_eq!(report.warnings, ["no backup of Karmada yet: run `karmada-eks backup`"]);
        assert!(render(&report, false).contains("no backup yet"));
    }

    #[test]
    fn the_default_app_healthy_and_as_configured_prints_one_line() {
        let config = Config::default();
        let report =
            assess(&facts(&config), stacks(), reached(healthy_host(&config)), None, Some("d".repeat(64)), vec![]);
        assert!(report.healthy, "{:#?}", report);
        assert_eq!(
            render(&report, false),
            "healthy: 4 of 4 stacks as deployed, API server ready (3/3 pods), etcd 3/3, Karmada v1.18.2, 3 of 3 members healthy\n"
        );
        let all = render(&report, true);
        assert!(all.contains("  member eksuscl01: ok [Ready, v1.33.4-eks-1, push, 6 replicas (plan 6)]"), "{all}");
        assert!(all.contains("  stack karmada-management (us-east-1): UPDATE_COMPLETE"), "{all}");
    }

    #[test]
    fn unready_wrong_mode_misplaced_extra_and_missing_members_are_each_named() {
        let config = Config::default();
        let mut host = healthy_host(&config);
        host.clusters.retain(|c| c.name != "ekseucl02");
        host.clusters[0] = cluster("ekseucl01", false, "Pull");
        host.clusters.push(cluster("oldmember", true, "Push"));
        host.workload.as_mut().unwrap().replicas.insert("eksuscl01".into(), 5);
        host.etcd.pods.ready = 2;
        let mut stacks = stacks();
        stacks[1].template_current = Some(false);
        let report = assess(&facts(&config), stacks, reached(host), None, Some("e".repeat(64)), vec![]);
        assert!(!report.healthy);
        let text = render(&report, false);
        assert!(text.starts_with("UNHEALTHY: 3 of 4 stacks as deployed, API server ready (3/3 pods), etcd 2/3, Karmada v1.18.2, 0 of 3 members healthy, 1 not in the config\n"), "{text}");
        assert!(text.contains("  etcd: 2 of 3 pods ready\n"), "{text}");
        assert!(
            text.contains("the host has not applied the deployed desired state (dddddddddddd != eeeeeeeeeeee)"),
            "{text}"
        );
        assert!(
            text.contains("  stack karmada-cluster (us-east-1): deployed template differs from the local one"),
            "{text}"
        );
        assert!(
            text.contains(
                "  member ekseucl01: not Ready: cluster is not reachable; joined in pull mode, the config says push"
            ),
            "{text}"
        );
        assert!(text.contains("  member ekseucl02: not joined to Karmada"), "{text}");
        assert!(text.contains("  member eksuscl01: runs 5 workload replicas, plan predicts 6"), "{text}");
        assert!(text.contains("  member oldmember: in Karmada but not in the config"), "{text}");
    }

    #[test]
    fn a_stack_that_left_the_app_is_listed_as_such() {
        let config = Config::default();
        let mut stacks = stacks();
        stacks.push(StackState {
            name: "karmada-member-access-us-west-2".into(),
            region: "us-west-2".into(),
            template_current: Some(false),
            stale_inputs: Vec::new(),
            orphan: true,
            ..stack("", "UPDATE_COMPLETE", false)
        });
        let report =
            assess(&facts(&config), stacks, reached(healthy_host(&config)), None, Some("d".repeat(64)), vec![]);
        assert!(!report.healthy);
        let text = render(&report, false);
        assert!(text.starts_with("UNHEALTHY: 4 of 5 stacks as deployed"), "{text}");
        assert!(
            text.contains(
                "  stack karmada-member-access-us-west-2 (us-west-2): left the app: `karmada-eks deploy` removes it\n"
            ),
            "{text}"
        );
    }

    #[test]
    fn a_failed_bootstrap_shows_the_stack_reason_and_the_log_tail() {
        let config = Config::default();
        let mut stacks = stacks();
        stacks[3] = StackState {
            status: Some("CREATE_FAILED".into()),
            status_reason: Some("The following resource(s) failed to create: [Host]".into()),
            failures: vec![ResourceEvent {
                logical_id: "Host".into(),
                resource_type: "AWS::EC2::Instance".into(),
                status: "CREATE_FAILED".into(),
                reason: Some("Failed to receive 1 resource signal(s) within the specified duration".into()),
            }],
            ..stacks[3].clone()
        };
        let log = vec!["step init: kubectl karmada init".to_string(), "FAILED init: etcd not ready".to_string()];
        let host = HostAnswer::Unreachable { reason: "the management stack is not complete".into(), hints: vec![] };
        let report = assess(&facts(&config), stacks, host, None, None, log);
        let text = render(&report, false);
        assert!(!report.healthy);
        assert!(text.contains("stack karmada-management (us-east-1): CREATE_FAILED: The following resource(s) failed to create: [Host]"), "{text}");
        assert!(
            text.contains("    CREATE_FAILED AWS::EC2::Instance Host: Failed to receive 1 resource signal(s)"),
            "{text}"
        );
        assert!(
            text.contains("last lines of the bootstrap log (/var/log/karmada-eks-bootstrap.log):\n    step init"),
            "{text}"
        );
        assert!(text.contains("    FAILED init: etcd not ready"), "{text}");
    }

    #[test]
    fn a_hundred_members_with_two_unhealthy_list_only_those_two_and_json_has_all() {
        let defaults = Config::default();
        let config = Config {
            members: (0..100)
                .map(|i| MemberConfig {
                    name: format!("member{i:03}"),
                    region: Some(if i % 2 == 0 { "eu-central-1".into() } else { "us-east-1".into() }),
                    weight: 1,
                    ..MemberConfig::default()
                })
                .collect(),
            workload: WorkloadConfig { replicas: 200, ..defaults.workload.clone() },
            ..defaults
        };
        let mut host = healthy_host(&config);
        host.clusters[17].ready = false;
        host.clusters[17].reason = Some("cluster is not reachable".into());
        host.clusters.retain(|c| c.name != "member042");
        host.workload.as_mut().unwrap().replicas.remove("member042");
        let report = assess(&facts(&config), stacks(), reached(host), None, Some("d".repeat(64)), vec![]);
        let text = render(&report, false);
        println!("{text}");
        assert_eq!(
            text,
            "UNHEALTHY: 4 of 4 stacks as deployed, API server ready (3/3 pods), etcd 3/3, Karmada v1.18.2, 98 of 100 members healthy\n  \
             member member017: not Ready: cluster is not reachable [not Ready, v1.33.4-eks-1, push, 2 replicas (plan 2)]\n  \
             member member042: not joined to Karmada; runs 0 workload replicas, plan predicts 2 [not Ready, 0 replicas (plan 2)]\n"
        );
        let json = serde_json::to_value(&report).unwrap();
        println!("{}", serde_json::to_string_pretty(&json["members"][17]).unwrap());
        assert_eq!(json["healthy"], false);
        assert_eq!(json["members"].as_array().unwrap().len(), 100);
        let unhealthy: Vec<&str> = json["members"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|m| !m["problems"].as_array().unwrap().is_empty())
            .map(|m| m["name"].as_str().unwrap())
            .collect();
        assert_eq!(unhealthy, vec!["member017", "member042"]);
        assert_eq!(json["host"]["state"], "reached");
    }

    #[test]
    fn drift_is_listed_with_the_differing_properties() {
        let config = Config::default();
        let drift = vec![
            StackDrift { stack: "karmada-network".into(), status: "IN_SYNC".into(), error: None, resources: vec![] },
            StackDrift {
                stack: "karmada-cluster".into(),
                status: "DRIFTED".into(),
                error: None,
                resources: vec![ResourceDrift {
                    logical_id: "NlbSecurityGroup".into(),
                    resource_type: "AWS::EC2::SecurityGroup".into(),
                    status: "MODIFIED".into(),
                    properties: vec![PropertyDrift {
                        path: "/SecurityGroupIngress/1".into(),
                        expected: "null".into(),
                        actual: r#"{"CidrIp":"0.0.0.0/0","FromPort":32443}"#.into(),
                        difference: "ADD".into(),
                    }],
                }],
            },
        ];
        let report = assess(
            &facts(&config),
            stacks(),
            reached(healthy_host(&config)),
            Some(drift),
            Some("d".repeat(64)),
            vec![],
        );
        assert!(!report.healthy);
        let text = render(&report, false);
        assert!(text.starts_with("UNHEALTHY: 4 of 4 stacks as deployed"), "{text}");
        assert!(text.contains(", 1 stacks drifted\n"), "{text}");
        assert!(text.contains("  drift karmada-cluster: DRIFTED\n    MODIFIED AWS::EC2::SecurityGroup NlbSecurityGroup\n      ADD /SecurityGroupIngress/1: null -> {\"CidrIp\":\"0.0.0.0/0\",\"FromPort\":32443}\n"), "{text}");
        assert!(!text.contains("drift karmada-network"), "in-sync stacks only with --all");
    }

    #[test]
    fn drift_detection_that_failed_is_undetermined_not_unhealthy_unless_something_else_is_wrong() {
        let config = Config::default();
        let failed = || StackDrift {
            stack: "karmada-cluster".into(),
            status: "DETECTION_FAILED".into(),
            error: Some("Stack drift detection timed out".into()),
            resources: vec![],
        };
        let sha = Some("d".repeat(64));
        let report = assess(
            &facts(&config),
            stacks(),
            reached(healthy_host(&config)),
            Some(vec![failed()]),
            sha.clone(),
            vec![],
        );
        assert_eq!(report.verdict(), Verdict::Undetermined);
        assert!(report.problems.is_empty(), "{:?}", report.problems);
        assert_eq!(report.unchecked, ["stack karmada-cluster: drift not checked: Stack drift detection timed out"]);
        let text = render(&report, false);
        assert!(text.starts_with("UNDETERMINED: 4 of 4 stacks as deployed"), "{text}");
        assert!(
            text.contains("\n  stack karmada-cluster: drift not checked: Stack drift detection timed out\n"),
            "{text}"
        );
        let mut host = healthy_host(&config);
        host.apiserver.ready = false;
        let worse = assess(&facts(&config), stacks(), reached(host), Some(vec![failed()]), sha, vec![]);
        assert_eq!(worse.verdict(), Verdict::Unhealthy, "a known problem wins over a check that could not be made");
        assert!(render(&worse, false).starts_with("UNHEALTHY"));
    }
}
