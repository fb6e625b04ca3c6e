//! Graphviz DOT: regions, the VPC, zones and subnets as nested clusters, for people who render with `dot`.

use std::fmt::Write as _;

use super::{Architecture, Node};

fn quote(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}

fn node(out: &mut String, indent: &str, n: &Node) {
    let _ = writeln!(out, "{indent}{} [label={}];", n.id, quote(&n.label.join("\n")).replace('\n', "\\n"));
}

fn cluster_open(out: &mut String, indent: &str, id: &str, label: &str) {
    let _ = writeln!(out, "{indent}subgraph cluster_{id} {{");
    let _ = writeln!(out, "{indent}  label={};", quote(label));
}

/// The architecture as a `digraph`.
pub fn write(arch: &Architecture) -> String {
    let mut out = format!("// {} from the synthesized assembly\ndigraph karmada_eks {{\n", super::GENERATED_MARK);
    let _ = writeln!(out, "  label={};", quote(&arch.title));
    out +=
        "  labelloc=t;\n  rankdir=LR;\n  compound=true;\n  node [shape=box, style=rounded, fontname=\"Helvetica\"];\n";
    node(&mut out, "  ", &arch.clients);
    cluster_open(&mut out, "  ", "region_app", &format!("Region {} (app)", arch.region));
    if let Some(vpc) = &arch.vpc {
        cluster_open(&mut out, "    ", &vpc.id, &vpc.label);
        for z in &vpc.zones {
            cluster_open(&mut out, "      ", &z.id, &z.label);
            for s in [&z.public, &z.private].into_iter().flatten() {
                cluster_open(&mut out, "        ", &s.id, &s.label);
                let _ = writeln!(out, "          {}_anchor [shape=point, style=invis];", s.id);
                for n in &s.nodes {
                    node(&mut out, "          ", n);
                }
                out += "        }\n";
            }
            out += "      }\n";
        }
        for n in [&arch.load_balancer, &arch.node_group].into_iter().flatten() {
            node(&mut out, "      ", n);
        }
        out += "    }\n";
    }
    for n in [&arch.cluster, &arch.kubeconfig].into_iter().flatten() {
        node(&mut out, "    ", n);
    }
    // Members in the app's own region are drawn in its frame, outside the VPC (they have their own).
    for n in arch.member_regions.iter().filter(|r| r.app).flat_map(|r| &r.members) {
        node(&mut out, "    ", n);
    }
    out += "  }\n";
    for r in arch.member_regions.iter().filter(|r| !r.app) {
        cluster_open(&mut out, "  ", &r.id, &format!("Region {}", r.region));
        for n in &r.members {
            node(&mut out, "    ", n);
        }
        out += "  }\n";
    }
    for e in &arch.edges {
        let _ = writeln!(out, "  {} -> {} [label={}];", e.from, e.to, quote(&e.label));
    }
    out += "}\n";
    out
}
