//! The human report on tenants with many findings (issue 12) and the cap on findings per rule and
//! file (issue 15): folding by cause, `--show-all`, `--quiet`, `--max-findings`, the summary,
//! `--max-findings-per-rule` in every format.

#![expect(clippy::unwrap_used, reason = "tests: a panic is a test failure")]

use std::fmt::Write as _;
use std::process::Output;

use crate::common::{json, root, skuld_in, stdout};

fn skuld(args: &[&str]) -> Output {
    skuld_in(&root(), args)
}

const FOLD: &str = "tests/data/report/fold.yaml";

fn check(extra: &[&str]) -> (Option<i32>, String) {
    let mut args = vec!["check", "--no-config", FOLD];
    args.extend_from_slice(extra);
    let o = skuld(&args);
    (o.status.code(), stdout(&o))
}

#[test]
fn findings_that_share_a_cause_are_folded_and_summarised() {
    let (code, out) = check(&[]);
    assert_eq!(code, Some(1));
    insta::assert_snapshot!(out);
}

#[test]
fn show_all_shows_every_finding_in_full() {
    let (_, folded) = check(&[]);
    let (code, all) = check(&["--show-all"]);
    assert_eq!(code, Some(1));
    let reports = |s: &str| s.matches("explain: `skuld explain").count();
    assert_eq!(reports(&folded), 3, "{folded}");
    assert_eq!(reports(&all), 10, "{all}");
    assert!(!all.contains("with the same cause"));
    assert!(all.contains("Findings by rule:"));
}

#[test]
fn quiet_prints_only_the_summary() {
    let (code, out) = check(&["--quiet"]);
    assert_eq!(code, Some(1), "the exit status does not change");
    insta::assert_snapshot!(out);
}

#[test]
fn max_findings_limits_what_is_shown_but_not_what_is_counted() {
    let (code, out) = check(&["--max-findings", "1"]);
    assert_eq!(code, Some(1));
    assert_eq!(out.matches("explain: `skuld explain").count(), 1, "{out}");
    assert!(
        out.contains("6 more findings not shown (`--max-findings 1`)"),
        "{out}"
    );
    assert!(
        out.ends_with("6 errors, 4 warnings in 1 tenant file\n"),
        "{out}"
    );
}

#[test]
fn show_all_and_quiet_are_contradictory() {
    let o = skuld(&["check", "--no-config", FOLD, "--show-all", "--quiet"]);
    assert_eq!(o.status.code(), Some(2));
}

/// `n` users holding an unknown SKU each: `n` `tenant/unknown-sku` findings.
fn unknown_skus(n: usize) -> String {
    let mut s = String::from("tenant: t\ncountry: US\nusers:\n");
    for i in 0..n {
        let _ = writeln!(s, "  - upn: u{i}@x.com\n    licenses: [NOPE{i}]");
    }
    s
}

fn capped(format: &str, n: usize, cap: &str) -> (Option<i32>, String) {
    let dir = tempfile::tempdir().unwrap();
    let tenant = dir.path().join("many.yaml");
    std::fs::write(&tenant, unknown_skus(n)).unwrap();
    let o = skuld_in(
        dir.path(),
        &[
            "check",
            "--no-config",
            "many.yaml",
            "--format",
            format,
            "--max-findings-per-rule",
            cap,
        ],
    );
    (o.status.code(), stdout(&o))
}

#[test]
fn findings_past_the_cap_are_counted_in_json_not_listed() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("many.yaml"), unknown_skus(25)).unwrap();
    let o = skuld_in(
        dir.path(),
        &[
            "check",
            "--no-config",
            "many.yaml",
            "--format",
            "json",
            "--max-findings-per-rule",
            "10",
        ],
    );
    assert_eq!(o.status.code(), Some(1));
    let doc = json(&o);
    assert_eq!(doc["findings"].as_array().unwrap().len(), 10);
    assert_eq!(
        doc["summary"]["errors"], 25,
        "the summary counts every finding"
    );
    let rule = doc["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "tenant/unknown-sku")
        .unwrap();
    assert_eq!(
        (rule["count"].as_u64(), rule["omitted"].as_u64()),
        (Some(25), Some(15))
    );
    assert_eq!(
        doc["omitted"],
        serde_json::json!([{"file": "many.yaml", "rule": "tenant/unknown-sku",
            "severity": "error", "count": 15, "limit": 10}])
    );
}

#[test]
fn every_format_says_how_many_more_there_are() {
    for format in ["human", "compact", "sarif", "github", "azure", "junit"] {
        let (code, out) = capped(format, 25, "10");
        assert_eq!(code, Some(1), "{format}");
        assert!(
            out.contains("and 15 more `tenant/unknown-sku` findings in many.yaml not shown"),
            "{format}: {out}"
        );
    }
    let (_, html) = capped("html", 25, "10");
    assert!(
        html.contains("not listed below: at most"),
        "the page's script says it"
    );
    assert!(
        html.contains(r#""count":15,"file":"many.yaml","limit":10"#),
        "the embedded document carries the count"
    );
    let (_, human) = capped("human", 25, "10");
    assert!(
        human.contains("25  (15 not kept: over the per-rule limit)"),
        "{human}"
    );
    assert!(
        human.ends_with("25 errors, 0 warnings in 1 tenant file\n"),
        "{human}"
    );
    let (_, under) = capped("human", 5, "10");
    assert!(
        !under.contains("more `tenant/unknown-sku` findings"),
        "{under}"
    );
}

#[test]
fn the_cap_keeps_a_large_report_small() {
    // 3,000 findings of one rule; the default cap keeps 1,000 of them.
    let (code, out) = capped("sarif", 3000, "1000");
    assert_eq!(code, Some(1));
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(doc["runs"][0]["results"].as_array().unwrap().len(), 1000);
}

#[test]
fn a_cap_of_zero_is_a_usage_error() {
    let (code, _) = capped("json", 1, "0");
    assert_eq!(code, Some(2));
}

/// A tenant where one subscription is over-subscribed through 40 groups far apart in the file
/// (each group padded by comment lines), and 30 users hold a SKU that another of theirs
/// includes: 20 through `AAD_PREMIUM`, 10 through `EMS`.
fn wide_tenant() -> String {
    let mut t = String::from(
        "tenant: wide.onmicrosoft.com\ncountry: US\nsubscriptions:\n  - sku: STANDARDPACK\n    seats: 1\n  - sku: AAD_PREMIUM\n    seats: 100\n  - sku: EMS\n    seats: 100\n  - sku: SPE_E5\n    seats: 100\ngroups:\n",
    );
    for g in 0..40 {
        let _ = writeln!(t, "  - name: G{g}\n    licenses: [STANDARDPACK, EMS]");
        for _ in 0..20 {
            t.push_str("    # padding\n");
        }
    }
    t.push_str("users:\n");
    for g in 0..40 {
        let _ = writeln!(
            t,
            "  - upn: g{g}@wide.com\n    usage_location: US\n    groups: [G{g}]"
        );
    }
    for u in 0..30 {
        let included = if u < 20 { "AAD_PREMIUM" } else { "EMS" };
        let _ = writeln!(
            t,
            "  - upn: r{u}@wide.com\n    usage_location: US\n    licenses: [SPE_E5, {included}]"
        );
    }
    t
}

/// The terminal report of a large tenant stays readable (issue 24): a snippet labels a few of
/// the 40 groups and counts the rest, `--max-findings` bounds the output, and the most common
/// causes count the findings past `--max-findings-per-rule` too, named by what they are.
#[test]
fn a_wide_finding_is_labelled_in_part_and_causes_say_what_they_count() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("wide.yaml");
    std::fs::write(&path, wide_tenant()).unwrap();
    let path = path.to_str().unwrap();
    let o = skuld(&[
        "check",
        "--no-config",
        path,
        "--max-findings",
        "1",
        "--max-findings-per-rule",
        "5",
    ]);
    let out = stdout(&o);
    // The seats finding labels the subscription and 3 groups; 37 more are counted.
    assert!(
        out.contains("and 37 more places not labelled here"),
        "{out}"
    );
    assert_eq!(out.matches("at risk with STANDARDPACK").count(), 3, "{out}");
    // Groups 20 lines apart get a snippet each, not one snippet with every line between them.
    assert!(
        out.lines().count() < 80,
        "{} lines:\n{out}",
        out.lines().count()
    );
    // Causes: 25 of the 30 redundant-license findings were not kept. They are counted, not
    // built (building them cost 13 % of a 100k-user check), so the causes name the kept ones
    // and say how many are not in the list; the per-rule total stays exact.
    assert!(
        out.contains(
            "  warning  licensing/redundant-license  30  (25 not kept: over the per-rule limit)"
        ),
        "{out}"
    );
    assert!(
        out.contains("Most common causes (of the findings kept; 25 past the per-rule limit are not counted here):"),
        "{out}"
    );
    assert!(
        out.contains("  5  licensing/redundant-license: Microsoft Entra ID P1 (`AAD_PREMIUM`) is included in Microsoft 365 E5 (`SPE_E5`)"),
        "{out}"
    );
}
