//! `init`: write the commented starter configuration. An existing file is replaced only with `--force`; a
//! symlink, a directory or a device never.

use anyhow::Result;
use std::process::ExitCode;

use crate::cli::InitArgs;
use constructs::core::output_path::{self, FileWrite, OutputError};
use constructs::karmada::config::STARTER;

pub fn run(args: &InitArgs) -> Result<ExitCode> {
    // A killed run's temporary file holds the starter, the start of it, or nothing yet.
    let starter_so_far = |head: &[u8]| STARTER.as_bytes().starts_with(head);
    let how = FileWrite {
        mode: 0o644,
        force: args.force,
        offers_force: true,
        owned: None,
        leftovers: Some(&starter_so_far),
        elsewhere: "give another path",
    };
    output_path::write_file(&args.path, STARTER.as_bytes(), &how).map_err(|e| match e {
        OutputError::Refused(refused) => anyhow::Error::new(refused),
        // A filesystem that refuses the write is a failure while doing the work (1), as for synth and diagram.
        OutputError::Io(e) => anyhow::anyhow!("cannot write {}: {e}", args.path.display()),
    })?;
    eprintln!(
        "Wrote {}: every field shows its default; edit what you need, then `karmada-eks synth`.",
        args.path.display()
    );
    Ok(ExitCode::SUCCESS)
}
