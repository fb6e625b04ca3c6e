//! The real AWS CDK CLI (installed by bin/setup-tools) reads the cloud assembly `synth` writes.

use crate::support::common;

#[test]
fn cdk_ls_lists_the_assembly_stacks_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let out = common::synth(&common::root().join("tests/data/configs/default.toml"), dir.path());
    let names = common::cdk_ls(&out, dir.path());
    assert_eq!(names, common::DEFAULT_STACKS);
}

use crate::support::moto;

/// The real AWS CDK CLI deploys the whole default assembly into the emulator (moto with tests/support/moto_cfn.py)
/// with no karmada-eks involved: no bootstrap stack is needed (no assets, templates inline), the host image is
/// the one parameter it is given, and each cross-stack value is an `Fn::GetStackOutput` the emulator resolves, as
/// CloudFormation does. A second `cdk deploy` finds nothing to change.
#[test]
fn cdk_deploy_deploys_the_whole_assembly_with_no_karmada_eks_involved() {
    let moto = moto::Moto::start();
    for (name, region) in [("ekseucl01", "eu-central-1"), ("ekseucl02", "eu-central-1"), ("eksuscl01", "us-east-1")] {
        moto.member_cluster(region, name);
    }
    let image = moto.boto3(
        "us-east-1",
        "print(boto3.client('ssm', region_name='us-east-1', endpoint_url=ec2.meta.endpoint_url, \
         aws_access_key_id='t', aws_secret_access_key='t').get_parameter(\
         Name='/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64')['Parameter']['Value'])",
    );
    let dir = tempfile::tempdir().unwrap();
    let assembly = common::synth(&common::root().join("tests/data/configs/default.toml"), dir.path());
    let cdk = |args: &[&str]| {
        let mut cmd = std::process::Command::new(common::project_tool("node/node_modules/.bin/cdk"));
        cmd.args(args)
            .args(["--app", assembly.to_str().unwrap(), "--no-notices", "--no-version-reporting"])
            .current_dir(dir.path());
        let o = moto.aws_env(&mut cmd).env("CDK_DISABLE_CLI_TELEMETRY", "true").output().expect("cdk runs");
        let text = format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
        assert!(o.status.success(), "cdk {args:?} failed:\n{text}");
        text
    };
    let parameter = format!("karmada-management:HostImageId={image}");
    let deploy = ["deploy", "--all", "--require-approval", "never", "--parameters", &parameter];
    let text = cdk(&deploy);
    for stack in common::DEFAULT_STACKS {
        assert!(text.contains(&format!("✅  {stack}\n")), "{stack} deployed:\n{text}");
    }

    let facts: serde_json::Value = serde_json::from_str(&moto.boto3(
        "us-east-1",
        "def client(service, region='us-east-1'):\n\
         \x20   return boto3.client(service, region_name=region, endpoint_url=ec2.meta.endpoint_url, \
         aws_access_key_id='t', aws_secret_access_key='t')\n\
         stacks = {r: {s['StackName']: s['StackStatus'] for s in client('cloudformation', r).list_stacks()['StackSummaries']} \
         for r in ('us-east-1', 'eu-central-1')}\n\
         cfn = client('cloudformation')\n\
         outputs = {o['OutputKey']: o['OutputValue'] for o in cfn.describe_stacks(StackName='karmada-cluster')['Stacks'][0]['Outputs']}\n\
         r = cfn.describe_stack_resources(StackName='karmada-management')['StackResources']\n\
         sg = next(x['PhysicalResourceId'] for x in r if x['ResourceType'] == 'AWS::EC2::SecurityGroup')\n\
         g = ec2.describe_security_groups(GroupIds=[sg])['SecurityGroups'][0]\n\
         egress = sorted(c['CidrIp'] for p in g['IpPermissionsEgress'] if p.get('FromPort') == 32443 for c in p['IpRanges'])\n\
         entries = client('eks', 'eu-central-1').list_access_entries(clusterName='ekseucl01')['accessEntries']\n\
         print(json.dumps({'stacks': stacks, 'outputs': outputs, 'egress': egress, 'entries': entries}))",
    ))
    .unwrap();
    let mut statuses: Vec<&str> = Vec::new();
    for region in ["us-east-1", "eu-central-1"] {
        statuses.extend(facts["stacks"][region].as_object().unwrap().values().map(|v| v.as_str().unwrap()));
    }
    assert_eq!(statuses.len(), 9, "{facts}");
    assert!(statuses.iter().all(|s| *s == "CREATE_COMPLETE"), "{facts}");
    let mut expected: Vec<String> =
        facts["outputs"]["KarmadaApiAddresses"].as_str().unwrap().split(',').map(|a| format!("{a}/32")).collect();
    expected.push("10.0.0.0/16".into());
    expected.sort();
    assert_eq!(facts["egress"], serde_json::json!(expected), "the host's egress read the cluster stack's outputs");
    assert_eq!(
        facts["entries"],
        serde_json::json!([facts["outputs"]["OutputFnGetAttManagementHostRoleB7AF3B34Arn"]]),
        "the member's access entry read the management role from us-east-1"
    );

    let again = cdk(&deploy);
    for stack in common::DEFAULT_STACKS {
        assert!(again.contains(&format!("✅  {stack} (no changes)")), "{stack} unchanged:\n{again}");
    }
}
