//! Helpers shared by the modules of this test binary: running `skuld`, reading its output.

#![expect(
    clippy::unwrap_used,
    reason = "helpers of tests: a panic is a test failure"
)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

/// The line the human report gives the embedded default policy, before the totals.
pub const DEFAULT_POLICY_LINE: &str = "policy: the default policy, SSPR matrix of 2017-04-26 (builtin:sspr-2017; another: --policy builtin:sspr-2019 or builtin:sspr-current)\n";

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

pub fn skuld_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_skuld"))
        .args(args)
        .current_dir(dir)
        .env_remove("COLUMNS")
        .env("NO_COLOR", "1")
        .env("SKULD_TODAY", "2026-11-25")
        .output()
        .unwrap()
}

pub fn json(o: &Output) -> Value {
    serde_json::from_str(&stdout(o)).unwrap()
}

/// Writes a file, creating the folders above it.
pub fn write(path: &Path, text: &str) {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).unwrap();
    }
    std::fs::write(path, text).unwrap();
}

/// An example tenant of `examples/`.
pub fn example(name: &str) -> String {
    std::fs::read_to_string(root().join("examples").join(name)).unwrap()
}

/// Runs git in `dir` (an identity and no signing, for commits); a failure fails the test.
pub fn git(dir: &Path, args: &[&str]) {
    let o = Command::new("git")
        .args([
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@x",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(o.status.success(), "git {args:?}: {}", stderr(&o));
}

/// The OASIS SARIF 2.1.0 schema, kept in the repository (`tests/data/sarif/`, with its
/// provenance), so the SARIF checks run in every clone.
pub fn sarif_schema() -> jsonschema::Validator {
    let text =
        std::fs::read_to_string(root().join("tests/data/sarif/sarif-schema-2.1.0.json")).unwrap();
    let schema: Value = serde_json::from_str(&text).unwrap();
    jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .unwrap()
}

/// Fails with every schema violation of `doc`.
pub fn assert_valid_sarif(doc: &Value) {
    let errors: Vec<String> = sarif_schema()
        .iter_errors(doc)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "SARIF schema violations:\n{}",
        errors.join("\n")
    );
}

/// How many findings the default policy reports on `examples/problems.yaml`: the length of
/// `tests/data/examples/problems.expected.yaml`, which `tests/api/cases.rs` checks finding by
/// finding, so a count here follows the data instead of repeating it.
pub fn problem_findings() -> usize {
    let text =
        std::fs::read_to_string(root().join("tests/data/examples/problems.expected.yaml")).unwrap();
    crate::yaml::to_json(&text)
        .unwrap()
        .get("want_findings")
        .and_then(Value::as_array)
        .unwrap()
        .len()
}
