//! `skuld explain TENANT --user UPN` through the real binary: licence sources, usage location,
//! SSPR scope and rule verdicts; and the rule pages findings link to (`SKULD_DOCS_URL`).

#![expect(
    clippy::unwrap_used,
    reason = "helpers of tests: a panic is a test failure"
)]

use std::process::{Command, Output};

use crate::common::{root, stderr, stdout};

fn skuld(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_skuld"))
        .args(args)
        .current_dir(root())
        .env_remove("COLUMNS")
        .env_remove("SKULD_DOCS_URL")
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

fn json(args: &[&str]) -> serde_json::Value {
    let o = skuld(args);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    serde_json::from_slice(&o.stdout).unwrap()
}

#[test]
fn a_synced_user_with_a_nested_licence_group() {
    let o = skuld(&[
        "explain",
        "examples/problems.yaml",
        "--user",
        "raj.patel@fabrikam.com",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    insta::assert_snapshot!(stdout(&o));
}

#[test]
fn licences_name_their_source_and_line() {
    let v = json(&[
        "explain",
        "examples/clean.yaml",
        "--user",
        "adele.vance@contoso.com",
        "--format",
        "json",
    ]);
    let licences = v.get("licences").unwrap().as_array().unwrap();
    assert_eq!(licences.len(), 1);
    let l = licences.first().unwrap();
    assert_eq!(l.get("sku").unwrap(), "ENTERPRISEPACK");
    assert_eq!(l.get("group").unwrap(), "Sales");
    // examples/clean.yaml: `- name: Sales` on line 33, `licenses: [ENTERPRISEPACK]` on 34.
    assert_eq!(l.get("group_line").unwrap(), 33);
    assert_eq!(l.get("line").unwrap(), 34);
    let loc = v.get("usage_location").unwrap();
    assert_eq!(loc.get("source").unwrap(), "tenant");
    assert_eq!(loc.get("value").unwrap(), "US");
    let sspr = v.get("sspr").unwrap();
    assert_eq!(sspr.get("in_scope").unwrap(), true);
    assert_eq!(
        sspr.get("chain").unwrap(),
        &serde_json::json!(["Sales", "SSPR-Users"])
    );
}

#[test]
fn a_rule_verdict_shows_the_deciding_conditions() {
    let o = skuld(&[
        "explain",
        "examples/problems.yaml",
        "--user",
        "raj.patel@fabrikam.com",
        "--rule",
        "sspr/synced-user-license",
    ]);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(0));
    assert!(
        out.contains("sspr/synced-user-license: FIRES: its `require` condition is false"),
        "{out}"
    );
    assert!(
        out.contains("require any(l in u.licenses: sspr_onprem in l.grants) = false"),
        "{out}"
    );
    assert!(!out.contains("licensing/usage-location"), "{out}");
    // The verdict agrees with `skuld check`.
    let check = skuld(&["check", "examples/problems.yaml", "--format", "compact"]);
    assert!(
        stdout(&check)
            .lines()
            .any(|l| l.contains("synced-user-license") && l.contains("raj.patel"))
    );
}

#[test]
fn verdicts_agree_with_check_for_every_user() {
    let check = skuld(&["check", "examples/problems.yaml", "--format", "json"]);
    let report: serde_json::Value = serde_json::from_slice(&check.stdout).unwrap();
    let findings = report.get("findings").unwrap().as_array().unwrap();
    let tenant = std::fs::read_to_string(root().join("examples/problems.yaml")).unwrap();
    let upns: Vec<&str> = tenant
        .lines()
        .filter_map(|l| l.trim().strip_prefix("- upn: "))
        .collect();
    assert!(upns.len() >= 5);
    for upn in upns {
        let v = json(&[
            "explain",
            "examples/problems.yaml",
            "--user",
            upn,
            "--format",
            "json",
        ]);
        for r in v.get("rules").unwrap().as_array().unwrap() {
            if r.get("range").unwrap() != "user" {
                continue;
            }
            let rule = r.get("rule").unwrap();
            let found = findings.iter().any(|f| {
                f.get("rule") == Some(rule)
                    && f.get("subject").and_then(|s| s.as_str()) == Some(upn)
            });
            assert_eq!(r.get("fired").unwrap(), found, "{upn} {rule}");
        }
    }
}

#[test]
fn an_unknown_user_gets_a_suggestion() {
    let o = skuld(&[
        "explain",
        "examples/problems.yaml",
        "--user",
        "raj.patal@fabrikam.com",
    ]);
    assert_eq!(o.status.code(), Some(2));
    insta::assert_snapshot!(stderr(&o));
    let o = skuld(&[
        "explain",
        "examples/problems.yaml",
        "--user",
        "raj.patel@fabrikam.com",
        "--rule",
        "sspr/synced-user-licence",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("sspr/synced-user-license"));
}

#[test]
fn explaining_a_rule_still_prints_its_documentation() {
    let o = skuld(&["explain", "licensing/seats"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).starts_with("licensing/seats (error)\n"));
}

#[test]
fn findings_link_their_rule_page_when_the_docs_url_is_known() {
    let o = skuld(&["check", "examples/problems.yaml"]);
    assert!(!stdout(&o).contains("/docs/rules/"), "no URL by default");
    let o = Command::new(env!("CARGO_BIN_EXE_skuld"))
        .args(["check", "examples/problems.yaml"])
        .current_dir(root())
        .env("NO_COLOR", "1")
        .env("SKULD_DOCS_URL", "https://example.com/skuld/blob/main/")
        .output()
        .unwrap();
    let out = stdout(&o);
    assert!(
        out.contains(
            "sspr/synced-user-license (https://example.com/skuld/blob/main/docs/rules/sspr/synced-user-license.md)"
        ),
        "{out}"
    );
    // Every linked page exists.
    for (i, _) in out.match_indices("https://example.com/skuld/blob/main/") {
        let rest = out
            .get(i + "https://example.com/skuld/blob/main/".len()..)
            .unwrap();
        let page = rest.split(')').next().unwrap();
        assert!(root().join(page).is_file(), "{page}");
    }
}

#[test]
fn the_example_in_docs_explain_is_real_output() {
    let doc = std::fs::read_to_string(root().join("docs/explain.md")).unwrap();
    let block = doc.split("```console\n").nth(1).unwrap();
    let block = block.split("```").next().unwrap();
    let (cmd, shown) = block.split_once('\n').unwrap();
    let args: Vec<&str> = cmd
        .strip_prefix("$ skuld ")
        .unwrap()
        .split_whitespace()
        .collect();
    let o = skuld(&args);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(stdout(&o), shown);
}

#[test]
fn features_name_the_entry_and_the_group_chain() {
    let v = json(&[
        "explain",
        "tests/data/tenants/ok/features.yaml",
        "--user",
        "alice@contoso.com",
        "--format",
        "json",
    ]);
    assert_eq!(
        v["features"],
        serde_json::json!([
            {"feature": "conditional_access", "entries": [
                {"name": "Require MFA", "line": 14, "via": "all", "chain": []}]},
            {"feature": "pim", "entries": [
                {"name": "Eligible admins", "line": 18, "via": "groups", "chain": ["Admins", "Tier0"]},
                {"name": null, "line": 20, "via": "users", "chain": []}]}
        ])
    );
    let o = skuld(&[
        "explain",
        "tests/data/tenants/ok/features.yaml",
        "--user",
        "alice@contoso.com",
    ]);
    assert!(
        stdout(&o).contains(
            "feature pim: covered by entry `Eligible admins` (line 18): through nesting: `Admins` → `Tier0`; the entry of line 20: listed in `users`"
        ),
        "{}",
        stdout(&o)
    );
    // Excluded through `Break-Glass`: no feature covers the emergency account.
    let v = json(&[
        "explain",
        "tests/data/tenants/ok/features.yaml",
        "--user",
        "emergency@contoso.com",
        "--format",
        "json",
    ]);
    assert_eq!(v["features"], serde_json::json!([]));
}
