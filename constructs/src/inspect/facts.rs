//! The app's own facts, read from its cloud assembly (the AWS CDK CLI's `cloud-assembly-api` metadata reader is
//! the anchor): the app's name and home region, its regions and stacks, and what the desired state says of the
//! members (join mode, weight), the workload, the Karmada release and the certificate renewal. The deployer,
//! `status`, `reconcile`, `kubeconfig` and the host commands take these from the assembly they were given, never
//! from a `karmada-eks.toml` beside it.

use std::collections::BTreeMap;

use super::desired_state::bundle_in;
use crate::core::CloudAssembly;
use crate::karmada::config::release;
use crate::karmada::host::desired_state::bundle_file;
use crate::karmada::wellknown::{StackNames, TAG_APP};
use crate::karmada::JoinMode;

/// A member cluster as the desired state lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MemberFacts {
    /// Karmada cluster name.
    pub name: String,
    pub region: String,
    pub eks_cluster_name: String,
    pub mode: JoinMode,
    /// Its `staticWeightList` weight in the workload's PropagationPolicy; 0 when not listed or no workload.
    pub weight: u32,
}

/// The workload the desired state propagates.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WorkloadFacts {
    pub name: String,
    pub replicas: u32,
}

/// What the assembly says of its app.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AppFacts {
    pub app: String,
    /// Where the app's own stacks (cluster, management, desired state) and records live: the region of its first
    /// stack in deploy order.
    pub home_region: String,
    /// The account the stacks name, when the assembly names one.
    pub account: Option<String>,
    /// Every region with a stack of the assembly, each once, in assembly order.
    pub regions: Vec<String>,
    pub names: StackNames,
    pub members: Vec<MemberFacts>,
    pub workload: Option<WorkloadFacts>,
    /// `KARMADA_VERSION` of the desired state's settings.
    pub karmada_version: Option<String>,
    /// `RENEW_BEFORE_DAYS` of the desired state's settings.
    pub renew_before_days: Option<u32>,
}

/// Why an assembly holds no karmada-eks app.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("the assembly holds no karmada-eks app: none of its stacks is tagged {TAG_APP}")]
pub struct NoApp;

impl crate::core::Hints for NoApp {
    fn hints(&self) -> Vec<String> {
        vec!["give --app a directory `karmada-eks synth` wrote, or a command that writes such an assembly".into()]
    }
}

impl AppFacts {
    /// The facts of `assembly`'s app; [`NoApp`] when no stack carries the app tag.
    pub fn of(assembly: &CloudAssembly) -> Result<AppFacts, NoApp> {
        let app = assembly.stacks.iter().find_map(|s| s.tags.get(TAG_APP)).cloned().ok_or(NoApp)?;
        let first = assembly.stacks.first().ok_or(NoApp)?;
        let mut regions: Vec<String> = Vec::new();
        for s in &assembly.stacks {
            if !regions.contains(&s.environment.region) {
                regions.push(s.environment.region.clone());
            }
        }
        let bundle = bundle_in(assembly, &app);
        let file = |name: &str| bundle.as_deref().and_then(|b| bundle_file(b, name)).unwrap_or_default();
        let settings = file("settings");
        let (weights, workload) = match static_weights(file("workload.yaml")) {
            Some((weights, replicas)) => {
                let name = workload_name(file("workload.yaml")).unwrap_or_default();
                (weights, Some(WorkloadFacts { name, replicas }))
            }
            None => (BTreeMap::new(), None),
        };
        let members = members(file("members"))
            .into_iter()
            .map(|mut m| {
                m.weight = weights.get(&m.name).copied().unwrap_or(0);
                m
            })
            .collect();
        Ok(AppFacts {
            names: StackNames::new(&app),
            home_region: first.environment.region.clone(),
            account: first.environment.account.clone(),
            regions,
            members,
            workload,
            karmada_version: release::of_settings(settings).map(str::to_string),
            renew_before_days: setting(settings, "RENEW_BEFORE_DAYS").and_then(|v| v.parse().ok()),
            app,
        })
    }
}

/// The value of `KEY=value` in the settings file.
fn setting<'a>(settings: &'a str, key: &str) -> Option<&'a str> {
    settings.lines().find_map(|l| l.strip_prefix(key)?.strip_prefix('=')).map(str::trim)
}

/// The bundle's `members` file: `name region eks-cluster-name mode`, one a line (host::desired_state writes it).
pub(crate) fn members(text: &str) -> Vec<MemberFacts> {
    text.lines()
        .filter_map(|line| match line.split_whitespace().collect::<Vec<_>>()[..] {
            [name, region, eks, mode] => Some(MemberFacts {
                name: name.to_string(),
                region: region.to_string(),
                eks_cluster_name: eks.to_string(),
                mode: if mode == "pull" { JoinMode::Pull } else { JoinMode::Push },
                weight: 0,
            }),
            _ => None,
        })
        .collect()
}

/// Each cluster's weight in the workload's `staticWeightList` (templates/propagation-policy.yaml.hbs: a
/// `clusterNames: ["a", "b"]` line, then its `weight: N`) and the Deployment's `replicas`.
pub(crate) fn static_weights(workload: &str) -> Option<(BTreeMap<String, u32>, u32)> {
    let mut weights = BTreeMap::new();
    let (mut in_list, mut names, mut replicas) = (false, Vec::new(), None);
    for line in workload.lines().map(str::trim) {
        if line == "staticWeightList:" {
            in_list = true;
        } else if let Some(list) = line.strip_prefix("clusterNames: [").filter(|_| in_list) {
            names = list.trim_end_matches(']').split(',').map(|n| n.trim().trim_matches('"').to_string()).collect();
        } else if let Some(w) = line.strip_prefix("weight: ").and_then(|w| w.parse().ok()) {
            weights.extend(names.drain(..).map(|n| (n, w)));
        } else if let Some(r) = line.strip_prefix("replicas: ").and_then(|r| r.parse().ok()) {
            replicas = Some(r);
        }
    }
    Some((weights, replicas?))
}

/// The Deployment's `metadata.name` (templates/deployment.yaml.hbs).
fn workload_name(workload: &str) -> Option<String> {
    let deployment = &workload[workload.find("kind: Deployment")?..];
    let line = deployment.lines().map(str::trim).find_map(|l| l.strip_prefix("name: "))?;
    Some(line.trim_matches('"').to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::karmada::{Config, KarmadaApp};

    #[test]
    fn facts_come_from_the_assembly_not_a_config() {
        let config = Config::from_toml(
            "app = \"fleet\"\nregion = \"eu-west-1\"\n[[members]]\nname = \"a\"\nweight = 1\n[[members]]\nname = \"b\"\nregion = \"us-east-1\"\nmode = \"pull\"\nweight = 3\n[nlb]\nallowed_cidrs = [\"203.0.113.7/32\"]\n[karmada]\nrenew_before_days = 20\n",
        )
        .unwrap();
        let assembly = KarmadaApp::new(&config).unwrap().synth().unwrap();
        let facts = AppFacts::of(&assembly).unwrap();
        assert_eq!((facts.app.as_str(), facts.home_region.as_str()), ("fleet", "eu-west-1"));
        assert_eq!(facts.regions, ["eu-west-1", "us-east-1"]);
        assert_eq!(facts.names.management, "fleet-management");
        let got: Vec<_> =
            facts.members.iter().map(|m| (m.name.as_str(), m.region.as_str(), m.mode, m.weight)).collect();
        assert_eq!(got, [("a", "eu-west-1", JoinMode::Push, 1), ("b", "us-east-1", JoinMode::Pull, 3)]);
        assert_eq!(
            facts.workload,
            Some(WorkloadFacts { name: config.workload.name.clone(), replicas: config.workload.replicas })
        );
        assert_eq!(facts.karmada_version.as_deref(), Some(config.karmada.version.as_str()));
        assert_eq!(facts.renew_before_days, Some(20));
    }

    #[test]
    fn an_assembly_without_the_app_tag_has_no_facts() {
        let mut app = crate::core::App::new();
        app.add_stack("other", crate::core::Environment::new(None, "eu-west-1"));
        assert_eq!(AppFacts::of(&app.synth().unwrap()), Err(NoApp));
    }
}
