//! GitHub Actions workflow commands: one `::error` / `::warning` annotation per finding and per
//! error, with GitHub's escaping; plus a Markdown table for the job summary
//! (`$GITHUB_STEP_SUMMARY`), since GitHub shows only a few annotations per step.

use std::fmt::Write as _;

use super::{Region, Run};
use crate::diagnostics::Severity;

/// Renders every finding (and every error) as a workflow command.
pub fn render(run: &Run<'_>) -> String {
    let mut out = String::new();
    let errors = run.errors.iter().map(|e| (e, "error"));
    let notes = run.notes.iter().map(|e| (e, "warning"));
    for (e, kind) in errors.chain(notes) {
        let loc = e.location();
        let mut props = Vec::new();
        if let Some(file) = &loc.file {
            props.push(("file", run.repo_path(file)));
        }
        if let Some((line, col)) = loc.position {
            props.push(("line", line.to_string()));
            props.push(("col", col.to_string()));
        }
        props.push(("title", e.code()));
        command(&mut out, kind, &props, &e.message_with_help());
    }
    // What the config turned off, once per run: notices, which do not read as failures.
    for o in &run.overrides {
        command(&mut out, "notice", &[("title", CONFIG_TITLE.to_owned())], o);
    }
    for f in &run.findings {
        finding(&mut out, f, &run.repo_path(f.file.name()));
    }
    // Findings the per-rule cap left out: one annotation of the rule's level per rule and file.
    for o in &run.omitted {
        let props = [("file", run.repo_path(&o.file)), ("title", o.rule.clone())];
        command(&mut out, o.severity.as_str(), &props, &o.message());
    }
    // Waived findings stay visible as notices, which do not read as failures.
    for w in &run.waived {
        let f = &w.finding;
        let r = Region::of(&f.file, f.span);
        let props = [
            ("file", run.repo_path(f.file.name())),
            ("line", r.start_line.to_string()),
            ("col", r.start_column.to_string()),
            ("title", format!("{} (waived)", f.rule)),
        ];
        let message = format!("{}\nwaived until {}: {}", f.message, w.expires, w.reason);
        command(&mut out, "notice", &props, &message);
    }
    out
}

/// The title of the notices that say what the config turned off.
const CONFIG_TITLE: &str = "skuld: the config turns this off";

/// One finding as an `::error` or `::warning` annotation on its lines of `path`.
fn finding(out: &mut String, f: &crate::diagnostics::Finding, path: &str) {
    let r = Region::of(&f.file, f.span);
    let props = [
        ("file", path.to_owned()),
        ("line", r.start_line.to_string()),
        ("col", r.start_column.to_string()),
        ("endLine", r.end_line.to_string()),
        ("endColumn", r.last_column.to_string()),
        ("title", f.rule.clone()),
    ];
    let mut message = f.message.clone();
    if let Some(help) = &f.help {
        message.push_str("\nhelp: ");
        message.push_str(help);
    }
    let kind = match f.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    };
    command(out, kind, &props, &message);
}

/// `skuld diff --format github`: the check format's annotations over the diff's [`Run`] (the
/// introduced findings, on the new version's lines, which a pull request's diff shows; the
/// config's notices), then one notice with the counts and the cost change.
pub fn render_diff(diff: &crate::triage::diff::Diff, run: &Run<'_>) -> String {
    let mut out = render(run);
    let mut counts = format!(
        "{} introduced, {} fixed",
        diff.introduced.len(),
        diff.fixed.len()
    );
    if diff.waived > 0 {
        let _ = write!(counts, ", {} waived", diff.waived);
    }
    if let Some(known) = diff.known {
        let _ = write!(counts, ", {known} known from the baseline left out");
    }
    if let Some(c) = &diff.cost {
        let _ = write!(
            counts,
            "; cost a month {} -> {} ({})",
            crate::triage::cost::money(c.monthly_before, &c.currency),
            crate::triage::cost::money(c.monthly_after, &c.currency),
            super::markdown::signed_money(c.delta, &c.currency)
        );
    }
    command(
        &mut out,
        "notice",
        &[("title", "skuld diff".to_owned())],
        &counts,
    );
    out
}

fn command(out: &mut String, kind: &str, props: &[(&str, String)], message: &str) {
    out.push_str("::");
    out.push_str(kind);
    for (i, (key, value)) in props.iter().enumerate() {
        out.push(if i == 0 { ' ' } else { ',' });
        out.push_str(key);
        out.push('=');
        out.push_str(&escape_property(value));
    }
    out.push_str("::");
    out.push_str(&escape_data(message));
    out.push('\n');
}

/// The Markdown job summary: a heading with the counts and one table row per finding and error.
pub fn step_summary(run: &Run<'_>) -> String {
    let mut out = String::from("### skuld: ");
    out.push_str(&super::human::counts_line(
        run.summary(),
        run.files.len(),
        run.failed(),
    ));
    if !run.waived.is_empty() {
        let _ = write!(out, "; {} waived", run.waived.len());
    }
    out.push_str("\n\n");
    if !run.overrides.is_empty() {
        out.push_str("**The config in force turns off or changes:**\n\n");
        for o in &run.overrides {
            let _ = writeln!(out, "- {}", escape_cell(o));
        }
        out.push('\n');
    }
    if run.findings.is_empty() && run.errors.is_empty() {
        return super::neutral::neutralise(&out, super::neutral::Syntax::Text).into_owned();
    }
    out.push_str("| rule | file:line | message |\n|---|---|---|\n");
    for e in &run.errors {
        let loc = e.location();
        let place = match (&loc.file, loc.position) {
            (Some(f), Some((line, _))) => format!("{}:{line}", run.repo_path(f)),
            (Some(f), None) => run.repo_path(f),
            (None, _) => String::new(),
        };
        row(&mut out, &e.code(), &place, &e.report.to_string());
    }
    for f in &run.findings {
        let (line, _) = f.line_col();
        let place = format!("{}:{line}", run.repo_path(f.file.name()));
        row(&mut out, &f.rule, &place, &f.message);
    }
    for o in &run.omitted {
        row(&mut out, &o.rule, &run.repo_path(&o.file), &o.message());
    }
    out.push('\n');
    super::neutral::neutralise(&out, super::neutral::Syntax::Text).into_owned()
}

fn row(out: &mut String, rule: &str, place: &str, message: &str) {
    let _ = writeln!(
        out,
        "| {} | {} | {} |",
        escape_cell(rule),
        escape_cell(place),
        escape_cell(message)
    );
}

/// Escapes a workflow command's message (`%`, `\r`, `\n`).
pub fn escape_data(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '%' => out.push_str("%25"),
            '\r' => out.push_str("%0D"),
            '\n' => out.push_str("%0A"),
            c => out.push(c),
        }
    }
    out
}

/// Escapes a workflow command's property value (the data escapes plus `:` and `,`).
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// A Markdown table cell that is text and nothing else: neutralised ([`super::neutral`]), then
/// every character Markdown gives a meaning to inside a line is backslash-escaped, so a backtick
/// in a value cannot open or close a code span and no emphasis, link, image or HTML can form;
/// line breaks become `<br>`. (Backticks the message itself puts around names show as
/// backticks.)
fn escape_cell(s: &str) -> String {
    let s = super::neutral::neutralise(s, super::neutral::Syntax::Text);
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\n' => out.push_str("<br>"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '!' | '|' | '~' | '&' | '#' | '('
            | ')' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_escapes_percent_and_line_breaks() {
        assert_eq!(escape_data("100% a\r\nb:c,d"), "100%25 a%0D%0Ab:c,d");
    }

    #[test]
    fn properties_also_escape_colon_and_comma() {
        assert_eq!(
            escape_property("a:b,c%d\ne"),
            "a%3Ab%2Cc%25d%0Ae",
            "colons and commas would end the property"
        );
    }

    #[test]
    fn percent_is_escaped_first() {
        // `%3A` in the input must not be mistaken for an escape.
        assert_eq!(escape_property("%3A:"), "%253A%3A");
    }

    #[test]
    fn table_cells_escape_pipes_and_line_breaks() {
        assert_eq!(escape_cell("a|b\nc"), "a\\|b<br>c");
    }

    #[test]
    fn a_backtick_in_a_value_cannot_leave_a_code_span() {
        // The UPN: a backtick closes the message's code span, then a link and an image.
        let cell = escape_cell("user `x`](https://evil.example)<img src=x>` is out of scope");
        assert_eq!(
            cell,
            "user \\`x\\`\\]\\(https://evil.example\\)\\<img src=x\\>\\` is out of scope"
        );
        assert_eq!(escape_cell("a\r##vso[x]"), "a␍\\#\u{200B}\\#vso\\[x\\]");
    }

    #[test]
    fn a_command_puts_properties_then_the_message() {
        let mut out = String::new();
        command(
            &mut out,
            "warning",
            &[("file", "a,b.yaml".to_owned()), ("title", "r/x".to_owned())],
            "m: 1\n2",
        );
        assert_eq!(out, "::warning file=a%2Cb.yaml,title=r/x::m: 1%0A2\n");
    }
}
