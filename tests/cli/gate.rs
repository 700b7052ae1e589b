//! Issue 23: a pull request cannot loosen its own gate unnoticed. What the config in force turns
//! off is said once per run, as notices, in every CI format; `--config-from REF` reads the
//! config and the waivers as they are on the base branch, so a change to them in the pull
//! request does not apply to its own check.

#![expect(
    clippy::unwrap_used,
    reason = "helpers of tests: a panic is a test failure"
)]

use std::path::Path;
use std::process::{Command, Output};

use crate::common::{example, git, stderr, stdout, write};

fn skuld(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_skuld"))
        .args(args)
        .current_dir(dir)
        .env_remove("COLUMNS")
        .env_remove("GITHUB_STEP_SUMMARY")
        .env("NO_COLOR", "1")
        .env("SKULD_TODAY", "2026-11-25")
        .output()
        .unwrap()
}

/// What a pull request's `.skuld.yaml` turns off.
const LOOSENED: &str = "\
skip-rules: [licensing/seats]
severity:
  sspr/synced-user-license: warning
tenants:
  exclude: [archive/]
";

const SAID: [&str; 3] = [
    "rule `licensing/seats` is skipped (`skip-rules` in .skuld.yaml:1)",
    "rule `sspr/synced-user-license` is reported as warning (its default is error) (`severity` in .skuld.yaml:3)",
    "tenant paths matching `archive/` are not checked (`tenants: exclude` in .skuld.yaml)",
];

fn repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let r = dir.path();
    write(&r.join("t/a.yaml"), &example("problems.yaml"));
    write(&r.join("t/b.yaml"), &example("clean.yaml"));
    write(&r.join("t/archive/c.yaml"), &example("problems.yaml"));
    dir
}

#[test]
fn every_ci_format_says_once_what_the_config_turns_off() {
    let dir = repo();
    write(&dir.path().join(".skuld.yaml"), LOOSENED);
    for format in ["github", "azure", "sarif", "junit", "json", "html"] {
        let mut args = vec!["check", "t", "--format", format];
        if format == "html" {
            args.extend(["-o", "r.html"]);
        }
        let o = skuld(dir.path(), &args);
        assert_eq!(o.status.code(), Some(1), "{format}: {}", stderr(&o));
        let out = if format == "html" {
            std::fs::read_to_string(dir.path().join("r.html")).unwrap()
        } else {
            stdout(&o)
        };
        for said in SAID {
            // JSON and XML escape quotes and backticks differently: compare the words.
            let words = said.replace('`', "");
            let plain = out.replace('`', "").replace("\\u0060", "");
            assert_eq!(
                plain.matches(&words).count(),
                1,
                "--format {format}: `{said}`\n{out}"
            );
        }
        match format {
            "github" => assert!(out.contains(
                "::notice title=skuld%3A the config turns this off::rule `licensing/seats`"
            )),
            "sarif" => assert!(out.contains("toolConfigurationNotifications")),
            "azure" => assert!(out.contains("skuld: notice: the config turns this off: rule")),
            _ => {}
        }
    }
    // Without a config, nothing is said.
    let o = skuld(
        dir.path(),
        &["check", "t", "--format", "github", "--no-config"],
    );
    assert!(!stdout(&o).contains("::notice"), "{}", stdout(&o));
}

/// `--config-from HEAD` (the base branch in CI): the pull request's looser config and its new
/// waivers file do not apply; the base's do.
#[test]
fn config_from_a_revision_ignores_the_work_trees_config_and_waivers() {
    let dir = repo();
    let r = dir.path();
    git(r, &["init", "-q"]);
    write(&r.join(".skuld.yaml"), "fail-on: error\n");
    git(r, &["add", "."]);
    git(r, &["commit", "-qm", "base"]);
    // The pull request: a looser config and a waiver of its own.
    write(
        &r.join(".skuld.yaml"),
        &format!("{LOOSENED}fail-on: never\n"),
    );
    write(
        &r.join("skuld-waivers.yaml"),
        "waivers:\n  - rule: sspr/synced-user-license\n    subject: raj.patel@fabrikam.com\n    reason: mine\n    expires: 2027-01-01\n",
    );

    let own = skuld(r, &["check", "t", "--format", "json"]);
    assert_eq!(own.status.code(), Some(0), "{}", stderr(&own));
    let base = skuld(
        r,
        &["check", "t", "--format", "json", "--config-from", "HEAD"],
    );
    assert_eq!(base.status.code(), Some(1), "{}", stderr(&base));
    let doc: serde_json::Value = serde_json::from_str(&stdout(&base)).unwrap();
    let rules: Vec<&str> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    for rule in [
        "licensing/seats",
        "sspr/writeback-license",
        "sspr/synced-user-license",
    ] {
        assert!(rules.contains(&rule), "{rule}: {rules:?}");
    }
    assert!(doc.get("overrides").is_none(), "{doc}");
    assert!(doc.get("waived").is_none(), "{doc}");

    // A revision git does not know, or one that looks like an option: exit 2, nothing checked.
    for bad in ["no-such-branch", "--output=x"] {
        let o = skuld(r, &["check", "t", &format!("--config-from={bad}")]);
        assert_eq!(o.status.code(), Some(2), "{bad}: {}", stderr(&o));
        assert!(stderr(&o).contains(bad), "{}", stderr(&o));
    }
}
