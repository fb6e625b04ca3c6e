//! `karmada-eks cost`: the default app's lines and total as a snapshot, quantities that follow the config, clear
//! errors for regions and figures the price table lacks, and synth's one-line total.

mod common;

use std::path::Path;

fn cost(dir: &Path, config: &str, args: &[&str]) -> std::process::Output {
    let file = dir.join("karmada-eks.toml");
    std::fs::write(&file, config).unwrap();
    let mut all = vec!["--config", file.to_str().unwrap(), "cost"];
    all.extend(args);
    common::karmada_eks(dir, &all)
}

fn lines(dir: &Path, config: &str) -> serde_json::Value {
    let o = cost(dir, config, &["--json"]);
    assert!(o.status.success(), "cost failed: {}", common::stderr(&o));
    serde_json::from_str(&common::stdout(&o)).unwrap()
}

fn line<'a>(estimate: &'a serde_json::Value, prefix: &str) -> &'a serde_json::Value {
    estimate["lines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["item"].as_str().unwrap().starts_with(prefix))
        .unwrap_or_else(|| panic!("no line {prefix:?} in {estimate:#}"))
}

#[test]
fn default_estimate_snapshot() {
    let dir = tempfile::tempdir().unwrap();
    let o = common::karmada_eks(dir.path(), &["cost"]);
    assert!(o.status.success(), "{}", common::stderr(&o));
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(common::root().join("snapshots"));
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings.bind(|| insta::assert_snapshot!("cost__default", common::stdout(&o)));
}

#[test]
fn default_lines_agree_with_the_guide_where_it_is_right() {
    let dir = tempfile::tempdir().unwrap();
    let e = lines(dir.path(), "");
    assert_eq!(line(&e, "EKS control plane")["monthly_usd"], 73.0);
    assert_eq!(line(&e, "Network Load Balancer")["monthly_usd"], 16.425);
    assert_eq!(line(&e, "NAT gateways")["monthly_usd"], 32.85);
    assert_eq!(line(&e, "Public IPv4: load balancer EIPs")["quantity"], 3.0);
    assert_eq!(line(&e, "EBS etcd PVC volumes")["quantity"], 15.0, "3 replicas × 5 GiB");
    let sum: f64 = e["lines"].as_array().unwrap().iter().map(|l| l["monthly_usd"].as_f64().unwrap()).sum();
    assert!((sum - e["total_usd"].as_f64().unwrap()).abs() < 1e-6, "the total is the sum of the fixed lines");
    let usage: Vec<&str> = e["usage_based"].as_array().unwrap().iter().map(|r| r["item"].as_str().unwrap()).collect();
    assert!(usage.iter().any(|u| u.starts_with("NAT gateway data processed")));
    assert!(usage.iter().any(|u| u.contains("us-east-1 -> eu-central-1")), "cross-region members: {usage:?}");
    let guide = e["guide"].to_string();
    assert!(guide.contains("AWS charges 0.045/GB"), "{guide}");
    assert!(e["unpriced"].as_array().unwrap().is_empty(), "every resource type is priced or known free");
}

#[test]
fn quantities_follow_the_config() {
    let dir = tempfile::tempdir().unwrap();
    let e = lines(dir.path(), "[network]\nnat_gateways = 3\n");
    assert_eq!(line(&e, "NAT gateways")["quantity"], 3.0);
    assert_eq!(line(&e, "Public IPv4: NAT gateway EIPs")["quantity"], 3.0);
    assert_eq!(line(&e, "NAT gateways")["monthly_usd"], 98.55);

    let e = lines(
        dir.path(),
        "[parent.nodes]\ninstance_types = [\"t3.medium\"]\ndesired = 4\nmin = 3\nmax = 5\ndisk_size_gib = 80\n",
    );
    let nodes = line(&e, "EC2 nodes");
    assert_eq!(
        (nodes["quantity"].as_f64(), nodes["unit_usd"].as_f64()),
        (Some(4.0), Some(0.0416)),
        "new type, new price"
    );
    assert_eq!(line(&e, "EBS node root volumes")["quantity"], 320.0);

    let e = lines(
        dir.path(),
        "[karmada]\netcd_replicas = 5\netcd_storage_size = \"8Gi\"\n[parent.nodes]\nmin = 5\ndesired = 5\nmax = 5\n",
    );
    assert_eq!(line(&e, "EBS etcd PVC volumes")["quantity"], 40.0);

    let hours = cost(dir.path(), "", &["--json", "--hours", "365"]);
    let e: serde_json::Value = serde_json::from_str(&common::stdout(&hours)).unwrap();
    assert_eq!(line(&e, "EKS control plane")["monthly_usd"], 36.5);
}

#[test]
fn regions_and_figures_outside_the_table_are_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let o = cost(dir.path(), "[[members]]\nname = \"far\"\nregion = \"sa-east-1\"\n", &[]);
    assert_eq!(o.status.code(), Some(2), "bad input");
    let err = common::stderr(&o);
    assert!(
        err.contains(
            "region sa-east-1 is not in the price table (it knows: eu-central-1, eu-west-1, us-east-1, us-west-2)"
        ),
        "{err}"
    );
    assert!(err.contains("hint: add the figure to constructs/prices.toml"), "{err}");
    assert!(common::stdout(&o).is_empty());

    let o = cost(dir.path(), "region = \"eu-west-1\"\n", &[]);
    assert_eq!(o.status.code(), Some(2));
    let err = common::stderr(&o);
    assert!(err.contains("no EKS control plane price for eu-west-1 (regions with one: us-east-1)"), "{err}");

    let o = cost(dir.path(), "[parent.nodes]\ninstance_types = [\"m7i.48xlarge\"]\n", &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(common::stderr(&o).contains("no EC2 m7i.48xlarge price for us-east-1"), "{}", common::stderr(&o));
}

#[test]
fn cost_reads_the_assembly_as_written() {
    let dir = tempfile::tempdir().unwrap();
    let config = common::root().join("tests/data/configs/default.toml");
    let out = common::synth(&config, dir.path());
    let from_app = common::karmada_eks(dir.path(), &["cost", "--json", "--app", out.to_str().unwrap()]);
    let from_config = common::karmada_eks(dir.path(), &["--config", config.to_str().unwrap(), "cost", "--json"]);
    assert!(from_app.status.success(), "{}", common::stderr(&from_app));
    assert_eq!(common::stdout(&from_app), common::stdout(&from_config));
}

#[test]
fn synth_prints_the_monthly_total_in_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let o = common::karmada_eks(dir.path(), &["synth"]);
    assert!(o.status.success());
    let err = common::stderr(&o);
    let total: Vec<&str> = err.lines().filter(|l| l.starts_with("Monthly estimate: ")).collect();
    assert_eq!(total.len(), 1, "{err}");
    assert!(total[0].starts_with("Monthly estimate: 397.483 USD for the fixed items (730 hours"), "{}", total[0]);
}
