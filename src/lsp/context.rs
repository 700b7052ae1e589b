//! What the cursor is on: the word under it, and in a tenant file what kind of value belongs
//! where it is typing. A file being typed is rarely valid YAML at that moment (`- {upn: a@x.com,
//! licenses: [` is a half-typed flow mapping), so the slot is read from a YAML parse of the text
//! up to the cursor, with a placeholder token at the cursor: the parser says whether that token
//! is a key or a value, of which mapping, or an item of which list, in block and flow style
//! alike, and whatever follows the cursor cannot confuse it. Only the entry around the cursor is
//! parsed (from the start of its item of a top-level list), so the cost does not grow with the
//! file. Hover and definitions, which point at finished names, use the loader's spans of the last
//! version that loaded. The keys offered are the loader's own lists (`tenant::keys_under`).

use saphyr_parser::{Event, Parser};

use super::engine::keys_under as keys;
use super::position::LineIndex;

/// What a tenant file expects at the cursor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Slot {
    /// A key of the mapping whose parent key is given (`None`: the top level).
    Key(Option<String>),
    /// A SKU part number.
    Sku,
    /// A group name.
    Group,
    /// A rule id (in `# skuld: waive` or `# expect:` comments).
    Rule,
    /// One of fixed values.
    Value(&'static [&'static str]),
    /// Nothing to offer.
    None,
}

/// True when a YAML text has a top-level key of the tenant format (or is empty, a tenant being
/// started): other YAML files (workflows, configs) in a workspace are left alone.
pub fn looks_like_tenant(text: &str) -> bool {
    text.trim().is_empty()
        || text.lines().any(|l| {
            let l = l.trim_start_matches('\u{feff}');
            keys(None)
                .iter()
                .any(|k| l.strip_prefix(k).is_some_and(|r| r.starts_with(':')))
        })
}

/// The word (letters, digits, `_ - . @ /`) around byte `offset`, with its range.
pub fn word_at(text: &str, offset: usize) -> Option<(usize, usize, &str)> {
    let is_word = |c: char| c.is_alphanumeric() || "_-.@/".contains(c);
    let offset = offset.min(text.len());
    let before = text.get(..offset)?;
    let after = text.get(offset..)?;
    let start = before
        .char_indices()
        .rev()
        .take_while(|(_, c)| is_word(*c))
        .last()
        .map_or(offset, |(i, _)| i);
    let end = offset
        + after
            .char_indices()
            .find(|(_, c)| !is_word(*c))
            .map_or(after.len(), |(i, _)| i);
    let word = text.get(start..end)?;
    (!word.is_empty()).then_some((start, end, word))
}

/// The slot after `key:` (block or flow); `nested` when the key is not at the top level.
fn value_slot(key: &str, nested: bool) -> Slot {
    const BOOL: &[&str] = &["true", "false"];
    match key {
        "sku" => Slot::Sku,
        "group" => Slot::Group,
        "scope" => Slot::Value(&["all", "none", "selected"]),
        "source" => Slot::Value(&["cloud", "synced"]),
        "user_type" => Slot::Value(&["member", "guest"]),
        "status" => Slot::Value(&["enabled", "warning", "suspended", "locked_out"]),
        "writeback" | "enabled" | "trial" | "held" | "dynamic" => Slot::Value(BOOL),
        "error" if nested => Slot::Value(&[
            "CountViolation",
            "MutuallyExclusiveViolation",
            "DependencyViolation",
            "ProhibitedInUsageLocationViolation",
            "UniquenessViolation",
            "Other",
        ]),
        _ => Slot::None,
    }
}

/// The slot of an item of the list `key:` holds; `nested` when the key is not at the top level
/// (the top-level `groups:` holds group definitions, not names). An item of a block list whose
/// items are mappings is a key being typed (`- ` then `name: IT`); in a flow list (`[`) it is not.
fn item_slot(key: &str, nested: bool, flow: bool) -> Slot {
    match key {
        "licenses" => Slot::Sku,
        "groups" | "include" | "exclude" if nested => Slot::Group,
        _ if flow => Slot::None,
        _ => Slot::Key(Some(key.to_owned())),
    }
}

/// The token put at the cursor: a plain scalar that joins whatever is half-typed there.
const CURSOR: &str = "skuld_cursor_";

/// An open collection while the text up to the cursor is parsed.
#[derive(Debug)]
enum Frame {
    /// A mapping: the key that holds it (or holds the list it is an item of; `None` at the top
    /// level), and the key just read, whose value comes next, with its line.
    Map {
        parent: Option<String>,
        top: bool,
        key: Option<(String, usize)>,
    },
    /// A list: the key that holds it, whether that key is at the top level, and `[` style.
    Seq {
        key: Option<String>,
        top: bool,
        flow: bool,
    },
}

/// Where the entry around byte `offset` starts: the start of its item of a top-level block list
/// (`  - upn: …`), with the line of the top-level key above it (`users:`), or the start of that
/// top-level key's line when it holds no block list. Lines are only sorted by their indentation
/// here; what they mean is the parser's business. `starts` are the text's line starts.
fn entry_start<'t>(text: &'t str, starts: &[usize], offset: usize) -> (Option<&'t str>, usize) {
    let bytes = text.as_bytes();
    // The nearest line starting with `-` at the least indentation seen so far. The loop runs over
    // every line up to the top-level key (the whole `users:` list for the last user), so it
    // looks at each line's indentation and first byte only, from the version's line index.
    let mut item: Option<(usize, usize)> = None;
    let cursor_line = starts.partition_point(|&s| s <= offset).saturating_sub(1);
    for line in (0..=cursor_line).rev() {
        let start = starts.get(line).copied().unwrap_or(0);
        let end = if line == cursor_line {
            offset
        } else {
            starts.get(line + 1).map_or(text.len(), |next| next - 1)
        };
        let body = bytes.get(start..end).unwrap_or_default();
        let col = body.iter().take_while(|&&b| b == b' ').count();
        let after = body.get(col + 1).copied();
        match body.get(col) {
            // Blank lines and comments say nothing.
            None | Some(b'#' | b'\r' | b'\t') => {}
            Some(b'-') if matches!(after, None | Some(b' ' | b'\r')) || line == cursor_line => {
                if item.is_none_or(|(c, _)| col < c) {
                    item = Some((col, start));
                }
            }
            Some(b'-' | b'.' | b'%') if col == 0 => {
                // `---`, `...` or a directive: the document starts below.
                let below = starts.get(line + 1).copied().unwrap_or(end);
                return (None, item.map_or(below.min(offset), |(_, s)| s));
            }
            Some(_) if col == 0 => {
                let key_end = starts.get(line + 1).map_or(text.len(), |next| next - 1);
                return match item {
                    Some((_, item)) if item > start => (text.get(start..key_end), item),
                    _ => (None, start),
                };
            }
            Some(_) => {}
        }
    }
    (None, item.map_or(0, |(_, s)| s))
}

/// Byte offsets of the parser's character indices, read forwards (events come in order).
struct Chars<'a> {
    text: &'a str,
    index: usize,
    byte: usize,
}

impl Chars<'_> {
    fn byte(&mut self, index: usize) -> usize {
        if index < self.index {
            (self.index, self.byte) = (0, 0);
        }
        let rest = self.text.get(self.byte..).unwrap_or("");
        for c in rest.chars().take(index - self.index) {
            self.byte += c.len_utf8();
            self.index += 1;
        }
        self.byte
    }
}

/// What a placeholder at the end of `window` is, from the parser's events: a key of a mapping,
/// the value of a key, or an item of a list. Parsing stops at the placeholder, or at the first
/// error (a half-typed construct), whose state is then the answer.
fn slot_of_placeholder(window: &str) -> Slot {
    let mut chars = Chars {
        text: window,
        index: 0,
        byte: 0,
    };
    let mut stack: Vec<Frame> = Vec::new();
    // Reading the placeholder (on `line`) or an error: the slot the parser was at.
    let here = |stack: &[Frame], line: usize| match stack.last() {
        None => Slot::Key(None),
        Some(Frame::Map {
            parent, key: None, ..
        }) => Slot::Key(parent.clone()),
        // Alone on a line below `key:`, YAML reads it as the key's value; but what is typed
        // there is the first key of the mapping `key:` will hold, when it holds one.
        Some(Frame::Map {
            key: Some((key, at)),
            ..
        }) if line > *at && !keys(Some(key)).is_empty() => Slot::Key(Some(key.clone())),
        Some(Frame::Map {
            key: Some((key, _)),
            top,
            ..
        }) => value_slot(key, !top),
        Some(Frame::Seq {
            key: Some(key),
            top,
            flow,
        }) => item_slot(key, !top, *flow),
        Some(Frame::Seq { key: None, .. }) => Slot::None,
    };
    // A node in the place `stack` is at: the key holding it, and whether that key is top-level.
    let holder = |stack: &[Frame]| match stack.last() {
        Some(Frame::Map { key, top, .. }) => (key.as_ref().map(|(k, _)| k.clone()), *top),
        Some(Frame::Seq { key, top, .. }) => (key.clone(), *top),
        None => (None, false),
    };
    for event in Parser::new_from_str(window) {
        let (event, span) = match event {
            Ok(e) => e,
            Err(e) => return here(&stack, e.marker().line()),
        };
        match event {
            Event::Scalar(value, ..) if value.contains(CURSOR) => {
                return here(&stack, span.start.line());
            }
            Event::Scalar(..) | Event::Alias(_) => {
                if let Some(Frame::Map { key, .. }) = stack.last_mut() {
                    *key = match key.take() {
                        // A key: its value comes next.
                        None => match event {
                            Event::Scalar(value, ..) => Some((value.into_owned(), span.end.line())),
                            _ => Some((String::new(), span.end.line())),
                        },
                        Some(_) => None,
                    };
                }
            }
            Event::MappingStart(..) => {
                let (parent, _) = holder(&stack);
                let top = stack.is_empty();
                stack.push(Frame::Map {
                    parent,
                    top,
                    key: None,
                });
            }
            Event::SequenceStart(..) => {
                let (key, top) = holder(&stack);
                let at = chars.byte(span.start.index());
                let flow = window.get(at..).is_some_and(|t| t.starts_with('['));
                stack.push(Frame::Seq { key, top, flow });
            }
            Event::MappingEnd | Event::SequenceEnd => {
                stack.pop();
                // The collection was the value of the key before it.
                if let Some(Frame::Map { key, .. }) = stack.last_mut() {
                    *key = None;
                }
            }
            Event::StreamEnd => break,
            _ => {}
        }
    }
    here(&stack, usize::MAX)
}

/// What belongs at byte `offset` of a tenant file.
pub fn tenant_slot(index: LineIndex<'_>, offset: usize) -> Slot {
    let text = index.text();
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let line_start = text
        .get(..offset)
        .and_then(|b| b.rfind('\n'))
        .map_or(0, |i| i + 1);
    let prefix = text.get(line_start..offset).unwrap_or("");
    // In a comment the parser sees nothing: read the comment's own words.
    if let Some(hash) = prefix
        .find(" #")
        .map(|i| i + 1)
        .or_else(|| prefix.starts_with('#').then_some(0))
    {
        let comment = prefix.get(hash + 1..).unwrap_or("").trim_start();
        return if comment.starts_with("skuld: waive") || comment.contains("expect:") {
            Slot::Rule
        } else {
            Slot::None
        };
    }
    let (key_line, start) = entry_start(text, index.starts(), offset);
    let mut window = String::new();
    if let Some(key) = key_line {
        window.push_str(key);
        window.push('\n');
    }
    window.push_str(text.get(start..offset).unwrap_or(""));
    // Right after `key:`, the value is what is being typed, not a longer plain scalar.
    if window.ends_with(':') {
        window.push(' ');
    }
    window.push_str(CURSOR);
    slot_of_placeholder(&window)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lsp::position::Lines;

    fn slot(text: &str, offset: usize) -> Slot {
        let lines = Lines::new(text);
        tenant_slot(lines.of(text), offset)
    }

    fn entry(text: &str, offset: usize) -> (Option<&str>, usize) {
        let lines = Lines::new(text);
        entry_start(text, lines.of(text).starts(), offset)
    }

    const T: &str = "tenant: x\nsspr:\n  scope: all\ngroups:\n  - name: IT\n    licenses: [AAD_PREMIUM]\nusers:\n  - upn: a@x.com\n    groups:\n      - IT\n    licenses: [EN\n";

    fn at(text: &str, needle: &str) -> usize {
        text.find(needle).map_or(0, |i| i + needle.len())
    }

    /// A slot as `tests/data/lsp/slots.txt` writes it.
    fn shown(slot: &Slot) -> String {
        match slot {
            Slot::Key(parent) => format!("Key({})", parent.as_deref().unwrap_or("")),
            Slot::Value(values) => format!("Value({})", values.join(",")),
            other => format!("{other:?}"),
        }
    }

    #[test]
    fn every_slot_in_block_and_flow_style() {
        let cases = include_str!("../../tests/data/lsp/slots.txt");
        let mut checked = 0;
        let mut wrong = Vec::new();
        for case in cases.split("\n=== ").skip(1) {
            let (head, text) = case.split_once('\n').unwrap_or((case, ""));
            let (want, _style) = head.split_once(' ').unwrap_or((head, ""));
            let cursor = text.find('|').unwrap_or(text.len());
            let text = text.replacen('|', "", 1);
            let got = shown(&slot(&text, cursor));
            if got != want {
                wrong.push(format!("{head}: got {got}"));
            }
            checked += 1;
        }
        assert!(wrong.is_empty(), "{wrong:#?}");
        // Every case was read (a format slip would silently skip them).
        assert_eq!(checked, cases.matches("\n=== ").count());
        assert!(checked >= 72, "{checked}");
    }

    #[test]
    fn only_the_entry_around_the_cursor_is_parsed() {
        let t = "tenant: x\nusers:\n  - upn: a@x.com\n    licenses: [A]\n  - upn: b@x.com\n    licenses: [";
        let (key, start) = entry(t, t.len());
        assert_eq!(key, Some("users:"));
        assert_eq!(t.get(start..), Some("  - upn: b@x.com\n    licenses: ["));
        // A top-level key without a block list: from its line.
        let t = "tenant: x\nsspr: {scope: all, ";
        assert_eq!(entry(t, t.len()), (None, 10));
    }

    #[test]
    fn values_after_known_keys() {
        assert_eq!(slot(T, at(T, "licenses: [EN")), Slot::Sku);
        assert_eq!(
            slot(T, at(T, "scope: ")),
            Slot::Value(&["all", "none", "selected"])
        );
        assert_eq!(slot(T, at(T, "      - ")), Slot::Group);
    }

    #[test]
    fn keys_by_their_parent() {
        let t = "tenant: x\nusers:\n  - upn: a@x.com\n    \n";
        assert_eq!(
            slot(t, at(t, "a@x.com\n    ")),
            Slot::Key(Some("users".to_owned()))
        );
        let t = "tenant: x\n\n";
        assert_eq!(slot(t, t.len()), Slot::Key(None));
    }

    #[test]
    fn rule_ids_in_waiver_and_expect_comments() {
        let t = "  - upn: a@x.com  # skuld: waive ";
        assert_eq!(slot(t, t.len()), Slot::Rule);
        let t = "  - upn: a@x.com  # expect: ";
        assert_eq!(slot(t, t.len()), Slot::Rule);
        let t = "  - upn: a@x.com  # just a note";
        assert_eq!(slot(t, t.len()), Slot::None);
    }

    #[test]
    fn only_tenant_yaml_is_checked() {
        assert!(looks_like_tenant(T));
        assert!(looks_like_tenant("\u{feff}users:\n"));
        assert!(!looks_like_tenant("on: push\njobs:\n  users: 1\n"));
    }

    #[test]
    fn words_with_non_ascii_letters() {
        let t = "upn: bjørn@x.no";
        assert_eq!(word_at(t, 7).map(|w| w.2), Some("bjørn@x.no"));
    }
}
