//! Applying stack and subtree tags to taggable resources.

use serde_json::{Map, Value};

use super::resource::{Resource, TagFormat};
use super::stack::TagRule;

/// Merges the rules that cover `resource` into its `Tags` property. Tags the resource sets itself win; among
/// rules, a later rule for the same key wins (a subtree tag beats a stack tag added before it).
pub(crate) fn apply(rules: &[TagRule], resource: &Resource) -> Value {
    let mut properties = resource.properties.clone();
    if resource.tag_format == TagFormat::None {
        return properties;
    }
    let mut wanted: Vec<(&str, Value)> = Vec::new();
    for rule in rules.iter().filter(|r| covers(&r.prefix, &resource.path)) {
        let value = serde_json::to_value(&rule.value).unwrap_or(Value::Null);
        match wanted.iter_mut().find(|(k, _)| *k == rule.key) {
            Some(slot) => slot.1 = value,
            None => wanted.push((&rule.key, value)),
        }
    }
    if wanted.is_empty() {
        return properties;
    }
    let Value::Object(props) = &mut properties else { return properties };
    match resource.tag_format {
        TagFormat::List => {
            let tags = props.entry("Tags").or_insert_with(|| Value::Array(Vec::new()));
            if let Value::Array(list) = tags {
                for (key, value) in wanted {
                    if !list.iter().any(|t| t.get("Key").and_then(Value::as_str) == Some(key)) {
                        let mut tag = Map::new();
                        tag.insert("Key".into(), Value::String(key.into()));
                        tag.insert("Value".into(), value);
                        list.push(Value::Object(tag));
                    }
                }
            }
        }
        TagFormat::Map => {
            let tags = props.entry("Tags").or_insert_with(|| Value::Object(Map::new()));
            if let Value::Object(map) = tags {
                for (key, value) in wanted {
                    map.entry(key.to_string()).or_insert(value);
                }
            }
        }
        TagFormat::None => {}
    }
    properties
}

fn covers(prefix: &str, path: &str) -> bool {
    prefix.is_empty() || path == prefix || path.strip_prefix(prefix).is_some_and(|rest| rest.starts_with('/'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::expr::Expr;
    use crate::core::resource::ResourceOptions;
    use serde_json::json;

    fn resource(path: &str, format: TagFormat, properties: Value) -> Resource {
        Resource {
            type_name: "T",
            path: path.into(),
            properties,
            tag_format: format,
            options: ResourceOptions::default(),
        }
    }

    fn rule(prefix: &str, key: &str, value: &str) -> TagRule {
        TagRule { prefix: prefix.into(), key: key.into(), value: Expr::lit(value) }
    }

    #[test]
    fn stack_and_subtree_rules_merge_and_explicit_tags_win() {
        let rules = [rule("", "app", "karmada"), rule("Vpc", "tier", "net"), rule("Other", "x", "y")];
        let r = resource("Vpc/Subnet", TagFormat::List, json!({"Tags": [{"Key": "app", "Value": "mine"}]}));
        assert_eq!(
            apply(&rules, &r)["Tags"],
            json!([{"Key": "app", "Value": "mine"}, {"Key": "tier", "Value": "net"}])
        );
    }

    #[test]
    fn map_format_and_untaggable_types() {
        let rules = [rule("", "app", "karmada")];
        assert_eq!(apply(&rules, &resource("N", TagFormat::Map, json!({})))["Tags"], json!({"app": "karmada"}));
        assert_eq!(apply(&rules, &resource("N", TagFormat::None, json!({"A": 1}))), json!({"A": 1}));
    }

    #[test]
    fn prefix_matches_whole_components_only() {
        let rules = [rule("Vpc", "tier", "net")];
        assert_eq!(apply(&rules, &resource("VpcFlowLog", TagFormat::List, json!({}))), json!({}));
    }
}
