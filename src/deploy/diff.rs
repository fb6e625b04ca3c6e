//! Comparing a local template with the deployed one: resources added, removed and modified (with the property
//! paths that differ), other sections, and a security section listing IAM statements and security-group rules
//! that appear or disappear.

use serde_json::{Map, Value};
use std::collections::BTreeSet;

/// One resource-level difference.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ResourceDiff {
    Added {
        id: String,
        resource_type: String,
    },
    Removed {
        id: String,
        resource_type: String,
    },
    /// `paths`: each differing property path with old and new value (compact JSON; absent is `-`).
    Modified {
        id: String,
        resource_type: String,
        paths: Vec<(String, String, String)>,
    },
}

/// Everything that differs between two templates.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TemplateDiff {
    pub resources: Vec<ResourceDiff>,
    /// Paths outside Resources that differ (Parameters, Outputs, Conditions, ...).
    pub other: Vec<String>,
    /// IAM statements and security-group rules only in the new template.
    pub security_added: Vec<String>,
    /// IAM statements and security-group rules only in the old template.
    pub security_removed: Vec<String>,
}

impl TemplateDiff {
    pub fn is_empty(&self) -> bool {
        self.resources.is_empty() && self.other.is_empty()
    }
}

/// The differences from `old` (deployed; `Value::Null` when there is none) to `new` (local).
pub fn compare(old: &Value, new: &Value) -> TemplateDiff {
    let empty = Map::new();
    let old_res = old["Resources"].as_object().unwrap_or(&empty);
    let new_res = new["Resources"].as_object().unwrap_or(&empty);
    let mut resources = Vec::new();
    for (id, r) in new_res {
        let resource_type = r["Type"].as_str().unwrap_or_default().to_string();
        match old_res.get(id) {
            None => resources.push(ResourceDiff::Added { id: id.clone(), resource_type }),
            Some(o) if o != r => {
                let mut paths = Vec::new();
                value_paths(o, r, String::new(), &mut paths);
                resources.push(ResourceDiff::Modified { id: id.clone(), resource_type, paths });
            }
            Some(_) => {}
        }
    }
    for (id, r) in old_res {
        if !new_res.contains_key(id) {
            resources.push(ResourceDiff::Removed {
                id: id.clone(),
                resource_type: r["Type"].as_str().unwrap_or_default().to_string(),
            });
        }
    }
    let mut other = Vec::new();
    let sections: BTreeSet<&String> = old
        .as_object()
        .into_iter()
        .chain(new.as_object())
        .flat_map(|m| m.keys())
        .filter(|k| k.as_str() != "Resources")
        .collect();
    for section in sections {
        let mut paths = Vec::new();
        value_paths(&old[section.as_str()], &new[section.as_str()], section.clone(), &mut paths);
        other.extend(paths.into_iter().map(|(p, _, _)| p));
    }
    let old_sec = security_items(old);
    let new_sec = security_items(new);
    TemplateDiff {
        resources,
        other,
        security_added: new_sec.difference(&old_sec).cloned().collect(),
        security_removed: old_sec.difference(&new_sec).cloned().collect(),
    }
}

fn compact(v: &Value) -> String {
    if v.is_null() {
        "-".into()
    } else {
        serde_json::to_string(v).unwrap_or_default()
    }
}

/// Collects the paths where `a` and `b` differ, with both values.
fn value_paths(a: &Value, b: &Value, path: String, out: &mut Vec<(String, String, String)>) {
    if a == b {
        return;
    }
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let keys: BTreeSet<&String> = x.keys().chain(y.keys()).collect();
            for k in keys {
                let p = if path.is_empty() { k.clone() } else { format!("{path}.{k}") };
                value_paths(x.get(k).unwrap_or(&Value::Null), y.get(k).unwrap_or(&Value::Null), p, out);
            }
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            for (i, (u, v)) in x.iter().zip(y).enumerate() {
                value_paths(u, v, format!("{path}[{i}]"), out);
            }
        }
        _ => out.push((path, compact(a), compact(b))),
    }
}

/// Every IAM statement and security-group rule of a template, one compact line each.
pub fn security_items(template: &Value) -> BTreeSet<String> {
    let mut items = BTreeSet::new();
    let Some(resources) = template["Resources"].as_object() else { return items };
    for (id, r) in resources {
        let p = &r["Properties"];
        let statements = |doc: &Value| doc["Statement"].as_array().cloned().unwrap_or_default();
        match r["Type"].as_str().unwrap_or_default() {
            "AWS::IAM::Role" => {
                for s in statements(&p["AssumeRolePolicyDocument"]) {
                    items.insert(format!("IAM {id} trust: {}", compact(&s)));
                }
                for policy in p["Policies"].as_array().into_iter().flatten() {
                    for s in statements(&policy["PolicyDocument"]) {
                        items.insert(format!("IAM {id} policy: {}", compact(&s)));
                    }
                }
                for arn in p["ManagedPolicyArns"].as_array().into_iter().flatten() {
                    items.insert(format!("IAM {id} managed policy: {}", compact(arn)));
                }
            }
            "AWS::IAM::Policy" | "AWS::IAM::ManagedPolicy" => {
                for s in statements(&p["PolicyDocument"]) {
                    items.insert(format!("IAM {id} policy: {}", compact(&s)));
                }
            }
            "AWS::KMS::Key" => {
                for s in statements(&p["KeyPolicy"]) {
                    items.insert(format!("KMS {id} key policy: {}", compact(&s)));
                }
            }
            "AWS::EC2::SecurityGroup" => {
                for rule in p["SecurityGroupIngress"].as_array().into_iter().flatten() {
                    items.insert(format!("SG {id} ingress: {}", compact(rule)));
                }
                for rule in p["SecurityGroupEgress"].as_array().into_iter().flatten() {
                    items.insert(format!("SG {id} egress: {}", compact(rule)));
                }
            }
            "AWS::EC2::SecurityGroupIngress" => {
                items.insert(format!("SG ingress {id}: {}", compact(p)));
            }
            "AWS::EC2::SecurityGroupEgress" => {
                items.insert(format!("SG egress {id}: {}", compact(p)));
            }
            _ => {}
        }
    }
    items
}

/// The diff as text; `color` adds ANSI colours.
pub fn render(stack: &str, region: &str, deployed: bool, diff: &TemplateDiff, color: bool) -> String {
    let paint = |code: &str, text: String| crate::color::paint(color, code, &text);
    let mut out = format!("Stack {stack} ({region}){}\n", if deployed { "" } else { " [not deployed]" });
    if diff.is_empty() {
        out.push_str("There were no differences\n");
        return out;
    }
    if !diff.resources.is_empty() {
        out.push_str("Resources\n");
    }
    for r in &diff.resources {
        match r {
            ResourceDiff::Added { id, resource_type } => {
                out.push_str(&paint("32", format!("[+] {resource_type} {id}")));
                out.push('\n');
            }
            ResourceDiff::Removed { id, resource_type } => {
                out.push_str(&paint("31", format!("[-] {resource_type} {id}")));
                out.push('\n');
            }
            ResourceDiff::Modified { id, resource_type, paths } => {
                out.push_str(&paint("33", format!("[~] {resource_type} {id}")));
                out.push('\n');
                for (path, old, new) in paths {
                    out.push_str(&format!("    {path}: {old} -> {new}\n"));
                }
            }
        }
    }
    if !diff.other.is_empty() {
        out.push_str("Other changes\n");
        for path in &diff.other {
            out.push_str(&paint("33", format!("[~] {path}")));
            out.push('\n');
        }
    }
    if !diff.security_added.is_empty() || !diff.security_removed.is_empty() {
        out.push_str("Security (IAM statements, security-group rules)\n");
        for item in &diff.security_added {
            out.push_str(&paint("32", format!("[+] {item}")));
            out.push('\n');
        }
        for item in &diff.security_removed {
            out.push_str(&paint("31", format!("[-] {item}")));
            out.push('\n');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn finds_added_removed_and_modified_paths_and_security_changes() {
        let old = json!({"Resources": {
            "A": {"Type": "AWS::EC2::Subnet", "Properties": {"CidrBlock": "10.0.0.0/24", "Tags": [{"Key": "a", "Value": "1"}]}},
            "Gone": {"Type": "AWS::SNS::Topic"},
            "Sg": {"Type": "AWS::EC2::SecurityGroup", "Properties": {"SecurityGroupIngress": [{"CidrIp": "10.0.0.0/8"}]}}
        }});
        let new = json!({"Resources": {
            "A": {"Type": "AWS::EC2::Subnet", "Properties": {"CidrBlock": "10.0.1.0/24", "Tags": [{"Key": "a", "Value": "2"}]}},
            "New": {"Type": "AWS::SNS::Topic"},
            "Sg": {"Type": "AWS::EC2::SecurityGroup", "Properties": {"SecurityGroupIngress": [{"CidrIp": "0.0.0.0/0"}]}}
        }, "Outputs": {"X": {"Value": "1"}}});
        let d = compare(&old, &new);
        let ResourceDiff::Modified { paths, .. } = &d.resources[0] else { panic!("{:?}", d.resources) };
        assert_eq!(
            paths.iter().map(|p| p.0.as_str()).collect::<Vec<_>>(),
            vec!["Properties.CidrBlock", "Properties.Tags[0].Value"]
        );
        assert!(d
            .resources
            .contains(&ResourceDiff::Added { id: "New".into(), resource_type: "AWS::SNS::Topic".into() }));
        assert!(d
            .resources
            .contains(&ResourceDiff::Removed { id: "Gone".into(), resource_type: "AWS::SNS::Topic".into() }));
        assert_eq!(d.other, vec!["Outputs"]);
        assert_eq!(d.security_added, vec![r#"SG Sg ingress: {"CidrIp":"0.0.0.0/0"}"#]);
        assert_eq!(d.security_removed, vec![r#"SG Sg ingress: {"CidrIp":"10.0.0.0/8"}"#]);
        assert!(compare(&new, &new).is_empty());
        let text = render("s", "r", true, &d, false);
        assert!(text.contains("[~] AWS::EC2::Subnet A\n    Properties.CidrBlock: \"10.0.0.0/24\" -> \"10.0.1.0/24\""));
    }
}
