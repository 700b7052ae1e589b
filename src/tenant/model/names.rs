//! `tenant/suspicious-name`: names and UPNs that do not say what they look like. A zero-width
//! space, a no-break space or a bidi control makes `SSPR-Users​` another group than `SSPR-Users`
//! though both render the same; a Cyrillic `а` makes `Sаles` another group than `Sales`. Every
//! identifier users are matched by (group names, group references, UPNs, a feature's `users`) is
//! checked; each suspicious character is shown by code point, name and column.
//!
//! Cost: one pass over the bytes of an ASCII name (almost every name); the Unicode tables are
//! consulted only for a name with a non-ASCII or control character.

use unicode_general_category::{GeneralCategory, get_general_category};
use unicode_normalization::UnicodeNormalization;
use unicode_script::{Script, UnicodeScript};
use unicode_security::general_security_profile::IdentifierType;
use unicode_security::{GeneralSecurityProfile, MixedScript};

use super::resolve::Builder;
use crate::source::Span;
use crate::tenant::document::Spanned;

/// Labels (and characters named in the message) shown per name at most.
const SHOWN: usize = 8;

/// Why a character is suspicious.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Why {
    /// Renders as nothing or as a plain space (format, control, non-ASCII space, default
    /// ignorable).
    Invisible,
    /// A letter of `0` in a word written in `1`.
    OtherScript(Script, Script),
    /// A compatibility character (full-width, ligature, …) that NFKC turns into `0`: in a UPN,
    /// which Entra ID limits to ASCII, it only imitates the plain letters.
    Compatibility(String),
}

/// One suspicious character of a name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Odd {
    /// Byte offset in the name.
    pub(super) byte: usize,
    /// 1-based column (in characters) in the name.
    pub(super) column: usize,
    pub(super) ch: char,
    pub(super) why: Why,
}

impl Odd {
    /// `U+0430 CYRILLIC SMALL LETTER A at column 2 (Cyrillic in a Latin word)`.
    fn describe(&self) -> String {
        let why = match &self.why {
            Why::Invisible => "invisible".to_owned(),
            Why::OtherScript(odd, word) => {
                format!("{} in a {} word", odd.full_name(), word.full_name())
            }
            Why::Compatibility(plain) => format!("looks like `{plain}`"),
        };
        format!("{} at column {} ({why})", code_point(self.ch), self.column)
    }
}

/// `U+200B ZERO WIDTH SPACE`.
fn code_point(c: char) -> String {
    match unicode_names2::name(c) {
        Some(name) => format!("U+{:04X} {name}", u32::from(c)),
        None => format!("U+{:04X}", u32::from(c)),
    }
}

/// True for a name made of printable ASCII only: nothing to look at.
fn plain(name: &str) -> bool {
    name.bytes().all(|b| (0x20..0x7f).contains(&b))
}

/// True for a character that renders as nothing, or as a plain space while not being one.
fn invisible(c: char, prev: Option<char>) -> bool {
    // Emoji presentation selectors after a symbol are how emoji are written, not a disguise.
    if matches!(c, '\u{FE0E}' | '\u{FE0F}')
        && prev.is_some_and(|p| !p.is_ascii() && !p.is_alphanumeric())
    {
        return false;
    }
    c.is_control()
        || (c.is_whitespace() && c != ' ')
        || get_general_category(c) == GeneralCategory::Format
        || c.identifier_type() == Some(IdentifierType::Default_Ignorable)
}

/// The suspicious characters of `name`, in order; empty for almost every name. `upn`: also
/// compatibility characters (a UPN is ASCII in Entra ID).
pub(super) fn suspicious(name: &str, upn: bool) -> Vec<Odd> {
    if plain(name) {
        return Vec::new();
    }
    let mut odd = Vec::new();
    let mut prev = None;
    // Words: runs between spaces, ASCII punctuation and invisible characters.
    let mut word: Vec<(usize, usize, char)> = Vec::new();
    let mut words: Vec<Vec<(usize, usize, char)>> = Vec::new();
    for (column, (byte, c)) in name.char_indices().enumerate() {
        let hidden = invisible(c, prev);
        prev = Some(c);
        if hidden {
            odd.push(Odd {
                byte,
                column: column + 1,
                ch: c,
                why: Why::Invisible,
            });
        } else if upn && !c.is_ascii() {
            let plain: String = c.nfkc().collect();
            if plain != c.to_string() {
                odd.push(Odd {
                    byte,
                    column: column + 1,
                    ch: c,
                    why: Why::Compatibility(plain),
                });
            }
        }
        if hidden || c.is_whitespace() || c.is_ascii_punctuation() {
            if !word.is_empty() {
                words.push(std::mem::take(&mut word));
            }
        } else {
            word.push((byte, column + 1, c));
        }
    }
    if !word.is_empty() {
        words.push(word);
    }
    for w in &words {
        mixed_script(name, w, &mut odd);
    }
    odd.sort_by_key(|o| o.byte);
    odd.dedup_by_key(|o| o.byte);
    odd
}

/// The letters of a word that are not in its main script, when the word mixes scripts
/// (UTS #39 single-script test: Han with Hiragana and Katakana is one writing system).
fn mixed_script(name: &str, word: &[(usize, usize, char)], odd: &mut Vec<Odd>) {
    let (Some(&(start, _, _)), Some(&(last, _, c))) = (word.first(), word.last()) else {
        return;
    };
    let Some(text) = name.get(start..last + c.len_utf8()) else {
        return;
    };
    if text.is_ascii() || text.is_single_script() {
        return;
    }
    // The main script: the one most letters are written in (the first on a tie).
    let mut counts: Vec<(Script, usize)> = Vec::new();
    for &(_, _, c) in word {
        let s = c.script();
        if matches!(s, Script::Common | Script::Inherited | Script::Unknown) {
            continue;
        }
        match counts.iter_mut().find(|(k, _)| *k == s) {
            Some((_, n)) => *n += 1,
            None => counts.push((s, 1)),
        }
    }
    let Some(main) = counts
        .iter()
        .fold(None, |best: Option<(Script, usize)>, &(s, n)| match best {
            Some((_, m)) if m >= n => best,
            _ => Some((s, n)),
        })
        .map(|(s, _)| s)
    else {
        return;
    };
    for &(byte, column, c) in word {
        let s = c.script();
        if matches!(s, Script::Common | Script::Inherited | Script::Unknown)
            || c.script_extension().contains_script(main)
        {
            continue;
        }
        odd.push(Odd {
            byte,
            column,
            ch: c,
            why: Why::OtherScript(s, main),
        });
    }
}

/// `name` with its invisible characters written as `<U+200B>`, so a message shows them.
fn visible(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 8);
    let mut prev = None;
    for c in name.chars() {
        if invisible(c, prev) {
            out.push_str(&format!("<U+{:04X}>", u32::from(c)));
        } else {
            out.push(c);
        }
        prev = Some(c);
    }
    out
}

/// What kind of identifier a checked name is.
#[derive(Debug, Clone, Copy)]
enum Kind {
    Group,
    GroupRef,
    Upn,
}

impl Kind {
    fn noun(self) -> &'static str {
        match self {
            Kind::Group => "group name",
            Kind::GroupRef => "group reference",
            Kind::Upn => "UPN",
        }
    }
}

impl<'d> Builder<'d, '_, '_> {
    /// Reports every suspicious name of the document, one finding per occurrence.
    pub(super) fn suspicious_names(&mut self) {
        let doc: &'d crate::tenant::document::TenantDocument = self.doc;
        let mut names: Vec<(Kind, &'d Spanned<String>)> = Vec::new();
        let mut add = |kind: Kind, n: &'d Spanned<String>| {
            if !plain(&n.value) {
                names.push((kind, n));
            }
        };
        if let Some(g) = doc.sspr.as_ref().and_then(|s| s.group.as_ref()) {
            add(Kind::GroupRef, g);
        }
        for g in &doc.groups {
            add(Kind::Group, &g.name);
            g.groups.items.iter().for_each(|r| add(Kind::GroupRef, r));
        }
        for u in &doc.users {
            add(Kind::Upn, &u.upn);
            u.groups.items.iter().for_each(|r| add(Kind::GroupRef, r));
            for e in &u.license_errors.items {
                if let Some(g) = &e.group {
                    add(Kind::GroupRef, g);
                }
            }
        }
        if let Some(features) = &doc.features {
            for e in features.features.iter().flat_map(|f| f.entries.iter()) {
                if let Some(crate::tenant::features::Include::Groups(list)) = &e.include {
                    list.items.iter().for_each(|r| add(Kind::GroupRef, r));
                }
                e.exclude.items.iter().for_each(|r| add(Kind::GroupRef, r));
                e.users.items.iter().for_each(|r| add(Kind::Upn, r));
            }
        }
        for (kind, name) in names {
            let odd = suspicious(&name.value, matches!(kind, Kind::Upn));
            if odd.is_empty() {
                continue;
            }
            // Past the per-rule cap it is only counted with its cause (as `report_suspicious`
            // labels it): no message, no help.
            if self.findings.admit("tenant/suspicious-name") {
                self.report_suspicious(kind, name, &odd);
            } else {
                let related = odd.get(1).map(|o| code_point(o.ch));
                let label = odd.first().map_or_else(String::new, |o| code_point(o.ch));
                let cause = crate::diagnostics::finding::cause_of(
                    related.as_deref(),
                    Some(&name.value),
                    Some(&label),
                    "",
                );
                self.findings.omit("tenant/suspicious-name", &cause);
            }
        }
    }

    fn report_suspicious(&mut self, kind: Kind, name: &Spanned<String>, odd: &[Odd]) {
        let listed: Vec<String> = odd.iter().take(SHOWN).map(Odd::describe).collect();
        let more = odd.len().saturating_sub(SHOWN);
        let more = if more > 0 {
            format!(" and {more} more")
        } else {
            String::new()
        };
        let message = format!(
            "{} `{}` has {}: {}{more}",
            kind.noun(),
            visible(&name.value),
            if odd.len() == 1 {
                "a suspicious character".to_owned()
            } else {
                format!("{} suspicious characters", odd.len())
            },
            listed.join(", "),
        );
        let spans: Vec<Option<Span>> = odd
            .iter()
            .take(SHOWN)
            .map(|o| self.char_span(name, o))
            .collect();
        let first = spans.first().copied().flatten().unwrap_or(name.span);
        let help = match odd.first().map(|o| &o.why) {
            Some(Why::Invisible) => format!(
                "delete the invisible character: `{}` and the name without it look the same but \
                 are different names to Entra ID and to skuld",
                visible(&name.value)
            ),
            Some(Why::OtherScript(..)) => "retype the name on a plain keyboard layout: a letter \
                from another script that looks the same makes it a different name"
                .to_owned(),
            Some(Why::Compatibility(_)) | None => "Entra ID allows only ASCII letters, digits \
                and `' . - _ ! # ^ ~` in a UPN: retype it with plain characters"
                .to_owned(),
        };
        let mut f = self
            .finding("tenant/suspicious-name", first, message, &name.value)
            .with_label(odd.first().map_or_else(String::new, |o| code_point(o.ch)))
            .with_help(help);
        for (o, span) in odd.iter().zip(&spans).skip(1) {
            f.add_label(span.unwrap_or(name.span), code_point(o.ch));
        }
        self.findings.keep(f);
    }

    /// Where character `o` of `name` is written in the file: exact when the scalar is written
    /// as it reads (plain, or quoted without escapes); `None` when an escape stands for it.
    fn char_span(&self, name: &Spanned<String>, o: &Odd) -> Option<Span> {
        let raw = self.doc.source.slice(name.span);
        let inner = match raw.as_bytes().first() {
            Some(b'"' | b'\'') if raw.len() >= 2 => (1, raw.get(1..raw.len() - 1)?),
            _ => (0, raw),
        };
        (inner.1 == name.value).then(|| {
            let start = name.span.start as usize + inner.0 + o.byte;
            Span::new(start, start + o.ch.len_utf8())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(name: &str, upn: bool) -> Vec<String> {
        suspicious(name, upn).iter().map(Odd::describe).collect()
    }

    #[test]
    fn plain_names_and_single_script_names_pass() {
        for name in [
            "Sales",
            "SSPR Users (EU)",
            "alice@contoso.com",
            "Продажи",
            "Ventes-Équipe",
            "営業チーム",
            "Ζ-Ομάδα",
            "Fans ❤\u{FE0F}",
        ] {
            assert_eq!(shown(name, false), Vec::<String>::new(), "{name}");
        }
    }

    #[test]
    fn invisible_characters_are_shown_by_code_point_and_column() {
        assert_eq!(
            shown("admin\u{200B}@x.com", true),
            ["U+200B ZERO WIDTH SPACE at column 6 (invisible)"]
        );
        assert_eq!(
            shown("a@x.com\u{A0}", true),
            ["U+00A0 NO-BREAK SPACE at column 8 (invisible)"]
        );
        assert_eq!(
            shown("\u{FEFF}Sales\u{AD}", false),
            [
                "U+FEFF ZERO WIDTH NO-BREAK SPACE at column 1 (invisible)",
                "U+00AD SOFT HYPHEN at column 7 (invisible)"
            ]
        );
        assert_eq!(suspicious("a@x.com\0", true).len(), 1);
        assert_eq!(suspicious("Sales\u{202E}", false).len(), 1);
        assert_eq!(suspicious("Sa\u{200D}les", false).len(), 1);
    }

    #[test]
    fn a_look_alike_letter_from_another_script_is_named() {
        assert_eq!(
            shown("S\u{430}les", false),
            ["U+0430 CYRILLIC SMALL LETTER A at column 2 (Cyrillic in a Latin word)"]
        );
        assert_eq!(
            shown("\u{430}dmin@x.com", true),
            ["U+0430 CYRILLIC SMALL LETTER A at column 1 (Cyrillic in a Latin word)"]
        );
        // Greek omicron in a Latin word; each word is judged on its own.
        assert_eq!(suspicious("Ops T\u{3BF}ols", false).len(), 1);
        assert!(suspicious("Sales Продажи", false).is_empty());
    }

    #[test]
    fn compatibility_characters_are_suspicious_in_upns_only() {
        assert_eq!(
            shown("\u{FF41}dmin@x.com", true),
            ["U+FF41 FULLWIDTH LATIN SMALL LETTER A at column 1 (looks like `a`)"]
        );
        assert!(suspicious("Contoso\u{2122}", false).is_empty());
    }

    #[test]
    fn messages_show_invisible_characters() {
        assert_eq!(visible("SSPR\u{200B}"), "SSPR<U+200B>");
    }
}
