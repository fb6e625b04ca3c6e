//! Bootstrap input that does not fit in user-data lives in its own stacks, which the management host waits for.

use constructs::karmada::config::MemberConfig;
use constructs::karmada::parent::OVERFLOW_CHUNKS_PER_STACK;
use constructs::karmada::{Config, KarmadaParent};

fn fleet(members: usize) -> Config {
    Config {
        members: (0..members).map(|i| MemberConfig::new(&format!("member-{i:04}"), "eu-west-1", 1)).collect(),
        ..Config::default()
    }
}

#[test]
fn default_config_needs_no_input_stack() {
    let assembly = KarmadaParent::new(&Config::default()).unwrap().synth().unwrap();
    assert!(assembly.stacks.iter().all(|s| !s.name.contains("bootstrap-input")));
}

#[test]
fn overflow_chunks_are_numbered_parameters_in_input_stacks_the_management_stack_depends_on() {
    let assembly = KarmadaParent::new(&fleet(1000)).unwrap().synth().unwrap();
    let inputs: Vec<_> = assembly.stacks.iter().filter(|s| s.name.starts_with("karmada-bootstrap-input")).collect();
    assert!(inputs.len() >= 2, "1,000 members overflow into several stacks: {}", inputs.len());
    assert_eq!(inputs[0].name, "karmada-bootstrap-input");
    assert_eq!(inputs[1].name, "karmada-bootstrap-input-2");
    let management = assembly.stack("karmada-management").unwrap();
    let mut names = Vec::new();
    for input in &inputs {
        assert!(management.dependencies.contains(&input.name), "{} not waited for", input.name);
        assert!(input.resource_count <= OVERFLOW_CHUNKS_PER_STACK);
        assert!(input.template_body.len() < 51_200, "{}: {} bytes", input.name, input.template_body.len());
        for resource in input.template["Resources"].as_object().unwrap().values() {
            assert_eq!(resource["Type"], "AWS::SSM::Parameter");
            let value = resource["Properties"]["Value"].as_str().unwrap();
            assert!(value.len() <= 4096, "standard SSM parameters hold 4 KB");
            names.push(resource["Properties"]["Name"].as_str().unwrap().to_string());
        }
    }
    let expected: Vec<String> = (0..names.len()).map(|i| format!("/karmada/karmada/bootstrap/{i}")).collect();
    assert_eq!(names, expected, "the script reads <prefix>0..N-1");
    let user_data = &management.template_body;
    assert!(user_data.contains("/karmada/karmada/bootstrap/"), "the script fetches the chunks");
}
