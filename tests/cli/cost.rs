//! `prices:` in `.skuld.yaml` and the cost figures (contract v3, "Prices and cost"): mistakes in
//! prices are located errors, the figures of a tenant whose waste is worked out by hand in
//! `tests/data/cost/tenant.yaml`, the human line, and nothing without prices.

#![expect(
    clippy::unwrap_used,
    reason = "helpers of tests: a panic is a test failure"
)]

use serde_json::json;

use crate::common::{json, root, skuld_in, stderr, stdout, write};

/// A repository holding the cost tenant and `config` as `.skuld.yaml`.
fn repo(config: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let r = dir.path();
    std::fs::create_dir_all(r.join(".git")).unwrap();
    let tenant = std::fs::read_to_string(root().join("tests/data/cost/tenant.yaml")).unwrap();
    write(&r.join("tenant.yaml"), &tenant);
    write(&r.join(".skuld.yaml"), config);
    dir
}

fn prices() -> String {
    std::fs::read_to_string(root().join("tests/data/cost/skuld.yaml")).unwrap()
}

#[test]
fn cost_and_waste_are_counted_as_the_contract_defines_them() {
    let dir = repo(&prices());
    let o = skuld_in(dir.path(), &["check", "tenant.yaml", "--format", "json"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    // By hand: SPE_E3 3 seats x 33.70 (1 unused), ENTERPRISEPACK 2 x 21.10 (both redundant
    // beside SPE_E3), AAD_PREMIUM 5 x 5.60 (2 redundant beside SPE_E3 and EMS, 3 unused);
    // POWER_BI_PRO has a price but nobody buys or holds it; EMS has no price.
    let cost = &json(&o)["tenants"][0]["cost"];
    assert_eq!(
        cost,
        &json!({
            "currency": "EUR",
            "monthly": 171.3,
            "waste_monthly": 103.9,
            "waste_licenses": 8,
            "unused_seats": 4,
            "by_sku": [
                {"sku": "SPE_E3", "seats": 3, "used": 2, "price": 33.7, "monthly": 101.1,
                 "waste_monthly": 33.7, "wasted": 0, "unused": 1},
                {"sku": "ENTERPRISEPACK", "seats": 2, "used": 2, "price": 21.1, "monthly": 42.2,
                 "waste_monthly": 42.2, "wasted": 2, "unused": 0},
                {"sku": "AAD_PREMIUM", "seats": 5, "used": 2, "price": 5.6, "monthly": 28.0,
                 "waste_monthly": 28.0, "wasted": 2, "unused": 3},
            ],
            "by_rule": [
                {"rule": "licensing/redundant-license", "licenses": 4, "waste_monthly": 53.4},
            ],
            "complete": true,
        })
    );
    let human = skuld_in(dir.path(), &["check", "tenant.yaml", "--quiet"]);
    assert!(
        stdout(&human).contains(
            "\nwaste: 8 licences, 103.90 EUR a month (of 171.30 EUR a month for priced \
             licences): licensing/redundant-license 4, unused seats 4\n"
        ),
        "{}",
        stdout(&human)
    );
    // Each waste finding says what removing its licences saves.
    let full = stdout(&skuld_in(dir.path(), &["check", "tenant.yaml"]));
    assert!(
        full.contains("removing it saves 26.70 EUR a month (AAD_PREMIUM 5.60 EUR, ENTERPRISEPACK"),
        "{full}"
    );
}

#[test]
fn a_waived_finding_is_not_waste_and_the_cap_makes_it_at_least() {
    let dir = repo(&prices());
    let r = dir.path();
    write(
        &r.join("skuld-waivers.yaml"),
        "waivers:\n  - rule: licensing/redundant-license\n    subject: ana@contoso.com\n    \
         reason: moving to E5 next month\n    expires: 2027-01-31\n",
    );
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_skuld"))
        .current_dir(r)
        .env("SKULD_TODAY", "2027-01-01")
        .args(["check", "tenant.yaml", "--format", "json"])
        .output()
        .unwrap();
    let cost = &json(&o)["tenants"][0]["cost"];
    assert_eq!(cost["waste_licenses"], 7, "{}", stderr(&o));
    assert_eq!(cost["waste_monthly"], 82.8);
    std::fs::remove_file(r.join("skuld-waivers.yaml")).unwrap();

    let o = skuld_in(
        r,
        &[
            "check",
            "tenant.yaml",
            "--quiet",
            "--max-findings-per-rule",
            "1",
        ],
    );
    assert!(
        stdout(&o).contains("waste: at least 5 licences, 71.60 EUR a month"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn without_prices_there_is_no_cost() {
    let dir = repo("fail-on: never\n");
    let o = skuld_in(dir.path(), &["check", "tenant.yaml", "--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let tenant = &json(&o)["tenants"][0];
    assert!(tenant.get("cost").is_none(), "{tenant}");
    let human = stdout(&skuld_in(dir.path(), &["check", "tenant.yaml", "--quiet"]));
    assert!(!human.contains("waste"), "{human}");
    assert!(!human.contains("EUR"), "{human}");
}

#[test]
fn mistakes_in_prices_point_into_the_config() {
    let dir = repo(
        "prices:\n  currency: EUR\n  monthly:\n    SPE_E3: 33.70\n    ENTERPRISEPAK: 21.10\n    \
         AAD_PREMIUM: -5.60\n    EMS: cheap\n    SPE_E3: 30\n",
    );
    let o = skuld_in(dir.path(), &["check", "tenant.yaml"]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(stdout(&o), "");
    insta::assert_snapshot!("price_mistakes", stderr(&o));
    // An unknown SKU is found once the syntax is right, with a did-you-mean.
    let dir = repo("prices:\n  currency: EUR\n  monthly: {SPE_E3: 33.70, ENTERPRISEPAK: 21.10}\n");
    let o = skuld_in(dir.path(), &["check", "tenant.yaml"]);
    assert_eq!(o.status.code(), Some(2));
    insta::assert_snapshot!("price_unknown_sku", stderr(&o));
    let dir = repo("prices:\n  monthly: {SPE_E3: 33.70}\n");
    let o = skuld_in(dir.path(), &["check", "tenant.yaml"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("`prices` needs a `currency`"),
        "{}",
        stderr(&o)
    );
}

/// `skuld diff` in `dir` of the cost tenant (`tenant.yaml`) and its changed version (`head.yaml`).
fn diff(dir: &std::path::Path, format: &str) -> std::process::Output {
    let head = std::fs::read_to_string(root().join("tests/data/cost/head.yaml")).unwrap();
    write(&dir.join("head.yaml"), &head);
    skuld_in(
        dir,
        &["diff", "tenant.yaml", "head.yaml", "--format", format],
    )
}

#[test]
fn diff_gives_seats_and_cost_before_and_after() {
    let dir = repo(&prices());
    let o = diff(dir.path(), "json");
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let doc = json(&o);
    // ENTERPRISEPACK: one holder more, no seat (over-subscribed, so listed first); SPE_E3: one
    // seat bought and one holder more.
    assert_eq!(
        doc["seats"],
        json!([
            {"sku": "ENTERPRISEPACK", "seats_before": 2, "seats_after": 2, "used_before": 2,
             "used_after": 3},
            {"sku": "SPE_E3", "seats_before": 3, "seats_after": 4, "used_before": 2, "used_after": 3},
        ])
    );
    // After: 4 x 33.70 + max(2, 3) x 21.10 + 5 x 5.60 = 226.10.
    assert_eq!(
        doc["cost"],
        json!({"currency": "EUR", "monthly_before": 171.3, "monthly_after": 226.1, "delta": 54.8,
               "waste_before": 103.9, "waste_after": 125.0})
    );
    insta::assert_snapshot!("diff_markdown", stdout(&diff(dir.path(), "markdown")));
    let github = stdout(&diff(dir.path(), "github"));
    let lines: Vec<&str> = github.lines().collect();
    assert_eq!(lines.len(), 3, "{github}");
    assert!(
        lines[0].starts_with("::error file=head.yaml,line=9,col=5,")
            && lines[0].contains("title=licensing/seats::"),
        "{github}"
    );
    assert!(
        lines[1].starts_with("::warning file=head.yaml,line=25,col=24,"),
        "{github}"
    );
    assert_eq!(
        lines[2],
        "::notice title=skuld diff::2 introduced, 1 fixed; cost a month 171.30 EUR -> 226.10 EUR \
         (+54.80 EUR)"
    );

    // Without prices: seats, no cost.
    let dir = repo("fail-on: never\n");
    let doc = json(&diff(dir.path(), "json"));
    assert_eq!(doc["seats"].as_array().map(Vec::len), Some(2));
    assert!(doc.get("cost").is_none(), "{doc}");
    assert!(!stdout(&diff(dir.path(), "markdown")).contains("Cost"));
}

#[test]
fn a_long_pull_request_comment_is_cut_with_a_note() {
    let dir = repo(&prices());
    let r = dir.path();
    let mut head = std::fs::read_to_string(root().join("tests/data/cost/tenant.yaml")).unwrap();
    for i in 0..3000 {
        head.push_str(&format!(
            "  - upn: user{i}@contoso.com\n    usage_location: US\n    licenses: [SPE_E3, ENTERPRISEPACK]\n"
        ));
    }
    write(&r.join("big.yaml"), &head);
    let o = skuld_in(
        r,
        &["diff", "tenant.yaml", "big.yaml", "--format", "markdown"],
    );
    let text = stdout(&o);
    let chars = text.chars().count();
    assert!(chars <= 65_536, "{chars}");
    assert!(chars > 60_000, "{chars}: the budget is used, not wasted");
    // 3,000 redundant licences and 2 seat findings introduced; the counts stay whole.
    assert!(text.contains("**3002 findings introduced**"), "{text}");
    assert!(text.contains("| `licensing/redundant-license` | warning | 3000 |"));
    let listed = text.lines().filter(|l| l.starts_with("- **")).count();
    assert!(
        text.contains(&format!(
            "> **{} findings not listed:** a pull-request comment holds at most 65536 characters",
            3002 - listed
        )),
        "{}",
        &text[text.len() - 400..]
    );
    assert!(text.trim_end().ends_with("for every finding."));
}
