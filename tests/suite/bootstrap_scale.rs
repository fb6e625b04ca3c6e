//! The reconcile at Karmada's tested scale, 100 member clusters, with stand-ins that take 0.3 s to join and turn
//! Ready 0.3 s later: bounded concurrency (asserted on the recorded join spans, not on wall time), one failing and
//! one never-Ready member that hold up nobody, a re-run that touches only those two, and the output sizes against
//! SSM Run Command's inline limit.

use crate::support::bootstrap as bootstrap_support;

use std::time::Instant;

use bootstrap_support::*;
use constructs::karmada::host::desired_state::SSM_INLINE_OUTPUT_LIMIT;
use constructs::karmada::Config;

const LATENCY: &[(&str, &str)] = &[("FAKE_JOIN_LATENCY", "0.3"), ("FAKE_READY_LATENCY_MS", "300")];

/// (name, start ms, end ms) of every join or register.
fn spans(h: &Harness) -> Vec<(String, u64, u64)> {
    let text = std::fs::read_to_string(h.path("state/spans")).unwrap_or_default();
    text.lines()
        .map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            (f[0].to_string(), f[1].parse().unwrap(), f[2].parse().unwrap())
        })
        .collect()
}

/// The most spans open at one instant.
fn max_overlap(spans: &[(String, u64, u64)]) -> usize {
    let mut edges: Vec<(u64, i32)> = spans.iter().flat_map(|(_, s, e)| [(*s, 1), (*e, -1)]).collect();
    edges.sort_by_key(|&(t, d)| (t, d));
    let (mut open, mut max) = (0i32, 0i32);
    for (_, d) in edges {
        open += d;
        max = max.max(open);
    }
    max as usize
}

#[test]
fn a_hundred_members_join_ten_at_a_time_and_two_bad_ones_block_nobody() {
    let h = Harness::new();
    let o = h.run(&render(&Config::default()), &[]);
    assert!(o.status.success(), "{}", stdout_stderr(&o));
    let mut config = Config { members: members(100), ..Config::default() };
    config.reconcile.concurrency = 10;
    // Below the configurable minimum (60 s) so that the never-Ready member times out quickly here.
    config.reconcile.member_timeout_seconds = 3;
    let failing = config.members[4].name.clone();
    let never_ready = config.members[7].name.clone();
    std::fs::create_dir_all(h.path("state/never-ready")).unwrap();
    std::fs::write(h.path("state/never-ready").join(&never_ready), "").unwrap();
    h.publish(&desired(&config));

    let fail = format!("kubectl karmada join {failing} ");
    let env: Vec<(&str, &str)> = LATENCY.iter().copied().chain([("FAKE_FAIL", fail.as_str())]).collect();
    let started = Instant::now();
    let o = h.reconcile(&["apply"], &env);
    let wall = started.elapsed();
    let out = String::from_utf8_lossy(&o.stdout).into_owned();
    eprintln!("100 members, join 0.3 s + Ready 0.3 s, concurrency 10: {:.1} s wall\n{out}", wall.as_secs_f64());
    assert_eq!(o.status.code(), Some(1), "{}", stdout_stderr(&o));
    assert!(out.len() < SSM_INLINE_OUTPUT_LIMIT, "{} characters", out.len());
    assert!(out.contains("members: 98 joined, 0 unjoined, 0 already joined, 2 failed"), "{out}");
    assert!(out.contains(&format!("FAILED join-{failing}: kubectl karmada join {failing} failed")), "{out}");
    assert!(out.contains(&format!("FAILED wait-ready-{never_ready}: not Ready after 3 s")), "{out}");

    let spans = spans(&h);
    assert_eq!(spans.len(), 99, "every member but the failing one joined once");
    let overlap = max_overlap(&spans);
    assert!((5..=10).contains(&overlap), "at most 10 joins at a time, and several: {overlap}");
    let (_, _, never_end) = spans.iter().find(|(n, ..)| n == &never_ready).unwrap().clone();
    let after = spans.iter().filter(|(_, s, _)| *s > never_end).count();
    assert!(after >= 50, "joins went on while {never_ready} waited for Ready: {after} started after it");

    std::fs::remove_file(h.path("state/never-ready").join(&never_ready)).unwrap();
    let mark = h.mark();
    let o = h.reconcile(&["apply"], LATENCY);
    let out = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(o.status.success(), "{}", stdout_stderr(&o));
    let calls = h.calls_since(mark);
    let joins: Vec<&String> = calls.iter().filter(|c| c.starts_with("kubectl karmada ")).collect();
    assert_eq!(joins.len(), 1, "{}", calls.join("\n"));
    assert!(joins[0].starts_with(&fail));
    let kubeconfigs: Vec<&String> = calls.iter().filter(|c| c.starts_with("aws eks update-kubeconfig")).collect();
    assert_eq!(kubeconfigs.len(), 1, "{kubeconfigs:?}");
    assert!(out.contains("members: 1 joined, 0 unjoined, 99 already joined, 0 failed"), "{out}");
    assert!(out.lines().any(|l| l == format!("{never_ready} already-joined")), "{out}");
    assert!(out.len() < SSM_INLINE_OUTPUT_LIMIT);

    // status: one batched `get clusters`, two unhealthy members, within the inline limit.
    for n in [&failing, &never_ready] {
        std::fs::write(h.path("state/never-ready").join(n), "").unwrap();
    }
    let mark = h.mark();
    let o = h.reconcile(&["status"], &[]);
    assert!(o.status.success(), "{}", stdout_stderr(&o));
    let calls = h.calls_since(mark);
    assert_eq!(calls.iter().filter(|c| c.contains(" get cluster")).count(), 1, "{}", calls.join("\n"));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let clusters = v["clusters"].as_array().unwrap();
    assert_eq!(clusters.len(), 100);
    let unhealthy: Vec<&str> = clusters.iter().filter(|c| c[1] == false).map(|c| c[0].as_str().unwrap()).collect();
    assert_eq!(unhealthy.len(), 2);
    assert!(unhealthy.contains(&failing.as_str()) && unhealthy.contains(&never_ready.as_str()));
    eprintln!(
        "status at 100 members: {} characters (limit {SSM_INLINE_OUTPUT_LIMIT}), unhealthy {unhealthy:?}",
        o.stdout.len()
    );
    assert!(o.stdout.len() < SSM_INLINE_OUTPUT_LIMIT);
}
