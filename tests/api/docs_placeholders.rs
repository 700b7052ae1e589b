//! The documentation names skuld as `Cargo.toml` does: no `OWNER` placeholder, and every
//! version of skuld it mentions (`v0.1.0` tags, `skuld 0.1.0`) is the crate's. skuld has no
//! public repository (`Cargo.toml` names no `repository`), so the docs write its home as
//! `<owner>/skuld`, a form that cannot resolve to anyone's repository; once `Cargo.toml` names
//! one, the docs must use it instead (docs/ci.md, "Installing skuld in CI").

#![expect(
    clippy::unwrap_used,
    reason = "helpers of tests: a panic is a test failure"
)]

use std::path::{Path, PathBuf};

use crate::common::root;

/// `docs/**/*.md`, `README.md`, `action.yml` and every file under `.github/action/`.
fn documents() -> Vec<PathBuf> {
    fn walk(dir: &Path, keep: &dyn Fn(&Path) -> bool, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, keep, out);
            } else if keep(&path) {
                out.push(path);
            }
        }
    }
    let r = root();
    let mut out = vec![r.join("README.md"), r.join("action.yml")];
    walk(
        &r.join("docs"),
        &|p| p.extension().is_some_and(|e| e == "md"),
        &mut out,
    );
    walk(&r.join(".github/action"), &|_| true, &mut out);
    out.sort();
    out
}

/// Every `word` in `line` that stands alone (no letter either side: `CODEOWNERS` is not
/// `OWNER`).
fn stands_alone(line: &str, word: &str) -> bool {
    line.match_indices(word).any(|(i, _)| {
        let before = line[..i].chars().next_back();
        let after = line[i + word.len()..].chars().next();
        !before.is_some_and(|c| c.is_ascii_alphabetic())
            && !after.is_some_and(|c| c.is_ascii_alphabetic())
    })
}

/// The version numbers `MAJOR.MINOR.PATCH` that follow `prefix` in `line`.
fn versions_after<'a>(line: &'a str, prefix: &str) -> Vec<&'a str> {
    line.match_indices(prefix)
        .filter(|(i, _)| {
            // A tag `v1.2.3` starts a word; `skuld 1.2.3` may follow anything.
            prefix != "v"
                || !line[..*i]
                    .chars()
                    .next_back()
                    .is_some_and(|c| c.is_ascii_alphanumeric())
        })
        .filter_map(|(i, _)| {
            let rest = &line[i + prefix.len()..];
            let end = rest
                .find(|c: char| !(c.is_ascii_digit() || c == '.'))
                .unwrap_or(rest.len());
            let v = rest[..end].trim_end_matches('.');
            (v.split('.').count() == 3 && v.split('.').all(|p| !p.is_empty())).then_some(v)
        })
        .collect()
}

#[test]
fn the_docs_name_skuld_s_version_and_home_as_cargo_toml_does() {
    let version = env!("CARGO_PKG_VERSION");
    let repository = env!("CARGO_PKG_REPOSITORY");
    let mut wrong = Vec::new();
    let files = documents();
    assert!(files.len() > 20, "{files:?}");
    for path in &files {
        let text = std::fs::read_to_string(path).unwrap();
        let name = path.strip_prefix(root()).unwrap().display().to_string();
        for (n, line) in (1..).zip(text.lines()) {
            let at = format!("{name}:{n}");
            if stands_alone(line, "OWNER") {
                wrong.push(format!("{at}: the placeholder OWNER: {line}"));
            }
            if !repository.is_empty() && line.contains("<owner>/skuld") {
                wrong.push(format!("{at}: Cargo.toml names {repository}: {line}"));
            }
            // Another action's version (`uses: x/y@sha # v3.28.19`) is not skuld's.
            let other_action = line.contains("uses:") && !line.contains("skuld@");
            let tags = if other_action {
                Vec::new()
            } else {
                versions_after(line, "v")
            };
            for v in tags.into_iter().chain(versions_after(line, "skuld ")) {
                if v != version {
                    wrong.push(format!(
                        "{at}: version {v}, Cargo.toml has {version}: {line}"
                    ));
                }
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn the_scan_finds_what_it_looks_for() {
    assert!(stands_alone("uses: OWNER/skuld@v1", "OWNER"));
    assert!(!stands_alone(".github/CODEOWNERS", "OWNER"));
    assert_eq!(
        versions_after("uses: <owner>/skuld@v0.2.0 or v1.2.3.", "v"),
        ["0.2.0", "1.2.3"]
    );
    assert_eq!(
        versions_after("skuld 0.1.0 (default policy", "skuld "),
        ["0.1.0"]
    );
    assert!(versions_after("dev4.1.1, v4, value 1.2.3", "v").is_empty());
}
