//! Seat use per subscribed SKU, as reports show it: what the tenant bought, what its users hold,
//! and how many of them a full subscription leaves without a seat. Derived from the
//! [`TenantModel`], which already counts the holders (one seat per user, however they hold it).

use serde::Serialize;

use super::model::TenantModel;
use crate::compile::Catalog;

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
}

/// Seat use of every subscribed SKU, in file order; `None` when the tenant does not track
/// subscriptions (no `subscriptions` key).
pub fn seats(model: &TenantModel<'_>, catalog: &Catalog) -> Option<Vec<SkuSeats>> {
    if !model.subscriptions_tracked() {
        return None;
    }
    let part = |id: u32| catalog.sku(id).map_or_else(String::new, |s| s.part.clone());
    Some(
        model
            .subscriptions
            .iter()
            .map(|s| {
                let at_risk = s.seats.map_or(0, |seats| s.used.saturating_sub(seats));
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
                }
            })
            .collect(),
    )
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
