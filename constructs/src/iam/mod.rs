//! IAM constructs: roles, instance profiles, OIDC providers, policy documents.

pub mod instance_profile;
pub mod oidc_provider;
pub mod policy;
pub mod role;

pub use instance_profile::InstanceProfile;
pub use oidc_provider::OidcProvider;
pub use role::{Principal, Role, RoleProps};
