//! The one identity of a finding across runs, files and policies: its rule id and its subject
//! (the message when it has none). No line or column goes in, so moving a user in the YAML keeps
//! it. Waivers match on it (`rule` + `subject`), baselines and `--compare` count findings by its
//! fingerprint, and SARIF carries that fingerprint in `partialFingerprints`.

use crate::diagnostics::Finding;

/// What identifies a finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Identity<'a> {
    /// The public rule id.
    pub rule: &'a str,
    /// What the finding is about (UPN, group, SKU), if anything.
    pub subject: Option<&'a str>,
    /// Stands in for the subject in the fingerprint when there is none.
    message: &'a str,
}

impl<'a> Identity<'a> {
    /// The identity of `f`.
    pub fn of(f: &'a Finding) -> Self {
        Identity {
            rule: &f.rule,
            subject: f.subject.as_deref(),
            message: &f.message,
        }
    }

    /// The fingerprint: [`fingerprint`] of the rule id and the subject (or message).
    pub fn fingerprint(&self) -> String {
        fingerprint(self.rule, self.subject.unwrap_or(self.message))
    }
}

/// A finding's fingerprint (see [`Identity::fingerprint`]).
pub fn of(f: &Finding) -> String {
    Identity::of(f).fingerprint()
}

/// A stable fingerprint: FNV-1a (64 bits) of the rule id and the subject, as 16 hex digits.
pub fn fingerprint(rule: &str, subject: &str) -> String {
    format!("{:016x}", fnv1a(rule, subject))
}

/// The fingerprint of `f` as the number it is written from: what matching in memory keys on
/// (`skuld diff` of two 100k-user tenants matches some 75,000 findings; no string is built).
pub fn key(f: &Finding) -> u64 {
    let id = Identity::of(f);
    fnv1a(id.rule, id.subject.unwrap_or(id.message))
}

fn fnv1a(rule: &str, subject: &str) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for b in rule.bytes().chain([0]).chain(subject.bytes()) {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fnv(s: &str) -> u64 {
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        for b in s.bytes() {
            hash ^= u64::from(b);
            hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        }
        hash
    }

    #[test]
    fn fingerprint_is_fnv1a_of_rule_nul_subject() {
        // FNV-1a 64 of "" is the offset basis; of "a" a published test vector.
        assert_eq!(fnv(""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv("a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fingerprint("r", "s"), format!("{:016x}", fnv("r\0s")));
    }

    #[test]
    fn fingerprints_separate_rule_and_subject() {
        assert_ne!(fingerprint("ab", "c"), fingerprint("a", "bc"));
        assert_eq!(fingerprint("r/x", "u@x.com").len(), 16);
    }
}
