//! Events: the parser's stream, with byte spans, alias replay and the depth and alias budgets.

use std::borrow::Cow;

use saphyr_parser::{Event, Parser, ScalarStyle, ScanError, StrInput, Tag};

use super::error::LoadError;
use super::limits::Limits;
use super::offsets::Offsets;
use crate::source::{SourceFile, Span};

/// What a tag means to skuld.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum TagKind {
    None,
    Str,
    Bool,
    Int,
    Float,
    Null,
    /// A core tag that does not change how skuld reads the node (`!!map`, `!!binary`, …).
    Ignored,
    Unsupported(Box<str>),
}

impl TagKind {
    fn of(tag: Option<&Tag>) -> TagKind {
        let Some(tag) = tag else {
            return TagKind::None;
        };
        if tag.is_yaml_core_schema() {
            return match tag.suffix.as_str() {
                "str" => TagKind::Str,
                "bool" => TagKind::Bool,
                "int" => TagKind::Int,
                "float" => TagKind::Float,
                "null" => TagKind::Null,
                _ => TagKind::Ignored,
            };
        }
        // The non-specific tag `!` makes a scalar a string.
        if tag.handle.is_empty() && tag.suffix == "!" {
            return TagKind::Str;
        }
        TagKind::Unsupported(tag.to_string().into())
    }
}

#[derive(Debug, Clone)]
pub(super) struct Scalar<'a> {
    pub(super) value: Cow<'a, str>,
    pub(super) style: ScalarStyle,
    pub(super) tag: TagKind,
    pub(super) span: Span,
}

#[derive(Debug, Clone)]
pub(super) enum Ev<'a> {
    StreamStart,
    StreamEnd,
    DocStart(Span),
    DocEnd,
    Scalar(Scalar<'a>),
    SeqStart(Span, TagKind),
    SeqEnd(Span),
    MapStart(Span, TagKind),
    MapEnd(Span),
    /// An alias: on the recording tape, or when read without expansion (while skipping).
    Alias(usize, Span),
}

impl Ev<'_> {
    pub(super) fn span(&self) -> Option<Span> {
        match self {
            Ev::DocStart(s)
            | Ev::SeqStart(s, _)
            | Ev::SeqEnd(s)
            | Ev::MapStart(s, _)
            | Ev::MapEnd(s)
            | Ev::Alias(_, s) => Some(*s),
            Ev::Scalar(s) => Some(s.span),
            Ev::StreamStart | Ev::StreamEnd | Ev::DocEnd => None,
        }
    }

    fn with_span(mut self, span: Span) -> Self {
        match &mut self {
            Ev::DocStart(s)
            | Ev::SeqStart(s, _)
            | Ev::SeqEnd(s)
            | Ev::MapStart(s, _)
            | Ev::MapEnd(s)
            | Ev::Alias(_, s) => *s = span,
            Ev::Scalar(s) => s.span = span,
            Ev::StreamStart | Ev::StreamEnd | Ev::DocEnd => {}
        }
        self
    }
}

/// An anchored node being recorded.
#[derive(Debug)]
struct Recording {
    anchor: usize,
    start: usize,
    depth: usize,
}

/// An alias being replayed: tape positions `pos..end` of the anchored node `start..end`.
#[derive(Debug)]
struct Cursor {
    start: usize,
    pos: usize,
    end: usize,
    alias: Span,
}

/// An error that stops reading.
#[derive(Debug)]
pub(super) struct Fatal {
    pub(super) error: Box<LoadError>,
}

pub(super) struct Events<'a> {
    parser: Parser<'a, StrInput<'a>>,
    pub(super) src: SourceFile,
    pub(super) text: &'a str,
    offsets: Offsets,
    max_depth: usize,
    max_alias_events: usize,
    /// Events of anchored nodes, recorded once (aliases inside them are kept as aliases).
    tape: Vec<Ev<'a>>,
    /// Anchor id → its node's range on the tape (`None` while still being recorded).
    anchors: Vec<Option<(usize, usize)>>,
    recording: Vec<Recording>,
    replay: Vec<Cursor>,
    replayed: usize,
    /// Nesting of the raw parser events (for recordings).
    raw_depth: usize,
    /// Nesting of the delivered events (for the depth limit).
    depth: usize,
    /// End of the last delivered event with a non-empty span: where the node just read ends.
    pub(super) last_end: u32,
    done: bool,
}

impl<'a> Events<'a> {
    pub(super) fn new(source: &'a SourceFile, limits: &Limits) -> Self {
        let text = source.text();
        Events {
            parser: Parser::new_from_str(text),
            src: source.clone(),
            text,
            offsets: Offsets::new(text),
            max_depth: limits.max_depth,
            max_alias_events: limits.max_alias_events,
            tape: Vec::new(),
            anchors: Vec::new(),
            recording: Vec::new(),
            replay: Vec::new(),
            replayed: 0,
            raw_depth: 0,
            depth: 0,
            last_end: 0,
            done: false,
        }
    }

    pub(super) fn span(&mut self, span: saphyr_parser::Span) -> Span {
        Span::new(
            self.offsets.byte(span.start.index()),
            self.offsets.byte(span.end.index()),
        )
    }

    /// The next event; aliases are expanded unless `expand` is false (used when skipping).
    pub(super) fn next(&mut self, expand: bool) -> Result<Ev<'a>, Fatal> {
        loop {
            if let Some(cursor) = self.replay.last_mut() {
                let index = cursor.pos;
                if index >= cursor.end {
                    self.replay.pop();
                    continue;
                }
                cursor.pos += 1;
                let is_root = index == cursor.start || index + 1 == cursor.end;
                let alias = cursor.alias;
                let Some(ev) = self.tape.get(index).cloned() else {
                    self.replay.pop();
                    continue;
                };
                self.replayed += 1;
                if self.replayed > self.max_alias_events {
                    let span = self.replay.first().map_or(alias, |c| c.alias);
                    return Err(self.fatal(LoadError::AliasBomb {
                        src: self.src.clone(),
                        limit: self.max_alias_events,
                        span,
                    }));
                }
                let ev = if is_root { ev.with_span(alias) } else { ev };
                if let (true, Ev::Alias(anchor, span)) = (expand, &ev) {
                    self.push_replay(*anchor, *span)?;
                    continue;
                }
                return self.deliver(ev);
            }

            if self.done {
                return Ok(Ev::StreamEnd);
            }
            let (event, span) = match self.parser.next() {
                None => {
                    self.done = true;
                    return Ok(Ev::StreamEnd);
                }
                Some(Err(e)) => {
                    self.done = true;
                    return Err(self.syntax(&e));
                }
                Some(Ok(pair)) => pair,
            };
            let span = self.span(span);
            let (ev, anchor) = match event {
                Event::Nothing => continue,
                Event::StreamStart => (Ev::StreamStart, 0),
                Event::StreamEnd => {
                    self.done = true;
                    (Ev::StreamEnd, 0)
                }
                Event::DocumentStart(_) => (Ev::DocStart(span), 0),
                Event::DocumentEnd => (Ev::DocEnd, 0),
                Event::Alias(anchor) => (Ev::Alias(anchor, span), 0),
                Event::Scalar(value, style, anchor, tag) => (
                    Ev::Scalar(Scalar {
                        value,
                        style,
                        tag: TagKind::of(tag.as_deref()),
                        span,
                    }),
                    anchor,
                ),
                Event::SequenceStart(anchor, tag) => {
                    (Ev::SeqStart(span, TagKind::of(tag.as_deref())), anchor)
                }
                Event::SequenceEnd => (Ev::SeqEnd(span), 0),
                Event::MappingStart(anchor, tag) => {
                    (Ev::MapStart(span, TagKind::of(tag.as_deref())), anchor)
                }
                Event::MappingEnd => (Ev::MapEnd(span), 0),
            };
            self.record(&ev, anchor);
            if let (true, Ev::Alias(anchor, span)) = (expand, &ev) {
                self.push_replay(*anchor, *span)?;
                continue;
            }
            return self.deliver(ev);
        }
    }

    /// Keeps the tape of anchored nodes up to date with one raw parser event.
    fn record(&mut self, ev: &Ev<'a>, anchor: usize) {
        if self.recording.is_empty() {
            if anchor == 0 {
                // The common case: nothing to record. `raw_depth` only matters relative to the
                // depth at which a recording starts, so it restarts from zero with the next one.
                return;
            }
            self.raw_depth = 0;
        }
        if anchor != 0 {
            self.recording.push(Recording {
                anchor,
                start: self.tape.len(),
                depth: self.raw_depth,
            });
        }
        if !self.recording.is_empty() {
            self.tape.push(ev.clone());
        }
        match ev {
            Ev::SeqStart(..) | Ev::MapStart(..) => self.raw_depth += 1,
            Ev::SeqEnd(_) | Ev::MapEnd(_) => self.raw_depth = self.raw_depth.saturating_sub(1),
            _ => {}
        }
        while let Some(rec) = self.recording.last() {
            if rec.depth != self.raw_depth {
                break;
            }
            let (anchor, start) = (rec.anchor, rec.start);
            self.recording.pop();
            if self.anchors.len() <= anchor {
                self.anchors.resize(anchor + 1, None);
            }
            if let Some(slot) = self.anchors.get_mut(anchor) {
                *slot = Some((start, self.tape.len()));
            }
        }
    }

    fn push_replay(&mut self, anchor: usize, alias: Span) -> Result<(), Fatal> {
        match self.anchors.get(anchor).copied().flatten() {
            Some((start, end)) => {
                self.replay.push(Cursor {
                    start,
                    pos: start,
                    end,
                    alias,
                });
                Ok(())
            }
            None => Err(self.fatal(LoadError::RecursiveAlias {
                src: self.src.clone(),
                alias: self.text.get(alias.range()).unwrap_or("").to_owned(),
                span: alias,
            })),
        }
    }

    fn deliver(&mut self, ev: Ev<'a>) -> Result<Ev<'a>, Fatal> {
        match &ev {
            Ev::SeqStart(span, _) | Ev::MapStart(span, _) => {
                self.depth += 1;
                if self.depth > self.max_depth {
                    self.done = true;
                    self.replay.clear();
                    return Err(self.fatal(LoadError::TooDeep {
                        src: self.src.clone(),
                        limit: self.max_depth,
                        span: *span,
                    }));
                }
            }
            Ev::SeqEnd(_) | Ev::MapEnd(_) => self.depth = self.depth.saturating_sub(1),
            _ => {}
        }
        if let Some(span) = ev.span()
            && !span.is_empty()
        {
            self.last_end = span.end;
        }
        Ok(ev)
    }

    fn fatal(&self, error: LoadError) -> Fatal {
        Fatal {
            error: Box::new(error),
        }
    }

    pub(super) fn syntax(&mut self, e: &ScanError) -> Fatal {
        let at = self.offsets.byte(e.marker().index()).min(self.text.len());
        let info = e.info();
        let (start, help) = syntax_help(self.text, at, info);
        let width = self
            .text
            .get(start..)
            .and_then(|rest| rest.chars().next())
            .map_or(0, |c| if c == '\n' { 0 } else { c.len_utf8() });
        self.fatal(LoadError::Syntax {
            src: self.src.clone(),
            message: info.to_owned(),
            span: Span::new(start, start + width),
            help,
        })
    }
}

/// Where a YAML syntax error is to be pointed at (byte offset) and what to do, for the shapes a
/// hand-written tenant file has: a tab (the parser stops at the scalar before it: point at the
/// tab itself), a flow list or mapping never closed (the parser stops lines later: point at the
/// bracket), a line indented unlike its neighbours. `at` is where the parser stopped.
pub(super) fn syntax_help(text: &str, at: usize, info: &str) -> (usize, Option<String>) {
    if info.contains("tab") {
        let tab = text
            .get(at..)
            .and_then(|rest| rest.find('\t'))
            .map(|i| at + i)
            .or_else(|| {
                let line_start = text
                    .get(..at)
                    .and_then(|b| b.rfind('\n'))
                    .map_or(0, |i| i + 1);
                text.get(line_start..at)
                    .and_then(|b| b.find('\t'))
                    .map(|i| line_start + i)
            });
        return (
            tab.unwrap_or(at),
            Some("YAML does not allow tabs for indentation: indent with spaces".to_owned()),
        );
    }
    if info.contains("unknown anchor") {
        return (
            at,
            Some(
                "define the anchor (`&name`) before the alias (`*name`) that repeats it".to_owned(),
            ),
        );
    }
    if info.contains("recursion limit") {
        return (
            at,
            Some(
                "the brackets nest far too deep: a tenant file is at most four levels deep"
                    .to_owned(),
            ),
        );
    }
    if let Some(open) = unclosed_bracket(text.get(..at).unwrap_or(text)) {
        let (bracket, close, what) = match text.get(open..).and_then(|r| r.chars().next()) {
            Some('{') => ("{", "}", "mapping"),
            _ => ("[", "]", "list"),
        };
        let line = text.get(..open).map_or(0, |b| b.matches('\n').count()) + 1;
        return (
            open,
            Some(format!(
                "the `{bracket}` on line {line} is never closed: end the {what} with `{close}` \
                 on the same line, e.g. `licenses: [EMS, SPE_E3]`"
            )),
        );
    }
    let line_start = text
        .get(..at)
        .and_then(|b| b.rfind('\n'))
        .map_or(0, |i| i + 1);
    let indent = |line: &str| line.len() - line.trim_start_matches(' ').len();
    // Where the keys of the line's mapping start: after a list item's `- `, if any.
    let keys_at = |line: &str| line.len() - line.trim_start_matches([' ', '-']).len();
    let this = text.get(line_start..).unwrap_or_default();
    let above = text
        .get(..line_start)
        .unwrap_or_default()
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'));
    let misaligned = above.is_some_and(|a| {
        let (this, above) = (indent(this), keys_at(a));
        // Deeper than the keys above without a key above opening a block: a key indented by
        // mistake reads as the continuation of the value above, and its `:` is then "not
        // allowed".
        this != above && !a.trim_end().ends_with(':')
    });
    if info.contains("mapping values are not allowed") && !misaligned {
        return (
            at,
            Some("quote a value that contains `: `, or check the indentation".to_owned()),
        );
    }
    if info.contains("did not find expected")
        || info.contains("block")
        || info.contains("mapping values are not allowed")
    {
        let spaces = |n: usize| format!("{n} {}", if n == 1 { "space" } else { "spaces" });
        let help = match above {
            Some(above) => format!(
                "check the indentation: this line is indented {}, the keys of the line above \
                 by {}; the keys of one user or group line up under each other, and each list \
                 item starts with `- `",
                spaces(indent(this)),
                spaces(keys_at(above))
            ),
            None => "check the indentation: the keys of one user or group line up under each \
                     other, and each list item starts with `- `"
                .to_owned(),
        };
        return (line_start + indent(this), Some(help));
    }
    (at, None)
}

/// The offset of the last `[` or `{` that opens a flow collection (after `key: `, `- `, or
/// another bracket) and is not closed before the end of `text`; quoted text and comments are
/// skipped. A plain scalar such as `name: a[b` opens nothing.
fn unclosed_bracket(text: &str) -> Option<usize> {
    let mut open: Vec<usize> = Vec::new();
    let mut quote: Option<char> = None;
    let mut comment = false;
    let mut prev = '\n';
    let mut prev_visible = '\n';
    for (i, c) in text.char_indices() {
        if c == '\n' {
            comment = false;
        }
        if comment {
            prev = c;
            continue;
        }
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None => match c {
                '"' | '\'' if matches!(prev_visible, ':' | '-' | '[' | '{' | ',') => {
                    quote = Some(c)
                }
                '#' if prev.is_whitespace() => comment = true,
                '[' | '{'
                    if matches!(prev_visible, ':' | '-' | '[' | '{' | ',') || !open.is_empty() =>
                {
                    open.push(i);
                }
                ']' | '}' if !open.is_empty() => {
                    open.pop();
                }
                _ => {}
            },
        }
        prev = c;
        if !c.is_whitespace() {
            prev_visible = c;
        }
    }
    open.last().copied()
}
