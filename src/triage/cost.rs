//! What a tenant's licences cost a month, and how much of that is waste (contract v3, "Prices
//! and cost"), from the config's prices, the seat figures and the reported findings.
//!
//! - **Monthly cost**: per SKU with a price, max(seats bought, users holding it) × price.
//! - **Waste**: the licences the waste rules name ([`WASTE_RULES`]: each finding's
//!   [`Finding::licenses`]), plus unused seats (bought − held, when positive), each at its
//!   SKU's price. A licence (one user, one SKU) counts once, however many waste rules name it;
//!   it is put down to the first of [`WASTE_RULES`] that names it.
//!
//! Only SKUs with a price take part: nothing is guessed. Waived findings are not waste (the
//! waiver says the licence is wanted); findings a baseline already knows still are.

use std::collections::HashSet;

use serde::Serialize;

use crate::config::PriceList;
use crate::diagnostics::Finding;

/// The rules whose findings name licences that could be removed, in the order waste is put
/// down to them.
pub const WASTE_RULES: &[&str] = &[
    "licensing/disabled-account-license",
    "licensing/inactive-user-license",
    "licensing/redundant-license",
];

/// The cost figures of one tenant file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Cost {
    /// The currency of every figure (the config's `currency`).
    pub currency: String,
    /// What the priced SKUs cost a month.
    pub monthly: f64,
    /// Of that, what the wasted licences and unused seats cost.
    pub waste_monthly: f64,
    /// Wasted licences and unused seats of priced SKUs, together.
    pub waste_licenses: u64,
    /// Of those, seats bought that nobody holds.
    pub unused_seats: u64,
    /// Per priced SKU the tenant buys or holds, in the config's order.
    pub by_sku: Vec<SkuCost>,
    /// Per waste rule that names a priced licence, in [`WASTE_RULES`] order.
    pub by_rule: Vec<RuleWaste>,
    /// False when the per-rule cap (`--max-findings-per-rule`) left out findings of a waste
    /// rule: the waste is then at least the figures given.
    pub complete: bool,
}

/// The cost of one priced SKU.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SkuCost {
    /// Part number.
    pub sku: String,
    /// Seats bought (0 when no subscription lists the SKU).
    pub seats: u64,
    /// Users holding it.
    pub used: u64,
    /// Monthly price of one seat.
    pub price: f64,
    /// max(seats, used) × price.
    pub monthly: f64,
    /// (wasted licences + unused seats) × price.
    pub waste_monthly: f64,
    /// Licences of this SKU the waste rules name.
    pub wasted: u64,
    /// Seats bought beyond the users holding it.
    pub unused: u64,
}

/// The waste put down to one rule.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RuleWaste {
    /// The rule id.
    pub rule: String,
    /// Priced licences it names (not named by an earlier waste rule).
    pub licenses: u64,
    /// What they cost a month.
    pub waste_monthly: f64,
}

/// What one tenant version buys and holds: seats per subscribed SKU, users per SKU held.
#[derive(Debug, Clone, Copy, Default)]
pub struct SeatUse<'a> {
    /// The subscriptions' seat use (`None`: the version lists no subscriptions).
    pub seats: Option<&'a [crate::tenant::seats::SkuSeats]>,
    /// Users per SKU held ([`crate::tenant::seats::holders`]).
    pub holders: &'a [(String, u64)],
}

impl SeatUse<'_> {
    pub(crate) fn bought(&self, sku: &str) -> u64 {
        self.seats
            .and_then(|s| s.iter().find(|s| s.sku == sku))
            .and_then(|s| s.bought)
            .unwrap_or(0)
    }

    pub(crate) fn used(&self, sku: &str) -> u64 {
        self.holders
            .iter()
            .find(|(s, _)| s == sku)
            .map_or(0, |(_, n)| *n)
    }

    /// Every SKU bought or held, subscriptions first, each once.
    pub(crate) fn skus(&self) -> impl Iterator<Item = &str> {
        self.seats
            .into_iter()
            .flatten()
            .map(|s| s.sku.as_str())
            .chain(self.holders.iter().map(|(s, _)| s.as_str()))
    }
}

/// Money rounded to cents, as every figure is shown.
fn cents(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// The cost figures of one tenant file: `seat_use` its seats and holders, `findings` its
/// reported findings; `complete`: false when the cap left out findings of a waste rule.
pub fn cost<'f>(
    prices: &PriceList,
    seat_use: SeatUse<'_>,
    findings: impl IntoIterator<Item = &'f Finding>,
    complete: bool,
) -> Cost {
    let findings: Vec<&Finding> = findings
        .into_iter()
        .filter(|f| WASTE_RULES.contains(&f.rule.as_str()))
        .collect();
    // Each (user, SKU) once, put down to the first waste rule that names it.
    let mut named: HashSet<(&str, &str)> = HashSet::new();
    let mut by_rule = Vec::new();
    let mut wasted_of = std::collections::HashMap::<&str, u64>::new();
    for rule in WASTE_RULES {
        let (mut licenses, mut money) = (0u64, 0.0);
        for f in findings.iter().filter(|f| f.rule == *rule) {
            let user = f.subject.as_deref().unwrap_or(&f.message);
            for sku in &f.licenses {
                let Some(price) = prices.of(sku) else {
                    continue;
                };
                if named.insert((user, sku)) {
                    licenses += 1;
                    money += price;
                    *wasted_of.entry(sku).or_default() += 1;
                }
            }
        }
        if licenses > 0 {
            by_rule.push(RuleWaste {
                rule: (*rule).to_owned(),
                licenses,
                waste_monthly: cents(money),
            });
        }
    }
    let mut by_sku = Vec::new();
    for (sku, price) in &prices.monthly {
        let bought = seat_use.bought(sku);
        let used = seat_use.used(sku);
        let wasted = wasted_of.get(sku.as_str()).copied().unwrap_or(0);
        if bought == 0 && used == 0 {
            continue;
        }
        let unused = bought.saturating_sub(used);
        by_sku.push(SkuCost {
            sku: sku.clone(),
            seats: bought,
            used,
            price: *price,
            monthly: cents(bought.max(used) as f64 * price),
            waste_monthly: cents((wasted + unused) as f64 * price),
            wasted,
            unused,
        });
    }
    Cost {
        currency: prices.currency.clone(),
        monthly: cents(by_sku.iter().map(|s| s.monthly).sum()),
        waste_monthly: cents(by_sku.iter().map(|s| s.waste_monthly).sum()),
        waste_licenses: by_sku.iter().map(|s| s.wasted + s.unused).sum(),
        unused_seats: by_sku.iter().map(|s| s.unused).sum(),
        by_sku,
        by_rule,
        complete,
    }
}

/// Adds to each waste finding's help what removing its priced licences saves a month.
pub fn add_savings(findings: &mut [Finding], prices: &PriceList) {
    for f in findings
        .iter_mut()
        .filter(|f| WASTE_RULES.contains(&f.rule.as_str()))
    {
        let priced: Vec<(&str, f64)> = f
            .licenses
            .iter()
            .filter_map(|sku| Some((sku.as_str(), prices.of(sku)?)))
            .collect();
        if priced.is_empty() {
            continue;
        }
        let total: f64 = priced.iter().map(|(_, p)| p).sum();
        let what = priced
            .iter()
            .map(|(sku, p)| format!("{sku} {}", money(*p, &prices.currency)))
            .collect::<Vec<_>>()
            .join(", ");
        let line = format!(
            "removing it saves {} a month ({what})",
            money(total, &prices.currency)
        );
        f.help = Some(match f.help.take() {
            Some(h) => format!("{h}\n{line}"),
            None => line,
        });
    }
}

/// An amount as reports show it: thousands separated by commas, two decimals, the currency
/// after it (`1,204.50 EUR`).
pub fn money(amount: f64, currency: &str) -> String {
    let cents_total = (amount.abs() * 100.0).round() as u64;
    let whole = (cents_total / 100).to_string();
    let mut grouped = String::new();
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(c);
    }
    let sign = if amount < 0.0 && cents_total > 0 {
        "-"
    } else {
        ""
    };
    format!("{sign}{grouped}.{:02} {currency}", cents_total % 100)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostics::{FindingOrigin, Severity};
    use crate::source::{SourceFile, Span};

    fn finding(rule: &str, user: &str, licenses: &[&str]) -> Finding {
        let mut f = Finding::new(
            rule.to_owned(),
            Severity::Warning,
            String::new(),
            Some(user.to_owned()),
            SourceFile::new("t.yaml".to_owned(), String::new()),
            Span::new(0, 0),
            FindingOrigin::Builtin,
        );
        f.licenses = licenses.iter().map(|s| (*s).to_owned()).collect();
        f
    }

    fn prices() -> PriceList {
        PriceList {
            currency: "EUR".to_owned(),
            monthly: vec![("SPE_E3".to_owned(), 33.7), ("EMS".to_owned(), 10.0)],
        }
    }

    #[test]
    fn money_is_grouped_rounded_and_signed() {
        assert_eq!(money(1204.5, "EUR"), "1,204.50 EUR");
        assert_eq!(money(1_234_567.891, "USD"), "1,234,567.89 USD");
        assert_eq!(money(0.004, "EUR"), "0.00 EUR");
        assert_eq!(money(-12.5, "EUR"), "-12.50 EUR");
        assert_eq!(money(999.999, "EUR"), "1,000.00 EUR");
    }

    #[test]
    fn a_licence_named_by_two_waste_rules_counts_once_for_the_first() {
        let holders = [("SPE_E3".to_owned(), 2), ("EMS".to_owned(), 2)];
        let findings = [
            finding("licensing/redundant-license", "a@x", &["EMS"]),
            finding(
                "licensing/disabled-account-license",
                "a@x",
                &["SPE_E3", "EMS"],
            ),
            // Not a waste rule, and a SKU without a price: neither counts.
            finding("licensing/seats", "a@x", &["SPE_E3"]),
            finding("licensing/redundant-license", "b@x", &["FLOW_FREE"]),
        ];
        let seat_use = SeatUse {
            seats: None,
            holders: &holders,
        };
        let c = cost(&prices(), seat_use, &findings, true);
        assert_eq!(c.monthly, 87.4);
        assert_eq!(c.waste_licenses, 2);
        assert_eq!(c.waste_monthly, 43.7);
        let rules: Vec<(&str, u64)> = c
            .by_rule
            .iter()
            .map(|r| (r.rule.as_str(), r.licenses))
            .collect();
        assert_eq!(rules, [("licensing/disabled-account-license", 2)]);
    }

    #[test]
    fn savings_are_added_to_the_help_of_waste_findings_only() {
        let mut findings = [
            finding("licensing/redundant-license", "a@x", &["EMS", "FLOW_FREE"]),
            finding("licensing/seats", "a@x", &["EMS"]),
        ];
        add_savings(&mut findings, &prices());
        assert_eq!(
            findings[0].help.as_deref(),
            Some("removing it saves 10.00 EUR a month (EMS 10.00 EUR)")
        );
        assert_eq!(findings[1].help, None);
    }
}
