//! Syntax errors in policy files.

use miette::Diagnostic;
use pest::error::{ErrorVariant, InputLocation};
use thiserror::Error;

use super::grammar::Rule;
use super::rule_names::describe;
use crate::source::{SourceFile, Span};

/// A policy file that does not follow the grammar.
#[derive(Debug, Error, Diagnostic)]
#[error("{message}")]
#[diagnostic(code(skuld::policy::syntax))]
pub struct ParseError {
    message: String,
    #[source_code]
    source_file: SourceFile,
    #[label("{label}")]
    span: Span,
    label: String,
    #[help]
    help: Option<String>,
}

impl ParseError {
    /// Converts a pest error from parsing the slice of `source` that starts at byte `base`.
    pub(super) fn from_pest(
        source: &SourceFile,
        base: usize,
        err: &pest::error::Error<Rule>,
    ) -> Self {
        let offset = base
            + match err.location {
                InputLocation::Pos(p) => p,
                InputLocation::Span((s, _)) => s,
            };
        let found = found_at(source.text(), offset);
        let (message, label, help) = match &err.variant {
            ErrorVariant::ParsingError {
                positives,
                negatives,
            } => {
                let mut expected: Vec<&str> = positives.iter().map(describe).collect();
                expected.sort_unstable();
                expected.dedup();
                // After a complete expression the parser would also accept an operator; when
                // something else (a clause keyword) is possible too, the operators are noise.
                if expected.iter().any(|e| !OPERATORS.contains(e)) {
                    expected.retain(|e| !OPERATORS.contains(e));
                }
                let unexpected: Vec<&str> = negatives.iter().map(describe).collect();
                let message = if !expected.is_empty() {
                    format!("expected {}, found {found}", one_of(&expected))
                } else if !unexpected.is_empty() {
                    format!("unexpected {}", one_of(&unexpected))
                } else {
                    format!("unexpected {found}")
                };
                let label = format!("unexpected {found}");
                (message, label, hint(&expected, &found))
            }
            ErrorVariant::CustomError { message } => (message.clone(), "here".to_owned(), None),
        };
        let end = next_char_boundary(source.text(), offset);
        ParseError {
            message,
            source_file: source.clone(),
            span: Span::new(offset, end),
            label,
            help,
        }
    }

    /// An inconsistency between the grammar and the AST builder (a bug in skuld, reported
    /// instead of panicking).
    pub(super) fn internal(source: &SourceFile, span: Span, what: String) -> Self {
        ParseError {
            message: format!("internal error while reading the policy: {what}"),
            source_file: source.clone(),
            span,
            label: "here".to_owned(),
            help: Some("this is a bug in skuld; please report it with this policy file".to_owned()),
        }
    }

    /// Byte offset of the error.
    pub(super) fn offset(&self) -> usize {
        self.span.start as usize
    }

    /// For a one-line input (`skuld eval EXPR`): the input ends, not a file, and when it ends
    /// too early the label marks its last character, which a terminal can show.
    pub(super) fn in_expression(mut self) -> Self {
        let text = self.source_file.text();
        self.message = self
            .message
            .replace("end of file", "the end of the expression");
        if self.span.start as usize >= text.trim_end().len() {
            self.label = "the expression ends here".to_owned();
            let last = text.trim_end().char_indices().next_back();
            if let Some((at, c)) = last {
                self.span = Span::new(at, at + c.len_utf8());
            }
            if self.help.is_none() && text.matches('(').count() > text.matches(')').count() {
                self.help = Some("a `(` is not closed".to_owned());
            }
        }
        self
    }
}

/// A policy file that nests deeper than [`MAX_DEPTH`](super::MAX_DEPTH) levels: brackets,
/// strings and template holes in the text, or operators, fields and sub-expressions in one
/// expression. The limit keeps the parser, the type checker and the interpreter (which recurse
/// over the expression tree) within a small, fixed stack, whatever the input.
#[derive(Debug, Error, Diagnostic)]
#[error("the policy nests deeper than {limit} levels")]
#[diagnostic(
    code("skuld::policy::too-deep"),
    help(
        "split the condition into smaller ones (a `set`, another rule); no real policy nests this deep"
    )
)]
pub struct TooDeepError {
    #[source_code]
    source_file: SourceFile,
    #[label("nesting passes {limit} levels here")]
    span: Span,
    limit: usize,
}

impl TooDeepError {
    pub(super) fn new(source: &SourceFile, offset: usize, limit: usize) -> Self {
        let end = next_char_boundary(source.text(), offset);
        TooDeepError {
            source_file: source.clone(),
            span: Span::new(offset, end),
            limit,
        }
    }
}

/// How [`describe`] names the operators that may follow any expression.
const OPERATORS: &[&str] = &[
    "`!=`",
    "`<=`",
    "`<`",
    "`==`",
    "`>=`",
    "`>`",
    "`and`",
    "`in`",
    "`not in`",
    "`or`",
    "a field access (`.name`)",
];

fn next_char_boundary(text: &str, offset: usize) -> usize {
    text.get(offset..)
        .and_then(|s| s.chars().next())
        .map_or(offset, |c| offset + c.len_utf8())
}

/// A short description of the text at `offset`: the token, or "end of file".
fn found_at(text: &str, offset: usize) -> String {
    let rest = text.get(offset..).unwrap_or("");
    let token: String = rest
        .chars()
        .take_while(|c| !c.is_whitespace())
        .take(24)
        .collect();
    if rest.trim().is_empty() {
        "end of file".to_owned()
    } else if token.is_empty() {
        "whitespace".to_owned()
    } else {
        format!("`{token}`")
    }
}

fn one_of(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

fn hint(expected: &[&str], found: &str) -> Option<String> {
    if expected.contains(&"`severity`") {
        return Some(
            "a rule's clauses come in this order: severity, for, require, at, message, subject, help, label"
                .to_owned(),
        );
    }
    if found.starts_with("`'") {
        return Some("strings use double quotes".to_owned());
    }
    None
}
