//! The real AWS CDK CLI (installed by bin/setup-tools) reads the cloud assembly `synth` writes.

mod common;

#[test]
fn cdk_ls_lists_the_assembly_stacks_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let out = common::synth(&common::root().join("tests/data/configs/default.toml"), dir.path());
    let names = common::cdk_ls(&out, dir.path());
    assert_eq!(names, common::DEFAULT_STACKS);
}
