//! The tenant as rules see it, derived once from a [`TenantDocument`] and the policy's catalog:
//! names resolved, effective licences, SSPR scope, seat use. The contract's `tenant/*` checks
//! happen here, because this is where names are resolved.
//!
//! Lists of ids live in one arena (`ids`) and are addressed by [`IdRange`], so a 100k-user tenant
//! costs a handful of allocations rather than several per user.

use std::collections::HashMap;

mod features;
pub use features::{CoverReason, EntryFacts, FeatureCoverage};

use super::country;
use super::document::{LicenseError, Spanned, SsprScope, TenantDocument, UserSource};
use crate::compile::ir::{Catalog, SkuId};
use crate::diagnostics::suggest::Suggester;
use crate::eval::Severity;
use crate::eval::finding::{Finding, FindingOrigin};
use crate::source::Span;

/// Index of a user in [`TenantModel::users`].
pub type UserId = u32;
/// Index of a group in [`TenantModel::groups`].
pub type GroupId = u32;

/// A slice of [`TenantModel::ids`].
#[derive(Debug, Clone, Copy, Default)]
pub struct IdRange {
    start: u32,
    len: u32,
}

/// A user, resolved.
#[derive(Debug, Clone)]
pub struct UserFacts {
    /// Index into the document's users.
    pub doc: u32,
    /// Directly assigned SKUs (known to the catalog), sorted.
    pub direct: IdRange,
    /// SKUs from groups the user is a direct member of, sorted.
    pub via_groups: IdRange,
    /// Effective licences: direct ∪ via groups, sorted.
    pub effective: IdRange,
    /// Direct group memberships (known groups).
    pub groups: IdRange,
    /// In SSPR scope.
    pub in_sspr_scope: bool,
    /// Synced from on-premises AD.
    pub synced: bool,
    /// Its failed assignments: indices into [`TenantModel::license_errors`].
    pub license_errors: IdRange,
}

/// A licence assignment Microsoft Graph reports as failed (a user's `license_errors:` entry).
#[derive(Debug, Clone)]
pub struct LicenseErrorFacts {
    /// The SKU that could not be assigned.
    pub sku: SkuId,
    /// Why.
    pub error: LicenseError,
    /// The group whose assignment failed; `None` for a direct assignment (or an unknown group,
    /// which is reported as `tenant/unknown-group`).
    pub group: Option<GroupId>,
    /// The entry in the tenant file.
    pub span: Span,
}

/// A group, resolved.
#[derive(Debug, Clone)]
pub struct GroupFacts {
    /// Index into the document's groups.
    pub doc: u32,
    /// SKUs it assigns (known to the catalog), sorted.
    pub licenses: IdRange,
    /// Groups it is a member of (its `groups:`).
    pub member_of: IdRange,
    /// Groups that are members of it.
    pub member_groups: IdRange,
    /// Users that are direct members of it.
    pub members: IdRange,
}

/// A subscribed SKU (entries for the same SKU are added up).
#[derive(Debug, Clone)]
pub struct SubscriptionFacts {
    /// The SKU.
    pub sku: SkuId,
    /// Prepaid seats, all entries for this SKU together.
    pub seats: u64,
    /// Users who effectively hold the SKU (one seat each, however many ways they hold it).
    pub used: u64,
    /// Groups that assign the SKU, in file order.
    pub groups: IdRange,
    /// The other SKUs those groups assign, sorted: group licensing is all-or-nothing per group,
    /// so a member the group cannot give this SKU (no seat left) gets none of them from it.
    pub at_risk: IdRange,
    /// Index of the first entry in the document's subscriptions.
    pub doc: u32,
}

/// Who holds an assignment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Holder {
    /// Assigned directly to a user.
    User(UserId),
    /// Assigned to a group.
    Group(GroupId),
}

/// One licence entry of a user or a group.
#[derive(Debug, Clone)]
pub struct AssignmentFacts {
    /// The SKU.
    pub sku: SkuId,
    /// Who it is assigned to.
    pub holder: Holder,
    /// The list item in the tenant file.
    pub span: Span,
}

/// The derived tenant.
#[derive(Debug)]
pub struct TenantModel<'d> {
    /// The document it was derived from.
    pub doc: &'d TenantDocument,
    /// Users, duplicates left out.
    pub users: Vec<UserFacts>,
    /// Groups, duplicates left out.
    pub groups: Vec<GroupFacts>,
    /// Subscribed SKUs, one per SKU, in file order.
    pub subscriptions: Vec<SubscriptionFacts>,
    /// Every licence entry, in file order.
    pub assignments: Vec<AssignmentFacts>,
    /// Every failed assignment, in file order.
    pub license_errors: Vec<LicenseErrorFacts>,
    /// SKUs with a subscription, sorted.
    pub subscribed: Vec<SkuId>,
    /// `country`, when present.
    pub country: Option<&'d str>,
    /// Whom each declared feature covers (`features:`).
    pub features: FeatureCoverage,
    ids: Vec<u32>,
}

impl<'d> TenantModel<'d> {
    /// The ids in a range.
    pub fn ids(&self, r: IdRange) -> &[u32] {
        self.ids
            .get(r.start as usize..(r.start + r.len) as usize)
            .unwrap_or(&[])
    }

    /// The document entry of a user.
    pub fn user_doc(&self, u: UserId) -> Option<&'d super::document::UserDocument> {
        let doc: &'d TenantDocument = self.doc;
        self.users
            .get(u as usize)
            .and_then(|f| doc.users.get(f.doc as usize))
    }

    /// The document entry of a group.
    pub fn group_doc(&self, g: GroupId) -> Option<&'d super::document::GroupDocument> {
        let doc: &'d TenantDocument = self.doc;
        self.groups
            .get(g as usize)
            .and_then(|f| doc.groups.get(f.doc as usize))
    }

    /// True when subscriptions are tracked (the `subscriptions` key is present).
    pub fn subscriptions_tracked(&self) -> bool {
        self.doc.subscriptions.is_some()
    }

    fn push_ids(&mut self, ids: &[u32]) -> IdRange {
        let start = self.ids.len() as u32;
        self.ids.extend_from_slice(ids);
        IdRange {
            start,
            len: ids.len() as u32,
        }
    }

    /// Derives the model; `findings` receives the `tenant/*` findings.
    pub fn derive(doc: &'d TenantDocument, catalog: &Catalog, findings: &mut Vec<Finding>) -> Self {
        let mut b = Builder {
            doc,
            catalog,
            findings,
            help_memo: HashMap::new(),
            sku_suggester: None,
            group_suggester: None,
        };
        b.build()
    }
}

struct Builder<'d, 'c, 'f> {
    doc: &'d TenantDocument,
    catalog: &'c Catalog,
    findings: &'f mut Vec<Finding>,
    /// Did-you-mean help per unknown name: the same typo often recurs across a tenant.
    help_memo: HashMap<(bool, &'d str), String>,
    /// Prepared on the first unknown SKU / group.
    sku_suggester: Option<Suggester<'c>>,
    group_suggester: Option<Suggester<'d>>,
}

impl<'d> Builder<'d, '_, '_> {
    fn finding(&self, rule: &'static str, span: Span, message: String, subject: &str) -> Finding {
        Finding::new(
            rule.to_owned(),
            builtin_severity(rule),
            message,
            Some(subject.to_owned()),
            self.doc.source.clone(),
            span,
            FindingOrigin::Builtin,
        )
    }

    fn push(&mut self, finding: Finding) {
        self.findings.push(finding);
    }

    fn resolve_sku(&mut self, name: &'d Spanned<String>) -> Option<SkuId> {
        // By part number, or by GUID (Graph `skuId`, any case), as an import may write it.
        if let Some(id) = self.catalog.resolve(&name.value) {
            return Some(id);
        }
        let catalog = self.catalog;
        let suggester = self
            .sku_suggester
            .get_or_insert_with(|| Suggester::new(catalog.part_numbers()));
        let help = self.help_memo.entry((true, name.value.as_str())).or_insert_with(|| match suggester.suggest(&name.value) {
            Some(s) => {
                let display = catalog
                    .get(s)
                    .and_then(|id| catalog.sku(id))
                    .map_or(String::new(), |k| format!(" ({})", k.display));
                format!("did you mean `{s}`{display}?")
            }
            None => "SKUs are named by part number (Graph `skuPartNumber`, e.g. `ENTERPRISEPACK`) or GUID (`skuId`); a SKU the default catalog lacks can be declared in a policy file passed with `--policy`".to_owned(),
        }).clone();
        let f = self
            .finding(
                "tenant/unknown-sku",
                name.span,
                format!("unknown SKU `{}`", name.value),
                &name.value,
            )
            .with_label("not in the policy's SKU catalog")
            .with_help(help);
        self.push(f);
        None
    }

    fn resolve_group(
        &mut self,
        name: &'d Spanned<String>,
        index: &HashMap<&'d str, GroupId>,
    ) -> Option<GroupId> {
        if let Some(&g) = index.get(name.value.as_str()) {
            return Some(g);
        }
        let suggester = self
            .group_suggester
            .get_or_insert_with(|| Suggester::new(index.keys().copied()));
        let help = self
            .help_memo
            .entry((false, name.value.as_str()))
            .or_insert_with(|| match suggester.suggest(&name.value) {
                Some(s) => format!("did you mean `{s}`?"),
                None => format!("define it under `groups:` (`- name: {}`)", name.value),
            })
            .clone();
        let f = self
            .finding(
                "tenant/unknown-group",
                name.span,
                format!("unknown group `{}`", name.value),
                &name.value,
            )
            .with_label("no group of this name under `groups:`")
            .with_help(help);
        self.push(f);
        None
    }

    fn check_country(&mut self, value: &Spanned<String>) {
        if country::is_country_code(&value.value) {
            return;
        }
        let help = country::country_hint(&value.value).unwrap_or_else(|| {
            "use an ISO 3166-1 alpha-2 code such as `US`, `GB`, `DE` or `NO`".to_owned()
        });
        let f = self
            .finding(
                "tenant/invalid-country",
                value.span,
                format!(
                    "`{}` is not an ISO 3166-1 alpha-2 country code",
                    value.value
                ),
                &value.value,
            )
            .with_label("not a country code")
            .with_help(help);
        self.push(f);
    }

    fn build(&mut self) -> TenantModel<'d> {
        let doc = self.doc;
        let mut model = TenantModel {
            doc,
            users: Vec::with_capacity(doc.users.len()),
            groups: Vec::with_capacity(doc.groups.len()),
            subscriptions: Vec::new(),
            assignments: Vec::new(),
            license_errors: Vec::new(),
            subscribed: Vec::new(),
            country: doc.country.as_ref().map(|c| c.value.as_str()),
            features: FeatureCoverage::default(),
            ids: Vec::with_capacity(doc.users.len() * 6),
        };

        for b in &doc.yaml11_booleans {
            let f = self.finding(
                "tenant/yaml11-boolean",
                b.span,
                format!("`{}` is read as the string `{}` here, but YAML 1.1 tools read it as a boolean", b.value, b.value),
                &b.value,
            )
            .with_label("unquoted")
            .with_help(format!("quote it (`\"{}\"`) so that every YAML reader agrees", b.value));
            self.push(f);
        }
        if let Some(c) = &doc.country {
            self.check_country(c);
        }

        // Groups: names first, so that references in any order resolve.
        let mut group_index: HashMap<&'d str, GroupId> = HashMap::with_capacity(doc.groups.len());
        let mut group_docs: Vec<u32> = Vec::with_capacity(doc.groups.len());
        for (i, g) in doc.groups.iter().enumerate() {
            if let Some(&first) = group_index.get(g.name.value.as_str()) {
                let first_span = group_docs
                    .get(first as usize)
                    .and_then(|&d| doc.groups.get(d as usize))
                    .map(|f| f.span);
                let mut f = self
                    .finding(
                        "tenant/duplicate-group",
                        g.span,
                        format!("group `{}` is defined twice", g.name.value),
                        &g.name.value,
                    )
                    .with_label("defined again here")
                    .with_help("merge the two entries; group names must be unique".to_owned());
                if let Some(s) = first_span {
                    f.add_label(s, "first defined here".to_owned());
                }
                self.push(f);
                continue;
            }
            group_index.insert(g.name.value.as_str(), group_docs.len() as GroupId);
            group_docs.push(i as u32);
        }

        let mut scratch: Vec<u32> = Vec::new();
        let mut member_groups: Vec<Vec<GroupId>> = vec![Vec::new(); group_docs.len()];
        for (gid, &d) in group_docs.iter().enumerate() {
            let Some(g) = doc.groups.get(d as usize) else {
                continue;
            };
            scratch.clear();
            for name in &g.licenses.items {
                if let Some(s) = self.resolve_sku(name) {
                    scratch.push(s);
                    model.assignments.push(AssignmentFacts {
                        sku: s,
                        holder: Holder::Group(gid as GroupId),
                        span: name.span,
                    });
                }
            }
            scratch.sort_unstable();
            scratch.dedup();
            let licenses = model.push_ids(&scratch);
            scratch.clear();
            for parent in &g.groups.items {
                if let Some(p) = self.resolve_group(parent, &group_index) {
                    // A group listed as a member of itself (Entra ID cannot express it) adds
                    // nobody: it is not a nested group.
                    if p == gid as GroupId || scratch.contains(&p) {
                        continue;
                    }
                    scratch.push(p);
                    if let Some(children) = member_groups.get_mut(p as usize) {
                        children.push(gid as GroupId);
                    }
                }
            }
            let member_of = model.push_ids(&scratch);
            model.groups.push(GroupFacts {
                doc: d,
                licenses,
                member_of,
                member_groups: IdRange::default(),
                members: IdRange::default(),
            });
        }
        for (g, children) in member_groups.iter().enumerate() {
            let r = model.push_ids(children);
            if let Some(facts) = model.groups.get_mut(g) {
                facts.member_groups = r;
            }
        }

        // SSPR scope: the selected group and every group nested in it, at any depth.
        let sspr = doc.sspr.as_ref();
        let scope = sspr.map_or(SsprScope::None, |s| s.scope.value);
        let mut in_scope_group = vec![false; model.groups.len()];
        if scope == SsprScope::Selected {
            if let Some(root) = sspr
                .and_then(|s| s.group.as_ref())
                .and_then(|name| self.resolve_group(name, &group_index))
            {
                let mut stack = vec![root];
                while let Some(g) = stack.pop() {
                    match in_scope_group.get_mut(g as usize) {
                        Some(seen) if !*seen => *seen = true,
                        _ => continue,
                    }
                    if let Some(facts) = model.groups.get(g as usize) {
                        stack.extend_from_slice(model.ids(facts.member_groups));
                    }
                }
            }
        }

        // Users.
        let mut upn_index: HashMap<UpnKey<'d>, u32> = HashMap::with_capacity(doc.users.len());
        let mut members: Vec<Vec<UserId>> = vec![Vec::new(); model.groups.len()];
        let mut direct: Vec<u32> = Vec::new();
        let mut effective: Vec<u32> = Vec::new();
        let mut groups: Vec<u32> = Vec::new();
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
                            format!("user `{}` is listed twice (as `{first_upn}` before; UPNs ignore case)", u.upn.value)
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
            let uid = model.users.len() as UserId;
            direct.clear();
            for name in &u.licenses.items {
                if let Some(s) = self.resolve_sku(name) {
                    direct.push(s);
                    model.assignments.push(AssignmentFacts {
                        sku: s,
                        holder: Holder::User(uid),
                        span: name.span,
                    });
                }
            }
            direct.sort_unstable();
            direct.dedup();
            groups.clear();
            for name in &u.groups.items {
                if let Some(g) = self.resolve_group(name, &group_index) {
                    if !groups.contains(&g) {
                        groups.push(g);
                        if let Some(m) = members.get_mut(g as usize) {
                            m.push(uid);
                        }
                    }
                }
            }
            // Group-based licensing reaches direct members only: no walk up the nesting.
            effective.clear();
            for &g in &groups {
                if let Some(facts) = model.groups.get(g as usize) {
                    effective.extend_from_slice(model.ids(facts.licenses));
                }
            }
            effective.sort_unstable();
            effective.dedup();
            let via_groups = model.push_ids(&effective);
            effective.extend_from_slice(&direct);
            effective.sort_unstable();
            effective.dedup();
            let in_sspr_scope = match scope {
                SsprScope::None => false,
                SsprScope::All => true,
                SsprScope::Selected => groups
                    .iter()
                    .any(|&g| in_scope_group.get(g as usize).copied().unwrap_or(false)),
            };
            // Failed assignments: an unknown SKU or group is reported like anywhere else.
            let errors_start = model.license_errors.len() as u32;
            for e in &u.license_errors.items {
                let group = match &e.group {
                    Some(name) => match self.resolve_group(name, &group_index) {
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
            let direct_r = model.push_ids(&direct);
            let effective_r = model.push_ids(&effective);
            let groups_r = model.push_ids(&groups);
            model.users.push(UserFacts {
                doc: i as u32,
                direct: direct_r,
                via_groups,
                effective: effective_r,
                groups: groups_r,
                in_sspr_scope,
                synced: u
                    .source
                    .as_ref()
                    .is_some_and(|s| s.value == UserSource::Synced),
                license_errors,
            });
        }
        for (g, m) in members.iter().enumerate() {
            let r = model.push_ids(m);
            if let Some(facts) = model.groups.get_mut(g) {
                facts.members = r;
            }
        }
        model.features = self.feature_coverage(&model, &group_index, &upn_index);

        // Subscriptions and seat use.
        if let Some(subs) = &doc.subscriptions {
            let mut by_sku: HashMap<SkuId, usize> = HashMap::new();
            for (i, s) in subs.items.iter().enumerate() {
                let Some(sku) = self.resolve_sku(&s.sku) else {
                    continue;
                };
                match by_sku.get(&sku) {
                    Some(&k) => {
                        if let Some(existing) = model.subscriptions.get_mut(k) {
                            existing.seats = existing.seats.saturating_add(s.seats.value);
                        }
                    }
                    None => {
                        by_sku.insert(sku, model.subscriptions.len());
                        model.subscriptions.push(SubscriptionFacts {
                            sku,
                            seats: s.seats.value,
                            used: 0,
                            groups: IdRange::default(),
                            at_risk: IdRange::default(),
                            doc: i as u32,
                        });
                    }
                }
            }
            let mut used = vec![0u64; self.catalog.skus().len()];
            for u in &model.users {
                for &s in model.ids(u.effective) {
                    if let Some(n) = used.get_mut(s as usize) {
                        *n += 1;
                    }
                }
            }
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
                    if licenses.contains(&sku) {
                        groups.push(g as GroupId);
                        at_risk.extend(licenses.iter().copied().filter(|&k| k != sku));
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
        model
    }
}

/// A UPN that hashes and compares ignoring case, without allocating a lower-cased copy.
#[derive(Debug, Clone, Copy)]
struct UpnKey<'a>(&'a str);

impl UpnKey<'_> {
    fn folded(&self) -> impl Iterator<Item = char> + '_ {
        self.0.chars().flat_map(char::to_lowercase)
    }
}

impl std::hash::Hash for UpnKey<'_> {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        if self.0.is_ascii() {
            for b in self.0.bytes() {
                state.write_u8(b.to_ascii_lowercase());
            }
        } else {
            for c in self.folded() {
                let mut buf = [0u8; 4];
                state.write(c.encode_utf8(&mut buf).as_bytes());
            }
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

/// The checks built into the tenant loader, with their fixed severities. Their ids are public
/// like those of policy rules; each is documented in `docs/rules/`.
pub const BUILTIN_CHECKS: &[(&str, Severity, &str)] = &[
    (
        "tenant/unknown-sku",
        Severity::Error,
        "a SKU name that is not in the policy's catalog",
    ),
    (
        "tenant/unknown-group",
        Severity::Error,
        "a group name not defined under `groups`",
    ),
    (
        "tenant/duplicate-user",
        Severity::Error,
        "two users share a UPN (case-insensitive)",
    ),
    (
        "tenant/duplicate-group",
        Severity::Error,
        "two groups share a name",
    ),
    (
        "tenant/unknown-user",
        Severity::Error,
        "a UPN in a feature's `users` that no user has",
    ),
    (
        "tenant/invalid-country",
        Severity::Error,
        "a country or usage location that is not an ISO 3166-1 alpha-2 code",
    ),
    (
        "tenant/yaml11-boolean",
        Severity::Warning,
        "an unquoted value that YAML 1.1 tools read as a boolean (`NO`, `yes`, `on`)",
    ),
];

fn builtin_severity(rule: &str) -> Severity {
    BUILTIN_CHECKS
        .iter()
        .find(|(id, _, _)| *id == rule)
        .map_or(Severity::Error, |(_, s, _)| *s)
}
