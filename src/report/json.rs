//! The contract's JSON document:
//! `{"findings":[{"rule","severity","message","file","line","column","subject"?}],"summary":{"errors","warnings"}}`.

use serde::Serialize;

use super::Summary;
use crate::eval::{Finding, Severity};

#[derive(Serialize)]
struct Document<'a> {
    findings: Vec<JsonFinding<'a>>,
    summary: Summary,
}

#[derive(Serialize)]
struct JsonFinding<'a> {
    rule: &'a str,
    severity: Severity,
    message: &'a str,
    file: &'a str,
    line: usize,
    column: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    subject: Option<&'a str>,
}

/// Renders findings as one JSON document (pretty-printed, with a final newline).
pub fn render(findings: &[Finding]) -> String {
    let doc = Document {
        findings: findings
            .iter()
            .map(|f| {
                let (line, column) = f.line_col();
                JsonFinding {
                    rule: &f.rule,
                    severity: f.severity,
                    message: &f.message,
                    file: f.file.name(),
                    line,
                    column,
                    subject: f.subject.as_deref(),
                }
            })
            .collect(),
        summary: Summary::of(findings),
    };
    let mut out = serde_json::to_string_pretty(&doc)
        .unwrap_or_else(|e| format!("{{\"error\":\"cannot serialise findings: {e}\"}}"));
    out.push('\n');
    out
}
