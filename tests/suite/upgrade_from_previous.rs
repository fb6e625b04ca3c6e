//! An app deployed by the previous release updates in place with this release's templates.
//!
//! `tests/data/previous-release/<version>/` is the assembly the previous release synthesized from the built-in
//! default configuration (written by its own `karmada-eks synth`, never edited). CloudFormation replaces a resource
//! only when a property whose update needs replacement changes value (Resource Type Reference, each property's
//! "Update requires"), and it deletes a resource whose logical ID leaves the template. So the test evaluates both
//! assemblies' cross-stack values the same way (0.1's deploy-filled parameters and this release's
//! `Fn::GetStackOutput` both become the producer's output) and requires, for every resource that holds Karmada's
//! state or its access (the cluster, the host whose disk holds the Karmada PKI, the kubeconfig secret, the keys,
//! the backup bucket, the OIDC provider), the same logical ID, type and evaluated properties. The emulator test
//! (tests/suite/app_lifecycle_moto.rs) deploys the previous assembly and updates it.

use constructs::core::CloudAssembly;
use constructs::karmada::Config;
use constructs::karmada::KarmadaApp;
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::path::Path;

const PREVIOUS: &str = "0.1.0";

/// Resource types whose replacement would lose Karmada's state or cut the host off from it.
const STATEFUL: &[&str] = &[
    "AWS::EKS::Cluster",
    "AWS::EC2::Instance",
    "AWS::SecretsManager::Secret",
    "AWS::KMS::Key",
    "AWS::S3::Bucket",
    "AWS::IAM::OIDCProvider",
    "AWS::EKS::Nodegroup",
    "AWS::IAM::Role",
    "AWS::IAM::InstanceProfile",
];

/// Properties of those types this release changes on purpose, each updated in place by CloudFormation (Resource
/// Type Reference): the host role's `Policies` gain the applied-state read ("Update requires: No interruption");
/// the management instance's `UserData` ("Some interruptions": a stop and start, the instance and its volume
/// kept, which deploy asks for) no longer carries init's settings nor a list of subcommands, so that this is the
/// last release whose settings or subcommands change it (tests/suite/bootstrap_checks.rs pins that).
const CHANGED_IN_PLACE: &[(&str, &str)] = &[("AWS::IAM::Role", "Policies"), ("AWS::EC2::Instance", "UserData")];

fn previous() -> CloudAssembly {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/previous-release").join(PREVIOUS);
    CloudAssembly::read(&dir).expect("the previous release's assembly reads")
}

fn current() -> CloudAssembly {
    KarmadaApp::new(&Config::default()).unwrap().synth().unwrap()
}

/// A template text in `Fn::Sub` syntax and the variables it still names; a literal piece is escaped.
struct Sub {
    text: String,
    vars: Map<String, Value>,
}

fn output_token(stack: &str, output: &str) -> Value {
    Value::String(format!("<output {output} of {stack}>"))
}

/// `value` with every cross-stack read replaced by its output's token and every `Fn::Sub`/`Fn::Join` that then
/// holds only text folded into one canonical `Fn::Sub` (or a plain string when nothing is left to substitute).
fn evaluate(value: &Value, parameters: &BTreeMap<String, (String, String)>) -> Value {
    match value {
        Value::Array(items) => Value::Array(items.iter().map(|v| evaluate(v, parameters)).collect()),
        Value::Object(map) if map.len() == 1 => {
            let (function, argument) = map.iter().next().unwrap();
            match function.as_str() {
                "Ref" => match argument.as_str().and_then(|p| parameters.get(p)) {
                    Some((stack, output)) => output_token(stack, output),
                    None => value.clone(),
                },
                "Fn::GetStackOutput" => {
                    assert!(argument.get("Region").is_none(), "the default app reads within its region");
                    output_token(argument["StackName"].as_str().unwrap(), argument["OutputName"].as_str().unwrap())
                }
                "Fn::Sub" | "Fn::Join" => match as_sub(function, &evaluate(argument, parameters)) {
                    Some(sub) => canonical(sub),
                    None => value.clone(),
                },
                _ => {
                    let mut out = Map::new();
                    out.insert(function.clone(), evaluate(argument, parameters));
                    Value::Object(out)
                }
            }
        }
        Value::Object(map) => Value::Object(map.iter().map(|(k, v)| (k.clone(), evaluate(v, parameters))).collect()),
        other => other.clone(),
    }
}

fn escape(text: &str) -> String {
    text.replace("${", "${!")
}

/// The `Sub` an evaluated `Fn::Sub` or `Fn::Join` argument stands for, when every piece is text or a `Fn::Sub`.
fn as_sub(function: &str, argument: &Value) -> Option<Sub> {
    if function == "Fn::Sub" {
        let (text, vars) = match argument {
            Value::String(text) => (text.clone(), Map::new()),
            Value::Array(parts) => (parts[0].as_str()?.to_string(), parts[1].as_object()?.clone()),
            _ => return None,
        };
        let mut sub = Sub { text, vars: Map::new() };
        for (name, value) in vars {
            match value {
                Value::String(s) => sub.text = sub.text.replace(&format!("${{{name}}}"), &escape(&s)),
                other => {
                    sub.vars.insert(name, other);
                }
            }
        }
        return Some(sub);
    }
    let delimiter = escape(argument[0].as_str()?);
    let mut joined = Sub { text: String::new(), vars: Map::new() };
    for (i, piece) in argument[1].as_array()?.iter().enumerate() {
        if i > 0 {
            joined.text.push_str(&delimiter);
        }
        let piece = match piece {
            Value::String(s) => Sub { text: escape(s), vars: Map::new() },
            Value::Object(m) if m.contains_key("Fn::Sub") => {
                let v = &m["Fn::Sub"];
                match v {
                    Value::String(t) => Sub { text: t.clone(), vars: Map::new() },
                    Value::Array(p) => Sub { text: p[0].as_str()?.into(), vars: p[1].as_object()?.clone() },
                    _ => return None,
                }
            }
            _ => return None,
        };
        joined.text.push_str(&piece.text);
        joined.vars.extend(piece.vars);
    }
    Some(joined)
}

fn canonical(sub: Sub) -> Value {
    if sub.vars.is_empty() && !sub.text.replace("${!", "").contains("${") {
        return Value::String(sub.text.replace("${!", "${"));
    }
    if sub.vars.is_empty() {
        return serde_json::json!({ "Fn::Sub": sub.text });
    }
    serde_json::json!({ "Fn::Sub": [sub.text, sub.vars] })
}

fn legacy_parameters(assembly: &CloudAssembly, stack: &str) -> BTreeMap<String, (String, String)> {
    let artifact = assembly.stack(stack).unwrap();
    artifact
        .parameters_from_outputs
        .iter()
        .map(|p| (p.parameter.clone(), (p.stack.clone(), p.output.clone())))
        .collect()
}

fn resources(template: &Value) -> &Map<String, Value> {
    template["Resources"].as_object().expect("Resources")
}

#[test]
fn the_previous_release_exported_nothing_so_no_export_freezes_the_update() {
    for stack in &previous().stacks {
        for (name, output) in stack.template["Outputs"].as_object().into_iter().flatten() {
            assert!(output.get("Export").is_none(), "{}: output {name} is exported", stack.name);
        }
    }
}

#[test]
fn every_stack_of_the_previous_release_is_still_in_the_app_and_every_output_read_still_exists() {
    let (old, new) = (previous(), current());
    for stack in &old.stacks {
        assert!(new.stack(&stack.name).is_some(), "{} of an app deployed by {PREVIOUS} would be deleted", stack.name);
    }
    let added: Vec<&str> = new.stacks.iter().map(|s| s.name.as_str()).filter(|n| old.stack(n).is_none()).collect();
    assert_eq!(added, ["karmada-desired-state-3"], "only the desired state grows by a part");
    for stack in &new.stacks {
        for reference in &stack.references {
            let producer = new.stack(&reference.stack).unwrap();
            assert!(
                producer.template["Outputs"].get(&reference.output).is_some(),
                "{} reads {} of {}, which no longer exists",
                stack.name,
                reference.output,
                reference.stack
            );
        }
    }
}

#[test]
fn the_resources_holding_karmadas_state_keep_their_ids_and_their_values() {
    let (old, new) = (previous(), current());
    let mut checked = 0;
    for old_stack in &old.stacks {
        let new_stack = new.stack(&old_stack.name).unwrap();
        let parameters = legacy_parameters(&old, &old_stack.name);
        let (before, after) = (resources(&old_stack.template), resources(&new_stack.template));
        for (id, resource) in before {
            let kind = resource["Type"].as_str().unwrap();
            let Some(updated) = after.get(id) else {
                assert_eq!(
                    (old_stack.name.as_str(), kind),
                    ("karmada-desired-state", "AWS::SSM::Parameter"),
                    "{id} would be deleted by the update"
                );
                assert_eq!(
                    resource["Properties"]["Name"], "/karmada/karmada/applied-state",
                    "only the applied state leaves"
                );
                continue;
            };
            assert_eq!(updated["Type"], kind, "{id} changes type: CloudFormation would replace it");
            if STATEFUL.contains(&kind) {
                let without_in_place = |mut properties: Value| {
                    for (_, property) in CHANGED_IN_PLACE.iter().filter(|(t, _)| *t == kind) {
                        properties.as_object_mut().unwrap().remove(*property);
                    }
                    properties
                };
                assert_eq!(
                    without_in_place(evaluate(&resource["Properties"], &parameters)),
                    without_in_place(evaluate(&updated["Properties"], &BTreeMap::new())),
                    "{}: {id} ({kind}) changes on the update from {PREVIOUS}",
                    old_stack.name
                );
                checked += 1;
            }
        }
    }
    assert!(checked >= 12, "the cluster, the host, the secret, the keys, the bucket and the roles: {checked}");
}

#[test]
fn the_evaluation_folds_a_join_of_outputs_into_the_sub_it_replaced() {
    let old = serde_json::json!({"Fn::Sub": ["${Ip}/32 ${AWS::Region}", {"Ip": {"Ref": "P"}}]});
    let new = serde_json::json!({"Fn::Join": ["", [
        {"Fn::GetStackOutput": {"StackName": "s", "OutputName": "o"}},
        {"Fn::Sub": "/32 ${AWS::Region}"}
    ]]});
    let parameters = BTreeMap::from([("P".to_string(), ("s".to_string(), "o".to_string()))]);
    assert_eq!(evaluate(&old, &parameters), evaluate(&new, &BTreeMap::new()));
    let other = serde_json::json!({"Fn::Join": ["", [
        {"Fn::GetStackOutput": {"StackName": "s", "OutputName": "other"}},
        {"Fn::Sub": "/32 ${AWS::Region}"}
    ]]});
    assert_ne!(evaluate(&old, &parameters), evaluate(&other, &BTreeMap::new()), "a different output is a change");
}
