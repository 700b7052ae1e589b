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

/// Each add-on set of the default policy (`policies/addons.skuld`: what an add-on is, and so
/// what it needs beside it) carries Microsoft's own sentence, quoted, and the page it is on.
#[test]
fn every_addon_set_quotes_microsoft_and_names_the_page() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/policies/addons.skuld"
    ))
    .unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let mut sets = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let Some(name) = line.strip_prefix("set ") else {
            continue;
        };
        let name = name.split_whitespace().next().unwrap();
        let docs: Vec<&str> = lines
            .get(..i)
            .unwrap_or_default()
            .iter()
            .rev()
            .take_while(|l| l.starts_with("///"))
            .copied()
            .collect();
        let docs = docs.join("\n");
        assert!(
            docs.matches('"').count() >= 2,
            "set `{name}` quotes no sentence of Microsoft's"
        );
        assert!(
            docs.contains("(https://learn.microsoft.com/")
                || docs.contains("(https://www.microsoft.com/"),
            "set `{name}` names no Microsoft page"
        );
        sets.push(name);
    }
    assert_eq!(
        sets,
        [
            "teams_phone_addons",
            "audio_conferencing_addons",
            "teams_premium_addons",
            "teams_addons",
            "copilot_addons"
        ]
    );
}
