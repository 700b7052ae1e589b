//! Contract v3 keys: users' `user_type`, `enabled`, `last_sign_in`; licence items with
//! `disabled_plans`; `held` licence errors; subscription `status`, `trial`, `ends`, and `seats`
//! left out.

use super::{ok, one};
use crate::date::Date;
use crate::tenant::document::{SubscriptionStatus, UserType};

const V3: &str = "\
tenant: t
subscriptions:
  - sku: EMS
    seats: 10
    status: locked_out
    trial: true
    ends: 2027-03-31
  - sku: SPE_E3
groups:
  - name: G
    licenses:
      - EMS
      - {sku: SPE_E3, disabled_plans: [AAD_PREMIUM, INTUNE_A]}
users:
  - upn: bob_fabrikam.com#EXT#@t.onmicrosoft.com
    user_type: guest
    enabled: false
    last_sign_in: 2026-08-14
    licenses:
      - sku: EMS
        disabled_plans: []
    license_errors:
      - {sku: EMS, group: G, error: Other, held: true}
  - upn: ann@t.com
";

#[test]
fn every_v3_key_is_read_with_its_value_and_place() -> Result<(), String> {
    let doc = ok(V3)?;
    let text = |s: crate::source::Span| doc.source.slice(s).to_owned();
    let subs = doc.subscriptions.as_ref().ok_or("subscriptions")?;
    let ems = subs.items.first().ok_or("ems")?;
    assert_eq!(ems.seats.as_ref().map(|s| s.value), Some(10));
    assert_eq!(
        ems.status.as_ref().map(|s| s.value),
        Some(SubscriptionStatus::LockedOut)
    );
    assert_eq!(ems.trial.as_ref().map(|t| t.value), Some(true));
    assert_eq!(
        ems.ends.as_ref().map(|e| e.value),
        Date::parse("2027-03-31")
    );
    assert_eq!(text(ems.ends.as_ref().ok_or("ends")?.span), "2027-03-31");
    // Seats left out: not known, the entry kept.
    let e3 = subs.items.get(1).ok_or("e3")?;
    assert!(e3.seats.is_none() && e3.status.is_none());

    let g = doc.groups.first().ok_or("group")?;
    let items: Vec<(&str, Vec<&str>)> = g
        .licenses
        .items
        .iter()
        .map(|i| {
            let off = i.disabled().iter().map(|p| p.value.as_str()).collect();
            (i.sku.value.as_str(), off)
        })
        .collect();
    assert_eq!(
        items,
        [("EMS", vec![]), ("SPE_E3", vec!["AAD_PREMIUM", "INTUNE_A"])]
    );
    let spe = g.licenses.items.get(1).ok_or("spe")?;
    assert_eq!(text(spe.sku.span), "SPE_E3");
    assert_eq!(text(spe.disabled().get(1).ok_or("plan")?.span), "INTUNE_A");

    let bob = doc.users.first().ok_or("bob")?;
    assert!(bob.is_guest() && !bob.is_enabled());
    assert_eq!(
        bob.user_type.as_ref().map(|t| t.value),
        Some(UserType::Guest)
    );
    assert_eq!(
        bob.last_sign_in.as_ref().map(|d| d.value),
        Date::parse("2026-08-14")
    );
    // An empty `disabled_plans` is a plain licence.
    assert!(
        bob.licenses
            .items
            .first()
            .ok_or("ems")?
            .disabled()
            .is_empty()
    );
    assert!(bob.license_errors.items.first().ok_or("error")?.is_held());

    let ann = doc.users.get(1).ok_or("ann")?;
    assert!(!ann.is_guest() && ann.is_enabled() && ann.last_sign_in.is_none());
    Ok(())
}

#[test]
fn a_graph_date_time_is_refused_with_its_date_part_as_help() {
    let d = one(
        "tenant: t\nusers:\n  - upn: a\n    last_sign_in: 2026-08-14T09:30:00Z\n",
        "skuld::tenant::invalid-value",
    );
    assert_eq!(
        d.message,
        "`2026-08-14T09:30:00Z` is not a valid `last_sign_in`: expected a date (`YYYY-MM-DD`)"
    );
    assert_eq!(
        d.help,
        "write the date part only: `last_sign_in: 2026-08-14`"
    );
    assert_eq!(d.label(0).1, "2026-08-14T09:30:00Z");
    let d = one(
        "tenant: t\nsubscriptions:\n  - sku: X\n    ends: 2027-02-30\n",
        "skuld::tenant::invalid-value",
    );
    assert!(d.help.contains("YYYY-MM-DD"), "{}", d.help);
    let d = one(
        "tenant: t\nsubscriptions:\n  - sku: X\n    ends: 20270230\n",
        "skuld::tenant::wrong-type",
    );
    assert!(d.message.contains("expected a date"), "{}", d.message);
}

#[test]
fn user_types_and_statuses_suggest_the_right_spelling() {
    let d = one(
        "tenant: t\nusers:\n  - upn: a\n    user_type: Guest\n",
        "skuld::tenant::invalid-value",
    );
    assert_eq!(d.help, "did you mean `guest`?");
    let d = one(
        "tenant: t\nsubscriptions:\n  - sku: X\n    status: LockedOut\n",
        "skuld::tenant::invalid-value",
    );
    assert_eq!(d.help, "did you mean `locked_out`?");
}

#[test]
fn a_licence_item_is_a_part_number_or_a_mapping_with_sku() {
    let d = one(
        "tenant: t\nusers:\n  - upn: a\n    licenses:\n      - {disabled_plans: [X]}\n",
        "skuld::tenant::missing-key",
    );
    assert_eq!(d.message, "missing key `sku` in a license item");
    let d = one(
        "tenant: t\nusers:\n  - upn: a\n    licenses:\n      - {sku: X, disabled_plan: [Y]}\n",
        "skuld::tenant::unknown-key",
    );
    assert_eq!(d.help, "did you mean `disabled_plans`?");
    let d = one(
        "tenant: t\nusers:\n  - upn: a\n    licenses:\n      - [EMS]\n",
        "skuld::tenant::wrong-type",
    );
    assert!(d.help.contains("disabled_plans"), "{}", d.help);
}
