//! Wall time of `karmada-eks-reconcile apply` for 10, 100 and 300 simulated members, all missing: the rendered
//! bootstrap and desired state run under bash against the test stand-ins (tests/data/bootstrap-fakes), each join
//! taking `FAKE_JOIN_LATENCY` seconds (default 0.3) and each member turning Ready `FAKE_READY_LATENCY_MS` later
//! (default 300), with the default concurrency. The time is in bash and the stand-ins, so the build profile does
//! not matter: `bin/bench-reconcile` runs it with the dev profile.
//!
//! `cargo bench --profile dev --bench reconcile [-- SIZES...]`

#[path = "../tests/suite/support/bootstrap.rs"]
mod bootstrap_support;

use std::time::Instant;

use bootstrap_support::*;
use constructs::karmada::Config;

fn main() {
    let sizes: Vec<usize> = std::env::args().skip(1).filter_map(|a| a.parse().ok()).collect();
    let sizes = if sizes.is_empty() { vec![10, 100, 300] } else { sizes };
    let join = std::env::var("FAKE_JOIN_LATENCY").unwrap_or_else(|_| "0.3".into());
    let ready = std::env::var("FAKE_READY_LATENCY_MS").unwrap_or_else(|_| "300".into());
    let concurrency = Config::default().reconcile.concurrency;
    println!("reconcile apply, all members missing: join {join} s, Ready {ready} ms later, concurrency {concurrency}");
    println!("{:>8} {:>10} {:>12} {:>14}", "members", "wall s", "per member s", "sequential s");
    for n in sizes {
        let h = Harness::new();
        let o = h.run(&render(&Config::default()), &[]);
        assert!(o.status.success(), "bootstrap: {}", stdout_stderr(&o));
        let config = Config { members: members(n), ..Config::default() };
        h.publish(&desired(&config));
        let env = [("FAKE_JOIN_LATENCY", join.as_str()), ("FAKE_READY_LATENCY_MS", ready.as_str())];
        let start = Instant::now();
        let o = h.reconcile(&["apply"], &env);
        let wall = start.elapsed().as_secs_f64();
        assert!(o.status.success(), "{n} members: {}", stdout_stderr(&o));
        let per = join.parse::<f64>().unwrap_or(0.0) + ready.parse::<f64>().unwrap_or(0.0) / 1000.0;
        println!("{n:>8} {wall:>10.1} {:>12.3} {:>14.1}", wall / n as f64, per * n as f64);
    }
}
