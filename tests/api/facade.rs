//! The public API as an embedder uses it: a tenant read once and checked, many files checked on
//! threads, a report rendered in a format with the exit status `skuld check` would give.

#![expect(
    clippy::unwrap_used,
    reason = "helpers of tests: a panic is a test failure"
)]

use skuld::{ExitStatus, Format, Limits, Policy, Report, SourceFile, Tenant};

use crate::common::root;

fn example(name: &str) -> SourceFile {
    let path = format!("examples/{name}");
    SourceFile::new(
        path.clone(),
        std::fs::read_to_string(root().join(&path)).unwrap(),
    )
}

fn rules(findings: &[skuld::Finding]) -> Vec<(String, String)> {
    findings
        .iter()
        .map(|f| (f.rule.clone(), f.subject.clone().unwrap_or_default()))
        .collect()
}

#[test]
fn a_tenant_read_once_checks_like_check() {
    let policy = Policy::builtin().unwrap();
    let file = example("problems.yaml");
    let tenant = Tenant::load(&policy, &file, &Limits::default()).unwrap();
    assert_eq!(tenant.file().name(), "examples/problems.yaml");
    let once = policy.check_tenant(&tenant);
    assert!(!once.is_empty());
    assert_eq!(rules(&once), rules(&policy.check(&file).unwrap()));
    assert_eq!(rules(&policy.check_tenant(&tenant)), rules(&once));
    // Limits hold: a file over the size limit is a diagnostic, not a tenant.
    let tiny = Limits {
        max_file_bytes: 10,
        ..Limits::default()
    };
    assert!(Tenant::load(&policy, &file, &tiny).is_err());
}

#[test]
fn check_all_keeps_the_order_of_the_files() {
    let policy = Policy::builtin().unwrap();
    let files = vec![
        example("problems.yaml"),
        example("clean.yaml"),
        SourceFile::new("broken.yaml", "tenant: [\n"),
        example("problems.yaml"),
    ];
    for jobs in [1, 2] {
        let results = policy.check_all(&files, &Limits::default(), jobs);
        assert_eq!(results.len(), files.len());
        for (file, result) in files.iter().zip(&results) {
            match (result, policy.check(file)) {
                (Ok(got), Ok(want)) => assert_eq!(rules(got), rules(&want), "{}", file.name()),
                (Err(got), Err(want)) => assert_eq!(got.len(), want.len(), "{}", file.name()),
                _ => panic!("{}: check_all and check disagree", file.name()),
            }
        }
    }
}

#[test]
fn a_report_renders_every_format_and_gives_the_exit_status() {
    let policy = Policy::builtin().unwrap();
    let status = |files: &[SourceFile]| {
        let mut report = Report::new(&policy);
        for f in files {
            report.add(f, policy.check(f));
        }
        report.status()
    };
    let broken = SourceFile::new("broken.yaml", "tenant: [\n");
    assert_eq!(status(&[example("clean.yaml")]), ExitStatus::Clean);
    assert_eq!(status(&[example("problems.yaml")]), ExitStatus::Findings);
    assert_eq!(
        status(&[example("problems.yaml"), broken.clone()]),
        ExitStatus::Error
    );

    let render = |format: Format| {
        let mut report = Report::new(&policy);
        for f in [example("problems.yaml"), broken.clone()] {
            let outcome = policy.check(&f);
            report.add(&f, outcome);
        }
        let mut out = Vec::new();
        report.render(format, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    };
    let findings = policy.check(&example("problems.yaml")).unwrap();
    let json: serde_json::Value = serde_json::from_str(&render(Format::Json)).unwrap();
    assert_eq!(
        json["findings"].as_array().map(Vec::len),
        Some(findings.len())
    );
    let human = render(Format::Human);
    // The load error first (as the command prints it on stderr), then the findings.
    assert!(human.contains("broken.yaml"), "{human}");
    assert!(human.contains(&findings[0].rule), "{human}");
    assert!(render(Format::Sarif).contains("\"version\": \"2.1.0\""));
    assert!(render(Format::Junit).starts_with("<?xml"));
    assert!(render(Format::Compact).contains("examples/problems.yaml:"));
}

#[test]
fn policy_sources_resolve_builtin_names_with_a_suggestion() {
    let sources = Policy::sources(&["builtin:sspr-2019".to_owned()], true).unwrap();
    let names: Vec<&str> = sources.iter().map(SourceFile::name).collect();
    assert!(names.contains(&"builtin:sspr-2019") && !names.contains(&"builtin:sspr-2017"));
    assert_eq!(
        Policy::default_sources().len(),
        Policy::builtin().unwrap().files().len()
    );
    let err = Policy::sources(&["builtin:sspr-2091".to_owned()], true).unwrap_err();
    let mut text = Vec::new();
    err.render(&mut text).unwrap();
    let text = String::from_utf8(text).unwrap();
    assert!(text.contains("builtin:sspr-2019"), "{text}");
    // The registry lists the policy's rules, then the built-in checks.
    let policy = Policy::builtin().unwrap();
    let registry = policy.registry();
    assert!(registry.contains("sspr/cloud-user-license"));
    assert!(registry.ids().any(|id| id.starts_with("tenant/")));
}
