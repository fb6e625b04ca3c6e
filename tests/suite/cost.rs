//! `karmada-eks cost`: the default app's lines and total as a snapshot, quantities that follow the config, clear
//! errors for regions and figures the price table lacks, and synth's one-line total.

use crate::support::common;

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
            "region sa-east-1 is not in the price table (it knows: ap-northeast-1, ap-southeast-1, ap-southeast-2, \
             eu-central-1, eu-west-1, us-east-1, us-east-2, us-west-2)"
        ),
        "{err}"
    );
    assert!(err.contains("hint: add the figure to constructs/prices.toml"), "{err}");
    assert!(common::stdout(&o).is_empty());

    // A usage-based rate the table lacks is shown as unknown, with the regions that have it; the total stands.
    let e = lines(dir.path(), "region = \"eu-west-1\"\n");
    let nlcu = e["usage_based"].as_array().unwrap().iter().find(|r| r["item"] == "NLB capacity units (NLCU)").unwrap();
    assert!(nlcu["unit_usd"].is_null(), "{nlcu}");
    assert_eq!(
        nlcu["missing"],
        "the price table has no NLB capacity unit price for eu-west-1 (regions with one: us-east-1)"
    );
    assert_eq!(line(&e, "EKS control plane")["region"], "eu-west-1");
    let text = common::stdout(&cost(dir.path(), "region = \"eu-west-1\"\n", &[]));
    assert!(
        text.contains("NLB capacity units (NLCU) [eu-west-1]: per NLCU-hour: rate unknown, the price table"),
        "{text}"
    );

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
    assert!(total[0].starts_with("Monthly estimate: 398.483 USD for the fixed items (730 hours"), "{}", total[0]);
}

/// The regions issue 12 names, each as the app's region: every fixed item has a sourced figure there, and the
/// per-region prices differ where AWS's do.
#[test]
fn every_listed_region_prices_the_default_app() {
    let dir = tempfile::tempdir().unwrap();
    let mut nat = Vec::new();
    for region in ["us-east-1", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-1", "ap-northeast-1"] {
        let e = lines(dir.path(), &format!("region = \"{region}\"\n"));
        assert!(e["total_usd"].as_f64().unwrap() > 300.0, "{region}: {}", e["total_usd"]);
        assert_eq!(line(&e, "NAT gateways")["region"], region);
        for l in e["lines"].as_array().unwrap() {
            assert!(e["sources"][l["source"].as_str().unwrap()]["published"].is_string(), "{region}: {l}");
        }
        nat.push((region, line(&e, "NAT gateways")["unit_usd"].as_f64().unwrap()));
    }
    assert_eq!(
        nat,
        [
            ("us-east-1", 0.045),
            ("us-west-2", 0.045),
            ("eu-west-1", 0.048),
            ("eu-central-1", 0.052),
            ("ap-southeast-1", 0.059),
            ("ap-northeast-1", 0.062)
        ]
    );
}

/// Inter-region transfer is charged by the source region at a rate that can depend on the destination: us-east-1
/// to us-east-2 is 0.01/GB, to Europe 0.02/GB, and Tokyo sends back at 0.09/GB.
#[test]
fn transfer_rates_follow_source_and_destination() {
    let dir = tempfile::tempdir().unwrap();
    let config = "[[members]]\nname = \"ohio\"\nregion = \"us-east-2\"\n\
                  [[members]]\nname = \"tokyo\"\nregion = \"ap-northeast-1\"\n";
    let e = lines(dir.path(), config);
    let rate = |item: &str| {
        let usage = e["usage_based"].as_array().unwrap();
        let r = usage.iter().find(|r| r["item"].as_str().unwrap().starts_with(item));
        r.unwrap_or_else(|| panic!("no {item} in {usage:?}"))["unit_usd"].as_f64().unwrap()
    };
    assert_eq!(rate("data transfer us-east-1 -> us-east-2"), 0.01);
    assert_eq!(rate("data transfer us-east-2 -> us-east-1"), 0.01);
    assert_eq!(rate("data transfer us-east-1 -> ap-northeast-1"), 0.02);
    assert_eq!(rate("data transfer ap-northeast-1 -> us-east-1"), 0.09);
}

#[test]
fn a_parent_in_extended_support_is_priced_at_the_extended_rate() {
    let dir = tempfile::tempdir().unwrap();
    let e = lines(dir.path(), "[parent]\nkubernetes_version = \"1.33\"\n");
    let control_plane = line(&e, "EKS control plane");
    assert_eq!(control_plane["item"], "EKS control plane (karmada-parent, Kubernetes 1.33, extended support)");
    assert_eq!(control_plane["monthly_usd"], 438.0, "0.60 USD per cluster-hour for 730 hours");
}
