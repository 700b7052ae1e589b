//! Seat use per subscribed SKU, as reports show it: what the tenant bought, what its users hold,
//! how many of them a full subscription leaves without a seat, and how soon users may lose it
//! (the order reports list SKUs in). Derived from the
//! [`TenantModel`], which already counts the holders (one seat per user, however they hold it).

use serde::Serialize;

use super::document::SubscriptionStatus;
use super::model::TenantModel;
use crate::compile::Catalog;
use crate::date::Date;

/// Seat use of one subscribed SKU.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SkuSeats {
    /// Part number, e.g. `ENTERPRISEPACK`.
    pub sku: String,
    /// Product name, e.g. `Office 365 E3`.
    pub name: String,
    /// Prepaid seats (all entries for the SKU together); `None` when not known.
    pub bought: Option<u64>,
    /// Users who effectively hold the SKU.
    pub used: u64,
    /// Users beyond the seats bought: that many will not get the SKU.
    pub at_risk: u64,
    /// Groups that assign the SKU, in file order.
    pub groups: Vec<String>,
    /// The other SKUs those groups assign, which a member left without a seat loses too
    /// (group licensing is all or nothing per group). Empty unless seats are short.
    pub also_at_risk: Vec<String>,
    /// How soon users may lose the SKU; reports list the riskiest first.
    pub risk: SeatRisk,
    /// The subscription's state when it is not `enabled` (contract v3 `status`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<&'static str>,
    /// Every entry is a trial.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub trial: bool,
    /// The earliest `ends:` (renewal or expiry) of its entries.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ends: Option<Date>,
}

/// How soon users may lose a subscribed SKU, riskiest first (the order reports list SKUs in).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SeatRisk {
    /// More users hold it than seats were bought: some do not get it now.
    OverSubscribed,
    /// The subscription is past its term (`warning`, `suspended`, `locked_out`) or is a trial
    /// that ends within [`TRIAL_ENDING_DAYS`].
    Lapsing,
    /// Every seat is used: the next user assigned gets none.
    AtLimit,
    /// Seats to spare, or not known.
    Ok,
}

/// A trial ending within this many days is lapsing (contract v3: "a `trial` that `ends` within
/// 30 days").
pub const TRIAL_ENDING_DAYS: i64 = 30;

/// Seat use of every subscribed SKU, riskiest first ([`SeatRisk`]), in file order within a
/// risk; `None` when the tenant does not track subscriptions (no `subscriptions` key). `today`
/// tells a trial that ends soon.
pub fn seats(model: &TenantModel<'_>, catalog: &Catalog, today: Date) -> Option<Vec<SkuSeats>> {
    if !model.subscriptions_tracked() {
        return None;
    }
    let part = |id: u32| catalog.sku(id).map_or_else(String::new, |s| s.part.clone());
    let mut all: Vec<SkuSeats> = model
        .subscriptions
        .iter()
        .map(|s| {
            let at_risk = s.seats.map_or(0, |seats| s.used.saturating_sub(seats));
            let trial_ending = s.trial
                && s.ends
                    .is_some_and(|end| end.days_since(today) <= TRIAL_ENDING_DAYS);
            let risk = if at_risk > 0 {
                SeatRisk::OverSubscribed
            } else if s.status != SubscriptionStatus::Enabled || trial_ending {
                SeatRisk::Lapsing
            } else if s.seats.is_some_and(|seats| s.used >= seats && seats > 0) {
                SeatRisk::AtLimit
            } else {
                SeatRisk::Ok
            };
            SkuSeats {
                sku: part(s.sku),
                name: catalog
                    .sku(s.sku)
                    .map_or_else(String::new, |k| k.display.clone()),
                bought: s.seats,
                used: s.used,
                at_risk,
                groups: model
                    .ids(s.groups)
                    .iter()
                    .filter_map(|&g| model.group_doc(g))
                    .map(|g| g.name.value.clone())
                    .collect(),
                also_at_risk: if at_risk > 0 {
                    model.ids(s.at_risk).iter().map(|&k| part(k)).collect()
                } else {
                    Vec::new()
                },
                risk,
                status: (s.status != SubscriptionStatus::Enabled).then(|| s.status.as_str()),
                trial: s.trial,
                ends: s.ends,
            }
        })
        .collect();
    // Stable: file order within a risk.
    all.sort_by_key(|s| s.risk);
    Some(all)
}

/// How many users hold each SKU (one each, however they hold it), for every SKU held, in
/// catalog order: what a price is multiplied by when no subscription says how many seats were
/// bought.
pub fn holders(model: &TenantModel<'_>, catalog: &Catalog) -> Vec<(String, u64)> {
    model
        .holders_per_sku(catalog.skus().len())
        .iter()
        .enumerate()
        .filter(|&(_, &n)| n > 0)
        .filter_map(|(id, &n)| Some((catalog.sku(u32::try_from(id).ok()?)?.part.clone(), n)))
        .collect()
}
