//! Runs docs/tutorial-new-sku.md: in an empty folder, in document order, every code block whose
//! first line is `# file: PATH` or `// file: PATH` is written to PATH, and every `$ skuld …` line
//! of a `console` block is run with the real binary. The lines shown after a command must appear
//! in its output, in order (a block may show an excerpt), and the command must exit 1 when they
//! show a failure (`FAILED`, an `error[` finding) and 0 otherwise.

#![expect(
    clippy::unwrap_used,
    reason = "helpers of tests: a panic is a test failure"
)]

use std::path::Path;
use std::process::Command;

use crate::common::root;

enum Step {
    File {
        path: String,
        text: String,
    },
    Run {
        args: Vec<String>,
        shown: Vec<String>,
    },
}

fn steps(markdown: &str) -> Vec<Step> {
    let mut out = Vec::new();
    let mut lines = markdown.lines();
    while let Some(line) = lines.next() {
        let Some(lang) = line.strip_prefix("```") else {
            continue;
        };
        let block: Vec<&str> = lines.by_ref().take_while(|l| *l != "```").collect();
        if lang == "console" {
            for line in block {
                if let Some(cmd) = line.strip_prefix("$ ") {
                    let args: Vec<String> = cmd.split_whitespace().map(str::to_owned).collect();
                    assert_eq!(args.first().map(String::as_str), Some("skuld"), "{cmd}");
                    out.push(Step::Run {
                        args: args.into_iter().skip(1).collect(),
                        shown: Vec::new(),
                    });
                } else if let Some(Step::Run { shown, .. }) = out.last_mut() {
                    shown.push(line.to_owned());
                }
            }
        } else if let Some(first) = block.first() {
            let path = first
                .strip_prefix("# file: ")
                .or_else(|| first.strip_prefix("// file: "));
            if let Some(path) = path {
                let mut text = block.join("\n");
                text.push('\n');
                out.push(Step::File {
                    path: path.trim().to_owned(),
                    text,
                });
            }
        }
    }
    out
}

fn run(dir: &Path, args: &[String], shown: &[String]) {
    let o = Command::new(env!("CARGO_BIN_EXE_skuld"))
        .args(args)
        .current_dir(dir)
        .env_remove("COLUMNS")
        .env_remove("SKULD_DOCS_URL")
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let output = format!(
        "{}{}",
        String::from_utf8(o.stdout).unwrap(),
        String::from_utf8(o.stderr).unwrap()
    );
    let actual: Vec<&str> = output.lines().map(str::trim_end).collect();
    let mut at = 0;
    for want in shown.iter().map(|s| s.trim_end()).filter(|s| !s.is_empty()) {
        let found = actual.iter().skip(at).position(|l| *l == want);
        assert!(
            found.is_some(),
            "`skuld {}`: the line\n  {want}\nis not in the output:\n{output}",
            args.join(" ")
        );
        at += found.unwrap() + 1;
    }
    let fails = shown
        .iter()
        .any(|l| l.contains("FAILED") || l.contains("error["));
    assert_eq!(
        o.status.code(),
        Some(if fails { 1 } else { 0 }),
        "`skuld {}`:\n{output}",
        args.join(" ")
    );
}

#[test]
fn the_tutorial_runs_as_written() {
    let doc = std::fs::read_to_string(root().join("docs/tutorial-new-sku.md")).unwrap();
    let steps = steps(&doc);
    let files = steps
        .iter()
        .filter(|s| matches!(s, Step::File { .. }))
        .count();
    let runs = steps
        .iter()
        .filter(|s| matches!(s, Step::Run { .. }))
        .count();
    assert!(files >= 3 && runs >= 4, "{files} files, {runs} commands");
    let dir = tempfile::tempdir().unwrap();
    for step in &steps {
        match step {
            Step::File { path, text } => {
                let p = dir.path().join(path);
                std::fs::create_dir_all(p.parent().unwrap()).unwrap();
                std::fs::write(p, text).unwrap();
            }
            Step::Run { args, shown } => run(dir.path(), args, shown),
        }
    }
}
