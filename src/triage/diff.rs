//! `skuld diff` and `--compare`: two sets of findings of one tenant compared by identity (not by
//! file or line, since versions are different files and lines move).

use std::collections::HashMap;

use super::cost::SeatUse;
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
    /// With `--baseline`: how many findings of the new version the baseline knows (left out of
    /// both lists).
    pub known: Option<usize>,
    /// What the config in force turns off or changes (as the `overrides` of a check report),
    /// one sentence each: a change that loosens its own gate says so.
    pub overrides: Vec<String>,
    /// SKUs whose seats bought or users holding them change ([`seat_changes`]).
    pub seats: Vec<SeatChange>,
    /// With prices: the monthly cost of both versions ([`CostChange::of`]).
    pub cost: Option<CostChange>,
}

/// Seats bought and users holding one SKU, before and after.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SeatChange {
    /// Part number.
    pub sku: String,
    /// Seats bought before (0 when no subscription listed it).
    pub seats_before: u64,
    /// Seats bought after.
    pub seats_after: u64,
    /// Users holding it before.
    pub used_before: u64,
    /// Users holding it after.
    pub used_after: u64,
}

/// The SKUs whose seats bought or users holding them differ between `before` and `after`: the
/// new version's SKUs in its order, then those only the old one has.
pub fn seat_changes(before: SeatUse<'_>, after: SeatUse<'_>) -> Vec<SeatChange> {
    let mut seen = std::collections::HashSet::new();
    after
        .skus()
        .chain(before.skus())
        .filter(|sku| seen.insert(*sku))
        .map(|sku| SeatChange {
            sku: sku.to_owned(),
            seats_before: before.bought(sku),
            seats_after: after.bought(sku),
            used_before: before.used(sku),
            used_after: after.used(sku),
        })
        .filter(|c| c.seats_before != c.seats_after || c.used_before != c.used_after)
        .collect()
}

/// The monthly cost of both versions, with the config's prices.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct CostChange {
    /// The currency.
    pub currency: String,
    /// The old version's monthly cost.
    pub monthly_before: f64,
    /// The new version's monthly cost.
    pub monthly_after: f64,
    /// After − before.
    pub delta: f64,
    /// The old version's waste a month.
    pub waste_before: f64,
    /// The new version's waste a month.
    pub waste_after: f64,
}

impl CostChange {
    /// From the cost figures of the two versions.
    pub fn of(before: &super::cost::Cost, after: &super::cost::Cost) -> Self {
        CostChange {
            currency: after.currency.clone(),
            monthly_before: before.monthly,
            monthly_after: after.monthly,
            delta: ((after.monthly - before.monthly) * 100.0).round() / 100.0,
            waste_before: before.waste_monthly,
            waste_after: after.waste_monthly,
        }
    }
}

/// The findings of one version of a tenant after waivers and baseline.
#[derive(Debug, Default)]
pub struct Version {
    /// The findings that count.
    pub counted: Vec<Finding>,
    /// The findings a waiver accepted or the baseline knows: they are there, but do not count.
    pub accepted: Vec<Finding>,
}

/// Compares the findings of two versions of one tenant by fingerprint (not by file or line,
/// since the versions are different files and lines move). Introduced: what counts in the new
/// version and did not count in the old (a finding whose waiver the change removes is
/// introduced). Fixed: what the old version had, counted or accepted, that the new one no
/// longer has at all (a finding the change waives is not fixed; a waived finding the change
/// removes is).
pub fn diff(base: Version, head: Version) -> Diff {
    // Keyed by the fingerprint's number: a 64-bit FNV-1a collision between two findings of one
    // tenant is far less likely than any other failure, and no string is built per finding.
    let count = |findings: &mut dyn Iterator<Item = &Finding>| {
        let mut m: HashMap<u64, usize> = HashMap::new();
        for f in findings {
            *m.entry(identity::key(f)).or_default() += 1;
        }
        m
    };
    let base_counted = count(&mut base.counted.iter());
    let head_all = count(&mut head.counted.iter().chain(&head.accepted));
    let keep_unmatched = |findings: Vec<Finding>, mut other: HashMap<u64, usize>| {
        findings
            .into_iter()
            .filter(|f| match other.get_mut(&identity::key(f)) {
                Some(n) if *n > 0 => {
                    *n -= 1;
                    false
                }
                _ => true,
            })
            .collect::<Vec<_>>()
    };
    let mut old = base.counted;
    old.extend(base.accepted);
    let mut fixed = keep_unmatched(old, head_all);
    // In the old version's order, as its findings were before waivers split them.
    fixed.sort_by(|a, b| {
        (a.span.start, &a.rule, a.span.end).cmp(&(b.span.start, &b.rule, b.span.end))
    });
    Diff {
        introduced: keep_unmatched(head.counted, base_counted),
        fixed,
        ..Diff::default()
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
