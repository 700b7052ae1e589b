//! Scalar types: seats, the YAML 1.2 core schema, YAML 1.1 booleans, tags, list shapes.

use super::*;

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
        let seats = doc.subscriptions.and_then(|s| {
            s.items
                .first()
                .and_then(|s| s.seats.as_ref().map(|n| n.value))
        });
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
