//! Documentation that can be checked: every `skuld` code block of `docs/language.md` compiles on
//! top of the default policy, and every rule page in `docs/rules/` has the fixed sections.

#![expect(
    clippy::unwrap_used,
    reason = "helpers of tests: a panic is a test failure"
)]

use std::path::Path;

use skuld::{Policy, SourceFile};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The fenced blocks of a language in a Markdown text, with their starting line.
fn code_blocks(markdown: &str, lang: &str) -> Vec<(usize, String)> {
    let mut blocks = Vec::new();
    let mut current: Option<(usize, String)> = None;
    for (i, line) in markdown.lines().enumerate() {
        let fence = line.trim_start().starts_with("```");
        match (&mut current, fence) {
            (None, true) if line.trim_start().trim_start_matches('`') == lang => {
                current = Some((i + 2, String::new()));
            }
            (Some(_), true) => blocks.push(current.take().unwrap()),
            (Some((_, text)), false) => {
                text.push_str(line);
                text.push('\n');
            }
            _ => {}
        }
    }
    blocks
}

#[test]
fn language_reference_examples_compile() {
    let doc = std::fs::read_to_string(root().join("docs/language.md")).unwrap();
    let blocks = code_blocks(&doc, "skuld");
    assert!(
        blocks.len() >= 6,
        "expected the reference's examples, found {}",
        blocks.len()
    );
    for (line, text) in blocks {
        let mut sources = Policy::default_sources();
        sources.push(SourceFile::new(format!("docs/language.md:{line}"), text));
        if let Err(e) = Policy::from_sources(&sources) {
            panic!("the example at docs/language.md:{line} does not compile: {e}");
        }
    }
}

#[test]
fn rule_pages_have_the_fixed_sections() {
    let policy = Policy::builtin().unwrap();
    let ids: Vec<String> = policy.registry().ids().map(str::to_owned).collect();
    let index = std::fs::read_to_string(root().join("docs/rules/README.md")).unwrap();
    for id in ids {
        let page = std::fs::read_to_string(root().join(format!("docs/rules/{id}.md")))
            .unwrap_or_else(|_| panic!("docs/rules/{id}.md is missing"));
        assert!(
            page.starts_with(&format!("# {id}\n")),
            "{id}: the page starts with its id"
        );
        for section in [
            "## What it checks",
            "## Why",
            "## Example",
            "## How to fix",
            "## Severity",
        ] {
            assert!(page.contains(section), "{id}: missing `{section}`");
        }
        assert!(
            index.contains(&format!("`{id}`")) || index.contains(&id),
            "{id} is not in docs/rules/README.md"
        );
    }
}

#[test]
fn rule_page_examples_fire_their_rule() {
    let policy = Policy::builtin().unwrap();
    let ids: Vec<String> = policy.registry().ids().map(str::to_owned).collect();
    for id in ids {
        let page = std::fs::read_to_string(root().join(format!("docs/rules/{id}.md"))).unwrap();
        let example = page.split("## Example").nth(1).unwrap_or_default();
        let Some((line, yaml)) = code_blocks(example, "yaml").into_iter().next() else {
            panic!("docs/rules/{id}.md: the Example section has no yaml block");
        };
        let findings = policy
            .check(&SourceFile::new(format!("docs/rules/{id}.md"), yaml))
            .unwrap_or_else(|e| {
                panic!("docs/rules/{id}.md example (block at +{line}) does not load: {e}")
            });
        assert!(
            findings.iter().any(|f| f.rule == id),
            "docs/rules/{id}.md: the example does not produce `{id}` (got {:?})",
            findings.iter().map(|f| &f.rule).collect::<Vec<_>>()
        );
    }
}

#[test]
fn readme_sample_is_real_output() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let (_, sample) = code_blocks(&readme, "text")
        .into_iter()
        .next()
        .expect("README has a text sample");
    let policy = Policy::builtin().unwrap();
    let tenant = SourceFile::new(
        "examples/problems.yaml",
        std::fs::read_to_string(root().join("examples/problems.yaml")).unwrap(),
    );
    let findings = policy.check(&tenant).unwrap();
    let mut report = skuld::Report::new(&policy);
    report.add(&tenant, Ok(findings));
    let mut out = Vec::new();
    report.render(skuld::Format::Human, &mut out).unwrap();
    let out = String::from_utf8(out).unwrap();
    // The sample shows some of the findings: its lines must appear in the real output, in order.
    let mut actual = out.lines().map(str::trim_end);
    for line in sample.lines().map(str::trim_end) {
        assert!(
            actual.any(|a| a == line),
            "README sample line not in the real output (or out of order): {line:?}\n--- real output ---\n{out}"
        );
    }
}

#[test]
fn readme_tenant_example_is_clean() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let (_, yaml) = code_blocks(&readme, "yaml")
        .into_iter()
        .next()
        .expect("README shows a tenant");
    let findings = Policy::builtin()
        .unwrap()
        .check(&SourceFile::new("README.md", yaml))
        .unwrap();
    let rules: Vec<&str> = findings.iter().map(|f| f.rule.as_str()).collect();
    assert!(
        rules.is_empty(),
        "the README's tenant should be clean, got {rules:?}"
    );
}

#[test]
fn ci_recipes_parse_and_their_skuld_commands_are_valid() {
    // The hook definition is valid YAML with the fields pre-commit requires.
    let hooks = crate::yaml::to_json(
        &std::fs::read_to_string(root().join(".pre-commit-hooks.yaml")).unwrap(),
    )
    .unwrap();
    let hook = &hooks[0];
    for key in ["id", "name", "entry", "language"] {
        assert!(
            hook[key].is_string(),
            ".pre-commit-hooks.yaml: `{key}` missing"
        );
    }
    assert!(hook["entry"].as_str().unwrap().starts_with("skuld check"));

    // Every YAML block of docs/ci.md parses, and every `skuld …` command in it is accepted by
    // the real argument parser (run with `--help` appended, which validates the flags first).
    let doc = std::fs::read_to_string(root().join("docs/ci.md")).unwrap();
    let mut commands = Vec::new();
    for (line, block) in code_blocks(&doc, "yaml") {
        crate::yaml::load(&block).unwrap_or_else(|e| panic!("docs/ci.md:{line}: not YAML: {e}"));
        for l in block.lines() {
            let l = l
                .trim()
                .trim_start_matches("- ")
                .trim_start_matches("run: ")
                .trim_start_matches("script: ");
            if let Some(rest) = l.strip_prefix("skuld ") {
                commands.push(rest.to_owned());
            }
        }
    }
    assert!(commands.len() >= 4, "{commands:?}");
    for c in commands {
        // Pipeline variables stand for paths.
        let args: Vec<&str> = c
            .split_whitespace()
            .map(|a| if a.contains("$(") { "out.xml" } else { a })
            .collect();
        let o = std::process::Command::new(env!("CARGO_BIN_EXE_skuld"))
            .args(&args)
            .arg("--help")
            .output()
            .unwrap();
        assert_eq!(
            o.status.code(),
            Some(0),
            "`skuld {c}` is not a valid command line: {}",
            String::from_utf8_lossy(&o.stderr)
        );
    }
}
