//! Inline waivers: a comment on the tenant line a finding points at,
//!
//! ```yaml
//!   - upn: intern@contoso.com   # skuld: waive sspr/cloud-user-license until 2027-01-31 -- ticket IT-1234
//! ```
//!
//! `# skuld: waive RULE until YYYY-MM-DD -- REASON` waives findings of RULE that point at that
//! line (whatever their subject) until the end of that day. Any other comment starting with
//! `skuld:` is an error, so that a typo never silently waives nothing.

use super::cap::Capped;
use super::{Kind, Waiver, unwaivable};
use crate::config::{Problem, unknown_rule};
use crate::date::Date;
use crate::source::{SourceFile, Span};

pub(super) const INLINE_CODE: &str = "skuld::waivers::inline";
const SYNTAX: &str = "write `# skuld: waive RULE until YYYY-MM-DD -- reason`";

/// The inline waivers of a tenant file, and the malformed ones (capped per kind).
pub(super) fn scan(src: &SourceFile, policy: &crate::Policy) -> (Vec<Waiver>, Capped) {
    let mut found = Vec::new();
    let mut problems = Capped::default();
    let text = src.text();
    // Most files have none: one fast search instead of a look at every line.
    if !text.contains("skuld:") {
        return (found, problems);
    }
    let comments = crate::source::yaml_comment_starts(text);
    let mut line_start = 0usize;
    for (index, line) in text.split('\n').enumerate() {
        let comment = comments.get(index).copied().flatten();
        if let Some(at) = comment.and_then(|from| directive_from(line, from)) {
            let start = line_start + at;
            let end = line_start + line.trim_end_matches('\r').len();
            match parse(src, start, end, policy) {
                Ok(mut w) => {
                    w.line = Some(index + 1);
                    found.push(w);
                }
                Err(p) => problems.push(p),
            }
        }
        line_start += line.len() + 1;
    }
    (found, problems)
}

/// The byte offset of a `# skuld:` comment in `line`: a `#` at the start or after a space (so
/// not inside a plain scalar like `a#b`), followed by `skuld:`.
#[cfg(test)]
fn directive(line: &str) -> Option<usize> {
    directive_from(line, 0)
}

/// [`directive`] at or after `from`, the start of the line's comment (so never inside a quoted
/// scalar).
fn directive_from(line: &str, from: usize) -> Option<usize> {
    let bytes = line.as_bytes();
    line.match_indices('#').map(|(i, _)| i).find(|&i| {
        let after_space = i >= from
            && (i == 0
                || i.checked_sub(1)
                    .and_then(|j| bytes.get(j))
                    .is_some_and(|b| *b == b' ' || *b == b'\t'));
        after_space
            && line
                .get(i + 1..)
                .is_some_and(|rest| rest.trim_start().starts_with("skuld:"))
    })
}

/// Whitespace-separated words of `src[start..end]`, with their spans.
fn words(text: &str, start: usize, end: usize) -> Vec<(&str, Span)> {
    let mut out = Vec::new();
    let mut word_start: Option<usize> = None;
    let slice = text.get(start..end).unwrap_or("");
    for (i, c) in slice.char_indices().chain([(slice.len(), ' ')]) {
        match (c.is_whitespace(), word_start) {
            (true, Some(s)) => {
                if let Some(w) = slice.get(s..i) {
                    out.push((w, Span::new(start + s, start + i)));
                }
                word_start = None;
            }
            (false, None) => word_start = Some(i),
            _ => {}
        }
    }
    out
}

fn parse(
    src: &SourceFile,
    start: usize,
    end: usize,
    policy: &crate::Policy,
) -> Result<Waiver, Problem> {
    let text = src.text();
    let whole = Span::new(start, end);
    let bad = |message: String, span: Span, label: &str| {
        Problem::new(INLINE_CODE, message, src, span, label).with_help(Some(SYNTAX.to_owned()))
    };
    let comment = text.get(start..end).unwrap_or("");
    // `# skuld:` then the directive; the reason follows ` -- `.
    let body_start = start + comment.find("skuld:").map_or(0, |i| i + "skuld:".len());
    let (head_end, reason) = match text.get(body_start..end).and_then(|b| b.find(" -- ")) {
        Some(i) => (
            body_start + i,
            text.get(body_start + i + 4..end).unwrap_or("").trim(),
        ),
        None => (end, ""),
    };
    let w = words(text, body_start, head_end);
    let [
        (verb, verb_span),
        (rule, rule_span),
        (until, until_span),
        (date, date_span),
    ] = w.as_slice()
    else {
        return Err(match w.first() {
            Some((verb, span)) if *verb != "waive" => bad(
                format!("unknown skuld directive `{verb}`"),
                *span,
                "not `waive`",
            ),
            _ => bad(
                "malformed inline waiver".to_owned(),
                whole,
                "expected `waive RULE until YYYY-MM-DD -- reason`",
            ),
        });
    };
    if *verb != "waive" {
        return Err(bad(
            format!("unknown skuld directive `{verb}`"),
            *verb_span,
            "not `waive`",
        ));
    }
    if *until != "until" {
        return Err(bad(
            format!("expected `until`, found `{until}`"),
            *until_span,
            "expected `until`",
        ));
    }
    if let Some(p) = unknown_rule(rule, *rule_span, src, &policy.registry(), INLINE_CODE)
        .or_else(|| unwaivable(rule, *rule_span, src, INLINE_CODE))
    {
        return Err(p);
    }
    let Some(expires) = Date::parse(date) else {
        return Err(bad(
            format!("`{date}` is not a date"),
            *date_span,
            "expected YYYY-MM-DD",
        ));
    };
    if reason.is_empty() {
        return Err(bad(
            "this inline waiver gives no reason".to_owned(),
            whole,
            "reason missing",
        )
        .with_help(Some(
            "every waiver says why: end the comment with ` -- reason`".to_owned(),
        )));
    }
    Ok(Waiver {
        rule: (*rule).to_owned(),
        subject: None,
        tenant: None,
        reason: reason.to_owned(),
        expires,
        kind: Kind::Inline,
        src: src.clone(),
        entry: whole,
        expires_span: *date_span,
        line: None,
        at_line: src.line_of(start),
    })
}

#[cfg(test)]
mod tests {
    use super::{directive, words};

    #[test]
    fn a_directive_is_a_comment_that_starts_with_skuld() {
        assert_eq!(
            directive("  - upn: a@x  # skuld: waive r until d -- x"),
            Some(14)
        );
        assert_eq!(directive("# skuld: waive"), Some(0));
        assert_eq!(directive("  - upn: a@x  #skuld: waive"), Some(14));
        // Not a comment: `#` inside a plain scalar.
        assert_eq!(directive("  - upn: a#skuld:x"), None);
        // A comment about skuld, not a directive.
        assert_eq!(directive("  # checked by skuld: see docs"), None);
        assert_eq!(directive("  - upn: a@x"), None);
    }

    #[test]
    fn words_keep_their_spans() {
        let text = "ab  cd é";
        let w = words(text, 0, text.len());
        let found: Vec<(&str, u32, u32)> = w.iter().map(|(t, s)| (*t, s.start, s.end)).collect();
        assert_eq!(found, [("ab", 0, 2), ("cd", 4, 6), ("é", 7, 9)]);
    }
}
