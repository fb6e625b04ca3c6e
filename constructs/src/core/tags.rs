//! Tags as an aspect: [`ApplyTag`] tags every taggable resource under a construct path (and, for a whole stack,
//! the stack itself), as the AWS CDK's `Tags.of(scope).add(key, value)`. `Stack::tag` and `Scope::tag` add one.

use serde_json::{Map, Value};

use super::aspect::{Aspect, ResourceNode, StackNode};
use super::expr::Expr;
use super::resource::{Resource, TagFormat};

/// Adds tag `key` = `value` to every taggable resource whose construct path is `prefix` or under it (an empty
/// prefix: the whole stack, which then also carries it as a stack-level tag if the value is a literal string).
/// Tags a resource sets itself win; among aspects, a later one for the same key wins.
#[derive(Clone, Debug, PartialEq)]
pub struct ApplyTag {
    pub prefix: String,
    pub key: String,
    pub value: Expr,
}

impl ApplyTag {
    pub fn new(prefix: impl Into<String>, key: impl Into<String>, value: impl Into<Expr>) -> Self {
        ApplyTag { prefix: prefix.into(), key: key.into(), value: value.into() }
    }
}

impl Aspect for ApplyTag {
    fn visit_stack(&self, stack: &mut StackNode<'_>) {
        if let (true, Some(value)) = (self.prefix.is_empty(), self.value.as_str()) {
            stack.set_tag(&self.key, value);
        }
    }

    fn visit(&self, node: &mut ResourceNode<'_>) {
        if node.is_taggable() && covers(&self.prefix, node.path()) {
            node.set_tag(&self.key, serde_json::to_value(&self.value).unwrap_or(Value::Null));
        }
    }
}

/// Merges `wanted` (key, value) into `resource`'s `Tags` property, after the tags it sets itself.
pub(crate) fn merge(resource: &mut Resource, wanted: Vec<(String, Value)>) {
    if wanted.is_empty() || resource.tag_format == TagFormat::None {
        return;
    }
    let Value::Object(props) = &mut resource.properties else { return };
    match resource.tag_format {
        TagFormat::List => {
            let tags = props.entry("Tags").or_insert_with(|| Value::Array(Vec::new()));
            if let Value::Array(list) = tags {
                for (key, value) in wanted {
                    if !list.iter().any(|t| t.get("Key").and_then(Value::as_str) == Some(key.as_str())) {
                        let mut tag = Map::new();
                        tag.insert("Key".into(), Value::String(key));
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
                    map.entry(key).or_insert(value);
                }
            }
        }
        TagFormat::None => {}
    }
}

fn covers(prefix: &str, path: &str) -> bool {
    prefix.is_empty() || path == prefix || path.strip_prefix(prefix).is_some_and(|rest| rest.starts_with('/'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::{App, CfnResource, Environment};
    use serde_json::json;

    #[derive(serde::Serialize)]
    struct Listed {
        #[serde(rename = "Tags", skip_serializing_if = "Vec::is_empty")]
        tags: Vec<Value>,
    }

    impl CfnResource for Listed {
        const TYPE: &'static str = "Test::Listed";
        const TAGS: TagFormat = TagFormat::List;
    }

    #[derive(serde::Serialize)]
    struct Mapped {}

    impl CfnResource for Mapped {
        const TYPE: &'static str = "Test::Mapped";
        const TAGS: TagFormat = TagFormat::Map;
    }

    #[derive(serde::Serialize)]
    struct Untaggable {
        #[serde(rename = "A")]
        a: u8,
    }

    impl CfnResource for Untaggable {
        const TYPE: &'static str = "Test::Untaggable";
        const TAGS: TagFormat = TagFormat::None;
    }

    /// Properties of each resource of the synthesized stack `s`, by construct path.
    fn synth(app: &App) -> Vec<(String, Value)> {
        let assembly = app.synth().unwrap();
        let resources = assembly.stacks[0].template["Resources"].as_object().unwrap().clone();
        resources
            .values()
            .map(|r| {
                let path = r["Metadata"]["aws:cdk:path"].as_str().unwrap().trim_start_matches("s/").to_string();
                (path, r.get("Properties").cloned().unwrap_or(Value::Null))
            })
            .collect()
    }

    #[test]
    fn stack_and_subtree_tags_merge_and_explicit_tags_win() {
        let mut app = App::new();
        let stack = app.add_stack("s", Environment::new(None, "eu-west-1"));
        stack.tag("app", "karmada");
        let mut s = stack.scope();
        s.child("Vpc").add("Subnet", Listed { tags: vec![json!({"Key": "app", "Value": "mine"})] });
        s.child("Vpc").tag("tier", "net");
        s.child("Other").tag("x", "y");
        s.add("VpcFlowLog", Listed { tags: vec![] });
        let out = synth(&app);
        assert_eq!(
            out[0],
            ("Vpc/Subnet".into(), json!({"Tags": [{"Key": "app", "Value": "mine"}, {"Key": "tier", "Value": "net"}]}))
        );
        // A prefix matches whole path components only.
        assert_eq!(out[1], ("VpcFlowLog".into(), json!({"Tags": [{"Key": "app", "Value": "karmada"}]})));
        assert_eq!(app.synth().unwrap().stacks[0].tags, [("app".to_string(), "karmada".to_string())].into());
    }

    #[test]
    fn a_later_tag_replaces_the_value_in_place() {
        let mut app = App::new();
        let stack = app.add_stack("s", Environment::new(None, "eu-west-1"));
        stack.tag("a", "1");
        stack.tag("b", "2");
        stack.scope().child("N").tag("a", "3");
        stack.scope().child("N").add("R", Listed { tags: vec![] });
        assert_eq!(synth(&app)[0].1["Tags"], json!([{"Key": "a", "Value": "3"}, {"Key": "b", "Value": "2"}]));
    }

    #[test]
    fn map_format_and_untaggable_types() {
        let mut app = App::new();
        let stack = app.add_stack("s", Environment::new(None, "eu-west-1"));
        stack.tag("app", "karmada");
        stack.scope().add("M", Mapped {});
        stack.scope().add("U", Untaggable { a: 1 });
        let out = synth(&app);
        assert_eq!(out[0].1, json!({"Tags": {"app": "karmada"}}));
        assert_eq!(out[1].1, json!({"A": 1}));
    }
}
