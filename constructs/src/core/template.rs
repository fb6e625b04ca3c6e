//! Rendering a stack into its CloudFormation template, with deterministic key order.

use indexmap::IndexMap;
use serde_json::{json, Map, Value};

use super::resolve::{reads_stack_output, Resolver};
use super::resource::Resource;
use super::stack::Stack;

/// The metadata key that holds a resource's construct path, `<stack>/<path>`, as the AWS CDK writes it.
pub const CDK_PATH: &str = "aws:cdk:path";

/// CloudFormation's hard limits that synth enforces.
pub const MAX_RESOURCES: usize = 500;
pub const MAX_OUTPUTS: usize = 200;
pub const MAX_PARAMETERS: usize = 200;
pub const MAX_TEMPLATE_BYTES: usize = 1_000_000;
/// Largest template that `CreateStack`/`CreateChangeSet` accept inline (`TemplateBody`); larger needs S3.
pub const MAX_INLINE_TEMPLATE_BYTES: usize = 51_200;

/// The parts of a template after references are resolved against the stack that holds them.
pub(crate) struct Rendered {
    pub parameters: IndexMap<String, Value>,
    pub conditions: Map<String, Value>,
    pub resources: Map<String, Value>,
    pub outputs: Map<String, Value>,
}

/// Renders `stack` with `entries`, its resources' template entries after aspects and overrides.
pub(crate) fn render_parts(stack: &Stack, entries: IndexMap<String, Value>, resolver: &mut Resolver) -> Rendered {
    let parameters =
        stack.parameters.iter().map(|(k, p)| (k.clone(), serde_json::to_value(p).unwrap_or(Value::Null))).collect();
    let conditions = stack
        .conditions
        .iter()
        .map(|(k, c)| {
            let value = resolver.resolve(serde_json::to_value(c).unwrap_or(Value::Null));
            if reads_stack_output(&value) {
                resolver.errors.push(format!(
                    "condition {k} uses a value of another stack; CloudFormation allows Fn::GetStackOutput only in resource properties, so decide it at synth time"
                ));
            }
            (k.clone(), value)
        })
        .collect();
    let resources = entries.into_iter().map(|(id, entry)| (id, resolver.resolve(entry))).collect();
    let outputs = stack
        .outputs
        .iter()
        .map(|(name, o)| {
            let mut out = Map::new();
            if let Some(d) = &o.description {
                out.insert("Description".into(), json!(d));
            }
            let value = resolver.resolve(serde_json::to_value(&o.value).unwrap_or(Value::Null));
            if reads_stack_output(&value) {
                resolver.errors.push(format!(
                    "output {name} passes on a value of another stack; CloudFormation refuses Fn::GetStackOutput in an output's Value, so refer to the producing stack's resource directly"
                ));
            }
            out.insert("Value".into(), value);
            if let Some(export) = &o.export_name {
                out.insert("Export".into(), json!({"Name": export}));
            }
            (name.clone(), Value::Object(out))
        })
        .collect();
    Rendered { parameters, conditions, resources, outputs }
}

/// The template entry of `resource` of stack `stack` before overrides and before references are resolved.
pub(crate) fn unresolved(stack: &str, resource: &Resource) -> Value {
    let mut out = Map::new();
    out.insert("Type".into(), json!(resource.type_name));
    if resource.properties.as_object().is_some_and(|p| !p.is_empty()) {
        out.insert("Properties".into(), resource.properties.clone());
    }
    let o = &resource.options;
    if !o.depends_on.is_empty() {
        out.insert("DependsOn".into(), json!(o.depends_on));
    }
    if let Some(c) = &o.condition {
        out.insert("Condition".into(), json!(c));
    }
    if let Some(p) = &o.creation_policy {
        out.insert("CreationPolicy".into(), p.clone());
    }
    if let Some(p) = o.deletion_policy {
        out.insert("DeletionPolicy".into(), json!(p));
    }
    if let Some(p) = o.update_replace_policy {
        out.insert("UpdateReplacePolicy".into(), json!(p));
    }
    let mut metadata = Map::new();
    metadata.insert(CDK_PATH.into(), json!(format!("{stack}/{}", resource.path)));
    for (k, v) in &o.metadata {
        metadata.insert(k.clone(), v.clone());
    }
    out.insert("Metadata".into(), Value::Object(metadata));
    Value::Object(out)
}

/// Assembles the final template object.
pub(crate) fn assemble(description: Option<&str>, rendered: Rendered) -> Value {
    let mut t = Map::new();
    t.insert("AWSTemplateFormatVersion".into(), json!("2010-09-09"));
    if let Some(d) = description {
        t.insert("Description".into(), json!(d));
    }
    if !rendered.parameters.is_empty() {
        t.insert("Parameters".into(), Value::Object(rendered.parameters.into_iter().collect()));
    }
    if !rendered.conditions.is_empty() {
        t.insert("Conditions".into(), Value::Object(rendered.conditions));
    }
    t.insert("Resources".into(), Value::Object(rendered.resources));
    if !rendered.outputs.is_empty() {
        t.insert("Outputs".into(), Value::Object(rendered.outputs));
    }
    Value::Object(t)
}

/// Serialized template text as written to disk and submitted: two-space pretty JSON plus a newline.
pub fn to_body(template: &Value) -> String {
    let mut body = serde_json::to_string_pretty(template).unwrap_or_default();
    body.push('\n');
    body
}
