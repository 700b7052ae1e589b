//! `skuld eval EXPR [TENANT]` through the real binary: values and their parts, the variables
//! `--user`, `--group` and `--subscription` bind, JSON, and the diagnostics that point into
//! EXPR (exit 2).

use std::process::Output;

use crate::common::{json, root, skuld_in, stderr, stdout};

fn skuld(args: &[&str]) -> Output {
    skuld_in(&root(), args)
}

fn value(args: &[&str]) -> serde_json::Value {
    let mut all = args.to_vec();
    all.extend(["--format", "json"]);
    let o = skuld(&all);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    json(&o)
}

#[test]
fn a_condition_on_a_user_shows_its_parts() {
    let o = skuld(&[
        "eval",
        "any(l in u.licenses: sspr_cloud in l.grants) and not u.synced",
        "examples/clean.yaml",
        "--user",
        "adele.vance@contoso.com",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    insta::assert_snapshot!(stdout(&o));
}

#[test]
fn values_are_data_in_json() {
    // examples/clean.yaml: six of its users are synced; `Sales` (line 33) has five members.
    let v = value(&["eval", "count(u in users: u.synced)", "examples/clean.yaml"]);
    assert_eq!(v["value"], 6);
    assert_eq!(v["type"], "number");
    let parts = v["parts"].as_array().unwrap();
    assert_eq!(parts.first().unwrap()["text"], "users");

    let v = value(&[
        "eval",
        "g.members",
        "examples/clean.yaml",
        "--group",
        "Sales",
    ]);
    assert_eq!(v["type"], "list of user");
    assert_eq!(v["value"].as_array().unwrap().len(), 5);
    assert_eq!(v["value"][0], "adele.vance@contoso.com");
    assert_eq!(v["bindings"][0]["variable"], "g");
    assert_eq!(v["bindings"][0]["value"], "Sales");
    assert_eq!(v["bindings"][0]["line"], 33);

    let v = value(&[
        "eval",
        "s.used <= s.seats",
        "examples/clean.yaml",
        "--subscription",
        "enterprisepack",
    ]);
    assert_eq!(v["value"], true);
    assert_eq!(v["bindings"][0]["value"], "ENTERPRISEPACK");
    let parts: Vec<(&str, &str)> = v["parts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["text"].as_str().unwrap(), p["value"].as_str().unwrap()))
        .collect();
    assert_eq!(parts, [("s.used", "6"), ("s.seats", "8")]);
}

#[test]
fn constants_and_the_catalog_need_no_tenant() {
    let v = value(&["eval", "[SPE_E3, EMS]"]);
    assert_eq!(v["type"], "list of SKU");
    assert_eq!(v["value"], serde_json::json!(["SPE_E3", "EMS"]));
    let v = value(&[
        "eval",
        "sspr_onprem in SPE_E3.grants and not (sspr_onprem in STANDARDPACK.grants)",
    ]);
    assert_eq!(v["value"], true);
    let v = value(&["eval", "count(k in skus: k.family == \"office365\") > 0"]);
    assert_eq!(v["value"], true);
}

/// Syntax, unknown names (with did-you-mean), types, a tenant name without a tenant, a
/// variable without its flag and a binding the tenant lacks: each a diagnostic into EXPR or
/// the tenant, exit 2, nothing on standard output.
#[test]
fn mistakes_point_into_the_expression() {
    let cases: &[&[&str]] = &[
        &["eval", "count(u in users: u.synced"],
        &["eval", "sspr_clod in SPE_E3.grants"],
        &["eval", "SPE_E3.grant"],
        &["eval", "1 < \"one\""],
        &["eval", "count(u in users: u.synced)"],
        &["eval", "u.licenses", "examples/clean.yaml"],
        &[
            "eval",
            "u.upn",
            "examples/clean.yaml",
            "--user",
            "adele.vance@contoso.co",
        ],
    ];
    let mut all = String::new();
    for args in cases {
        let o = skuld(args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stdout(&o));
        assert_eq!(stdout(&o), "", "{args:?}");
        all.push_str(&format!("$ skuld {}\n{}\n", args.join(" "), stderr(&o)));
    }
    insta::assert_snapshot!(all);
}

#[test]
fn a_binding_needs_a_tenant() {
    let o = skuld(&["eval", "u.upn", "--user", "adele.vance@contoso.com"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("TENANT"), "{}", stderr(&o));
}
