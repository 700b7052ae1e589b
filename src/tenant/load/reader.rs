//! The generic reader: spanned scalars, lists and mappings, key dispatch with did-you-mean,
//! type errors; the per-record readers in `records.rs` are built from these.

use std::collections::{HashMap, HashSet};
use std::hash::{Hash, Hasher};
use std::mem::{Discriminant, discriminant};

use saphyr_parser::ScalarStyle;

use super::error::{LoadError, error_pos};
use super::events::{Ev, Events, Scalar, TagKind};
use super::scalar::{Kind, as_bool, found, is_int, resolve, shown};
use super::schema::{MapState, Node, Place, R, Stop, StrField, What};
use crate::date::Date;
use crate::diagnostics::suggest::did_you_mean;
use crate::source::{SourceFile, Span};
use crate::tenant::document::{LicenseItem, ListField, Spanned};

/// Errors of one kind reported for one file; past it they are counted
/// ([`LoadError::TooManyErrors`]), so that a hostile file of a million unknown keys costs no
/// more to report than a thousand.
pub(super) const MAX_ERRORS_PER_KIND: usize = 1000;

/// Errors of one kind: how many were kept, and what was left out (count, first place, code).
#[derive(Default)]
pub(super) struct ErrorCount {
    kept: usize,
    left_out: usize,
    first_left_out: u32,
    code: String,
}

impl ErrorCount {
    fn leave_out(&mut self, pos: u32) {
        if self.left_out == 0 {
            self.first_left_out = pos;
        }
        self.left_out += 1;
    }
}

pub(super) struct Loader<'a> {
    pub(super) events: Events<'a>,
    pub(super) src: SourceFile,
    pub(super) max_scalar: usize,
    pub(super) errors: Vec<(u32, LoadError)>,
    /// Per kind of error (the enum variant), what was kept and left out.
    pub(super) error_counts: HashMap<Discriminant<LoadError>, ErrorCount>,
    /// Each error reported so far, as its place and a hash of its message: an error inside an
    /// anchored node is found again at every alias, at the same place with the same message,
    /// and is reported (and counted) once.
    pub(super) error_places: HashSet<(u32, u64)>,
    /// The kind of an unknown-key error, once one was built (see [`Loader::counted_past_cap`]).
    pub(super) unknown_key_kind: Option<Discriminant<LoadError>>,
    pub(super) yaml11: Vec<Spanned<String>>,
    /// Reused buffer for the items of one name list: each list is then allocated at its exact
    /// size (a tenant has hundreds of thousands of short lists).
    pub(super) scratch: Vec<Spanned<String>>,
}

impl<'a> Loader<'a> {
    pub(super) fn error(&mut self, error: LoadError) {
        let pos = error_pos(&error);
        let mut hasher = std::hash::DefaultHasher::new();
        error.to_string().hash(&mut hasher);
        if !self.error_places.insert((pos, hasher.finish())) {
            return;
        }
        let kind = discriminant(&error);
        let count = self.error_counts.entry(kind).or_default();
        if count.kept == 0 {
            count.code =
                miette::Diagnostic::code(&error).map_or_else(String::new, |c| c.to_string());
        }
        if count.kept < MAX_ERRORS_PER_KIND {
            count.kept += 1;
            self.errors.push((pos, error));
        } else {
            count.leave_out(pos);
        }
    }

    /// For an error of the kind `example` was (an unknown key, a million times in a hostile
    /// file): when that kind has reached its cap, counts one more at `pos` (`what` tells it from
    /// another at the same place) without the error being built, and says so.
    pub(super) fn counted_past_cap(
        &mut self,
        kind: Option<Discriminant<LoadError>>,
        pos: u32,
        what: &str,
    ) -> bool {
        let Some(count) = kind.and_then(|k| self.error_counts.get_mut(&k)) else {
            return false;
        };
        if count.kept < MAX_ERRORS_PER_KIND {
            return false;
        }
        let mut hasher = std::hash::DefaultHasher::new();
        what.hash(&mut hasher);
        if self.error_places.insert((pos, hasher.finish())) {
            count.leave_out(pos);
        }
        true
    }

    /// The errors, with one [`LoadError::TooManyErrors`] per kind that had more than
    /// [`MAX_ERRORS_PER_KIND`].
    pub(super) fn take_errors(&mut self) -> Vec<(u32, LoadError)> {
        let mut errors = std::mem::take(&mut self.errors);
        let mut over: Vec<&ErrorCount> = self
            .error_counts
            .values()
            .filter(|c| c.left_out > 0)
            .collect();
        over.sort_by_key(|c| c.first_left_out);
        for c in over {
            errors.push((
                u32::MAX,
                LoadError::TooManyErrors {
                    src: self.src.clone(),
                    code: c.code.clone(),
                    count: c.left_out,
                    cap: MAX_ERRORS_PER_KIND,
                    span: Span::new(c.first_left_out as usize, c.first_left_out as usize),
                },
            ));
        }
        errors
    }

    pub(super) fn next(&mut self, expand: bool) -> R<Ev<'a>> {
        self.events.next(expand).map_err(|fatal| {
            self.error(*fatal.error);
            Stop
        })
    }

    /// The span from `start` to the end of what was read last.
    pub(super) fn since(&self, start: Span) -> Span {
        Span::new(start.start as usize, self.events.last_end as usize)
    }

    /// The `key: value` entry whose key is `key` and whose value was read last. An empty value
    /// has no extent of its own: the entry then ends with the `:` after the key.
    pub(super) fn entry(&self, key: Span) -> Span {
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
    pub(super) fn skip_rest(&mut self) -> R<()> {
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
    pub(super) fn skip_node(&mut self) -> R<()> {
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

    pub(super) fn node(&mut self) -> R<Node<'a>> {
        let ev = self.next(true)?;
        self.node_of(ev)
    }

    /// An event the parser should never produce here: stop with a syntax error.
    pub(super) fn unexpected(&mut self) -> Stop {
        let at = self.events.last_end as usize;
        self.error(LoadError::Syntax {
            src: self.src.clone(),
            message: "unexpected structure".to_owned(),
            span: Span::new(at, at),
            help: None,
        });
        Stop
    }

    pub(super) fn too_long(&mut self, s: &Scalar<'_>) -> bool {
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
    pub(super) fn wrong_container(
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

    pub(super) fn wrong_type(
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

    pub(super) fn bad_tag_value(&mut self, tag: &str, s: &Scalar<'_>) {
        self.error(LoadError::InvalidValue {
            src: self.src.clone(),
            message: format!("`{}` is not a valid `{tag}` value", shown(&s.value)),
            span: s.span,
            help: Some(format!("remove the `{tag}` tag, or fix the value")),
        });
    }

    /// A sequence or mapping where a mapping key should be (its start event read): reported
    /// as an invalid key, then skipped with its value.
    pub(super) fn skip_invalid_key(&mut self, ev: Ev<'a>) -> R<()> {
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
        self.skip_node()
    }

    /// The next key of a mapping (its start event read), or `None` at its end. Unknown,
    /// duplicate and invalid keys are reported and their values skipped.
    pub(super) fn next_key(&mut self, st: &mut MapState) -> R<Option<(&'static str, Span)>> {
        loop {
            let s = match self.next(true)? {
                Ev::MapEnd(_) => return Ok(None),
                Ev::Scalar(s) => s,
                ev @ (Ev::SeqStart(..) | Ev::MapStart(..)) => {
                    self.skip_invalid_key(ev)?;
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
                if !self.counted_past_cap(self.unknown_key_kind, s.span.start, &s.value) {
                    let error = LoadError::UnknownKey {
                        src: self.src.clone(),
                        key: shown(&s.value),
                        place: st.place.name(),
                        span: s.span,
                        help: st.place.unknown_key_help(&s.value),
                    };
                    self.unknown_key_kind = Some(discriminant(&error));
                    self.error(error);
                }
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

    pub(super) fn missing(&mut self, key: &'static str, place: Place, span: Span, help: String) {
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

    pub(super) fn string_field(
        &mut self,
        key: &str,
        field: StrField,
    ) -> R<Option<Spanned<String>>> {
        match self.node()? {
            Node::Scalar(s) => Ok(self.scalar_string(s, What::Key(key), field)),
            node => {
                self.wrong_container(&node, "a string", What::Key(key).text(), None)?;
                Ok(None)
            }
        }
    }

    pub(super) fn enum_field<T: Copy>(
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

    /// The next node as a scalar with its resolved type, for a field that takes `expected`;
    /// `None` after reporting a mapping, a sequence or a bad tag.
    fn typed_scalar(&mut self, expected: &str, what: What<'_>) -> R<Option<(Scalar<'a>, Kind)>> {
        let s = match self.node()? {
            Node::Scalar(s) => s,
            node => {
                self.wrong_container(&node, expected, what.text(), None)?;
                return Ok(None);
            }
        };
        match resolve(&s) {
            Ok(kind) => Ok(Some((s, kind))),
            Err(tag) => {
                self.bad_tag_value(tag, &s);
                Ok(None)
            }
        }
    }

    /// A boolean; the span is the whole `key: value` entry.
    pub(super) fn bool_field(
        &mut self,
        key: &'static str,
        key_span: Span,
    ) -> R<Option<Spanned<bool>>> {
        let what = What::Key(key);
        let expected = "a boolean (`true` or `false`)";
        let Some((s, kind)) = self.typed_scalar(expected, what)? else {
            return Ok(None);
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

    pub(super) fn seats_field(&mut self) -> R<Option<Spanned<u64>>> {
        let what = What::Key("seats");
        let expected = "a whole number";
        let Some((s, kind)) = self.typed_scalar(expected, what)? else {
            return Ok(None);
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
    pub(super) fn name_list(&mut self, key: &str, key_span: Span) -> R<ListField<Spanned<String>>> {
        let node = self.node()?;
        self.name_list_of(node, key, key_span)
    }

    /// [`Self::name_list`] from a node already read.
    pub(super) fn name_list_of(
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

    /// `licenses:`: a sequence whose items are part numbers or (contract v3) mappings
    /// `{sku, disabled_plans}`; null or empty is an empty list.
    pub(super) fn license_list(&mut self, key: &str, key_span: Span) -> R<ListField<LicenseItem>> {
        let node = self.node()?;
        let Node::Seq(_) = node else {
            // Not a sequence: reported (or null) exactly as for any list of names.
            let names = self.name_list_of(node, key, key_span)?;
            return Ok(ListField {
                items: names.items.into_iter().map(LicenseItem::plain).collect(),
                span: names.span,
            });
        };
        let mut items = Vec::new();
        let what = What::Item(key);
        loop {
            let ev = self.next(true)?;
            if let Ev::SeqEnd(_) = ev {
                break;
            }
            match self.node_of(ev)? {
                Node::Scalar(s) => {
                    if let Some(sku) = self.scalar_string(s, what, StrField::Plain) {
                        items.push(LicenseItem::plain(sku));
                    }
                }
                Node::Map(start) => {
                    if let Some(item) = self.license_item(start)? {
                        items.push(item);
                    }
                }
                node => {
                    let help = Some(format!(
                        "write a part number, or `{{sku: PART_NUMBER, disabled_plans: [PLAN]}}`, as an item of `{key}`"
                    ));
                    self.wrong_container(&node, "a part number", what.text(), help)?;
                }
            }
        }
        Ok(ListField {
            items,
            span: Some(self.entry(key_span)),
        })
    }

    /// A calendar date `YYYY-MM-DD` (plain or quoted; YAML 1.2 has no date type).
    pub(super) fn date_field(&mut self, key: &str) -> R<Option<Spanned<Date>>> {
        let expected = "a date (`YYYY-MM-DD`)";
        let Some((s, kind)) = self.typed_scalar(expected, What::Key(key))? else {
            return Ok(None);
        };
        let text = s.value.trim();
        if let (Kind::Str, Some(date)) = (kind, Date::parse(text)) {
            return Ok(Some(Spanned::new(date, s.span)));
        }
        // Graph writes date-times (`2026-08-14T09:30:00Z`): the date part is what counts.
        let help = match text.get(..10).and_then(Date::parse) {
            Some(_) if kind == Kind::Str => {
                format!(
                    "write the date part only: `{key}: {}`",
                    text.get(..10).unwrap_or(text)
                )
            }
            _ => format!("write `{key}: YYYY-MM-DD`, such as `{key}: 2026-08-14`"),
        };
        if kind == Kind::Str {
            self.error(LoadError::InvalidValue {
                src: self.src.clone(),
                message: format!(
                    "`{}` is not a valid `{key}`: expected {expected}",
                    shown(text)
                ),
                span: s.span,
                help: Some(help),
            });
        } else {
            let found = found(kind, &s);
            self.wrong_type(expected, What::Key(key).text(), found, s.span, Some(help));
        }
        Ok(None)
    }

    /// A list of mappings (`users:`, `groups:`, `subscriptions:`), each read by `item`.
    pub(super) fn mapping_list<T>(
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
}
