//! Hostile input (moved from `tests/cli/hardening.rs`): policy budgets and nesting, tenant edge cases, and the
//! inputs the fuzzers (`fuzz/`, see docs/hardening.md) found. Every input must end in a
//! diagnostic with a stable code or in findings, never in a panic, a hang or a stack overflow.

use std::time::{Duration, Instant};

use crate::compile::{PolicyLimits, compile_with_limits};
use crate::report::human::{Style, render_diagnostic, render_findings};
use crate::tenant::Limits;
use crate::{Diagnostics, Policy, SourceFile};

// --- helpers -------------------------------------------------------------------------------------

fn codes(d: &Diagnostics) -> Vec<String> {
    d.iter()
        .map(|e| e.code().map(|c| c.to_string()).unwrap_or_default())
        .collect()
}

/// Renders every diagnostic (exercises span → line/column and miette's snippets).
fn render_all(d: &Diagnostics) -> String {
    let mut out = String::new();
    for e in d.iter() {
        render_diagnostic(e.as_ref(), Style::plain(), &mut out);
    }
    out
}

/// The default policy plus `text`, compiled on a thread with a 2 MiB stack (the smallest a test
/// or a CLI thread gets): a too-deep expression must be refused, not overflow the stack.
fn compile_extra(text: &str) -> Result<Policy, Vec<String>> {
    let text = text.to_owned();
    std::thread::Builder::new()
        .stack_size(2 * 1024 * 1024)
        .spawn(move || {
            let mut sources = crate::policies::default_sources();
            sources.push(SourceFile::new("extra.skuld", text));
            Policy::from_sources(&sources).map_err(|d| {
                let _ = render_all(&d);
                codes(&d)
            })
        })
        .unwrap()
        .join()
        .unwrap()
}

fn rule_requiring(cond: &str) -> String {
    format!(
        "rule x/deep {{\n  severity error\n  for user u\n  require {cond}\n  at u\n  message \"m\"\n}}\n"
    )
}

/// Checks `text` with the default policy on a 2 MiB thread, rendering findings and errors.
fn check_tenant(text: &str) -> Result<Vec<(String, usize)>, Vec<String>> {
    let text = text.to_owned();
    std::thread::Builder::new()
        .stack_size(2 * 1024 * 1024)
        .spawn(move || {
            let policy = Policy::builtin().unwrap();
            let file = SourceFile::new("t.yaml", text);
            match policy.check(&file) {
                Ok(findings) => {
                    let mut out = String::new();
                    render_findings(&findings, Style::plain(), &mut out);
                    let _ = crate::report::json::render(&findings);
                    Ok(findings
                        .iter()
                        .map(|f| (f.rule.clone(), f.line_col().0))
                        .collect())
                }
                Err(d) => {
                    let _ = render_all(&d);
                    Err(codes(&d))
                }
            }
        })
        .unwrap()
        .join()
        .unwrap()
}

fn load_codes(text: &str) -> Vec<String> {
    let file = SourceFile::new("t.yaml", text);
    match crate::tenant::load(&file, &Limits::default()) {
        Ok(_) => Vec::new(),
        Err(d) => {
            let _ = render_all(&d);
            codes(&d)
        }
    }
}

// --- policy nesting ------------------------------------------------------------------------------

#[test]
fn deep_expressions_at_the_limit_compile_and_run() {
    let depth = crate::syntax::MAX_DEPTH;
    // Each form nests as deep as the limit allows (the rule's own braces are a level of the text,
    // each operator or sub-expression a level of the tree).
    let forms = [
        format!(
            "{}true{}",
            "(".repeat(depth / 2 - 1),
            ")".repeat(depth / 2 - 1)
        ),
        format!("{}true", "not ".repeat(depth - 1)),
        format!("true{}", " or false".repeat(depth - 1)),
        format!("u.upn == \"a\"{}", " and true".repeat(depth - 3)),
        format!(
            "{}true{}",
            "any(x in u.licenses: ".repeat(depth / 2 - 1),
            ")".repeat(depth / 2 - 1)
        ),
    ];
    for cond in &forms {
        let policy = compile_extra(&rule_requiring(cond))
            .unwrap_or_else(|c| panic!("{c:?} for {}", &cond[..40.min(cond.len())]));
        let findings = policy
            .check(&SourceFile::new(
                "t.yaml",
                "tenant: t\nusers:\n  - upn: a\n",
            ))
            .unwrap();
        drop(findings);
    }
    // Lists hold constants only: a deep one is a type error, reported without overflowing.
    let lists = format!(
        "{}1{} != []",
        "[".repeat(depth / 2 - 1),
        "]".repeat(depth / 2 - 1)
    );
    assert_eq!(
        compile_extra(&rule_requiring(&lists)).map(|_| ()),
        Err(vec!["skuld::policy::type".to_owned()])
    );
}

#[test]
fn deep_expressions_past_the_limit_are_too_deep() {
    let depth = crate::syntax::MAX_DEPTH;
    for n in [depth + 1, 1_000, 100_000] {
        for cond in [
            format!("{}true{}", "(".repeat(n), ")".repeat(n)),
            format!("{}true", "not ".repeat(n)),
            format!("true{}", " or false".repeat(n)),
            format!("{}true{}", "[".repeat(n), "]".repeat(n)),
            format!("{}u.licenses{}", "any(x in ".repeat(n), ": true)".repeat(n)),
            format!("count(u.licenses){}", ".a".repeat(n)),
        ] {
            let start = Instant::now();
            let got = compile_extra(&rule_requiring(&cond)).map(|_| ());
            assert_eq!(
                got,
                Err(vec!["skuld::policy::too-deep".to_owned()]),
                "n = {n}: {}",
                &cond[..30]
            );
            assert!(start.elapsed() < Duration::from_secs(20));
        }
    }
    // Unclosed brackets and deep template holes are caught by the scan of the text.
    let unclosed = format!("rule x {{ {}", "(".repeat(100_000));
    assert_eq!(
        compile_extra(&unclosed).map(|_| ()),
        Err(vec!["skuld::policy::too-deep".to_owned()])
    );
    let holes = format!(
        "rule x/y {{ severity error for user u require true at u message \"{{{}u.upn{}}}\" }}\n",
        "(".repeat(200),
        ")".repeat(200)
    );
    assert_eq!(
        compile_extra(&holes).map(|_| ()),
        Err(vec!["skuld::policy::too-deep".to_owned()])
    );
}

#[test]
fn brackets_in_strings_and_comments_do_not_count() {
    let deep = "(".repeat(1000);
    let text = format!(
        "// {deep}\nsku X \"{deep}\" {{ paid }}\nrule x/y {{ severity error for user u require true at u message \"{deep} {{{{ \" }}\n"
    );
    compile_extra(&text).unwrap();
}

#[test]
fn long_set_chains_do_not_overflow() {
    // Each set names the next, so resolving the first recurses through the whole chain.
    let n = 20_000;
    let mut text = String::new();
    for i in 0..n - 1 {
        text.push_str(&format!("set s{i} = [s{}]\n", i + 1));
    }
    text.push_str(&format!("set s{} = [AAD_PREMIUM]\n", n - 1));
    text.push_str(&rule_requiring("any(l in u.licenses: l in s0)"));
    let got = compile_extra(&text).map(|_| ());
    assert!(
        got == Err(vec!["skuld::policy::too-deep".to_owned()]),
        "{got:?}"
    );
}

// --- policy budgets ------------------------------------------------------------------------------

fn limits_codes(files: &[SourceFile], limits: &PolicyLimits) -> Vec<String> {
    match compile_with_limits(files, limits) {
        Ok(_) => Vec::new(),
        Err(d) => {
            let _ = render_all(&d);
            codes(&d)
        }
    }
}

#[test]
fn policy_budgets_default_generously() {
    let limits = PolicyLimits::default();
    assert_eq!(
        (limits.max_files, limits.max_rules, limits.max_file_bytes),
        (1_000, 10_000, 16 * 1024 * 1024)
    );
    // The default policy is far inside them.
    compile_with_limits(&crate::policies::default_sources(), &limits).unwrap();
}

#[test]
fn too_many_policy_files() {
    let mut files = crate::policies::default_sources();
    let limits = PolicyLimits {
        max_files: files.len(),
        ..PolicyLimits::default()
    };
    compile_with_limits(&files, &limits).unwrap();
    files.push(SourceFile::new("extra.skuld", rule_requiring("true")));
    assert_eq!(
        limits_codes(&files, &limits),
        ["skuld::policy::too-many-files"]
    );
    // The default budget: 1,001 files.
    let files: Vec<SourceFile> = (0..1_001)
        .map(|i| SourceFile::new(format!("p{i}.skuld"), "// empty\n"))
        .collect();
    assert_eq!(
        limits_codes(&files, &PolicyLimits::default()),
        ["skuld::policy::too-many-files"]
    );
}

#[test]
fn too_many_rules() {
    let many = |n: usize| {
        (0..n)
            .map(|i| rule_requiring("true").replace("x/deep", &format!("x/r{i}")))
            .collect::<String>()
    };
    let builtin = Policy::builtin().unwrap().rules().len();
    let mut files = crate::policies::default_sources();
    files.push(SourceFile::new("many.skuld", many(10_000 - builtin)));
    compile_with_limits(&files, &PolicyLimits::default()).unwrap();
    files.pop();
    files.push(SourceFile::new("many.skuld", many(10_001 - builtin)));
    let err = compile_with_limits(&files, &PolicyLimits::default()).unwrap_err();
    assert_eq!(codes(&err), ["skuld::policy::too-many-rules"]);
    let text = render_all(&err);
    assert!(
        text.contains("the policy has 10001 rules, over the limit of 10000"),
        "{text}"
    );
    assert!(text.contains(&format!("x/r{}", 10_000 - builtin)), "{text}");
}

#[test]
fn too_large_policy_file() {
    let mut files = crate::policies::default_sources();
    let limits = PolicyLimits {
        max_file_bytes: 1024,
        ..PolicyLimits::default()
    };
    files.push(SourceFile::new("big.skuld", "// x\n".repeat(300)));
    // The default policy's own files are over 1 KiB too: each is reported, none parsed.
    let got = limits_codes(&files, &limits);
    assert!(!got.is_empty());
    assert!(
        got.iter().all(|c| c == "skuld::policy::too-large"),
        "{got:?}"
    );
    // The default budget: a 17 MiB file of comments.
    let mut files = crate::policies::default_sources();
    files.push(SourceFile::new(
        "big.skuld",
        "// x\n".repeat(17 * 1024 * 1024 / 5),
    ));
    let start = Instant::now();
    assert_eq!(
        limits_codes(&files, &PolicyLimits::default()),
        ["skuld::policy::too-large"]
    );
    assert!(start.elapsed() < Duration::from_secs(5));
}

// --- tenant files through the public API ---------------------------------------------------------
// (the loader's unit tests in src/tenant/load/tests.rs cover empty files, comments only, a BOM,
// multi-document files, small budgets and a 100-deep nesting; these go through `Policy::check`
// with the default limits and the sizes a hostile file would use)

#[test]
fn binary_garbage_that_is_valid_utf8() {
    for text in [
        "\u{0}\u{1}\u{2}\u{7f}\u{fffd}",
        "tenant: \u{0}\n",
        "\u{1b}[31m\u{7}\u{8}",
        "\t\t\t",
        "%YAML 1.2\n%TAG ! tag:\n--- !x\n",
        "&a *a",
        "{? : , ? : }",
    ] {
        let got = check_tenant(text);
        assert!(
            matches!(&got, Err(c) if !c.is_empty() && c.iter().all(|c| c.starts_with("skuld::tenant::"))),
            "{text:?}: {got:?}"
        );
    }
}

#[test]
fn deep_flow_and_block_nesting_is_too_deep() {
    for text in [
        "[".repeat(100_000),
        format!("{}{}", "[".repeat(100_000), "]".repeat(100_000)),
        format!("tenant: t\nusers: {}", "{a: ".repeat(100_000)),
        format!(
            "tenant: t\nx:\n{}",
            (0..5_000)
                .map(|i| format!("{}- \n", " ".repeat(i)))
                .collect::<String>()
        ),
    ] {
        let start = Instant::now();
        let got = check_tenant(&text);
        assert!(
            matches!(&got, Err(c) if c.contains(&"skuld::tenant::too-deep".to_owned())
                || c == &["skuld::tenant::syntax".to_owned()]),
            "{got:?}"
        );
        assert!(start.elapsed() < Duration::from_secs(10));
    }
    // Where the loader's depth limit (64) is not reached first, saphyr-parser's own recursion
    // guard stops the scan: a syntax error, as fast.
    let file = SourceFile::new(
        "t.yaml",
        format!(
            "tenant: t\nusers: {}{}\n",
            "[".repeat(100_000),
            "]".repeat(100_000)
        ),
    );
    let e = crate::tenant::load(&file, &Limits::default()).unwrap_err();
    assert_eq!(codes(&e), ["skuld::tenant::syntax"]);
    assert!(
        e.iter()
            .any(|d| d.to_string().contains("recursion limit exceeded"))
    );
    let file = SourceFile::new(
        "t.yaml",
        format!("tenant: t\nusers: {}{}\n", "[".repeat(65), "]".repeat(65)),
    );
    let e = crate::tenant::load(&file, &Limits::default()).unwrap_err();
    assert_eq!(codes(&e), ["skuld::tenant::too-deep"]);
}

#[test]
fn a_two_mib_scalar_is_too_long() {
    let big = "A".repeat(2 * 1024 * 1024);
    for text in [
        format!("tenant: {big}\n"),
        format!("tenant: t\nusers:\n  - upn: \"{big}\"\n"),
        format!("tenant: t\ncountry: |\n  {big}\n"),
    ] {
        let got = load_codes(&text);
        assert!(
            got.contains(&"skuld::tenant::value-too-long".to_owned()),
            "{got:?}"
        );
    }
}

#[test]
fn bom_crlf_and_multiple_documents_through_check() {
    // A BOM and CRLF line ends: findings still point at the right line.
    let text = "\u{feff}tenant: t\r\nusers:\r\n  - upn: a@t\r\n    usage_location: US\r\n    licenses: [NOPE]\r\n";
    let findings = check_tenant(text).unwrap();
    assert_eq!(findings, [("tenant/unknown-sku".to_owned(), 5)]);
    assert_eq!(
        check_tenant("tenant: a\n---\ntenant: b\n"),
        Err(vec!["skuld::tenant::multiple-documents".to_owned()])
    );
    assert_eq!(
        check_tenant("# only\n# comments\r\n"),
        Err(vec!["skuld::tenant::empty".to_owned()])
    );
    assert_eq!(
        check_tenant(""),
        Err(vec!["skuld::tenant::empty".to_owned()])
    );
}

#[test]
fn alias_bomb_through_check_fails_fast() {
    // 1,100 users each replay a list of 1,000 licences: 1.1 million events, over the default
    // budget of 1,000,000, from a 30 KB file.
    let names = vec!["AAD_PREMIUM"; 1000].join(", ");
    let mut text =
        format!("tenant: t\ngroups:\n  - name: G\n    licenses: &big [{names}]\nusers:\n");
    for i in 0..1_100 {
        text.push_str(&format!("  - upn: u{i}\n    licenses: *big\n"));
    }
    let start = Instant::now();
    let got = check_tenant(&text);
    assert_eq!(got, Err(vec!["skuld::tenant::alias-bomb".to_owned()]));
    assert!(start.elapsed() < Duration::from_secs(10));
}

// --- very long lines -----------------------------------------------------------------------------

/// A flow list of 20,000 SKUs on one line: the findings on it are reported by line and column,
/// without a snippet (miette's renderer panics on a label more than 65,535 columns into a line).
#[test]
fn findings_on_a_very_long_line_render_without_a_snippet() {
    let skus = vec!["ENTERPRISEPACK"; 20_000].join(", ");
    let text = format!(
        "tenant: t.onmicrosoft.com\nusers:\n  - upn: a@x.com\n    usage_location: US\n    licenses: [{skus}, XSKU]\n"
    );
    let policy = Policy::builtin().unwrap();
    let findings = policy.check(&SourceFile::new("t.yaml", text)).unwrap();
    let mut out = String::new();
    render_findings(&findings, Style::plain(), &mut out);
    assert!(
        out.contains("unknown SKU `XSKU` (at line 5, column 320016; the line is too long to show)"),
        "{out}"
    );
    assert!(out.len() < 10_000, "a snippet of the long line was printed");
}

/// A YAML error far into a long line renders too.
#[test]
fn errors_on_a_very_long_line_render_without_a_snippet() {
    let text = format!(
        "tenant: t\nusers: [{}, ]]\n",
        "{upn: a@x.com}, ".repeat(10_000)
    );
    let file = SourceFile::new("t.yaml", text);
    let d = crate::tenant::load(&file, &Limits::default()).unwrap_err();
    let out = render_all(&d);
    assert!(out.contains("the line is too long to show"), "{out}");
}
