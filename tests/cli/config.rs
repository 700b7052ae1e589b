//! The config file (`.skuld.yaml`) and tenant globs through the real binary: discovery up to
//! the repository root, every setting, command-line flags overriding it, mistakes with spans;
//! globs expanded sorted and deduplicated, a glob matching nothing an error.

#![expect(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "helpers of tests: a panic is a test failure"
)]

use std::process::Output;

use serde_json::Value;

use crate::common::{problem_findings, root, skuld_in, stderr, stdout, write};

/// A repository: `.git/`, `tenants/eu/problems.yaml`, `tenants/clean.yaml`, `sub/`.
fn repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let r = dir.path();
    std::fs::create_dir_all(r.join(".git")).unwrap();
    std::fs::create_dir_all(r.join("sub")).unwrap();
    let problems = std::fs::read_to_string(root().join("examples/problems.yaml")).unwrap();
    let clean = std::fs::read_to_string(root().join("examples/clean.yaml")).unwrap();
    write(&r.join("tenants/eu/problems.yaml"), &problems);
    write(&r.join("tenants/clean.yaml"), &clean);
    dir
}

fn rules(o: &Output) -> Vec<(String, String)> {
    let doc: Value = serde_json::from_str(&stdout(o)).unwrap();
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_owned(),
                f["severity"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

const CONFIG: &str = "\
# skuld's settings for this repository
fail-on: never
skip-rules: [tenant/yaml11-boolean]
severity:
  licensing/nested-group: error
waivers: ops/waivers.yaml
";

const WAIVERS: &str = "\
waivers:
  - rule: licensing/seats
    subject: ENTERPRISEPACK
    tenant: ../tenants/eu/problems.yaml
    reason: more seats ordered
    expires: 2027-01-01
";

#[test]
fn the_config_is_found_upwards_and_applied() {
    let dir = repo();
    let r = dir.path();
    write(&r.join(".skuld.yaml"), CONFIG);
    write(&r.join("ops/waivers.yaml"), WAIVERS);
    let o = skuld_in(&r.join("sub"), &["check", "../tenants", "--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o)); // fail-on: never
    let found = rules(&o);
    assert!(!found.iter().any(|(r, _)| r == "tenant/yaml11-boolean"));
    assert!(!found.iter().any(|(r, _)| r == "licensing/seats")); // waived
    assert!(found.contains(&("licensing/nested-group".to_owned(), "error".to_owned())));
    assert_eq!(found.len(), 7);
    let doc: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(doc["summary"]["waived"], 1);
}

#[test]
fn command_line_flags_override_the_config() {
    let dir = repo();
    let r = dir.path();
    write(&r.join(".skuld.yaml"), CONFIG);
    write(&r.join("ops/waivers.yaml"), WAIVERS);
    let o = skuld_in(r, &["check", "tenants", "--fail-on", "error"]);
    assert_eq!(o.status.code(), Some(1));
    let o = skuld_in(
        r,
        &[
            "check",
            "tenants",
            "--format",
            "json",
            "--severity",
            "licensing/nested-group=warning",
            "--skip-rule",
            "tenant/unknown-sku",
        ],
    );
    let found = rules(&o);
    assert!(found.contains(&("licensing/nested-group".to_owned(), "warning".to_owned())));
    assert!(!found.iter().any(|(r, _)| r == "tenant/unknown-sku"));
    assert!(!found.iter().any(|(r, _)| r == "tenant/yaml11-boolean")); // the config's skip stays
    // --no-config: every finding, and the default gate.
    let o = skuld_in(r, &["check", "tenants", "--no-config", "--format", "json"]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(rules(&o).len(), problem_findings());
}

#[test]
fn only_rules_and_an_explicit_config_file() {
    let dir = repo();
    let r = dir.path();
    write(
        &r.join("ci/strict.yaml"),
        "only-rules:\n  - sspr/cloud-user-license\n  - licensing/seats\n",
    );
    let o = skuld_in(
        r,
        &[
            "check",
            "tenants",
            "--config",
            "ci/strict.yaml",
            "--format",
            "json",
        ],
    );
    assert_eq!(o.status.code(), Some(1));
    let mut found: Vec<String> = rules(&o).into_iter().map(|(r, _)| r).collect();
    found.sort();
    assert_eq!(found, ["licensing/seats", "sspr/cloud-user-license"]);
    // --only-rule on the command line replaces the config's list.
    let o = skuld_in(
        r,
        &[
            "check",
            "tenants",
            "--config",
            "ci/strict.yaml",
            "--only-rule",
            "licensing/nested-group",
            "--format",
            "json",
        ],
    );
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(
        rules(&o),
        [("licensing/nested-group".to_owned(), "warning".to_owned())]
    );
    let o = skuld_in(r, &["check", "tenants", "--config", "ci/none.yaml"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("cannot read `ci/none.yaml`"));
}

#[test]
fn the_search_stops_at_the_repository_root() {
    let outer = tempfile::tempdir().unwrap();
    write(&outer.path().join(".skuld.yaml"), "fail-on: never\n");
    let inner = outer.path().join("repo");
    std::fs::create_dir_all(inner.join(".git")).unwrap();
    std::fs::copy(root().join("examples/problems.yaml"), inner.join("t.yaml")).unwrap();
    let o = skuld_in(&inner, &["check", "t.yaml"]);
    assert_eq!(
        o.status.code(),
        Some(1),
        "the config above .git must not apply"
    );
    std::fs::remove_dir(inner.join(".git")).unwrap();
    let o = skuld_in(&inner, &["check", "t.yaml"]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "without .git, the parent's config applies"
    );
}

#[test]
fn policy_paths_are_relative_to_the_config_file() {
    let dir = repo();
    let r = dir.path();
    write(
        &r.join("ci/.skuld.yaml"),
        "policies: [../policies/extra.skuld]\ndefault-policy: false\n",
    );
    let o = skuld_in(r, &["check", "tenants", "--config", "ci/.skuld.yaml"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("cannot read `ci/../policies/extra.skuld`"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn config_mistakes_point_into_the_file() {
    let dir = repo();
    let r = dir.path();
    write(
        &r.join(".skuld.yaml"),
        "fail-on: warn\nskip-rule: [tenant/yaml11-boolean]\ndefault-policy: no\n",
    );
    let o = skuld_in(r, &["check", "tenants"]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(stdout(&o), "");
    insta::assert_snapshot!("config_mistakes", stderr(&o));

    write(
        &r.join(".skuld.yaml"),
        "severity:\n  licensing/nested-grop: error\nonly-rules: sspr/cloud-usr-license\n",
    );
    let o = skuld_in(r, &["check", "tenants"]);
    assert_eq!(o.status.code(), Some(2));
    insta::assert_snapshot!("config_unknown_rules", stderr(&o));
}

#[test]
fn globs_expand_sorted_and_deduplicated() {
    let dir = repo();
    let r = dir.path();
    write(&r.join("tenants/notes.txt"), "not a tenant");
    let o = skuld_in(
        r,
        &[
            "check",
            "tenants/**/*.yaml",
            "tenants/clean.yaml",
            "--format",
            "junit",
        ],
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let out = stdout(&o);
    let suites: Vec<&str> = out
        .match_indices("<testsuite name=\"")
        .map(|(i, m)| {
            let rest = &out[i + m.len()..];
            &rest[..rest.find('"').unwrap()]
        })
        .collect();
    assert_eq!(suites, ["tenants/clean.yaml", "tenants/eu/problems.yaml"]);
    // `*` stays within a folder; `./` and a pattern without a folder work too.
    for pattern in ["tenants/*.yaml", "./tenants/*.yaml", "tenants/*.y*ml"] {
        let o = skuld_in(r, &["check", pattern, "--format", "compact"]);
        assert_eq!(o.status.code(), Some(0), "{pattern}: {}", stderr(&o));
    }
    let o = skuld_in(
        &r.join("tenants"),
        &["check", "*.yaml", "--format", "junit"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("<testsuite name=\"clean.yaml\""),
        "{}",
        stdout(&o)
    );
}

#[test]
fn a_glob_matching_nothing_is_an_error() {
    let dir = repo();
    let o = skuld_in(
        dir.path(),
        &["check", "tenants/**/*.yml", "tenants/clean.yaml"],
    );
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(
        err.contains("cannot read `tenants/**/*.yml`: the pattern matches no file"),
        "{err}"
    );
}

/// A repository set up as docs/cli.md says: `.skuld.yaml` names `policies/`, which declares a
/// SKU and a rule of its own.
fn repo_with_policy() -> tempfile::TempDir {
    let dir = repo();
    let r = dir.path();
    write(&r.join(".skuld.yaml"), "policies: [policies/]\n");
    write(
        &r.join("policies/northwind.skuld"),
        "\
/// Northwind Suite: a reseller's bundle.
sku NORTHWIND_SUITE \"Northwind Suite\" {
    paid family office365
    plans [AAD_PREMIUM]
}
grant sspr_cloud, sspr_onprem to NORTHWIND_SUITE

/// Every user holds a licence.
rule northwind/copilot-base-license {
    severity warning
    for user u
    require count(u.licenses) > 0
    at u
    message \"`{u.upn}` holds no licence\"
}
",
    );
    write(
        &r.join("policies/tests/suite.test.yaml"),
        "\
tenant: northwind.onmicrosoft.com
users:
  - upn: a@northwind.com
    usage_location: US
    licenses: [NORTHWIND_SUITE]
",
    );
    write(
        &r.join("tenant.yaml"),
        "\
tenant: northwind.onmicrosoft.com
users:
  - upn: a@northwind.com
    licenses: [NORTHWIND_SUITE]
  - upn: b@northwind.com
",
    );
    dir
}

/// Every command that reads a policy reads it from `.skuld.yaml` (one loader): the config's
/// rule and SKU are seen by each, and `--no-config` leaves them out again.
#[test]
fn every_command_reads_the_config_s_policies() {
    let dir = repo_with_policy();
    let r = dir.path();
    let rule = "northwind/copilot-base-license";
    let cases: &[(&[&str], &str)] = &[
        (&["rules"], rule),
        (&["rules", "--format", "json"], rule),
        (&["explain", rule], "Every user holds a licence."),
        (&["skus"], "NORTHWIND_SUITE"),
        (&["skus", "--format", "json"], "NORTHWIND_SUITE"),
        (&["schema"], "NORTHWIND_SUITE"),
        (&["test", "policies/tests"], "1 passed"),
        (&["check", "tenant.yaml", "--format", "compact"], rule),
        (
            &["diff", "tenant.yaml", "tenant.yaml", "--format", "json"],
            "\"introduced\"",
        ),
        (
            &["explain", "tenant.yaml", "--user", "b@northwind.com"],
            rule,
        ),
        (&["check-policy"], "policy files"),
        (&["eval", "NORTHWIND_SUITE.name"], "Northwind Suite"),
        (
            &[
                "eval",
                "u.licenses",
                "tenant.yaml",
                "--user",
                "a@northwind.com",
            ],
            "NORTHWIND_SUITE",
        ),
    ];
    for (args, expected) in cases {
        let o = skuld_in(r, args);
        assert!(
            stdout(&o).contains(expected),
            "skuld {}: {} / {}",
            args.join(" "),
            stdout(&o),
            stderr(&o)
        );
        assert_ne!(
            o.status.code(),
            Some(2),
            "skuld {}: {}",
            args.join(" "),
            stderr(&o)
        );
        // Without the config, the rule or the SKU is unknown (or the test fails on it).
        let mut without = args.to_vec();
        without.push("--no-config");
        let o = skuld_in(r, &without);
        assert!(
            !stdout(&o).contains(expected) || args[0] == "diff" || args[0] == "check-policy",
            "skuld {} --no-config: {}",
            args.join(" "),
            stdout(&o)
        );
    }
    // check-policy analysed the config's file: two files, the default and northwind.skuld.
    let o = skuld_in(r, &["check-policy"]);
    let n = |o: &Output| stdout(o).lines().last().unwrap_or_default().to_owned();
    let with = n(&o);
    let without = n(&skuld_in(r, &["check-policy", "--no-config"]));
    assert_ne!(with, without, "{with}");
}
