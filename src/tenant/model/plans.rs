//! Licences with service plans switched off (contract v3 `disabled_plans`): each distinct
//! "SKU less these plans" of a tenant becomes a variant of the catalog SKU, with the plans,
//! grants and inclusions that remain. A held SKU names its variant in the upper bits of its id
//! (`ir::SkuId`), so rules compare it as the SKU and read its grants as the variant's.

use std::collections::HashMap;

use super::TenantModel;
use super::resolve::Builder;
use crate::compile::ir::{CapId, SkuId, VARIANT_SHIFT, base_sku, sku_variant};
use crate::diagnostics::suggest::did_you_mean;
use crate::tenant::document::LicenseItem;

/// A catalog SKU with some of its service plans switched off.
#[derive(Debug, Clone)]
pub struct SkuVariant {
    /// The plans switched off: indices into the SKU's `plans`, sorted.
    pub off: Box<[u16]>,
    /// The plans that remain on, sorted.
    pub plans: Vec<String>,
    /// What it grants with those plans, sorted.
    pub grants: Vec<CapId>,
    /// The SKUs it includes with those plans, sorted.
    pub includes: Vec<SkuId>,
}

/// The variants of one tenant, interned: a 100k-user tenant has a handful.
#[derive(Debug, Default)]
pub(super) struct Variants {
    index: HashMap<(SkuId, Box<[u16]>), SkuId>,
}

/// The most variants a tenant may have (the upper 16 bits of a `SkuId`, 0 meaning none).
const MAX_VARIANTS: usize = (1 << (32 - VARIANT_SHIFT)) - 1;

impl<'d> Builder<'d, '_, '_> {
    /// The SKU a licence item holds: its catalog SKU, or the variant without the plans it
    /// switches off. A plan the SKU does not have is `tenant/unknown-plan`, and left out.
    pub(super) fn held_sku(
        &mut self,
        model: &mut TenantModel<'d>,
        item: &'d LicenseItem,
    ) -> Option<SkuId> {
        let sku = self.resolve_sku(&item.sku)?;
        let disabled = item.disabled();
        if disabled.is_empty() {
            return Some(sku);
        }
        let catalog = self.catalog;
        let plans = catalog.sku(sku).map_or(&[][..], |k| k.plans.as_slice());
        let mut off: Vec<u16> = Vec::with_capacity(disabled.len());
        for name in disabled {
            match plans.binary_search(&name.value) {
                Ok(i) => off.extend(u16::try_from(i).ok()),
                Err(_) => self.unknown_plan(sku, name),
            }
        }
        Some(self.variant(model, sku, off))
    }

    /// The id of SKU `sku` less the plans `off` (unsorted, maybe repeated).
    fn variant(&mut self, model: &mut TenantModel<'d>, sku: SkuId, mut off: Vec<u16>) -> SkuId {
        off.sort_unstable();
        off.dedup();
        if off.is_empty() {
            return sku;
        }
        let key = (sku, off.into_boxed_slice());
        if let Some(&id) = self.variants.index.get(&key) {
            return id;
        }
        if model.sku_variants.len() >= MAX_VARIANTS {
            // 65,535 distinct combinations is past any real tenant; past it, a licence counts
            // with every plan on (the file is hostile or generated, and says so elsewhere).
            return sku;
        }
        let catalog = self.catalog;
        let (base, off) = key;
        let plans = catalog.sku(base).map_or_else(Vec::new, |k| {
            k.plans
                .iter()
                .enumerate()
                .filter(|(i, _)| u16::try_from(*i).map_or(true, |i| off.binary_search(&i).is_err()))
                .map(|(_, p)| p.clone())
                .collect()
        });
        let variant = SkuVariant {
            grants: catalog.grants_without(base, &off),
            includes: catalog.includes_without(base, &off),
            plans,
            off: off.clone(),
        };
        model.sku_variants.push(variant);
        let id = base | ((model.sku_variants.len() as u32) << VARIANT_SHIFT);
        self.variants.index.insert((base, off), id);
        id
    }

    /// Merges held SKUs into one per catalog SKU: a user holds a plan when some assignment
    /// carries it switched on, so two assignments of one SKU give the plans either has on.
    /// `ids` comes out sorted and without two entries of one SKU.
    pub(super) fn merge_held(&mut self, model: &mut TenantModel<'d>, ids: &mut Vec<SkuId>) {
        ids.sort_unstable_by_key(|&id| (base_sku(id), sku_variant(id)));
        ids.dedup();
        if ids.iter().all(|&id| sku_variant(id) == 0) {
            return;
        }
        let mut merged = Vec::with_capacity(ids.len());
        let mut i = 0;
        while let Some(&first) = ids.get(i) {
            let base = base_sku(first);
            let same = ids
                .get(i..)
                .unwrap_or_default()
                .iter()
                .take_while(|&&id| base_sku(id) == base)
                .count();
            let group = ids.get(i..i + same).unwrap_or_default();
            i += same;
            if same == 1 || sku_variant(first) == 0 {
                // One assignment, or one with every plan on: nothing to intersect.
                merged.push(first);
                continue;
            }
            let mut off: Option<Vec<u16>> = None;
            for &id in group {
                let these = model.variant_off(id);
                off = Some(match off {
                    None => these.to_vec(),
                    Some(prev) => prev
                        .into_iter()
                        .filter(|p| these.binary_search(p).is_ok())
                        .collect(),
                });
            }
            merged.push(self.variant(model, base, off.unwrap_or_default()));
        }
        merged.sort_unstable();
        *ids = merged;
    }

    fn unknown_plan(&mut self, sku: SkuId, name: &'d crate::tenant::document::Spanned<String>) {
        if !self.findings.admit("tenant/unknown-plan") {
            return;
        }
        let Some(k) = self.catalog.sku(sku) else {
            return;
        };
        let help = match did_you_mean(&name.value, k.plans.iter().map(String::as_str)) {
            Some(d) => d,
            None if k.plans.is_empty() => format!(
                "the catalog lists no service plans for `{}`; declare them (`plans [...]`) in a policy file passed with `--policy`",
                k.part
            ),
            None => format!("`{}` has these plans: {}", k.part, plan_list(&k.plans)),
        };
        let f = self
            .finding(
                "tenant/unknown-plan",
                name.span,
                format!(
                    "`{}` is not a service plan of {} (`{}`)",
                    name.value, k.display, k.part
                ),
                &name.value,
            )
            .with_label("not a plan of this SKU")
            .with_help(help);
        self.findings.keep(f);
    }
}

/// At most 12 plan names, then how many more (`skuld skus PART` lists them all).
fn plan_list(plans: &[String]) -> String {
    let shown: Vec<String> = plans.iter().take(12).map(|p| format!("`{p}`")).collect();
    let mut out = shown.join(", ");
    if plans.len() > 12 {
        out.push_str(&format!(" and {} more", plans.len() - 12));
    }
    out
}

impl TenantModel<'_> {
    /// The variant of a held SKU (`None` for a SKU with every plan on).
    pub fn sku_variant(&self, id: SkuId) -> Option<&SkuVariant> {
        match sku_variant(id) {
            0 => None,
            v => self.sku_variants.get(v as usize - 1),
        }
    }

    /// The plans a held SKU switches off (empty for a whole SKU).
    fn variant_off(&self, id: SkuId) -> &[u16] {
        self.sku_variant(id).map_or(&[], |v| &v.off)
    }
}
