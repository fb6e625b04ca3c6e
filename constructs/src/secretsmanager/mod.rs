//! Secrets Manager constructs.

pub mod secret;

pub use secret::{WriterOnlySecret, WriterOnlySecretProps};
