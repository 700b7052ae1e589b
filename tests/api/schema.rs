//! `skuld schema` agrees with the tenant loader: every tenant the test suite holds that loads
//! cleanly is valid against the schema, and tenants the loader rejects are rejected by the schema
//! too (validated with the `jsonschema` crate, after YAML → JSON).

#![expect(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "helpers of tests: a panic is a test failure; a missing JSON key reads as null"
)]

use std::path::{Path, PathBuf};
use std::process::Command;

use skuld::{Policy, SourceFile};

use crate::common::root;

fn schema() -> jsonschema::Validator {
    let out = Command::new(env!("CARGO_BIN_EXE_skuld"))
        .arg("schema")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let schema: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        schema["$schema"],
        "https://json-schema.org/draft/2020-12/schema"
    );
    jsonschema::draft202012::new(&schema).unwrap()
}

/// The tenant as JSON, or `None` when it is not YAML that converts (syntax, duplicate keys).
fn as_json(yaml: &str) -> Option<serde_json::Value> {
    crate::yaml::to_json(yaml).ok()
}

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            files(&p, out);
        } else if p.extension().is_some_and(|x| x == "yaml") {
            out.push(p);
        }
    }
}

/// Every tenant text in the repository: examples, policy tests (suites split into documents),
/// and the `tenant:` of the data-driven cases.
fn tenants() -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut paths = Vec::new();
    files(&root().join("examples"), &mut paths);
    files(&root().join("policies/tests"), &mut paths);
    for p in paths {
        let text = std::fs::read_to_string(&p).unwrap();
        for (i, doc) in text.split("\n---\n").enumerate() {
            out.push((format!("{}#{i}", p.display()), doc.to_owned()));
        }
    }
    let mut cases = Vec::new();
    files(&root().join("tests/data/cases"), &mut cases);
    for p in cases {
        let case = crate::yaml::to_json(&std::fs::read_to_string(&p).unwrap()).unwrap();
        let tenant = case["tenant"].as_str().unwrap().to_owned();
        out.push((p.display().to_string(), tenant));
    }
    out
}

#[test]
fn the_schema_accepts_what_the_loader_accepts_and_rejects_what_it_rejects() {
    let validator = schema();
    let policy = Policy::builtin().unwrap();
    let (mut accepted, mut rejected) = (0, 0);
    for (name, text) in tenants() {
        let loaded = policy.check(&SourceFile::new(name.clone(), text.clone()));
        let json = as_json(&text);
        let valid = json.as_ref().is_some_and(|j| validator.is_valid(j));
        match loaded {
            // The schema is stricter than the loader on one point: a country code must be two
            // capital letters, which the loader reads and then reports as tenant/invalid-country.
            Ok(findings) if findings.iter().any(|f| f.rule == "tenant/invalid-country") => {
                assert!(!valid, "{name}: an invalid country code passes the schema");
                rejected += 1;
            }
            Ok(_) => {
                let errors: Vec<String> = json
                    .as_ref()
                    .map(|j| validator.iter_errors(j).map(|e| e.to_string()).collect())
                    .unwrap_or_else(|| vec!["not convertible to JSON".to_owned()]);
                assert!(valid, "{name} loads but fails the schema: {errors:?}");
                accepted += 1;
            }
            // A repeated key is a YAML matter that JSON (and so a schema) cannot express; YAML
            // editors report it themselves.
            Err(e)
                if e.iter().any(|r| {
                    r.code()
                        .is_some_and(|c| c.to_string() == "skuld::tenant::duplicate-key")
                }) => {}
            Err(e) => {
                assert!(!valid, "{name} does not load ({e}) but passes the schema");
                rejected += 1;
            }
        }
    }
    // The corpus is large enough to mean something.
    assert!(accepted >= 60, "{accepted}");
    assert!(rejected >= 10, "{rejected}");
}

#[test]
fn invalid_tenants_are_rejected_by_both() {
    let validator = schema();
    let policy = Policy::builtin().unwrap();
    let bad = [
        "users: []\n",                                                             // no tenant
        "tenant: x\nuser: []\n",                                                   // unknown key
        "tenant: x\nsspr:\n  scope: some\n",                                       // scope enum
        "tenant: x\nsspr:\n  scope: selected\n",                                   // group required
        "tenant: x\nsspr:\n  scope: all\n  group: G\n", // group forbidden
        "tenant: x\nsspr:\n  scope: all\n  writeback: yes\n", // YAML 1.1 boolean
        "tenant: x\nsubscriptions:\n  - sku: EMS\n    status: paused\n", // status enum
        "tenant: x\nsubscriptions:\n  - sku: EMS\n    ends: 2027-13-01\n", // not a date
        "tenant: x\nusers:\n  - upn: a\n    user_type: external\n", // user type enum
        "tenant: x\nusers:\n  - upn: a\n    enabled: yes\n", // YAML 1.1 boolean
        "tenant: x\nusers:\n  - upn: a\n    licenses: [{sku: EMS, plans: [X]}]\n", // item keys
        "tenant: x\nsubscriptions:\n  - sku: EMS\n    seats: -1\n", // negative seats
        "tenant: x\nusers:\n  - upn: a\n    source: onprem\n", // source enum
        "tenant: x\nusers:\n  - upn: a\n    usage_locaton: US\n", // misspelt key
        "tenant: x\ngroups:\n  - licenses: [EMS]\n",    // name required
        "tenant: 5\n",                                  // not a string
        "tenant: x\nfeatures:\n  conditonal_access:\n    - include: all\n", // undeclared feature
        "tenant: x\nfeatures:\n  pim:\n    - name: P\n", // include or users required
        "tenant: x\nfeatures:\n  pim:\n    - include: some\n", // `all` or a list
        "tenant: x\ngroups:\n  - name: G\n    dynamic: yes\n", // YAML 1.1 boolean
    ];
    for text in bad {
        let loads = policy.check(&SourceFile::new("t.yaml", text)).is_ok();
        let valid = as_json(text).is_some_and(|j| validator.is_valid(&j));
        assert!(!loads, "the loader accepts {text:?}");
        assert!(!valid, "the schema accepts {text:?}");
    }
    let accepted = [
        "tenant: x\ncountry: US\nsspr:\n  scope: selected\n  group: G\n  writeback: false\n\
         subscriptions:\ngroups:\n  - name: G\n    licenses: [EMS]\nusers:\n  - upn: a\n    \
         source: synced\n    usage_location: GB\n    groups: [G]\n    licenses:\n",
        "tenant: x\ngroups:\n  - name: G\n    dynamic: true\n  - name: B\nfeatures:\n  \
         conditional_access:\n    - name: MFA\n      include: all\n      exclude: [B]\n  \
         pim:\n    - include: [G]\n      users: [a]\nusers:\n  - upn: a\n",
        // Every key contract v3 adds.
        "tenant: x\nsubscriptions:\n  - sku: EMS\n    status: warning\n    trial: true\n    \
         ends: 2027-03-31\n  - sku: SPE_E3\ngroups:\n  - name: G\n    licenses:\n      - EMS\n      \
         - {sku: SPE_E3, disabled_plans: [AAD_PREMIUM]}\nusers:\n  - upn: a\n    user_type: guest\n    \
         enabled: false\n    last_sign_in: 2026-08-14\n    groups: [G]\n    license_errors:\n      \
         - {sku: EMS, group: G, error: Other, held: true}\n",
    ];
    for text in accepted {
        assert!(
            policy.check(&SourceFile::new("t.yaml", text)).is_ok(),
            "{text}"
        );
        assert!(validator.is_valid(&as_json(text).unwrap()), "{text}");
    }
}

#[test]
fn the_schema_lists_the_features_the_policy_declares() {
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("extra.skuld");
    std::fs::write(
        &policy,
        "feature internet_access \"Entra Internet Access\"\n",
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_skuld"))
        .args(["schema", "--policy"])
        .arg(&policy)
        .output()
        .unwrap();
    let schema: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let names = schema["properties"]["features"]["propertyNames"]["enum"]
        .as_array()
        .unwrap();
    assert!(names.iter().any(|e| e == "conditional_access"));
    assert!(names.iter().any(|e| e == "internet_access"));
}

#[test]
fn the_schema_offers_the_catalog_and_added_skus() {
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("extra.skuld");
    std::fs::write(&policy, "sku CONTOSO_SPECIAL \"Special\" { paid }\n").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_skuld"))
        .args(["schema", "--policy"])
        .arg(&policy)
        .output()
        .unwrap();
    let schema: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let examples = schema["$defs"]["sku"]["examples"].as_array().unwrap();
    assert!(examples.iter().any(|e| e == "ENTERPRISEPACK"));
    assert!(examples.iter().any(|e| e == "CONTOSO_SPECIAL"));
}
