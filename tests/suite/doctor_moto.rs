//! `karmada-eks doctor` against moto's server: a healthy emulated account passes every check; a broken one fails
//! each check on its own bad input, with its fix. moto keeps EKS access modes and applied quotas through the
//! launcher's additions (tests/support/moto_server.py).

use crate::support::http_stand_in;
use crate::support::moto;

use moto::Moto;
use serde_json::Value;
use std::time::Instant;

const APP_REGION: &str = "us-east-1";
const MEMBER_REGION: &str = "eu-central-1";

struct Account<'a> {
    moto: &'a Moto,
    rt: tokio::runtime::Runtime,
}

impl<'a> Account<'a> {
    fn new(moto: &'a Moto) -> Self {
        Account { moto, rt: tokio::runtime::Runtime::new().unwrap() }
    }

    /// The test's own SDK configuration: moto's, with an HTTP client (the SDK crates are built without their
    /// default one; see Cargo.toml).
    fn conf(&self, region: &str) -> aws_config::SdkConfig {
        let http = aws_smithy_http_client::Builder::new().build_http();
        self.rt.block_on(self.moto.sdk_config(region)).into_builder().http_client(http).build()
    }

    /// The app's own parent cluster (tagged `karmada-eks:app=karmada`), running `version`.
    fn parent(&self, version: &str) {
        let eks = aws_sdk_eks::Client::new(&self.conf(APP_REGION));
        let vpc = aws_sdk_eks::types::VpcConfigRequest::builder().build();
        self.rt
            .block_on(
                eks.create_cluster()
                    .name("karmada-parent")
                    .version(version)
                    .role_arn("arn:aws:iam::123456789012:role/eks")
                    .resources_vpc_config(vpc)
                    .tags("karmada-eks:app", "karmada")
                    .send(),
            )
            .unwrap();
    }

    fn member(&self, region: &str, name: &str, version: &str, mode: &str, public_cidrs: &[&str]) {
        let eks = aws_sdk_eks::Client::new(&self.conf(region));
        let vpc = aws_sdk_eks::types::VpcConfigRequest::builder()
            .endpoint_public_access(true)
            .set_public_access_cidrs(Some(public_cidrs.iter().map(|s| s.to_string()).collect()))
            .build();
        let access = aws_sdk_eks::types::CreateAccessConfigRequest::builder().authentication_mode(mode.into()).build();
        self.rt
            .block_on(
                eks.create_cluster()
                    .name(name)
                    .version(version)
                    .role_arn("arn:aws:iam::123456789012:role/eks")
                    .resources_vpc_config(vpc)
                    .access_config(access)
                    .send(),
            )
            .unwrap();
    }

    /// Quotas as an account that can see them has them applied.
    fn quotas(&self, region: &str, eips: f64) {
        let sq = aws_sdk_servicequotas::Client::new(&self.conf(region));
        for (service, code, value) in
            [("ec2", "L-0263D0A3", eips), ("ec2", "L-1216C47A", 32.0), ("eks", "L-1194D53C", 100.0)]
        {
            self.rt
                .block_on(
                    sq.request_service_quota_increase()
                        .service_code(service)
                        .quota_code(code)
                        .desired_value(value)
                        .send(),
                )
                .unwrap();
        }
    }

    fn healthy(&self) {
        for region in [APP_REGION, MEMBER_REGION] {
            self.quotas(region, 5.0);
        }
        self.member(MEMBER_REGION, "ekseucl01", "1.31", "API_AND_CONFIG_MAP", &["0.0.0.0/0"]);
        self.member(MEMBER_REGION, "ekseucl02", "1.33", "API", &["0.0.0.0/0"]);
        self.member(APP_REGION, "eksuscl01", "1.31", "API", &["0.0.0.0/0"]);
    }
}

fn doctor_json(moto: &Moto, args: &[&str]) -> (std::process::Output, Value) {
    let out = moto.karmada_eks(&[&["doctor", "--json"], args].concat());
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let v = serde_json::from_str(&stdout).unwrap_or_else(|e| {
        panic!("doctor --json printed no JSON ({e}):\n{stdout}\nstderr:\n{}", String::from_utf8_lossy(&out.stderr))
    });
    (out, v)
}

fn finding<'a>(report: &'a Value, check: &str, subject: Option<&str>) -> &'a Value {
    report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["check"] == check && subject.is_none_or(|s| c["subject"] == s))
        .unwrap_or_else(|| panic!("no {check} {subject:?} in {report:#}"))
}

#[test]
fn a_healthy_account_passes_every_check_in_each_region() {
    let moto = Moto::start();
    let account = Account::new(&moto);
    account.healthy();

    let t = Instant::now();
    let out = moto.karmada_eks(&["doctor"]);
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    eprintln!("doctor on the healthy account ({:?} in all):\n{text}", t.elapsed());
    assert_eq!(out.status.code(), Some(0), "{text}\n{}", String::from_utf8_lossy(&out.stderr));
    assert!(text.lines().next().unwrap().starts_with("CHECK"), "{text}");

    let (out, report) = doctor_json(&moto, &[]);
    assert_eq!(out.status.code(), Some(0));
    let not_ok: Vec<&Value> = report["checks"].as_array().unwrap().iter().filter(|c| c["result"] != "ok").collect();
    assert!(not_ok.is_empty(), "{not_ok:#?}");
    for check in [
        "account",
        "stack-state",
        "quota-elastic-ips",
        "quota-vpcs",
        "quota-nat-gateways",
        "quota-eks-clusters",
        "quota-vcpus",
        "zones",
        "instance-type",
        "member-cluster",
        "member-access-mode",
        "member-version",
        "member-endpoint",
        "name-eks-cluster",
        "eks-version",
        "name-kubeconfig-secret",
        "stacks-elsewhere",
    ] {
        finding(&report, check, None);
    }
    let eips = finding(&report, "quota-elastic-ips", None);
    assert_eq!(eips["found"], "0 in use + 4 needed = 4 Elastic IPs of quota L-0263D0A3 5", "1 NAT EIP + 3 NLB EIPs");
    let vcpus = finding(&report, "quota-vcpus", None);
    assert_eq!(
        vcpus["found"], "0 in use + 8 needed = 8 vCPUs of quota L-1216C47A 32",
        "3 m5.large nodes + t3.medium host"
    );
    let vpcs = finding(&report, "quota-vpcs", None);
    assert_eq!(vpcs["found"], "1 in use + 1 needed = 2 VPCs of quota L-F678F1CE 5", "moto's default VPC is in use");
    for member in ["ekseucl01", "ekseucl02", "eksuscl01"] {
        finding(&report, "member-cluster", Some(member));
    }
    let regions: Vec<&str> =
        report["regions"].as_array().unwrap().iter().map(|r| r["region"].as_str().unwrap()).collect();
    assert_eq!(regions, vec![APP_REGION, MEMBER_REGION]);
    eprintln!("time per region: {}", report["regions"]);

    let out = moto.karmada_eks(&["doctor", "no-such-stack"]);
    assert_eq!(out.status.code(), Some(2), "an unknown stack is bad input");
    assert!(String::from_utf8_lossy(&out.stderr).contains("no stack named \"no-such-stack\""));
    let out = moto.karmada_eks(&["--config", "missing.toml", "doctor"]);
    assert_eq!(out.status.code(), Some(2), "a missing config is bad input");
}

#[test]
fn each_check_fails_on_its_own_bad_input_with_its_fix() {
    let moto = Moto::start();
    let account = Account::new(&moto);
    account.quotas(APP_REGION, 5.0);
    account.quotas(MEMBER_REGION, 5.0);
    account.member(MEMBER_REGION, "ekseucl01", "1.31", "CONFIG_MAP", &["0.0.0.0/0"]);
    account.member(MEMBER_REGION, "ekseucl02", "1.25", "API", &["0.0.0.0/0"]);
    // eksuscl01 is missing from us-east-1; a cluster of another owner holds the parent's name.
    account.member(APP_REGION, "karmada-parent", "1.31", "API", &["0.0.0.0/0"]);
    moto.boto3(APP_REGION, "for _ in range(4):\n    ec2.allocate_address(Domain='vpc')");

    let (out, report) = doctor_json(&moto, &[]);
    assert_eq!(out.status.code(), Some(1), "{report:#}");

    let eips = finding(&report, "quota-elastic-ips", None);
    assert_eq!(eips["result"], "fail");
    assert_eq!(eips["found"], "4 in use + 4 needed = 8 Elastic IPs of quota L-0263D0A3 5");
    assert!(eips["fix"].as_str().unwrap().contains(
        "aws service-quotas request-service-quota-increase --service-code ec2 --quota-code L-0263D0A3 --desired-value 8 --region us-east-1"
    ));

    let missing = finding(&report, "member-cluster", Some("eksuscl01"));
    assert_eq!(missing["result"], "fail");
    assert_eq!(missing["found"], "EKS cluster eksuscl01 does not exist in us-east-1");

    let mode = finding(&report, "member-access-mode", Some("ekseucl01"));
    assert_eq!(mode["result"], "fail");
    assert!(mode["fix"].as_str().unwrap().starts_with(
        "`aws eks update-cluster-config --name ekseucl01 --region eu-central-1 --access-config authenticationMode=API_AND_CONFIG_MAP`"
    ));

    let version = finding(&report, "member-version", Some("ekseucl02"));
    assert_eq!(version["result"], "warn");

    let name = finding(&report, "name-eks-cluster", Some("karmada-parent"));
    assert_eq!(name["result"], "fail");
    assert_eq!(name["fix"], "set parent.name in karmada-eks.toml to a name not in use, or delete that cluster");

    let text = String::from_utf8_lossy(&moto.karmada_eks(&["doctor"]).stdout).into_owned();
    assert!(text.contains("fix: `aws eks update-cluster-config --name ekseucl01"), "{text}");
}

#[test]
fn a_member_in_a_region_where_it_does_not_exist_fails_there() {
    let moto = Moto::start();
    let account = Account::new(&moto);
    account.healthy();
    let config = moto.home.path().join("karmada-eks.toml");
    std::fs::write(&config, "[[members]]\nname = \"west\"\nregion = \"us-west-2\"\n").unwrap();
    account.member(MEMBER_REGION, "west", "1.31", "API", &["0.0.0.0/0"]);

    let (out, report) = doctor_json(&moto, &[]);
    assert_eq!(out.status.code(), Some(1));
    let west = finding(&report, "member-cluster", Some("west"));
    assert_eq!((west["region"].as_str(), west["result"].as_str()), (Some("us-west-2"), Some("fail")));
    assert!(west["fix"].as_str().unwrap().contains("aws eks list-clusters --region us-west-2"));
}

#[test]
fn deploy_stops_before_any_change_when_a_check_fails_and_skip_preflight_goes_on() {
    let moto = Moto::start();
    let account = Account::new(&moto);
    account.quotas(APP_REGION, 5.0);
    moto.boto3(APP_REGION, "for _ in range(5):\n    ec2.allocate_address(Domain='vpc')");
    let cfn = aws_sdk_cloudformation::Client::new(&account.conf(APP_REGION));
    let deploy = ["deploy", "karmada-network", "--exclusively", "--yes", "--json"];

    let out = moto.karmada_eks(&deploy);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("preflight: 1 check(s) failed (quota-elastic-ips); nothing was changed"), "{stderr}");
    assert!(stderr.contains("or pass --skip-preflight to deploy anyway"), "{stderr}");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let line: Value = stdout.lines().find_map(|l| serde_json::from_str(l).ok()).expect("a preflight JSON line");
    assert_eq!(line["event"], "preflight");
    assert_eq!(
        finding(&line, "quota-elastic-ips", None)["found"],
        "5 in use + 1 needed = 6 Elastic IPs of quota L-0263D0A3 5"
    );
    let stacks = account.rt.block_on(cfn.list_stacks().send()).unwrap();
    assert!(stacks.stack_summaries().is_empty(), "no stack was created: {:?}", stacks.stack_summaries());

    let out = moto.karmada_eks(&[&deploy[..], &["--skip-preflight"]].concat());
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let summary: Value = stdout
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .find(|v| v["event"] == "summary")
        .unwrap_or_else(|| panic!("no summary in {stdout}"));
    assert_eq!(summary["preflight"], "skipped (--skip-preflight)");
    assert_eq!(summary["stacks"][0]["outcome"], "created");
}

#[test]
fn quotas_not_visible_fall_back_to_the_documented_default_and_another_account_fails() {
    let moto = Moto::start();
    let account = Account::new(&moto);
    account.member(MEMBER_REGION, "ekseucl01", "1.31", "API", &["0.0.0.0/0"]);
    account.member(MEMBER_REGION, "ekseucl02", "1.31", "API", &["0.0.0.0/0"]);
    account.member(APP_REGION, "eksuscl01", "1.31", "API", &["0.0.0.0/0"]);

    // moto shows no ec2 or eks quota until one is applied, and has no GetAWSDefaultServiceQuota: EC2's own
    // account attribute stands in for the Elastic IPs, the documented defaults for the rest.
    let (out, report) = doctor_json(&moto, &[]);
    assert_eq!(out.status.code(), Some(0), "over a default only warns: {report:#}");
    let eips = finding(&report, "quota-elastic-ips", None);
    assert_eq!(eips["result"], "ok");
    assert_eq!(
        eips["found"],
        "0 in use + 4 needed = 4 Elastic IPs of the account's vpc-max-elastic-ips 5 (EC2; Service Quotas' L-0263D0A3 is not visible)"
    );
    let vcpus = finding(&report, "quota-vcpus", None);
    assert_eq!(vcpus["result"], "warn", "8 vCPUs over the default 5, which the account may well exceed");
    assert!(vcpus["fix"]
        .as_str()
        .unwrap()
        .starts_with("check \"Running On-Demand Standard (A, C, D, H, I, M, R, T, Z) instances\""));
    assert_eq!(finding(&report, "quota-vpcs", None)["found"], "1 in use + 1 needed = 2 VPCs of quota L-F678F1CE 5");

    std::fs::write(moto.home.path().join("karmada-eks.toml"), "account = \"111111111111\"\n").unwrap();
    let (out, report) = doctor_json(&moto, &[]);
    assert_eq!(out.status.code(), Some(1));
    let a = finding(&report, "account", None);
    assert_eq!(a["result"], "fail");
    assert!(a["found"].as_str().unwrap().contains("the stacks are for account 111111111111"), "{a}");
    assert!(a["fix"].as_str().unwrap().starts_with("use credentials of account 111111111111"));
}

#[test]
fn a_deployed_stack_counts_as_in_use_and_an_update_needs_only_what_it_adds() {
    let moto = Moto::start();
    let account = Account::new(&moto);
    account.healthy();
    let out = moto.karmada_eks(&["deploy", "karmada-network", "--exclusively", "--yes", "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));

    let (out, report) = doctor_json(&moto, &[]);
    assert_eq!(out.status.code(), Some(0), "{report:#}");
    let network = finding(&report, "stack-state", Some("karmada-network"));
    assert_eq!(network["found"], "CREATE_COMPLETE, deployed from this template");
    assert_eq!(
        finding(&report, "quota-elastic-ips", None)["found"],
        "1 in use + 3 needed = 4 Elastic IPs of quota L-0263D0A3 5",
        "the NAT address is in use; the NLB's three are still to come"
    );
    assert_eq!(finding(&report, "quota-vpcs", None)["found"], "2 in use + 0 needed = 2 VPCs of quota L-F678F1CE 5");

    let config = moto.home.path().join("karmada-eks.toml");
    std::fs::write(&config, "[network]\nnat_gateways = 2\n").unwrap();
    let (_, report) = doctor_json(&moto, &[]);
    let network = finding(&report, "stack-state", Some("karmada-network"));
    assert_eq!(network["found"], "CREATE_COMPLETE; deploy updates it");
    assert_eq!(
        finding(&report, "quota-elastic-ips", None)["found"],
        "1 in use + 4 needed = 5 Elastic IPs of quota L-0263D0A3 5",
        "an update needs only the second NAT address it adds, and the NLB's"
    );
    std::fs::remove_file(&config).unwrap();
    // The delete path (after destroy, everything counts as new again) is not run here: moto 5.2.5 refuses to
    // delete a network stack it has just created (DependencyViolation on the VPC's route tables).
}

/// Creates a Secrets Manager secret in moto with a raw request (the project has no Secrets Manager crate; moto
/// reads the service from the credential scope and does not check signatures).
fn create_secret(moto: &Moto, region: &str, name: &str) {
    use std::io::{Read, Write};
    let body = serde_json::json!({"Name": name, "SecretString": "not a kubeconfig"}).to_string();
    let host = moto.endpoint.trim_start_matches("http://").to_string();
    let request = format!(
        "POST / HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/x-amz-json-1.1\r\nX-Amz-Target: \
         secretsmanager.CreateSecret\r\nAuthorization: AWS4-HMAC-SHA256 \
         Credential=testing/20260101/{region}/secretsmanager/aws4_request, SignedHeaders=host, Signature=0\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let mut stream = std::net::TcpStream::connect(&host).unwrap();
    stream.write_all(request.as_bytes()).unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    assert!(response.starts_with("HTTP/1.1 200"), "CreateSecret: {response}");
}

#[test]
fn a_kubeconfig_secret_the_app_does_not_own_fails() {
    let moto = Moto::start();
    let account = Account::new(&moto);
    account.healthy();
    create_secret(&moto, APP_REGION, "karmada/karmada/kubeconfig");

    let (out, report) = doctor_json(&moto, &[]);
    assert_eq!(out.status.code(), Some(1), "{report:#}");
    let secret = finding(&report, "name-kubeconfig-secret", Some("karmada/karmada/kubeconfig"));
    assert_eq!(secret["result"], "fail");
    assert_eq!(
        secret["found"],
        "a secret named karmada/karmada/kubeconfig exists, but the app's cluster stack does not"
    );
    assert!(secret["fix"]
        .as_str()
        .unwrap()
        .contains("aws secretsmanager delete-secret --secret-id karmada/karmada/kubeconfig"));
}

/// A stack of the app left in a region the assembly no longer uses (a member region dropped from the config):
/// the regions parameter names the region, doctor finds the stack by its `karmada-eks:app` tag and warns with the
/// command that removes it; the assembly's own regions are not reported.
#[test]
fn a_stack_left_in_a_dropped_region_is_found_by_its_tag() {
    let moto = Moto::start();
    let account = Account::new(&moto);
    account.healthy();
    let script = format!(
        "ssm = boto3.client('ssm', region_name='{APP_REGION}', endpoint_url='{endpoint}', \
         aws_access_key_id='testing', aws_secret_access_key='testing')\n\
         ssm.put_parameter(Name='/karmada/karmada-eks/regions', Type='String', \
         Value='{APP_REGION},{MEMBER_REGION},ap-southeast-2')\n\
         for region, name, app in [('ap-southeast-2', 'karmada-member-access-ap-southeast-2', 'karmada'), \
         ('ap-southeast-2', 'other-team', 'someone-else')]:\n\
         \x20   cfn = boto3.client('cloudformation', region_name=region, endpoint_url='{endpoint}', \
         aws_access_key_id='testing', aws_secret_access_key='testing')\n\
         \x20   body = json.dumps({{'Resources': {{'Handle': {{'Type': 'AWS::CloudFormation::WaitConditionHandle'}}}}}})\n\
         \x20   cfn.create_stack(StackName=name, TemplateBody=body, Tags=[{{'Key': 'karmada-eks:app', 'Value': app}}])\n\
         print('ok')",
        endpoint = moto.endpoint
    );
    assert_eq!(moto.boto3(APP_REGION, &script), "ok");

    let (out, report) = doctor_json(&moto, &[]);
    let reported: Vec<&Value> =
        report["checks"].as_array().unwrap().iter().filter(|c| c["check"] == "stacks-elsewhere").collect();
    assert_eq!(reported.len(), 1, "only the dropped region is reported: {reported:#?}");
    let left = reported[0];
    assert_eq!(left["region"], "ap-southeast-2");
    assert_eq!(left["result"], "warn", "{left:#}");
    assert_eq!(
        left["found"],
        "stacks of app karmada outside the assembly's regions: karmada-member-access-ap-southeast-2"
    );
    assert!(
        left["fix"].as_str().unwrap().contains(
            "`aws cloudformation delete-stack --stack-name karmada-member-access-ap-southeast-2 --region ap-southeast-2`"
        ),
        "{left:#}"
    );
    assert_eq!(out.status.code(), Some(0), "a warning does not fail doctor: {report:#}");
}

/// EKS's answer on the parent's version (the emulator's DescribeClusterVersions, tests/support/moto_cfn.py) and the
/// step from the version the app's parent runs: one minor up passes, two fail with the steps, extended support
/// warns, an unsupported version fails.
#[test]
fn the_parent_version_is_judged_by_eks_and_upgrades_one_minor_at_a_time() {
    let moto = Moto::start();
    let account = Account::new(&moto);
    account.healthy();
    account.parent("1.33");
    let config = moto.home.path().join("karmada-eks.toml");
    let with_version = |v: &str| {
        std::fs::write(&config, format!("[parent]\nkubernetes_version = \"{v}\"\n")).unwrap();
        doctor_json(&moto, &[]).1
    };
    let report = with_version("1.34");
    let step = finding(&report, "eks-upgrade", Some("karmada-parent"));
    assert_eq!(step["result"], "ok", "{step}");
    assert!(step["found"].as_str().unwrap().contains("from 1.33 to 1.34"), "{step}");
    assert_eq!(
        finding(&report, "eks-version", None)["found"],
        "Kubernetes 1.34 is in standard support until 2026-12-02"
    );

    let report = with_version("1.35");
    let step = finding(&report, "eks-upgrade", Some("karmada-parent"));
    assert_eq!(step["result"], "fail", "{step}");
    assert_eq!(
        step["fix"],
        "set parent.kubernetes_version to \"1.34\", then \"1.35\" in turn, one deploy each, and check `karmada-eks status` between"
    );

    let report = with_version("1.33");
    assert_eq!(finding(&report, "eks-upgrade", Some("karmada-parent"))["result"], "ok");
    let offer = finding(&report, "eks-version", None);
    assert_eq!(offer["result"], "warn", "{offer}");
    assert!(offer["found"].as_str().unwrap().contains("extended support until 2027-07-29"), "{offer}");
}

/// `--profile` wins over keys in the environment, as the AWS CLI's precedence has it: with AWS_ACCESS_KEY_ID set
/// (the harness always sets the emulator's), `--profile other` is the identity of the profile's keys.
#[test]
fn a_profile_on_the_command_line_wins_over_keys_in_the_environment() {
    let moto = Moto::start();
    let other = moto.iam_user("other", &[]);
    std::fs::write(
        moto.home.path().join("no-aws-config"),
        format!(
            "[profile other]\naws_access_key_id = {}\naws_secret_access_key = {}\n",
            other.access_key, other.secret
        ),
    )
    .unwrap();
    let identity = |args: &[&str]| {
        let (_, report) = doctor_json(&moto, args);
        finding(&report, "account", None)["found"].as_str().unwrap().to_string()
    };
    let env = identity(&[]);
    assert!(!env.contains("user/other"), "{env}");
    let chosen = identity(&["--profile", "other"]);
    assert!(chosen.starts_with("arn:aws:iam::123456789012:user/other"), "{chosen}");
}

/// On a terminal (a pseudo-terminal from util-linux's `script`) doctor colours its results; `NO_COLOR` set to
/// anything but the empty string turns that off (no-color.org), as does `--no-color`, and a pipe never has colour.
#[test]
fn on_a_terminal_doctor_colours_its_results_and_no_color_turns_that_off() {
    let moto = Moto::start();
    Account::new(&moto).healthy();
    let on_tty_with = |no_color: Option<&str>, flags: &str| {
        let mut cmd = std::process::Command::new("script");
        cmd.args(["-qec", &format!("{} doctor{flags}", env!("CARGO_BIN_EXE_karmada-eks")), "/dev/null"])
            .current_dir(moto.home.path());
        moto.aws_env(&mut cmd);
        if let Some(v) = no_color {
            cmd.env("NO_COLOR", v);
        }
        String::from_utf8_lossy(&cmd.output().expect("script runs").stdout).into_owned()
    };
    let on_tty = |no_color: Option<&str>| on_tty_with(no_color, "");
    let coloured = on_tty(None);
    assert!(coloured.contains("CHECK") && coloured.contains("\x1b[32m"), "{coloured:?}");
    let plain = on_tty(Some("1"));
    assert!(plain.contains("CHECK") && !plain.contains("\x1b["), "{plain:?}");
    assert!(on_tty(Some("")).contains("\x1b[32m"), "an empty NO_COLOR is as if unset");
    let flagged = on_tty_with(None, " --no-color");
    assert!(flagged.contains("CHECK") && !flagged.contains("\x1b["), "--no-color as NO_COLOR: {flagged:?}");
    let piped = String::from_utf8_lossy(&moto.karmada_eks(&["doctor"]).stdout).into_owned();
    assert!(!piped.contains("\x1b["), "{piped:?}");
}

/// A role profile whose source credentials come from a `credential_process` that counts its runs: every client
/// of the command (CloudFormation, EKS, SSM, STS, Service Quotas and the EC2 Query client, in every region)
/// draws from one cache, so the whole of `doctor` resolves the source once and assumes the role once.
#[test]
fn a_role_profile_is_assumed_once_per_command() {
    let moto = Moto::start();
    Account::new(&moto).healthy();
    let home = moto.home.path();
    let runs = home.join("credential-process-runs");
    let script = home.join("credentials.sh");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\necho run >>{}\nprintf '{{\"Version\": 1, \"AccessKeyId\": \"testing\", \"SecretAccessKey\": \"testing\"}}'\n",
            runs.display()
        ),
    )
    .unwrap();
    std::process::Command::new("chmod").arg("+x").arg(&script).status().unwrap();
    std::fs::write(
        home.join("no-aws-config"),
        format!(
            "[profile source]\ncredential_process = {}\n\n[profile deployer]\nrole_arn = arn:aws:iam::123456789012:role/deployer\nsource_profile = source\n",
            script.display()
        ),
    )
    .unwrap();
    let (_, report) = doctor_json(&moto, &["--profile", "deployer"]);
    let account = finding(&report, "account", None);
    assert!(account["found"].as_str().unwrap().contains("assumed-role/deployer"), "{account}");
    assert!(report["checks"].as_array().unwrap().len() > 10, "the whole of doctor ran: {report:#}");
    let runs = std::fs::read_to_string(&runs).unwrap();
    assert_eq!(runs.lines().count(), 1, "the source credentials were resolved once, so the role assumed once");
}

/// An endpoint that answers EC2's calls with a plain-text 403 (a proxy, a wrong AWS_ENDPOINT_URL_EC2): each call
/// is made once, not retried as a transient error, and the checks say to look at the endpoint, not at IAM.
#[test]
fn a_plain_text_403_from_the_ec2_endpoint_is_not_retried_and_points_at_the_endpoint() {
    let moto = Moto::start();
    Account::new(&moto).healthy();
    let text = vec![("Content-Type".to_string(), "text/plain".to_string())];
    let (endpoint, seen) = http_stand_in::stand_in(vec![(403, text, "Access denied by proxy.\n".into())]);
    let mut cmd = moto.command(&["doctor", "--json"]);
    let out = cmd.env("AWS_ENDPOINT_URL_EC2", &endpoint).output().unwrap();
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let zones = finding(&report, "zones", None);
    assert_eq!(zones["result"], "warn", "{zones}");
    let found = zones["found"].as_str().unwrap();
    assert!(found.contains(&format!("{endpoint} answered HTTP 403 with no AWS error document")), "{found}");
    assert!(zones["fix"].as_str().unwrap().contains("endpoint configuration"), "{zones}");
    assert!(!zones["fix"].as_str().unwrap().contains("allow the read-only call"), "{zones}");
    let ec2_calls =
        report["checks"].as_array().unwrap().iter().filter(|c| {
            c["found"].as_str().is_some_and(|f| f.contains("answered HTTP 403 with no AWS error document"))
        });
    let failed_checks = ec2_calls.count();
    let hits = seen.lock().unwrap().len();
    assert!(failed_checks > 0 && hits <= failed_checks * 2, "{hits} requests for {failed_checks} checks: none retried");
}
