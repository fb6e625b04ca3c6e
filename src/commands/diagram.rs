//! `diagram`: the architecture of the assembly as SVG, DOT or Mermaid.

use anyhow::{Context, Result};
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use crate::cli::{DiagramArgs, DiagramFormat};
use crate::error::UsageError;
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
            check_replaceable(path, args.force)?;
            write_atomically(path, &text).with_context(|| format!("writing {}", path.display()))?;
            eprintln!("Wrote {} ({} bytes)", path.display(), text.len());
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// An existing FILE is replaced only when an earlier `diagram` wrote it, or with `--force`; never through a
/// symlink or over a directory.
fn check_replaceable(path: &Path, force: bool) -> Result<()> {
    let Ok(meta) = std::fs::symlink_metadata(path) else { return Ok(()) };
    if meta.file_type().is_symlink() || meta.is_dir() {
        return Err(UsageError::new(format!("{} is a symlink or a directory: not replacing it", path.display()))
            .hint("give -o a regular file path")
            .into());
    }
    let head: Vec<u8> = std::fs::read(path).map(|b| b.into_iter().take(512).collect()).unwrap_or_default();
    if force || String::from_utf8_lossy(&head).contains(GENERATED_MARK) {
        return Ok(());
    }
    Err(UsageError::new(format!("{} exists and was not written by `karmada-eks diagram`", path.display()))
        .hint("choose another -o FILE, or pass --force to replace it")
        .into())
}

pub(super) fn write_atomically(path: &Path, text: &str) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let tmp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
    std::fs::write(&tmp, text)?;
    std::fs::rename(&tmp, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp);
    })
}
