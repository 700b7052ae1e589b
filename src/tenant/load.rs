//! Loading a tenant file: YAML events straight into a [`TenantDocument`].
//!
//! The file is read as a pull-based event stream (`saphyr-parser`) and the typed document is
//! built by recursive descent over the schema, with no generic YAML tree in between. The schema
//! is a few levels deep, so the recursion is bounded by the schema, never by the input: any node
//! the schema does not expect is skipped iteratively, after one diagnostic, and loading goes on
//! with its siblings so that every error in the file is reported, in source order.
//!
//! Scalars follow the YAML 1.2 core schema. Anchors and aliases work by recording the events of
//! each anchored node once and replaying them for every alias, under a budget of replayed events
//! (a billion-laughs file fails fast, in bounded memory). Merge keys (`<<`) are not supported.

use std::borrow::Cow;

use miette::Diagnostic;
use saphyr_parser::{Event, Parser, ScalarStyle, ScanError, StrInput, Tag};
use thiserror::Error;

use super::document::{
    GroupDocument, LicenseError, LicenseErrorDocument, ListField, Spanned, SsprDocument, SsprScope,
    SubscriptionDocument, TenantDocument, UserDocument, UserSource,
};
use crate::diagnostics::Diagnostics;
use crate::diagnostics::suggest::did_you_mean;
use crate::source::{SourceFile, Span};

/// Resource limits for reading one tenant file: each guards against a hostile or broken file.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Largest file read at all (checked before parsing).
    pub max_file_bytes: usize,
    /// Deepest nesting of sequences and mappings (the schema itself needs 4).
    pub max_depth: usize,
    /// Most events replayed for aliases in one file (the alias-bomb guard).
    pub max_alias_events: usize,
    /// Longest single scalar, in bytes.
    pub max_scalar_bytes: usize,
}

impl Default for Limits {
    /// Generous limits: 256 MiB files, depth 64, a million replayed alias events, 1 MiB scalars.
    fn default() -> Self {
        Limits {
            max_file_bytes: 256 * 1024 * 1024,
            max_depth: 64,
            max_alias_events: 1_000_000,
            max_scalar_bytes: 1024 * 1024,
        }
    }
}

/// An error in a tenant file: every variant labels the exact place in the file.
#[derive(Debug, Error, Diagnostic)]
pub enum LoadError {
    /// The file is over [`Limits::max_file_bytes`].
    #[error("the tenant file is {size} bytes, over the limit of {limit} bytes")]
    #[diagnostic(
        code("skuld::tenant::too-large"),
        help(
            "check that this is the tenant file you meant; `--max-file-size BYTES` raises the limit"
        )
    )]
    TooLarge {
        /// The file.
        #[source_code]
        src: SourceFile,
        /// Its size in bytes.
        size: usize,
        /// The limit in bytes.
        limit: usize,
    },

    /// The YAML parser rejected the file.
    #[error("invalid YAML: {message}")]
    #[diagnostic(code("skuld::tenant::syntax"))]
    Syntax {
        /// The file.
        #[source_code]
        src: SourceFile,
        /// The parser's message.
        message: String,
        /// Where the parser stopped.
        #[label("here")]
        span: Span,
        /// What to do, when the message is one we know.
        #[help]
        help: Option<String>,
    },

    /// No document at all (empty, or only comments).
    #[error("the tenant file is empty")]
    #[diagnostic(
        code("skuld::tenant::empty"),
        help("a tenant file needs at least `tenant: NAME`")
    )]
    Empty {
        /// The file.
        #[source_code]
        src: SourceFile,
        /// The empty document, when there is a `---` to point at.
        #[label("nothing here")]
        span: Option<Span>,
    },

    /// More than one YAML document (`---` separators).
    #[error("the tenant file holds more than one YAML document")]
    #[diagnostic(
        code("skuld::tenant::multiple-documents"),
        help(
            "a tenant file describes one tenant in one document: remove this `---` and what follows, or move it to its own file"
        )
    )]
    MultipleDocuments {
        /// The file.
        #[source_code]
        src: SourceFile,
        /// The start of the second document.
        #[label("a second document starts here")]
        span: Span,
    },

    /// The document is a scalar or a sequence.
    #[error("the tenant file must be a mapping of keys, found {found}")]
    #[diagnostic(
        code("skuld::tenant::not-a-mapping"),
        help("start the file with `tenant: NAME`, then `users:`, `groups:` and the other keys")
    )]
    RootNotMapping {
        /// The file.
        #[source_code]
        src: SourceFile,
        /// What was found instead.
        found: String,
        /// The document's root node.
        #[label("expected a mapping")]
        span: Span,
    },

    /// A key the schema does not know at this place.
    #[error("unknown key `{key}` in {place}")]
    #[diagnostic(code("skuld::tenant::unknown-key"))]
    UnknownKey {
        /// The file.
        #[source_code]
        src: SourceFile,
        /// The key as written.
        key: String,
        /// Where it was found (`a user`, `the top level`, …).
        place: &'static str,
        /// The key.
        #[label("unknown key")]
        span: Span,
        /// Did-you-mean, or the keys allowed here.
        #[help]
        help: String,
    },

    /// The same key twice in one mapping.
    #[error("duplicate key `{key}` in {place}")]
    #[diagnostic(
        code("skuld::tenant::duplicate-key"),
        help("keep one `{key}` and remove the other")
    )]
    DuplicateKey {
        /// The file.
        #[source_code]
        src: SourceFile,
        /// The key.
        key: String,
        /// Where (`a user`, …).
        place: &'static str,
        /// The first occurrence.
        #[label("first defined here")]
        first: Span,
        /// The second occurrence.
        #[label(primary, "defined again here")]
        second: Span,
    },

    /// A required key is missing.
    #[error("missing key `{key}` in {place}")]
    #[diagnostic(code("skuld::tenant::missing-key"))]
    MissingKey {
        /// The file.
        #[source_code]
        src: SourceFile,
        /// The missing key.
        key: &'static str,
        /// Where (`a user`, …).
        place: &'static str,
        /// The mapping (or, for the top level, its first line).
        #[label("`{key}` is missing here")]
        span: Span,
        /// What to add.
        #[help]
        help: String,
    },

    /// A value of the wrong YAML type (a number where a string is expected, …).
    #[error("expected {expected} for {what}, found {found}")]
    #[diagnostic(code("skuld::tenant::wrong-type"))]
    WrongType {
        /// The file.
        #[source_code]
        src: SourceFile,
        /// What the schema expects (`a string`, …).
        expected: String,
        /// The field (`` `upn` ``, `` an item of `licenses` ``).
        what: String,
        /// What was found (`` integer `123` ``, `a mapping`, …).
        found: String,
        /// The value.
        #[label("expected {expected}")]
        span: Span,
        /// What to do.
        #[help]
        help: Option<String>,
    },

    /// A value of the right type but not allowed (an unknown enum value, negative seats, …).
    #[error("{message}")]
    #[diagnostic(code("skuld::tenant::invalid-value"))]
    InvalidValue {
        /// The file.
        #[source_code]
        src: SourceFile,
        /// What is wrong.
        message: String,
        /// The value.
        #[label("invalid value")]
        span: Span,
        /// What to do.
        #[help]
        help: Option<String>,
    },

    /// A YAML 1.1 boolean (`yes`, `off`, …) where skuld expects a YAML 1.2 boolean.
    #[error("expected a boolean for `{field}`, found `{value}`")]
    #[diagnostic(
        code("skuld::tenant::yaml11-boolean"),
        help(
            "`{value}` is a boolean only in YAML 1.1; skuld reads YAML 1.2, where booleans are `true` and `false`"
        )
    )]
    Yaml11Boolean {
        /// The file.
        #[source_code]
        src: SourceFile,
        /// The field.
        field: &'static str,
        /// The value as written.
        value: String,
        /// The value.
        #[label("not a boolean in YAML 1.2")]
        span: Span,
    },

    /// `sspr.group` given with a scope other than `selected`.
    #[error("`sspr.group` is only allowed when `scope` is `selected`, and scope is `{scope}`")]
    #[diagnostic(
        code("skuld::tenant::sspr-group-forbidden"),
        help(
            "remove `group`, or set `scope: selected` to enable SSPR for that group's members only"
        )
    )]
    SsprGroupForbidden {
        /// The file.
        #[source_code]
        src: SourceFile,
        /// The scope as written.
        scope: &'static str,
        /// The `group: …` entry.
        #[label(primary, "not allowed with this scope")]
        group: Span,
        /// The scope value.
        #[label("scope is `{scope}`")]
        scope_span: Span,
    },

    /// A `<<` merge key.
    #[error("merge keys (`<<`) are not supported")]
    #[diagnostic(
        code("skuld::tenant::merge-key"),
        help(
            "write the keys out in full; an alias can still stand for a whole value, as in `licenses: *standard`"
        )
    )]
    MergeKey {
        /// The file.
        #[source_code]
        src: SourceFile,
        /// The `<<` key.
        #[label("merge key")]
        span: Span,
    },

    /// A tag skuld does not understand (`!foo`).
    #[error("unsupported tag `{tag}`")]
    #[diagnostic(
        code("skuld::tenant::unsupported-tag"),
        help(
            "remove the tag; skuld understands only the YAML core tags such as `!!str`, `!!int`, `!!bool` and `!!null`"
        )
    )]
    UnsupportedTag {
        /// The file.
        #[source_code]
        src: SourceFile,
        /// The tag as resolved by the parser.
        tag: String,
        /// The tagged node.
        #[label("unsupported tag")]
        span: Span,
    },

    /// A mapping key that is a sequence or a mapping.
    #[error("mapping keys must be strings, found {found}")]
    #[diagnostic(
        code("skuld::tenant::invalid-key"),
        help("use a plain name as the key, such as `users:`")
    )]
    InvalidKey {
        /// The file.
        #[source_code]
        src: SourceFile,
        /// What the key is.
        found: &'static str,
        /// The key.
        #[label("not a string key")]
        span: Span,
    },

    /// Alias expansion crossed [`Limits::max_alias_events`].
    #[error("alias expansion exceeds {limit} events: the file looks like an alias bomb")]
    #[diagnostic(
        code("skuld::tenant::alias-bomb"),
        help(
            "tenant files need few aliases: write values out, or stop nesting aliases inside anchored nodes"
        )
    )]
    AliasBomb {
        /// The file.
        #[source_code]
        src: SourceFile,
        /// The budget.
        limit: usize,
        /// The alias being expanded when the budget ran out.
        #[label("expanding this alias")]
        span: Span,
    },

    /// An alias used inside the very node its anchor names.
    #[error("alias `{alias}` refers to a node that contains it")]
    #[diagnostic(
        code("skuld::tenant::recursive-alias"),
        help("an alias can only repeat a node that is complete before it")
    )]
    RecursiveAlias {
        /// The file.
        #[source_code]
        src: SourceFile,
        /// The alias as written.
        alias: String,
        /// The alias.
        #[label("recursive alias")]
        span: Span,
    },

    /// Nesting deeper than [`Limits::max_depth`].
    #[error("the YAML nests deeper than {limit} levels")]
    #[diagnostic(
        code("skuld::tenant::too-deep"),
        help(
            "a tenant file is at most four levels deep (`users` → a user → `licenses` → a name); check the indentation and brackets"
        )
    )]
    TooDeep {
        /// The file.
        #[source_code]
        src: SourceFile,
        /// The limit.
        limit: usize,
        /// The node that crosses it.
        #[label("too deep")]
        span: Span,
    },

    /// A scalar over [`Limits::max_scalar_bytes`].
    #[error("a value of {len} bytes exceeds the limit of {limit} bytes")]
    #[diagnostic(
        code("skuld::tenant::value-too-long"),
        help("names, SKUs and UPNs are short: check for a missing quote or line break")
    )]
    ValueTooLong {
        /// The file.
        #[source_code]
        src: SourceFile,
        /// The scalar's length.
        len: usize,
        /// The limit.
        limit: usize,
        /// The start of the scalar.
        #[label("this value is too long")]
        span: Span,
    },
}

/// Reads a tenant file into a [`TenantDocument`], or every error in it.
///
/// # Errors
///
/// All the [`LoadError`]s found, in source order: YAML syntax (the first one stops reading),
/// schema errors (unknown, duplicate and missing keys, wrong types and values) and limits.
pub fn load(source: &SourceFile, limits: &Limits) -> Result<TenantDocument, Diagnostics> {
    let text = source.text();
    if text.len() > limits.max_file_bytes || u32::try_from(text.len()).is_err() {
        return Err(Diagnostics::single(LoadError::TooLarge {
            src: source.clone(),
            size: text.len(),
            limit: limits.max_file_bytes.min(u32::MAX as usize),
        }));
    }
    let mut loader = Loader {
        events: Events::new(source, limits),
        src: source.clone(),
        max_scalar: limits.max_scalar_bytes,
        errors: Vec::new(),
        yaml11: Vec::new(),
        scratch: Vec::new(),
    };
    let document = loader.document().ok().flatten();
    let Loader {
        mut errors, yaml11, ..
    } = loader;
    match document {
        Some(mut document) if errors.is_empty() => {
            document.yaml11_booleans = yaml11;
            Ok(document)
        }
        _ => {
            if errors.is_empty() {
                // Unreachable in practice (no document is only returned with an error), but
                // never report failure without saying why.
                errors.push((
                    0,
                    LoadError::Empty {
                        src: source.clone(),
                        span: None,
                    },
                ));
            }
            errors.sort_by_key(|&(pos, _)| pos);
            // An error inside an anchored node is found again at every alias: report it once.
            let mut seen = std::collections::HashSet::new();
            errors.retain(|(pos, e)| seen.insert((*pos, e.to_string())));
            Err(Diagnostics::new(
                errors
                    .into_iter()
                    .map(|(_, e)| miette::Report::new(e))
                    .collect(),
            ))
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Character indices to byte offsets.

/// saphyr-parser reports positions as character indices; spans are byte offsets.
#[derive(Debug)]
enum Offsets {
    /// ASCII text: a character index is a byte offset.
    Ascii,
    /// Text with non-ASCII characters.
    Table {
        /// One entry per non-ASCII character: its character index, and the extra bytes (beyond
        /// one per character) of all non-ASCII characters up to and including it.
        entries: Vec<(u32, u32)>,
        /// How many entries lie before the last position looked up: positions arrive almost
        /// in order, so the next look-up usually finds its place a step or two further on.
        hint: usize,
    },
}

impl Offsets {
    fn new(text: &str) -> Self {
        if text.is_ascii() {
            return Offsets::Ascii;
        }
        let mut entries = Vec::new();
        let mut extra: u32 = 0;
        for (index, c) in text.chars().enumerate() {
            if !c.is_ascii() {
                extra = extra.saturating_add(u32::try_from(c.len_utf8() - 1).unwrap_or(0));
                entries.push((u32::try_from(index).unwrap_or(u32::MAX), extra));
            }
        }
        Offsets::Table { entries, hint: 0 }
    }

    fn byte(&mut self, char_index: usize) -> usize {
        let Offsets::Table { entries, hint } = self else {
            return char_index;
        };
        let before = |k: usize| {
            entries
                .get(k)
                .is_some_and(|&(i, _)| (i as usize) < char_index)
        };
        // `k` = the number of entries before `char_index`: try a short walk from the hint, and
        // fall back to a binary search.
        let mut k = *hint;
        let found = if k == 0 || before(k - 1) {
            let mut steps = 0;
            while steps < 8 && before(k) {
                k += 1;
                steps += 1;
            }
            !before(k)
        } else {
            false
        };
        if !found {
            k = entries.partition_point(|&(i, _)| (i as usize) < char_index);
        }
        *hint = k;
        let extra = k
            .checked_sub(1)
            .and_then(|k| entries.get(k))
            .map_or(0, |&(_, e)| e as usize);
        char_index + extra
    }
}

// ---------------------------------------------------------------------------------------------
// Events: the parser's stream, with byte spans, alias replay and the limits.

/// What a tag means to skuld.
#[derive(Debug, Clone, PartialEq, Eq)]
enum TagKind {
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
struct Scalar<'a> {
    value: Cow<'a, str>,
    style: ScalarStyle,
    tag: TagKind,
    span: Span,
}

#[derive(Debug, Clone)]
enum Ev<'a> {
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
    fn span(&self) -> Option<Span> {
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

/// An error that stops reading, with its sort position.
#[derive(Debug)]
struct Fatal {
    pos: u32,
    error: Box<LoadError>,
}

struct Events<'a> {
    parser: Parser<'a, StrInput<'a>>,
    src: SourceFile,
    text: &'a str,
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
    last_end: u32,
    done: bool,
}

impl<'a> Events<'a> {
    fn new(source: &'a SourceFile, limits: &Limits) -> Self {
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

    fn span(&mut self, span: saphyr_parser::Span) -> Span {
        Span::new(
            self.offsets.byte(span.start.index()),
            self.offsets.byte(span.end.index()),
        )
    }

    /// The next event; aliases are expanded unless `expand` is false (used when skipping).
    fn next(&mut self, expand: bool) -> Result<Ev<'a>, Fatal> {
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
            pos: error_pos(&error),
            error: Box::new(error),
        }
    }

    fn syntax(&mut self, e: &ScanError) -> Fatal {
        let start = self.offsets.byte(e.marker().index()).min(self.text.len());
        let width = self
            .text
            .get(start..)
            .and_then(|rest| rest.chars().next())
            .map_or(0, |c| if c == '\n' { 0 } else { c.len_utf8() });
        let info = e.info();
        let help = if info.contains("tab") {
            Some("YAML does not allow tabs for indentation: indent with spaces".to_owned())
        } else if info.contains("unknown anchor") {
            Some(
                "define the anchor (`&name`) before the alias (`*name`) that repeats it".to_owned(),
            )
        } else if info.contains("recursion limit") {
            Some(
                "the brackets nest far too deep: a tenant file is at most four levels deep"
                    .to_owned(),
            )
        } else if info.contains("mapping values are not allowed") {
            Some("quote a value that contains `: `, or check the indentation".to_owned())
        } else {
            None
        };
        self.fatal(LoadError::Syntax {
            src: self.src.clone(),
            message: info.to_owned(),
            span: Span::new(start, start + width),
            help,
        })
    }
}

/// Where an error sorts: the start of its main label.
fn error_pos(error: &LoadError) -> u32 {
    match error {
        LoadError::TooLarge { .. } | LoadError::Empty { .. } => 0,
        LoadError::Syntax { span, .. }
        | LoadError::MultipleDocuments { span, .. }
        | LoadError::RootNotMapping { span, .. }
        | LoadError::UnknownKey { span, .. }
        | LoadError::MissingKey { span, .. }
        | LoadError::WrongType { span, .. }
        | LoadError::InvalidValue { span, .. }
        | LoadError::Yaml11Boolean { span, .. }
        | LoadError::MergeKey { span, .. }
        | LoadError::UnsupportedTag { span, .. }
        | LoadError::InvalidKey { span, .. }
        | LoadError::AliasBomb { span, .. }
        | LoadError::RecursiveAlias { span, .. }
        | LoadError::TooDeep { span, .. }
        | LoadError::ValueTooLong { span, .. } => span.start,
        LoadError::DuplicateKey { second, .. } => second.start,
        LoadError::SsprGroupForbidden { group, .. } => group.start,
    }
}

// ---------------------------------------------------------------------------------------------
// Scalars: YAML 1.2 core schema resolution.

/// How a scalar resolves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Str,
    /// A plain scalar that YAML 1.1 would read as a boolean; a string in YAML 1.2.
    Yaml11Bool,
    Null,
    Bool(bool),
    Int,
    Float,
}

const YAML11_BOOLEANS: [&str; 16] = [
    "y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO", "on", "On", "ON", "off", "Off",
    "OFF",
];

fn is_null(v: &str) -> bool {
    matches!(v, "" | "~" | "null" | "Null" | "NULL")
}

fn as_bool(v: &str) -> Option<bool> {
    match v {
        "true" | "True" | "TRUE" => Some(true),
        "false" | "False" | "FALSE" => Some(false),
        _ => None,
    }
}

fn all_digits(s: &str, radix: u32) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_digit(radix))
}

fn is_int(v: &str) -> bool {
    if let Some(octal) = v.strip_prefix("0o") {
        return all_digits(octal, 8);
    }
    if let Some(hex) = v.strip_prefix("0x") {
        return all_digits(hex, 16);
    }
    all_digits(v.strip_prefix(['-', '+']).unwrap_or(v), 10)
}

fn is_float(v: &str) -> bool {
    if matches!(v, ".nan" | ".NaN" | ".NAN") {
        return true;
    }
    let unsigned = v.strip_prefix(['-', '+']).unwrap_or(v);
    if matches!(unsigned, ".inf" | ".Inf" | ".INF") {
        return true;
    }
    let (mantissa, exponent) = match unsigned.find(['e', 'E']) {
        Some(i) => (
            unsigned.get(..i).unwrap_or(""),
            Some(unsigned.get(i + 1..).unwrap_or("")),
        ),
        None => (unsigned, None),
    };
    let mantissa_ok = match mantissa.split_once('.') {
        Some(("", frac)) => all_digits(frac, 10),
        Some((whole, frac)) => all_digits(whole, 10) && frac.chars().all(|c| c.is_ascii_digit()),
        None => all_digits(mantissa, 10),
    };
    let exponent_ok =
        exponent.is_none_or(|e| all_digits(e.strip_prefix(['-', '+']).unwrap_or(e), 10));
    mantissa_ok && exponent_ok
}

/// Resolves a scalar; `Err` names the tag whose value is invalid (`!!int abc`).
fn resolve(s: &Scalar<'_>) -> Result<Kind, &'static str> {
    let v = s.value.as_ref();
    match s.tag {
        TagKind::Str => return Ok(Kind::Str),
        TagKind::Null => return Ok(Kind::Null),
        TagKind::Bool => return as_bool(v).map(Kind::Bool).ok_or("!!bool"),
        TagKind::Int => {
            return if is_int(v) {
                Ok(Kind::Int)
            } else {
                Err("!!int")
            };
        }
        TagKind::Float => {
            return if is_float(v) || is_int(v) {
                Ok(Kind::Float)
            } else {
                Err("!!float")
            };
        }
        TagKind::None | TagKind::Ignored | TagKind::Unsupported(_) => {}
    }
    if s.style != ScalarStyle::Plain {
        return Ok(Kind::Str);
    }
    // Fast path: only these first characters can start a null, a boolean (YAML 1.2 or 1.1) or
    // a number; anything else (most names) is a string.
    if !v.is_empty()
        && !v.starts_with([
            '~', 'n', 'N', 't', 'T', 'f', 'F', 'y', 'Y', 'o', 'O', '-', '+', '.', '0', '1', '2',
            '3', '4', '5', '6', '7', '8', '9',
        ])
    {
        return Ok(Kind::Str);
    }
    Ok(if is_null(v) {
        Kind::Null
    } else if let Some(b) = as_bool(v) {
        Kind::Bool(b)
    } else if is_int(v) {
        Kind::Int
    } else if is_float(v) {
        Kind::Float
    } else if YAML11_BOOLEANS.contains(&v) {
        Kind::Yaml11Bool
    } else {
        Kind::Str
    })
}

/// A value as quoted in a message: at most 40 characters, line breaks shown as `\n`.
fn shown(v: &str) -> String {
    let mut out: String = v.chars().take(40).collect();
    if v.chars().nth(40).is_some() {
        out.push('…');
    }
    out.replace('\n', "\\n")
}

/// `` integer `123` ``, `an empty value`, … for "found …".
fn found(kind: Kind, s: &Scalar<'_>) -> String {
    let v = shown(&s.value);
    match kind {
        Kind::Null if s.value.is_empty() => "an empty value".to_owned(),
        Kind::Null => format!("null `{v}`"),
        Kind::Bool(_) => format!("boolean `{v}`"),
        Kind::Int => format!("integer `{v}`"),
        Kind::Float => format!("number `{v}`"),
        Kind::Str | Kind::Yaml11Bool => format!("string `{v}`"),
    }
}

// ---------------------------------------------------------------------------------------------
// The schema.

/// A mapping of the schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Place {
    Top,
    Sspr,
    Subscription,
    Group,
    User,
    LicenseError,
    FeatureEntry,
}

impl Place {
    const ALL: [Place; 7] = [
        Place::Top,
        Place::Sspr,
        Place::Subscription,
        Place::Group,
        Place::User,
        Place::LicenseError,
        Place::FeatureEntry,
    ];

    fn keys(self) -> &'static [&'static str] {
        match self {
            Place::Top => &[
                "tenant",
                "country",
                "sspr",
                "subscriptions",
                "groups",
                "users",
                "features",
            ],
            Place::Sspr => &["scope", "group", "writeback"],
            Place::Subscription => &["sku", "seats"],
            Place::Group => &["name", "licenses", "groups", "dynamic"],
            Place::User => &[
                "upn",
                "source",
                "usage_location",
                "licenses",
                "groups",
                "license_errors",
            ],
            Place::LicenseError => &["sku", "error", "group"],
            Place::FeatureEntry => &["name", "include", "exclude", "users"],
        }
    }

    fn name(self) -> &'static str {
        match self {
            Place::Top => "the top level",
            Place::Sspr => "`sspr`",
            Place::Subscription => "a subscription",
            Place::Group => "a group",
            Place::User => "a user",
            Place::LicenseError => "a license error",
            Place::FeatureEntry => "a feature entry",
        }
    }

    /// `` `a`, `b` and `c` ``
    fn key_list(self) -> String {
        let keys = self.keys();
        let mut out = String::new();
        for (i, k) in keys.iter().enumerate() {
            if i > 0 {
                out.push_str(if i + 1 == keys.len() { " and " } else { ", " });
            }
            out.push('`');
            out.push_str(k);
            out.push('`');
        }
        out
    }

    fn unknown_key_help(self, key: &str) -> String {
        if let Some(d) = did_you_mean(key, self.keys().iter().copied()) {
            return d;
        }
        let allowed = format!("{} takes {}", self.name(), self.key_list());
        match Place::ALL
            .iter()
            .find(|p| **p != self && p.keys().contains(&key))
        {
            Some(other) => format!(
                "`{key}` is a key of {}, not of {}; {allowed}",
                other.name(),
                self.name()
            ),
            None => allowed,
        }
    }
}

/// Keys seen so far in one mapping.
#[derive(Debug)]
struct MapState {
    place: Place,
    seen: [Option<Span>; 8],
}

impl MapState {
    fn new(place: Place) -> Self {
        MapState {
            place,
            seen: [None; 8],
        }
    }

    fn seen(&self, key: &str) -> Option<Span> {
        let i = self.place.keys().iter().position(|k| *k == key)?;
        self.seen.get(i).copied().flatten()
    }
}

/// A node as the schema sees it, its start event read.
#[derive(Debug)]
enum Node<'a> {
    Scalar(Scalar<'a>),
    Seq(Span),
    Map(Span),
    /// Already reported (unsupported tag, value too long): ignore.
    Invalid,
}

/// Which string field a scalar is read for (for the help of type errors).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum StrField {
    Plain,
    Country,
}

/// The field a value is read for, as named in messages (built only when there is an error).
#[derive(Debug, Clone, Copy)]
enum What<'k> {
    /// `` `upn` ``
    Key(&'k str),
    /// `` an item of `licenses` ``
    Item(&'k str),
}

impl What<'_> {
    fn text(self) -> String {
        match self {
            What::Key(key) => format!("`{key}`"),
            What::Item(key) => format!("an item of `{key}`"),
        }
    }
}

/// Reading stopped (the error is recorded).
#[derive(Debug)]
struct Stop;

type R<T> = Result<T, Stop>;

const SCOPES: [(&str, SsprScope); 3] = [
    ("none", SsprScope::None),
    ("all", SsprScope::All),
    ("selected", SsprScope::Selected),
];

const SOURCES: [(&str, UserSource); 2] =
    [("cloud", UserSource::Cloud), ("synced", UserSource::Synced)];

struct Loader<'a> {
    events: Events<'a>,
    src: SourceFile,
    max_scalar: usize,
    errors: Vec<(u32, LoadError)>,
    yaml11: Vec<Spanned<String>>,
    /// Reused buffer for the items of one name list: each list is then allocated at its exact
    /// size (a tenant has hundreds of thousands of short lists).
    scratch: Vec<Spanned<String>>,
}

impl<'a> Loader<'a> {
    fn error(&mut self, error: LoadError) {
        self.errors.push((error_pos(&error), error));
    }

    fn next(&mut self, expand: bool) -> R<Ev<'a>> {
        self.events.next(expand).map_err(|fatal| {
            self.errors.push((fatal.pos, *fatal.error));
            Stop
        })
    }

    /// The span from `start` to the end of what was read last.
    fn since(&self, start: Span) -> Span {
        Span::new(start.start as usize, self.events.last_end as usize)
    }

    /// The `key: value` entry whose key is `key` and whose value was read last. An empty value
    /// has no extent of its own: the entry then ends with the `:` after the key.
    fn entry(&self, key: Span) -> Span {
        let span = self.since(key);
        if span.end != key.end {
            return span;
        }
        let end = key.end as usize;
        let rest = self.src.text().get(end..).unwrap_or("");
        let gap = rest.len() - rest.trim_start_matches([' ', '\t']).len();
        match rest.get(gap..).map(|r| r.starts_with(':')) {
            Some(true) => Span::new(key.start as usize, end + gap + 1),
            _ => span,
        }
    }

    /// Skips the rest of a sequence or mapping whose start event was read.
    fn skip_rest(&mut self) -> R<()> {
        let mut depth = 1usize;
        while depth > 0 {
            match self.next(false)? {
                Ev::SeqStart(..) | Ev::MapStart(..) => depth += 1,
                Ev::SeqEnd(_) | Ev::MapEnd(_) => depth -= 1,
                Ev::StreamEnd => return Err(self.unexpected()),
                _ => {}
            }
        }
        Ok(())
    }

    /// Skips one whole node (a mapping value that will not be read).
    fn skip_node(&mut self) -> R<()> {
        match self.next(false)? {
            Ev::SeqStart(..) | Ev::MapStart(..) => self.skip_rest(),
            _ => Ok(()),
        }
    }

    /// Turns a start event into a node, reporting unsupported tags and oversized scalars.
    fn node_of(&mut self, ev: Ev<'a>) -> R<Node<'a>> {
        match ev {
            Ev::Scalar(s) => {
                if let TagKind::Unsupported(tag) = &s.tag {
                    let tag = tag.to_string();
                    self.error(LoadError::UnsupportedTag {
                        src: self.src.clone(),
                        tag,
                        span: s.span,
                    });
                    return Ok(Node::Invalid);
                }
                if self.too_long(&s) {
                    return Ok(Node::Invalid);
                }
                Ok(Node::Scalar(s))
            }
            Ev::SeqStart(span, TagKind::Unsupported(tag))
            | Ev::MapStart(span, TagKind::Unsupported(tag)) => {
                self.skip_rest()?;
                let span = self.since(span);
                self.error(LoadError::UnsupportedTag {
                    src: self.src.clone(),
                    tag: tag.to_string(),
                    span,
                });
                Ok(Node::Invalid)
            }
            Ev::SeqStart(span, _) => Ok(Node::Seq(span)),
            Ev::MapStart(span, _) => Ok(Node::Map(span)),
            Ev::Alias(..) => Ok(Node::Invalid),
            Ev::StreamStart
            | Ev::StreamEnd
            | Ev::DocStart(_)
            | Ev::DocEnd
            | Ev::SeqEnd(_)
            | Ev::MapEnd(_) => Err(self.unexpected()),
        }
    }

    fn node(&mut self) -> R<Node<'a>> {
        let ev = self.next(true)?;
        self.node_of(ev)
    }

    /// An event the parser should never produce here: stop with a syntax error.
    fn unexpected(&mut self) -> Stop {
        let at = self.events.last_end as usize;
        self.error(LoadError::Syntax {
            src: self.src.clone(),
            message: "unexpected structure".to_owned(),
            span: Span::new(at, at),
            help: None,
        });
        Stop
    }

    fn too_long(&mut self, s: &Scalar<'_>) -> bool {
        if s.value.len() <= self.max_scalar {
            return false;
        }
        let start = s.span.start as usize;
        let text = self.src.text();
        let line_end = text
            .get(start..)
            .and_then(|rest| rest.find('\n'))
            .map_or(text.len(), |i| start + i);
        let end = (start..=line_end.min(start + 40))
            .rev()
            .find(|&i| text.is_char_boundary(i))
            .unwrap_or(start);
        self.error(LoadError::ValueTooLong {
            src: self.src.clone(),
            len: s.value.len(),
            limit: self.max_scalar,
            span: Span::new(start, end.min(s.span.end as usize)),
        });
        true
    }

    /// A node of the wrong shape: skips it and reports `expected … found a sequence/mapping`.
    fn wrong_container(
        &mut self,
        node: &Node<'a>,
        expected: &str,
        what: String,
        help: Option<String>,
    ) -> R<()> {
        let (start, found) = match node {
            Node::Seq(start) => (*start, "a sequence"),
            Node::Map(start) => (*start, "a mapping"),
            Node::Scalar(_) | Node::Invalid => return Ok(()),
        };
        self.skip_rest()?;
        let span = self.since(start);
        self.error(LoadError::WrongType {
            src: self.src.clone(),
            expected: expected.to_owned(),
            what,
            found: found.to_owned(),
            span,
            help,
        });
        Ok(())
    }

    fn wrong_type(
        &mut self,
        expected: &str,
        what: String,
        found: String,
        span: Span,
        help: Option<String>,
    ) {
        self.error(LoadError::WrongType {
            src: self.src.clone(),
            expected: expected.to_owned(),
            what,
            found,
            span,
            help,
        });
    }

    fn bad_tag_value(&mut self, tag: &str, s: &Scalar<'_>) {
        self.error(LoadError::InvalidValue {
            src: self.src.clone(),
            message: format!("`{}` is not a valid `{tag}` value", shown(&s.value)),
            span: s.span,
            help: Some(format!("remove the `{tag}` tag, or fix the value")),
        });
    }

    /// The next key of a mapping (its start event read), or `None` at its end. Unknown,
    /// duplicate and invalid keys are reported and their values skipped.
    fn next_key(&mut self, st: &mut MapState) -> R<Option<(&'static str, Span)>> {
        loop {
            let s = match self.next(true)? {
                Ev::MapEnd(_) => return Ok(None),
                Ev::Scalar(s) => s,
                ev @ (Ev::SeqStart(..) | Ev::MapStart(..)) => {
                    let (start, kind) = match ev {
                        Ev::SeqStart(start, _) => (start, "a sequence"),
                        _ => (ev.span().unwrap_or_default(), "a mapping"),
                    };
                    self.skip_rest()?;
                    let span = self.since(start);
                    self.error(LoadError::InvalidKey {
                        src: self.src.clone(),
                        found: kind,
                        span,
                    });
                    self.skip_node()?;
                    continue;
                }
                Ev::Alias(..) => {
                    self.skip_node()?;
                    continue;
                }
                Ev::StreamStart | Ev::StreamEnd | Ev::DocStart(_) | Ev::DocEnd | Ev::SeqEnd(_) => {
                    return Err(self.unexpected());
                }
            };
            if self.too_long(&s) {
                self.skip_node()?;
                continue;
            }
            if s.value == "<<" && s.style == ScalarStyle::Plain {
                self.error(LoadError::MergeKey {
                    src: self.src.clone(),
                    span: s.span,
                });
                self.skip_node()?;
                continue;
            }
            let keys = st.place.keys();
            let Some(i) = keys.iter().position(|k| *k == s.value) else {
                self.error(LoadError::UnknownKey {
                    src: self.src.clone(),
                    key: shown(&s.value),
                    place: st.place.name(),
                    span: s.span,
                    help: st.place.unknown_key_help(&s.value),
                });
                self.skip_node()?;
                continue;
            };
            let key = keys.get(i).copied().unwrap_or("");
            match st.seen.get_mut(i) {
                Some(Some(first)) => {
                    let first = *first;
                    self.error(LoadError::DuplicateKey {
                        src: self.src.clone(),
                        key: key.to_owned(),
                        place: st.place.name(),
                        first,
                        second: s.span,
                    });
                    self.skip_node()?;
                }
                Some(slot) => {
                    *slot = Some(s.span);
                    return Ok(Some((key, s.span)));
                }
                None => self.skip_node()?,
            }
        }
    }

    fn missing(&mut self, key: &'static str, place: Place, span: Span, help: String) {
        self.error(LoadError::MissingKey {
            src: self.src.clone(),
            key,
            place: place.name(),
            span,
            help,
        });
    }

    // --- values -------------------------------------------------------------------------------

    /// A string from a scalar; `what` names the field in messages.
    fn scalar_string(
        &mut self,
        s: Scalar<'a>,
        what: What<'_>,
        field: StrField,
    ) -> Option<Spanned<String>> {
        let kind = match resolve(&s) {
            Ok(kind) => kind,
            Err(tag) => {
                self.bad_tag_value(tag, &s);
                return None;
            }
        };
        match kind {
            // Copied rather than moved: the parser's strings have a capacity of at least 32
            // bytes, and a 100k-user tenant keeps half a million short ones (this saves a
            // third of the document's memory at no cost in time).
            Kind::Str => Some(Spanned::new(String::from(s.value.as_ref()), s.span)),
            Kind::Yaml11Bool => {
                let value = Spanned::new(String::from(s.value.as_ref()), s.span);
                self.yaml11.push(value.clone());
                Some(value)
            }
            Kind::Bool(_) if field == StrField::Country => {
                let found = found(kind, &s);
                self.wrong_type(
                    "a string",
                    what.text(),
                    found,
                    s.span,
                    Some(
                        "if you meant Norway, write `NO` (quotes are optional in YAML 1.2)"
                            .to_owned(),
                    ),
                );
                None
            }
            Kind::Null => {
                let found = found(kind, &s);
                let what = what.text();
                let help = Some(format!("give {what} a value, or remove the key"));
                self.wrong_type("a string", what, found, s.span, help);
                None
            }
            Kind::Bool(_) | Kind::Int | Kind::Float => {
                let found = found(kind, &s);
                let help = Some(format!(
                    "quote it if you mean the text: `\"{}\"`",
                    shown(&s.value)
                ));
                self.wrong_type("a string", what.text(), found, s.span, help);
                None
            }
        }
    }

    fn string_field(&mut self, key: &str, field: StrField) -> R<Option<Spanned<String>>> {
        match self.node()? {
            Node::Scalar(s) => Ok(self.scalar_string(s, What::Key(key), field)),
            node => {
                self.wrong_container(&node, "a string", What::Key(key).text(), None)?;
                Ok(None)
            }
        }
    }

    fn enum_field<T: Copy>(
        &mut self,
        key: &str,
        options: &[(&'static str, T)],
    ) -> R<Option<Spanned<T>>> {
        let names = || options.iter().map(|(n, _)| *n);
        let expected = || match options {
            [(a, _), (b, _)] => format!("`{a}` or `{b}`"),
            [(a, _), (b, _), (c, _)] => format!("`{a}`, `{b}` or `{c}`"),
            _ => names()
                .map(|n| format!("`{n}`"))
                .collect::<Vec<_>>()
                .join(", "),
        };
        let s = match self.node()? {
            Node::Scalar(s) => s,
            node => {
                let expected = format!("one of {}", expected());
                self.wrong_container(&node, &expected, format!("`{key}`"), None)?;
                return Ok(None);
            }
        };
        let kind = match resolve(&s) {
            Ok(kind) => kind,
            Err(tag) => {
                self.bad_tag_value(tag, &s);
                return Ok(None);
            }
        };
        match kind {
            Kind::Str | Kind::Yaml11Bool => {
                if let Some((_, v)) = options.iter().find(|(n, _)| *n == s.value) {
                    return Ok(Some(Spanned::new(*v, s.span)));
                }
                let expected = expected();
                let help =
                    did_you_mean(&s.value, names()).unwrap_or_else(|| format!("use {expected}"));
                self.error(LoadError::InvalidValue {
                    src: self.src.clone(),
                    message: format!(
                        "`{}` is not a valid `{key}`: expected {expected}",
                        shown(&s.value)
                    ),
                    span: s.span,
                    help: Some(help),
                });
            }
            _ => {
                let found = found(kind, &s);
                let first = names().next().unwrap_or("");
                self.wrong_type(
                    &format!("one of {}", expected()),
                    format!("`{key}`"),
                    found,
                    s.span,
                    Some(format!("write `{key}: {first}`")),
                );
            }
        }
        Ok(None)
    }

    /// A boolean; the span is the whole `key: value` entry.
    fn bool_field(&mut self, key: &'static str, key_span: Span) -> R<Option<Spanned<bool>>> {
        let what = What::Key(key);
        let expected = "a boolean (`true` or `false`)";
        let s = match self.node()? {
            Node::Scalar(s) => s,
            node => {
                self.wrong_container(&node, expected, what.text(), None)?;
                return Ok(None);
            }
        };
        let kind = match resolve(&s) {
            Ok(kind) => kind,
            Err(tag) => {
                self.bad_tag_value(tag, &s);
                return Ok(None);
            }
        };
        match kind {
            Kind::Bool(b) => return Ok(Some(Spanned::new(b, self.entry(key_span)))),
            Kind::Yaml11Bool => self.error(LoadError::Yaml11Boolean {
                src: self.src.clone(),
                field: key,
                value: shown(&s.value),
                span: s.span,
            }),
            _ => {
                let help = if s.style != ScalarStyle::Plain && as_bool(&s.value).is_some() {
                    format!("remove the quotes: `{key}: {}`", s.value)
                } else {
                    format!(
                        "write `{key}: true` or `{key}: false`, or remove it (it defaults to `false`)"
                    )
                };
                let found = found(kind, &s);
                self.wrong_type(expected, what.text(), found, s.span, Some(help));
            }
        }
        Ok(None)
    }

    fn seats_field(&mut self) -> R<Option<Spanned<u64>>> {
        let what = What::Key("seats");
        let expected = "a whole number";
        let s = match self.node()? {
            Node::Scalar(s) => s,
            node => {
                self.wrong_container(&node, expected, what.text(), None)?;
                return Ok(None);
            }
        };
        let kind = match resolve(&s) {
            Ok(kind) => kind,
            Err(tag) => {
                self.bad_tag_value(tag, &s);
                return Ok(None);
            }
        };
        let v = s.value.as_ref();
        if kind == Kind::Int {
            let parsed = if let Some(octal) = v.strip_prefix("0o") {
                u64::from_str_radix(octal, 8).ok()
            } else if let Some(hex) = v.strip_prefix("0x") {
                u64::from_str_radix(hex, 16).ok()
            } else if v.starts_with('-') {
                let zero = v.get(1..).is_some_and(|d| d.bytes().all(|b| b == b'0'));
                if !zero {
                    self.error(LoadError::InvalidValue {
                        src: self.src.clone(),
                        message: format!("`seats` must be 0 or more, found `{}`", shown(v)),
                        span: s.span,
                        help: Some(
                            "write the number of prepaid units, such as `seats: 25`".to_owned(),
                        ),
                    });
                    return Ok(None);
                }
                Some(0)
            } else {
                v.strip_prefix('+').unwrap_or(v).parse::<u64>().ok()
            };
            return Ok(match parsed {
                Some(n) => Some(Spanned::new(n, s.span)),
                None => {
                    self.error(LoadError::InvalidValue {
                        src: self.src.clone(),
                        message: format!("`seats` value `{}` is too large", shown(v)),
                        span: s.span,
                        help: Some(format!("seats must be at most {}", u64::MAX)),
                    });
                    None
                }
            });
        }
        let help = match kind {
            Kind::Float => {
                "seats count licences: use a whole number, such as `seats: 25`".to_owned()
            }
            _ if s.style != ScalarStyle::Plain && is_int(v) => {
                format!("remove the quotes: `seats: {v}`")
            }
            _ => "write the number of prepaid units, such as `seats: 25`".to_owned(),
        };
        let found = found(kind, &s);
        self.wrong_type(expected, what.text(), found, s.span, Some(help));
        Ok(None)
    }

    /// `licenses:` / `groups:`: a sequence of strings; null or empty is an empty list.
    fn name_list(&mut self, key: &str, key_span: Span) -> R<ListField<Spanned<String>>> {
        let node = self.node()?;
        self.name_list_of(node, key, key_span)
    }

    /// [`Self::name_list`] from a node already read.
    fn name_list_of(
        &mut self,
        node: Node<'a>,
        key: &str,
        key_span: Span,
    ) -> R<ListField<Spanned<String>>> {
        let mut items = std::mem::take(&mut self.scratch);
        items.clear();
        let expected = "a list of names";
        match node {
            Node::Scalar(s) => match resolve(&s) {
                Ok(Kind::Null) => {}
                Ok(kind) => {
                    let found = found(kind, &s);
                    let help = Some(format!("write a list: `{key}: [{}]`", shown(&s.value)));
                    self.wrong_type(expected, format!("`{key}`"), found, s.span, help);
                }
                Err(tag) => self.bad_tag_value(tag, &s),
            },
            Node::Seq(_) => {
                let what = What::Item(key);
                loop {
                    let ev = self.next(true)?;
                    if let Ev::SeqEnd(_) = ev {
                        break;
                    }
                    match self.node_of(ev)? {
                        Node::Scalar(s) => {
                            if let Some(item) = self.scalar_string(s, what, StrField::Plain) {
                                items.push(item);
                            }
                        }
                        node => self.wrong_container(&node, "a name", what.text(), None)?,
                    }
                }
            }
            node @ Node::Map(_) => {
                let help = Some(format!("write a list: `{key}: [NAME, NAME]`"));
                self.wrong_container(&node, expected, format!("`{key}`"), help)?;
            }
            Node::Invalid => {}
        }
        let mut exact = Vec::with_capacity(items.len());
        exact.append(&mut items);
        self.scratch = items;
        Ok(ListField {
            items: exact,
            span: Some(self.entry(key_span)),
        })
    }

    /// A list of mappings (`users:`, `groups:`, `subscriptions:`), each read by `item`.
    fn mapping_list<T>(
        &mut self,
        key: &str,
        one: &str,
        example: &str,
        item: fn(&mut Self, Span) -> R<Option<T>>,
    ) -> R<Vec<T>> {
        let mut items = Vec::new();
        let expected = format!("a list of {key}");
        match self.node()? {
            Node::Scalar(s) => match resolve(&s) {
                Ok(Kind::Null) => {}
                Ok(kind) => {
                    let found = found(kind, &s);
                    let help = Some(format!(
                        "write each of the {key} as `- {example}` on its own line"
                    ));
                    self.wrong_type(&expected, format!("`{key}`"), found, s.span, help);
                }
                Err(tag) => self.bad_tag_value(tag, &s),
            },
            Node::Seq(_) => loop {
                let ev = self.next(true)?;
                if let Ev::SeqEnd(_) = ev {
                    break;
                }
                match self.node_of(ev)? {
                    Node::Map(start) => {
                        if let Some(v) = item(self, start)? {
                            items.push(v);
                        }
                    }
                    Node::Scalar(s) => {
                        let found = found(resolve(&s).unwrap_or(Kind::Str), &s);
                        let first = example.split(':').next().unwrap_or("");
                        let help = Some(format!("write `- {first}: {}`", shown(&s.value)));
                        let expected = format!("{one} (a mapping with `{first}`)");
                        self.wrong_type(
                            &expected,
                            format!("an item of `{key}`"),
                            found,
                            s.span,
                            help,
                        );
                    }
                    node => {
                        let expected = format!("{one} (a mapping)");
                        self.wrong_container(
                            &node,
                            &expected,
                            format!("an item of `{key}`"),
                            None,
                        )?;
                    }
                }
            },
            node @ Node::Map(_) => {
                let help = Some(format!(
                    "start each of the {key} with `- `, as in `- {example}`"
                ));
                self.wrong_container(&node, &expected, format!("`{key}`"), help)?;
            }
            Node::Invalid => {}
        }
        Ok(items)
    }

    // --- mappings -----------------------------------------------------------------------------

    fn document(&mut self) -> R<Option<TenantDocument>> {
        if !matches!(self.next(true)?, Ev::StreamStart) {
            return Err(self.unexpected());
        }
        match self.next(true)? {
            Ev::StreamEnd => {
                self.error(LoadError::Empty {
                    src: self.src.clone(),
                    span: None,
                });
                return Ok(None);
            }
            Ev::DocStart(_) => {}
            _ => return Err(self.unexpected()),
        }
        let document = match self.node()? {
            Node::Map(start) => self.root(start)?,
            Node::Scalar(s) => {
                let kind = resolve(&s).unwrap_or(Kind::Str);
                if kind == Kind::Null && s.value.is_empty() {
                    self.error(LoadError::Empty {
                        src: self.src.clone(),
                        span: None,
                    });
                } else {
                    let found = found(kind, &s);
                    self.error(LoadError::RootNotMapping {
                        src: self.src.clone(),
                        found,
                        span: s.span,
                    });
                }
                None
            }
            Node::Seq(start) => {
                self.skip_rest()?;
                let span = self.since(start);
                let span = self.first_line(span);
                self.error(LoadError::RootNotMapping {
                    src: self.src.clone(),
                    found: "a sequence".to_owned(),
                    span,
                });
                None
            }
            Node::Invalid => None,
        };
        loop {
            match self.next(true)? {
                Ev::DocEnd => {}
                Ev::StreamEnd => break,
                Ev::DocStart(span) => {
                    self.error(LoadError::MultipleDocuments {
                        src: self.src.clone(),
                        span,
                    });
                    break;
                }
                _ => return Err(self.unexpected()),
            }
        }
        Ok(document)
    }

    /// `span` cut at its first line break (for labels on big mappings).
    fn first_line(&self, span: Span) -> Span {
        let text = self.src.text();
        let start = span.start as usize;
        let end = text
            .get(span.range())
            .and_then(|s| s.find(['\n', '\r']))
            .map_or(span.end as usize, |i| start + i);
        Span::new(start, end)
    }

    fn root(&mut self, start: Span) -> R<Option<TenantDocument>> {
        let mut st = MapState::new(Place::Top);
        let mut name = None;
        let mut country = None;
        let mut sspr = None;
        let mut subscriptions = None;
        let mut groups = Vec::new();
        let mut users = Vec::new();
        let mut features = None;
        while let Some((key, key_span)) = self.next_key(&mut st)? {
            match key {
                "tenant" => name = self.string_field(key, StrField::Plain)?,
                "country" => country = self.string_field(key, StrField::Country)?,
                "sspr" => sspr = self.sspr(key_span)?,
                "subscriptions" => {
                    let items = self.mapping_list(
                        key,
                        "a subscription",
                        "sku: ENTERPRISEPACK",
                        Self::subscription,
                    )?;
                    subscriptions = Some(ListField {
                        items,
                        span: Some(self.entry(key_span)),
                    });
                }
                "groups" => {
                    groups = self.mapping_list(key, "a group", "name: Sales", Self::group)?
                }
                "users" => {
                    users =
                        self.mapping_list(key, "a user", "upn: alice@contoso.com", Self::user)?;
                }
                "features" => features = self.features(key_span)?,
                _ => self.skip_node()?,
            }
        }
        if st.seen("tenant").is_none() {
            let span = self.first_line(self.since(start));
            self.missing(
                "tenant",
                Place::Top,
                span,
                "add `tenant: NAME` (such as `tenant: contoso.onmicrosoft.com`)".to_owned(),
            );
        }
        Ok(name.map(|name| TenantDocument {
            source: self.src.clone(),
            name,
            country,
            sspr,
            subscriptions,
            groups,
            users,
            features,
            yaml11_booleans: Vec::new(),
        }))
    }

    fn sspr(&mut self, key_span: Span) -> R<Option<SsprDocument>> {
        match self.node()? {
            Node::Map(_) => {}
            Node::Scalar(s) => {
                let kind = resolve(&s).unwrap_or(Kind::Str);
                let found = found(kind, &s);
                let help = Some(
                    "write `scope: none`, `scope: all` or `scope: selected` indented under `sspr:`, or remove `sspr` (SSPR off)"
                        .to_owned(),
                );
                self.wrong_type("a mapping", "`sspr`".to_owned(), found, s.span, help);
                return Ok(None);
            }
            node => {
                self.wrong_container(&node, "a mapping", "`sspr`".to_owned(), None)?;
                return Ok(None);
            }
        }
        let mut st = MapState::new(Place::Sspr);
        let mut scope = None;
        let mut group = None;
        let mut group_entry = None;
        let mut writeback = None;
        while let Some((key, key_span)) = self.next_key(&mut st)? {
            match key {
                "scope" => scope = self.enum_field(key, &SCOPES)?,
                "group" => {
                    group = self.string_field(key, StrField::Plain)?;
                    group_entry = Some(self.entry(key_span));
                }
                "writeback" => writeback = self.bool_field("writeback", key_span)?,
                _ => self.skip_node()?,
            }
        }
        let span = self.entry(key_span);
        let Some(scope) = scope else {
            if st.seen("scope").is_none() {
                self.missing(
                    "scope",
                    Place::Sspr,
                    span,
                    "add `scope: none`, `scope: all` or `scope: selected`".to_owned(),
                );
            }
            return Ok(None);
        };
        match (scope.value, group_entry) {
            (SsprScope::Selected, None) => {
                self.error(LoadError::MissingKey {
                    src: self.src.clone(),
                    key: "group",
                    place: "`sspr`",
                    span,
                    help:
                        "`scope: selected` enables SSPR for one group's members: add `group: NAME`"
                            .to_owned(),
                });
                return Ok(None);
            }
            (SsprScope::None | SsprScope::All, Some(entry)) => {
                self.error(LoadError::SsprGroupForbidden {
                    src: self.src.clone(),
                    scope: scope.value.as_str(),
                    group: entry,
                    scope_span: scope.span,
                });
                return Ok(None);
            }
            _ => {}
        }
        Ok(Some(SsprDocument {
            span,
            scope,
            group,
            writeback,
        }))
    }

    fn subscription(&mut self, start: Span) -> R<Option<SubscriptionDocument>> {
        let mut st = MapState::new(Place::Subscription);
        let mut sku = None;
        let mut seats = None;
        while let Some((key, _)) = self.next_key(&mut st)? {
            match key {
                "sku" => sku = self.string_field(key, StrField::Plain)?,
                "seats" => seats = self.seats_field()?,
                _ => self.skip_node()?,
            }
        }
        let span = self.since(start);
        if st.seen("sku").is_none() {
            self.missing(
                "sku",
                Place::Subscription,
                span,
                "add `sku: PART_NUMBER`, such as `sku: ENTERPRISEPACK`".to_owned(),
            );
        }
        if st.seen("seats").is_none() {
            self.missing(
                "seats",
                Place::Subscription,
                span,
                "add `seats: N`, the number of prepaid units".to_owned(),
            );
        }
        Ok(match (sku, seats) {
            (Some(sku), Some(seats)) => Some(SubscriptionDocument { span, sku, seats }),
            _ => None,
        })
    }

    fn group(&mut self, start: Span) -> R<Option<GroupDocument>> {
        let mut st = MapState::new(Place::Group);
        let mut name = None;
        let mut licenses = ListField::default();
        let mut groups = ListField::default();
        let mut dynamic = None;
        while let Some((key, key_span)) = self.next_key(&mut st)? {
            match key {
                "name" => name = self.string_field(key, StrField::Plain)?,
                "licenses" => licenses = self.name_list(key, key_span)?,
                "groups" => groups = self.name_list(key, key_span)?,
                "dynamic" => dynamic = self.bool_field("dynamic", key_span)?,
                _ => self.skip_node()?,
            }
        }
        let span = self.since(start);
        if st.seen("name").is_none() {
            self.missing(
                "name",
                Place::Group,
                span,
                "add `name: GROUP`, such as `name: Sales`".to_owned(),
            );
        }
        Ok(name.map(|name| GroupDocument {
            span,
            name,
            licenses,
            groups,
            dynamic,
        }))
    }

    fn user(&mut self, start: Span) -> R<Option<UserDocument>> {
        let mut st = MapState::new(Place::User);
        let mut upn = None;
        let mut source = None;
        let mut usage_location = None;
        let mut licenses = ListField::default();
        let mut groups = ListField::default();
        let mut license_errors = ListField::default();
        while let Some((key, key_span)) = self.next_key(&mut st)? {
            match key {
                "upn" => upn = self.string_field(key, StrField::Plain)?,
                "source" => source = self.enum_field(key, &SOURCES)?,
                "usage_location" => usage_location = self.string_field(key, StrField::Country)?,
                "licenses" => licenses = self.name_list(key, key_span)?,
                "groups" => groups = self.name_list(key, key_span)?,
                "license_errors" => {
                    let items = self.mapping_list(
                        key,
                        "a license error",
                        "sku: ENTERPRISEPACK",
                        Self::license_error,
                    )?;
                    license_errors = ListField {
                        items,
                        span: Some(self.entry(key_span)),
                    };
                }
                _ => self.skip_node()?,
            }
        }
        let span = self.since(start);
        if st.seen("upn").is_none() {
            self.missing(
                "upn",
                Place::User,
                span,
                "add `upn: NAME@DOMAIN`, the user's sign-in name".to_owned(),
            );
        }
        Ok(upn.map(|upn| UserDocument {
            span,
            upn,
            source,
            usage_location,
            licenses,
            groups,
            license_errors,
        }))
    }

    /// One `license_errors:` entry: `sku`, `error` and, for a group's assignment, `group`.
    fn license_error(&mut self, start: Span) -> R<Option<LicenseErrorDocument>> {
        let mut st = MapState::new(Place::LicenseError);
        let mut sku = None;
        let mut error = None;
        let mut group = None;
        while let Some((key, _)) = self.next_key(&mut st)? {
            match key {
                "sku" => sku = self.string_field(key, StrField::Plain)?,
                "error" => error = self.enum_field(key, &LicenseError::ALL)?,
                "group" => group = self.string_field(key, StrField::Plain)?,
                _ => self.skip_node()?,
            }
        }
        let span = self.since(start);
        if st.seen("sku").is_none() {
            self.missing(
                "sku",
                Place::LicenseError,
                span,
                "add `sku: PART_NUMBER`, the SKU that could not be assigned".to_owned(),
            );
        }
        if st.seen("error").is_none() {
            self.missing(
                "error",
                Place::LicenseError,
                span,
                "add `error: CountViolation` (or the error Microsoft Graph reports)".to_owned(),
            );
        }
        Ok(match (sku, error) {
            (Some(sku), Some(error)) => Some(LicenseErrorDocument {
                span,
                sku,
                error,
                group,
            }),
            _ => None,
        })
    }
}

mod features;
#[cfg(test)]
mod tests;
