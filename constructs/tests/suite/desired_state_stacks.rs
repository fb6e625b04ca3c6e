//! The desired state lives in `<app>-desired-state[-N]` stacks (docs/lifecycle.md), and what changes on day 2
//! leaves the management host's instance untouched.

use constructs::karmada::config::{JoinMode, MemberConfig};
use constructs::karmada::host::desired_state;
use constructs::karmada::stacks::DESIRED_STATE_CHUNKS_PER_STACK;
use constructs::karmada::wellknown::DESIRED_STATE_SHA256_OUTPUT;
use constructs::karmada::{Config, KarmadaApp};

fn fleet(members: usize) -> Config {
    Config {
        members: (0..members).map(|i| MemberConfig::new(&format!("member-{i:04}"), "eu-west-1", 1)).collect(),
        ..Config::default()
    }
}

fn parameters(template: &serde_json::Value) -> Vec<(String, String)> {
    template["Resources"]
        .as_object()
        .unwrap()
        .values()
        .map(|r| {
            assert_eq!(r["Type"], "AWS::SSM::Parameter");
            assert_eq!(r["Properties"]["Type"], "String");
            assert_eq!(r["Properties"]["Tier"], "Standard");
            let p = &r["Properties"];
            (p["Name"].as_str().unwrap().to_string(), p["Value"].as_str().unwrap().to_string())
        })
        .collect()
}

#[test]
fn the_default_desired_state_is_a_head_stack_and_parts_holding_every_chunk() {
    let config = Config::default();
    let assembly = KarmadaApp::new(&config).unwrap().synth().unwrap();
    let stacks: Vec<_> = assembly.stacks.iter().filter(|s| s.name.starts_with("karmada-desired-state")).collect();
    let names: Vec<&str> = stacks.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(
        names,
        ["karmada-desired-state-2", "karmada-desired-state-3", "karmada-desired-state"],
        "the scripts need more than twenty chunks"
    );
    let d = desired_state::render(&config).unwrap();
    let head = assembly.stack("karmada-desired-state").unwrap();
    let params = parameters(&head.template);
    assert!(params.contains(&("/karmada/karmada/desired-state".into(), d.head.clone())));
    assert!(
        !params.iter().any(|(name, _)| name == "/karmada/karmada/applied-state"),
        "the host writes the applied state; a stack holding it would drift at every reconcile"
    );
    assert_eq!(
        head.dependencies,
        ["karmada-desired-state-2", "karmada-desired-state-3"],
        "the head names chunks that exist"
    );
    let all: Vec<(String, String)> = stacks.iter().flat_map(|s| parameters(&s.template)).collect();
    for (i, chunk) in d.chunks.iter().enumerate() {
        assert!(all.contains(&(format!("/karmada/karmada/desired-state/{i}"), chunk.clone())));
    }
    assert_eq!(head.template["Outputs"][DESIRED_STATE_SHA256_OUTPUT]["Value"], d.sha256);
}

#[test]
fn a_thousand_members_split_into_stacks_the_head_waits_for() {
    let assembly = KarmadaApp::new(&fleet(1000)).unwrap().synth().unwrap();
    let mut stacks: Vec<_> = assembly.stacks.iter().filter(|s| s.name.starts_with("karmada-desired-state")).collect();
    stacks.sort_by(|a, b| a.name.cmp(&b.name));
    assert!(stacks.len() >= 2, "1,000 members need several stacks: {}", stacks.len());
    assert_eq!(stacks[0].name, "karmada-desired-state");
    assert_eq!(stacks[1].name, "karmada-desired-state-2");
    let mut chunks = Vec::new();
    for s in &stacks {
        assert!(s.template_body.len() < 51_200, "{}: {} bytes", s.name, s.template_body.len());
        assert!(s.resource_count <= DESIRED_STATE_CHUNKS_PER_STACK + 2);
        if s.name != "karmada-desired-state" {
            assert!(stacks[0].dependencies.contains(&s.name), "the head is written after {}", s.name);
        }
        for (name, value) in parameters(&s.template) {
            assert!(value.len() <= desired_state::CHUNK_LIMIT, "{name}: {} bytes", value.len());
            if let Some(i) = name.strip_prefix("/karmada/karmada/desired-state/") {
                chunks.push((i.parse::<usize>().unwrap(), value));
            }
        }
    }
    chunks.sort();
    let expected = desired_state::render(&fleet(1000)).unwrap().chunks;
    assert_eq!(chunks.into_iter().map(|(_, v)| v).collect::<Vec<_>>(), expected);
    let management = assembly.stack("karmada-management").unwrap();
    let waits: Vec<&String> = management.dependencies.iter().filter(|d| d.contains("desired-state")).collect();
    assert_eq!(waits, ["karmada-desired-state"], "the bootstrap runs the bundle's backup: the host waits for the head");
}

fn instance(config: &Config) -> serde_json::Value {
    let assembly = KarmadaApp::new(config).unwrap().synth().unwrap();
    let management = assembly.stack("karmada-management").unwrap();
    let resources = management.template["Resources"].as_object().unwrap();
    let (_, instance) = resources.iter().find(|(_, r)| r["Type"] == "AWS::EC2::Instance").expect("an instance");
    instance.clone()
}

#[test]
fn members_weights_and_workload_leave_the_instance_byte_identical() {
    let base = instance(&Config::default());
    let mut added = Config::default();
    added.members.push(MemberConfig::new("eksapcl01", "ap-southeast-2", 2));
    let mut removed = Config::default();
    removed.members.remove(1);
    let mut weights = Config::default();
    weights.members[0].weight = 5;
    weights.members[1].mode = JoinMode::Pull;
    weights.nlb.allowed_cidrs = Some(vec!["203.0.113.0/24".into()]);
    let mut workload = Config::default();
    workload.workload.replicas = 40;
    workload.workload.image = "public.ecr.aws/nginx/nginx:1.28".into();
    for (name, config) in [("added", added), ("removed", removed), ("weights", weights), ("workload", workload)] {
        assert_eq!(
            serde_json::to_string(&instance(&config)).unwrap(),
            serde_json::to_string(&base).unwrap(),
            "{name}: the instance changed"
        );
    }
}
