//! The `skuld` binary as a whole process: exit codes, stdout, stderr, JSON.

#![expect(
    clippy::unwrap_used,
    reason = "helpers of tests: a panic is a test failure"
)]

use std::path::Path;
use std::process::{Command, Output};

use crate::common::{DEFAULT_POLICY_LINE, problem_findings, root, stderr, stdout};

/// Runs skuld in the repository root with a fixed, colourless environment.
fn skuld(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_skuld"))
        .args(args)
        .current_dir(root())
        .env_remove("COLUMNS")
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p.display().to_string()
}

#[test]
fn clean_tenant_exits_0() {
    let o = skuld(&["check", "examples/clean.yaml"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        stdout(&o),
        format!("{DEFAULT_POLICY_LINE}no findings in 1 tenant file\n")
    );
    assert_eq!(stderr(&o), "");
}

#[test]
fn human_report_of_the_problem_example() {
    let o = skuld(&["check", "examples/problems.yaml"]);
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    assert!(!out.contains('\u{1b}'), "no colour when not on a terminal");
    insta::assert_snapshot!(out);
}

#[test]
fn json_follows_the_contract() {
    let o = skuld(&[
        "check",
        "--format",
        "json",
        "examples/problems.yaml",
        "examples/clean.yaml",
    ]);
    assert_eq!(o.status.code(), Some(1));
    let doc: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let obj = doc.as_object().unwrap();
    // Contract v2 adds `errors`; `tenants` (seat use) and `rules` are additive.
    let mut keys: Vec<&str> = obj.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "errors", "findings", "policy", "rules", "summary", "tenants"
        ]
    );
    assert_eq!(doc["policy"]["sspr_matrix"], "builtin:sspr-2017");
    assert_eq!(doc["policy"]["matrix_date"], "2017-04-26");
    assert_eq!(doc["errors"], serde_json::json!([]));
    let findings = doc["findings"].as_array().unwrap();
    assert_eq!(findings.len(), problem_findings());
    for f in findings {
        let keys: Vec<&str> = f.as_object().unwrap().keys().map(String::as_str).collect();
        for k in ["rule", "severity", "message", "file", "line", "column"] {
            assert!(keys.contains(&k), "missing {k} in {f}");
        }
        assert!(keys.iter().all(|k| {
            [
                "rule",
                "severity",
                "message",
                "file",
                "line",
                "column",
                "subject",
                "fingerprint",
                "label",
                "help",
                "related",
            ]
            .contains(k)
        }));
        assert_eq!(f["file"], "examples/problems.yaml");
        assert!(f["line"].as_u64().unwrap() >= 1 && f["column"].as_u64().unwrap() >= 1);
    }
    let errors = findings.iter().filter(|f| f["severity"] == "error").count();
    let warnings = findings
        .iter()
        .filter(|f| f["severity"] == "warning")
        .count();
    assert_eq!(doc["summary"]["errors"], errors);
    assert_eq!(doc["summary"]["warnings"], warnings);
    assert_eq!((errors, warnings), (7, 2));
    let first = &findings[0];
    assert_eq!(first["rule"], "sspr/writeback-license");
    assert_eq!(
        (first["line"].as_u64(), first["column"].as_u64()),
        (Some(17), Some(3))
    );
    assert!(first.get("subject").is_none());
    let cloud = findings
        .iter()
        .find(|f| f["rule"] == "sspr/cloud-user-license")
        .unwrap();
    assert_eq!(cloud["subject"], "intern@fabrikam.com");
    assert_eq!(
        (cloud["line"].as_u64(), cloud["column"].as_u64()),
        (Some(59), Some(5))
    );
}

#[test]
fn warnings_alone_exit_0() {
    let dir = tempfile::tempdir().unwrap();
    let t = write(
        dir.path(),
        "t.yaml",
        "tenant: t\ncountry: US\ngroups:\n  - name: A\n    licenses: [STANDARDPACK]\n  - name: B\n    groups: [A]\n",
    );
    let o = skuld(&["check", "--format", "json", &t]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    let doc: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(doc["summary"]["warnings"], 1);
    assert_eq!(doc["findings"][0]["rule"], "licensing/nested-group");
}

#[test]
fn malformed_yaml_exits_2_with_a_located_diagnostic() {
    let dir = tempfile::tempdir().unwrap();
    let t = write(
        dir.path(),
        "bad.yaml",
        "tenant: t\nusers:\n  - upn: a@b.c\n    licenses: [EMS\n",
    );
    let o = skuld(&["check", &t]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(err.contains("skuld::tenant::syntax"), "{err}");
    assert!(err.contains("bad.yaml:"), "{err}");
    assert!(stdout(&o).contains("1 file could not be checked"));
}

#[test]
fn unknown_key_exits_2_with_did_you_mean() {
    let dir = tempfile::tempdir().unwrap();
    let t = write(
        dir.path(),
        "t.yaml",
        "tenant: t\nusers:\n  - upn: a@b.c\n    usage_locaton: US\n",
    );
    let o = skuld(&["check", &t]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(err.contains("skuld::tenant::unknown-key"), "{err}");
    assert!(err.contains("usage_location"), "{err}");
    assert!(err.contains("t.yaml:4:5"), "{err}");
}

#[test]
fn one_bad_file_does_not_stop_the_others() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a.yaml", "tenant: [\n");
    write(
        dir.path(),
        "b.yaml",
        "tenant: t\nsspr:\n  scope: all\nusers:\n  - upn: x@t.com\n",
    );
    let o = skuld(&["check", "--format", "json", dir.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let doc: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let rules: Vec<&str> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    assert_eq!(rules, ["sspr/tenant-license", "sspr/cloud-user-license"]);
    assert!(stderr(&o).contains("a.yaml"));
}

#[test]
fn folders_are_searched_and_sorted() {
    let o = skuld(&["check", "--format", "json", "tests/data/fixtures/folder"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let doc: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let found: Vec<(&str, &str)> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["file"].as_str().unwrap(), f["rule"].as_str().unwrap()))
        .collect();
    assert_eq!(
        found,
        [
            ("tests/data/fixtures/folder/a.yaml", "sspr/tenant-license"),
            (
                "tests/data/fixtures/folder/a.yaml",
                "sspr/cloud-user-license"
            ),
            (
                "tests/data/fixtures/folder/nested/b.yml",
                "licensing/usage-location"
            ),
        ]
    );
}

#[test]
fn nothing_passes_silently() {
    let dir = tempfile::tempdir().unwrap();
    let o = skuld(&["check", dir.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("no tenant files"), "{}", stderr(&o));

    let o = skuld(&["check", "no/such/file.yaml"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("no such file or folder"));

    let o = skuld(&["check", "--no-default-policy", "examples/clean.yaml"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("skuld::policy::no-rules"),
        "{}",
        stderr(&o)
    );
    assert_eq!(
        stdout(&o),
        "",
        "nothing is written when the policy is unusable"
    );
}

#[test]
fn bad_usage_exits_2() {
    assert_eq!(skuld(&[]).status.code(), Some(2));
    assert_eq!(skuld(&["check"]).status.code(), Some(2));
    assert_eq!(
        skuld(&["check", "--format", "xml", "examples/clean.yaml"])
            .status
            .code(),
        Some(2)
    );
}

#[test]
fn policy_errors_exit_2_and_point_into_the_policy() {
    let o = skuld(&[
        "check",
        "--policy",
        "tests/data/policies/err/unknown-names.skuld",
        "examples/clean.yaml",
    ]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(
        err.contains("tests/data/policies/err/unknown-names.skuld:2:7"),
        "{err}"
    );
    assert!(err.contains("did you mean `sspr_cloud`?"), "{err}");
    assert!(err.contains("nothing was checked"));
}

#[test]
fn an_added_policy_can_declare_a_sku() {
    let dir = tempfile::tempdir().unwrap();
    let t = write(
        dir.path(),
        "t.yaml",
        "tenant: t\nsspr:\n  scope: all\n  writeback: true\nusers:\n  - upn: a@t.com\n    source: synced\n    usage_location: US\n    licenses: [SPB]\n",
    );
    let without = skuld(&["check", "--format", "json", &t]);
    // SPB is in the full catalog with the Entra ID P1 plan, which the 2017 matrix reads
    // "Azure AD Premium P1 or P2" by; the added file below declares it by hand instead.
    assert_eq!(without.status.code(), Some(0), "{}", stdout(&without));
    // The JSON lists every rule (`rules`), so look at the findings, not the whole text.
    let fired = crate::common::json(&without)["findings"].clone();
    assert!(
        fired
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["rule"] != "sspr/synced-user-license"),
        "{fired}"
    );

    let with = skuld(&[
        "check",
        "--policy",
        "tests/data/policies/ok/business-premium.skuld",
        &t,
    ]);
    assert_eq!(
        with.status.code(),
        Some(0),
        "{}{}",
        stdout(&with),
        stderr(&with)
    );

    // A folder of policies, and an embedded file by name, work too.
    let folder = skuld(&["check", "--policy", "tests/data/policies/ok", &t]);
    assert_eq!(
        folder.status.code(),
        Some(0),
        "{}{}",
        stdout(&folder),
        stderr(&folder)
    );
    let builtin = skuld(&[
        "check",
        "--no-default-policy",
        "--policy",
        "builtin:catalog",
        "--policy",
        "builtin:licensing",
        &t,
    ]);
    assert_eq!(
        builtin.status.code(),
        Some(1),
        "SPB is unknown without the added file"
    );
    let missing = skuld(&["check", "--policy", "builtin:sspr-2071", &t]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(
        stderr(&missing).contains("builtin:sspr-2017"),
        "did-you-mean: {}",
        stderr(&missing)
    );
}

#[test]
fn oversized_and_non_utf8_files_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let t = write(
        dir.path(),
        "t.yaml",
        "tenant: t\n# padding padding padding\n",
    );
    let o = skuld(&["check", "--max-file-size", "10", &t]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("more than the limit of 10"),
        "{}",
        stderr(&o)
    );

    let p = dir.path().join("latin1.yaml");
    std::fs::write(&p, b"tenant: caf\xe9\n").unwrap();
    let o = skuld(&["check", p.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("not UTF-8"), "{}", stderr(&o));
}

#[test]
fn color_only_when_asked_or_on_a_terminal() {
    let o = Command::new(env!("CARGO_BIN_EXE_skuld"))
        .args(["check", "--color", "always", "examples/problems.yaml"])
        .current_dir(root())
        .output()
        .unwrap();
    assert!(stdout(&o).contains('\u{1b}'), "--color always colours");
    let o = Command::new(env!("CARGO_BIN_EXE_skuld"))
        .args(["check", "examples/problems.yaml"])
        .current_dir(root())
        .env_remove("NO_COLOR")
        .output()
        .unwrap();
    assert!(!stdout(&o).contains('\u{1b}'), "a pipe is not a terminal");
}

#[test]
fn help_shows_examples_and_version_names_the_tool() {
    let o = skuld(&["check", "--help"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).contains("skuld check tenant.yaml"));
    let o = skuld(&["--version"]);
    assert!(stdout(&o).starts_with("skuld "));
}

#[test]
fn rules_and_explain_show_the_policy_docs() {
    let o = skuld(&["rules"]);
    assert_eq!(o.status.code(), Some(0));
    let out = stdout(&o);
    assert_eq!(
        out.lines().count(),
        29,
        "20 policy rules and 9 built-in checks:\n{out}"
    );
    let row = |id: &str, rest: &str| {
        out.lines()
            .any(|l| l.starts_with(&format!("{id} ")) && l.contains(rest))
    };
    // The severity column is as wide as its widest entry: a rule whose findings have two
    // severities shows both, the default first.
    assert!(
        row(
            "sspr/cloud-user-license",
            " error            builtin:sspr-2017:"
        ),
        "{out}"
    );
    assert!(row("licensing/nested-group", " warning          "), "{out}");
    assert!(
        row(
            "licensing/subscription-lapsing",
            " error / warning  builtin:licensing:"
        ),
        "{out}"
    );
    let o = skuld(&["explain", "licensing/subscription-lapsing"]);
    assert!(
        stdout(&o).starts_with("licensing/subscription-lapsing (error / warning)\n"),
        "{}",
        stdout(&o)
    );

    let o = skuld(&["explain", "licensing/seats"]);
    assert_eq!(o.status.code(), Some(0));
    let out = stdout(&o);
    assert!(
        out.starts_with("licensing/seats (error)\ndefined in builtin:licensing:"),
        "{out}"
    );
    assert!(
        out.contains("require s.used <= s.seats"),
        "the definition is shown: {out}"
    );

    let o = skuld(&["explain", "licensing/seat"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("did you mean `licensing/seats`?"),
        "{}",
        stderr(&o)
    );

    let o = skuld(&[
        "rules",
        "--policy",
        "tests/data/policies/ok/organisation-rules.skuld",
    ]);
    assert!(stdout(&o).contains("acme/usage-location-allowed"));
}

#[test]
fn broken_tenants_are_reported_with_spans() {
    insta::glob!("..", "data/tenants/err/*.yaml", |path| {
        let rel = path
            .strip_prefix(root())
            .unwrap()
            .to_str()
            .unwrap()
            .to_owned();
        let o = skuld(&["check", &rel]);
        assert_eq!(o.status.code(), Some(2), "{}", stdout(&o));
        insta::assert_snapshot!(stderr(&o));
    });
}

#[test]
fn an_alias_bomb_is_stopped_by_the_budget() {
    // 1,000 names anchored once and replayed for 1,500 users: 1.5 million names from a 60 KB file.
    let names: Vec<String> = (0..1000).map(|i| format!("SKU{i}")).collect();
    let mut yaml = format!(
        "tenant: t\nusers:\n  - upn: u0@t.com\n    licenses: &all [{}]\n",
        names.join(", ")
    );
    for i in 1..1500 {
        yaml.push_str(&format!("  - upn: u{i}@t.com\n    licenses: *all\n"));
    }
    let dir = tempfile::tempdir().unwrap();
    let t = write(dir.path(), "bomb.yaml", &yaml);
    let o = skuld(&["check", &t]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("skuld::tenant::alias-bomb"),
        "{}",
        stderr(&o)
    );
    assert_eq!(
        stdout(&o).lines().last(),
        Some("no findings in 1 tenant file; 1 file could not be checked")
    );
}

#[test]
fn standard_input_is_a_tenant_too() {
    use std::io::Write as _;
    let mut child = Command::new(env!("CARGO_BIN_EXE_skuld"))
        .args(["check", "--format", "json", "-"])
        .current_dir(root())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"tenant: t\nsspr:\n  scope: all\nusers:\n  - upn: a@t.com\n")
        .unwrap();
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(1));
    let doc: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(doc["findings"][0]["file"], "<stdin>");
}

#[test]
fn gates_select_rules_and_set_the_failing_level() {
    let json = |args: &[&str]| {
        let mut all = vec!["check", "--format", "json"];
        all.extend_from_slice(args);
        all.push("examples/problems.yaml");
        let o = skuld(&all);
        let doc: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap_or_default();
        (o.status.code(), doc)
    };
    let rules = |doc: &serde_json::Value| -> Vec<String> {
        doc["findings"].as_array().map_or(vec![], |a| {
            a.iter()
                .map(|f| f["rule"].as_str().unwrap().to_owned())
                .collect()
        })
    };

    let (code, doc) = json(&["--only-rule", "licensing/nested-group"]);
    assert_eq!(code, Some(0), "only a warning left");
    assert_eq!(rules(&doc), ["licensing/nested-group"]);

    let (code, _) = json(&[
        "--only-rule",
        "licensing/nested-group",
        "--fail-on",
        "warning",
    ]);
    assert_eq!(code, Some(1), "--fail-on warning fails on the warning");

    let (code, doc) = json(&[
        "--only-rule",
        "licensing/nested-group",
        "--severity",
        "licensing/nested-group=error",
    ]);
    assert_eq!(code, Some(1));
    assert_eq!(doc["summary"]["errors"], 1);

    let (code, doc) = json(&[
        "--skip-rule",
        "sspr/writeback-license",
        "--fail-on",
        "never",
    ]);
    assert_eq!(code, Some(0), "--fail-on never");
    assert!(!rules(&doc).contains(&"sspr/writeback-license".to_owned()));
    assert_eq!(rules(&doc).len(), 8);

    let o = skuld(&[
        "check",
        "--skip-rule",
        "sspr/writeback-licence",
        "examples/problems.yaml",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("did you mean `sspr/writeback-license`?"),
        "{}",
        stderr(&o)
    );
    assert_eq!(stdout(&o), "");

    let o = skuld(&[
        "check",
        "--severity",
        "licensing/seats=fatal",
        "examples/problems.yaml",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("skuld::usage"), "{}", stderr(&o));
}

#[test]
fn parallel_checking_keeps_the_order() {
    let dir = tempfile::tempdir().unwrap();
    for i in 0..24 {
        write(
            dir.path(),
            &format!("t{i:02}.yaml"),
            &format!("tenant: t{i}\nsspr:\n  scope: all\nusers:\n  - upn: u{i}@t.com\n"),
        );
    }
    write(dir.path(), "t07.yaml", "tenant: [\n");
    let d = dir.path().to_str().unwrap();
    let one = skuld(&["check", "--format", "json", "-j", "1", d]);
    let many = skuld(&["check", "--format", "json", "-j", "4", d]);
    assert_eq!(
        one.status.code(),
        Some(2),
        "one unreadable file makes the run exit 2"
    );
    assert_eq!(many.status.code(), Some(2));
    assert_eq!(
        stdout(&one),
        stdout(&many),
        "same report whatever the number of threads"
    );
    assert_eq!(stderr(&one), stderr(&many));
    let doc: serde_json::Value = serde_json::from_str(&stdout(&many)).unwrap();
    let files: Vec<&str> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["file"].as_str().unwrap())
        .collect();
    assert_eq!(files.len(), 46, "23 readable tenants, two findings each");
    assert!(files.windows(2).all(|w| w[0] <= w[1]), "in file order");
}

/// `licensing/subscription-lapsing` has two severities: each finding is reported, counted and
/// exits at its own; the rule lists show both; an override sets every finding.
#[test]
fn a_rule_with_two_severities_reports_each_finding_at_its_own() {
    let dir = tempfile::tempdir().unwrap();
    let tenant = |status: &str| {
        format!(
            "tenant: t\ncountry: US\nsubscriptions:\n  - sku: SPE_E3\n    seats: 5\n    status: {status}\nusers:\n  - upn: a@t.com\n    usage_location: US\n    licenses: [SPE_E3]\n"
        )
    };
    let grace = write(dir.path(), "grace.yaml", &tenant("warning"));
    let suspended = write(dir.path(), "suspended.yaml", &tenant("suspended"));

    let o = skuld(&["check", "--format", "json", &grace]);
    assert_eq!(o.status.code(), Some(0), "a warning alone: {}", stdout(&o));
    let doc: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(doc["findings"][0]["rule"], "licensing/subscription-lapsing");
    assert_eq!(doc["findings"][0]["severity"], "warning");
    assert_eq!(doc["summary"]["warnings"], 1);
    assert_eq!(doc["summary"]["errors"], 0);
    let rule = doc["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "licensing/subscription-lapsing")
        .unwrap();
    assert_eq!(rule["severity"], "error");
    assert_eq!(rule["severities"], serde_json::json!(["error", "warning"]));

    let o = skuld(&["check", "--format", "json", &suspended]);
    assert_eq!(o.status.code(), Some(1), "an error: {}", stdout(&o));
    let doc: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(doc["findings"][0]["severity"], "error");

    let o = skuld(&["check", "--format", "sarif", &grace]);
    let sarif: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let run = &sarif["runs"][0];
    let rule = run["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "licensing/subscription-lapsing")
        .unwrap();
    assert_eq!(rule["defaultConfiguration"]["level"], "error");
    assert_eq!(
        rule["properties"]["severities"],
        serde_json::json!(["error", "warning"])
    );
    assert_eq!(run["results"][0]["level"], "warning");

    let o = skuld(&[
        "check",
        "--severity",
        "licensing/subscription-lapsing=error",
        &grace,
    ]);
    assert_eq!(
        o.status.code(),
        Some(1),
        "an override sets every finding: {}",
        stdout(&o)
    );
}

/// A two-severity rule can keep only warnings under `--max-findings-per-rule` while errors were
/// left out: those still fail the run, as the summary counts them.
#[test]
fn errors_past_the_cap_fail_the_run_when_only_warnings_were_kept() {
    let dir = tempfile::tempdir().unwrap();
    let tenant = "tenant: t\ncountry: US\nsubscriptions:\n  - sku: SPE_E3\n    seats: 5\n    status: warning\n  - sku: SPE_E5\n    seats: 5\n    status: suspended\nusers:\n  - upn: a@t.com\n    usage_location: US\n    licenses: [SPE_E3, SPE_E5]\n";
    let path = write(dir.path(), "t.yaml", tenant);
    let capped = |cap: &str| {
        skuld(&[
            "check",
            "--no-config",
            "--format",
            "json",
            "--only-rule",
            "licensing/subscription-lapsing",
            "--max-findings-per-rule",
            cap,
            &path,
        ])
    };
    let o = capped("1");
    let doc: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(doc["findings"][0]["severity"], "warning", "{}", stdout(&o));
    assert_eq!(doc["findings"].as_array().unwrap().len(), 1);
    assert_eq!(doc["summary"]["errors"], 1, "the error left out is counted");
    assert_eq!(
        o.status.code(),
        Some(1),
        "and fails the run: {}",
        stderr(&o)
    );
    // Without the cap the same run fails on the error it keeps.
    assert_eq!(capped("10").status.code(), Some(1));
}

/// Findings past the cap follow the kept ones of their severity: a baseline that knows every
/// kept finding (written with a higher cap) passes the run, however many the cap left out.
#[test]
fn findings_past_the_cap_pass_when_the_baseline_knows_the_kept_ones() {
    let dir = tempfile::tempdir().unwrap();
    let mut tenant = String::from("tenant: t\nsspr: {scope: all}\nusers:\n");
    for i in 0..30 {
        tenant.push_str(&format!("  - upn: u{i}@x.com\n"));
    }
    let path = write(dir.path(), "t.yaml", &tenant);
    let baseline = dir.path().join("b.json").display().to_string();
    let made = skuld(&[
        "check",
        "--no-config",
        "--format",
        "json",
        "--max-findings-per-rule",
        "100",
        "--output",
        &baseline,
        &path,
    ]);
    assert_eq!(made.status.code(), Some(1), "{}", stderr(&made));
    let with = |cap: &str| {
        skuld(&[
            "check",
            "--no-config",
            "--baseline",
            &baseline,
            "--max-findings-per-rule",
            cap,
            &path,
        ])
    };
    assert_eq!(with("100").status.code(), Some(0));
    let o = with("10");
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
}
