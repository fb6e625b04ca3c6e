//! The desired state as an assembly holds it: the chunk parameters of the desired-state stacks, and the bundle
//! they make (decoded with `host::desired_state`, which wrote them).

use crate::core::CloudAssembly;
use crate::karmada::host::desired_state::bundle_of_chunks;
use crate::karmada::wellknown;

/// The desired-state chunks `template` holds: (index, base64 value) of each `/<app>/karmada/desired-state/<i>`
/// parameter.
pub fn chunks_in<'a>(template: &'a serde_json::Value, app: &str) -> Vec<(usize, &'a str)> {
    let prefix = format!("{}/", wellknown::desired_state_parameter(app));
    let resources = template["Resources"].as_object().into_iter().flat_map(|r| r.values());
    resources
        .filter_map(|r| {
            let (name, value) = (r["Properties"]["Name"].as_str()?, r["Properties"]["Value"].as_str()?);
            Some((name.strip_prefix(&prefix)?.parse().ok()?, value))
        })
        .collect()
}

/// The bundle an assembly's desired-state stacks hold (their chunk parameters, in order), for the commands that
/// read the app from its assembly; `None` when the assembly has none or a chunk is missing.
pub fn bundle_in(assembly: &CloudAssembly, app: &str) -> Option<String> {
    bundle_of_chunks(assembly.stacks.iter().flat_map(|s| chunks_in(&s.template, app)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::karmada::config::JoinMode;
    use crate::karmada::host::desired_state::{bundle_file, render};
    use crate::karmada::{Config, KarmadaApp};

    #[test]
    fn the_assembly_gives_back_the_bundle_synth_wrote() {
        let mut config = Config::default();
        config.members[2].mode = JoinMode::Pull;
        config.nlb.allowed_cidrs = Some(vec!["198.51.100.0/24".into()]);
        let assembly = KarmadaApp::new(&config).unwrap().synth().unwrap();
        let bundle = bundle_in(&assembly, "karmada").unwrap();
        assert_eq!(bundle, render(&config).unwrap().bundle);
        let members = bundle_file(&bundle, "members").unwrap();
        assert!(members.ends_with("eksuscl01 us-east-1 eksuscl01 pull\n"), "{members}");
    }
}
