//! The full SKU catalog as compiled (moved from `tests/api/catalog.rs`): the generator's output
//! compiles, SKUs by part number and GUID, capabilities derived from service plans, a matrix
//! replacing the default one.

use super::run_cli;
use crate::{Policy, SourceFile};

#[path = "../../examples/gen_catalog.rs"]
#[expect(
    dead_code,
    reason = "the example's command-line front end (main) is not used here"
)]
mod gen_catalog;

/// (rule, subject) of every finding on `yaml`.
fn findings(policy: &Policy, yaml: &str) -> Vec<(String, String)> {
    policy
        .check(&SourceFile::new("t.yaml", yaml))
        .unwrap()
        .into_iter()
        .map(|f| (f.rule, f.subject.unwrap_or_default()))
        .collect()
}

/// The default policy plus builtin files given by name (replacing alternatives).
fn policy_with(builtins: &[&str]) -> Policy {
    let mut sources = crate::policies::default_sources();
    for b in builtins {
        crate::policies::add_builtin(&mut sources, crate::policies::builtin(b).unwrap());
    }
    Policy::from_sources(&sources).unwrap()
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
    let mut sources = crate::policies::default_sources();
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
fn generator_repairs_or_rejects_malformed_plan_names() {
    const HEAD: &str = "Product_Display_Name,String_Id,GUID,Service_Plan_Name,Service_Plan_Id,Service_Plans_Included_Friendly_Names\n";
    let plans = |csv: &str| -> Vec<String> {
        let out = gen_catalog::generate(&format!("{HEAD}{csv}")).unwrap();
        out.lines()
            .filter(|l| l.trim_start().starts_with("plans") || l.contains(" -> "))
            .map(str::to_owned)
            .collect()
    };
    // Microsoft's two malformed names, shaped as in the CSV of 2025-10-29: a stray parenthesis
    // (EMSPREMIUM_GOV) and two names run together on both rows of PBI_PREMIUM_EM1_ADDON.
    let csv = "EMS E5,EMSPREMIUM,1,RMS_S_ENTERPRISE,bea4c11e,Rights\n\
        EMS G5 GCC,EMSPREMIUM_GOV,2,RMS_S_ENTERPRISE),bea4c11e,Rights\n\
        Any,OTHER,3,EXCHANGE_S_FOUNDATION,113feb6c,Exchange Foundation\n\
        Power BI Premium EM1,PBI_PREMIUM_EM1_ADDON,4,EXCHANGE_S_FOUNDATION PBI_PREMIUM_EM1_ADDON,113feb6c,Exchange Foundation\n\
        Power BI Premium EM1,PBI_PREMIUM_EM1_ADDON,4,EXCHANGE_S_FOUNDATION PBI_PREMIUM_EM1_ADDON,a64b30ba,Power BI Premium EM1\n\
        Spaces,SPACES,5,CDS_ POWERAPPS_PER_USER_CUSTOM,2e8dde43,x\n\
        Spaces,SPACES,5,Virtualization \tRights \tfor Windows 10 (E3/E5+VDA),e7c91390,x\n";
    assert_eq!(
        plans(csv),
        [
            "//   \"EXCHANGE_S_FOUNDATION PBI_PREMIUM_EM1_ADDON\" -> EXCHANGE_S_FOUNDATION (plan id 113feb6c)",
            "//   \"EXCHANGE_S_FOUNDATION PBI_PREMIUM_EM1_ADDON\" -> PBI_PREMIUM_EM1_ADDON (plan id a64b30ba)",
            "//   \"RMS_S_ENTERPRISE)\" -> RMS_S_ENTERPRISE (plan id bea4c11e)",
            "    plans [RMS_S_ENTERPRISE]",
            "    plans [RMS_S_ENTERPRISE]",
            "    plans [EXCHANGE_S_FOUNDATION]",
            "    plans [EXCHANGE_S_FOUNDATION, PBI_PREMIUM_EM1_ADDON]",
            "    plans [CDS_POWERAPPS_PER_USER_CUSTOM, \"Virtualization Rights for Windows 10 (E3/E5+VDA)\"]",
        ]
    );
    // Nothing to repair from: the CSV is rejected, naming the row and the name.
    for (name, why) in [
        ("RMS_S_ENTERPRISE)", "unbalanced parenthesis"),
        ("PLAN_ONE PLAN_TWO", "several plan names run together"),
    ] {
        let e =
            gen_catalog::generate(&format!("{HEAD}A,A,1,OK,1,x\nB,B,2,{name},9,x\n")).unwrap_err();
        assert_eq!(
            e,
            format!(
                "row 3: the service plan name `{name}` (plan id `9`) is malformed ({why}), and no other row names that plan id"
            )
        );
    }
    // Both words of a run-together name are other plans' names: which one is meant is unknown.
    let e = gen_catalog::generate(&format!(
        "{HEAD}A,A,1,PLAN_ONE,1,x\nA,A,1,PLAN_TWO,2,x\nB,B,2,PLAN_ONE PLAN_TWO,3,x\n"
    ))
    .unwrap_err();
    assert!(
        e.starts_with("row 4: the service plan name `PLAN_ONE PLAN_TWO`"),
        "{e}"
    );
    // The committed catalog declares no malformed name (its header lists the repairs).
    let catalog = crate::policies::builtin("builtin:catalog-microsoft").unwrap();
    let declared: String = catalog
        .text()
        .lines()
        .filter(|l| !l.starts_with("//"))
        .collect();
    for bad in [
        "RMS_S_ENTERPRISE)",
        "EXCHANGE_S_FOUNDATION PBI",
        "CDS_ ",
        "\\t",
    ] {
        assert!(!declared.contains(bad), "{bad}");
    }
    assert!(declared.contains("plans [EXCHANGE_S_FOUNDATION, PBI_PREMIUM_EM1_ADDON]"));
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
    for part in &with_p1 {
        let sku = catalog.sku(catalog.get(part).unwrap()).unwrap();
        assert!(!sku.grants.is_empty(), "{part} grants nothing");
    }
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
                "builtin:features",
                "builtin:addons"
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

    let (code, out, _) = run_cli(&["rules", "--policy", "builtin:sspr-current"]);
    assert_eq!(code, 0);
    assert!(out.contains("builtin:sspr-current:"), "{out}");
    assert!(!out.contains("builtin:sspr-2017"));
}

/// Families are consistent over the whole catalog: every SKU of the default policy (hand-written
/// `sku`s, generated and extra `product`s) has the family its name makes it a member of, by the
/// rule of `gen_catalog::family_of` (docs/policies.md), and none otherwise. Siblings share one:
/// `SPB` is a Microsoft 365 suite like `SPE_E3`, the renamed Business Basic like Office 365 E1.
#[test]
fn every_sku_has_the_family_its_name_gives() {
    let policy = Policy::builtin().unwrap();
    let catalog = &policy.catalog;
    let mut wrong = Vec::new();
    for sku in &catalog.skus {
        let expected = gen_catalog::family_of(&sku.display);
        if sku.family.as_deref() != expected {
            wrong.push(format!(
                "{} \"{}\": {:?}, the rule says {:?}",
                sku.part, sku.display, sku.family, expected
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    let family = |part: &str| {
        catalog
            .sku(catalog.get(part).unwrap())
            .unwrap()
            .family
            .clone()
    };
    let siblings: [(&str, &[&str]); 4] = [
        (
            "microsoft365",
            &[
                "SPB",
                "SPE_E3",
                "SPE_E5",
                "SPE_F1",
                "M365EDU_A3_FACULTY",
                "M365_G5_GCC",
                "Microsoft_365_E5_(no_Teams)",
            ],
        ),
        (
            "office365",
            &[
                "STANDARDPACK",
                "ENTERPRISEPACK",
                "O365_BUSINESS_ESSENTIALS",
                "SMB_BUSINESS_ESSENTIALS",
                "O365_BUSINESS_PREMIUM",
                "DESKLESSPACK",
                "ENTERPRISEPACK_GOV",
            ],
        ),
        ("ems", &["EMS", "EMSPREMIUM", "EMS_GOV"]),
        (
            "entra",
            &[
                "AAD_BASIC",
                "AAD_PREMIUM",
                "AAD_PREMIUM_P2",
                "AAD_PREMIUM_USGOV_GCCHIGH",
            ],
        ),
    ];
    for (name, parts) in siblings {
        for part in parts {
            assert_eq!(family(part).as_deref(), Some(name), "{part}");
        }
    }
    // Add-ons named after a suite, and products of no suite, have none.
    for part in [
        "IDENTITY_THREAT_PROTECTION",
        "SPE_F5_SEC",
        "M365_E5_SUITE_COMPONENTS",
        "O365_BUSINESS",
        "FLOW_FREE",
        "Microsoft_Entra_ID_Governance",
    ] {
        assert_eq!(family(part), None, "{part}");
    }
}
