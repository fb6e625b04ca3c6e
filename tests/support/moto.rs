//! A moto server (moto[server] in `target/venv`, installed by `bin/setup-tools`, started through
//! `moto_server.py` beside this file, which patches moto with what the app needs: see its docstring and those of
//! `moto_cfn.py` and `moto_host.py`) on 127.0.0.1 at a free port,
//! started by the test and killed when dropped; and the `karmada-eks` binary pointed at it with fake
//! credentials and an empty HOME, so no real profile or instance role is read.

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
    /// HOME and working directory of the commands run against this server.
    pub home: tempfile::TempDir,
}

impl Moto {
    /// Starts moto; fails the test (never skips it) when moto is not installed.
    pub fn start() -> Moto {
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
        let child = Command::new(&server)
            .arg(&launcher)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdout(Stdio::null())
            .stderr(log_file)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e} (run `bin/setup-tools`)", server.display()));
        let moto = Moto { child, endpoint: format!("http://127.0.0.1:{port}"), log, home };
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
        let home = self.home.path();
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_karmada-eks"));
        cmd.args(args)
            .current_dir(home)
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("HOME", home)
            .env("AWS_CONFIG_FILE", home.join("no-aws-config"))
            .env("AWS_SHARED_CREDENTIALS_FILE", home.join("no-aws-credentials"))
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env("AWS_ENDPOINT_URL", &self.endpoint)
            .env("AWS_ACCESS_KEY_ID", "testing")
            .env("AWS_SECRET_ACCESS_KEY", "testing")
            .env("AWS_REGION", "us-east-1")
            .env("KARMADA_EKS_POLL_MS", "50");
        cmd
    }

    /// SDK configuration for the test's own checks against this server (plain HTTP: the SDK crates are built
    /// without a default client).
    pub async fn sdk_config(&self, region: &str) -> aws_config::SdkConfig {
        aws_config::defaults(aws_config::BehaviorVersion::latest())
            .http_client(aws_smithy_http_client::Builder::new().build_http())
            .endpoint_url(&self.endpoint)
            .region(aws_config::Region::new(region.to_string()))
            .credentials_provider(aws_sdk_cloudformation::config::Credentials::new(
                "testing", "testing", None, None, "moto",
            ))
            .load()
            .await
    }
}

impl Moto {
    /// Runs `script` with boto3 from the test venv, `ec2` bound to an EC2 client of `region` on this server, and
    /// returns its stdout trimmed: the tests check the emulator through a client that is not the one under test.
    pub fn boto3(&self, region: &str, script: &str) -> String {
        let python = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/venv/bin/python");
        let prelude = format!(
            "import boto3, json\nec2 = boto3.client('ec2', region_name='{region}', endpoint_url='{}', \
             aws_access_key_id='testing', aws_secret_access_key='testing')\n",
            self.endpoint
        );
        let out = Command::new(python).arg("-c").arg(prelude + script).output().expect("python runs");
        assert!(out.status.success(), "boto3 script failed: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
