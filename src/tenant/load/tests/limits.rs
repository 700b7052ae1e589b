//! Limits: depth, file and scalar size; diagnostics rendered with their source.

use std::time::{Duration, Instant};

use super::*;

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

#[test]
fn errors_of_one_kind_are_capped_with_an_exact_count() {
    let cap = super::super::reader::MAX_ERRORS_PER_KIND;
    let mut text = String::from("tenant: t\n");
    for i in 0..cap + 250 {
        text.push_str(&format!("k{i}: 1\n"));
    }
    text.push_str("users:\n  - upn: [a]\n");
    let all = errs(&text);
    // The first `cap` unknown keys, the one of another kind (in source order), then the count.
    assert_eq!(all.len(), cap + 2);
    let unknown = all
        .iter()
        .filter(|d| d.code == "skuld::tenant::unknown-key")
        .count();
    assert_eq!(unknown, cap);
    assert!(all.iter().any(|d| d.code == "skuld::tenant::wrong-type"));
    let last = all.last().unwrap();
    assert_eq!(last.code, "skuld::tenant::too-many-errors");
    assert_eq!(
        last.message,
        format!(
            "and 250 more `skuld::tenant::unknown-key` errors in this file not shown: at most \
             {cap} of one kind are reported"
        )
    );
    // It points at the first key left out.
    assert_eq!(last.label(0).2, cap + 1 + 1);
}

#[test]
fn an_error_repeated_at_every_alias_is_reported_and_counted_once() {
    let mut text = String::from("tenant: t\nusers:\n  - &u {upn: a, oops: 1}\n");
    for _ in 0..3000 {
        text.push_str("  - *u\n");
    }
    let got = codes(&text);
    assert!(
        got.iter().all(|c| c != "skuld::tenant::too-many-errors"),
        "{got:?}"
    );
}

#[test]
fn past_the_cap_an_error_repeated_at_every_alias_is_counted_once() {
    let cap = super::super::reader::MAX_ERRORS_PER_KIND;
    let mut text = String::from("tenant: t\n");
    for i in 0..cap {
        text.push_str(&format!("k{i}: 1\n"));
    }
    text.push_str("users:\n  - &u {upn: a, oops: 1}\n");
    for _ in 0..3000 {
        text.push_str("  - *u\n");
    }
    let all = errs(&text);
    let last = all.last().unwrap();
    assert_eq!(last.code, "skuld::tenant::too-many-errors");
    assert!(
        last.message
            .starts_with("and 1 more `skuld::tenant::unknown-key` errors"),
        "{}",
        last.message
    );
}
