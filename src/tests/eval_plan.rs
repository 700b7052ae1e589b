//! The evaluator's shortcuts change nothing a user sees: a user rule guarded by a feature visits
//! only the users that feature covers, and a clause that reads the user only as `u.licenses` is
//! computed once per set of licences. On generated tenants (real part numbers, nested and
//! dynamic groups, failed assignments, a `features:` block), the default policy gives the same
//! findings, in the same order, as the same policy with every shortcut switched off.

use proptest::prelude::*;

use crate::compile::ir::LicenseSetUse;
use crate::tenant::model::TenantModel;
use crate::{Policy, SourceFile};

/// Real part numbers with overlapping service plans: suites that include smaller SKUs (so
/// `licensing/redundant-license` fires), Entra ID P1/P2/Governance, Intune for Education, and
/// Office SKUs that include none of them.
const SKUS: &[&str] = &[
    "SPE_E3",
    "SPE_E5",
    "EMS",
    "EMSPREMIUM",
    "AAD_PREMIUM",
    "AAD_PREMIUM_P2",
    "Microsoft_Entra_ID_Governance",
    "ENTERPRISEPACK",
    "STANDARDPACK",
    "O365_BUSINESS_PREMIUM",
    "SPB",
    "INTUNE_EDU",
    "M365EDU_A3_FACULTY",
];

const FEATURES: &[&str] = &[
    "conditional_access",
    "identity_protection",
    "pim",
    "access_reviews",
];

const GROUPS: usize = 6;

#[derive(Debug, Clone)]
struct User {
    synced: bool,
    located: bool,
    licenses: Vec<usize>,
    groups: Vec<usize>,
    failed: Option<usize>,
}

#[derive(Debug, Clone)]
struct Group {
    licenses: Vec<usize>,
    dynamic: bool,
    member_of: Vec<usize>,
}

#[derive(Debug, Clone)]
struct Entry {
    all: bool,
    include: Vec<usize>,
    exclude: Vec<usize>,
    users: Vec<usize>,
}

fn some(n: usize, most: usize) -> impl Strategy<Value = Vec<usize>> {
    proptest::collection::vec(0..n, 0..=most)
}

fn user() -> impl Strategy<Value = User> {
    (
        any::<bool>(),
        any::<bool>(),
        // Few SKUs per user, so that users share sets, as in real tenants.
        some(SKUS.len(), 3),
        some(GROUPS, 2),
        proptest::option::weighted(0.1, 0..SKUS.len()),
    )
        .prop_map(|(synced, located, licenses, groups, failed)| User {
            synced,
            located,
            licenses,
            groups,
            failed,
        })
}

fn group() -> impl Strategy<Value = Group> {
    (
        some(SKUS.len(), 2),
        proptest::bool::weighted(0.3),
        some(GROUPS, 1),
    )
        .prop_map(|(licenses, dynamic, member_of)| Group {
            licenses,
            dynamic,
            member_of,
        })
}

fn entry(users: usize) -> impl Strategy<Value = Entry> {
    (
        proptest::bool::weighted(0.2),
        some(GROUPS, 2),
        some(GROUPS, 1),
        some(users, 2),
    )
        .prop_map(|(all, include, exclude, users)| Entry {
            all,
            include,
            exclude,
            users,
        })
}

fn tenant() -> impl Strategy<Value = String> {
    (1usize..40).prop_flat_map(|n| {
        (
            proptest::collection::vec(user(), n),
            proptest::collection::vec(group(), GROUPS),
            proptest::collection::vec(proptest::collection::vec(entry(n), 0..3), FEATURES.len()),
            any::<bool>(),
        )
            .prop_map(|(users, groups, features, writeback)| {
                yaml(&users, &groups, &features, writeback)
            })
    })
}

fn names(list: &[usize], name: impl Fn(usize) -> String) -> String {
    let names: Vec<String> = list.iter().map(|&i| name(i)).collect();
    format!("[{}]", names.join(", "))
}

fn yaml(users: &[User], groups: &[Group], features: &[Vec<Entry>], writeback: bool) -> String {
    let sku = |i: usize| SKUS.get(i).copied().unwrap_or("SPE_E3").to_owned();
    let group = |i: usize| format!("G{i}");
    let upn = |i: usize| format!("u{i}@contoso.com");
    let mut y = format!(
        "tenant: contoso.onmicrosoft.com\ncountry: US\nsspr:\n  scope: selected\n  group: G0\n  writeback: {writeback}\ngroups:\n"
    );
    for (i, g) in groups.iter().enumerate() {
        y += &format!("  - name: {}\n", group(i));
        y += &format!("    licenses: {}\n", names(&g.licenses, sku));
        // A dynamic group has no member groups.
        if g.dynamic {
            y += "    dynamic: true\n";
        }
        let parents: Vec<usize> = g.member_of.iter().copied().filter(|&p| p != i).collect();
        y += &format!("    groups: {}\n", names(&parents, group));
    }
    y += "features:\n";
    for (f, entries) in FEATURES.iter().zip(features) {
        if entries.is_empty() {
            continue;
        }
        y += &format!("  {f}:\n");
        for e in entries {
            if e.all {
                y += "    - include: all\n";
            } else {
                y += &format!("    - include: {}\n", names(&e.include, group));
            }
            y += &format!("      exclude: {}\n", names(&e.exclude, group));
            y += &format!("      users: {}\n", names(&e.users, upn));
        }
    }
    y += "users:\n";
    for (i, u) in users.iter().enumerate() {
        y += &format!("  - upn: {}\n", upn(i));
        if u.synced {
            y += "    source: synced\n";
        }
        if u.located {
            y += "    usage_location: DE\n";
        }
        y += &format!("    licenses: {}\n", names(&u.licenses, sku));
        y += &format!("    groups: {}\n", names(&u.groups, group));
        if let Some(s) = u.failed {
            y += &format!(
                "    license_errors:\n      - sku: {}\n        error: CountViolation\n",
                sku(s)
            );
        }
    }
    y
}

/// The default policy, compiled once for every case.
static DEFAULT: std::sync::LazyLock<Policy> =
    std::sync::LazyLock::new(|| Policy::builtin().expect("the default policy compiles"));

/// The default policy with every evaluator shortcut switched off.
fn without_shortcuts(policy: &Policy) -> Policy {
    let mut plain = policy.clone();
    for rule in &mut plain.rules {
        rule.feature_guard = None;
        rule.by_license_set = LicenseSetUse::default();
    }
    plain
}

/// Every finding in full: rule, subject, place, message, help and labels.
fn findings(policy: &Policy, yaml: &str) -> Vec<String> {
    let file = SourceFile::new("t.yaml", yaml);
    match policy.check(&file) {
        Ok(findings) => findings
            .iter()
            .map(|f| {
                format!(
                    "{} {:?} {:?} {} {:?} {:?} {:?}",
                    f.rule, f.subject, f.span, f.message, f.help, f.label, f.related
                )
            })
            .collect(),
        Err(e) => panic!("{e:?}\n{yaml}"),
    }
}

#[test]
fn the_default_policy_uses_the_shortcuts() {
    let policy = &*DEFAULT;
    let rule = |id: &str| {
        policy
            .rules
            .iter()
            .find(|r| r.id == id)
            .unwrap_or_else(|| panic!("{id}"))
    };
    let guarded = rule("features/conditional-access-license");
    assert!(guarded.feature_guard.is_some());
    assert!(guarded.by_license_set.require);
    let redundant = rule("licensing/redundant-license").by_license_set;
    assert!(redundant.filter && redundant.require);
    // `where any(g in u.groups: g.dynamic)` reads the groups; the requirement only licences.
    let dynamic = rule("licensing/dynamic-group-license");
    assert_eq!(dynamic.feature_guard, None);
    assert!(!dynamic.by_license_set.filter && dynamic.by_license_set.require);
    // `require u.usage_location != null …` reads more than the licences.
    let location = rule("licensing/usage-location").by_license_set;
    assert!(location.filter && !location.require);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn shortcuts_change_no_finding(yaml in tenant()) {
        static PLAIN: std::sync::LazyLock<Policy> =
            std::sync::LazyLock::new(|| without_shortcuts(&DEFAULT));
        prop_assert_eq!(findings(&DEFAULT, &yaml), findings(&PLAIN, &yaml), "{}", yaml);
    }
}

/// A help text that names no variable is rendered once per rule; one that names the user is
/// rendered for each finding, and `when` is still decided per finding.
#[test]
fn closed_help_texts_are_shared_and_open_ones_rendered_per_finding() {
    let rule = "rule t/helps {
        severity error
        for user u
        require false
        at u
        message \"m\"
        help \"suite: {SPE_E3}, users: {count(tenant.users)}\"
        help \"for {u.upn}\"
        help \"synced\" when u.synced
    }\n";
    let mut sources = crate::policies::default_sources();
    sources.push(SourceFile::new("t.skuld", rule));
    let policy = Policy::from_sources(&sources).unwrap();
    let tenant = "tenant: t\nusers:\n  - upn: a@t.com\n    source: synced\n  - upn: b@t.com\n";
    let helps: Vec<String> = policy
        .check(&SourceFile::new("t.yaml", tenant))
        .unwrap()
        .into_iter()
        .filter(|f| f.rule == "t/helps")
        .map(|f| f.help.unwrap_or_default())
        .collect();
    let suite = "suite: Microsoft 365 E3 (`SPE_E3`), users: 2";
    assert_eq!(
        helps,
        [
            format!("{suite}\nfor a@t.com\nsynced"),
            format!("{suite}\nfor b@t.com"),
        ]
    );
}

/// Whether user `u` is a member of one of `roots` or of a group nested in them, the slow way:
/// the groups reachable upwards from each of the user's direct groups.
fn member_of_any(model: &TenantModel<'_>, u: u32, roots: &[u32]) -> bool {
    let Some(user) = model.users.get(u as usize) else {
        return false;
    };
    let mut stack: Vec<u32> = model.ids(user.groups).to_vec();
    let mut seen = std::collections::HashSet::new();
    while let Some(g) = stack.pop() {
        if !seen.insert(g) {
            continue;
        }
        if roots.contains(&g) {
            return true;
        }
        if let Some(facts) = model.groups.get(g as usize) {
            stack.extend_from_slice(model.ids(facts.member_of));
        }
    }
    false
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    /// The model's feature bits (marks that are never reset, `include: all` entries counted per
    /// user) are the contract's definition computed user by user and entry by entry.
    #[test]
    fn feature_coverage_is_the_definition(yaml in tenant()) {
        let policy = &*DEFAULT;
        let file = SourceFile::new("t.yaml", yaml.as_str());
        let doc = policy
            .load_tenant(&file, &crate::tenant::Limits::default())
            .unwrap_or_else(|e| panic!("{e:?}"));
        let model = TenantModel::derive(&doc, &policy.catalog, &mut Vec::new());
        let coverage = &model.features;
        for u in 0..model.users.len() as u32 {
            for f in 0..policy.catalog.features().len() as u32 {
                let want = coverage.entries.iter().filter(|e| e.feature == f).any(|e| {
                    let included =
                        e.all || e.users.contains(&u) || member_of_any(&model, u, &e.include);
                    included && !member_of_any(&model, u, &e.exclude)
                });
                prop_assert_eq!(coverage.covers(f, u), want, "user {} feature {}\n{}", u, f, yaml);
            }
        }
    }
}
