//! Arbitrary text as a tenant file, checked end to end with the default policy; every finding is
//! rendered both ways (span → line/column, miette's snippets), and so is every load error.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use skuld::report::human::{Style, render_diagnostic, render_findings};
use skuld::{Policy, SourceFile};

static POLICY: OnceLock<Policy> = OnceLock::new();

fuzz_target!(|text: &str| {
    let policy = POLICY.get_or_init(|| {
        Policy::builtin().unwrap_or_else(|e| panic!("the default policy must compile: {e:?}"))
    });
    let file = SourceFile::new("t.yaml", text);
    let mut out = String::new();
    match policy.check(&file) {
        Ok(findings) => {
            render_findings(&findings, Style::plain(), &mut out);
            let _ = skuld::report::json::render(&findings);
        }
        Err(errors) => {
            for e in errors.iter() {
                render_diagnostic(e.as_ref(), Style::plain(), &mut out);
            }
        }
    }
});
