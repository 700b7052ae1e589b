//! Anchors and aliases: replay, errors inside anchors, recursion, alias bombs.

use std::time::{Duration, Instant};

use super::*;

// --- anchors and aliases -------------------------------------------------------------------------

#[test]
fn aliases_replay_anchored_nodes() -> Result<(), String> {
    let text = "\
tenant: &name t
groups:
  - name: G
    licenses: &std [A, B]
  - name: *name
    licenses: *std
users:
  - &alice
    upn: alice
    groups: [G]
  - *alice
";
    let doc = ok(text)?;
    assert_eq!(doc.groups.len(), 2);
    let second = doc.groups.get(1).ok_or("second")?;
    assert_eq!(second.name.value, "t");
    assert_eq!(text_of(&doc, second.name.span), "*name");
    let names: Vec<_> = second
        .licenses
        .items
        .iter()
        .map(|i| i.sku.value.as_str())
        .collect();
    assert_eq!(names, ["A", "B"]);
    // Items point at where they are written; the entry spans the alias.
    let a = second.licenses.items.first().ok_or("a")?;
    assert_eq!(
        (text_of(&doc, a.sku.span), line_of(&doc, a.sku.span)),
        ("A", 4)
    );
    assert_eq!(
        text_of(&doc, second.licenses.span.ok_or("span")?),
        "licenses: *std"
    );
    assert_eq!(doc.users.len(), 2);
    let copy = doc.users.get(1).ok_or("copy")?;
    assert_eq!(copy.upn.value, "alice");
    assert_eq!(text_of(&doc, copy.span), "*alice");
    Ok(())
}

#[test]
fn nested_aliases_replay_recursively() -> Result<(), String> {
    let text = "\
tenant: t
groups:
  - name: G1
    licenses: &one [&x A, B]
  - name: G2
    groups: &two [*x, C]
users:
  - upn: u
    licenses: *one
    groups: *two
";
    let doc = ok(text)?;
    let user = doc.users.first().ok_or("user")?;
    let groups: Vec<_> = user.groups.items.iter().map(|i| i.value.as_str()).collect();
    assert_eq!(groups, ["A", "C"]);
    let licenses: Vec<_> = user
        .licenses
        .items
        .iter()
        .map(|i| i.sku.value.as_str())
        .collect();
    assert_eq!(licenses, ["A", "B"]);
    Ok(())
}

#[test]
fn errors_inside_an_anchor_are_reported_once() {
    let d = one(
        "tenant: t\nusers:\n  - upn: a\n    licenses: &l [1]\n  - upn: b\n    licenses: *l\n  - upn: c\n    licenses: *l\n",
        "skuld::tenant::wrong-type",
    );
    assert_eq!(d.label(0).2, 4);
}

#[test]
fn recursive_alias_is_an_error() {
    let d = one(
        "tenant: t\nusers: &u [*u]\n",
        "skuld::tenant::recursive-alias",
    );
    assert_eq!(d.message, "alias `*u` refers to a node that contains it");
    assert_eq!(d.label(0).1, "*u");
}

fn billion_laughs() -> String {
    let mut text =
        String::from("tenant: t\nl0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for i in 1..=9 {
        let refs = vec![format!("*l{}", i - 1); 10].join(", ");
        text.push_str(&format!("l{i}: &l{i} [{refs}]\n"));
    }
    text
}

#[test]
fn alias_bomb_fails_fast() {
    // 150 users each replay a list of 1,000 names: 150,000 events, over a budget of 100,000.
    // (`examples`-style release timing of the default budget is in the loader's report.)
    let names = vec!["AAD_PREMIUM"; 1000].join(", ");
    let mut text =
        format!("tenant: t\ngroups:\n  - name: G\n    licenses: &big [{names}]\nusers:\n");
    for i in 0..150 {
        text.push_str(&format!("  - upn: u{i}\n    licenses: *big\n"));
    }
    let limits = Limits {
        max_alias_events: 100_000,
        ..Limits::default()
    };
    let started = Instant::now();
    let all = errs_with(&text, &limits);
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    let got: Vec<_> = all.iter().map(|d| d.code.as_str()).collect();
    assert_eq!(got, ["skuld::tenant::alias-bomb"]);
    let d = all.first();
    assert_eq!(
        d.map(|d| d.message.as_str()),
        Some("alias expansion exceeds 100000 events: the file looks like an alias bomb")
    );
    // The alias being expanded when the budget ran out: the 100th user's.
    assert_eq!(
        d.map(|d| (d.label(0).1, d.label(0).2)),
        Some(("*big", 2 * 99 + 7))
    );
    // Under the budget, the same file loads.
    let limits = Limits {
        max_alias_events: 150_300,
        ..Limits::default()
    };
    assert!(errs_with(&text, &limits).is_empty());

    // A small budget trips on a small expansion.
    let limits = Limits {
        max_alias_events: 5,
        ..Limits::default()
    };
    let all = errs_with(
        "tenant: t\ngroups:\n  - name: G\n    licenses: &l [A, B, C]\n  - name: H\n    licenses: *l\n  - name: I\n    licenses: *l\n",
        &limits,
    );
    let got: Vec<_> = all
        .iter()
        .map(|d| (d.code.as_str(), d.label(0).2))
        .collect();
    assert_eq!(got, [("skuld::tenant::alias-bomb", 8)]);
}

#[test]
fn billion_laughs_is_rejected_fast() {
    // Every level is a sequence of sequences, which the schema never reads into: the outer
    // alias is one type error and is skipped without being expanded.
    for key in ["tenant", "users", "country"] {
        let mut text = billion_laughs();
        text.push_str(&format!("{key}: *l9\n"));
        let text = text.replacen("tenant: t\n", "", usize::from(key == "tenant"));
        let started = Instant::now();
        let all = errs(&text);
        assert!(started.elapsed() < Duration::from_secs(1));
        assert!(
            all.iter()
                .any(|d| d.code == "skuld::tenant::wrong-type" && d.label(0).1.starts_with("*l")),
            "{key}: {all:#?}"
        );
        assert!(all.len() <= 21, "{key}: {}", all.len());
    }
}

#[test]
fn alias_bomb_under_an_unknown_key_is_skipped_unexpanded() {
    let mut text = billion_laughs();
    text.push_str("boom: *l9\n");
    let started = Instant::now();
    let all = errs(&text);
    assert!(started.elapsed() < Duration::from_secs(1));
    assert!(
        all.iter().all(|d| d.code == "skuld::tenant::unknown-key"),
        "{all:#?}"
    );
    assert_eq!(all.len(), 11);
}
