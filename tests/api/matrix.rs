//! The generated per-matrix tables (`docs/matrix/*.md`) are what the policy grants, every SKU
//! of the catalog is classified, and the verdicts for real part numbers of issue 11.

#![expect(
    clippy::unwrap_used,
    clippy::panic,
    reason = "helpers of tests: a panic is a test failure"
)]

use std::path::PathBuf;

use skuld::Policy;

#[path = "../../examples/gen_matrix.rs"]
#[expect(
    dead_code,
    reason = "the example's command-line front end (main) is not used here"
)]
mod gen_matrix;

#[test]
fn every_table_is_generated_and_every_sku_classified() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    for (stem, ..) in gen_matrix::TABLES {
        let t = gen_matrix::table(stem).unwrap();
        assert!(
            t.unclassified.is_empty(),
            "{stem}: SKUs the matrix cannot classify (paid status unknown): {:?}",
            t.unclassified
        );
        let path = root.join("docs/matrix").join(format!("{stem}.md"));
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        if committed != t.text {
            panic!(
                "{} is not what the policy grants; regenerate with `cargo run --example gen_matrix -- {stem} > docs/matrix/{stem}.md`",
                path.display()
            );
        }
    }
}

/// The capabilities `part` gets under the default policy with `builtin` as its matrix.
fn grants(builtin: &str, part: &str) -> Vec<String> {
    let mut sources = skuld::policies::default_sources();
    skuld::policies::add_builtin(&mut sources, skuld::policies::builtin(builtin).unwrap());
    let policy = Policy::from_sources(&sources).unwrap();
    let id = policy
        .catalog()
        .get(part)
        .unwrap_or_else(|| panic!("{part} not in the catalog"));
    let sku = policy.catalog().sku(id).unwrap();
    sku.grants
        .iter()
        .map(|&c| policy.capability_name(c).unwrap().to_owned())
        .collect()
}

fn has(builtin: &str, part: &str, cap: &str) -> bool {
    grants(builtin, part).iter().any(|c| c == cap)
}

#[test]
fn current_matrix_covers_every_business_standard_sku() {
    for part in [
        "O365_BUSINESS_PREMIUM",
        "MICROSOFT_365_BUSINESS_STANDARD_NO_TEAMS",
        "Microsoft_365_Business_Standard_EEA_(no_Teams)",
        "SMB_BUSINESS_PREMIUM",
        "ENTERPRISEPACK_GOV",
    ] {
        assert!(has("builtin:sspr-current", part, "sspr_cloud"), "{part}");
        assert!(!has("builtin:sspr-current", part, "sspr_onprem"), "{part}");
    }
    // Near misses: Business Basic (no apps), Apps for business (no mailbox), Office 365 E1.
    for part in ["O365_BUSINESS_ESSENTIALS", "O365_BUSINESS", "STANDARDPACK"] {
        assert!(!has("builtin:sspr-current", part, "sspr_cloud"), "{part}");
    }
}

#[test]
fn matrix_2019_covers_office_365_a1_a3_a5_through_azure_ad_basic_for_edu() {
    for part in [
        "STANDARDWOFFPACK_FACULTY",
        "ENTERPRISEPACKPLUS_STUDENT",
        "ENTERPRISEPREMIUM_FACULTY",
    ] {
        assert!(has("builtin:sspr-2019", part, "sspr_cloud"), "{part}");
        assert!(!has("builtin:sspr-2019", part, "writeback"), "{part}");
    }
    assert!(!has("builtin:sspr-2019", "ENTERPRISEPACK", "sspr_cloud"));
    assert!(has(
        "builtin:sspr-2019",
        "IDENTITY_THREAT_PROTECTION",
        "sspr_onprem"
    ));
}

#[test]
fn skus_reports_unknown_never_free_without_evidence() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_skuld"))
        .args(["skus"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let status = |part: &str| {
        text.lines()
            .find(|l| l.split_whitespace().next() == Some(part))
            .unwrap_or_else(|| panic!("{part} not listed"))
            .to_owned()
    };
    for (part, want) in [
        ("SPB", "paid"),
        ("DESKLESSPACK", "paid"),
        ("TEAMS_EXPLORATORY", "free"),
        ("FLOW_FREE", "free"),
        ("VISIOCLIENT", "unknown"),
    ] {
        assert!(
            status(part).split_whitespace().any(|w| w == want),
            "{part}: {}",
            status(part)
        );
    }
}
