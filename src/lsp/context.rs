//! What the cursor is on, read from the text around it: the word under it, and in a tenant file
//! what kind of value belongs where it is typing. Text-based on purpose: a file being typed is
//! usually not valid YAML at that moment (`- {upn: a@x.com, licenses: [` is a half-typed flow
//! mapping), so the loader's spans are not available; hover and definitions, which point at
//! finished names, use them. Flow style (`{…}`, `[…]` on the cursor's line) and block style give
//! the same slots. The keys offered are the loader's own lists (`tenant::keys_under`).

use super::engine::keys_under as keys;

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

/// The column of a line's key (after its indentation and any `- `), and whether it is a list
/// item.
fn key_col(line: &str) -> (usize, bool) {
    let spaces = line.len() - line.trim_start_matches(' ').len();
    let rest = line.get(spaces..).unwrap_or("");
    let item = rest.starts_with('-');
    let key = rest.trim_start_matches(['-', ' ']);
    (line.len() - key.len(), item)
}

/// The key and its column of the nearest line above `line_start` that opens the block holding
/// column `col`: its key is left of `col` (or at `col` for a list item written flush with its
/// key).
fn parent_key(text: &str, line_start: usize, col: usize, item: bool) -> Option<(String, usize)> {
    let above = text.get(..line_start)?;
    for line in above.lines().rev() {
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let (kc, is_item) = key_col(line);
        if kc < col || (item && kc == col && !is_item) {
            let key = line.get(kc..)?.split(':').next()?.trim();
            return Some((key.to_owned(), kc));
        }
    }
    None
}

/// The value slot after `key:` (block or flow); `nested` when the key is not at the top level.
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

/// The slot inside a list (`[`, or a block list's `- `) held by `key`; `nested` when the key is
/// not at the top level (the top-level `groups:` holds group definitions, not names).
fn list_slot(key: &str, nested: bool) -> Option<Slot> {
    match key {
        "licenses" => Some(Slot::Sku),
        "groups" | "exclude" if nested => Some(Slot::Group),
        _ => None,
    }
}

/// A flow collection open at the cursor: its bracket, the key it is the value of (`None` for a
/// list item), and where its content starts in the line.
#[derive(Debug, Clone, Copy)]
struct Open<'a> {
    bracket: char,
    key: Option<&'a str>,
    start: usize,
}

/// The flow collections of `prefix` (a line up to the cursor) still open, outermost first.
fn open_flows(prefix: &str) -> Vec<Open<'_>> {
    let mut stack: Vec<Open<'_>> = Vec::new();
    let mut quote = None;
    for (i, c) in prefix.char_indices() {
        if let Some(q) = quote {
            if c == q {
                quote = None;
            }
            continue;
        }
        match c {
            '"' | '\'' => quote = Some(c),
            '[' | '{' => stack.push(Open {
                bracket: c,
                key: prefix.get(..i).and_then(key_before),
                start: i + 1,
            }),
            ']' | '}' => {
                stack.pop();
            }
            _ => {}
        }
    }
    stack
}

/// The key whose value starts right after `before` (`… licenses: ` → `licenses`).
fn key_before(before: &str) -> Option<&str> {
    let before = before.trim_end().strip_suffix(':')?;
    let start = before
        .rfind(|c: char| c.is_whitespace() || "{[,-".contains(c))
        .map_or(0, |i| i + 1);
    before.get(start..).filter(|k| !k.is_empty())
}

/// What belongs at byte `offset` of a tenant file.
pub fn tenant_slot(text: &str, offset: usize) -> Slot {
    let offset = offset.min(text.len());
    let line_start = text
        .get(..offset)
        .and_then(|b| b.rfind('\n'))
        .map_or(0, |i| i + 1);
    let prefix = text.get(line_start..offset).unwrap_or("");
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
    let body = prefix.trim_start();
    let col = prefix.len() - body.len();
    let item = body.starts_with('-');
    let flows = open_flows(prefix);
    if let Some(open) = flows.last() {
        // The text of the entry being typed: after the bracket or the last comma.
        let inner = prefix.get(open.start..).unwrap_or("");
        let entry = inner.rsplit(',').next().unwrap_or(inner).trim_start();
        let nested = col > 0 || flows.len() > 1;
        if open.bracket == '[' {
            return open
                .key
                .and_then(|k| list_slot(k, nested))
                .unwrap_or(Slot::None);
        }
        if let Some((key, _)) = entry.split_once(':') {
            return value_slot(key.trim(), true);
        }
        // A key of the mapping: of `key: {`, else of the list it is an item of.
        let parent = open.key.map(str::to_owned).or_else(|| {
            let below = flows.len().checked_sub(2).and_then(|i| flows.get(i));
            match below {
                Some(list) => list.key.map(str::to_owned),
                None => parent_key(text, line_start, col, item).map(|(k, _)| k),
            }
        });
        return Slot::Key(parent);
    }
    let typed = body.trim_start_matches(['-', ' ']);
    if let Some((key, _)) = typed.split_once(':') {
        return value_slot(key.trim(), col > 0 || item);
    }
    let (parent, parent_col) =
        parent_key(text, line_start, col, item).map_or((None, 0), |(k, c)| (Some(k), c));
    match parent.as_deref() {
        Some(key) if item => {
            list_slot(key, parent_col > 0).unwrap_or_else(|| Slot::Key(parent.clone()))
        }
        _ => Slot::Key(parent),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
            let got = shown(&tenant_slot(&text, cursor));
            if got != want {
                wrong.push(format!("{head}: got {got}"));
            }
            checked += 1;
        }
        assert!(wrong.is_empty(), "{wrong:#?}");
        // Every case was read (a format slip would silently skip them).
        assert_eq!(checked, cases.matches("\n=== ").count());
        assert!(checked >= 41, "{checked}");
    }

    #[test]
    fn values_after_known_keys() {
        assert_eq!(tenant_slot(T, at(T, "licenses: [EN")), Slot::Sku);
        assert_eq!(
            tenant_slot(T, at(T, "scope: ")),
            Slot::Value(&["all", "none", "selected"])
        );
        assert_eq!(tenant_slot(T, at(T, "      - ")), Slot::Group);
    }

    #[test]
    fn keys_by_their_parent() {
        let t = "tenant: x\nusers:\n  - upn: a@x.com\n    \n";
        assert_eq!(
            tenant_slot(t, at(t, "a@x.com\n    ")),
            Slot::Key(Some("users".to_owned()))
        );
        let t = "tenant: x\n\n";
        assert_eq!(tenant_slot(t, t.len()), Slot::Key(None));
    }

    #[test]
    fn rule_ids_in_waiver_and_expect_comments() {
        let t = "  - upn: a@x.com  # skuld: waive ";
        assert_eq!(tenant_slot(t, t.len()), Slot::Rule);
        let t = "  - upn: a@x.com  # expect: ";
        assert_eq!(tenant_slot(t, t.len()), Slot::Rule);
        let t = "  - upn: a@x.com  # just a note";
        assert_eq!(tenant_slot(t, t.len()), Slot::None);
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
