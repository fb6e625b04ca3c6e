//! `list`: the stacks in deploy order.

use anyhow::Result;
use std::process::ExitCode;

use crate::cli::ListArgs;
use constructs::core::CloudAssembly;

pub fn run(assembly: &CloudAssembly, args: &ListArgs) -> Result<ExitCode> {
    if args.json {
        let stacks: Vec<_> = assembly.stacks.iter().map(super::assembly::stack_json).collect();
        println!("{}", serde_json::to_string_pretty(&stacks)?);
    } else {
        let width = assembly.stacks.iter().map(|s| s.name.len()).max().unwrap_or(5).max(5);
        println!("{:width$}  {:36}  DEPENDS ON", "STACK", "ENVIRONMENT");
        for s in &assembly.stacks {
            let deps = if s.dependencies.is_empty() { "-".to_string() } else { s.dependencies.join(", ") };
            println!("{:width$}  {:36}  {deps}", s.name, s.environment.uri());
        }
    }
    Ok(ExitCode::SUCCESS)
}
