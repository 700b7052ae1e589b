//! The document as a whole (empty, not a mapping, several documents, every error in order) and
//! YAML syntax errors.

use super::*;

// --- the document as a whole ---------------------------------------------------------------------

#[test]
fn empty_files() {
    for text in [
        "",
        "\n\n",
        "# only a comment\n# and another\n",
        "---\n",
        "--- # c\n...\n",
        "\u{feff}",
    ] {
        let d = one(text, "skuld::tenant::empty");
        assert_eq!(d.message, "the tenant file is empty");
        assert_eq!(d.help, "a tenant file needs at least `tenant: NAME`");
    }
}

#[test]
fn root_must_be_a_mapping() {
    let d = one("just text\n", "skuld::tenant::not-a-mapping");
    assert_eq!(
        d.message,
        "the tenant file must be a mapping of keys, found string `just text`"
    );
    let d = one("- tenant: t\n", "skuld::tenant::not-a-mapping");
    assert_eq!(
        d.message,
        "the tenant file must be a mapping of keys, found a sequence"
    );
    one("42\n", "skuld::tenant::not-a-mapping");
}

#[test]
fn multiple_documents() {
    let d = one(
        "tenant: a\n---\ntenant: b\n",
        "skuld::tenant::multiple-documents",
    );
    assert_eq!((d.label(0).1, d.label(0).2), ("---", 2));
    let d = one(
        "---\ntenant: a\n...\n---\ntenant: b\n",
        "skuld::tenant::multiple-documents",
    );
    assert_eq!(d.label(0).2, 4);
    // A single explicit document is fine.
    assert!(errs("---\ntenant: a\n...\n").is_empty());
}

#[test]
fn reports_every_error_in_source_order() {
    let text = "\
tenant: t
contry: US
sspr:
  scope: al
subscriptions:
  - sku: X
    seats: -1
users:
  - upn: 1
    source: clod
  - upn: b
    licences: [A]
  - upn: c
    groups: [G, [H]]
";
    let all = errs(text);
    let got: Vec<_> = all
        .iter()
        .map(|d| (d.code.as_str(), d.label(0).2))
        .collect();
    assert_eq!(
        got,
        [
            ("skuld::tenant::unknown-key", 2),
            ("skuld::tenant::invalid-value", 4),
            ("skuld::tenant::invalid-value", 7),
            ("skuld::tenant::wrong-type", 9),
            ("skuld::tenant::invalid-value", 10),
            ("skuld::tenant::unknown-key", 12),
            ("skuld::tenant::wrong-type", 14),
        ]
    );
}

// --- syntax --------------------------------------------------------------------------------------

#[test]
fn syntax_errors_keep_earlier_schema_errors() {
    let all = errs("tenant: t\ncontry: US\nusers:\n  - upn: a\n    licenses: [A\n");
    let got: Vec<_> = all.iter().map(|d| d.code.as_str()).collect();
    assert_eq!(got, ["skuld::tenant::unknown-key", "skuld::tenant::syntax"]);
    let syntax = all.get(1);
    assert!(
        syntax.is_some_and(|d| d.message.starts_with("invalid YAML: ")),
        "{all:#?}"
    );
}

#[test]
fn syntax_error_position_and_tab_hint() {
    let d = one("tenant: t\nusers:\n\t- upn: a\n", "skuld::tenant::syntax");
    assert!(d.message.contains("tab"), "{}", d.message);
    assert_eq!(
        d.help,
        "YAML does not allow tabs for indentation: indent with spaces"
    );
    assert_eq!(d.label(0).2, 3);

    let d = one("tenant: é\nusers: [a\nb: c\n", "skuld::tenant::syntax");
    assert!(d.label(0).2 >= 2, "{d:#?}");
    let d = one("tenant: t\nusers: *nope\n", "skuld::tenant::syntax");
    assert!(d.help.contains("anchor"), "{}", d.help);
    one("tenant: t\n  bad: indent\n", "skuld::tenant::syntax");
}
