//! `skuld test`: each test file's outcome (expected and actual findings as a diff), coverage
//! and blessed files, as text or JSON.

use std::fmt::Write as _;

use serde_json::json;

use crate::report::human;
use crate::testing::{self, Coverage, DiffLine, Expectation, Outcome, TestCase};

fn location(case: &TestCase, e: &Expectation) -> String {
    format!("{}:{} {}", case.tenant.name(), e.line, e.rule)
}

/// The text report: each failing test file with its expected/actual diff, then coverage and
/// the summary.
pub fn human(
    all: &[(&TestCase, &Outcome)],
    passed: &dyn Fn(&TestCase, &Outcome) -> bool,
    coverage: Option<&Coverage>,
    min_coverage: Option<f64>,
    blessed: &[String],
    ids: &crate::registry::Registry<'_>,
) -> String {
    let mut out = String::new();
    let n = all.len();
    let _ = writeln!(out, "running {n} test{}", if n == 1 { "" } else { "s" });
    for (case, outcome) in all {
        let status = if passed(case, outcome) {
            "ok"
        } else {
            "FAILED"
        };
        let _ = writeln!(out, "test {} ... {status}", case.name);
    }
    let failures: Vec<_> = all.iter().filter(|(c, o)| !passed(c, o)).collect();
    if !failures.is_empty() {
        out.push_str("\nfailures:\n");
        for (case, outcome) in &failures {
            let _ = writeln!(out, "\n---- {} ----", case.name);
            if let Some(errors) = &outcome.error {
                out.push_str("the tenant could not be loaded:\n");
                for e in errors.iter() {
                    human::render_diagnostic(e.as_ref(), human::Style::plain(), &mut out);
                }
                continue;
            }
            out.push_str("findings: - expected but not found, + found but not expected\n");
            for line in testing::diff(&case.expected, &outcome.actual) {
                match line {
                    DiffLine::Same(e) => {
                        let _ = writeln!(out, "    {}", location(case, &e));
                    }
                    DiffLine::Missing(e) => {
                        let _ = writeln!(out, "  - {}", location(case, &e));
                        if let Err(unknown) = ids.lookup(&e.rule) {
                            let hint = unknown.help("`skuld rules` lists the rules");
                            let _ = writeln!(out, "      no rule has this id; {hint}");
                        }
                    }
                    DiffLine::Unexpected(e) => {
                        let _ = writeln!(out, "  + {}", location(case, &e));
                        if let Some(f) = outcome
                            .findings
                            .iter()
                            .find(|f| f.rule == e.rule && f.line_col().0 == e.line)
                        {
                            let _ = writeln!(out, "      {}", f.message);
                        }
                    }
                }
            }
        }
        out.push_str("\nfailures:\n");
        for (case, _) in &failures {
            let _ = writeln!(out, "    {}", case.name);
        }
    }
    for f in blessed {
        let _ = writeln!(out, "\nblessed {f}");
    }
    if let Some(c) = coverage {
        let _ = writeln!(
            out,
            "\nrule coverage{} (tests in which each rule fired / was exercised and stayed silent):",
            of_files(&c.files)
        );
        let width = c.rules.iter().map(|r| r.rule.len()).max().unwrap_or(0);
        let _ = writeln!(out, "  {:width$}  fired  silent", "rule");
        for r in &c.rules {
            let mark = if r.covered() {
                ""
            } else if r.unexercised() {
                "  never exercised"
            } else if r.fired == 0 {
                "  never fires"
            } else {
                "  never silent"
            };
            let _ = writeln!(
                out,
                "  {:width$}  {:>5}  {:>6}{mark}",
                r.rule, r.fired, r.silent
            );
        }
        let never: Vec<&str> = c
            .rules
            .iter()
            .filter(|r| r.unexercised())
            .map(|r| r.rule.as_str())
            .collect();
        if !never.is_empty() {
            let _ = writeln!(out, "never exercised: {}", never.join(", "));
        }
        let _ = write!(
            out,
            "coverage{}: {} of {} rules fire in some test and stay silent in another ({:.1}%)",
            of_files(&c.files),
            c.covered(),
            c.rules.len(),
            c.percent()
        );
        match min_coverage {
            Some(min) if c.percent() < min => {
                let _ = write!(out, ", below the minimum of {min}%");
            }
            _ => {}
        }
        out.push('\n');
    }
    let failed = failures.len();
    let _ = writeln!(
        out,
        "\ntest result: {}. {} passed, {failed} failed",
        if failed == 0 { "ok" } else { "FAILED" },
        all.len() - failed
    );
    out
}

/// ` of the rules in a.skuld, b.skuld` when coverage counts the rules of the files under test
/// only; nothing when it counts the whole (embedded) policy.
fn of_files(files: &[String]) -> String {
    if files.is_empty() {
        String::new()
    } else {
        format!(" of the rules in {}", files.join(", "))
    }
}

/// The JSON report: one object per test file, coverage and the summary.
pub fn json(
    all: &[(&TestCase, &Outcome)],
    passed: &dyn Fn(&TestCase, &Outcome) -> bool,
    coverage: Option<&Coverage>,
    min_coverage: Option<f64>,
    blessed: &[String],
) -> String {
    let exp = |case: &TestCase, v: &[&Expectation]| {
        v.iter()
            .map(|e| json!({"file": case.tenant.name(), "line": e.line, "rule": e.rule}))
            .collect::<Vec<_>>()
    };
    let tests: Vec<_> = all
        .iter()
        .map(|(case, outcome)| {
            let diff = testing::diff(&case.expected, &outcome.actual);
            let missing: Vec<&Expectation> = diff
                .iter()
                .filter_map(|d| match d {
                    DiffLine::Missing(e) => Some(e),
                    _ => None,
                })
                .collect();
            let unexpected: Vec<&Expectation> = diff
                .iter()
                .filter_map(|d| match d {
                    DiffLine::Unexpected(e) => Some(e),
                    _ => None,
                })
                .collect();
            let error = outcome.error.as_ref().map(|errors| {
                errors
                    .iter()
                    .map(|e| {
                        let mut s = String::new();
                        human::render_diagnostic(e.as_ref(), human::Style::plain(), &mut s);
                        s
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            });
            json!({
                "name": case.name,
                "file": case.tenant.name(),
                "passed": passed(case, outcome),
                "expected": exp(case, &case.expected.iter().collect::<Vec<_>>()),
                "actual": exp(case, &outcome.actual.iter().collect::<Vec<_>>()),
                "missing": exp(case, &missing),
                "unexpected": exp(case, &unexpected),
                "error": error,
            })
        })
        .collect();
    let failed = all.iter().filter(|(c, o)| !passed(c, o)).count();
    let coverage = coverage.map(|c| {
        json!({
            "rules": c.rules.iter().map(|r| json!({
                "rule": r.rule,
                "fired": r.fired,
                "silent": r.silent,
                "covered": r.covered(),
            })).collect::<Vec<_>>(),
            "files": c.files,
            "covered": c.covered(),
            "total": c.rules.len(),
            "percent": c.percent(),
            "min_percent": min_coverage,
        })
    });
    let doc = json!({
        "tests": tests,
        "passed": all.len() - failed,
        "failed": failed,
        "blessed": blessed,
        "coverage": coverage,
    });
    let mut s = serde_json::to_string_pretty(&doc).unwrap_or_default();
    s.push('\n');
    s
}
