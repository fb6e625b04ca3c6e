//! `init`: write the commented starter configuration.

use anyhow::Result;
use std::process::ExitCode;

use crate::cli::InitArgs;
use crate::error::UsageError;
use constructs::karmada::config::STARTER;

pub fn run(args: &InitArgs) -> Result<ExitCode> {
    if args.path.exists() && !args.force {
        return Err(UsageError::new(format!("{} already exists", args.path.display()))
            .hint("pass --force to overwrite it, or give another path")
            .into());
    }
    std::fs::write(&args.path, STARTER)
        .map_err(|e| UsageError::new(format!("cannot write {}: {e}", args.path.display())))?;
    eprintln!(
        "Wrote {}: every field shows its default; edit what you need, then `karmada-eks synth`.",
        args.path.display()
    );
    Ok(ExitCode::SUCCESS)
}
