//! `# expect: RULE-ID, …` comments: finding them in a tenant file's lines, and rewriting them.
//!
//! Comments are found by the one YAML comment scanner, [`crate::source::yaml_comment_starts`].
//! Inside a comment, `#` separates parts; the part that starts with `expect:` is the
//! expectation, so `# seats checked by hand  # expect: licensing/seats` keeps its note.

/// The marker that starts an expectation inside a comment.
const MARKER: &str = "expect:";

pub(crate) use crate::source::yaml_comment_starts as comment_starts;

/// The rule ids a comment expects (`comment` starts at its `#`), in written order.
pub(crate) fn parse_comment(comment: &str) -> Vec<String> {
    comment
        .split('#')
        .filter_map(|part| part.trim_start().strip_prefix(MARKER))
        .flat_map(|ids| ids.split(','))
        .map(str::trim)
        .filter(|id| !id.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Expectations of a whole text: (1-based line, rule id), in line order.
pub(crate) fn expectations(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    for (n, (line, start)) in text.split('\n').zip(comment_starts(text)).enumerate() {
        if let Some(comment) = start.and_then(|s| line.get(s..)) {
            out.extend(parse_comment(comment).into_iter().map(|id| (n + 1, id)));
        }
    }
    out
}

/// `line` (without its line break) with its expectation set to `ids`: the `# expect:` part is
/// replaced, removed (no ids) or appended; the rest of the line is left byte for byte.
pub(crate) fn rewrite_line(line: &str, comment_start: Option<usize>, ids: &[String]) -> String {
    let (body, cr) = match line.strip_suffix('\r') {
        Some(b) => (b, "\r"),
        None => (line, ""),
    };
    let wanted = (!ids.is_empty()).then(|| format!("# {MARKER} {}", ids.join(", ")));
    let Some(start) = comment_start.filter(|s| *s <= body.len()) else {
        return match wanted {
            Some(w) => format!("{}  {w}{cr}", body.trim_end()),
            None => line.to_owned(),
        };
    };
    let (code, comment) = body.split_at(start);
    // The comment's parts, each from its `#` to the next one.
    let mut parts: Vec<&str> = Vec::new();
    let mut from = 0;
    for (i, _) in comment.match_indices('#').skip(1) {
        parts.push(comment.get(from..i).unwrap_or(""));
        from = i;
    }
    parts.push(comment.get(from..).unwrap_or(""));
    let is_expect = |p: &str| {
        p.get(1..)
            .is_some_and(|t| t.trim_start().starts_with(MARKER))
    };
    let mut kept = String::new();
    let mut placed = false;
    for p in parts {
        if !is_expect(p) {
            kept.push_str(p);
        } else if !placed {
            placed = true;
            if let Some(w) = &wanted {
                kept.push_str(w);
                kept.push_str(p.get(p.trim_end().len()..).unwrap_or(""));
            }
        }
    }
    if !placed && let Some(w) = &wanted {
        kept.truncate(kept.trim_end().len());
        kept.push_str("  ");
        kept.push_str(w);
    }
    let mut out = String::with_capacity(line.len() + 32);
    if kept.trim().is_empty() {
        out.push_str(code.trim_end());
    } else {
        // Dropping the last part leaves the spaces that stood before it.
        if !comment.ends_with(char::is_whitespace) {
            kept.truncate(kept.trim_end().len());
        }
        out.push_str(code);
        out.push_str(&kept);
    }
    out.push_str(cr);
    out
}

/// `text` with every line's expectation set from `wanted` (1-based line → ids); lines not in
/// `wanted` lose their expectation. Returns the text unchanged when nothing differs.
pub(crate) fn rewrite(text: &str, wanted: &dyn Fn(usize) -> Vec<String>) -> String {
    let starts = comment_starts(text);
    let mut out = String::with_capacity(text.len());
    for (n, (line, start)) in text.split('\n').zip(starts).enumerate() {
        if n > 0 {
            out.push('\n');
        }
        let ids = wanted(n + 1);
        let current = start
            .and_then(|s| line.get(s..))
            .map(parse_comment)
            .unwrap_or_default();
        if current == ids {
            out.push_str(line);
        } else {
            out.push_str(&rewrite_line(line, start, &ids));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(s: &[&str]) -> Vec<String> {
        s.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn comments_outside_quotes_only() {
        let text = "a: '# no'  # yes\nb: \"x # y\"\nc: it's # z\nd: x#y\n# whole\n";
        assert_eq!(
            comment_starts(text),
            vec![Some(11), None, Some(8), None, Some(0), None]
        );
    }

    #[test]
    fn multi_line_double_quotes() {
        let text = "a: \"one\n  # two\"\nb: c # d\n";
        assert_eq!(comment_starts(text), vec![None, None, Some(5), None]);
    }

    #[test]
    fn expectation_among_other_comment_parts() {
        assert_eq!(
            parse_comment("# note #5  # expect: a/b, c/d"),
            ids(&["a/b", "c/d"])
        );
        assert_eq!(parse_comment("# no expectation here"), ids(&[]));
    }

    #[test]
    fn rewrite_replaces_appends_and_removes() {
        let w = ids(&["x/y"]);
        assert_eq!(rewrite_line("a: b", None, &w), "a: b  # expect: x/y");
        assert_eq!(
            rewrite_line("a: b  # note", Some(6), &w),
            "a: b  # note  # expect: x/y"
        );
        assert_eq!(
            rewrite_line("a: b  # expect: old # note", Some(6), &w),
            "a: b  # expect: x/y # note"
        );
        assert_eq!(rewrite_line("a: b  # expect: old", Some(6), &[]), "a: b");
        assert_eq!(
            rewrite_line("a: b  # note  # expect: old", Some(6), &[]),
            "a: b  # note"
        );
        assert_eq!(
            rewrite_line("a: b # expect: o\r", Some(5), &w),
            "a: b # expect: x/y\r"
        );
    }

    #[test]
    fn rewrite_is_idempotent() {
        let text = "a: 1  # expect: p/q\nb: 2 # keep\nc: 3\n";
        let want = |n: usize| match n {
            2 => ids(&["r/s", "t/u"]),
            3 => ids(&["p/q"]),
            _ => Vec::new(),
        };
        let once = rewrite(text, &want);
        assert_eq!(
            once,
            "a: 1\nb: 2 # keep  # expect: r/s, t/u\nc: 3  # expect: p/q\n"
        );
        assert_eq!(rewrite(&once, &want), once);
    }
}
