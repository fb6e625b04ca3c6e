//! The model: apps, stacks, expressions and the cloud assembly. Nothing AWS-service-specific.

pub mod app;
pub mod assembly;
pub mod error;
pub mod expr;
pub mod id;
mod resolve;
pub mod resource;
pub mod size;
pub mod stack;
mod tags;
pub mod template;

pub use app::App;
pub use assembly::{CloudAssembly, ParameterFromOutput, StackArtifact};
pub use error::SynthError;
pub use expr::{Expr, Pseudo, Target};
pub use resource::{CfnResource, RemovalPolicy, ResourceOptions, ResourceRef, TagFormat};
pub use size::StackSize;
pub use stack::{Environment, Output, Parameter, ParameterFromSsm, Scope, Stack};
