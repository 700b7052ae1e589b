//! The canonical layout of policy files: AST (plus the comments of the source) → text.
//!
//! The layout depends only on the AST and the comments, never on how the input was laid out, so
//! formatting is idempotent by construction. Comments are not in the AST (pest's `COMMENT` is
//! silent): they are recovered from the source text, outside the spans of string literals, and
//! re-emitted at the next place a line starts (a declaration, a rule clause, a SKU attribute, a
//! closing brace). A comment inside a list or an expression therefore moves to the end of that
//! construct's line; it is never dropped (the CLI checks this before writing anything).
//!
//! Every printer (`printer.rs`, `layout.rs`) is an exhaustive `match` over the AST enums, so a
//! new construct in the grammar does not compile until it has a layout.
//!
//! One file per layer: `comments` (comment recovery), `printer` (lines, clauses, bodies),
//! `layout` (names, strings, templates and expressions on one line), `erase` (spans erased).

mod comments;
mod erase;
mod layout;
mod printer;

pub use erase::without_spans;

use comments::{CommentKind, comments_of};
use printer::{Printer, doc_line};

use super::ast::*;
use crate::source::{SourceFile, Span};

/// Lines longer than this are broken where the layout allows (strings are never split).
pub const WIDTH: usize = 100;
const INDENT: usize = 4;

/// Formats a parsed file. `source` is the text `file` was parsed from (for its comments), or
/// `None` for an AST built in memory.
pub fn format_file(file: &File, source: Option<&SourceFile>) -> String {
    let comments = source.map_or_else(Vec::new, |s| comments_of(file, s.text()));
    let mut p = Printer {
        lines: Vec::new(),
        comments,
        next: 0,
        text: source.map_or_else(String::new, |s| s.text().to_owned()),
        limit: u32::MAX,
    };
    for item in &file.items {
        p.item(item);
    }
    p.flush_top(u32::MAX);
    let mut out = p.lines.join("\n");
    while out.ends_with('\n') {
        out.pop();
    }
    if !out.is_empty() {
        out.push('\n');
    }
    out
}

/// The comments of `text` as written, in order (`//`, `////` and `///` lines), trailing
/// whitespace removed. Used to check that formatting kept every comment.
pub fn comment_texts(file: &File, text: &str) -> Vec<String> {
    comments_of(file, text)
        .into_iter()
        .filter_map(|c| match c.kind {
            CommentKind::Doc => {
                let body = c.text.trim_start_matches("///");
                let body = body.strip_prefix(' ').unwrap_or(body);
                // A lone empty `///` is no documentation (the AST keeps nothing of it).
                (!body.is_empty()).then(|| doc_line(body))
            }
            CommentKind::Line => Some(c.text),
        })
        .collect()
}

/// A message template whose source holds a line break and `//`: possibly a comment inside a
/// `{…}` hole, which the layout cannot keep (templates are printed on one line). Formatting
/// such a file is refused rather than risk dropping the comment.
pub fn comment_in_template(file: &File, text: &str) -> Option<Span> {
    file.items.iter().find_map(|item| match item {
        Item::Capability(_)
        | Item::Sku(_)
        | Item::Set(_)
        | Item::Grant(_)
        | Item::Feature(_)
        | Item::Includes(_)
        | Item::Placeholder(_) => None,
        Item::Rule(r) => {
            let mut templates: Vec<_> = r.messages.iter().map(|m| &m.text).collect();
            templates.extend(r.at_label.iter());
            templates.extend(r.helps.iter().map(|h| &h.text));
            templates.extend(r.labels.iter().map(|l| &l.text));
            templates.into_iter().map(|t| t.span).find(|span| {
                text.get(span.range())
                    .is_some_and(|t| t.contains('\n') && t.contains("//"))
            })
        }
    })
}
