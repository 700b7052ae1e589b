use std::time::{Duration, Instant};

use super::*;

fn src(text: &str) -> SourceFile {
    SourceFile::new("t.yaml", text)
}

/// Loads `text` with default limits; the diagnostics as text on failure.
fn ok(text: &str) -> Result<TenantDocument, String> {
    load(&src(text), &Limits::default()).map_err(|d| format!("{d:?}"))
}

/// One diagnostic, flattened for assertions.
#[derive(Debug)]
struct D {
    code: String,
    message: String,
    help: String,
    /// (label text, labelled source text, 1-based line) in label order.
    labels: Vec<(String, String, usize)>,
}

impl D {
    fn label(&self, i: usize) -> (&str, &str, usize) {
        self.labels
            .get(i)
            .map_or(("<none>", "<none>", 0), |(l, t, n)| {
                (l.as_str(), t.as_str(), *n)
            })
    }
}

fn errs_with(text: &str, limits: &Limits) -> Vec<D> {
    let file = src(text);
    match load(&file, limits) {
        Ok(_) => Vec::new(),
        Err(diagnostics) => diagnostics
            .iter()
            .map(|r| D {
                code: r.code().map(|c| c.to_string()).unwrap_or_default(),
                message: r.to_string(),
                help: r.help().map(|h| h.to_string()).unwrap_or_default(),
                labels: r
                    .labels()
                    .into_iter()
                    .flatten()
                    .map(|l| {
                        let span = Span::new(l.offset(), l.offset() + l.len());
                        (
                            l.label().unwrap_or("").to_owned(),
                            file.slice(span).to_owned(),
                            file.line_col(l.offset()).0,
                        )
                    })
                    .collect(),
            })
            .collect(),
    }
}

fn errs(text: &str) -> Vec<D> {
    errs_with(text, &Limits::default())
}

/// The one error of `text`, checked to have `code`.
fn one(text: &str, code: &str) -> D {
    let mut all = errs(text);
    assert_eq!(all.len(), 1, "{all:#?}");
    let d = all.pop().unwrap_or(D {
        code: String::new(),
        message: String::new(),
        help: String::new(),
        labels: Vec::new(),
    });
    assert_eq!(d.code, code, "{d:#?}");
    d
}

fn codes(text: &str) -> Vec<String> {
    errs(text).into_iter().map(|d| d.code).collect()
}

fn text_of(doc: &TenantDocument, span: Span) -> &str {
    doc.source.slice(span)
}

fn line_of(doc: &TenantDocument, span: Span) -> usize {
    doc.source.line_col(span.start as usize).0
}

const CONTRACT: &str = "\
tenant: contoso.onmicrosoft.com    # required: the tenant's name
country: US                        # optional
sspr:                              # optional; absent means SSPR is off
  scope: selected
  group: SSPR-Pilot
  writeback: false
subscriptions:
  - sku: ENTERPRISEPACK
    seats: 250
groups:
  - name: Sales
    licenses: [ENTERPRISEPACK]
    groups: [All-Staff]
  - name: All-Staff
users:
  - upn: alice@contoso.com
    source: cloud
    usage_location: US
    licenses: [AAD_PREMIUM]
    groups: [Sales]
  - upn: \"bob@contoso.com\"
    source: synced
    licenses:
      - EMS
      - 'SPE_E3'
";

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
        (sub.sku.value.as_str(), sub.seats.value),
        ("ENTERPRISEPACK", 250)
    );
    assert_eq!(
        text_of(&doc, sub.span),
        "sku: ENTERPRISEPACK\n    seats: 250"
    );
    assert_eq!(text_of(&doc, sub.seats.span), "250");
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
        (text_of(&doc, item.span), line_of(&doc, item.span)),
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
        .map(|l| l.value.as_str())
        .collect();
    assert_eq!(names, ["EMS", "SPE_E3"]);
    let spe = bob.licenses.items.get(1).ok_or("spe")?;
    assert_eq!(
        (text_of(&doc, spe.span), line_of(&doc, spe.span)),
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
        .map(|i| text_of(&doc, i.span))
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

// --- keys ----------------------------------------------------------------------------------------

#[test]
fn unknown_key_with_did_you_mean() {
    let d = one(
        "tenant: t\nusers:\n  - upn: a\n    usage_locaton: US\n",
        "skuld::tenant::unknown-key",
    );
    assert_eq!(d.message, "unknown key `usage_locaton` in a user");
    assert_eq!(d.help, "did you mean `usage_location`?");
    assert_eq!((d.label(0).1, d.label(0).2), ("usage_locaton", 4));
    let d = one(
        "tenant: t\nsubscription: []\n",
        "skuld::tenant::unknown-key",
    );
    assert_eq!(d.help, "did you mean `subscriptions`?");
    let d = one("Tenant: t\ntenant: t\n", "skuld::tenant::unknown-key");
    assert_eq!(d.help, "did you mean `tenant`?");
}

#[test]
fn unknown_key_of_another_level_lists_the_allowed_keys() {
    let d = one(
        "tenant: t\nusers:\n  - upn: a\n    seats: 3\n",
        "skuld::tenant::unknown-key",
    );
    assert_eq!(
        d.help,
        "`seats` is a key of a subscription, not of a user; a user takes `upn`, `source`, `usage_location`, `licenses`, `groups` and `license_errors`"
    );
    let d = one(
        "tenant: t\nfavourite_colour: blue\n",
        "skuld::tenant::unknown-key",
    );
    assert_eq!(
        d.help,
        "the top level takes `tenant`, `country`, `sspr`, `subscriptions`, `groups`, `users` and `features`"
    );
}

#[test]
fn duplicate_keys_label_both() {
    let d = one(
        "tenant: t\nusers:\n  - upn: a\n    licenses: [A]\n    licenses: [B]\n",
        "skuld::tenant::duplicate-key",
    );
    assert_eq!(d.message, "duplicate key `licenses` in a user");
    assert_eq!(d.label(0), ("first defined here", "licenses", 4));
    assert_eq!(d.label(1), ("defined again here", "licenses", 5));
    let d = one("tenant: a\ntenant: b\n", "skuld::tenant::duplicate-key");
    assert_eq!(d.label(1).2, 2);
}

#[test]
fn missing_required_keys_point_at_the_mapping() {
    let d = one("country: US\nusers: []\n", "skuld::tenant::missing-key");
    assert_eq!(d.message, "missing key `tenant` in the top level");
    assert_eq!(
        d.label(0).1,
        "country: US",
        "the first line of the root mapping"
    );
    assert!(d.help.contains("tenant: "), "{}", d.help);

    let d = one(
        "tenant: t\nusers:\n  - upn: a\n  - usage_location: US\n    licenses: [X]\n",
        "skuld::tenant::missing-key",
    );
    assert_eq!(d.message, "missing key `upn` in a user");
    assert_eq!(d.label(0).1, "usage_location: US\n    licenses: [X]");
    assert_eq!(d.label(0).2, 4);

    let d = one(
        "tenant: t\ngroups:\n  - licenses: [X]\n",
        "skuld::tenant::missing-key",
    );
    assert_eq!(d.message, "missing key `name` in a group");

    let all = errs("tenant: t\nsubscriptions:\n  - {}\n  - sku: X\n  - seats: 1\n");
    let messages: Vec<_> = all.iter().map(|d| d.message.as_str()).collect();
    assert_eq!(
        messages,
        [
            "missing key `sku` in a subscription",
            "missing key `seats` in a subscription",
            "missing key `seats` in a subscription",
            "missing key `sku` in a subscription",
        ]
    );

    let d = one(
        "tenant: t\nsspr:\n  writeback: true\n",
        "skuld::tenant::missing-key",
    );
    assert_eq!(d.message, "missing key `scope` in `sspr`");
    assert_eq!(d.label(0).1, "sspr:\n  writeback: true");
}

#[test]
fn merge_keys_are_rejected() {
    let all = errs("tenant: t\nusers:\n  - upn: a\n    <<: {licenses: [A]}\n");
    assert_eq!(all.len(), 1, "{all:#?}");
    let d = all.first();
    assert_eq!(d.map(|d| d.code.as_str()), Some("skuld::tenant::merge-key"));
    assert_eq!(d.map(|d| d.label(0)), Some(("merge key", "<<", 4)));
    assert!(d.is_some_and(|d| d.help.contains("alias")));
    // With an alias as the merged value too.
    let got = codes("tenant: t\nusers:\n  - &a {upn: a}\n  - upn: b\n    <<: *a\n");
    assert_eq!(got, ["skuld::tenant::merge-key"]);
}

#[test]
fn non_string_keys_are_rejected() {
    let d = one("tenant: t\n? [a, b]\n: 1\n", "skuld::tenant::invalid-key");
    assert_eq!(d.message, "mapping keys must be strings, found a sequence");
    assert_eq!(d.label(0).1, "[a, b]");
}

// --- sspr ----------------------------------------------------------------------------------------

#[test]
fn sspr_group_required_for_selected_and_forbidden_otherwise() -> Result<(), String> {
    let d = one(
        "tenant: t\nsspr:\n  scope: selected\n",
        "skuld::tenant::missing-key",
    );
    assert_eq!(d.message, "missing key `group` in `sspr`");
    assert!(d.help.contains("scope: selected"), "{}", d.help);

    let d = one(
        "tenant: t\nsspr:\n  scope: all\n  group: G\n",
        "skuld::tenant::sspr-group-forbidden",
    );
    assert_eq!(
        d.message,
        "`sspr.group` is only allowed when `scope` is `selected`, and scope is `all`"
    );
    assert_eq!(d.label(0).1, "group: G");
    assert_eq!(d.label(1).1, "all");
    one(
        "tenant: t\nsspr:\n  scope: none\n  group: G\n",
        "skuld::tenant::sspr-group-forbidden",
    );

    let doc = ok("tenant: t\nsspr:\n  scope: none\n")?;
    let sspr = doc.sspr.ok_or("sspr")?;
    assert_eq!(
        (sspr.scope.value, sspr.group, sspr.writeback),
        (SsprScope::None, None, None)
    );
    let doc = ok("tenant: t\nsspr: {scope: all, writeback: true}\n")?;
    let sspr = doc.sspr.as_ref().ok_or("sspr")?;
    assert_eq!(
        text_of(&doc, sspr.span),
        "sspr: {scope: all, writeback: true}"
    );
    assert_eq!(sspr.writeback.as_ref().map(|w| w.value), Some(true));
    Ok(())
}

#[test]
fn sspr_must_be_a_mapping() {
    let d = one("tenant: t\nsspr:\n", "skuld::tenant::wrong-type");
    assert_eq!(
        d.message,
        "expected a mapping for `sspr`, found an empty value"
    );
    let d = one("tenant: t\nsspr: all\n", "skuld::tenant::wrong-type");
    assert!(d.help.contains("scope: all"), "{}", d.help);
}

#[test]
fn enum_values_with_did_you_mean() {
    let d = one(
        "tenant: t\nsspr:\n  scope: selceted\n  group: G\n",
        "skuld::tenant::invalid-value",
    );
    assert_eq!(
        d.message,
        "`selceted` is not a valid `scope`: expected `none`, `all` or `selected`"
    );
    assert_eq!(d.help, "did you mean `selected`?");
    assert_eq!(d.label(0).1, "selceted");
    let d = one(
        "tenant: t\nusers:\n  - upn: a\n    source: onprem\n",
        "skuld::tenant::invalid-value",
    );
    assert_eq!(d.help, "use `cloud` or `synced`");
    let d = one(
        "tenant: t\nusers:\n  - upn: a\n    source: Cloud\n",
        "skuld::tenant::invalid-value",
    );
    assert_eq!(d.help, "did you mean `cloud`?");
    let d = one(
        "tenant: t\nusers:\n  - upn: a\n    source: 1\n",
        "skuld::tenant::wrong-type",
    );
    assert_eq!(
        d.message,
        "expected one of `cloud` or `synced` for `source`, found integer `1`"
    );
}

// --- scalar types --------------------------------------------------------------------------------

#[test]
fn seats_must_be_a_whole_number_of_at_least_zero() -> Result<(), String> {
    let sub = |seats: &str| format!("tenant: t\nsubscriptions:\n  - sku: X\n    seats: {seats}\n");
    let d = one(&sub("-5"), "skuld::tenant::invalid-value");
    assert_eq!(d.message, "`seats` must be 0 or more, found `-5`");
    assert_eq!((d.label(0).1, d.label(0).2), ("-5", 4));
    let d = one(&sub("2.5"), "skuld::tenant::wrong-type");
    assert_eq!(
        d.message,
        "expected a whole number for `seats`, found number `2.5`"
    );
    let d = one(&sub("ten"), "skuld::tenant::wrong-type");
    assert_eq!(
        d.message,
        "expected a whole number for `seats`, found string `ten`"
    );
    let d = one(&sub("\"10\""), "skuld::tenant::wrong-type");
    assert_eq!(d.help, "remove the quotes: `seats: 10`");
    one(&sub(""), "skuld::tenant::wrong-type");
    one(&sub("[1]"), "skuld::tenant::wrong-type");
    one(
        &sub("99999999999999999999999"),
        "skuld::tenant::invalid-value",
    );
    one(&sub("1e3"), "skuld::tenant::wrong-type");
    for (text, n) in [
        ("0", 0),
        ("+7", 7),
        ("0x1F", 31),
        ("0o17", 15),
        ("-0", 0),
        ("!!int 12", 12),
    ] {
        let doc = ok(&sub(text))?;
        let seats = doc
            .subscriptions
            .and_then(|s| s.items.first().map(|s| s.seats.value));
        assert_eq!(seats, Some(n), "{text}");
    }
    Ok(())
}

#[test]
fn core_schema_scalars_in_string_fields_are_type_errors() {
    for (value, found) in [
        ("123", "integer `123`"),
        ("-1", "integer `-1`"),
        ("0x1F", "integer `0x1F`"),
        ("0o17", "integer `0o17`"),
        ("1.5", "number `1.5`"),
        (".5", "number `.5`"),
        ("1e3", "number `1e3`"),
        ("-.inf", "number `-.inf`"),
        (".NaN", "number `.NaN`"),
        ("true", "boolean `true`"),
        ("False", "boolean `False`"),
        ("TRUE", "boolean `TRUE`"),
        ("~", "null `~`"),
        ("null", "null `null`"),
        ("NULL", "null `NULL`"),
        ("", "an empty value"),
        ("[a]", "a sequence"),
        ("{a: b}", "a mapping"),
    ] {
        let d = one(
            &format!("tenant: t\nusers:\n  - upn: {value}\n"),
            "skuld::tenant::wrong-type",
        );
        assert_eq!(
            d.message,
            format!("expected a string for `upn`, found {found}")
        );
    }
    let d = one("tenant: 123\n", "skuld::tenant::wrong-type");
    assert_eq!(d.help, "quote it if you mean the text: `\"123\"`");
    let d = one(
        "tenant: t\ngroups:\n  - name: G\n    licenses: [A, 1.0]\n",
        "skuld::tenant::wrong-type",
    );
    assert_eq!(
        d.message,
        "expected a string for an item of `licenses`, found number `1.0`"
    );
    assert_eq!(d.label(0).1, "1.0");
}

#[test]
fn strings_that_look_like_other_types_are_strings() -> Result<(), String> {
    for value in [
        "1.2.3",
        "0x",
        "+",
        "12abc",
        "nul",
        "truee",
        ".infinity",
        "0b101",
        "1_000",
        "2024-01-01",
        "'123'",
        "\"true\"",
        "!!str 42",
        "! 42",
    ] {
        let doc = ok(&format!("tenant: {value}\n"))?;
        assert!(doc.yaml11_booleans.is_empty(), "{value}");
        assert!(!doc.name.value.is_empty(), "{value}");
    }
    assert_eq!(ok("tenant: !!str 42")?.name.value, "42");
    assert_eq!(ok("tenant: !!binary abc")?.name.value, "abc");
    Ok(())
}

#[test]
fn yaml11_booleans_are_strings_and_remembered() -> Result<(), String> {
    let doc = ok(
        "tenant: t\ncountry: NO\nusers:\n  - upn: a\n    usage_location: no\n    groups: [Yes, 'On', OFF]\n",
    )?;
    assert_eq!(doc.country.as_ref().map(|c| c.value.as_str()), Some("NO"));
    let found: Vec<_> = doc
        .yaml11_booleans
        .iter()
        .map(|s| (s.value.as_str(), text_of(&doc, s.span)))
        .collect();
    assert_eq!(
        found,
        [("NO", "NO"), ("no", "no"), ("Yes", "Yes"), ("OFF", "OFF")]
    );
    for word in YAML11_BOOLEANS {
        let doc = ok(&format!("tenant: {word}\n"))?;
        assert_eq!(doc.name.value, word);
        assert_eq!(doc.yaml11_booleans.len(), 1, "{word}");
    }
    let doc = ok("tenant: t\ncountry: \"NO\"\n")?;
    assert!(doc.yaml11_booleans.is_empty());
    let doc = ok("tenant: t\ncountry: !!str NO\n")?;
    assert!(doc.yaml11_booleans.is_empty());
    Ok(())
}

#[test]
fn writeback_takes_yaml12_booleans_only() -> Result<(), String> {
    let wb = |v: &str| format!("tenant: t\nsspr:\n  scope: all\n  writeback: {v}\n");
    for word in ["yes", "No", "on", "OFF", "y", "N"] {
        let d = one(&wb(word), "skuld::tenant::yaml11-boolean");
        assert_eq!(
            d.message,
            format!("expected a boolean for `writeback`, found `{word}`")
        );
        assert_eq!(
            d.help,
            format!(
                "`{word}` is a boolean only in YAML 1.1; skuld reads YAML 1.2, where booleans are `true` and `false`"
            )
        );
        assert_eq!(d.label(0).1, word);
    }
    let d = one(&wb("\"true\""), "skuld::tenant::wrong-type");
    assert_eq!(d.help, "remove the quotes: `writeback: true`");
    one(&wb("1"), "skuld::tenant::wrong-type");
    one(&wb(""), "skuld::tenant::wrong-type");
    for (v, b) in [
        ("true", true),
        ("False", false),
        ("TRUE", true),
        ("!!bool true", true),
    ] {
        let doc = ok(&wb(v))?;
        let value = doc.sspr.and_then(|s| s.writeback).map(|w| w.value);
        assert_eq!(value, Some(b), "{v}");
    }
    Ok(())
}

#[test]
fn a_boolean_country_suggests_norway() {
    for text in [
        "tenant: t\ncountry: false\n",
        "tenant: t\nusers:\n  - upn: a\n    usage_location: true\n",
    ] {
        let d = one(text, "skuld::tenant::wrong-type");
        assert_eq!(
            d.help,
            "if you meant Norway, write `NO` (quotes are optional in YAML 1.2)"
        );
    }
}

#[test]
fn tags() {
    let d = one("tenant: !foo t\n", "skuld::tenant::unsupported-tag");
    assert_eq!(d.message, "unsupported tag `!foo`");
    assert_eq!(d.label(0).1, "!foo t");
    let d = one(
        "tenant: t\nusers: !users\n  - upn: a\n",
        "skuld::tenant::unsupported-tag",
    );
    assert_eq!(d.label(0).2, 2);
    one("tenant: !!int t\n", "skuld::tenant::invalid-value");
    one("tenant: !!int 5\n", "skuld::tenant::wrong-type");
    one("tenant: !!null x\n", "skuld::tenant::wrong-type");
    let d = one(
        "tenant: t\nsspr:\n  scope: all\n  writeback: !!bool yes\n",
        "skuld::tenant::invalid-value",
    );
    assert_eq!(d.message, "`yes` is not a valid `!!bool` value");
}

#[test]
fn lists_of_the_wrong_shape() {
    let d = one(
        "tenant: t\nusers:\n  - upn: a\n    licenses: EMS\n",
        "skuld::tenant::wrong-type",
    );
    assert_eq!(
        d.message,
        "expected a list of names for `licenses`, found string `EMS`"
    );
    assert_eq!(d.help, "write a list: `licenses: [EMS]`");
    one(
        "tenant: t\nusers:\n  - upn: a\n    groups: {a: 1}\n",
        "skuld::tenant::wrong-type",
    );
    let d = one(
        "tenant: t\nusers:\n  - upn: a\n    groups: [[G]]\n",
        "skuld::tenant::wrong-type",
    );
    assert_eq!(
        d.message,
        "expected a name for an item of `groups`, found a sequence"
    );
    assert_eq!(d.label(0).1, "[G]");
    let d = one(
        "tenant: t\nusers:\n  - alice@contoso.com\n",
        "skuld::tenant::wrong-type",
    );
    assert_eq!(d.help, "write `- upn: alice@contoso.com`");
    let d = one("tenant: t\nusers:\n  upn: a\n", "skuld::tenant::wrong-type");
    assert_eq!(
        d.message,
        "expected a list of users for `users`, found a mapping"
    );
    one("tenant: t\ngroups: Sales\n", "skuld::tenant::wrong-type");
    one(
        "tenant: t\nsubscriptions: [[]]\n",
        "skuld::tenant::wrong-type",
    );
}

// --- the document as a whole ---------------------------------------------------------------------

#[test]
fn empty_files() {
    for text in [
        "",
        "\n\n",
        "# only a comment\n# and another\n",
        "---\n",
        "--- # c\n...\n",
        "\u{feff}",
    ] {
        let d = one(text, "skuld::tenant::empty");
        assert_eq!(d.message, "the tenant file is empty");
        assert_eq!(d.help, "a tenant file needs at least `tenant: NAME`");
    }
}

#[test]
fn root_must_be_a_mapping() {
    let d = one("just text\n", "skuld::tenant::not-a-mapping");
    assert_eq!(
        d.message,
        "the tenant file must be a mapping of keys, found string `just text`"
    );
    let d = one("- tenant: t\n", "skuld::tenant::not-a-mapping");
    assert_eq!(
        d.message,
        "the tenant file must be a mapping of keys, found a sequence"
    );
    one("42\n", "skuld::tenant::not-a-mapping");
}

#[test]
fn multiple_documents() {
    let d = one(
        "tenant: a\n---\ntenant: b\n",
        "skuld::tenant::multiple-documents",
    );
    assert_eq!((d.label(0).1, d.label(0).2), ("---", 2));
    let d = one(
        "---\ntenant: a\n...\n---\ntenant: b\n",
        "skuld::tenant::multiple-documents",
    );
    assert_eq!(d.label(0).2, 4);
    // A single explicit document is fine.
    assert!(errs("---\ntenant: a\n...\n").is_empty());
}

#[test]
fn reports_every_error_in_source_order() {
    let text = "\
tenant: t
contry: US
sspr:
  scope: al
subscriptions:
  - sku: X
    seats: -1
users:
  - upn: 1
    source: clod
  - upn: b
    licences: [A]
  - upn: c
    groups: [G, [H]]
";
    let all = errs(text);
    let got: Vec<_> = all
        .iter()
        .map(|d| (d.code.as_str(), d.label(0).2))
        .collect();
    assert_eq!(
        got,
        [
            ("skuld::tenant::unknown-key", 2),
            ("skuld::tenant::invalid-value", 4),
            ("skuld::tenant::invalid-value", 7),
            ("skuld::tenant::wrong-type", 9),
            ("skuld::tenant::invalid-value", 10),
            ("skuld::tenant::unknown-key", 12),
            ("skuld::tenant::wrong-type", 14),
        ]
    );
}

// --- syntax --------------------------------------------------------------------------------------

#[test]
fn syntax_errors_keep_earlier_schema_errors() {
    let all = errs("tenant: t\ncontry: US\nusers:\n  - upn: a\n    licenses: [A\n");
    let got: Vec<_> = all.iter().map(|d| d.code.as_str()).collect();
    assert_eq!(got, ["skuld::tenant::unknown-key", "skuld::tenant::syntax"]);
    let syntax = all.get(1);
    assert!(
        syntax.is_some_and(|d| d.message.starts_with("invalid YAML: ")),
        "{all:#?}"
    );
}

#[test]
fn syntax_error_position_and_tab_hint() {
    let d = one("tenant: t\nusers:\n\t- upn: a\n", "skuld::tenant::syntax");
    assert!(d.message.contains("tab"), "{}", d.message);
    assert_eq!(
        d.help,
        "YAML does not allow tabs for indentation: indent with spaces"
    );
    assert_eq!(d.label(0).2, 3);

    let d = one("tenant: é\nusers: [a\nb: c\n", "skuld::tenant::syntax");
    assert!(d.label(0).2 >= 2, "{d:#?}");
    let d = one("tenant: t\nusers: *nope\n", "skuld::tenant::syntax");
    assert!(d.help.contains("anchor"), "{}", d.help);
    one("tenant: t\n  bad: indent\n", "skuld::tenant::syntax");
}

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
        .map(|i| i.value.as_str())
        .collect();
    assert_eq!(names, ["A", "B"]);
    // Items point at where they are written; the entry spans the alias.
    let a = second.licenses.items.first().ok_or("a")?;
    assert_eq!((text_of(&doc, a.span), line_of(&doc, a.span)), ("A", 4));
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
        .map(|i| i.value.as_str())
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

// --- limits --------------------------------------------------------------------------------------

#[test]
fn deep_nesting_fails_without_recursion() {
    let nest = |depth: usize| format!("{}{}", "[".repeat(depth), "]".repeat(depth));
    let d = one(
        &format!(
            "tenant: t\nusers:\n  - upn: a\n    licenses: {}\n",
            nest(100)
        ),
        "skuld::tenant::too-deep",
    );
    assert_eq!(d.message, "the YAML nests deeper than 64 levels");
    assert_eq!(d.label(0).2, 4);
    // Also under a key that is skipped.
    let got = codes(&format!("tenant: t\nextra: {}\n", nest(100)));
    assert_eq!(
        got,
        ["skuld::tenant::unknown-key", "skuld::tenant::too-deep"]
    );
    // Block nesting too.
    let mut text = String::from("tenant: t\nextra:\n");
    for i in 0..100 {
        text.push_str(&" ".repeat(i + 1));
        text.push_str("k:\n");
    }
    assert_eq!(
        codes(&text),
        ["skuld::tenant::unknown-key", "skuld::tenant::too-deep"]
    );
    // Very deep flow nesting hits the YAML scanner's own limit first.
    let started = Instant::now();
    let all = errs(&format!("tenant: t\nextra: {}\n", nest(1_000_000)));
    assert!(started.elapsed() < Duration::from_secs(2));
    let got: Vec<_> = all.iter().map(|d| d.code.as_str()).collect();
    assert_eq!(got, ["skuld::tenant::unknown-key", "skuld::tenant::syntax"]);
    assert!(
        all.get(1).is_some_and(|d| d.help.contains("nest")),
        "{all:#?}"
    );
}

#[test]
fn the_schema_fits_in_depth_four() -> Result<(), String> {
    let limits = Limits {
        max_depth: 4,
        ..Limits::default()
    };
    load(&src(CONTRACT), &limits).map_err(|d| format!("{d:?}"))?;
    let limits = Limits {
        max_depth: 3,
        ..Limits::default()
    };
    assert_eq!(
        errs_with(CONTRACT, &limits)
            .first()
            .map(|d| d.code.as_str()),
        Some("skuld::tenant::too-deep")
    );
    Ok(())
}

#[test]
fn file_and_scalar_size_limits() {
    let limits = Limits {
        max_file_bytes: 10,
        ..Limits::default()
    };
    let all = errs_with("tenant: contoso\n", &limits);
    let got: Vec<_> = all
        .iter()
        .map(|d| (d.code.as_str(), d.message.as_str()))
        .collect();
    assert_eq!(
        got,
        [(
            "skuld::tenant::too-large",
            "the tenant file is 16 bytes, over the limit of 10 bytes"
        )]
    );

    let limits = Limits {
        max_scalar_bytes: 8,
        ..Limits::default()
    };
    let all = errs_with(
        "tenant: t\nusers:\n  - upn: a-very-long-name@contoso.com\n  - upn: b\n    licenses: [SHORT, TOO_LONG_SKU]\n",
        &limits,
    );
    let got: Vec<_> = all
        .iter()
        .map(|d| (d.code.as_str(), d.label(0).2))
        .collect();
    assert_eq!(
        got,
        [
            ("skuld::tenant::value-too-long", 3),
            ("skuld::tenant::value-too-long", 5),
        ]
    );
}

#[test]
fn diagnostics_render_with_source() -> Result<(), String> {
    let file = src("tenant: t\nusers:\n  - upn: a\n    usage_locaton: US\n");
    let Err(diagnostics) = load(&file, &Limits::default()) else {
        return Err("expected an error".to_owned());
    };
    let rendered: Vec<String> = diagnostics
        .iter()
        .map(|r| {
            let mut out = String::new();
            let handler = miette::GraphicalReportHandler::new_themed(
                miette::GraphicalTheme::unicode_nocolor(),
            );
            let _ = handler.render_report(&mut out, r.as_ref());
            out
        })
        .collect();
    let out = rendered.join("\n");
    assert!(out.contains("t.yaml:4:5"), "{out}");
    assert!(out.contains("usage_locaton: US"), "{out}");
    assert!(out.contains("did you mean `usage_location`?"), "{out}");
    Ok(())
}
