//! Source text and positions: the one place that knows how bytes become lines and columns.
//!
//! Every policy and tenant file is a [`SourceFile`]: a name and the text, shared behind an `Arc` so
//! that diagnostics can carry it cheaply. Positions are byte ranges ([`Span`]) into one file; lines
//! and columns are computed only when something is shown to a person.

use std::fmt;
use std::path::Path;
use std::sync::Arc;

use miette::{MietteError, MietteSpanContents, SourceCode, SpanContents};

/// A named piece of source text: a policy file or a tenant file.
#[derive(Clone)]
pub struct SourceFile {
    inner: Arc<Inner>,
}

struct Inner {
    name: String,
    text: String,
    /// Byte offset of the start of every line; built once, used for line/column look-ups.
    line_starts: Vec<u32>,
}

impl SourceFile {
    /// Wraps `text` under `name` (the path shown to users).
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> Self {
        let text = text.into();
        let mut line_starts = Vec::with_capacity(text.len() / 32 + 1);
        line_starts.push(0);
        line_starts.extend(
            memchr_newlines(text.as_bytes()).map(|i| u32::try_from(i + 1).unwrap_or(u32::MAX)),
        );
        SourceFile {
            inner: Arc::new(Inner {
                name: name.into(),
                text,
                line_starts,
            }),
        }
    }

    /// The name shown to users (a path, or `builtin:…` for embedded policies).
    pub fn name(&self) -> &str {
        &self.inner.name
    }

    /// The whole text.
    pub fn text(&self) -> &str {
        &self.inner.text
    }

    /// The text covered by `span` (empty when the span lies outside the file).
    pub fn slice(&self, span: Span) -> &str {
        self.inner.text.get(span.range()).unwrap_or("")
    }

    /// 1-based line and 1-based column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.inner.text.len());
        let starts = &self.inner.line_starts;
        let line = starts.partition_point(|&s| s as usize <= offset).max(1);
        let start = starts.get(line - 1).map_or(0, |&s| s as usize);
        let column = self
            .inner
            .text
            .get(start..offset)
            .map_or(offset - start, |s| s.chars().count());
        (line, column + 1)
    }

    /// The text of a 1-based line, without its line break; `None` past the end. Uses the line
    /// starts computed once in [`SourceFile::new`].
    pub fn line(&self, line: usize) -> Option<&str> {
        let starts = &self.inner.line_starts;
        let start = *starts.get(line.checked_sub(1)?)? as usize;
        let end = starts
            .get(line)
            .map_or(self.inner.text.len(), |&e| e as usize);
        let text = self.inner.text.get(start..end)?;
        Some(
            text.strip_suffix('\n')
                .map_or(text, |t| t.strip_suffix('\r').unwrap_or(t)),
        )
    }

    /// True when both handles share the same text (cheap identity, used to group labels).
    pub fn same_file(&self, other: &SourceFile) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner)
    }
}

fn memchr_newlines(bytes: &[u8]) -> impl Iterator<Item = usize> + '_ {
    bytes
        .iter()
        .enumerate()
        .filter_map(|(i, &b)| (b == b'\n').then_some(i))
}

impl fmt::Debug for SourceFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SourceFile")
            .field("name", &self.inner.name)
            .field("len", &self.inner.text.len())
            .finish()
    }
}

impl SourceCode for SourceFile {
    fn read_span<'a>(
        &'a self,
        span: &miette::SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let contents =
            self.inner
                .text
                .read_span(span, context_lines_before, context_lines_after)?;
        Ok(Box::new(MietteSpanContents::new_named(
            self.inner.name.clone(),
            contents.data(),
            *contents.span(),
            contents.line(),
            contents.column(),
            contents.line_count(),
        )))
    }
}

/// A byte range in one source file. Deliberately small (two `u32`s): the tenant model keeps one
/// for every user, group, licence entry and key, and a 100k-user tenant has millions of them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Span {
    /// Start byte offset, inclusive.
    pub start: u32,
    /// End byte offset, exclusive.
    pub end: u32,
}

impl Span {
    /// A span from byte offsets (saturating at `u32::MAX`; files are capped far below that).
    pub fn new(start: usize, end: usize) -> Self {
        let start = u32::try_from(start).unwrap_or(u32::MAX);
        let end = u32::try_from(end).unwrap_or(u32::MAX).max(start);
        Span { start, end }
    }

    /// The byte range.
    pub fn range(self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }

    /// The smallest span covering both.
    pub fn to(self, other: Span) -> Span {
        Span {
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }

    /// Length in bytes.
    pub fn len(self) -> usize {
        (self.end - self.start) as usize
    }

    /// True for an empty span.
    pub fn is_empty(self) -> bool {
        self.start == self.end
    }
}

impl From<Span> for miette::SourceSpan {
    fn from(span: Span) -> Self {
        miette::SourceSpan::new((span.start as usize).into(), span.len())
    }
}

/// A file name as a path relative to the repository root `root` (when it is under it), with
/// `/` separators and no leading `./`: how reports and baselines name files.
pub fn repo_path(name: &str, root: Option<&Path>) -> String {
    let path = Path::new(name);
    let rel = match root {
        Some(root) if path.is_absolute() => path.strip_prefix(root).unwrap_or(path),
        _ => path,
    };
    let mut s = rel.to_string_lossy().replace('\\', "/");
    while let Some(rest) = s.strip_prefix("./") {
        s = rest.to_owned();
    }
    s
}

/// The one YAML comment scanner (inline waivers, `# expect:`): the byte offset of the comment's
/// `#` on each line (`None`: no comment), for every line of `text`
/// (lines split on `\n`). A comment is recognised the way YAML does: a `#` at the start of a
/// line or after whitespace, outside a quoted scalar. The scan follows quotes across lines (a
/// double-quoted scalar may span lines); it does not understand block scalars (`|`, `>`), which
/// tenant files have no use for.
pub fn yaml_comment_starts(text: &str) -> Vec<Option<usize>> {
    #[derive(Clone, Copy, PartialEq, Eq)]
    enum State {
        Plain,
        Single,
        Double,
    }
    let mut state = State::Plain;
    let mut out = Vec::new();
    for line in text.split('\n') {
        let mut found = None;
        // The last non-blank character before this one, on this line (None: start of line).
        let mut prev: Option<char> = None;
        let mut prev_is_space = true;
        let mut chars = line.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            match state {
                State::Plain => match c {
                    '#' if prev_is_space => {
                        found = Some(i);
                        break;
                    }
                    // A quote opens a quoted scalar only where a scalar starts.
                    '\'' | '"'
                        if matches!(prev, None | Some(':' | '-' | '[' | '{' | ',' | '?')) =>
                    {
                        state = if c == '"' {
                            State::Double
                        } else {
                            State::Single
                        };
                    }
                    _ => {}
                },
                State::Single => {
                    if c == '\'' {
                        if chars.peek().is_some_and(|(_, n)| *n == '\'') {
                            chars.next();
                        } else {
                            state = State::Plain;
                        }
                    }
                }
                State::Double => match c {
                    '\\' => {
                        chars.next();
                    }
                    '"' => state = State::Plain,
                    _ => {}
                },
            }
            prev_is_space = c.is_whitespace();
            if !c.is_whitespace() {
                prev = Some(c);
            }
        }
        out.push(found);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_is_one_based_and_counts_characters() {
        let f = SourceFile::new("t.yaml", "ab\nçd: x\n\nz");
        assert_eq!(f.line_col(0), (1, 1));
        assert_eq!(f.line_col(1), (1, 2));
        assert_eq!(f.line_col(3), (2, 1));
        // `ç` is two bytes: the `d` after it is the second character.
        assert_eq!(f.line_col(5), (2, 2));
        assert_eq!(f.line_col(10), (3, 1));
        assert_eq!(f.line_col(11), (4, 1));
        // Past the end clamps to the end.
        assert_eq!(f.line_col(999), (4, 2));
    }

    #[test]
    fn span_to_covers_both() {
        let a = Span::new(3, 5);
        let b = Span::new(10, 12);
        assert_eq!(a.to(b), Span::new(3, 12));
        assert_eq!(b.to(a), Span::new(3, 12));
        assert_eq!(Span::new(5, 2), Span::new(5, 5));
    }
}
