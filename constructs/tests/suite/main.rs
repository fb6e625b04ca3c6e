//! The library's integration tests, as one test binary: config errors, the desired-state stacks, the Karmada
//! API's access, cross-stack references, stack updates and the scale limits, through the public API only.

mod config_errors;
mod desired_state_stacks;
mod karmada_api_access;
mod references;
mod scale_limits;
mod stack_updates;
