//! Issue 23: no output of `skuld check` carries a line a CI system or a terminal acts on, in any
//! format, whatever the tenant file holds: Azure Pipelines' `##vso[` (anywhere in a line) and
//! `##[`, GitHub Actions' line-leading `::`, ESC, BEL and `\r`; and in the GitHub job summary a
//! backtick cannot leave a code span. One test per format; each applies every CI system's check.
//! The same for the other commands that show what a pull request brings: `diff`, `test`,
//! `explain --user`, `explain RULE` and `rules`, one test per command and format.

#![expect(
    clippy::unwrap_used,
    reason = "helpers of tests: a panic is a test failure"
)]

use std::path::Path;
use std::process::Command;

/// A tenant whose values, comments and file name are all hostile. Double-quoted YAML escapes
/// put `\r`, ESC (`\e`), BEL (`\a`) and `\n` into values; the comments hold them raw, so that
/// the source snippets show them as they are.
const HOSTILE: &str = concat!(
    "tenant: \"t\\r##vso[task.setvariable variable=T]x\"\n",
    "# ##vso[task.prependpath]/tmp/evil ##[group]g\n",
    "# \u{1b}]0;title\u{7} \u{1b}[31mred \u{1b}]8;;http://x\u{1b}\\\n",
    "# a\r##vso[task.setvariable variable=C]c\n",
    "users:\n",
    "  - upn: \"c\\r##vso[task.setvariable variable=X]pwned\\r@x.com\"\n",
    "    licenses: [\"E3\\e]8;;http://x\\a\\n::error::pwned\\n  ::warning::w\"]\n",
    "  - upn: b@x.com\n",
    "    licenses: [\"x`](https://evil.example)<img src=x>`\"]\n",
);

/// The file's name carries a command too: paths are in every format.
const NAME: &str = "##vso[task.setvariable variable=F]f.yaml";

fn run(format: &str) -> (String, String, String) {
    let dir = tempfile::tempdir().unwrap();
    let tenants = dir.path().join("t");
    std::fs::create_dir(&tenants).unwrap();
    std::fs::write(tenants.join(NAME), HOSTILE).unwrap();
    let summary = dir.path().join("summary.md");
    std::fs::write(&summary, "").unwrap();
    let mut args = vec!["check", "t", "--no-config", "--format", format];
    if format == "html" {
        args.extend(["-o", "report.html"]);
    }
    let o = Command::new(env!("CARGO_BIN_EXE_skuld"))
        .args(&args)
        .current_dir(dir.path())
        .env_remove("COLUMNS")
        .env_remove("SKULD_DOCS_URL")
        .env("NO_COLOR", "1")
        .env("GITHUB_STEP_SUMMARY", &summary)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1), "{format}: {}", lossy(&o.stderr));
    let stdout = if format == "html" {
        std::fs::read_to_string(dir.path().join("report.html")).unwrap()
    } else {
        lossy(&o.stdout)
    };
    (stdout, lossy(&o.stderr), read(&summary))
}

fn lossy(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap()
}

/// Azure Pipelines: `##vso[` anywhere in a line (any case), `##[`, and `\r`, which the agent
/// reads as a line break. `own` is the prefix of the format's own commands.
fn azure(what: &str, text: &str, own: Option<&str>) {
    assert!(!text.contains('\r'), "{what}: a carriage return\n{text}");
    assert!(!text.contains("##["), "{what}: `##[`\n{text}");
    for line in text.lines() {
        let rest = match own {
            Some(prefix) => line.strip_prefix(prefix).unwrap_or(line),
            None => line,
        };
        assert!(
            !rest.to_ascii_lowercase().contains("##vso["),
            "{what}: `##vso[` in {line:?}"
        );
    }
}

/// GitHub Actions: a line that starts with `::` (after blanks). `own` allows the format's own
/// annotations.
fn github(what: &str, text: &str, own: bool) {
    for line in text.lines() {
        let start = line.trim_start();
        if own
            && ["::error ", "::warning ", "::notice "]
                .iter()
                .any(|p| start.starts_with(p))
        {
            continue;
        }
        assert!(!start.starts_with("::"), "{what}: a command line {line:?}");
    }
}

/// A terminal: ESC and BEL (no colour was asked for).
fn terminal(what: &str, text: &str) {
    assert!(
        !text.contains(['\u{1b}', '\u{7}']),
        "{what}: ESC or BEL\n{text}"
    );
}

fn every_system(format: &str, own_azure: Option<&str>, own_github: bool) {
    let (stdout, stderr, summary) = run(format);
    assert!(
        stdout.contains("vso"),
        "{format}: the hostile values are shown\n{stdout}"
    );
    for (what, text) in [
        (format, &stdout),
        ("stderr", &stderr),
        ("job summary", &summary),
    ] {
        let what = format!("--format {format}, {what}");
        azure(&what, text, own_azure.filter(|_| text == &stdout));
        github(&what, text, own_github && text == &stdout);
        terminal(&what, text);
    }
    if format == "github" {
        // Every `<` is our `<br>` or escaped, every backtick escaped: no code span to leave.
        let s = summary.replace("<br>", "");
        assert!(s.contains("evil.example"), "{s}");
        for (i, c) in s.char_indices() {
            if c == '<' || c == '`' {
                assert_eq!(s.get(i - 1..i), Some("\\"), "unescaped {c:?} in {s}");
            }
        }
    } else {
        assert!(
            summary.is_empty(),
            "only --format github writes the job summary"
        );
    }
}

#[test]
fn human_output_is_inert() {
    every_system("human", None, false);
}

#[test]
fn compact_output_is_inert() {
    every_system("compact", None, false);
}

#[test]
fn github_output_is_inert_but_its_own_annotations() {
    every_system("github", None, true);
}

#[test]
fn azure_output_is_inert_but_its_own_commands() {
    every_system("azure", Some("##vso[task.logissue "), false);
}

#[test]
fn json_output_is_inert_and_decodes_to_the_values() {
    every_system("json", None, false);
    let (stdout, _, _) = run("json");
    let doc: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let messages: Vec<&str> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["message"].as_str())
        .collect();
    // Escapes, not changes: a JSON reader gets the value as it is in the file.
    assert!(
        messages
            .iter()
            .any(|m| m.contains("E3\u{1b}]8;;http://x\u{7}\n::error::pwned")),
        "{messages:?}"
    );
}

#[test]
fn sarif_output_is_inert() {
    every_system("sarif", None, false);
}

#[test]
fn junit_output_is_inert() {
    every_system("junit", None, false);
}

#[test]
fn html_output_is_inert() {
    every_system("html", None, false);
}

#[test]
fn colours_on_a_terminal_are_skulds_own_only() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("t.yaml"), HOSTILE).unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_skuld"))
        .args(["check", "t.yaml", "--no-config", "--color", "always"])
        .current_dir(dir.path())
        .env_remove("NO_COLOR")
        .output()
        .unwrap();
    let out = lossy(&o.stdout);
    assert!(out.contains("\u{1b}["), "colours asked for\n{out}");
    // The hostile OSC sequences (`ESC ]`) and BEL are shown as pictures.
    assert!(!out.contains("\u{1b}]") && !out.contains('\u{7}'), "{out}");
    assert!(out.contains("␛]8;;http://x"), "{out}");
    azure("--color always", &out, None);
    github("--color always", &out, false);
}

/// `skuld ARGS` in `dir` (no colour, no config); stdout and stderr, the exit code not 2 unless
/// `fails`.
fn skuld_in(dir: &Path, args: &[&str]) -> (String, String) {
    let o = Command::new(env!("CARGO_BIN_EXE_skuld"))
        .args(args)
        .current_dir(dir)
        .env_remove("COLUMNS")
        .env_remove("SKULD_DOCS_URL")
        .env_remove("GITHUB_STEP_SUMMARY")
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let (stdout, stderr) = (lossy(&o.stdout), lossy(&o.stderr));
    assert_ne!(o.status.code(), Some(2), "{args:?}: {stderr}");
    (stdout, stderr)
}

/// Every CI system's check on stdout and stderr of one command; `shown` must be in stdout (the
/// hostile text is there, made inert, not left out).
fn inert(what: &str, (stdout, stderr): (String, String), shown: &str, own_github: bool) {
    assert!(
        stdout.contains(shown),
        "{what}: `{shown}` is shown\n{stdout}"
    );
    for (stream, text, own) in [("stdout", &stdout, own_github), ("stderr", &stderr, false)] {
        let what = format!("{what}, {stream}");
        azure(&what, text, None);
        github(&what, text, own);
        terminal(&what, text);
    }
}

/// A folder with the hostile tenant as `NAME` and a clean earlier version as `base.yaml`.
fn hostile_folder() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(NAME), HOSTILE).unwrap();
    std::fs::write(
        dir.path().join("base.yaml"),
        "tenant: t\nusers:\n  - upn: b@x.com\n",
    )
    .unwrap();
    dir
}

#[test]
fn diff_output_is_inert_in_every_format() {
    // The hostile tenant is the new version of an empty one: every finding is introduced, and
    // every format of `skuld diff` shows it.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("base.yaml"), "tenant: t\n").unwrap();
    std::fs::write(dir.path().join(NAME), HOSTILE).unwrap();
    for (format, own_azure, own_github) in [
        ("human", None, false),
        ("compact", None, false),
        ("json", None, false),
        ("sarif", None, false),
        ("github", None, true),
        ("azure", Some("##vso[task.logissue "), false),
        ("junit", None, false),
        ("html", None, false),
        ("markdown", None, false),
    ] {
        let o = Command::new(env!("CARGO_BIN_EXE_skuld"))
            .args(["diff", "base.yaml", NAME, "--no-config", "--format", format])
            .current_dir(dir.path())
            .env_remove("COLUMNS")
            .env_remove("SKULD_DOCS_URL")
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(1), "{format}: {}", lossy(&o.stderr));
        let (stdout, stderr) = (lossy(&o.stdout), lossy(&o.stderr));
        assert!(stdout.contains("vso"), "diff {format}: shown\n{stdout}");
        for (what, text, own) in [("stdout", &stdout, true), ("stderr", &stderr, false)] {
            let what = format!("diff --format {format}, {what}");
            azure(&what, text, own_azure.filter(|_| own));
            github(&what, text, own_github && own);
            terminal(&what, text);
        }
    }
}

#[test]
fn test_output_is_inert_in_every_format() {
    // A test file whose name and tenant carry the commands, expecting nothing: it fails, and
    // the failure shows the findings.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path()
            .join("##vso[task.setvariable variable=F]f.test.yaml"),
        HOSTILE,
    )
    .unwrap();
    for format in ["human", "json"] {
        let out = skuld_in(
            dir.path(),
            &["test", ".", "--no-config", "--format", format],
        );
        inert(&format!("test --format {format}"), out, "vso", false);
    }
}

#[test]
fn explain_user_output_is_inert_in_every_format() {
    let dir = hostile_folder();
    let upn = "c\r##vso[task.setvariable variable=X]pwned\r@x.com";
    for format in ["human", "json"] {
        let out = skuld_in(
            dir.path(),
            &[
                "explain",
                NAME,
                "--user",
                upn,
                "--no-config",
                "--format",
                format,
            ],
        );
        inert(
            &format!("explain --user --format {format}"),
            out,
            "vso",
            false,
        );
    }
}

#[test]
fn rules_and_explain_rule_output_is_inert() {
    // Policy files come with the pull request too: their doc comments and texts are shown.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("p.skuld"),
        concat!(
            "/// ##vso[task.setvariable variable=D]d \u{1b}]0;title\u{7}\n",
            "/// ::error::pwned\n",
            "rule acme/hostile {\n",
            "    severity warning\n",
            "    for user u\n",
            "    require u.synced\n",
            "    at u \"##[group]label\"\n",
            "    message \"`{u.upn}` ##vso[task.setvariable variable=M]m\"\n",
            "    help \"\\r::warning::h\"\n",
            "}\n",
        ),
    )
    .unwrap();
    let out = skuld_in(dir.path(), &["rules", "--no-config", "--policy", "p.skuld"]);
    inert("rules", out, "acme/hostile", false);
    let out = skuld_in(
        dir.path(),
        &[
            "explain",
            "acme/hostile",
            "--no-config",
            "--policy",
            "p.skuld",
        ],
    );
    inert("explain RULE", out, "vso", false);
}
