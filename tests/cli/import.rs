//! `skuld import graph`: saved Microsoft Graph responses → tenant YAML, through the real binary
//! (golden output, determinism, errors, import then check). The mapping read back with the
//! tenant loader and the reload property test are unit tests in `src/tests/import.rs`.

#![expect(
    clippy::unwrap_used,
    reason = "helpers of tests: a panic is a test failure"
)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

use crate::common::{root, stderr, stdout};

const FIXTURE: &str = "tests/data/fixtures/graph/contoso";

/// Runs skuld in `dir` with a fixed, colourless environment.
fn skuld_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_skuld"))
        .args(args)
        .current_dir(dir)
        .env("COLUMNS", "300")
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

fn skuld(args: &[&str]) -> Output {
    skuld_in(&root(), args)
}

/// A copy of the fixture in a temporary folder, as `graph/`, to break or reorder.
fn fixture_copy() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    copy_dir(&root().join(FIXTURE), &tmp.path().join("graph"));
    tmp
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &to.join(entry.file_name()));
        } else {
            std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
        }
    }
}

/// Every JSON file below `dir`.
fn json_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(json_files(&path));
        } else {
            out.push(path);
        }
    }
    out
}

/// The YAML without its header comment (which names the folder).
fn body(yaml: &str) -> String {
    yaml.lines()
        .skip_while(|l| l.starts_with('#'))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn golden_import_of_the_contoso_fixture() {
    let o = skuld(&["import", "graph", FIXTURE]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    insta::assert_snapshot!("contoso_tenant", stdout(&o));
    // Two SKU ids cannot be named from the catalog: both are warnings, with the place.
    let err = stderr(&o);
    assert!(err.contains("skuld::import::sku-not-in-catalog"), "{err}");
    assert!(err.contains("skuld::import::unknown-sku-id"), "{err}");
    insta::assert_snapshot!("contoso_warnings", err);
}

#[test]
fn output_does_not_depend_on_the_order_of_the_responses() {
    let first = skuld(&["import", "graph", FIXTURE]);
    let again = skuld(&["import", "graph", FIXTURE]);
    assert_eq!(stdout(&first), stdout(&again));

    // Reverse every `value` array and every member list: the same tenant comes out.
    let tmp = fixture_copy();
    let dir = tmp.path().join("graph");
    for path in json_files(&dir) {
        let mut v: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let items = v["value"].as_array_mut().unwrap();
        items.reverse();
        for item in items.iter_mut() {
            if let Some(m) = item.get_mut("members").and_then(Value::as_array_mut) {
                m.reverse();
            }
            if let Some(s) = item
                .get_mut("licenseAssignmentStates")
                .and_then(Value::as_array_mut)
            {
                s.reverse();
            }
        }
        std::fs::write(&path, serde_json::to_string(&v).unwrap()).unwrap();
    }
    let reordered = skuld_in(tmp.path(), &["import", "graph", "graph"]);
    assert_eq!(reordered.status.code(), Some(0), "{}", stderr(&reordered));
    assert_eq!(body(&stdout(&reordered)), body(&stdout(&first)));
}

#[test]
fn import_then_check_end_to_end() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("tenant.yaml");
    let o = skuld(&["import", "graph", FIXTURE, "-o", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o), "", "with -o nothing goes to standard output");
    let written = std::fs::read_to_string(&out).unwrap();
    assert_eq!(written, stdout(&skuld(&["import", "graph", FIXTURE])));

    let o = skuld(&["check", "--format", "json", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let report: Value = serde_json::from_str(&stdout(&o)).unwrap();
    let mut found: Vec<(String, String)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_owned(),
                f["subject"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect();
    found.sort();
    let want: Vec<(String, String)> = [
        ("licensing/assignment-error", "alice@contoso.com"),
        ("licensing/assignment-error", "carol@contoso.com"),
        // `All Staff` is dynamic (`groupTypes`): its members without an Entra ID P1 plan. Alice
        // and Carol would have it from EMS through `Sales`, but that assignment failed.
        ("licensing/dynamic-group-license", "alice@contoso.com"),
        ("licensing/dynamic-group-license", "carol@contoso.com"),
        ("licensing/dynamic-group-license", "erin@contoso.com"),
        (
            "licensing/dynamic-group-license",
            "frank_fabrikam.com#EXT#@contoso.onmicrosoft.com",
        ),
        // EMS from `Sales` failed for Carol (CountViolation), and group licensing is all or
        // nothing: she gets none of `Sales`' SKUs, so nothing entitles her to group licensing.
        ("licensing/group-licensing-entitlement", "carol@contoso.com"),
        // A guest who receives only the free Power Automate licence from `All Staff`.
        (
            "licensing/group-licensing-entitlement",
            "frank_fabrikam.com#EXT#@contoso.onmicrosoft.com",
        ),
        ("licensing/nested-group", "Sales"),
        // The users whose `Sales` assignment failed hold none of its SKUs and use no seat of
        // them, so neither EMS nor Office 365 E3 is over its seats.
        ("tenant/unknown-sku", "CONTOSO_PREVIEW_SKU"),
        ("tenant/unknown-sku", "CONTOSO_PREVIEW_SKU"),
        ("tenant/unknown-sku", "d76d4330-f144-4bea-b0c1-1fdecb91ce37"),
    ]
    .iter()
    .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
    .collect();
    assert_eq!(found, want);

    // A policy that declares the preview SKU with its id lets the import name it cleanly.
    let policy = tmp.path().join("preview.skuld");
    std::fs::write(
        &policy,
        "sku CONTOSO_PREVIEW_SKU \"Contoso preview\" { paid id \"5bc8fbbc-bde5-4099-8164-d8399f767c45\" }\n",
    )
    .unwrap();
    let o = skuld(&[
        "import",
        "graph",
        FIXTURE,
        "--policy",
        policy.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(!stderr(&o).contains("sku-not-in-catalog"), "{}", stderr(&o));
    assert!(!stdout(&o).contains("5bc8fbbc"), "{}", stdout(&o));
}

/// Runs the import of a broken copy of the fixture: exit 2, nothing written.
fn broken(edit: impl FnOnce(&Path)) -> String {
    let tmp = fixture_copy();
    edit(&tmp.path().join("graph"));
    let o = skuld_in(
        tmp.path(),
        &["import", "graph", "graph", "-o", "tenant.yaml"],
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        !tmp.path().join("tenant.yaml").exists(),
        "nothing is written on error"
    );
    stderr(&o)
}

#[test]
fn a_missing_folder_is_an_error() {
    let o = skuld(&[
        "import",
        "graph",
        "tests/data/fixtures/graph/no-such-folder",
    ]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(err.contains("skuld::import::not-a-folder"), "{err}");
    assert!(err.contains("no such folder"), "{err}");
    let o = skuld(&["import", "graph", "Cargo.toml"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("it is a file"), "{}", stderr(&o));
}

#[test]
fn a_missing_file_names_the_graph_request_to_save() {
    let err = broken(|d| std::fs::rename(d.join("groups.json"), d.join("group.json")).unwrap());
    assert!(err.contains("skuld::import::missing-file"), "{err}");
    assert!(err.contains("`graph` has no `groups.json`"), "{err}");
    assert!(err.contains("did you mean `group.json`?"), "{err}");
    assert!(
        err.contains("https://graph.microsoft.com/v1.0/groups?$select="),
        "{err}"
    );
}

#[test]
fn malformed_json_points_into_the_file() {
    let err = broken(|d| {
        let p = d.join("users.2.json");
        let text = std::fs::read_to_string(&p).unwrap();
        // A missing comma between two properties of the second user.
        let broken = text.replacen("\"usageLocation\": \"GB\",", "\"usageLocation\": \"GB\"", 1);
        assert_ne!(broken, text);
        std::fs::write(&p, broken).unwrap();
    });
    assert!(err.contains("skuld::import::json"), "{err}");
    insta::assert_snapshot!("malformed_json", err);

    // Valid JSON of the wrong shape: no `value` array.
    let err = broken(|d| {
        std::fs::write(
            d.join("organization.json"),
            "{\"displayName\": \"Contoso\"}\n",
        )
        .unwrap()
    });
    assert!(err.contains("missing field"), "{err}");
    assert!(err.contains("graph/organization.json:1:"), "{err}");
}

#[test]
fn missing_pages_are_reported() {
    // The first page links to a next one that was not saved.
    let err = broken(|d| std::fs::remove_file(d.join("users.2.json")).unwrap());
    assert!(err.contains("skuld::import::missing-pages"), "{err}");
    assert!(err.contains("save the result as `users.2.json`"), "{err}");
    assert!(err.contains("graph/users.json:3:"), "{err}");
    // A gap in the numbering.
    let err = broken(|d| std::fs::rename(d.join("users.2.json"), d.join("users.3.json")).unwrap());
    assert!(err.contains("`graph` has no `users.2.json`"), "{err}");
}

#[test]
fn older_error_spelling_and_unknown_groups_are_kept() {
    let tmp = fixture_copy();
    let p = tmp.path().join("graph/users.json");
    let text = std::fs::read_to_string(&p).unwrap();
    let mut v: Value = serde_json::from_str(&text).unwrap();
    // carol's EMS error: the older `Others`, from a group groups.json does not list.
    let states = v["value"][2]["licenseAssignmentStates"]
        .as_array_mut()
        .unwrap();
    states[1]["error"] = Value::from("Others");
    states[1]["assignedByGroup"] = Value::from("11111111-2222-4333-8444-555555555555");
    std::fs::write(&p, serde_json::to_string_pretty(&v).unwrap()).unwrap();
    let o = skuld_in(tmp.path(), &["import", "graph", "graph"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let yaml = stdout(&o);
    let carol = yaml.split("upn: carol@contoso.com").nth(1).unwrap();
    let carol = carol.split("- upn:").next().unwrap();
    assert!(carol.contains("        error: Other\n"), "{carol}");
    assert!(!carol.contains("group:"), "{carol}");
    assert!(
        stderr(&o).contains("skuld::import::unknown-group"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn member_lists_come_from_members_files_and_a_full_expand_is_suspect() {
    // Without the `members/` files, All Staff keeps only the three members `$expand` gave.
    let tmp = fixture_copy();
    std::fs::remove_dir_all(tmp.path().join("graph/members")).unwrap();
    let o = skuld_in(tmp.path(), &["import", "graph", "graph"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let yaml = stdout(&o);
    let frank = yaml.split("frank_fabrikam").nth(1).unwrap();
    assert!(!frank.contains("groups:"), "{yaml}");

    // A group with exactly as many expanded members as Graph returns at most is reported.
    let p = tmp.path().join("graph/groups.json");
    let mut v: Value = serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap();
    let members: Vec<Value> = (0..100)
        .map(|i| {
            serde_json::json!({
                "@odata.type": "#microsoft.graph.user",
                "id": format!("00000000-0000-4000-8000-{i:012}")
            })
        })
        .collect();
    v["value"][0]["members"] = Value::from(members);
    std::fs::write(&p, serde_json::to_string_pretty(&v).unwrap()).unwrap();
    let o = skuld_in(tmp.path(), &["import", "graph", "graph"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("skuld::import::members-truncated"), "{err}");
    assert!(err.contains("group `Sales` has 100 members"), "{err}");
    assert!(err.contains("as `members/"), "{err}");

    // A members file whose last page links to another is incomplete.
    let err = broken(|d| {
        let dir = d.join("members");
        let page2 = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| p.to_string_lossy().ends_with(".2.json"))
            .unwrap();
        std::fs::remove_file(page2).unwrap();
    });
    assert!(err.contains("skuld::import::missing-pages"), "{err}");
    assert!(
        err.contains("graph/members/9e30691c-2386-42ea-926a-1e48cc11d357.json"),
        "{err}"
    );
}

#[test]
fn a_byte_order_mark_is_accepted_and_errors_after_it_point_right() {
    let tmp = fixture_copy();
    let p = tmp.path().join("graph/organization.json");
    let text = std::fs::read_to_string(&p).unwrap();
    std::fs::write(&p, format!("\u{FEFF}{text}")).unwrap();
    let o = skuld_in(tmp.path(), &["import", "graph", "graph"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        body(&stdout(&o)),
        body(&stdout(&skuld(&["import", "graph", FIXTURE])))
    );

    let err =
        broken(|d| std::fs::write(d.join("organization.json"), "\u{FEFF}{\"value\": [}").unwrap());
    assert!(err.contains("expected value"), "{err}");
    // The label sits under the `}`, past the byte-order mark (which takes no column on screen).
    let source = err
        .lines()
        .find(|l| l.contains("{\"value\": [}"))
        .unwrap()
        .replace('\u{FEFF}', "");
    let marker = err.lines().find(|l| l.contains('┬')).unwrap();
    assert_eq!(
        source.chars().position(|c| c == '}'),
        marker.chars().position(|c| c == '┬'),
        "{err}"
    );
}

#[test]
fn the_commands_in_docs_import_md_work() {
    let page = std::fs::read_to_string(root().join("docs/import.md")).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(tmp.path().join("tests/data/fixtures/graph")).unwrap();
    copy_dir(&root().join(FIXTURE), &tmp.path().join(FIXTURE));
    copy_dir(&root().join("policies"), &tmp.path().join("policies"));
    let mut ran = 0;
    let mut in_sh = false;
    for line in page.lines() {
        if line.starts_with("```") {
            in_sh = line == "```sh";
            continue;
        }
        let Some(command) = line.strip_prefix("skuld ").filter(|_| in_sh) else {
            continue;
        };
        let command = command.split(" #").next().unwrap();
        let args: Vec<&str> = command.split_whitespace().collect();
        let o = skuld_in(tmp.path(), &args);
        assert!(
            matches!(o.status.code(), Some(0 | 1)),
            "`skuld {command}`: {}",
            stderr(&o)
        );
        ran += 1;
    }
    assert_eq!(ran, 4, "the quick start has four commands");
}

#[test]
fn minified_responses_are_reported_without_snippets_of_their_one_long_line() {
    // `Invoke-MgGraphRequest -OutputType Json` writes one line; make it a long one.
    let tmp = fixture_copy();
    let p = tmp.path().join("graph/users.2.json");
    let mut v: Value = serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap();
    v["value"][0]["aboutMe"] = Value::from("x".repeat(3_000_000));
    std::fs::write(&p, serde_json::to_string(&v).unwrap()).unwrap();
    let o = skuld_in(tmp.path(), &["import", "graph", "graph"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("skuld::import::unknown-sku-id"), "{err}");
    assert!(err.contains("(graph/users.2.json:1:"), "{err}");
    assert!(err.len() < 10_000, "no snippet of the long line");

    // A syntax error on such a line keeps serde's position in the message.
    let text = std::fs::read_to_string(&p).unwrap();
    std::fs::write(&p, format!("{text}]")).unwrap();
    let o = skuld_in(tmp.path(), &["import", "graph", "graph"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("skuld::import::json"), "{err}");
    assert!(err.contains("at line 1 column"), "{err}");
    assert!(err.len() < 10_000, "no snippet of the long line");
}

const FEATURES: &str = "tests/data/import/features";

/// The contoso fixture plus the saved `features:` responses, as `graph/`.
fn fixture_with_features() -> tempfile::TempDir {
    let tmp = fixture_copy();
    for entry in std::fs::read_dir(root().join(FEATURES)).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "json") {
            std::fs::copy(
                &path,
                tmp.path().join("graph").join(path.file_name().unwrap()),
            )
            .unwrap();
        }
    }
    tmp
}

#[test]
fn features_come_from_conditional_access_pim_and_access_reviews() {
    let tmp = fixture_with_features();
    let o = skuld_in(tmp.path(), &["import", "graph", "graph"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let (yaml, err) = (stdout(&o), stderr(&o));
    insta::assert_snapshot!("contoso_features", body(&yaml));
    // Both pages of the policies are read; every file is named in the header.
    assert!(yaml.contains("conditionalAccessPolicies.2.json"), "{yaml}");
    assert!(yaml.contains("accessReviewDefinitions.json"), "{yaml}");
    // Read back as plain YAML: the block's keys in order, each entry's name.
    let doc: serde_yaml::Value = serde_yaml::from_str(&yaml).unwrap();
    let features = doc["features"].as_mapping().unwrap();
    let keys: Vec<&str> = features.keys().filter_map(|k| k.as_str()).collect();
    // The default policy's declaration order.
    assert_eq!(
        keys,
        [
            "conditional_access",
            "identity_protection",
            "pim",
            "access_reviews"
        ]
    );
    let entries = |name: &str| {
        features[name]
            .as_sequence()
            .unwrap()
            .iter()
            .map(|e| e["name"].as_str().unwrap().to_owned())
            .collect::<Vec<_>>()
    };
    // The disabled policy is left out; report-only counts; risk makes identity protection.
    assert_eq!(
        entries("conditional_access"),
        ["Compliant device for Sales", "Require MFA for all users"]
    );
    assert_eq!(
        entries("identity_protection"),
        [
            "Block high sign-in risk",
            "User risk: require password change"
        ]
    );
    // A completed review is left out; the one scoped to all Microsoft 365 groups has no group.
    assert_eq!(
        entries("access_reviews"),
        ["Quarterly review of Sales", "Self-review of All Staff"]
    );
    assert!(
        yaml.contains("      include: all\n      exclude: [Sales EMEA]"),
        "{yaml}"
    );
    // Eligible users and groups of both PIM responses, once each; the service principal not.
    assert!(
        yaml.contains(
            "      include: [Sales EMEA]\n      users: [alice@contoso.com, dave@contoso.com]"
        ),
        "{yaml}"
    );
    for code in [
        "skuld::import::excluded-users",
        "skuld::import::roles-not-mapped",
        "skuld::import::unknown-principal",
        "skuld::import::review-scope",
        "skuld::import::review-reviewers",
    ] {
        assert!(err.contains(code), "{code}: {err}");
    }
    assert!(!err.contains("not imported"), "{err}");
    // The tenant checks: the feature rules see the imported coverage.
    std::fs::write(tmp.path().join("t.yaml"), &yaml).unwrap();
    let o = skuld_in(tmp.path(), &["check", "t.yaml", "--format", "json"]);
    let json: Value = serde_json::from_str(&stdout(&o)).unwrap();
    let fired: std::collections::BTreeSet<&str> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["rule"].as_str())
        .filter(|r| r.starts_with("features/"))
        .collect();
    assert_eq!(
        fired.into_iter().collect::<Vec<_>>(),
        [
            "features/access-reviews-license",
            "features/conditional-access-license",
            "features/identity-protection-license",
            "features/pim-license"
        ],
        "{}",
        stdout(&o)
    );
}

#[test]
fn absent_feature_responses_leave_the_block_out_and_say_so() {
    let tmp = fixture_with_features();
    std::fs::remove_file(tmp.path().join("graph/roleEligibilitySchedules.json")).unwrap();
    std::fs::remove_file(
        tmp.path()
            .join("graph/roleEligibilityScheduleInstances.json"),
    )
    .unwrap();
    std::fs::remove_file(tmp.path().join("graph/accessReviewDefinitions.json")).unwrap();
    let o = skuld_in(tmp.path(), &["import", "graph", "graph"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let (yaml, err) = (stdout(&o), stderr(&o));
    assert!(yaml.contains("  conditional_access:"), "{yaml}");
    assert!(
        !yaml.contains("  pim:") && !yaml.contains("access_reviews"),
        "{yaml}"
    );
    assert!(err.contains("note: `pim` not imported"), "{err}");
    assert!(err.contains("note: `access_reviews` not imported"), "{err}");
    assert!(err.contains("AccessReview.Read.All"), "{err}");
    assert!(!err.contains("`conditional_access` and"), "{err}");
    // None at all: no `features:` key.
    let o = skuld(&["import", "graph", FIXTURE]);
    assert!(!stdout(&o).contains("features:"));
    assert!(
        stderr(&o).contains("note: `conditional_access` and `identity_protection` not imported")
    );
    // A second page missing is an error, as for the other resources.
    let tmp = fixture_with_features();
    std::fs::remove_file(tmp.path().join("graph/conditionalAccessPolicies.2.json")).unwrap();
    let o = skuld_in(tmp.path(), &["import", "graph", "graph"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("skuld::import::missing-pages"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn a_policy_without_the_feature_gets_no_entries_for_it() {
    let tmp = fixture_with_features();
    let o = skuld_in(
        tmp.path(),
        &[
            "import",
            "graph",
            "graph",
            "--no-default-policy",
            "--policy",
            &root()
                .join("policies/catalog-microsoft.skuld")
                .display()
                .to_string(),
            "--policy",
            &root()
                .join("policies/licensing.skuld")
                .display()
                .to_string(),
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(!stdout(&o).contains("features:"), "{}", stdout(&o));
    assert!(
        stderr(&o).contains("`pim` not imported: the policy declares no such feature"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn replacing_a_file_keeps_its_sspr_block_and_the_features_graph_did_not_give() {
    let tmp = fixture_with_features();
    std::fs::remove_file(tmp.path().join("graph/accessReviewDefinitions.json")).unwrap();
    // An earlier, hand-edited file: sspr, hand-written access reviews (no responses this time),
    // and a pim entry that the imported one replaces.
    let earlier = "tenant: old\n\
        # SSPR is on for everyone\n\
        sspr:\n  scope: selected\n  group: Sales\n\
        users:\n  - upn: someone@contoso.com\n\
        features:\n    pim:\n        - include: [Stale]\n    # reviewed each quarter\n    access_reviews:\n        - name: By hand\n          users: [carol@contoso.com]\n";
    std::fs::write(tmp.path().join("t.yaml"), earlier).unwrap();
    let o = skuld_in(tmp.path(), &["import", "graph", "graph", "-o", "t.yaml"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("the entries of the file it replaces are kept"),
        "{err}"
    );
    assert!(err.contains("`sspr:` block of `t.yaml` is kept"), "{err}");
    let yaml = std::fs::read_to_string(tmp.path().join("t.yaml")).unwrap();
    assert!(
        yaml.contains("sspr:\n  scope: selected\n  group: Sales\n"),
        "{yaml}"
    );
    assert!(yaml.contains("# SSPR is on for everyone\nsspr:"), "{yaml}");
    assert!(
        yaml.contains("  # reviewed each quarter\n  access_reviews:\n      - name: By hand\n        users: [carol@contoso.com]\n"),
        "{yaml}"
    );
    assert!(!yaml.contains("Stale"), "{yaml}");
    assert!(!yaml.contains("someone@"), "{yaml}");
    assert!(yaml.contains("Kept as written from the file this import replaced: `sspr:`, `features: access_reviews`."), "{yaml}");
    // It is checked like any tenant file, its `sspr:` block included.
    let doc: serde_yaml::Value = serde_yaml::from_str(&yaml).unwrap();
    assert_eq!(doc["sspr"]["group"].as_str(), Some("Sales"));
    let o = skuld_in(tmp.path(), &["check", "t.yaml", "--format", "json"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    // Importing again over the result gives the same file.
    let o = skuld_in(tmp.path(), &["import", "graph", "graph", "-o", "t.yaml"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        std::fs::read_to_string(tmp.path().join("t.yaml")).unwrap(),
        yaml
    );
}
