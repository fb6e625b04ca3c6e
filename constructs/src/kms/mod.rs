//! KMS constructs.

pub mod key;

pub use key::{Key, KeyProps};
