//! The desired state: everything that changes on day 2, as one bundle the management host reads at every
//! reconcile (docs/lifecycle.md). Nothing of it is in the user-data, so a change of members, weights or workload
//! leaves the management stack untouched.
//!
//! The bundle is a text of files, each introduced by a line `#@karmada-eks-file <name>`:
//! - `reconcile.sh`: the reconcile script (`templates/reconcile.sh.hbs`), run by `karmada-eks-reconcile`;
//! - `settings`: `CONCURRENCY`, `MEMBER_TIMEOUT`, `POLL` from the `[reconcile]` section, `BACKUP_SCHEDULE` and
//!   `BACKUP_PERIOD` (seconds) from `[backup]`, `CERT_VALIDITY_DAYS`, `RENEW_BEFORE_DAYS`, `ETCD_REPLICAS` and
//!   `COMPONENT_REPLICAS` (`<Deployment>=<n> ...`, see [`component_replicas`]) from `[karmada]`;
//! - `members`: `name region eks_name mode`, one member a line;
//! - `workload.yaml`: the sample Deployment and its PropagationPolicy (empty when the workload is disabled);
//! - `fetcher`: `karmada-eks-reconcile` of this release, which `apply` installs (see [`super::fetcher`]);
//! - `init-flags`: the `kubectl karmada init` flags the bootstrap reads (see [`bootstrap::init_flags`]);
//! - `tools`: the host's tools, which every `apply` keeps installed (see [`bootstrap::tool_lines`]).
//!
//! Synth stores it base64-encoded in chunks of at most [`CHUNK_LIMIT`] bytes (Standard-tier String parameters)
//! under `/<app>/karmada/desired-state/<i>`, with the head `/<app>/karmada/desired-state` =
//! `{"sha256":"<hex of the bundle>","chunks":N}`.

use serde_json::json;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

use super::error::ScriptError;
use super::init_flags::init_flags;
use super::manifests;
use super::shell::{shell_word, FILE_MARKER};
use super::templates::{self, Template};
use super::tools::{parent_kubectl, tool_lines};
use crate::karmada::config::budget::DOWNLOAD_SECONDS;
use crate::karmada::config::Config;
use crate::karmada::pins::{ETCD_TOOLS, KARMADA_KUBE_IMAGE_TAG, RESTORE_POD_IMAGE};
use crate::karmada::wellknown::{self, StackNames, BACKUP_BUCKET_OUTPUT};

/// Longest value of a Standard-tier SSM String parameter: the size of each chunk at most.
pub const CHUNK_LIMIT: usize = 4096;

/// Output SSM Run Command returns inline from `GetCommandInvocation` (`StandardOutputContent`), in characters;
/// the rest is only in the host's logs (`karmada-eks-reconcile log reconcile`).
pub const SSM_INLINE_OUTPUT_LIMIT: usize = 24_000;

/// Longest line `apply` prints per member: `<name, 48> <result, cut to REASON_CHARS>`.
pub const REASON_CHARS: usize = 100;
/// Failures `apply` details (the step, the reason and [`TAIL_LINES`] lines of the member's log); later ones are
/// counted and left to the log.
pub const FAILURES_SHOWN: usize = 5;
/// Log lines shown per detailed failure.
pub const TAIL_LINES: usize = 3;
/// Width detailed lines are cut to.
pub const LINE_CHARS: usize = 120;
/// `unjoin` and `unregister` wait this long for the member's cleanup (`--wait`).
pub const UNJOIN_WAIT: &str = "120s";
/// Longest a certificate renewal waits for each component to roll out (and then for the API), in seconds.
pub const ROLLOUT_SECONDS: u32 = 900;
/// Longest a reconcile waits for another one to release the lock, in seconds.
pub const LOCK_WAIT_SECONDS: u32 = 1800;

// With what a certificate renewal prints: a line per leaf renewed (5 of at most 300) and the new endpoint.
const APPLY_FIXED_CHARS: usize = 400 + 5 * 300 + 200;
const APPLY_MEMBER_CHARS: usize = 48 + 1 + REASON_CHARS + 1;
const APPLY_FAILURE_CHARS: usize = (LINE_CHARS + 1) + TAIL_LINES * (4 + LINE_CHARS + 1);
/// The most members whose `apply` output fits [`SSM_INLINE_OUTPUT_LIMIT`] in the worst case (every name 48
/// characters, every member failed): the number synth checks the member count against.
pub const APPLY_OUTPUT_MAX_MEMBERS: usize =
    (SSM_INLINE_OUTPUT_LIMIT - APPLY_FIXED_CHARS - FAILURES_SHOWN * APPLY_FAILURE_CHARS) / APPLY_MEMBER_CHARS;

/// Longest Kubernetes version `status` reports per member.
pub const VERSION_CHARS: usize = 32;
// The fixed fields, with the backup's [age, period, "<time>-<reason>.tgz"] at most 80 and the certificates'
// ["<name>",<notAfter>,<seconds left>] (8 of at most 45) and Karmada's release ["<running>","<upgrading to>"].
const STATUS_FIXED_CHARS: usize = 480 + 8 * 45 + (12 + 2 * 67);
// ["<name>",false,"<version>","Pull",<agent certificate's seconds left>], plus ["<name>",<replicas>], in the
// workload list.
const STATUS_MEMBER_CHARS: usize = (2 + 48 + 8 + VERSION_CHARS + 3 + 4 + 3 + 12) + (2 + 48 + 2 + 10 + 2);
/// The most members whose `status` JSON fits [`SSM_INLINE_OUTPUT_LIMIT`] in the worst case.
pub const STATUS_OUTPUT_MAX_MEMBERS: usize = (SSM_INLINE_OUTPUT_LIMIT - STATUS_FIXED_CHARS) / STATUS_MEMBER_CHARS;

/// The member count the reconcile is tested at (Karmada's published scale test: 100 member clusters).
pub const TESTED_MEMBERS: usize = 100;
const _: () = assert!(APPLY_OUTPUT_MAX_MEMBERS >= TESTED_MEMBERS && STATUS_OUTPUT_MAX_MEMBERS >= TESTED_MEMBERS);

/// The rendered desired state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DesiredState {
    /// The bundle's text.
    pub bundle: String,
    /// Lowercase hex SHA-256 of [`DesiredState::bundle`].
    pub sha256: String,
    /// The base64 of the bundle in chunks of at most [`CHUNK_LIMIT`] bytes.
    pub chunks: Vec<String>,
    /// The head parameter's value, `{"sha256":"...","chunks":N}`.
    pub head: String,
}

/// Renders the desired state of `config`.
pub fn render(config: &Config) -> Result<DesiredState, ScriptError> {
    let mut members = String::new();
    for (i, m) in config.members().iter().enumerate() {
        shell_word(&format!("members[{i}].name"), &m.name)?;
        shell_word(&format!("members[{i}].region"), &m.region)?;
        shell_word(&format!("members[{i}].eks_cluster_name"), &m.eks_cluster_name)?;
        members.push_str(&format!("{} {} {} {}\n", m.name, m.region, m.eks_cluster_name, m.mode.as_str()));
    }
    let r = &config.reconcile;
    let b = &config.backup;
    let k = &config.karmada;
    let settings = format!(
        "CONCURRENCY={}\nMEMBER_TIMEOUT={}\nPOLL={}\nBACKUP_SCHEDULE={}\nBACKUP_PERIOD={}\nCERT_VALIDITY_DAYS={}\nRENEW_BEFORE_DAYS={}\nETCD_REPLICAS={}\nCOMPONENT_REPLICAS=\"{}\"\nKARMADA_VERSION={}\nKUBE_IMAGE_TAG={}\n",
        r.concurrency,
        r.member_timeout_seconds,
        r.ready_poll_seconds,
        b.schedule,
        b.schedule_seconds().unwrap_or_default(),
        k.cert_validity_days,
        k.renew_before_days,
        k.etcd_replicas,
        component_replicas(config).join(" "),
        k.version,
        KARMADA_KUBE_IMAGE_TAG,
    );
    let workload = if config.workload.enabled { manifests::workload(config)? } else { String::new() };
    let files = [
        ("reconcile.sh", reconcile_script(config)?),
        ("settings", settings),
        ("members", members),
        ("workload.yaml", workload),
        ("fetcher", super::fetcher::render(&config.app)?),
        ("init-flags", init_flags(config).join("\n") + "\n"),
        ("tools", tool_lines(config).join("\n") + "\n"),
    ];
    let mut bundle = String::new();
    for (name, text) in &files {
        if text.lines().any(|l| l.starts_with(FILE_MARKER.trim_end())) {
            return Err(ScriptError::UnsafeValue { field: (*name).into(), value: FILE_MARKER.into() });
        }
        bundle.push_str(FILE_MARKER);
        bundle.push_str(name);
        bundle.push('\n');
        bundle.push_str(text);
        if !text.is_empty() && !text.ends_with('\n') {
            bundle.push('\n');
        }
    }
    let sha256 = hex(&Sha256::digest(bundle.as_bytes()));
    let encoded = base64(bundle.as_bytes());
    let chunks: Vec<String> =
        encoded.as_bytes().chunks(CHUNK_LIMIT).map(|c| String::from_utf8_lossy(c).into_owned()).collect();
    let head = json!({ "sha256": sha256, "chunks": chunks.len() }).to_string();
    Ok(DesiredState { bundle, sha256, chunks, head })
}

/// `<Deployment>=<replicas>` of each Karmada component in karmada-system, as `kubectl karmada init` v1.18.2 names
/// them (pkg/karmadactl/cmdinit/kubernetes/deployments.go): what the reconcile scales them to after day 1.
pub fn component_replicas(config: &Config) -> Vec<String> {
    let k = &config.karmada;
    [
        ("karmada-apiserver", k.apiserver_replicas),
        ("karmada-aggregated-apiserver", k.aggregated_apiserver_replicas),
        ("kube-controller-manager", k.kube_controller_manager_replicas),
        ("karmada-controller-manager", k.controller_manager_replicas),
        ("karmada-scheduler", k.scheduler_replicas),
        ("karmada-webhook", k.webhook_replicas),
    ]
    .iter()
    .map(|(name, n)| format!("{name}={n}"))
    .collect()
}

fn reconcile_script(config: &Config) -> Result<String, ScriptError> {
    shell_word("app", &config.app)?;
    shell_word("workload.namespace", &config.workload.namespace)?;
    shell_word("workload.name", &config.workload.name)?;
    Ok(templates::render(
        Template::Reconcile,
        &json!({
            "region": config.region,
            "cluster_stack": format!("{}-cluster", config.app),
            "backup_stack": StackNames::new(&config.app).backup,
            "backup_bucket_output": BACKUP_BUCKET_OUTPUT,
            "etcd_version": ETCD_TOOLS.version,
            "etcd_url": ETCD_TOOLS.url(),
            "etcd_sha256": ETCD_TOOLS.sha256_linux_amd64,
            "restore_pod_image": RESTORE_POD_IMAGE,
            "reconcile_command": wellknown::HOST_RECONCILE_COMMAND,
            "parent": config.parent.name,
            "parent_kubectl": parent_kubectl(config),
            "kubeconfig_secret": wellknown::kubeconfig_secret(&config.app),
            "applied_state_parameter": wellknown::applied_state_parameter(&config.app),
            "reconcile_log": wellknown::HOST_RECONCILE_LOG,
            "lock_wait": LOCK_WAIT_SECONDS,
            "rollout_seconds": ROLLOUT_SECONDS,
            "download_seconds": DOWNLOAD_SECONDS,
            "unjoin_wait": UNJOIN_WAIT,
            "reason_chars": REASON_CHARS,
            "failures_shown": FAILURES_SHOWN,
            "tail_lines": TAIL_LINES,
            "line_chars": LINE_CHARS,
            "version_chars": VERSION_CHARS,
            "workload": config.workload.enabled,
            "workload_namespace": config.workload.namespace,
            // Karmada names a Deployment's ResourceBinding `<name>-deployment`.
            "workload_binding": format!("{}-deployment", config.workload.name),
        }),
    )?)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Standard base64 with padding.
pub fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for group in bytes.chunks(3) {
        let b = [group[0], *group.get(1).unwrap_or(&0), *group.get(2).unwrap_or(&0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= group.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Decodes standard base64 (padding optional); `None` for any other character.
pub fn base64_decode(text: &str) -> Option<Vec<u8>> {
    let value = |c: u8| -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        } as u32)
    };
    let digits = text.trim_end_matches('=').as_bytes();
    let mut out = Vec::with_capacity(digits.len() * 3 / 4);
    for group in digits.chunks(4) {
        let mut n = 0u32;
        for (i, c) in group.iter().enumerate() {
            n |= value(*c)? << (18 - 6 * i);
        }
        let bytes = n.to_be_bytes();
        out.extend_from_slice(&bytes[1..group.len()]);
    }
    Some(out)
}

/// The bundle of numbered base64 chunks; `None` unless they run from 0 without a gap and decode to text.
pub fn bundle_of_chunks<'a>(chunks: impl IntoIterator<Item = (usize, &'a str)>) -> Option<String> {
    let chunks: BTreeMap<usize, &str> = chunks.into_iter().collect();
    if chunks.is_empty() || chunks.keys().copied().ne(0..chunks.len()) {
        return None;
    }
    String::from_utf8(base64_decode(&chunks.into_values().collect::<String>())?).ok()
}

/// The text of the file `name` in `bundle`.
pub fn bundle_file<'a>(bundle: &'a str, name: &str) -> Option<&'a str> {
    let marker = format!("{FILE_MARKER}{name}\n");
    let start = bundle.find(&marker)? + marker.len();
    let len = bundle[start..].find(FILE_MARKER).unwrap_or(bundle.len() - start);
    Some(&bundle[start..start + len])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::karmada::config::{JoinMode, MemberConfig};

    #[test]
    fn base64_decodes_what_it_encodes_and_refuses_other_characters() {
        for input in [&b""[..], b"f", b"fo", b"foo", b"foobar\n\xff"] {
            assert_eq!(base64_decode(&base64(input)).as_deref(), Some(input));
        }
        assert_eq!(base64_decode("a*b="), None);
    }

    fn files(d: &DesiredState) -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = Vec::new();
        for line in d.bundle.lines() {
            match line.strip_prefix(FILE_MARKER) {
                Some(name) => out.push((name.to_string(), String::new())),
                None => {
                    let last = out.last_mut().expect("the bundle starts with a file marker");
                    last.1.push_str(line);
                    last.1.push('\n');
                }
            }
        }
        out
    }

    #[test]
    fn base64_matches_the_standard_alphabet_and_padding() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"foobar\n"), "Zm9vYmFyCg==");
    }

    #[test]
    fn the_bundle_carries_the_script_members_settings_and_workload() {
        let mut config = Config::default();
        config.members[2].mode = JoinMode::Pull;
        config.reconcile.concurrency = 7;
        let d = render(&config).unwrap();
        let f = files(&d);
        let names: Vec<&str> = f.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["reconcile.sh", "settings", "members", "workload.yaml", "fetcher", "init-flags", "tools"]);
        assert_eq!(f[6].1, tool_lines(&config).join("\n") + "\n");
        assert_eq!(f[5].1, init_flags(&config).join("\n") + "\n");
        assert!(f[0].1.starts_with("#!/bin/bash\n"));
        assert_eq!(
            f[1].1,
            "CONCURRENCY=7\nMEMBER_TIMEOUT=900\nPOLL=10\nBACKUP_SCHEDULE=6h\nBACKUP_PERIOD=21600\nCERT_VALIDITY_DAYS=365\nRENEW_BEFORE_DAYS=30\nETCD_REPLICAS=3\nCOMPONENT_REPLICAS=\"karmada-apiserver=3 karmada-aggregated-apiserver=2 kube-controller-manager=2 karmada-controller-manager=2 karmada-scheduler=2 karmada-webhook=2\"\nKARMADA_VERSION=v1.18.2\nKUBE_IMAGE_TAG=v1.35.2\n"
        );
        assert_eq!(f[4].1, super::super::fetcher::render("karmada").unwrap());
        assert_eq!(
            f[2].1,
            "ekseucl01 eu-central-1 ekseucl01 push\nekseucl02 eu-central-1 ekseucl02 push\neksuscl01 us-east-1 eksuscl01 pull\n"
        );
        assert_eq!(f[3].1, manifests::workload(&config).unwrap());
        assert_eq!(d.sha256, hex(&Sha256::digest(d.bundle.as_bytes())));
        assert_eq!(d.head, format!("{{\"sha256\":\"{}\",\"chunks\":{}}}", d.sha256, d.chunks.len()));
        assert_eq!(d.chunks.concat(), base64(d.bundle.as_bytes()));
    }

    #[test]
    fn weights_change_the_workload_and_the_hash_only() {
        let a = render(&Config::default()).unwrap();
        let mut config = Config::default();
        config.members[0].weight = 5;
        let b = render(&config).unwrap();
        assert_ne!(a.sha256, b.sha256);
        let (fa, fb) = (files(&a), files(&b));
        assert_eq!(fa[..3], fb[..3]);
        assert_ne!(fa[3], fb[3]);
    }

    #[test]
    fn a_disabled_workload_leaves_an_empty_file() {
        let mut config = Config::default();
        config.workload.enabled = false;
        let f = files(&render(&config).unwrap());
        assert_eq!(f[3], ("workload.yaml".to_string(), String::new()));
    }

    #[test]
    fn unsafe_member_values_are_refused_by_field() {
        let mut config = Config::default();
        config.members[1].eks_cluster_name = Some("x;rm".into());
        let err = render(&config).unwrap_err().to_string();
        assert!(err.contains("members[1].eks_cluster_name"), "{err}");
    }

    #[test]
    fn a_thousand_members_stay_within_standard_parameters() {
        let members = (0..1000)
            .map(|i| {
                MemberConfig::new(&format!("member-cluster-with-a-long-name-of-48-chars-{i:04}"), "ap-southeast-2", 1)
            })
            .collect();
        let d = render(&Config { members, ..Config::default() }).unwrap();
        assert!(d.chunks.len() > 10);
        assert!(d.chunks.iter().all(|c| !c.is_empty() && c.len() <= CHUNK_LIMIT && c.is_ascii()));
        assert!(d.head.len() < 200);
    }
}
