//! The habits of a well-kept CLI, through the real binary: completions and man pages generated
//! from the clap definition, `--version` naming the default policy, an example in every
//! command's `--help`, and the catalog listing.

#![expect(clippy::unwrap_used, reason = "test code: a panic is a test failure")]

use std::process::Command;

use crate::common::{root, skuld_in, stderr, stdout};

fn skuld(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_skuld"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

/// The visible subcommands, from the same clap definition the binary uses.
fn subcommands() -> Vec<String> {
    let names: Vec<String> = skuld::cli_command()
        .get_subcommands()
        .filter(|c| !c.is_hide_set())
        .map(|c| c.get_name().to_owned())
        .collect();
    for expected in [
        "check",
        "fmt",
        "check-policy",
        "skus",
        "rules",
        "completions",
        "man",
    ] {
        assert!(names.iter().any(|n| n == expected), "{expected} missing");
    }
    names
}

#[test]
fn completion_scripts_name_every_subcommand() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let (code, out, err) = skuld(&["completions", shell]);
        assert_eq!((code, err.as_str()), (0, ""), "{shell}");
        for sub in subcommands() {
            assert!(out.contains(&sub), "{shell} completion lacks `{sub}`");
        }
    }
    let (code, _, err) = skuld(&["completions", "tcsh"]);
    assert_eq!(code, 2);
    assert!(err.contains("possible values"), "{err}");
}

#[test]
fn the_man_page_names_every_subcommand() {
    let (code, out, err) = skuld(&["man"]);
    assert_eq!((code, err.as_str()), (0, ""));
    assert!(
        out.starts_with(".ie") || out.contains(".TH skuld 1"),
        "{out}"
    );
    for sub in subcommands() {
        // roff writes a hyphen as `\-`.
        let roff = sub.replace('-', "\\-");
        assert!(out.contains(&roff), "man page lacks `{sub}`");
    }
}

#[test]
fn man_dir_writes_one_page_per_command() {
    let dir = tempfile::tempdir().unwrap();
    let (code, out, err) = skuld(&["man", "--dir", dir.path().to_str().unwrap()]);
    assert_eq!((code, out.as_str(), err.as_str()), (0, "", ""));
    let mut pages: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    pages.sort();
    let mut expected: Vec<String> = subcommands()
        .iter()
        .map(|s| format!("skuld-{s}.1"))
        .chain(["skuld.1".to_owned()])
        .collect();
    expected.sort();
    assert_eq!(pages, expected);
    let check = std::fs::read_to_string(dir.path().join("skuld-check.1")).unwrap();
    assert!(check.contains("fail\\-on"), "{check}");
    let file = dir.path().join("skuld.1");
    let (code, _, err) = skuld(&["man", "--dir", file.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(err.contains("cannot write"), "{err}");
}

#[test]
fn version_names_the_default_policy() {
    let (code, out, _) = skuld(&["--version"]);
    assert_eq!(code, 0);
    let expected = format!(
        "skuld {} (default policy: {})\n",
        env!("CARGO_PKG_VERSION"),
        skuld::DEFAULT_POLICY_VERSION,
    );
    assert_eq!(out, expected);
}

/// Every command, nested ones included, shows at least one example in its `--help`.
#[test]
fn every_help_shows_an_example() {
    fn walk(cmd: &clap::Command, path: &mut Vec<String>, seen: &mut usize) {
        if cmd.get_name() == "help" {
            return;
        }
        let (code, out, err) = skuld(
            &path
                .iter()
                .map(String::as_str)
                .chain(["--help"])
                .collect::<Vec<_>>(),
        );
        assert_eq!(code, 0, "skuld {path:?} --help: {err}");
        assert!(
            out.contains("Example"),
            "`skuld {} --help` shows no example",
            path.join(" ")
        );
        assert!(
            out.contains("  skuld "),
            "`skuld {} --help`: {out}",
            path.join(" ")
        );
        *seen += 1;
        for sub in cmd.get_subcommands().filter(|c| !c.is_hide_set()) {
            path.push(sub.get_name().to_owned());
            walk(sub, path, seen);
            path.pop();
        }
    }
    let mut seen = 0;
    walk(&skuld::cli_command(), &mut Vec::new(), &mut seen);
    assert!(seen >= 9, "walked only {seen} commands");
}

#[test]
fn skus_as_json_include_own_skus() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("mine.skuld");
    std::fs::write(
        &f,
        "sku \"MY-SKU\" \"Mine\" { free }\ngrant writeback to \"MY-SKU\"\n",
    )
    .unwrap();
    let (code, out, err) = skuld(&["skus", "--format", "json", "--policy", f.to_str().unwrap()]);
    assert_eq!((code, err.as_str()), (0, ""));
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    let mine = json
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["part"] == "MY-SKU")
        .unwrap();
    assert_eq!(mine["display"], "Mine");
    assert_eq!(mine["paid"], false);
    assert_eq!(mine["grants"], serde_json::json!(["writeback"]));
    assert!(
        mine["defined_in"]
            .as_str()
            .unwrap()
            .ends_with("mine.skuld:1")
    );
}

#[test]
fn rules_lists_id_severity_and_summary() {
    let (code, out, _) = skuld(&["rules"]);
    assert_eq!(code, 0);
    let line = out
        .lines()
        .find(|l| l.starts_with("licensing/nested-group "))
        .unwrap();
    assert!(line.contains(" warning "), "{line}");
    assert!(line.contains("A group assigns licenses"), "{line}");
}

/// A command line's words: white space separates them except inside single quotes (the
/// documented `skuld eval '…'` lines), which are dropped.
fn shell_words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word: Option<String> = None;
    let mut quoted = false;
    for c in line.chars() {
        match c {
            '\'' => {
                quoted = !quoted;
                word.get_or_insert_with(String::new);
            }
            c if c.is_whitespace() && !quoted => words.extend(word.take()),
            c => word.get_or_insert_with(String::new).push(c),
        }
    }
    words.extend(word);
    words
}

/// Every `skuld …` line of docs/cli.md runs for real (in a scratch folder holding the files the
/// examples name; redirections and comments cut off) and is accepted: exit 0 or 1, never 2.
#[test]
fn every_command_in_the_cli_docs_runs() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let doc = std::fs::read_to_string(root.join("docs/cli.md")).unwrap();
    let scratch = tempfile::tempdir().unwrap();
    let dir = scratch.path();
    std::fs::create_dir(dir.join("policies")).unwrap();
    for f in ["catalog", "licensing", "sspr-2017"] {
        std::fs::copy(
            root.join(format!("policies/{f}.skuld")),
            dir.join(format!("policies/{f}.skuld")),
        )
        .unwrap();
    }
    std::fs::copy(
        root.join("tests/data/check_policy/clean.skuld"),
        dir.join("my-skus.skuld"),
    )
    .unwrap();
    std::fs::copy(root.join("examples/clean.yaml"), dir.join("clean.yaml")).unwrap();
    let mut in_block = false;
    let mut ran = 0;
    for line in doc.lines() {
        if line.starts_with("```") {
            in_block = line == "```sh";
            continue;
        }
        let Some(rest) = line.strip_prefix("skuld ").filter(|_| in_block) else {
            continue;
        };
        // The first comment, redirection or pipe outside single quotes.
        let cut = rest
            .char_indices()
            .scan(false, |quoted, (i, c)| {
                *quoted ^= c == '\'';
                Some((i, *quoted))
            })
            .find(|&(i, quoted)| {
                !quoted
                    && [" #", " >", " <", " &&", " |"]
                        .iter()
                        .any(|m| rest[i..].starts_with(m))
            })
            .map_or(rest.len(), |(i, _)| i);
        let args = shell_words(&rest[..cut]);
        // `< FILE` feeds the file to standard input.
        let input = rest
            .split_once(" < ")
            .and_then(|(_, f)| f.split_whitespace().next())
            .map_or_else(Vec::new, |f| std::fs::read(dir.join(f)).unwrap());
        let mut child = Command::new(env!("CARGO_BIN_EXE_skuld"))
            .args(&args)
            .current_dir(dir)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        {
            use std::io::Write as _;
            child.stdin.take().unwrap().write_all(&input).unwrap();
        }
        let out = child.wait_with_output().unwrap();
        let code = out.status.code().unwrap();
        assert!(
            code == 0 || code == 1,
            "`skuld {rest}` exited {code}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        ran += 1;
    }
    assert!(ran >= 15, "only {ran} commands found in docs/cli.md");
}

#[test]
fn rules_as_json_match_the_table() {
    let (code, table, _) = skuld(&["rules"]);
    assert_eq!(code, 0);
    let (code, out, err) = skuld(&["rules", "--format", "json"]);
    assert_eq!((code, err.as_str()), (0, ""));
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    let rows = json.as_array().unwrap();
    assert_eq!(rows.len(), table.lines().count());
    let seats = rows.iter().find(|r| r["id"] == "licensing/seats").unwrap();
    assert_eq!(seats["severity"], "error");
    assert!(
        seats["defined_in"]
            .as_str()
            .unwrap()
            .starts_with("builtin:licensing:")
    );
    assert!(
        seats["docs"]
            .as_str()
            .unwrap()
            .contains("Fires for each subscribed SKU")
    );
    assert!(rows.iter().any(|r| r["defined_in"] == "built-in"));
}

/// `skuld skus QUERY` searches part numbers, names, GUIDs and service plans; the table fits
/// 100 columns; nothing found exits 1 with a message (issue 24).
#[test]
fn skus_searches_and_fits_100_columns() {
    let table = skuld_in(&root(), &["skus", "--no-config"]);
    assert_eq!(table.status.code(), Some(0));
    let widest = stdout(&table)
        .lines()
        .map(|l| l.chars().count())
        .max()
        .unwrap_or(0);
    assert!(widest <= 100, "{widest} columns");
    for (query, part) in [
        (&["SPB"][..], "SPB"),
        (&["business", "premium"][..], "SPB"),
        (&["cbdc14ab-d96c-4c30-b9f4-6ada7cdc1d46"][..], "SPB"),
        (&["aad_premium_p2"][..], "EMSPREMIUM"),
    ] {
        let mut args = vec!["skus", "--no-config"];
        args.extend_from_slice(query);
        let o = skuld_in(&root(), &args);
        assert_eq!(o.status.code(), Some(0), "{query:?}");
        assert!(
            stdout(&o)
                .lines()
                .any(|l| l.starts_with(&format!("{part} "))),
            "{query:?}: {}",
            stdout(&o)
        );
    }
    let o = skuld_in(&root(), &["skus", "--no-config", "SPB", "--format", "json"]);
    let rows: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let spb = rows
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["part"] == "SPB")
        .unwrap();
    assert!(
        spb["plans"].as_array().is_some_and(|p| p.len() > 10),
        "{spb}"
    );
    let o = skuld_in(&root(), &["skus", "--no-config", "no-such-sku-anywhere"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("no SKU matches `no-such-sku-anywhere`"));
}
