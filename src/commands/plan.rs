//! `karmada-eks plan`: where Karmada (v1.16 and later) puts the replicas of a `Divided`/`Weighted`
//! PropagationPolicy with static weights, for the configured workload or the clusters and weights given.

use anyhow::Result;
use std::collections::HashSet;
use std::fmt::Write;
use std::process::ExitCode;

use crate::cli::PlanArgs;
use crate::error::UsageError;
use constructs::karmada::config::names::{invalid_cluster_name, validate_cluster_name};
use constructs::karmada::config::placement::{self, Share};
use constructs::karmada::Config;

/// Most replicas `plan` divides: the division hands them out one at a time.
pub const MAX_REPLICAS: u32 = 1_000_000;

pub fn run(config: &Config, args: &PlanArgs) -> Result<ExitCode> {
    let weights = weights(config, &args.weights)?;
    let replicas = args.replicas.unwrap_or(config.workload.replicas);
    if replicas > MAX_REPLICAS {
        return Err(UsageError::new(format!("--replicas {replicas} is over {MAX_REPLICAS}")).into());
    }
    let shares = placement::divide(replicas, &weights);
    if args.json {
        println!("{}", json(&shares));
    } else {
        print!("{}", table(&shares, replicas));
        if weights.iter().all(|(_, w)| *w == 0) {
            println!("every weight is 0, so Karmada gives every cluster weight 1");
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The clusters and weights to divide over: the `--weight NAME=W` arguments, else the configured members.
fn weights(config: &Config, given: &[String]) -> Result<Vec<(String, u32)>, UsageError> {
    if given.is_empty() {
        if config.members.is_empty() {
            return Err(UsageError::new("there is no cluster to divide the replicas over")
                .hint("add [[members]] to the config, or pass --weight NAME=W for each cluster"));
        }
        return Ok(config.members.iter().map(|m| (m.name.clone(), m.weight)).collect());
    }
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for arg in given {
        let (name, weight) = parse_weight(arg)?;
        if !seen.insert(name.clone()) {
            return Err(UsageError::new(format!("--weight {arg:?}: cluster {name} is given more than once")));
        }
        out.push((name, weight));
    }
    Ok(out)
}

/// `NAME=W`: a Karmada cluster name (Karmada's rules and messages) and a whole-number weight.
fn parse_weight(arg: &str) -> Result<(String, u32), UsageError> {
    let Some((name, weight)) = arg.split_once('=') else {
        return Err(UsageError::new(format!("--weight {arg:?} is not NAME=W")).hint("e.g. --weight ekseucl01=2"));
    };
    validate_cluster_name(name)
        .map_err(|msg| UsageError::new(format!("--weight {arg:?}: {}", invalid_cluster_name(name, &msg))))?;
    let weight = weight.parse::<u32>().map_err(|_| {
        UsageError::new(format!("--weight {arg:?}: weight {weight:?} is not a whole number from 0 to {}", u32::MAX))
    })?;
    Ok((name.to_string(), weight))
}

/// `{"<cluster>": <replicas>, ...}` for every cluster, zeros included, in the order given.
fn json(shares: &[Share]) -> String {
    let entries: Vec<String> =
        shares.iter().map(|s| format!("{}: {}", serde_json::Value::String(s.name.clone()), s.replicas)).collect();
    format!("{{{}}}", entries.join(", "))
}

/// Columns CLUSTER, WEIGHT, REPLICAS, SHARE (of all replicas, one decimal).
pub(crate) fn table(shares: &[Share], replicas: u32) -> String {
    let width = shares.iter().map(|s| s.name.len()).max().unwrap_or(0).max("CLUSTER".len());
    let mut out = format!("{:<width$}  {:>6}  {:>8}  {:>6}\n", "CLUSTER", "WEIGHT", "REPLICAS", "SHARE");
    for s in shares {
        let share = if replicas == 0 {
            "-".to_string()
        } else {
            format!("{:.1}%", f64::from(s.replicas) * 100.0 / f64::from(replicas))
        };
        let _ = writeln!(out, "{:<width$}  {:>6}  {:>8}  {:>6}", s.name, s.weight, s.replicas, share);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn share(name: &str, weight: u32, replicas: u32) -> Share {
        Share { name: name.into(), weight, replicas }
    }

    #[test]
    fn json_is_a_flat_object_in_order() {
        let shares = [share("b", 1, 3), share("a", 0, 0)];
        assert_eq!(json(&shares), r#"{"b": 3, "a": 0}"#);
        assert_eq!(json(&[]), "{}");
    }

    #[test]
    fn table_aligns_columns() {
        let text = table(&[share("ekseucl01", 1, 3), share("x", 2, 9)], 12);
        assert_eq!(
            text,
            "CLUSTER    WEIGHT  REPLICAS   SHARE\n\
             ekseucl01       1         3   25.0%\n\
             x               2         9   75.0%\n"
        );
        assert!(table(&[share("a", 1, 0)], 0).contains("  -\n"));
    }

    #[test]
    fn weight_arguments_are_checked() {
        assert_eq!(parse_weight("a-1=3").unwrap(), ("a-1".to_string(), 3));
        assert!(parse_weight("a").unwrap_err().message.contains("is not NAME=W"));
        assert!(parse_weight("A=1").unwrap_err().message.contains("invalid cluster name(A): a lowercase RFC 1123"));
        assert!(parse_weight("a=-1").unwrap_err().message.contains("weight \"-1\" is not a whole number"));
        assert!(parse_weight("=1").unwrap_err().message.contains("must be not empty"));
    }
}
