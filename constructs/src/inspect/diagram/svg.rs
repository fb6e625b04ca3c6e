//! SVG with a layout computed here (no Graphviz or browser at run time): the app region on the left with the VPC's
//! zones as columns, each zone a public subnet above a private one; the load balancer drawn as a bar across the
//! public subnets and the node group as a bar across the private ones, because both span every zone; the EKS
//! control plane and the kubeconfig store below the VPC; the member regions stacked on the right. Arrows run
//! orthogonally through the gutters between frames so they do not cross boxes. Sizes are whole pixels and every
//! number is computed from the model, so the output is byte-identical for the same assembly.

use std::fmt::Write as _;

use super::{Architecture, Node};

const MARGIN: i64 = 20;
const ZONE_W: i64 = 250;
const ZONE_GAP: i64 = 16;
/// Gutter between the region frame and the VPC frame, where the management host's arrows run.
const GUTTER: i64 = 44;
const PUBLIC_H: i64 = 150;
const PRIVATE_H: i64 = 172;
const LINE_H: i64 = 15;
const FONT: &str = "DejaVu Sans, Helvetica, Arial, sans-serif";

/// Approximate width of a label line at 12 px (DejaVu Sans averages about 7 px a character).
fn text_w(line: &str) -> i64 {
    line.chars().count() as i64 * 7 + 24
}

fn label_w(n: &Node) -> i64 {
    n.label.iter().map(|l| text_w(l)).max().unwrap_or(40)
}

fn box_h(n: &Node) -> i64 {
    n.label.len() as i64 * LINE_H + 14
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

#[derive(Clone, Copy)]
struct Rect {
    x: i64,
    y: i64,
    w: i64,
    h: i64,
}

impl Rect {
    fn cy(self) -> i64 {
        self.y + self.h / 2
    }
    fn right(self) -> i64 {
        self.x + self.w
    }
    fn bottom(self) -> i64 {
        self.y + self.h
    }
}

struct Canvas {
    body: String,
}

impl Canvas {
    fn frame(&mut self, r: Rect, class: &str, title: &str) {
        let _ = writeln!(
            self.body,
            r#"<rect class="{class}" x="{}" y="{}" width="{}" height="{}" rx="6"/>"#,
            r.x, r.y, r.w, r.h
        );
        let _ = writeln!(
            self.body,
            r#"<text class="frame-label" x="{}" y="{}">{}</text>"#,
            r.x + 10,
            r.y + 18,
            escape(title)
        );
    }

    fn node(&mut self, r: Rect, class: &str, n: &Node) {
        let _ = writeln!(self.body, r#"<g id="{}">"#, n.id);
        let _ = writeln!(
            self.body,
            r#"<rect class="{class}" x="{}" y="{}" width="{}" height="{}" rx="4"/>"#,
            r.x, r.y, r.w, r.h
        );
        for (i, line) in n.label.iter().enumerate() {
            let weight = if i == 0 { " title" } else { "" };
            let _ = writeln!(
                self.body,
                r#"<text class="node-label{weight}" x="{}" y="{}">{}</text>"#,
                r.x + 10,
                r.y + 19 + i as i64 * LINE_H,
                escape(line)
            );
        }
        self.body += "</g>\n";
    }

    /// An arrow along `points` (orthogonal segments), with `label` beside the segment `at`, a fraction `t` (in
    /// percent) along it.
    fn arrow(&mut self, points: &[(i64, i64)], label: &str, at: usize, t: i64) {
        let d: Vec<String> = points.iter().map(|(x, y)| format!("{x},{y}")).collect();
        let _ = writeln!(self.body, r#"<polyline class="edge" points="{}" marker-end="url(#arrow)"/>"#, d.join(" "));
        if label.is_empty() || at + 1 >= points.len() {
            return;
        }
        let ((x1, y1), (x2, y2)) = (points[at], points[at + 1]);
        let (x, y, anchor) = if y1 == y2 {
            (x1 + (x2 - x1) * t / 100, y1 - 6, "middle")
        } else {
            (x1 + 6, y1 + (y2 - y1) * t / 100, "start")
        };
        let _ = writeln!(
            self.body,
            r#"<text class="edge-label" x="{x}" y="{y}" text-anchor="{anchor}">{}</text>"#,
            escape(label)
        );
    }
}

fn edge_label<'a>(arch: &'a Architecture, from: &str, to: &str) -> Option<&'a str> {
    arch.edges.iter().find(|e| e.from == from && e.to == to).map(|e| e.label.as_str())
}

/// `text` right-aligned inside box `r` of node `n`, on the lowest of its lines it leaves room beside (else just
/// below the box): never over the box's title or another line.
fn inside_right(c: &mut Canvas, r: Rect, n: &Node, text: &str) {
    let right = r.right() - 8;
    let start = right - (text_w(text) - 24);
    let line = (1..n.label.len()).rev().find(|&i| r.x + 10 + (text_w(&n.label[i]) - 24) + 12 < start);
    let y = match line {
        Some(i) => r.y + 19 + i as i64 * LINE_H,
        None => r.bottom() + 12,
    };
    let _ =
        writeln!(c.body, r#"<text class="edge-label" x="{right}" y="{y}" text-anchor="end">{}</text>"#, escape(text));
}

/// The architecture as a standalone SVG document.
pub fn write(arch: &Architecture) -> String {
    let mut c = Canvas { body: String::new() };
    let zones = arch.vpc.as_ref().map_or(0, |v| v.zones.len()).max(1) as i64;
    let clients_r =
        Rect { x: MARGIN + GUTTER + 16 + 120, y: 50, w: label_w(&arch.clients).max(200), h: box_h(&arch.clients) };
    let region_y = clients_r.bottom() + 30;
    let vpc_r = Rect {
        x: MARGIN + GUTTER,
        y: region_y + 32,
        w: zones * (ZONE_W + ZONE_GAP) + ZONE_GAP,
        h: 30 + 28 + PUBLIC_H + 14 + PRIVATE_H + 14,
    };
    let zone_y = vpc_r.y + 30;
    let zone_h = vpc_r.h - 30 - 14;
    let zone_x = |i: i64| vpc_r.x + ZONE_GAP + i * (ZONE_W + ZONE_GAP);
    let public_y = zone_y + 28;
    let private_y = public_y + PUBLIC_H + 14;
    // Below the VPC: the control plane, then the kubeconfig store, each reached from the gutter.
    let below: Vec<(&Node, &str)> = [(&arch.cluster, "eks"), (&arch.kubeconfig, "ssm")]
        .into_iter()
        .filter_map(|(n, class)| n.as_ref().map(|n| (n, class)))
        .collect();
    let mut y = vpc_r.bottom() + 20;
    let mut below_r = Vec::new();
    for (n, class) in &below {
        let r = Rect { x: vpc_r.x + 24, y, w: label_w(n).max(260), h: box_h(n) };
        y = r.bottom() + 14;
        below_r.push((*n, *class, r));
    }
    let member_w = arch
        .member_regions
        .iter()
        .flat_map(|r| &r.members)
        .map(label_w)
        .chain(arch.member_regions.iter().map(|r| text_w(&format!("Region {}", r.region))))
        .max()
        .unwrap_or(200)
        .max(220);
    // Members of the app's own region: a column in its frame, right of the VPC, from the private subnets down
    // (below the load balancer, so the pull members' arrows into it cross no box).
    let home_x = vpc_r.right() + 28;
    let mut hy = private_y;
    let mut home_r: Vec<(&Node, Rect)> = Vec::new();
    for n in arch.member_regions.iter().filter(|r| r.app).flat_map(|r| &r.members) {
        let rect = Rect { x: home_x, y: hy, w: member_w, h: box_h(n) };
        hy = rect.bottom() + 10;
        home_r.push((n, rect));
    }
    let region_w = if home_r.is_empty() { vpc_r.w + GUTTER + 20 } else { home_x + member_w + 16 - MARGIN };
    let region_r = Rect { x: MARGIN, y: region_y, w: region_w, h: y.max(hy) + 6 - region_y };

    // The other member regions on the right, one frame each, stacked.
    let members: usize = arch.member_regions.iter().filter(|r| !r.app).map(|r| r.members.len()).sum();
    let trunk_gap = 60;
    let member_x = region_r.right() + trunk_gap;
    let mut my = region_y;
    let mut member_frames = Vec::new();
    let mut member_r: Vec<(&Node, Rect)> = Vec::new();
    for r in arch.member_regions.iter().filter(|r| !r.app) {
        let top = my;
        my += 30;
        for n in &r.members {
            let rect = Rect { x: member_x + 16, y: my, w: member_w, h: box_h(n) };
            my = rect.bottom() + 10;
            member_r.push((n, rect));
        }
        member_frames
            .push((Rect { x: member_x, y: top, w: member_w + 32, h: my - top + 4 }, format!("Region {}", r.region)));
        my += 20;
    }
    let width = if members > 0 { member_x + member_w + 32 + MARGIN } else { region_r.right() + MARGIN };
    let bus_y = region_r.bottom().max(my) + 24;
    let height = bus_y + 30 + if members + home_r.len() > 0 { 10 } else { 0 };

    c.frame(region_r, "region", &format!("Region {} (app)", arch.region));
    if let Some(vpc) = &arch.vpc {
        c.frame(vpc_r, "vpc", &vpc.label);
        for (i, z) in vpc.zones.iter().enumerate() {
            let zx = zone_x(i as i64);
            c.frame(Rect { x: zx, y: zone_y, w: ZONE_W, h: zone_h }, "zone", &z.label);
            for (s, sy, sh, class) in
                [(&z.public, public_y, PUBLIC_H, "public"), (&z.private, private_y, PRIVATE_H, "private")]
            {
                let Some(s) = s else { continue };
                c.frame(Rect { x: zx + 8, y: sy, w: ZONE_W - 16, h: sh }, class, &s.label);
                for n in &s.nodes {
                    let class = if n.id == "host" { "host" } else { "nat" };
                    c.node(Rect { x: zx + 16, y: sy + 26, w: ZONE_W - 80, h: box_h(n) }, class, n);
                }
            }
        }
    }
    let span = Rect { x: vpc_r.x + ZONE_GAP + 12, y: 0, w: vpc_r.w - 2 * ZONE_GAP - 24, h: 0 };
    let nlb_r = arch.load_balancer.as_ref().map(|n| {
        let r = Rect { y: public_y + PUBLIC_H - box_h(n) - 8, h: box_h(n), ..span };
        c.node(r, "nlb", n);
        r
    });
    let nodes_r = arch.node_group.as_ref().map(|n| {
        let r = Rect { y: private_y + PRIVATE_H - box_h(n) - 8, h: box_h(n), ..span };
        c.node(r, "nodes", n);
        r
    });
    for (n, class, r) in &below_r {
        c.node(*r, class, n);
    }
    for (r, title) in &member_frames {
        c.frame(*r, "region", title);
    }
    for (n, r) in member_r.iter().chain(&home_r) {
        c.node(*r, "member", n);
    }
    c.node(clients_r, "clients", &arch.clients);

    // Clients down to the load balancer, beside the NAT box of the first zone.
    let arrow_x = zone_x(0) + ZONE_W - 40;
    if let (Some(nlb), Some(label)) = (nlb_r, edge_label(arch, "clients", "nlb")) {
        c.arrow(&[(arrow_x, clients_r.bottom()), (arrow_x, nlb.y)], label, 0, 12);
    }
    // Load balancer down to the nodes, in the last zone (the host sits in the first).
    if let (Some(nlb), Some(nodes), Some(label)) = (nlb_r, nodes_r, edge_label(arch, "nlb", "nodes")) {
        let x = zone_x(zones - 1) + ZONE_W / 2;
        c.arrow(&[(x, nlb.bottom()), (x, nodes.y)], label, 0, 10);
    }
    if let (Some(nodes), Some((_, _, eks)), Some(label)) =
        (nodes_r, below_r.first(), edge_label(arch, "nodes", "parent"))
    {
        let x = eks.x + eks.w - 60;
        c.arrow(&[(x, nodes.bottom()), (x, eks.y)], label, 0, 60);
    }
    // The management host's arrows leave to the left, run down the gutter, and enter their target.
    let host_r = arch.vpc.as_ref().and_then(|v| {
        v.zones.iter().enumerate().find_map(|(i, z)| {
            let s = z.private.as_ref()?;
            let n = s.nodes.iter().find(|n| n.id == "host")?;
            Some(Rect { x: zone_x(i as i64) + 16, y: private_y + 26, w: ZONE_W - 80, h: box_h(n) })
        })
    });
    if let Some(host) = host_r {
        for (k, (n, _, r)) in below_r.iter().enumerate() {
            if let Some(label) = edge_label(arch, "host", &n.id) {
                let gx = region_r.x + 12 + k as i64 * 10;
                let start = (host.x, host.y + 12 + k as i64 * 10);
                c.arrow(&[start, (gx, start.1), (gx, r.cy()), (r.x, r.cy())], "", 0, 50);
                let _ = writeln!(
                    c.body,
                    r#"<text class="edge-label" x="{}" y="{}">from the management host: {}</text>"#,
                    r.right() + 8,
                    r.cy() + 4,
                    escape(label)
                );
            }
        }
        // One trunk to every member: down the gutter, along the bus under the regions, up the trunk on the right;
        // a member of the app region is entered from its right, the others from their left.
        let top = member_r.first().or(home_r.first()).map(|(_, r)| *r);
        if let Some(first) = top {
            let gx = region_r.x + 6;
            let tx = region_r.right() + 20;
            let start = (host.x, host.bottom() - 10);
            let trunk = format!("{}: joins and registers the members", "management host");
            let _ = writeln!(
                c.body,
                r#"<polyline class="edge" points="{},{} {gx},{} {gx},{bus_y} {tx},{bus_y} {tx},{}"/>"#,
                start.0,
                start.1,
                start.1,
                first.cy()
            );
            let _ = writeln!(
                c.body,
                r#"<text class="edge-label" x="{}" y="{}" text-anchor="middle">{}</text>"#,
                (gx + tx) / 2,
                bus_y - 6,
                escape(&trunk)
            );
            for (n, r) in member_r.iter().chain(&home_r) {
                let label = edge_label(arch, "host", &n.id).unwrap_or_default();
                let short = label.split(':').next().unwrap_or(label);
                // The trunk is right of every box: a home member is entered from its right, the others their left.
                let (side, text_x, anchor) = if r.x == home_x {
                    (r.right(), r.right() + 4, "")
                } else {
                    (r.x, r.x - 4, r#" text-anchor="end""#)
                };
                c.arrow(&[(tx, r.cy()), (side, r.cy())], "", 0, 50);
                let _ = writeln!(
                    c.body,
                    r#"<text class="edge-label" x="{text_x}" y="{}"{anchor}>{}</text>"#,
                    r.cy() - 4,
                    escape(short)
                );
            }
        }
    }
    // Pull members reach the Karmada API through the load balancer: from a member of the app region along the
    // VPC's right side, from the others through the gap beside the app region.
    if let Some(nlb) = nlb_r {
        let mut k = 0;
        for (n, r) in home_r.iter().chain(&member_r) {
            if edge_label(arch, &n.id, "nlb").is_none() {
                continue;
            }
            let y = nlb.cy() - 8 + (k % 4) * 6;
            let tx = if r.x == home_x { vpc_r.right() + 8 + (k % 4) * 4 } else { region_r.right() + 40 + (k % 4) * 6 };
            c.arrow(&[(r.x, r.bottom() - 8), (tx, r.bottom() - 8), (tx, y), (nlb.right(), y)], "", 0, 50);
            k += 1;
        }
        let first_pull = home_r.iter().chain(&member_r).find_map(|(n, _)| edge_label(arch, &n.id, "nlb"));
        if let (Some(label), Some(n)) = (first_pull, &arch.load_balancer) {
            inside_right(&mut c, nlb, n, &format!("from pull members: {label}"));
        }
    }
    // Push members: Karmada's controllers on the nodes call each member's API server, out through the NAT.
    if let Some(nodes) = nodes_r {
        let mut k = 0;
        for (n, r) in home_r.iter().chain(&member_r) {
            if edge_label(arch, "nodes", &n.id).is_none() {
                continue;
            }
            let y = nodes.y + 10 + (k % 6) * 5;
            let tx = if r.x == home_x { vpc_r.right() + 16 + (k % 4) * 3 } else { region_r.right() + 8 + (k % 4) * 3 };
            c.arrow(&[(nodes.right(), y), (tx, y), (tx, r.cy() + 6), (r.x, r.cy() + 6)], "", 0, 50);
            k += 1;
        }
        let first_push = home_r.iter().chain(&member_r).find_map(|(n, _)| edge_label(arch, "nodes", &n.id));
        if let (Some(label), Some(n)) = (first_push, &arch.node_group) {
            inside_right(&mut c, nodes, n, &format!("to push members: {label}"));
        }
    }

    let mut svg = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!-- {} from the synthesized assembly -->\n",
        super::GENERATED_MARK
    );
    let _ = writeln!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" font-family="{FONT}">"#
    );
    let _ = writeln!(svg, "<title>{}</title>", escape(&arch.title));
    svg += r##"<defs>
<marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#232f3e"/></marker>
<style>
.region { fill: #f7f7f7; stroke: #7d8998; stroke-dasharray: 6 4; }
.vpc { fill: #ffffff; stroke: #248814; stroke-width: 2; }
.zone { fill: none; stroke: #147eba; stroke-dasharray: 4 3; }
.public { fill: #e9f3e6; stroke: #248814; }
.private { fill: #e6f2f8; stroke: #147eba; }
.nat { fill: #ffffff; stroke: #248814; }
.host { fill: #ffffff; stroke: #ed7100; stroke-width: 1.5; }
.nlb { fill: #efe7fb; stroke: #8c4fff; stroke-width: 1.5; }
.nodes, .eks, .member { fill: #fff4e5; stroke: #ed7100; stroke-width: 1.5; }
.ssm { fill: #fde7f0; stroke: #e7157b; stroke-width: 1.5; }
.clients { fill: #eceff1; stroke: #232f3e; }
.frame-label { font-size: 12px; fill: #232f3e; font-weight: bold; }
.node-label { font-size: 12px; fill: #232f3e; }
.title { font-weight: bold; }
.edge { fill: none; stroke: #232f3e; stroke-width: 1.5; }
.edge-label { font-size: 11px; fill: #232f3e; paint-order: stroke; stroke: #ffffff; stroke-width: 3px; }
.heading { font-size: 16px; font-weight: bold; fill: #232f3e; }
</style>
</defs>
"##;
    let _ = writeln!(svg, r##"<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>"##);
    let _ = writeln!(svg, r#"<text class="heading" x="{MARGIN}" y="30">{}</text>"#, escape(&arch.title));
    svg += &c.body;
    svg += "</svg>\n";
    svg
}
