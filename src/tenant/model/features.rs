//! Feature coverage (contract v2): which users each declared feature covers, computed once per
//! tenant as one bit per feature per user, so that a rule asking `f in u.features` tests a bit.
//!
//! An entry covers a user who is included (`include: all`; a member of an included group,
//! directly or through nested groups at any depth; or listed in `users`) and not excluded (a
//! member, directly or nested, of an `exclude` group): within an entry exclusion wins, as in
//! Conditional Access. A feature covers the users any of its entries covers.

use std::collections::HashMap;

use super::resolve::{Builder, NameIndex};
use super::users::UpnKey;
use super::{GroupId, TenantModel, UserId};
use crate::diagnostics::suggest::Suggester;
use crate::tenant::document::Spanned;
use crate::tenant::features::Include;

/// Coverage of every declared feature.
#[derive(Debug, Default)]
pub struct FeatureCoverage {
    /// Words per user.
    words: usize,
    /// `words` words per user, bit `f` set when feature `f` covers the user.
    bits: Vec<u64>,
    /// The resolved entries, in file order.
    pub entries: Vec<EntryFacts>,
}

/// One entry of the `features:` block, names resolved (unknown ones left out).
#[derive(Debug, Clone)]
pub struct EntryFacts {
    /// The policy's feature.
    pub feature: u32,
    /// Index of the feature in the document's `features:`.
    pub doc_feature: u32,
    /// Index of the entry in that feature's list.
    pub doc_entry: u32,
    /// `include: all`
    pub all: bool,
    /// `include:` groups
    pub include: Vec<GroupId>,
    /// `exclude:` groups
    pub exclude: Vec<GroupId>,
    /// `users:`
    pub users: Vec<UserId>,
}

/// Why an entry covers a user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CoverReason {
    /// `include: all`.
    All,
    /// The entry lists the user's UPN in `users`.
    Listed,
    /// Through groups: the included group first, then each nested group down to the one the user
    /// is a direct member of.
    Groups(Vec<GroupId>),
}

impl FeatureCoverage {
    /// The feature bits of a user.
    pub fn of(&self, u: UserId) -> &[u64] {
        let start = u as usize * self.words;
        self.bits.get(start..start + self.words).unwrap_or(&[])
    }

    /// Whether feature `f` covers user `u`.
    pub fn covers(&self, f: u32, u: UserId) -> bool {
        self.of(u)
            .get((f / 64) as usize)
            .is_some_and(|w| w & (1 << (f % 64)) != 0)
    }

    /// Whether some entry of the tenant's `features:` is for feature `f`.
    pub fn has_entries(&self, f: u32) -> bool {
        self.entries.iter().any(|e| e.feature == f)
    }
}

impl TenantModel<'_> {
    /// The features covering user `u`, one bit per feature of the policy.
    pub fn features_of(&self, u: UserId) -> &[u64] {
        self.features.of(u)
    }

    /// The members of `roots` and of the groups nested in them, at any depth. A group is walked
    /// once per `walk`: `seen[g] == walk` marks it, so cycles are harmless and the marks need
    /// no reset between walks (each walk costs what it reaches, not the tenant's size).
    fn walk_members(
        &self,
        roots: &[GroupId],
        seen: &mut [u32],
        walk: u32,
        mut user: impl FnMut(UserId),
    ) {
        let mut stack: Vec<GroupId> = roots.to_vec();
        while let Some(g) = stack.pop() {
            match seen.get_mut(g as usize) {
                Some(s) if *s != walk => *s = walk,
                _ => continue,
            }
            if let Some(facts) = self.groups.get(g as usize) {
                self.ids(facts.members).iter().for_each(|&u| user(u));
                stack.extend_from_slice(self.ids(facts.member_groups));
            }
        }
    }

    /// Why each entry of feature `f` that covers user `u` covers them (for `explain --user`):
    /// entries in file order, each with its reason.
    pub fn coverage_reasons(&self, f: u32, u: UserId) -> Vec<(&EntryFacts, CoverReason)> {
        let mut out = Vec::new();
        let Some(user) = self.users.get(u as usize) else {
            return out;
        };
        let direct = self.ids(user.groups);
        let mut seen = vec![0; self.groups.len()];
        for (walk, e) in (1..).zip(self.features.entries.iter().filter(|e| e.feature == f)) {
            let mut excluded = false;
            self.walk_members(&e.exclude, &mut seen, walk, |m| excluded |= m == u);
            if excluded {
                continue;
            }
            if e.all {
                out.push((e, CoverReason::All));
            } else if e.users.contains(&u) {
                out.push((e, CoverReason::Listed));
            } else if let Some(chain) = self.chain_to(direct, &e.include) {
                out.push((e, CoverReason::Groups(chain)));
            }
        }
        out
    }

    /// A shortest chain from one of `targets` down to one of `start` (direct memberships),
    /// following `member_of` upwards.
    fn chain_to(&self, start: &[GroupId], targets: &[GroupId]) -> Option<Vec<GroupId>> {
        let mut parent: HashMap<GroupId, Option<GroupId>> = HashMap::new();
        let mut queue: std::collections::VecDeque<GroupId> = start.iter().copied().collect();
        for &g in start {
            parent.insert(g, None);
        }
        while let Some(g) = queue.pop_front() {
            if targets.contains(&g) {
                let mut chain = vec![g];
                let mut cur = g;
                while let Some(Some(p)) = parent.get(&cur) {
                    chain.push(*p);
                    cur = *p;
                }
                return Some(chain);
            }
            if let Some(facts) = self.groups.get(g as usize) {
                for &up in self.ids(facts.member_of) {
                    if let std::collections::hash_map::Entry::Vacant(v) = parent.entry(up) {
                        v.insert(Some(g));
                        queue.push_back(up);
                    }
                }
            }
        }
        None
    }
}

impl<'d> Builder<'d, '_, '_> {
    /// Resolves the `features:` block (unknown groups and users are findings) and computes the
    /// coverage of every feature.
    pub(super) fn feature_coverage(
        &mut self,
        model: &TenantModel<'d>,
        group_index: &NameIndex<&'d str, GroupId>,
        upn_index: &NameIndex<UpnKey<'d>, u32>,
    ) -> FeatureCoverage {
        let n_features = self.catalog.features().len();
        let words = n_features.div_ceil(64);
        let mut cov = FeatureCoverage {
            words,
            bits: vec![0; words * model.users.len()],
            entries: Vec::new(),
        };
        let Some(features) = &self.doc.features else {
            return cov;
        };
        // Document index → user id (duplicates are left out of the model).
        let mut user_of_doc = vec![u32::MAX; self.doc.users.len()];
        for (uid, u) in model.users.iter().enumerate() {
            if let Some(slot) = user_of_doc.get_mut(u.doc as usize) {
                *slot = uid as UserId;
            }
        }
        let mut upn_suggester: Option<Suggester<'d>> = None;
        for (fi, fdoc) in features.features.iter().enumerate() {
            // Undeclared names are load errors (`check_declared`); skip them here.
            let Some(feature) = self.catalog.feature(&fdoc.name.value) else {
                continue;
            };
            for (ei, e) in fdoc.entries.iter().enumerate() {
                let mut facts = EntryFacts {
                    feature,
                    doc_feature: fi as u32,
                    doc_entry: ei as u32,
                    all: false,
                    include: Vec::new(),
                    exclude: Vec::new(),
                    users: Vec::new(),
                };
                match &e.include {
                    Some(Include::All(_)) => facts.all = true,
                    Some(Include::Groups(gs)) => {
                        for name in &gs.items {
                            if let Some(g) = self.resolve_included_group(name, group_index) {
                                facts.include.push(g);
                            }
                        }
                    }
                    None => {}
                }
                for name in &e.exclude.items {
                    if let Some(g) = self.resolve_group(name, group_index) {
                        facts.exclude.push(g);
                    }
                }
                for upn in &e.users.items {
                    match upn_index.get(&UpnKey(upn.value.as_str())) {
                        Some(&d) => {
                            if let Some(&u) = user_of_doc.get(d as usize) {
                                facts.users.push(u);
                            }
                        }
                        None => {
                            let suggester = upn_suggester.get_or_insert_with(|| {
                                Suggester::new(self.doc.users.iter().map(|u| u.upn.value.as_str()))
                            });
                            let help = match suggester.suggest(&upn.value) {
                                Some(s) => format!("did you mean `{s}`?"),
                                None => format!(
                                    "define the user under `users:` (`- upn: {}`), or remove the name{}",
                                    upn.value,
                                    super::resolve::stopped_note(suggester)
                                ),
                            };
                            self.unknown_user(upn, help);
                        }
                    }
                }
                cov.entries.push(facts);
            }
        }

        // Each entry costs what it names and reaches, never the tenant's size: a block of 30k
        // one-user entries must not cost 30k passes over 100k users. Marks carry the number of
        // the walk or entry that set them, so nothing is reset between entries.
        let set = |bits: &mut [u64], feature: u32, u: UserId| {
            let at = u as usize * words + (feature / 64) as usize;
            if let Some(w) = bits.get_mut(at) {
                *w |= 1u64 << (feature % 64);
            }
        };
        let mut seen = vec![0u32; model.groups.len()];
        let mut excluded_by = vec![0u32; model.users.len()];
        let mut walk = 0u32;
        // `include: all` entries: a user is covered unless every such entry of the feature
        // excludes them, counted per user (one pass over the users per feature that has any).
        let mut all_entries = vec![0u32; n_features];
        for e in cov.entries.iter().filter(|e| e.all) {
            if let Some(n) = all_entries.get_mut(e.feature as usize) {
                *n += 1;
            }
        }
        let mut exclusions = Vec::new();
        for (feature, &n_all) in (0u32..).zip(&all_entries) {
            if n_all == 0 {
                continue;
            }
            exclusions.clear();
            exclusions.resize(model.users.len(), 0u32);
            for e in cov.entries.iter().filter(|e| e.all && e.feature == feature) {
                walk += 1;
                model.walk_members(&e.exclude, &mut seen, walk, |u| {
                    // Counted once per entry, however many of its groups hold the user.
                    if let Some(by) = excluded_by.get_mut(u as usize)
                        && *by != walk
                    {
                        *by = walk;
                        if let Some(c) = exclusions.get_mut(u as usize) {
                            *c += 1;
                        }
                    }
                });
            }
            for (u, &c) in (0u32..).zip(&exclusions) {
                if c < n_all {
                    set(&mut cov.bits, feature, u);
                }
            }
        }
        // Entries of groups and users: the included, less the excluded (exclusion wins).
        for e in cov.entries.iter().filter(|e| !e.all) {
            walk += 1;
            let entry = walk;
            model.walk_members(&e.exclude, &mut seen, entry, |u| {
                if let Some(by) = excluded_by.get_mut(u as usize) {
                    *by = entry;
                }
            });
            let bits = &mut cov.bits;
            let mut cover = |u: UserId| {
                if excluded_by.get(u as usize).is_some_and(|&by| by != entry) {
                    set(bits, e.feature, u);
                }
            };
            walk += 1;
            model.walk_members(&e.include, &mut seen, walk, &mut cover);
            e.users.iter().for_each(|&u| cover(u));
        }
        cov
    }

    fn unknown_user(&mut self, upn: &'d Spanned<String>, help: String) {
        let f = self
            .finding(
                "tenant/unknown-user",
                upn.span,
                format!("unknown user `{}`", upn.value),
                &upn.value,
            )
            .with_label("no user with this UPN under `users:`")
            .with_help(help);
        self.push(f);
    }
}

#[cfg(test)]
mod tests {
    use crate::compile::Policy;
    use crate::source::SourceFile;
    use crate::tenant::model::TenantModel;
    use crate::tenant::{Limits, load};

    const POLICY: &str = "feature a \"A\"\nfeature b \"B\"\nrule x/y { severity error for tenant require true at tenant message \"m\" }\n";

    fn covered(tenant: &str) -> Vec<(String, Vec<bool>)> {
        let policy = Policy::from_sources(&[SourceFile::new("p.skuld", POLICY)]).unwrap();
        let doc = load(&SourceFile::new("t.yaml", tenant), &Limits::default()).unwrap();
        let mut findings = Vec::new();
        let model = TenantModel::derive(&doc, policy.catalog(), &mut findings);
        (0..model.users.len() as u32)
            .map(|u| {
                let upn = model.user_doc(u).unwrap().upn.value.clone();
                (
                    upn,
                    vec![model.features.covers(0, u), model.features.covers(1, u)],
                )
            })
            .collect()
    }

    #[test]
    fn nesting_at_any_depth_with_a_cycle_and_exclusion_winning() {
        let t = "tenant: t\ngroups:\n  - name: A\n    groups: [C]\n  - name: B\n    groups: [A]\n  - name: C\n    groups: [B]\n  - name: X\nfeatures:\n  a:\n    - include: [A]\n      exclude: [X]\n      users: [z@x]\n  b:\n    - users: [Y@X]\nusers:\n  - upn: c@x\n    groups: [C]\n  - upn: y@x\n  - upn: z@x\n    groups: [X]\n  - upn: n@x\n";
        let got = covered(t);
        assert_eq!(
            got,
            vec![
                ("c@x".to_owned(), vec![true, false]), // C nests in B nests in A (and A in C)
                ("y@x".to_owned(), vec![false, true]), // listed, case-insensitively
                ("z@x".to_owned(), vec![false, false]), // listed but excluded: exclusion wins
                ("n@x".to_owned(), vec![false, false]),
            ]
        );
    }

    #[test]
    fn include_all_covers_everyone_but_the_excluded() {
        let t = "tenant: t\ngroups:\n  - name: X\n  - name: Y\n    groups: [X]\nfeatures:\n  a:\n    - include: all\n      exclude: [X]\nusers:\n  - upn: a@x\n  - upn: b@x\n    groups: [Y]\n";
        let got = covered(t);
        assert_eq!(got[0].1, vec![true, false]);
        assert_eq!(got[1].1, vec![false, false]);
    }

    #[test]
    fn more_than_64_features_use_more_words() {
        let mut p = String::new();
        for i in 0..70 {
            p.push_str(&format!("feature f{i}\n"));
        }
        p.push_str("rule x/y { severity error for user u require f69 in u.features and not (f3 in u.features) at u message \"m\" }\n");
        let policy = Policy::from_sources(&[SourceFile::new("p.skuld", p)]).unwrap();
        let t = "tenant: t\nfeatures:\n  f3:\n    - include: all\n  f69:\n    - users: [a@x]\nusers:\n  - upn: a@x\n  - upn: b@x\n";
        let findings = policy.check(&SourceFile::new("t.yaml", t)).unwrap();
        let subjects: Vec<_> = findings.iter().filter_map(|f| f.subject.clone()).collect();
        assert_eq!(subjects, vec!["a@x".to_owned(), "b@x".to_owned()]);
    }
}
