//! `status`: the app's stacks as CloudFormation reports them, Karmada as the host sees it (read through SSM Run
//! Command, so no network path to the NLB is needed), and optionally CloudFormation drift, judged against the app's
//! facts from its assembly: [`gather`] reads, [`judge`] decides, [`drift`] detects, [`render`] writes the text.

pub mod drift;
pub mod gather;
pub mod judge;
pub mod model;
pub mod render;

pub use judge::assess;
pub use model::{HostAnswer, StackState, StatusReport};
