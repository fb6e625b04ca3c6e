//! Every configuration error names its field and says what is wrong.

use constructs::core::hints::rendered;
use constructs::core::Hints;
use constructs::karmada::config::names::RFC1123_LABEL_MESSAGE;
use constructs::karmada::{Config, JoinMode};

fn err(toml: &str) -> constructs::karmada::ConfigError {
    Config::from_toml(toml).expect_err(&format!("accepted:\n{toml}"))
}

#[track_caller]
fn assert_error(toml: &str, field: &str, message_part: &str) {
    let e = err(toml);
    assert_eq!(e.field, field, "{e}");
    assert!(e.message.contains(message_part), "message {:?} lacks {message_part:?}", e.message);
}

#[test]
fn empty_file_is_the_guide_example() {
    let c = Config::from_toml("").unwrap();
    assert_eq!(c, Config::default());
    assert_eq!(c.app, "karmada");
    assert_eq!(c.region, "us-east-1");
    assert_eq!(c.parent.name, "karmada-parent");
    let members: Vec<(String, String, u32)> = c.members().into_iter().map(|m| (m.name, m.region, m.weight)).collect();
    assert_eq!(
        members,
        [
            ("ekseucl01".into(), "eu-central-1".into(), 1),
            ("ekseucl02".into(), "eu-central-1".into(), 1),
            ("eksuscl01".into(), "us-east-1".into(), 2)
        ]
    );
    assert_eq!(c.workload.replicas, 12);
    assert_eq!((c.karmada.apiserver_replicas, c.karmada.etcd_replicas), (3, 3));
}

#[test]
fn starter_config_is_the_defaults() {
    assert_eq!(Config::from_toml(constructs::karmada::config::STARTER).unwrap(), Config::default());
}

#[test]
fn member_defaults_fill_region_and_eks_name() {
    let c = Config::from_toml(
        "[[members]]\nname = \"m1\"\nmode = \"pull\"\n[nlb]\nallowed_cidrs = [\"198.51.100.0/24\"]\n",
    )
    .unwrap();
    let m = &c.members()[0];
    assert_eq!(
        (m.region.as_str(), m.eks_cluster_name.as_str(), m.mode, m.weight),
        ("us-east-1", "m1", JoinMode::Pull, 1)
    );
}

#[test]
fn unknown_fields_name_their_path() {
    let e = err("[network]\ncidrs = \"10.0.0.0/16\"\n");
    assert_eq!(e.field, "network.cidrs");
    assert!(e.message.contains("unknown field"), "{e}");
    assert!(e.hint.is_some());
    let e = err("[[members]]\nname = \"a\"\n[[members]]\nname = \"b\"\nwieght = 2\n");
    assert_eq!(e.field, "members[1].wieght", "{e}");
    assert_error("colour = 1", "colour", "unknown field");
}

#[test]
fn wrong_types_name_their_path() {
    assert_error("[network]\naz_count = \"three\"", "network.az_count", "");
    assert_error("[[members]]\nname = \"a\"\nmode = \"sideways\"", "members[0].mode", "");
    assert_error("[[members]]\nname = \"a\"\nweight = -1", "members[0].weight", "");
}

#[test]
fn syntax_errors_carry_a_position() {
    let e = err("app = \"x\n");
    assert!(e.message.contains("byte") || e.message.contains("line"), "{e}");
}

#[test]
fn member_names_use_karmadas_messages() {
    assert_error("[[members]]\nname = \"\"", "members[0].name", "invalid cluster name(): must be not empty");
    assert_error("[[members]]\nregion = \"us-east-1\"", "members[0].name", "must be not empty");
    let long = "a".repeat(49);
    assert_error(&format!("[[members]]\nname = \"{long}\""), "members[0].name", "must be no more than 48 characters");
    for bad in ["Upper", "-lead", "trail-", "under_score", "a..b"] {
        let e = err(&format!("[[members]]\nname = \"x\"\n[[members]]\nname = \"y\"\n[[members]]\nname = \"{bad}\""));
        assert_eq!(e.field, "members[2].name");
        assert_eq!(e.message, format!("invalid cluster name({bad}): {RFC1123_LABEL_MESSAGE}"));
    }
    // Karmada (apimachinery v0.35.3 IsDNS1123Label) tells a dotted name apart: it is a subdomain, not a label.
    let e = err("[[members]]\nname = \"dot.ted\"");
    assert_eq!(e.message, "invalid cluster name(dot.ted): must not contain dots");
}

#[test]
fn duplicate_members_are_rejected() {
    assert_error("[[members]]\nname = \"a\"\n[[members]]\nname = \"a\"", "members[1].name", "earlier member");
    assert_error(
        "[[members]]\nname = \"a\"\neks_cluster_name = \"c\"\n[[members]]\nname = \"b\"\neks_cluster_name = \"c\"",
        "members[1]",
        "already a member",
    );
    assert_error("[[members]]\nname = \"karmada-parent\"", "members[0].eks_cluster_name", "parent cluster itself");
}

#[test]
fn cidrs_are_checked() {
    assert_error("[network]\ncidr = \"10.0.0.0\"", "network.cidr", "CIDR notation");
    assert_error("[network]\ncidr = \"10.0.0.1/16\"", "network.cidr", "host bits");
    assert_error("[network]\ncidr = \"10.0.0.0/8\"", "network.cidr", "outside /16 to /22");
    assert_error("[network]\ncidr = \"999.0.0.0/16\"", "network.cidr", "not an IPv4 address");
    assert_error(
        "[parent]\nendpoint_public_access = true\npublic_access_cidrs = [\"0.0.0.0/0\", \"bad\"]",
        "parent.public_access_cidrs[1]",
        "CIDR",
    );
    assert_error("[nlb]\nallowed_cidrs = [\"1.2.3.4/40\"]", "nlb.allowed_cidrs[0]", "/32");
    assert!(Config::from_toml("[nlb]\nallowed_cidrs = []").is_ok(), "the field adds to the VPC and NAT addresses");
}

#[test]
fn public_endpoint_is_off_unless_networks_are_named() {
    let c = Config::default();
    assert!(!c.parent.endpoint_public_access && c.parent.public_access_cidrs.is_empty());
    assert_error(
        "[parent]\nendpoint_public_access = true",
        "parent.public_access_cidrs",
        "empty while the public endpoint is on",
    );
    // Networks named while the endpoint is off are ignored, and synth warns (constructs/tests/suite/stack_updates.rs).
    assert!(Config::from_toml("[parent]\npublic_access_cidrs = [\"203.0.113.0/24\"]").is_ok());
    assert!(Config::from_toml("[parent]\nendpoint_public_access = true\npublic_access_cidrs = [\"203.0.113.0/24\"]")
        .is_ok());
}

#[test]
fn pull_members_must_declare_how_they_reach_the_karmada_api() {
    let pull = "[[members]]\nname = \"a\"\n[[members]]\nname = \"b\"\nmode = \"pull\"\n";
    let e = err(pull);
    assert_eq!(e.field, "members[1].mode");
    assert!(e.message.contains("\"b\" is a pull-mode member") && e.message.contains("nlb.allowed_cidrs"), "{e}");
    assert!(e.hint.as_deref().unwrap().contains("NAT gateways' public IPs"), "{e}");
    let e = err(&format!("{pull}[nlb]\ninternal = true\n"));
    assert!(e.hint.as_deref().unwrap().contains("peering, Transit Gateway"), "{e}");
    assert!(err(&format!("{pull}[nlb]\nallowed_cidrs = []\n")).field == "members[1].mode");
    assert!(Config::from_toml(&format!("{pull}[nlb]\nallowed_cidrs = [\"198.51.100.7/32\"]\n")).is_ok());
}

#[test]
fn overlapping_cidrs_are_rejected() {
    assert_error(
        "[parent]\nservice_cidr = \"10.0.128.0/17\"",
        "parent.service_cidr",
        "overlaps the VPC CIDR 10.0.0.0/16",
    );
    assert_error("[parent]\nservice_cidr = \"8.8.0.0/16\"", "parent.service_cidr", "inside 10.0.0.0/8");
    assert!(Config::from_toml("[parent]\nservice_cidr = \"172.20.0.0/16\"").is_ok());
}

#[test]
fn zone_counts_outside_2_to_6_are_rejected() {
    assert_error("[network]\naz_count = 1", "network.az_count", "outside 2 to 6");
    assert_error("[network]\naz_count = 7", "network.az_count", "outside 2 to 6");
    assert_error("[network]\navailability_zones = [\"us-east-1a\"]", "network.availability_zones", "between 2 and 6");
    assert_error(
        "[network]\navailability_zones = [\"us-east-1a\", \"eu-west-1b\"]",
        "network.availability_zones[1]",
        "not a zone of region us-east-1",
    );
    assert_error(
        "[network]\navailability_zones = [\"us-east-1a\", \"us-east-1a\"]",
        "network.availability_zones[1]",
        "listed twice",
    );
    assert_error("[network]\nnat_gateways = 4", "network.nat_gateways", "outside 1 to 3");
    assert_error("[network]\nnat_gateways = 0", "network.nat_gateways", "outside 1 to 3");
}

#[test]
fn fewer_nodes_than_api_server_replicas_is_rejected() {
    let e = err("[parent.nodes]\nmin = 2\ndesired = 2");
    assert_eq!(e.field, "parent.nodes.min");
    assert!(e.message.contains("fewer than karmada.apiserver_replicas (3)"), "{e}");
    assert!(e.message.contains("required pod anti-affinity"), "{e}");
    assert!(e.hint.unwrap().contains("at least 3"));
    assert_error("[parent.nodes]\ndesired = 2", "parent.nodes", "min <= desired");
    assert_error("[karmada]\napiserver_replicas = 4", "parent.nodes.min", "fewer than karmada.apiserver_replicas (4)");
    assert_error("[karmada]\netcd_replicas = 2", "karmada.etcd_replicas", "not 1, 3, 5 or 7");
    // etcd's anti-affinity is only preferred: more etcd replicas than nodes is allowed (synth warns).
    assert!(Config::from_toml("[karmada]\netcd_replicas = 5").is_ok());
    assert!(Config::from_toml("[karmada]\napiserver_replicas = 2\n[parent.nodes]\nmin = 2\ndesired = 2").is_ok());
}

#[test]
fn other_fields_are_checked() {
    assert_error("app = \"Karmada\"", "app", "lower-case");
    assert_error("region = \"moon-1\"", "region", "not an AWS region");
    assert_error("account = \"12\"", "account", "12-digit");
    assert_error("[parent]\nkubernetes_version = \"2.0\"", "parent.kubernetes_version", "Kubernetes minor version");
    assert_error("[parent]\nname = \"bad name\"", "parent.name", "EKS cluster name");
    assert_error("[parent.nodes]\ninstance_types = []", "parent.nodes.instance_types", "empty");
    assert_error("[parent.nodes]\ninstance_types = [\"large\"]", "parent.nodes.instance_types[0]", "instance type");
    assert_error("[karmada]\nversion = \"1.18\"", "karmada.version", "release tag");
    assert_error("[karmada]\netcd_storage_size = \"5G\"", "karmada.etcd_storage_size", "size");
    assert_error("[management]\nbootstrap_timeout_minutes = 5", "management.bootstrap_timeout_minutes", "10 to 720");
    assert_error("[network]\nflow_log_retention_days = 2", "network.flow_log_retention_days", "retention period");
    assert_error("[parent]\nlog_retention_days = 2", "parent.log_retention_days", "retention period");
    assert_error("[workload]\nname = \"Nginx\"", "workload.name", "Deployment name");
    assert_error("[workload]\nimage = \"nginx; rm -rf /\"", "workload.image", "image reference");
    assert_error("members = []", "workload.enabled", "at least one member");
    assert_error("[tags]\n\"aws:x\" = \"y\"", "tags.aws:x", "aws:");
    assert_error("[[members]]\nname = \"a\"\nregion = \"nowhere\"", "members[0].region", "region");
}

#[test]
fn display_names_field_and_message_and_the_hint_is_data() {
    let e = err("[karmada]\netcd_replicas = 2");
    assert_eq!(e.to_string(), "karmada.etcd_replicas: 2 is not 1, 3, 5 or 7");
    assert_eq!(e.hints().len(), 1);
    assert!(rendered(&e).starts_with("karmada.etcd_replicas: 2 is not 1, 3, 5 or 7\n  hint: "), "{}", rendered(&e));
}

#[test]
fn kubernetes_versions_eks_no_longer_offers_are_refused_with_the_ones_it_does() {
    for (version, why) in [
        ("1.29", "its extended support ended on 2026-03-23"),
        ("1.31", "its extended support ended on 2026-11-26"),
        ("1.27", "no longer offered by EKS"),
    ] {
        let e = err(&format!("[parent]\nkubernetes_version = \"{version}\""));
        assert_eq!(e.field, "parent.kubernetes_version");
        assert!(e.message.contains(why), "{version}: {e}");
        assert!(rendered(&e).contains("use one of 1.32, 1.33, 1.34, 1.35 (EKS's calendar as of 2026-12-01"), "{e}");
    }
    for offered in ["1.32", "1.33", "1.34", "1.35", "1.36"] {
        assert!(Config::from_toml(&format!("[parent]\nkubernetes_version = \"{offered}\"")).is_ok(), "{offered}");
    }
}

#[test]
fn extended_support_and_versions_newer_than_the_table_are_synth_warnings() {
    let warnings = |version: &str| {
        let config = Config::from_toml(&format!("[parent]\nkubernetes_version = \"{version}\"")).unwrap();
        let assembly = constructs::karmada::KarmadaApp::new(&config).unwrap().synth().unwrap();
        assembly
            .stacks
            .iter()
            .flat_map(|s| s.warnings.clone())
            .filter(|w| w.contains("kubernetes_version"))
            .collect::<Vec<_>>()
    };
    let extended = warnings("1.33");
    assert_eq!(extended.len(), 1, "{extended:?}");
    assert!(extended[0].contains("extended support until 2027-07-29") && extended[0].contains("upgrade to 1.35"));
    assert!(warnings("1.36")[0].contains("newer than the table of EKS versions"));
    assert!(warnings("1.35").is_empty());
}

#[test]
fn a_karmada_release_the_scripts_were_not_checked_against_is_refused_naming_the_ones_they_were() {
    for version in ["v0.1.0", "v1.16.0", "v1.19.0"] {
        let e = err(&format!("[karmada]\nversion = \"{version}\""));
        assert_eq!(e.field, "karmada.version");
        assert!(e.message.contains(&format!("{version} is not a Karmada release")), "{e}");
        assert!(rendered(&e).contains("use v1.18.2"), "{e}");
    }
    assert!(Config::from_toml("[karmada]\nversion = \"v1.18.2\"").is_ok());
}

#[test]
fn regions_and_instance_types_aws_does_not_have_are_refused_with_the_nearest() {
    let e = err("region = \"us-east-9\"");
    assert_eq!((e.field.as_str(), e.message.as_str()), ("region", "us-east-9 is not an AWS region"));
    assert!(e.hint.as_deref().unwrap().starts_with("the nearest are: us-east-1, us-east-2"), "{e}");
    let e = err("[[members]]\nname = \"a\"\nregion = \"eu-centrall-1\"");
    assert_eq!(e.field, "members[0].region");
    assert!(e.hint.as_deref().unwrap().contains("eu-central-1"), "{e}");
    assert!(Config::from_toml("region = \"cn-north-1\"").is_ok(), "every partition's regions");

    let e = err("[parent.nodes]\ninstance_types = [\"m5.humongous\"]");
    assert_eq!(
        (e.field.as_str(), e.message.as_str()),
        ("parent.nodes.instance_types[0]", "m5.humongous is not an EC2 instance type")
    );
    assert!(e.hint.as_deref().unwrap().starts_with("the nearest are: m5."), "{e}");
    let e = err("[management]\ninstance_type = \"t3.mediun\"");
    assert_eq!(e.field, "management.instance_type");
    assert!(e.hint.as_deref().unwrap().contains("t3.medium"), "{e}");
}

#[test]
fn a_node_group_is_of_one_architecture_and_the_host_x86_64() {
    let e = err("[parent.nodes]\ninstance_types = [\"m5.large\", \"m6g.large\"]");
    assert_eq!(e.field, "parent.nodes.instance_types[1]");
    assert_eq!(
        e.message,
        "m6g.large is arm64 (Graviton) but m5.large is x86_64: a node group runs one AMI type, for one architecture"
    );
    let graviton = Config::from_toml("[parent.nodes]\ninstance_types = [\"m6g.large\", \"m7g.large\"]").unwrap();
    let assembly = constructs::karmada::KarmadaApp::new(&graviton).unwrap().synth().unwrap();
    let cluster = &assembly.stack("karmada-cluster").unwrap().template;
    let nodes =
        cluster["Resources"].as_object().unwrap().values().find(|r| r["Type"] == "AWS::EKS::Nodegroup").unwrap();
    assert_eq!(nodes["Properties"]["AmiType"], "AL2023_ARM_64_STANDARD");
    let e = err("[management]\ninstance_type = \"t4g.medium\"");
    assert_eq!(e.field, "management.instance_type");
    assert!(e.hint.as_deref().unwrap().contains("linux-amd64 only"), "{e}");
}
