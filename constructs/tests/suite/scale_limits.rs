//! Fleets of 10 to 1,000 member clusters over 10 regions: every stack within CloudFormation's limits, member
//! access split into parts by measured size, the management role's policy within IAM's cap, the bootstrap
//! user-data within EC2's, a valid deploy order, and byte-identical output from run to run.

use constructs::core::size::resolved_json_len_bound;
use constructs::core::template::{
    MAX_INLINE_TEMPLATE_BYTES, MAX_OUTPUTS, MAX_PARAMETERS, MAX_RESOURCES, MAX_TEMPLATE_BYTES,
};
use constructs::core::{CloudAssembly, StackArtifact};
use constructs::karmada::config::MemberConfig;
use constructs::karmada::stacks::scale::MAX_ROLE_INLINE_POLICY_CHARS;
use constructs::karmada::wellknown::StackNames;
use constructs::karmada::{Config, KarmadaApp};
use serde_json::Value;
use std::collections::{BTreeMap, HashSet};

const REGIONS: [&str; 10] = [
    "us-east-1",
    "us-east-2",
    "us-west-2",
    "eu-central-1",
    "eu-west-1",
    "eu-north-1",
    "ap-northeast-1",
    "ap-southeast-1",
    "ap-south-1",
    "sa-east-1",
];

/// EC2's limit on raw user-data, before base64.
const MAX_USER_DATA_BYTES: usize = 16 * 1024;
/// What one `Fn::Sub` variable of the bootstrap script can resolve to at most (a DNS name, an ARN, addresses).
const SUB_VARIABLE_BYTES: usize = 256;

/// `members` member clusters dealt round-robin over the 10 regions, with short names.
fn fleet(members: usize) -> Config {
    Config {
        members: (0..members).map(|i| MemberConfig::new(&format!("member-{i:04}"), REGIONS[i % 10], 1)).collect(),
        ..Config::default()
    }
}

/// The largest names the config accepts: 40-character app, 48-character members, 100-character EKS names, and
/// tags on every resource.
fn fleet_with_long_names(members: usize) -> Config {
    let mut config = fleet(members);
    config.app = format!("k{}", "a".repeat(39));
    config.tags =
        BTreeMap::from([("team".into(), "platform-engineering".into()), ("cost-center".into(), "cc-1234".into())]);
    for (i, m) in config.members.iter_mut().enumerate() {
        m.name = format!("m{i:04}-{}", "x".repeat(42));
        m.eks_cluster_name = Some(format!("eks-{i:04}-{}", "y".repeat(91)));
    }
    config
}

fn synth(config: &Config) -> CloudAssembly {
    KarmadaApp::new(config).expect("the app builds").synth().expect("the app synthesizes")
}

fn resources(stack: &StackArtifact) -> &serde_json::Map<String, Value> {
    stack.template["Resources"].as_object().expect("Resources")
}

fn section_len(stack: &StackArtifact, section: &str) -> usize {
    stack.template.get(section).and_then(Value::as_object).map_or(0, |m| m.len())
}

fn assert_within_limits(assembly: &CloudAssembly) {
    for s in &assembly.stacks {
        assert!(resources(s).len() <= MAX_RESOURCES, "{}: {} resources", s.name, resources(s).len());
        assert!(section_len(s, "Outputs") <= MAX_OUTPUTS, "{}: outputs", s.name);
        assert!(section_len(s, "Parameters") <= MAX_PARAMETERS, "{}: parameters", s.name);
        assert!(s.template_body.len() <= MAX_INLINE_TEMPLATE_BYTES, "{}: {} bytes", s.name, s.template_body.len());
        assert!(s.template_body.len() <= MAX_TEMPLATE_BYTES);
        let size_warnings: Vec<&String> = s.warnings.iter().filter(|w| w.contains("TemplateBody")).collect();
        assert!(size_warnings.is_empty(), "{}: {size_warnings:?}", s.name);
    }
}

/// Every stack comes after the stacks it depends on, imports from, or reads outputs of.
fn assert_deploy_order(assembly: &CloudAssembly) {
    let mut deployed: HashSet<&str> = HashSet::new();
    for s in &assembly.stacks {
        for dep in &s.dependencies {
            assert!(deployed.contains(dep.as_str()), "{} deploys before its dependency {dep}", s.name);
        }
        for r in &s.references {
            assert!(deployed.contains(r.stack.as_str()), "{} reads {} before {} exists", s.name, r.output, r.stack);
        }
        assert!(imports(&s.template).is_empty(), "{} imports an export: exports freeze their producer", s.name);
        deployed.insert(&s.name);
    }
}

fn imports(value: &Value) -> Vec<String> {
    match value {
        Value::Object(map) => match map.get("Fn::ImportValue").and_then(Value::as_str) {
            Some(name) => vec![name.to_string()],
            None => map.values().flat_map(imports).collect(),
        },
        Value::Array(items) => items.iter().flat_map(imports).collect(),
        _ => Vec::new(),
    }
}

/// Member-access stacks of `region`, in part order.
fn access_stacks<'a>(assembly: &'a CloudAssembly, config: &Config, region: &str) -> Vec<&'a StackArtifact> {
    let names = StackNames::new(&config.app);
    (0..).map(|part| names.member_access_part(region, part)).map_while(|name| assembly.stack(&name)).collect()
}

/// Each member's access entry, found in its region's stacks, names its EKS cluster, exactly once and in order.
fn assert_one_access_entry_per_member(assembly: &CloudAssembly, config: &Config) {
    let mut stacks_seen = 0;
    for region in REGIONS.iter().filter(|r| config.members().iter().any(|m| m.region == **r)) {
        let stacks = access_stacks(assembly, config, region);
        stacks_seen += stacks.len();
        let clusters: Vec<String> = stacks
            .iter()
            .flat_map(|s| resources(s).values())
            .map(|r| {
                assert_eq!(r["Type"], "AWS::EKS::AccessEntry");
                r["Properties"]["ClusterName"].as_str().expect("a literal cluster name").to_string()
            })
            .collect();
        let expected: Vec<String> =
            config.members().into_iter().filter(|m| m.region == *region).map(|m| m.eks_cluster_name).collect();
        assert_eq!(clusters, expected, "{region}");
    }
    let all_access = assembly.stacks.iter().filter(|s| s.name.contains("-member-access-")).count();
    assert_eq!(stacks_seen, all_access, "every member-access stack belongs to a region, parts numbered from 2");
}

fn management_role_policy_chars(assembly: &CloudAssembly, config: &Config) -> (usize, usize) {
    let cluster = assembly.stack(&StackNames::new(&config.app).cluster).expect("cluster stack");
    let role = resources(cluster)
        .values()
        .find(|r| {
            r["Type"] == "AWS::IAM::Role"
                && r["Metadata"]["aws:cdk:path"].as_str().is_some_and(|p| p.ends_with("/ManagementHost/Role"))
        })
        .expect("the management host's role");
    let policies = role["Properties"]["Policies"].as_array().expect("inline policies");
    let chars = policies
        .iter()
        .map(|p| {
            p["PolicyName"].as_str().unwrap_or_default().len() + resolved_json_len_bound(&p["PolicyDocument"], 128)
        })
        .sum();
    let describe = policies
        .iter()
        .flat_map(|p| p["PolicyDocument"]["Statement"].as_array().cloned().unwrap_or_default())
        .find(|s| s["Action"] == serde_json::json!(["eks:DescribeCluster"]))
        .expect("an eks:DescribeCluster statement");
    (chars, describe["Resource"].as_array().map_or(0, Vec::len))
}

fn user_data(value: &Value) -> Option<&Value> {
    match value {
        Value::Object(map) => match map.get("UserData") {
            Some(user_data) => Some(&user_data["Fn::Base64"]),
            None => map.values().find_map(user_data),
        },
        Value::Array(items) => items.iter().find_map(user_data),
        _ => None,
    }
}

/// The most bytes `expression` can resolve to: literal text as written, every substituted variable and every
/// value read from another stack (an `Fn::GetStackOutput` piece of the `Fn::Join` the resolver writes in place of
/// an `Fn::Sub` that would have held one) at `SUB_VARIABLE_BYTES`.
fn user_data_bound(expression: &Value) -> usize {
    let sub_bound = |text: &str| {
        let uses = text.matches("${").count() - text.matches("${!").count();
        text.len() + uses * SUB_VARIABLE_BYTES
    };
    match expression {
        Value::String(text) => text.len(),
        Value::Object(map) => match map.iter().next() {
            Some((f, Value::String(text))) if f == "Fn::Sub" => sub_bound(text),
            Some((f, Value::Array(parts))) if f == "Fn::Sub" => sub_bound(parts[0].as_str().unwrap_or_default()),
            Some((f, Value::Array(parts))) if f == "Fn::Join" => {
                let delimiter = parts[0].as_str().expect("a literal delimiter").len();
                let pieces = parts[1].as_array().expect("the pieces");
                pieces.iter().map(user_data_bound).sum::<usize>() + delimiter * pieces.len().saturating_sub(1)
            }
            _ => SUB_VARIABLE_BYTES,
        },
        other => panic!("unexpected user-data piece {other}"),
    }
}

fn assert_user_data_fits(assembly: &CloudAssembly, config: &Config) {
    let management = assembly.stack(&StackNames::new(&config.app).management).expect("management stack");
    let expression = user_data(&management.template).expect("the host has user-data");
    let bound = user_data_bound(expression);
    assert!(bound <= MAX_USER_DATA_BYTES, "user-data may reach {bound} bytes");
}

fn check_fleet(config: &Config) -> CloudAssembly {
    let assembly = synth(config);
    assert_within_limits(&assembly);
    assert_deploy_order(&assembly);
    assert_one_access_entry_per_member(&assembly, config);
    assert_user_data_fits(&assembly, config);
    let (chars, _) = management_role_policy_chars(&assembly, config);
    assert!(chars <= MAX_ROLE_INLINE_POLICY_CHARS, "management role policies: {chars} characters");
    assembly
}

#[test]
fn fleets_of_10_and_100_members_fit_one_access_stack_per_region() {
    for members in [10, 100] {
        let config = fleet(members);
        let assembly = check_fleet(&config);
        let desired = assembly.stacks.iter().filter(|s| s.name.contains("-desired-state")).count();
        assert!(desired >= 1, "{members} members: the desired state has its stack");
        assert_eq!(assembly.stacks.len(), 4 + 10 + desired, "{members} members: backup, network, cluster, host");
        let (_, resources) = management_role_policy_chars(&assembly, &config);
        let expected = if members <= 50 { 1 + members } else { 1 + REGIONS.len() };
        assert_eq!(resources, expected, "{members} members: explicit cluster ARNs while they fit the budget");
    }
}

#[test]
fn a_fleet_of_1000_members_splits_member_access_and_stays_within_every_limit() {
    let config = fleet(1000);
    let assembly = check_fleet(&config);
    let names = StackNames::new(&config.app);
    for region in REGIONS {
        let parts = access_stacks(&assembly, &config, region);
        assert!(parts.len() >= 2, "{region}: 100 access entries do not fit 51,200 bytes in one stack");
        assert_eq!(parts[0].name, names.member_access(region), "the first part keeps the unsplit name");
        for pair in parts.windows(2) {
            assert_eq!(pair[0].dependencies.last(), Some(&pair[1].name), "part n deploys after part n + 1");
        }
        let filled = parts[..parts.len() - 1].iter().map(|s| s.template_body.len()).min().unwrap_or(0);
        assert!(filled > MAX_INLINE_TEMPLATE_BYTES - 2_000, "{region}: parts are packed full, not split early");
    }
    let management = assembly.stack(&names.management).unwrap();
    let access = assembly.stacks.iter().filter(|s| s.name.contains("-member-access-")).count();
    assert_eq!(management.dependencies.iter().filter(|d| d.contains("-member-access-")).count(), access);
    assert_eq!(assembly.stacks.last().map(|s| s.name.as_str()), Some(names.management.as_str()));
}

#[test]
fn the_management_role_names_regions_instead_of_clusters_when_the_list_would_pass_iam_cap() {
    let config = fleet(1000);
    let assembly = synth(&config);
    let (chars, resources) = management_role_policy_chars(&assembly, &config);
    assert!(chars <= MAX_ROLE_INLINE_POLICY_CHARS, "{chars}");
    assert_eq!(resources, 1 + REGIONS.len(), "the parent cluster and one ARN per member region");
    let body = &assembly.stack("karmada-cluster").unwrap().template_body;
    assert!(body.contains(":cluster/member-0*"), "the region's common name prefix narrows the wildcard");

    let small = fleet(3);
    let (_, resources) = management_role_policy_chars(&synth(&small), &small);
    assert_eq!(resources, 4, "small fleets keep one ARN per cluster");
    let fifty = fleet(50);
    let (_, resources) = management_role_policy_chars(&synth(&fifty), &fifty);
    assert_eq!(resources, 51, "50 members still get one ARN each");
    let hundred = fleet(100);
    let (_, resources) = management_role_policy_chars(&synth(&hundred), &hundred);
    assert_eq!(resources, 1 + REGIONS.len(), "past the budget, the cluster stack stays under 51,200 bytes");
}

#[test]
fn the_longest_names_and_tags_still_fit_at_1000_members() {
    let config = fleet_with_long_names(1000);
    let assembly = check_fleet(&config);
    let per_region = access_stacks(&assembly, &config, "us-east-1").len();
    assert!(per_region > access_stacks(&synth(&fleet(1000)), &fleet(1000), "us-east-1").len());
}

#[test]
fn one_region_with_1000_members_is_split_by_bytes_and_every_part_is_full() {
    let mut config = fleet(1000);
    for m in &mut config.members {
        m.region = Some("eu-west-1".into());
    }
    let assembly = check_fleet(&config);
    let parts = access_stacks(&assembly, &config, "eu-west-1");
    let entries: usize = parts.iter().map(|s| resources(s).len()).sum();
    assert_eq!(entries, 1000);
    let entry = parts[0].template_body.len() / resources(parts[0]).len();
    assert!(parts.len() >= 1000 / (MAX_INLINE_TEMPLATE_BYTES / entry), "{} parts", parts.len());
    for part in &parts[..parts.len() - 1] {
        assert!(part.template_body.len() + 2 * entry > MAX_INLINE_TEMPLATE_BYTES, "{} is not full", part.name);
    }
    assert_eq!(parts[1].name, "karmada-member-access-eu-west-1-2");
}

#[test]
fn synth_at_1000_members_is_deterministic() {
    let config = fleet(1000);
    let (a, b) = (synth(&config), synth(&config));
    assert_eq!(a.manifest(), b.manifest());
    assert_eq!(a.stacks.len(), b.stacks.len());
    for (x, y) in a.stacks.iter().zip(&b.stacks) {
        assert_eq!(x.name, y.name);
        assert!(x.template_body == y.template_body, "{} differs between runs", x.name);
    }
    let dir = tempfile::tempdir().unwrap();
    a.write(&dir.path().join("one")).unwrap();
    b.write(&dir.path().join("two")).unwrap();
    for s in &a.stacks {
        let one = std::fs::read(dir.path().join("one").join(s.template_file())).unwrap();
        let two = std::fs::read(dir.path().join("two").join(s.template_file())).unwrap();
        assert!(one == two, "{} on disk differs", s.name);
    }
}

#[test]
fn measure_predicts_the_synthesized_size_of_member_access_stacks() {
    let config = fleet(1000);
    let app = KarmadaApp::new(&config).unwrap();
    let assembly = app.synth().unwrap();
    for s in assembly.stacks.iter().filter(|s| s.name.contains("-member-access-")) {
        let size = app.measure(&s.name).unwrap().unwrap();
        assert_eq!(size.bytes, s.template_body.len(), "{}", s.name);
        assert_eq!(size.resource_bytes.len(), s.resource_count);
    }
}

/// The parent's size and etcd placement are warned about at synth, with the numbers; fixing the config clears them.
#[test]
fn a_node_group_below_karmadas_tested_control_plane_is_warned_about() {
    use constructs::karmada::stacks::scale::{TESTED_CONTROL_PLANE_GIB, TESTED_CONTROL_PLANE_VCPUS};
    let warnings =
        |config: &Config| -> Vec<String> { synth(config).stacks.iter().flat_map(|s| s.warnings.clone()).collect() };
    assert!(warnings(&Config::default()).is_empty(), "3 members fit the default node group");

    let mut hundred = fleet(100);
    let w = warnings(&hundred);
    assert_eq!(w.len(), 1, "the sizing warning and nothing else (the cluster stack fits inline): {w:?}");
    assert!(
        w[0].contains("guarantees 6 vCPUs and 24 GiB")
            && w[0]
                .contains(&format!("below the {TESTED_CONTROL_PLANE_VCPUS} vCPUs and {TESTED_CONTROL_PLANE_GIB} GiB")),
        "{w:?}"
    );
    hundred.parent.nodes.instance_types = vec!["r5.4xlarge".into()];
    hundred.parent.nodes.min = 4;
    hundred.parent.nodes.desired = 4;
    hundred.parent.nodes.max = 4;
    assert!(warnings(&hundred).is_empty(), "4 x r5.4xlarge = 64 vCPUs, 512 GiB: {:?}", warnings(&hundred));

    let beyond = fleet(101);
    assert!(warnings(&beyond).iter().any(|w| w.contains("more than the 100 Karmada's published scale test ran")));

    let mut etcd = Config::default();
    etcd.karmada.etcd_replicas = 5;
    let w = warnings(&etcd);
    assert!(
        w.iter().any(|w| w.contains("etcd only a preferred pod anti-affinity") && w.contains("at least 5")),
        "{w:?}"
    );
}

/// Limits that grow with the member count, with the count where each breaks.
#[test]
fn per_app_limits_state_where_they_break() {
    use constructs::karmada::stacks::scale::*;
    assert!(desired_state_chunks(1_000) <= MAX_STANDARD_PARAMETERS, "1,000 members fit SSM");
    let max = desired_state_max_members();
    assert!(desired_state_chunks(max) <= MAX_STANDARD_PARAMETERS);
    assert!(desired_state_chunks(max + 1) > MAX_STANDARD_PARAMETERS, "the stated maximum is the breaking point");
    // The status output passes SSM Run Command's inline limit from this member count on: synth says so.
    let from = RUN_COMMAND_INLINE_CHARS / STATUS_OUTPUT_BYTES_PER_MEMBER + 1;
    let notes = |n: usize| -> Vec<String> { synth(&fleet(n)).stacks.iter().flat_map(|s| s.notes.clone()).collect() };
    assert!(!notes(from - 1).iter().any(|n| n.contains("24000")));
    assert!(notes(from).iter().any(|n| n.contains(&format!("(from {from} members on)"))), "{:?}", notes(from));
}
