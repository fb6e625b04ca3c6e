//! Why the Karmada app could not be built. The core knows nothing of the Karmada layer: this error wraps the
//! core's [`SynthError`] beside the configuration's own [`ConfigError`].

use super::config::ConfigError;
use crate::core::hints::Hints;
use crate::core::SynthError;

/// A configuration the app refuses (the field it names, and the fix), or a construct or limit error of synth.
#[derive(Debug, thiserror::Error)]
pub enum KarmadaError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Synth(#[from] SynthError),
}

impl Hints for KarmadaError {
    fn hints(&self) -> Vec<String> {
        match self {
            KarmadaError::Config(e) => e.hints(),
            KarmadaError::Synth(e) => e.hints(),
        }
    }
}
