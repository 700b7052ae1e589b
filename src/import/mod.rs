//! `skuld import graph`: Microsoft Graph responses saved in a folder → tenant YAML.
//!
//! [`graph`] reads the files (pages, JSON, the fields skuld needs); this module maps them to the
//! contract's tenant format ([`emit::Tenant`]); [`emit`] writes the YAML. The mapping (see
//! docs/import.md): seats from `prepaidUnits.enabled`; a user's direct licences from the
//! `licenseAssignmentStates` without `assignedByGroup` (group licences are recorded once, on the
//! group); `source: synced` only for `onPremisesSyncEnabled: true`; memberships and nesting from
//! the groups' direct members; SKU GUIDs named by part number through the policy's catalog;
//! failed assignments kept as `license_errors`.

pub mod auth;
pub mod emit;
mod features;
pub mod graph;
pub mod live;
mod locate;
pub(crate) mod plans;
mod scratch;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

use miette::Diagnostic;
use thiserror::Error;

use crate::compile::Catalog;
use crate::source::{SourceFile, Span};
use crate::tenant::document::LicenseError;
use emit::{FailedAssignment, SkuName};

/// The most members Graph returns for a group through `$expand` (a documented known issue).
const EXPAND_LIMIT: usize = 100;

/// The result of an import: the tenant and what the reader should know about it.
#[derive(Debug)]
pub struct Import {
    /// The tenant, sorted.
    pub tenant: emit::Tenant,
    /// Warnings: unknown SKU ids, unknown groups, truncated member lists, ….
    pub warnings: Vec<miette::Report>,
    /// Features not imported because their responses were not saved (one line each).
    pub notes: Vec<String>,
    /// Other things left out of the tenant, and why (one line each).
    pub remarks: Vec<String>,
}

/// Something in the responses skuld keeps but cannot map cleanly (reported as a warning).
#[derive(Debug, Error)]
#[error("{message}")]
pub struct ImportWarning {
    message: String,
    /// `skuld::import::…`
    code: &'static str,
    src: Option<SourceFile>,
    span: Option<Span>,
    label: String,
    help: Option<String>,
}

impl Diagnostic for ImportWarning {
    fn code<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        Some(Box::new(self.code))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(miette::Severity::Warning)
    }

    fn help<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn std::fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.src.as_ref().map(|s| s as &dyn miette::SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = miette::LabeledSpan> + '_>> {
        let span = self.span?;
        Some(Box::new(std::iter::once(
            miette::LabeledSpan::new_with_span(Some(self.label.clone()), span),
        )))
    }
}

/// The most warnings of one kind an import reports; past it they are counted (260,000 users
/// without a UPN printed 90 MB of warnings).
pub const MAX_WARNINGS_PER_KIND: usize = 1_000;

/// The import's warnings, at most [`MAX_WARNINGS_PER_KIND`] of each kind (code), in the order
/// they came; past the cap each kind is counted and said once, exactly.
#[derive(Debug, Default)]
struct Warnings {
    kept: Vec<miette::Report>,
    per_kind: BTreeMap<String, usize>,
}

impl Warnings {
    fn push(&mut self, w: miette::Report) {
        let kind = w.code().map(|c| c.to_string()).unwrap_or_default();
        let n = self.per_kind.entry(kind).or_insert(0);
        *n += 1;
        if *n <= MAX_WARNINGS_PER_KIND {
            self.kept.push(w);
        }
    }

    /// The kept warnings, then one per kind that passed the cap: "and N more".
    fn finish(mut self) -> Vec<miette::Report> {
        for (kind, n) in &self.per_kind {
            if let Some(more) = n.checked_sub(MAX_WARNINGS_PER_KIND).filter(|m| *m > 0) {
                self.kept.push(warning(
                    "skuld::import::too-many-warnings",
                    format!("and {more} more `{kind}` warnings ({n} in all; the first {MAX_WARNINGS_PER_KIND} are shown)"),
                    None,
                    "",
                    "",
                    None,
                ));
            }
        }
        self.kept
    }
}

/// A warning about the place in `src` where `needle` first occurs (a GUID, an id).
fn warning(
    code: &'static str,
    message: String,
    src: Option<&SourceFile>,
    needle: &str,
    label: &str,
    help: Option<String>,
) -> miette::Report {
    // Prefer the id where it is a `skuId` (a subscribed SKU's `id` also contains it).
    let span = src.and_then(|s| locate::first_place(s, needle));
    // On a line too long to show, the place goes into the message instead.
    let (span, message) = match (span, src) {
        (Some(sp), Some(file)) if !graph::showable(file, sp) => {
            let (line, column) = file.line_col(sp.start as usize);
            (None, format!("{message} ({}:{line}:{column})", file.name()))
        }
        _ => (span, message),
    };
    miette::Report::new(ImportWarning {
        message,
        code,
        src: span.and(src.cloned()),
        span,
        label: label.to_owned(),
        help,
    })
}

/// Reads the responses in `dir` and maps them to a tenant, naming SKUs through `catalog`.
/// `today` (YYYY-MM-DD) decides which PIM schedules have ended. `Err` holds every error that
/// stops the import.
pub fn graph(dir: &Path, catalog: &Catalog, today: &str) -> Result<Import, Vec<miette::Report>> {
    graph_as(dir, &dir.display().to_string(), catalog, today)
}

/// [`graph`], the header naming the responses' origin as `shown` (the Graph endpoint of a live
/// import whose responses are not kept).
fn graph_as(
    dir: &Path,
    shown: &str,
    catalog: &Catalog,
    today: &str,
) -> Result<Import, Vec<miette::Report>> {
    let r = graph::read(dir).map_err(|errors| {
        errors
            .into_iter()
            .map(miette::Report::new)
            .collect::<Vec<_>>()
    })?;
    Ok(Mapper::new(catalog, &r).map(dir, shown, &r, today))
}

struct Mapper<'c, 'r> {
    catalog: &'c Catalog,
    /// `skuId` (lower case) → `skuPartNumber` as the tenant's `subscribedSkus` names it.
    subscribed_parts: HashMap<String, &'r str>,
    /// SKU ids already warned about.
    warned_skus: BTreeSet<String>,
    /// Service plan ids already warned about.
    warned_plans: BTreeSet<String>,
    warnings: Warnings,
    remarks: Vec<String>,
}

impl<'c, 'r> Mapper<'c, 'r> {
    fn new(catalog: &'c Catalog, r: &'r graph::Responses) -> Self {
        let subscribed_parts = r
            .skus
            .items
            .iter()
            .filter_map(|(s, _)| {
                s.sku_part_number
                    .as_deref()
                    .filter(|p| !p.trim().is_empty())
                    .map(|p| (s.sku_id.to_ascii_lowercase(), p.trim()))
            })
            .collect();
        Mapper {
            catalog,
            subscribed_parts,
            warned_skus: BTreeSet::new(),
            warned_plans: BTreeSet::new(),
            warnings: Warnings::default(),
            remarks: Vec::new(),
        }
    }

    /// The name to write for a Graph `skuId`: the catalog's part number; else the part number
    /// `subscribedSkus` gives (the catalog lacks it: `skuld check` will say so); else the GUID
    /// itself with a comment. Each unmapped id is reported once, at its first place in `src`.
    fn sku(&mut self, guid: &str, src: &SourceFile) -> SkuName {
        let guid = guid.trim();
        if let Some(sku) = self
            .catalog
            .by_guid(guid)
            .and_then(|id| self.catalog.sku(id))
        {
            return SkuName {
                name: sku.part.clone(),
                comment: None,
            };
        }
        let key = guid.to_ascii_lowercase();
        let first = self.warned_skus.insert(key.clone());
        match self.subscribed_parts.get(&key) {
            Some(part) => {
                if first {
                    self.warnings.push(warning(
                        "skuld::import::sku-not-in-catalog",
                        format!("SKU `{part}` (`{guid}`) is not in the policy's SKU catalog"),
                        Some(src),
                        guid,
                        "this SKU id",
                        Some(format!(
                            "it is written as `{part}`, which `skuld check` reports as `tenant/unknown-sku` until a policy file declares it: `sku {part} \"Product name\" {{ paid id \"{guid}\" }}` passed with `--policy`"
                        )),
                    ));
                }
                SkuName {
                    name: (*part).to_owned(),
                    comment: Some(format!("skuId {guid}: not in the policy's catalog")),
                }
            }
            None => {
                if first {
                    self.warnings.push(warning(
                        "skuld::import::unknown-sku-id",
                        format!("unknown SKU id `{guid}`: neither the policy's catalog nor `subscribedSkus` names it"),
                        Some(src),
                        guid,
                        "this SKU id",
                        Some("it is kept as the GUID (with a comment); declare the SKU with `id \"GUID\"` in a policy file passed with `--policy`, or check that `subscribedSkus.json` is complete".to_owned()),
                    ));
                }
                SkuName {
                    name: guid.to_owned(),
                    comment: Some(
                        "unknown SKU id: not in the policy's catalog nor in subscribedSkus"
                            .to_owned(),
                    ),
                }
            }
        }
    }

    fn map(mut self, dir: &Path, shown: &str, r: &'r graph::Responses, today: &str) -> Import {
        let (name, country) = self.organization(r);
        let subscriptions = self.subscriptions(r);
        // A group listed twice (overlapping pages) counts once.
        let mut seen = BTreeSet::new();
        let unique: Vec<&'r (graph::Group, usize)> = r
            .groups
            .items
            .iter()
            .filter(|(g, _)| seen.insert(g.id.as_str()))
            .collect();
        let names = self.group_names(r, &unique);
        let (user_groups, parent_groups) = self.memberships(r, &unique, &names);
        let groups = self.groups(r, &unique, &names, parent_groups);
        let users = self.users(r, &names, user_groups);
        let upns = r
            .users
            .items
            .iter()
            .filter_map(|(u, _)| {
                let upn = u.user_principal_name.as_deref()?;
                (!upn.trim().is_empty()).then_some((u.id.as_str(), upn))
            })
            .collect();
        let features = features::map(
            self.catalog,
            &r.features,
            &features::Names {
                users: upns,
                groups: &names,
            },
            today,
        );
        for w in features.warnings {
            self.warnings.push(w);
        }
        locate::forget();
        Import {
            tenant: emit::Tenant {
                header: header(dir, shown, r),
                name,
                country,
                subscriptions: Some(subscriptions),
                groups,
                users,
                features: features.features,
                imported_features: features.imported,
            },
            warnings: self.warnings.finish(),
            notes: features.notes,
            remarks: self.remarks,
        }
    }

    /// The tenant's name (its initial `*.onmicrosoft.com` domain) and country.
    fn organization(&mut self, r: &graph::Responses) -> (String, Option<String>) {
        let org = r.organization.items.first().map(|(o, _)| o);
        let name = org
            .and_then(|o| {
                o.verified_domains
                    .iter()
                    .find(|d| d.is_initial)
                    .and_then(|d| d.name.clone())
                    .filter(|n| !n.trim().is_empty())
                    .or_else(|| o.display_name.clone())
            })
            .filter(|n| !n.trim().is_empty())
            .unwrap_or_else(|| {
                self.warnings.push(warning(
                    "skuld::import::no-tenant-name",
                    "`organization.json` names no tenant (no initial verified domain, no display name)".to_owned(),
                    None,
                    "",
                    "",
                    Some("the tenant is written as `unknown`; select `verifiedDomains` and `displayName`".to_owned()),
                ));
                "unknown".to_owned()
            });
        let country = org
            .and_then(|o| o.country_letter_code.clone())
            .filter(|c| !c.trim().is_empty());
        (name, country)
    }

    /// Seats are the prepaid units that work (`enabled` + `warning`), entries for one SKU add
    /// up, and the status is the best of theirs; `trial` and `ends` come from
    /// `subscriptions.json`.
    fn subscriptions(&mut self, r: &graph::Responses) -> Vec<emit::Subscription> {
        let mut subs: BTreeMap<SkuName, emit::Subscription> = BTreeMap::new();
        for (s, file) in &r.skus.items {
            let Some(src) = r.skus.files.get(*file) else {
                continue;
            };
            let name = self.sku(&s.sku_id, src);
            let capability = s.capability_status.as_deref().map(str::trim).unwrap_or("");
            let status = match capability.to_ascii_lowercase().as_str() {
                "" | "enabled" => emit::SubscriptionStatus::Enabled,
                "warning" => emit::SubscriptionStatus::Warning,
                "suspended" => emit::SubscriptionStatus::Suspended,
                "lockedout" => emit::SubscriptionStatus::LockedOut,
                "deleted" => {
                    self.warnings.push(warning(
                        "skuld::import::subscription-deleted",
                        format!("subscription `{}` is `Deleted`: left out", name.name),
                        Some(src),
                        &s.sku_id,
                        "this SKU",
                        Some("a deleted subscription gives no licences; users who still hold the SKU are reported by `licensing/unsubscribed-sku`".to_owned()),
                    ));
                    continue;
                }
                other => {
                    self.warnings.push(warning(
                        "skuld::import::unknown-status",
                        format!("subscription `{}` has the `capabilityStatus` `{other}`, which skuld does not know: written as enabled", name.name),
                        Some(src),
                        &s.sku_id,
                        "this SKU",
                        None,
                    ));
                    emit::SubscriptionStatus::Enabled
                }
            };
            let units = s
                .prepaid_units
                .as_ref()
                .filter(|p| p.enabled.is_some() || p.warning.is_some());
            // Seats unknown (not 0, which would be a false seat finding): the key is left out.
            if units.is_none() {
                self.warnings.push(warning(
                    "skuld::import::seats-unknown",
                    format!("subscription `{}` has no `prepaidUnits`: its seats are unknown, so `seats` is left out", name.name),
                    Some(src),
                    &s.sku_id,
                    "this SKU",
                    Some("select `prepaidUnits` when saving `subscribedSkus`, or write the seats by hand; without them no seat count is checked".to_owned()),
                ));
            }
            let seats = units.map(|u| {
                u.enabled
                    .unwrap_or(0)
                    .saturating_add(u.warning.unwrap_or(0))
            });
            let entry = subs
                .entry(name.clone())
                .or_insert_with(|| emit::Subscription {
                    sku: name,
                    seats: Some(0),
                    status,
                    trial: false,
                    ends: None,
                });
            // One entry without a number makes the SKU's total unknown.
            entry.seats = entry.seats.zip(seats).map(|(a, b)| a.saturating_add(b));
            entry.status = entry.status.min(status);
        }
        if let Some(c) = &r.subscriptions {
            self.lifecycle(c, &mut subs);
        } else {
            self.remarks.push("the subscriptions' `trial` and `ends` are left out: no `subscriptions.json` (`GET /directory/subscriptions`, permission Organization.Read.All)".to_owned());
        }
        subs.into_values().collect()
    }

    /// `trial` when every subscription of a SKU is a trial; `ends` the earliest next lifecycle
    /// date of its subscriptions. Deleted subscriptions do not count.
    fn lifecycle(
        &mut self,
        c: &graph::Collection<graph::CompanySubscription>,
        subs: &mut BTreeMap<SkuName, emit::Subscription>,
    ) {
        let mut trials: BTreeMap<SkuName, bool> = BTreeMap::new();
        for (s, file) in &c.items {
            let (Some(id), Some(src)) = (s.sku_id.as_deref(), c.files.get(*file)) else {
                continue;
            };
            if s.status
                .as_deref()
                .is_some_and(|st| st.trim().eq_ignore_ascii_case("Deleted"))
            {
                continue;
            }
            let name = self.sku(id, src);
            let Some(sub) = subs.get_mut(&name) else {
                continue;
            };
            let all = trials.entry(name).or_insert(true);
            *all &= s.is_trial == Some(true);
            sub.trial = *all;
            if let Some(d) = s
                .next_lifecycle_date_time
                .as_deref()
                .and_then(graph::date_part)
                && sub.ends.as_deref().is_none_or(|e| d < e)
            {
                sub.ends = Some(d.to_owned());
            }
        }
    }

    /// Group id → the unique name written for it: the display name, or `Name (id)` when
    /// several groups share it.
    fn group_names(
        &mut self,
        r: &graph::Responses,
        unique: &[&'r (graph::Group, usize)],
    ) -> HashMap<&'r str, String> {
        let mut count: HashMap<String, usize> = HashMap::new();
        for (g, _) in unique {
            *count.entry(group_base_name(g)).or_insert(0) += 1;
        }
        let mut names = HashMap::with_capacity(unique.len());
        for (g, file) in unique {
            let base = group_base_name(g);
            if g.display_name
                .as_deref()
                .is_none_or(|n| n.trim().is_empty())
            {
                self.warnings.push(warning(
                    "skuld::import::group-without-name",
                    format!("group `{}` has no `displayName`: it is written under its id", g.id),
                    r.groups.files.get(*file),
                    &g.id,
                    "this group",
                    Some("select `displayName` when saving the groups, or rename the group in the tenant YAML".to_owned()),
                ));
            }
            let name = if count.get(&base).copied().unwrap_or(0) > 1 {
                let unique = format!("{base} ({})", g.id);
                self.warnings.push(warning(
                    "skuld::import::duplicate-group-name",
                    format!("several groups are named `{base}`"),
                    r.groups.files.get(*file),
                    &g.id,
                    "one of them",
                    Some(format!("group names must be unique in tenant YAML, so this one is written as `{unique}`")),
                ));
                unique
            } else {
                base
            };
            names.insert(g.id.as_str(), name);
        }
        names
    }

    /// The direct members of every group: user id → its groups, group id → the groups it is a
    /// member of. A `members/<id>.json` file holds a group's full list; `$expand` stops at
    /// [`EXPAND_LIMIT`] members without saying so.
    fn memberships(
        &mut self,
        r: &'r graph::Responses,
        unique: &[&'r (graph::Group, usize)],
        names: &HashMap<&'r str, String>,
    ) -> (Memberships<'r>, Memberships<'r>) {
        let user_ids: BTreeSet<&str> = r.users.items.iter().map(|(u, _)| u.id.as_str()).collect();
        let mut user_groups: Memberships<'r> = HashMap::new();
        let mut parent_groups: Memberships<'r> = HashMap::new();
        // Members that are users or groups the responses do not list (one warning for all).
        let mut unknown: BTreeSet<&'r str> = BTreeSet::new();
        let mut first_unknown: Option<(&'r str, Option<&'r SourceFile>)> = None;
        for (g, file) in unique {
            let Some(parent) = names.get(g.id.as_str()) else {
                continue;
            };
            let members: Vec<&'r graph::Member> = match r.members.get(&g.id) {
                Some(c) => c.items.iter().map(|(m, _)| m).collect(),
                None => {
                    let expanded: Vec<&graph::Member> = g.members.iter().flatten().collect();
                    if expanded.len() >= EXPAND_LIMIT || g.members_next_link.is_some() {
                        self.warnings.push(warning(
                            "skuld::import::members-truncated",
                            format!("group `{parent}` has {} members in `groups.json`, the most `$expand` returns: the list is probably cut short", expanded.len()),
                            r.groups.files.get(*file),
                            &g.id,
                            "this group",
                            Some(format!("save every page of `GET https://graph.microsoft.com/v1.0/groups/{}/members?$select=id` as `members/{}.json`, `members/{}.2.json`, …", g.id, g.id, g.id)),
                        ));
                    }
                    expanded
                }
            };
            for m in members {
                let kind = m.odata_type.as_deref().unwrap_or("").trim();
                let known_user = user_ids.contains(m.id.as_str());
                let known_group = names.contains_key(m.id.as_str());
                let typed_user = kind.eq_ignore_ascii_case("#microsoft.graph.user");
                let typed_group = kind.eq_ignore_ascii_case("#microsoft.graph.group");
                let is_user = known_user && (typed_user || kind.is_empty());
                let is_group = known_group && (typed_group || kind.is_empty());
                if !is_user && !is_group && (typed_user || typed_group || kind.is_empty()) {
                    if unknown.insert(m.id.as_str()) && first_unknown.is_none() {
                        let src = match r.members.get(&g.id) {
                            Some(c) => c.files.first(),
                            None => r.groups.files.get(*file),
                        };
                        first_unknown = Some((m.id.as_str(), src));
                    }
                    continue;
                }
                if is_user {
                    user_groups
                        .entry(m.id.as_str())
                        .or_default()
                        .insert(parent.clone());
                } else if is_group && m.id != g.id {
                    parent_groups
                        .entry(m.id.as_str())
                        .or_default()
                        .insert(parent.clone());
                }
            }
        }
        if let Some((id, src)) = first_unknown {
            self.warnings.push(warning(
                "skuld::import::unknown-member",
                format!(
                    "{} group member(s) are no user of `users.json` nor group of `groups.json`: their memberships are left out",
                    unknown.len()
                ),
                src,
                id,
                "the first of them",
                Some("check that `users.json` and `groups.json` hold every page; members that are devices, contacts or service principals carry their `@odata.type` and are ignored".to_owned()),
            ));
        }
        (user_groups, parent_groups)
    }

    /// The groups, sorted by name, with their licences and the groups they are members of.
    fn groups(
        &mut self,
        r: &graph::Responses,
        unique: &[&'r (graph::Group, usize)],
        names: &HashMap<&'r str, String>,
        mut parent_groups: Memberships<'r>,
    ) -> Vec<emit::Group> {
        let mut groups = Vec::with_capacity(unique.len());
        for (g, file) in unique {
            let mut licenses = Vec::new();
            if let Some(src) = r.groups.files.get(*file) {
                for l in g.assigned_licenses.iter().flatten() {
                    licenses.push(self.license(&l.sku_id, &l.disabled_plans, src));
                }
            }
            licenses.sort();
            licenses.dedup();
            groups.push(emit::Group {
                name: names.get(g.id.as_str()).cloned().unwrap_or_default(),
                licenses,
                groups: parent_groups
                    .remove(g.id.as_str())
                    .map(|p| p.into_iter().collect())
                    .unwrap_or_default(),
                dynamic: g
                    .group_types
                    .iter()
                    .flatten()
                    .any(|t| t.trim().eq_ignore_ascii_case("DynamicMembership")),
            });
        }
        groups.sort_by(|a, b| a.name.cmp(&b.name));
        groups
    }

    /// The users, sorted by UPN: direct licences, memberships, failed assignments.
    fn users(
        &mut self,
        r: &'r graph::Responses,
        names: &HashMap<&'r str, String>,
        mut user_groups: Memberships<'r>,
    ) -> Vec<emit::User> {
        let mut users: Vec<emit::User> = Vec::new();
        let mut seen: BTreeSet<&str> = BTreeSet::new();
        let mut without_states = 0usize;
        let mut without_sign_in = 0usize;
        let mut first_without_states: Option<(&str, usize)> = None;
        for (u, file) in &r.users.items {
            if !seen.insert(u.id.as_str()) {
                continue;
            }
            let Some(src) = r.users.files.get(*file) else {
                continue;
            };
            let Some(upn) = u
                .user_principal_name
                .clone()
                .filter(|n| !n.trim().is_empty())
            else {
                self.warnings.push(warning(
                    "skuld::import::user-without-upn",
                    format!("user `{}` has no `userPrincipalName`: left out", u.id),
                    Some(src),
                    &u.id,
                    "this user",
                    Some("select `userPrincipalName` when saving the users".to_owned()),
                ));
                continue;
            };
            let mut licenses = Vec::new();
            let mut license_errors = Vec::new();
            match &u.license_assignment_states {
                Some(states) => {
                    for s in states {
                        let group_id = s
                            .assigned_by_group
                            .as_deref()
                            .map(str::trim)
                            .filter(|g| !g.is_empty());
                        // Graph's documented states: `Active` and `ActiveWithError` are held,
                        // `Error` and `Disabled` are not. Microsoft's own sample pads values.
                        let state = s.state.as_deref().map(str::trim).unwrap_or("");
                        let is = |v: &str| state.eq_ignore_ascii_case(v);
                        let held = state.is_empty() || is("Active") || is("ActiveWithError");
                        let failed = s
                            .error
                            .as_deref()
                            .map(str::trim)
                            .filter(|e| !e.is_empty() && !e.eq_ignore_ascii_case("None"))
                            .map(license_error)
                            .or_else(|| {
                                (is("Error") || is("ActiveWithError"))
                                    .then_some(LicenseError::Other)
                            });
                        let group = match group_id {
                            Some(id) => match self.state_group(&upn, id, names, src) {
                                Some(g) => Some(g),
                                // The group is unknown: neither its licence nor its error can
                                // be written (the warning says so).
                                None => continue,
                            },
                            None => None,
                        };
                        if let Some(error) = failed {
                            license_errors.push(FailedAssignment {
                                sku: self.sku(&s.sku_id, src),
                                error,
                                group: group.clone(),
                                held,
                            });
                        }
                        // Group licences are written once, on the group.
                        if held && group.is_none() {
                            licenses.push(self.license(&s.sku_id, &s.disabled_plans, src));
                        }
                    }
                }
                None => {
                    // Without states, direct and group licences cannot be told apart.
                    without_states += 1;
                    first_without_states.get_or_insert((u.id.as_str(), *file));
                    for l in u.assigned_licenses.iter().flatten() {
                        licenses.push(self.license(&l.sku_id, &l.disabled_plans, src));
                    }
                }
            }
            licenses.sort();
            licenses.dedup();
            license_errors.sort_by(|a, b| {
                (&a.sku, a.error, &a.group, a.held).cmp(&(&b.sku, b.error, &b.group, b.held))
            });
            license_errors.dedup();
            let activity = u.sign_in_activity.as_ref();
            if activity.is_none() {
                without_sign_in += 1;
            }
            users.push(emit::User {
                upn,
                synced: u.on_premises_sync_enabled == Some(true),
                guest: u
                    .user_type
                    .as_deref()
                    .is_some_and(|t| t.trim().eq_ignore_ascii_case("Guest")),
                disabled: u.account_enabled == Some(false),
                last_sign_in: activity.and_then(last_sign_in),
                usage_location: u.usage_location.clone().filter(|l| !l.trim().is_empty()),
                licenses,
                groups: user_groups
                    .remove(u.id.as_str())
                    .map(|g| g.into_iter().collect())
                    .unwrap_or_default(),
                license_errors,
            });
        }
        if without_sign_in > 0 {
            self.remarks.push(format!(
                "`last_sign_in` is left out for {without_sign_in} user(s): their `signInActivity` is not in `users.json` (select it; it needs AuditLog.Read.All and a tenant with Entra ID P1)"
            ));
        }
        if let Some((id, file)) = first_without_states {
            self.warnings.push(warning(
                "skuld::import::no-assignment-states",
                format!("{without_states} users have no `licenseAssignmentStates`: all their `assignedLicenses` are written as direct licenses"),
                r.users.files.get(file),
                id,
                "the first of them",
                Some("select `licenseAssignmentStates` when saving the users, so that group licenses are told apart and assignment errors kept".to_owned()),
            ));
        }
        users.sort_by(|a, b| {
            a.upn
                .to_lowercase()
                .cmp(&b.upn.to_lowercase())
                .then_with(|| a.upn.cmp(&b.upn))
        });
        users
    }

    /// The name of the group of a licence assignment state; an id `groups.json` lacks is
    /// reported (once per user and group).
    fn state_group(
        &mut self,
        upn: &str,
        id: &str,
        names: &HashMap<&'r str, String>,
        src: &SourceFile,
    ) -> Option<String> {
        if let Some(n) = names.get(id) {
            return Some(n.clone());
        }
        self.warnings.push(warning(
            "skuld::import::unknown-group",
            format!("user `{upn}` has a licence assignment from group `{id}`, which `groups.json` does not list: that licence (and its error, if any) is left out"),
            Some(src),
            id,
            "this group id",
            Some("check that `groups.json` holds every page".to_owned()),
        ));
        None
    }

    /// A licence item: the SKU and the names of its switched-off plans (plan ids named through
    /// Microsoft's plan table, kept only when the catalog lists the plan for that SKU; any
    /// other id is reported once, never dropped silently).
    fn license(&mut self, sku_id: &str, plan_ids: &[String], src: &SourceFile) -> emit::License {
        let sku = self.sku(sku_id, src);
        let catalog_plans = self
            .catalog
            .get(&sku.name)
            .and_then(|id| self.catalog.sku(id))
            .map(|s| s.plans.as_slice());
        let mut disabled_plans = Vec::new();
        for id in plan_ids {
            let id = id.trim();
            let candidates = plans::names(id);
            let name = match catalog_plans {
                Some(own) => candidates.iter().find(|n| own.iter().any(|p| p == *n)),
                // A SKU the catalog lacks: Microsoft's name for the plan is the best there is.
                None => candidates.first(),
            };
            match name {
                Some(n) => disabled_plans.push((*n).to_owned()),
                None => {
                    if self
                        .warned_plans
                        .insert(format!("{}/{}", sku.name, id.to_ascii_lowercase()))
                    {
                        let why = if candidates.is_empty() {
                            "which Microsoft's product table does not list".to_owned()
                        } else {
                            format!(
                                "(`{}`), which the catalog does not list for this SKU",
                                candidates.join("`, `")
                            )
                        };
                        self.warnings.push(warning(
                            "skuld::import::unknown-plan-id",
                            format!("`{}` has the service plan `{id}` switched off, {why}: it is left out of `disabled_plans`", sku.name),
                            Some(src),
                            id,
                            "this plan id",
                            Some("the licence is written as if that plan were on; add the plan to `disabled_plans` by hand if a rule depends on it".to_owned()),
                        ));
                    }
                }
            }
        }
        disabled_plans.sort();
        disabled_plans.dedup();
        emit::License {
            sku,
            disabled_plans,
        }
    }
}

/// `last_sign_in`: the last successful sign-in, else the later of the last interactive and
/// non-interactive ones (date part; Graph's empty and `0001-01-01` values are no sign-in).
fn last_sign_in(a: &graph::SignInActivity) -> Option<String> {
    fn date(t: &Option<String>) -> Option<&str> {
        t.as_deref().and_then(graph::date_part)
    }
    date(&a.last_successful_sign_in_date_time)
        .or_else(|| {
            date(&a.last_sign_in_date_time).max(date(&a.last_non_interactive_sign_in_date_time))
        })
        .map(str::to_owned)
}

/// Object id → the names of the groups it is a direct member of.
type Memberships<'r> = HashMap<&'r str, BTreeSet<String>>;

/// The header comment: where the tenant came from (no timestamp, so output is reproducible).
fn header(dir: &Path, shown: &str, r: &graph::Responses) -> Vec<String> {
    let files: Vec<String> = [
        &r.organization.files,
        &r.skus.files,
        &r.users.files,
        &r.groups.files,
    ]
    .into_iter()
    .chain(r.members.values().map(|c| &c.files))
    .chain(r.features.conditional_access.iter().map(|c| &c.files))
    .chain(
        r.features
            .role_eligibility_schedules
            .iter()
            .map(|c| &c.files),
    )
    .chain(
        r.features
            .role_eligibility_instances
            .iter()
            .map(|c| &c.files),
    )
    .chain(r.features.access_reviews.iter().map(|c| &c.files))
    .chain(r.features.group_eligibility.iter().map(|c| &c.files))
    .chain(r.features.group_assignments.iter().map(|c| &c.files))
    .chain(r.subscriptions.iter().map(|c| &c.files))
    .flat_map(|fs| fs.iter())
    .map(|f| {
        // Relative to the folder: `users.2.json`, `members/<id>.json`.
        let p = Path::new(f.name());
        p.strip_prefix(dir)
            .unwrap_or(p)
            .to_string_lossy()
            .into_owned()
    })
    .collect();
    vec![
        format!(
            "Imported by `skuld import graph` from the Microsoft Graph responses in `{shown}`:"
        ),
        files.join(", "),
        "Graph has no SSPR settings in these responses: add an `sspr:` block to check them."
            .to_owned(),
    ]
}

fn group_base_name(g: &graph::Group) -> String {
    g.display_name
        .clone()
        .filter(|n| !n.trim().is_empty())
        .unwrap_or_else(|| g.id.clone())
}

/// Graph's `licenseAssignmentState.error`; `Others` is the older spelling of `Other`, and an
/// error newer than this list is kept as `Other`.
fn license_error(e: &str) -> LicenseError {
    LicenseError::ALL
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(e))
        .map_or(LicenseError::Other, |(_, k)| *k)
}
