//! The generated per-matrix tables (`docs/matrix/*.md`) are what the policy grants and every
//! SKU of the catalog is classified; the verdicts for real part numbers of issue 11 (moved from
//! `tests/api/matrix.rs`).

use std::path::PathBuf;

use crate::Policy;

/// The capabilities `part` gets under the default policy with `builtin` as its matrix.
fn grants(builtin: &str, part: &str) -> Vec<String> {
    let mut sources = crate::policies::default_sources();
    crate::policies::add_builtin(&mut sources, crate::policies::builtin(builtin).unwrap());
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
fn every_table_is_generated_and_every_sku_classified() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    for (stem, ..) in super::gen_matrix::TABLES {
        let t = super::gen_matrix::table(stem).unwrap();
        assert!(
            t.unclassified.is_empty(),
            "{stem}: SKUs the matrix cannot classify (paid status unknown): {:?}",
            t.unclassified
        );
        let path = root.join("docs/matrix").join(format!("{stem}.md"));
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        if committed != t.text {
            if std::env::var_os("SKULD_REGENERATE").is_some() {
                std::fs::write(&path, &t.text).unwrap();
                continue;
            }
            panic!(
                "{} is not what the policy grants; regenerate with `SKULD_REGENERATE=1 cargo test --lib matrix`",
                path.display()
            );
        }
    }
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
