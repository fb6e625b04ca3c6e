//! Checking aspects: policy rules a user turns on (`App::add_aspect`, or `[checks]` in the config) that report
//! a resource breaking them as a synth error naming its construct path.

pub mod encryption;

pub use encryption::EncryptionCheck;
