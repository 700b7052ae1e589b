//! A fast path for files made only of `product` declarations, the shape of the generated full
//! catalog (`policies/catalog-microsoft.skuld`, 568 products, ~185 KB), which every run
//! compiles as part of the default policy. pest reads it at about 10 MB/s (keyword checks before
//! every identifier, backtracking snapshots), which made compiling the default policy ten times
//! slower; this scanner reads the same subset of the grammar directly.
//!
//! It accepts only what it can read with certainty: comments, and `product NAME "Display" {
//! id "…" plans [A, "B"] }` without doc comments. On anything else it returns `None` and the pest
//! parser reads the file, so error messages and every other construct stay pest's. A unit test
//! in `parser.rs` checks that both give the same AST, spans included, on the embedded catalog.

use super::ast::{File, Item, Name, SkuAttr, SkuDecl};
use super::lexical::{RESERVED, unescape};
use crate::source::Span;

/// The file's AST, when it consists of `product` declarations (and comments) only.
pub(super) fn products(text: &str) -> Option<File> {
    let mut s = Scanner { text, pos: 0 };
    let mut items = Vec::new();
    loop {
        s.skip_trivia()?;
        if s.pos >= text.len() {
            return Some(File { items });
        }
        items.push(Item::Sku(s.product()?));
    }
}

struct Scanner<'a> {
    text: &'a str,
    pos: usize,
}

fn is_ident_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

impl Scanner<'_> {
    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.pos).copied()
    }

    /// Skips whitespace and `//` comments; `None` at a doc comment (`///`), which this path
    /// does not read.
    fn skip_trivia(&mut self) -> Option<()> {
        loop {
            let rest = self.text.get(self.pos..)?;
            if let Some(r) = rest.strip_prefix('\u{feff}') {
                self.pos = self.text.len() - r.len();
            } else if rest.starts_with("///") && !rest.starts_with("////") {
                return None;
            } else if rest.starts_with("//") {
                self.pos += rest.find('\n').unwrap_or(rest.len());
            } else if matches!(self.peek(), Some(b' ' | b'\t' | b'\r' | b'\n')) {
                self.pos += 1;
            } else {
                return Some(());
            }
        }
    }

    /// `word` as a keyword (not followed by an identifier character).
    fn keyword(&mut self, word: &str) -> bool {
        let Some(rest) = self.text.get(self.pos..) else {
            return false;
        };
        if rest.starts_with(word)
            && !rest
                .as_bytes()
                .get(word.len())
                .is_some_and(|&b| is_ident_char(b))
        {
            self.pos += word.len();
            true
        } else {
            false
        }
    }

    fn punct(&mut self, c: u8) -> Option<()> {
        self.skip_trivia()?;
        (self.peek() == Some(c)).then(|| self.pos += 1)
    }

    fn ident(&mut self) -> Option<Name> {
        let start = self.pos;
        let bytes = self.text.as_bytes();
        if !bytes
            .get(start)
            .is_some_and(|b| b.is_ascii_alphabetic() || *b == b'_')
        {
            return None;
        }
        let mut end = start + 1;
        while bytes.get(end).is_some_and(|&b| is_ident_char(b)) {
            end += 1;
        }
        let text = self.text.get(start..end)?;
        if RESERVED.contains(&text) {
            return None;
        }
        self.pos = end;
        Some(Name {
            text: text.to_owned(),
            span: Span::new(start, end),
        })
    }

    fn string(&mut self) -> Option<Name> {
        let start = self.pos;
        if self.peek() != Some(b'"') {
            return None;
        }
        let bytes = self.text.as_bytes();
        let mut i = start + 1;
        let mut escaped = false;
        loop {
            match bytes.get(i)? {
                b'\\' => {
                    escaped = true;
                    i += 2;
                }
                b'"' => break,
                _ => i += 1,
            }
        }
        let raw = self.text.get(start + 1..i)?;
        self.pos = i + 1;
        Some(Name {
            text: if escaped {
                unescape(raw)
            } else {
                raw.to_owned()
            },
            span: Span::new(start, i + 1),
        })
    }

    fn name(&mut self) -> Option<Name> {
        self.skip_trivia()?;
        if self.peek() == Some(b'"') {
            self.string()
        } else {
            self.ident()
        }
    }

    fn product(&mut self) -> Option<SkuDecl> {
        let start = self.pos;
        if !self.keyword("product") {
            return None;
        }
        let part = self.name()?;
        self.skip_trivia()?;
        let display = self.string()?;
        let end;
        let mut attrs = Vec::new();
        self.skip_trivia()?;
        if self.peek() == Some(b'{') {
            self.pos += 1;
            loop {
                self.skip_trivia()?;
                if self.peek() == Some(b'}') {
                    self.pos += 1;
                    end = self.pos;
                    break;
                }
                let at = self.pos;
                if self.keyword("id") {
                    self.skip_trivia()?;
                    attrs.push(SkuAttr::Id(self.string()?));
                } else if self.keyword("paid") {
                    attrs.push(SkuAttr::Paid(Span::new(at, self.pos)));
                } else if self.keyword("free") {
                    attrs.push(SkuAttr::Free(Span::new(at, self.pos)));
                } else if self.keyword("family") {
                    self.skip_trivia()?;
                    attrs.push(SkuAttr::Family(self.ident()?));
                } else if self.keyword("plans") {
                    self.punct(b'[')?;
                    let mut plans = Vec::new();
                    loop {
                        self.skip_trivia()?;
                        if self.peek() == Some(b']') {
                            self.pos += 1;
                            break;
                        }
                        plans.push(self.name()?);
                        self.skip_trivia()?;
                        match self.peek() {
                            Some(b',') => self.pos += 1,
                            Some(b']') => {}
                            _ => return None,
                        }
                    }
                    attrs.push(SkuAttr::Plans(plans));
                } else {
                    return None;
                }
            }
        } else {
            // pest's span of a declaration without a body takes in the whitespace after it.
            end = self.pos;
        }
        Some(SkuDecl {
            docs: String::new(),
            product: true,
            part,
            display,
            attrs,
            span: Span::new(start, end),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::products;

    #[test]
    fn anything_else_is_left_to_pest() {
        for text in [
            "sku X \"x\"",
            "/// doc\nproduct X \"x\"",
            "product and \"x\"",
            "product X \"x\" { family \"f\" }",
            "product X \"x\" { plans [,] }",
            "product X \"unterminated",
            "product X \"x\" { id \"g\"",
            "productX \"x\"",
        ] {
            assert!(products(text).is_none(), "{text}");
        }
    }
}
