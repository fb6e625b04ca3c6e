//! A moto server (moto[server] in `target/venv`, installed by `bin/setup-tools`, started through
//! `moto_server.py` beside this file, which patches moto with what the app needs: see its docstring and those of
//! `moto_cfn.py` and `moto_host.py`) on 127.0.0.1 at a free port,
//! started by the test and killed when dropped; and the `karmada-eks` binary pointed at it with fake
//! credentials and an empty HOME, so no real profile or instance role is read.
//! `Moto::start_with_iam()` enforces IAM (tests/support/moto_iam.py): the commands then sign as an administrator
//! user, and `iam_user` / `command_as` run them as a principal holding a given policy.

use std::io::Read;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

/// A running moto server.
pub struct Moto {
    child: Child,
    pub endpoint: String,
    log: PathBuf,
    /// With IAM enforced: the file moto_iam.py logs its decisions to.
    iam_log: Option<PathBuf>,
    /// HOME and working directory of the commands run against this server.
    pub home: tempfile::TempDir,
    /// The access key and secret the commands and the test's own clients sign with: moto's default `testing`,
    /// or with IAM enforced ([`Moto::start_with_iam`]) the keys of an administrator user.
    pub keys: (String, String),
}

/// The keys of an IAM user or an assumed role: access key, secret, session token.
#[derive(Clone, Debug)]
pub struct Keys {
    pub access_key: String,
    pub secret: String,
    pub token: Option<String>,
}

impl Moto {
    /// Starts moto; fails the test (never skips it) when moto is not installed.
    pub fn start() -> Moto {
        Moto::launch(false)
    }

    /// Starts moto with IAM enforced (`tests/support/moto_iam.py`): after an administrator user `admin` (allowed
    /// everything) is created, every request must be signed by an IAM user or an assumed role and is authorized
    /// against its policies as AWS would. The commands and the test's own clients then sign as `admin`; use
    /// [`Moto::iam_user`] and [`Moto::command_as`] for a principal with a given policy. Each decision is logged
    /// ([`Moto::iam_decisions`]).
    pub fn start_with_iam() -> Moto {
        let mut moto = Moto::launch(true);
        let admin = moto.python(
            "import requests\n\
             iam = client('iam')\n\
             iam.create_user(UserName='admin')\n\
             iam.put_user_policy(UserName='admin', PolicyName='all', PolicyDocument=json.dumps({'Version': \
             '2012-10-17', 'Statement': [{'Effect': 'Allow', 'Action': '*', 'Resource': '*'}]}))\n\
             key = iam.create_access_key(UserName='admin')['AccessKey']\n\
             r = requests.post(endpoint + '/moto-api/reset-auth', data=b'0')\n\
             assert r.ok, r.text\n\
             print(key['AccessKeyId'], key['SecretAccessKey'])",
        );
        let (id, secret) = admin.split_once(' ').expect("admin keys");
        moto.keys = (id.to_string(), secret.to_string());
        moto
    }

    fn launch(iam: bool) -> Moto {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let server = root.join("target/venv/bin/python");
        let launcher = root.join("tests/support/moto_server.py");
        assert!(
            server.exists(),
            "{} is missing: run `bin/setup-tools` to install moto[server] into target/venv",
            server.display()
        );
        let port = TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("a free port").port();
        let home = tempfile::tempdir().expect("temporary HOME");
        let log = home.path().join("moto.log");
        let log_file = std::fs::File::create(&log).expect("moto log file");
        let iam_log = iam.then(|| home.path().join("iam-decisions.jsonl"));
        let env: Vec<(&str, &std::ffi::OsStr)> = match &iam_log {
            Some(path) => vec![("KARMADA_EKS_MOTO_IAM", "1".as_ref()), ("KARMADA_EKS_MOTO_IAM_LOG", path.as_os_str())],
            None => vec![],
        };
        let child = Command::new(&server)
            .arg(&launcher)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .envs(env)
            .stdout(Stdio::null())
            .stderr(log_file)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e} (run `bin/setup-tools`)", server.display()));
        let keys = ("testing".to_string(), "testing".to_string());
        let moto = Moto { child, endpoint: format!("http://127.0.0.1:{port}"), log, home, keys, iam_log };
        let deadline = Instant::now() + Duration::from_secs(30);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "moto_server did not listen on port {port} within 30 s");
            std::thread::sleep(Duration::from_millis(100));
        }
        moto
    }

    /// How many HTTP requests the server has answered so far.
    pub fn requests(&self) -> usize {
        let mut text = String::new();
        if let Ok(mut f) = std::fs::File::open(&self.log) {
            let _ = f.read_to_string(&mut text);
        }
        text.lines().filter(|l| l.contains("\" 200 ") || l.contains("\" 400 ") || l.contains("\" 500 ")).count()
    }

    /// `karmada-eks ARGS` against this server, in the temporary HOME, with fast polling.
    pub fn karmada_eks(&self, args: &[&str]) -> Output {
        self.command(args).output().expect("run karmada-eks")
    }

    pub fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_karmada-eks"));
        cmd.args(args).current_dir(self.home.path());
        self.aws_env(&mut cmd).env("KARMADA_EKS_POLL_MS", "50");
        cmd
    }

    /// `cmd`'s environment cleared down to PATH and the standard SDK settings that point any AWS client (the
    /// SDK, the AWS CLI, the CDK CLI) at this server with the harness's credentials, in the temporary HOME.
    pub fn aws_env<'c>(&self, cmd: &'c mut Command) -> &'c mut Command {
        let home = self.home.path();
        cmd.env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("HOME", home)
            .env("AWS_CONFIG_FILE", home.join("no-aws-config"))
            .env("AWS_SHARED_CREDENTIALS_FILE", home.join("no-aws-credentials"))
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env("AWS_ENDPOINT_URL", &self.endpoint)
            .env("AWS_ACCESS_KEY_ID", &self.keys.0)
            .env("AWS_SECRET_ACCESS_KEY", &self.keys.1)
            .env("AWS_REGION", "us-east-1")
    }

    /// An EKS cluster `name` in `region`, made as its owner would (a member of the app, not the app's).
    pub fn member_cluster(&self, region: &str, name: &str) {
        self.boto3(
            region,
            &format!(
                "vpc = ec2.create_vpc(CidrBlock='10.9.0.0/16')['Vpc']['VpcId']\n\
                 subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock=f'10.9.{{i}}.0/24')['Subnet']['SubnetId'] \
                 for i in (0, 1)]\n\
                 boto3.client('eks', region_name='{region}', endpoint_url=ec2.meta.endpoint_url, aws_access_key_id='t', \
                 aws_secret_access_key='t').create_cluster(name='{name}', roleArn='arn:aws:iam::123456789012:role/eks', \
                 resourcesVpcConfig={{'subnetIds': subnets}})"
            ),
        );
    }

    /// SDK configuration for the test's own checks against this server (plain HTTP: the SDK crates are built
    /// without a default client).
    pub async fn sdk_config(&self, region: &str) -> aws_config::SdkConfig {
        aws_config::defaults(aws_config::BehaviorVersion::latest())
            .http_client(aws_smithy_http_client::Builder::new().build_http())
            .endpoint_url(&self.endpoint)
            .region(aws_config::Region::new(region.to_string()))
            .credentials_provider(aws_sdk_cloudformation::config::Credentials::new(
                &self.keys.0,
                &self.keys.1,
                None,
                None,
                "moto",
            ))
            .load()
            .await
    }
}

impl Moto {
    /// Runs `script` with boto3 from the test venv, `ec2` bound to an EC2 client of `region` on this server, and
    /// returns its stdout trimmed: the tests check the emulator through a client that is not the one under test.
    pub fn boto3(&self, region: &str, script: &str) -> String {
        self.python_in(region, &format!("ec2 = client('ec2')\n{script}"))
    }

    /// Runs `script` with boto3 from the test venv in the app's region (us-east-1): `client(name)` makes a
    /// client of this server signed with [`Moto::keys`], `endpoint` is its URL, `json` is imported.
    pub fn python(&self, script: &str) -> String {
        self.python_in("us-east-1", script)
    }

    fn python_in(&self, region: &str, script: &str) -> String {
        let python = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/venv/bin/python");
        let prelude = format!(
            "import boto3, json\nendpoint = '{}'\nsession = boto3.Session(aws_access_key_id='{}', \
             aws_secret_access_key='{}', region_name='{region}')\n\
             def client(name, region=None):\n    return session.client(name, endpoint_url=endpoint, \
             region_name=region or '{region}')\n",
            self.endpoint, self.keys.0, self.keys.1
        );
        let out = Command::new(python).arg("-c").arg(prelude + script).output().expect("python runs");
        assert!(out.status.success(), "boto3 script failed: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    /// With IAM enforced: creates the IAM user `name` holding `policies` (name, document) inline as its only
    /// permissions, and returns its keys.
    pub fn iam_user(&self, name: &str, policies: &[(&str, &serde_json::Value)]) -> Keys {
        let out = self.python(&format!(
            "iam = client('iam')\niam.create_user(UserName='{name}')\n\
             key = iam.create_access_key(UserName='{name}')['AccessKey']\n\
             print(key['AccessKeyId'], key['SecretAccessKey'])"
        ));
        self.set_user_policies(name, policies);
        let (id, secret) = out.split_once(' ').expect("user keys");
        Keys { access_key: id.into(), secret: secret.into(), token: None }
    }

    /// With IAM enforced: makes `policies` the inline policies of the user `name`, replacing all it had.
    pub fn set_user_policies(&self, name: &str, policies: &[(&str, &serde_json::Value)]) {
        let docs: serde_json::Map<String, serde_json::Value> =
            policies.iter().map(|(n, d)| (n.to_string(), serde_json::Value::String(d.to_string()))).collect();
        self.python(&format!(
            "iam = client('iam')\n\
             for old in iam.list_user_policies(UserName='{name}')['PolicyNames']:\n\
             \x20   iam.delete_user_policy(UserName='{name}', PolicyName=old)\n\
             for policy, document in json.loads({docs}).items():\n\
             \x20   iam.put_user_policy(UserName='{name}', PolicyName=policy, PolicyDocument=document)",
            docs = serde_json::to_string(&serde_json::Value::Object(docs).to_string()).unwrap()
        ));
    }

    /// `karmada-eks ARGS` signed with `keys` instead of [`Moto::keys`].
    pub fn command_as(&self, keys: &Keys, args: &[&str]) -> Command {
        let mut cmd = self.command(args);
        cmd.env("AWS_ACCESS_KEY_ID", &keys.access_key).env("AWS_SECRET_ACCESS_KEY", &keys.secret);
        if let Some(token) = &keys.token {
            cmd.env("AWS_SESSION_TOKEN", token);
        }
        cmd
    }

    /// The authorization decisions moto_iam.py made so far, one JSON object each: `principal`, `action`,
    /// `resource`, `decision` (`allow`, `implicit-deny`, `explicit-deny`).
    pub fn iam_decisions(&self) -> Vec<serde_json::Value> {
        let path = self.iam_log.as_ref().expect("started with IAM");
        std::fs::read_to_string(path)
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str(l).expect("a JSON line"))
            .collect()
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Fails the test with the command's exit code and both outputs unless it succeeded.
pub fn assert_ok(out: &Output) {
    assert!(
        out.status.success(),
        "exit {:?}\nstdout:\n{}\nstderr:\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// An app of two stacks in us-east-1 (the desired state, and with `members` a member-access stack), written as
/// an assembly in `dir`: a whole app that moto deploys in seconds.
pub fn small_app(dir: &Path, members: &[&str]) {
    use constructs::cfn::ssm::CfnParameter;
    use constructs::core::{App, Environment};
    use constructs::karmada::wellknown::{Part, TAG_APP, TAG_PART};
    let mut app = App::new();
    let env = Environment::new(None, "us-east-1");
    let state = app.add_stack("karmada-desired-state", env.clone());
    state.tag(TAG_APP, "karmada");
    state.tag(TAG_PART, Part::DesiredState.as_str());
    let parameter = CfnParameter {
        name: Some("/karmada/karmada/desired-state".into()),
        r#type: "String".into(),
        value: "{}".into(),
        description: None,
        tier: None,
        tags: Default::default(),
    };
    state.scope().add("Head", parameter);
    if !members.is_empty() {
        let access = app.add_stack("karmada-member-access-us-east-1", env);
        access.tag(TAG_APP, "karmada");
        access.tag(TAG_PART, Part::MemberAccess.as_str());
        let mut s = access.scope();
        for m in members {
            let role = "arn:aws:iam::123456789012:role/karmada-management";
            constructs::eks::access_entry::add_cluster_admin(&mut s.child(m), "AccessEntry", (*m).into(), role.into());
        }
    }
    let _ = std::fs::remove_dir_all(dir);
    app.synth().unwrap().write(dir).unwrap();
}
