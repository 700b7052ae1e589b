//! Source text and positions: the one place that knows how bytes become lines and columns.
//!
//! Every policy and tenant file is a [`SourceFile`]: a name and the text, shared behind an `Arc` so
//! that diagnostics can carry it cheaply. Positions are byte ranges ([`Span`]) into one file; lines
//! and columns are computed only when something is shown to a person.

use std::collections::VecDeque;
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
    /// True when a `\r` not followed by `\n` occurs: miette counts it as a line break.
    lone_cr: bool,
    /// Characters before each [`CHAR_BLOCK`]-byte block, when the text is not all ASCII (empty
    /// when it is: then a byte offset is a character offset). Makes a column a subtraction plus
    /// a count within one block, not a count from the line's start: 300k findings on one long
    /// line must not cost 300k scans of it.
    chars_before_block: Vec<u32>,
}

/// Bytes per block of [`Inner::chars_before_block`].
const CHAR_BLOCK: usize = 1024;

/// Characters (UTF-8 sequence starts) in `bytes`.
fn count_chars(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| b & 0xC0 != 0x80).count()
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
        let lone_cr = text.contains('\r')
            && text
                .as_bytes()
                .windows(2)
                .any(|w| w.first() == Some(&b'\r') && w.get(1) != Some(&b'\n'))
            || text.ends_with('\r');
        let chars_before_block = if text.is_ascii() {
            Vec::new()
        } else {
            let mut total = 0usize;
            let mut blocks = Vec::with_capacity(text.len() / CHAR_BLOCK + 1);
            for block in text.as_bytes().chunks(CHAR_BLOCK) {
                blocks.push(u32::try_from(total).unwrap_or(u32::MAX));
                total += count_chars(block);
            }
            blocks
        };
        SourceFile {
            inner: Arc::new(Inner {
                name: name.into(),
                text,
                line_starts,
                lone_cr,
                chars_before_block,
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
        // A short line is counted directly; on a long one, the block table bounds the count.
        let column = match self.inner.text.as_bytes().get(start..offset) {
            Some(before) if before.len() <= CHAR_BLOCK => count_chars(before),
            _ => self
                .chars_before(offset)
                .saturating_sub(self.chars_before(start)),
        };
        (line, column + 1)
    }

    /// The 1-based line of a byte offset (no column: cheap on a long line).
    pub fn line_of(&self, offset: usize) -> usize {
        let offset = offset.min(self.inner.text.len());
        self.inner
            .line_starts
            .partition_point(|&s| s as usize <= offset)
            .max(1)
    }

    /// Byte range of the line holding `offset`, without its line break (a `\r` before the
    /// `\n` stays). A binary search in the line starts, not a scan of the line.
    pub fn line_bounds(&self, offset: usize) -> (usize, usize) {
        let text = &self.inner.text;
        let offset = offset.min(text.len());
        let starts = &self.inner.line_starts;
        let line = starts.partition_point(|&s| s as usize <= offset).max(1);
        let start = starts.get(line - 1).map_or(0, |&s| s as usize);
        let end = starts
            .get(line)
            .map_or(text.len(), |&e| (e as usize).saturating_sub(1));
        (start, end.max(start))
    }

    /// Characters before byte `offset`: from the block table, plus a count within one block.
    fn chars_before(&self, offset: usize) -> usize {
        let blocks = &self.inner.chars_before_block;
        if blocks.is_empty() {
            return offset; // all ASCII
        }
        let block = offset / CHAR_BLOCK;
        let before = blocks.get(block).map_or(0, |&c| c as usize);
        let from = block * CHAR_BLOCK;
        before
            + self
                .inner
                .text
                .as_bytes()
                .get(from..offset)
                .map_or(0, count_chars)
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
    // memchr compares a word or a vector register at a time: on a 13 MB tenant the line starts
    // cost 10 M instructions instead of the 120 M a byte-by-byte filter took.
    memchr::memchr_iter(b'\n', bytes)
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
    /// The same contents as miette's implementation for `str` (which scans from byte 0 for every
    /// label, so a report of n findings in an n-line file costs O(n²)), found from the line
    /// starts: a binary search for the span's line, then miette's scan from a few lines above it.
    fn read_span<'a>(
        &'a self,
        span: &miette::SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let contents = self.context_info(span, context_lines_before, context_lines_after)?;
        Ok(Box::new(MietteSpanContents::new_named(
            self.inner.name.clone(),
            contents.data(),
            *contents.span(),
            contents.line(),
            contents.column(),
            merge_reach(contents.line(), contents.line_count()),
        )))
    }
}

/// Lines between two labels' snippets that are shown rather than cutting the snippet in two.
const MERGE_GAP: usize = 3;

/// The `line_count` miette's graphical renderer is given. It merges two labels' snippets into
/// one when the first's `line() + line_count()` reaches the second's line; its own scan (copied
/// in `context_info`) returns the number of lines from the start of the file there, not the
/// lines the snippet covers, so every label of a large file ended in one snippet of thousands
/// of lines (the seats finding of a 100k-user tenant labels groups far apart). Given the lines
/// covered (`end` counts line breaks up to the snippet's end) plus [`MERGE_GAP`], labels a few
/// lines apart still share a snippet and the others get one each.
fn merge_reach(start: usize, end: usize) -> usize {
    end.saturating_sub(start) + MERGE_GAP
}

impl SourceFile {
    /// Runs miette's context scan (`context_info` in its `source_impls.rs`, copied below) from
    /// the start of a line shortly above the span instead of from byte 0. The scan's state at
    /// the start of line `s` is known from the line starts alone: `s` lines counted, the last
    /// `before` line starts remembered, column 0, nothing of the span seen yet. The last holds
    /// only for lines that start before `span.offset() - 1` (an empty span can end the scan on
    /// the line break just before it), hence one line more than the context. A lone `\r` is a
    /// line break to miette but not to [`SourceFile::line_col`]: such files are scanned whole.
    fn context_info(
        &self,
        span: &miette::SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<MietteSpanContents<'_>, MietteError> {
        let input = self.inner.text.as_bytes();
        let starts = &self.inner.line_starts;
        let first = if self.inner.lone_cr {
            0
        } else {
            let line = starts
                .partition_point(|&s| s as usize <= span.offset())
                .saturating_sub(1);
            line.saturating_sub(before + 1)
        };
        let line_start = |l: usize| starts.get(l).map_or(0, |&s| s as usize);
        let mut before_lines_starts: VecDeque<usize> = (first.saturating_sub(before)..first)
            .map(line_start)
            .collect();
        let mut offset = line_start(first);
        let mut line_count = first;
        let mut start_line = first.saturating_sub(before);
        let mut start_column = 0usize;
        let mut current_line_start = offset;
        let mut end_lines = 0usize;
        let mut post_span = false;
        let mut post_span_got_newline = false;
        let mut iter = input
            .get(offset..)
            .unwrap_or_default()
            .iter()
            .copied()
            .peekable();
        while let Some(char) = iter.next() {
            if matches!(char, b'\r' | b'\n') {
                line_count += 1;
                if char == b'\r' && iter.next_if_eq(&b'\n').is_some() {
                    offset += 1;
                }
                if offset < span.offset() {
                    start_column = 0;
                    before_lines_starts.push_back(current_line_start);
                    if before_lines_starts.len() > before {
                        start_line += 1;
                        before_lines_starts.pop_front();
                    }
                } else if offset >= span.offset() + span.len().saturating_sub(1) && post_span {
                    start_column = 0;
                    if post_span_got_newline {
                        end_lines += 1;
                    } else {
                        post_span_got_newline = true;
                    }
                    if end_lines >= after {
                        offset += 1;
                        break;
                    }
                }
                current_line_start = offset + 1;
            } else if offset < span.offset() {
                start_column += 1;
            }
            if offset >= (span.offset() + span.len()).saturating_sub(1) {
                post_span = true;
                if end_lines >= after {
                    offset += 1;
                    break;
                }
            }
            offset += 1;
        }
        if offset < (span.offset() + span.len()).saturating_sub(1) {
            return Err(MietteError::OutOfBounds);
        }
        let starting_offset = before_lines_starts
            .front()
            .copied()
            .unwrap_or(if before == 0 { span.offset() } else { 0 });
        let data = input
            .get(starting_offset..offset)
            .ok_or(MietteError::OutOfBounds)?;
        Ok(MietteSpanContents::new(
            data,
            (starting_offset, offset - starting_offset).into(),
            start_line,
            if before == 0 { start_column } else { 0 },
            line_count,
        ))
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
    // Inside a block scalar (`key: |`, `- >-`): the indentation of the line that opened it. Its
    // lines, indented deeper (or blank), are text: a `#` there is no comment.
    let mut block: Option<usize> = None;
    for line in text.split('\n') {
        let indent = line.len() - line.trim_start_matches(' ').len();
        if let Some(parent) = block {
            if line.trim().is_empty() || indent > parent {
                out.push(None);
                continue;
            }
            block = None;
        }
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
        if state == State::Plain && opens_block_scalar(line.get(..found.unwrap_or(line.len()))) {
            // After `key:` its lines are indented deeper than the key (which may follow `- `);
            // after a bare `-`, deeper than the dash.
            let mut rest = line.trim_start_matches(' ');
            while let Some(r) = rest.strip_prefix("- ") {
                rest = r.trim_start_matches(' ');
            }
            let keyed = line.get(..found.unwrap_or(line.len())).is_some_and(|c| {
                c.trim_end()
                    .rsplit_once([' ', '\t'])
                    .is_some_and(|(b, _)| b.trim_end().ends_with(':'))
            });
            block = Some(if keyed {
                line.len() - rest.len()
            } else {
                indent
            });
        }
        out.push(found);
    }
    out
}

/// True when a line (its comment cut off) ends with a block scalar header: `|` or `>`, with an
/// optional chomping and indentation indicator, after `key:` or `-`.
fn opens_block_scalar(content: Option<&str>) -> bool {
    let content = content
        .unwrap_or("")
        .trim_end()
        .trim_end_matches('\r')
        .trim_end();
    let (before, header) = content.rsplit_once([' ', '\t']).unwrap_or(("", content));
    let mut chars = header.chars();
    let indicators_ok = matches!(chars.next(), Some('|' | '>'))
        && chars.clone().count() <= 2
        && chars.all(|c| matches!(c, '+' | '-' | '1'..='9'));
    let before = before.trim_end();
    indicators_ok && (before.is_empty() || before.ends_with(':') || before.ends_with('-'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_inside_a_block_scalar_is_text() {
        let text = "tenant: |\n  t # not a comment\n  \"open\nsspr: {scope: all}  # real\n\
                    users:\n  - note: >-  # header comment\n      a # text\n    x: 1 # real\n";
        let starts = yaml_comment_starts(text);
        assert_eq!(
            starts,
            [
                None,
                None,
                None,
                Some(20),
                None,
                Some(14),
                None,
                Some(9),
                None
            ]
        );
        assert_eq!(SourceFile::new("t", text).line_of(10), 2);
    }

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
    fn line_bounds_exclude_the_line_break() {
        let f = SourceFile::new("t.yaml", "ab\ncde\n\nf");
        assert_eq!(f.line_bounds(0), (0, 2));
        assert_eq!(f.line_bounds(2), (0, 2));
        assert_eq!(f.line_bounds(4), (3, 6));
        assert_eq!(f.line_bounds(7), (7, 7));
        assert_eq!(f.line_bounds(8), (8, 9));
        assert_eq!(f.line_bounds(99), (8, 9));
    }

    /// The block table gives the same columns as counting from the line's start, on a long
    /// line mixing one-, two-, three- and four-byte characters across many blocks.
    #[test]
    fn line_col_on_a_long_non_ascii_line_counts_characters() {
        let mut text = String::from("k: x\n");
        for i in 0..3000 {
            text.push_str(["a", "ç", "€", "𝄞"][i % 4]);
        }
        text.push_str("\nend");
        let f = SourceFile::new("t.yaml", text.as_str());
        for (offset, _) in text.char_indices() {
            let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
            let want_line = text[..offset].matches('\n').count() + 1;
            let want_col = text[line_start..offset].chars().count() + 1;
            assert_eq!(f.line_col(offset), (want_line, want_col), "offset {offset}");
        }
    }

    /// `read_span` must give exactly what miette's implementation for `str` gives: the human
    /// report's snippets are built from it.
    #[test]
    fn read_span_matches_miettes_scan_from_the_start() {
        let texts = [
            "",
            "a",
            "\n",
            "\n\n\n",
            "tenant: t\nusers:\n  - upn: a@x.com\n  - upn: b@x.com\n",
            "tenant: t\nusers:\n  - upn: a@x.com\n  - upn: b@x.com",
            "one\r\ntwo\r\n\r\nfour\r\nfive",
            "mixed\r\nline\nends\r\n\n\nend\n",
            "lone\rcarriage\nreturn\r",
            "ends with cr\r",
            "\n\nx\n\n\ny\n\n",
            "çé: ü\n  - ñ: x\n\n€\n",
        ];
        for text in texts {
            let file = SourceFile::new("t.yaml", text);
            for offset in 0..=text.len() + 2 {
                for len in 0..=5 {
                    let span = miette::SourceSpan::new(offset.into(), len);
                    for before in 0..=4 {
                        for after in 0..=4 {
                            let ours = file.read_span(&span, before, after);
                            // miette slices out of range for some spans past the end (a
                            // panic); ours then returns an error.
                            let Ok(theirs) =
                                std::panic::catch_unwind(|| text.read_span(&span, before, after))
                            else {
                                assert!(ours.is_err(), "{text:?} at {offset}+{len}");
                                continue;
                            };
                            let what =
                                format!("{text:?} at {offset}+{len}, context {before}/{after}");
                            match (ours, theirs) {
                                (Ok(a), Ok(b)) => {
                                    assert_eq!(a.data(), b.data(), "{what}");
                                    assert_eq!(a.span(), b.span(), "{what}");
                                    assert_eq!(a.line(), b.line(), "{what}");
                                    assert_eq!(a.column(), b.column(), "{what}");
                                    assert_eq!(
                                        a.line_count(),
                                        merge_reach(b.line(), b.line_count()),
                                        "{what}"
                                    );
                                    assert_eq!(a.name(), Some("t.yaml"), "{what}");
                                }
                                (Err(_), Err(_)) => {}
                                (a, b) => panic!(
                                    "{what}: ours ok {}, miette's ok {}",
                                    a.is_ok(),
                                    b.is_ok()
                                ),
                            }
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn read_span_of_a_long_file_starts_near_the_span() {
        use std::fmt::Write as _;
        let mut text = String::from("tenant: t\nusers:\n");
        for i in 0..3000 {
            let _ = writeln!(text, "  - upn: u{i}@x.com\r");
        }
        let file = SourceFile::new("t.yaml", text.clone());
        for line in [0, 1, 2, 1500, 2999, 3001] {
            let offset = file.inner.line_starts.get(line).map_or(0, |&s| s as usize) + 4;
            let span = miette::SourceSpan::new(offset.into(), 3);
            let a = file.read_span(&span, 2, 2).map_err(|e| e.to_string());
            let b = text.read_span(&span, 2, 2).map_err(|e| e.to_string());
            let a = a.map(|c| {
                (
                    c.data().to_vec(),
                    *c.span(),
                    c.line(),
                    c.column(),
                    c.line_count(),
                )
            });
            let b = b.map(|c| {
                (
                    c.data().to_vec(),
                    *c.span(),
                    c.line(),
                    c.column(),
                    merge_reach(c.line(), c.line_count()),
                )
            });
            assert_eq!(a, b, "line {line}");
        }
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
