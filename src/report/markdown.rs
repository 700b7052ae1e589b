//! `skuld diff --format markdown`: the pull-request comment. What the change does in a few lines
//! (findings introduced and fixed, the cost a month before and after, seats that change), then
//! the findings by rule, each listed in a folded block. GitHub refuses a comment longer than
//! 65,536 characters, so the listed findings stop before that with a visible note; the counts,
//! the cost and the seats always fit.

use std::fmt::Write as _;
use std::path::Path;

use crate::diagnostics::{Finding, Severity};
use crate::triage::cost::money;
use crate::triage::diff::Diff;

/// The longest comment GitHub accepts, in characters.
pub const MAX_COMMENT_CHARS: usize = 65_536;

/// The first line of every comment: how the GitHub Action finds its earlier comment to update.
pub const MARKER: &str = "<!-- skuld-diff -->";

/// Room kept for the note that says findings were left out, and the closing tags.
const RESERVE: usize = 600;

/// `+844.00 EUR`, `-12.50 EUR`, `0.00 EUR`.
pub fn signed_money(delta: f64, currency: &str) -> String {
    let text = money(delta, currency);
    if delta >= 0.005 {
        format!("+{text}")
    } else {
        text
    }
}

/// Text from a tenant or a message, made inert in Markdown and HTML: no tags, one line.
fn inert(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace(['\r', '\n'], " ")
}

/// A count with the change: `5 → 45 (+40)`, or `5` when it did not change.
fn change(before: u64, after: u64) -> String {
    if before == after {
        return before.to_string();
    }
    let delta = i128::from(after) - i128::from(before);
    format!("{before} → {after} ({delta:+})")
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Per rule, in order of first appearance: severity and how many findings.
fn by_rule(findings: &[Finding]) -> Vec<(&str, Severity, usize)> {
    let mut rules: Vec<(&str, Severity, usize)> = Vec::new();
    for f in findings {
        match rules.iter_mut().find(|(r, _, _)| *r == f.rule) {
            Some(r) => r.2 += 1,
            None => rules.push((&f.rule, f.severity, 1)),
        }
    }
    rules
}

/// The comment for a change whose new version is `head` (the old one is often a temporary
/// copy taken from the target branch, so it is not named).
pub fn render_diff(diff: &Diff, head: &Path) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{MARKER}");
    let _ = writeln!(out, "### skuld: `{}`\n", inert(&head.display().to_string()));
    let s = crate::report::Summary::of(&diff.introduced);
    let _ = write!(
        out,
        "**{} introduced** ({}, {}), **{} fixed**",
        plural(diff.introduced.len(), "finding", "findings"),
        plural(s.errors, "error", "errors"),
        plural(s.warnings, "warning", "warnings"),
        diff.fixed.len()
    );
    if diff.waived > 0 {
        let _ = write!(out, ", {} waived", diff.waived);
    }
    if let Some(known) = diff.known {
        let _ = write!(out, ", {known} known from the baseline left out");
    }
    out.push_str("\n\n");
    // What the config turns off, before anything else: a change that loosens its own gate says
    // so where the reviewer reads.
    if !diff.overrides.is_empty() {
        out.push_str("**The config in force turns off or changes:**\n\n");
        for o in &diff.overrides {
            let _ = writeln!(out, "- {}", inert(o));
        }
        out.push('\n');
    }
    if let Some(c) = &diff.cost {
        let _ = writeln!(
            out,
            "**Cost a month:** {} → {} (**{}**); waste {} → {}\n",
            money(c.monthly_before, &c.currency),
            money(c.monthly_after, &c.currency),
            signed_money(c.delta, &c.currency),
            money(c.waste_before, &c.currency),
            money(c.waste_after, &c.currency),
        );
    }
    if diff.seats.is_empty() {
        out.push_str("No seat changes.\n\n");
    } else {
        out.push_str("#### Seats\n\n| SKU | seats bought | users holding it |\n|---|---:|---:|\n");
        for c in &diff.seats {
            let _ = writeln!(
                out,
                "| `{}` | {} | {} |",
                inert(&c.sku),
                change(c.seats_before, c.seats_after),
                change(c.used_before, c.used_after)
            );
        }
        out.push('\n');
    }
    let mut left_out = 0usize;
    for (title, findings) in [("Introduced", &diff.introduced), ("Fixed", &diff.fixed)] {
        if findings.is_empty() {
            continue;
        }
        let _ = writeln!(
            out,
            "#### {title}\n\n| rule | severity | findings |\n|---|---|---:|"
        );
        for (rule, severity, n) in by_rule(findings) {
            let _ = writeln!(out, "| `{}` | {} | {n} |", inert(rule), severity.as_str());
        }
        let _ = writeln!(
            out,
            "\n<details><summary>{} {}</summary>\n",
            plural(findings.len(), "finding", "findings"),
            title.to_lowercase()
        );
        // Counted as it grows: a count of the whole text per finding would be quadratic.
        let mut chars = out.chars().count();
        for f in findings {
            let (line, _) = f.line_col();
            // Introduced findings are on the new version's lines; fixed ones were on the old's.
            let place = if title == "Fixed" {
                format!("was line {line}")
            } else {
                format!("line {line}")
            };
            let item = format!(
                "- **{}** `{}` ({place}): {}\n",
                f.severity.as_str(),
                inert(&f.rule),
                inert(&f.message)
            );
            let item_chars = item.chars().count();
            if left_out > 0 || chars + item_chars + RESERVE > MAX_COMMENT_CHARS {
                left_out += 1;
            } else {
                out.push_str(&item);
                chars += item_chars;
            }
        }
        out.push_str("\n</details>\n\n");
    }
    if left_out > 0 {
        let _ = writeln!(
            out,
            "> **{} not listed:** a pull-request comment holds at most {MAX_COMMENT_CHARS} \
             characters. The counts above are complete; run `skuld diff` on the two versions \
             for every finding.",
            plural(left_out, "finding", "findings")
        );
    }
    out
}
