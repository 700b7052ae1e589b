//! The contract's JSON document:
//! `{"findings":[{"rule","severity","message","file","line","column","subject"?}],"summary":{"errors","warnings"}}`,
//! with additive fields: each finding's `fingerprint` (what `--baseline` matches), a `waived`
//! list when waivers accepted findings (each with its `waiver`), and `summary.waived` and, with
//! `--baseline`, `summary.known`; `policy` (the policy and SSPR matrix applied) for a run.

use serde::Serialize;

use super::{Run, RunError, Summary};
use crate::date::Date;
use crate::diagnostics::{Finding, Severity};
use crate::tenant::seats::SkuSeats;
use crate::triage::waivers::{Kind, Waived};

#[derive(Serialize)]
struct Document<'a> {
    findings: Vec<JsonFinding<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    waived: Vec<JsonWaived<'a>>,
    summary: JsonSummary,
    /// Contract v2: every error that stopped a file (or the run).
    errors: Vec<JsonError>,
    /// Expired and unused waivers: warnings that stop nothing.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    notes: Vec<JsonError>,
    /// The tenant files checked, in order, with their seat use.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tenants: Vec<JsonTenant<'a>>,
    /// Every rule of the run, with its documentation.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    rules: Vec<JsonRule<'a>>,
    /// Per file and rule, the findings the per-rule cap left out (counted, not listed).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    omitted: Vec<JsonOmitted<'a>>,
    /// What the config in force turns off or changes, one sentence each (issue 23).
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    overrides: &'a [String],
    /// The policy applied: default or not, its SSPR matrix and the others to choose from, the
    /// user's policy files.
    #[serde(skip_serializing_if = "Option::is_none")]
    policy: Option<&'a crate::policies::PolicyEdition>,
}

#[derive(Serialize)]
struct JsonOmitted<'a> {
    file: &'a str,
    rule: &'a str,
    severity: Severity,
    count: usize,
    /// Findings kept per rule and file.
    limit: usize,
}

/// An error as contract v2 shows it: `{"file","line"?,"column"?,"code","message","help"?}`.
#[derive(Serialize)]
struct JsonError {
    file: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    line: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    column: Option<usize>,
    code: String,
    message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    help: Option<String>,
}

impl JsonError {
    fn of(e: &RunError) -> Self {
        let loc = e.location();
        JsonError {
            file: loc.file,
            line: loc.position.map(|p| p.0),
            column: loc.position.map(|p| p.1),
            code: e.code(),
            message: e.report.to_string(),
            help: e.help(),
        }
    }
}

#[derive(Serialize)]
struct JsonTenant<'a> {
    file: &'a str,
    loaded: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    seats: Option<&'a [SkuSeats]>,
    /// With `prices:` in the config.
    #[serde(skip_serializing_if = "Option::is_none")]
    cost: Option<&'a crate::triage::cost::Cost>,
}

#[derive(Serialize)]
struct JsonRule<'a> {
    id: &'a str,
    /// The default severity.
    severity: Severity,
    /// Every severity its findings can have, the default first.
    severities: Vec<Severity>,
    summary: &'a str,
    docs: &'a str,
    shipped: bool,
    /// Findings of this rule in the run (the listed ones and those the cap left out).
    count: usize,
    /// Of those, left out by the per-rule cap.
    #[serde(skip_serializing_if = "is_zero")]
    omitted: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
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
    /// Text of the primary label.
    #[serde(skip_serializing_if = "Option::is_none")]
    label: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    help: Option<&'a str>,
    /// The secondary labels, as the human output shows them.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related: Vec<JsonRelated<'a>>,
}

#[derive(Serialize)]
struct JsonRelated<'a> {
    file: &'a str,
    line: usize,
    column: usize,
    message: &'a str,
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
        label: f.label.as_deref(),
        help: f.help.as_deref(),
        related: f
            .related
            .iter()
            .map(|(span, message)| {
                let (line, column) = f.file.line_col(span.start as usize);
                JsonRelated {
                    file: f.file.name(),
                    line,
                    column,
                    message,
                }
            })
            .collect(),
    }
}

/// Renders findings alone as one JSON document (pretty-printed, with a final newline).
#[cfg(test)]
pub fn render(findings: &[Finding]) -> String {
    finish(&document(findings, &[], None))
}

/// Renders a run: its findings, waived findings, counts, errors, tenant files with their seat
/// use, and rules.
pub fn render_run(run: &Run<'_>) -> String {
    finish(&run_document(run))
}

/// The run's document as a JSON value: what the HTML report embeds and lays out.
pub(crate) fn run_value(run: &Run<'_>) -> serde_json::Value {
    serde_json::to_value(run_document(run)).unwrap_or(serde_json::Value::Null)
}

fn run_document<'a>(run: &'a Run<'_>) -> Document<'a> {
    let mut doc = document(&run.findings, &run.waived, run.known);
    doc.errors = run.errors.iter().map(JsonError::of).collect();
    doc.notes = run.notes.iter().map(JsonError::of).collect();
    doc.overrides = &run.overrides;
    doc.policy = Some(&run.policy);
    doc.tenants = run
        .files
        .iter()
        .map(|f| JsonTenant {
            file: &f.name,
            loaded: f.loaded,
            seats: f.seats.as_deref(),
            cost: f.cost.as_ref(),
        })
        .collect();
    doc.summary.counts = run.summary();
    let mut per_rule: std::collections::HashMap<&str, (usize, usize)> =
        std::collections::HashMap::new();
    for f in &run.findings {
        per_rule.entry(&f.rule).or_default().0 += 1;
    }
    for o in &run.omitted {
        let n = per_rule.entry(&o.rule).or_default();
        n.0 += o.count;
        n.1 += o.count;
    }
    doc.rules = run
        .rules
        .iter()
        .map(|r| {
            let (count, omitted) = per_rule.get(r.id).copied().unwrap_or_default();
            JsonRule {
                id: r.id,
                severity: r.severity(),
                severities: r.severities.all().collect(),
                summary: r.summary,
                docs: r.docs.trim(),
                shipped: r.shipped,
                count,
                omitted,
            }
        })
        .collect();
    doc.omitted = run
        .omitted
        .iter()
        .map(|o| JsonOmitted {
            file: &o.file,
            rule: &o.rule,
            severity: o.severity,
            count: o.count,
            limit: o.cap,
        })
        .collect();
    doc
}

fn finish(doc: &Document<'_>) -> String {
    let mut out = serde_json::to_string_pretty(doc)
        .unwrap_or_else(|e| format!("{{\"error\":\"cannot serialise findings: {e}\"}}"));
    out.push('\n');
    out
}

fn document<'a>(
    findings: &'a [Finding],
    waived: &'a [Waived],
    known: Option<usize>,
) -> Document<'a> {
    Document {
        overrides: &[],
        policy: None,
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
        errors: Vec::new(),
        notes: Vec::new(),
        tenants: Vec::new(),
        rules: Vec::new(),
        omitted: Vec::new(),
    }
}

#[derive(Serialize)]
struct DiffDocument<'a> {
    introduced: Vec<JsonFinding<'a>>,
    fixed: Vec<JsonFinding<'a>>,
    /// SKUs whose seats or users change.
    seats: &'a [crate::triage::diff::SeatChange],
    /// With prices.
    #[serde(skip_serializing_if = "Option::is_none")]
    cost: Option<&'a crate::triage::diff::CostChange>,
    /// What the config in force turns off or changes (as in the check document).
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    overrides: &'a [String],
    summary: DiffSummary,
}

#[derive(Serialize)]
struct DiffSummary {
    introduced: usize,
    fixed: usize,
    waived: usize,
    /// With `--baseline`: findings of the new version the baseline has.
    #[serde(skip_serializing_if = "Option::is_none")]
    known: Option<usize>,
    /// Counts of the introduced findings.
    #[serde(flatten)]
    counts: Summary,
}

/// Renders `skuld diff`: `{"introduced":[…],"fixed":[…],"summary":{"introduced","fixed",
/// "waived","known"?,"errors","warnings"}}`, findings as in the check document (errors and warnings count the
/// introduced findings).
pub fn render_diff(diff: &crate::triage::diff::Diff) -> String {
    let doc = DiffDocument {
        introduced: diff.introduced.iter().map(finding).collect(),
        fixed: diff.fixed.iter().map(finding).collect(),
        seats: &diff.seats,
        cost: diff.cost.as_ref(),
        overrides: &diff.overrides,
        summary: DiffSummary {
            introduced: diff.introduced.len(),
            fixed: diff.fixed.len(),
            waived: diff.waived,
            known: diff.known,
            counts: Summary::of(&diff.introduced),
        },
    };
    let mut out = serde_json::to_string_pretty(&doc)
        .unwrap_or_else(|e| format!("{{\"error\":\"cannot serialise the diff: {e}\"}}"));
    out.push('\n');
    out
}
