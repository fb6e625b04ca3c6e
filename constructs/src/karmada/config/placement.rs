//! Where Karmada (v1.16 and later) puts the replicas of a `Divided`/`Weighted` PropagationPolicy with static
//! weights: the Webster / Sainte-Laguë divisor method, handed out one replica at a time.
//!
//! Each replica goes to the cluster with the highest `w / (2s + 1)`, `s` being what it already holds, compared in
//! integers as `w_i * (2s_j + 1)` against `w_j * (2s_i + 1)`. Ties go to the cluster holding fewer replicas, then to
//! the lexicographically smaller name. A cluster of weight 0 (a candidate that no weight entry matches) gets
//! nothing; when every weight is 0, every cluster counts with weight 1.

use serde::Serialize;

use super::Config;

/// One cluster's part of a division.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Share {
    /// Karmada cluster name.
    pub name: String,
    /// The weight the division used: the given one, or 1 for every cluster when all were 0.
    pub weight: u32,
    /// Replicas the cluster receives.
    pub replicas: u32,
}

/// The weights Karmada divides by: the given ones, or 1 for every cluster when all are 0 (or none is given).
pub fn effective_weights(weights: &[(String, u32)]) -> Vec<(String, u32)> {
    let all_zero = weights.iter().all(|(_, w)| *w == 0);
    weights.iter().map(|(name, w)| (name.clone(), if all_zero { 1 } else { *w })).collect()
}

/// Divides `replicas` over the clusters in `weights`, in the order given. The shares always add up to `replicas`
/// when there is at least one cluster. Cost: `replicas` times the number of clusters comparisons.
pub fn divide(replicas: u32, weights: &[(String, u32)]) -> Vec<Share> {
    let weights = effective_weights(weights);
    let mut held = vec![0u32; weights.len()];
    for _ in 0..replicas {
        let mut best: Option<usize> = None;
        for (i, (_, w)) in weights.iter().enumerate() {
            if *w == 0 {
                continue;
            }
            best = match best {
                None => Some(i),
                Some(b) if wins(&weights, &held, i, b) => Some(i),
                keep => keep,
            };
        }
        match best {
            Some(b) => held[b] += 1,
            None => break,
        }
    }
    weights.into_iter().zip(held).map(|((name, weight), replicas)| Share { name, weight, replicas }).collect()
}

/// Whether cluster `i` takes the next replica before cluster `b`.
fn wins(weights: &[(String, u32)], held: &[u32], i: usize, b: usize) -> bool {
    let priority = |w: u32, other_held: u32| u128::from(w) * (2 * u128::from(other_held) + 1);
    let (wi, wb) = (weights[i].1, weights[b].1);
    let left = priority(wi, held[b]);
    let right = priority(wb, held[i]);
    if left != right {
        return left > right;
    }
    if held[i] != held[b] {
        return held[i] < held[b];
    }
    weights[i].0 < weights[b].0
}

/// The division of the configured sample workload over the configured members, by their weights.
pub fn preview(config: &Config) -> Vec<Share> {
    let weights: Vec<(String, u32)> = config.members.iter().map(|m| (m.name.clone(), m.weight)).collect();
    divide(config.workload.replicas, &weights)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn w(pairs: &[(&str, u32)]) -> Vec<(String, u32)> {
        pairs.iter().map(|(n, w)| (n.to_string(), *w)).collect()
    }

    fn counts(shares: &[Share]) -> Vec<u32> {
        shares.iter().map(|s| s.replicas).collect()
    }

    #[test]
    fn karmada_example_twelve_over_one_one_two() {
        let shares = divide(12, &w(&[("member1", 1), ("member2", 1), ("member3", 2)]));
        assert_eq!(counts(&shares), [3, 3, 6]);
    }

    #[test]
    fn karmada_example_nine_over_two_one_one_one() {
        let shares = divide(9, &w(&[("member1", 2), ("member2", 1), ("member3", 1), ("member4", 1)]));
        assert_eq!(counts(&shares), [3, 2, 2, 2]);
    }

    #[test]
    fn ties_go_to_fewer_replicas_then_smaller_name() {
        // Equal weights: one replica each, the odd one to the smallest name, whatever the input order.
        assert_eq!(counts(&divide(1, &w(&[("b", 1), ("a", 1), ("c", 1)]))), [0, 1, 0]);
        assert_eq!(counts(&divide(2, &w(&[("b", 1), ("a", 1), ("c", 1)]))), [1, 1, 0]);
        // 3:1 after the first replica: 3/3 == 1/1, and "y" holds fewer, so it wins the tie.
        assert_eq!(counts(&divide(2, &w(&[("x", 3), ("y", 1)]))), [1, 1]);
    }

    #[test]
    fn weight_zero_gets_nothing_unless_all_are_zero() {
        let shares = divide(5, &w(&[("a", 0), ("b", 2), ("c", 0)]));
        assert_eq!(counts(&shares), [0, 5, 0]);
        let shares = divide(5, &w(&[("a", 0), ("b", 0), ("c", 0)]));
        assert_eq!(counts(&shares), [2, 2, 1]);
        assert!(shares.iter().all(|s| s.weight == 1));
    }

    #[test]
    fn nothing_to_divide() {
        assert_eq!(divide(7, &[]), Vec::<Share>::new());
        assert_eq!(counts(&divide(0, &w(&[("a", 1), ("b", 1)]))), [0, 0]);
    }

    #[test]
    fn huge_weights_do_not_overflow() {
        let shares = divide(3, &w(&[("a", u32::MAX), ("b", u32::MAX - 1)]));
        assert_eq!(counts(&shares), [2, 1]);
    }

    #[test]
    fn preview_of_the_default_config() {
        let shares = preview(&Config::default());
        let names: Vec<&str> = shares.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["ekseucl01", "ekseucl02", "eksuscl01"]);
        assert_eq!(counts(&shares), [3, 3, 6]);
    }

    fn weights_strategy() -> impl Strategy<Value = Vec<(String, u32)>> {
        prop::collection::vec(0u32..20, 1..8)
            .prop_map(|ws| ws.into_iter().enumerate().map(|(i, w)| (format!("c{i}"), w)).collect())
    }

    proptest! {
        #[test]
        fn shares_add_up_to_the_replicas(replicas in 0u32..500, weights in weights_strategy()) {
            let total: u32 = divide(replicas, &weights).iter().map(|s| s.replicas).sum();
            prop_assert_eq!(total, replicas);
        }

        #[test]
        fn more_weight_never_gets_fewer_replicas(replicas in 0u32..500, weights in weights_strategy()) {
            let shares = divide(replicas, &weights);
            for a in &shares {
                for b in &shares {
                    if a.weight > b.weight {
                        prop_assert!(a.replicas >= b.replicas, "{a:?} vs {b:?}");
                    }
                }
            }
        }

        #[test]
        fn one_more_replica_takes_nothing_away(replicas in 0u32..300, weights in weights_strategy()) {
            let before = divide(replicas, &weights);
            let after = divide(replicas + 1, &weights);
            for (b, a) in before.iter().zip(&after) {
                prop_assert!(a.replicas >= b.replicas);
            }
        }
    }
}
