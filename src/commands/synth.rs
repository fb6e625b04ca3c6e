//! `synth`: write the cloud assembly and summarize it.

use anyhow::{Context, Result};
use serde_json::{json, Value};
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use crate::cli::SynthArgs;
use constructs::core::output_path::OutputError;
use constructs::core::{CloudAssembly, SynthError};
use constructs::inspect::security::SecurityReport;
use constructs::karmada::config::placement;
use constructs::karmada::Config;

/// Synthesizes the config (or loads `--app`) and writes the assembly to `--output`.
pub fn run(config_path: Option<&Path>, args: &SynthArgs) -> Result<ExitCode> {
    let (assembly, config) = match &args.assembly.app {
        Some(app) => (super::assembly::load_assembly(None, Some(app))?, None),
        None => {
            let config = crate::config::load(config_path)?;
            (super::assembly::synth_config(&config)?, Some(config))
        }
    };
    // Placement is a property of the config's workload; an assembly from --app has none to preview.
    let workload = config.as_ref().filter(|c| c.workload.enabled);
    crate::deploy::selection::check_stack_names(&assembly, &args.stacks)?;
    write(&assembly, &args.output)?;
    let mut out = std::io::stdout().lock();
    if args.json {
        let mut summary = summary_json(&assembly, &args.output.display().to_string());
        summary["security"] = serde_json::to_value(SecurityReport::from_assembly(&assembly))?;
        if let Some(config) = workload {
            let shares = placement::preview(config);
            summary["placement"] = json!({
                "workload": format!("{}/{}", config.workload.namespace, config.workload.name),
                "replicas": config.workload.replicas,
                "clusters": shares.iter().map(|s| (s.name.clone(), json!(s.replicas))).collect::<serde_json::Map<_, _>>(),
            });
        }
        if !args.stacks.is_empty() {
            summary["templates"] =
                args.stacks.iter().map(|n| (n.clone(), assembly.stack(n).expect("checked").template.clone())).collect();
        }
        writeln!(out, "{}", serde_json::to_string_pretty(&summary)?)?;
    } else {
        for name in &args.stacks {
            write!(out, "{}", assembly.stack(name).expect("checked").template_body)?;
        }
        if !args.quiet {
            eprint!("{}", summary_text(&assembly, &args.output.display().to_string()));
            if let Some(config) = workload {
                eprint!("{}", placement_text(config));
            }
            eprint!("\n{}", SecurityReport::from_assembly(&assembly).to_text());
            eprintln!("\n{}", super::cost::summary_line(&assembly));
            eprintln!("\nNext: review the templates, then `karmada-eks deploy`.");
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Writes the assembly; a refused output path is the user's to fix (exit 2), reported without the context of a
/// failed write.
fn write(assembly: &CloudAssembly, dir: &Path) -> Result<()> {
    match assembly.write(dir) {
        Ok(_) => Ok(()),
        Err(SynthError::Output(OutputError::Refused(refused))) => Err(refused.into()),
        Err(e) => Err(e).with_context(|| format!("writing the cloud assembly to {}", dir.display())),
    }
}

/// The machine-readable summary: stacks in deploy order, notes and warnings.
pub fn summary_json(assembly: &CloudAssembly, dir: &str) -> Value {
    let stacks: Vec<Value> = assembly
        .stacks
        .iter()
        .map(|s| {
            let mut v = super::assembly::stack_json(s);
            v["templateFile"] = json!(format!("{dir}/{}", s.template_file()));
            v["resources"] = json!(s.resource_count);
            v["bytes"] = json!(s.template_body.len());
            v["sha256"] = json!(s.template_sha256);
            v
        })
        .collect();
    let notes: Vec<&String> = assembly.stacks.iter().flat_map(|s| &s.notes).collect();
    let warnings: Vec<String> =
        assembly.stacks.iter().flat_map(|s| s.warnings.iter().map(move |w| format!("{}: {w}", s.name))).collect();
    json!({"output": dir, "stacks": stacks, "notes": notes, "warnings": warnings})
}

/// The sample workload's split over the members, as `plan` prints it.
fn placement_text(config: &Config) -> String {
    let w = &config.workload;
    let table = super::plan::table(&placement::preview(config), w.replicas);
    let indented: String = table.lines().map(|l| format!("  {l}\n")).collect();
    format!(
        "\nPlacement of {}/{} ({} replicas, Divided by static weight; `karmada-eks plan` for more):\n{indented}",
        w.namespace, w.name, w.replicas
    )
}

fn summary_text(assembly: &CloudAssembly, dir: &str) -> String {
    let width = assembly.stacks.iter().map(|s| s.name.len()).max().unwrap_or(5).max(5);
    let mut text = format!("Synthesized {} stacks to {dir}/\n\n", assembly.stacks.len());
    text += &format!("  {:width$}  {:14}  {:>9}  {:>8}  DEPENDS ON\n", "STACK", "REGION", "RESOURCES", "BYTES");
    for s in &assembly.stacks {
        let deps = if s.dependencies.is_empty() { "-".to_string() } else { s.dependencies.join(", ") };
        text += &format!(
            "  {:width$}  {:14}  {:>9}  {:>8}  {deps}\n",
            s.name,
            s.environment.region,
            s.resource_count,
            s.template_body.len()
        );
    }
    let notes: Vec<&String> = assembly.stacks.iter().flat_map(|s| &s.notes).collect();
    if !notes.is_empty() {
        text += "\nNotes:\n";
        for n in notes {
            text += &format!("  - {n}\n");
        }
    }
    for s in &assembly.stacks {
        for w in &s.warnings {
            text += &format!("\nwarning: {}: {w}\n", s.name);
        }
    }
    text
}
