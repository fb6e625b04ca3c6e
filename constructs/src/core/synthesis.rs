//! Synthesis's walk of the aspects over a stack (the AWS CDK's `core/lib/private/synthesis.ts`): the order
//! [`super::aspect`] documents, each resource's overrides applied between its aspects' `visit`s and `check`s.

use indexmap::IndexMap;
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use super::aspect::{Aspect, Aspects, EntryNode, Report, ResourceNode, StackNode};
use super::error::SynthError;
use super::overrides;
use super::resource::Resource;
use super::stack::Stack;
use super::tags;
use super::template;

/// A stack after its aspects ran: each resource's template entry (references unresolved) in the original
/// order, stack tags and warnings.
pub(crate) struct Visited {
    pub entries: IndexMap<String, Value>,
    pub tags: BTreeMap<String, String>,
    pub warnings: Vec<String>,
}

/// Runs the app's aspects, then the stack's, over `stack`. Any error aborts, with every error reported.
pub(crate) fn visit(app: &Aspects, stack: &Stack) -> Result<Visited, SynthError> {
    let aspects: Vec<&Arc<dyn Aspect>> = app.0.iter().chain(&stack.aspects.0).collect();
    let mut reports = Vec::new();
    let mut stack_tags = BTreeMap::new();
    let mut node = StackNode { name: stack.name(), env: stack.env(), tags: &mut stack_tags, reports: &mut reports };
    for aspect in &aspects {
        aspect.visit_stack(&mut node);
    }
    let mut entries: Vec<Option<(String, Value)>> = vec![None; stack.resources.len()];
    for index in tree_order(&stack.resources) {
        let (id, original) = stack.resources.get_index(index).expect("index of the same map");
        let mut resource = original.clone();
        visit_one(&aspects, stack.name(), id, &mut resource, &mut reports);
        let mut entry = template::unresolved(stack.name(), &resource);
        for o in &resource.overrides {
            overrides::apply(&mut entry, o).map_err(|e| SynthError::Construct {
                stack: stack.name().into(),
                message: format!("{}: override {}: {e}", resource.path, o.path_text()),
            })?;
        }
        let mut node = EntryNode {
            stack: stack.name(),
            logical_id: id,
            path: &resource.path,
            entry: &entry,
            reports: &mut reports,
        };
        for aspect in &aspects {
            aspect.check(&mut node);
        }
        entries[index] = Some((id.clone(), entry));
    }
    let entries = entries.into_iter().map(|e| e.expect("every index visited")).collect();
    let errors: Vec<String> =
        reports.iter().filter(|r| r.error).map(|r| format!("{}: {}", r.path, r.message)).collect();
    if !errors.is_empty() {
        return Err(SynthError::Aspect { errors });
    }
    let warnings = reports.into_iter().map(|r| format!("{}: {}", r.path, r.message)).collect();
    Ok(Visited { entries, tags: stack_tags, warnings })
}

/// One resource of `stack` after its aspects' `visit`s, before its overrides; reports are dropped.
pub(crate) fn visit_resource(app: &Aspects, stack: &Stack, logical_id: &str) -> Option<Resource> {
    let aspects: Vec<&Arc<dyn Aspect>> = app.0.iter().chain(&stack.aspects.0).collect();
    let mut resource = stack.resources.get(logical_id)?.clone();
    visit_one(&aspects, stack.name(), logical_id, &mut resource, &mut Vec::new());
    Some(resource)
}

fn visit_one(
    aspects: &[&Arc<dyn Aspect>],
    stack: &str,
    logical_id: &str,
    resource: &mut Resource,
    reports: &mut Vec<Report>,
) {
    let mut wanted = Vec::new();
    let mut node = ResourceNode { stack, logical_id, resource, tags: &mut wanted, reports };
    for aspect in aspects {
        aspect.visit(&mut node);
    }
    tags::merge(resource, wanted);
}

/// Indexes of `resources` in construct-tree order: depth first, each node's children in the order the first
/// resource under each was added.
fn tree_order(resources: &IndexMap<String, Resource>) -> Vec<usize> {
    let mut seen: HashMap<&str, usize> = HashMap::new();
    let keys: Vec<Vec<usize>> = resources
        .values()
        .map(|r| {
            let ends = r.path.match_indices('/').map(|(i, _)| i).chain([r.path.len()]);
            ends.map(|end| {
                let next = seen.len();
                *seen.entry(&r.path[..end]).or_insert(next)
            })
            .collect()
        })
        .collect();
    let mut order: Vec<usize> = (0..resources.len()).collect();
    order.sort_by(|a, b| keys[*a].cmp(&keys[*b]));
    order
}
