//! Where an id first occurs in a response file, for the import's warnings: one pass over the
//! file builds an index of its JSON strings, so thousands of warnings (users without a UPN,
//! groups sharing a name) cost one scan of the file, not one scan each.

use std::cell::RefCell;
use std::collections::HashMap;

use crate::source::{SourceFile, Span};

/// The first place of every JSON string in one file.
struct Strings {
    file: SourceFile,
    /// Raw string content (between the quotes, escapes as written) → span with the quotes.
    first: HashMap<String, Span>,
    /// The same for strings that are the value of a `"skuId"` key → span from the key's quote
    /// to the value's closing quote.
    sku_id: HashMap<String, Span>,
}

impl Strings {
    fn build(file: &SourceFile) -> Self {
        let text = file.text().as_bytes();
        let mut first = HashMap::new();
        let mut sku_id = HashMap::new();
        // Start of the last string literal when it was `"skuId"` and only `:` and blanks follow.
        let mut key_at: Option<usize> = None;
        let mut colon = false;
        let mut i = 0;
        while let Some(&b) = text.get(i) {
            match b {
                b'"' => {
                    let start = i;
                    i += 1;
                    while let Some(&c) = text.get(i) {
                        match c {
                            b'\\' => i += 2,
                            b'"' => break,
                            _ => i += 1,
                        }
                    }
                    let end = (i + 1).min(text.len());
                    let content = file.text().get(start + 1..i).unwrap_or("");
                    if let (Some(k), true) = (key_at, colon) {
                        sku_id
                            .entry(content.to_owned())
                            .or_insert(Span::new(k, end));
                    }
                    first
                        .entry(content.to_owned())
                        .or_insert(Span::new(start, end));
                    key_at = (content == "skuId").then_some(start);
                    colon = false;
                    i = end;
                }
                b':' if key_at.is_some() && !colon => {
                    colon = true;
                    i += 1;
                }
                b' ' | b'\t' | b'\r' | b'\n' => i += 1,
                _ => {
                    key_at = None;
                    i += 1;
                }
            }
        }
        Strings {
            file: file.clone(),
            first,
            sku_id,
        }
    }
}

thread_local! {
    /// The index of the file last asked about: warnings come file by file.
    static LAST: RefCell<Option<Strings>> = const { RefCell::new(None) };
}

/// The place of `id` in `file`: where it is a `skuId` value if it is one anywhere (a subscribed
/// SKU's `id` also contains the GUID), else its first occurrence as a JSON string.
pub(super) fn first_place(file: &SourceFile, id: &str) -> Option<Span> {
    LAST.with(|last| {
        let mut last = last.borrow_mut();
        if last.as_ref().is_none_or(|s| !s.file.same_file(file)) {
            *last = Some(Strings::build(file));
        }
        let strings = last.as_ref()?;
        strings
            .sku_id
            .get(id)
            .or_else(|| strings.first.get(id))
            .copied()
    })
}

/// Drops the index (and the file it holds) once an import is mapped.
pub(super) fn forget() {
    LAST.with(|last| last.borrow_mut().take());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_sku_id_place_first_then_any_string() {
        let text =
            r#"{"value": [{"id": "G1", "skuId":"G1"}, {"skuId" : "G2", "x": "a\"b"}, "G3", "G3"]}"#;
        let f = SourceFile::new("s.json", text);
        let at = |id: &str| first_place(&f, id).map(|s| f.slice(s).to_owned());
        assert_eq!(at("G1").as_deref(), Some(r#""skuId":"G1""#));
        assert_eq!(at("G2").as_deref(), Some(r#""skuId" : "G2""#));
        assert_eq!(at("G3").as_deref(), Some(r#""G3""#));
        assert_eq!(at(r#"a\"b"#).as_deref(), Some(r#""a\"b""#));
        assert_eq!(at("nowhere"), None);
        // A second file replaces the first.
        let g = SourceFile::new("t.json", r#"["G1"]"#);
        assert_eq!(first_place(&g, "G1"), Some(Span::new(1, 5)));
        assert_eq!(
            first_place(&f, "G3").map(|s| s.start),
            Some(text.find("\"G3\"").unwrap() as u32)
        );
        forget();
    }
}
