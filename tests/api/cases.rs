//! Data-driven rule cases: every `tests/data/cases/**/*.yaml` is a tenant plus the findings the default
//! policy must produce on it (or the load error it must fail with). Adding a case needs no Rust.
//! Tests of the default policy's rules belong in `policies/tests/` (the `skuld test` format, run
//! with coverage); the cases here are what that format cannot say: load errors, and tenants
//! checked with a policy added on top. This module also checks the `# subject:` notes and the
//! `fires-`/`silent-` names of `policies/tests/`.
//!
//! Case file format:
//! ```yaml
//! note: what the case shows            # required
//! tenant: |                            # required: the tenant YAML
//!   tenant: contoso.onmicrosoft.com
//! policy: |                            # optional: a policy file added on top of the default
//!   sku NEW "New SKU" { paid }
//! want_findings:                       # exactly one of want_findings / want_error
//!   - rule: sspr/cloud-user-license
//!     line: 7                          # 1-based, within `tenant`
//!     subject: bob@contoso.com         # absent: the finding has no subject
//! want_error: skuld::tenant::unknown-key
//! want_at: 4:15                        # optional, with want_error: where it points (line:column)
//! want_help: never closed              # optional: a part of the error's help (with want_error)
//!                                      # or of some finding's help (with want_findings)
//! ```
//! Cases under `tests/data/cases/<rule-id>/` named `fires-*` must produce a finding of that rule, and
//! those named `silent-*` must not: the file name states the intent, the harness holds it to it.

#![expect(
    clippy::unwrap_used,
    reason = "helpers of tests: a panic is a test failure"
)]

use std::path::{Path, PathBuf};

use serde::Deserialize;
use skuld::{Policy, SourceFile};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    note: String,
    tenant: String,
    #[serde(default)]
    policy: Option<String>,
    #[serde(default)]
    want_findings: Option<Vec<Want>>,
    #[serde(default)]
    want_error: Option<String>,
    #[serde(default)]
    want_at: Option<String>,
    #[serde(default)]
    want_help: Option<String>,
}

#[derive(Debug, Deserialize, PartialEq, Eq, PartialOrd, Ord, Clone)]
#[serde(deny_unknown_fields)]
struct Want {
    rule: String,
    line: usize,
    #[serde(default)]
    subject: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Expected {
    want_findings: Vec<Want>,
}

fn case_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "yaml") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

fn cases_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/cases")
}

fn actual(findings: &[skuld::Finding]) -> Vec<Want> {
    let mut v: Vec<Want> = findings
        .iter()
        .map(|f| Want {
            rule: f.rule.clone(),
            line: f.line_col().0,
            subject: f.subject.clone(),
        })
        .collect();
    v.sort();
    v
}

/// Runs one case; `Err` describes the mismatch.
fn run_case(path: &Path, default: &Policy) -> Result<(), String> {
    let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    let case: Case = crate::yaml::to_json(&text)
        .and_then(|v| serde_json::from_value(v).map_err(|e| e.to_string()))
        .map_err(|e| format!("bad case file: {e}"))?;
    if case.note.trim().is_empty() {
        return Err("`note` is empty".into());
    }
    let policy = match &case.policy {
        None => default.clone(),
        Some(p) => {
            let mut sources = Policy::default_sources();
            sources.push(SourceFile::new("case-policy.skuld", p.clone()));
            Policy::from_sources(&sources)
                .map_err(|e| format!("case policy does not compile: {e}"))?
        }
    };
    let tenant = SourceFile::new("tenant.yaml", case.tenant.clone());
    match (&case.want_findings, &case.want_error) {
        (Some(want), None) => {
            let findings = policy
                .check(&tenant)
                .map_err(|e| format!("expected findings, got a load error: {e}"))?;
            let got = actual(&findings);
            let mut want = want.clone();
            want.sort();
            if got != want {
                return Err(format!(
                    "findings differ\n  want: {want:?}\n  got:  {got:?}"
                ));
            }
            if let Some(help) = &case.want_help
                && !findings
                    .iter()
                    .any(|f| f.help.as_deref().is_some_and(|h| h.contains(help.as_str())))
            {
                return Err(format!("no finding's help contains {help:?}"));
            }
            // The file name states the intent; hold the case to it.
            let rel = path.strip_prefix(cases_dir()).unwrap_or(path);
            let rule = rel.parent().map(|p| p.to_string_lossy().replace('\\', "/"));
            let name = path.file_name().unwrap().to_string_lossy();
            if let Some(rule) = rule.filter(|r| r.contains('/')) {
                let fires = got.iter().any(|w| w.rule == rule);
                if name.starts_with("fires-") && !fires {
                    return Err(format!("a `fires-` case must produce `{rule}`"));
                }
                if name.starts_with("silent-") && fires {
                    return Err(format!("a `silent-` case must not produce `{rule}`"));
                }
            }
            Ok(())
        }
        (None, Some(code)) => match policy.check(&tenant) {
            Ok(f) => Err(format!(
                "expected error `{code}`, got findings {:?}",
                actual(&f)
            )),
            Err(d) => {
                let codes: Vec<String> = d
                    .iter()
                    .filter_map(|r| r.code().map(|c| c.to_string()))
                    .collect();
                let Some(error) = d
                    .iter()
                    .find(|r| r.code().is_some_and(|c| c.to_string() == *code))
                else {
                    return Err(format!("expected error `{code}`, got {codes:?}: {d}"));
                };
                if let Some(want) = &case.want_at {
                    let at = error.labels().and_then(|mut l| l.next()).map(|l| {
                        let before = case.tenant.get(..l.offset()).unwrap_or_default();
                        let line = before.matches('\n').count() + 1;
                        let column = before.len() - before.rfind('\n').map_or(0, |i| i + 1) + 1;
                        format!("{line}:{column}")
                    });
                    if at.as_deref() != Some(want.as_str()) {
                        return Err(format!("`{code}` points at {at:?}, want {want}"));
                    }
                }
                if let Some(want) = &case.want_help {
                    let help = error.help().map(|h| h.to_string()).unwrap_or_default();
                    if !help.contains(want.as_str()) {
                        return Err(format!("the help of `{code}` is {help:?}, want {want:?}"));
                    }
                }
                Ok(())
            }
        },
        _ => Err("a case has exactly one of `want_findings` and `want_error`".into()),
    }
}

#[test]
fn every_case_file_holds() {
    let default = Policy::builtin().unwrap();
    let files = case_files(&cases_dir());
    assert!(
        files.len() >= 14,
        "expected the case corpus, found {} files",
        files.len()
    );
    let failures: Vec<String> = files
        .iter()
        .filter_map(|p| {
            run_case(p, &default)
                .err()
                .map(|e| format!("{}: {e}", p.display()))
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        files.len(),
        failures.join("\n")
    );
}

#[test]
fn every_rule_has_a_firing_and_a_silent_case() {
    let policy = Policy::builtin().unwrap();
    let ids: Vec<String> = policy.registry().ids().map(str::to_owned).collect();
    let mut missing = Vec::new();
    for id in ids {
        let dir = policy_tests_dir().join(&id);
        let names: Vec<String> = std::fs::read_dir(&dir)
            .map(|d| {
                d.flatten()
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default();
        if !names.iter().any(|n| n.starts_with("fires-")) {
            missing.push(format!("{id}: no fires-* test"));
        }
        if !names.iter().any(|n| n.starts_with("silent-")) {
            missing.push(format!("{id}: no silent-* test"));
        }
    }
    assert!(missing.is_empty(), "{}", missing.join("\n"));
}

fn policy_tests_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("policies/tests")
}

/// The `# subject: NAME` note of a line of a policy test (`#` separates the parts of a comment,
/// as `skuld test` reads them); `None` without one.
fn subject_note(line: &str) -> Option<&str> {
    comment_note(line, "subject:")
}

/// The note of a line of a policy test that starts with `key` (`subject:`, `severity:`).
fn comment_note<'l>(line: &'l str, key: &str) -> Option<&'l str> {
    let start = line
        .char_indices()
        .find(|&(i, c)| {
            c == '#'
                && line
                    .get(..i)
                    .is_some_and(|before| before.is_empty() || before.ends_with([' ', '\t']))
        })?
        .0;
    line.get(start..)?
        .split('#')
        .find_map(|part| part.trim().strip_prefix(key))
        .map(str::trim)
}

/// What `skuld test` cannot say about the default policy's own tests (`policies/tests/**/
/// *.test.yaml`), checked here: the subject of each finding is the `# subject:` note of its line
/// (no note: no subject), its severity the `# severity:` note when there is one, and a test
/// named `fires-*` in a rule's folder produces that rule, one named `silent-*` does not. A
/// `# today:` line sets the day, as for `skuld test`. Rule and line are `skuld test`'s
/// (`tests/skuld_test.rs`).
#[test]
fn policy_tests_name_the_subjects_of_their_findings() {
    let policy = Policy::builtin().unwrap();
    let root = policy_tests_dir();
    let files: Vec<PathBuf> = case_files(&root)
        .into_iter()
        .filter(|p| p.to_string_lossy().ends_with(".test.yaml"))
        .collect();
    assert!(files.len() >= 60, "found {} policy tests", files.len());
    let mut noted = 0;
    let mut failures = Vec::new();
    for path in &files {
        let text = std::fs::read_to_string(path).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        let dated = lines
            .iter()
            .find_map(|l| l.trim().strip_prefix("# today:"))
            .map(|d| policy.on_day(d.trim()).unwrap());
        let findings = dated
            .as_ref()
            .unwrap_or(&policy)
            .check(&SourceFile::new(path.display().to_string(), text.clone()))
            .unwrap();
        noted += lines.iter().filter(|l| subject_note(l).is_some()).count();
        let rel = path.strip_prefix(&root).unwrap();
        let rule = rel.parent().map(|p| p.to_string_lossy().replace('\\', "/"));
        for f in &findings {
            let line = f.line_col().0;
            let note = lines.get(line - 1).and_then(|l| subject_note(l));
            if let Some(level) = lines
                .get(line - 1)
                .and_then(|l| comment_note(l, "severity:"))
                && rule.as_deref() == Some(f.rule.as_str())
                && level != f.severity.as_str()
            {
                failures.push(format!(
                    "{}:{line}: `{}` is {}, the line notes {level}",
                    path.display(),
                    f.rule,
                    f.severity.as_str()
                ));
            }
            if note != f.subject.as_deref() {
                failures.push(format!(
                    "{}:{line}: `{}` has subject {:?}, the line notes {note:?}",
                    path.display(),
                    f.rule,
                    f.subject
                ));
            }
        }
        let name = path.file_name().unwrap().to_string_lossy();
        if let Some(rule) = rule.filter(|r| r.contains('/')) {
            let fires = findings.iter().any(|f| f.rule == rule);
            if name.starts_with("fires-") && !fires {
                failures.push(format!(
                    "{}: a `fires-` test must produce `{rule}`",
                    path.display()
                ));
            }
            if name.starts_with("silent-") && fires {
                failures.push(format!(
                    "{}: a `silent-` test must not produce `{rule}`",
                    path.display()
                ));
            }
        }
    }
    assert!(noted >= 40, "only {noted} `# subject:` notes");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn examples_produce_their_documented_findings() {
    let policy = Policy::builtin().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    let clean = SourceFile::new(
        "clean.yaml",
        std::fs::read_to_string(root.join("clean.yaml")).unwrap(),
    );
    assert_eq!(
        actual(&policy.check(&clean).unwrap()),
        vec![],
        "examples/clean.yaml must be clean"
    );

    let problems = SourceFile::new(
        "problems.yaml",
        std::fs::read_to_string(root.join("problems.yaml")).unwrap(),
    );
    let expected_path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/examples/problems.expected.yaml");
    let expected: Expected = serde_json::from_value(
        crate::yaml::to_json(&std::fs::read_to_string(expected_path).unwrap()).unwrap(),
    )
    .unwrap();
    let mut want = expected.want_findings;
    want.sort();
    assert_eq!(actual(&policy.check(&problems).unwrap()), want);
}
