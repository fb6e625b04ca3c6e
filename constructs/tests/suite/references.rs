//! Cross-stack references, dependency order, cycles, limits and tags, through the public API.

use constructs::cfn::ec2::{CfnSecurityGroup, CfnVpc};
use constructs::cfn::ssm::CfnParameter;
use constructs::core::{App, Environment, Expr, OutputReference, SynthError};
use serde_json::{json, Value};

fn env(region: &str) -> Environment {
    Environment::new(None, region)
}

fn vpc_props() -> CfnVpc {
    CfnVpc { cidr_block: "10.0.0.0/16".into(), ..Default::default() }
}

fn group(vpc_id: Expr) -> CfnSecurityGroup {
    CfnSecurityGroup { group_description: "g".into(), vpc_id, ..Default::default() }
}

#[test]
fn same_region_reference_becomes_a_get_stack_output_without_export_or_parameter() {
    let mut app = App::new();
    let vpc = app.add_stack("net", env("us-east-1")).scope().add("Vpc", vpc_props());
    app.add_stack("app", env("us-east-1")).scope().add("Group", group(vpc.r#ref()));
    let assembly = app.synth().unwrap();

    let net = assembly.stack("net").unwrap();
    let output_name = format!("OutputRef{}", vpc.logical_id());
    assert_eq!(net.template["Outputs"][&output_name], json!({"Value": {"Ref": vpc.logical_id()}}));
    let consumer = assembly.stack("app").unwrap();
    assert!(consumer.template.get("Parameters").is_none(), "nothing for a deployer to fill: {}", consumer.template);
    let (_, resource) = consumer.template["Resources"].as_object().unwrap().iter().next().unwrap();
    assert_eq!(
        resource["Properties"]["VpcId"],
        json!({"Fn::GetStackOutput": {"StackName": "net", "OutputName": output_name}}),
        "no Region in the same region"
    );
    assert_eq!(
        consumer.references,
        vec![OutputReference { stack: "net".into(), output: output_name, region: "us-east-1".into() }]
    );
    assert_eq!(consumer.dependencies, vec!["net"]);
    assert_eq!(assembly.stacks.iter().map(|s| s.name.as_str()).collect::<Vec<_>>(), ["net", "app"]);
    for s in &assembly.stacks {
        assert!(
            !s.template_body.contains("Fn::ImportValue") && !s.template_body.contains("\"Export\""),
            "{}",
            s.template_body
        );
    }
    let manifest = assembly.manifest().to_string();
    assert!(!manifest.contains("parameter-from-output"), "{manifest}");
}

#[test]
fn a_value_of_another_stack_in_an_output_is_refused() {
    let mut app = App::new();
    let vpc = app.add_stack("net", env("us-east-1")).scope().add("Vpc", vpc_props());
    app.add_stack("app", env("us-east-1")).add_output("Vpc", vpc.r#ref(), "d", None);
    let message = app.synth().unwrap_err().to_string();
    assert!(message.contains("output Vpc passes on a value of another stack"), "{message}");
}

#[test]
fn an_output_with_an_export_is_refused() {
    let mut app = App::new();
    app.add_stack("net", env("us-east-1")).add_output("Vpc", "v".into(), "d", Some("net:Vpc".into()));
    let message = app.synth().unwrap_err().to_string();
    assert!(message.contains("output Vpc has an export") && message.contains("freezes"), "{message}");
}

#[test]
fn same_stack_reference_stays_local() {
    let mut app = App::new();
    let stack = app.add_stack("one", env("us-east-1"));
    let mut scope = stack.scope();
    let vpc = scope.add("Vpc", vpc_props());
    scope.add("Group", group(vpc.get_att("VpcId")));
    let assembly = app.synth().unwrap();
    let t = &assembly.stack("one").unwrap().template;
    let (_, resource) = t["Resources"].as_object().unwrap().iter().nth(1).unwrap();
    assert_eq!(resource["Properties"]["VpcId"], json!({"Fn::GetAtt": [vpc.logical_id(), "VpcId"]}));
    assert!(t.get("Outputs").is_none());
}

#[test]
fn cross_region_reference_names_the_producer_region() {
    let mut app = App::new();
    let vpc = app.add_stack("net", env("us-east-1")).scope().add("Vpc", vpc_props());
    app.add_stack("far", env("eu-central-1")).scope().add("Group", group(vpc.get_att("CidrBlock")));
    let assembly = app.synth().unwrap();

    let far = assembly.stack("far").unwrap();
    let output = format!("OutputFnGetAtt{}CidrBlock", vpc.logical_id());
    let (_, resource) = far.template["Resources"].as_object().unwrap().iter().next().unwrap();
    assert_eq!(
        resource["Properties"]["VpcId"],
        json!({"Fn::GetStackOutput": {"StackName": "net", "OutputName": output, "Region": "us-east-1"}})
    );
    assert_eq!(far.references[0].region, "us-east-1");
    let net = assembly.stack("net").unwrap();
    let produced = &net.template["Outputs"][&output];
    assert_eq!(produced["Value"], json!({"Fn::GetAtt": [vpc.logical_id(), "CidrBlock"]}));
    assert!(produced.get("Export").is_none(), "no export across regions: {produced}");
    assert_eq!(far.dependencies, vec!["net"]);
}

#[test]
fn an_fn_sub_whose_variable_reads_another_stack_becomes_a_join_of_its_pieces() {
    let mut app = App::new();
    let vpc = app.add_stack("net", env("us-east-1")).scope().add("Vpc", vpc_props());
    let local = Expr::lit("L");
    let value = Expr::sub("a ${!Kept} ${V}/32 in ${AWS::Region} ${Local} end", [("V", vpc.r#ref()), ("Local", local)]);
    app.add_stack("app", env("us-east-1"))
        .scope()
        .add("P", CfnParameter { r#type: "String".into(), value, ..Default::default() });
    let assembly = app.synth().unwrap();
    let t = &assembly.stack("app").unwrap().template;
    let (_, resource) = t["Resources"].as_object().unwrap().iter().next().unwrap();
    let output = format!("OutputRef{}", vpc.logical_id());
    assert_eq!(
        resource["Properties"]["Value"],
        json!({"Fn::Join": ["", [
            "a ${Kept} ",
            {"Fn::GetStackOutput": {"StackName": "net", "OutputName": output}},
            {"Fn::Sub": ["/32 in ${AWS::Region} ${Local} end", {"Local": "L"}]}
        ]]}),
        "the escape is unescaped where no Fn::Sub is left, the other variables stay with the piece that uses them"
    );
    let body = &assembly.stack("app").unwrap().template_body;
    assert!(!body.contains("KarmadaEksReference"), "unresolved token left: {body}");
}

#[test]
fn cycle_is_an_error_naming_the_stacks() {
    let mut app = App::new();
    let a = app.add_stack("a", env("us-east-1")).scope().add("Vpc", vpc_props());
    let b_vpc = app.add_stack("b", env("us-east-1")).scope().add("Vpc", vpc_props());
    app.stack_mut("a").unwrap().scope().add("G", group(b_vpc.r#ref()));
    app.stack_mut("b").unwrap().scope().add("G", group(a.r#ref()));
    match app.synth() {
        Err(SynthError::Cycle { cycle }) => {
            assert!(cycle.contains(&"a".to_string()) && cycle.contains(&"b".to_string()), "{cycle:?}");
            assert_eq!(cycle.first(), cycle.last());
        }
        other => panic!("expected a cycle error, got {other:?}"),
    }
    let message = app.synth().unwrap_err().to_string();
    assert!(message.contains("a -> b -> a") || message.contains("b -> a -> b"), "{message}");
}

#[test]
fn explicit_dependencies_order_stacks() {
    let mut app = App::new();
    app.add_stack("later", env("us-east-1")).add_dependency("first");
    app.add_stack("first", env("us-east-1"));
    let assembly = app.synth().unwrap();
    assert_eq!(assembly.stacks.iter().map(|s| s.name.as_str()).collect::<Vec<_>>(), ["first", "later"]);
}

#[test]
fn unknown_dependency_is_an_error() {
    let mut app = App::new();
    app.add_stack("a", env("us-east-1")).add_dependency("missing");
    let message = app.synth().unwrap_err().to_string();
    assert!(message.contains("missing"), "{message}");
}

#[test]
fn duplicate_construct_path_is_an_error() {
    let mut app = App::new();
    let stack = app.add_stack("a", env("us-east-1"));
    stack.scope().add("Vpc", vpc_props());
    stack.scope().add("Vpc", vpc_props());
    let message = app.synth().unwrap_err().to_string();
    assert!(message.contains("\"Vpc\" is used twice"), "{message}");
}

#[test]
fn over_500_resources_is_an_error_and_over_51200_bytes_a_warning() {
    let mut app = App::new();
    let stack = app.add_stack("big", env("us-east-1"));
    for i in 0..501 {
        stack.scope().add(&format!("Vpc{i}"), vpc_props());
    }
    let message = app.synth().unwrap_err().to_string();
    assert!(message.contains("501") && message.contains("500"), "{message}");

    let mut app = App::new();
    let stack = app.add_stack("wide", env("us-east-1"));
    for i in 0..300 {
        stack.scope().add(&format!("Vpc{i}"), vpc_props());
    }
    let assembly = app.synth().unwrap();
    let artifact = assembly.stack("wide").unwrap();
    assert!(artifact.template_body.len() > 51_200);
    assert!(artifact.warnings.iter().any(|w| w.contains("51200")), "{:?}", artifact.warnings);
}

#[test]
fn stack_and_subtree_tags_reach_taggable_resources_only() {
    let mut app = App::new();
    let stack = app.add_stack("t", env("us-east-1"));
    stack.tag("app", "demo");
    {
        let mut scope = stack.scope();
        let mut tier = scope.child("Tier");
        tier.tag("tier", "web");
        tier.add("Vpc", vpc_props());
    }
    stack.scope().add("Other", vpc_props());
    stack.scope().add("Param", CfnParameter { r#type: "String".into(), value: "v".into(), ..Default::default() });
    let assembly = app.synth().unwrap();
    let resources = assembly.stack("t").unwrap().template["Resources"].as_object().unwrap().clone();
    let by_path = |p: &str| -> Value {
        resources.values().find(|r| r["Metadata"]["aws:cdk:path"] == format!("t/{p}")).unwrap().clone()
    };
    assert_eq!(
        by_path("Tier/Vpc")["Properties"]["Tags"],
        json!([{"Key": "app", "Value": "demo"}, {"Key": "tier", "Value": "web"}])
    );
    assert_eq!(by_path("Other")["Properties"]["Tags"], json!([{"Key": "app", "Value": "demo"}]));
    assert_eq!(by_path("Param")["Properties"]["Tags"], json!({"app": "demo"}));
}

#[test]
fn conditions_and_fn_if_render() {
    let mut app = App::new();
    let stack = app.add_stack("c", env("us-east-1"));
    let flag = stack.add_parameter("Flag", constructs::core::Parameter::string("on or off"));
    stack.add_condition("IsOn", Expr::equals(flag, "on".into()));
    let vpc = stack.scope().add(
        "Vpc",
        CfnVpc { cidr_block: Expr::if_("IsOn", "10.0.0.0/16".into(), "10.1.0.0/16".into()), ..Default::default() },
    );
    stack.scope().options(&vpc).condition = Some("IsOn".into());
    let assembly = app.synth().unwrap();
    let t = &assembly.stack("c").unwrap().template;
    assert_eq!(t["Conditions"]["IsOn"], json!({"Fn::Equals": [{"Ref": "Flag"}, "on"]}));
    let r = &t["Resources"][vpc.logical_id()];
    assert_eq!(r["Condition"], "IsOn");
    assert_eq!(r["Properties"]["CidrBlock"], json!({"Fn::If": ["IsOn", "10.0.0.0/16", "10.1.0.0/16"]}));
}

#[test]
fn resource_options_render() {
    use constructs::core::RemovalPolicy;
    let mut app = App::new();
    let stack = app.add_stack("o", env("us-east-1"));
    let mut scope = stack.scope();
    let a = scope.add("A", vpc_props());
    let b = scope.add("B", vpc_props());
    scope.depends_on(&b, &a);
    scope.set_removal_policy(&b, RemovalPolicy::Retain);
    scope.options(&b).creation_policy = Some(json!({"ResourceSignal": {"Count": 1}}));
    scope.options(&b).metadata.insert("k".into(), json!("v"));
    let assembly = app.synth().unwrap();
    let r = &assembly.stack("o").unwrap().template["Resources"][b.logical_id()];
    assert_eq!(r["DependsOn"], json!([a.logical_id()]));
    assert_eq!(r["DeletionPolicy"], "Retain");
    assert_eq!(r["UpdateReplacePolicy"], "Retain");
    assert_eq!(r["CreationPolicy"]["ResourceSignal"]["Count"], 1);
    assert_eq!(r["Metadata"]["k"], "v");
    assert_eq!(r["Metadata"]["aws:cdk:path"], "o/B");
}

#[test]
fn bad_stack_names_are_rejected() {
    for name in ["1abc", "a_b", ""] {
        let mut app = App::new();
        app.add_stack(name, env("us-east-1"));
        assert!(app.synth().is_err(), "{name:?} accepted");
    }
    let mut app = App::new();
    app.add_stack("same", env("us-east-1"));
    app.add_stack("same", env("us-east-1"));
    assert!(app.synth().unwrap_err().to_string().contains("two stacks"));
}

#[test]
fn assembly_round_trips_through_disk_and_detects_edits() {
    let mut app = App::new();
    let vpc = app.add_stack("net", env("us-east-1")).scope().add("Vpc", vpc_props());
    app.add_stack("far", env("eu-central-1")).scope().add("G", group(vpc.r#ref()));
    let image = app.stack_mut("far").unwrap().add_parameter_from_ssm(
        "HostImageId",
        "AWS::EC2::Image::Id",
        "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64",
        "image",
    );
    app.stack_mut("far").unwrap().add_output("Image", image, "d", None);
    let assembly = app.synth().unwrap();
    let far = assembly.stack("far").unwrap();
    assert_eq!(far.template["Parameters"]["HostImageId"]["Type"], "AWS::EC2::Image::Id");
    assert!(far.template["Parameters"]["HostImageId"].get("Default").is_none(), "deploy fills it");
    assert_eq!(far.parameters_from_ssm.len(), 1);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("cdk.out");
    assembly.write(&out).unwrap();
    let read = constructs::core::CloudAssembly::read(&out).unwrap();
    assert_eq!(read.stacks.len(), 2);
    for (a, b) in assembly.stacks.iter().zip(&read.stacks) {
        assert_eq!(a.name, b.name);
        assert_eq!(a.environment, b.environment);
        assert_eq!(a.template_body, b.template_body);
        assert_eq!(a.template_sha256, b.template_sha256);
        assert_eq!(a.dependencies, b.dependencies);
        assert_eq!(a.references, b.references);
        assert_eq!(a.parameters_from_outputs, b.parameters_from_outputs);
        assert_eq!(a.parameters_from_ssm, b.parameters_from_ssm);
    }
    let manifest: Value = serde_json::from_str(&std::fs::read_to_string(out.join("manifest.json")).unwrap()).unwrap();
    assert!(manifest["artifacts"]["far"]["metadata"]["/far"].as_array().unwrap().iter().any(|e| e["type"]
        == "karmada-eks:parameter-from-ssm"
        && e["data"]
            == json!({"parameter": "HostImageId", "path": "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64"})));
    std::fs::write(out.join("net.template.json"), "{}\n").unwrap();
    let message = constructs::core::CloudAssembly::read(&out).unwrap_err().to_string();
    assert!(message.contains("changed after synth"), "{message}");
}
