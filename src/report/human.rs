//! Human output: one miette report per finding or error, then a one-line summary.

use std::fmt::Write as _;

use miette::{Diagnostic, GraphicalReportHandler, GraphicalTheme};

use super::Summary;
use crate::eval::Finding;

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
    if style.handler().render_report(&mut text, d).is_err() {
        text = format!("{d}\n");
    }
    out.push_str(&text);
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
    text
}

/// One line for a waived finding: where, what, and the waiver's reason and end.
pub fn waived_line(w: &crate::waivers::Waived) -> String {
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
pub fn render_diff(diff: &crate::baseline::Diff, style: Style) -> String {
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
