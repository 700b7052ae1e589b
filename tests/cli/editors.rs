//! Editor support under `editors/`: the VS Code extension's files parse, the TextMate grammar
//! highlights every keyword of `grammar/skuld.pest`, and the sample policy compiles.

#![expect(
    clippy::unwrap_used,
    reason = "helpers of tests: a panic is a test failure"
)]

use serde_json::Value;
use skuld::{Policy, SourceFile};

use crate::common::root;

fn read_json(path: &str) -> Value {
    serde_json::from_str(&std::fs::read_to_string(root().join(path)).unwrap()).unwrap()
}

/// Every `match` / `begin` regex of the grammar.
fn regexes(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(map) => {
            for (k, v) in map {
                match (k.as_str(), v) {
                    ("match" | "begin", Value::String(s)) => out.push(s.clone()),
                    _ => regexes(v, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|i| regexes(i, out)),
        _ => {}
    }
}

/// The words of the pest grammar's keyword and word-operator rules (`kw_x = @{ "x" … }`).
fn pest_keywords() -> Vec<String> {
    let pest = std::fs::read_to_string(root().join("grammar/skuld.pest")).unwrap();
    pest.lines()
        .filter(|l| l.starts_with("kw_") || l.starts_with("op_"))
        .filter_map(|l| {
            let quoted = l.split('"').nth(1)?;
            quoted
                .chars()
                .all(|c| c.is_ascii_alphabetic() || c == '_')
                .then(|| quoted.to_owned())
        })
        .collect()
}

#[test]
fn the_grammar_covers_every_keyword() {
    let grammar = read_json("editors/vscode/syntaxes/skuld.tmLanguage.json");
    assert_eq!(grammar["scopeName"], "source.skuld");
    let mut res = Vec::new();
    regexes(&grammar, &mut res);
    let keywords = pest_keywords();
    assert!(keywords.len() >= 35, "{keywords:?}");
    for kw in &keywords {
        // The word as one alternative of a `\b(…|kw|…)\b` group.
        let listed = res.iter().any(|re| {
            ["(", "|"].iter().any(|before| {
                ["|", ")"]
                    .iter()
                    .any(|after| re.contains(&format!("{before}{kw}{after}")))
            })
        });
        assert!(
            listed,
            "keyword `{kw}` is not highlighted by the TextMate grammar"
        );
    }
}

#[test]
fn the_extension_files_fit_together() {
    let package = read_json("editors/vscode/package.json");
    let contributes = &package["contributes"];
    let language = &contributes["languages"][0];
    assert_eq!(language["id"], "skuld");
    assert_eq!(language["extensions"][0], ".skuld");
    let config = language["configuration"].as_str().unwrap();
    let config = read_json(&format!("editors/vscode/{config}"));
    assert_eq!(config["comments"]["lineComment"], "//");
    let grammar = &contributes["grammars"][0];
    assert_eq!(grammar["scopeName"], "source.skuld");
    let path = grammar["path"].as_str().unwrap();
    assert!(root().join("editors/vscode").join(path).is_file());
}

#[test]
fn the_sample_compiles_on_top_of_the_default_policy() {
    let text = std::fs::read_to_string(root().join("editors/sample.skuld")).unwrap();
    let mut sources = Policy::default_sources();
    sources.push(SourceFile::new("editors/sample.skuld", text));
    let policy = Policy::from_sources(&sources).unwrap();
    assert!(policy.registry().ids().any(|r| r == "contoso/free-only"));
}
