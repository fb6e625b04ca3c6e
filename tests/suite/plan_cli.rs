//! `karmada-eks plan` as a user runs it: the split of the configured workload, of given weights, JSON output, and
//! exit code 2 with a message naming the bad argument.

use crate::support::common::{karmada_eks, stderr, stdout};
use std::path::Path;
use std::process::Output;

fn plan(cwd: &Path, args: &[&str]) -> Output {
    karmada_eks(cwd, &[&["plan"], args].concat())
}

fn ok(args: &[&str]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let o = plan(dir.path(), args);
    assert!(o.status.success(), "plan {args:?}: {}", stderr(&o));
    stdout(&o)
}

fn usage_error(args: &[&str]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let o = plan(dir.path(), args);
    assert_eq!(o.status.code(), Some(2), "plan {args:?}: {}{}", stdout(&o), stderr(&o));
    assert!(stdout(&o).is_empty(), "{}", stdout(&o));
    stderr(&o)
}

#[test]
fn default_config_splits_twelve_replicas_one_one_two() {
    assert_eq!(
        ok(&[]),
        "CLUSTER    WEIGHT  REPLICAS   SHARE\n\
         ekseucl01       1         3   25.0%\n\
         ekseucl02       1         3   25.0%\n\
         eksuscl01       2         6   50.0%\n"
    );
    assert_eq!(ok(&["--json"]), "{\"ekseucl01\": 3, \"ekseucl02\": 3, \"eksuscl01\": 6}\n");
}

#[test]
fn karmadas_examples_from_the_command_line() {
    let args =
        ["--replicas", "12", "--weight", "member1=1", "--weight", "member2=1", "--weight", "member3=2", "--json"];
    assert_eq!(ok(&args), "{\"member1\": 3, \"member2\": 3, \"member3\": 6}\n");
    let args = [
        "--replicas",
        "9",
        "--weight",
        "member1=2",
        "--weight",
        "member2=1",
        "--weight",
        "member3=1",
        "--weight",
        "member4=1",
        "--json",
    ];
    assert_eq!(ok(&args), "{\"member1\": 3, \"member2\": 2, \"member3\": 2, \"member4\": 2}\n");
}

#[test]
fn zero_weights_get_nothing_unless_all_are_zero() {
    assert_eq!(ok(&["--replicas", "5", "--weight", "a=0", "--weight", "b=3", "--json"]), "{\"a\": 0, \"b\": 5}\n");
    let text = ok(&["--replicas", "3", "--weight", "a=0", "--weight", "b=0"]);
    assert!(text.contains("every weight is 0"), "{text}");
    assert_eq!(ok(&["--replicas", "3", "--weight", "a=0", "--weight", "b=0", "--json"]), "{\"a\": 2, \"b\": 1}\n");
}

#[test]
fn the_configured_members_and_replicas_are_the_defaults() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("karmada-eks.toml");
    std::fs::write(
        &config,
        "[workload]\nreplicas = 7\n\n[[members]]\nname = \"one\"\nweight = 3\n\n[[members]]\nname = \"two\"\nweight = 1\n",
    )
    .unwrap();
    let o = plan(dir.path(), &["--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(stdout(&o), "{\"one\": 5, \"two\": 2}\n");
    let o = plan(dir.path(), &["--replicas", "4", "--json"]);
    assert_eq!(stdout(&o), "{\"one\": 3, \"two\": 1}\n");
}

#[test]
fn bad_weights_exit_2_naming_the_argument() {
    let err = usage_error(&["--weight", "Member1=1"]);
    assert!(err.contains("--weight \"Member1=1\": invalid cluster name(Member1): a lowercase RFC 1123 label"), "{err}");
    let long = format!("{}=1", "a".repeat(49));
    let err = usage_error(&["--weight", &long]);
    assert!(err.contains(&format!("--weight {long:?}")) && err.contains("must be no more than 48 characters"), "{err}");
    let err = usage_error(&["--weight", "member1"]);
    assert!(err.contains("--weight \"member1\" is not NAME=W"), "{err}");
    let err = usage_error(&["--weight", "member1=two"]);
    assert!(err.contains("--weight \"member1=two\": weight \"two\" is not a whole number"), "{err}");
    let err = usage_error(&["--weight", "a=1", "--weight", "a=2"]);
    assert!(err.contains("--weight \"a=2\": cluster a is given more than once"), "{err}");
    let err = usage_error(&["--replicas", "1000001", "--weight", "a=1"]);
    assert!(err.contains("--replicas 1000001 is over 1000000"), "{err}");
}

#[test]
fn no_cluster_at_all_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("karmada-eks.toml"), "members = []\n\n[workload]\nenabled = false\n").unwrap();
    let o = plan(dir.path(), &[]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("there is no cluster to divide the replicas over"), "{}", stderr(&o));
}
