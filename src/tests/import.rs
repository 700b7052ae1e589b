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

fn license() -> impl Strategy<Value = emit::License> {
    (sku_name(), proptest::collection::vec(text(), 0..3)).prop_map(|(sku, mut disabled_plans)| {
        disabled_plans.sort();
        emit::License {
            sku,
            disabled_plans,
        }
    })
}

/// A calendar date as the emitter writes it.
fn date() -> impl Strategy<Value = String> {
    (1970u32..2100, 1u32..13, 1u32..29).prop_map(|(y, m, d)| format!("{y:04}-{m:02}-{d:02}"))
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
        proptest::collection::vec(license(), 0..3),
        proptest::collection::vec(text(), 0..3),
        proptest::collection::vec(
            (
                sku_name(),
                license_error(),
                proptest::option::of(text()),
                any::<bool>(),
            )
                .prop_map(|(sku, error, group, held)| FailedAssignment {
                    sku,
                    error,
                    group,
                    held,
                }),
            0..2,
        ),
        (any::<bool>(), any::<bool>(), proptest::option::of(date())),
    )
        .prop_map(
            |(
                upn,
                synced,
                usage_location,
                licenses,
                groups,
                license_errors,
                (guest, disabled, last_sign_in),
            )| emit::User {
                upn,
                synced,
                guest,
                disabled,
                last_sign_in,
                usage_location,
                licenses,
                groups,
                license_errors,
            },
        );
    let group = (
        text(),
        proptest::collection::vec(license(), 0..3),
        proptest::collection::vec(text(), 0..2),
        any::<bool>(),
    )
        .prop_map(|(name, licenses, groups, dynamic)| emit::Group {
            name,
            licenses,
            groups,
            dynamic,
        });
    let subscription = (
        sku_name(),
        proptest::option::of(any::<u64>()),
        proptest::sample::select(
            emit::SubscriptionStatus::ALL
                .iter()
                .map(|(_, s)| *s)
                .collect::<Vec<_>>(),
        ),
        any::<bool>(),
        proptest::option::of(date()),
    )
        .prop_map(|(sku, seats, status, trial, ends)| emit::Subscription {
            sku,
            seats,
            status,
            trial,
            ends,
        });
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
    let license = |i: &crate::tenant::document::LicenseItem| emit::License {
        sku: sku(&i.sku),
        disabled_plans: i
            .disabled_plans
            .as_ref()
            .map(|p| strings(p))
            .unwrap_or_default(),
    };
    Ok(emit::Tenant {
        header: Vec::new(),
        name: doc.name.value.clone(),
        country: doc.country.as_ref().map(|c| c.value.clone()),
        subscriptions: doc.subscriptions.as_ref().map(|s| {
            s.items
                .iter()
                .map(|s| emit::Subscription {
                    sku: sku(&s.sku),
                    seats: s.seats.as_ref().map(|n| n.value),
                    status: s
                        .status
                        .as_ref()
                        .map_or(emit::SubscriptionStatus::Enabled, |st| st.value),
                    trial: s.trial.as_ref().is_some_and(|t| t.value),
                    ends: s.ends.as_ref().map(|d| d.value.to_string()),
                })
                .collect()
        }),
        groups: doc
            .groups
            .iter()
            .map(|g| emit::Group {
                name: g.name.value.clone(),
                licenses: g.licenses.items.iter().map(license).collect(),
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
                guest: u
                    .user_type
                    .as_ref()
                    .is_some_and(|t| t.value == crate::tenant::document::UserType::Guest),
                disabled: u.enabled.as_ref().is_some_and(|e| !e.value),
                last_sign_in: u.last_sign_in.as_ref().map(|d| d.value.to_string()),
                licenses: u.licenses.items.iter().map(license).collect(),
                groups: strings(&u.groups),
                license_errors: u
                    .license_errors
                    .items
                    .iter()
                    .map(|e| FailedAssignment {
                        sku: sku(&e.sku),
                        error: e.error.value,
                        group: e.group.as_ref().map(|g| g.value.clone()),
                        held: e.held.as_ref().is_some_and(|h| h.value),
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
    let strip = |l: &mut Vec<emit::License>| l.iter_mut().for_each(|l| l.sku.comment = None);
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

// ---------------------------------------------------------------- the requests, as documented

/// The rows of docs/import.md's request tables: file stem, request, permission.
fn documented_requests() -> Vec<(String, String, String)> {
    let doc = std::fs::read_to_string(root().join("docs/import.md")).unwrap();
    doc.lines()
        .filter(|l| !l.starts_with("| `members/"))
        .filter_map(|l| {
            let name = l.strip_prefix("| `")?.split_once(".json`")?.0;
            let cells: Vec<&str> = l.split(" | ").collect();
            let request = cells.get(1)?.trim_matches('`');
            let permission = cells.get(2)?.trim_end_matches(" |");
            request
                .starts_with("GET ")
                .then(|| (name.to_owned(), request.to_owned(), permission.to_owned()))
        })
        .collect()
}

#[test]
fn the_requests_are_the_ones_docs_import_md_lists() {
    use crate::import::graph::{OPTIONAL_RESOURCES, RESOURCES};
    let code: Vec<(String, String, String)> = RESOURCES
        .iter()
        .chain(OPTIONAL_RESOURCES.iter())
        .map(|r| (r.name.to_owned(), r.shown(), r.permission.to_owned()))
        .collect();
    let mut documented = documented_requests();
    let mut sorted = code.clone();
    sorted.sort();
    documented.sort();
    assert_eq!(documented, sorted);
    // The help for a missing file names the same request.
    let tmp = tempfile::tempdir().unwrap();
    let (code_, _, err) = run_cli(&["import", "graph", tmp.path().to_str().unwrap()]);
    assert_eq!(code_, 2);
    // (Wrapped to the terminal's width: compared without white space.)
    let flat: String = err.split_whitespace().collect();
    for r in RESOURCES {
        let shown: String = r.shown().split_whitespace().collect();
        assert!(flat.contains(&shown), "{err}");
    }
}

// ---------------------------------------------------------------- Microsoft's published examples

/// The import of `tests/data/import/microsoft` (docs pages named in its README) on 2026-12-08:
/// the YAML and every warning and note, one string each.
fn microsoft_examples() -> (String, Vec<String>) {
    let policy = crate::Policy::builtin().unwrap();
    let dir = root().join("tests/data/import/microsoft");
    let imported = crate::import::graph(&dir, policy.catalog(), "2026-12-08").unwrap();
    let mut said: Vec<String> = imported
        .warnings
        .iter()
        .map(|w| format!("{} {w} {}", w.code().unwrap(), w.help().unwrap()))
        .collect();
    said.extend(imported.notes.iter().chain(&imported.remarks).cloned());
    let yaml = crate::import::emit::to_yaml(&imported.tenant);
    // What the import writes, the loader reads (contract v3 keys included).
    if let Err(e) = crate::tenant::load(
        &SourceFile::new("microsoft.yaml", yaml.clone()),
        &crate::tenant::Limits::default(),
    ) {
        panic!("{e:?}\n{yaml}");
    }
    (yaml, said)
}

/// Whether a warning or note of kind `code` (or starting with that text) says `text`.
fn said(all: &[String], code: &str, text: &str) -> bool {
    all.iter().any(|s| s.starts_with(code) && s.contains(text))
}

/// The YAML of one list item: its `- key: value` line and the lines indented deeper.
fn item(yaml: &str, head: &str) -> String {
    let start = yaml
        .find(head)
        .unwrap_or_else(|| panic!("{head} in {yaml}"));
    let indent = head.find('-').unwrap();
    let mut lines = yaml[start..].lines();
    let mut out = format!("{}\n", lines.next().unwrap());
    for l in lines.take_while(|l| l.len() - l.trim_start().len() > indent) {
        out.push_str(l);
        out.push('\n');
    }
    out
}

#[test]
fn microsofts_published_examples_subscriptions_field_by_field() {
    let (yaml, all) = microsoft_examples();
    let said = |code: &str, text: &str| said(&all, code, text);
    // Enabled: seats are `enabled`; a trial by `subscriptions.json`, ending on its date.
    assert_eq!(
        item(&yaml, "  - sku: ENTERPRISEPREMIUM"),
        "  - sku: ENTERPRISEPREMIUM\n    seats: 25\n    trial: true\n    ends: \"2026-12-31\"\n"
    );
    // Grace period (`Warning`, `enabled: 0, warning: 25`): 25 seats that still work, status
    // warning; one of its two subscriptions is paid (no `trial`), the earliest date wins.
    assert_eq!(
        item(&yaml, "  - sku: ENTERPRISEPACK"),
        "  - sku: ENTERPRISEPACK\n    seats: 25\n    status: warning\n    ends: \"2027-01-15\"\n"
    );
    // Suspended: no working units.
    assert_eq!(
        item(&yaml, "  - sku: CRMSTANDARD"),
        "  - sku: CRMSTANDARD\n    seats: 0\n    status: suspended\n"
    );
    // No `prepaidUnits`: seats unknown, not 0 (the key left out); `Deleted`: gone. Both said.
    assert_eq!(
        item(&yaml, "  - sku: AAD_PREMIUM"),
        "  - sku: AAD_PREMIUM\n"
    );
    assert!(!yaml.contains("sku: EMS\n"), "{yaml}");
    assert!(said("skuld::import::seats-unknown", "AAD_PREMIUM"));
    assert!(said("skuld::import::subscription-deleted", "EMS"));
}

#[test]
fn microsofts_published_examples_users_and_groups_field_by_field() {
    let (yaml, all) = microsoft_examples();
    let said = |code: &str, text: &str| said(&all, code, text);
    // `verifiedDomains: null`, `countryLetterCode: null`: read as absent.
    assert!(yaml.contains("\ntenant: Contoso\n"), "{yaml}");
    assert!(!yaml.contains("country:"), "{yaml}");
    // The guest: user type, disabled account, last successful sign-in, the direct E3 held
    // with an error (`ActiveWithError`) and TEAMS1 switched off (the unknown plan id said);
    // the group's E5 failed (`Error`); the `Disabled` P1 neither held nor an error.
    assert_eq!(
        item(
            &yaml,
            "  - upn: \"bianca_fabrikam.com#EXT#@contoso.onmicrosoft.com\""
        ),
        "  - upn: \"bianca_fabrikam.com#EXT#@contoso.onmicrosoft.com\"
    user_type: guest
    enabled: false
    last_sign_in: \"2026-08-14\"
    usage_location: US
    licenses:
      - {sku: ENTERPRISEPACK, disabled_plans: [TEAMS1]}
    groups: [Golf Assist]
    license_errors:
      - sku: ENTERPRISEPACK
        error: Other
        held: true
      - sku: ENTERPRISEPREMIUM
        error: CountViolation
        group: Golf Assist
"
    );
    assert!(said(
        "skuld::import::unknown-plan-id",
        "00000000-0000-4000-8000-000000000000"
    ));
    // A plan the SKU does not carry (AAD_PREMIUM in Office 365 E5) is said, not written.
    assert!(item(&yaml, "  - name: Golf Assist").contains("licenses: [ENTERPRISEPREMIUM]"));
    assert!(said(
        "skuld::import::unknown-plan-id",
        "`ENTERPRISEPREMIUM`"
    ));
    // Sign-ins: `""` and `0001-01-01` are no sign-in; else the later of the two attempts.
    assert!(item(&yaml, "  - upn: AdeleV@contoso.com").contains("last_sign_in: \"2021-06-17\""));
    assert!(item(&yaml, "  - upn: AlexW@contoso.com").contains("last_sign_in: \"2021-07-29\""));
    assert!(said("`last_sign_in` is left out for 3 user(s)", ""));
    // Entra's sample: padded `" Active "`/`" None"` is a held direct licence, no error; the
    // licences of a group `groups.json` lacks are left out, said once per state.
    let sample = item(&yaml, "  - upn: licensing-sample@contoso.com");
    assert!(
        sample.contains("240622ac-b9b8-4d50-94e2-dad19a3bf4b5"),
        "{sample}"
    );
    assert!(!sample.contains("license_errors"), "{sample}");
    assert!(said(
        "skuld::import::unknown-group",
        "licensing-sample@contoso.com"
    ));
    // Members `users.json` lacks, and a group without `displayName`, are said.
    assert!(said("skuld::import::unknown-member", "1 group member"));
    assert!(said("skuld::import::group-without-name", "2b5ed229"));
    // `groupTypes` compared trimmed: the dynamic group is dynamic.
    assert!(
        item(&yaml, "  - name: \"2b5ed229-4072-478d-9504-a047ebd4b07d\"").contains("dynamic: true")
    );
}

#[test]
fn microsofts_published_examples_features_field_by_field() {
    let (yaml, all) = microsoft_examples();
    let said = |code: &str, text: &str| said(&all, code, text);
    // Conditional Access: the documented policy names an unknown user, guests, and roles; the
    // disabled ones give nothing.
    assert!(!yaml.contains("conditional_access:"), "{yaml}");
    assert!(!yaml.contains("identity_protection:"), "{yaml}");
    assert!(!yaml.contains("SimplePolicy"), "{yaml}");
    assert!(said("skuld::import::guests", "Demo app for documentation"));
    assert!(said(
        "skuld::import::roles-not-mapped",
        "includes directory roles"
    ));
    assert!(said(
        "skuld::import::roles-not-mapped",
        "excludes directory roles"
    ));
    assert!(said("skuld::import::unknown-principal", "a702a13d"));
    assert!(said("skuld::import::unknown-principal", "124c5b6a"));
    // PIM: the schedules that ended in 2024 (a role, a PIM for Groups membership) are left
    // out; the one without end and the PIM for Groups owner count.
    let pim = item(&yaml, "    - name: eligible role assignments");
    assert_eq!(
        pim,
        "    - name: eligible role assignments\n      users: [AdeleV@contoso.com, admin@contoso.com]\n"
    );
    // Access reviews: a group's members; filtered scopes (guests only) are never widened to
    // the group: only their reviewers are written, and the scope is said.
    assert!(yaml.contains("    - name: Access Review\n      include: [Golf Assist]\n"));
    assert!(
        yaml.contains("    - name: Guests of Golf Discussion\n      users: [admin@contoso.com]\n")
    );
    assert!(!yaml.contains("include: [Golf Discussion]"), "{yaml}");
    assert!(said("skuld::import::review-scope", "filtered part"));
}

/// One row of a CSV file as RFC 4180 has it (quoted fields, `""` inside quotes).
fn csv_row(line: &str) -> Vec<String> {
    let (mut fields, mut field, mut quoted) = (Vec::new(), String::new(), false);
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => fields.push(std::mem::take(&mut field)),
            (c, _) => field.push(c),
        }
    }
    fields.push(field);
    fields
}

/// `src/import/service_plans.tsv` is every (plan id, plan name) pair of Microsoft's product
/// table beside the repository (names trimmed; a name with a tab is a broken copy of another).
/// `SKULD_REGENERATE=1` rewrites it.
#[test]
fn import_plan_table_is_microsofts() {
    let csv = root().join("../shared/data/product-names-and-service-plans.csv");
    let Ok(text) = std::fs::read_to_string(&csv) else {
        return; // The table is not beside the repository: nothing to compare with.
    };
    let mut pairs = std::collections::BTreeSet::new();
    for line in text.trim_start_matches('\u{FEFF}').lines().skip(1) {
        let row = csv_row(line);
        let (Some(name), Some(id)) = (row.get(3), row.get(4)) else {
            continue;
        };
        let (name, id) = (name.trim(), id.trim().to_ascii_lowercase());
        if !name.is_empty() && !id.is_empty() && !name.contains('\t') {
            pairs.insert(format!("{id}\t{name}\n"));
        }
    }
    let generated: String = pairs.into_iter().collect();
    if std::env::var_os("SKULD_REGENERATE").is_some() {
        std::fs::write(root().join("src/import/service_plans.tsv"), &generated).unwrap();
    }
    assert!(
        generated == crate::import::plans::TABLE,
        "src/import/service_plans.tsv differs from {}: run SKULD_REGENERATE=1 cargo test --lib import_plan_table",
        csv.display()
    );
}
