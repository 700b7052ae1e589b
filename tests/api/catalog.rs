//! The full SKU catalog generated from Microsoft's product table, SKUs by GUID, capabilities
//! derived from service plans, the SSPR matrices over time and `check --compare`.

#![expect(
    clippy::unwrap_used,
    reason = "helpers of tests: a panic is a test failure"
)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use skuld::{Policy, SourceFile};

use crate::common::{root, stdout};

#[path = "../../examples/gen_catalog.rs"]
#[expect(
    dead_code,
    reason = "the example's command-line front end (main) is not used here"
)]
mod gen_catalog;

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
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

/// The default policy plus builtin files given by name (replacing alternatives).
fn policy_with(builtins: &[&str]) -> Policy {
    let paths: Vec<String> = builtins.iter().map(|b| (*b).to_owned()).collect();
    Policy::from_sources(&Policy::sources(&paths, true).unwrap()).unwrap()
}

/// (rule, subject) of every finding on `yaml`.
fn findings(policy: &Policy, yaml: &str) -> Vec<(String, String)> {
    policy
        .check(&SourceFile::new("t.yaml", yaml))
        .unwrap()
        .into_iter()
        .map(|f| (f.rule, f.subject.unwrap_or_default()))
        .collect()
}

/// Microsoft's product table beside the repository (`../shared/data/`; Microsoft's download,
/// which the repository does not redistribute). `None` (with a message) when absent, except under
/// CI (`CI` set), where a missing table fails the test instead of passing it unchecked.
#[expect(
    clippy::print_stderr,
    reason = "a test that cannot compare says so plainly"
)]
fn product_table() -> Option<(PathBuf, String)> {
    let csv = root().join("../shared/data/product-names-and-service-plans.csv");
    let Ok(text) = std::fs::read_to_string(&csv) else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI is set but Microsoft's product table is not at {} (docs/testing.md, \"Tests that need files outside the repository\")",
            csv.display()
        );
        eprintln!(
            "SKIPPED: Microsoft's product table is not at {}; policies/catalog-microsoft.skuld was not regenerated (docs/testing.md)",
            csv.display()
        );
        return None;
    };
    Some((csv, text))
}

#[test]
fn generated_catalog_is_reproducible_from_the_csv() {
    let Some((csv, text)) = product_table() else {
        return;
    };
    let generated = gen_catalog::generate(&text).unwrap();
    let committed =
        std::fs::read_to_string(root().join("policies/catalog-microsoft.skuld")).unwrap();
    assert!(
        generated == committed,
        "policies/catalog-microsoft.skuld is not what the generator makes of {}; regenerate it with\n  cargo run --example gen_catalog -- ../shared/data/product-names-and-service-plans.csv > policies/catalog-microsoft.skuld",
        csv.display()
    );
    assert_eq!(committed.matches("\nproduct ").count(), 568);
}

/// One tenant whose users tell the three matrices apart.
const MATRIX_TENANT: &str = "\
tenant: contoso.onmicrosoft.com
country: US
sspr:
  scope: all
users:
  - upn: e1@contoso.com
    licenses: [STANDARDPACK]
  - upn: e3@contoso.com
    licenses: [ENTERPRISEPACK]
  - upn: basic@contoso.com
    licenses: [AAD_BASIC]
  - upn: f3@contoso.com
    source: synced
    licenses: [SPE_F1]
  - upn: spb@contoso.com
    source: synced
    licenses: [SPB]
";

#[test]
fn the_matrix_over_time() {
    let tenant = MATRIX_TENANT.replace("licenses", "usage_location: US\n    licenses");
    let cloud = |upn: &str| ("sspr/cloud-user-license".to_owned(), upn.to_owned());
    let synced = |upn: &str| ("sspr/synced-user-license".to_owned(), upn.to_owned());
    // 2017: Office 365 and AAD Basic cover cloud users; SPE_F1 and SPB include the P1 plan,
    // which is how "Azure AD Premium P1 or P2" is read.
    assert_eq!(findings(&Policy::builtin().unwrap(), &tenant), []);
    let _ = synced;
    // 2019: Office 365 no longer covers reset; Basic, P1 (by plan) and Microsoft 365 Business do.
    assert_eq!(
        findings(&policy_with(&["builtin:sspr-2019"]), &tenant),
        [cloud("e1@contoso.com"), cloud("e3@contoso.com")]
    );
    // Today: Business Standard or higher (E3 read as higher, E1 not), P1 by plan; Basic gone.
    assert_eq!(
        findings(&policy_with(&["builtin:sspr-current"]), &tenant),
        [cloud("e1@contoso.com"), cloud("basic@contoso.com")]
    );
}

#[test]
fn tenant_files_may_name_skus_by_guid() {
    let dir = tempfile::tempdir().unwrap();
    let t = write(
        dir.path(),
        "t.yaml",
        "tenant: t\nsubscriptions:\n  - sku: ENTERPRISEPACK\n    seats: 1\nusers:\n  - upn: a@t.com\n    usage_location: US\n    licenses: [6FD2C87F-B296-42F0-B197-1E91E994B900]\n  - upn: b@t.com\n    usage_location: US\n    licenses: [ENTERPRISEPACK]\n  - upn: c@t.com\n    usage_location: US\n    licenses: [6fd2c87f-b296-42f0-b197-1e91e994b90]\n",
    );
    let o = skuld(&["check", "--format", "json", &t]);
    let out = stdout(&o);
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    let rules: Vec<&str> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    // The GUID and the part number are the same SKU: two users on one seat; a GUID one digit
    // short is unknown.
    assert_eq!(rules, ["licensing/seats", "tenant/unknown-sku"], "{out}");
    assert!(out.contains("2 users hold Office 365 E3"), "{out}");
}

#[test]
fn a_seats_finding_names_the_skus_at_risk_in_the_same_group() {
    let tenant = std::fs::read_to_string(
        root().join("policies/tests/licensing/seats/fires-group-with-other-skus-at-risk.test.yaml"),
    )
    .unwrap();
    let found = Policy::builtin()
        .unwrap()
        .check(&SourceFile::new("t.yaml", tenant.as_str()))
        .unwrap();
    let seats: Vec<_> = found
        .iter()
        .filter(|f| f.rule == "licensing/seats")
        .collect();
    assert_eq!(seats.len(), 1);
    let help = seats[0].help.as_deref().unwrap();
    assert!(
        help.contains("all-or-nothing")
            && help.contains("Enterprise Mobility + Security E3 (`EMS`)"),
        "{help}"
    );
    assert!(
        seats[0]
            .related
            .iter()
            .any(|(_, text)| text.contains("at risk with ENTERPRISEPACK")),
        "{:?}",
        seats[0].related
    );
    // The effective licences are unchanged: nobody is reported as losing EMS.
    assert!(found.iter().all(|f| f.rule == "licensing/seats"));
    // A group with only the one SKU has nothing at risk: no such help.
    let single = tenant.replace("[ENTERPRISEPACK, EMS]", "[ENTERPRISEPACK]");
    let found = Policy::builtin()
        .unwrap()
        .check(&SourceFile::new("t.yaml", single))
        .unwrap();
    let help = found[0].help.as_deref().unwrap();
    assert!(!help.contains("all-or-nothing"), "{help}");
}

#[test]
fn compare_shows_findings_that_appear_and_disappear() {
    let dir = tempfile::tempdir().unwrap();
    let tenant = MATRIX_TENANT.replace("licenses", "usage_location: US\n    licenses");
    let t = write(dir.path(), "t.yaml", &tenant);
    let o = skuld(&[
        "check",
        "--compare",
        "builtin:sspr-2017",
        "builtin:sspr-current",
        &t,
    ]);
    assert_eq!(o.status.code(), Some(1), "a finding appears");
    let out = stdout(&o).replace(&t, "t.yaml");
    insta::assert_snapshot!("compare_human", out);

    let o = skuld(&[
        "check",
        "--compare",
        "builtin:sspr-2019",
        "builtin:sspr-2017",
        "--format",
        "json",
        &t,
    ]);
    let json: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let subjects = |key: &str| -> Vec<String> {
        json[key]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                format!(
                    "{} {}",
                    f["rule"].as_str().unwrap(),
                    f["subject"].as_str().unwrap()
                )
            })
            .collect()
    };
    // Going back from 2019 to 2017: Office 365 covers cloud users again; the SKUs with the P1
    // plan (SPE_F1, SPB) are covered by both.
    assert_eq!(subjects("appeared"), Vec::<String>::new());
    assert_eq!(
        subjects("disappeared"),
        [
            "sspr/cloud-user-license e1@contoso.com",
            "sspr/cloud-user-license e3@contoso.com"
        ]
    );
    assert_eq!(json["summary"]["unchanged"], 0);

    // The same policy twice: nothing changes, exit 0.
    let o = skuld(&[
        "check",
        "--compare",
        "builtin:sspr-2017",
        "builtin:sspr-2017",
        &t,
    ]);
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).contains("0 findings appear"), "{}", stdout(&o));

    // A policy that does not exist: exit 2, did-you-mean.
    let o = skuld(&[
        "check",
        "--compare",
        "builtin:sspr-2017",
        "builtin:sspr-curent",
        &t,
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("builtin:sspr-current"));
    // Only human and JSON.
    let o = skuld(&[
        "check",
        "--compare",
        "builtin:sspr-2017",
        "builtin:sspr-2019",
        "--format",
        "sarif",
        &t,
    ]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn every_skuld_command_in_docs_policies_runs() {
    let doc = std::fs::read_to_string(root().join("docs/policies.md")).unwrap();
    let commands: Vec<&str> = doc
        .lines()
        .filter_map(|l| l.trim().strip_prefix("skuld "))
        .collect();
    assert!(commands.len() >= 4, "{commands:?}");
    for c in commands {
        let args: Vec<&str> = c.split_whitespace().collect();
        let o = skuld(&args);
        assert!(
            matches!(o.status.code(), Some(0 | 1)),
            "docs/policies.md: `skuld {c}` exited {:?}: {}",
            o.status.code(),
            String::from_utf8_lossy(&o.stderr)
        );
    }
    // The `skuld` policy blocks compile on top of the default policy.
    let mut in_block = false;
    let mut block = String::new();
    for line in doc.lines() {
        if line == "```skuld" {
            in_block = true;
            block.clear();
        } else if in_block && line == "```" {
            in_block = false;
            let mut sources = Policy::default_sources();
            sources.push(SourceFile::new("docs/policies.md", block.clone()));
            if let Err(e) = Policy::from_sources(&sources) {
                panic!("docs/policies.md block does not compile: {e}\n{block}");
            }
        } else if in_block {
            block.push_str(line);
            block.push('\n');
        }
    }
}
