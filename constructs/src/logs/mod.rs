//! CloudWatch Logs constructs.

pub mod encrypted_log_group;

pub use encrypted_log_group::{EncryptedLogGroup, EncryptedLogGroupProps};
