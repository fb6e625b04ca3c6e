//! End to end against moto's server mode: `deploy`, `destroy` and `kubeconfig` as a user runs them, checked
//! through the emulator's own API. moto has no EKS, CreationPolicy, rollback or per-resource events; those are
//! covered by the recorded-response tests in `src/deploy/tests/`.

#[path = "support/moto.rs"]
mod moto;

use moto::Moto;
use serde_json::Value;
use std::time::Instant;

const NETWORK: &str = "karmada-network";
const REGION: &str = "us-east-1";

fn summary(out: &std::process::Output) -> Value {
    let stdout = String::from_utf8_lossy(&out.stdout);
    stdout
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .find(|v| v["event"] == "summary")
        .unwrap_or_else(|| panic!("no summary line in:\n{stdout}\nstderr:\n{}", String::from_utf8_lossy(&out.stderr)))
}

fn assert_ok(out: &std::process::Output) {
    assert!(
        out.status.success(),
        "exit {:?}\nstdout:\n{}\nstderr:\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn network_stack_deploys_skips_updates_and_is_destroyed() {
    let moto = Moto::start();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let conf = rt.block_on(moto.sdk_config(REGION));
    let cfn = aws_sdk_cloudformation::Client::new(&conf);
    let config_b = moto.home.path().join("b.toml");
    std::fs::write(&config_b, "[network]\nflow_log_retention_days = 30\n").unwrap();
    let deploy = ["deploy", NETWORK, "--exclusively", "--yes", "--json"];

    let t = Instant::now();
    let out = moto.karmada_eks(&deploy);
    eprintln!("first deploy: {:?}", t.elapsed());
    assert_ok(&out);
    assert_eq!(summary(&out)["stacks"][0]["outcome"], "created", "only the network stack deploys");
    assert_eq!(summary(&out)["stacks"].as_array().unwrap().len(), 1);

    let resources = rt.block_on(cfn.describe_stack_resources().stack_name(NETWORK).send()).unwrap();
    let physical = |t: &str| -> Vec<String> {
        resources
            .stack_resources()
            .iter()
            .filter(|r| r.resource_type() == Some(t))
            .filter_map(|r| r.physical_resource_id().map(str::to_string))
            .collect()
    };
    let vpc_ids = physical("AWS::EC2::VPC");
    assert_eq!(vpc_ids.len(), 1);
    let vpc = &vpc_ids[0];
    let by_vpc = format!("Filters=[{{'Name': 'vpc-id', 'Values': ['{vpc}']}}]");
    let cidr = moto.boto3(REGION, &format!("print(ec2.describe_vpcs(VpcIds=['{vpc}'])['Vpcs'][0]['CidrBlock'])"));
    assert_eq!(cidr, "10.0.0.0/16");
    let subnets = moto.boto3(REGION, &format!("print(len(ec2.describe_subnets({by_vpc})['Subnets']))"));
    assert_eq!(subnets, "6", "3 public and 3 private subnets");
    let nats = moto.boto3(REGION, &format!("print(len(ec2.describe_nat_gateways({by_vpc})['NatGateways']))"));
    assert_eq!(nats, physical("AWS::EC2::NatGateway").len().to_string());
    assert_ne!(nats, "0", "a NAT gateway exists");
    let eips = physical("AWS::EC2::EIP");
    assert!(!eips.is_empty());
    let addresses = moto.boto3(
        REGION,
        "print(' '.join(a.get(k, '') for a in ec2.describe_addresses()['Addresses'] for k in ('PublicIp', 'AllocationId')))",
    );
    for eip in &eips {
        assert!(addresses.split(' ').any(|a| a == eip), "EIP {eip} exists");
    }

    let stack = rt.block_on(cfn.describe_stacks().stack_name(NETWORK).send()).unwrap().stacks()[0].clone();
    let tags: Vec<(String, String)> =
        stack.tags().iter().map(|t| (t.key().unwrap().to_string(), t.value().unwrap().to_string())).collect();
    assert!(tags.iter().any(|(k, v)| k == "karmada-eks:template-sha256" && v.len() == 64), "{tags:?}");
    assert!(tags.iter().any(|(k, v)| k == "karmada-eks:app" && v == "karmada"), "{tags:?}");
    let outputs: Vec<(String, String)> = stack
        .outputs()
        .iter()
        .map(|o| (o.output_key().unwrap_or_default().into(), o.output_value().unwrap_or_default().into()))
        .collect();
    let printed: Vec<(String, String)> = summary(&out)["stacks"][0]["outputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| (o["key"].as_str().unwrap().into(), o["value"].as_str().unwrap().into()))
        .collect();
    assert_eq!(printed, outputs, "the printed outputs are the stack's outputs");
    let exports = rt.block_on(cfn.list_exports().send()).unwrap();
    for o in stack.outputs().iter().filter(|o| o.export_name().is_some()) {
        assert!(exports.exports().iter().any(|e| e.name() == o.export_name()), "export {:?}", o.export_name());
    }

    let change_sets_before = rt.block_on(cfn.list_change_sets().stack_name(NETWORK).send()).unwrap().summaries().len();
    let requests_before = moto.requests();
    let t = Instant::now();
    // The preflight (issue 11) adds its own read-only calls; without it the deployer's cost is one call.
    let out = moto.karmada_eks(&[&deploy[..], &["--skip-preflight"]].concat());
    eprintln!("no-op redeploy: {:?}", t.elapsed());
    assert_ok(&out);
    assert_eq!(summary(&out)["stacks"][0]["outcome"], "unchanged");
    assert_eq!(summary(&out)["preflight"], "skipped (--skip-preflight)");
    assert_eq!(
        moto.requests() - requests_before,
        2,
        "a no-op redeploy is one GetParameter (the regions the app has used) and one DescribeStacks"
    );
    let change_sets_after = rt.block_on(cfn.list_change_sets().stack_name(NETWORK).send()).unwrap().summaries().len();
    assert_eq!(change_sets_before, change_sets_after);

    let out = moto.karmada_eks(&[&["--config", config_b.to_str().unwrap()], &deploy[..]].concat());
    assert_ok(&out);
    assert_eq!(summary(&out)["stacks"][0]["outcome"], "updated", "a config change becomes an update");
    let template = rt.block_on(cfn.get_template().stack_name(NETWORK).send()).unwrap();
    assert!(template.template_body().unwrap_or_default().contains("\"RetentionInDays\": 30"), "the update is deployed");
    let stack = rt.block_on(cfn.describe_stacks().stack_name(NETWORK).send()).unwrap().stacks()[0].clone();
    assert_eq!(stack.stack_status().map(|s| s.as_str()), Some("UPDATE_COMPLETE"));

    remove_route_tables(&moto, vpc);
    let out = moto.karmada_eks(&["destroy", NETWORK, "--exclusively", "--force"]);
    assert_ok(&out);
    assert!(String::from_utf8_lossy(&out.stdout).contains("karmada-network (us-east-1): deleted"));
    let vpcs = moto.boto3(REGION, &format!("print(len(ec2.describe_vpcs({by_vpc})['Vpcs']))"));
    assert_eq!(vpcs, "0", "the VPC is gone with the stack");
    let gone = rt.block_on(cfn.describe_stacks().stack_name(NETWORK).send());
    assert!(
        gone.is_err()
            || gone.unwrap().stacks().iter().all(|s| s.stack_status().map(|s| s.as_str()) == Some("DELETE_COMPLETE"))
    );

    let out = moto.karmada_eks(&["destroy", NETWORK, "--exclusively", "--force"]);
    assert_ok(&out);
    assert!(String::from_utf8_lossy(&out.stdout).contains("karmada-network (us-east-1): did not exist"));
    let out = moto.karmada_eks(&["destroy", NETWORK, "--exclusively", "--force", "--json"]);
    assert_ok(&out);
    assert_eq!(
        summary(&out),
        serde_json::json!({"event": "summary", "unjoined": [], "volumes": [], "stacks": [{
            "stack": NETWORK, "region": REGION, "outcome": "absent", "status": null, "failures": [], "retained": [],
            "error": null,
        }]})
    );
}

/// moto 5.2.5 does not delete `AWS::EC2::RouteTable` resources when it deletes a stack, so the VPC's deletion then
/// fails with DependencyViolation. Real CloudFormation does; the test removes them through EC2 first.
fn remove_route_tables(moto: &Moto, vpc: &str) {
    moto.boto3(
        REGION,
        &format!(
            "for t in ec2.describe_route_tables(Filters=[{{'Name': 'vpc-id', 'Values': ['{vpc}']}}])['RouteTables']:\n\
             \x20   if any(a.get('Main') for a in t['Associations']):\n\
             \x20       continue\n\
             \x20   for a in t['Associations']:\n\
             \x20       ec2.disassociate_route_table(AssociationId=a['RouteTableAssociationId'])\n\
             \x20   ec2.delete_route_table(RouteTableId=t['RouteTableId'])\n"
        ),
    );
}

#[test]
fn kubeconfig_is_saved_from_the_secret_with_mode_0600() {
    let moto = Moto::start();
    let out = moto.karmada_eks(&["kubeconfig"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("the kubeconfig secret karmada/karmada/kubeconfig does not exist"), "{stderr}");

    // The host writes the secret with `aws secretsmanager put-secret-value`; moto's Parameter Store serves it at
    // /aws/reference/secretsmanager/<name>, as the real one does. No Secrets Manager crate here: boto3 of the venv.
    let python = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/venv/bin/python");
    let created = std::process::Command::new(python)
        .args([
            "-c",
            "import boto3,sys; boto3.client('secretsmanager', endpoint_url=sys.argv[1], region_name='us-east-1', \
             aws_access_key_id='testing', aws_secret_access_key='testing').create_secret(Name='karmada/karmada/kubeconfig', \
             SecretString='apiVersion: v1\\nkind: Config\\n')",
            &moto.endpoint,
        ])
        .output()
        .unwrap();
    assert!(created.status.success(), "{}", String::from_utf8_lossy(&created.stderr));
    let out = moto.karmada_eks(&["kubeconfig", "-o", "k.config"]);
    assert_ok(&out);
    assert!(String::from_utf8_lossy(&out.stdout).contains("from the secret karmada/karmada/kubeconfig"));
    let path = moto.home.path().join("k.config");
    let saved = std::fs::read_to_string(&path).unwrap();
    let (marker, rest) = saved.split_once('\n').unwrap();
    assert!(marker.starts_with("# Saved by `karmada-eks kubeconfig`"), "{saved}");
    assert_eq!(rest, "apiVersion: v1\nkind: Config\n");
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
    assert_ok(&moto.karmada_eks(&["kubeconfig", "-o", "k.config"]));

    // A file this command did not save is replaced only with --force; a symlink never, and its target stays.
    let foreign = moto.home.path().join("config");
    std::fs::write(&foreign, "apiVersion: v1\nclusters: []\n").unwrap();
    let out = moto.karmada_eks(&["kubeconfig", "-o", "config"]);
    assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stderr));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.starts_with("error: config already exists and is not a kubeconfig karmada-eks saved"), "{stderr}");
    assert!(stderr.contains("hint: pass --force to overwrite it"), "{stderr}");
    assert_eq!(std::fs::read_to_string(&foreign).unwrap(), "apiVersion: v1\nclusters: []\n");
    let link = moto.home.path().join("link");
    std::os::unix::fs::symlink(&foreign, &link).unwrap();
    let out = moto.karmada_eks(&["kubeconfig", "-o", "link", "--force"]);
    assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stderr).contains("is a symbolic link to"));
    assert_eq!(std::fs::read_to_string(&foreign).unwrap(), "apiVersion: v1\nclusters: []\n");
    assert!(std::fs::symlink_metadata(&link).unwrap().file_type().is_symlink());
    assert_ok(&moto.karmada_eks(&["kubeconfig", "-o", "config", "--force"]));
    assert_eq!(std::fs::read_to_string(&foreign).unwrap(), saved);
}

#[test]
fn diff_compares_with_the_deployed_template() {
    let moto = Moto::start();
    let out = moto.karmada_eks(&["diff", NETWORK, "--fail"]);
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("Stack karmada-network (us-east-1) [not deployed]"), "{text}");
    assert!(text.contains("[+] AWS::EC2::VPC "), "{text}");
    assert!(text.contains("Security (IAM statements, security-group rules)"), "{text}");

    assert_ok(&moto.karmada_eks(&["deploy", NETWORK, "--exclusively", "--yes"]));
    let out = moto.karmada_eks(&["diff", NETWORK, "--fail"]);
    assert_ok(&out);
    assert!(String::from_utf8_lossy(&out.stdout).contains("There were no differences"));

    let config_b = moto.home.path().join("b.toml");
    std::fs::write(&config_b, "[network]\nflow_log_retention_days = 30\n").unwrap();
    let out = moto.karmada_eks(&["--config", config_b.to_str().unwrap(), "diff", NETWORK]);
    assert_ok(&out);
    assert!(String::from_utf8_lossy(&out.stdout).contains("Properties.RetentionInDays: 365 -> 30"));
}

#[test]
fn missing_credentials_say_what_to_run() {
    let moto = Moto::start();
    let out = moto
        .command(&["deploy", NETWORK, "--exclusively", "--yes"])
        .env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_SECRET_ACCESS_KEY")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("credentials are missing or expired") && stderr.contains("aws sso login"), "{stderr}");
}

#[test]
fn deploy_of_a_reviewed_assembly_needs_no_config_and_tags_the_stack() {
    let moto = Moto::start();
    let out = moto.karmada_eks(&["synth", "-q", "-o", "reviewed"]);
    assert_ok(&out);
    std::fs::write(moto.home.path().join("karmada-eks.toml"), "this is = not toml [").unwrap();
    let out = moto.karmada_eks(&["deploy", NETWORK, "--app", "reviewed", "--exclusively", "--yes", "--json"]);
    assert_ok(&out);
    assert_eq!(summary(&out)["stacks"][0]["outcome"], "created");

    let rt = tokio::runtime::Runtime::new().unwrap();
    let cfn = aws_sdk_cloudformation::Client::new(&rt.block_on(moto.sdk_config(REGION)));
    let stacks = rt.block_on(cfn.describe_stacks().stack_name(NETWORK).send()).unwrap();
    let tags: std::collections::BTreeMap<&str, &str> =
        stacks.stacks()[0].tags().iter().filter_map(|t| Some((t.key()?, t.value()?))).collect();
    assert_eq!(tags.get("karmada-eks:app"), Some(&"karmada"), "{tags:?}");
    assert_eq!(tags.get("karmada-eks:version"), Some(&env!("CARGO_PKG_VERSION")));
    assert_eq!(tags.get("karmada-eks:template-sha256").map(|s| s.len()), Some(64));
}

#[test]
fn credentials_of_another_account_change_nothing() {
    let moto = Moto::start();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let cfn = aws_sdk_cloudformation::Client::new(&rt.block_on(moto.sdk_config(REGION)));
    let other = moto.home.path().join("other.toml");
    std::fs::write(&other, "account = \"111111111111\"\n").unwrap();
    let other = other.to_str().unwrap();

    for command in [&["deploy", NETWORK, "--exclusively", "--yes"][..], &["destroy", NETWORK, "--force"], &["diff"]] {
        let out = moto.karmada_eks(&[&["--config", other][..], command].concat());
        assert_eq!(out.status.code(), Some(2), "{command:?}: {}", String::from_utf8_lossy(&out.stderr));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains(
                "the stacks are for account 111111111111, but the AWS credentials are for account 123456789012"
            ) && stderr.contains("hint: use credentials of account 111111111111"),
            "{command:?}: {stderr}"
        );
    }
    let stacks = rt.block_on(cfn.describe_stacks().send()).unwrap();
    assert!(stacks.stacks().is_empty(), "nothing is created for another account: {:?}", stacks.stacks());

    let own = moto.home.path().join("own.toml");
    std::fs::write(&own, "account = \"123456789012\"\n").unwrap();
    let out = moto.karmada_eks(&["--config", own.to_str().unwrap(), "deploy", NETWORK, "--exclusively", "--yes"]);
    assert_ok(&out);
    let stacks = rt.block_on(cfn.describe_stacks().stack_name(NETWORK).send()).unwrap();
    assert_eq!(stacks.stacks().len(), 1);
}

#[test]
fn diff_reads_a_deployed_yaml_template_with_short_form_tags() {
    // The AWS CDK CLI submits YAML; CloudFormation's GetTemplate returns it as submitted.
    let moto = Moto::start();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let cfn = aws_sdk_cloudformation::Client::new(&rt.block_on(moto.sdk_config(REGION)));
    let yaml = "AWSTemplateFormatVersion: '2010-09-09'\n\
                Resources:\n  VpcCFCF4CD8:\n    Type: AWS::EC2::VPC\n    Properties:\n      CidrBlock: !Select [0, [10.9.0.0/16]]\n      \
                EnableDnsHostnames: true\n      EnableDnsSupport: true\n      Tags:\n        - Key: Name\n          Value: !Sub '${AWS::StackName}-vpc'\n\
                Outputs:\n  VpcId:\n    Value: !Ref VpcCFCF4CD8\n  VpcCidr:\n    Value: !GetAtt VpcCFCF4CD8.CidrBlock\n";
    rt.block_on(cfn.create_stack().stack_name(NETWORK).template_body(yaml).send()).unwrap();
    let out = moto.karmada_eks(&["diff", NETWORK]);
    assert_ok(&out);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("Stack karmada-network (us-east-1)\n"), "{text}");
    assert!(
        text.contains(r#"Properties.CidrBlock: {"Fn::Select":[0,["10.9.0.0/16"]]} -> "10.0.0.0/16""#),
        "short forms read as their long form: {text}"
    );
    assert!(
        text.contains(r#"Properties.Tags: [{"Key":"Name","Value":{"Fn::Sub":"${AWS::StackName}-vpc"}}] -> "#),
        "{text}"
    );
}

#[test]
fn status_of_an_app_not_deployed_is_unhealthy_and_says_why() {
    let moto = Moto::start();
    assert_ok(&moto.karmada_eks(&["deploy", NETWORK, "--exclusively", "--yes", "--no-reconcile"]));
    let out = moto.karmada_eks(&["status"]);
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.starts_with("UNHEALTHY: 1 of "), "{text}");
    assert!(text.contains("Karmada not checked: stack karmada-management has no management instance"), "{text}");
    assert!(text.contains("stack karmada-cluster (us-east-1): not deployed"), "{text}");
    assert!(!text.contains("stack karmada-network"), "a healthy stack is listed only with --all: {text}");
    let out = moto.karmada_eks(&["status", "--json"]);
    assert_eq!(out.status.code(), Some(1));
    let report: Value = serde_json::from_slice(&out.stdout).expect("status --json prints one JSON document");
    assert_eq!(report["healthy"], false);
    let network = report["stacks"].as_array().unwrap().iter().find(|s| s["name"] == NETWORK).unwrap();
    assert_eq!(
        (network["status"].as_str(), network["template_current"].as_bool()),
        (Some("CREATE_COMPLETE"), Some(true))
    );
    assert_eq!(report["host"]["state"], "unreachable");
}

/// Issue 16, item 1: a stack of the app that the assembly no longer has (a member region dropped from the
/// config), in a region only the regions parameter remembers: `diff` shows it as a removal, `destroy` deletes it
/// with the rest and then the regions parameter.
#[test]
fn a_stack_that_left_the_app_is_shown_by_diff_and_deleted_by_destroy() {
    const DROPPED: &str = "karmada-member-access-us-west-2";
    let moto = Moto::start();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let home = rt.block_on(moto.sdk_config(REGION));
    let ssm = aws_sdk_ssm::Client::new(&home);
    let west = aws_sdk_cloudformation::Client::new(&rt.block_on(moto.sdk_config("us-west-2")));
    let tag = |k: &str, v: &str| aws_sdk_cloudformation::types::Tag::builder().key(k).value(v).build();
    for (name, app) in [(DROPPED, "karmada"), ("someone-elses", "other-app")] {
        rt.block_on(
            west.create_stack()
                .stack_name(name)
                .template_body(r#"{"Resources": {"Topic": {"Type": "AWS::SNS::Topic"}}}"#)
                .tags(tag("karmada-eks:app", app))
                .send(),
        )
        .unwrap();
    }
    rt.block_on(
        ssm.put_parameter()
            .name("/karmada/karmada-eks/regions")
            .value("us-east-1,us-west-2")
            .r#type(aws_sdk_ssm::types::ParameterType::String)
            .send(),
    )
    .unwrap();

    let out = moto.karmada_eks(&["diff"]);
    assert_ok(&out);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains(&format!("Stack {DROPPED} (us-west-2)")), "{text}");
    assert!(text.contains("[-] AWS::SNS::Topic Topic"), "{text}");
    assert!(text.contains("left the app"), "{text}");
    assert!(!text.contains("someone-elses"), "{text}");

    let out = moto.karmada_eks(&["destroy", "--force", "--json"]);
    assert_ok(&out);
    let stacks = summary(&out)["stacks"].as_array().unwrap().clone();
    assert_eq!(stacks[0]["stack"], DROPPED, "the stack that left goes first: {stacks:?}");
    assert_eq!(stacks[0]["outcome"], "deleted");
    assert!(stacks[1..].iter().all(|s| s["outcome"] == "absent"), "{stacks:?}");
    let left: Vec<String> = rt
        .block_on(west.describe_stacks().send())
        .unwrap()
        .stacks()
        .iter()
        .filter(|s| s.stack_status().map(|st| st.as_str()) != Some("DELETE_COMPLETE"))
        .filter_map(|s| s.stack_name().map(str::to_string))
        .collect();
    assert_eq!(left, vec!["someone-elses".to_string()], "only another app's stack is left");
    let parameter = rt.block_on(ssm.get_parameter().name("/karmada/karmada-eks/regions").send());
    assert!(parameter.is_err(), "destroy deletes the regions parameter last");
}

/// Issue 16, item 8: listing the deploying principal (moto's caller is `user/moto`) as a cluster admin is
/// refused before anything is created, naming the field.
#[test]
fn the_deploying_principal_listed_as_cluster_admin_is_refused_before_anything_changes() {
    let moto = Moto::start();
    let config = moto.home.path().join("admins.toml");
    // The account is named too: its check and the admin check share one GetCallerIdentity.
    std::fs::write(
        &config,
        "account = \"123456789012\"\n[parent]\nadmin_principal_arns = [\"arn:aws:iam::123456789012:user/moto\"]\n",
    )
    .unwrap();
    let requests_before = moto.requests();
    let out = moto.karmada_eks(&["--config", config.to_str().unwrap(), "deploy", "--yes", "--json"]);
    assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stderr));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("parent.admin_principal_arns lists arn:aws:iam::123456789012:user/moto"), "{stderr}");
    assert!(stderr.contains("hint: remove"), "{stderr}");
    assert_eq!(moto.requests() - requests_before, 1, "only GetCallerIdentity was called");
}
