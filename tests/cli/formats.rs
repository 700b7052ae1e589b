//! The output formats of `skuld check` through the real binary: compact, SARIF (validated against
//! the official schema), GitHub and Azure annotations, JUnit XML, and `--output FILE`.

#![expect(
    clippy::unwrap_used,
    reason = "helpers of tests: a panic is a test failure"
)]

use std::collections::BTreeSet;
use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

use crate::common::{assert_valid_sarif, problem_findings, root, sarif_schema, stderr, stdout};

/// Runs skuld in the repository root with a fixed, colourless environment (and none of the
/// variables CI services set, so the output does not depend on where the tests run).
fn skuld_env(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_skuld"));
    cmd.args(args)
        .current_dir(root())
        .env_remove("COLUMNS")
        .env_remove("GITHUB_STEP_SUMMARY")
        .env_remove("SKULD_DOCS_URL")
        .env("NO_COLOR", "1");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().unwrap()
}

fn skuld(args: &[&str]) -> Output {
    skuld_env(args, &[])
}

const PROBLEMS: &str = "examples/problems.yaml";
const CLEAN: &str = "examples/clean.yaml";
const BROKEN: &str = "tests/data/tenants/err/several-errors.yaml";

fn format(name: &str, files: &[&str]) -> Output {
    let mut args = vec!["check", "--format", name];
    args.extend_from_slice(files);
    skuld(&args)
}

#[test]
fn compact_is_one_line_per_finding() {
    let o = format("compact", &[PROBLEMS]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let out = stdout(&o);
    assert_eq!(out.lines().count(), problem_findings());
    for line in out.lines() {
        assert!(line.starts_with("examples/problems.yaml:"), "{line}");
        assert!(
            line.contains(": error[") || line.contains(": warning["),
            "{line}"
        );
    }
    insta::assert_snapshot!("compact_problems", out);

    let o = format("compact", &[CLEAN]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(stdout(&o), "");
}

#[test]
fn github_annotations() {
    let o = format("github", &[PROBLEMS]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let out = stdout(&o);
    assert_eq!(out.lines().filter(|l| l.starts_with("::error ")).count(), 7);
    assert_eq!(
        out.lines().filter(|l| l.starts_with("::warning ")).count(),
        2
    );
    insta::assert_snapshot!("github_problems", out);

    let o = format("github", &[CLEAN]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(stdout(&o), "");
}

#[test]
fn github_appends_a_summary_table_to_the_step_summary() {
    let dir = tempfile::tempdir().unwrap();
    let summary = dir.path().join("summary.md");
    std::fs::write(&summary, "earlier step\n").unwrap();
    let path = summary.display().to_string();
    let env = [("GITHUB_STEP_SUMMARY", path.as_str())];
    let o = skuld_env(&["check", "--format", "github", PROBLEMS], &env);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let text = std::fs::read_to_string(&summary).unwrap();
    assert!(text.starts_with("earlier step\n"), "appended, not replaced");
    let table = text.strip_prefix("earlier step\n").unwrap();
    insta::assert_snapshot!("github_step_summary", table);

    // A second run appends again.
    let o = skuld_env(&["check", "--format", "github", CLEAN], &env);
    assert_eq!(o.status.code(), Some(0));
    let text = std::fs::read_to_string(&summary).unwrap();
    assert!(
        text.ends_with("### skuld: no findings in 1 tenant file\n\n"),
        "{text}"
    );
}

#[test]
fn azure_logging_commands() {
    let o = format("azure", &[PROBLEMS]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(
        out.lines()
            .all(|l| l.starts_with("##vso[task.logissue type="))
    );
    assert_eq!(out.lines().count(), problem_findings());
    insta::assert_snapshot!("azure_problems", out);

    let o = format("azure", &[CLEAN]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(stdout(&o), "");
}

#[test]
fn junit_has_a_testcase_per_rule_and_file() {
    let o = format("junit", &[PROBLEMS, CLEAN]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let out = stdout(&o);
    let rules = stdout(&skuld(&["rules"])).lines().count();
    assert_eq!(out.matches("<testsuite ").count(), 2);
    assert_eq!(out.matches("<testcase ").count(), 2 * rules);
    assert_eq!(
        out.matches("<failure ").count(),
        9,
        "nine rules fail once each"
    );
    assert!(out.contains(&format!(
        "<testsuites name=\"skuld\" tests=\"{}\" failures=\"9\" errors=\"0\">",
        2 * rules
    )));
    assert!(out.contains("examples/problems.yaml:73:16: unknown SKU `ENTERPRISEPAK`"));
    insta::assert_snapshot!("junit_problems_and_clean", out);
}

#[test]
fn junit_reports_a_file_that_cannot_be_read_as_an_error() {
    let o = format("junit", &[BROKEN, CLEAN, "no-such-tenant.yaml"]);
    assert_eq!(o.status.code(), Some(2));
    insta::assert_snapshot!("junit_load_errors", stdout(&o));
}

fn sarif(args: &[&str], env: &[(&str, &str)]) -> (Output, Value) {
    let mut all = vec!["check", "--format", "sarif"];
    all.extend_from_slice(args);
    let o = skuld_env(&all, env);
    let doc = serde_json::from_str(&stdout(&o)).unwrap();
    (o, doc)
}

#[test]
fn sarif_of_the_problem_example_is_valid_and_complete() {
    let (o, doc) = sarif(&[PROBLEMS], &[]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_valid_sarif(&doc);

    assert_eq!(doc["version"], "2.1.0");
    let runs = doc["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 1);
    let run = &runs[0];
    let driver = &run["tool"]["driver"];
    assert_eq!(driver["name"], "skuld");
    assert_eq!(driver["version"], env!("CARGO_PKG_VERSION"));
    let rules = driver["rules"].as_array().unwrap();
    let listed = stdout(&skuld(&["rules"])).lines().count();
    assert_eq!(rules.len(), listed, "every policy rule and built-in check");
    for r in rules {
        assert!(!r["shortDescription"]["text"].as_str().unwrap().is_empty());
        assert!(r["fullDescription"]["text"].is_string());
        let level = r["defaultConfiguration"]["level"].as_str().unwrap();
        assert!(level == "error" || level == "warning");
        assert!(
            r.get("helpUri").is_none(),
            "no base URL known without SKULD_DOCS_URL"
        );
    }
    assert_eq!(run["invocations"][0]["executionSuccessful"], true);

    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), problem_findings());
    for res in results {
        let index = usize::try_from(res["ruleIndex"].as_u64().unwrap()).unwrap();
        assert_eq!(rules[index]["id"], res["ruleId"]);
        assert!(
            res["partialFingerprints"]["skuld/v1"]
                .as_str()
                .unwrap()
                .len()
                == 16
        );
        let loc = &res["locations"][0]["physicalLocation"];
        assert_eq!(loc["artifactLocation"]["uri"], "examples/problems.yaml");
        let region = &loc["region"];
        for k in ["startLine", "startColumn", "endLine", "endColumn"] {
            assert!(region[k].as_u64().unwrap() >= 1, "{k} is 1-based");
        }
    }
    // The unknown SKU `ENTERPRISEPAK` at 73:16, 13 characters long.
    let unknown = results
        .iter()
        .find(|r| r["ruleId"] == "tenant/unknown-sku")
        .unwrap();
    assert_eq!(
        unknown["locations"][0]["physicalLocation"]["region"],
        serde_json::json!({"startLine": 73, "startColumn": 16, "endLine": 73, "endColumn": 29})
    );
    // Secondary labels become related locations with their text.
    let nested = results
        .iter()
        .find(|r| r["ruleId"] == "licensing/nested-group")
        .unwrap();
    let related = nested["relatedLocations"].as_array().unwrap();
    assert!(!related.is_empty());
    assert!(
        related[0]["message"]["text"]
            .as_str()
            .unwrap()
            .contains("`IT`")
    );
}

#[test]
fn the_schema_check_is_not_vacuous() {
    let validator = sarif_schema();
    let (_, mut doc) = sarif(&[PROBLEMS], &[]);
    assert!(validator.is_valid(&doc));
    doc["runs"][0]["results"][0]["level"] = "fatal".into();
    assert!(!validator.is_valid(&doc), "an unknown level is rejected");
    let (_, mut doc) = sarif(&[PROBLEMS], &[]);
    doc["runs"][0]["tool"]["driver"]["rules"][0]["helpUri"] = "docs/rules/x.md".into();
    assert!(!validator.is_valid(&doc), "helpUri must be an absolute URI");
}

#[test]
fn sarif_help_links_use_the_configured_base() {
    let env = [("SKULD_DOCS_URL", "https://example.com/skuld/blob/v1/")];
    let (_, doc) = sarif(&[PROBLEMS], &env);
    assert_valid_sarif(&doc);
    let driver = &doc["runs"][0]["tool"]["driver"];
    assert_eq!(
        driver["informationUri"],
        "https://example.com/skuld/blob/v1"
    );
    let seats = driver["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "licensing/seats")
        .unwrap();
    assert_eq!(
        seats["helpUri"],
        "https://example.com/skuld/blob/v1/docs/rules/licensing/seats.md"
    );
}

#[test]
fn sarif_reports_load_errors_as_notifications() {
    let (o, doc) = sarif(&[BROKEN, PROBLEMS, "no-such-tenant.yaml"], &[]);
    assert_eq!(o.status.code(), Some(2));
    assert_valid_sarif(&doc);
    let invocation = &doc["runs"][0]["invocations"][0];
    assert_eq!(invocation["executionSuccessful"], false);
    let notes = invocation["toolExecutionNotifications"].as_array().unwrap();
    assert_eq!(
        notes.len(),
        6,
        "five errors in the broken file, one missing file"
    );
    assert!(notes.iter().all(|n| n["level"] == "error"));
    let unknown_key = notes
        .iter()
        .find(|n| n["descriptor"]["id"] == "skuld::tenant::unknown-key")
        .unwrap();
    let loc = &unknown_key["locations"][0]["physicalLocation"];
    assert_eq!(
        loc["artifactLocation"]["uri"],
        "tests/data/tenants/err/several-errors.yaml"
    );
    assert_eq!(loc["region"]["startLine"], 4);
    assert_eq!(loc["region"]["startColumn"], 5);
    // The findings of the readable file are still there.
    assert_eq!(
        doc["runs"][0]["results"].as_array().unwrap().len(),
        problem_findings()
    );
}

#[expect(
    clippy::indexing_slicing,
    reason = "a missing key reads as null and fails the unwrap"
)]
fn fingerprints(doc: &Value) -> BTreeSet<(String, String)> {
    doc["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["ruleId"].as_str().unwrap().to_owned(),
                r["partialFingerprints"]["skuld/v1"]
                    .as_str()
                    .unwrap()
                    .to_owned(),
            )
        })
        .collect()
}

#[test]
fn sarif_fingerprints_survive_reordering_the_yaml() {
    let a = "tenant: t.onmicrosoft.com\ncountry: US\nusers:\n  - upn: a@t.com\n    licenses: [NOPE]\n  - upn: b@t.com\n    usage_location: XX\n";
    let b = "# moved around\ntenant: t.onmicrosoft.com\ncountry: US\nusers:\n  - upn: b@t.com\n    usage_location: XX\n\n\n  - upn: a@t.com\n    licenses: [NOPE]\n";
    let dir = tempfile::tempdir().unwrap();
    let (pa, pb) = (dir.path().join("a.yaml"), dir.path().join("b.yaml"));
    std::fs::write(&pa, a).unwrap();
    std::fs::write(&pb, b).unwrap();
    let (_, da) = sarif(&[pa.to_str().unwrap()], &[]);
    let (_, db) = sarif(&[pb.to_str().unwrap()], &[]);
    let fa = fingerprints(&da);
    assert_eq!(fa.len(), 2, "{da}");
    assert_eq!(fa, fingerprints(&db));
    assert_valid_sarif(&da);
}

#[test]
fn odd_file_names_are_escaped_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    let name = "we,ird%;]: name.yaml";
    let path = dir.path().join(name);
    std::fs::copy(root().join(PROBLEMS), &path).unwrap();
    let p = path.to_str().unwrap();

    let gh = stdout(&format("github", &[p]));
    assert!(gh.contains("we%2Cird%25;]%3A name.yaml,line=17,"), "{gh}");

    let az = stdout(&format("azure", &[p]));
    assert!(
        az.contains("we,ird%25%3B%5D: name.yaml;linenumber=17;"),
        "{az}"
    );

    let (_, doc) = sarif(&[p], &[]);
    assert_valid_sarif(&doc);
    let uri = doc["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
        ["uri"]
        .as_str()
        .unwrap();
    assert!(uri.ends_with("/we%2Cird%25%3B%5D%3A%20name.yaml"), "{uri}");

    let xml = stdout(&format("junit", &[p]));
    assert!(xml.contains("we,ird%;]: name.yaml"), "no XML escape needed");
}

#[test]
fn junit_escapes_markup_in_file_names() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a&<b>\"'.yaml");
    std::fs::copy(root().join(PROBLEMS), &path).unwrap();
    let xml = stdout(&format("junit", &[path.to_str().unwrap()]));
    assert!(xml.contains("a&amp;&lt;b&gt;&quot;&apos;.yaml\""), "{xml}");
    assert!(!xml.contains("a&<b>"));
}

#[test]
fn json_is_unchanged_and_the_same_through_output() {
    let o = format("json", &[PROBLEMS]);
    assert_eq!(o.status.code(), Some(1));
    let doc: Value = serde_json::from_str(&stdout(&o)).unwrap();
    // Contract v2 adds `errors`; `tenants` and `rules` are additive (keys sorted by serde_json).
    assert_eq!(
        doc.as_object().unwrap().keys().collect::<Vec<_>>(),
        [
            "errors", "findings", "policy", "rules", "summary", "tenants"
        ]
    );
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("findings.json");
    let o2 = skuld(&[
        "check",
        "--format",
        "json",
        "--output",
        out.to_str().unwrap(),
        PROBLEMS,
    ]);
    assert_eq!(o2.status.code(), Some(1));
    assert_eq!(std::fs::read_to_string(&out).unwrap(), stdout(&o));
}

fn entries(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn output_writes_the_file_and_nothing_to_stdout() {
    let dir = tempfile::tempdir().unwrap();
    for fmt in [
        "human", "compact", "json", "sarif", "github", "azure", "junit",
    ] {
        let out = dir.path().join(format!("report.{fmt}"));
        std::fs::write(&out, "an older report, to be replaced").unwrap();
        let o = skuld(&[
            "check",
            "--format",
            fmt,
            "--output",
            out.to_str().unwrap(),
            PROBLEMS,
        ]);
        assert_eq!(o.status.code(), Some(1), "{fmt}: {}", stderr(&o));
        assert_eq!(stdout(&o), "", "{fmt}");
        assert_eq!(stderr(&o), "", "{fmt}");
        let written = std::fs::read_to_string(&out).unwrap();
        assert_eq!(written, stdout(&format(fmt, &[PROBLEMS])), "{fmt}");
    }
    let names = entries(dir.path());
    assert_eq!(names.len(), 7, "no temporary file left behind: {names:?}");
}

#[test]
fn output_to_an_unwritable_path_is_exit_2_with_a_diagnostic() {
    let o = skuld(&[
        "check",
        "--output",
        "no-such-folder/sub/report.sarif",
        "--format",
        "sarif",
        CLEAN,
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(stdout(&o), "");
    let err = stderr(&o);
    assert!(err.contains("skuld::io"), "{err}");
    assert!(
        err.contains("cannot write `no-such-folder/sub/report.sarif`"),
        "{err}"
    );
}

#[test]
fn a_failing_output_leaves_an_existing_file_untouched() {
    let dir = tempfile::tempdir().unwrap();
    // A name so long that the temporary file beside it cannot be created (names are limited to
    // 255 bytes), while the file itself exists: the write fails even for root.
    let out = dir.path().join(format!("{}.sarif", "r".repeat(240)));
    std::fs::write(&out, "the previous report").unwrap();
    let o = skuld(&[
        "check",
        "--format",
        "sarif",
        "--output",
        out.to_str().unwrap(),
        PROBLEMS,
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("cannot write"), "{}", stderr(&o));
    assert_eq!(
        std::fs::read_to_string(&out).unwrap(),
        "the previous report"
    );
    assert_eq!(
        entries(dir.path()).len(),
        1,
        "no temporary file left behind"
    );

    // A folder is not replaced either.
    let o = skuld(&["check", "--output", dir.path().to_str().unwrap(), CLEAN]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(entries(dir.path()).len(), 1);
}

#[test]
fn help_lists_every_format_and_output() {
    let o = skuld(&["check", "--help"]);
    let out = stdout(&o);
    for f in [
        "human", "compact", "json", "sarif", "github", "azure", "junit", "--output",
    ] {
        assert!(out.contains(f), "{f} missing from --help");
    }
}

#[test]
fn load_errors_keep_their_help_in_every_ci_format() {
    let help = "did you mean `usage_location`?";
    let sarif: Value = serde_json::from_str(&stdout(&format("sarif", &[BROKEN]))).unwrap();
    let notes = sarif["runs"][0]["invocations"][0]["toolExecutionNotifications"].to_string();
    assert!(notes.contains(&format!("\\nhelp: {help}")), "{notes}");
    let github = stdout(&format("github", &[BROKEN]));
    assert!(github.contains(&format!("%0Ahelp: {help}")), "{github}");
    let azure = stdout(&format("azure", &[BROKEN]));
    assert!(azure.contains(&format!("%0Ahelp: {help}")), "{azure}");
    let json: Value = serde_json::from_str(&stdout(&format("json", &[BROKEN]))).unwrap();
    let errors = json["errors"].as_array().unwrap();
    assert!(errors.iter().any(|e| e["help"] == help), "{json}");
    assert!(
        errors
            .iter()
            .all(|e| e["code"].is_string() && e["file"].is_string())
    );
}

/// Every format names the policy and its SSPR matrix, with how to choose another: the human
/// report one line before the totals, JSON (and so the HTML page's data) `policy`, SARIF the
/// run's properties.
#[test]
fn reports_name_the_policy_and_its_sspr_matrix() {
    let dir = tempfile::tempdir().unwrap();
    let mine = dir.path().join("mine.skuld");
    std::fs::write(&mine, "capability acme_thing \"a thing\"\n").unwrap();
    let mine = mine.display().to_string();
    let args = |format: &str| {
        vec![
            "check",
            PROBLEMS,
            "--no-config",
            "--policy",
            "builtin:sspr-current",
            "--policy",
            mine.as_str(),
            "--format",
            format,
        ]
        .into_iter()
        .map(str::to_owned)
        .collect::<Vec<_>>()
    };
    let run = |format: &str| {
        let a = args(format);
        skuld(&a.iter().map(String::as_str).collect::<Vec<_>>())
    };
    let human = stdout(&run("human"));
    let lines: Vec<&str> = human.lines().collect();
    assert_eq!(
        lines[lines.len() - 2],
        format!(
            "policy: the default policy + {mine}, SSPR matrix of 2025-01-06 (builtin:sspr-current; another: --policy builtin:sspr-2017 or builtin:sspr-2019)"
        )
    );
    let doc: Value = serde_json::from_str(&stdout(&run("json"))).unwrap();
    let policy = &doc["policy"];
    assert_eq!(policy["default_policy"], true);
    assert_eq!(policy["sspr_matrix"], "builtin:sspr-current");
    assert_eq!(policy["matrix_date"], "2025-01-06");
    assert_eq!(
        policy["other_matrices"],
        serde_json::json!(["builtin:sspr-2017", "builtin:sspr-2019"])
    );
    assert_eq!(policy["files"], serde_json::json!([mine]));
    let sarif: Value = serde_json::from_str(&stdout(&run("sarif"))).unwrap();
    assert_eq!(&sarif["runs"][0]["properties"]["policy"], policy);
    assert!(
        sarif["runs"][0]["properties"]["policyText"]
            .as_str()
            .unwrap()
            .contains("SSPR matrix of 2025-01-06")
    );
    let html = stdout(&run("html"));
    assert!(
        html.contains(r#""matrix_date":"2025-01-06""#),
        "the page's data names it"
    );
}
