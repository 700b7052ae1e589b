//! The default policy and the example policies as compiled (moved from
//! `tests/api/policies.rs`): every file under `tests/data/policies/ok/` compiles with enough
//! rules; the default policy covers the contract's rules and SKUs, each documented.

use crate::{Policy, SourceFile};

fn compile_with_default(path: &std::path::Path) -> Result<Policy, crate::Diagnostics> {
    let mut sources = crate::policies::default_sources();
    let name = format!(
        "tests/data/policies/{}",
        path.strip_prefix(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/policies/"))
            .unwrap()
            .display()
    );
    sources.push(SourceFile::new(
        name,
        std::fs::read_to_string(path).unwrap(),
    ));
    Policy::from_sources(&sources)
}

#[test]
fn example_policies_compile() {
    insta::glob!("../../tests", "data/policies/ok/*.skuld", |path| {
        let policy =
            compile_with_default(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert!(policy.rules().len() >= 8);
    });
}

#[test]
fn default_policy_covers_the_contract() {
    let policy = Policy::builtin().unwrap();
    let ids: Vec<&str> = policy.rules().iter().map(|r| r.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "sspr/tenant-license",
            "sspr/cloud-user-license",
            "sspr/synced-user-license",
            "sspr/writeback-license",
            "licensing/usage-location",
            "licensing/unsubscribed-sku",
            "licensing/seats",
            "licensing/nested-group",
            "licensing/group-licensing-entitlement",
            "licensing/assignment-error",
            "licensing/disabled-account-license",
            "licensing/inactive-user-license",
            "licensing/subscription-lapsing",
            "features/conditional-access-license",
            "features/identity-protection-license",
            "features/pim-license",
            "features/access-reviews-license",
            "licensing/dynamic-group-license",
            "licensing/redundant-license",
            "licensing/addon-prerequisite",
        ]
    );
    for part in [
        "AAD_BASIC",
        "AAD_PREMIUM",
        "AAD_PREMIUM_P2",
        "EMS",
        "EMSPREMIUM",
        "SPE_E3",
        "SPE_E5",
        "STANDARDPACK",
        "ENTERPRISEPACK",
        "ENTERPRISEPREMIUM",
        "O365_BUSINESS_ESSENTIALS",
        "O365_BUSINESS_PREMIUM",
        "FLOW_FREE",
        "POWER_BI_STANDARD",
    ] {
        assert!(policy.catalog().get(part).is_some(), "catalog lacks {part}");
    }
    // Free SKUs grant nothing; O365 Business Standard is not Business Premium (domain.md D4).
    let catalog = policy.catalog();
    for free in ["FLOW_FREE", "POWER_BI_STANDARD"] {
        let sku = catalog.sku(catalog.get(free).unwrap()).unwrap();
        assert!(sku.grants.is_empty() && !sku.paid, "{free}");
    }
    let o365bp = catalog
        .sku(catalog.get("O365_BUSINESS_PREMIUM").unwrap())
        .unwrap();
    assert_eq!(o365bp.display, "Microsoft 365 Business Standard");
    // Every rule is documented in the policy and in docs/rules/.
    for rule in policy.rules() {
        assert!(
            !rule.docs.trim().is_empty(),
            "{} has no doc comment",
            rule.id
        );
        let page = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join(format!("docs/rules/{}.md", rule.id));
        assert!(page.exists(), "{} has no page {}", rule.id, page.display());
    }
    for (id, _, _) in crate::tenant::model::BUILTIN_CHECKS {
        let page =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("docs/rules/{id}.md"));
        assert!(page.exists(), "{id} has no page");
    }
}
