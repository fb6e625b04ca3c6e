//! Measuring templates without writing them, and packing items into stacks that stay within CloudFormation's
//! limits.
//!
//! A template body is two-space pretty JSON (see [`super::template::to_body`]). In that format every resource is
//! one `"<id>": {...}` entry of the `Resources` object, so a stack's size is a fixed part plus one share per
//! resource, and the size of any non-empty subset of its resources follows from the shares: that is what
//! [`pack`] relies on, and what the tests of this module check against real renders.

use serde::Serialize;
use serde_json::Value;
use std::io;
use std::ops::Range;

use super::template::{MAX_INLINE_TEMPLATE_BYTES, MAX_OUTPUTS, MAX_PARAMETERS, MAX_RESOURCES};

/// Nesting depth of a resource's value in a template (`{ "Resources": { "<id>": <value> } }`).
const RESOURCE_DEPTH: usize = 2;
/// Spaces per nesting level of the pretty printer.
const INDENT: usize = 2;
/// `",\n"` between two entries of an object.
const SEPARATOR: usize = 2;

/// A stack's template as synth renders it on its own, measured.
///
/// Outputs that other stacks' references add to this stack are only known when the whole app is synthesized, so
/// the figures are exact for stacks that nothing references (consumers), and a lower bound otherwise.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StackSize {
    /// Bytes of the whole template body.
    pub bytes: usize,
    /// Each resource's share of `bytes`, in stack order: leaving the resource out of a stack that keeps at least
    /// one other resource makes the body exactly this much shorter.
    pub resource_bytes: Vec<usize>,
    pub parameters: usize,
    pub outputs: usize,
}

impl StackSize {
    /// Bytes of the template without its resources' shares: what every non-empty part of a split stack carries.
    pub fn fixed_bytes(&self) -> usize {
        self.bytes - self.resource_bytes.iter().sum::<usize>()
    }

    /// Whether the template is within every limit synth enforces (resources, outputs, parameters, inline bytes).
    pub fn within_limits(&self) -> bool {
        self.bytes <= MAX_INLINE_TEMPLATE_BYTES
            && self.resource_bytes.len() <= MAX_RESOURCES
            && self.outputs <= MAX_OUTPUTS
            && self.parameters <= MAX_PARAMETERS
    }
}

/// Bytes of `"<id>": <value>` as an entry of a template's `Resources` object, separator included.
pub(crate) fn resource_entry_bytes(id: &str, value: &Value) -> usize {
    let indent = INDENT * RESOURCE_DEPTH;
    indent + json_len(&id) + ": ".len() + pretty_len_at(value, RESOURCE_DEPTH) + SEPARATOR
}

/// Length of `value` as pretty JSON nested `depth` levels deep: every line after the first is indented further.
pub fn pretty_len_at(value: &impl Serialize, depth: usize) -> usize {
    let mut counter = Counter::default();
    if serde_json::to_writer_pretty(&mut counter, value).is_err() {
        return 0;
    }
    counter.bytes + counter.newlines * INDENT * depth
}

/// Length of `value` as compact JSON.
pub fn json_len(value: &impl Serialize) -> usize {
    let mut counter = Counter::default();
    if serde_json::to_writer(&mut counter, value).is_err() {
        return 0;
    }
    counter.bytes
}

/// The longest value each pseudo parameter takes (partition `aws-us-gov`, a 12-digit account, region
/// `ap-southeast-5`-length names, URL suffix `amazonaws.com.cn`), as `Fn::Sub` writes it.
const PSEUDO_BOUNDS: [(&str, usize); 4] =
    [("${AWS::Partition}", 10), ("${AWS::AccountId}", 12), ("${AWS::Region}", 14), ("${AWS::URLSuffix}", 16)];

/// At most how many characters `value` has as compact JSON once CloudFormation has resolved its intrinsics: an
/// `Fn::Sub` text counts with its pseudo parameters at their longest values, and any other intrinsic (a `Ref`, a
/// reference to another stack, an import, a `Fn::Sub` variable) as a string of `intrinsic_chars` characters.
/// For limits that AWS checks on the resolved value, such as IAM's policy size.
pub fn resolved_json_len_bound(value: &Value, intrinsic_chars: usize) -> usize {
    match value {
        Value::Object(map) if map.len() == 1 && is_intrinsic(map.keys().next().map_or("", String::as_str)) => {
            match map.get("Fn::Sub") {
                Some(Value::String(text)) => {
                    let mut len = json_len(text);
                    let mut variables = text.matches("${").count();
                    for (pseudo, bound) in PSEUDO_BOUNDS {
                        let n = text.matches(pseudo).count();
                        variables -= n;
                        len = len + n * bound - n * pseudo.len();
                    }
                    len + variables * intrinsic_chars.saturating_sub("${}".len())
                }
                _ => intrinsic_chars + 2,
            }
        }
        Value::Object(map) => {
            let entries: usize =
                map.iter().map(|(k, v)| json_len(k) + 1 + resolved_json_len_bound(v, intrinsic_chars)).sum();
            2 + entries + map.len().saturating_sub(1)
        }
        Value::Array(items) => {
            let entries: usize = items.iter().map(|v| resolved_json_len_bound(v, intrinsic_chars)).sum();
            2 + entries + items.len().saturating_sub(1)
        }
        other => json_len(other),
    }
}

fn is_intrinsic(key: &str) -> bool {
    key == "Ref" || key.starts_with("Fn::")
}

/// Splits items, in order, into consecutive groups that each fit one stack.
///
/// A group of items `S` placed in stack number `g` (from 0) weighs `fixed + Σ (item + extra(g))` bytes, where
/// `extra(g)` is what each item grows by in that stack (e.g. the stack name's suffix, which every resource's
/// `aws:cdk:path` repeats). Groups hold at most `max_items` items and weigh at most `max_bytes`; an item too big
/// for any group is reported by index as the error.
pub fn pack(
    fixed: usize,
    items: &[usize],
    extra: impl Fn(usize) -> usize,
    max_bytes: usize,
    max_items: usize,
) -> Result<Vec<Range<usize>>, usize> {
    let mut groups = Vec::new();
    let mut start = 0;
    let mut bytes = fixed;
    for (i, item) in items.iter().enumerate() {
        let cost = item + extra(groups.len());
        if i > start && (bytes + cost > max_bytes || i - start >= max_items) {
            groups.push(start..i);
            start = i;
            bytes = fixed;
        }
        let cost = item + extra(groups.len());
        if fixed + cost > max_bytes || max_items == 0 {
            return Err(i);
        }
        bytes += cost;
    }
    if start < items.len() {
        groups.push(start..items.len());
    }
    Ok(groups)
}

/// An `io::Write` that only counts.
#[derive(Default)]
struct Counter {
    bytes: usize,
    newlines: usize,
}

impl io::Write for Counter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.bytes += buf.len();
        self.newlines += buf.iter().filter(|&&b| b == b'\n').count();
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn pretty_len_at_depth_matches_a_nested_render() {
        let value = json!({"Type": "T", "Properties": {"A": [1, {"B": "x\"y"}], "C": {}}});
        let whole = serde_json::to_string_pretty(&json!({"R": {"Id": value.clone()}})).unwrap();
        let entry = whole.find("\"Id\": ").unwrap() + "\"Id\": ".len();
        let rendered = &whole[entry..whole.len() - "\n  }\n}".len()];
        assert_eq!(pretty_len_at(&value, 2), rendered.len());
        assert_eq!(json_len(&"a\"b"), 6);
    }

    #[test]
    fn resource_shares_predict_subsets_exactly() {
        let resources: Vec<(String, Value)> =
            (0..5).map(|i| (format!("Id{i}"), json!({"Type": "T", "Properties": {"N": "x".repeat(i * 7)}}))).collect();
        let render = |keep: &[usize]| {
            let map: serde_json::Map<String, Value> = keep.iter().map(|&i| resources[i].clone()).collect();
            serde_json::to_string_pretty(&json!({"AWSTemplateFormatVersion": "2010-09-09", "Resources": map}))
                .unwrap()
                .len()
                + 1
        };
        let shares: Vec<usize> = resources.iter().map(|(id, v)| resource_entry_bytes(id, v)).collect();
        let all = render(&[0, 1, 2, 3, 4]);
        for keep in [vec![0], vec![4], vec![1, 3], vec![0, 2, 4], vec![0, 1, 2, 3, 4]] {
            let dropped: usize = (0..5).filter(|i| !keep.contains(i)).map(|i| shares[i]).sum();
            assert_eq!(render(&keep), all - dropped, "{keep:?}");
        }
    }

    #[test]
    fn resolved_bound_counts_pseudo_parameters_at_their_longest() {
        let arn = json!({"Fn::Sub": "arn:${AWS::Partition}:eks:us-east-1:${AWS::AccountId}:cluster/a"});
        let resolved = "\"arn:aws-us-gov:eks:us-east-1:123456789012:cluster/a\"";
        assert_eq!(resolved_json_len_bound(&arn, 100), resolved.len());
        let doc = json!({"Resource": [arn.clone(), {"Fn::KarmadaEksReference": {"Stack": "s"}}, "*"]});
        let expected = format!("{{\"Resource\":[{resolved},\"{}\",\"*\"]}}", "k".repeat(100));
        assert_eq!(resolved_json_len_bound(&doc, 100), expected.len());
        assert_eq!(resolved_json_len_bound(&json!({"A": [], "B": {}}), 1), r#"{"A":[],"B":{}}"#.len());
    }

    #[test]
    fn pack_fills_groups_in_order_and_counts_per_group_growth() {
        assert_eq!(pack(10, &[5, 5, 5, 5], |_| 0, 20, 10), Ok(vec![0..2, 2..4]));
        assert_eq!(pack(10, &[5, 5, 5], |_| 0, 20, 1), Ok(vec![0..1, 1..2, 2..3]));
        // Items grow by 1 byte in the second group: it holds one item fewer.
        assert_eq!(pack(0, &[4, 4, 4, 4, 4], |g| g, 12, 10), Ok(vec![0..3, 3..5]));
        assert_eq!(pack(10, &[5, 11, 5], |_| 0, 20, 10), Err(1));
        assert_eq!(pack(10, &[], |_| 0, 20, 10), Ok(vec![]));
    }
}
