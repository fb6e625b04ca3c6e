//! Config changes that replace a producer's resource (node group, NLB, NAT gateways) are plain updates: no stack
//! exports anything, so nothing freezes the producer; the consumer reads the new value through an
//! `Fn::GetStackOutput` whose output name does not change (deploy updates it when the value changes).

use constructs::core::{CloudAssembly, StackArtifact};
use constructs::karmada::{Config, KarmadaApp};
use serde_json::Value;

fn synth(toml: &str) -> CloudAssembly {
    KarmadaApp::new(&Config::from_toml(toml).unwrap()).unwrap().synth().unwrap()
}

fn stack<'a>(a: &'a CloudAssembly, name: &str) -> &'a StackArtifact {
    a.stack(name).unwrap_or_else(|| panic!("no stack {name}"))
}

fn assert_no_exports(a: &CloudAssembly) {
    for s in &a.stacks {
        assert!(!s.template_body.contains("Fn::ImportValue"), "{} imports", s.name);
        let exported: Vec<&String> = s.template["Outputs"]
            .as_object()
            .into_iter()
            .flatten()
            .filter(|(_, o)| o.get("Export").is_some())
            .map(|(k, _)| k)
            .collect();
        assert!(exported.is_empty(), "{} exports {exported:?}", s.name);
    }
}

/// The resource of `stack` whose construct path ends with `suffix`.
fn resource<'a>(s: &'a StackArtifact, suffix: &str) -> &'a Value {
    s.template["Resources"]
        .as_object()
        .unwrap()
        .values()
        .find(|r| r["Metadata"]["aws:cdk:path"].as_str().is_some_and(|p| p.ends_with(suffix)))
        .unwrap_or_else(|| panic!("{} has no {suffix}", s.name))
}

#[test]
fn no_configuration_exports_or_imports_anything() {
    for toml in [
        "",
        "[nlb]\ninternal = true\n",
        "[network]\nnat_gateways = 3\n",
        "[[members]]\nname = \"a\"\nregion = \"eu-west-1\"\n[[members]]\nname = \"b\"\n",
    ] {
        assert_no_exports(&synth(toml));
    }
}

#[test]
fn the_cluster_stack_outputs_what_the_host_reads_at_run_time() {
    let a = synth("");
    let outputs = &stack(&a, "karmada-cluster").template["Outputs"];
    assert_eq!(outputs["NodegroupName"]["Value"]["Fn::GetAtt"][1], "NodegroupName");
    assert!(outputs["TargetGroupArn"]["Value"]["Ref"].as_str().unwrap().starts_with("KarmadaApiTargetGroup"));
    assert!(outputs["NodegroupName"].get("Export").is_none() && outputs["TargetGroupArn"].get("Export").is_none());
}

#[test]
fn new_node_instance_types_replace_the_node_group_without_touching_its_consumers() {
    let before = synth("");
    let after = synth("[parent.nodes]\ninstance_types = [\"m6i.large\"]\n");
    let nodes = |a: &CloudAssembly| resource(stack(a, "karmada-cluster"), "Nodes/Resource").clone();
    assert_ne!(nodes(&before)["Properties"]["InstanceTypes"], nodes(&after)["Properties"]["InstanceTypes"]);
    // InstanceTypes "requires replacement": the group gets a new generated name. Its consumers (the management
    // stack) read the cluster stack's outputs: their templates stay byte-identical, and deploy updates them when
    // a value they read changed (the inputs tag).
    let management = |a: &CloudAssembly| stack(a, "karmada-management").clone();
    assert_eq!(management(&before).template_body, management(&after).template_body);
    assert!(management(&after).references.iter().any(|r| r.stack == "karmada-cluster"));
    assert_no_exports(&after);
}

#[test]
fn toggling_an_internal_nlb_replaces_it_and_its_consumers_read_its_outputs() {
    let before = synth("");
    let after = synth("[nlb]\ninternal = true\n");
    let scheme = |a: &CloudAssembly| {
        resource(stack(a, "karmada-cluster"), "KarmadaApi/Resource")["Properties"]["Scheme"].clone()
    };
    assert_eq!((scheme(&before), scheme(&after)), ("internet-facing".into(), "internal".into()));
    for a in [&before, &after] {
        let m = stack(a, "karmada-management");
        let dns = m.references.iter().find(|r| r.output.contains("KarmadaApi") && r.output.ends_with("DNSName"));
        assert!(
            dns.is_some_and(|r| r.stack == "karmada-cluster"),
            "the NLB's DNS name is read from the cluster stack: {:?}",
            m.references
        );
    }
    assert_no_exports(&before);
    assert_no_exports(&after);
}

#[test]
fn fewer_nat_gateways_drop_their_addresses_from_what_the_consumer_reads() {
    let nat_outputs = |a: &CloudAssembly| -> Vec<String> {
        stack(a, "karmada-cluster")
            .references
            .iter()
            .filter(|r| r.stack == "karmada-network" && r.output.contains("NatEip"))
            .map(|r| r.output.clone())
            .collect()
    };
    let three = synth("[network]\nnat_gateways = 3\n");
    let one = synth("[network]\nnat_gateways = 1\n");
    assert_eq!(nat_outputs(&three).len(), 3);
    assert_eq!(nat_outputs(&one).len(), 1);
    assert!(nat_outputs(&three).contains(&nat_outputs(&one)[0]), "the remaining gateway keeps its output");
    // The network stack just stops outputting the removed addresses: with no export, CloudFormation has nothing
    // in use to refuse.
    let outputs = |a: &CloudAssembly| stack(a, "karmada-network").template["Outputs"].as_object().unwrap().len();
    assert!(outputs(&one) < outputs(&three));
    assert_no_exports(&one);
}

/// Day-2 changes (issue 10): members, weights, workload. Each pair is (before, after).
fn day_two_changes() -> Vec<(&'static str, String, String)> {
    let three =
        "[[members]]\nname = \"a\"\n[[members]]\nname = \"b\"\nregion = \"eu-west-1\"\n[[members]]\nname = \"c\"\n";
    vec![
        ("add a member", three.to_string(), format!("{three}[[members]]\nname = \"d\"\nregion = \"eu-west-1\"\n")),
        ("remove a member", three.to_string(), three.replace("[[members]]\nname = \"c\"\n", "")),
        ("re-weight", three.to_string(), three.replace("name = \"c\"\n", "name = \"c\"\nweight = 5\n")),
        (
            "workload",
            three.to_string(),
            format!("{three}[workload]\nreplicas = 30\nimage = \"public.ecr.aws/nginx/nginx:1.28\"\n"),
        ),
    ]
}

fn instance(a: &CloudAssembly) -> Value {
    resource(stack(a, "karmada-management"), "ManagementHost/Instance").clone()
}

#[test]
fn day_two_changes_leave_the_hosts_image_network_role_and_dependencies_alone() {
    for (change, before, after) in day_two_changes() {
        let (before, after) = (synth(&before), synth(&after));
        let strip = |mut i: Value| {
            i["Properties"].as_object_mut().unwrap().remove("UserData");
            i
        };
        assert_eq!(strip(instance(&before)), strip(instance(&after)), "{change}");
        let m = |a: &CloudAssembly| stack(a, "karmada-management").template["Parameters"].clone();
        assert_eq!(m(&before), m(&after), "{change}: the management stack's parameters");
    }
}

/// Holds once the desired state (branch `host`, docs/lifecycle.md "Day 2") takes members, weights and workload out
/// of the user-data: until then the user-data lists them.
#[test]
fn day_two_changes_leave_the_management_instance_and_template_byte_identical() {
    for (change, before, after) in day_two_changes() {
        let (before, after) = (synth(&before), synth(&after));
        assert_eq!(instance(&before), instance(&after), "{change}: the AWS::EC2::Instance resource");
        assert_eq!(
            stack(&before, "karmada-management").template_body,
            stack(&after, "karmada-management").template_body,
            "{change}: the whole management template"
        );
    }
}

#[test]
fn public_networks_named_for_a_private_endpoint_are_ignored_with_a_warning() {
    let a = synth("[parent]\npublic_access_cidrs = [\"203.0.113.0/24\"]\n");
    let cluster = stack(&a, "karmada-cluster");
    let vpc_config = &resource(cluster, "Parent/Resource")["Properties"]["ResourcesVpcConfig"];
    assert_eq!(vpc_config["EndpointPublicAccess"], false);
    assert!(vpc_config.get("PublicAccessCidrs").is_none(), "{vpc_config}");
    assert!(cluster
        .warnings
        .iter()
        .any(|w| w.contains("203.0.113.0/24") && w.contains("endpoint_public_access = true")));
    assert!(stack(&synth(""), "karmada-cluster").warnings.is_empty());
}
