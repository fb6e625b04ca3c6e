//! Turning reference tokens into intrinsics for the stack that uses them.
//!
//! Same stack: `Ref` / `Fn::GetAtt`. Another stack, in the same region or not: an output in the producer and an
//! `Fn::GetStackOutput` in the consumer (with `Region` when the producer's region differs), the CDK's "weak"
//! cross-stack reference, with the consumer depending on the producer. The templates deploy with any
//! CloudFormation tool and no parameter values.
//!
//! There are no exports: CloudFormation refuses to change or delete an export another stack imports ("Cannot
//! update export ... as it is in use by ..."), so a replaced node group, NLB or NAT gateway would stop the
//! producer's update. `Fn::GetStackOutput` freezes nothing; it is resolved when the consumer is created or
//! updated (CloudFormation Template Reference, "Fn::GetStackOutput"), so the deployer updates a consumer whose
//! referenced outputs changed (see `karmada-eks:inputs-sha256`).
//!
//! Where the function may stand (cfn-lint 1.58's function schemas, which encode the Template Reference): in
//! resource properties, inside `Fn::Join`, `Fn::Select` and `Fn::Base64`; not in an `Fn::Sub` variable map, not in
//! an output's `Value`, not in `Conditions`. An `Fn::Sub` whose variable map would hold one is rewritten as the
//! `Fn::Join` of its pieces ([`join_sub`]); an output or condition that would hold one is a synth error.

use serde_json::{json, Map, Value};
use std::collections::{BTreeMap, HashMap, HashSet};

use super::environment::Environment;
use super::expr::TOKEN_KEY;
use super::id::{logical_id, MAX_LOGICAL_ID_LEN};

/// The intrinsic that reads another stack's output.
pub const GET_STACK_OUTPUT: &str = "Fn::GetStackOutput";

/// What a consumer asked of a producer: one output (never exported).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct OutputRequest {
    pub producer: String,
    pub output_name: String,
    pub logical_id: String,
    pub attribute: Option<String>,
}

/// A parameter filled by the deployer from a producer's output: how assemblies of karmada-eks 0.1 carried
/// cross-stack values (manifest metadata `karmada-eks:parameter-from-output`). Synth no longer writes it; the
/// deployer still fills it, so an assembly of the previous release deploys (and an app it deployed updates).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub struct ParameterFromOutput {
    pub parameter: String,
    pub stack: String,
    pub output: String,
}

/// One output of another stack that a template reads through `Fn::GetStackOutput`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub struct OutputReference {
    pub stack: String,
    pub output: String,
    /// The producer's region (the function's `Region`, else the consumer's own).
    pub region: String,
}

impl OutputReference {
    /// Every `Fn::GetStackOutput` of `template` whose names are literals, sorted, each once; `region` is the
    /// consuming stack's.
    pub fn all_in(template: &Value, region: &str) -> Vec<OutputReference> {
        let mut found = Vec::new();
        collect_references(template, region, &mut found);
        found.sort();
        found.dedup();
        found
    }
}

fn collect_references(value: &Value, region: &str, found: &mut Vec<OutputReference>) {
    match value {
        Value::Object(map) => {
            if let Some(args) = map.get(GET_STACK_OUTPUT).filter(|_| map.len() == 1) {
                if let (Some(stack), Some(output)) = (args["StackName"].as_str(), args["OutputName"].as_str()) {
                    let region = args["Region"].as_str().unwrap_or(region).to_string();
                    found.push(OutputReference { stack: stack.into(), output: output.into(), region });
                }
            }
            map.values().for_each(|v| collect_references(v, region, found));
        }
        Value::Array(items) => items.iter().for_each(|v| collect_references(v, region, found)),
        _ => {}
    }
}

/// Whether `value` holds an `Fn::GetStackOutput` anywhere.
pub(crate) fn reads_stack_output(value: &Value) -> bool {
    match value {
        Value::Object(map) => map.contains_key(GET_STACK_OUTPUT) || map.values().any(reads_stack_output),
        Value::Array(items) => items.iter().any(reads_stack_output),
        _ => false,
    }
}

pub(crate) struct Resolver<'a> {
    pub consumer: &'a str,
    pub envs: &'a HashMap<String, Environment>,
    /// Logical ids and parameter names declared in each stack.
    pub declared: &'a HashMap<String, HashSet<String>>,
    pub outputs: BTreeMap<String, OutputRequest>,
    pub dependencies: HashSet<String>,
    pub errors: Vec<String>,
}

impl<'a> Resolver<'a> {
    pub fn new(
        consumer: &'a str,
        envs: &'a HashMap<String, Environment>,
        declared: &'a HashMap<String, HashSet<String>>,
    ) -> Self {
        Resolver {
            consumer,
            envs,
            declared,
            outputs: BTreeMap::new(),
            dependencies: HashSet::new(),
            errors: Vec::new(),
        }
    }

    /// `value` with every reference token replaced by the intrinsic this stack needs; rewrites in place, so a
    /// value built for the template is not copied again.
    pub fn resolve(&mut self, mut value: Value) -> Value {
        self.resolve_in_place(&mut value);
        value
    }

    fn resolve_in_place(&mut self, value: &mut Value) {
        match value {
            Value::Object(map) if map.len() == 1 && map.contains_key(TOKEN_KEY) => *value = self.token(&map[TOKEN_KEY]),
            Value::Object(map) => {
                map.values_mut().for_each(|v| self.resolve_in_place(v));
                if let Some(joined) = join_sub(map) {
                    *value = joined;
                }
            }
            Value::Array(items) => items.iter_mut().for_each(|v| self.resolve_in_place(v)),
            _ => {}
        }
    }

    fn token(&mut self, token: &Value) -> Value {
        let producer = token["Stack"].as_str().unwrap_or_default().to_string();
        let id = token["LogicalId"].as_str().unwrap_or_default().to_string();
        let attribute = token.get("Attribute").and_then(Value::as_str).map(str::to_string);
        if !self.declared.get(&producer).is_some_and(|ids| ids.contains(&id)) {
            self.errors.push(format!("refers to {producer}/{id}, which no stack of the app declares"));
            return Value::Null;
        }
        if producer == self.consumer {
            return local(&id, attribute.as_deref());
        }
        let (Some(from), Some(to)) = (self.envs.get(&producer), self.envs.get(self.consumer)) else {
            return Value::Null;
        };
        if from.account.is_some() && to.account.is_some() && from.account != to.account {
            self.errors.push(format!(
                "refers to {producer}/{id} in account {}; references across accounts are not supported",
                from.account.as_deref().unwrap_or_default()
            ));
            return Value::Null;
        }
        self.dependencies.insert(producer.clone());
        let output_name = output_name(&id, attribute.as_deref());
        self.outputs.entry(format!("{producer}\u{0}{output_name}")).or_insert(OutputRequest {
            producer: producer.clone(),
            output_name: output_name.clone(),
            logical_id: id,
            attribute,
        });
        let mut args = Map::new();
        args.insert("StackName".into(), json!(producer));
        args.insert("OutputName".into(), json!(output_name));
        if from.region != to.region {
            args.insert("Region".into(), json!(from.region));
        }
        json!({ GET_STACK_OUTPUT: args })
    }
}

/// `{"Fn::Sub": [text, variables]}` whose variables hold an `Fn::GetStackOutput`, as the `Fn::Join` of its
/// pieces: each such variable's value where `${name}` stood, the text between as a literal (escapes `${!x}`
/// unescaped) or, where it still names variables or pseudo parameters, as an `Fn::Sub` with the other variables.
/// `None` for any other object.
pub(crate) fn join_sub(map: &Map<String, Value>) -> Option<Value> {
    let [text, variables] = map.get("Fn::Sub").filter(|_| map.len() == 1)?.as_array()?.as_slice() else {
        return None;
    };
    let (text, variables) = (text.as_str()?, variables.as_object()?);
    let lifted: HashSet<&str> =
        variables.iter().filter(|(_, v)| reads_stack_output(v)).map(|(k, _)| k.as_str()).collect();
    if lifted.is_empty() {
        return None;
    }
    let kept: Map<String, Value> =
        variables.iter().filter(|(k, _)| !lifted.contains(k.as_str())).map(|(k, v)| (k.clone(), v.clone())).collect();
    let mut parts = Vec::new();
    let mut literal = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        let Some(len) = rest[start..].find('}') else { break };
        let name = &rest[start + 2..start + len];
        if lifted.contains(name) {
            literal.push_str(&rest[..start]);
            push_piece(&mut parts, std::mem::take(&mut literal), &kept);
            parts.push(variables[name].clone());
        } else {
            literal.push_str(&rest[..start + len + 1]);
        }
        rest = &rest[start + len + 1..];
    }
    literal.push_str(rest);
    push_piece(&mut parts, literal, &kept);
    Some(json!({"Fn::Join": ["", parts]}))
}

fn push_piece(parts: &mut Vec<Value>, text: String, variables: &Map<String, Value>) {
    if text.is_empty() {
        return;
    }
    let substitutes = text.match_indices("${").any(|(i, _)| !text[i + 2..].starts_with('!'));
    let used: Map<String, Value> = variables
        .iter()
        .filter(|(k, _)| text.contains(&format!("${{{k}}}")))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    parts.push(if !substitutes {
        Value::String(text.replace("${!", "${"))
    } else if used.is_empty() {
        json!({"Fn::Sub": text})
    } else {
        json!({"Fn::Sub": [text, used]})
    });
}

/// `Ref` or `Fn::GetAtt` inside the owning stack.
pub(crate) fn local(id: &str, attribute: Option<&str>) -> Value {
    match attribute {
        None => json!({"Ref": id}),
        Some(attr) => {
            let mut m = Map::new();
            m.insert("Fn::GetAtt".into(), json!([id, attr]));
            Value::Object(m)
        }
    }
}

/// The producer output that carries a reference: `OutputRef<Id>` / `OutputFnGetAtt<Id><Attr>`.
pub(crate) fn output_name(id: &str, attribute: Option<&str>) -> String {
    let name = match attribute {
        None => format!("OutputRef{id}"),
        Some(attr) => format!("OutputFnGetAtt{id}{}", attr.replace(|c: char| !c.is_ascii_alphanumeric(), "")),
    };
    if name.len() <= MAX_LOGICAL_ID_LEN {
        name
    } else {
        logical_id(&name)
    }
}
