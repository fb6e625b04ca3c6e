//! L3: the Karmada-on-EKS app assembled from the L2 constructs, its configuration and its helpers.

pub mod bootstrap;
pub mod checks;
pub mod config;
pub mod cost;
pub mod desired_state;
pub mod diagram;
pub mod error;
pub mod fetcher;
pub mod inventory;
pub mod manifests;
pub mod names;
pub mod overrides;
pub mod placement;
pub mod release;
pub mod scale;
pub mod security;
mod static_lines;
pub mod templates;
pub mod wellknown;

pub use config::{Config, ConfigError, JoinMode, Member};
pub use error::KarmadaError;
pub mod parent;

pub use parent::KarmadaParent;
