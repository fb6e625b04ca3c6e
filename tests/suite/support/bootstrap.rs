//! Shared by the bootstrap tests: rendering with a fixed context, `Fn::Sub` as CloudFormation applies it, the
//! test tools, and the harness that runs the rendered script under bash with stand-ins for the outside tools.
#![allow(dead_code)]

use std::path::PathBuf;
use std::process::{Command, Output};

use constructs::karmada::config::{JoinMode, MemberConfig};
use constructs::karmada::host::bootstrap::{self, BootstrapContext, RenderedBootstrap};
use constructs::karmada::host::desired_state::{self, DesiredState};
use constructs::karmada::wellknown;
use constructs::karmada::Config;

pub const STACK: &str = "karmada-management";
pub const CLUSTER_STACK: &str = "karmada-cluster";
pub const INSTANCE: &str = "ManagementHostInstance5c1d2e3f";
pub const KUBECONFIG_SECRET: &str = "karmada/karmada/kubeconfig";

pub const NLB_DNS: &str = "karmada-api-4f1c2d3e5a6b7c8d.elb.us-east-1.amazonaws.com";
pub const NLB_IPS: &str = "198.51.100.10,198.51.100.11,198.51.100.12";
pub const TARGET_GROUP: &str =
    "arn:aws:elasticloadbalancing:us-east-1:111122223333:targetgroup/karmada-api/0123456789abcdef";
pub const NODEGROUP: &str = "karmada-parent-nodes";

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn render(config: &Config) -> RenderedBootstrap {
    bootstrap::render(&BootstrapContext {
        config,
        management_stack: STACK,
        cluster_stack: CLUSTER_STACK,
        instance_logical_id: INSTANCE,
    })
    .expect("the bootstrap script renders")
}

pub fn desired(config: &Config) -> DesiredState {
    desired_state::render(config).expect("the desired state renders")
}

/// The files of a desired-state bundle, (name, text), in order.
pub fn bundle_files(d: &DesiredState) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for line in d.bundle.split_inclusive('\n') {
        match line.strip_prefix(constructs::karmada::host::shell::FILE_MARKER) {
            Some(name) => out.push((name.trim_end().to_string(), String::new())),
            None => out.last_mut().expect("a file marker first").1.push_str(line),
        }
    }
    out
}

/// The deploy-time values of the test stack (`nlb_ips` empty: an internal NLB).
pub fn values(nlb_ips: &str) -> Vec<(&'static str, String)> {
    vec![
        ("NlbDnsName", NLB_DNS.into()),
        ("NlbAddresses", nlb_ips.into()),
        ("AWS::Region", "us-east-1".into()),
        ("AWS::StackName", STACK.into()),
    ]
}

/// What `Fn::Sub` makes of `script`: `${Name}` replaced by its value, `${!Literal}` written `${Literal}`.
/// A `${...}` without a value is left as is, for the callers to detect.
pub fn substitute(script: &str, values: &[(&str, String)]) -> String {
    let mut out = String::with_capacity(script.len());
    let mut rest = script;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        if let Some(literal) = after.strip_prefix('!') {
            out.push_str("${");
            rest = literal;
            continue;
        }
        match after.find('}').map(|end| (&after[..end], &after[end + 1..])) {
            Some((name, tail)) => match values.iter().find(|(n, _)| *n == name) {
                Some((_, value)) => {
                    out.push_str(value);
                    rest = tail;
                }
                None => {
                    out.push_str("${");
                    rest = after;
                }
            },
            None => {
                out.push_str("${");
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// The names in `${...}` that `Fn::Sub` substitutes (everything but `${!...}`).
pub fn substitutions(script: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut rest = script;
    while let Some(start) = rest.find("${") {
        let after = &rest[start + 2..];
        if !after.starts_with('!') {
            names.push(after.split('}').next().unwrap_or_default().to_string());
        }
        rest = after;
    }
    names
}

/// `n` members with realistic names over three regions, every third one in pull mode.
pub fn members(n: usize) -> Vec<MemberConfig> {
    let regions = ["eu-central-1", "us-east-1", "ap-southeast-2"];
    (0..n)
        .map(|i| {
            let mut m = MemberConfig::new(&format!("eks-{}-cl{:02}", &regions[i % 3][..2], i), regions[i % 3], 1);
            m.weight = (i % 4) as u32;
            if i % 3 == 2 {
                m.mode = JoinMode::Pull;
            }
            m
        })
        .collect()
}

/// A tool on PATH; missing: fails naming the script that installs it.
pub fn system_tool(name: &str) -> PathBuf {
    let found = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).map(|d| d.join(name)).find(|p| p.is_file()))
        .unwrap_or_default();
    found.unwrap_or_else(|| {
        panic!("{name} is not installed: run bin/setup-tools (bin/test does) to install the test tools")
    })
}

/// A tool of the project's Python venv (`target/venv`, made by bin/setup-tools).
pub fn venv_tool(name: &str) -> PathBuf {
    let path = root().join("target/venv/bin").join(name);
    assert!(
        path.exists(),
        "{} is missing: run bin/setup-tools (bin/test does) to install the test tools",
        path.display()
    );
    path
}

/// Runs shellcheck on `text` (as a bash script) and returns its findings; empty when clean.
pub fn shellcheck(text: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("script.sh");
    std::fs::write(&file, text).unwrap();
    let o = Command::new(system_tool("shellcheck"))
        .args(["--shell=bash", "--severity=style", "--format=gcc"])
        .arg(&file)
        .output()
        .expect("shellcheck runs");
    let findings = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(o.status.success() || !findings.is_empty(), "shellcheck failed: {}", String::from_utf8_lossy(&o.stderr));
    findings
}

/// A management host in a temporary directory: `root/` stands for `/`, `state/` is what the stand-ins remember,
/// `calls` lists every call made to a stand-in.
pub struct Harness {
    dir: tempfile::TempDir,
}

impl Harness {
    pub fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        for sub in ["root", "state/ssm", "home", "tmp"] {
            std::fs::create_dir_all(dir.path().join(sub)).unwrap();
        }
        Harness { dir }
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    /// Stores an SSM parameter as the stack would have created it.
    pub fn put_parameter(&self, name: &str, value: &str) {
        std::fs::write(self.path("state/ssm").join(name.replace('/', "_")), value).unwrap();
    }

    pub fn parameter(&self, name: &str) -> Option<String> {
        std::fs::read_to_string(self.path("state/ssm").join(name.replace('/', "_"))).ok()
    }

    /// Runs the script after `Fn::Sub` with the test values, with the stand-ins first on PATH and `env` added.
    /// The desired state is in SSM before the host boots (the management stack depends on it): the default
    /// config's, unless the test published one.
    pub fn run(&self, rendered: &RenderedBootstrap, env: &[(&str, &str)]) -> Output {
        if self.parameter(&wellknown::desired_state_parameter("karmada")).is_none() {
            self.publish(&desired(&Config::default()));
        }
        let script = substitute(&rendered.script, &values(NLB_IPS));
        let file = self.path("user-data.sh");
        std::fs::write(&file, script).unwrap();
        self.command("bash", env).arg(&file).output().expect("bash runs")
    }

    /// Stores the desired state in the fake SSM as its stacks would (the applied state is the host's to create).
    pub fn publish(&self, d: &DesiredState) {
        self.put_parameter(&wellknown::desired_state_parameter("karmada"), &d.head);
        for (i, chunk) in d.chunks.iter().enumerate() {
            self.put_parameter(&wellknown::desired_state_chunk("karmada", i), chunk);
        }
    }

    /// Runs the installed `karmada-eks-reconcile` with `args`.
    pub fn reconcile(&self, args: &[&str], env: &[(&str, &str)]) -> Output {
        let fetcher = self.path("root/usr/local/bin/karmada-eks-reconcile");
        assert!(fetcher.exists(), "the bootstrap did not install {}", fetcher.display());
        self.command("bash", env).arg(fetcher).args(args).output().expect("bash runs")
    }

    /// A command with a clean environment: the stand-ins first on PATH, the host's `/` at `root/`.
    pub fn command(&self, program: &str, env: &[(&str, &str)]) -> Command {
        let fakes = root().join("tests/data/bootstrap-fakes");
        let pins: Vec<String> = (28..=35)
            .map(|m| constructs::karmada::pins::kubectl_release(&format!("1.{m}")))
            .map(|k| format!("{}={}", k.version, k.sha256_amd64.unwrap_or_default()))
            .collect();
        let mut cmd = Command::new(program);
        cmd.env_clear()
            .env("PATH", format!("{}:/usr/bin:/bin", fakes.display()))
            .env("HOME", self.path("home"))
            .env("TMPDIR", self.path("tmp"))
            .env("KARMADA_EKS_ROOT", self.path("root"))
            .env("KARMADA_EKS_POLL_SECONDS", "0.05")
            .env("FAKE_STATE", self.path("state"))
            .env("FAKE_CALLS", self.path("calls"))
            .env("FAKE_TARGET_GROUP", TARGET_GROUP)
            .env("FAKE_NLB_DNS", NLB_DNS)
            .env("FAKE_NLB_IPS", NLB_IPS)
            .env("FAKE_KUBECTL_SHA256S", pins.join(" "));
        for (k, v) in env {
            cmd.env(k, v);
        }
        cmd
    }

    /// The reconcile log of the host.
    pub fn reconcile_log(&self) -> String {
        std::fs::read_to_string(self.path(&format!("root{}", wellknown::HOST_RECONCILE_LOG))).unwrap_or_default()
    }

    /// Number of calls so far: what a later `calls_since` starts from.
    pub fn mark(&self) -> usize {
        self.calls().len()
    }

    pub fn calls_since(&self, mark: usize) -> Vec<String> {
        self.calls().split_off(mark)
    }

    /// The calls made so far, with the temporary paths written `<root>` (the host's `/`) and `<tmp>`.
    pub fn calls(&self) -> Vec<String> {
        let text = std::fs::read_to_string(self.path("calls")).unwrap_or_default();
        text.lines().map(|l| self.normalize(l)).collect()
    }

    /// The bootstrap log of the host.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.path("root/var/log/karmada-eks-bootstrap.log")).unwrap_or_default()
    }

    pub fn normalize(&self, text: &str) -> String {
        let root = self.path("root").display().to_string();
        let tmp = self.path("tmp").display().to_string();
        let text = text.replace(&root, "<root>");
        // mktemp -d names: <tmp>/tmp.XXXXXXXXXX
        let mut out = String::new();
        let mut rest = text.as_str();
        let needle = format!("{tmp}/tmp.");
        while let Some(i) = rest.find(&needle) {
            out.push_str(&rest[..i]);
            out.push_str("<dl>");
            let after = &rest[i + needle.len()..];
            let end = after.find(['/', ' ']).unwrap_or(after.len());
            rest = &after[end..];
        }
        out.push_str(rest);
        out.replace(&tmp, "<tmp>")
    }
}

pub fn stdout_stderr(o: &Output) -> String {
    format!(
        "status {:?}\nstdout:\n{}\nstderr:\n{}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}
