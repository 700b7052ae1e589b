//! `skuld check-policy` through the real binary: the shipped policy is clean, each lint fires on
//! a policy written to trigger it (rendered diagnostics snapshotted), exit codes follow
//! `--fail-on`.

#![expect(clippy::unwrap_used, reason = "test code: a panic is a test failure")]

use std::path::Path;
use std::process::Command;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn skuld(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_skuld"))
        .args(args)
        .current_dir(root())
        .env("NO_COLOR", "1")
        .env("COLUMNS", "100")
        .output()
        .unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn the_default_policy_is_clean() {
    let (code, out, err) = skuld(&["check-policy"]);
    assert_eq!((code, err.as_str()), (0, ""), "{err}");
    assert_eq!(out, "7 policy files: 0 errors, 0 warnings\n");
}

#[test]
fn a_clean_policy_of_ones_own_is_clean() {
    let (code, out, err) = skuld(&["check-policy", "tests/data/check_policy/clean.skuld"]);
    assert_eq!((code, err.as_str()), (0, ""), "{err}");
    assert_eq!(out, "8 policy files: 0 errors, 0 warnings\n");
}

#[test]
fn every_lint_fires_with_a_span_and_help() {
    let (code, out, err) = skuld(&["check-policy", "tests/data/check_policy/problems.skuld"]);
    assert_eq!(code, 1);
    assert_eq!(out, "8 policy files: 3 errors, 5 warnings\n");
    for lint in [
        "ungranted-capability",
        "unused-capability",
        "unused-set",
        "paid-sku-grants-nothing",
        "duplicate-part-number",
        "never-fires",
    ] {
        assert!(
            err.contains(&format!("skuld::lint::{lint}")),
            "{lint} missing:\n{err}"
        );
    }
    insta::assert_snapshot!(err);
}

#[test]
fn fail_on_decides_the_exit_code() {
    let file = "tests/data/check_policy/problems.skuld";
    assert_eq!(skuld(&["check-policy", file, "--fail-on", "never"]).0, 0);
    assert_eq!(skuld(&["check-policy", file, "--fail-on", "error"]).0, 1);
    // Warnings only: fails by default, passes with --fail-on error.
    let dir = tempfile::tempdir().unwrap();
    let warn = dir.path().join("warn.skuld");
    std::fs::write(&warn, "set lonely = [AAD_PREMIUM]\n").unwrap();
    let warn = warn.to_str().unwrap();
    assert_eq!(skuld(&["check-policy", warn]).0, 1);
    assert_eq!(skuld(&["check-policy", warn, "--fail-on", "error"]).0, 0);
}

#[test]
fn a_require_that_is_always_false_fires_everywhere() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("always.skuld");
    std::fs::write(
        &f,
        "rule org/a {\n    severity error\n    for tenant\n    require not (1 == 1) and tenant.sspr.enabled\n    at tenant\n    message \"m\"\n}\n",
    )
    .unwrap();
    let (code, _, err) = skuld(&["check-policy", f.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(err.contains("skuld::lint::always-fires"), "{err}");
    assert!(err.contains("always false"), "{err}");
}

#[test]
fn a_policy_that_does_not_compile_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("bad.skuld");
    std::fs::write(&f, "grant nothing_here to AAD_PREMIUM\n").unwrap();
    let (code, out, err) = skuld(&["check-policy", f.to_str().unwrap()]);
    assert_eq!((code, out.as_str()), (2, ""));
    assert!(err.contains("skuld::policy::unknown-name"), "{err}");
    let (code, _, err) = skuld(&["check-policy", "no/such/file.skuld"]);
    assert_eq!(code, 2);
    assert!(err.contains("no/such/file.skuld"), "{err}");
}

#[test]
fn a_paid_sku_granting_only_untested_capabilities_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("p.skuld");
    std::fs::write(
        &f,
        "capability fax\nsku FAX_PLAN \"Fax\" { paid grants fax }\nsku FAX_FREE \"Fax trial\" { free grants fax }\n",
    )
    .unwrap();
    let (code, _, err) = skuld(&["check-policy", f.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(
        err.contains("paid SKU `FAX_PLAN` grants only capabilities no rule tests: fax"),
        "{err}"
    );
    assert!(!err.contains("`FAX_FREE` grants"), "{err}");
    assert!(err.contains("skuld::lint::unused-capability"), "{err}");
}
