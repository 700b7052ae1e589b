//! The happy path and spans; BOM, CRLF, non-ASCII text and the offsets table.

use super::*;

// --- the happy path and spans ------------------------------------------------------------------

#[test]
fn loads_the_contract_example_with_spans() -> Result<(), String> {
    let doc = ok(CONTRACT)?;
    assert_eq!(doc.name.value, "contoso.onmicrosoft.com");
    assert_eq!(text_of(&doc, doc.name.span), "contoso.onmicrosoft.com");
    let country = doc.country.as_ref().ok_or("country")?;
    assert_eq!(
        (country.value.as_str(), line_of(&doc, country.span)),
        ("US", 2)
    );

    let sspr = doc.sspr.as_ref().ok_or("sspr")?;
    assert_eq!(sspr.scope.value, SsprScope::Selected);
    assert_eq!(text_of(&doc, sspr.scope.span), "selected");
    assert_eq!(
        sspr.group.as_ref().map(|g| g.value.as_str()),
        Some("SSPR-Pilot")
    );
    assert_eq!(
        text_of(&doc, sspr.span),
        "sspr:                              # optional; absent means SSPR is off\n  scope: selected\n  group: SSPR-Pilot\n  writeback: false"
    );
    let writeback = sspr.writeback.as_ref().ok_or("writeback")?;
    assert!(!writeback.value);
    assert_eq!(text_of(&doc, writeback.span), "writeback: false");

    let subs = doc.subscriptions.as_ref().ok_or("subscriptions")?;
    assert_eq!(subs.items.len(), 1);
    let sub = subs.items.first().ok_or("sub")?;
    assert_eq!(
        (sub.sku.value.as_str(), sub.seats.as_ref().map(|n| n.value)),
        ("ENTERPRISEPACK", Some(250))
    );
    assert_eq!(
        text_of(&doc, sub.span),
        "sku: ENTERPRISEPACK\n    seats: 250"
    );
    assert_eq!(
        text_of(&doc, sub.seats.as_ref().ok_or("seats")?.span),
        "250"
    );
    assert!(text_of(&doc, subs.span.ok_or("span")?).starts_with("subscriptions:\n"));
    assert!(text_of(&doc, subs.span.ok_or("span")?).ends_with("seats: 250"));

    assert_eq!(doc.groups.len(), 2);
    let sales = doc.groups.first().ok_or("sales")?;
    assert_eq!(sales.name.value, "Sales");
    assert_eq!(line_of(&doc, sales.span), 11);
    assert_eq!(
        text_of(&doc, sales.span),
        "name: Sales\n    licenses: [ENTERPRISEPACK]\n    groups: [All-Staff]"
    );
    assert_eq!(
        text_of(&doc, sales.licenses.span.ok_or("span")?),
        "licenses: [ENTERPRISEPACK]"
    );
    let item = sales.licenses.items.first().ok_or("item")?;
    assert_eq!(
        (text_of(&doc, item.sku.span), line_of(&doc, item.sku.span)),
        ("ENTERPRISEPACK", 12)
    );
    let all_staff = doc.groups.get(1).ok_or("all-staff")?;
    assert_eq!(all_staff.licenses, ListField::default());
    assert_eq!(all_staff.groups.span, None);

    assert_eq!(doc.users.len(), 2);
    let alice = doc.users.first().ok_or("alice")?;
    assert_eq!(alice.upn.value, "alice@contoso.com");
    assert_eq!(line_of(&doc, alice.span), 16);
    assert!(text_of(&doc, alice.span).starts_with("upn: alice@contoso.com\n"));
    assert!(text_of(&doc, alice.span).ends_with("groups: [Sales]"));
    assert_eq!(
        alice.source.as_ref().map(|s| s.value),
        Some(UserSource::Cloud)
    );
    assert_eq!(
        alice.usage_location.as_ref().map(|u| u.value.as_str()),
        Some("US")
    );
    assert_eq!(
        text_of(&doc, alice.groups.span.ok_or("span")?),
        "groups: [Sales]"
    );

    let bob = doc.users.get(1).ok_or("bob")?;
    assert_eq!(bob.upn.value, "bob@contoso.com");
    assert_eq!(text_of(&doc, bob.upn.span), "\"bob@contoso.com\"");
    assert_eq!(
        bob.source.as_ref().map(|s| s.value),
        Some(UserSource::Synced)
    );
    assert_eq!(bob.usage_location, None);
    let names: Vec<_> = bob
        .licenses
        .items
        .iter()
        .map(|l| l.sku.value.as_str())
        .collect();
    assert_eq!(names, ["EMS", "SPE_E3"]);
    let spe = bob.licenses.items.get(1).ok_or("spe")?;
    assert_eq!(
        (text_of(&doc, spe.sku.span), line_of(&doc, spe.sku.span)),
        ("'SPE_E3'", 25)
    );
    assert_eq!(
        text_of(&doc, bob.licenses.span.ok_or("span")?),
        "licenses:\n      - EMS\n      - 'SPE_E3'"
    );
    assert!(doc.yaml11_booleans.is_empty());
    Ok(())
}

#[test]
fn minimal_tenant_and_absent_lists() -> Result<(), String> {
    let doc = ok("tenant: t")?;
    assert_eq!(doc.name.value, "t");
    assert!(doc.country.is_none() && doc.sspr.is_none() && doc.subscriptions.is_none());
    assert!(doc.groups.is_empty() && doc.users.is_empty());
    Ok(())
}

#[test]
fn empty_and_null_lists_are_empty() -> Result<(), String> {
    let doc = ok("tenant: t\nsubscriptions:\ngroups: ~\nusers: []\n")?;
    let subs = doc.subscriptions.as_ref().ok_or("present and empty")?;
    assert!(subs.items.is_empty());
    assert_eq!(text_of(&doc, subs.span.ok_or("span")?), "subscriptions:");
    let doc = ok("tenant: t\nsubscriptions :  # none yet\n")?;
    let subs = doc.subscriptions.as_ref().ok_or("present and empty")?;
    assert_eq!(text_of(&doc, subs.span.ok_or("span")?), "subscriptions :");
    assert!(doc.groups.is_empty() && doc.users.is_empty());

    let doc = ok(
        "tenant: t\nusers:\n  - upn: a\n    licenses:\n    groups: null\n  - upn: b\n    licenses: []\n    groups: ~\n",
    )?;
    for user in &doc.users {
        assert!(user.licenses.items.is_empty() && user.groups.items.is_empty());
        assert!(user.licenses.span.is_some() && user.groups.span.is_some());
    }
    let a = doc.users.first().ok_or("a")?;
    assert_eq!(text_of(&doc, a.licenses.span.ok_or("span")?), "licenses:");
    assert_eq!(text_of(&doc, a.groups.span.ok_or("span")?), "groups: null");
    let b = doc.users.get(1).ok_or("b")?;
    assert_eq!(
        text_of(&doc, b.licenses.span.ok_or("span")?),
        "licenses: []"
    );
    Ok(())
}

#[test]
fn flow_mappings_and_quoted_keys() -> Result<(), String> {
    let doc = ok("{tenant: t, users: [{upn: a, licenses: [X, \"Y\"]}, {\"upn\": b}]}")?;
    assert_eq!(doc.users.len(), 2);
    let a = doc.users.first().ok_or("a")?;
    assert_eq!(text_of(&doc, a.span), "{upn: a, licenses: [X, \"Y\"]}");
    assert_eq!(
        text_of(&doc, a.licenses.span.ok_or("span")?),
        "licenses: [X, \"Y\"]"
    );
    Ok(())
}

#[test]
fn block_scalars_are_strings() -> Result<(), String> {
    let doc = ok("tenant: >-\n  folded\n  name\nusers:\n  - upn: |-\n      literal\n")?;
    assert_eq!(doc.name.value, "folded name");
    assert_eq!(
        doc.users.first().map(|u| u.upn.value.as_str()),
        Some("literal")
    );
    Ok(())
}

// --- BOM, CRLF, non-ASCII -----------------------------------------------------------------------

#[test]
fn bom_and_crlf() -> Result<(), String> {
    let text =
        "\u{feff}tenant: t\r\nusers:\r\n  - upn: a@b.c\r\n    licenses: [X]\r\n  - upn: d@e.f\r\n";
    let doc = ok(text)?;
    assert_eq!(doc.name.value, "t");
    assert_eq!(text_of(&doc, doc.name.span), "t");
    let first = doc.users.first().ok_or("first")?;
    assert_eq!(text_of(&doc, first.span), "upn: a@b.c\r\n    licenses: [X]");
    assert_eq!(line_of(&doc, first.span), 3);
    let second = doc.users.get(1).ok_or("second")?;
    assert_eq!(
        (text_of(&doc, second.upn.span), line_of(&doc, second.span)),
        ("d@e.f", 5)
    );

    let d = one(
        "\u{feff}tenant: t\r\ncontry: US\r\n",
        "skuld::tenant::unknown-key",
    );
    assert_eq!(d.label(0).1, "contry");
    assert_eq!(d.label(0).2, 2);
    Ok(())
}

#[test]
fn byte_offsets_after_non_ascii_text() -> Result<(), String> {
    let text = "tenant: Société Générale ☃ 𝄞\nusers:\n  - upn: \"zoë@exämple.com\"\n    licenses: [ÅBC, X]\n  - upn: b\n";
    let doc = ok(text)?;
    assert_eq!(doc.name.value, "Société Générale ☃ 𝄞");
    assert_eq!(text_of(&doc, doc.name.span), "Société Générale ☃ 𝄞");
    let zoe = doc.users.first().ok_or("zoe")?;
    assert_eq!(text_of(&doc, zoe.upn.span), "\"zoë@exämple.com\"");
    let names: Vec<_> = zoe
        .licenses
        .items
        .iter()
        .map(|i| text_of(&doc, i.sku.span))
        .collect();
    assert_eq!(names, ["ÅBC", "X"]);
    let b = doc.users.get(1).ok_or("b")?;
    assert_eq!((text_of(&doc, b.upn.span), line_of(&doc, b.span)), ("b", 5));

    let d = one(
        "tenant: ✓✓\nusers:\n  - upn: ü\n    sets: 1\n",
        "skuld::tenant::unknown-key",
    );
    assert_eq!((d.label(0).1, d.label(0).2), ("sets", 4));
    Ok(())
}

#[test]
fn offsets_table_maps_characters_to_bytes() {
    let text = "aé☃𝄞b ÿ\u{feff}xyz€€€€€€€€€€€€€€€€€€€€ 1";
    let expected: Vec<usize> = text
        .char_indices()
        .map(|(b, _)| b)
        .chain([text.len()])
        .collect();
    // In order, backwards, and jumping about.
    let mut offsets = Offsets::new(text);
    let n = text.chars().count();
    let forward: Vec<usize> = (0..=n).map(|c| offsets.byte(c)).collect();
    assert_eq!(forward, expected);
    let backward: Vec<usize> = (0..=n).rev().map(|c| offsets.byte(c)).collect();
    assert_eq!(backward, expected.iter().rev().copied().collect::<Vec<_>>());
    for c in [n, 0, 17, 3, 30, 2, n, 5, 5, 29] {
        assert_eq!(Some(offsets.byte(c)), expected.get(c).copied(), "{c}");
    }
    assert!(matches!(Offsets::new("plain"), Offsets::Ascii));
    assert_eq!(Offsets::new("abc").byte(2), 2);
}
