//! Names that synth, the management host's scripts and the deployer share: tag keys, SSM parameter and secret
//! names, the host's commands and paths. Written once here; every side imports them.

/// Tag on every stack of an app: its value is the app name. `deploy`, `destroy`, `list`, `diff` and `status`
/// find the app's deployed stacks by it.
pub const TAG_APP: &str = "karmada-eks:app";
/// Tag with the SHA-256 of the template a stack was deployed from.
pub const TAG_TEMPLATE_SHA256: &str = "karmada-eks:template-sha256";
/// Tag with the SHA-256 of the other stacks' output values a stack's template read (its `Fn::GetStackOutput`s)
/// when it was last deployed. CloudFormation resolves the function only when the stack is created or updated, so
/// a changed value leaves the consumer stale until its next update; the deployer compares this tag to decide that
/// update (a tag change is one, which resolves the function again) and `diff`/`status` report a stale consumer.
pub const TAG_INPUTS_SHA256: &str = "karmada-eks:inputs-sha256";
/// Tag with the karmada-eks version that deployed a stack.
pub const TAG_VERSION: &str = "karmada-eks:version";
/// Tag on every stack the L3 builds: which [`Part`] of the app it is. With the stack-name patterns it tells the
/// deployer which of the app's deployed stacks karmada-eks made, and so may delete (`StackNames::made_part`).
pub const TAG_PART: &str = "karmada-eks:part";

/// The parts of an app, each made of one or more stacks (the value of [`TAG_PART`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Part {
    Backup,
    Network,
    Cluster,
    MemberAccess,
    DesiredState,
    Management,
}

impl Part {
    pub const ALL: [Part; 6] =
        [Part::Backup, Part::Network, Part::Cluster, Part::MemberAccess, Part::DesiredState, Part::Management];

    pub fn as_str(self) -> &'static str {
        match self {
            Part::Backup => "backup",
            Part::Network => "network",
            Part::Cluster => "cluster",
            Part::MemberAccess => "member-access",
            Part::DesiredState => "desired-state",
            Part::Management => "management",
        }
    }

    /// The only resource types the stacks of this part hold, for the parts whose stacks come and go with the
    /// config (a member region, a desired-state part): how a stack of the release before [`TAG_PART`] is known.
    pub fn only_resource_types(self) -> Option<&'static [&'static str]> {
        match self {
            Part::MemberAccess => Some(&["AWS::EKS::AccessEntry"]),
            Part::DesiredState => Some(&["AWS::SSM::Parameter"]),
            Part::Backup | Part::Network | Part::Cluster | Part::Management => None,
        }
    }
}

/// Secrets Manager secret holding the Karmada API kubeconfig, written by the management host.
pub fn kubeconfig_secret(app: &str) -> String {
    format!("{app}/karmada/kubeconfig")
}

/// The SSM path that reads a Secrets Manager secret through Parameter Store (`GetParameter` with decryption).
pub fn secret_reference(secret_name: &str) -> String {
    format!("/aws/reference/secretsmanager/{secret_name}")
}

/// Head of the desired state (day-2 input of the reconcile): `{"sha256": "...", "chunks": N}`.
pub fn desired_state_parameter(app: &str) -> String {
    format!("/{app}/karmada/desired-state")
}

/// Chunk `i` (from 0) of the desired state: base64 of the bundle the reconcile unpacks.
pub fn desired_state_chunk(app: &str, i: usize) -> String {
    format!("/{app}/karmada/desired-state/{i}")
}

/// SHA-256 of the desired state the host last applied successfully (`none` before the first reconcile).
pub fn applied_state_parameter(app: &str) -> String {
    format!("/{app}/karmada/applied-state")
}

/// Regions the app has ever deployed a stack to, comma-separated; written by `deploy` before it first deploys to
/// a region, read by `deploy`, `destroy`, `diff`, `list` and `status` to find stacks that left the assembly,
/// deleted by `destroy` last.
pub fn regions_parameter(app: &str) -> String {
    format!("/{app}/karmada-eks/regions")
}

/// The per-app deploy lock (SSM String parameter in the app's home region, where [`regions_parameter`] is): taken
/// by `deploy` and `destroy` with a create that fails when it exists, holding the owner as JSON, deleted at the
/// end of the run.
pub fn lock_parameter(app: &str) -> String {
    format!("/{app}/karmada-eks/lock")
}

/// What the last successful `deploy` of the whole app deployed (SSM String parameter in the home region, JSON:
/// assembly SHA-256, time, principal, version, members, regions); read by the next deploy to warn before it
/// removes members or regions, deleted by `destroy`.
pub fn last_deploy_parameter(app: &str) -> String {
    format!("/{app}/karmada-eks/last-deploy")
}

/// The command the user-data installs on the management host; SSM Run Command calls it.
/// `karmada-eks-reconcile apply` (reconcile to the desired state), `unjoin NAME...`, `status` (JSON on stdout),
/// `log [bootstrap|reconcile]` (the tail of the host's log).
pub const HOST_RECONCILE_COMMAND: &str = "/usr/local/bin/karmada-eks-reconcile";
/// The bootstrap script's log on the management host.
pub const HOST_BOOTSTRAP_LOG: &str = "/var/log/karmada-eks-bootstrap.log";
/// The reconcile's log on the management host.
pub const HOST_RECONCILE_LOG: &str = "/var/log/karmada-eks-reconcile.log";

/// Stack parameter of the management stack holding the host's image ID, filled by `deploy`: resolved once from
/// the public SSM parameter named in the manifest, then kept from the deployed stack until the user asks for a
/// new image.
pub const HOST_IMAGE_PARAMETER: &str = "HostImageId";
