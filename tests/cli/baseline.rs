//! Baselines and `skuld diff` through the real binary: a report written with `--format json`
//! hides the findings it holds (matched by file and fingerprint, not by line), new findings
//! still fail, malformed baselines stop the run; `skuld diff` reports introduced and fixed
//! findings of two versions of one tenant.

#![expect(
    clippy::unwrap_used,
    reason = "helpers of tests: a panic is a test failure"
)]

use std::path::Path;

use serde_json::Value;

use crate::common::{DEFAULT_POLICY_LINE, json, problem_findings, root, skuld_in, stderr, stdout};

/// A folder holding `t.yaml` (the problem example) and `base.json`, its report.
fn with_baseline() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    // A repository root: no config file from the folders above applies.
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    std::fs::copy(
        root().join("examples/problems.yaml"),
        dir.path().join("t.yaml"),
    )
    .unwrap();
    let o = skuld_in(
        dir.path(),
        &[
            "check",
            "t.yaml",
            "--format",
            "json",
            "--output",
            "base.json",
        ],
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    dir
}

fn edit(dir: &Path, from: &str, to: &str) {
    let path = dir.join("t.yaml");
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains(from), "{from}");
    std::fs::write(path, text.replacen(from, to, 1)).unwrap();
}

#[test]
fn json_findings_carry_the_sarif_fingerprint() {
    let o = skuld_in(
        &root(),
        &["check", "examples/problems.yaml", "--format", "json"],
    );
    let sarif = skuld_in(
        &root(),
        &["check", "examples/problems.yaml", "--format", "sarif"],
    );
    let doc = json(&o);
    let sarif: Value = serde_json::from_str(&stdout(&sarif)).unwrap();
    let ours: Vec<&str> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["fingerprint"].as_str().unwrap())
        .collect();
    let theirs: Vec<&str> = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["partialFingerprints"]["skuld/v1"].as_str().unwrap())
        .collect();
    assert_eq!(ours.len(), problem_findings());
    assert_eq!(ours, theirs);
}

#[test]
fn the_baseline_hides_known_findings_even_when_lines_move() {
    let dir = with_baseline();
    // Two lines added at the top move every finding down.
    edit(dir.path(), "tenant:", "# moved\n# down\ntenant:");
    let o = skuld_in(
        dir.path(),
        &[
            "check",
            "t.yaml",
            "--baseline",
            "base.json",
            "--format",
            "json",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let doc = json(&o);
    assert_eq!(doc["findings"].as_array().unwrap().len(), 0);
    assert_eq!(doc["summary"]["known"], problem_findings());
    let human = skuld_in(dir.path(), &["check", "t.yaml", "--baseline", "base.json"]);
    assert_eq!(
        stdout(&human),
        format!(
            "{DEFAULT_POLICY_LINE}no findings in 1 tenant file; {} known from the baseline left out\n",
            problem_findings()
        )
    );
}

#[test]
fn new_findings_are_reported_and_fail() {
    let dir = with_baseline();
    edit(dir.path(), "intern@fabrikam.com", "intern2@fabrikam.com");
    let o = skuld_in(
        dir.path(),
        &[
            "check",
            "t.yaml",
            "--baseline",
            "base.json",
            "--format",
            "json",
        ],
    );
    assert_eq!(o.status.code(), Some(1));
    let doc = json(&o);
    let findings = doc["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 1);
    assert_eq!(findings[0]["subject"], "intern2@fabrikam.com");
    assert_eq!(doc["summary"]["known"], 8);
}

#[test]
fn a_baseline_matches_by_file_too() {
    let dir = with_baseline();
    std::fs::rename(dir.path().join("t.yaml"), dir.path().join("u.yaml")).unwrap();
    let o = skuld_in(
        dir.path(),
        &[
            "check",
            "u.yaml",
            "--baseline",
            "base.json",
            "--format",
            "json",
        ],
    );
    assert_eq!(json(&o)["summary"]["known"], 0);
    // `./t.yaml` and `t.yaml` are the same file.
    std::fs::rename(dir.path().join("u.yaml"), dir.path().join("t.yaml")).unwrap();
    let o = skuld_in(
        dir.path(),
        &[
            "check",
            "./t.yaml",
            "--baseline",
            "base.json",
            "--format",
            "json",
        ],
    );
    assert_eq!(json(&o)["summary"]["known"], problem_findings());
}

#[test]
fn a_baseline_without_fingerprints_still_matches() {
    let dir = with_baseline();
    let path = dir.path().join("base.json");
    let mut doc: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    for f in doc["findings"].as_array_mut().unwrap() {
        f.as_object_mut().unwrap().remove("fingerprint");
    }
    std::fs::write(&path, doc.to_string()).unwrap();
    let o = skuld_in(
        dir.path(),
        &[
            "check",
            "t.yaml",
            "--baseline",
            "base.json",
            "--format",
            "json",
        ],
    );
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(json(&o)["summary"]["known"], problem_findings());
}

#[test]
fn malformed_baselines_stop_the_run() {
    for (file, message) in [
        ("not-a-report.json", "the baseline has no `findings` list"),
        ("truncated.json", "the baseline is not JSON"),
    ] {
        let path = format!("tests/data/fixtures/baseline/{file}");
        let o = skuld_in(
            &root(),
            &["check", "examples/clean.yaml", "--baseline", &path],
        );
        assert_eq!(o.status.code(), Some(2), "{file}");
        assert_eq!(stdout(&o), "", "{file}");
        let err = stderr(&o);
        assert!(err.contains("skuld::baseline"), "{err}");
        assert!(err.contains(message), "{err}");
    }
    let o = skuld_in(
        &root(),
        &[
            "check",
            "examples/clean.yaml",
            "--baseline",
            "tests/data/fixtures/baseline/truncated.json",
        ],
    );
    insta::assert_snapshot!(stderr(&o));
    let o = skuld_in(
        &root(),
        &["check", "examples/clean.yaml", "--baseline", "no-such.json"],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("cannot read `no-such.json`"));
}

/// r08 `deep`: a baseline of 200,000 nested brackets is an error that names it, not a crash.
#[test]
fn a_deeply_nested_baseline_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    let n = 200_000;
    let deep = format!("{{\"findings\":{}{}}}", "[".repeat(n), "]".repeat(n));
    std::fs::write(dir.path().join("b.json"), deep).unwrap();
    std::fs::write(dir.path().join("t.yaml"), "tenant: t\n").unwrap();
    let o = skuld_in(dir.path(), &["check", "t.yaml", "--baseline", "b.json"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("the baseline is not JSON: recursion limit exceeded"),
        "{err}"
    );
    assert_eq!(stdout(&o), "");
}

/// A folder holding `base.yaml` (the problem example) and `head.yaml` (a changed copy).
pub fn two_versions(from: &str, to: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(root().join("examples/problems.yaml")).unwrap();
    std::fs::write(dir.path().join("base.yaml"), &text).unwrap();
    assert!(text.contains(from));
    std::fs::write(dir.path().join("head.yaml"), text.replacen(from, to, 1)).unwrap();
    dir
}

#[test]
fn diff_reports_introduced_and_fixed_findings() {
    let dir = two_versions("intern@fabrikam.com", "intern2@fabrikam.com");
    let o = skuld_in(
        dir.path(),
        &["diff", "base.yaml", "head.yaml", "--format", "json"],
    );
    assert_eq!(o.status.code(), Some(1));
    let doc = json(&o);
    assert_eq!(doc["introduced"][0]["subject"], "intern2@fabrikam.com");
    assert_eq!(doc["introduced"][0]["file"], "head.yaml");
    assert_eq!(doc["fixed"][0]["subject"], "intern@fabrikam.com");
    assert_eq!(doc["fixed"][0]["file"], "base.yaml");
    assert_eq!(doc["summary"]["introduced"], 1);
    assert_eq!(doc["summary"]["fixed"], 1);
    assert_eq!(doc["summary"]["errors"], 1);

    let human = skuld_in(dir.path(), &["diff", "base.yaml", "head.yaml"]);
    let out = stdout(&human);
    assert!(
        out.contains("fixed error[sspr/cloud-user-license] at base.yaml:59:5:"),
        "{out}"
    );
    assert!(
        out.ends_with("1 introduced (1 error, 0 warnings), 1 fixed\n"),
        "{out}"
    );
    let never = skuld_in(
        dir.path(),
        &["diff", "base.yaml", "head.yaml", "--fail-on", "never"],
    );
    assert_eq!(never.status.code(), Some(0));
}

#[test]
fn diff_of_a_fix_alone_passes_and_moved_lines_are_no_change() {
    // Giving the intern an Office 365 E3 licence fixes one finding; the seats finding stays
    // (one more user over the same subscription: same fingerprint).
    let dir = two_versions(
        "  - upn: intern@fabrikam.com\n",
        "  - upn: intern@fabrikam.com\n    licenses: [ENTERPRISEPACK]\n    usage_location: US\n",
    );
    let o = skuld_in(
        dir.path(),
        &["diff", "base.yaml", "head.yaml", "--format", "json"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    let doc = json(&o);
    assert_eq!(doc["summary"]["introduced"], 0);
    let fixed = doc["fixed"].as_array().unwrap();
    assert_eq!(fixed.len(), 1);
    assert_eq!(fixed[0]["rule"], "sspr/cloud-user-license");

    let moved = two_versions("tenant:", "# a comment\n\ntenant:");
    let o = skuld_in(moved.path(), &["diff", "base.yaml", "head.yaml"]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(stdout(&o), "0 introduced (0 errors, 0 warnings), 0 fixed\n");
}

#[test]
fn diff_stops_when_a_version_cannot_be_checked() {
    let dir = two_versions("tenant:", "tenant: [");
    let o = skuld_in(dir.path(), &["diff", "base.yaml", "head.yaml"]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(stdout(&o), "");
    assert!(stderr(&o).contains("a version could not be checked: nothing was compared"));
}

#[test]
fn diff_applies_waivers_and_the_config() {
    // HEAD adds an unlicensed user, with an inline waiver on its line.
    let dir = two_versions(
        "  - upn: intern@fabrikam.com\n",
        "  - upn: temp@fabrikam.com  # skuld: waive sspr/cloud-user-license until 2027-01-31 -- starts next week\n    groups: [IT]\n  - upn: intern@fabrikam.com\n",
    );
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    let o = skuld_in(
        dir.path(),
        &["diff", "base.yaml", "head.yaml", "--format", "json"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let doc = json(&o);
    assert_eq!(doc["summary"]["introduced"], 0);
    assert_eq!(doc["summary"]["waived"], 1);
    let human = skuld_in(dir.path(), &["diff", "base.yaml", "head.yaml"]);
    assert_eq!(
        stdout(&human),
        "0 introduced (0 errors, 0 warnings), 0 fixed; 1 waived\n"
    );

    // Without the waiver, the config's `fail-on: never` and `skip-rules` apply.
    let dir = two_versions("intern@fabrikam.com", "intern2@fabrikam.com");
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    let o = skuld_in(dir.path(), &["diff", "base.yaml", "head.yaml"]);
    assert_eq!(o.status.code(), Some(1));
    std::fs::write(dir.path().join(".skuld.yaml"), "fail-on: never\n").unwrap();
    let o = skuld_in(dir.path(), &["diff", "base.yaml", "head.yaml"]);
    assert_eq!(o.status.code(), Some(0));
    std::fs::write(
        dir.path().join(".skuld.yaml"),
        "skip-rules: [sspr/cloud-user-license]\n",
    )
    .unwrap();
    let o = skuld_in(dir.path(), &["diff", "base.yaml", "head.yaml"]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(stdout(&o), "0 introduced (0 errors, 0 warnings), 0 fixed\n");
    let o = skuld_in(
        dir.path(),
        &["diff", "base.yaml", "head.yaml", "--no-config"],
    );
    assert_eq!(o.status.code(), Some(1));
}
