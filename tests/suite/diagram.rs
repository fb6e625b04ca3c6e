//! `karmada-eks diagram`: DOT and Mermaid snapshots for the default and a ten-member app, a well-formed SVG that a
//! real renderer (librsvg's rsvg-convert, installed by bin/setup-tools) draws, the committed docs/diagram.svg up
//! to date, and FILE safety.

use crate::support::common;

use std::path::{Path, PathBuf};
use std::process::Command;

fn configs() -> Vec<(&'static str, PathBuf)> {
    vec![
        ("default", common::root().join("tests/data/configs/default.toml")),
        ("ten-members", common::root().join("tests/data/diagram/ten-members.toml")),
    ]
}

fn diagram(config: &Path, args: &[&str]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let mut all = vec!["--config", config.to_str().unwrap(), "diagram"];
    all.extend(args);
    let o = common::karmada_eks(dir.path(), &all);
    assert!(o.status.success(), "diagram {args:?} failed: {}", common::stderr(&o));
    common::stdout(&o)
}

#[test]
fn dot_and_mermaid_snapshots() {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(common::root().join("snapshots"));
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings.bind(|| {
        for (name, config) in configs() {
            insta::assert_snapshot!(format!("diagram__{name}.dot"), diagram(&config, &["--format", "dot"]));
            insta::assert_snapshot!(format!("diagram__{name}.mermaid"), diagram(&config, &["--format", "mermaid"]));
        }
    });
}

#[test]
fn the_picture_names_what_the_app_deploys() {
    let default = diagram(&configs()[0].1, &["--format", "dot"]);
    for expected in [
        "VPC 10.0.0.0/16",
        "EKS karmada-parent",
        "3 × m5.large",
        "TCP 32443",
        "member ekseucl01",
        "Region eu-central-1",
        "Secrets Manager karmada/karmada/kubeconfig",
        "join (push)",
    ] {
        assert!(default.contains(expected), "default diagram lacks {expected:?}");
    }
    assert_eq!(default.matches("NAT gateway").count(), 1, "one NAT gateway by default");
    let ten = diagram(&configs()[1].1, &["--format", "dot"]);
    assert_eq!(ten.matches("NAT gateway").count(), 2, "nat_gateways = 2 draws two");
    assert_eq!(ten.matches("label=\"member ").count(), 10);
    assert!(ten.contains("member_nrt_01 -> nlb [label=\"karmada-agent (pull) :32443\"]"), "pull members reach the API");
    assert!(ten.contains("EKS team-iad-prod"), "the member's own EKS name is shown");
}

#[test]
fn same_input_gives_byte_identical_output_from_config_and_from_the_assembly() {
    let config = &configs()[1].1;
    let dir = tempfile::tempdir().unwrap();
    let out = common::synth(config, dir.path());
    for format in ["svg", "dot", "mermaid"] {
        let from_config = diagram(config, &["--format", format]);
        assert_eq!(from_config, diagram(config, &["--format", format]), "{format} is deterministic");
        let from_app = diagram(config, &["--format", format, "--app", out.to_str().unwrap()]);
        assert_eq!(from_config, from_app, "{format}: --app DIR draws the same picture");
    }
}

fn svg_size(svg: &str) -> (u32, u32) {
    let attr = |name: &str| -> u32 {
        let start = svg.find(&format!(" {name}=\"")).unwrap() + name.len() + 3;
        svg[start..].split('"').next().unwrap().parse().unwrap()
    };
    (attr("width"), attr("height"))
}

fn png_size(png: &[u8]) -> (u32, u32) {
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "a PNG file");
    let be = |at: usize| u32::from_be_bytes(png[at..at + 4].try_into().unwrap());
    (be(16), be(20))
}

#[test]
fn svg_is_well_formed_and_a_real_renderer_draws_it() {
    for (name, config) in configs() {
        let svg = diagram(&config, &[]);
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join(format!("{name}.svg"));
        std::fs::write(&file, &svg).unwrap();
        // Well-formed XML: Python's expat parser (python3 is on every machine that runs the suite's tools).
        let parse = Command::new("python3")
            .args([
                "-c",
                "import sys, xml.dom.minidom as m; d = m.parse(sys.argv[1]); print(d.documentElement.tagName)",
            ])
            .arg(&file)
            .output()
            .expect("python3 runs");
        assert!(
            parse.status.success(),
            "{name}.svg is not well-formed XML: {}",
            String::from_utf8_lossy(&parse.stderr)
        );
        assert_eq!(String::from_utf8_lossy(&parse.stdout).trim(), "svg");
        let Ok(rsvg) = which("rsvg-convert") else {
            eprintln!("SKIPPED render check: rsvg-convert is not installed (bin/setup-tools installs librsvg2-bin)");
            return;
        };
        let png = dir.path().join(format!("{name}.png"));
        let o = Command::new(rsvg).arg(&file).arg("-o").arg(&png).output().unwrap();
        assert!(
            o.status.success() && o.stderr.is_empty(),
            "rsvg-convert failed on {name}.svg: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        assert_eq!(png_size(&std::fs::read(&png).unwrap()), svg_size(&svg), "{name}: PNG has the SVG's size");
    }
}

fn which(tool: &str) -> Result<PathBuf, ()> {
    std::env::var_os("PATH")
        .into_iter()
        .flat_map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .map(|d| d.join(tool))
        .find(|p| p.is_file())
        .ok_or(())
}

#[test]
fn readme_diagram_is_up_to_date() {
    let committed = std::fs::read_to_string(common::root().join("docs/diagram.svg")).expect("docs/diagram.svg exists");
    let fresh = diagram(&configs()[0].1, &[]);
    assert!(
        committed == fresh,
        "docs/diagram.svg is stale: run `cargo run -- diagram -o docs/diagram.svg --force` and commit it"
    );
}

#[test]
fn output_file_is_replaced_only_when_diagram_wrote_it() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("arch.svg");
    let path = file.to_str().unwrap();
    let run = |args: &[&str]| common::karmada_eks(dir.path(), args);
    assert!(run(&["diagram", "-o", path]).status.success());
    assert!(run(&["diagram", "--format", "dot", "-o", path]).status.success(), "its own file is replaced");
    assert!(std::fs::read_to_string(&file).unwrap().starts_with("// generated by karmada-eks diagram"));

    let notes = dir.path().join("notes.txt");
    std::fs::write(&notes, "mine").unwrap();
    let o = run(&["diagram", "-o", notes.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        common::stderr(&o).contains("already exists and is not a diagram karmada-eks wrote"),
        "{}",
        common::stderr(&o)
    );
    assert!(common::stderr(&o).contains("hint: pass --force to overwrite it, or choose another -o FILE"));
    assert_eq!(std::fs::read_to_string(&notes).unwrap(), "mine", "the user's file is untouched");
    assert!(run(&["diagram", "-o", notes.to_str().unwrap(), "--force"]).status.success());
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().contains(".tmp-"))
        .collect();
    assert!(leftovers.is_empty(), "no temporary files are left");
}

/// The default app has a member in its own region (eksuscl01, us-east-1) and push members; with a pull member too:
/// the home member is drawn in the app region's frame (no second "Region us-east-1"), every push member has the
/// steady-state path from Karmada's controllers, every member its weight and replicas, and the pull members'
/// label sits on a line of the load balancer's box other than its title.
#[test]
fn members_of_the_app_region_push_paths_weights_and_the_pull_label_are_drawn_where_they_belong() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("karmada-eks.toml");
    std::fs::write(
        &config,
        "[nlb]\nallowed_cidrs = [\"203.0.113.0/24\"]\n\n[[members]]\nname = \"ekseucl01\"\nregion = \"eu-central-1\"\nweight = 1\n\n\
         [[members]]\nname = \"ekseucl02\"\nregion = \"eu-central-1\"\nweight = 1\nmode = \"pull\"\n\n\
         [[members]]\nname = \"eksuscl01\"\nregion = \"us-east-1\"\nweight = 2\n",
    )
    .unwrap();
    let dot = diagram(&config, &["--format", "dot"]);
    assert_eq!(dot.matches("Region us-east-1").count(), 1, "one frame for the app region: {dot}");
    let app_frame = &dot[dot.find("cluster_region_app").unwrap()..dot.find("cluster_region_eu_central_1").unwrap()];
    assert!(app_frame.contains("member_eksuscl01 ["), "the home member is in the app region's frame");
    for push in ["ekseucl01", "eksuscl01"] {
        assert!(
            dot.contains(&format!("nodes -> member_{push} [label=\"Karmada controllers via NAT: member API (push)\"]")),
            "{push}: {dot}"
        );
    }
    assert!(!dot.contains("nodes -> member_ekseucl02"), "a pull member is not driven from the parent");
    assert!(dot.contains("push mode · weight 2 · 6 replicas"), "{dot}");
    assert!(dot.contains("pull mode · weight 1 · 3 replicas"), "{dot}");

    let svg = diagram(&config, &[]);
    let y_of = |needle: &str| -> i64 {
        let at = svg.find(needle).unwrap_or_else(|| panic!("{needle} not drawn"));
        let line = svg[..at].rsplit('\n').next().unwrap();
        line.split("y=\"").nth(1).unwrap().split('"').next().unwrap().parse().unwrap()
    };
    let title = y_of(">Karmada API load balancer (network internet-facing)<");
    let pull = y_of(">from pull members: karmada-agent (pull) :32443<");
    assert_ne!(title, pull, "the pull label is not printed over the load balancer's title");
    assert_eq!(pull, y_of(">3 Elastic IPs (one per zone)<"), "it shares the box's last line, which has room");
    assert!(svg.contains(">to push members: Karmada controllers via NAT: member API (push)<"));
}
