//! Finding and reading the configuration file.

use anyhow::{Context, Result};
use std::path::{Path, PathBuf};

use constructs::karmada::Config;

/// The file read when no `--config` is given.
pub const DEFAULT_FILE: &str = "karmada-eks.toml";

/// Loads `--config PATH`, else `./karmada-eks.toml` if it exists, else the built-in defaults.
pub fn load(explicit: Option<&Path>) -> Result<Config> {
    let path: Option<PathBuf> = match explicit {
        Some(p) => Some(p.to_path_buf()),
        None => Some(PathBuf::from(DEFAULT_FILE)).filter(|p| p.exists()),
    };
    let Some(path) = path else { return Ok(Config::default()) };
    let text = std::fs::read_to_string(&path).map_err(|e| {
        crate::error::UsageError::new(format!("cannot read config file {}: {e}", path.display()))
            .hint("pass an existing file with --config, or run `karmada-eks init` to write one")
    })?;
    Config::from_toml(&text).with_context(|| format!("invalid config {}", path.display()))
}
