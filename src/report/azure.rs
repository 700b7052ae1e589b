//! Azure Pipelines logging commands:
//! `##vso[task.logissue type=error;sourcepath=…;linenumber=…;columnnumber=…;code=RULE;]message`,
//! one per finding and per error, with Azure's escaping.

use super::Run;
use crate::diagnostics::Severity;

/// Renders every finding (and every error) as a logging command.
pub fn render(run: &Run<'_>) -> String {
    let mut out = String::new();
    let errors = run.errors.iter().map(|e| (e, "error"));
    let notes = run.notes.iter().map(|e| (e, "warning"));
    for (e, kind) in errors.chain(notes) {
        let loc = e.location();
        let mut props = vec![("type", kind.to_owned())];
        if let Some(file) = &loc.file {
            props.push(("sourcepath", run.repo_path(file)));
        }
        if let Some((line, col)) = loc.position {
            props.push(("linenumber", line.to_string()));
            props.push(("columnnumber", col.to_string()));
        }
        props.push(("code", e.code()));
        command(&mut out, &props, &e.message_with_help());
    }
    // What the config turned off, once per run. Azure's log issues are errors or warnings
    // only, so these notices are plain log lines, as waived findings are.
    for o in &run.overrides {
        out.push_str(&escape(&format!(
            "skuld: notice: the config turns this off: {o}"
        )));
        out.push('\n');
    }
    for f in &run.findings {
        let (line, column) = f.line_col();
        let kind = match f.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let props = [
            ("type", kind.to_owned()),
            ("sourcepath", run.repo_path(f.file.name())),
            ("linenumber", line.to_string()),
            ("columnnumber", column.to_string()),
            ("code", f.rule.clone()),
        ];
        command(&mut out, &props, &f.message);
    }
    // Findings the per-rule cap left out: one issue of the rule's level per rule and file.
    for o in &run.omitted {
        let props = [
            ("type", o.severity.as_str().to_owned()),
            ("sourcepath", run.repo_path(&o.file)),
            ("code", o.rule.clone()),
        ];
        command(&mut out, &props, &o.message());
    }
    // Azure's log issues are errors or warnings only: waived findings are plain log lines.
    for w in &run.waived {
        let f = &w.finding;
        let (line, column) = f.line_col();
        out.push_str(&escape(&format!(
            "skuld: waived {} at {}:{line}:{column} until {}: {} -- {}",
            f.rule,
            run.repo_path(f.file.name()),
            w.expires,
            f.message,
            w.reason
        )));
        out.push('\n');
    }
    out
}

/// How every command of this format starts: what [`super::neutral`] leaves alone.
pub(crate) const PREFIX: &str = "##vso[task.logissue ";

fn command(out: &mut String, props: &[(&str, String)], message: &str) {
    out.push_str("##vso[task.logissue");
    for (i, (key, value)) in props.iter().enumerate() {
        out.push(if i == 0 { ' ' } else { ';' });
        out.push_str(key);
        out.push('=');
        out.push_str(&escape(value));
    }
    out.push_str(";]");
    out.push_str(&escape(message));
    out.push('\n');
}

/// Azure's escaping for logging commands: `%`, `;`, `]`, `\r`, `\n`.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '%' => out.push_str("%25"),
            ';' => out.push_str("%3B"),
            ']' => out.push_str("%5D"),
            '\r' => out.push_str("%0D"),
            '\n' => out.push_str("%0A"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_the_five_characters() {
        assert_eq!(escape("a;b]c%d\re\nf[g"), "a%3Bb%5Dc%25d%0De%0Af[g");
    }

    #[test]
    fn a_command_ends_its_properties_with_a_semicolon() {
        let mut out = String::new();
        command(
            &mut out,
            &[("type", "warning".to_owned()), ("code", "a;b".to_owned())],
            "x]",
        );
        assert_eq!(out, "##vso[task.logissue type=warning;code=a%3Bb;]x%5D\n");
    }
}
