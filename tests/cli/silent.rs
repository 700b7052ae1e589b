//! The silent-pass probes of issue 15 (`hostile/r14_silent.py` and `r15_silent2.py` in the
//! project brief), one case each: a tenant that hides a problem (a second YAML document, a tag,
//! a look-alike or invisible character, a waiver where YAML sees data, one waiver for a whole
//! flow line, …). Each must end with the finding or the load error named here, never with a
//! quiet exit 0; and no waiver may waive anything. Waivers that expired `9999-12-31` in the
//! reproducers expire within the one-year horizon here, so that what is tested is where a
//! waiver applies, not the horizon (`waivers.rs` tests that).

use std::collections::BTreeSet;

use crate::common::{json, skuld_in, stderr};

struct Probe {
    name: &'static str,
    tenant: String,
    exit: i32,
    /// The rule ids of the findings, sorted, once each.
    rules: &'static [&'static str],
    /// Every `skuld::…` code on standard error (load errors and warnings), sorted, once each.
    codes: &'static [&'static str],
}

/// r15 `E`: a thousand unlicensed users on one flow line and one waiver comment after it.
fn one_waiver_on_a_flow_line_of(n: usize) -> String {
    let users: Vec<String> = (0..n).map(|i| format!("{{upn: u{i}@x.com}}")).collect();
    format!(
        "tenant: t\nsspr: {{scope: all}}\nusers: [{{upn: ok@x.com, usage_location: US, licenses: [ENTERPRISEPACK]}}, {}]  # skuld: waive sspr/cloud-user-license until 2027-06-30 -- one\n",
        users.join(", ")
    )
}

fn probes() -> Vec<Probe> {
    vec![
        Probe {
            name: "r14 00-base",
            tenant: "tenant: t\ncountry: US\nsspr:\n  scope: all\nusers:\n  - upn: a@x.com\n".to_owned(),
            exit: 1,
            rules: &["sspr/cloud-user-license", "sspr/tenant-license"],
            codes: &[],
        },
        Probe {
            name: "r14 01-second-document",
            tenant: "tenant: t\nusers: []\n---\ntenant: t\ncountry: US\nsspr:\n  scope: all\nusers:\n  - upn: a@x.com\n".to_owned(),
            exit: 2,
            rules: &[],
            codes: &["skuld::tenant::multiple-documents"],
        },
        Probe {
            name: "r14 02-doc-end-marker",
            tenant: "tenant: t\ncountry: US\nsspr:\n  scope: all\nusers: []\n...\nusers:\n  - upn: a@x.com\n".to_owned(),
            exit: 2,
            rules: &[],
            codes: &["skuld::tenant::multiple-documents"],
        },
        Probe {
            name: "r14 03-merge-key",
            tenant: "tenant: t\ncountry: US\nsspr:\n  scope: all\nusers:\n  - <<: {upn: b@x.com, licenses: [ENTERPRISEPACK]}\n    upn: a@x.com\n".to_owned(),
            exit: 2,
            rules: &[],
            codes: &["skuld::tenant::merge-key"],
        },
        Probe {
            name: "r14 04-alias-reuses-user",
            tenant: "tenant: t\ncountry: US\nsspr:\n  scope: all\nsubscriptions:\n  - sku: ENTERPRISEPACK\n    seats: 1\nusers:\n  - &u {upn: a@x.com, usage_location: US, licenses: [ENTERPRISEPACK]}\n  - *u\n  - *u\n".to_owned(),
            exit: 1,
            rules: &["tenant/duplicate-user"],
            codes: &[],
        },
        Probe {
            name: "r14 05-alias-licence-list",
            tenant: "tenant: t\ncountry: US\nsspr:\n  scope: all\nusers:\n  - {upn: a@x.com, usage_location: US, licenses: &l [ENTERPRISEPACK]}\n  - {upn: b@x.com, licenses: *l}\n".to_owned(),
            exit: 1,
            rules: &["licensing/usage-location"],
            codes: &[],
        },
        Probe {
            name: "r14 06-tag-null-on-sspr",
            tenant: "tenant: t\nsspr: !!null\n  scope: all\nusers:\n  - upn: a@x.com\n".to_owned(),
            exit: 1,
            rules: &["sspr/cloud-user-license", "sspr/tenant-license"],
            codes: &[],
        },
        Probe {
            name: "r14 07-tag-str-on-bool",
            tenant: "tenant: t\nsspr:\n  scope: all\n  writeback: !!str true\nusers:\n  - upn: a@x.com\n    usage_location: US\n    licenses: [STANDARDPACK]\n".to_owned(),
            exit: 2,
            rules: &[],
            codes: &["skuld::tenant::wrong-type"],
        },
        Probe {
            name: "r14 08-tag-map-custom",
            tenant: "tenant: t\nsspr: !custom\n  scope: all\nusers:\n  - upn: a@x.com\n".to_owned(),
            exit: 2,
            rules: &[],
            codes: &["skuld::tenant::unsupported-tag"],
        },
        Probe {
            name: "r14 09-tag-binary-upn",
            tenant: "tenant: t\ncountry: US\nsspr:\n  scope: all\nusers:\n  - upn: !!binary YUB4LmNvbQ==\n".to_owned(),
            exit: 1,
            rules: &["sspr/cloud-user-license", "sspr/tenant-license"],
            codes: &[],
        },
        Probe {
            name: "r14 10-tag-set",
            tenant: "tenant: t\ncountry: US\nsspr:\n  scope: all\nusers: !!set\n  ? {upn: a@x.com}\n".to_owned(),
            exit: 2,
            rules: &[],
            codes: &["skuld::tenant::wrong-type"],
        },
        Probe {
            name: "r14 11-duplicate-sspr-key",
            tenant: "tenant: t\nsspr:\n  scope: all\nsspr:\n  scope: none\nusers:\n  - upn: a@x.com\n".to_owned(),
            exit: 2,
            rules: &[],
            codes: &["skuld::tenant::duplicate-key"],
        },
        Probe {
            name: "r14 12-duplicate-key-in-user",
            tenant: "tenant: t\ncountry: US\nsspr:\n  scope: all\nusers:\n  - upn: a@x.com\n    licenses: []\n    licenses: [ENTERPRISEPACK]\n".to_owned(),
            exit: 2,
            rules: &[],
            codes: &["skuld::tenant::duplicate-key"],
        },
        Probe {
            name: "r14 13-bom-middle-key",
            tenant: "tenant: t\ncountry: US\nsspr:\n  scope: all\n\u{feff}users:\n  - upn: a@x.com\n".to_owned(),
            exit: 2,
            rules: &[],
            codes: &["skuld::tenant::syntax"],
        },
        Probe {
            name: "r14 14-bom-in-scope",
            tenant: "tenant: t\nsspr:\n  scope: \u{feff}all\nusers:\n  - upn: a@x.com\n".to_owned(),
            exit: 2,
            rules: &[],
            codes: &["skuld::tenant::syntax"],
        },
        Probe {
            name: "r14 15-nul-in-value",
            tenant: "tenant: t\ncountry: US\nsspr:\n  scope: all\nusers:\n  - upn: \"a@x.com\\0\"\n".to_owned(),
            exit: 1,
            rules: &["sspr/cloud-user-license", "sspr/tenant-license", "tenant/suspicious-name"],
            codes: &[],
        },
        Probe {
            name: "r14 16-nul-raw",
            tenant: "tenant: t\ncountry: US\nsspr:\n  scope: all\nusers:\n  - upn: a@x.com\u{0}\n".to_owned(),
            exit: 2,
            rules: &[],
            codes: &["skuld::tenant::syntax"],
        },
        Probe {
            name: "r14 17-cyrillic-E-sku",
            tenant: "tenant: t\ncountry: US\nsspr:\n  scope: all\nsubscriptions:\n  - sku: ENTERPRISEPACK\n    seats: 1\nusers:\n  - upn: a@x.com\n    usage_location: US\n    licenses: [\u{415}NTERPRISEPACK]\n".to_owned(),
            exit: 1,
            rules: &["sspr/cloud-user-license", "tenant/unknown-sku"],
            codes: &[],
        },
        Probe {
            name: "r14 18-cyrillic-dup-upn",
            tenant: "tenant: t\nusers:\n  - upn: admin@x.com\n  - upn: \u{430}dmin@x.com\n".to_owned(),
            exit: 1,
            rules: &["tenant/suspicious-name"],
            codes: &[],
        },
        Probe {
            name: "r14 19-zwsp-dup-upn",
            tenant: "tenant: t\nusers:\n  - upn: admin@x.com\n  - upn: admin\u{200b}@x.com\n".to_owned(),
            exit: 1,
            rules: &["tenant/suspicious-name"],
            codes: &[],
        },
        Probe {
            name: "r14 20-zwsp-in-group-name",
            tenant: "tenant: t\nsspr:\n  scope: selected\n  group: SSPR\u{200b}\ngroups:\n  - name: SSPR\u{200b}\n  - name: SSPR\nusers:\n  - upn: a@x.com\n    groups: [SSPR]\n".to_owned(),
            exit: 1,
            rules: &["sspr/tenant-license", "tenant/suspicious-name"],
            codes: &[],
        },
        Probe {
            name: "r14 21-yaml11-bool-writeback",
            tenant: "tenant: t\nsspr:\n  scope: none\n  writeback: yes\nusers:\n  - upn: a@x.com\n    usage_location: US\n    licenses: [STANDARDPACK]\n".to_owned(),
            exit: 2,
            rules: &[],
            codes: &["skuld::tenant::yaml11-boolean"],
        },
        Probe {
            name: "r14 22-writeback-On",
            tenant: "tenant: t\nsspr:\n  scope: none\n  writeback: On\nusers:\n  - upn: a@x.com\n    usage_location: US\n    licenses: [STANDARDPACK]\n".to_owned(),
            exit: 2,
            rules: &[],
            codes: &["skuld::tenant::yaml11-boolean"],
        },
        Probe {
            name: "r14 23-seats-huge",
            tenant: "tenant: t\nsubscriptions:\n  - sku: ENTERPRISEPACK\n    seats: 18446744073709551617\nusers:\n  - upn: a@x.com\n    usage_location: US\n    licenses: [ENTERPRISEPACK]\n".to_owned(),
            exit: 2,
            rules: &[],
            codes: &["skuld::tenant::invalid-value"],
        },
        Probe {
            name: "r14 24-seats-float",
            tenant: "tenant: t\nsubscriptions:\n  - sku: ENTERPRISEPACK\n    seats: 0.5\nusers:\n  - upn: a@x.com\n    usage_location: US\n    licenses: [ENTERPRISEPACK]\n".to_owned(),
            exit: 2,
            rules: &[],
            codes: &["skuld::tenant::wrong-type"],
        },
        Probe {
            name: "r14 25-seats-hex",
            tenant: "tenant: t\nsubscriptions:\n  - sku: ENTERPRISEPACK\n    seats: 0x0\nusers:\n  - upn: a@x.com\n    usage_location: US\n    licenses: [ENTERPRISEPACK]\n".to_owned(),
            exit: 1,
            rules: &["licensing/seats"],
            codes: &[],
        },
        Probe {
            name: "r14 26-scope-case",
            tenant: "tenant: t\nsspr:\n  scope: All\nusers:\n  - upn: a@x.com\n".to_owned(),
            exit: 2,
            rules: &[],
            codes: &["skuld::tenant::invalid-value"],
        },
        Probe {
            name: "r14 27-source-synced-case",
            tenant: "tenant: t\nsspr:\n  scope: all\nusers:\n  - upn: a@x.com\n    source: Synced\n    usage_location: US\n    licenses: [STANDARDPACK]\n".to_owned(),
            exit: 2,
            rules: &[],
            codes: &["skuld::tenant::invalid-value"],
        },
        Probe {
            name: "r14 28-sku-lowercase",
            tenant: "tenant: t\ncountry: US\nsspr:\n  scope: all\nusers:\n  - upn: a@x.com\n    usage_location: US\n    licenses: [enterprisepack]\n".to_owned(),
            exit: 1,
            rules: &["sspr/cloud-user-license", "tenant/unknown-sku"],
            codes: &[],
        },
        // The one clean case: a SKU id (GUID) in upper case is the same SKU, nothing is hidden.
        Probe {
            name: "r14 29-sku-guid-any-case",
            tenant: "tenant: t\ncountry: US\nsspr:\n  scope: all\nusers:\n  - upn: a@x.com\n    usage_location: US\n    licenses: [6FD2C87F-B296-42F0-B197-1E91E994B900]\n".to_owned(),
            exit: 0,
            rules: &[],
            codes: &[],
        },
        Probe {
            name: "r14 30-crlf-and-cr-only",
            tenant: "tenant: t\rcountry: US\rsspr:\r  scope: all\rusers:\r  - upn: a@x.com\r".to_owned(),
            exit: 1,
            rules: &["sspr/cloud-user-license", "sspr/tenant-license"],
            codes: &[],
        },
        Probe {
            name: "r14 31-ls-ps-linebreaks",
            tenant: "tenant: t\u{2028}sspr: {scope: all}\nusers:\n  - upn: a@x.com\n".to_owned(),
            exit: 2,
            rules: &[],
            codes: &["skuld::tenant::syntax"],
        },
        Probe {
            name: "r14 32-inline-waiver-in-quoted-string",
            tenant: "tenant: t\ncountry: US\nsspr:\n  scope: all\nusers:\n  - {upn: a@x.com, usage_location: \"US # skuld: waive sspr/cloud-user-license until 2027-06-30 -- ok\"}\n".to_owned(),
            exit: 1,
            rules: &["sspr/cloud-user-license", "sspr/tenant-license", "tenant/invalid-country"],
            codes: &[],
        },
        Probe {
            name: "r14 33-inline-waiver-flow-line-waives-all",
            tenant: "tenant: t\ncountry: US\nsspr:\n  scope: all\nusers: [{upn: a@x.com}, {upn: b@x.com}, {upn: c@x.com}]  # skuld: waive sspr/cloud-user-license until 2027-06-30 -- one\n".to_owned(),
            exit: 1,
            rules: &["sspr/cloud-user-license", "sspr/tenant-license"],
            codes: &["skuld::waiver::ambiguous"],
        },
        Probe {
            name: "r14 34-inline-waiver-builtin-dup",
            tenant: "tenant: t\nusers:\n  - upn: a@x.com\n  - upn: a@x.com  # skuld: waive tenant/duplicate-user until 2027-06-30 -- x\n".to_owned(),
            exit: 2,
            rules: &["tenant/duplicate-user"],
            codes: &["skuld::waivers::inline"],
        },
        Probe {
            name: "r14 35-inline-waiver-unknown-sku",
            tenant: "tenant: t\nusers:\n  - upn: a@x.com\n    usage_location: US\n    licenses: [NOPE]  # skuld: waive tenant/unknown-sku until 2027-06-30 -- x\n".to_owned(),
            exit: 2,
            rules: &["tenant/unknown-sku"],
            codes: &["skuld::waivers::inline"],
        },
        Probe {
            name: "r14 36-inline-waiver-in-block-scalar",
            tenant: "tenant: |\n  t # skuld: waive sspr/tenant-license until 2027-06-30 -- hidden\nsspr: {scope: all}\nusers: []\n".to_owned(),
            exit: 1,
            rules: &["sspr/tenant-license"],
            codes: &[],
        },
        Probe {
            name: "r14 37-empty-users-sspr-all",
            tenant: "tenant: t\nsspr:\n  scope: all\nusers: []\n".to_owned(),
            exit: 1,
            rules: &["sspr/tenant-license"],
            codes: &[],
        },
        Probe {
            name: "r14 38-tab-after-colon",
            tenant: "tenant: t\ncountry: US\nsspr:\n  scope: all\nusers:\n  - upn:\ta@x.com\n".to_owned(),
            exit: 2,
            rules: &[],
            codes: &["skuld::tenant::syntax"],
        },
        Probe {
            name: "r14 39-key-with-trailing-space-quoted",
            tenant: "tenant: t\n\"sspr \":\n  scope: all\nusers:\n  - upn: a@x.com\n".to_owned(),
            exit: 2,
            rules: &[],
            codes: &["skuld::tenant::unknown-key"],
        },
        Probe {
            name: "r14 40-nbsp-in-upn-dup",
            tenant: "tenant: t\nusers:\n  - upn: a@x.com\n  - upn: a@x.com\u{a0}\n".to_owned(),
            exit: 1,
            rules: &["tenant/suspicious-name"],
            codes: &[],
        },
        Probe {
            name: "r15 A-zwsp-scope-group",
            tenant: "tenant: t\nsspr:\n  scope: selected\n  group: \"SSPR-Users\u{200b}\"\ngroups:\n  - name: \"SSPR-Users\u{200b}\"\n    licenses: [ENTERPRISEPACK]\n  - name: SSPR-Users\nusers:\n  - {upn: ok@x.com, usage_location: US, licenses: [ENTERPRISEPACK]}\n  - upn: victim@x.com\n    groups: [SSPR-Users]\n".to_owned(),
            exit: 1,
            rules: &["tenant/suspicious-name"],
            codes: &[],
        },
        Probe {
            name: "r15 A0-control-no-zwsp",
            tenant: "tenant: t\nsspr:\n  scope: selected\n  group: SSPR-Users\ngroups:\n  - name: SSPR-Users\nusers:\n  - {upn: ok@x.com, usage_location: US, groups: [SSPR-Users], licenses: [ENTERPRISEPACK]}\n  - upn: victim@x.com\n    groups: [SSPR-Users]\n".to_owned(),
            exit: 1,
            rules: &["sspr/cloud-user-license"],
            codes: &[],
        },
        Probe {
            name: "r15 B-waiver-inside-quoted-upn",
            tenant: "tenant: t\nsspr: {scope: all}\nusers:\n  - {upn: ok@x.com, usage_location: US, licenses: [ENTERPRISEPACK]}\n  - {upn: \"victim@x.com # skuld: waive sspr/cloud-user-license until 2027-06-30 -- ok\"}\n".to_owned(),
            exit: 1,
            rules: &["sspr/cloud-user-license"],
            codes: &[],
        },
        Probe {
            name: "r15 C-dup-user-nul-escape",
            tenant: "tenant: t\nusers:\n  - upn: a@x.com\n  - upn: \"a@x.com\\0\"\n".to_owned(),
            exit: 1,
            rules: &["tenant/suspicious-name"],
            codes: &[],
        },
        Probe {
            name: "r15 C-dup-user-cyrillic",
            tenant: "tenant: t\nusers:\n  - upn: admin@x.com\n  - upn: \u{430}dmin@x.com\n".to_owned(),
            exit: 1,
            rules: &["tenant/suspicious-name"],
            codes: &[],
        },
        Probe {
            name: "r15 D-dup-group-lookalike",
            tenant: "tenant: t\ngroups:\n  - name: Sales\n  - name: S\u{430}les\n".to_owned(),
            exit: 1,
            rules: &["tenant/suspicious-name"],
            codes: &[],
        },
        Probe {
            name: "r15 E-one-waiver-1000-users",
            tenant: one_waiver_on_a_flow_line_of(1000),
            exit: 1,
            rules: &["sspr/cloud-user-license"],
            codes: &["skuld::waiver::ambiguous"],
        },
    ]
}

#[test]
fn no_probe_passes_silently() {
    let dir = tempfile::tempdir().unwrap();
    let mut failures = Vec::new();
    for p in probes() {
        std::fs::write(dir.path().join("t.yaml"), &p.tenant).unwrap();
        let o = skuld_in(
            dir.path(),
            &["check", "--no-config", "--format", "json", "t.yaml"],
        );
        let doc = json(&o);
        let rules: BTreeSet<&str> = doc["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|f| f["rule"].as_str())
            .collect();
        let err = stderr(&o);
        let codes: BTreeSet<&str> = err
            .split(|c: char| !(c.is_ascii_alphanumeric() || c == ':' || c == '-'))
            .filter(|w| w.starts_with("skuld::"))
            .collect();
        let waived = doc["waived"].as_array().map_or(0, Vec::len);
        let got = (
            o.status.code(),
            rules.into_iter().collect::<Vec<_>>(),
            codes.into_iter().collect::<Vec<_>>(),
            waived,
        );
        let want = (Some(p.exit), p.rules.to_vec(), p.codes.to_vec(), 0);
        if got != want {
            failures.push(format!("{}: got {got:?}, want {want:?}\n{err}", p.name));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
