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
}

/// A SKU as written, with an optional comment after it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct SkuName {
    /// Part number, or the Graph `skuId` when it could not be mapped.
    pub name: String,
    /// Why the name is not a known part number.
    pub comment: Option<String>,
}

/// One `subscriptions:` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subscription {
    /// `sku:`
    pub sku: SkuName,
    /// `seats:`
    pub seats: u64,
}

/// One `groups:` entry.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Group {
    /// `name:`
    pub name: String,
    /// `licenses:`
    pub licenses: Vec<SkuName>,
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
    /// `usage_location:`
    pub usage_location: Option<String>,
    /// `licenses:` direct assignments.
    pub licenses: Vec<SkuName>,
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
                let _ = writeln!(out, "    seats: {}", s.seats);
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
                }
            }
        }
    }
    out
}

/// `key: [A, B]`, or a block list when an item carries a comment (a flow list cannot).
fn sku_list(out: &mut String, indent: &str, key: &str, items: &[SkuName]) {
    if items.is_empty() {
        return;
    }
    if items.iter().all(|s| s.comment.is_none()) {
        let names: Vec<String> = items.iter().map(|s| scalar(&s.name)).collect();
        let _ = writeln!(out, "{indent}{key}: [{}]", names.join(", "));
    } else {
        let _ = writeln!(out, "{indent}{key}:");
        for s in items {
            let _ = writeln!(out, "{indent}  - {}{}", scalar(&s.name), comment(s));
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
