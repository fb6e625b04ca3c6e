//! What each resource type the library emits declares, as CloudFormation's resource provider schemas say
//! (`schema.json`, written by `bin/gen-cfn-schema` from the copies cfn-lint ships; never edited by hand): the
//! property names at every level, which parts are maps (any key) and which are arrays. An override that writes
//! a name the type does not declare is refused by CloudFormation at deploy ("Encountered unsupported property");
//! [`check`] refuses it at synth, with the nearest names.

use serde_json::Value;
use std::sync::OnceLock;

use crate::core::overrides::nearest;

/// The attributes a resource has beside its properties (CloudFormation User Guide, "Resource attribute reference",
/// with `Type` and `Properties`).
pub const RESOURCE_ATTRIBUTES: [&str; 9] = [
    "Type",
    "Properties",
    "DependsOn",
    "Condition",
    "Metadata",
    "DeletionPolicy",
    "UpdateReplacePolicy",
    "UpdatePolicy",
    "CreationPolicy",
];

fn schema() -> &'static Value {
    static SCHEMA: OnceLock<Value> = OnceLock::new();
    SCHEMA.get_or_init(|| serde_json::from_str(include_str!("schema.json")).expect("schema.json is JSON"))
}

/// The AWS regions CloudFormation had on the schemas' date (`_source` of schema.json), every partition's.
pub fn regions() -> Vec<&'static str> {
    schema()["_regions"].as_array().into_iter().flatten().filter_map(Value::as_str).collect()
}

/// The EC2 instance types of some region, sorted.
pub fn instance_types() -> Vec<&'static str> {
    schema()["_instance_types"].as_array().into_iter().flatten().filter_map(Value::as_str).collect()
}

/// The date of the schemas, `YYYY-MM-DD`.
pub fn schema_date() -> &'static str {
    let source = schema()["_source"].as_str().unwrap_or_default();
    source.rsplit(' ').next().and_then(|d| d.get(..10)).unwrap_or_default()
}

/// Where a path leaves what its resource type declares.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Miss {
    /// The path up to and including the step that is not declared, dot-separated.
    pub at: String,
    /// Why, e.g. `AWS::EKS::Nodegroup declares no property Lables`.
    pub message: String,
    /// The names declared there, nearest first (empty where nothing is named: a value, an array).
    pub nearest: Vec<String>,
}

/// Checks `path` (from the resource's root: `Properties.Labels.team`) against `resource_type`'s schema. A type
/// the schema does not describe, and anything below a part it leaves open, passes.
pub fn check(resource_type: &str, path: &[String]) -> Result<(), Miss> {
    let Some((first, rest)) = path.split_first() else { return Ok(()) };
    let at = |n: usize| path[..=n].join(".");
    if !RESOURCE_ATTRIBUTES.contains(&first.as_str()) {
        return Err(Miss {
            at: first.clone(),
            message: format!("a resource has no attribute {first}"),
            nearest: nearest(first, RESOURCE_ATTRIBUTES.into_iter()),
        });
    }
    let Some(mut node) = schema().get(resource_type).filter(|_| first == "Properties").map(Node::Object) else {
        return Ok(());
    };
    for (i, step) in rest.iter().enumerate() {
        node = match node {
            Node::Any => return Ok(()),
            Node::Object(props) => match props.get(step.as_str()) {
                Some(n) => Node::of(n),
                None => {
                    let names = props.as_object().into_iter().flat_map(|m| m.keys().map(String::as_str));
                    let owner = if i == 0 { resource_type.to_string() } else { format!("{resource_type} {}", at(i)) };
                    return Err(Miss {
                        at: at(i + 1),
                        message: format!("{owner} declares no property {step}"),
                        nearest: nearest(step, names),
                    });
                }
            },
            Node::Map(values) => Node::of(values),
            Node::Array(items) => {
                if step.parse::<usize>().is_err() {
                    return Err(Miss {
                        at: at(i + 1),
                        message: format!("{} is a list: {step} is not an index", at(i)),
                        nearest: Vec::new(),
                    });
                }
                Node::of(items)
            }
            Node::Scalar => {
                return Err(Miss {
                    at: at(i + 1),
                    message: format!("{} is a single value: it has no {step}", at(i)),
                    nearest: Vec::new(),
                })
            }
        };
    }
    Ok(())
}

/// One level of the generated tree: `"s"`, `"*"`, `{"o": {...}}`, `{"m": n}`, `{"a": n}`.
enum Node<'a> {
    Scalar,
    Any,
    Object(&'a Value),
    Map(&'a Value),
    Array(&'a Value),
}

impl<'a> Node<'a> {
    fn of(v: &'a Value) -> Node<'a> {
        match v {
            Value::String(s) if s == "s" => Node::Scalar,
            Value::Object(m) => match (m.get("o"), m.get("m"), m.get("a")) {
                (Some(o), _, _) => Node::Object(o),
                (_, Some(values), _) => Node::Map(values),
                (_, _, Some(items)) => Node::Array(items),
                _ => Node::Any,
            },
            _ => Node::Any,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path(p: &str) -> Vec<String> {
        p.split('.').map(str::to_string).collect()
    }

    #[test]
    fn declared_paths_pass_at_every_level() {
        for p in [
            "Properties.Labels.team",
            "Properties.ScalingConfig.MinSize",
            "Properties.Taints.0.Effect",
            "Properties.InstanceTypes.1",
            "DependsOn",
            "UpdateReplacePolicy",
            "Metadata.anything.below",
        ] {
            assert_eq!(check("AWS::EKS::Nodegroup", &path(p)), Ok(()), "{p}");
        }
        assert_eq!(check("AWS::IAM::Role", &path("Properties.AssumeRolePolicyDocument.Statement.0.Effect")), Ok(()));
        assert_eq!(check("Custom::Thing", &path("Properties.Whatever")), Ok(()), "a type not described passes");
    }

    #[test]
    fn a_name_the_type_does_not_declare_is_refused_with_the_nearest() {
        let miss = check("AWS::EKS::Nodegroup", &path("Properties.Lables.team")).unwrap_err();
        assert_eq!(miss.at, "Properties.Lables");
        assert_eq!(miss.message, "AWS::EKS::Nodegroup declares no property Lables");
        assert_eq!(miss.nearest.first().map(String::as_str), Some("Labels"));
        let nested = check("AWS::EKS::Nodegroup", &path("Properties.ScalingConfig.MinSise")).unwrap_err();
        assert_eq!(nested.message, "AWS::EKS::Nodegroup Properties.ScalingConfig declares no property MinSise");
        assert_eq!(nested.nearest.first().map(String::as_str), Some("MinSize"));
        let attribute = check("AWS::EKS::Nodegroup", &path("Propertie.Labels")).unwrap_err();
        assert_eq!(attribute.nearest.first().map(String::as_str), Some("Properties"));
        assert!(check("AWS::EKS::Nodegroup", &path("Properties.DiskSize.Gib")).is_err(), "into a number");
        assert!(check("AWS::EKS::Nodegroup", &path("Properties.Taints.first")).is_err(), "a list takes indexes");
        assert!(check("AWS::EKS::Nodegroup", &path("Properties.Arn")).is_err(), "read-only: not settable");
    }

    #[test]
    fn the_regions_of_every_partition_are_listed() {
        let regions = regions();
        for r in ["us-east-1", "eu-central-1", "cn-north-1", "us-gov-west-1", "ap-southeast-7", "mx-central-1"] {
            assert!(regions.contains(&r), "{r}");
        }
        assert!(!regions.contains(&"us-east-9") && !regions.contains(&"sam"));
        assert_eq!(schema_date().len(), 10);
    }

    #[test]
    fn every_type_the_library_emits_is_described() {
        let source = [
            include_str!("ec2.rs"),
            include_str!("eks.rs"),
            include_str!("elbv2.rs"),
            include_str!("iam.rs"),
            include_str!("kms.rs"),
            include_str!("logs.rs"),
            include_str!("s3.rs"),
            include_str!("secretsmanager.rs"),
            include_str!("ssm.rs"),
        ]
        .concat();
        for name in source.split('"').filter(|s| s.starts_with("AWS::") && s.matches("::").count() == 2) {
            assert!(schema().get(name).is_some(), "{name} is not in schema.json: run bin/gen-cfn-schema");
        }
    }
}
