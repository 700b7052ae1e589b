//! Baselines: `skuld check --baseline FINDINGS.json` reports only the findings that are not in a
//! report written earlier with `--format json`, so that a pull request is judged on what it adds.
//!
//! Findings are matched by file and fingerprint (rule id + subject, the fingerprint SARIF
//! carries), never by line: moving a user in the YAML keeps it known. Each baseline entry
//! matches one finding, so a second identical finding is new.

use std::collections::HashMap;
use std::path::Path;

use super::identity;
use crate::diagnostics::Finding;
use crate::diagnostics::Problem;
use crate::source::{SourceFile, Span};

const CODE: &str = "skuld::baseline";

/// The findings of a baseline report, by (file, fingerprint), with how many of each.
#[derive(Debug, Clone, Default)]
pub struct Baseline {
    known: HashMap<(String, String), usize>,
}

impl Baseline {
    /// Reads a `--format json` report. Reports without `fingerprint` fields (older skuld) work
    /// too: the fingerprint is computed from `rule` and `subject` (or `message`).
    pub fn parse(source: &SourceFile, root: Option<&Path>) -> Result<Baseline, Problem> {
        let problem = |message: String, span: Span, label: &str| {
            Problem::new(CODE, message, source, span, label).with_help(Some(
                "a baseline is the output of `skuld check --format json`".to_owned(),
            ))
        };
        let doc: serde_json::Value = serde_json::from_str(source.text()).map_err(|e| {
            let offset = offset_of(source, e.line(), e.column());
            problem(
                format!("the baseline is not JSON: {e}"),
                Span::new(offset, offset),
                "here",
            )
        })?;
        let whole = Span::new(0, source.text().len().min(1));
        let Some(findings) = doc.get("findings").and_then(|f| f.as_array()) else {
            return Err(problem(
                "the baseline has no `findings` list".to_owned(),
                whole,
                "expected `{\"findings\": [...], ...}`",
            ));
        };
        let mut known: HashMap<(String, String), usize> = HashMap::new();
        for (i, f) in findings.iter().enumerate() {
            let field = |k: &str| f.get(k).and_then(|v| v.as_str());
            let (Some(rule), Some(file)) = (field("rule"), field("file")) else {
                return Err(problem(
                    format!("finding {} of the baseline has no `rule` or `file`", i + 1),
                    whole,
                    "in this file",
                ));
            };
            let fp = match field("fingerprint") {
                Some(fp) => fp.to_owned(),
                None => {
                    identity::fingerprint(rule, field("subject").or(field("message")).unwrap_or(""))
                }
            };
            *known
                .entry((crate::source::repo_path(file, root), fp))
                .or_default() += 1;
        }
        Ok(Baseline { known })
    }

    /// The findings not in the baseline, and how many were left out as known.
    pub fn filter(&self, findings: Vec<Finding>, root: Option<&Path>) -> (Vec<Finding>, usize) {
        let (new, known) = self.filter_in(findings, root, None);
        (new, known.len())
    }

    /// The findings of a version of the tenant file `tenant` read from elsewhere (`skuld
    /// diff`'s old version, a copy written by `git show`), matched as if they were in `tenant`:
    /// those not in the baseline, and those it knows.
    pub fn filter_as(
        &self,
        findings: Vec<Finding>,
        root: Option<&Path>,
        tenant: &str,
    ) -> (Vec<Finding>, Vec<Finding>) {
        self.filter_in(findings, root, Some(tenant))
    }

    fn filter_in(
        &self,
        findings: Vec<Finding>,
        root: Option<&Path>,
        tenant: Option<&str>,
    ) -> (Vec<Finding>, Vec<Finding>) {
        let mut left = self.known.clone();
        let tenant = tenant.map(|t| crate::source::repo_path(t, root));
        findings.into_iter().partition(|f| {
            let file = match &tenant {
                Some(t) => t.clone(),
                None => crate::source::repo_path(f.file.name(), root),
            };
            let key = (file, identity::of(f));
            match left.get_mut(&key) {
                Some(n) if *n > 0 => {
                    *n -= 1;
                    false
                }
                _ => true,
            }
        })
    }
}

/// A baseline that names none of the files checked: every finding counts as new, which is
/// almost always a baseline written from another folder (paths differ) or for other files.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error(
    "the baseline names none of the files checked: it names {baseline}, this run checked {checked}"
)]
#[diagnostic(code("skuld::baseline::no-match"), severity(Warning))]
pub struct NoFileMatches {
    baseline: String,
    checked: String,
    #[help]
    help: String,
}

impl Baseline {
    /// Why nothing of the baseline can match: `Some` when it holds findings but none for the
    /// files checked (named as reports name them, relative to `root`).
    pub fn no_file_matches(&self, checked: &[&str], root: Option<&Path>) -> Option<NoFileMatches> {
        let ours: std::collections::BTreeSet<String> = checked
            .iter()
            .map(|n| crate::source::repo_path(n, root))
            .collect();
        let theirs: std::collections::BTreeSet<&str> =
            self.known.keys().map(|(f, _)| f.as_str()).collect();
        if theirs.is_empty() || ours.is_empty() || theirs.iter().any(|f| ours.contains(*f)) {
            return None;
        }
        let list = |names: Vec<&str>| {
            let more = names.len().saturating_sub(3);
            let mut s = names
                .iter()
                .take(3)
                .map(|n| format!("`{n}`"))
                .collect::<Vec<_>>()
                .join(", ");
            if more > 0 {
                s.push_str(&format!(" and {more} more"));
            }
            s
        };
        let help = if theirs.iter().any(|t| {
            ours.iter()
                .any(|o| t.ends_with(o.as_str()) || o.ends_with(*t))
        }) {
            "the file names differ only in their folders: run `skuld check` from the folder the              baseline was written in, with the same paths"
        } else {
            "write the baseline with `skuld check --format json` over the same files, from the              same folder"
        };
        Some(NoFileMatches {
            baseline: list(theirs.into_iter().collect()),
            checked: list(ours.iter().map(String::as_str).collect()),
            help: help.to_owned(),
        })
    }
}

/// The byte offset of a 1-based line and column (serde_json's), clamped to the text.
fn offset_of(source: &SourceFile, line: usize, column: usize) -> usize {
    let text = source.text();
    let start: usize = text
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum();
    (start + column.saturating_sub(1)).min(text.len())
}
