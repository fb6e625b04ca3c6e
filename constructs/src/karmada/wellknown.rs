//! Names that synth, the management host's scripts and the deployer share: tag keys, SSM parameter and secret
//! names, stack names and outputs, the host's commands and paths. Written once here; every side imports them.

use serde_json::Value;

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

/// TCP port of the Karmada API server's NodePort, as `kubectl karmada init` creates it.
pub const KARMADA_API_PORT: u16 = 32443;

/// Names of the app's stacks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StackNames {
    pub backup: String,
    pub network: String,
    pub cluster: String,
    pub management: String,
    app: String,
}

impl StackNames {
    pub fn new(app: &str) -> Self {
        StackNames {
            backup: format!("{app}-backup"),
            network: format!("{app}-network"),
            cluster: format!("{app}-cluster"),
            management: format!("{app}-management"),
            app: app.to_string(),
        }
    }

    pub fn member_access(&self, region: &str) -> String {
        format!("{}-member-access-{region}", self.app)
    }

    /// Part `part` (from 0) of a region's member-access stacks: part 0 is [`StackNames::member_access`], so a
    /// fleet that outgrows one stack keeps its first stack; later parts append `-2`, `-3`, ...
    pub fn member_access_part(&self, region: &str, part: usize) -> String {
        with_part_suffix(self.member_access(region), part)
    }

    /// Part `part` (from 0) of the desired-state stacks: `<app>-desired-state`, then `-2`, `-3`, ...
    pub fn desired_state_part(&self, part: usize) -> String {
        with_part_suffix(format!("{}-desired-state", self.app), part)
    }

    /// The part whose stack-name pattern `name` follows, for a stack deployed in `region` (a member-access stack
    /// names its own region).
    pub fn part_named(&self, name: &str, region: &str) -> Option<Part> {
        let is_part_of = |base: &str| {
            name.strip_prefix(base).is_some_and(|rest| {
                rest.is_empty()
                    || rest.strip_prefix('-').is_some_and(|n| {
                        !n.starts_with('0')
                            && n.parse::<usize>().is_ok_and(|n| n >= 2)
                            && n.bytes().all(|b| b.is_ascii_digit())
                    })
            })
        };
        if name == self.backup {
            Some(Part::Backup)
        } else if name == self.network {
            Some(Part::Network)
        } else if name == self.cluster {
            Some(Part::Cluster)
        } else if name == self.management {
            Some(Part::Management)
        } else if is_part_of(&self.member_access(region)) {
            Some(Part::MemberAccess)
        } else if is_part_of(&self.desired_state_part(0)) {
            Some(Part::DesiredState)
        } else {
            None
        }
    }

    /// Whether karmada-eks made the deployed stack `name` of this app (in `region`, tagged `karmada-eks:part =
    /// part_tag`, with the deployed `template`), and so may delete it once it left the assembly: its name follows
    /// a part's pattern and either its part tag is that part, or (a stack of the release before the tag) its
    /// template holds only the resource types that part makes. Otherwise why it is not ours to delete.
    pub fn made_part(
        &self,
        name: &str,
        region: &str,
        part_tag: Option<&str>,
        template: &Value,
    ) -> Result<Part, String> {
        let Some(part) = self.part_named(name, region) else {
            return Err(format!("its name is not one karmada-eks gives a stack of app {}", self.app));
        };
        let like = format!("it is named like the {} stacks of app {}", part.as_str(), self.app);
        match part_tag {
            Some(tag) if tag == part.as_str() => return Ok(part),
            Some(tag) => return Err(format!("{like} but tagged {}={tag}", TAG_PART)),
            None => {}
        }
        let Some(only) = part.only_resource_types() else {
            return Err(format!("{like} but has no {} tag, which every stack karmada-eks makes carries", TAG_PART));
        };
        let mut types: Vec<&str> = template["Resources"]
            .as_object()
            .into_iter()
            .flatten()
            .map(|(_, r)| r["Type"].as_str().unwrap_or("a resource without a type"))
            .collect();
        types.sort();
        types.dedup();
        let foreign: Vec<&str> = types.iter().copied().filter(|t| !only.contains(t)).collect();
        if types.is_empty() {
            Err(format!("{like} but has no {} tag and its deployed template holds no resources", TAG_PART))
        } else if foreign.is_empty() {
            Ok(part)
        } else {
            Err(format!(
                "{like} but has no {} tag and holds {}, which karmada-eks never puts in those stacks",
                TAG_PART,
                foreign.join(", ")
            ))
        }
    }
}

/// `base` for part 0, else `base-<part + 1>`.
fn with_part_suffix(base: String, part: usize) -> String {
    match part {
        0 => base,
        n => format!("{base}-{}", n + 1),
    }
}

/// Output of `<app>-backup` with the bucket's name: the host reads it at run time.
pub const BACKUP_BUCKET_OUTPUT: &str = "BackupBucketName";

/// Output of `<app>-desired-state` with the SHA-256 of the bundle; `deploy` compares it with the applied state.
pub const DESIRED_STATE_SHA256_OUTPUT: &str = "DesiredStateSha256";

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn judge(name: &str, region: &str, tag: Option<&str>, types: &[&str]) -> Result<Part, String> {
        let resources: serde_json::Map<String, Value> =
            types.iter().enumerate().map(|(i, t)| (format!("R{i}"), json!({"Type": t}))).collect();
        StackNames::new("karmada").made_part(name, region, tag, &json!({ "Resources": resources }))
    }

    #[test]
    fn stack_names_follow_their_part_pattern_and_part_suffixes_start_at_2() {
        let names = StackNames::new("karmada");
        let part = |name: &str| names.part_named(name, "us-east-1");
        assert_eq!(part("karmada-network"), Some(Part::Network));
        assert_eq!(part("karmada-cluster"), Some(Part::Cluster));
        assert_eq!(part("karmada-management"), Some(Part::Management));
        assert_eq!(part("karmada-member-access-us-east-1"), Some(Part::MemberAccess));
        assert_eq!(part("karmada-member-access-us-east-1-2"), Some(Part::MemberAccess));
        assert_eq!(part("karmada-member-access-us-east-1-12"), Some(Part::MemberAccess));
        assert_eq!(part("karmada-desired-state"), Some(Part::DesiredState));
        assert_eq!(part("karmada-desired-state-3"), Some(Part::DesiredState));
        for other in [
            "karmada-registry",
            "karmada-member-access-us-west-2",
            "karmada-member-access-us-east-1-1",
            "karmada-member-access-us-east-1-02",
            "karmada-member-access-us-east-1-x",
            "karmada-member-access-us-east-1-+2",
            "karmada-desired-state-extra",
            "karmada-network-2",
            "other-network",
        ] {
            assert_eq!(part(other), None, "{other}");
        }
        assert_eq!(names.member_access_part("us-east-1", 1), "karmada-member-access-us-east-1-2");
        assert_eq!(names.desired_state_part(0), "karmada-desired-state");
        assert_eq!(names.desired_state_part(2), "karmada-desired-state-3");
    }

    #[test]
    fn a_stack_is_ours_by_its_part_tag_or_by_what_an_untagged_earlier_release_put_in_it() {
        let access = "karmada-member-access-us-east-1-2";
        assert_eq!(judge(access, "us-east-1", Some("member-access"), &["AWS::SNS::Topic"]), Ok(Part::MemberAccess));
        assert_eq!(judge(access, "us-east-1", None, &["AWS::EKS::AccessEntry"]), Ok(Part::MemberAccess));
        assert_eq!(
            judge("karmada-desired-state-2", "us-east-1", None, &["AWS::SSM::Parameter"]),
            Ok(Part::DesiredState)
        );
        assert_eq!(judge("karmada-network", "us-east-1", Some("network"), &["AWS::EC2::VPC"]), Ok(Part::Network));

        let e = judge("karmada-registry", "us-east-1", Some("member-access"), &["AWS::ECR::Repository"]).unwrap_err();
        assert_eq!(e, "its name is not one karmada-eks gives a stack of app karmada");
        let e = judge(access, "us-east-1", Some("network"), &["AWS::EKS::AccessEntry"]).unwrap_err();
        assert_eq!(e, "it is named like the member-access stacks of app karmada but tagged karmada-eks:part=network");
        let e = judge(access, "us-east-1", None, &["AWS::EKS::AccessEntry", "AWS::SNS::Topic"]).unwrap_err();
        assert!(
            e.ends_with(
                "has no karmada-eks:part tag and holds AWS::SNS::Topic, which karmada-eks never puts in those stacks"
            ),
            "{e}"
        );
        let e = judge("karmada-desired-state", "us-east-1", None, &[]).unwrap_err();
        assert!(e.ends_with("its deployed template holds no resources"), "{e}");
        let e = judge("karmada-cluster", "us-east-1", None, &["AWS::EKS::Cluster"]).unwrap_err();
        assert!(e.ends_with("has no karmada-eks:part tag, which every stack karmada-eks makes carries"), "{e}");
        assert!(judge("karmada-member-access-us-east-1", "eu-west-1", Some("member-access"), &[]).is_err());
    }
}
