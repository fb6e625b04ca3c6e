//! `cost`: the monthly estimate of the assembly, from the dated price table.

use anyhow::Result;
use std::process::ExitCode;

use crate::cli::CostArgs;
use crate::error::UsageError;
use constructs::core::CloudAssembly;
use constructs::inspect::cost::{self, Estimate, PriceTable};
use constructs::inspect::inventory::Inventory;

/// The estimate of `assembly` over `hours`; a region or figure the table lacks is bad input (exit 2).
pub fn estimate(assembly: &CloudAssembly, hours: u32) -> Result<Estimate> {
    cost::estimate(&Inventory::from_assembly(assembly), &PriceTable::shipped(), hours)
        .map_err(|e| UsageError::new(e.to_string()).hint(e.hint()).into())
}

pub fn run(assembly: &CloudAssembly, args: &CostArgs) -> Result<ExitCode> {
    let estimate = estimate(assembly, args.hours)?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&estimate)?);
    } else {
        print!("{}", estimate.to_text());
    }
    Ok(ExitCode::SUCCESS)
}

/// synth's one summary line: the monthly total of the fixed items, or why there is none.
pub fn summary_line(assembly: &CloudAssembly) -> String {
    match estimate(assembly, cost::HOURS_PER_MONTH) {
        Ok(e) => format!(
            "Monthly estimate: {} USD for the fixed items ({} hours, list prices taken {}; `karmada-eks cost` for the lines)",
            cost::money(e.total_usd),
            e.hours,
            e.prices_taken
        ),
        Err(e) => format!("Monthly estimate: unavailable: {e}"),
    }
}
