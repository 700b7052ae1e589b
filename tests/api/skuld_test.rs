//! `skuld test` through the real binary: expectations, failures as diffs, exit codes, `--bless`,
//! suites, coverage, and the default policy's own tests.

#![expect(
    clippy::unwrap_used,
    reason = "helpers of tests: a panic is a test failure"
)]

use std::path::Path;
use std::process::{Command, Output};

use crate::common::{root, stderr, stdout};

fn skuld_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_skuld"))
        .args(args)
        .current_dir(dir)
        .env_remove("COLUMNS")
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

/// A cloud user in SSPR scope with a free SKU only (fires sspr/cloud-user-license on line 5) and
/// a quoted UPN that holds `# expect:` text (not a comment).
const TENANT: &str = "\
tenant: contoso.onmicrosoft.com
sspr:
  scope: all
users:
  - upn: alice@contoso.com   # owner: IT
    usage_location: US
    licenses: [FLOW_FREE]
  - upn: \"bob@contoso.com # expect: sspr/cloud-user-license\"
    usage_location: US
    licenses: [STANDARDPACK]
";

#[test]
fn the_default_policy_tests_cover_every_rule() {
    let o = skuld_in(
        &root(),
        &[
            "test",
            "policies/tests",
            "--coverage",
            "--min-coverage",
            "100",
        ],
    );
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(0), "{out}\n{}", stderr(&o));
    assert!(out.contains("(100.0%)"), "{out}");
    assert!(out.contains("test result: ok."), "{out}");
    assert!(!out.contains("FAILED"), "{out}");
}

#[test]
fn expectations_on_the_finding_line_pass() {
    let dir = tempfile::tempdir().unwrap();
    let text = TENANT.replace(
        "# owner: IT",
        "# owner: IT  # expect: sspr/cloud-user-license",
    );
    std::fs::write(dir.path().join("alice.test.yaml"), text).unwrap();
    let o = skuld_in(dir.path(), &["test", "."]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(
        stdout(&o).contains("test ./alice.test.yaml ... ok"),
        "{}",
        stdout(&o)
    );
    assert!(stdout(&o).contains("test result: ok. 1 passed, 0 failed"));
}

#[test]
fn a_missing_expectation_fails_with_a_diff() {
    let dir = tempfile::tempdir().unwrap();
    // Expected on the wrong line (6), and the real finding (line 5) is not expected.
    let text = TENANT.replace(
        "    usage_location: US\n    licenses: [FLOW_FREE]",
        "    usage_location: US  # expect: sspr/cloud-user-license\n    licenses: [FLOW_FREE]",
    );
    std::fs::write(dir.path().join("a.test.yaml"), text).unwrap();
    let o = skuld_in(dir.path(), &["test", "a.test.yaml"]);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(out.contains("test a.test.yaml ... FAILED"), "{out}");
    assert!(
        out.contains("  - a.test.yaml:6 sspr/cloud-user-license"),
        "{out}"
    );
    assert!(
        out.contains("  + a.test.yaml:5 sspr/cloud-user-license"),
        "{out}"
    );
    assert!(
        out.contains("test result: FAILED. 0 passed, 1 failed"),
        "{out}"
    );
}

#[test]
fn a_test_without_expectations_expects_no_findings() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("near-miss.test.yaml"), TENANT).unwrap();
    let o = skuld_in(dir.path(), &["test", "."]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("+ ./near-miss.test.yaml:5 sspr/cloud-user-license"));
}

#[test]
fn an_unknown_rule_in_an_expectation_gets_a_suggestion() {
    let dir = tempfile::tempdir().unwrap();
    let text = TENANT.replace("# owner: IT", "# expect: sspr/cloud-user-licence");
    std::fs::write(dir.path().join("t.test.yaml"), text).unwrap();
    let o = skuld_in(dir.path(), &["test", "t.test.yaml"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stdout(&o).contains("did you mean `sspr/cloud-user-license`?"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn zero_tests_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("tenant.yaml"), TENANT).unwrap();
    let o = skuld_in(dir.path(), &["test", "."]);
    assert_eq!(o.status.code(), Some(2));
    insta::assert_snapshot!(stderr(&o));
    let o = skuld_in(dir.path(), &["test", "missing"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn a_tenant_that_does_not_load_fails_the_test() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("bad.test.yaml"), "tenant: x\nusers: 3\n").unwrap();
    let o = skuld_in(dir.path(), &["test", "."]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stdout(&o).contains("the tenant could not be loaded"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn bless_writes_only_the_comments_and_is_idempotent() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.test.yaml");
    // A stale expectation on line 6 next to another comment, none on line 5.
    let before = TENANT.replace(
        "    usage_location: US\n    licenses: [FLOW_FREE]",
        "    usage_location: US  # keep me # expect: licensing/seats\n    licenses: [FLOW_FREE]",
    );
    std::fs::write(&path, &before).unwrap();
    let o = skuld_in(dir.path(), &["test", "--bless", "t.test.yaml"]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(stdout(&o).contains("blessed t.test.yaml"));
    let after = std::fs::read_to_string(&path).unwrap();
    let want = before
        .replace(
            "# owner: IT",
            "# owner: IT  # expect: sspr/cloud-user-license",
        )
        .replace("  # keep me # expect: licensing/seats", "  # keep me");
    assert_eq!(after, want);
    // Passes now, and blessing again changes nothing.
    let o = skuld_in(dir.path(), &["test", "--bless", "t.test.yaml"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(!stdout(&o).contains("blessed"));
    assert_eq!(std::fs::read_to_string(&path).unwrap(), after);
    let o = skuld_in(dir.path(), &["test", "t.test.yaml"]);
    assert_eq!(o.status.code(), Some(0));
}

#[test]
fn suites_hold_named_cases_with_file_line_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let suite = format!(
        "# case: fires\n{}---\n# case: silent\n{}",
        TENANT.replace("# owner: IT", "# expect: sspr/cloud-user-license"),
        TENANT.replace("scope: all", "scope: none")
    );
    std::fs::write(dir.path().join("s.skuld-test.yaml"), &suite).unwrap();
    let o = skuld_in(dir.path(), &["test", "."]);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(0), "{out}");
    assert!(
        out.contains("test ./s.skuld-test.yaml::fires ... ok"),
        "{out}"
    );
    assert!(
        out.contains("test ./s.skuld-test.yaml::silent ... ok"),
        "{out}"
    );

    // In the second case the finding is on line 18 of the file (6 + 12).
    let broken = suite.replace("scope: none", "scope: all");
    std::fs::write(dir.path().join("s.skuld-test.yaml"), &broken).unwrap();
    let o = skuld_in(dir.path(), &["test", "."]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stdout(&o).contains("+ ./s.skuld-test.yaml:18 sspr/cloud-user-license"),
        "{}",
        stdout(&o)
    );
    let o = skuld_in(dir.path(), &["test", ".", "--bless"]);
    assert_eq!(o.status.code(), Some(0));
    let blessed = std::fs::read_to_string(dir.path().join("s.skuld-test.yaml")).unwrap();
    let alice = |l: &&str| {
        l.starts_with("  - upn: alice") && l.ends_with("# expect: sspr/cloud-user-license")
    };
    assert_eq!(blessed.lines().filter(alice).count(), 2, "{blessed}");
}

#[test]
fn coverage_counts_fired_and_silent_tests_and_gates() {
    let dir = tempfile::tempdir().unwrap();
    let fires = TENANT.replace("# owner: IT", "# expect: sspr/cloud-user-license");
    std::fs::write(dir.path().join("fires.test.yaml"), fires).unwrap();
    let o = skuld_in(
        dir.path(),
        &["test", ".", "--format", "json", "--min-coverage", "50"],
    );
    assert_eq!(o.status.code(), Some(1), "one test covers few rules");
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["passed"], 1);
    assert_eq!(v["failed"], 0);
    let rules = v["coverage"]["rules"].as_array().unwrap();
    let get = |id: &str| rules.iter().find(|r| r["rule"] == id).unwrap();
    assert_eq!(get("sspr/cloud-user-license")["fired"], 1);
    assert_eq!(get("sspr/cloud-user-license")["silent"], 0);
    // Exercised (SSPR is enabled) without firing: bob holds a licence.
    assert_eq!(get("sspr/tenant-license")["silent"], 1);
    // No `for` match: writeback is off.
    assert_eq!(get("sspr/writeback-license")["silent"], 0);
    assert_eq!(get("sspr/writeback-license")["fired"], 0);
    assert_eq!(v["coverage"]["covered"], 0);

    let o = skuld_in(dir.path(), &["test", ".", "--coverage"]);
    assert_eq!(o.status.code(), Some(0));
    let out = stdout(&o);
    assert!(out.contains("never exercised: "), "{out}");
    assert!(out.contains("sspr/writeback-license"), "{out}");

    let o = skuld_in(dir.path(), &["test", ".", "--min-coverage", "0"]);
    assert_eq!(o.status.code(), Some(0));
    let o = skuld_in(dir.path(), &["test", ".", "--min-coverage", "120"]);
    assert_eq!(o.status.code(), Some(2), "not a percentage");
}

#[test]
fn a_policy_added_on_the_command_line_is_tested() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("extra.skuld"),
        "sku NEW_SKU \"New\" { paid }\ngrant sspr_cloud to NEW_SKU\n",
    )
    .unwrap();
    let text = TENANT.replace("[FLOW_FREE]", "[NEW_SKU]");
    std::fs::write(dir.path().join("new.test.yaml"), text).unwrap();
    let o = skuld_in(dir.path(), &["test", ".", "--policy", "extra.skuld"]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    // Without the policy, NEW_SKU is unknown.
    let o = skuld_in(dir.path(), &["test", "."]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("tenant/unknown-sku"));
}

/// Coverage of a policy file under test counts the rules of that file, not the default
/// policy's: one new rule that fires in one test and stays silent in another is "1 of 1".
#[test]
fn coverage_counts_the_rules_of_the_files_under_test() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("acme.skuld"),
        "\
/// A user holds at most one licence.
rule acme/one-licence {
    severity warning
    for user u
    require count(u.licenses) <= 1
    at u
    message \"`{u.upn}` holds {u.licenses}\"
}
",
    )
    .unwrap();
    let tenant = |licences: &str, expect: &str| {
        format!(
            "tenant: contoso.onmicrosoft.com\nusers:\n  - upn: a@contoso.com{expect}\n    usage_location: US\n    licenses: [{licences}]\n"
        )
    };
    std::fs::write(
        dir.path().join("fires.test.yaml"),
        tenant("STANDARDPACK, FLOW_FREE", "   # expect: acme/one-licence"),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("silent.test.yaml"),
        tenant("STANDARDPACK", ""),
    )
    .unwrap();
    let o = skuld_in(
        dir.path(),
        &[
            "test",
            ".",
            "--policy",
            "acme.skuld",
            "--coverage",
            "--min-coverage",
            "100",
        ],
    );
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(0), "{out}\n{}", stderr(&o));
    assert!(
        out.contains("coverage of the rules in acme.skuld: 1 of 1 rules fire in some test and stay silent in another (100.0%)"),
        "{out}"
    );
    assert!(
        !out.contains("sspr/"),
        "only the file's rules are listed: {out}"
    );
    let o = skuld_in(
        dir.path(),
        &[
            "test",
            ".",
            "--policy",
            "acme.skuld",
            "--format",
            "json",
            "--coverage",
        ],
    );
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["coverage"]["files"], serde_json::json!(["acme.skuld"]));
    assert_eq!(v["coverage"]["total"], 1);
    assert_eq!(v["coverage"]["rules"][0]["rule"], "acme/one-licence");
}

/// The fenced blocks of a Markdown text: (info string, text).
fn blocks(markdown: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut lines = markdown.lines();
    while let Some(line) = lines.next() {
        if let Some(info) = line.strip_prefix("```") {
            let text: Vec<&str> = lines.by_ref().take_while(|l| *l != "```").collect();
            out.push((info.to_owned(), text.join("\n") + "\n"));
        }
    }
    out
}

#[test]
fn the_commands_in_the_docs_work() {
    for page in ["docs/testing.md", "docs/editors.md"] {
        let doc = std::fs::read_to_string(root().join(page)).unwrap();
        let mut n = 0;
        for (info, text) in blocks(&doc) {
            if info != "console" {
                continue;
            }
            for cmd in text.lines().filter_map(|l| l.strip_prefix("$ skuld ")) {
                let args: Vec<&str> = cmd.split_whitespace().collect();
                let o = skuld_in(&root(), &args);
                assert_eq!(
                    o.status.code(),
                    Some(0),
                    "{page}: `skuld {cmd}`: {}",
                    stderr(&o)
                );
                n += 1;
            }
        }
        assert!(n >= 2, "{page}");
    }
}

#[test]
fn the_examples_in_docs_testing_are_real() {
    let doc = std::fs::read_to_string(root().join("docs/testing.md")).unwrap();
    let blocks = blocks(&doc);
    let yaml: Vec<&String> = blocks
        .iter()
        .filter(|(i, _)| i == "yaml")
        .map(|(_, t)| t)
        .collect();
    let (expectations, suite) = (yaml[0], yaml[1]);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("x.test.yaml"), expectations).unwrap();
    let o = skuld_in(dir.path(), &["test", "x.test.yaml"]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));

    let tests = dir.path().join("tests");
    std::fs::create_dir(&tests).unwrap();
    std::fs::write(
        tests.join("a.test.yaml"),
        "tenant: contoso.onmicrosoft.com\n",
    )
    .unwrap();
    std::fs::write(tests.join("suite.skuld-test.yaml"), suite).unwrap();
    let o = skuld_in(dir.path(), &["test", "tests"]);
    assert_eq!(o.status.code(), Some(1));
    let shown = blocks
        .iter()
        .find(|(i, t)| i.is_empty() && t.starts_with("running 3 tests"))
        .unwrap();
    assert_eq!(stdout(&o), shown.1);
}
