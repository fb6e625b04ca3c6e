//! The deploying principal's minimum IAM policy, per command (docs/deployer-policy.md, whose JSON files under
//! docs/deployer-policy/ are the source this test reads): against moto with IAM enforced
//! (`tests/support/moto_iam.py`), a user holding exactly a command's policy runs it without a denial, and with
//! any one statement removed the command fails (or, for the checks `doctor` and `status` make, reports the check
//! as not done), naming the denied action and pointing at docs/deployer-policy.md. Statements moto cannot
//! exercise (Run Command on the management host, the host image) are listed in `UNTESTED` with the reason.

use crate::support::moto;

use moto::{small_app, Keys, Moto};
use serde_json::Value;
use std::path::Path;
use std::process::Output;

/// Statements the emulator cannot make a command need, with why.
const UNTESTED: &[(&str, &str, &str)] = &[
    ("deploy", "HostImage", "resolved only for the management stack, which moto cannot create (no EC2 host signals)"),
    ("deploy", "ReadAppliedState", "read after the desired-state stack, to decide on a reconcile on the host"),
    ("deploy", "FindTheHost", "the reconcile and unjoin run on the management host, which moto does not emulate"),
    ("deploy", "RunOnTheHostDocument", "Run Command on the management host, which moto does not emulate"),
    ("deploy", "RunOnTheHostInstance", "Run Command on the management host, which moto does not emulate"),
    ("deploy", "FollowTheCommand", "Run Command on the management host, which moto does not emulate"),
    ("status", "RunOnTheHostDocument", "Run Command on the management host, which moto does not emulate"),
    ("status", "RunOnTheHostInstance", "Run Command on the management host, which moto does not emulate"),
    ("status", "FollowTheCommand", "Run Command on the management host, which moto does not emulate"),
    ("destroy", "FindEtcdVolumes", "looked for only after deleting a stack that creates the parent EKS cluster, which moto's CloudFormation cannot create"),
    ("destroy", "DeleteEtcdVolumes", "as FindEtcdVolumes"),
    ("doctor", "KubeconfigSecretValue", "AWS also checks secretsmanager:GetSecretValue for a read through /aws/reference/secretsmanager/; moto's SSM reads the secret without asking IAM"),
    ("destroy", "FindTheHost", "the final backup and the unjoin run on the management host"),
    ("destroy", "RunOnTheHostDocument", "Run Command on the management host, which moto does not emulate"),
    ("destroy", "RunOnTheHostInstance", "Run Command on the management host, which moto does not emulate"),
    ("destroy", "FollowTheCommand", "Run Command on the management host, which moto does not emulate"),
];

/// Policy files no test here runs, with why.
const UNTESTED_FILES: &[(&str, &str)] = &[
    ("reconcile", "it runs the reconcile on the management host, which moto does not emulate"),
    ("status-drift", "moto 5.2.5 has no CloudFormation drift detection"),
];

fn policy(command: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("docs/deployer-policy/{command}.json"));
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn statements(policy: &Value) -> Vec<Value> {
    policy["Statement"].as_array().unwrap().clone()
}

fn without(policy: &Value, sid: &str) -> Value {
    let kept: Vec<Value> = statements(policy).into_iter().filter(|s| s["Sid"] != sid).collect();
    assert_eq!(kept.len() + 1, statements(policy).len(), "one statement {sid}");
    serde_json::json!({"Version": "2012-10-17", "Statement": kept})
}

fn tested(command: &str, policy: &Value) -> Vec<Value> {
    statements(policy)
        .into_iter()
        .filter(|s| !UNTESTED.iter().any(|(c, sid, _)| *c == command && s["Sid"] == *sid))
        .collect()
}

fn text(out: &Output) -> String {
    format!(
        "exit {:?}\nstdout:\n{}\nstderr:\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn run(moto: &Moto, keys: &Keys, args: &[&str]) -> Output {
    moto.command_as(keys, args).output().expect("run karmada-eks")
}

fn assert_no_denial(out: &Output, what: &str) {
    let t = text(out);
    assert!(!t.contains("not authorized"), "{what}: a call was denied with the documented policy:\n{t}");
}

/// The output names one of `statement`'s actions as denied and the doc that says what to grant.
fn assert_denied(out: &Output, statement: &Value, what: &str) {
    let t = text(out);
    let actions: Vec<&str> = statement["Action"].as_array().unwrap().iter().map(|a| a.as_str().unwrap()).collect();
    assert!(
        actions.iter().any(|a| t.contains(&format!("not authorized to perform: {a} "))),
        "{what}: without statement {}, no denial of {actions:?} is reported:\n{t}",
        statement["Sid"]
    );
    assert!(t.contains("docs/deployer-policy.md"), "{what}: the error points at the policy doc:\n{t}");
}

/// Each untested statement exists in its file (so the list cannot go stale).
#[test]
fn the_untested_statements_exist_and_every_file_is_valid() {
    for command in ["diff", "doctor", "status", "status-drift", "deploy", "reconcile", "destroy"] {
        let p = policy(command);
        assert_eq!(p["Version"], "2012-10-17");
        for s in statements(&p) {
            assert_eq!(s["Effect"], "Allow", "{command}: {s}");
            assert!(s["Sid"].as_str().is_some_and(|sid| !sid.is_empty()), "{command}: every statement has a Sid");
            for a in s["Action"].as_array().unwrap() {
                assert!(!a.as_str().unwrap().contains('*'), "{command}: no wildcard action: {a}");
            }
        }
    }
    for (file, _) in UNTESTED_FILES {
        assert!(!statements(&policy(file)).is_empty(), "{file}.json");
    }
    for (command, sid, _) in UNTESTED {
        assert!(statements(&policy(command)).iter().any(|s| s["Sid"] == *sid), "{command}.json has no {sid}");
    }
}

/// The member whose access entry the small app holds (the emulator, as EKS, refuses an entry on a cluster that
/// does not exist, and the preflight checks it).
fn member_eksa(moto: &Moto) {
    moto.python(
        "client('eks').create_cluster(name='eksa', version='1.33', roleArn='arn:aws:iam::123456789012:role/eks', \
         resourcesVpcConfig={'endpointPublicAccess': True, 'publicAccessCidrs': ['0.0.0.0/0']}, \
         accessConfig={'authenticationMode': 'API'})",
    );
}

fn admin_ok(moto: &Moto, args: &[&str]) {
    let out = moto.karmada_eks(args);
    assert!(out.status.success(), "admin: {args:?}\n{}", text(&out));
}

/// `deploy` of a whole app (two stacks), then of the app without its members (which deletes the member-access
/// stack): with deploy.json and doctor.json (the preflight) nothing is denied; without any one statement of
/// deploy.json, the deploy fails naming the action.
#[test]
fn deploy_needs_every_statement_of_its_policy() {
    let moto = Moto::start_with_iam();
    let app = moto.home.path().join("small");
    let app = app.to_str().unwrap();
    let deploy = policy("deploy");
    let preflight = policy("doctor");
    let keys = moto.iam_user("deployer", &[("deploy", &deploy), ("preflight", &preflight)]);
    member_eksa(&moto);
    // The deploys that create the app, then remove its member; the first that fails ends the list.
    let both = |keys: &Keys| -> Vec<Output> {
        small_app(Path::new(app), &["eksa"]);
        let first = run(&moto, keys, &["deploy", "--app", app, "--yes", "--json"]);
        if !first.status.success() {
            return vec![first];
        }
        small_app(Path::new(app), &[]);
        vec![first, run(&moto, keys, &["deploy", "--app", app, "--yes", "--json"])]
    };

    let outs = both(&keys);
    assert_eq!(outs.len(), 2, "{}", text(&outs[0]));
    assert!(outs[1].status.success(), "{}", text(&outs[1]));
    assert_no_denial(&outs[0], "deploy");
    assert_no_denial(&outs[1], "deploy removing a member");
    assert!(
        text(&outs[1]).contains("\"outcome\":\"deleted\""),
        "the member-access stack is deleted:\n{}",
        text(&outs[1])
    );

    for statement in tested("deploy", &deploy) {
        let sid = statement["Sid"].as_str().unwrap();
        admin_ok(&moto, &["destroy", "--app", app, "--force", "--force-unlock"]);
        moto.set_user_policies("deployer", &[("deploy", &without(&deploy, sid)), ("preflight", &preflight)]);
        let failed = both(&keys).pop().unwrap();
        assert!(!failed.status.success(), "deploy without {sid} succeeded:\n{}", text(&failed));
        assert_denied(&failed, &statement, &format!("deploy without {sid}"));
    }
}

/// `destroy` of a whole app that has an applied state: with destroy.json nothing is denied; without any
/// one statement, destroy fails naming the action.
#[test]
fn destroy_needs_every_statement_of_its_policy() {
    let moto = Moto::start_with_iam();
    let app = moto.home.path().join("small");
    let app = app.to_str().unwrap();
    let destroy = policy("destroy");
    let keys = moto.iam_user("destroyer", &[("destroy", &destroy)]);
    member_eksa(&moto);
    // moto 5.2.5 keeps the desired-state parameter after deleting its stack here (CloudFormation deletes it), so
    // the test deletes it before deploying the stack again.
    let setup = || {
        moto.python(
            "ssm = client('ssm')\nif ssm.get_parameters(Names=['/karmada/karmada/desired-state'])['Parameters']:\n    \
             ssm.delete_parameter(Name='/karmada/karmada/desired-state')",
        );
        small_app(Path::new(app), &["eksa"]);
        admin_ok(&moto, &["deploy", "--app", app, "--yes", "--skip-preflight"]);
        moto.python(
            "client('ssm').put_parameter(Name='/karmada/karmada/applied-state', Value='none', Type='String', \
             Overwrite=True)",
        );
    };
    let applied = || {
        moto.python("print(len(client('ssm').get_parameters(Names=['/karmada/karmada/applied-state'])['Parameters']))")
    };

    setup();
    let out = run(&moto, &keys, &["destroy", "--app", app, "--force", "--json"]);
    assert!(out.status.success(), "{}", text(&out));
    assert_no_denial(&out, "destroy");
    assert_eq!(applied(), "0", "the applied state is deleted");

    for statement in tested("destroy", &destroy) {
        let sid = statement["Sid"].as_str().unwrap();
        setup();
        moto.set_user_policies("destroyer", &[("destroy", &without(&destroy, sid))]);
        let out = run(&moto, &keys, &["destroy", "--app", app, "--force", "--json"]);
        assert!(!out.status.success(), "destroy without {sid} succeeded:\n{}", text(&out));
        assert_denied(&out, &statement, &format!("destroy without {sid}"));
        admin_ok(&moto, &["destroy", "--app", app, "--force", "--force-unlock"]);
    }
}

/// The read-only commands against a deployed network stack: with their policy nothing is denied; without any
/// one statement, the command fails (`diff`) or reports what it could not read (`doctor`'s checks, `status`'s
/// Karmada), naming the action.
#[test]
fn diff_status_and_doctor_need_every_statement_of_their_policies() {
    let moto = Moto::start_with_iam();
    admin_ok(&moto, &["deploy", "karmada-network", "--exclusively", "--yes", "--skip-preflight"]);
    for (command, args, exit) in
        [("diff", &["diff"][..], Some(0)), ("status", &["status"][..], Some(1)), ("doctor", &["doctor"][..], Some(1))]
    {
        let full = policy(command);
        let user = format!("{command}-user");
        let keys = moto.iam_user(&user, &[(command, &full)]);
        let out = run(&moto, &keys, args);
        let admin = moto.karmada_eks(args);
        assert_eq!(out.status.code(), exit, "{command}: {}", text(&out));
        assert_eq!(out.status.code(), admin.status.code(), "{command} as admin: {}", text(&admin));
        assert_no_denial(&out, command);
        for statement in tested(command, &full) {
            let sid = statement["Sid"].as_str().unwrap();
            moto.set_user_policies(&user, &[(command, &without(&full, sid))]);
            let out = run(&moto, &keys, args);
            if command == "diff" {
                assert!(!out.status.success(), "diff without {sid} succeeded:\n{}", text(&out));
            }
            assert_denied(&out, &statement, &format!("{command} without {sid}"));
        }
    }
}
