//! A small spanned YAML tree for skuld's own little files (the config file and the waivers
//! file). These files are a few dozen lines written by hand, so unlike the tenant loader this
//! builds a plain tree first and the readers walk it; every node keeps its byte span so each
//! diagnostic points at the exact place. Anchors, aliases and tags are refused: nobody needs them
//! in these files, and refusing them keeps the tree small and its size bounded by the text.

use saphyr_parser::{Event, Parser, ScalarStyle};

use super::Problem;
use crate::source::{SourceFile, Span};

/// Deepest nesting accepted (the files need three levels).
const MAX_DEPTH: usize = 16;

/// A YAML node with its span.
#[derive(Debug, Clone)]
pub(crate) enum Node {
    /// A scalar; `quoted` is false for plain scalars (which YAML may read as null, bool, number).
    Scalar {
        value: String,
        quoted: bool,
        span: Span,
    },
    /// A sequence.
    Seq { items: Vec<Node>, span: Span },
    /// A mapping, keys in order (keys are scalars).
    Map {
        entries: Vec<(Key, Node)>,
        span: Span,
    },
}

/// A mapping key.
#[derive(Debug, Clone)]
pub(crate) struct Key {
    pub(crate) name: String,
    pub(crate) span: Span,
}

impl Node {
    pub(crate) fn span(&self) -> Span {
        match self {
            Node::Scalar { span, .. } | Node::Seq { span, .. } | Node::Map { span, .. } => *span,
        }
    }

    /// What the node is, for "expected X, found Y" messages.
    pub(crate) fn kind(&self) -> &'static str {
        match self {
            Node::Scalar { .. } if self.is_null() => "nothing",
            Node::Scalar { .. } => "a scalar",
            Node::Seq { .. } => "a list",
            Node::Map { .. } => "a mapping",
        }
    }

    /// True for an empty document, `~`, `null` or an empty value.
    pub(crate) fn is_null(&self) -> bool {
        matches!(self, Node::Scalar { value, quoted: false, .. }
            if matches!(value.as_str(), "" | "~" | "null" | "Null" | "NULL"))
    }

    /// The text of a scalar that is not null.
    pub(crate) fn text(&self) -> Option<&str> {
        match self {
            Node::Scalar { value, .. } if !self.is_null() => Some(value),
            _ => None,
        }
    }
}

/// Parses `source` into one node (an empty file is a null scalar).
pub(crate) fn parse(source: &SourceFile, code: &'static str) -> Result<Node, Problem> {
    let text = source.text();
    // saphyr-parser counts characters; spans are bytes.
    let bytes: Vec<usize> = text
        .char_indices()
        .map(|(b, _)| b)
        .chain([text.len()])
        .collect();
    let byte = |i: usize| bytes.get(i).copied().unwrap_or(text.len());
    let span_of = |s: saphyr_parser::Span| Span::new(byte(s.start.index()), byte(s.end.index()));

    // Containers being built: (span, items or entries, pending key of a mapping).
    enum Open {
        Seq(Span, Vec<Node>),
        Map(Span, Vec<(Key, Node)>, Option<Key>),
    }
    let mut stack: Vec<Open> = Vec::new();
    let mut root: Option<Node> = None;
    let problem = |message: String, span: Span, help: Option<&str>| {
        Problem::new(code, message, source, span, "here").with_help(help.map(str::to_owned))
    };

    for item in Parser::new_from_str(text) {
        let (event, span) = match item {
            Ok((e, s)) => (e, span_of(s)),
            Err(e) => {
                let at = byte(e.marker().index());
                return Err(problem(
                    format!("invalid YAML: {}", e.info()),
                    Span::new(at, at),
                    None,
                ));
            }
        };
        let node = match event {
            Event::Alias(_) => {
                return Err(problem(
                    "aliases are not supported here".to_owned(),
                    span,
                    Some("write the value out in full"),
                ));
            }
            Event::Scalar(_, _, anchor, tag)
            | Event::SequenceStart(anchor, tag)
            | Event::MappingStart(anchor, tag)
                if anchor != 0 || tag.is_some() =>
            {
                return Err(problem(
                    "anchors and tags are not supported here".to_owned(),
                    span,
                    Some("write the value out in full, without `&`, `*` or `!`"),
                ));
            }
            Event::Scalar(value, style, _, _) => Node::Scalar {
                value: value.into_owned(),
                quoted: style != ScalarStyle::Plain,
                span,
            },
            Event::SequenceStart(..) | Event::MappingStart(..) => {
                if stack.len() >= MAX_DEPTH {
                    return Err(problem(
                        "the file nests too deep".to_owned(),
                        span,
                        Some("this file is at most three levels deep"),
                    ));
                }
                stack.push(if matches!(event, Event::SequenceStart(..)) {
                    Open::Seq(span, Vec::new())
                } else {
                    Open::Map(span, Vec::new(), None)
                });
                continue;
            }
            // A block collection's end event sits where the next node starts: end the span
            // with the last child instead, so that labels cover the collection alone.
            Event::SequenceEnd | Event::MappingEnd => match stack.pop() {
                Some(Open::Seq(start, items)) => {
                    let end = items.last().map_or(span, Node::span);
                    Node::Seq {
                        items,
                        span: start.to(end),
                    }
                }
                Some(Open::Map(start, entries, _)) => {
                    let end = entries.last().map_or(span, |(_, v)| v.span());
                    Node::Map {
                        entries,
                        span: start.to(end),
                    }
                }
                None => continue,
            },
            Event::DocumentStart(_) if root.is_some() => {
                return Err(problem(
                    "only one YAML document is allowed here".to_owned(),
                    span,
                    Some("remove the `---` and what follows it"),
                ));
            }
            _ => continue,
        };
        match stack.last_mut() {
            None => root = Some(node),
            Some(Open::Seq(_, items)) => items.push(node),
            Some(Open::Map(_, entries, pending)) => match pending.take() {
                Some(key) => entries.push((key, node)),
                None => match node {
                    Node::Scalar { value, span, .. } => {
                        *pending = Some(Key { name: value, span });
                    }
                    other => {
                        return Err(problem(
                            "a key must be a plain name".to_owned(),
                            other.span(),
                            None,
                        ));
                    }
                },
            },
        }
    }
    Ok(root.unwrap_or(Node::Scalar {
        value: String::new(),
        quoted: false,
        span: Span::new(0, 0),
    }))
}
