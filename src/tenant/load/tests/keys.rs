//! Keys (unknown with did-you-mean, duplicate, missing, merge keys) and the `sspr` block.

use super::*;

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
        "`seats` is a key of a subscription, not of a user; a user takes `upn`, `source`, `usage_location`, `licenses`, `groups`, `license_errors`, `user_type`, `enabled` and `last_sign_in`"
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
        // `seats` may be left out: the number is then unknown (contract v3).
        [
            "missing key `sku` in a subscription",
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
