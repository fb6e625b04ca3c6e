//! Who may reach the Karmada API (TCP 32443), and where the management host may connect to it.

use constructs::core::CloudAssembly;
use constructs::karmada::{Config, KarmadaApp};
use serde_json::Value;

fn synth(toml: &str) -> CloudAssembly {
    KarmadaApp::new(&Config::from_toml(toml).unwrap()).unwrap().synth().unwrap()
}

fn group_rules(assembly: &CloudAssembly, stack: &str, path_suffix: &str, key: &str) -> Vec<Value> {
    let template = &assembly.stack(stack).unwrap().template;
    let group = template["Resources"]
        .as_object()
        .unwrap()
        .values()
        .find(|r| r["Metadata"]["aws:cdk:path"].as_str().unwrap().ends_with(path_suffix))
        .unwrap_or_else(|| panic!("{stack} has no {path_suffix}"));
    group["Properties"][key].as_array().cloned().unwrap_or_default()
}

fn is_nat_address(cidr: &Value) -> bool {
    cidr.to_string().contains("NatEip")
}

#[test]
fn internet_facing_nlb_admits_the_vpc_and_its_nat_addresses_by_default() {
    let a = synth("");
    let ingress = group_rules(&a, "karmada-cluster", "KarmadaApi/SecurityGroup", "SecurityGroupIngress");
    assert_eq!(ingress.len(), 2, "{ingress:?}");
    assert_eq!(ingress[0]["CidrIp"], "10.0.0.0/16");
    assert!(is_nat_address(&ingress[1]["CidrIp"]), "{}", ingress[1]);
    assert!(ingress.iter().all(|r| r["FromPort"] == 32443 && r["ToPort"] == 32443));
}

#[test]
fn internal_nlb_admits_only_the_vpc_by_default() {
    let a = synth("[nlb]\ninternal = true\n");
    let ingress = group_rules(&a, "karmada-cluster", "KarmadaApi/SecurityGroup", "SecurityGroupIngress");
    assert_eq!(ingress.len(), 1, "NAT addresses can never reach an internal NLB: {ingress:?}");
    assert_eq!(ingress[0]["CidrIp"], "10.0.0.0/16");
}

#[test]
fn configured_cidrs_add_to_the_vpc_and_nat_addresses() {
    let a = synth("[nlb]\nallowed_cidrs = [\"203.0.113.0/24\"]\n");
    let ingress = group_rules(&a, "karmada-cluster", "KarmadaApi/SecurityGroup", "SecurityGroupIngress");
    let cidrs: Vec<&Value> = ingress.iter().map(|r| &r["CidrIp"]).collect();
    assert_eq!(cidrs.len(), 3, "{cidrs:?}");
    assert_eq!(cidrs[0], "10.0.0.0/16", "the VPC stays allowed");
    assert!(is_nat_address(cidrs[1]), "the NAT address stays allowed: the host reaches the NLB from it");
    assert_eq!(cidrs[2], "203.0.113.0/24");

    let internal = synth("[nlb]\ninternal = true\nallowed_cidrs = [\"192.168.0.0/16\"]\n");
    let ingress = group_rules(&internal, "karmada-cluster", "KarmadaApi/SecurityGroup", "SecurityGroupIngress");
    let cidrs: Vec<&Value> = ingress.iter().map(|r| &r["CidrIp"]).collect();
    assert_eq!(cidrs, [&Value::from("10.0.0.0/16"), &Value::from("192.168.0.0/16")]);
}

#[test]
fn more_nat_gateways_are_all_allowed() {
    let a = synth("[network]\nnat_gateways = 3\n[nlb]\nallowed_cidrs = [\"203.0.113.0/24\"]\n");
    let ingress = group_rules(&a, "karmada-cluster", "KarmadaApi/SecurityGroup", "SecurityGroupIngress");
    assert_eq!(ingress.iter().filter(|r| is_nat_address(&r["CidrIp"])).count(), 3, "{ingress:?}");
}

#[test]
fn management_host_reaches_32443_only_in_the_vpc_and_on_the_nlb_addresses() {
    let a = synth("");
    let egress = group_rules(&a, "karmada-management", "ManagementHost/SecurityGroup", "SecurityGroupEgress");
    let api: Vec<&Value> = egress.iter().filter(|r| r["FromPort"] == 32443).collect();
    assert_eq!(api.len(), 1 + 3, "the VPC and the NLB's three addresses: {api:?}");
    assert!(api.iter().all(|r| r["CidrIp"] != "0.0.0.0/0"));
    assert_eq!(api[0]["CidrIp"], "10.0.0.0/16");
    assert!(
        api[1..].iter().all(|r| {
            let join = &r["CidrIp"]["Fn::Join"];
            join[1][0]["Fn::GetStackOutput"]["StackName"] == "karmada-cluster" && join[1][1] == "/32"
        }),
        "each address read from the cluster stack's outputs: {api:?}"
    );
    let open: Vec<&Value> = egress.iter().filter(|r| r["CidrIp"] == "0.0.0.0/0").collect();
    assert_eq!(open.len(), 1);
    assert_eq!(open[0]["FromPort"], 443);

    let internal = synth("[nlb]\ninternal = true\n");
    let egress = group_rules(&internal, "karmada-management", "ManagementHost/SecurityGroup", "SecurityGroupEgress");
    let api: Vec<&Value> = egress.iter().filter(|r| r["FromPort"] == 32443).collect();
    assert_eq!(api.len(), 1, "{api:?}");
}
