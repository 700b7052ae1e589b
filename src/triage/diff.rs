//! `skuld diff` and `--compare`: two sets of findings of one tenant compared by identity (not by
//! file or line, since versions are different files and lines move).

use std::collections::HashMap;

use super::identity;
use crate::diagnostics::Finding;

/// Two versions of one tenant compared: what the newer one adds and what it fixes.
#[derive(Debug, Default)]
pub struct Diff {
    /// Findings of the new version the old one does not have, in the new version's order.
    pub introduced: Vec<Finding>,
    /// Findings of the old version the new one no longer has, in the old version's order.
    pub fixed: Vec<Finding>,
    /// How many findings of the new version waivers accepted (left out of both lists).
    pub waived: usize,
}

/// Compares the findings of two versions of one tenant by fingerprint (not by file or line,
/// since the versions are different files and lines move).
pub fn diff(base: Vec<Finding>, head: Vec<Finding>) -> Diff {
    let count = |findings: &[Finding]| {
        let mut m: HashMap<String, usize> = HashMap::new();
        for f in findings {
            *m.entry(identity::of(f)).or_default() += 1;
        }
        m
    };
    let keep_unmatched = |findings: Vec<Finding>, mut other: HashMap<String, usize>| {
        findings
            .into_iter()
            .filter(|f| match other.get_mut(&identity::of(f)) {
                Some(n) if *n > 0 => {
                    *n -= 1;
                    false
                }
                _ => true,
            })
            .collect()
    };
    let base_counts = count(&base);
    let head_counts = count(&head);
    Diff {
        introduced: keep_unmatched(head, base_counts),
        fixed: keep_unmatched(base, head_counts),
        waived: 0,
    }
}

/// `--compare`: the findings of policy B against those of policy A, computed before it is
/// rendered.
#[derive(Debug)]
pub struct Comparison<'a> {
    /// Policy A as named.
    pub before: &'a str,
    /// Policy B as named.
    pub after: &'a str,
    /// How many tenant files both policies checked.
    pub files: usize,
    /// Findings under B that A does not have.
    pub appeared: Vec<Finding>,
    /// Findings under A that B no longer has.
    pub disappeared: Vec<Finding>,
    /// Findings both have.
    pub unchanged: usize,
}
