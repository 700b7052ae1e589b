//! Policy files as inputs: every file under `tests/data/policies/err/` must fail to compile (on top of
//! the default policy) and its rendered diagnostics are snapshotted; every file under
//! `tests/data/policies/ok/` must compile.

#![expect(
    clippy::unwrap_used,
    reason = "helpers of tests: a panic is a test failure"
)]

use skuld::{Policy, SourceFile};

fn compile_with_default(path: &std::path::Path) -> Result<Policy, skuld::Diagnostics> {
    let mut sources = Policy::default_sources();
    let name = format!(
        "tests/data/policies/{}",
        path.strip_prefix(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/policies/"))
            .unwrap()
            .display()
    );
    sources.push(SourceFile::new(
        name,
        std::fs::read_to_string(path).unwrap(),
    ));
    Policy::from_sources(&sources)
}

#[test]
fn broken_policies_are_reported_with_spans() {
    insta::glob!("..", "data/policies/err/*.skuld", |path| {
        let errors = compile_with_default(path).expect_err("an err/ policy must not compile");
        let mut text = Vec::new();
        errors.render(&mut text).unwrap();
        insta::assert_snapshot!(String::from_utf8(text).unwrap());
    });
}

#[test]
fn no_rules_is_an_error() {
    let only_catalog = Policy::sources(&["builtin:catalog".to_owned()], false).unwrap();
    let err = Policy::from_sources(&only_catalog).unwrap_err();
    let codes: Vec<String> = err
        .iter()
        .filter_map(|e| e.code().map(|c| c.to_string()))
        .collect();
    assert_eq!(codes, ["skuld::policy::no-rules"]);
}
