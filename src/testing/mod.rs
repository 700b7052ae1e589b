//! Policy tests (`skuld test`): tenant files whose `# expect: RULE-ID` comments state the
//! findings the policy must produce, on the very line each finding points at; and rule coverage.
//!
//! Two kinds of test file, told apart by name:
//! - `*.test.yaml`: one tenant, one test;
//! - `*.skuld-test.yaml`: a suite, several tenants separated by `---` lines (YAML documents), each
//!   one test, named by a `# case: NAME` comment.
//!
//! Line numbers are always those of the test file itself, so a failure or a `--bless` points at
//! the line to edit.

pub(crate) mod expect;

use std::collections::BTreeSet;

use crate::diagnostics::Diagnostics;
use crate::diagnostics::Finding;
use crate::source::SourceFile;
use crate::tenant::{self, Limits};
use crate::{Policy, eval};

/// File name endings of single-tenant tests.
pub const TEST_SUFFIXES: &[&str] = &[".test.yaml", ".test.yml"];
/// File name endings of suites.
pub const SUITE_SUFFIXES: &[&str] = &[".skuld-test.yaml", ".skuld-test.yml"];

/// What kind of test file a name is, if any.
pub fn kind_of(file_name: &str) -> Option<FileKind> {
    if SUITE_SUFFIXES.iter().any(|s| file_name.ends_with(s)) {
        Some(FileKind::Suite)
    } else if TEST_SUFFIXES.iter().any(|s| file_name.ends_with(s)) {
        Some(FileKind::Single)
    } else {
        None
    }
}

/// One tenant per file, or a suite of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// `*.test.yaml`
    Single,
    /// `*.skuld-test.yaml`
    Suite,
}

/// A finding as a test states it: the line it points at and the rule.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Expectation {
    /// 1-based line of the test file.
    pub line: usize,
    /// Rule id.
    pub rule: String,
}

/// One test: a tenant and the findings it must produce.
#[derive(Debug, Clone)]
pub struct TestCase {
    /// Shown in the output: the file's name, plus `::CASE` in a suite.
    pub name: String,
    /// The tenant. In a suite, the lines of the other cases are blanked, so that line numbers
    /// stay those of the file.
    pub tenant: SourceFile,
    /// Expected findings, sorted.
    pub expected: Vec<Expectation>,
    /// `# today: YYYY-MM-DD`: the day the test is evaluated on (rules that count days), over
    /// `SKULD_TODAY` and the clock; `Err` holds a value that is not a date.
    pub today: Option<Result<crate::date::Date, String>>,
}

/// The tests of one file (`name` is how the file is shown).
pub fn cases(name: &str, text: &str, kind: FileKind) -> Vec<TestCase> {
    let expected = expect::expectations(text);
    let single = |tenant: SourceFile, case: String, lines: std::ops::Range<usize>| {
        let mut exp: Vec<Expectation> = expected
            .iter()
            .filter(|(l, _)| lines.contains(l))
            .map(|(line, rule)| Expectation {
                line: *line,
                rule: rule.clone(),
            })
            .collect();
        exp.sort();
        let today = text
            .split('\n')
            .enumerate()
            .filter(|(i, _)| lines.contains(&(i + 1)))
            .find_map(|(_, l)| today_of(l))
            .map(|d| crate::date::Date::parse(d).ok_or_else(|| d.to_owned()));
        TestCase {
            name: case,
            tenant,
            expected: exp,
            today,
        }
    };
    match kind {
        FileKind::Single => vec![single(
            SourceFile::new(name, text),
            name.to_owned(),
            1..usize::MAX,
        )],
        FileKind::Suite => {
            let lines: Vec<&str> = text.split('\n').collect();
            let mut out = Vec::new();
            let mut start = 0;
            for end in (0..=lines.len())
                .filter(|&i| i == lines.len() || lines.get(i).is_some_and(|l| is_document_start(l)))
            {
                let chunk = lines.get(start..end).unwrap_or(&[]);
                if chunk.iter().any(|l| is_content(l)) {
                    let blanked: Vec<&str> = lines
                        .iter()
                        .enumerate()
                        .map(|(i, l)| if (start..end).contains(&i) { *l } else { "" })
                        .collect();
                    let case = chunk
                        .iter()
                        .find_map(|l| case_name(l))
                        .unwrap_or_else(|| format!("#{}", out.len() + 1));
                    out.push(single(
                        SourceFile::new(name, blanked.join("\n")),
                        format!("{name}::{case}"),
                        start + 1..end + 1,
                    ));
                }
                start = end + 1;
            }
            out
        }
    }
}

/// `---` at the start of a line: a new YAML document.
fn is_document_start(line: &str) -> bool {
    let l = line.trim_end();
    l == "---" || l.starts_with("--- ")
}

/// A line that is neither blank nor a comment.
fn is_content(line: &str) -> bool {
    let t = line.trim_start();
    !t.is_empty() && !t.starts_with('#')
}

/// `# case: NAME`
fn case_name(line: &str) -> Option<String> {
    let name = line
        .trim_start()
        .strip_prefix('#')?
        .trim_start()
        .strip_prefix("case:")?
        .trim();
    (!name.is_empty()).then(|| name.to_owned())
}

/// `# today: YYYY-MM-DD` (a whole-line comment): the value.
pub fn today_of(line: &str) -> Option<&str> {
    line.trim_start()
        .strip_prefix('#')?
        .trim_start()
        .strip_prefix("today:")
        .map(str::trim)
}

/// A test's `# today:` that is not a date.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error("`# today: {value}` is not a date")]
#[diagnostic(
    code("skuld::test::bad-today"),
    help("write the day the test is evaluated on as YYYY-MM-DD, e.g. `# today: 2026-12-08`")
)]
struct BadToday {
    value: String,
}

/// The result of running one test.
#[derive(Debug)]
pub struct Outcome {
    /// The findings the policy produced (empty when the tenant did not load).
    pub findings: Vec<Finding>,
    /// The same, as expectations, sorted.
    pub actual: Vec<Expectation>,
    /// Why the tenant could not be evaluated.
    pub error: Option<Diagnostics>,
    /// Per rule of the policy (declaration order), how many elements its `for` clause selected.
    pub selected: Vec<usize>,
}

impl Outcome {
    /// True when the tenant loaded and the findings are exactly the expected ones.
    pub fn passed(&self, case: &TestCase) -> bool {
        self.error.is_none() && self.actual == case.expected
    }
}

/// Runs one test.
pub fn run(policy: &Policy, case: &TestCase) -> Outcome {
    let dated;
    let policy = match &case.today {
        None => policy,
        Some(Ok(today)) => {
            dated = policy.on(*today);
            &dated
        }
        Some(Err(value)) => {
            return Outcome {
                findings: Vec::new(),
                actual: Vec::new(),
                error: Some(Diagnostics::single(BadToday {
                    value: value.clone(),
                })),
                selected: Vec::new(),
            };
        }
    };
    match policy.load_tenant(&case.tenant, &Limits::default()) {
        Err(error) => Outcome {
            findings: Vec::new(),
            actual: Vec::new(),
            error: Some(error),
            selected: Vec::new(),
        },
        Ok(doc) => {
            let findings = policy.evaluate(&doc);
            let mut scratch = Vec::new();
            let model = tenant::model::TenantModel::derive(&doc, policy.catalog(), &mut scratch);
            let selected = eval::trace::selected_counts(policy, &model);
            let mut actual: Vec<Expectation> = findings
                .iter()
                .map(|f| Expectation {
                    line: f.line_col().0,
                    rule: f.rule.clone(),
                })
                .collect();
            actual.sort();
            Outcome {
                findings,
                actual,
                error: None,
                selected,
            }
        }
    }
}

/// One line of a failure's diff.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DiffLine {
    /// Expected and found.
    Same(Expectation),
    /// Expected, not found.
    Missing(Expectation),
    /// Found, not expected.
    Unexpected(Expectation),
}

/// Expected against actual, in line order (both lists sorted; duplicates count).
pub fn diff(expected: &[Expectation], actual: &[Expectation]) -> Vec<DiffLine> {
    let mut out = Vec::new();
    let (mut e, mut a) = (expected.iter().peekable(), actual.iter().peekable());
    loop {
        match (e.peek(), a.peek()) {
            (Some(x), Some(y)) if x == y => {
                out.push(DiffLine::Same((*x).clone()));
                e.next();
                a.next();
            }
            (Some(x), Some(y)) if x < y => {
                out.push(DiffLine::Missing((*x).clone()));
                e.next();
            }
            (Some(_), Some(y)) | (None, Some(y)) => {
                out.push(DiffLine::Unexpected((*y).clone()));
                a.next();
            }
            (Some(x), None) => {
                out.push(DiffLine::Missing((*x).clone()));
                e.next();
            }
            (None, None) => break,
        }
    }
    out
}

/// The text of a test file with its `# expect:` comments rewritten from the actual findings of
/// its tests (`runs`: each test of the file with its outcome). Everything but those comments is
/// left byte for byte; blessing twice changes nothing.
pub fn bless(text: &str, runs: &[(&TestCase, &Outcome)]) -> String {
    let mut by_line: std::collections::BTreeMap<usize, Vec<String>> = Default::default();
    for (_, outcome) in runs {
        for f in &outcome.findings {
            by_line
                .entry(f.line_col().0)
                .or_default()
                .push(f.rule.clone());
        }
    }
    expect::rewrite(text, &|line| {
        by_line.get(&line).cloned().unwrap_or_default()
    })
}

/// How often each rule fired and stayed silent across the tests.
#[derive(Debug, Clone)]
pub struct Coverage {
    /// The rules counted, in declaration order: those of [`Coverage::files`]; or, when the
    /// policy is only the embedded one, every rule of it, then the built-in `tenant/*` checks.
    pub rules: Vec<RuleCoverage>,
    /// The policy files under test (not `builtin:`), whose rules are counted; empty when the
    /// policy is only the embedded one (its own tests cover all of it).
    pub files: Vec<String>,
}

/// One rule's coverage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleCoverage {
    /// Rule id.
    pub rule: String,
    /// Tests in which it produced at least one finding.
    pub fired: usize,
    /// Tests in which it was exercised and produced none: for a policy rule, its `for … where`
    /// clause selected at least one element; for a built-in `tenant/*` check, the tenant loaded.
    pub silent: usize,
}

impl RuleCoverage {
    /// Fired in some test and stayed silent in another.
    pub fn covered(&self) -> bool {
        self.fired > 0 && self.silent > 0
    }

    /// Neither fired nor was exercised in any test.
    pub fn unexercised(&self) -> bool {
        self.fired == 0 && self.silent == 0
    }
}

impl Coverage {
    /// Coverage over the outcomes of tests that loaded, of the rules under test: a policy
    /// author's tests of `my.skuld` are measured against the rules of `my.skuld`, not the
    /// default policy's (whose own tests cover those).
    pub fn of<'a>(policy: &Policy, outcomes: impl IntoIterator<Item = &'a Outcome>) -> Self {
        let registry = policy.registry();
        // Not shipped: a rule of a policy file the command was given (not `builtin:`).
        let own = |e: &crate::registry::RuleEntry<'_>| !e.shipped;
        let files: Vec<String> = policy
            .files()
            .iter()
            .map(SourceFile::name)
            .filter(|n| !n.starts_with("builtin:"))
            .map(str::to_owned)
            .collect();
        let scoped = registry.iter().any(own);
        // (index in the registry, coverage): the index is the rule's in `Outcome::selected`.
        let mut rules: Vec<(usize, RuleCoverage)> = registry
            .iter()
            .enumerate()
            .filter(|(_, e)| !scoped || own(e))
            .map(|(i, e)| {
                (
                    i,
                    RuleCoverage {
                        rule: e.id.to_owned(),
                        fired: 0,
                        silent: 0,
                    },
                )
            })
            .collect();
        let policy_rules = policy.rules().len();
        for o in outcomes.into_iter().filter(|o| o.error.is_none()) {
            let fired: BTreeSet<&str> = o.findings.iter().map(|f| f.rule.as_str()).collect();
            for (i, r) in &mut rules {
                if fired.contains(r.rule.as_str()) {
                    r.fired += 1;
                } else if *i >= policy_rules || o.selected.get(*i).is_some_and(|&n| n > 0) {
                    r.silent += 1;
                }
            }
        }
        Coverage {
            rules: rules.into_iter().map(|(_, r)| r).collect(),
            files: if scoped { files } else { Vec::new() },
        }
    }

    /// Rules that fired in some test and stayed silent in another.
    pub fn covered(&self) -> usize {
        self.rules.iter().filter(|r| r.covered()).count()
    }

    /// The covered share of the rules, in percent (100 for no rules).
    pub fn percent(&self) -> f64 {
        if self.rules.is_empty() {
            100.0
        } else {
            self.covered() as f64 * 100.0 / self.rules.len() as f64
        }
    }
}
