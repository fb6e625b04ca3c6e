//! Why a host script (the bootstrap, the desired state's reconcile) could not be rendered.

use super::templates::TemplateError;
use crate::karmada::config::ConfigError;

#[derive(Debug, thiserror::Error)]
pub enum ScriptError {
    #[error(transparent)]
    Template(#[from] TemplateError),
    #[error("{field} = {value:?} cannot be written into the management host's scripts: use letters, digits and . _ - : / @ + = , only")]
    UnsafeValue { field: String, value: String },
    #[error("the bootstrap script uses ${{{0}}}, which is neither a declared Fn::Sub variable nor a pseudo parameter")]
    Undeclared(String),
    #[error("the bootstrap script needs up to {size} bytes of user-data; EC2 allows {limit}")]
    TooLarge { size: usize, limit: usize },
    #[error(transparent)]
    Config(#[from] ConfigError),
}
