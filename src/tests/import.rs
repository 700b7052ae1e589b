//! `skuld import graph`'s mapping as the library sees it (moved from `tests/cli/import.rs`):
//! the imported YAML, read back with the tenant loader, follows Graph's semantics; every
//! emitted tenant reloads with skuld's own loader to the same document.

use std::collections::BTreeMap;

use proptest::prelude::*;
use serde_json::Value;

use super::{root, run_cli};
use crate::SourceFile;
use crate::import::emit::{self, FailedAssignment, SkuName};
use crate::tenant::document::{LicenseError, UserSource};
use crate::tenant::features::Include;

const FIXTURE: &str = "tests/data/fixtures/graph/contoso";

/// A copy of the fixture in a temporary folder, as `graph/`, to break or reorder.
fn fixture_copy() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    copy_dir(&root().join(FIXTURE), &tmp.path().join("graph"));
    tmp
}

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &to.join(entry.file_name()));
        } else {
            std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
        }
    }
}

#[test]
fn the_mapping_follows_the_graph_semantics() {
    let fixture = root().join(FIXTURE);
    let (_, yaml, _) = run_cli(&["import", "graph", fixture.to_str().unwrap()]);
    let doc = crate::tenant::load(
        &SourceFile::new("import.yaml", yaml.clone()),
        &crate::tenant::Limits::default(),
    )
    .unwrap();
    let user = |upn: &str| doc.users.iter().find(|u| u.upn.value == upn).unwrap();
    // `groupTypes` with `DynamicMembership`: a dynamic group.
    let dynamic: Vec<_> = doc
        .groups
        .iter()
        .filter(|g| g.dynamic.as_ref().is_some_and(|d| d.value))
        .map(|g| g.name.value.as_str())
        .collect();
    assert_eq!(dynamic, ["All Staff"]);
    let names = |l: &crate::tenant::document::ListField<
        crate::tenant::document::Spanned<String>,
    >| { l.items.iter().map(|i| i.value.clone()).collect::<Vec<_>>() };
    let skus = |l: &crate::tenant::document::ListField<crate::tenant::document::LicenseItem>| {
        l.items
            .iter()
            .map(|i| i.sku.value.clone())
            .collect::<Vec<_>>()
    };
    // Seats are `prepaidUnits.enabled`.
    let subs = doc.subscriptions.as_ref().unwrap();
    let seats: BTreeMap<_, _> = subs
        .items
        .iter()
        .map(|s| (s.sku.value.clone(), s.seats.as_ref().map_or(0, |n| n.value)))
        .collect();
    assert_eq!(seats.get("ENTERPRISEPACK"), Some(&3));
    assert_eq!(seats.get("EMS"), Some(&1));
    // alice holds E3 directly and through Sales: the direct one is kept on her, the group's on
    // the group only; EMS failed from Sales and is kept as an error.
    let alice = user("alice@contoso.com");
    assert_eq!(skus(&alice.licenses), ["ENTERPRISEPACK"]);
    assert_eq!(names(&alice.groups), ["All Staff", "Sales"]);
    assert_eq!(alice.license_errors.items.len(), 1);
    let e = &alice.license_errors.items[0];
    assert_eq!(
        (
            e.sku.value.as_str(),
            e.error.value,
            e.group.as_ref().map(|g| g.value.as_str())
        ),
        ("EMS", LicenseError::CountViolation, Some("Sales"))
    );
    // Only `onPremisesSyncEnabled: true` is synced (bob's is false: no longer synced).
    assert_eq!(
        alice.source.as_ref().map(|s| s.value),
        Some(UserSource::Synced)
    );
    assert!(user("bob@contoso.com").source.is_none());
    assert!(user("bob@contoso.com").licenses.items.is_empty());
    // `NO` is Norway, quoted; a guest UPN with `#` is quoted too.
    assert_eq!(
        user("dave@contoso.com")
            .usage_location
            .as_ref()
            .unwrap()
            .value,
        "NO"
    );
    assert!(yaml.contains("usage_location: \"NO\""), "{yaml}");
    assert!(yaml.contains("upn: \"frank_fabrikam.com#EXT#@contoso.onmicrosoft.com\""));
    // Nesting: Sales EMEA is a member of Sales; a device member is ignored.
    let emea = doc
        .groups
        .iter()
        .find(|g| g.name.value == "Sales EMEA")
        .unwrap();
    assert_eq!(names(&emea.groups), ["Sales"]);
    assert!(emea.licenses.items.is_empty());
    // An unknown id is kept, with a comment.
    let dave = user("dave@contoso.com");
    assert_eq!(skus(&dave.licenses).len(), 2);
    assert!(yaml.contains("# unknown SKU id: not in the policy's catalog nor in subscribedSkus"));
    // Users are sorted by UPN, groups by name.
    let upns: Vec<_> = doc
        .users
        .iter()
        .map(|u| u.upn.value.to_lowercase())
        .collect();
    let mut sorted = upns.clone();
    sorted.sort();
    assert_eq!(upns, sorted);
    let groups: Vec<_> = doc.groups.iter().map(|g| g.name.value.clone()).collect();
    assert_eq!(groups, ["All Staff", "Sales", "Sales EMEA"]);
}

// ---------------------------------------------------------------- emitted YAML reloads

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        // Anything at all, control characters and odd Unicode included.
        4 => any::<String>(),
        // Words that YAML readers are tempted to read as something else.
        3 => proptest::sample::select(vec![
            "NO", "yes", "on", "Off", "y", "null", "~", "true", "1e3", "0x1F", "012", "-1",
            ".inf", "a: b", "a #b", "#x", " lead", "trail ", "[x]", "{x}", "*x", "&x", "!x",
            "|", ">", "'x'", "\"x\"", "%x", "@x", "`x", "a,b", "- x", "? x", "a\nb", "",
            "\u{FEFF}x", "x\u{2028}y", "\u{85}", "\u{A0}x", "All Staff", "ENTERPRISEPACK",
        ])
        .prop_map(str::to_owned),
        3 => "[A-Za-z0-9 @._#:,'\"-]{0,12}",
    ]
}

fn sku_name() -> impl Strategy<Value = SkuName> {
    (text(), proptest::option::of(text())).prop_map(|(name, comment)| SkuName { name, comment })
}

fn license_error() -> impl Strategy<Value = LicenseError> {
    proptest::sample::select(
        LicenseError::ALL
            .iter()
            .map(|(_, e)| *e)
            .collect::<Vec<_>>(),
    )
}

fn tenant() -> impl Strategy<Value = emit::Tenant> {
    let user = (
        text(),
        any::<bool>(),
        proptest::option::of(text()),
        proptest::collection::vec(sku_name(), 0..3),
        proptest::collection::vec(text(), 0..3),
        proptest::collection::vec(
            (sku_name(), license_error(), proptest::option::of(text()))
                .prop_map(|(sku, error, group)| FailedAssignment { sku, error, group }),
            0..2,
        ),
    )
        .prop_map(
            |(upn, synced, usage_location, licenses, groups, license_errors)| emit::User {
                upn,
                synced,
                usage_location,
                licenses,
                groups,
                license_errors,
            },
        );
    let group = (
        text(),
        proptest::collection::vec(sku_name(), 0..3),
        proptest::collection::vec(text(), 0..2),
        any::<bool>(),
    )
        .prop_map(|(name, licenses, groups, dynamic)| emit::Group {
            name,
            licenses,
            groups,
            dynamic,
        });
    let subscription =
        (sku_name(), any::<u64>()).prop_map(|(sku, seats)| emit::Subscription { sku, seats });
    // An entry needs `include` or `users`: `all`, or at least one user.
    let entry = (
        proptest::option::of(text()),
        any::<bool>(),
        proptest::collection::vec(text(), 0..2),
        proptest::collection::vec(text(), 0..2),
        proptest::collection::vec(text(), 1..3),
    )
        .prop_map(|(name, all, include, exclude, users)| emit::FeatureEntry {
            name,
            include: if all { Vec::new() } else { include },
            all,
            exclude,
            users,
        });
    let features = proptest::collection::vec(entry, 0..3).prop_map(|entries| {
        if entries.is_empty() {
            Vec::new()
        } else {
            vec![emit::Feature {
                name: "conditional_access".to_owned(),
                entries,
            }]
        }
    });
    (
        proptest::collection::vec(text(), 0..2),
        text(),
        proptest::option::of(text()),
        proptest::option::of(proptest::collection::vec(subscription, 0..3)),
        proptest::collection::vec(group, 0..3),
        proptest::collection::vec(user, 0..4),
        features,
    )
        .prop_map(
            |(header, name, country, subscriptions, groups, users, features)| emit::Tenant {
                header,
                name,
                country,
                subscriptions,
                groups,
                users,
                imported_features: features.iter().map(|f| f.name.clone()).collect(),
                features,
            },
        )
}

/// The tenant as skuld's loader read it back, in the emitter's terms (comments are not data).
fn reloaded(yaml: &str) -> Result<emit::Tenant, String> {
    let doc = crate::tenant::load(
        &SourceFile::new("emitted.yaml", yaml.to_owned()),
        &crate::tenant::Limits::default(),
    )
    .map_err(|e| format!("{e:?}"))?;
    let sku = |s: &crate::tenant::document::Spanned<String>| SkuName {
        name: s.value.clone(),
        comment: None,
    };
    let strings = |l: &crate::tenant::document::ListField<
        crate::tenant::document::Spanned<String>,
    >| { l.items.iter().map(|i| i.value.clone()).collect::<Vec<_>>() };
    Ok(emit::Tenant {
        header: Vec::new(),
        name: doc.name.value.clone(),
        country: doc.country.as_ref().map(|c| c.value.clone()),
        subscriptions: doc.subscriptions.as_ref().map(|s| {
            s.items
                .iter()
                .map(|s| emit::Subscription {
                    sku: sku(&s.sku),
                    seats: s.seats.as_ref().map_or(0, |n| n.value),
                })
                .collect()
        }),
        groups: doc
            .groups
            .iter()
            .map(|g| emit::Group {
                name: g.name.value.clone(),
                licenses: g.licenses.items.iter().map(|i| sku(&i.sku)).collect(),
                groups: strings(&g.groups),
                dynamic: g.dynamic.as_ref().is_some_and(|d| d.value),
            })
            .collect(),
        users: doc
            .users
            .iter()
            .map(|u| emit::User {
                upn: u.upn.value.clone(),
                synced: u
                    .source
                    .as_ref()
                    .is_some_and(|s| s.value == UserSource::Synced),
                usage_location: u.usage_location.as_ref().map(|l| l.value.clone()),
                licenses: u.licenses.items.iter().map(|i| sku(&i.sku)).collect(),
                groups: strings(&u.groups),
                license_errors: u
                    .license_errors
                    .items
                    .iter()
                    .map(|e| FailedAssignment {
                        sku: sku(&e.sku),
                        error: e.error.value,
                        group: e.group.as_ref().map(|g| g.value.clone()),
                    })
                    .collect(),
            })
            .collect(),
        features: doc
            .features
            .iter()
            .flat_map(|f| &f.features)
            .map(|f| emit::Feature {
                name: f.name.value.clone(),
                entries: f
                    .entries
                    .iter()
                    .map(|e| emit::FeatureEntry {
                        name: e.name.as_ref().map(|n| n.value.clone()),
                        all: matches!(e.include, Some(Include::All(_))),
                        include: match &e.include {
                            Some(Include::Groups(g)) => strings(g),
                            _ => Vec::new(),
                        },
                        exclude: strings(&e.exclude),
                        users: strings(&e.users),
                    })
                    .collect(),
            })
            .collect(),
        imported_features: doc
            .features
            .iter()
            .flat_map(|f| &f.features)
            .map(|f| f.name.value.clone())
            .collect(),
    })
}

fn without_comments(mut t: emit::Tenant) -> emit::Tenant {
    t.header.clear();
    let strip = |l: &mut Vec<SkuName>| l.iter_mut().for_each(|s| s.comment = None);
    if let Some(subs) = &mut t.subscriptions {
        subs.iter_mut().for_each(|s| s.sku.comment = None);
    }
    t.groups.iter_mut().for_each(|g| strip(&mut g.licenses));
    for u in &mut t.users {
        strip(&mut u.licenses);
        u.license_errors
            .iter_mut()
            .for_each(|e| e.sku.comment = None);
    }
    t
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn emitted_tenants_reload_to_the_same_document(t in tenant()) {
        let yaml = emit::to_yaml(&t);
        let back = reloaded(&yaml);
        prop_assert_eq!(back, Ok(without_comments(t)), "{}", yaml);
    }
}

#[test]
fn incomplete_or_ambiguous_responses_give_warnings_and_still_a_tenant() {
    let tmp = fixture_copy();
    let edit = |name: &str, f: &dyn Fn(&mut Value)| {
        let p = tmp.path().join("graph").join(name);
        let mut v: Value = serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap();
        f(&mut v);
        std::fs::write(&p, serde_json::to_string_pretty(&v).unwrap()).unwrap();
    };
    // Two groups named Sales; bob saved without licenseAssignmentStates; a user without a UPN.
    edit("groups.json", &|v| {
        v["value"][1]["displayName"] = Value::from("Sales")
    });
    edit("users.json", &|v| {
        v["value"][1]
            .as_object_mut()
            .unwrap()
            .remove("licenseAssignmentStates");
    });
    edit("users.2.json", &|v| {
        v["value"][1]
            .as_object_mut()
            .unwrap()
            .remove("userPrincipalName");
    });
    let graph = tmp.path().join("graph");
    let (code, yaml, err) = run_cli(&["import", "graph", graph.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    for code in [
        "skuld::import::duplicate-group-name",
        "skuld::import::no-assignment-states",
        "skuld::import::user-without-upn",
    ] {
        assert!(err.contains(code), "{code}: {err}");
    }
    let doc = crate::tenant::load(
        &SourceFile::new("import.yaml", yaml.clone()),
        &crate::tenant::Limits::default(),
    )
    .unwrap();
    let groups: Vec<&str> = doc.groups.iter().map(|g| g.name.value.as_str()).collect();
    assert_eq!(groups.len(), 3);
    assert!(
        groups.iter().filter(|g| g.starts_with("Sales (")).count() == 2,
        "{groups:?}"
    );
    // bob's E3 and EMS from Sales and FLOW_FREE from All Staff are now all direct.
    let bob = doc
        .users
        .iter()
        .find(|u| u.upn.value == "bob@contoso.com")
        .unwrap();
    let licenses: Vec<&str> = bob
        .licenses
        .items
        .iter()
        .map(|l| l.sku.value.as_str())
        .collect();
    assert_eq!(licenses, ["EMS", "ENTERPRISEPACK", "FLOW_FREE"]);
    assert!(!yaml.contains("erin@contoso.com"), "{yaml}");
}
