//! The model: apps, stacks, expressions and the cloud assembly. Nothing AWS-service-specific.

pub mod app;
pub mod aspect;
pub mod assembly;
pub mod environment;
pub mod error;
pub mod expr;
pub mod hints;
pub mod id;
pub mod output_path;
pub mod overrides;
mod resolve;
pub mod resource;
pub mod resource_mut;
pub mod size;
pub mod stack;
mod synthesis;
pub mod tags;
pub mod template;

pub use app::App;
pub use aspect::{Aspect, EntryNode, ResourceNode, StackNode};
pub use assembly::{CloudAssembly, OutputReference, ParameterFromOutput, StackArtifact};
pub use environment::Environment;
pub use error::SynthError;
pub use expr::{Expr, Pseudo, Target};
pub use hints::Hints;
pub use overrides::{Override, OverrideError};
pub use resolve::GET_STACK_OUTPUT;
pub use resource::{CfnResource, RemovalPolicy, ResourceOptions, ResourceRef, TagFormat};
pub use resource_mut::ResourceMut;
pub use size::StackSize;
pub use stack::{Output, Parameter, ParameterFromSsm, Scope, Stack};
pub use tags::ApplyTag;
