//! The `features:` block from the optional responses (docs/import.md, "Features"):
//!
//! - Conditional Access policies: `includeUsers` `All` → `include: all`; user ids → `users:`;
//!   `includeGroups` → `include:`; `excludeGroups` → `exclude:`. A policy with a user or sign-in
//!   risk condition is an `identity_protection` entry, any other a `conditional_access` one.
//!   Disabled policies apply to nobody and are left out; report-only ones
//!   (`enabledForReportingButNotEnforced`) are evaluated at every sign-in, so they count.
//! - PIM: every principal of `roleEligibilitySchedules` and `roleEligibilityScheduleInstances`
//!   (users → `users:`, groups → `include:`), one `pim` entry.
//! - Access reviews: each definition not completed, its scope's group (`/groups/{id}/…`, or
//!   `./members` of the `instanceEnumerationScope` group) and its reviewers (`/users/{id}`,
//!   `/groups/{id}/…`), one `access_reviews` entry each.
//!
//! A feature is written only when the policy declares it, and only from responses that were
//! saved; the rest is said in the import's notes.

use std::collections::{BTreeSet, HashMap};

use super::emit::{Feature, FeatureEntry};
use super::graph::{self, Collection};
use super::warning;
use crate::compile::Catalog;

/// What the optional responses give.
pub(super) struct Features {
    /// The features with their entries, in the order the policy declares them.
    pub features: Vec<Feature>,
    /// Features whose Graph data was read.
    pub imported: Vec<String>,
    /// What was not imported, and why (one line each).
    pub notes: Vec<String>,
    /// Ids that could not be mapped.
    pub warnings: Vec<miette::Report>,
}

/// Names of users and groups by Graph id.
pub(super) struct Names<'a> {
    /// User id → UPN.
    pub users: HashMap<&'a str, &'a str>,
    /// Group id → the name written for the group.
    pub groups: &'a HashMap<&'a str, String>,
}

impl Names<'_> {
    fn user(&self, id: &str) -> Option<String> {
        self.users.get(id).map(|u| (*u).to_owned())
    }

    fn group(&self, id: &str) -> Option<String> {
        self.groups.get(id).cloned()
    }
}

/// The entries of each feature, collected before sorting.
#[derive(Default)]
struct Collected {
    conditional_access: Vec<FeatureEntry>,
    identity_protection: Vec<FeatureEntry>,
    pim: Vec<FeatureEntry>,
    access_reviews: Vec<FeatureEntry>,
}

pub(super) fn map(
    catalog: &Catalog,
    r: &graph::FeatureResponses,
    names: &Names<'_>,
    today: &str,
) -> Features {
    let mut out = Features {
        features: Vec::new(),
        imported: Vec::new(),
        notes: Vec::new(),
        warnings: Vec::new(),
    };
    let mut c = Collected::default();
    let mut read: BTreeSet<&str> = BTreeSet::new();
    match &r.conditional_access {
        Some(policies) => {
            read.extend(["conditional_access", "identity_protection"]);
            conditional_access(policies, names, &mut c, &mut out.warnings);
        }
        None => out.notes.push(
            "`conditional_access` and `identity_protection` not imported: no `conditionalAccessPolicies.json` (`GET /identity/conditionalAccess/policies`, permission Policy.Read.All)".to_owned(),
        ),
    }
    let schedules = [
        &r.role_eligibility_schedules,
        &r.role_eligibility_instances,
        &r.group_eligibility,
        &r.group_assignments,
    ];
    if schedules.iter().any(|s| s.is_some()) {
        read.insert("pim");
        pim(
            schedules.iter().filter_map(|s| s.as_ref()),
            names,
            today,
            &mut c,
            &mut out.warnings,
        );
    } else {
        out.notes.push(
            "`pim` not imported: no `roleEligibilitySchedules.json` nor `roleEligibilityScheduleInstances.json` (`GET /roleManagement/directory/roleEligibilitySchedules`, permission RoleEligibilitySchedule.Read.Directory)".to_owned(),
        );
    }
    match &r.access_reviews {
        Some(defs) => {
            read.insert("access_reviews");
            access_reviews(defs, names, &mut c, &mut out.warnings);
        }
        None => out.notes.push(
            "`access_reviews` not imported: no `accessReviewDefinitions.json` (`GET /identityGovernance/accessReviews/definitions`, permission AccessReview.Read.All)".to_owned(),
        ),
    }
    let mut by_name = [
        ("conditional_access", c.conditional_access),
        ("identity_protection", c.identity_protection),
        ("pim", c.pim),
        ("access_reviews", c.access_reviews),
    ];
    for (name, entries) in &mut by_name {
        if !read.contains(name) {
            continue;
        }
        if catalog.feature(name).is_none() {
            out.notes.push(format!(
                "`{name}` not imported: the policy declares no such feature (the default policy does)"
            ));
            continue;
        }
        entries.sort();
        entries.dedup();
        out.imported.push((*name).to_owned());
        out.features.push(Feature {
            name: (*name).to_owned(),
            entries: std::mem::take(entries),
        });
    }
    // The policy's declaration order.
    out.features
        .sort_by_key(|f| catalog.feature(&f.name).unwrap_or(u32::MAX));
    out
}

/// A warning about an id in a response file.
fn at(
    files: &[crate::source::SourceFile],
    file: usize,
    code: &'static str,
    message: String,
    needle: &str,
    help: &str,
) -> miette::Report {
    warning(
        code,
        message,
        files.get(file),
        needle,
        "here",
        Some(help.to_owned()),
    )
}

fn conditional_access(
    policies: &Collection<graph::ConditionalAccessPolicy>,
    names: &Names<'_>,
    c: &mut Collected,
    warnings: &mut Vec<miette::Report>,
) {
    let mut seen = BTreeSet::new();
    for (p, file) in &policies.items {
        if !seen.insert(p.id.as_str())
            || p.state
                .as_deref()
                .is_some_and(|s| s.eq_ignore_ascii_case("disabled"))
        {
            continue;
        }
        let label = p.display_name.clone().unwrap_or_else(|| p.id.clone());
        let conditions = p.conditions.clone().unwrap_or_default();
        let users = conditions.users.unwrap_or_default();
        let mut entry = FeatureEntry {
            name: Some(label.clone()),
            ..FeatureEntry::default()
        };
        let mut unknown = Vec::new();
        let mut guests = false;
        for id in users.include_users.iter().flatten() {
            match id.trim() {
                "All" => entry.all = true,
                "None" => {}
                "GuestsOrExternalUsers" => guests = true,
                id => match names.user(id) {
                    Some(upn) => entry.users.push(upn),
                    None => unknown.push(id.to_owned()),
                },
            }
        }
        guests |= users
            .exclude_users
            .iter()
            .flatten()
            .any(|id| id.trim() == "GuestsOrExternalUsers");
        if guests {
            warnings.push(at(
                &policies.files,
                *file,
                "skuld::import::guests",
                format!(
                    "Conditional Access policy `{label}` includes or excludes `GuestsOrExternalUsers`: nothing is written for them"
                ),
                &p.id,
                "guests are outside the per-user feature rules (contract v3: Microsoft bills Entra ID features for B2B guests per monthly active user), so including or excluding them changes no finding",
            ));
        }
        for id in users.include_groups.iter().flatten() {
            match names.group(id) {
                Some(g) => entry.include.push(g),
                None => unknown.push(id.clone()),
            }
        }
        for id in users.exclude_groups.iter().flatten() {
            match names.group(id) {
                Some(g) => entry.exclude.push(g),
                None => unknown.push(id.clone()),
            }
        }
        // Tenant YAML excludes groups only: an excluded user listed in `users` is dropped; one
        // covered through `all` or a group stays covered, which the warning says.
        let excluded: Vec<String> = users
            .exclude_users
            .iter()
            .flatten()
            .filter(|id| id.trim() != "GuestsOrExternalUsers")
            .filter_map(|id| match names.user(id) {
                Some(u) => Some(u),
                None => {
                    unknown.push(id.clone());
                    None
                }
            })
            .collect();
        entry.users.retain(|u| !excluded.contains(u));
        if !excluded.is_empty() && (entry.all || !entry.include.is_empty()) {
            warnings.push(at(
                &policies.files,
                *file,
                "skuld::import::excluded-users",
                format!(
                    "Conditional Access policy `{label}` excludes {} user(s) by id ({}), which tenant YAML cannot express: they are written as covered",
                    excluded.len(),
                    excluded.join(", ")
                ),
                &p.id,
                "exclude a group instead (tenant YAML has `exclude:` for groups), or waive their findings",
            ));
        }
        let has = |r: &Option<Vec<String>>| r.as_ref().is_some_and(|r| !r.is_empty());
        if has(&users.include_roles) {
            warnings.push(at(
                &policies.files,
                *file,
                "skuld::import::roles-not-mapped",
                format!(
                    "Conditional Access policy `{label}` includes directory roles: the users who hold them are not written"
                ),
                &p.id,
                "add the role holders to the entry's `users:` by hand, or target a group in the policy",
            ));
        }
        if has(&users.exclude_roles) {
            warnings.push(at(
                &policies.files,
                *file,
                "skuld::import::roles-not-mapped",
                format!(
                    "Conditional Access policy `{label}` excludes directory roles: their holders are written as covered"
                ),
                &p.id,
                "exclude a group instead (tenant YAML has `exclude:` for groups), or waive the role holders' findings",
            ));
        }
        for id in &unknown {
            warnings.push(unknown_id(&policies.files, *file, &label, id));
        }
        sort(&mut entry);
        if !entry.all && entry.include.is_empty() && entry.users.is_empty() {
            continue;
        }
        let risk = [
            &conditions.user_risk_levels,
            &conditions.sign_in_risk_levels,
        ]
        .iter()
        .any(|l| l.as_ref().is_some_and(|l| !l.is_empty()));
        if risk {
            c.identity_protection.push(entry);
        } else {
            c.conditional_access.push(entry);
        }
    }
}

fn unknown_id(
    files: &[crate::source::SourceFile],
    file: usize,
    label: &str,
    id: &str,
) -> miette::Report {
    at(
        files,
        file,
        "skuld::import::unknown-principal",
        format!(
            "`{label}` names `{id}`, which is no user of `users.json` nor group of `groups.json`: left out"
        ),
        id,
        "check that `users.json` and `groups.json` hold every page; service principals and deleted objects are not users",
    )
}

/// One `pim` entry for every principal of a schedule that has not ended: eligible role
/// assignments, and PIM for Groups eligibility and assignments (members and owners).
fn pim<'a>(
    schedules: impl Iterator<Item = &'a Collection<graph::RoleEligibility>>,
    names: &Names<'_>,
    today: &str,
    c: &mut Collected,
    warnings: &mut Vec<miette::Report>,
) {
    let mut entry = FeatureEntry {
        name: Some("eligible role assignments".to_owned()),
        ..FeatureEntry::default()
    };
    // Service principals can be eligible too: they need no license, so one note for all.
    let mut others = BTreeSet::new();
    let mut first_other = None;
    for collection in schedules {
        for (s, file) in &collection.items {
            let Some(id) = s.principal_id.as_deref().map(str::trim) else {
                continue;
            };
            // A schedule that ended before today makes nobody eligible.
            if s.ends().is_some_and(|end| end < today) {
                continue;
            }
            if let Some(upn) = names.user(id) {
                entry.users.push(upn);
            } else if let Some(g) = names.group(id) {
                entry.include.push(g);
            } else if others.insert(id.to_owned()) && first_other.is_none() {
                first_other = Some((&collection.files, *file, id.to_owned()));
            }
        }
    }
    if let Some((files, file, id)) = first_other {
        warnings.push(at(
            files,
            file,
            "skuld::import::unknown-principal",
            format!(
                "{} eligible principal(s) are no user of `users.json` nor group of `groups.json` (service principals, deleted objects): left out",
                others.len()
            ),
            &id,
            "service principals need no license; otherwise check that `users.json` and `groups.json` hold every page",
        ));
    }
    sort(&mut entry);
    if !entry.include.is_empty() || !entry.users.is_empty() {
        c.pim.push(entry);
    }
}

/// The group id of a query such as `/groups/{id}/transitiveMembers`.
fn id_after<'q>(query: &'q str, segment: &str) -> Option<&'q str> {
    let at = query.find(segment)? + segment.len();
    let rest = query.get(at..)?;
    let end = rest
        .find(|c: char| !(c.is_ascii_hexdigit() || c == '-'))
        .unwrap_or(rest.len());
    rest.get(..end).filter(|id| !id.is_empty())
}

fn access_reviews(
    defs: &Collection<graph::AccessReviewDefinition>,
    names: &Names<'_>,
    c: &mut Collected,
    warnings: &mut Vec<miette::Report>,
) {
    let mut seen = BTreeSet::new();
    for (d, file) in &defs.items {
        if !seen.insert(d.id.as_str())
            || d.status
                .as_deref()
                .is_some_and(|s| s.eq_ignore_ascii_case("Completed"))
        {
            continue;
        }
        let label = d.display_name.clone().unwrap_or_else(|| d.id.clone());
        let mut entry = FeatureEntry {
            name: Some(label.clone()),
            ..FeatureEntry::default()
        };
        let query = |s: &Option<graph::AccessReviewScope>| {
            s.as_ref().and_then(|s| s.query.clone()).unwrap_or_default()
        };
        let scope = query(&d.scope);
        // A filtered scope (`…/microsoft.graph.user/?$filter=(userType eq 'Guest')`) reviews
        // part of the group: reading it as the whole group would widen it.
        let filtered = scope.contains('?') || scope.contains("$filter");
        // `./members` is relative to the group(s) of `instanceEnumerationScope`.
        let reviewed = if filtered {
            None
        } else if scope.starts_with("./") {
            id_after(&query(&d.instance_enumeration_scope), "/groups/").map(str::to_owned)
        } else {
            id_after(&scope, "/groups/").map(str::to_owned)
        };
        let mut unknown = Vec::new();
        match reviewed {
            Some(id) => match names.group(&id) {
                Some(g) => entry.include.push(g),
                None => unknown.push(id),
            },
            None => warnings.push(at(
                &defs.files,
                *file,
                "skuld::import::review-scope",
                if filtered {
                    format!("access review `{label}` reviews a filtered part of its scope (`{scope}`): the users reviewed are not written, rather than the whole group")
                } else {
                    format!("access review `{label}` does not review one group's members (scope `{scope}`): the users reviewed are not written")
                },
                &d.id,
                "add the users reviewed to the entry by hand; skuld maps reviews of all of one group's members (a review of guests only needs nothing: guests are outside the per-user feature rules)",
            )),
        }
        let mut relative = false;
        for r in d.reviewers.iter().flatten() {
            let q = r.query.as_deref().unwrap_or("");
            if let Some(id) = id_after(q, "/users/") {
                match names.user(id) {
                    Some(u) => entry.users.push(u),
                    None => unknown.push(id.to_owned()),
                }
            } else if let Some(id) = id_after(q, "/groups/") {
                match names.group(id) {
                    Some(g) => entry.include.push(g),
                    None => unknown.push(id.to_owned()),
                }
            } else {
                relative = true;
            }
        }
        if relative {
            warnings.push(at(
                &defs.files,
                *file,
                "skuld::import::review-reviewers",
                format!("access review `{label}` has reviewers by relation (group owners, managers): they are not written"),
                &d.id,
                "add the reviewers' UPNs to the entry's `users:` by hand",
            ));
        }
        for id in &unknown {
            warnings.push(unknown_id(&defs.files, *file, &label, id));
        }
        sort(&mut entry);
        if !entry.include.is_empty() || !entry.users.is_empty() {
            c.access_reviews.push(entry);
        }
    }
}

fn sort(e: &mut FeatureEntry) {
    for l in [&mut e.include, &mut e.exclude, &mut e.users] {
        l.sort();
        l.dedup();
    }
}
