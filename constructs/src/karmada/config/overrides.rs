//! `[[overrides]]` of `karmada-eks.toml`: property overrides applied to the built app before synth, so every
//! command that synthesizes sees them.
//!
//! ```toml
//! [[overrides]]
//! stack = "karmada-cluster"
//! resource = "Nodes"                 # logical ID as in the template, or the construct path as in aws:cdk:path
//! path = "Properties.Labels.team"    # from the resource's root, dot-separated; array indexes as numbers
//! value = "platform"                 # any TOML value; `delete = true` instead removes the property
//! ```

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::ConfigError;
use crate::cfn::schema;
use crate::core::overrides::{self, nearest, Override};
use crate::core::App;

/// One `[[overrides]]` entry.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OverrideConfig {
    /// Name of the stack, as `karmada-eks list` prints it.
    pub stack: String,
    /// The resource: its logical ID in the template, or its construct path (the template's `aws:cdk:path`,
    /// with or without the stack's name in front; a construct's name alone means its main resource).
    pub resource: String,
    /// Where, from the resource's root: `Properties.Labels.team`, `DependsOn`, `UpdateReplacePolicy`; `\.` is a
    /// dot inside a key, a number indexes an array.
    pub path: String,
    /// The value to set (any TOML value; references as CloudFormation intrinsics, e.g. `{ Ref = "X" }`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<toml::Value>,
    /// Remove what `path` names instead of setting it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub delete: bool,
}

fn error(field: String, message: impl Into<String>, hint: Option<String>) -> ConfigError {
    ConfigError { field, message: message.into(), hint }
}

/// Checks each entry on its own: names given, a path that parses, exactly one of `value` and `delete`.
pub fn validate(entries: &[OverrideConfig]) -> Result<(), ConfigError> {
    for (i, o) in entries.iter().enumerate() {
        let field = |name: &str| format!("overrides[{i}].{name}");
        if o.stack.is_empty() {
            return Err(error(field("stack"), "is empty", Some("name a stack as `karmada-eks list` prints it".into())));
        }
        if o.resource.is_empty() {
            return Err(error(field("resource"), "is empty", Some("give a logical ID or a construct path".into())));
        }
        overrides::parse_path(&o.path).map_err(|e| error(field("path"), e.to_string(), e.hint()))?;
        match (&o.value, o.delete) {
            (Some(_), true) => {
                return Err(error(
                    field("delete"),
                    "is set together with `value`",
                    Some("keep `value` to set the property, or `delete = true` to remove it".into()),
                ))
            }
            (None, false) => {
                return Err(error(
                    field("value"),
                    "is missing",
                    Some("give the `value` to set, or `delete = true` to remove the property".into()),
                ))
            }
            _ => {}
        }
    }
    Ok(())
}

/// Records every entry on its resource of `app`, checking that the stack and resource exist and that the
/// override applies to the resource as synth renders it (after the app's aspects).
pub fn apply(app: &mut App, entries: &[OverrideConfig]) -> Result<(), ConfigError> {
    for (i, o) in entries.iter().enumerate() {
        let field = |name: &str| format!("overrides[{i}].{name}");
        let stacks: Vec<String> = app.stacks().iter().map(|s| s.name().to_string()).collect();
        let Some(stack) = app.stack_mut(&o.stack) else {
            let close = nearest(&o.stack, stacks.iter().map(String::as_str));
            return Err(error(
                field("stack"),
                format!("the app has no stack {:?}", o.stack),
                Some(format!("the nearest stacks are: {} (all: `karmada-eks list`)", close.join(", "))),
            ));
        };
        let candidates: Vec<(String, String)> =
            stack.resources().map(|(id, r)| (id.to_string(), r.path.clone())).collect();
        let parameters: Vec<String> = stack.parameters.keys().cloned().collect();
        let stack_name = stack.name().to_string();
        let Some(mut resource) = stack.find_resource_mut(&o.resource) else {
            let names = candidates.iter().flat_map(|(id, path)| [id.as_str(), path.as_str()]);
            let close: Vec<String> = nearest(&o.resource, names)
                .into_iter()
                .map(|n| match candidates.iter().find(|(id, path)| *id == n || *path == n) {
                    Some((id, path)) => format!("{path} ({id})"),
                    None => n,
                })
                .collect();
            return Err(error(
                field("resource"),
                format!("stack {stack_name} has no resource {:?}", o.resource),
                Some(format!(
                    "give a logical ID or a construct path as in the template's aws:cdk:path; the nearest are: {}",
                    close.join(", ")
                )),
            ));
        };
        match &o.value {
            Some(value) => resource.add_override(&o.path, to_json(value)),
            None => resource.add_deletion_override(&o.path),
        };
        let logical_id = resource.logical_id().to_string();
        let construct = format!("{stack_name}/{} ({logical_id})", resource.path());
        let recorded: Vec<Override> = resource.overrides().to_vec();
        let mut rendered = app.visited_resource(&stack_name, &logical_id).expect("the resource just found");
        if let (Some(value), Some(kind)) = (&o.value, rendered["Type"].as_str()) {
            let path = overrides::parse_path(&o.path).map_err(|e| error(field("path"), e.to_string(), e.hint()))?;
            schema::check(kind, &path).map_err(|miss| {
                let hint = if miss.nearest.is_empty() {
                    format!("see {kind} in the CloudFormation resource reference")
                } else {
                    format!(
                        "the nearest are: {} ({kind} in the CloudFormation resource reference)",
                        miss.nearest.join(", ")
                    )
                };
                error(field("path"), format!("cannot set {} of {construct}: {}", o.path, miss.message), Some(hint))
            })?;
            let known = |target: &str| {
                target.starts_with("AWS::")
                    || candidates.iter().any(|(id, _)| id == target)
                    || parameters.iter().any(|p| p == target)
            };
            if let Some(missing) = references(&to_json(value)).into_iter().find(|t| !known(t)) {
                let names = candidates.iter().map(|(id, _)| id.as_str()).chain(parameters.iter().map(String::as_str));
                return Err(error(
                    field("value"),
                    format!("refers to {missing:?}, which stack {stack_name} does not declare"),
                    Some(format!(
                        "a Ref or Fn::GetAtt names a logical ID or parameter of the same stack (CloudFormation refuses \
                         \"Unresolved resource dependencies\"); the nearest are: {}",
                        nearest(&missing, names).join(", ")
                    )),
                ));
            }
        }
        for (n, each) in recorded.iter().enumerate() {
            if let Err(e) = overrides::apply(&mut rendered, each) {
                // Earlier overrides of this resource applied when they were recorded: the failing one is the last.
                debug_assert_eq!(n + 1, recorded.len());
                let what = if o.delete { "cannot delete" } else { "cannot set" };
                return Err(error(field("path"), format!("{what} {} of {construct}: {e}", o.path), e.hint()));
            }
        }
    }
    Ok(())
}

/// The logical IDs and parameters `value` refers to: each `Ref`, and the first part of each `Fn::GetAtt` (a list
/// or CloudFormation's `Name.Attribute` string form).
fn references(value: &Value) -> Vec<String> {
    let mut out = Vec::new();
    match value {
        Value::Object(map) if map.len() == 1 => match (map.get("Ref"), map.get("Fn::GetAtt")) {
            (Some(Value::String(name)), _) => out.push(name.clone()),
            (_, Some(Value::Array(parts))) => out.extend(parts.first().and_then(Value::as_str).map(str::to_string)),
            (_, Some(Value::String(dotted))) => out.extend(dotted.split('.').next().map(str::to_string)),
            _ => out.extend(map.values().flat_map(references)),
        },
        Value::Object(map) => out.extend(map.values().flat_map(references)),
        Value::Array(items) => out.extend(items.iter().flat_map(references)),
        _ => {}
    }
    out
}

/// A TOML value as JSON; a date or time becomes its TOML text.
fn to_json(value: &toml::Value) -> Value {
    match value {
        toml::Value::String(s) => Value::String(s.clone()),
        toml::Value::Integer(n) => Value::from(*n),
        toml::Value::Float(f) => serde_json::Number::from_f64(*f).map_or(Value::Null, Value::Number),
        toml::Value::Boolean(b) => Value::Bool(*b),
        toml::Value::Datetime(d) => Value::String(d.to_string()),
        toml::Value::Array(items) => Value::Array(items.iter().map(to_json).collect()),
        toml::Value::Table(t) => Value::Object(t.iter().map(|(k, v)| (k.clone(), to_json(v))).collect()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::hints::rendered;
    use crate::karmada::{Config, KarmadaApp};
    use serde_json::json;

    fn config(overrides: &str) -> Result<Config, ConfigError> {
        Config::from_toml(overrides)
    }

    fn synth(text: &str) -> Result<crate::core::CloudAssembly, String> {
        use crate::core::hints::rendered;
        let config = config(text).map_err(|e| rendered(&e))?;
        let app = KarmadaApp::new(&config).map_err(|e| rendered(&e))?;
        app.synth().map_err(|e| rendered(&e))
    }

    fn resource<'a>(assembly: &'a crate::core::CloudAssembly, stack: &str, path: &str) -> &'a Value {
        let template = &assembly.stack(stack).unwrap().template;
        let want = format!("{stack}/{path}");
        template["Resources"].as_object().unwrap().values().find(|r| r["Metadata"]["aws:cdk:path"] == *want).unwrap()
    }

    #[test]
    fn add_replace_delete_and_array_index_reach_the_templates() {
        let assembly = synth(
            r#"
[[overrides]]
stack = "karmada-cluster"
resource = "Nodes"
path = "Properties.Labels.team"
value = "platform"

[[overrides]]
stack = "karmada-cluster"
resource = "karmada-cluster/Nodes/Resource"
path = "Properties.ScalingConfig.MaxSize"
value = 6

[[overrides]]
stack = "karmada-cluster"
resource = "Parent"
path = "Properties.UpgradePolicy"
value = { SupportType = "STANDARD" }

[[overrides]]
stack = "karmada-cluster"
resource = "Nodes/LaunchTemplate"
path = "Properties.LaunchTemplateData.BlockDeviceMappings.0.Ebs.Iops"
value = 4000

[[overrides]]
stack = "karmada-network"
resource = "Vpc/FlowLog/LogGroup"
path = "Properties.RetentionInDays"
delete = true
"#,
        )
        .unwrap();
        let nodes = resource(&assembly, "karmada-cluster", "Nodes/Resource");
        assert_eq!(nodes["Properties"]["Labels"], json!({"team": "platform"}));
        assert_eq!(nodes["Properties"]["ScalingConfig"]["MaxSize"], 6);
        let parent = resource(&assembly, "karmada-cluster", "Parent/Resource");
        assert_eq!(parent["Properties"]["UpgradePolicy"], json!({"SupportType": "STANDARD"}));
        let template = resource(&assembly, "karmada-cluster", "Nodes/LaunchTemplate");
        let ebs = &template["Properties"]["LaunchTemplateData"]["BlockDeviceMappings"][0]["Ebs"];
        assert_eq!((ebs["Iops"].clone(), ebs["VolumeType"].clone()), (json!(4000), json!("gp3")));
        let notes = &assembly.stack("karmada-cluster").unwrap().notes;
        assert!(notes.iter().any(|n| n.starts_with("override: set Properties.Labels.team of karmada-cluster/Nodes/Resource (Nodes")), "{notes:?}");
        let logs = resource(&assembly, "karmada-network", "Vpc/FlowLog/LogGroup");
        assert!(logs["Properties"].get("RetentionInDays").is_none());
        assert!(assembly.stack("karmada-network").unwrap().notes.iter().any(|n| n.starts_with("override: deleted")));
    }

    fn refused(text: &str) -> String {
        let e: Result<(), ConfigError> = config(text).and_then(|c| match KarmadaApp::new(&c) {
            Err(crate::karmada::KarmadaError::Config(e)) => Err(e),
            Err(other) => panic!("not a config error: {other}"),
            Ok(_) => panic!("accepted: {text}"),
        });
        crate::core::hints::rendered(&e.expect_err("refused"))
    }

    const NODES: &str = "[[overrides]]\nstack = \"karmada-cluster\"\nresource = \"Nodes\"\n";

    #[test]
    fn a_property_the_resource_type_does_not_declare_is_refused_with_the_nearest() {
        let e = refused(&format!("{NODES}path = \"Properties.Lables.team\"\nvalue = \"platform\"\n"));
        assert!(
            e.starts_with("overrides[0].path: cannot set Properties.Lables.team of karmada-cluster/Nodes/Resource"),
            "{e}"
        );
        assert!(e.contains("AWS::EKS::Nodegroup declares no property Lables"), "{e}");
        assert!(e.contains("hint: the nearest are: Labels"), "{e}");
        let e = refused(&format!("{NODES}path = \"Properties.ScalingConfig.MaxSise\"\nvalue = 6\n"));
        assert!(e.contains("Properties.ScalingConfig declares no property MaxSise") && e.contains("MaxSize"), "{e}");
    }

    #[test]
    fn a_reference_to_what_the_stack_does_not_declare_is_refused_with_the_nearest() {
        let e = refused(&format!("{NODES}path = \"Properties.NodeRole\"\nvalue = {{ Ref = \"NoSuchLogicalId\" }}\n"));
        assert!(
            e.starts_with(
                "overrides[0].value: refers to \"NoSuchLogicalId\", which stack karmada-cluster does not declare"
            ),
            "{e}"
        );
        assert!(e.contains("Unresolved resource dependencies"), "{e}");
        let e = refused(&format!(
            "{NODES}path = \"Properties.Labels.x\"\nvalue = {{ \"Fn::GetAtt\" = [\"Nowhere\", \"Arn\"] }}\n"
        ));
        assert!(e.contains("refers to \"Nowhere\""), "{e}");
        // What the stack declares, and pseudo parameters, are fine.
        let assembly =
            synth(&format!("{NODES}path = \"Properties.Labels.region\"\nvalue = {{ Ref = \"AWS::Region\" }}\n"))
                .unwrap();
        let nodes = resource(&assembly, "karmada-cluster", "Nodes/Resource");
        assert_eq!(nodes["Properties"]["Labels"]["region"], json!({"Ref": "AWS::Region"}));
    }

    #[test]
    fn unknown_stack_names_the_field_and_the_nearest_stacks() {
        let e = refused(
            "[[overrides]]\nstack = \"karmada-clustr\"\nresource = \"Nodes\"\npath = \"Properties.X\"\nvalue = 1\n",
        );
        assert_eq!(
            e,
            "overrides[0].stack: the app has no stack \"karmada-clustr\"\n  hint: the nearest stacks are: karmada-cluster (all: `karmada-eks list`)"
        );
    }

    #[test]
    fn unknown_resource_names_the_field_and_the_nearest_resources() {
        let e = refused(&format!("{}path = \"Properties.X\"\nvalue = 1\n", NODES.replace("\"Nodes\"", "\"Nodez\"")));
        assert!(e.starts_with("overrides[0].resource: stack karmada-cluster has no resource \"Nodez\"\n  hint: give a logical ID or a construct path as in the template's aws:cdk:path; the nearest are: Nodes/"), "{e}");
    }

    #[test]
    fn deleting_an_absent_property_names_the_path_and_the_nearest_keys() {
        let e = refused(&format!("{NODES}path = \"Properties.Tag\"\ndelete = true\n"));
        assert!(e.starts_with("overrides[0].path: cannot delete Properties.Tag of karmada-cluster/Nodes"), "{e}");
        assert!(
            e.ends_with(": there is no Properties.Tag to delete\n  hint: the nearest existing keys are: Tags"),
            "{e}"
        );
    }

    #[test]
    fn a_path_into_a_scalar_or_out_of_range_is_refused() {
        let e = refused(&format!("{NODES}path = \"Properties.AmiType.x\"\nvalue = 1\n"));
        assert!(e.contains("Properties.AmiType is a single value: it has no x"), "the schema says so first: {e}");
        let e = refused(&format!("{NODES}path = \"Properties.Subnets.9\"\nvalue = \"subnet-1\"\n"));
        assert!(e.contains("Properties.Subnets is an array of 3 items; \"9\" is not one of its indexes\n  hint: indexes run from 0 to 2; 3 as the last component appends"), "{e}");
    }

    #[test]
    fn shape_errors_are_found_when_the_config_is_read() {
        let e = config(&format!("{NODES}path = \"Labels.team\"\nvalue = 1\n")).unwrap_err().to_string();
        assert!(e.starts_with("overrides[0].path: \"Labels\" is not a key of a resource"), "{e}");
        let e = rendered(&config(&format!("{NODES}path = \"Properties.X\"\n")).unwrap_err());
        assert_eq!(e, "overrides[0].value: is missing\n  hint: give the `value` to set, or `delete = true` to remove the property");
        let e = config(&format!("{NODES}path = \"Properties.X\"\nvalue = 1\ndelete = true\n")).unwrap_err().to_string();
        assert!(e.starts_with("overrides[0].delete: is set together with `value`"), "{e}");
        let e =
            config("[[overrides]]\nstack = \"\"\nresource = \"r\"\npath = \"Properties.X\"\nvalue = 1\n").unwrap_err();
        assert_eq!(e.field, "overrides[0].stack");
        let e =
            config("[[overrides]]\nstack = \"s\"\nresource = \"\"\npath = \"Properties.X\"\nvalue = 1\n").unwrap_err();
        assert_eq!(e.field, "overrides[0].resource");
        let e = config("[[overrides]]\nstack = \"s\"\npath = \"Properties.X\"\nvalue = 1\n").unwrap_err();
        assert!(e.field.starts_with("overrides[0]") && e.message.contains("resource"), "{e}");
        let e = config(&format!("{NODES}path = \"Properties..X\"\nvalue = 1\n")).unwrap_err();
        assert_eq!(rendered(&e), "overrides[0].path: path \"Properties..X\" has an empty component");
    }

    #[test]
    fn the_second_entry_is_named_by_its_index() {
        let text = format!("{NODES}path = \"Properties.Labels.a\"\nvalue = \"1\"\n{NODES}path = \"Properties.Nope.b\"\ndelete = true\n");
        assert!(refused(&text).starts_with("overrides[1].path: cannot delete"));
    }

    #[test]
    fn toml_values_of_every_kind_become_json() {
        let v: toml::Table = toml::from_str("a = [1, 2.5, true, \"s\", { k = 1979-05-27 }]").unwrap();
        assert_eq!(to_json(&v["a"]), json!([1, 2.5, true, "s", {"k": "1979-05-27"}]));
    }
}
