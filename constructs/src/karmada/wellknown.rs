//! Names that synth, the management host's scripts and the deployer share: tag keys, SSM parameter and secret
//! names, the host's commands and paths. Written once here; every side imports them.

/// Tag on every stack of an app: its value is the app name. `deploy`, `destroy`, `list`, `diff` and `status`
/// find the app's deployed stacks by it.
pub const TAG_APP: &str = "karmada-eks:app";
/// Tag with the SHA-256 of the template a stack was deployed from.
pub const TAG_TEMPLATE_SHA256: &str = "karmada-eks:template-sha256";
/// Tag with the karmada-eks version that deployed a stack.
pub const TAG_VERSION: &str = "karmada-eks:version";

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
