//! Reading a deployed template that CloudFormation stores as YAML (the AWS CDK CLI submits YAML), with the
//! short-form intrinsic-function tags turned into the JSON long form, so `diff` compares like with like.
//!
//! The mapping follows the CloudFormation template reference, "Intrinsic function reference": `!Ref X` is
//! `{"Ref": "X"}`, `!Condition X` is `{"Condition": "X"}`, `!GetAtt A.B` is `{"Fn::GetAtt": ["A", "B"]}` (the
//! logical ID ends at the first dot; attribute names may hold dots), and every other `!Name value` is
//! `{"Fn::Name": value}`.

use saphyr::{LoadableYamlNode, Scalar, Yaml};
use serde_json::{Map, Number, Value};

/// Short-form tags CloudFormation accepts, written `!<tag>`, that become `{"Fn::<tag>": value}`.
pub const FN_TAGS: &[&str] = &[
    "Base64",
    "Cidr",
    "FindInMap",
    "GetAZs",
    "ImportValue",
    "Join",
    "Select",
    "Split",
    "Sub",
    "Transform",
    "If",
    "Equals",
    "Not",
    "And",
    "Or",
];

/// Why a template could not be read.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum TemplateParseError {
    #[error("the template is neither JSON nor YAML: {0}")]
    Syntax(String),
    #[error("the template is empty")]
    Empty,
    #[error("{path}: unknown tag {tag}; CloudFormation's short forms are !Ref, !Condition, !GetAtt and !{}", FN_TAGS.join(", !"))]
    UnknownTag { path: String, tag: String },
    #[error("{path}: {message}")]
    Invalid { path: String, message: String },
}

/// A template body as GetTemplate returns it: JSON, else YAML with short-form tags.
pub fn template_from_str(body: &str) -> Result<Value, TemplateParseError> {
    if body.trim_start().starts_with('{') {
        if let Ok(value) = serde_json::from_str(body) {
            return Ok(value);
        }
    }
    let docs = Yaml::load_from_str(body).map_err(|e| TemplateParseError::Syntax(e.to_string()))?;
    let doc = docs.into_iter().next().ok_or(TemplateParseError::Empty)?;
    to_json(&doc, "")
}

fn to_json(node: &Yaml, path: &str) -> Result<Value, TemplateParseError> {
    Ok(match node {
        Yaml::Value(scalar) => scalar_json(scalar),
        Yaml::Representation(text, _, _) => Value::String(text.to_string()),
        Yaml::Sequence(items) => Value::Array(
            items.iter().enumerate().map(|(i, v)| to_json(v, &format!("{path}[{i}]"))).collect::<Result<_, _>>()?,
        ),
        Yaml::Mapping(map) => {
            let mut out = Map::new();
            for (k, v) in map {
                let key = key_string(k).ok_or_else(|| TemplateParseError::Invalid {
                    path: path.to_string(),
                    message: "a mapping key is not a scalar".into(),
                })?;
                let child = if path.is_empty() { key.clone() } else { format!("{path}.{key}") };
                let value = to_json(v, &child)?;
                out.insert(key, value);
            }
            Value::Object(out)
        }
        Yaml::Tagged(tag, inner) => short_form(&tag.to_string(), inner, path)?,
        Yaml::Alias(_) | Yaml::BadValue => {
            return Err(TemplateParseError::Invalid { path: path.to_string(), message: "unresolved YAML node".into() })
        }
    })
}

fn short_form(tag: &str, inner: &Yaml, path: &str) -> Result<Value, TemplateParseError> {
    let name = tag.strip_prefix('!').filter(|n| !n.starts_with('!') && !n.contains('!')).unwrap_or(tag);
    let value = to_json(inner, path)?;
    let single = |key: &str, v: Value| Value::Object(Map::from_iter([(key.to_string(), v)]));
    Ok(match name {
        "Ref" | "Condition" => single(name, Value::String(scalar_text(&value, path, tag)?)),
        "GetAtt" => match value {
            Value::String(s) => {
                let (resource, attribute) = s.split_once('.').ok_or_else(|| TemplateParseError::Invalid {
                    path: path.to_string(),
                    message: format!("!GetAtt {s:?} needs the form LogicalId.Attribute"),
                })?;
                single("Fn::GetAtt", Value::Array(vec![resource.into(), attribute.into()]))
            }
            list @ Value::Array(_) => single("Fn::GetAtt", list),
            other => {
                return Err(TemplateParseError::Invalid {
                    path: path.to_string(),
                    message: format!("!GetAtt takes LogicalId.Attribute or a list, not {other}"),
                })
            }
        },
        n if FN_TAGS.contains(&n) => single(&format!("Fn::{n}"), value),
        _ => return Err(TemplateParseError::UnknownTag { path: path.to_string(), tag: tag.to_string() }),
    })
}

/// The text of a scalar used as a name (`!Ref 8080` names the parameter "8080").
fn scalar_text(value: &Value, path: &str, tag: &str) -> Result<String, TemplateParseError> {
    match value {
        Value::String(s) => Ok(s.clone()),
        Value::Number(n) => Ok(n.to_string()),
        Value::Bool(b) => Ok(b.to_string()),
        other => Err(TemplateParseError::Invalid {
            path: path.to_string(),
            message: format!("{tag} takes a name, not {other}"),
        }),
    }
}

fn scalar_json(scalar: &Scalar) -> Value {
    match scalar {
        Scalar::Null => Value::Null,
        Scalar::Boolean(b) => Value::Bool(*b),
        Scalar::Integer(i) => Value::Number((*i).into()),
        Scalar::FloatingPoint(f) => Number::from_f64(f.into_inner()).map_or(Value::Null, Value::Number),
        Scalar::String(s) => Value::String(s.to_string()),
    }
}

fn key_string(key: &Yaml) -> Option<String> {
    match key {
        Yaml::Value(Scalar::String(s)) => Some(s.to_string()),
        Yaml::Value(Scalar::Null) => Some("null".into()),
        Yaml::Value(Scalar::Boolean(b)) => Some(b.to_string()),
        Yaml::Value(Scalar::Integer(i)) => Some(i.to_string()),
        Yaml::Value(Scalar::FloatingPoint(f)) => Some(f.to_string()),
        Yaml::Representation(text, _, _) => Some(text.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn every_short_form_tag_becomes_its_long_form() {
        let yaml = r#"
AWSTemplateFormatVersion: "2010-09-09"
Conditions:
  IsProd: !Equals [!Ref Env, prod]
  NotProd: !Not [!Condition IsProd]
  Both: !And [!Condition IsProd, !Or [!Condition IsProd, !Condition NotProd]]
Resources:
  Subnet:
    Type: AWS::EC2::Subnet
    Properties:
      VpcId: !Ref Vpc
      CidrBlock: !Select [0, !Cidr [!GetAtt Vpc.CidrBlock, 6, 8]]
      AvailabilityZone: !Select [1, !GetAZs ""]
      Tags:
        - Key: Name
          Value: !Sub "${AWS::StackName}-subnet"
        - Key: Joined
          Value: !Join [",", !Split ["|", "a|b"]]
        - Key: Mapped
          Value: !FindInMap [Map, !Ref "AWS::Region", Ami]
        - Key: Imported
          Value: !ImportValue shared-vpc
        - Key: Chosen
          Value: !If [IsProd, !Base64 "x", !Ref "AWS::NoValue"]
        - Key: Sub2
          Value: !Sub ["${A}.b", {A: !GetAtt [Vpc, DefaultSecurityGroup]}]
  Endpoint:
    Type: AWS::SNS::Topic
    Properties:
      TopicName: !GetAtt Cluster.Endpoint.Address
      Port: 32443
      Enabled: true
"#;
        let v = template_from_str(yaml).unwrap();
        assert_eq!(v["Conditions"]["IsProd"], json!({"Fn::Equals": [{"Ref": "Env"}, "prod"]}));
        assert_eq!(v["Conditions"]["NotProd"], json!({"Fn::Not": [{"Condition": "IsProd"}]}));
        assert_eq!(
            v["Conditions"]["Both"],
            json!({"Fn::And": [{"Condition": "IsProd"}, {"Fn::Or": [{"Condition": "IsProd"}, {"Condition": "NotProd"}]}]})
        );
        let p = &v["Resources"]["Subnet"]["Properties"];
        assert_eq!(p["VpcId"], json!({"Ref": "Vpc"}));
        assert_eq!(
            p["CidrBlock"],
            json!({"Fn::Select": [0, {"Fn::Cidr": [{"Fn::GetAtt": ["Vpc", "CidrBlock"]}, 6, 8]}]})
        );
        assert_eq!(p["AvailabilityZone"], json!({"Fn::Select": [1, {"Fn::GetAZs": ""}]}));
        assert_eq!(p["Tags"][0]["Value"], json!({"Fn::Sub": "${AWS::StackName}-subnet"}));
        assert_eq!(p["Tags"][1]["Value"], json!({"Fn::Join": [",", {"Fn::Split": ["|", "a|b"]}]}));
        assert_eq!(p["Tags"][2]["Value"], json!({"Fn::FindInMap": ["Map", {"Ref": "AWS::Region"}, "Ami"]}));
        assert_eq!(p["Tags"][3]["Value"], json!({"Fn::ImportValue": "shared-vpc"}));
        assert_eq!(p["Tags"][4]["Value"], json!({"Fn::If": ["IsProd", {"Fn::Base64": "x"}, {"Ref": "AWS::NoValue"}]}));
        assert_eq!(
            p["Tags"][5]["Value"],
            json!({"Fn::Sub": ["${A}.b", {"A": {"Fn::GetAtt": ["Vpc", "DefaultSecurityGroup"]}}]})
        );
        let e = &v["Resources"]["Endpoint"]["Properties"];
        assert_eq!(e["TopicName"], json!({"Fn::GetAtt": ["Cluster", "Endpoint.Address"]}));
        assert_eq!((e["Port"].clone(), e["Enabled"].clone()), (json!(32443), json!(true)));
    }

    #[test]
    fn json_is_read_as_json_and_yaml_of_the_same_template_compares_equal() {
        let json_body = r#"{"Resources": {"T": {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": {"Fn::Sub": "${AWS::StackName}-t"}}}}}"#;
        let yaml_body = "Resources:\n  T:\n    Type: AWS::SNS::Topic\n    Properties:\n      TopicName: !Sub '${AWS::StackName}-t'\n";
        let a = template_from_str(json_body).unwrap();
        let b = template_from_str(yaml_body).unwrap();
        assert_eq!(a, b);
        assert!(crate::deploy::diff::compare(&a, &b).is_empty());
    }

    #[test]
    fn bad_templates_name_the_place_and_the_problem() {
        let unknown = template_from_str("Resources:\n  T:\n    Type: !Bogus x\n").unwrap_err();
        assert_eq!(unknown, TemplateParseError::UnknownTag { path: "Resources.T.Type".into(), tag: "!Bogus".into() });
        assert!(unknown.to_string().contains("!Ref, !Condition, !GetAtt"));
        let getatt = template_from_str("A: !GetAtt NoDot\n").unwrap_err();
        assert!(getatt.to_string().starts_with("A: !GetAtt \"NoDot\" needs the form"), "{getatt}");
        assert!(matches!(template_from_str("a: [1, 2"), Err(TemplateParseError::Syntax(_))));
        assert_eq!(template_from_str(""), Err(TemplateParseError::Empty));
    }
}
