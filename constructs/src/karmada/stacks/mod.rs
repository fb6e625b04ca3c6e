//! `KarmadaApp`: the guide's architecture as stacks.
//!
//! | stack | holds |
//! | --- | --- |
//! | `<app>-backup` | the S3 bucket of Karmada's backups (etcd snapshots and the certificates a restore needs), versioned, KMS-encrypted, TLS only, retained on delete; `destroy` keeps the stack unless `--delete-backups` |
//! | `<app>-network` | VPC, subnets, internet and NAT gateways, flow logs |
//! | `<app>-cluster` | parent EKS cluster (its control-plane log group created first), node group (following the cluster's Kubernetes version), OIDC provider, EBS CSI add-on, the Karmada API NLB, the management host's role and its access entry, the kubeconfig secret `<app>/karmada/kubeconfig` (own KMS key, only the host writes it) |
//! | `<app>-member-access-<region>` (`-2`, `-3`, ... when one stack would pass 51,200 bytes) | per member region: access entries giving the management role cluster-admin on each member |
//! | `<app>-management` | the management host, whose bootstrap script installs Karmada; its image is the `HostImageId` parameter, filled once by deploy |
//!
//! The management role lives in the cluster stack so that the member-access stacks exist before the host's
//! reconcile joins the members; the management stack depends on every member-access stack.
//!
//! No stack exports anything: every value one stack takes from another is a parameter that `deploy` fills from
//! the producer's outputs (see `core::resolve`), so replacing the node group, the NLB or a NAT gateway never
//! stops the producer's update. The host reads what can change under it at run time from the cluster stack's
//! outputs `NodegroupName` and `TargetGroupArn`.

mod backup;
mod cluster;
mod desired_state;
mod host_role;
mod management;
mod member_access;
mod network;
pub mod scale;
mod stack_tags;

pub use desired_state::DESIRED_STATE_CHUNKS_PER_STACK;

pub use cluster::ParentCluster;
pub use host_role::{inline_policy_chars, MEMBER_ARNS_BUDGET_CHARS};

use crate::core::{App, Environment};
use crate::karmada::config::Config;
use crate::karmada::error::KarmadaError;
use crate::karmada::wellknown::StackNames;

/// The whole app built from a configuration: an [`App`] (it dereferences to one) with the guide's stacks, the
/// config's `[checks]` as aspects and its `[[overrides]]` recorded. [`KarmadaApp::into_app`] hands the app
/// over for stacks, overrides and aspects of your own (see `constructs/examples/extend.rs`).
///
/// ```
/// use constructs::core::Environment;
/// use constructs::karmada::{Config, KarmadaApp};
///
/// let config = Config::from_toml("app = \"demo\"\n[[members]]\nname = \"eksuscl01\"\n").unwrap();
/// let mut app = KarmadaApp::new(&config).unwrap().into_app();
/// app.stack_mut("demo-cluster")
///     .unwrap()
///     .find_resource_mut("Nodes")
///     .unwrap()
///     .add_property_override("Labels.team", "platform");
/// app.add_stack("demo-extra", Environment::new(None, "us-east-1"));
///
/// let assembly = app.synth().unwrap();
/// let names: Vec<&str> = assembly.stacks.iter().map(|s| s.name.as_str()).collect();
/// assert_eq!(
///     names,
///     [
///         "demo-backup",
///         "demo-network",
///         "demo-cluster",
///         "demo-member-access-us-east-1",
///         "demo-desired-state-2",
///         "demo-desired-state-3",
///         "demo-desired-state",
///         "demo-management",
///         "demo-extra"
///     ]
/// );
/// ```
pub struct KarmadaApp {
    app: App,
}

impl std::ops::Deref for KarmadaApp {
    type Target = App;

    fn deref(&self) -> &App {
        &self.app
    }
}

impl KarmadaApp {
    /// The app for `config`, with its `[checks]` and `[[overrides]]` applied; synthesize it with [`App::synth`].
    pub fn new(config: &Config) -> Result<Self, KarmadaError> {
        let mut app = build(config)?;
        config.checks.add_to(&mut app);
        crate::karmada::config::overrides::apply(&mut app, &config.overrides)?;
        Ok(KarmadaApp { app })
    }

    pub fn into_app(self) -> App {
        self.app
    }
}

/// The stacks in deploy order, each built from what the ones before it handed out.
fn build(config: &Config) -> Result<App, KarmadaError> {
    config.validate()?;
    let env = Environment::new(config.account.clone(), &config.region);
    let names = StackNames::new(&config.app);
    let mut app = App::new();
    let bucket = backup::backup_stack(&mut app, config, &names, &env);
    let vpc = network::network_stack(&mut app, config, &names, &env);
    let parent = cluster::cluster_stack(&mut app, config, &names, &env, &vpc, &bucket)?;
    let access = member_access::member_access_stacks(&mut app, config, &names, &parent.role)?;
    let script = management::bootstrap_script(config, &names)?;
    let desired = desired_state::desired_state_stacks(&mut app, config)?;
    management::management_stack(&mut app, config, &names, env, &vpc, parent, &access, &desired, script)?;
    scale::check_app(&app, config)?;
    Ok(app)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::karmada::wellknown::TAG_PART;

    #[test]
    fn every_stack_of_the_app_is_tagged_with_its_part() {
        let config = Config::from_toml(
            "app = \"demo\"\n[[members]]\nname = \"a\"\nregion = \"eu-west-1\"\n[[members]]\nname = \"b\"\nregion = \"us-east-1\"\n",
        )
        .unwrap();
        let assembly = KarmadaApp::new(&config).unwrap().synth().unwrap();
        let names = StackNames::new("demo");
        for stack in &assembly.stacks {
            let tag = stack.tags.get(TAG_PART).map(String::as_str);
            let part = names.part_named(&stack.name, &stack.environment.region).expect("a known name");
            assert_eq!(tag, Some(part.as_str()), "{}", stack.name);
            assert_eq!(names.made_part(&stack.name, &stack.environment.region, tag, &stack.template), Ok(part));
        }
        assert_eq!(assembly.stacks.len(), 9);
    }
}
