//! Subscriptions and seat use: entries for the same SKU add up; a SKU's seats are used by every
//! user whose effective licences contain it, once.

use std::collections::HashMap;

use super::resolve::Builder;
use super::{GroupId, IdRange, SubscriptionFacts, TenantModel};
use crate::compile::ir::{SkuId, base_sku};
use crate::tenant::document::SubscriptionStatus;

impl<'d> Builder<'d, '_, '_> {
    /// The subscriptions of the model, with seat use and the groups that assign each SKU.
    pub(super) fn seats(&mut self, model: &mut TenantModel<'d>) {
        let doc = self.doc;
        // Subscriptions and seat use.
        if let Some(subs) = &doc.subscriptions {
            let mut by_sku: HashMap<SkuId, usize> = HashMap::new();
            for (i, s) in subs.items.iter().enumerate() {
                let Some(sku) = self.resolve_sku(&s.sku) else {
                    continue;
                };
                let seats = s.seats.as_ref().map(|n| n.value);
                let status = s
                    .status
                    .as_ref()
                    .map_or(SubscriptionStatus::Enabled, |st| st.value);
                let trial = s.trial.as_ref().is_some_and(|t| t.value);
                let ends = s.ends.as_ref().map(|e| e.value);
                match by_sku.get(&sku) {
                    Some(&k) => {
                        if let Some(existing) = model.subscriptions.get_mut(k) {
                            // An entry whose seats are not known makes the total unknown.
                            existing.seats =
                                existing.seats.zip(seats).map(|(a, b)| a.saturating_add(b));
                            existing.status = existing.status.max(status);
                            existing.trial &= trial;
                            existing.ends = match (existing.ends, ends) {
                                (Some(a), Some(b)) => Some(a.min(b)),
                                (a, b) => a.or(b),
                            };
                        }
                    }
                    None => {
                        by_sku.insert(sku, model.subscriptions.len());
                        model.subscriptions.push(SubscriptionFacts {
                            sku,
                            seats,
                            status,
                            trial,
                            ends,
                            used: 0,
                            groups: IdRange::default(),
                            at_risk: IdRange::default(),
                            doc: i as u32,
                        });
                    }
                }
            }
            let used = model.holders_per_sku(self.catalog.skus().len());
            for s in &mut model.subscriptions {
                s.used = used.get(s.sku as usize).copied().unwrap_or(0);
            }
            for i in 0..model.subscriptions.len() {
                let Some(sku) = model.subscriptions.get(i).map(|s| s.sku) else {
                    continue;
                };
                let mut groups = Vec::new();
                let mut at_risk = Vec::new();
                for (g, facts) in model.groups.iter().enumerate() {
                    let licenses = model.ids(facts.licenses);
                    if licenses.iter().any(|&k| base_sku(k) == sku) {
                        groups.push(g as GroupId);
                        at_risk.extend(licenses.iter().map(|&k| base_sku(k)).filter(|&k| k != sku));
                    }
                }
                at_risk.sort_unstable();
                at_risk.dedup();
                let groups = model.push_ids(&groups);
                let at_risk = model.push_ids(&at_risk);
                if let Some(s) = model.subscriptions.get_mut(i) {
                    s.groups = groups;
                    s.at_risk = at_risk;
                }
            }
            model.subscribed = model.subscriptions.iter().map(|s| s.sku).collect();
            model.subscribed.sort_unstable();
        }
    }
}

impl TenantModel<'_> {
    /// Per SKU id below `skus`: how many users effectively hold it (one seat each, however
    /// many ways they hold it).
    pub fn holders_per_sku(&self, skus: usize) -> Vec<u64> {
        let mut used = vec![0u64; skus];
        for u in &self.users {
            for &s in self.ids(u.effective) {
                if let Some(n) = used.get_mut(base_sku(s) as usize) {
                    *n += 1;
                }
            }
        }
        used
    }
}
