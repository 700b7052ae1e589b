//! Waivers through the real binary: active, expired (and the day it expires), unused, malformed
//! waivers files, inline waivers and their mistakes, the default path, and how each output
//! format shows waived findings. "Today" is fixed with `SKULD_TODAY`.

#![expect(
    clippy::unwrap_used,
    reason = "helpers of tests: a panic is a test failure"
)]

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

use crate::common::{DEFAULT_POLICY_LINE, assert_valid_sarif, json, root, stderr, stdout};

const DIR: &str = "tests/data/fixtures/waivers";
const TENANT: &str = "tests/data/fixtures/waivers/tenant.yaml";

/// Runs skuld in `dir` on `today`, colourless.
fn skuld_in(dir: &Path, today: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_skuld"))
        .args(args)
        .current_dir(dir)
        .env_remove("COLUMNS")
        .env("NO_COLOR", "1")
        .env("SKULD_TODAY", today)
        .output()
        .unwrap()
}

fn skuld(today: &str, args: &[&str]) -> Output {
    skuld_in(&root(), today, args)
}

fn waivers(name: &str) -> String {
    format!("{DIR}/{name}.yaml")
}

fn subjects(list: &Value) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|f| f["subject"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn an_active_waiver_accepts_its_finding_and_shows_it_as_waived() {
    let w = waivers("active");
    let o = skuld(
        "2026-11-25",
        &["check", TENANT, "--waivers", &w, "--format", "json"],
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_eq!(stderr(&o), "");
    let doc = json(&o);
    assert_eq!(
        subjects(&doc["findings"]),
        ["contractor@waivers.example", "guest@waivers.example"]
    );
    assert_eq!(subjects(&doc["waived"]), ["intern@waivers.example"]);
    let waiver = &doc["waived"][0]["waiver"];
    assert_eq!(waiver["reason"], "licence ordered, ticket IT-1234");
    assert_eq!(waiver["expires"], "2027-01-31");
    assert_eq!(waiver["kind"], "file");
    assert_eq!(waiver["at"], "tests/data/fixtures/waivers/active.yaml:2");
    assert_eq!(doc["summary"]["errors"], 2);
    assert_eq!(doc["summary"]["waived"], 1);
}

#[test]
fn waived_findings_do_not_fail_the_run() {
    let w = waivers("wildcard");
    let o = skuld("2026-11-25", &["check", TENANT, "--waivers", &w]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    assert_eq!(
        out.matches("waived error[sspr/cloud-user-license]").count(),
        3
    );
    assert!(
        out.ends_with("no findings in 1 tenant file; 3 waived\n"),
        "{out}"
    );
}

#[test]
fn a_waiver_restricted_to_a_tenant_leaves_other_tenants_alone() {
    let w = waivers("wildcard");
    let other = format!("{DIR}/inline.yaml");
    let o = skuld(
        "2026-11-25",
        &["check", TENANT, &other, "--waivers", &w, "--format", "json"],
    );
    let doc = json(&o);
    assert_eq!(doc["summary"]["waived"], 4); // 3 by the file, 1 inline in inline.yaml
    let files: Vec<&str> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["file"].as_str().unwrap())
        .collect();
    assert_eq!(files, [other.as_str()]);
}

#[test]
fn a_waiver_applies_through_its_expiry_day_and_not_after() {
    let w = waivers("active");
    let last_day = skuld(
        "2027-01-31",
        &["check", TENANT, "--waivers", &w, "--format", "json"],
    );
    assert_eq!(json(&last_day)["summary"]["waived"], 1);
    assert_eq!(stderr(&last_day), "");

    let after = skuld(
        "2027-02-01",
        &["check", TENANT, "--waivers", &w, "--format", "json"],
    );
    assert_eq!(after.status.code(), Some(1));
    let doc = json(&after);
    assert_eq!(doc["summary"]["waived"], 0);
    assert_eq!(doc["summary"]["errors"], 3);
    assert!(doc.get("waived").is_none());
    let err = stderr(&after);
    assert!(err.contains("skuld::waiver::expired"), "{err}");
    assert!(err.contains("active.yaml:5:14"), "{err}");
}

#[test]
fn an_expired_waiver_is_reported_where_it_expires() {
    let w = waivers("expired");
    let o = skuld(
        "2026-11-25",
        &["check", TENANT, "--waivers", &w, "--format", "compact"],
    );
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(stdout(&o).lines().count(), 3, "{}", stdout(&o));
    insta::assert_snapshot!(stderr(&o));
}

#[test]
fn a_waiver_that_matches_nothing_is_reported_as_unused() {
    let w = waivers("unused");
    let o = skuld(
        "2026-11-25",
        &["check", TENANT, "--waivers", &w, "--format", "compact"],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("note[sspr/cloud-user-license]: waived until 2027-01-31"));
    insta::assert_snapshot!(stderr(&o));
}

#[test]
fn waivers_of_rules_left_out_are_not_unused() {
    let w = waivers("unused");
    let o = skuld(
        "2026-11-25",
        &[
            "check",
            TENANT,
            "--waivers",
            &w,
            "--skip-rule",
            "sspr/cloud-user-license",
        ],
    );
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(stderr(&o), "");
    assert_eq!(
        stdout(&o),
        format!("{DEFAULT_POLICY_LINE}no findings in 1 tenant file\n")
    );
}

#[test]
fn a_malformed_waivers_file_stops_the_run_before_checking() {
    let w = waivers("malformed");
    let o = skuld("2026-11-25", &["check", TENANT, "--waivers", &w]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(stdout(&o), "");
    insta::assert_snapshot!(stderr(&o));
}

#[test]
fn waivers_files_of_the_wrong_shape_are_explained() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (
            "- rule: x\n",
            "the waivers file must be a mapping, found a list",
        ),
        ("waiver: []\n", "unknown key `waiver` in the waivers file"),
        ("waivers: 3\n", "`waivers` must be a list, found a scalar"),
        ("waivers: [\n", "invalid YAML"),
        (
            "waivers:\n  - &a {rule: x}\n",
            "anchors and tags are not supported",
        ),
        (
            "waivers:\n  - rule: licensing/seats\n    subject: [a]\n    reason: r\n    expires: 2027-01-01\n",
            "`subject` must be text, found a list",
        ),
    ];
    for (text, message) in cases {
        let path = dir.path().join("w.yaml");
        std::fs::write(&path, text).unwrap();
        let o = skuld(
            "2026-11-25",
            &["check", TENANT, "--waivers", path.to_str().unwrap()],
        );
        assert_eq!(o.status.code(), Some(2), "{text}");
        let err = stderr(&o);
        assert!(err.contains("skuld::waivers"), "{text}: {err}");
        assert!(err.contains(message), "{text}: {err}");
    }
    // An empty waivers file waives nothing, and is fine.
    let path = dir.path().join("empty.yaml");
    std::fs::write(&path, "# nothing waived yet\n").unwrap();
    let o = skuld(
        "2026-11-25",
        &["check", TENANT, "--waivers", path.to_str().unwrap()],
    );
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(stderr(&o), "");
}

#[test]
fn a_missing_waivers_file_is_an_error() {
    let o = skuld(
        "2026-11-25",
        &[
            "check",
            TENANT,
            "--waivers",
            "tests/data/fixtures/waivers/none.yaml",
        ],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("cannot read `tests/data/fixtures/waivers/none.yaml`"));
}

#[test]
fn inline_waivers_apply_to_their_line() {
    let o = skuld(
        "2026-11-25",
        &[
            "check",
            "tests/data/fixtures/waivers/inline.yaml",
            "--format",
            "json",
        ],
    );
    assert_eq!(o.status.code(), Some(1));
    let doc = json(&o);
    // intern: waived; old: its waiver expired; the waiver on guest's usage_location line is on
    // no finding's line, so unused.
    assert_eq!(subjects(&doc["waived"]), ["intern@inline.example"]);
    assert_eq!(doc["waived"][0]["waiver"]["kind"], "inline");
    assert_eq!(subjects(&doc["findings"]), ["old@inline.example"]);
    insta::assert_snapshot!(stderr(&o));
}

#[test]
fn malformed_inline_waivers_are_errors() {
    let o = skuld(
        "2026-11-25",
        &[
            "check",
            "tests/data/fixtures/waivers/inline-malformed.yaml",
            "--format",
            "compact",
        ],
    );
    assert_eq!(o.status.code(), Some(2));
    insta::assert_snapshot!(stderr(&o));
}

#[test]
fn the_default_waivers_file_is_read_from_the_current_folder() {
    let dir = tempfile::tempdir().unwrap();
    // A repository root: no config file from the folders above applies.
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    std::fs::copy(root().join(TENANT), dir.path().join("t.yaml")).unwrap();
    let run = || {
        skuld_in(
            dir.path(),
            "2026-11-25",
            &["check", "t.yaml", "--format", "json"],
        )
    };
    assert_eq!(json(&run())["summary"]["waived"], 0);
    std::fs::copy(
        root().join(waivers("active")),
        dir.path().join("skuld-waivers.yaml"),
    )
    .unwrap();
    let doc = json(&run());
    assert_eq!(doc["summary"]["waived"], 1);
    assert_eq!(doc["waived"][0]["waiver"]["at"], "skuld-waivers.yaml:2");
}

#[test]
fn today_must_be_a_date() {
    let w = waivers("active");
    let o = skuld("31/01/2027", &["check", TENANT, "--waivers", &w]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("SKULD_TODAY=`31/01/2027` is not a date"));
}

#[test]
fn every_format_shows_waived_findings() {
    let w = waivers("active");
    let run = |format: &str| {
        stdout(&skuld(
            "2026-11-25",
            &["check", TENANT, "--waivers", &w, "--format", format],
        ))
    };
    let compact = run("compact");
    assert!(
        compact
            .contains("tenant.yaml:10:5: note[sspr/cloud-user-license]: waived until 2027-01-31:")
    );
    let github = run("github");
    assert!(github.contains("::notice file=tests/data/fixtures/waivers/tenant.yaml,line=10,col=5,title=sspr/cloud-user-license (waived)::"), "{github}");
    assert!(run("azure").contains("skuld: waived sspr/cloud-user-license at tests/data/fixtures/waivers/tenant.yaml:10:5 until 2027-01-31"));
    let junit = run("junit");
    assert!(
        junit
            .contains("<system-out>waived error[sspr/cloud-user-license] (intern@waivers.example)"),
        "{junit}"
    );
    assert_eq!(junit.matches("<failure").count(), 1, "{junit}");
    let human = run("human");
    assert!(human.contains("waived error[sspr/cloud-user-license] (intern@waivers.example) at tests/data/fixtures/waivers/tenant.yaml:10:5"), "{human}");
    assert!(human.contains("-- licence ordered, ticket IT-1234 (until 2027-01-31, tests/data/fixtures/waivers/active.yaml:2)"));
    assert!(human.ends_with("2 errors, 0 warnings in 1 tenant file; 1 waived\n"));

    let sarif: Value = serde_json::from_str(&run("sarif")).unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 3);
    let suppressed: Vec<&Value> = results
        .iter()
        .filter(|r| r.get("suppressions").is_some())
        .collect();
    assert_eq!(suppressed.len(), 1);
    let s = &suppressed[0]["suppressions"][0];
    assert_eq!(s["kind"], "external");
    assert_eq!(s["status"], "accepted");
    assert!(
        s["justification"]
            .as_str()
            .unwrap()
            .starts_with("licence ordered, ticket IT-1234")
    );
    assert_valid_sarif(&sarif);

    let inline: Value = serde_json::from_str(&stdout(&skuld(
        "2026-11-25",
        &[
            "check",
            "tests/data/fixtures/waivers/inline.yaml",
            "--format",
            "sarif",
        ],
    )))
    .unwrap();
    let kinds: Vec<&str> = inline["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["suppressions"][0]["kind"].as_str())
        .collect();
    assert_eq!(kinds, ["inSource"]);
    assert_valid_sarif(&inline);
}

#[test]
fn expired_and_unused_waivers_are_annotations_for_code_hosts() {
    let expired = waivers("expired");
    let unused = waivers("unused");
    let run = |w: &str, format: &str| {
        stdout(&skuld(
            "2026-11-25",
            &["check", TENANT, "--waivers", w, "--format", format],
        ))
    };
    let github = run(&unused, "github");
    assert!(
        github.contains("::warning file=tests/data/fixtures/waivers/unused.yaml,line=6,col=5,title=skuld%3A%3Awaiver%3A%3Aunused::"),
        "{github}"
    );
    let azure = run(&expired, "azure");
    assert!(azure.starts_with("##vso[task.logissue type=warning;sourcepath=tests/data/fixtures/waivers/expired.yaml;linenumber=5;columnnumber=14;code=skuld::waiver::expired;]"), "{azure}");
    let sarif: Value = serde_json::from_str(&run(&expired, "sarif")).unwrap();
    let invocation = &sarif["runs"][0]["invocations"][0];
    assert_eq!(invocation["executionSuccessful"], true);
    let note = &invocation["toolExecutionNotifications"][0];
    assert_eq!(note["level"], "warning");
    assert_eq!(note["descriptor"]["id"], "skuld::waiver::expired");
    assert_eq!(
        note["locations"][0]["physicalLocation"]["region"]["startLine"],
        5
    );
    assert_valid_sarif(&sarif);
}

/// The examples of docs/waivers.md: the waivers file and the inline comment are accepted.
#[test]
fn the_documented_examples_are_valid() {
    let doc = std::fs::read_to_string(root().join("docs/waivers.md")).unwrap();
    let blocks: Vec<&str> = doc
        .split("```yaml\n")
        .skip(1)
        .filter_map(|b| b.split("```").next())
        .collect();
    let file = blocks
        .iter()
        .find(|b| b.starts_with("# skuld-waivers.yaml"))
        .unwrap();
    let inline = blocks
        .iter()
        .find(|b| b.contains("# skuld: waive"))
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    std::fs::write(dir.path().join("skuld-waivers.yaml"), file).unwrap();
    let tenant = format!(
        "tenant: contoso.onmicrosoft.com\nsspr:\n  scope: all\n{}    licenses: [AAD_BASIC]\n    usage_location: US\n  - upn: x@contoso.com\n",
        inline
    );
    std::fs::write(dir.path().join("t.yaml"), tenant).unwrap();
    let o = skuld_in(
        dir.path(),
        "2026-11-25",
        &["check", "t.yaml", "--format", "json"],
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let doc = json(&o);
    // Here intern holds a licence and x@ does not: x@ is found, and the two waivers of the file
    // and the inline one are reported as unused, not as mistakes.
    assert_eq!(subjects(&doc["findings"]), ["x@contoso.com"]);
    let err = stderr(&o);
    assert_eq!(err.matches("skuld::waiver::unused").count(), 3, "{err}");
    assert!(!err.contains("skuld::waivers"), "{err}");
}

/// Runs `skuld check` on `today` in a new folder holding `files`, colourless.
fn check_files(files: &[(&str, &str)], today: &str, args: &[&str]) -> Output {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    skuld_in(dir.path(), today, args)
}

const SSPR_ALL: &str = "tenant: t\nsspr: {scope: all}\nusers:\n  - {upn: ok@x.com, usage_location: US, licenses: [ENTERPRISEPACK]}\n";

#[test]
fn a_waiver_inside_a_quoted_string_or_a_block_scalar_is_text() {
    // A block scalar where the contract allows any string: the tenant's name.
    let tenant = format!(
        "{SSPR_ALL}  - {{upn: \"victim@x.com # skuld: waive sspr/cloud-user-license until 2027-01-31 -- ok\"}}\n  - upn: b@x.com\n"
    )
    .replace(
        "tenant: t\n",
        "tenant: |\n  t # skuld: waive sspr/cloud-user-license until 2027-01-31 -- hidden\n",
    );
    let o = check_files(
        &[("t.yaml", &tenant)],
        "2026-12-03",
        &["check", "t.yaml", "--format", "json"],
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(!stderr(&o).contains("skuld::waiver"), "{}", stderr(&o));
    let doc = json(&o);
    assert_eq!(doc["summary"]["waived"], 0);
    assert_eq!(
        subjects(&doc["findings"]),
        [
            "victim@x.com # skuld: waive sspr/cloud-user-license until 2027-01-31 -- ok",
            "b@x.com"
        ]
    );
}

#[test]
fn one_inline_waiver_waives_one_finding_not_a_flow_line_of_them() {
    let tenant = format!(
        "{SSPR_ALL}  - upn: one@x.com  # skuld: waive sspr/cloud-user-license until 2027-01-31 -- ordered\n"
    );
    let flow = "tenant: t\nsspr: {scope: all}\nusers: [{upn: ok@x.com, usage_location: US, licenses: [ENTERPRISEPACK]}, {upn: a@x.com}, {upn: b@x.com}, {upn: c@x.com}]  # skuld: waive sspr/cloud-user-license until 2027-01-31 -- one\n";
    let o = check_files(
        &[("one.yaml", &tenant), ("flow.yaml", flow)],
        "2026-12-03",
        &["check", "one.yaml", "flow.yaml", "--format", "json"],
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let doc = json(&o);
    assert_eq!(subjects(&doc["waived"]), ["one@x.com"]);
    assert_eq!(
        subjects(&doc["findings"]),
        ["a@x.com", "b@x.com", "c@x.com"]
    );
    insta::assert_snapshot!(stderr(&o));
}

#[test]
fn tenant_errors_cannot_be_waived_inline_or_in_a_file() {
    let tenant = "tenant: t\nusers:\n  - upn: a@x.com\n  - upn: a@x.com  # skuld: waive tenant/duplicate-user until 2027-01-31 -- x\n";
    let o = check_files(&[("t.yaml", tenant)], "2026-12-03", &["check", "t.yaml"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    insta::assert_snapshot!("tenant_errors_inline", stderr(&o));

    let tenant = "tenant: t\nusers:\n  - {upn: a@x.com, usage_location: US, licenses: [NOPE]}\n";
    let waivers = "waivers:\n  - rule: tenant/unknown-sku\n    subject: NOPE\n    reason: x\n    expires: 2027-01-31\n";
    let o = check_files(
        &[("t.yaml", tenant), ("w.yaml", waivers)],
        "2026-12-03",
        &["check", "t.yaml", "--waivers", "w.yaml"],
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    insta::assert_snapshot!("tenant_errors_file", stderr(&o));

    // A `tenant/*` warning can be waived.
    let tenant = "tenant: t\ncountry: NO  # skuld: waive tenant/yaml11-boolean until 2027-01-31 -- Norway\nusers: []\n";
    let o = check_files(
        &[("t.yaml", tenant)],
        "2026-12-03",
        &["check", "t.yaml", "--format", "json"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(json(&o)["summary"]["waived"], 1);
}

#[test]
fn a_waiver_expires_within_the_horizon() {
    let tenant = format!(
        "{SSPR_ALL}  - upn: a@x.com  # skuld: waive sspr/cloud-user-license until 9999-12-31 -- forever\n"
    );
    let o = check_files(&[("t.yaml", &tenant)], "2026-12-03", &["check", "t.yaml"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    insta::assert_snapshot!("horizon_inline", stderr(&o));

    let waivers = |date: &str| {
        format!(
            "waivers:\n  - rule: sspr/cloud-user-license\n    subject: b@x.com\n    reason: x\n    expires: {date}\n"
        )
    };
    let tenant = format!("{SSPR_ALL}  - upn: b@x.com\n");
    // Default: one year from today, that day included.
    for (date, code) in [("2027-12-03", 0), ("2027-12-04", 2)] {
        let o = check_files(
            &[("t.yaml", &tenant), ("w.yaml", &waivers(date))],
            "2026-12-03",
            &["check", "t.yaml", "--waivers", "w.yaml"],
        );
        assert_eq!(o.status.code(), Some(code), "{date}: {}", stderr(&o));
    }
    // The config sets another horizon.
    let config = "waiver-max-expiry: 30d\n";
    for (date, code) in [("2027-01-02", 0), ("2027-01-03", 2)] {
        let o = check_files(
            &[
                ("t.yaml", &tenant),
                ("w.yaml", &waivers(date)),
                (".skuld.yaml", config),
            ],
            "2026-12-03",
            &["check", "t.yaml", "--waivers", "w.yaml"],
        );
        assert_eq!(o.status.code(), Some(code), "{date}: {}", stderr(&o));
        if code == 2 {
            insta::assert_snapshot!("horizon_config", stderr(&o));
        }
    }
    let o = check_files(
        &[
            ("t.yaml", &tenant),
            (".skuld.yaml", "waiver-max-expiry: forever\n"),
        ],
        "2026-12-03",
        &["check", "t.yaml"],
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("must be a number of days"),
        "{}",
        stderr(&o)
    );
}

/// Issue 23: 320k malformed inline waivers made 320k diagnostics (708 MB, 426 MB printed).
/// Each kind is capped per file, with the exact number left out; unused ones are capped alike.
#[test]
fn inline_waiver_diagnostics_are_capped_per_kind_with_an_exact_count() {
    use std::fmt::Write as _;
    let dir = tempfile::tempdir().unwrap();
    let mut tenant = String::from("tenant: t\nusers:\n");
    for i in 0..1000 {
        let _ = writeln!(
            tenant,
            "  - upn: u{i}@x.com  # skuld: wave sspr/cloud-user-license"
        );
        let _ = writeln!(
            tenant,
            "  - upn: v{i}@x.com  # skuld: waive sspr/cloud-user-license until 2027-01-01"
        );
    }
    std::fs::write(dir.path().join("t.yaml"), &tenant).unwrap();
    let o = skuld_in(
        dir.path(),
        "2026-11-25",
        &["check", "t.yaml", "--no-config", "--format", "json"],
    );
    assert_eq!(o.status.code(), Some(2), "malformed waivers stop the run");
    let doc = json(&o);
    let messages: Vec<&str> = doc["errors"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["message"].as_str())
        .collect();
    assert_eq!(messages.len(), 2 * 20 + 2, "{messages:#?}");
    for (what, n) in [
        ("unknown skuld directive `wave`", 980),
        ("this inline waiver gives no reason", 980),
    ] {
        assert_eq!(
            messages.iter().filter(|m| m.starts_with(what)).count(),
            20,
            "{what}"
        );
        let more = format!("and {n} more like this in t.yaml: {what}");
        assert!(
            messages.iter().any(|m| m.starts_with(&more)),
            "{more}\n{messages:#?}"
        );
    }
}
