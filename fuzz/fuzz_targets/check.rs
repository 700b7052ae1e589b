//! Arbitrary text as a tenant file, checked end to end with the default policy; the outcome is
//! rendered in every format (span → line/column, miette's snippets), and so is every load error.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use skuld::{Format, Policy, Report, SourceFile};

static POLICY: OnceLock<Policy> = OnceLock::new();

const FORMATS: [Format; 8] = [
    Format::Human,
    Format::Compact,
    Format::Json,
    Format::Sarif,
    Format::Github,
    Format::Azure,
    Format::Junit,
    Format::Html,
];

fuzz_target!(|text: &str| {
    let policy = POLICY.get_or_init(|| {
        Policy::builtin().unwrap_or_else(|e| panic!("the default policy must compile: {e:?}"))
    });
    let file = SourceFile::new("t.yaml", text);
    match policy.check(&file) {
        Ok(findings) => {
            for format in FORMATS {
                let mut report = Report::new(policy);
                report.add(&file, Ok(findings.clone()));
                let _ = report.render(format, &mut std::io::sink());
            }
        }
        Err(errors) => {
            let _ = errors.render(&mut std::io::sink());
            let mut report = Report::new(policy);
            report.add(&file, Err(errors));
            let _ = report.render(Format::Json, &mut std::io::sink());
        }
    }
});
