//! No credential, token or kubeconfig content reaches a template, the manifest, `--json` output, the summary or
//! an error message: the commands that need no AWS access run with known fake secrets in the environment, in
//! `~/.aws`, in `~/.kube/config` and in the config file, and every byte they print or write is searched for them.
//! (The bootstrap log and the deployer's output are covered by their own harnesses.)

use crate::support::common;

use std::path::Path;
use std::process::{Command, Output};

const ACCESS_KEY: &str = "AKIAFAKE7EXAMPLE0042";
const SECRET_KEY: &str = "fAkE/SeCrEt+KeY/0123456789abcdefFAKEKEY0";
const SESSION_TOKEN: &str = "FwoGZXIvYXdzFAKESESSIONTOKENzZXNzaW9uLXRva2Vu";
const KUBE_TOKEN: &str = "eyJhbGciOiJSUzI1NiJ9.FAKEKUBETOKEN.c2lnbmF0dXJl";
const CLIENT_KEY: &str = "LS0tLS1CRUdJTiBGQUtFIFBSSVZBVEUgS0VZLS0tLS0K";
const CONFIG_TOKEN: &str = "ghp_FAKEgithubTOKEN0123456789abcdefghij";

const SECRETS: [&str; 6] = [ACCESS_KEY, SECRET_KEY, SESSION_TOKEN, KUBE_TOKEN, CLIENT_KEY, CONFIG_TOKEN];

/// Text that never belongs in anything synth writes or prints, whatever the values.
const FORBIDDEN: [&str; 6] =
    ["-----BEGIN", "PRIVATE KEY", "client-key-data", "client-certificate-data", "aws_secret_access_key", "AKIA"];

struct Env {
    _home: tempfile::TempDir,
    home: std::path::PathBuf,
    work: tempfile::TempDir,
}

fn setup() -> Env {
    let home = tempfile::tempdir().unwrap();
    let h = home.path().to_path_buf();
    std::fs::create_dir_all(h.join(".aws")).unwrap();
    std::fs::create_dir_all(h.join(".kube")).unwrap();
    std::fs::write(
        h.join(".aws/credentials"),
        format!("[default]\naws_access_key_id = {ACCESS_KEY}\naws_secret_access_key = {SECRET_KEY}\n"),
    )
    .unwrap();
    std::fs::write(h.join(".aws/config"), "[default]\nregion = us-east-1\n").unwrap();
    std::fs::write(
        h.join(".kube/config"),
        format!(
            "apiVersion: v1\nkind: Config\nusers:\n- name: admin\n  user:\n    token: {KUBE_TOKEN}\n    \
             client-key-data: {CLIENT_KEY}\n"
        ),
    )
    .unwrap();
    Env { home: h, _home: home, work: tempfile::tempdir().unwrap() }
}

fn run(env: &Env, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_karmada-eks"))
        .args(args)
        .current_dir(env.work.path())
        .env_remove("KARMADA_EKS_CONFIG")
        .env("HOME", &env.home)
        .env("AWS_ACCESS_KEY_ID", ACCESS_KEY)
        .env("AWS_SECRET_ACCESS_KEY", SECRET_KEY)
        .env("AWS_SESSION_TOKEN", SESSION_TOKEN)
        .env("KUBECONFIG", env.home.join(".kube/config"))
        .env("GITHUB_TOKEN", CONFIG_TOKEN)
        .output()
        .expect("the binary runs")
}

fn assert_no_secret(what: &str, text: &str) {
    for secret in SECRETS {
        assert!(!text.contains(secret), "{what} contains the secret {secret:?}:\n{text}");
    }
}

fn assert_clean(what: &str, text: &str) {
    assert_no_secret(what, text);
    for marker in FORBIDDEN {
        assert!(!text.contains(marker), "{what} contains {marker:?}:\n{text}");
    }
}

fn assert_output_clean(what: &str, o: &Output) {
    assert_clean(&format!("{what} stdout"), &String::from_utf8_lossy(&o.stdout));
    assert_clean(&format!("{what} stderr"), &String::from_utf8_lossy(&o.stderr));
}

fn assert_dir_clean(dir: &Path) {
    let mut files = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        assert_clean(&path.display().to_string(), &std::fs::read_to_string(&path).unwrap());
        files += 1;
    }
    assert!(files >= 5, "{}", dir.display());
}

#[test]
fn nothing_synth_list_plan_or_init_prints_or_writes_holds_a_secret() {
    let env = setup();
    for config in common::configs() {
        let config = config.1.to_string_lossy().into_owned();
        let o = run(&env, &["--config", &config, "synth", "-o", "cdk.out"]);
        assert!(o.status.success(), "{}", common::stderr(&o));
        assert_output_clean("synth", &o);
        assert_dir_clean(&env.work.path().join("cdk.out"));

        let stacks: Vec<String> = common::templates(&env.work.path().join("cdk.out"))
            .iter()
            .map(|p| p.file_name().unwrap().to_string_lossy().trim_end_matches(".template.json").to_string())
            .collect();
        let mut args = vec!["--config", &config, "synth", "--json", "-o", "cdk.json.out"];
        args.extend(stacks.iter().map(String::as_str));
        let o = run(&env, &args);
        assert!(o.status.success(), "{}", common::stderr(&o));
        assert!(o.stdout.len() > 10_000, "the templates are printed too");
        assert_output_clean("synth --json", &o);

        for args in [&["list", "--json"][..], &["plan"], &["plan", "--json"]] {
            let mut all = vec!["--config", config.as_str()];
            all.extend_from_slice(args);
            let o = run(&env, &all);
            assert_output_clean(&args.join(" "), &o);
        }
    }
    let o = run(&env, &["init", "starter.toml"]);
    assert!(o.status.success(), "{}", common::stderr(&o));
    assert_output_clean("init", &o);
    assert_clean("starter.toml", &std::fs::read_to_string(env.work.path().join("starter.toml")).unwrap());
}

#[test]
fn config_errors_name_the_field_but_never_echo_a_secret_value() {
    let env = setup();
    let cases = [
        format!("aws_secret_access_key = \"{SECRET_KEY}\"\n"),
        format!("[parent]\ntoken = \"{CONFIG_TOKEN}\"\n"),
        format!("[[members]]\nname = \"a\"\nkubeconfig = \"{KUBE_TOKEN}\"\n"),
        format!("app = \"x\"\ntoken = \"{CONFIG_TOKEN}\" trailing\n"),
        format!("token = \"{CONFIG_TOKEN}\n"),
    ];
    for (i, text) in cases.iter().enumerate() {
        let file = env.work.path().join(format!("bad{i}.toml"));
        std::fs::write(&file, text).unwrap();
        for command in [&["synth", "-o", "never"][..], &["plan"], &["list"]] {
            let mut args = vec!["--config", file.to_str().unwrap()];
            args.extend_from_slice(command);
            let o = run(&env, &args);
            assert_eq!(o.status.code(), Some(2), "{text}: {}", common::stderr(&o));
            assert!(common::stderr(&o).starts_with("error: invalid config"), "{}", common::stderr(&o));
            assert_no_secret(&format!("{command:?} on {text:?}"), &common::stdout(&o));
            assert_no_secret(&format!("{command:?} on {text:?}"), &common::stderr(&o));
        }
        assert!(!env.work.path().join("never").exists());
    }
}

#[test]
fn no_template_of_any_config_carries_key_material() {
    let dir = tempfile::tempdir().unwrap();
    for (name, config) in common::configs() {
        let work = dir.path().join(&name);
        std::fs::create_dir_all(&work).unwrap();
        let out = common::synth(&config, &work);
        for file in common::templates(&out) {
            let text = std::fs::read_to_string(&file).unwrap();
            assert_clean(&file.display().to_string(), &text);
            let template: serde_json::Value = serde_json::from_str(&text).unwrap();
            for (name, p) in template["Parameters"].as_object().into_iter().flatten() {
                let default = p["Default"].as_str().unwrap_or_default();
                assert!(
                    default.is_empty() || default.starts_with("/aws/service/"),
                    "{}: parameter {name} has a literal default {default:?}",
                    file.display()
                );
            }
        }
    }
}
