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
    let mut sources = skuld::policies::default_sources();
    for b in builtins {
        skuld::policies::add_builtin(&mut sources, skuld::policies::builtin(b).unwrap());
    }
    Policy::from_sources(&sources).unwrap()
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

/// Microsoft's product table beside the repository; `None` (with a message) when absent.
#[expect(
    clippy::print_stderr,
    reason = "a test that cannot compare says so plainly"
)]
fn product_table() -> Option<(PathBuf, String)> {
    let csv = root().join("../shared/data/product-names-and-service-plans.csv");
    let Ok(text) = std::fs::read_to_string(&csv) else {
        eprintln!(
            "SKIPPED: Microsoft's product table is not at {}; policies/catalog-microsoft.skuld was not regenerated",
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

#[test]
fn generator_handles_the_quirks_of_the_data() {
    let csv = "\u{feff}Product_Display_Name,String_Id,GUID,Service_Plan_Name,Service_Plan_Id,Service_Plans_Included_Friendly_Names\r\n\
        \"Suite, with comma\",SUITE_A ,AAAAAAAA-0000-0000-0000-000000000001,PLAN_B,x,\"Plan \"\"B\"\"\"\r\n\
        \"Suite, with comma\",SUITE_A,aaaaaaaa-0000-0000-0000-000000000001,PLAN_A,x,Plan A\r\n\
        Two ids,TWO\u{a0},00000000-0000-0000-0000-000000000002,PLAN_A,x,Plan A\r\n\
        Two ids (second name),TWO,00000000-0000-0000-0000-000000000003,PLAN_A,x,Plan A\r\n\
        Odd,O365_w/o\u{a0}Teams,00000000-0000-0000-0000-000000000004,Odd plan\u{a0},x,y\r\n";
    let out = gen_catalog::generate(csv).unwrap();
    let body: String = out
        .lines()
        .filter(|l| !l.starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n");
    assert_eq!(
        body.trim(),
        "product \"O365_w/o Teams\" \"Odd\" {\n    id \"00000000-0000-0000-0000-000000000004\"\n    plans [\"Odd plan\"]\n}\n\n\
         product SUITE_A \"Suite, with comma\" {\n    id \"aaaaaaaa-0000-0000-0000-000000000001\"\n    plans [PLAN_A, PLAN_B]\n}\n\n\
         product TWO \"Two ids\" {\n    id \"00000000-0000-0000-0000-000000000002\"\n    id \"00000000-0000-0000-0000-000000000003\"\n    plans [PLAN_A]\n}"
    );
    // What it generates is a policy file that compiles with the default policy.
    let mut sources = skuld::policies::default_sources();
    sources.push(SourceFile::new("generated", out));
    let policy = Policy::from_sources(&sources).unwrap();
    let two = policy
        .catalog()
        .by_guid("00000000-0000-0000-0000-000000000003")
        .unwrap();
    assert_eq!(policy.catalog().sku(two).unwrap().part, "TWO");

    assert!(
        gen_catalog::generate("a,b\n")
            .unwrap_err()
            .contains("String_Id")
    );
    assert!(gen_catalog::generate("String_Id,\"open\n").is_err());
}

#[test]
fn catalog_resolves_part_numbers_and_guids() {
    let policy = Policy::builtin().unwrap();
    let catalog = policy.catalog();
    assert!(catalog.skus().len() >= 568, "{}", catalog.skus().len());
    let spb = catalog
        .by_guid("CBDC14AB-D96C-4C30-B9F4-6ADA7CDC1D46")
        .unwrap();
    let sku = catalog.sku(spb).unwrap();
    assert_eq!(sku.part, "SPB");
    assert_eq!(sku.display, "Microsoft 365 Business Premium");
    assert!(sku.plans.iter().any(|p| p == "AAD_PREMIUM"));
    assert_eq!(catalog.resolve("SPB"), Some(spb));
    assert_eq!(
        catalog.resolve("cbdc14ab-d96c-4c30-b9f4-6ada7cdc1d46"),
        Some(spb)
    );
    // MCOPSTN5 is listed under two GUIDs: both resolve to it.
    let a = catalog.by_guid("d43177b5-475b-4880-92d4-d54c27b5efbd");
    let b = catalog.by_guid("54a152dc-90de-4996-93d2-bc47e670fc06");
    assert!(a.is_some() && a == b && a == catalog.get("MCOPSTN5"));
    // A hand-written SKU keeps its semantics and gains the generated facts.
    let p1 = catalog.sku(catalog.get("AAD_PREMIUM").unwrap()).unwrap();
    assert!(p1.paid);
    assert_eq!(p1.family.as_deref(), Some("entra"));
    assert_eq!(
        p1.origin.file, 0,
        "diagnostics point at the hand-written catalog"
    );
    assert!(p1.plans.iter().any(|p| p == "MFA_PREMIUM"));
    // Quirky part numbers are cleaned (trailing U+00A0 / spaces).
    assert!(catalog.get("MCOCAP_FACULTY").is_some());
    assert!(catalog.get("AAD_PREMIUM_USGOV_GCCHIGH").is_some());
}

#[test]
fn capabilities_derive_from_service_plans() {
    let policy = Policy::builtin().unwrap();
    let catalog = policy.catalog();
    let with_p1: Vec<&str> = catalog
        .skus()
        .iter()
        .filter(|s| s.plans.iter().any(|p| p == "AAD_PREMIUM"))
        .map(|s| s.part.as_str())
        .collect();
    // 63 in Microsoft's table, and `Microsoft_365_E5_(no_Teams)` of catalog-extra.skuld.
    assert_eq!(with_p1.len(), 64, "{with_p1:?}");
    // `grant group_licensing to plan AAD_PREMIUM` reaches every one of them.
    let mut entitled = 0;
    for part in &with_p1 {
        let sku = catalog.sku(catalog.get(part).unwrap()).unwrap();
        assert!(!sku.grants.is_empty(), "{part} grants nothing");
        entitled += 1;
    }
    assert_eq!(entitled, 64);
    // In the current matrix, the SKUs with the plan cover synced users; no Office 365 suite does.
    let current = policy_with(&["builtin:sspr-current"]);
    let yaml = |sku: &str| {
        format!(
            "tenant: t\nsspr:\n  scope: all\nusers:\n  - upn: a@t.com\n    source: synced\n    usage_location: US\n    licenses: [{sku}]\n"
        )
    };
    for part in [
        "SPE_F1",
        "M365_F1",
        "MCOCAP",
        "\"Microsoft_365_E3_(no_Teams)\"",
    ] {
        assert_eq!(findings(&current, &yaml(part)), [], "{part}");
    }
    assert_eq!(
        findings(&current, &yaml("ENTERPRISEPACK")),
        [("sspr/synced-user-license".to_owned(), "a@t.com".to_owned())]
    );
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
fn a_matrix_replaces_the_default_one() {
    for name in [
        "builtin:sspr-2017",
        "builtin:sspr-2019",
        "builtin:sspr-current",
    ] {
        let policy = policy_with(&[name]);
        let files: Vec<&str> = policy.files().iter().map(SourceFile::name).collect();
        assert_eq!(
            files,
            [
                "builtin:catalog",
                "builtin:catalog-microsoft",
                "builtin:catalog-extra",
                name,
                "builtin:licensing",
                "builtin:features"
            ]
        );
        let rule = policy
            .rules()
            .iter()
            .find(|r| r.id == "sspr/cloud-user-license")
            .unwrap();
        assert_eq!(policy.files()[rule.origin.file].name(), name);
    }
    // Two alternatives: the last one wins.
    let policy = policy_with(&["builtin:sspr-2019", "builtin:sspr-current"]);
    assert!(
        policy
            .files()
            .iter()
            .all(|f| f.name() != "builtin:sspr-2019")
    );

    let o = skuld(&["rules", "--policy", "builtin:sspr-current"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(
        stdout(&o).contains("builtin:sspr-current:"),
        "{}",
        stdout(&o)
    );
    assert!(!stdout(&o).contains("builtin:sspr-2017"));
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
            let mut sources = skuld::policies::default_sources();
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
