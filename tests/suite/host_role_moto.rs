//! The management host's AWS calls made as the host makes them: the real AWS CLI (awscli, pinned in
//! bin/setup-tools) against moto with IAM enforced (`tests/support/moto_iam.py`), signed with a session of a role
//! holding exactly the policies synthesized for `karmada-cluster/ManagementHost/Role` (their intrinsic functions
//! resolved to the ARNs of the resources created in moto for the test). The bootstrap runs with the stand-ins of
//! tests/data/bootstrap-fakes (it installs `karmada-eks-reconcile`); then `apply` and `status` run with the real
//! CLI first on PATH (kubectl and kubectl-karmada stay stand-ins): the desired state is read, the applied state
//! written and read, the node group attached to the target group, every cluster described. Then the same with
//! the applied-state statement removed: the denial is seen, and `status` reports the applied state unknown.
//!
//! The role's trust policy is replaced by one admitting the test's administrator (moto has no EC2 instance
//! profile to hand out the session); the permission policies are the synthesized ones, unchanged.

use crate::support::bootstrap as bootstrap_support;

use crate::support::moto;

use bootstrap_support::*;
use constructs::karmada::{wellknown, Config};
use moto::{Keys, Moto};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::path::Path;

const ACCOUNT: &str = "123456789012";
const REGION: &str = "us-east-1";

/// The cluster stack's template as `karmada-eks synth` writes it for the default app.
fn cluster_template(moto: &Moto) -> Value {
    let out = moto.karmada_eks(&["synth", "-q", "-o", "assembly"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = std::fs::read_to_string(moto.home.path().join("assembly/karmada-cluster.template.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// The management host's role: exactly one `AWS::IAM::Role` whose construct path ends with ManagementHost/Role.
fn host_role(template: &Value) -> Value {
    let roles: Vec<&Value> = template["Resources"]
        .as_object()
        .unwrap()
        .values()
        .filter(|r| r["Type"] == "AWS::IAM::Role")
        .filter(|r| r["Metadata"]["aws:cdk:path"].as_str().is_some_and(|p| p.ends_with("ManagementHost/Role")))
        .collect();
    assert_eq!(roles.len(), 1, "one management host role");
    roles[0].clone()
}

/// `value` with its intrinsic functions resolved: `Fn::Sub` of the pseudo parameters, `Ref` and `Fn::GetAtt ...
/// Arn` of the template's resources and `Fn::GetStackOutput` of other stacks from `refs`, `Fn::Join`. Anything
/// else fails the test, so a new reference in the policy cannot slip through unresolved.
fn resolve(value: &Value, refs: &BTreeMap<String, String>) -> Value {
    let lookup = |key: &str| refs.get(key).cloned().unwrap_or_else(|| panic!("no test value for {key}"));
    match value {
        Value::Array(items) => Value::Array(items.iter().map(|v| resolve(v, refs)).collect()),
        Value::Object(map)
            if map.len() == 1 && (map.contains_key("Ref") || map.keys().next().unwrap().starts_with("Fn::")) =>
        {
            let (function, argument) = map.iter().next().unwrap();
            match function.as_str() {
                "Ref" => Value::String(lookup(argument.as_str().unwrap())),
                "Fn::GetAtt" => {
                    let a = argument.as_array().unwrap();
                    Value::String(lookup(&format!("{}.{}", a[0].as_str().unwrap(), a[1].as_str().unwrap())))
                }
                "Fn::GetStackOutput" => Value::String(lookup(&format!(
                    "{}.{}",
                    argument["StackName"].as_str().unwrap(),
                    argument["OutputName"].as_str().unwrap()
                ))),
                "Fn::Sub" => {
                    let text = argument.as_str().expect("Fn::Sub of a string");
                    let text = text
                        .replace("${AWS::Partition}", "aws")
                        .replace("${AWS::Region}", REGION)
                        .replace("${AWS::AccountId}", ACCOUNT);
                    assert!(!text.contains("${"), "unresolved Fn::Sub: {text}");
                    Value::String(text)
                }
                "Fn::Join" => {
                    let a = argument.as_array().unwrap();
                    let parts: Vec<String> = a[1]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|p| resolve(p, refs).as_str().unwrap().to_string())
                        .collect();
                    Value::String(parts.join(a[0].as_str().unwrap()))
                }
                other => panic!("the host policy uses {other}, which the test does not resolve"),
            }
        }
        Value::Object(map) => Value::Object(map.iter().map(|(k, v)| (k.clone(), resolve(v, refs))).collect()),
        other => other.clone(),
    }
}

/// Creates in moto what the host reads, as the stacks would hold it; returns the ARNs the policy references.
fn account(moto: &Moto, kubeconfig: &str, desired: &constructs::karmada::host::desired_state::DesiredState) -> Value {
    let mut parameters = vec![(wellknown::desired_state_parameter("karmada"), desired.head.clone())];
    for (i, chunk) in desired.chunks.iter().enumerate() {
        parameters.push((wellknown::desired_state_chunk("karmada", i), chunk.clone()));
    }
    let script = format!(
        r#"
kubeconfig = json.loads({kubeconfig})
parameters = json.loads({parameters})
for name, region in [('karmada-parent', 'us-east-1'), ('eksuscl01', 'us-east-1'), ('ekseucl01', 'eu-central-1'),
                     ('ekseucl02', 'eu-central-1')]:
    client('eks', region).create_cluster(name=name, version='1.33', roleArn='arn:aws:iam::{ACCOUNT}:role/eks',
                                         resourcesVpcConfig={{}})
eks = client('eks')
group = eks.create_nodegroup(clusterName='karmada-parent', nodegroupName='{NODEGROUP}', subnets=['subnet-1'],
                             nodeRole='arn:aws:iam::{ACCOUNT}:role/nodes')['nodegroup']
asg = group['resources']['autoScalingGroups'][0]['name']
autoscaling = client('autoscaling')
autoscaling.create_launch_configuration(LaunchConfigurationName='nodes', ImageId='ami-12c6146b',
                                        InstanceType='m5.large')
autoscaling.create_auto_scaling_group(AutoScalingGroupName=asg, LaunchConfigurationName='nodes', MinSize=0,
                                      MaxSize=0, AvailabilityZones=['us-east-1a'])
ec2 = client('ec2')
vpc = ec2.create_vpc(CidrBlock='10.0.0.0/16')['Vpc']['VpcId']
tg = client('elbv2').create_target_group(Name='karmada-api', Protocol='TCP', Port=32443, VpcId=vpc,
                                         TargetType='instance')['TargetGroups'][0]['TargetGroupArn']
kms = client('kms')
secret_key = kms.create_key(Description='kubeconfig')['KeyMetadata']['Arn']
backup_key = kms.create_key(Description='backups')['KeyMetadata']['Arn']
secret = client('secretsmanager').create_secret(Name='{KUBECONFIG_SECRET}', KmsKeyId=secret_key,
                                                SecretString=kubeconfig)['ARN']
client('s3').create_bucket(Bucket='karmada-backup-backups')
cfn = client('cloudformation')
handle = {{'H': {{'Type': 'AWS::CloudFormation::WaitConditionHandle'}}}}
cfn.create_stack(StackName='{CLUSTER_STACK}', TemplateBody=json.dumps({{'Resources': handle, 'Outputs': {{
    'NodegroupName': {{'Value': '{NODEGROUP}'}}, 'TargetGroupArn': {{'Value': tg}},
    'KarmadaApiEndpoint': {{'Value': 'https://{NLB_DNS}:32443'}}, 'KarmadaApiAddresses': {{'Value': '{NLB_IPS}'}}}}}}))
cfn.create_stack(StackName='karmada-backup', TemplateBody=json.dumps({{'Resources': handle, 'Outputs': {{
    'BackupBucketName': {{'Value': 'karmada-backup-backups'}}}}}}))
ssm = client('ssm')
for name, value in parameters:
    ssm.put_parameter(Name=name, Value=value, Type='String')
print(json.dumps({{'asg': asg, 'tg': tg, 'secret': secret, 'secret_key': secret_key, 'backup_key': backup_key}}))
"#,
        kubeconfig = serde_json::to_string(&serde_json::to_string(kubeconfig).unwrap()).unwrap(),
        parameters = serde_json::to_string(&serde_json::to_string(&parameters).unwrap()).unwrap(),
    );
    serde_json::from_str(&moto.python(&script)).unwrap()
}

/// Creates the role with `policies` (name, document) and the administrator as the one who may assume it, and
/// returns a session's keys.
fn assume(moto: &Moto, policies: &[(String, Value)]) -> Keys {
    let docs: BTreeMap<&str, String> = policies.iter().map(|(n, d)| (n.as_str(), d.to_string())).collect();
    let out = moto.python(&format!(
        r#"
iam = client('iam')
admin = client('sts').get_caller_identity()['Arn']
trust = {{'Version': '2012-10-17', 'Statement': [{{'Effect': 'Allow', 'Principal': {{'AWS': admin}},
          'Action': 'sts:AssumeRole'}}]}}
iam.create_role(RoleName='karmada-management-host', AssumeRolePolicyDocument=json.dumps(trust))
for name, document in json.loads({docs}).items():
    iam.put_role_policy(RoleName='karmada-management-host', PolicyName=name, PolicyDocument=document)
c = client('sts').assume_role(RoleArn='arn:aws:iam::{ACCOUNT}:role/karmada-management-host',
                              RoleSessionName='i-0123456789abcdef0')['Credentials']
print(c['AccessKeyId'], c['SecretAccessKey'], c['SessionToken'])
"#,
        docs = serde_json::to_string(&serde_json::to_string(&docs).unwrap()).unwrap()
    ));
    let parts: Vec<&str> = out.split(' ').collect();
    Keys { access_key: parts[0].into(), secret: parts[1].into(), token: Some(parts[2].into()) }
}

fn replace_policy(moto: &Moto, name: &str, document: &Value) {
    moto.python(&format!(
        "client('iam').put_role_policy(RoleName='karmada-management-host', PolicyName='{name}', \
         PolicyDocument={})",
        serde_json::to_string(&document.to_string()).unwrap()
    ));
}

/// The environment that puts the real AWS CLI before the stand-ins, pointed at moto with the role's session.
fn real_cli(moto: &Moto, keys: &Keys, bin: &Path) -> Vec<(&'static str, String)> {
    let fakes = root().join("tests/data/bootstrap-fakes");
    let home = moto.home.path();
    vec![
        ("PATH", format!("{}:{}:/usr/bin:/bin", bin.display(), fakes.display())),
        ("AWS_ENDPOINT_URL", moto.endpoint.clone()),
        ("AWS_ACCESS_KEY_ID", keys.access_key.clone()),
        ("AWS_SECRET_ACCESS_KEY", keys.secret.clone()),
        ("AWS_SESSION_TOKEN", keys.token.clone().unwrap()),
        ("AWS_CONFIG_FILE", home.join("no-aws-config").display().to_string()),
        ("AWS_SHARED_CREDENTIALS_FILE", home.join("no-aws-credentials").display().to_string()),
        ("AWS_EC2_METADATA_DISABLED", "true".into()),
    ]
}

fn parameter(moto: &Moto, name: &str) -> String {
    moto.python(&format!(
        "p = client('ssm').get_parameters(Names=['{name}'])['Parameters']\nprint(p[0]['Value'] if p else '<none>')"
    ))
}

fn session_decisions(moto: &Moto) -> Vec<Value> {
    moto.iam_decisions()
        .into_iter()
        .filter(|d| d["principal"].as_str().is_some_and(|p| p.contains(":assumed-role/karmada-management-host/")))
        .collect()
}

#[test]
fn the_host_role_allows_apply_and_status_and_a_missing_statement_is_denied() {
    // The host, bootstrapped against the stand-ins: this installs karmada-eks-reconcile and its state.
    let h = Harness::new();
    let o = h.run(&render(&Config::default()), &[]);
    assert!(o.status.success(), "{}\n{}", stdout_stderr(&o), h.log());
    let kubeconfig = std::fs::read_to_string(h.path("state/secrets").join(KUBECONFIG_SECRET.replace('/', "_")))
        .expect("the bootstrap stored the kubeconfig");

    let moto = Moto::start_with_iam();
    let desired = desired(&Config::default());
    let made = account(&moto, &kubeconfig, &desired);
    let template = cluster_template(&moto);
    let role = host_role(&template);
    // A logical ID is the construct path in PascalCase and 8 hex digits.
    let logical = |readable: &str| -> String {
        let ids: Vec<&String> =
            template["Resources"].as_object().unwrap().keys().filter(|id| id.len() == readable.len() + 8).collect();
        ids.into_iter().find(|id| id.starts_with(readable)).unwrap_or_else(|| panic!("no resource {readable}")).clone()
    };
    let mut refs = BTreeMap::new();
    refs.insert(logical("KarmadaApiTargetGroup"), made["tg"].as_str().unwrap().to_string());
    refs.insert(logical("KubeconfigSecret"), made["secret"].as_str().unwrap().to_string());
    refs.insert(format!("{}.Arn", logical("KubeconfigSecretKey")), made["secret_key"].as_str().unwrap().to_string());
    for (output, value) in [
        ("OutputFnGetAttBackups1F3BCA6CArn", "arn:aws:s3:::karmada-backup-backups".to_string()),
        ("OutputFnGetAttBackupsKeyCB0CE0B7Arn", made["backup_key"].as_str().unwrap().to_string()),
    ] {
        refs.insert(format!("karmada-backup.{output}"), value);
    }
    let policies: Vec<(String, Value)> = role["Properties"]["Policies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["PolicyName"].as_str().unwrap().to_string(), resolve(&p["PolicyDocument"], &refs)))
        .collect();
    let keys = assume(&moto, &policies);

    let bin = moto.home.path().join("aws-cli");
    std::fs::create_dir_all(&bin).unwrap();
    std::os::unix::fs::symlink(root().join("target/venv/bin/aws"), bin.join("aws")).unwrap();
    let env = real_cli(&moto, &keys, &bin);
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let applied = wellknown::applied_state_parameter("karmada");

    let o = h.reconcile(&["apply"], &env);
    assert!(o.status.success(), "{}\nlog:\n{}", stdout_stderr(&o), h.reconcile_log());
    assert_eq!(parameter(&moto, &applied), desired.sha256, "apply wrote the applied state into SSM");
    let o = h.reconcile(&["status"], &env);
    assert!(o.status.success(), "{}", stdout_stderr(&o));
    eprintln!("status as the host role:\n{}", String::from_utf8_lossy(&o.stdout));
    let status: Value = serde_json::from_slice(&o.stdout).expect("status prints JSON");
    assert_eq!(status["applied"], desired.sha256.as_str(), "status read the applied state");
    assert_eq!(status["desired"], desired.sha256.as_str(), "status read the desired state");
    let tgs = moto.python(&format!(
        "print(client('autoscaling').describe_auto_scaling_groups(AutoScalingGroupNames=['{}'])['AutoScalingGroups'][0]['TargetGroupARNs'])",
        made["asg"].as_str().unwrap()
    ));
    assert!(tgs.contains(made["tg"].as_str().unwrap()), "apply attached the node group: {tgs}");

    let decisions = session_decisions(&moto);
    for d in decisions.iter().filter(|d| d["resource"].as_str().is_some_and(|r| r.ends_with("applied-state"))) {
        eprintln!("IAM: {d}");
    }
    let denied: Vec<&Value> = decisions.iter().filter(|d| d["decision"] != "allow").collect();
    assert!(denied.is_empty(), "the synthesized role refused the host's calls: {denied:?}");
    for (action, resource) in [
        (
            "ssm:GetParameter",
            format!("arn:aws:ssm:{REGION}:{ACCOUNT}:parameter{}", wellknown::desired_state_parameter("karmada")),
        ),
        ("ssm:GetParameter", format!("arn:aws:ssm:{REGION}:{ACCOUNT}:parameter{applied}")),
        ("ssm:PutParameter", format!("arn:aws:ssm:{REGION}:{ACCOUNT}:parameter{applied}")),
        ("eks:DescribeCluster", format!("arn:aws:eks:eu-central-1:{ACCOUNT}:cluster/ekseucl02")),
        (
            "autoscaling:AttachLoadBalancerTargetGroups",
            format!(
                "arn:aws:autoscaling:{REGION}:{ACCOUNT}:autoScalingGroup:*:autoScalingGroupName/{}",
                made["asg"].as_str().unwrap()
            ),
        ),
    ] {
        assert!(
            decisions.iter().any(|d| d["action"] == action && d["resource"] == resource.as_str()),
            "the host called {action} on {resource} as the role: {decisions:#?}"
        );
    }

    // Without the applied-state statement the host may not read or write it.
    let (name, host) = &policies[0];
    assert_eq!(name, "Host");
    let statements: Vec<Value> = host["Statement"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| !s["Resource"].to_string().contains("applied-state"))
        .cloned()
        .collect();
    assert_eq!(statements.len() + 1, host["Statement"].as_array().unwrap().len(), "one applied-state statement");
    replace_policy(&moto, "Host", &json!({"Version": "2012-10-17", "Statement": statements}));
    moto.python("client('ssm').delete_parameter(Name='/karmada/karmada/applied-state')");
    let before = session_decisions(&moto).len();
    let o = h.reconcile(&["apply"], &env);
    assert!(!o.status.success(), "apply without the applied-state statement succeeded: {}", stdout_stderr(&o));
    let said = String::from_utf8_lossy(&o.stdout).into_owned();
    eprintln!("apply without the applied-state statement:\n{said}");
    assert!(
        said.contains("cannot write /karmada/karmada/applied-state: ")
            && said.contains("not authorized to perform: ssm:PutParameter"),
        "the host's failure carries AWS's reason: {said}"
    );
    let o = h.reconcile(&["status"], &env);
    let status: Value = serde_json::from_slice(&o.stdout).expect("status prints JSON");
    assert_eq!(status["applied"], "unknown", "{}", stdout_stderr(&o));
    let denied: Vec<Value> =
        session_decisions(&moto).split_off(before).into_iter().filter(|d| d["decision"] != "allow").collect();
    assert!(
        denied.iter().any(|d| d["action"] == "ssm:GetParameter"
            && d["resource"] == format!("arn:aws:ssm:{REGION}:{ACCOUNT}:parameter{applied}").as_str()),
        "the denial of the applied state is seen: {denied:?}"
    );
    assert!(denied.iter().all(|d| d["resource"].as_str().unwrap().ends_with("applied-state")), "{denied:?}");
}
