//! Writing a tenant as YAML in the contract's format: deterministic (the caller sorts), every
//! scalar quoted exactly when a YAML reader could take it for something other than the string.

use std::fmt::Write as _;

use crate::tenant::document::LicenseError;

/// A tenant to write.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tenant {
    /// Comment lines written first (without the `# `).
    pub header: Vec<String>,
    /// `tenant:`
    pub name: String,
    /// `country:`
    pub country: Option<String>,
    /// `subscriptions:`; `None` leaves the key out ("not tracked").
    pub subscriptions: Option<Vec<Subscription>>,
    /// `groups:`
    pub groups: Vec<Group>,
    /// `users:`
    pub users: Vec<User>,
    /// `features:`, in the order the policy declares them; features without entries are left out.
    pub features: Vec<Feature>,
    /// The features whose Graph data was read (even when it gave no entry): an earlier file's
    /// entries for any other feature are kept by [`to_yaml_keeping`].
    pub imported_features: Vec<String>,
}

/// One feature of the `features:` block.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Feature {
    /// The key: a feature the policy declares.
    pub name: String,
    /// Its entries.
    pub entries: Vec<FeatureEntry>,
}

/// One entry of a feature: whom it covers.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct FeatureEntry {
    /// `name:` (e.g. the Conditional Access policy's display name).
    pub name: Option<String>,
    /// `include: all`.
    pub all: bool,
    /// `include:` group names (ignored when `all`).
    pub include: Vec<String>,
    /// `exclude:` group names.
    pub exclude: Vec<String>,
    /// `users:` UPNs.
    pub users: Vec<String>,
}

/// A SKU as written, with an optional comment after it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct SkuName {
    /// Part number, or the Graph `skuId` when it could not be mapped.
    pub name: String,
    /// Why the name is not a known part number.
    pub comment: Option<String>,
}

/// A licence item: a SKU, with the service plans switched off in the assignment.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct License {
    /// `sku:`
    pub sku: SkuName,
    /// `disabled_plans:` (plan names); empty writes the plain SKU.
    pub disabled_plans: Vec<String>,
}

impl From<SkuName> for License {
    fn from(sku: SkuName) -> License {
        License {
            sku,
            disabled_plans: Vec::new(),
        }
    }
}

/// A subscription's state (Graph `capabilityStatus`), ordered from working to lost.
pub use crate::tenant::document::SubscriptionStatus;

/// One `subscriptions:` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subscription {
    /// `sku:`
    pub sku: SkuName,
    /// `seats:`; `None` leaves the key out: the number is not known (Graph gave no
    /// `prepaidUnits`), and the loader checks no seat count against it.
    pub seats: Option<u64>,
    /// `status:` (left out when enabled).
    pub status: SubscriptionStatus,
    /// `trial: true` when set.
    pub trial: bool,
    /// `ends:` YYYY-MM-DD.
    pub ends: Option<String>,
}

/// One `groups:` entry.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Group {
    /// `name:`
    pub name: String,
    /// `licenses:`
    pub licenses: Vec<License>,
    /// `groups:` the groups it is a member of.
    pub groups: Vec<String>,
    /// `dynamic: true` when set (Graph `groupTypes` has `DynamicMembership`).
    pub dynamic: bool,
}

/// One `users:` entry.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct User {
    /// `upn:`
    pub upn: String,
    /// `source: synced` when true.
    pub synced: bool,
    /// `user_type: guest` when true.
    pub guest: bool,
    /// `enabled: false` when the account cannot sign in (true is the default, not written).
    pub disabled: bool,
    /// `last_sign_in:` YYYY-MM-DD.
    pub last_sign_in: Option<String>,
    /// `usage_location:`
    pub usage_location: Option<String>,
    /// `licenses:` direct assignments.
    pub licenses: Vec<License>,
    /// `groups:` direct memberships.
    pub groups: Vec<String>,
    /// `license_errors:`
    pub license_errors: Vec<FailedAssignment>,
}

/// One `license_errors:` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailedAssignment {
    /// `sku:`
    pub sku: SkuName,
    /// `error:`
    pub error: LicenseError,
    /// `group:`; `None` for a direct assignment.
    pub group: Option<String>,
    /// `held: true`: Graph's `ActiveWithError`, the licence works despite the error.
    pub held: bool,
}

/// The tenant as YAML.
pub fn to_yaml(t: &Tenant) -> String {
    let mut out = String::new();
    for line in &t.header {
        out.push_str("# ");
        out.push_str(&comment_text(line));
        out.push('\n');
    }
    let _ = writeln!(out, "tenant: {}", scalar(&t.name));
    if let Some(c) = &t.country {
        let _ = writeln!(out, "country: {}", scalar(c));
    }
    if let Some(subs) = &t.subscriptions {
        if subs.is_empty() {
            out.push_str("subscriptions: []\n");
        } else {
            out.push_str("subscriptions:\n");
            for s in subs {
                let _ = writeln!(out, "  - sku: {}{}", scalar(&s.sku.name), comment(&s.sku));
                if let Some(n) = s.seats {
                    let _ = writeln!(out, "    seats: {n}");
                }
                if s.status != SubscriptionStatus::Enabled {
                    let _ = writeln!(out, "    status: {}", s.status.as_str());
                }
                if s.trial {
                    out.push_str("    trial: true\n");
                }
                if let Some(e) = &s.ends {
                    let _ = writeln!(out, "    ends: {}", scalar(e));
                }
            }
        }
    }
    if !t.groups.is_empty() {
        out.push_str("groups:\n");
        for g in &t.groups {
            let _ = writeln!(out, "  - name: {}", scalar(&g.name));
            sku_list(&mut out, "    ", "licenses", &g.licenses);
            name_list(&mut out, "    ", "groups", &g.groups);
            if g.dynamic {
                out.push_str("    dynamic: true\n");
            }
        }
    }
    if !t.users.is_empty() {
        out.push_str("users:\n");
        for u in &t.users {
            let _ = writeln!(out, "  - upn: {}", scalar(&u.upn));
            if u.synced {
                out.push_str("    source: synced\n");
            }
            if u.guest {
                out.push_str("    user_type: guest\n");
            }
            if u.disabled {
                out.push_str("    enabled: false\n");
            }
            if let Some(d) = &u.last_sign_in {
                let _ = writeln!(out, "    last_sign_in: {}", scalar(d));
            }
            if let Some(l) = &u.usage_location {
                let _ = writeln!(out, "    usage_location: {}", scalar(l));
            }
            sku_list(&mut out, "    ", "licenses", &u.licenses);
            name_list(&mut out, "    ", "groups", &u.groups);
            if !u.license_errors.is_empty() {
                out.push_str("    license_errors:\n");
                for e in &u.license_errors {
                    let _ = writeln!(
                        out,
                        "      - sku: {}{}",
                        scalar(&e.sku.name),
                        comment(&e.sku)
                    );
                    let _ = writeln!(out, "        error: {}", e.error.as_str());
                    if let Some(g) = &e.group {
                        let _ = writeln!(out, "        group: {}", scalar(g));
                    }
                    if e.held {
                        out.push_str("        held: true\n");
                    }
                }
            }
        }
    }
    features(&mut out, &t.features, &[]);
    out
}

/// `features:` with the imported features, then the blocks kept from an earlier file (already
/// indented by two spaces).
fn features(out: &mut String, imported: &[Feature], kept: &[String]) {
    let imported: Vec<&Feature> = imported.iter().filter(|f| !f.entries.is_empty()).collect();
    if imported.is_empty() && kept.is_empty() {
        return;
    }
    out.push_str("features:\n");
    for f in imported {
        let _ = writeln!(out, "  {}:", scalar(&f.name));
        for e in &f.entries {
            let mut first = true;
            let mut key = |out: &mut String, text: String| {
                let lead = if first { "  - " } else { "    " };
                first = false;
                let _ = writeln!(out, "  {lead}{text}");
            };
            if let Some(n) = &e.name {
                key(out, format!("name: {}", scalar(n)));
            }
            if e.all {
                key(out, "include: all".to_owned());
            } else if !e.include.is_empty() {
                key(out, format!("include: {}", flow(&e.include)));
            }
            if !e.exclude.is_empty() {
                key(out, format!("exclude: {}", flow(&e.exclude)));
            }
            if !e.users.is_empty() {
                key(out, format!("users: {}", flow(&e.users)));
            }
        }
    }
    for block in kept {
        out.push_str(block);
    }
}

fn flow(items: &[String]) -> String {
    let names: Vec<String> = items.iter().map(|s| scalar(s)).collect();
    format!("[{}]", names.join(", "))
}

/// What [`to_yaml_keeping`] kept from the earlier file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Kept {
    /// The `sspr:` block was kept.
    pub sspr: bool,
    /// The features whose entries were kept, in file order.
    pub features: Vec<String>,
}

/// The tenant as YAML, keeping from `earlier` (the file being replaced) what Graph does not
/// report: its `sspr:` block, and its `features:` entries of every feature whose Graph data was
/// not read (hand-written, or from responses not saved this time). Both are copied as written.
pub fn to_yaml_keeping(t: &Tenant, earlier: &str) -> (String, Kept) {
    let blocks = top_level_blocks(earlier);
    let mut kept = Kept::default();
    let sspr = blocks.iter().find(|(k, _)| k == "sspr").map(|(_, b)| b);
    let mut kept_features = Vec::new();
    if let Some((_, block)) = blocks.iter().find(|(k, _)| k == "features") {
        for (name, text) in feature_blocks(block) {
            if !t.imported_features.contains(&name) {
                kept.features.push(name);
                kept_features.push(text);
            }
        }
    }
    let mut t = t.clone();
    if sspr.is_some() || !kept.features.is_empty() {
        let mut what = Vec::new();
        if sspr.is_some() {
            what.push("`sspr:`".to_owned());
            // The header's advice to add one no longer applies.
            t.header.retain(|l| !l.contains("`sspr:`"));
        }
        what.extend(kept.features.iter().map(|f| format!("`features: {f}`")));
        t.header.push(format!(
            "Kept as written from the file this import replaced: {}.",
            what.join(", ")
        ));
    }
    let imported_features = std::mem::take(&mut t.features);
    let mut out = to_yaml(&t);
    features(&mut out, &imported_features, &kept_features);
    if let Some(block) = sspr {
        kept.sspr = true;
        out.push_str(block);
    }
    (out, kept)
}

/// The top-level `key:` blocks of a block-style YAML file, each with the lines below it (comment
/// lines just above a key belong to that key).
fn top_level_blocks(text: &str) -> Vec<(String, String)> {
    let mut blocks: Vec<(String, String)> = Vec::new();
    let mut pending = String::new();
    for line in text.lines() {
        let trimmed = line.trim_start();
        let indented = line.len() != trimmed.len();
        if trimmed.is_empty() || trimmed.starts_with('#') && !indented {
            pending.push_str(line);
            pending.push('\n');
            continue;
        }
        if !indented && let Some(key) = key_of(trimmed) {
            let mut block = std::mem::take(&mut pending);
            block.push_str(line);
            block.push('\n');
            blocks.push((key, block));
            continue;
        }
        if let Some((_, block)) = blocks.last_mut() {
            block.push_str(&pending);
            block.push_str(line);
            block.push('\n');
        }
        pending.clear();
    }
    blocks
}

/// The key of a `key: …` line (quotes removed); `None` for a list item or a document marker.
fn key_of(line: &str) -> Option<String> {
    if line.starts_with(['-', '#', '%', '[', '{']) {
        return None;
    }
    let (key, _) = line.split_once(':')?;
    let key = key.trim().trim_matches(['"', '\'']);
    (!key.is_empty()).then(|| key.to_owned())
}

/// The features of a `features:` block in block style, each re-indented by two spaces as the
/// emitter writes them. A flow-style block (`features: {…}`) gives none.
fn feature_blocks(block: &str) -> Vec<(String, String)> {
    let mut lines = block
        .lines()
        .skip_while(|l| l.starts_with('#') || l.trim().is_empty());
    // `features:` itself: anything after the colon other than a comment is a flow value.
    let Some(head) = lines.next() else {
        return Vec::new();
    };
    let value = head.split_once(':').map_or("", |(_, v)| v).trim();
    if !value.is_empty() && !value.starts_with('#') {
        return Vec::new();
    }
    let rest: Vec<&str> = lines.collect();
    let Some(indent) = rest
        .iter()
        .find(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
        .map(|l| l.len() - l.trim_start().len())
    else {
        return Vec::new();
    };
    let inner: String = rest
        .iter()
        .map(|l| {
            let spaces = l.len() - l.trim_start().len();
            format!("{}\n", l.get(spaces.min(indent)..).unwrap_or(""))
        })
        .collect();
    top_level_blocks(&inner)
        .into_iter()
        .map(|(name, text)| {
            let text = text
                .lines()
                .map(|l| {
                    if l.is_empty() {
                        "\n".to_owned()
                    } else {
                        format!("  {l}\n")
                    }
                })
                .collect();
            (name, text)
        })
        .collect()
}

/// `key: [A, B]`, or a block list when an item carries a comment (a flow list cannot) or
/// switched-off plans (`- {sku: A, disabled_plans: [P]}`).
fn sku_list(out: &mut String, indent: &str, key: &str, items: &[License]) {
    if items.is_empty() {
        return;
    }
    if items
        .iter()
        .all(|l| l.sku.comment.is_none() && l.disabled_plans.is_empty())
    {
        let names: Vec<String> = items.iter().map(|l| scalar(&l.sku.name)).collect();
        let _ = writeln!(out, "{indent}{key}: [{}]", names.join(", "));
    } else {
        let _ = writeln!(out, "{indent}{key}:");
        for l in items {
            let item = if l.disabled_plans.is_empty() {
                scalar(&l.sku.name)
            } else {
                format!(
                    "{{sku: {}, disabled_plans: {}}}",
                    scalar(&l.sku.name),
                    flow(&l.disabled_plans)
                )
            };
            let _ = writeln!(out, "{indent}  - {item}{}", comment(&l.sku));
        }
    }
}

fn name_list(out: &mut String, indent: &str, key: &str, items: &[String]) {
    if items.is_empty() {
        return;
    }
    let names: Vec<String> = items.iter().map(|s| scalar(s)).collect();
    let _ = writeln!(out, "{indent}{key}: [{}]", names.join(", "));
}

fn comment(s: &SkuName) -> String {
    s.comment
        .as_ref()
        .map_or(String::new(), |c| format!("  # {}", comment_text(c)))
}

/// A comment stays on its line: line breaks and other control characters become spaces.
fn comment_text(s: &str) -> String {
    s.chars()
        .map(|c| if is_unsafe(c) { ' ' } else { c })
        .collect()
}

/// Characters never written raw: controls, YAML 1.1 line breaks (NEL, LS, PS), the BOM and
/// the non-characters YAML excludes from printable text.
fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{2028}' | '\u{2029}' | '\u{FEFF}' | '\u{FFFE}' | '\u{FFFF}'
        )
}

/// `s` as a YAML scalar that every reader takes for the string `s`: plain when it is clearly a
/// word (a letter first, then letters, digits, `._@+/-`, and single spaces before a letter or
/// digit; and not a word
/// YAML 1.1 or 1.2 gives another meaning: `null`, `true`, `NO`, `on`, `y`, …); else
/// double-quoted with escapes.
pub fn scalar(s: &str) -> String {
    if is_plain_safe(s) {
        s.to_owned()
    } else {
        double_quoted(s)
    }
}

fn is_plain_safe(s: &str) -> bool {
    let mut chars = s.chars();
    let Some(first) = chars.next() else {
        return false;
    };
    if !first.is_ascii_alphabetic() && first != '_' {
        return false;
    }
    // A space only between words: `A -`, `a  b` or a trailing space are quoted.
    let bytes = s.as_bytes();
    if bytes
        .iter()
        .enumerate()
        .any(|(i, &b)| b == b' ' && !bytes.get(i + 1).is_some_and(u8::is_ascii_alphanumeric))
    {
        return false;
    }
    if !chars
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '@' | '+' | '/' | '-' | ' '))
    {
        return false;
    }
    const SPECIAL: [&str; 14] = [
        "null", "true", "false", "yes", "no", "on", "off", "y", "n", "nan", "inf", "infinity",
        "nil", "none",
    ];
    let lower = s.to_ascii_lowercase();
    !SPECIAL.contains(&lower.as_str())
}

fn double_quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if is_unsafe(c) || !c.is_ascii() && c.is_whitespace() => {
                let n = c as u32;
                if n <= 0xFF {
                    let _ = write!(out, "\\x{n:02X}");
                } else {
                    let _ = write!(out, "\\u{n:04X}");
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::scalar;

    #[test]
    fn words_stay_plain_and_everything_doubtful_is_quoted() {
        assert_eq!(scalar("alice@contoso.com"), "alice@contoso.com");
        assert_eq!(scalar("ENTERPRISEPACK"), "ENTERPRISEPACK");
        assert_eq!(scalar("All Staff"), "All Staff");
        for s in [
            "NO",
            "yes",
            "On",
            "null",
            "~",
            "",
            "1e3",
            "0x1F",
            "12",
            "-1",
            ".5",
            "a: b",
            "a #b",
            " lead",
            "trail ",
            "#x",
            "[x]",
            "{x}",
            "*x",
            "&x",
            "!x",
            "|",
            ">",
            "'x'",
            "\"x\"",
            "%x",
            "@x",
            "`x",
            "a,b",
            "a\nb",
            "6fd2c87f-b296-42f0-b197-1e91e994b900",
            "A -",
            "a  b",
        ] {
            assert!(
                scalar(s).starts_with('"'),
                "{s:?} should be quoted: {}",
                scalar(s)
            );
        }
        assert_eq!(
            scalar("a\"b\\c\u{0}\u{2028}"),
            "\"a\\\"b\\\\c\\x00\\u2028\""
        );
    }
}
