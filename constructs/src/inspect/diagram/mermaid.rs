//! Mermaid `flowchart`: the same frames as subgraphs, for Markdown renderers (GitHub, GitLab).

use std::fmt::Write as _;

use super::{Architecture, Node};

/// Mermaid labels are quoted strings; `"` becomes `#quot;` and line breaks `<br/>`.
fn label(lines: &[String]) -> String {
    format!("\"{}\"", lines.join("<br/>").replace('"', "#quot;"))
}

fn node(out: &mut String, indent: &str, n: &Node) {
    let _ = writeln!(out, "{indent}{}[{}]", n.id, label(&n.label));
}

fn open(out: &mut String, indent: &str, id: &str, title: &str) {
    let _ = writeln!(out, "{indent}subgraph {id}[{}]", label(&[title.to_string()]));
}

/// The architecture as a `flowchart LR`.
pub fn write(arch: &Architecture) -> String {
    let mut out = String::from("---\n");
    let _ = writeln!(out, "title: \"{}\"", arch.title.replace('"', "'"));
    let _ = writeln!(out, "---\n%% {} from the synthesized assembly", super::GENERATED_MARK);
    out += "flowchart LR\n";
    node(&mut out, "  ", &arch.clients);
    open(&mut out, "  ", "region_app", &format!("Region {} (app)", arch.region));
    if let Some(vpc) = &arch.vpc {
        open(&mut out, "    ", &vpc.id, &vpc.label);
        for z in &vpc.zones {
            open(&mut out, "      ", &z.id, &z.label);
            for s in [&z.public, &z.private].into_iter().flatten() {
                open(&mut out, "        ", &s.id, &s.label);
                if s.nodes.is_empty() {
                    let _ = writeln!(out, "          {}_empty[ ]", s.id);
                }
                for n in &s.nodes {
                    node(&mut out, "          ", n);
                }
                out += "        end\n";
            }
            out += "      end\n";
        }
        for n in [&arch.load_balancer, &arch.node_group].into_iter().flatten() {
            node(&mut out, "      ", n);
        }
        out += "    end\n";
    }
    for n in [&arch.cluster, &arch.kubeconfig].into_iter().flatten() {
        node(&mut out, "    ", n);
    }
    // Members in the app's own region are drawn in its frame, outside the VPC (they have their own).
    for n in arch.member_regions.iter().filter(|r| r.app).flat_map(|r| &r.members) {
        node(&mut out, "    ", n);
    }
    out += "  end\n";
    for r in arch.member_regions.iter().filter(|r| !r.app) {
        open(&mut out, "  ", &r.id, &format!("Region {}", r.region));
        for n in &r.members {
            node(&mut out, "    ", n);
        }
        out += "  end\n";
    }
    for e in &arch.edges {
        let _ = writeln!(out, "  {} -->|{}| {}", e.from, label(std::slice::from_ref(&e.label)), e.to);
    }
    out
}
