//! Kubernetes manifests the bootstrap script applies, rendered from the handlebars templates in `templates/`.
//!
//! - [`storage_class`]: the encrypted gp3 StorageClass (EBS CSI driver, `WaitForFirstConsumer`) that the etcd
//!   PVCs of `kubectl karmada init` use, applied to the parent cluster.
//! - [`workload`]: the sample nginx Deployment and its `Divided`/`Weighted` PropagationPolicy, applied to the
//!   Karmada API.

use serde_json::json;

use crate::karmada::config::placement::effective_weights;
use crate::karmada::config::{Config, WorkloadConfig};
use crate::karmada::wellknown::TAG_APP;

use super::templates::{render, Template, TemplateError};

/// The StorageClass `name`: provisioner `ebs.csi.aws.com`, `WaitForFirstConsumer` binding, encrypted gp3 volumes
/// that may grow, each tagged `karmada-eks:app=<app>` so `destroy` finds the etcd volumes of the app (the EBS CSI
/// driver applies a StorageClass parameter `tagSpecification_<n>: "key=value"` as a tag of every volume it
/// provisions: aws-ebs-csi-driver docs/tagging.md, "StorageClass Tagging"; the driver's own cluster tags need an
/// option the add-on does not set). Reclaim policy: Kubernetes' default (`Delete`).
pub fn storage_class(name: &str, app: &str) -> Result<String, TemplateError> {
    render(Template::StorageClass, &json!({ "name": name, "app": app, "tag_key": TAG_APP }))
}

/// The sample Deployment (the workload's name, namespace, image and replicas; port 80; small CPU and memory
/// requests), preceded by its Namespace when that is not `default`.
pub fn deployment(workload: &WorkloadConfig) -> Result<String, TemplateError> {
    render(
        Template::Deployment,
        &json!({
            "name": workload.name,
            "namespace": workload.namespace,
            "create_namespace": workload.namespace != "default",
            "image": workload.image,
            "replicas": workload.replicas,
        }),
    )
}

/// Name of the sample workload's PropagationPolicy: `<workload>-propagation`.
pub fn policy_name(workload: &WorkloadConfig) -> String {
    format!("{}-propagation", workload.name)
}

/// The PropagationPolicy `<workload>-propagation` that divides the Deployment's replicas over the members by static
/// weight (`Divided`, `Weighted`). Every member is a candidate (`clusterAffinity`). `staticWeightList` has one
/// entry per distinct weight, naming the members that have it (Karmada gives a cluster the largest weight of the
/// entries matching it, so this is the same as one entry per member, and stays small for large fleets). Members
/// of weight 0 are left out of it (the CRD requires weights of at least 1), so they get no replicas; when every
/// weight is 0, every member is listed with weight 1, as Karmada itself treats that case.
pub fn propagation_policy(config: &Config) -> Result<String, TemplateError> {
    let members: Vec<(String, u32)> = config.members.iter().map(|m| (m.name.clone(), m.weight)).collect();
    let mut groups: Vec<(u32, Vec<String>)> = Vec::new();
    for (name, weight) in effective_weights(&members).into_iter().filter(|(_, w)| *w > 0) {
        match groups.iter_mut().find(|(w, _)| *w == weight) {
            Some((_, names)) => names.push(name),
            None => groups.push((weight, vec![name])),
        }
    }
    let groups: Vec<serde_json::Value> =
        groups.into_iter().map(|(weight, clusters)| json!({ "weight": weight, "clusters": clusters })).collect();
    let clusters: Vec<&str> = members.iter().map(|(n, _)| n.as_str()).collect();
    render(
        Template::PropagationPolicy,
        &json!({
            "name": policy_name(&config.workload),
            "namespace": config.workload.namespace,
            "deployment": config.workload.name,
            "clusters": clusters,
            "groups": groups,
        }),
    )
}

/// The Deployment (with its Namespace when needed) and its PropagationPolicy as one multi-document YAML text.
pub fn workload(config: &Config) -> Result<String, TemplateError> {
    Ok(format!("{}---\n{}", deployment(&config.workload)?, propagation_policy(config)?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::karmada::config::MemberConfig;

    #[test]
    fn storage_class_is_encrypted_gp3_waiting_for_consumers() {
        let text = storage_class("ebs-sc", "karmada").unwrap();
        for line in [
            "  tagSpecification_1: \"karmada-eks:app=karmada\"",
            "kind: StorageClass",
            "  name: \"ebs-sc\"",
            "provisioner: ebs.csi.aws.com",
            "volumeBindingMode: WaitForFirstConsumer",
            "  type: gp3",
            "  encrypted: \"true\"",
        ] {
            assert!(text.lines().any(|l| l == line), "{line:?} missing from\n{text}");
        }
    }

    #[test]
    fn default_policy_groups_members_by_weight() {
        let text = propagation_policy(&Config::default()).unwrap();
        assert!(text.contains("  name: \"nginx-propagation\"\n"), "{text}");
        assert!(text.contains("      replicaSchedulingType: Divided\n"), "{text}");
        assert!(text.contains("      replicaDivisionPreference: Weighted\n"), "{text}");
        assert!(text.contains("      clusterNames: [\"ekseucl01\", \"ekseucl02\", \"eksuscl01\"]\n"), "{text}");
        assert!(
            text.ends_with(
                "          - targetCluster:\n              clusterNames: [\"ekseucl01\", \"ekseucl02\"]\n            weight: 1\n\
                 \x20         - targetCluster:\n              clusterNames: [\"eksuscl01\"]\n            weight: 2\n"
            ),
            "{text}"
        );
        assert!(!text.contains("\n\n"), "blank lines left by the template:\n{text}");
    }

    #[test]
    fn weight_zero_members_stay_candidates_without_a_weight() {
        let mut config = Config::default();
        config.members[1].weight = 0;
        let text = propagation_policy(&config).unwrap();
        assert_eq!(text.matches("          - targetCluster:").count(), 2, "{text}");
        assert!(text.contains("      clusterNames: [\"ekseucl01\", \"ekseucl02\", \"eksuscl01\"]\n"), "{text}");
        assert_eq!(text.matches("\"ekseucl02\"").count(), 1, "{text}");
    }

    #[test]
    fn all_zero_weights_become_one() {
        let members = vec![MemberConfig::new("a", "us-east-1", 0), MemberConfig::new("b", "us-east-1", 0)];
        let config = Config { members, ..Config::default() };
        let text = propagation_policy(&config).unwrap();
        assert!(text.ends_with("              clusterNames: [\"a\", \"b\"]\n            weight: 1\n"), "{text}");
    }

    #[test]
    fn numeric_looking_names_stay_strings() {
        let members = vec![MemberConfig::new("123", "us-east-1", 1)];
        let mut config = Config { members, ..Config::default() };
        config.workload.name = "007".into();
        let text = workload(&config).unwrap();
        assert!(text.contains("[\"123\"]") && text.contains("  name: \"007\"\n"), "{text}");
    }

    #[test]
    fn namespace_is_created_only_when_not_default() {
        let mut config = Config::default();
        assert!(!workload(&config).unwrap().contains("kind: Namespace"));
        config.workload.namespace = "demo".into();
        let text = workload(&config).unwrap();
        assert!(text.starts_with("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: \"demo\"\n---\n"), "{text}");
        assert!(text.contains("  namespace: \"demo\"\n"), "{text}");
    }

    #[test]
    fn deployment_carries_image_and_replicas() {
        let text = deployment(&Config::default().workload).unwrap();
        assert!(text.contains("  replicas: 12\n"), "{text}");
        assert!(text.contains("image: \"public.ecr.aws/nginx/nginx:1.27\"\n"), "{text}");
    }
}
