//! `skuld diff` as issue 24 asks for it: waivers and baselines apply to both versions alike
//! (the old version is a copy `git show` wrote elsewhere), every format `check` takes reports
//! the introduced findings on the new version's lines, and the rule selection flags work.

#![expect(
    clippy::unwrap_used,
    reason = "helpers of tests: a panic is a test failure"
)]

use std::path::Path;

use crate::common::{json, root, skuld_in, stderr, stdout, write};

/// A repository as the docs set one up: `tenants/contoso.yaml` (eleven unlicensed users) and
/// `skuld-waivers.yaml` with a waiver scoped to that file; `.git` marks the repository root.
fn repository() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let data = root().join("tests/data/diff");
    let tenant = std::fs::read_to_string(data.join("contoso.yaml")).unwrap();
    write(&dir.path().join("tenants/contoso.yaml"), &tenant);
    let waivers = std::fs::read_to_string(data.join("skuld-waivers.yaml")).unwrap();
    write(&dir.path().join("skuld-waivers.yaml"), &waivers);
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    dir
}

/// The documented step: the target branch's version written to `base.yaml`, then the change
/// made to `tenants/contoso.yaml` (`from` replaced by `to`).
fn change(dir: &Path, from: &str, to: &str) {
    let path = dir.join("tenants/contoso.yaml");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(dir.join("base.yaml"), &text).unwrap();
    assert!(text.contains(from), "{from}");
    std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
}

#[test]
fn a_tenant_scoped_waiver_applies_to_the_git_show_copy_too() {
    // Issue 24: one user of eleven is fixed; the waiver names `tenants/contoso.yaml`, so it did
    // not apply to `base.yaml`, and the diff said "11 fixed; 10 waived".
    let dir = repository();
    change(dir.path(), "  - upn: user11@contoso.com\n", "");
    let args = ["diff", "base.yaml", "tenants/contoso.yaml"];
    let o = skuld_in(dir.path(), &args);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        stdout(&o),
        "fixed error[sspr/cloud-user-license] at base.yaml:18:5: cloud user `user11@contoso.com` \
         is in SSPR scope but holds no license that covers self-service password reset\n\n\
         0 introduced (0 errors, 0 warnings), 1 fixed; 10 waived\n"
    );
    let doc = json(&skuld_in(
        dir.path(),
        &[&args[..], &["--format", "json"]].concat(),
    ));
    assert_eq!(doc["summary"]["fixed"], 1, "{doc}");
    assert_eq!(doc["summary"]["waived"], 10);
    assert_eq!(doc["fixed"][0]["subject"], "user11@contoso.com");
}

#[test]
fn a_change_that_waives_a_finding_does_not_fix_it_and_one_that_unwaives_it_introduces_it() {
    let dir = repository();
    // Without the waivers file, all eleven count on both sides.
    std::fs::remove_file(dir.path().join("skuld-waivers.yaml")).unwrap();
    change(
        dir.path(),
        "  - upn: user3@contoso.com\n",
        "  - upn: user3@contoso.com  # skuld: waive sspr/cloud-user-license until 2026-12-31 -- ordered\n",
    );
    let o = skuld_in(dir.path(), &["diff", "base.yaml", "tenants/contoso.yaml"]);
    assert_eq!(
        stdout(&o),
        "0 introduced (0 errors, 0 warnings), 0 fixed; 1 waived\n"
    );
    // The other way round: the change removes the inline waiver.
    let o = skuld_in(dir.path(), &["diff", "tenants/contoso.yaml", "base.yaml"]);
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    assert!(out.contains("`user3@contoso.com`"), "{out}");
    assert!(
        out.ends_with("1 introduced (1 error, 0 warnings), 0 fixed\n"),
        "{out}"
    );
}

#[test]
fn a_baseline_applies_to_both_versions_as_the_new_file() {
    let dir = repository();
    std::fs::remove_file(dir.path().join("skuld-waivers.yaml")).unwrap();
    let o = skuld_in(
        dir.path(),
        &[
            "check",
            "tenants/contoso.yaml",
            "--format",
            "json",
            "--output",
            "baseline.json",
        ],
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    // The change fixes user11 and adds user12: the ten known findings are neither introduced
    // nor fixed, though `base.yaml` is not the file the baseline names.
    change(
        dir.path(),
        "  - upn: user11@contoso.com\n",
        "  - upn: user12@contoso.com\n",
    );
    let args = [
        "diff",
        "base.yaml",
        "tenants/contoso.yaml",
        "--baseline",
        "baseline.json",
        "--format",
        "json",
    ];
    let doc = json(&skuld_in(dir.path(), &args));
    assert_eq!(doc["summary"]["introduced"], 1, "{doc}");
    assert_eq!(doc["introduced"][0]["subject"], "user12@contoso.com");
    assert_eq!(doc["summary"]["fixed"], 1);
    assert_eq!(doc["fixed"][0]["subject"], "user11@contoso.com");
    // Ten users and the tenant-wide SSPR finding.
    assert_eq!(doc["summary"]["known"], 11);
    let o = skuld_in(dir.path(), &args[..5]);
    assert!(
        stdout(&o).ends_with(
            "1 introduced (1 error, 0 warnings), 1 fixed; 11 known from the baseline left out\n"
        ),
        "{}",
        stdout(&o)
    );
}

/// `base.yaml` (the problem example) and `head.yaml`, where the intern is renamed: one finding
/// fixed (line 59 of the old version), one introduced (line 59 of the new).
fn renamed_intern() -> tempfile::TempDir {
    let dir = crate::baseline::two_versions("intern@fabrikam.com", "intern2@fabrikam.com");
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    dir
}

fn diff_as(dir: &Path, format: &str) -> String {
    let o = skuld_in(dir, &["diff", "base.yaml", "head.yaml", "--format", format]);
    assert_eq!(o.status.code(), Some(1), "{format}: {}", stderr(&o));
    stdout(&o)
}

#[test]
fn the_line_formats_report_the_introduced_finding_on_the_new_version_s_line() {
    let dir = renamed_intern();
    insta::assert_snapshot!("diff_compact", diff_as(dir.path(), "compact"));
    insta::assert_snapshot!("diff_github", diff_as(dir.path(), "github"));
    insta::assert_snapshot!("diff_azure", diff_as(dir.path(), "azure"));
}

#[test]
fn junit_and_sarif_hold_the_introduced_finding_only() {
    let dir = renamed_intern();
    insta::assert_snapshot!("diff_junit", diff_as(dir.path(), "junit"));
    let text = diff_as(dir.path(), "sarif");
    let sarif: serde_json::Value = serde_json::from_str(&text).unwrap();
    let errors: Vec<String> = crate::common::sarif_schema()
        .iter_errors(&sarif)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 1, "{results:?}");
    assert!(
        results[0]["message"]["text"]
            .as_str()
            .unwrap()
            .contains("intern2@fabrikam.com")
    );
    let location = &results[0]["locations"][0]["physicalLocation"];
    assert_eq!(location["artifactLocation"]["uri"], "head.yaml");
    assert_eq!(location["region"]["startLine"], 59);
}

#[test]
fn html_is_a_page_of_the_introduced_finding() {
    let dir = renamed_intern();
    let o = skuld_in(
        dir.path(),
        &[
            "diff",
            "base.yaml",
            "head.yaml",
            "--format",
            "html",
            "-o",
            "diff.html",
        ],
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_eq!(stdout(&o), "");
    let page = std::fs::read_to_string(dir.path().join("diff.html")).unwrap();
    assert!(page.starts_with("<!DOCTYPE html>"), "{}", &page[..100]);
    assert!(page.contains("intern2@fabrikam.com"));
    assert!(!page.contains("`intern@fabrikam.com`"));
    // The report is not written over an input.
    let o = skuld_in(
        dir.path(),
        &["diff", "base.yaml", "head.yaml", "-o", "base.yaml"],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("cannot write `base.yaml`"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn the_rule_selection_flags_work_as_for_check() {
    let dir = renamed_intern();
    let run = |extra: &[&str]| {
        let o = skuld_in(
            dir.path(),
            &[&["diff", "base.yaml", "head.yaml"][..], extra].concat(),
        );
        (o.status.code(), stdout(&o), stderr(&o))
    };
    let (code, out, _) = run(&["--skip-rule", "sspr/cloud-user-license"]);
    assert_eq!(code, Some(0));
    assert_eq!(out, "0 introduced (0 errors, 0 warnings), 0 fixed\n");
    let (code, out, _) = run(&["--only-rule", "licensing/seats"]);
    assert_eq!(code, Some(0));
    assert_eq!(out, "0 introduced (0 errors, 0 warnings), 0 fixed\n");
    let (code, out, _) = run(&["--severity", "sspr/cloud-user-license=warning"]);
    assert_eq!(code, Some(0), "{out}");
    assert!(
        out.ends_with("1 introduced (0 errors, 1 warning), 1 fixed\n"),
        "{out}"
    );
    let (code, _, err) = run(&[
        "--only-rule",
        "sspr/cloud-user-license",
        "--skip-rule",
        "sspr/cloud-user-license",
    ]);
    assert_eq!(code, Some(2));
    assert!(err.contains("contradict"), "{err}");
    let (code, _, err) = run(&["--skip-rule", "sspr/cloud-user-licence"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("sspr/cloud-user-license"), "{err}");
}

#[test]
fn the_config_s_overrides_are_said_in_the_ci_formats_and_the_comment() {
    let dir = renamed_intern();
    std::fs::write(
        dir.path().join(".skuld.yaml"),
        "skip-rules: [licensing/nested-group]\n",
    )
    .unwrap();
    let github = diff_as(dir.path(), "github");
    assert!(
        github.contains("::notice title=skuld%3A the config turns this off::"),
        "{github}"
    );
    assert!(github.contains("licensing/nested-group"), "{github}");
    let markdown = diff_as(dir.path(), "markdown");
    assert!(
        markdown.contains("**The config in force turns off or changes:**\n\n- "),
        "{markdown}"
    );
    let doc: serde_json::Value = serde_json::from_str(&diff_as(dir.path(), "json")).unwrap();
    assert!(
        doc["overrides"][0]
            .as_str()
            .unwrap()
            .contains("licensing/nested-group"),
        "{doc}"
    );
}

/// `base.yaml` with `users` unlicensed users in SSPR scope (one `sspr/cloud-user-license`
/// finding each), and `head.yaml` with `from` replaced by `to`.
fn many_users(users: usize, from: &str, to: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let mut text =
        String::from("tenant: t.onmicrosoft.com\ncountry: US\nsspr:\n  scope: all\nusers:\n");
    for i in 1..=users {
        text.push_str(&format!("  - upn: user{i}@t.com\n"));
    }
    std::fs::write(dir.path().join("base.yaml"), &text).unwrap();
    assert!(text.contains(from));
    std::fs::write(dir.path().join("head.yaml"), text.replacen(from, to, 1)).unwrap();
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    dir
}

#[test]
fn findings_past_the_per_rule_cap_are_matched_and_reported_whole() {
    // 1,005 findings of one rule: past the first 1,000 they are matched light (no texts); the
    // one that changes is built again whole, on either side.
    for (from, to) in [
        ("user1@t.com\n", "user0@t.com\n"),
        ("user1005@t.com\n", "user1006@t.com\n"),
    ] {
        let dir = many_users(1005, from, to);
        let o = skuld_in(
            dir.path(),
            &["diff", "base.yaml", "head.yaml", "--format", "json"],
        );
        assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
        let doc = json(&o);
        assert_eq!(doc["summary"]["introduced"], 1, "{to}: {doc}");
        assert_eq!(doc["summary"]["fixed"], 1, "{to}: {doc}");
        let (introduced, fixed) = (&doc["introduced"][0], &doc["fixed"][0]);
        assert_eq!(introduced["subject"], to.trim_end());
        assert_eq!(fixed["subject"], from.trim_end());
        for f in [introduced, fixed] {
            let message = f["message"].as_str().unwrap();
            assert!(message.starts_with("cloud user `user"), "{message}");
            assert!(f["help"].as_str().is_some_and(|h| !h.is_empty()), "{f}");
        }
    }
}
