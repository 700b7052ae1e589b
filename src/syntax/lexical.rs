//! Lexical pieces shared by the pest parser, the fast catalog scanner and the printer: the
//! reserved words, what an identifier is, string escapes. A leaf of `syntax`: it imports nothing.
//! The grammar's `reserved` rule must list the same words; a test in `grammar.rs` checks both.

/// Words the grammar reserves: an identifier may not be one.
pub(super) const RESERVED: [&str; 20] = [
    "and", "or", "not", "in", "any", "all", "none", "count", "true", "false", "null", "where",
    "require", "at", "message", "subject", "help", "label", "when", "severity",
];

/// An identifier of the grammar (`ident`): not a reserved word.
pub fn is_ident(s: &str) -> bool {
    let mut chars = s.chars();
    let first_ok = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
    first_ok && chars.all(|c| c.is_ascii_alphanumeric() || c == '_') && !RESERVED.contains(&s)
}

/// Resolves `\"`, `\\`, `\n`, `\t`; any other escaped character stands for itself.
pub(super) fn unescape(raw: &str) -> String {
    if !raw.contains('\\') {
        return raw.to_owned();
    }
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    out
}
