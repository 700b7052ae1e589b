//! What the cursor is on, read from the text around it: the word under it, and in a tenant file
//! what kind of value belongs where it is typing. Text-based on purpose: a file being typed is
//! usually not valid YAML at that moment, so the loader's spans are not available.

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

/// The keys of each mapping of the tenant format.
pub fn keys(parent: Option<&str>) -> &'static [&'static str] {
    match parent {
        None => &[
            "tenant",
            "country",
            "sspr",
            "subscriptions",
            "groups",
            "users",
        ],
        Some("sspr") => &["scope", "group", "writeback"],
        Some("subscriptions") => &["sku", "seats"],
        Some("groups") => &["name", "licenses", "groups"],
        Some("users") => &[
            "upn",
            "source",
            "usage_location",
            "licenses",
            "groups",
            "license_errors",
        ],
        Some("license_errors") => &["sku", "error", "group"],
        Some(_) => &[],
    }
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
    let typed = body.trim_start_matches(['-', ' ']);
    if let Some((key, value)) = typed.split_once(':') {
        let value = value.trim_start();
        return match key.trim() {
            "licenses" if value.starts_with('[') => Slot::Sku,
            "sku" => Slot::Sku,
            "groups" if value.starts_with('[') => Slot::Group,
            "group" => Slot::Group,
            "scope" => Slot::Value(&["all", "none", "selected"]),
            "source" => Slot::Value(&["cloud", "synced"]),
            "writeback" => Slot::Value(&["true", "false"]),
            "error" => Slot::Value(&[
                "CountViolation",
                "MutuallyExclusiveViolation",
                "DependencyViolation",
                "ProhibitedInUsageLocationViolation",
                "UniquenessViolation",
                "Other",
            ]),
            _ => Slot::None,
        };
    }
    let col = prefix.len() - body.len();
    let item = body.starts_with('-');
    let (parent, parent_col) =
        parent_key(text, line_start, col, item).map_or((None, 0), |(k, c)| (Some(k), c));
    match parent.as_deref() {
        Some("licenses") if item => Slot::Sku,
        // A `groups:` list of a user or group holds names; the top-level one holds groups.
        Some("groups") if item && parent_col > 0 => Slot::Group,
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
