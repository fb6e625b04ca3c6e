//! L3: the Karmada-on-EKS app assembled from the L2 constructs. Imports run one way: [`config`] (what the user
//! wrote, checked), then [`host`] (the scripts and manifests the management host runs), then [`stacks`] (the
//! app's stacks, each built from what the one before handed out). [`wellknown`] and [`pins`] are the names and
//! versions all of them share.

pub mod config;
pub mod error;
pub mod host;
pub mod pins;
pub mod stacks;
pub mod wellknown;

pub use config::{Config, ConfigError, JoinMode, Member};
pub use error::KarmadaError;
pub use stacks::KarmadaApp;
