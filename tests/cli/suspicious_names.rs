//! `tenant/suspicious-name` through the binary: invisible characters and look-alike letters in
//! group names, group references and UPNs are errors that show the code points, and look-alike
//! duplicates are duplicates (the silent passes of `../shared/hostile/r14_silent.py` and
//! `r15_silent2.py`).

#![expect(
    clippy::unwrap_used,
    reason = "helpers of tests: a panic is a test failure"
)]

use std::process::Output;

use serde_json::Value;

use crate::common::{json, skuld_in, stderr, stdout};

fn check(tenant: &str, format: &str) -> Output {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    std::fs::write(dir.path().join("t.yaml"), tenant).unwrap();
    // Every finding in full: these tests are about each diagnostic, not the folding.
    skuld_in(
        dir.path(),
        &["check", "t.yaml", "--format", format, "--show-all"],
    )
}

/// `rule subject` of each finding.
fn found(doc: &Value) -> Vec<String> {
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            format!(
                "{} {}",
                f["rule"].as_str().unwrap(),
                f["subject"].as_str().unwrap_or("")
            )
        })
        .collect()
}

#[test]
fn a_zero_width_space_in_the_sspr_group_is_found_at_its_column() {
    // The licensed group is the look-alike; the victim's group is not in SSPR scope, and before
    // this check the run passed.
    let tenant = "tenant: t\nsspr:\n  scope: selected\n  group: \"SSPR-Users\u{200B}\"\ngroups:\n  - name: \"SSPR-Users\u{200B}\"\n    licenses: [ENTERPRISEPACK]\n  - name: SSPR-Users\nusers:\n  - {upn: ok@x.com, usage_location: US, licenses: [ENTERPRISEPACK]}\n  - upn: victim@x.com\n    groups: [SSPR-Users]\n";
    let o = check(tenant, "json");
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_eq!(
        found(&json(&o)),
        [
            "tenant/suspicious-name SSPR-Users\u{200B}",
            "tenant/suspicious-name SSPR-Users\u{200B}"
        ]
    );
    let o = check(tenant, "human");
    insta::assert_snapshot!(stdout(&o));
}

#[test]
fn look_alike_letters_and_invisible_characters_in_upns_and_groups() {
    let tenant = "tenant: t\ngroups:\n  - name: Sales\n  - name: S\u{430}les\nusers:\n  - upn: admin@x.com\n  - upn: \u{430}dmin@x.com\n  - upn: a@x.com\n  - upn: \"a@x.com\u{A0}\"\n  - upn: \"b@x.com\\0\"\n  - upn: \u{FF43}@x.com\n  - upn: c@x.com\n";
    let o = check(tenant, "json");
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_eq!(
        found(&json(&o)),
        [
            "tenant/suspicious-name S\u{430}les",
            "tenant/suspicious-name \u{430}dmin@x.com",
            "tenant/suspicious-name a@x.com\u{A0}",
            "tenant/suspicious-name b@x.com\0",
            "tenant/suspicious-name \u{FF43}@x.com",
            "tenant/duplicate-user c@x.com",
        ]
    );
    let o = check(tenant, "human");
    insta::assert_snapshot!(stdout(&o));
}

#[test]
fn canonically_equivalent_group_names_are_one_group() {
    // `Équipe` precomposed, then as `E` + combining acute accent: the same text after NFC.
    let tenant = "tenant: t\ngroups:\n  - name: \u{C9}quipe\n  - name: E\u{301}quipe\nusers:\n  - upn: a@x.com\n    groups: [E\u{301}quipe]\n";
    let o = check(tenant, "json");
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let doc = json(&o);
    assert_eq!(found(&doc), ["tenant/duplicate-group E\u{301}quipe"]);
    assert!(
        doc["findings"][0]["message"]
            .as_str()
            .unwrap()
            .contains("NFC"),
        "{doc}"
    );
}

#[test]
fn plain_and_single_script_names_pass() {
    let tenant = "tenant: t\ngroups:\n  - name: Продажи\n  - name: 営業チーム\n  - name: Ventes Équipe\nusers:\n  - upn: a@x.com\n    groups: [Продажи, 営業チーム, Ventes Équipe]\n";
    let o = check(tenant, "json");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}
