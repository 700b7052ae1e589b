//! Users: duplicates (UPNs ignore case and compare after NFKC) reported and left out, direct and effective licences
//! (group licensing reaches direct members only), SSPR scope, failed assignments.

use std::collections::HashMap;

use super::resolve::{Builder, NameIndex};
use super::{
    AssignmentFacts, GroupId, Holder, IdRange, LicenseErrorFacts, TenantModel, UserFacts, UserId,
};
use crate::compile::ir::{SkuId, base_sku};
use crate::tenant::document::{SsprScope, UserSource};

impl<'d> Builder<'d, '_, '_> {
    /// The users of the model, and the members of each group.
    pub(super) fn users(
        &mut self,
        model: &mut TenantModel<'d>,
        group_index: &NameIndex<&'d str, GroupId>,
        scope: SsprScope,
        in_scope_group: &[bool],
    ) {
        let doc = self.doc;
        // Users.
        let mut upn_index: NameIndex<UpnKey<'d>, u32> =
            NameIndex::with_capacity_and_hasher(doc.users.len(), Default::default());
        let mut members: Vec<Vec<UserId>> = vec![Vec::new(); model.groups.len()];
        let mut direct: Vec<u32> = Vec::new();
        let mut effective: Vec<u32> = Vec::new();
        let mut groups: Vec<u32> = Vec::new();
        // The failed assignments of the current user: (SKU, the group, or `None` if direct).
        let mut failed: Vec<(SkuId, Option<GroupId>)> = Vec::new();
        // Which groups `groups` holds (reset entry by entry): a user listing 100k groups must
        // not scan the list for each.
        let mut listed = vec![false; model.groups.len()];
        let mut license_sets: HashMap<Box<[u32]>, u32> = HashMap::new();
        for (i, u) in doc.users.iter().enumerate() {
            let key = UpnKey(u.upn.value.as_str());
            if let Some(&first) = upn_index.get(&key) {
                let first_span = doc.users.get(first as usize).map(|f| f.span);
                let first_upn = doc
                    .users
                    .get(first as usize)
                    .map_or("", |f| f.upn.value.as_str());
                let same = first_upn == u.upn.value;
                let mut f = self
                    .finding(
                        "tenant/duplicate-user",
                        u.span,
                        if same {
                            format!("user `{}` is listed twice", u.upn.value)
                        } else {
                            format!("user `{}` is listed twice (as `{first_upn}` before; UPNs ignore case and compatibility forms)", u.upn.value)
                        },
                        &u.upn.value,
                    )
                    .with_label("listed again here")
                    .with_help("merge the two entries; a user principal name is unique in a tenant".to_owned());
                if let Some(s) = first_span {
                    f.add_label(s, "first listed here".to_owned());
                }
                self.push(f);
                continue;
            }
            upn_index.insert(key, i as u32);
            if let Some(loc) = &u.usage_location {
                self.check_country(loc);
            }
            // Failed assignments: an unknown SKU or group is reported like anywhere else.
            let errors_start = model.license_errors.len() as u32;
            for e in &u.license_errors.items {
                let group = match &e.group {
                    Some(name) => match self.resolve_group(name, group_index) {
                        Some(g) => Some(g),
                        None => continue,
                    },
                    None => None,
                };
                if let Some(sku) = self.resolve_sku(&e.sku) {
                    model.license_errors.push(LicenseErrorFacts {
                        sku,
                        error: e.error.value,
                        group,
                        held: e.is_held(),
                        span: e.span,
                    });
                }
            }
            let errors_end = model.license_errors.len() as u32;
            let license_errors = if errors_end == errors_start {
                IdRange::default()
            } else {
                let ids: Vec<u32> = (errors_start..errors_end).collect();
                model.push_ids(&ids)
            };
            let uid = model.users.len() as UserId;
            direct.clear();
            for item in &u.licenses.items {
                if let Some(s) = self.held_sku(model, item) {
                    direct.push(s);
                    model.assignments.push(AssignmentFacts {
                        sku: base_sku(s),
                        held: s,
                        holder: Holder::User(uid),
                        span: item.sku.span,
                    });
                }
            }
            // A failed assignment gives the user nothing: Graph keeps the intent "in an error
            // state", and the licence is not the user's for any rule or seat count. Except a
            // `DependencyViolation`: that is a failed *removal* ("Other products depend on this
            // license", licensing-groups-resolve-problems.md), so the user still holds it; and
            // `held: true` (Graph's `ActiveWithError`): the licence is active, with an error.
            failed.clear();
            failed.extend(
                model
                    .license_errors
                    .get(errors_start as usize..)
                    .unwrap_or_default()
                    .iter()
                    .filter(|e| e.takes_licence())
                    .map(|e| (e.sku, e.group)),
            );
            direct.retain(|&s| !failed.contains(&(base_sku(s), None)));
            self.merge_held(model, &mut direct);
            for &g in &groups {
                if let Some(l) = listed.get_mut(g as usize) {
                    *l = false;
                }
            }
            groups.clear();
            for name in &u.groups.items {
                if let Some(g) = self.resolve_group(name, group_index)
                    && let Some(l) = listed.get_mut(g as usize).filter(|l| !**l)
                {
                    *l = true;
                    groups.push(g);
                    if let Some(m) = members.get_mut(g as usize) {
                        m.push(uid);
                    }
                }
            }
            // Group-based licensing reaches direct members only: no walk up the nesting. And it
            // is all or nothing: "If Microsoft Entra ID can't assign one of the products because
            // of business logic problems, it won't assign the other licenses in the group
            // either" (licensing-groups-resolve-problems.md), so a group with a failed
            // assignment for this user gives them none of its SKUs.
            effective.clear();
            for &g in &groups {
                if failed.iter().any(|&(_, fg)| fg == Some(g)) {
                    continue;
                }
                if let Some(facts) = model.groups.get(g as usize) {
                    effective.extend_from_slice(model.ids(facts.licenses));
                }
            }
            self.merge_held(model, &mut effective);
            let via_groups = model.push_ids(&effective);
            effective.extend_from_slice(&direct);
            self.merge_held(model, &mut effective);
            let in_sspr_scope = match scope {
                SsprScope::None => false,
                SsprScope::All => true,
                SsprScope::Selected => groups
                    .iter()
                    .any(|&g| in_scope_group.get(g as usize).copied().unwrap_or(false)),
            };
            // Licence names the catalog does not know: reported as `tenant/unknown-sku`, and
            // offered to the licence rules as the likely cause of what they find on the user.
            let unknown_start = model.unknown_names.len() as u32;
            let from_groups = groups
                .iter()
                .filter_map(|&g| model.groups.get(g as usize))
                .filter_map(|f| doc.groups.get(f.doc as usize))
                .flat_map(|gd| gd.licenses.items.iter());
            for name in u.licenses.items.iter().chain(from_groups).map(|i| &i.sku) {
                if self.catalog.resolve(&name.value).is_none() {
                    model.unknown_names.push(name.value.clone());
                    model.unknown_spans.push(name.span);
                }
            }
            let unknown = (unknown_start, model.unknown_names.len() as u32);
            let direct_r = model.push_ids(&direct);
            let license_set = match license_sets.get(effective.as_slice()) {
                Some(&set) => set,
                None => {
                    let set = model.license_sets.len() as u32;
                    let range = model.push_ids(&effective);
                    model.license_sets.push(range);
                    license_sets.insert(effective.as_slice().into(), set);
                    set
                }
            };
            let effective_r = model
                .license_sets
                .get(license_set as usize)
                .copied()
                .unwrap_or_default();
            let groups_r = model.push_ids(&groups);
            model.users.push(UserFacts {
                doc: i as u32,
                direct: direct_r,
                via_groups,
                effective: effective_r,
                license_set,
                groups: groups_r,
                in_sspr_scope,
                synced: u
                    .source
                    .as_ref()
                    .is_some_and(|s| s.value == UserSource::Synced),
                license_errors,
                unknown,
            });
        }
        for (g, m) in members.iter().enumerate() {
            let r = model.push_ids(m);
            if let Some(facts) = model.groups.get_mut(g) {
                facts.members = r;
            }
        }
        model.features = self.feature_coverage(model, group_index, &upn_index);
    }
}

/// A UPN that hashes and compares as Entra ID matches it, without allocating: ignoring case
/// (Entra ID compares UPNs case-insensitively), after Unicode NFKC normalisation (a UPN is ASCII
/// in Entra ID, so a full-width `ａ` or a ligature can only imitate the plain letters; the
/// `tenant/suspicious-name` check reports them too). ASCII UPNs take the fast path.
#[derive(Debug, Clone, Copy)]
pub(super) struct UpnKey<'a>(pub(super) &'a str);

impl UpnKey<'_> {
    fn folded(&self) -> impl Iterator<Item = char> + '_ {
        use unicode_normalization::UnicodeNormalization;
        self.0.nfkc().flat_map(char::to_lowercase)
    }
}

impl std::hash::Hash for UpnKey<'_> {
    /// Feeds the folded bytes in one `write`, whichever path folds them: a hasher may hash each
    /// `write` on its own (foldhash does), so equal keys must reach it split alike. One `write`
    /// per byte made hashing the UPNs of a 100k-user file cost 0.3 G instructions.
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        const SHORT: usize = 64;
        if self.0.is_ascii() && self.0.len() <= SHORT {
            let mut buf = [0u8; SHORT];
            for (to, from) in buf.iter_mut().zip(self.0.as_bytes()) {
                *to = from.to_ascii_lowercase();
            }
            state.write(buf.get(..self.0.len()).unwrap_or_default());
        } else if self.0.is_ascii() {
            state.write(self.0.to_ascii_lowercase().as_bytes());
        } else {
            // Rare (such a UPN is also reported as suspicious): one allocation is no cost.
            let folded: String = self.folded().collect();
            state.write(folded.as_bytes());
        }
    }
}

impl PartialEq for UpnKey<'_> {
    fn eq(&self, other: &Self) -> bool {
        if self.0.is_ascii() && other.0.is_ascii() {
            self.0.eq_ignore_ascii_case(other.0)
        } else {
            self.folded().eq(other.folded())
        }
    }
}

impl Eq for UpnKey<'_> {}

#[cfg(test)]
mod tests {
    use super::UpnKey;
    use std::hash::BuildHasher;

    #[test]
    fn keys_that_are_equal_hash_alike_across_case_compatibility_forms_and_chunks() {
        // The hasher of the model's index, and std's: equal keys must hash alike under both.
        let fold = foldhash::fast::RandomState::default();
        let std = std::collections::hash_map::RandomState::new();
        let long = "a".repeat(70) + "@contoso.com";
        let pairs = [
            ("Alice@Contoso.com", "alice@contoso.com"),
            ("ａlice@contoso.com", "alice@contoso.com"),
            ("ﬁona@contoso.com", "FIONA@contoso.com"),
            (long.as_str(), &long.to_uppercase()),
            (&("ａ".repeat(70) + "@contoso.com"), long.as_str()),
        ];
        for (a, b) in pairs {
            assert!(UpnKey(a) == UpnKey(b), "{a} = {b}");
            assert_eq!(
                fold.hash_one(UpnKey(a)),
                fold.hash_one(UpnKey(b)),
                "{a} / {b}"
            );
            assert_eq!(
                std.hash_one(UpnKey(a)),
                std.hash_one(UpnKey(b)),
                "{a} / {b}"
            );
        }
        assert!(UpnKey("alice@contoso.com") != UpnKey("alice@contoso.co"));
    }
}
