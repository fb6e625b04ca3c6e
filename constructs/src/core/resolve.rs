//! Turning reference tokens into intrinsics for the stack that uses them.
//!
//! Same stack: `Ref` / `Fn::GetAtt`. Another stack, in the same region or not: an output in the producer and a
//! parameter in the consumer, which the deployer fills from the producer's outputs (recorded in the manifest as
//! `karmada-eks:parameter-from-output`), with the consumer depending on the producer.
//!
//! There are no exports: CloudFormation refuses to change or delete an export another stack imports ("Cannot
//! update export ... as it is in use by ..."), so a replaced node group, NLB or NAT gateway would stop the
//! producer's update. A parameter freezes nothing; the consumer's next update takes the new value.

use serde_json::{json, Map, Value};
use std::collections::{BTreeMap, HashMap, HashSet};

use super::expr::TOKEN_KEY;
use super::id::{logical_id, MAX_LOGICAL_ID_LEN};
use super::stack::Environment;

/// What a consumer asked of a producer: one output (never exported).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct OutputRequest {
    pub producer: String,
    pub output_name: String,
    pub logical_id: String,
    pub attribute: Option<String>,
}

/// A consumer parameter that the deployer fills from a producer's output.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub struct ParameterFromOutput {
    pub parameter: String,
    pub stack: String,
    pub output: String,
}

pub(crate) struct Resolver<'a> {
    pub consumer: &'a str,
    pub envs: &'a HashMap<String, Environment>,
    /// Logical ids and parameter names declared in each stack.
    pub declared: &'a HashMap<String, HashSet<String>>,
    pub outputs: BTreeMap<String, OutputRequest>,
    pub parameters: BTreeMap<String, ParameterFromOutput>,
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
            parameters: BTreeMap::new(),
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
            Value::Object(map) => map.values_mut().for_each(|v| self.resolve_in_place(v)),
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
        let parameter = logical_id(&format!("{producer}/{output_name}"));
        self.parameters.insert(
            parameter.clone(),
            ParameterFromOutput { parameter: parameter.clone(), stack: producer, output: output_name },
        );
        json!({"Ref": parameter})
    }
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
