//! Comparisons rendered: `skuld check --compare` (the findings that appear and disappear, as
//! text or JSON) and `skuld diff` in every format, neutralised here as [`super::render`] does
//! for `check`.

use std::path::Path;

use serde::Serialize;

use super::neutral::{Syntax, neutralise, neutralise_commands};
use super::{Format, Run, human};
use crate::diagnostics::Finding;
use crate::report::json::JsonFinding;
use crate::triage::diff::{Comparison, Diff};

/// What `skuld diff` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DiffFormat {
    /// The introduced findings as full reports, a line per fixed one, the counts.
    Human,
    /// `{"introduced","fixed","seats","cost"?,"overrides"?,"summary"}`.
    Json,
    /// The pull-request comment.
    Markdown,
    /// A `check` format (compact, SARIF, GitHub, Azure, JUnit, HTML) over the introduced
    /// findings, on the new version's lines: what a code host annotates in a pull request.
    Introduced(Format),
}

/// `skuld diff` in `format`. `run` is the diff as a check of the new version `head` whose
/// findings are the introduced ones, which the `check` formats render; `diff` has the rest.
pub fn render_diff(
    format: DiffFormat,
    diff: &Diff,
    run: &Run<'_>,
    head: &Path,
    style: human::Style,
) -> String {
    match format {
        DiffFormat::Human => {
            neutralise(&human::render_diff(diff, style), super::human_syntax(style)).into_owned()
        }
        DiffFormat::Json => neutralise(&super::json::render_diff(diff), Syntax::Json).into_owned(),
        DiffFormat::Markdown => {
            neutralise(&super::markdown::render_diff(diff, head), Syntax::Text).into_owned()
        }
        DiffFormat::Introduced(Format::Github) => {
            neutralise_commands(&super::github::render_diff(diff, run), "::")
        }
        DiffFormat::Introduced(format) => super::render(format, run, style),
    }
}

/// The order of the human listing: file, place, rule, message.
type Order = (String, u32, u32, String, String);

fn order(f: &Finding) -> Order {
    (
        f.file.name().to_owned(),
        f.span.start,
        f.span.end,
        f.rule.clone(),
        f.message.clone(),
    )
}

/// One line per finding, `+` for appearing and `-` for disappearing, then a summary line.
pub fn human(c: &Comparison<'_>) -> String {
    let mut out = format!("comparing {} -> {}\n", c.before, c.after);
    let line = |sign: char, f: &Finding| {
        let (l, col) = f.line_col();
        format!(
            "{sign} {}:{l}:{col}: {}[{}]: {}\n",
            f.file.name(),
            f.severity.as_str(),
            f.rule,
            f.message
        )
    };
    let mut rows: Vec<(Order, String)> = c
        .appeared
        .iter()
        .map(|f| (order(f), line('+', f)))
        .chain(c.disappeared.iter().map(|f| (order(f), line('-', f))))
        .collect();
    rows.sort();
    for (_, row) in rows {
        out.push_str(&row);
    }
    let plural =
        |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    out.push_str(&format!(
        "{} with {}, {} with {}, {} unchanged ({})\n",
        plural(c.appeared.len(), "finding appears", "findings appear"),
        c.after,
        plural(
            c.disappeared.len(),
            "finding disappears",
            "findings disappear"
        ),
        c.after,
        c.unchanged,
        plural(c.files, "file", "files"),
    ));
    out
}

#[derive(Serialize)]
struct JsonComparison<'a> {
    before: &'a str,
    after: &'a str,
    appeared: Vec<JsonFinding<'a>>,
    disappeared: Vec<JsonFinding<'a>>,
    summary: JsonSummary,
}

#[derive(Serialize)]
struct JsonSummary {
    appeared: usize,
    disappeared: usize,
    unchanged: usize,
    files: usize,
}

/// `{"before","after","appeared":[…],"disappeared":[…],"summary":{…}}`; findings as in
/// `--format json` (the contract's fields and the fingerprint).
pub fn json(c: &Comparison<'_>) -> String {
    fn findings(fs: &[Finding]) -> Vec<JsonFinding<'_>> {
        fs.iter().map(crate::report::json::finding).collect()
    }
    let doc = JsonComparison {
        before: c.before,
        after: c.after,
        appeared: findings(&c.appeared),
        disappeared: findings(&c.disappeared),
        summary: JsonSummary {
            appeared: c.appeared.len(),
            disappeared: c.disappeared.len(),
            unchanged: c.unchanged,
            files: c.files,
        },
    };
    let mut out = serde_json::to_string_pretty(&doc)
        .unwrap_or_else(|e| format!("{{\"error\":\"cannot serialise the comparison: {e}\"}}"));
    out.push('\n');
    out
}
