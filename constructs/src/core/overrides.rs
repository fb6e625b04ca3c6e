//! Escape hatches: raw edits of a resource as it appears in the template, for properties the constructs do not
//! model (the AWS CDK's `addOverride`, `addPropertyOverride`, `addPropertyDeletionOverride`).
//!
//! An override path starts at the resource's root (`Properties.Labels.team`, `DependsOn`, `Metadata.x`) and is
//! dot-separated; `\.` is a literal dot inside a key (`Properties.Labels.app\.kubernetes\.io/name`) and a number
//! indexes an array (`Properties.Subnets.1`; the array's length appends). Overrides are applied in the order they
//! were added, after aspects and before references are resolved, so a value may hold references (an [`Expr`]).
//!
//! [`Expr`]: super::Expr

use serde::Serialize;
use serde_json::{Map, Value};

use super::expr::TOKEN_KEY;

/// The top-level keys of a resource in a template. Source: AWS CloudFormation User Guide, "Resources template
/// section" (`Type`, `Properties`) and "Resource attribute reference" (the rest).
pub const RESOURCE_KEYS: [&str; 8] = [
    "Properties",
    "DependsOn",
    "Metadata",
    "Condition",
    "CreationPolicy",
    "DeletionPolicy",
    "UpdatePolicy",
    "UpdateReplacePolicy",
];

/// One raw edit: `value` replaces (or adds) what `path` names; `None` deletes it.
#[derive(Clone, Debug, PartialEq)]
pub struct Override {
    pub path: Vec<String>,
    pub value: Option<Value>,
}

impl Override {
    /// The path as written, dots inside keys escaped again.
    pub fn path_text(&self) -> String {
        self.path.iter().map(|k| k.replace('.', "\\.")).collect::<Vec<_>>().join(".")
    }
}

/// Why an override cannot be applied.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum OverrideError {
    #[error("the path is empty")]
    EmptyPath,
    #[error("path {path:?} has an empty component")]
    EmptyComponent { path: String },
    #[error("{key:?} is not a key of a resource: a path starts with one of {}", RESOURCE_KEYS.join(", "))]
    NotResourceKey { key: String },
    #[error("{at} is {kind}, not an object or array, so it has no {key:?}")]
    NotContainer { at: String, kind: &'static str, key: String },
    #[error("{at} is a reference; an override cannot reach inside it")]
    IntoReference { at: String },
    #[error("{at} is an array of {len} items; {key:?} is not one of its indexes")]
    BadIndex { at: String, len: usize, key: String },
    #[error("there is no {at} to delete")]
    Missing { at: String, nearest: Vec<String> },
    #[error("the value does not serialize: {0}")]
    Value(String),
}

impl OverrideError {
    /// What to try instead, where the error knows.
    pub fn hint(&self) -> Option<String> {
        match self {
            OverrideError::NotResourceKey { .. } => {
                Some("properties go under `Properties.`, e.g. `Properties.Labels.team`".into())
            }
            OverrideError::Missing { nearest, .. } if !nearest.is_empty() => {
                Some(format!("the nearest existing keys are: {}", nearest.join(", ")))
            }
            OverrideError::Missing { .. } => Some("check the path against the synthesized template".into()),
            OverrideError::BadIndex { len: 0, .. } => {
                Some("the array is empty: index 0 as the last component appends".into())
            }
            OverrideError::BadIndex { len, .. } => {
                Some(format!("indexes run from 0 to {}; {len} as the last component appends", len - 1))
            }
            _ => None,
        }
    }
}

/// Splits `path` at dots not preceded by a backslash and checks that it starts with a [`RESOURCE_KEYS`] key.
pub fn parse_path(path: &str) -> Result<Vec<String>, OverrideError> {
    if path.is_empty() {
        return Err(OverrideError::EmptyPath);
    }
    let mut parts = vec![String::new()];
    let mut chars = path.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&'.') => {
                chars.next();
                parts.last_mut().expect("non-empty").push('.');
            }
            '.' => parts.push(String::new()),
            c => parts.last_mut().expect("non-empty").push(c),
        }
    }
    if parts.iter().any(String::is_empty) {
        return Err(OverrideError::EmptyComponent { path: path.into() });
    }
    if !RESOURCE_KEYS.contains(&parts[0].as_str()) {
        return Err(OverrideError::NotResourceKey { key: parts[0].clone() });
    }
    Ok(parts)
}

/// A value an override sets, from anything serializable (literals, `serde_json::Value`, [`super::Expr`]).
pub fn to_value(value: impl Serialize) -> Result<Value, OverrideError> {
    serde_json::to_value(value).map_err(|e| OverrideError::Value(e.to_string()))
}

/// Applies `o` to `resource`, the resource's whole template entry (`{"Type": ..., "Properties": ...}`).
/// Setting creates the objects the path passes through; deleting something absent is an error.
pub fn apply(resource: &mut Value, o: &Override) -> Result<(), OverrideError> {
    let (last, parents) = o.path.split_last().ok_or(OverrideError::EmptyPath)?;
    let mut at = String::new();
    let mut current = resource;
    for key in parents {
        current = step(current, key, &at, o.value.is_some())?;
        extend(&mut at, key);
    }
    let here = at.clone();
    extend(&mut at, last);
    match (current, &o.value) {
        (Value::Object(map), Some(v)) => {
            map.insert(last.clone(), v.clone());
        }
        (Value::Object(map), None) => {
            if map.shift_remove(last).is_none() {
                return Err(missing_key(map, last, &at));
            }
        }
        (Value::Array(items), value) => {
            let len = items.len();
            let bad = || OverrideError::BadIndex { at: here.clone(), len, key: last.clone() };
            let index: usize = last.parse().map_err(|_| bad())?;
            match value {
                Some(v) if index < len => items[index] = v.clone(),
                Some(v) if index == len => items.push(v.clone()),
                None if index < len => {
                    items.remove(index);
                }
                _ => return Err(bad()),
            }
        }
        (other, _) => return Err(OverrideError::NotContainer { at: here, kind: kind(other), key: last.clone() }),
    }
    Ok(())
}

/// The child `key` of `current`, created as an empty object when `create` and absent.
fn step<'v>(current: &'v mut Value, key: &str, at: &str, create: bool) -> Result<&'v mut Value, OverrideError> {
    match current {
        Value::Object(map) if map.len() == 1 && map.contains_key(TOKEN_KEY) => {
            Err(OverrideError::IntoReference { at: at.into() })
        }
        Value::Object(map) => {
            if !map.contains_key(key) {
                if !create {
                    let mut full = at.to_string();
                    extend(&mut full, key);
                    return Err(missing_key(map, key, &full));
                }
                map.insert(key.to_string(), Value::Object(Map::new()));
            }
            Ok(map.get_mut(key).expect("present"))
        }
        Value::Array(items) => {
            let len = items.len();
            let index: usize =
                key.parse().map_err(|_| OverrideError::BadIndex { at: at.into(), len, key: key.into() })?;
            items.get_mut(index).ok_or(OverrideError::BadIndex { at: at.into(), len, key: key.into() })
        }
        other => Err(OverrideError::NotContainer { at: at.into(), kind: kind(other), key: key.into() }),
    }
}

fn missing_key(map: &Map<String, Value>, key: &str, full: &str) -> OverrideError {
    OverrideError::Missing { at: full.into(), nearest: nearest(key, map.keys().map(String::as_str)) }
}

fn extend(at: &mut String, key: &str) {
    if !at.is_empty() {
        at.push('.');
    }
    at.push_str(&key.replace('.', "\\."));
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Up to three of `names` closest to `wanted`: names containing it first, then by case-insensitive edit distance
/// to the whole name or its start (logical IDs end in a hash). Only containing names, else only close names,
/// when there are any.
pub fn nearest<'a>(wanted: &str, names: impl Iterator<Item = &'a str>) -> Vec<String> {
    let wanted = wanted.to_ascii_lowercase();
    let mut scored: Vec<(usize, &str)> = names
        .map(|n| {
            let lower = n.to_ascii_lowercase();
            let prefix: String = lower.chars().take(wanted.chars().count()).collect();
            let score = if lower.contains(&wanted) || wanted.contains(&lower) {
                0
            } else {
                1 + edit_distance(&wanted, &lower).min(edit_distance(&wanted, &prefix))
            };
            (score, n)
        })
        .collect();
    scored.sort();
    scored.dedup_by(|a, b| a.1 == b.1);
    let close = 1 + (wanted.chars().count() / 3).max(2);
    let keep = match scored.first() {
        Some((0, _)) => 0,
        Some((s, _)) if *s <= close => close,
        _ => usize::MAX,
    };
    scored.into_iter().filter(|(s, _)| *s <= keep).take(3).map(|(_, n)| n.to_string()).collect()
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (diagonal + usize::from(ca != *cb)).min(row[j] + 1).min(above + 1);
            diagonal = above;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn set(path: &str, value: Value) -> Override {
        Override { path: parse_path(path).unwrap(), value: Some(value) }
    }

    fn delete(path: &str) -> Override {
        Override { path: parse_path(path).unwrap(), value: None }
    }

    fn resource() -> Value {
        json!({
            "Type": "AWS::EKS::Nodegroup",
            "Properties": {"NodegroupName": "n", "Subnets": ["a", "b"], "Labels": {"x": "1"},
                           "Role": {TOKEN_KEY: {"Stack": "s", "LogicalId": "R"}}},
        })
    }

    #[test]
    fn set_adds_a_nested_key_creating_the_objects_on_the_way() {
        let mut r = resource();
        apply(&mut r, &set("Properties.Taints.0x.Key", json!("k"))).unwrap();
        apply(&mut r, &set("Properties.Labels.team", json!("platform"))).unwrap();
        assert_eq!(r["Properties"]["Labels"], json!({"x": "1", "team": "platform"}));
        assert_eq!(r["Properties"]["Taints"], json!({"0x": {"Key": "k"}}));
    }

    #[test]
    fn set_replaces_and_keeps_the_key_order() {
        let mut r = resource();
        apply(&mut r, &set("Properties.NodegroupName", json!("m"))).unwrap();
        let keys: Vec<&String> = r["Properties"].as_object().unwrap().keys().collect();
        assert_eq!(keys, ["NodegroupName", "Subnets", "Labels", "Role"]);
        assert_eq!(r["Properties"]["NodegroupName"], "m");
    }

    #[test]
    fn array_indexes_replace_append_and_delete() {
        let mut r = resource();
        apply(&mut r, &set("Properties.Subnets.1", json!("B"))).unwrap();
        apply(&mut r, &set("Properties.Subnets.2", json!("c"))).unwrap();
        assert_eq!(r["Properties"]["Subnets"], json!(["a", "B", "c"]));
        apply(&mut r, &delete("Properties.Subnets.0")).unwrap();
        assert_eq!(r["Properties"]["Subnets"], json!(["B", "c"]));
        let e = apply(&mut r, &set("Properties.Subnets.5", json!("z"))).unwrap_err();
        assert_eq!(e.to_string(), "Properties.Subnets is an array of 2 items; \"5\" is not one of its indexes");
        assert_eq!(e.hint().unwrap(), "indexes run from 0 to 1; 2 as the last component appends");
    }

    #[test]
    fn nested_array_index_inside_a_path() {
        let mut r = json!({"Properties": {"BlockDeviceMappings": [{"Ebs": {"VolumeSize": 20}}]}});
        apply(&mut r, &set("Properties.BlockDeviceMappings.0.Ebs.Iops", json!(4000))).unwrap();
        assert_eq!(r["Properties"]["BlockDeviceMappings"][0]["Ebs"], json!({"VolumeSize": 20, "Iops": 4000}));
        let e = apply(&mut r, &set("Properties.BlockDeviceMappings.first.Ebs", json!({}))).unwrap_err();
        assert!(matches!(e, OverrideError::BadIndex { ref key, .. } if key == "first"), "{e}");
    }

    #[test]
    fn delete_removes_and_refuses_what_is_absent_with_the_nearest_keys() {
        let mut r = resource();
        apply(&mut r, &delete("Properties.Labels")).unwrap();
        assert!(r["Properties"].get("Labels").is_none());
        let e = apply(&mut r, &delete("Properties.Subnet")).unwrap_err();
        assert_eq!(e.to_string(), "there is no Properties.Subnet to delete");
        assert_eq!(e.hint().unwrap(), "the nearest existing keys are: Subnets");
        let e = apply(&mut r, &delete("Properties.Nope.Deeper")).unwrap_err();
        assert_eq!(e.to_string(), "there is no Properties.Nope to delete");
    }

    #[test]
    fn top_level_attributes_are_reachable() {
        let mut r = resource();
        apply(&mut r, &set("DependsOn", json!(["Other"]))).unwrap();
        apply(&mut r, &set("UpdateReplacePolicy", json!("Retain"))).unwrap();
        apply(&mut r, &set("Metadata.note", json!("hi"))).unwrap();
        assert_eq!(r["DependsOn"], json!(["Other"]));
        assert_eq!(r["UpdateReplacePolicy"], "Retain");
        assert_eq!(r["Metadata"]["note"], "hi");
    }

    #[test]
    fn escaped_dots_stay_in_keys() {
        let mut r = resource();
        let o = set("Properties.Labels.app\\.kubernetes\\.io/name", json!("k"));
        assert_eq!(o.path, ["Properties", "Labels", "app.kubernetes.io/name"]);
        assert_eq!(o.path_text(), "Properties.Labels.app\\.kubernetes\\.io/name");
        apply(&mut r, &o).unwrap();
        assert_eq!(r["Properties"]["Labels"]["app.kubernetes.io/name"], "k");
    }

    #[test]
    fn bad_paths_are_refused_with_what_is_wrong() {
        assert_eq!(parse_path("").unwrap_err(), OverrideError::EmptyPath);
        assert_eq!(
            parse_path("Properties..X").unwrap_err().to_string(),
            "path \"Properties..X\" has an empty component"
        );
        let e = parse_path("Labels.team").unwrap_err();
        assert_eq!(
            e.to_string(),
            "\"Labels\" is not a key of a resource: a path starts with one of Properties, DependsOn, Metadata, Condition, CreationPolicy, DeletionPolicy, UpdatePolicy, UpdateReplacePolicy"
        );
        assert!(e.hint().unwrap().contains("Properties.Labels.team"));
    }

    #[test]
    fn scalars_and_references_cannot_be_entered() {
        let mut r = resource();
        let e = apply(&mut r, &set("Properties.NodegroupName.x", json!(1))).unwrap_err();
        assert_eq!(e.to_string(), "Properties.NodegroupName is a string, not an object or array, so it has no \"x\"");
        let e = apply(&mut r, &set("Properties.Role.Arn.x", json!(1))).unwrap_err();
        assert_eq!(e.to_string(), "Properties.Role is a reference; an override cannot reach inside it");
        // Replacing a reference as a whole is fine.
        apply(&mut r, &set("Properties.Role", json!("arn:aws:iam::1:role/r"))).unwrap();
    }

    fn vpc_app() -> (crate::core::App, crate::core::ResourceRef) {
        let mut app = crate::core::App::new();
        let stack = app.add_stack("demo", crate::core::Environment::new(None, "eu-west-1"));
        let vpc = stack
            .scope()
            .add("Vpc", crate::cfn::ec2::CfnVpc { cidr_block: "10.0.0.0/16".into(), ..Default::default() });
        (app, vpc)
    }

    #[test]
    fn code_overrides_that_do_not_apply_fail_synth_naming_the_resource() {
        let (mut app, vpc) = vpc_app();
        app.stack_mut("demo").unwrap().resource_mut(&vpc).unwrap().add_property_deletion_override("Nope");
        assert_eq!(
            app.synth().unwrap_err().to_string(),
            "stack demo: Vpc: override Properties.Nope: there is no Properties.Nope to delete"
        );
        let (mut app, vpc) = vpc_app();
        app.stack_mut("demo").unwrap().resource_mut(&vpc).unwrap().add_override("Labels.x", 1);
        let e = app.synth().unwrap_err().to_string();
        assert!(e.starts_with("stack demo: Vpc: override \"Labels.x\": \"Labels\" is not a key of a resource"), "{e}");
    }

    #[test]
    fn handles_find_resources_of_their_own_stack_only() {
        let (mut app, vpc) = vpc_app();
        let other = app.add_stack("other", crate::core::Environment::new(None, "eu-west-1"));
        assert!(other.resource_mut(&vpc).is_none());
        assert!(other.find_resource_mut("Vpc").is_none());
        let demo = app.stack_mut("demo").unwrap();
        for name in ["Vpc", "demo/Vpc", vpc.logical_id()] {
            assert_eq!(
                demo.find_resource_mut(name).map(|r| r.logical_id().to_string()).as_deref(),
                Some(vpc.logical_id())
            );
        }
        assert!(demo.find_resource_mut("Vp").is_none());
    }

    #[test]
    fn nearest_prefers_containing_names_then_edit_distance() {
        let names = ["NodesAB12CD34", "NodeRoleEF56AB78", "VpcXX", "ParentCluster"];
        assert_eq!(nearest("Nodes", names.into_iter())[0], "NodesAB12CD34");
        assert_eq!(nearest("Parnt", names.into_iter())[0], "ParentCluster");
        assert_eq!(nearest("NodeRole", names.into_iter())[0], "NodeRoleEF56AB78");
        assert_eq!(nearest("qqqqqqqq", names.into_iter()).len(), 3, "nothing close: three names anyway");
    }
}
