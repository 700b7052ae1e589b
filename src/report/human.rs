//! Human output: one miette report per finding or error, then a one-line summary.

use std::fmt::Write as _;

use miette::{Diagnostic, GraphicalReportHandler, GraphicalTheme};

use super::Summary;
use crate::diagnostics::Finding;

/// How to draw reports.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    /// ANSI colours.
    pub color: bool,
    /// Wrap width in columns.
    pub width: usize,
}

impl Style {
    /// No colour, fixed width: for pipes, files and snapshot tests.
    pub fn plain() -> Self {
        Style {
            color: false,
            width: 100,
        }
    }

    fn handler(self) -> GraphicalReportHandler {
        let theme = if self.color {
            GraphicalTheme::unicode()
        } else {
            GraphicalTheme::unicode_nocolor()
        };
        GraphicalReportHandler::new_themed(theme)
            .with_width(self.width)
            .with_links(false)
            .with_context_lines(1)
    }
}

/// Renders one diagnostic (a finding or an error).
pub fn render_diagnostic(d: &dyn Diagnostic, style: Style, out: &mut String) {
    let mut text = String::new();
    let rendered = match too_long_to_show(d) {
        None => style.handler().render_report(&mut text, d),
        Some(place) => style
            .handler()
            .render_report(&mut text, &WithoutSnippet { inner: d, place }),
    };
    if rendered.is_err() {
        text = format!("{d}\n");
    }
    out.push_str(&text);
}

/// Longest source line shown in a snippet. A label on a longer line (minified JSON, a flow list
/// of thousands of SKUs) is reported by line and column instead: such a snippet is unreadable, and
/// miette's renderer panics on a label more than 65,535 columns into a line.
const MAX_SHOWN_LINE: usize = 2000;

/// `Some("line L, column C")` of the first label when a label sits on a line too long to show.
fn too_long_to_show(d: &dyn Diagnostic) -> Option<String> {
    let source = d.source_code()?;
    let mut first = None;
    let mut too_long = false;
    for label in d.labels()? {
        // What the snippet would show: the label's lines and one line of context either side.
        let Ok(contents) = source.read_span(label.inner(), 1, 1) else {
            continue;
        };
        too_long |= contents
            .data()
            .split(|&b| b == b'\n')
            .any(|line| line.len() > MAX_SHOWN_LINE);
        let Ok(contents) = source.read_span(label.inner(), 0, 0) else {
            continue;
        };
        first.get_or_insert_with(|| {
            let line = contents.line() + 1;
            let column = contents.column() + 1;
            format!("line {line}, column {column}")
        });
    }
    if too_long { first } else { None }
}

/// A diagnostic shown without its source snippet: its message names the place instead.
struct WithoutSnippet<'a> {
    inner: &'a dyn Diagnostic,
    place: String,
}

impl std::fmt::Debug for WithoutSnippet<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self.inner, f)
    }
}

impl std::fmt::Display for WithoutSnippet<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} (at {}; the line is too long to show)",
            self.inner, self.place
        )
    }
}

impl std::error::Error for WithoutSnippet<'_> {}

impl Diagnostic for WithoutSnippet<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn std::fmt::Display + 'b>> {
        self.inner.code()
    }
    fn severity(&self) -> Option<miette::Severity> {
        self.inner.severity()
    }
    fn help<'b>(&'b self) -> Option<Box<dyn std::fmt::Display + 'b>> {
        self.inner.help()
    }
    fn url<'b>(&'b self) -> Option<Box<dyn std::fmt::Display + 'b>> {
        self.inner.url()
    }
}

/// Renders findings, each as a report.
pub fn render_findings(findings: &[Finding], style: Style, out: &mut String) {
    for f in findings {
        render_diagnostic(f, style, out);
        out.push('\n');
    }
}

/// The closing line: counts of findings and of files.
pub fn summary_line(findings: &[Finding], files: usize, failed: usize) -> String {
    let s = Summary::of(findings);
    let mut line = String::new();
    let plural =
        |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    if s.errors == 0 && s.warnings == 0 {
        line.push_str("no findings");
    } else {
        let _ = write!(
            line,
            "{}, {}",
            plural(s.errors, "error", "errors"),
            plural(s.warnings, "warning", "warnings")
        );
    }
    let _ = write!(line, " in {}", plural(files, "tenant file", "tenant files"));
    if failed > 0 {
        let _ = write!(
            line,
            "; {} could not be checked",
            plural(failed, "file", "files")
        );
    }
    line
}

/// The whole human report of a run: every finding, then the summary line. (Errors go to
/// standard error, rendered by the CLI.)
pub fn render(run: &super::Run<'_>, style: Style) -> String {
    let mut text = String::new();
    render_findings(&run.findings, style, &mut text);
    for w in &run.waived {
        text.push_str(&waived_line(w));
        text.push('\n');
    }
    if !run.waived.is_empty() {
        text.push('\n');
    }
    text.push_str(&summary_line(&run.findings, run.files.len(), run.failed()));
    if !run.waived.is_empty() {
        let _ = write!(text, "; {} waived", run.waived.len());
    }
    if let Some(known) = run.known {
        let _ = write!(text, "; {known} known from the baseline left out");
    }
    text.push('\n');
    // Which settings applied (issue 15): one line, only when a config file did.
    if let Some(config) = &run.config {
        let _ = writeln!(text, "config: {config}");
    }
    text
}

/// One line for a waived finding: where, what, and the waiver's reason and end.
pub fn waived_line(w: &crate::triage::waivers::Waived) -> String {
    let f = &w.finding;
    let (line, column) = f.line_col();
    let subject = f
        .subject
        .as_ref()
        .map_or_else(String::new, |s| format!(" ({s})"));
    format!(
        "waived {}[{}]{subject} at {}:{line}:{column}: {} -- {} (until {}, {})",
        f.severity.as_str(),
        f.rule,
        f.file.name(),
        f.message.replace(['\r', '\n'], " "),
        w.reason,
        w.expires,
        w.waiver
    )
}

/// `skuld diff` for people: each introduced finding as a report, then one line per fixed
/// finding, then the counts.
pub fn render_diff(diff: &crate::triage::diff::Diff, style: Style) -> String {
    let mut text = String::new();
    render_findings(&diff.introduced, style, &mut text);
    for f in &diff.fixed {
        let (line, column) = f.line_col();
        let _ = writeln!(
            text,
            "fixed {}[{}] at {}:{line}:{column}: {}",
            f.severity.as_str(),
            f.rule,
            f.file.name(),
            f.message.replace(['\r', '\n'], " ")
        );
    }
    if !diff.fixed.is_empty() {
        text.push('\n');
    }
    let s = Summary::of(&diff.introduced);
    let _ = write!(
        text,
        "{} introduced ({} {}, {} {}), {} fixed",
        diff.introduced.len(),
        s.errors,
        if s.errors == 1 { "error" } else { "errors" },
        s.warnings,
        if s.warnings == 1 {
            "warning"
        } else {
            "warnings"
        },
        diff.fixed.len()
    );
    if diff.waived > 0 {
        let _ = write!(text, "; {} waived", diff.waived);
    }
    text.push('\n');
    text
}
