//! The `kubectl karmada init` flags the desired state carries.

use crate::karmada::config::Config;
use crate::karmada::pins::KARMADA_KUBE_IMAGE_TAG;

/// The `kubectl karmada init` flags that come from the desired state, not the user-data (file `init-flags` of
/// the bundle, one a line): the image tag, every component's replicas, etcd's volume size and the certificates'
/// lifetime. The bootstrap reads them through `karmada-eks-reconcile init-flags`, so a change of these settings
/// leaves the management instance alone (a `UserData` change stops and starts it); each is in the v1.18.2 flag
/// list (tests/data/karmadactl-v1.18.2-flags.txt).
pub fn init_flags(config: &Config) -> Vec<String> {
    let k = &config.karmada;
    let pairs: [(&str, String); 10] = [
        ("--kube-image-tag", KARMADA_KUBE_IMAGE_TAG.into()),
        ("--karmada-apiserver-replicas", k.apiserver_replicas.to_string()),
        ("--etcd-replicas", k.etcd_replicas.to_string()),
        ("--karmada-scheduler-replicas", k.scheduler_replicas.to_string()),
        ("--karmada-controller-manager-replicas", k.controller_manager_replicas.to_string()),
        ("--karmada-webhook-replicas", k.webhook_replicas.to_string()),
        ("--karmada-aggregated-apiserver-replicas", k.aggregated_apiserver_replicas.to_string()),
        ("--karmada-kube-controller-manager-replicas", k.kube_controller_manager_replicas.to_string()),
        ("--etcd-pvc-size", k.etcd_storage_size.clone()),
        // A Go duration (`flags.DurationVar`, pkg/karmadactl/cmdinit/cmdinit.go): hours, as in its "8760h0m0s".
        ("--cert-validity-period", format!("{}h", k.cert_validity_days * 24)),
    ];
    pairs.into_iter().flat_map(|(flag, value)| [flag.to_string(), value]).collect()
}
