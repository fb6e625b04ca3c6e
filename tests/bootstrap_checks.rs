//! Checks on the rendered bootstrap script: EC2's user-data limit, `Fn::Sub` variables, shellcheck.

mod bootstrap_support;

use bootstrap_support::*;
use constructs::karmada::bootstrap::{user_data_upper_bound, SSM_CHUNK_LIMIT, USER_DATA_LIMIT};
use constructs::karmada::config::JoinMode;
use constructs::karmada::Config;

/// The configurations every check runs on: (name, config).
fn variants() -> Vec<(&'static str, Config)> {
    let mut pull = Config::default();
    for m in &mut pull.members {
        m.mode = JoinMode::Pull;
    }
    let mut no_workload = Config::default();
    no_workload.workload.enabled = false;
    let mut namespaced = Config::default();
    namespaced.workload.namespace = "demo".into();
    let mut unpinned = Config::default();
    unpinned.parent.kubernetes_version = "1.38".into();
    vec![
        ("default", Config::default()),
        ("pull", pull),
        ("no-workload", no_workload),
        ("namespaced", namespaced),
        ("unpinned-kubectl", unpinned),
        ("twenty-members", Config { members: members(20), ..Config::default() }),
        ("overflow", Config { members: members(150), ..Config::default() }),
    ]
}

/// The network the pull-mode members of [`members`] connect from, which config validation requires.
fn pull_path() -> constructs::karmada::config::NlbConfig {
    constructs::karmada::config::NlbConfig { allowed_cidrs: Some(vec!["198.51.100.0/24".into()]), ..Default::default() }
}

/// The user-data EC2 receives: the script after `Fn::Sub` with the test stack's values.
fn user_data(config: &Config) -> String {
    substitute(&render(config).script, &values(NLB_IPS))
}

#[test]
fn default_and_twenty_member_user_data_fit_without_overflow() {
    for (name, config) in [
        ("default", Config::default()),
        ("twenty members", Config { members: members(20), nlb: pull_path(), ..Config::default() }),
    ] {
        config.validate().unwrap();
        let rendered = render(&config);
        let bound = user_data_upper_bound(&rendered.script);
        let actual = user_data(&config).len();
        eprintln!("{name}: rendered {} bytes, user-data {actual} bytes, at most {bound} bytes", rendered.script.len());
        assert!(rendered.overflow.is_empty(), "{name}: the input overflowed into SSM");
        assert!(bound <= USER_DATA_LIMIT, "{name}: {bound} bytes of user-data");
        assert!(actual <= bound, "{name}: the bound {bound} is below the real size {actual}");
    }
}

#[test]
fn past_the_limit_members_move_to_ssm_chunks_and_the_script_still_fits() {
    let config = Config { members: members(150), nlb: pull_path(), ..Config::default() };
    config.validate().unwrap();
    let rendered = render(&config);
    assert!(!rendered.overflow.is_empty());
    assert!(rendered.overflow.iter().all(|c| c.len() <= SSM_CHUNK_LIMIT && c.is_ascii()));
    assert!(user_data_upper_bound(&rendered.script) <= USER_DATA_LIMIT);
    let input = decode_overflow(&rendered.overflow);
    for m in &config.members {
        let line = format!("{} {} ", m.name, m.region.as_deref().unwrap_or_default());
        assert!(input.lines().any(|l| l.starts_with(&line)), "{line:?} missing from the overflow input");
        assert!(!rendered.script.contains(&format!("{} ", m.name)), "{} is still in the user-data", m.name);
    }
}

#[test]
fn every_substitution_is_a_declared_variable_or_a_pseudo_parameter() {
    let pseudo = ["AWS::Region", "AWS::StackName"];
    for (name, config) in variants() {
        let rendered = render(&config);
        let used = substitutions(&rendered.script);
        for v in &used {
            assert!(
                rendered.variables.contains(&v.as_str()) || pseudo.contains(&v.as_str()),
                "{name}: ${{{v}}} is neither declared in RenderedBootstrap::variables nor a pseudo parameter"
            );
        }
        for v in &rendered.variables {
            assert!(used.iter().any(|u| u == v), "{name}: {v} is declared but unused");
        }
        let substituted = user_data(&config);
        let left = substitutions(&substituted.replace("${", "${!"));
        assert!(left.is_empty(), "{name}: {left:?}");
        assert!(!substituted.contains("{{") && !substituted.contains("}}"), "{name}: handlebars left in the script");
    }
}

#[test]
fn the_internal_nlb_case_substitutes_an_empty_address_list() {
    let substituted = substitute(&render(&Config::default()).script, &values(""));
    assert!(substituted.contains("NLB_IPS=''\n"), "{substituted}");
    let findings = shellcheck(&substituted);
    assert!(findings.is_empty(), "{findings}");
}

#[test]
fn shellcheck_finds_nothing() {
    for (name, config) in variants() {
        let rendered = render(&config);
        let findings = shellcheck(&substitute(&rendered.script, &values(NLB_IPS)));
        assert!(findings.is_empty(), "{name}: shellcheck:\n{findings}");
        if !rendered.overflow.is_empty() {
            let input = decode_overflow(&rendered.overflow);
            let findings = shellcheck(&format!("#!/bin/bash\nSTATE=/var/lib/karmada-eks\n{input}"));
            assert!(findings.is_empty(), "{name} (overflow input): shellcheck:\n{findings}");
        }
    }
}

#[test]
fn shellcheck_would_report_an_unquoted_variable() {
    // The check above is only worth something if shellcheck runs and reports.
    let findings = shellcheck("#!/bin/bash\nf=$1\nrm $f\n");
    assert!(findings.contains("SC2086"), "{findings}");
}
