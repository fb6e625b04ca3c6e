//! S3 constructs.

pub mod bucket;

pub use bucket::{PrivateBucket, PrivateBucketProps};
