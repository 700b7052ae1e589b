//! The tenant as rules see it, derived once from a [`TenantDocument`] and the policy's catalog:
//! names resolved, effective licences, SSPR scope, seat use. The contract's `tenant/*` checks
//! happen here, because this is where names are resolved.
//!
//! Lists of ids live in one arena (`ids`) and are addressed by [`IdRange`], so a 100k-user tenant
//! costs a handful of allocations rather than several per user.
//!
//! One file per layer: `resolve` (names resolved, the `tenant/*` checks), `names` (`tenant/suspicious-name`), `groups` (groups and
//! their nesting), `sspr` (SSPR scope), `users` (effective licences), `features` (whom each
//! declared feature covers), `seats` (subscriptions and seat use).

mod features;
mod groups;
mod names;
mod plans;
mod resolve;
mod seats;
mod sspr;
mod users;

use std::collections::HashMap;

pub use features::{CoverReason, FeatureCoverage};
pub use plans::SkuVariant;
pub use resolve::BUILTIN_CHECKS;

use super::document::{LicenseError, SubscriptionStatus, TenantDocument};
use crate::compile::ir::{Catalog, SkuId};
use crate::diagnostics::finding::{Finding, FindingSink};
use crate::source::Span;
use resolve::Builder;

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
    /// Directly assigned SKUs the user holds (known to the catalog; a failed assignment left
    /// out), sorted, one per SKU (plans switched off: a variant id, see `ir::SkuId`).
    pub direct: IdRange,
    /// SKUs from groups the user is a direct member of (a group whose assignment failed for
    /// the user gives none: group licensing is all or nothing), sorted, one per SKU.
    pub via_groups: IdRange,
    /// Effective licences: direct ∪ via groups, sorted, one per SKU, with the plans some
    /// assignment has on.
    pub effective: IdRange,
    /// The effective licences as a set shared by every user who holds the same ones: an index
    /// of [`TenantModel::license_sets`]. A rule that reads the user only through `u.licenses`
    /// is evaluated once per set, and a tenant has far fewer sets than users.
    pub license_set: u32,
    /// Direct group memberships (known groups).
    pub groups: IdRange,
    /// In SSPR scope.
    pub in_sspr_scope: bool,
    /// Synced from on-premises AD.
    pub synced: bool,
    /// Its failed assignments: indices into [`TenantModel::license_errors`].
    pub license_errors: IdRange,
    /// Its licence names the catalog does not know (direct, then from its groups): a range of
    /// [`TenantModel::unknown_licenses`].
    unknown: (u32, u32),
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
    /// The licence is active all the same (`held: true`, Graph's `ActiveWithError`).
    pub held: bool,
    /// The entry in the tenant file.
    pub span: Span,
}

impl LicenseErrorFacts {
    /// Whether the failure takes the licence away: not when it is held (`ActiveWithError`), nor
    /// for a `DependencyViolation`, which is a failed *removal*.
    pub fn takes_licence(&self) -> bool {
        !self.held && self.error != LicenseError::DependencyViolation
    }
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
    /// Prepaid seats, all entries for this SKU together; `None` when an entry does not say
    /// (the number is unknown).
    pub seats: Option<u64>,
    /// Users who effectively hold the SKU (one seat each, however many ways they hold it).
    pub used: u64,
    /// The state of the subscription: the worst of its entries' (`status:`, contract v3).
    pub status: SubscriptionStatus,
    /// Every entry is a trial (`trial: true`).
    pub trial: bool,
    /// The earliest `ends:` of its entries.
    pub ends: Option<crate::date::Date>,
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
    /// The SKU (the catalog SKU: subscriptions and seats are per SKU).
    pub sku: SkuId,
    /// The SKU as the entry gives it: with the variant of its switched-off plans, if any.
    pub held: SkuId,
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
    /// Unknown SKU names of users' licences, user by user, each with its entry in the file.
    unknown_names: Vec<String>,
    unknown_spans: Vec<Span>,
    /// `country`, when present.
    pub country: Option<&'d str>,
    /// Whom each declared feature covers (`features:`).
    pub features: FeatureCoverage,
    /// The distinct sets of effective licences, in order of first holder (see
    /// [`UserFacts::license_set`]).
    pub license_sets: Vec<IdRange>,
    /// The SKUs with plans switched off that licences hold: variant `v` of a held
    /// [`SkuId`] is `sku_variants[v - 1]`.
    sku_variants: Vec<SkuVariant>,
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

    /// The licence names of user `u` that the catalog does not know (`u.unknown_licenses`).
    pub fn unknown_licenses(&self, u: UserId) -> &[String] {
        self.users
            .get(u as usize)
            .and_then(|f| {
                self.unknown_names
                    .get(f.unknown.0 as usize..f.unknown.1 as usize)
            })
            .unwrap_or_default()
    }

    /// Where the first unknown licence name of user `u` is written.
    pub fn unknown_license_span(&self, u: UserId) -> Option<Span> {
        self.users
            .get(u as usize)
            .and_then(|f| self.unknown_spans.get(f.unknown.0 as usize))
            .filter(|_| !self.unknown_licenses(u).is_empty())
            .copied()
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
        Self::derive_into(doc, catalog, findings)
    }

    /// [`TenantModel::derive`] into any sink (a capped one keeps memory bounded).
    pub(crate) fn derive_into(
        doc: &'d TenantDocument,
        catalog: &Catalog,
        findings: &mut dyn FindingSink,
    ) -> Self {
        let mut b = Builder {
            doc,
            catalog,
            findings,
            help_memo: HashMap::new(),
            sku_suggester: None,
            group_suggester: None,
            variants: plans::Variants::default(),
        };
        b.build()
    }
}

impl<'d> Builder<'d, '_, '_> {
    /// The stages in order; the order of the `tenant/*` findings follows it.
    fn build(&mut self) -> TenantModel<'d> {
        let doc = self.doc;
        let mut model = TenantModel {
            doc,
            users: Vec::with_capacity(doc.users.len()),
            groups: Vec::with_capacity(doc.groups.len()),
            subscriptions: Vec::new(),
            assignments: Vec::new(),
            license_errors: Vec::new(),
            unknown_names: Vec::new(),
            unknown_spans: Vec::new(),
            subscribed: Vec::new(),
            country: doc.country.as_ref().map(|c| c.value.as_str()),
            features: FeatureCoverage::default(),
            license_sets: Vec::new(),
            sku_variants: Vec::new(),
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
        self.suspicious_names();

        let group_index = self.groups(&mut model);
        let (scope, in_scope_group) = self.sspr_scope(&model, &group_index);
        self.users(&mut model, &group_index, scope, &in_scope_group);
        self.seats(&mut model);
        model
    }
}
