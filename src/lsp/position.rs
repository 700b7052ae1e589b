//! Byte offsets (what skuld's spans are) ↔ LSP positions (line, character), in the encoding the
//! client and server agreed on: UTF-16 code units (the LSP default) or UTF-8 bytes.
//!
//! A line ends at `\n`; a `\r` before it belongs to no column a client can address, so a
//! character past the end of a line is clamped to the line's end (before `\r\n`). A BOM is an
//! ordinary character of the first line: the client sends the same text we index.

/// How `Position::character` counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// UTF-16 code units (the LSP default).
    Utf16,
    /// Bytes.
    Utf8,
}

/// A zero-based line and character, as the LSP has them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineCol {
    /// Zero-based line.
    pub line: u32,
    /// Zero-based character in the agreed encoding.
    pub character: u32,
}

/// The line starts of one version of a text: built once when the text changes, then used for
/// every position of every diagnostic and request on that version.
#[derive(Debug, Default)]
pub struct Lines {
    starts: Vec<usize>,
}

impl Lines {
    /// Indexes `text`.
    pub fn new(text: &str) -> Self {
        let mut starts = Vec::with_capacity(text.len() / 32 + 1);
        starts.push(0);
        starts.extend(
            text.bytes()
                .enumerate()
                .filter_map(|(i, b)| (b == b'\n').then_some(i + 1)),
        );
        Lines { starts }
    }

    /// Converts positions of `text`, the text it was built from.
    pub fn of<'a>(&'a self, text: &'a str) -> LineIndex<'a> {
        LineIndex {
            text,
            starts: &self.starts,
        }
    }
}

/// A text with its line starts, for converting in both directions.
#[derive(Debug, Clone, Copy)]
pub struct LineIndex<'a> {
    text: &'a str,
    starts: &'a [usize],
}

impl<'a> LineIndex<'a> {
    /// The text.
    pub fn text(&self) -> &'a str {
        self.text
    }

    /// The offsets where its lines start, in order (the first is 0).
    pub fn starts(&self) -> &'a [usize] {
        self.starts
    }

    /// The text of line `line` without its line end, and its start offset.
    fn line(&self, line: usize) -> Option<(usize, &'a str)> {
        let start = *self.starts.get(line)?;
        let end = self
            .starts
            .get(line + 1)
            .map_or(self.text.len(), |next| next - 1);
        let body = self.text.get(start..end)?;
        Some((start, body.strip_suffix('\r').unwrap_or(body)))
    }

    /// The position of byte `offset` (clamped to the text, and back to a character boundary).
    pub fn position(&self, offset: usize, enc: Encoding) -> LineCol {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self
            .starts
            .partition_point(|&s| s <= offset)
            .saturating_sub(1);
        let (start, body) = self.line(line).unwrap_or((0, ""));
        let upto = body.get(..offset.saturating_sub(start)).unwrap_or(body);
        let character = match enc {
            Encoding::Utf8 => upto.len(),
            Encoding::Utf16 => upto.chars().map(char::len_utf16).sum(),
        };
        LineCol {
            line: u32::try_from(line).unwrap_or(u32::MAX),
            character: u32::try_from(character).unwrap_or(u32::MAX),
        }
    }

    /// The byte offset of a position; a line past the end gives the end of the text, a character
    /// past the end of its line (or inside a character) the line's end (or that character's
    /// start).
    pub fn offset(&self, pos: LineCol, enc: Encoding) -> usize {
        let Some((start, body)) = self.line(pos.line as usize) else {
            return self.text.len();
        };
        let want = pos.character as usize;
        let mut count = 0;
        for (i, c) in body.char_indices() {
            let width = match enc {
                Encoding::Utf8 => c.len_utf8(),
                Encoding::Utf16 => c.len_utf16(),
            };
            if count + width > want {
                return start + i;
            }
            count += width;
        }
        start + body.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Indexes and converts in one go, as the tests need.
    struct LineIndex(Lines, &'static str);

    impl LineIndex {
        fn new(text: &'static str) -> Self {
            LineIndex(Lines::new(text), text)
        }
        fn position(&self, offset: usize, enc: Encoding) -> LineCol {
            self.0.of(self.1).position(offset, enc)
        }
        fn offset(&self, pos: LineCol, enc: Encoding) -> usize {
            self.0.of(self.1).offset(pos, enc)
        }
    }

    fn lc(line: u32, character: u32) -> LineCol {
        LineCol { line, character }
    }

    #[test]
    fn ascii_is_the_same_in_both_encodings() {
        let idx = LineIndex::new("ab\ncd\n");
        for enc in [Encoding::Utf8, Encoding::Utf16] {
            assert_eq!(idx.position(4, enc), lc(1, 1));
            assert_eq!(idx.offset(lc(1, 1), enc), 4);
            assert_eq!(idx.position(6, enc), lc(2, 0));
        }
    }

    #[test]
    fn non_ascii_names_count_code_units_or_bytes() {
        // `ø` is 2 bytes, 1 UTF-16 unit; `𝔘` is 4 bytes, 2 UTF-16 units.
        let text = "- upn: bjørn𝔘@x.no # z\n";
        let idx = LineIndex::new(text);
        let z = text.find('z').unwrap_or(0);
        assert_eq!(idx.position(z, Encoding::Utf8), lc(0, z as u32));
        assert_eq!(idx.position(z, Encoding::Utf16), lc(0, z as u32 - 1 - 2));
        assert_eq!(idx.offset(lc(0, z as u32 - 3), Encoding::Utf16), z);
        assert_eq!(idx.offset(lc(0, z as u32), Encoding::Utf8), z);
        // Inside the surrogate pair: the character's start.
        let u = text.find('𝔘').unwrap_or(0);
        let u16_col = idx.position(u, Encoding::Utf16).character;
        assert_eq!(idx.offset(lc(0, u16_col + 1), Encoding::Utf16), u);
        // A byte offset inside a character goes back to its start.
        assert_eq!(idx.position(u + 2, Encoding::Utf8), lc(0, u as u32));
    }

    #[test]
    fn crlf_line_ends_are_not_columns() {
        let idx = LineIndex::new("ab\r\ncd\r\n");
        assert_eq!(idx.position(4, Encoding::Utf16), lc(1, 0));
        assert_eq!(idx.position(5, Encoding::Utf16), lc(1, 1));
        // Past the end of line 0: before its `\r\n`.
        assert_eq!(idx.offset(lc(0, 99), Encoding::Utf16), 2);
        assert_eq!(idx.offset(lc(9, 0), Encoding::Utf16), 8);
    }

    #[test]
    fn a_bom_is_one_utf16_unit_and_three_bytes() {
        let idx = LineIndex::new("\u{feff}tenant: x\n");
        assert_eq!(idx.position(3, Encoding::Utf16), lc(0, 1));
        assert_eq!(idx.position(3, Encoding::Utf8), lc(0, 3));
        assert_eq!(idx.offset(lc(0, 1), Encoding::Utf16), 3);
    }
}
