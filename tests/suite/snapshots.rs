//! insta snapshots of every synthesized template and the manifest, for each tested config. A change here is a
//! design change: review it with `cargo insta review`.

use crate::support::common;

#[test]
fn templates_and_manifest() {
    for (name, config) in common::configs() {
        let dir = tempfile::tempdir().unwrap();
        let out = common::synth(&config, dir.path());
        let mut settings = insta::Settings::clone_current();
        settings.set_snapshot_path(common::root().join("snapshots"));
        settings.set_prepend_module_to_snapshot(false);
        settings.set_omit_expression(true);
        settings.bind(|| {
            insta::assert_snapshot!(
                format!("{name}__manifest"),
                std::fs::read_to_string(out.join("manifest.json")).unwrap()
            );
            for file in common::templates(&out) {
                let stack = file.file_name().unwrap().to_string_lossy().trim_end_matches(".template.json").to_string();
                insta::assert_snapshot!(format!("{name}__{stack}"), std::fs::read_to_string(&file).unwrap());
            }
        });
    }
}
