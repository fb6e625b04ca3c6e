//! The `security` section of `synth` (text and `--json`) as a user sees it, checked against the templates it
//! describes; and the hardening list checked on every template of every tested config.

use crate::support::common;

use serde_json::Value;
use std::collections::BTreeSet;
use std::path::Path;

use constructs::core::CloudAssembly;
use constructs::inspect::security::SecurityReport;
use constructs::karmada::Config;

fn config_path(name: &str) -> String {
    common::root().join("tests/data/configs").join(format!("{name}.toml")).to_string_lossy().into_owned()
}

/// `synth --json` of a tested config: (summary, assembly directory).
fn synth_json(dir: &Path, name: &str) -> (Value, std::path::PathBuf) {
    let o = common::karmada_eks(dir, &["--config", &config_path(name), "synth", "--json", "-o", name]);
    assert!(o.status.success(), "{}", common::stderr(&o));
    (serde_json::from_slice(&o.stdout).unwrap(), dir.join(name))
}

fn strings(v: &Value) -> Vec<&str> {
    v.as_array().unwrap().iter().map(|s| s.as_str().unwrap()).collect()
}

fn role<'a>(security: &'a Value, path: &str) -> &'a Value {
    security["iamRoles"].as_array().unwrap().iter().find(|r| r["resource"] == path).unwrap_or_else(|| {
        panic!("no role {path} in {:#}", security["iamRoles"]);
    })
}

#[test]
fn default_config_reports_the_private_endpoint_the_nlb_and_the_roles() {
    let dir = tempfile::tempdir().unwrap();
    let (summary, _) = synth_json(dir.path(), "default");
    let security = &summary["security"];
    let eks = &security["eksEndpoints"][0];
    assert_eq!(eks["cluster"], "karmada-parent");
    assert_eq!(eks["public"], false, "nothing in the app needs the public endpoint");
    assert!(strings(&eks["publicCidrs"]).is_empty());
    assert_eq!(eks["private"], true);

    let nlb = &security["loadBalancers"][0];
    assert_eq!(nlb["resource"], "karmada-cluster/KarmadaApi/Resource");
    assert_eq!(nlb["scheme"], "internet-facing");
    assert_eq!(strings(&nlb["listeners"]), ["TCP 32443"]);
    assert_eq!(
        strings(&nlb["allowed"]),
        ["10.0.0.0/16", "<PublicIp of karmada-network/Vpc/PublicSubnet1/NatEip>/32"],
        "the VPC and its one NAT address, followed through the deploy-filled parameter"
    );

    assert_eq!(strings(&role(security, "karmada-cluster/Parent/Role")["managedPolicies"]), ["AmazonEKSClusterPolicy"]);
    assert_eq!(
        strings(&role(security, "karmada-cluster/Nodes/NodeRole")["managedPolicies"]),
        ["AmazonEKSWorkerNodePolicy", "AmazonEC2ContainerRegistryReadOnly", "AmazonEKS_CNI_Policy"]
    );
    let csi = role(security, "karmada-cluster/EbsCsiDriver/Role");
    assert_eq!(
        strings(&csi["assumedBy"]),
        ["web identity from <karmada-cluster/OidcProvider> as system:serviceaccount:kube-system:ebs-csi-controller-sa"]
    );
    let host = role(security, "karmada-cluster/ManagementHost/Role");
    assert!(strings(&host["managedPolicies"]).is_empty(), "no AmazonSSMManagedInstanceCore: it reads every parameter");
    let on_any = strings(&host["actionsOnAnyResource"]);
    assert_eq!(on_any[0], "autoscaling:DescribeAutoScalingGroups");
    assert!(on_any[1..].iter().all(|a| a.starts_with("ssmmessages:") || a.starts_with("ec2messages:")), "{on_any:?}");
    assert!(!on_any.contains(&"elasticloadbalancing:DescribeTargetHealth"), "the script never calls it");
    assert_eq!(
        strings(&host["canRead"]),
        [
            "secretsmanager:GetSecretValue on <karmada-cluster/KubeconfigSecret/Resource>",
            "kms:Decrypt on <Arn of karmada-cluster/KubeconfigSecret/Key>",
            "ssm:GetParameter on arn:${AWS::Partition}:ssm:us-east-1:${AWS::AccountId}:parameter/karmada/karmada/desired-state*",
            "ssm:GetParameter on arn:${AWS::Partition}:ssm:us-east-1:${AWS::AccountId}:parameter/karmada/karmada/applied-state",
            "s3:GetObject on <Arn of karmada-backup/Backups/Resource>/*",
            "kms:Decrypt on <Arn of karmada-backup/Backups/Key>",
        ],
        "the host reads its kubeconfig secret, its desired state, the state it applied and its backups, nothing else"
    );

    let clusters: Vec<&str> =
        security["accessEntries"].as_array().unwrap().iter().map(|a| a["cluster"].as_str().unwrap()).collect();
    assert_eq!(clusters, ["karmada-parent", "ekseucl01", "ekseucl02", "eksuscl01"]);
    assert!(security["accessEntries"]
        .as_array()
        .unwrap()
        .iter()
        .all(|a| a["principal"] == "<Arn of karmada-cluster/ManagementHost/Role>"));

    let findings = security["acceptedFindings"].as_array().unwrap();
    assert_eq!(findings.len(), 2, "{findings:?}");
    assert_eq!(findings[0]["check"], "CKV_AWS_18");
    assert_eq!(findings[0]["resource"], "karmada-backup/Backups/Resource");
    assert_eq!(findings[1]["check"], "CKV_AWS_91");
    assert_eq!(findings[1]["logicalId"], "KarmadaApi8DDAB451");
}

#[test]
fn the_text_summary_shows_what_the_user_opened() {
    let dir = tempfile::tempdir().unwrap();
    let o = common::karmada_eks(dir.path(), &["--config", &config_path("pull-open"), "synth", "-o", "out"]);
    assert!(o.status.success(), "{}", common::stderr(&o));
    let text = common::stderr(&o);
    let section: Vec<&str> = text.lines().skip_while(|l| *l != "Security:").take_while(|l| !l.is_empty()).collect();
    assert!(
        section.contains(
            &"    karmada-parent (karmada-pull-cluster): public from 198.51.100.0/24, private inside the VPC"
        ),
        "{text}"
    );
    assert!(
        section.contains(
            &"    karmada-pull-cluster/KarmadaApi/Resource: internet-facing, TCP 32443 from 10.0.0.0/16, <PublicIp of karmada-pull-network/Vpc/PublicSubnet1/NatEip>/32, 0.0.0.0/0 (the internet)"
        ),
        "{text}"
    );
    assert!(section.iter().any(|l| l.starts_with("    CKV_AWS_91 on karmada-pull-cluster/KarmadaApi/Resource: ")));
    assert!(
        section.contains(
            &"      can read: secretsmanager:GetSecretValue on <karmada-pull-cluster/KubeconfigSecret/Resource>"
        ),
        "{text}"
    );
    assert!(text.trim_end().ends_with("then `karmada-eks deploy`."), "{text}");

    let (summary, _) = synth_json(dir.path(), "ha-internal");
    assert_eq!(summary["security"]["loadBalancers"][0]["scheme"], "internal");
    let quiet = common::karmada_eks(dir.path(), &["--config", &config_path("ha-internal"), "synth", "-q", "-o", "q"]);
    assert!(!common::stderr(&quiet).contains("Security:"), "-q prints nothing but errors");
}

/// The report lists every role and every network-admitting rule the templates hold, no more and no less.
#[test]
fn the_report_matches_the_templates_of_every_config() {
    let dir = tempfile::tempdir().unwrap();
    for (name, _) in common::configs() {
        let (summary, out) = synth_json(dir.path(), &name);
        let assembly = CloudAssembly::read(&out).unwrap();
        let report = serde_json::to_value(SecurityReport::from_assembly(&assembly)).unwrap();
        assert_eq!(summary["security"], report, "{name}: --json and the library agree");

        let mut roles = 0;
        let mut cidr_rules = 0;
        let mut clusters = 0;
        for stack in &assembly.stacks {
            for (_, r) in stack.template["Resources"].as_object().unwrap() {
                let p = &r["Properties"];
                match r["Type"].as_str().unwrap() {
                    "AWS::IAM::Role" => roles += 1,
                    "AWS::EKS::Cluster" => clusters += 1,
                    "AWS::EC2::SecurityGroup" => {
                        cidr_rules += p["SecurityGroupIngress"]
                            .as_array()
                            .map_or(0, |rules| rules.iter().filter(|x| x.get("CidrIp").is_some()).count())
                    }
                    "AWS::EC2::SecurityGroupIngress" => cidr_rules += usize::from(p.get("CidrIp").is_some()),
                    _ => {}
                }
            }
        }
        assert_eq!(report["iamRoles"].as_array().unwrap().len(), roles, "{name}");
        assert_eq!(report["cidrIngress"].as_array().unwrap().len(), cidr_rules, "{name}");
        assert_eq!(report["eksEndpoints"].as_array().unwrap().len(), clusters, "{name}");
    }
}

/// The list: flow logs with retention (encrypted), KMS rotation, control-plane logs, IMDSv2, encrypted
/// volumes, no wildcard actions on `*`, and nothing open to 0.0.0.0/0 but 32443 when the config asks for it.
#[test]
fn every_config_keeps_the_hardening_baseline() {
    let dir = tempfile::tempdir().unwrap();
    for (name, path) in common::configs() {
        let config = Config::from_toml(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let work = dir.path().join(&name);
        std::fs::create_dir_all(&work).unwrap();
        let out = common::synth(&path, &work);
        let assembly = CloudAssembly::read(&out).unwrap();
        let mut kinds = BTreeSet::new();
        for stack in &assembly.stacks {
            for (id, r) in stack.template["Resources"].as_object().unwrap() {
                let p = &r["Properties"];
                let kind = r["Type"].as_str().unwrap();
                kinds.insert(kind);
                let at = format!("{name}: {}/{id}", stack.name);
                match kind {
                    "AWS::KMS::Key" => assert_eq!(p["EnableKeyRotation"], true, "{at}"),
                    "AWS::Logs::LogGroup" => {
                        assert!(p["RetentionInDays"].as_u64().is_some() && p.get("KmsKeyId").is_some(), "{at}")
                    }
                    "AWS::EC2::FlowLog" => assert_eq!(p["TrafficType"], "ALL", "{at}"),
                    "AWS::EKS::Cluster" => {
                        let logs: BTreeSet<&str> = p["Logging"]["ClusterLogging"]["EnabledTypes"]
                            .as_array()
                            .unwrap()
                            .iter()
                            .map(|t| t["Type"].as_str().unwrap())
                            .collect();
                        assert_eq!(
                            logs,
                            BTreeSet::from(["api", "audit", "authenticator", "controllerManager", "scheduler"]),
                            "{at}"
                        );
                        assert_eq!(p["EncryptionConfig"][0]["Resources"][0], "secrets", "{at}");
                    }
                    "AWS::EC2::LaunchTemplate" => {
                        let data = &p["LaunchTemplateData"];
                        assert_eq!(data["MetadataOptions"]["HttpTokens"], "required", "{at}");
                        for m in data["BlockDeviceMappings"].as_array().unwrap() {
                            assert_eq!(m["Ebs"]["Encrypted"], true, "{at}");
                        }
                    }
                    "AWS::EC2::Instance" => {
                        assert!(p.get("KeyName").is_none() && p.get("NetworkInterfaces").is_none(), "{at}");
                        assert!(p.get("LaunchTemplate").is_some(), "{at}: the hardened launch template applies");
                    }
                    "AWS::IAM::Role" => {
                        for policy in p["Policies"].as_array().into_iter().flatten() {
                            for s in policy["PolicyDocument"]["Statement"].as_array().unwrap() {
                                let on_any = s["Resource"] == "*" || s["Resource"][0] == "*";
                                let actions: Vec<&str> = match &s["Action"] {
                                    Value::String(a) => vec![a.as_str()],
                                    other => other.as_array().unwrap().iter().map(|a| a.as_str().unwrap()).collect(),
                                };
                                assert!(
                                    !(on_any && actions.iter().any(|a| a.contains('*'))),
                                    "{at}: wildcard action on every resource: {s}"
                                );
                            }
                        }
                    }
                    _ => {}
                }
            }
        }
        for needed in ["AWS::EC2::FlowLog", "AWS::Logs::LogGroup", "AWS::EKS::Cluster", "AWS::EC2::Instance"] {
            assert!(kinds.contains(needed), "{name}: no {needed}");
        }

        let report = SecurityReport::from_assembly(&assembly);
        let asked_for_internet = config.nlb.allowed_cidrs.iter().flatten().any(|c| c == "0.0.0.0/0");
        let open = report.open_to_internet();
        for rule in &open {
            assert_eq!((rule.protocol.as_str(), rule.ports.as_str()), ("tcp", "32443"), "{name}: {rule:?}");
        }
        assert_eq!(!open.is_empty(), asked_for_internet, "{name}: 0.0.0.0/0 is open exactly when asked: {open:?}");
    }
}
