//! JUnit XML: one `<testsuite>` per tenant file, one `<testcase>` per rule (every rule of the
//! policy and every built-in check, so passing rules show as passed), and a `<failure>` carrying
//! the findings of that rule in that file. A file that could not be read has one `load`
//! testcase with an `<error>` instead. Waived findings are listed in their testcase's
//! `<system-out>`, without failing it. Written by hand: the format is small, and the escaping is
//! below with its tests.

use std::fmt::Write as _;

use super::{Run, RunError};
use crate::diagnostics::Finding;

/// Renders the run as one JUnit XML document.
pub fn render(run: &Run<'_>) -> String {
    let rules: Vec<&crate::registry::RuleEntry<'_>> = run.rules.iter().collect();
    let mut suites = String::new();
    let (mut tests, mut failures, mut errors) = (0usize, 0usize, 0usize);

    for file in &run.files {
        let file_errors: Vec<&RunError> = run
            .errors
            .iter()
            .filter(|e| e.file.as_deref() == Some(file.name.as_str()))
            .collect();
        let mut cases = String::new();
        let (mut t, mut f, mut e) = (0usize, 0usize, 0usize);
        if file.loaded {
            for rule in &rules {
                let found: Vec<&Finding> = run
                    .findings
                    .iter()
                    .filter(|x| x.rule == rule.id && x.file.name() == file.name)
                    .collect();
                t += 1;
                let mut body = String::new();
                if !found.is_empty() {
                    f += 1;
                    let omitted = run
                        .omitted
                        .iter()
                        .find(|o| o.rule == rule.id && o.file == file.name);
                    body.push_str(&failure(&found, omitted));
                }
                // Waived findings do not fail the testcase; they are listed in its output.
                let waived: Vec<String> = run
                    .waived
                    .iter()
                    .filter(|w| w.finding.rule == rule.id && w.finding.file.name() == file.name)
                    .map(super::human::waived_line)
                    .collect();
                if !waived.is_empty() {
                    let _ = writeln!(
                        body,
                        "      <system-out>{}</system-out>",
                        escape_text(&waived.join("\n"))
                    );
                }
                testcase(
                    &mut cases,
                    rule.id,
                    &file.name,
                    (!body.is_empty()).then_some(body.as_str()),
                );
            }
        } else {
            t += 1;
            e += 1;
            testcase(&mut cases, "load", &file.name, Some(&error(&file_errors)));
        }
        suite(&mut suites, &file.name, (t, f, e), &cases);
        tests += t;
        failures += f;
        errors += e;
    }

    // Errors that stopped no listed file (a path that does not exist, say).
    let stray: Vec<&RunError> = run
        .errors
        .iter()
        .filter(|e| {
            e.file
                .as_deref()
                .is_none_or(|n| !run.files.iter().any(|f| f.name == n))
        })
        .collect();
    if !stray.is_empty() {
        let mut cases = String::new();
        testcase(&mut cases, "load", "skuld", Some(&error(&stray)));
        suite(&mut suites, "skuld", (1, 0, 1), &cases);
        tests += 1;
        errors += 1;
    }

    // What the config turned off, once per run: a suite of no tests whose properties say it
    // (JUnit has no notices).
    if !run.overrides.is_empty() {
        let mut body = String::from("    <properties>\n");
        for o in &run.overrides {
            let _ = writeln!(
                body,
                "      <property name=\"skuld.config.override\" value=\"{}\"/>",
                escape_attr(o)
            );
        }
        body.push_str("    </properties>\n");
        suite(&mut suites, "skuld config", (0, 0, 0), &body);
    }

    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"skuld\" tests=\"{tests}\" failures=\"{failures}\" errors=\"{errors}\">"
    );
    out.push_str(&suites);
    out.push_str("</testsuites>\n");
    out
}

fn suite(
    out: &mut String,
    name: &str,
    (tests, failures, errors): (usize, usize, usize),
    cases: &str,
) {
    let _ = writeln!(
        out,
        "  <testsuite name=\"{}\" tests=\"{tests}\" failures=\"{failures}\" errors=\"{errors}\" skipped=\"0\">",
        escape_attr(name)
    );
    out.push_str(cases);
    out.push_str("  </testsuite>\n");
}

fn testcase(out: &mut String, name: &str, classname: &str, body: Option<&str>) {
    let _ = write!(
        out,
        "    <testcase name=\"{}\" classname=\"{}\"",
        escape_attr(name),
        escape_attr(classname)
    );
    match body {
        None => out.push_str("/>\n"),
        Some(body) => {
            out.push_str(">\n");
            out.push_str(body);
            out.push_str("    </testcase>\n");
        }
    }
}

/// One `<failure>` for the findings of one rule in one file.
fn failure(found: &[&Finding], omitted: Option<&super::Omitted>) -> String {
    let more = omitted.map_or(0, |o| o.count);
    let message = match found {
        [one] if more == 0 => one.message.clone(),
        many => format!("{} findings", many.len() + more),
    };
    let kind = found.first().map_or("error", |f| f.severity.as_str());
    let mut text = String::new();
    for f in found {
        let (line, column) = f.line_col();
        let _ = writeln!(text, "{}:{line}:{column}: {}", f.file.name(), f.message);
    }
    if let Some(o) = omitted {
        let _ = writeln!(text, "{}", o.message());
    }
    format!(
        "      <failure message=\"{}\" type=\"{kind}\">{}</failure>\n",
        escape_attr(&message),
        escape_text(&text)
    )
}

/// One `<error>` for the errors that stopped a file.
fn error(errors: &[&RunError]) -> String {
    let message = errors
        .first()
        .map_or_else(String::new, |e| e.report.to_string());
    let kind = errors
        .first()
        .map_or_else(|| "skuld::error".to_owned(), |e| e.code());
    let mut text = String::new();
    for e in errors {
        let loc = e.location();
        match (&loc.file, loc.position) {
            (Some(f), Some((line, column))) => {
                let _ = write!(text, "{f}:{line}:{column}: ");
            }
            (Some(f), None) => {
                let _ = write!(text, "{f}: ");
            }
            (None, _) => {}
        }
        let _ = writeln!(text, "{}: {}", e.code(), e.message_with_help());
    }
    format!(
        "      <error message=\"{}\" type=\"{}\">{}</error>\n",
        escape_attr(&message),
        escape_attr(&kind),
        escape_text(&text)
    )
}

/// Escapes element text: `&`, `<`, `>`; characters XML 1.0 cannot hold become U+FFFD.
pub fn escape_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        push_text_char(&mut out, c);
    }
    out
}

/// Escapes an attribute value: the text escapes, both quotes, and tab and line breaks as
/// character references (so that attribute normalisation keeps them).
pub fn escape_attr(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' => out.push_str("&#9;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            c => push_text_char(&mut out, c),
        }
    }
    out
}

/// Pushes `c` as element text: markup characters escaped, others through [`push_xml_char`].
fn push_text_char(out: &mut String, c: char) {
    match c {
        '&' => out.push_str("&amp;"),
        '<' => out.push_str("&lt;"),
        '>' => out.push_str("&gt;"),
        c => push_xml_char(out, c),
    }
}

/// Pushes `c`, or U+FFFD when XML 1.0 does not allow it.
fn push_xml_char(out: &mut String, c: char) {
    let allowed = matches!(c, '\t' | '\n' | '\r')
        || matches!(c, '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..);
    out.push(if allowed { c } else { '\u{FFFD}' });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_escapes_markup() {
        assert_eq!(
            escape_text("a<b>&c \"d\" ]]>"),
            "a&lt;b&gt;&amp;c \"d\" ]]&gt;"
        );
    }

    #[test]
    fn attributes_escape_quotes_and_whitespace() {
        assert_eq!(
            escape_attr("<\"it's\"&\n\t\r>"),
            "&lt;&quot;it&apos;s&quot;&amp;&#10;&#9;&#13;&gt;"
        );
    }

    #[test]
    fn characters_xml_cannot_hold_are_replaced() {
        assert_eq!(
            escape_text("a\u{0}b\u{1b}c\u{FFFE}"),
            "a\u{FFFD}b\u{FFFD}c\u{FFFD}"
        );
        assert_eq!(escape_attr("\u{8}"), "\u{FFFD}");
        assert_eq!(escape_text("é😀"), "é😀");
    }
}
