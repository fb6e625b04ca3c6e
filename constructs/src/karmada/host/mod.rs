//! What runs on the management host, rendered at synth time: the bootstrap user-data (day 1), the desired-state
//! bundle with its reconcile script (day 2 and after), the Kubernetes manifests both apply, and the handlebars
//! plumbing under them. Reads the config; knows nothing of the stacks that carry the scripts.

pub mod bootstrap;
pub mod desired_state;
pub mod error;
pub mod fetcher;
pub mod init_flags;
pub mod manifests;
pub mod shell;
mod static_lines;
pub mod templates;
pub mod tools;

pub use error::ScriptError;
