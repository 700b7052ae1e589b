//! Config and waivers files as the library reads them (moved from `tests/cli/config.rs`): any
//! text gives settings or diagnostics, never a panic; the documented config is valid.

use std::path::Path;

use super::root;

/// The default policy, compiled once for all generated cases.
static POLICY: std::sync::LazyLock<crate::Policy> =
    std::sync::LazyLock::new(|| crate::Policy::builtin().unwrap());

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(300))]

    /// skuld's own files are hand-written and often broken: any text gives settings or
    /// diagnostics, never a panic (inline waivers: after a `# skuld: waive` prefix too).
    #[test]
    fn config_and_waivers_files_never_panic(
        prefix in proptest::prop_oneof![
            proptest::strategy::Just(""),
            proptest::strategy::Just("- upn: a # skuld: waive "),
        ],
        text in "[a-z:/\\- \n\\[\\]{}#\"'&*!~0-9,é.]{0,120}",
    ) {
        let source = crate::SourceFile::new("x.yaml", format!("{prefix}{text}"));
        let _ = crate::config::Config::parse(&source, Path::new("x.yaml"));
        let _ = crate::triage::waivers::Waivers::parse(&source, Path::new("x.yaml"), &POLICY);
        let mut w = crate::triage::waivers::Waivers::default();
        let _ = w.add_inline(&source, &POLICY);
    }
}

/// The `.skuld.yaml` example of docs/waivers.md is a valid config with known rule ids.
#[test]
fn the_documented_config_is_valid() {
    let doc = std::fs::read_to_string(root().join("docs/waivers.md")).unwrap();
    let block = doc
        .split("```yaml\n")
        .filter_map(|b| b.split("```").next())
        .find(|b| b.starts_with("# .skuld.yaml"))
        .unwrap();
    let source = crate::SourceFile::new("repo/.skuld.yaml", block);
    let config = crate::config::Config::parse(&source, Path::new("repo/.skuld.yaml")).unwrap();
    assert_eq!(config.policies, ["repo/policies/our-skus.skuld"]);
    assert_eq!(
        config.waivers.as_deref(),
        Some(Path::new("repo/ci/skuld-waivers.yaml"))
    );
    assert_eq!(config.fail_on.as_deref(), Some("error"));
    assert_eq!(config.skip_rules.len(), 1);
    assert!(config.check_rules(&POLICY).is_empty());
}
