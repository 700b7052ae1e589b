//! Compact output: one `path:line:col: severity[rule]: message` line per finding, for editors'
//! problem matchers and grep. A message never spans lines: line breaks become spaces.

use std::fmt::Write as _;

use super::{Omitted, Run};
use crate::diagnostics::Finding;

/// Renders every finding as one line.
pub fn render(run: &Run<'_>) -> String {
    let mut out = String::new();
    for (findings, omitted) in super::per_file(run) {
        out.push_str(&render_file(findings, omitted));
    }
    out.push_str(&render_end(run));
    out
}

/// The lines of one file's findings, and of what the per-rule cap left out of it.
pub fn render_file(findings: &[Finding], omitted: &[Omitted]) -> String {
    let mut out = String::new();
    for f in findings {
        let (line, column) = f.line_col();
        let _ = writeln!(
            out,
            "{}:{line}:{column}: {}[{}]: {}",
            f.file.name(),
            f.severity.as_str(),
            f.rule,
            one_line(&f.message)
        );
    }
    // Findings the per-rule cap left out: one note per rule and file.
    for o in omitted {
        let _ = writeln!(
            out,
            "{}: note[{}]: {}",
            o.file,
            o.rule,
            one_line(&o.message())
        );
    }
    out
}

/// What follows the files: the waived findings.
pub fn render_end(run: &Run<'_>) -> String {
    let mut out = String::new();
    // Waived findings as notes, so a problem matcher that reads errors and warnings skips them.
    for w in &run.waived {
        let f = &w.finding;
        let (line, column) = f.line_col();
        let _ = writeln!(
            out,
            "{}:{line}:{column}: note[{}]: waived until {}: {} -- {}",
            f.file.name(),
            f.rule,
            w.expires,
            one_line(&f.message),
            one_line(&w.reason)
        );
    }
    out
}

/// `text` with every line break replaced by a space.
fn one_line(text: &str) -> String {
    text.replace("\r\n", " ").replace(['\r', '\n'], " ")
}

#[cfg(test)]
mod tests {
    use super::one_line;

    #[test]
    fn messages_stay_on_one_line() {
        assert_eq!(one_line("a\r\nb\nc\rd"), "a b c d");
    }
}
