//! End to end against moto's server mode: `deploy`, `destroy` and `kubeconfig` as a user runs them, checked
//! through the emulator's own API. moto (with the additions of tests/support/moto_cfn.py) has no CreationPolicy
//! and no per-resource progress events; those are covered by the recorded-response tests in `src/deploy/tests/`.
//! The whole app's life is tests/suite/app_lifecycle_moto.rs.

use crate::support::moto;

use moto::{assert_ok, small_app, Moto};
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
        6,
        "a no-op redeploy is GetCallerIdentity and PutParameter (taking the lock), one GetParameter (the regions \
         the app has used), one DescribeStacks, and GetParameter and DeleteParameter (releasing the lock)"
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
        serde_json::json!({"event": "summary", "unjoined": [], "volumes": [], "final_backup": null, "backups_kept": null, "stacks": [{
            "stack": NETWORK, "region": REGION, "outcome": "absent", "status": null, "failures": [], "retained": [],
            "error": null,
        }], "kept": []})
    );
}

/// The deployer and `status` take the app's facts from the assembly they are given, never from a config beside
/// it (issue 27): with a `karmada-eks.toml` of app `beta` in us-west-2 in the working directory, `--app DIR` of
/// app `alpha` in eu-west-1 reports, reconciles and reads the kubeconfig of `alpha`, in eu-west-1.
#[test]
fn commands_with_app_dir_use_the_assemblys_app_not_the_config_beside_it() {
    let moto = Moto::start();
    let home = moto.home.path();
    std::fs::write(home.join("alpha.toml"), "app = \"alpha\"\nregion = \"eu-west-1\"\n").unwrap();
    assert_ok(&moto.karmada_eks(&["--config", "alpha.toml", "synth", "-q", "-o", "alpha.out"]));
    std::fs::write(home.join("karmada-eks.toml"), "app = \"beta\"\nregion = \"us-west-2\"\n").unwrap();
    let stderr = |o: &std::process::Output| String::from_utf8_lossy(&o.stderr).to_string();

    let out = moto.karmada_eks(&["status", "--app", "alpha.out", "--json"]);
    assert_eq!(out.status.code(), Some(1), "nothing is deployed, so unhealthy: {}", stderr(&out));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let stacks = report["stacks"].as_array().unwrap();
    assert_eq!(stacks.len(), 9, "{stacks:?}");
    for s in stacks {
        let name = s["name"].as_str().unwrap();
        assert!(name.starts_with("alpha-"), "{s}");
        if !name.starts_with("alpha-member-access-") {
            assert_eq!(s["region"], "eu-west-1", "{s}");
        }
    }
    assert_eq!(report["host"]["reason"], "stack alpha-management has no management instance");
    assert_eq!(report["host"]["hints"][0], "run `karmada-eks deploy`; the management stack creates the host");

    let out = moto.karmada_eks(&["reconcile", "--app", "alpha.out"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("alpha-") && !stderr(&out).contains("beta"), "{}", stderr(&out));

    let out = moto.karmada_eks(&["kubeconfig", "--app", "alpha.out"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("the kubeconfig secret alpha/karmada/kubeconfig does not exist in eu-west-1"),
        "{}",
        stderr(&out)
    );
    // Without --app, the config's app, as before.
    let out = moto.karmada_eks(&["kubeconfig"]);
    assert!(
        stderr(&out).contains("the kubeconfig secret beta/karmada/kubeconfig does not exist in us-west-2"),
        "{}",
        stderr(&out)
    );
}

/// `deploy --outputs-file` writes the stacks' outputs as the AWS CDK CLI does, replaces only such a file of this
/// app, and refuses any other file before it changes anything.
#[test]
fn outputs_file_holds_the_deployed_outputs_and_a_foreign_file_is_refused_before_anything_changes() {
    let moto = Moto::start();
    let deploy = ["deploy", NETWORK, "--exclusively", "--yes", "--outputs-file", "outputs.json"];
    assert_ok(&moto.karmada_eks(&deploy));
    let path = moto.home.path().join("outputs.json");
    let outputs: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let network = outputs[NETWORK].as_object().unwrap_or_else(|| panic!("{outputs}"));
    let vpc = network.iter().find(|(k, _)| k.starts_with("OutputRefVpc") && k.len() == "OutputRefVpc".len() + 8);
    assert!(vpc.is_some_and(|(_, v)| v.as_str().is_some_and(|v| v.starts_with("vpc-"))), "{outputs}");
    assert_eq!(outputs.as_object().unwrap().len(), 1, "only the deployed stack: {outputs}");
    assert_ok(&moto.karmada_eks(&deploy));

    std::fs::write(&path, "{\"mine\": 1}\n").unwrap();
    let other = moto.karmada_eks(&["deploy", "--yes", "--outputs-file", "outputs.json"]);
    let stderr = String::from_utf8_lossy(&other.stderr);
    assert_eq!(other.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("outputs.json already exists and is not the outputs of app karmada"), "{stderr}");
    assert!(stderr.contains("hint: remove it yourself, or name another file with --outputs-file FILE"), "{stderr}");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "{\"mine\": 1}\n");
    assert!(!String::from_utf8_lossy(&other.stdout).contains("karmada-cluster"), "nothing was deployed");
}

/// `status` exits 3 when it could not tell (here: no AWS endpoint answers), so a script tells it from 1,
/// "unhealthy"; the error and its hint are on stderr.
#[test]
fn status_that_cannot_be_read_exits_3_not_1() {
    let moto = Moto::start();
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let dead = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let out = moto.command(&["status"]).env("AWS_ENDPOINT_URL", &dead).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(stderr.starts_with("error: "), "{stderr}");
    let unhealthy = moto.karmada_eks(&["status"]);
    assert_eq!(unhealthy.status.code(), Some(1), "nothing deployed is a verdict: unhealthy");
}

/// `--debug` (and `-vv`) log what the SDK sends and receives on stderr, request IDs included, as the AWS CLI's
/// `--debug` does; without it nothing is logged, and stdout stays the command's output either way.
#[test]
fn debug_logs_the_sdks_requests_on_stderr_and_nothing_without_it() {
    let moto = Moto::start();
    let quiet = moto.karmada_eks(&["kubeconfig"]);
    let info = moto.karmada_eks(&["-v", "kubeconfig"]);
    let info_err = String::from_utf8_lossy(&info.stderr).to_string();
    assert!(info_err.contains("AWS response") && !info_err.contains("DEBUG"), "-v: the responses only: {info_err}");
    let quiet_err = String::from_utf8_lossy(&quiet.stderr).to_string();
    assert!(!quiet_err.contains("DEBUG") && !quiet_err.contains(" INFO "), "{quiet_err}");
    for flag in ["--debug", "-vv"] {
        let out = moto.karmada_eks(&[flag, "kubeconfig"]);
        assert_eq!(out.status.code(), quiet.status.code());
        assert_eq!(out.stdout, quiet.stdout, "logs never reach stdout");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.lines().any(|l| l.contains("DEBUG") && l.contains("aws_smithy_runtime")), "{flag}: {stderr}");
        let response = stderr.lines().find(|l| l.contains("SSM.GetParameter") && l.contains("AWS response"));
        assert!(response.is_some_and(|l| l.contains("status=400") && l.contains("request_id=")), "{flag}: {stderr}");
        assert!(stderr.contains("the kubeconfig secret karmada/karmada/kubeconfig does not exist"), "{stderr}");
    }
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
    // A member-access stack of the release before the part tag: access entries only, and no part tag.
    for (name, app) in [(DROPPED, "karmada"), ("someone-elses", "other-app")] {
        rt.block_on(
            west.create_stack()
                .stack_name(name)
                .template_body(r#"{"Resources": {"Access": {"Type": "AWS::EKS::AccessEntry"}}}"#)
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
    assert!(text.contains("[-] AWS::EKS::AccessEntry Access"), "{text}");
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

/// JSON lines of `out`'s stdout (progress events and the summary).
fn lines(out: &std::process::Output) -> Vec<Value> {
    String::from_utf8_lossy(&out.stdout).lines().filter_map(|l| serde_json::from_str(l).ok()).collect()
}

/// Whether the stack `name` exists (not deleted) in `cfn`'s region.
fn exists(rt: &tokio::runtime::Runtime, cfn: &aws_sdk_cloudformation::Client, name: &str) -> bool {
    rt.block_on(cfn.describe_stacks().stack_name(name).send())
        .is_ok_and(|o| o.stacks().iter().any(|s| s.stack_status().map(|s| s.as_str()) != Some("DELETE_COMPLETE")))
}

fn create_tagged(rt: &tokio::runtime::Runtime, cfn: &aws_sdk_cloudformation::Client, name: &str, template: &str) {
    let tag = aws_sdk_cloudformation::types::Tag::builder().key("karmada-eks:app").value("karmada").build();
    rt.block_on(cfn.create_stack().stack_name(name).template_body(template).tags(tag).send()).unwrap();
}

/// Issue 22, item 2: a stack someone else tagged with the app (the `extend` example's registry) survives a whole
/// `deploy --yes` and `destroy --force`, named as kept in text and JSON; a member-access stack an earlier release
/// made (access entries only, no part tag) is deleted; `deploy --prune` deletes the registry. The default app's
/// member clusters do not exist here, so these whole-app deploys fail (their access entries are refused) after the
/// removals, which is all they are here for.
#[test]
fn a_stack_tagged_with_the_app_that_karmada_eks_did_not_make_is_kept_until_named() {
    const REGISTRY: &str = "karmada-registry";
    const DROPPED: &str = "karmada-member-access-us-west-2";
    let moto = Moto::start();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let cfn = aws_sdk_cloudformation::Client::new(&rt.block_on(moto.sdk_config(REGION)));
    let west = aws_sdk_cloudformation::Client::new(&rt.block_on(moto.sdk_config("us-west-2")));
    create_tagged(&rt, &cfn, REGISTRY, r#"{"Resources": {"Topic": {"Type": "AWS::SNS::Topic"}}}"#);
    moto.member_cluster("us-west-2", "eksa");
    let access = r#"{"Resources": {"Access": {"Type": "AWS::EKS::AccessEntry", "Properties": {"ClusterName": "eksa",
        "PrincipalArn": "arn:aws:iam::123456789012:role/karmada-management"}}}}"#;
    create_tagged(&rt, &west, DROPPED, access);
    let ssm = aws_sdk_ssm::Client::new(&rt.block_on(moto.sdk_config(REGION)));
    let regions = ssm
        .put_parameter()
        .name("/karmada/karmada-eks/regions")
        .value("us-east-1,us-west-2")
        .r#type(aws_sdk_ssm::types::ParameterType::String);
    rt.block_on(regions.send()).unwrap();
    let reason = "its name is not one karmada-eks gives a stack of app karmada";
    let kept = serde_json::json!([{"name": REGISTRY, "region": REGION, "reason": reason}]);
    let deploy = ["deploy", "--yes", "--skip-preflight", "--no-reconcile"];

    let out = moto.karmada_eks(&[&deploy[..], &["--json"]].concat());
    assert_eq!(summary(&out)["kept"], kept, "{}", String::from_utf8_lossy(&out.stdout));
    let removed = summary(&out)["removed"].clone();
    assert_eq!((removed[0]["stack"].as_str(), removed[0]["outcome"].as_str()), (Some(DROPPED), Some("deleted")));
    assert_eq!(removed.as_array().unwrap().len(), 1, "{removed}");
    assert!(
        lines(&out).iter().any(|l| l["event"] == "note"
            && l["stack"] == REGISTRY
            && l["message"].as_str().unwrap().starts_with(&format!("not made by karmada-eks, kept: {reason}"))),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(exists(&rt, &cfn, REGISTRY), "deploy --yes keeps the registry");
    assert!(!exists(&rt, &west, DROPPED), "the member-access stack karmada-eks made is deleted");

    let out = moto.karmada_eks(&deploy);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains(&format!("{REGISTRY} (us-east-1): not made by karmada-eks, kept ({reason})")), "{text}");
    assert!(text.contains(&format!("`karmada-eks deploy --prune {REGISTRY}`")), "{text}");

    let out = moto.karmada_eks(&["destroy", "--force", "--json"]);
    assert_eq!(summary(&out)["kept"], kept);
    assert!(summary(&out)["stacks"].as_array().unwrap().iter().all(|s| s["stack"] != REGISTRY));
    let out = moto.karmada_eks(&["destroy", "--force"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains(&format!("{REGISTRY} (us-east-1): not made by karmada-eks, kept ({reason})")), "{text}");
    assert!(exists(&rt, &cfn, REGISTRY), "destroy --force keeps the registry");

    let out = moto.karmada_eks(&[&deploy[..], &["--json", "--prune", REGISTRY]].concat());
    let removed = summary(&out)["removed"].clone();
    assert_eq!((removed[0]["stack"].as_str(), removed[0]["outcome"].as_str()), (Some(REGISTRY), Some("deleted")));
    assert_eq!(summary(&out)["kept"], serde_json::json!([]));
    assert!(!exists(&rt, &cfn, REGISTRY), "--prune deletes it");

    let out = moto.karmada_eks(&["deploy", "--yes", "--prune", "karmada-nothing"]);
    assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stderr));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("karmada-nothing is not a deployed stack of app karmada that the assembly lacks"),
        "{stderr}"
    );
}

/// `destroy STACK` deletes a stack tagged with the app that karmada-eks did not make, and only that stack.
#[test]
fn destroy_deletes_a_kept_stack_it_is_given_by_name() {
    let moto = Moto::start();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let cfn = aws_sdk_cloudformation::Client::new(&rt.block_on(moto.sdk_config(REGION)));
    create_tagged(&rt, &cfn, "karmada-registry", r#"{"Resources": {"Topic": {"Type": "AWS::SNS::Topic"}}}"#);
    assert_ok(&moto.karmada_eks(&["deploy", NETWORK, "--exclusively", "--yes"]));

    let out = moto.karmada_eks(&["destroy", "karmada-registry", "--force", "--json"]);
    assert_ok(&out);
    let stacks = summary(&out)["stacks"].clone();
    assert_eq!(stacks.as_array().unwrap().len(), 1, "{stacks}");
    assert_eq!(
        (stacks[0]["stack"].as_str(), stacks[0]["outcome"].as_str()),
        (Some("karmada-registry"), Some("deleted"))
    );
    assert!(!exists(&rt, &cfn, "karmada-registry"));
    assert!(exists(&rt, &cfn, NETWORK), "the app's own stacks stay");
}

const LOCK: &str = "/karmada/karmada-eks/lock";

/// Issue 22, item 2: a held lock refuses deploy and destroy, naming its owner, before anything is written (no
/// stack, no change set, no regions parameter); `--force-unlock` says whose lock it breaks and takes it; the lock
/// is gone after a deploy, a failed one included.
#[test]
fn a_held_lock_refuses_deploy_and_destroy_before_anything_is_written_and_force_unlock_takes_it() {
    let moto = Moto::start();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let conf = rt.block_on(moto.sdk_config(REGION));
    let (cfn, ssm) = (aws_sdk_cloudformation::Client::new(&conf), aws_sdk_ssm::Client::new(&conf));
    let held = r#"{"owner":"arn:aws:iam::123456789012:user/bob","command":"deploy","host":"ci-7","pid":4242,"started":"2026-12-03T14:00:00Z","expires":"2026-12-04T14:00:00Z"}"#;
    let put = ssm.put_parameter().name(LOCK).value(held).r#type(aws_sdk_ssm::types::ParameterType::String);
    rt.block_on(put.send()).unwrap();
    let parameter = |name: &str| rt.block_on(ssm.get_parameter().name(name).send()).ok();

    for command in [&["deploy", NETWORK, "--exclusively", "--yes"][..], &["destroy", "--force"]] {
        let out = moto.karmada_eks(command);
        assert_eq!(out.status.code(), Some(1), "{command:?}: {}", String::from_utf8_lossy(&out.stderr));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains(&format!(
                "app karmada is locked by another run: {LOCK} is held by arn:aws:iam::123456789012:user/bob \
                 (`karmada-eks deploy` on ci-7, pid 4242) since 2026-12-03T14:00:00Z"
            )),
            "{command:?}: {stderr}"
        );
        assert!(
            stderr.contains("if it is gone (killed, or its machine lost), run the command again with --force-unlock")
        );
    }
    assert!(rt.block_on(cfn.list_stacks().send()).unwrap().stack_summaries().is_empty(), "no stack, no change set");
    assert!(parameter("/karmada/karmada-eks/regions").is_none(), "the regions parameter was not written");
    assert_eq!(parameter(LOCK).unwrap().parameter().unwrap().value(), Some(held), "the lock is untouched");

    let out = moto.karmada_eks(&["deploy", NETWORK, "--exclusively", "--yes", "--json", "--force-unlock"]);
    assert_ok(&out);
    assert!(
        lines(&out).iter().any(|l| l["event"] == "note"
            && l["message"].as_str().unwrap().starts_with(&format!(
                "--force-unlock: deleting the lock {LOCK} held by arn:aws:iam::123456789012:user/bob (`karmada-eks \
                 deploy` on ci-7, pid 4242, since 2026-12-03T14:00:00Z)"
            ))),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert_eq!(summary(&out)["stacks"][0]["outcome"], "created");
    assert!(parameter(LOCK).is_none(), "the lock is released after the deploy");

    let out = moto.karmada_eks(&["deploy", "--yes", "--skip-preflight", "--no-reconcile"]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "the member clusters do not exist, so their access entries fail: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("CREATE_FAILED: No cluster found for name: ekseucl01."), "{stdout}");
    assert!(parameter(LOCK).is_none(), "the lock is released after a failed deploy");
}

/// Issue 22, item 2: a whole deploy records what it deployed; a deploy whose assembly lacks members the record
/// has warns, naming who deployed them, and deletes the member-access stack karmada-eks made (no management
/// host: nothing to unjoin from); destroy then deletes the record.
#[test]
fn the_last_deploy_is_recorded_and_removing_its_members_warns_naming_who_deployed_them() {
    let moto = Moto::start();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let conf = rt.block_on(moto.sdk_config(REGION));
    let (cfn, ssm) = (aws_sdk_cloudformation::Client::new(&conf), aws_sdk_ssm::Client::new(&conf));
    let dir = moto.home.path().join("small");
    let record = || -> Option<Value> {
        let out = rt.block_on(ssm.get_parameter().name("/karmada/karmada-eks/last-deploy").send()).ok()?;
        serde_json::from_str(out.parameter()?.value()?).ok()
    };

    moto.member_cluster(REGION, "eksa");
    moto.member_cluster(REGION, "eksb");
    small_app(&dir, &["eksa", "eksb"]);
    let out = moto.karmada_eks(&["deploy", "--app", dir.to_str().unwrap(), "--yes", "--json", "--skip-preflight"]);
    assert_ok(&out);
    let last = record().expect("the last deploy is recorded");
    let manifest = std::fs::read(dir.join("manifest.json")).unwrap();
    let sha: String = {
        use sha2::Digest;
        sha2::Sha256::digest(&manifest).iter().map(|b| format!("{b:02x}")).collect()
    };
    assert_eq!(last["assembly_sha256"], sha);
    assert_eq!(last["members"], serde_json::json!(["eksa", "eksb"]));
    assert_eq!(last["regions"], serde_json::json!(["us-east-1"]));
    assert_eq!(last["version"], env!("CARGO_PKG_VERSION"));
    let principal = last["principal"].as_str().unwrap().to_string();
    assert!(principal.starts_with("arn:aws:"), "{principal}");
    assert!(last["time"].as_str().unwrap().ends_with('Z'), "{last}");

    small_app(&dir, &[]);
    let out = moto.karmada_eks(&["deploy", "--app", dir.to_str().unwrap(), "--yes", "--json", "--skip-preflight"]);
    assert_ok(&out);
    let warning = format!(
        "members eksa, eksb were deployed by {principal} at {} (assembly {}); this assembly does not have them: \
         check that your checkout is current",
        last["time"].as_str().unwrap(),
        &sha[..12]
    );
    assert!(
        lines(&out).iter().any(|l| l["event"] == "note" && l["message"] == warning.as_str()),
        "{warning}\n{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let removed = summary(&out)["removed"].clone();
    assert_eq!(removed[0]["stack"], "karmada-member-access-us-east-1", "{removed}");
    assert_eq!(removed[0]["outcome"], "deleted");
    assert!(!exists(&rt, &cfn, "karmada-member-access-us-east-1"));
    assert_eq!(record().unwrap()["members"], serde_json::json!([]), "the record follows the deploy");

    assert_ok(&moto.karmada_eks(&["destroy", "--app", dir.to_str().unwrap(), "--force"]));
    assert!(record().is_none(), "destroy deletes the record");
    let lock = rt.block_on(ssm.get_parameter().name(LOCK).send());
    assert!(lock.is_err(), "and the lock");
}

/// The default app's backup bucket, deployed into moto: versioned, KMS-encrypted, every public access blocked,
/// TLS only; `destroy --force` keeps it (and says so), and naming its stack is refused.
#[test]
fn the_backup_bucket_is_versioned_encrypted_private_and_outlives_destroy() {
    const BACKUP: &str = "karmada-backup";
    let moto = Moto::start();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let conf = rt.block_on(moto.sdk_config(REGION));
    let cfn = aws_sdk_cloudformation::Client::new(&conf);
    let out = moto.karmada_eks(&["deploy", BACKUP, "--exclusively", "--yes", "--json"]);
    assert_ok(&out);
    let resources = rt.block_on(cfn.describe_stack_resources().stack_name(BACKUP).send()).unwrap();
    let bucket = resources
        .stack_resources()
        .iter()
        .find(|r| r.resource_type() == Some("AWS::S3::Bucket"))
        .and_then(|r| r.physical_resource_id())
        .expect("the stack has a bucket")
        .to_string();
    let facts = moto.boto3(
        REGION,
        &format!(
            "s3 = boto3.client('s3', region_name='{REGION}', endpoint_url=ec2.meta.endpoint_url, \
             aws_access_key_id='testing', aws_secret_access_key='testing')\nb = '{bucket}'\n\
             rule = s3.get_bucket_encryption(Bucket=b)['ServerSideEncryptionConfiguration']['Rules'][0]\n\
             print(json.dumps({{'versioning': s3.get_bucket_versioning(Bucket=b).get('Status'), \
             'sse': rule['ApplyServerSideEncryptionByDefault']['SSEAlgorithm'], \
             'key': rule['ApplyServerSideEncryptionByDefault'].get('KMSMasterKeyID', ''), \
             'block': s3.get_public_access_block(Bucket=b)['PublicAccessBlockConfiguration'], \
             'policy': s3.get_bucket_policy(Bucket=b)['Policy']}}))"
        ),
    );
    let facts: Value = serde_json::from_str(&facts).unwrap();
    assert_eq!(facts["versioning"], "Enabled", "{facts}");
    assert_eq!(facts["sse"], "aws:kms", "{facts}");
    assert!(facts["key"].as_str().unwrap().contains(":key/"), "{facts}");
    for setting in ["BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets"] {
        assert_eq!(facts["block"][setting], true, "{setting}: {facts}");
    }
    assert!(facts["policy"].as_str().unwrap().contains("aws:SecureTransport"), "{facts}");

    let out = moto.karmada_eks(&["destroy", "--force", "--json"]);
    assert_ok(&out);
    assert_eq!(summary(&out)["backups_kept"], BACKUP);
    let stacks: Vec<String> =
        summary(&out)["stacks"].as_array().unwrap().iter().map(|s| s["stack"].as_str().unwrap().to_string()).collect();
    assert!(!stacks.contains(&BACKUP.to_string()), "{stacks:?}");
    let described = rt.block_on(cfn.describe_stacks().stack_name(BACKUP).send()).unwrap();
    assert_ne!(described.stacks()[0].stack_status().map(|s| s.as_str()), Some("DELETE_COMPLETE"));
    let text = moto.karmada_eks(&["destroy", "--force"]);
    assert_ok(&text);
    assert!(
        String::from_utf8_lossy(&text.stdout)
            .contains("kept: Karmada's backups (the S3 bucket of stack karmada-backup"),
        "{}",
        String::from_utf8_lossy(&text.stdout)
    );

    let refused = moto.karmada_eks(&["destroy", BACKUP, "--force"]);
    assert_eq!(refused.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(stderr.contains("karmada-backup holds Karmada's backups, which destroy keeps"), "{stderr}");
    assert!(rt.block_on(cfn.describe_stacks().stack_name(BACKUP).send()).is_ok());
}

/// Exit status 2 says nothing changed. Without a terminal or `--yes`, a stack that needs approval stops the
/// deploy; when stacks that needed none were already deployed in this run, that is a failure after work (1),
/// and the summary names what was deployed.
#[test]
fn an_approval_no_terminal_can_give_after_stacks_were_deployed_exits_1_and_names_them() {
    let moto = Moto::start();
    let out = moto.karmada_eks(&["deploy", "--json", "--skip-preflight", "--no-reconcile"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let s = summary(&out);
    let outcomes: Vec<(String, String)> = s["stacks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| (x["stack"].as_str().unwrap().to_string(), x["outcome"].as_str().unwrap().to_string()))
        .collect();
    let created: Vec<&(String, String)> = outcomes.iter().filter(|(_, o)| o == "created").collect();
    assert!(!created.is_empty(), "stacks without security changes deploy first: {outcomes:?}");
    assert!(
        format!("{stderr}{}", String::from_utf8_lossy(&out.stdout))
            .contains("needs approval, but there is no terminal"),
        "{stderr}"
    );
    assert_eq!(out.status.code(), Some(1), "{outcomes:?}\n{stderr}");
}
