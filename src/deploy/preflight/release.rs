//! `karmada-release`: the step from the Karmada release of the deployed desired state to the one the assembly
//! asks for, judged before anything changes (constructs::karmada::config::release). The host refuses the same steps to the
//! release Karmada runs; this check refuses them while the app is untouched. The deployed release is the one the
//! host runs when it applied that desired state (its `applied-state` parameter names the same SHA-256); otherwise
//! an apply failed since, and only the host can tell, so the check warns instead of refusing.

use constructs::karmada::config::release::{self, Step};
use constructs::karmada::host::desired_state::{bundle_file, bundle_of_chunks};
use constructs::karmada::wellknown;

use super::report::Finding;
use crate::deploy::error::AwsError;
use crate::deploy::parameter;

/// GetParameters takes at most 10 names (SSM API Reference, GetParameters, `Names`).
const GET_PARAMETERS_NAMES: usize = 10;

/// The deployed desired state: its Karmada release and whether the host applied it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Deployed {
    pub release: String,
    pub applied: bool,
}

/// Reads the desired state `app`'s stacks hold in SSM; `None` before the first deploy, or from an earlier
/// karmada-eks whose bundle names no release.
pub async fn deployed(ssm: &aws_sdk_ssm::Client, app: &str) -> Result<Option<Deployed>, AwsError> {
    let Some(head) = parameter::get(ssm, &wellknown::desired_state_parameter(app)).await? else {
        return Ok(None);
    };
    let head: serde_json::Value = serde_json::from_str(&head).unwrap_or_default();
    let (Some(sha), Some(chunks)) = (head["sha256"].as_str(), head["chunks"].as_u64()) else {
        return Ok(None);
    };
    let names: Vec<String> = (0..chunks as usize).map(|i| wellknown::desired_state_chunk(app, i)).collect();
    let mut values = Vec::new();
    for batch in names.chunks(GET_PARAMETERS_NAMES) {
        let out = ssm
            .get_parameters()
            .set_names(Some(batch.to_vec()))
            .send()
            .await
            .map_err(|e| AwsError::from_sdk("GetParameters", e))?;
        for p in out.parameters() {
            if let (Some(n), Some(v)) = (p.name(), p.value()) {
                values.push((n.to_string(), v.to_string()));
            }
        }
    }
    let numbered = values.iter().filter_map(|(n, v)| Some((names.iter().position(|x| x == n)?, v.as_str())));
    let bundle = bundle_of_chunks(numbered).unwrap_or_default();
    let Some(release) = bundle_file(&bundle, "settings").and_then(release::of_settings) else {
        return Ok(None);
    };
    let applied = parameter::get(ssm, &wellknown::applied_state_parameter(app)).await?;
    Ok(Some(Deployed { release: release.to_string(), applied: applied.as_deref().map(str::trim) == Some(sha) }))
}

/// The finding for going from `deployed` to `wanted`; `None` when nothing changes (or nothing is deployed).
pub fn judge(region: &str, deployed: Option<&Deployed>, wanted: &str) -> Option<Finding> {
    let d = deployed?;
    let from = d.release.as_str();
    let refuse = |found: String, fix: String| {
        if d.applied {
            Finding::fail("karmada-release", region, found, fix)
        } else {
            Finding::warn(
                "karmada-release",
                region,
                format!("{found} (as deployed; the host has not applied that desired state, so it decides)"),
                fix,
            )
        }
    };
    Some(match release::step(from, wanted)? {
        Step::Same => return None,
        Step::Upgrade => Finding::warn(
            "karmada-release",
            region,
            format!("deploy upgrades Karmada from {from} to {wanted}"),
            "the host takes a backup, applies the CRDs of the new release, then sets each component's and each pull \
             agent's image, waiting for each rollout (docs/lifecycle.md, \"Upgrading Karmada\")",
        ),
        Step::Downgrade => refuse(
            format!("karmada.version is {wanted}, older than {from}, which the app runs"),
            format!(
                "set karmada.version = \"{from}\": Karmada has no downgrade; to go back, `karmada-eks restore` a \
                 backup taken at {wanted}"
            ),
        ),
        Step::TooFar { first } => refuse(
            format!("karmada.version is {wanted}, more than one minor version past {from}, which the app runs"),
            format!("Karmada upgrades one minor version at a time: deploy karmada.version = \"{first}\" first"),
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::deploy::preflight::report::Status;

    fn deployed(release: &str, applied: bool) -> Deployed {
        Deployed { release: release.into(), applied }
    }

    #[test]
    fn a_downgrade_of_what_the_host_applied_fails_before_anything_changes() {
        let f = judge("us-east-1", Some(&deployed("v1.18.2", true)), "v1.18.1").unwrap();
        assert_eq!(f.result, Status::Fail);
        assert_eq!(f.found, "karmada.version is v1.18.1, older than v1.18.2, which the app runs");
        assert!(f.fix.unwrap().starts_with("set karmada.version = \"v1.18.2\""));
    }

    #[test]
    fn a_step_the_host_never_applied_is_left_to_the_host() {
        let f = judge("us-east-1", Some(&deployed("v1.18.2", false)), "v1.18.1").unwrap();
        assert_eq!(f.result, Status::Warn);
        assert!(f.found.contains("the host has not applied that desired state"), "{}", f.found);
    }

    #[test]
    fn an_upgrade_is_shown_and_nothing_else_is_said() {
        let f = judge("us-east-1", Some(&deployed("v1.18.0", true)), "v1.18.2").unwrap();
        assert_eq!((f.result, f.found.as_str()), (Status::Warn, "deploy upgrades Karmada from v1.18.0 to v1.18.2"));
        assert!(judge("us-east-1", Some(&deployed("v1.18.2", true)), "v1.18.2").is_none());
        assert!(judge("us-east-1", None, "v1.18.2").is_none(), "the first deploy installs");
        let far = judge("us-east-1", Some(&deployed("v1.16.3", true)), "v1.18.2").unwrap();
        assert_eq!(far.result, Status::Fail);
        assert!(far.fix.unwrap().contains("deploy karmada.version = \"v1.17.x\" first"));
    }
}
