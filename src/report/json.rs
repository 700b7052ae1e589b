//! The contract's JSON document:
//! `{"findings":[{"rule","severity","message","file","line","column","subject"?}],"summary":{"errors","warnings"}}`,
//! with additive fields: each finding's `fingerprint` (what `--baseline` matches), a `waived`
//! list when waivers accepted findings (each with its `waiver`), and `summary.waived` and, with
//! `--baseline`, `summary.known`.

use serde::Serialize;

use super::{Run, Summary};
use crate::diagnostics::{Finding, Severity};
use crate::triage::waivers::{Date, Kind, Waived};

#[derive(Serialize)]
struct Document<'a> {
    findings: Vec<JsonFinding<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    waived: Vec<JsonWaived<'a>>,
    summary: JsonSummary,
}

#[derive(Serialize)]
struct JsonSummary {
    #[serde(flatten)]
    counts: Summary,
    waived: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    known: Option<usize>,
}

/// One finding as the contract's JSON document shows it (also used by `check --compare`).
#[derive(Serialize)]
pub(crate) struct JsonFinding<'a> {
    rule: &'a str,
    severity: Severity,
    message: &'a str,
    file: &'a str,
    line: usize,
    column: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    subject: Option<&'a str>,
    fingerprint: String,
}

#[derive(Serialize)]
struct JsonWaived<'a> {
    #[serde(flatten)]
    finding: JsonFinding<'a>,
    waiver: JsonWaiver<'a>,
}

#[derive(Serialize)]
struct JsonWaiver<'a> {
    reason: &'a str,
    expires: Date,
    kind: Kind,
    at: &'a str,
}

pub(crate) fn finding(f: &Finding) -> JsonFinding<'_> {
    let (line, column) = f.line_col();
    JsonFinding {
        rule: &f.rule,
        severity: f.severity,
        message: &f.message,
        file: f.file.name(),
        line,
        column,
        subject: f.subject.as_deref(),
        fingerprint: crate::triage::identity::of(f),
    }
}

/// Renders findings alone as one JSON document (pretty-printed, with a final newline).
pub fn render(findings: &[Finding]) -> String {
    document(findings, &[], None)
}

/// Renders a run: its findings, waived findings and counts.
pub fn render_run(run: &Run<'_>) -> String {
    document(&run.findings, &run.waived, run.known)
}

fn document(findings: &[Finding], waived: &[Waived], known: Option<usize>) -> String {
    let doc = Document {
        findings: findings.iter().map(finding).collect(),
        waived: waived
            .iter()
            .map(|w| JsonWaived {
                finding: finding(&w.finding),
                waiver: JsonWaiver {
                    reason: &w.reason,
                    expires: w.expires,
                    kind: w.kind,
                    at: &w.waiver,
                },
            })
            .collect(),
        summary: JsonSummary {
            counts: Summary::of(findings),
            waived: waived.len(),
            known,
        },
    };
    let mut out = serde_json::to_string_pretty(&doc)
        .unwrap_or_else(|e| format!("{{\"error\":\"cannot serialise findings: {e}\"}}"));
    out.push('\n');
    out
}

#[derive(Serialize)]
struct DiffDocument<'a> {
    introduced: Vec<JsonFinding<'a>>,
    fixed: Vec<JsonFinding<'a>>,
    summary: DiffSummary,
}

#[derive(Serialize)]
struct DiffSummary {
    introduced: usize,
    fixed: usize,
    waived: usize,
    /// Counts of the introduced findings.
    #[serde(flatten)]
    counts: Summary,
}

/// Renders `skuld diff`: `{"introduced":[…],"fixed":[…],"summary":{"introduced","fixed",
/// "waived","errors","warnings"}}`, findings as in the check document (errors and warnings count the
/// introduced findings).
pub fn render_diff(diff: &crate::triage::diff::Diff) -> String {
    let doc = DiffDocument {
        introduced: diff.introduced.iter().map(finding).collect(),
        fixed: diff.fixed.iter().map(finding).collect(),
        summary: DiffSummary {
            introduced: diff.introduced.len(),
            fixed: diff.fixed.len(),
            waived: diff.waived,
            counts: Summary::of(&diff.introduced),
        },
    };
    let mut out = serde_json::to_string_pretty(&doc)
        .unwrap_or_else(|e| format!("{{\"error\":\"cannot serialise the diff: {e}\"}}"));
    out.push('\n');
    out
}
