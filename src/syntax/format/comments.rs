//! Comment recovery: the comments of the source text, found outside the spans of string
//! literals and templates (pest's `COMMENT` is silent, so the AST has none).

use crate::source::Span;
use crate::syntax::ast::{Expr, ExprKind, File, Item, SkuAttr};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum CommentKind {
    /// `// …` or `//// …`: kept verbatim.
    Line,
    /// `/// …`: part of the AST (`docs`), except on `grant`, whose docs the AST drops.
    Doc,
}

#[derive(Debug, Clone)]
pub(super) struct Comment {
    pub(super) start: u32,
    pub(super) text: String,
    pub(super) kind: CommentKind,
    /// Only whitespace before it on its line.
    pub(super) own_line: bool,
    /// A blank line between the previous code or comment and this comment.
    pub(super) blank_before: bool,
    /// A blank line between this comment and the next code or comment.
    pub(super) blank_after: bool,
}

/// Finds the comments of `text`: every `//` outside string literals and templates (whose spans the
/// AST knows; outside them `//` means nothing else in the grammar).
pub(super) fn comments_of(file: &File, text: &str) -> Vec<Comment> {
    let mut opaque = Vec::new();
    for item in &file.items {
        strings_of_item(item, &mut opaque);
    }
    opaque.sort();
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    let mut o = 0;
    while i < bytes.len() {
        while opaque.get(o).is_some_and(|s: &Span| (s.end as usize) <= i) {
            o += 1;
        }
        if let Some(s) = opaque.get(o)
            && (s.start as usize) <= i
        {
            i = (s.end as usize).max(i + 1);
            continue;
        }
        if bytes.get(i) == Some(&b'/') && bytes.get(i + 1) == Some(&b'/') {
            let end = text
                .get(i..)
                .and_then(|r| r.find('\n'))
                .map_or(text.len(), |n| i + n);
            let body = text.get(i..end).unwrap_or("").trim_end().to_owned();
            let before = text.get(..i).unwrap_or("");
            let line_start = before.rfind('\n').map_or(0, |n| n + 1);
            let own_line = before.get(line_start..).unwrap_or("").trim().is_empty();
            let blank_before =
                own_line && ends_with_blank_line(before.get(..line_start).unwrap_or(""));
            let after = text.get(end..).unwrap_or("");
            let blank_after = starts_with_blank_line(after);
            let kind = if body.starts_with("///") && !body.starts_with("////") {
                CommentKind::Doc
            } else {
                CommentKind::Line
            };
            out.push(Comment {
                start: u32::try_from(i).unwrap_or(u32::MAX),
                text: body,
                kind,
                own_line,
                blank_before,
                blank_after,
            });
            i = end;
            continue;
        }
        i += 1;
    }
    out
}

/// `text` (everything before a line) ends with a line holding only whitespace, and something
/// precedes it.
fn ends_with_blank_line(text: &str) -> bool {
    let mut lines = text.lines().rev();
    matches!(lines.next(), Some(l) if l.trim().is_empty()) && !text.trim().is_empty()
}

/// `text` (from the end of a line) holds a blank line before the next non-whitespace.
fn starts_with_blank_line(text: &str) -> bool {
    let rest = text.trim_start();
    let ws = text.get(..text.len() - rest.len()).unwrap_or("");
    ws.matches('\n').count() >= 2 && !rest.is_empty()
}

fn strings_of_item(item: &Item, out: &mut Vec<Span>) {
    match item {
        Item::Capability(c) => {
            if let Some(d) = &c.description {
                out.push(d.span);
            }
        }
        Item::Sku(s) => {
            out.push(s.part.span);
            out.push(s.display.span);
            for a in &s.attrs {
                match a {
                    SkuAttr::Grants(names)
                    | SkuAttr::UnavailableIn(names)
                    | SkuAttr::Plans(names) => {
                        out.extend(names.iter().map(|n| n.span));
                    }
                    SkuAttr::Paid(_) | SkuAttr::Free(_) => {}
                    SkuAttr::Family(n) | SkuAttr::Id(n) => out.push(n.span),
                }
            }
        }
        Item::Set(s) => out.extend(s.members.iter().map(|n| n.span)),
        Item::Feature(f) => out.extend(f.description.iter().map(|d| d.span)),
        Item::Includes(i) => {
            out.push(i.sku.span);
            out.extend(i.included.iter().map(|n| n.span));
        }
        Item::Placeholder(p) => out.extend(p.plans.iter().map(|n| n.span)),
        Item::Grant(g) => {
            out.extend(g.capabilities.iter().map(|n| n.span));
            out.extend(g.targets.iter().map(|n| n.span));
            out.extend(g.plans.iter().flat_map(|t| t.plans.iter().map(|n| n.span)));
        }
        Item::Rule(r) => {
            let exprs = [
                Some(&r.require),
                Some(&r.at),
                r.filter.as_ref(),
                r.subject.as_ref(),
            ];
            for e in exprs.into_iter().flatten() {
                strings_of_expr(e, out);
            }
            if let Some(t) = &r.at_label {
                out.push(t.span);
            }
            for m in &r.messages {
                out.push(m.text.span);
                if let Some(w) = &m.when {
                    strings_of_expr(w, out);
                }
            }
            for c in &r.severities {
                if let Some(w) = &c.when {
                    strings_of_expr(w, out);
                }
            }
            for h in &r.helps {
                out.push(h.text.span);
                if let Some(w) = &h.when {
                    strings_of_expr(w, out);
                }
            }
            for l in &r.labels {
                out.push(l.text.span);
                strings_of_expr(&l.place, out);
                if let Some((_, coll)) = &l.pair {
                    strings_of_expr(coll, out);
                }
                if let Some((_, coll, filter)) = &l.binding {
                    strings_of_expr(coll, out);
                    if let Some(f) = filter {
                        strings_of_expr(f, out);
                    }
                }
            }
        }
    }
}

fn strings_of_expr(e: &Expr, out: &mut Vec<Span>) {
    match &e.kind {
        ExprKind::Str(_) => out.push(e.span),
        ExprKind::Var(_) | ExprKind::Int(_) | ExprKind::Bool(_) | ExprKind::Null => {}
        ExprKind::List(items) => items.iter().for_each(|i| strings_of_expr(i, out)),
        ExprKind::Field(inner, _) | ExprKind::Not(inner) | ExprKind::Count(inner) => {
            strings_of_expr(inner, out);
        }
        ExprKind::Binary(_, l, r) | ExprKind::Quantifier(_, _, l, r) => {
            strings_of_expr(l, out);
            strings_of_expr(r, out);
        }
    }
}
