//! The management host's user-data (minimal: signals success; the full bootstrap replaces this).

use super::Config;

/// Synth-time inputs of the bootstrap script.
pub struct BootstrapContext<'a> {
    pub config: &'a Config,
    pub management_stack: &'a str,
    pub instance_logical_id: &'a str,
    pub kubeconfig_parameter: &'a str,
    pub overflow_parameter_prefix: &'a str,
}

/// The rendered script (an `Fn::Sub` text), the variables it uses, and overflow chunks for SSM.
pub struct RenderedBootstrap {
    pub script: String,
    pub variables: Vec<&'static str>,
    pub overflow: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct BootstrapError(String);

pub fn render(ctx: &BootstrapContext) -> Result<RenderedBootstrap, BootstrapError> {
    let script = format!(
        "#!/bin/bash\nset -euo pipefail\n/opt/aws/bin/cfn-signal --success true --stack {} --resource {} --region ${{AWS::Region}}\n",
        ctx.management_stack, ctx.instance_logical_id
    );
    Ok(RenderedBootstrap { script, variables: Vec::new(), overflow: Vec::new() })
}
