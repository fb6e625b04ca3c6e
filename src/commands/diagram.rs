//! `diagram`: the architecture of the assembly as SVG, DOT or Mermaid.

use anyhow::{Context, Result};
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use crate::cli::{DiagramArgs, DiagramFormat};
use constructs::core::output_path::{self, FileWrite, OutputError, OwnFile};
use constructs::core::CloudAssembly;
use constructs::inspect::diagram::{self, Architecture, Format, GENERATED_MARK};
use constructs::inspect::inventory::Inventory;

pub fn run(assembly: &CloudAssembly, args: &DiagramArgs) -> Result<ExitCode> {
    let format = match args.format {
        DiagramFormat::Svg => Format::Svg,
        DiagramFormat::Dot => Format::Dot,
        DiagramFormat::Mermaid => Format::Mermaid,
    };
    let text = diagram::render(&Architecture::from_inventory(&Inventory::from_assembly(assembly)), format);
    match &args.output {
        None => std::io::stdout().lock().write_all(text.as_bytes())?,
        Some(path) => {
            match write(path, &text, args.force) {
                Err(OutputError::Refused(refused)) => return Err(refused.into()),
                written => written.with_context(|| format!("writing {}", path.display()))?,
            }
            eprintln!("Wrote {} ({} bytes)", path.display(), text.len());
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// An existing FILE is replaced only when an earlier `diagram` wrote it (its generated mark), or with `--force`;
/// never through a symlink or over a directory.
fn write(path: &Path, text: &str, force: bool) -> Result<(), OutputError> {
    let ours = |head: &[u8]| String::from_utf8_lossy(head).contains(GENERATED_MARK);
    let how = FileWrite {
        mode: 0o644,
        force,
        offers_force: true,
        owned: Some(OwnFile { recognise: &ours, what: "a diagram karmada-eks wrote" }),
        leftovers: None,
        elsewhere: "choose another -o FILE",
    };
    output_path::write_file(path, text.as_bytes(), &how)
}
