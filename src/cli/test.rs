//! `skuld test`: runs policy tests (see [`crate::testing`]) and reports like `cargo test`.

use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};
use miette::Diagnostic;
use thiserror::Error;

use super::{ColorArg, ExitStatus, PolicyArgs, ReadError};
use crate::diagnostics::Diagnostics;
use crate::testing::{self, Coverage, FileKind, Outcome, TestCase};

pub(super) const AFTER_HELP: &str = "\
Examples:
  skuld test policies/tests
  skuld test tests/ --policy my-skus.skuld --coverage
  skuld test policies/tests --coverage --min-coverage 100
  skuld test my.test.yaml --bless      # write the actual findings as `# expect:` comments

A test is a tenant file named *.test.yaml whose `# expect: RULE-ID` comments sit on the lines
the findings must point at (no comment: no finding). A *.skuld-test.yaml file holds several
tenants separated by `---` lines, each named by a `# case: NAME` comment. See docs/testing.md.

Exit status: 0 all tests passed, 1 a test failed or coverage is below --min-coverage, 2 no tests
found or the policy or a file could not be read.";

#[derive(Debug, Args)]
pub(super) struct TestArgs {
    /// Test files, or folders searched for `*.test.yaml` and `*.skuld-test.yaml` [default: .]
    #[arg(value_name = "PATH")]
    paths: Vec<PathBuf>,
    #[command(flatten)]
    policy: PolicyArgs,
    /// Rewrite the `# expect:` comments of the test files from the actual findings
    #[arg(long)]
    bless: bool,
    /// Report, per rule, in how many tests it fired and stayed silent
    #[arg(long)]
    coverage: bool,
    /// Fail (exit 1) when fewer than PCT percent of the rules both fire in some test and stay
    /// silent in another (implies --coverage)
    #[arg(long, value_name = "PCT", value_parser = parse_percent)]
    min_coverage: Option<f64>,
    /// Output format
    #[arg(long, value_enum, default_value_t = TestFormat::Human)]
    format: TestFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum TestFormat {
    /// `cargo test`-like text
    Human,
    /// One JSON document
    Json,
}

fn parse_percent(s: &str) -> Result<f64, String> {
    match s.trim_end_matches('%').parse::<f64>() {
        Ok(p) if (0.0..=100.0).contains(&p) => Ok(p),
        _ => Err(format!("`{s}` is not a percentage from 0 to 100")),
    }
}

/// No test files under the paths given.
#[derive(Debug, Error, Diagnostic)]
#[error("no tests found in {paths}")]
#[diagnostic(
    code("skuld::test::none-found"),
    help(
        "test files are named `*.test.yaml` (one tenant) or `*.skuld-test.yaml` (a suite); see docs/testing.md"
    )
)]
struct NoTests {
    paths: String,
}

/// One test file and its tests.
struct TestFile {
    path: PathBuf,
    text: String,
    cases: Vec<TestCase>,
}

pub(super) fn run(
    args: &TestArgs,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> io::Result<ExitStatus> {
    let err_style = super::style_for(ColorArg::Auto, io::stderr().is_terminal());
    let Some(policy) = super::policy_or_report(&args.policy, "no test was run", stderr)? else {
        return Ok(ExitStatus::Error);
    };
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    let (found, mut errors) = discover(&paths);
    let mut files = Vec::new();
    for (path, kind) in found {
        match super::read_source(&path, crate::tenant::Limits::default().max_file_bytes) {
            Ok(source) => {
                let name = path.display().to_string();
                let cases = testing::cases(&name, source.text(), kind);
                files.push(TestFile {
                    path,
                    text: source.text().to_owned(),
                    cases,
                });
            }
            Err(e) => errors.push(e),
        }
    }
    if errors.is_empty() && files.iter().all(|f| f.cases.is_empty()) {
        errors.push(miette::Report::new(NoTests {
            paths: paths
                .iter()
                .map(|p| format!("`{}`", p.display()))
                .collect::<Vec<_>>()
                .join(", "),
        }));
    }
    if !errors.is_empty() {
        super::print_errors(&Diagnostics::new(errors), err_style, stderr)?;
        return Ok(ExitStatus::Error);
    }

    let runs: Vec<Vec<Outcome>> = files
        .iter()
        .map(|f| f.cases.iter().map(|c| testing::run(&policy, c)).collect())
        .collect();

    let mut blessed: Vec<String> = Vec::new();
    let mut write_failed = false;
    if args.bless {
        for (file, outcomes) in files.iter().zip(&runs) {
            if outcomes.iter().any(|o| o.error.is_some()) {
                continue; // a tenant that does not load has no findings to write
            }
            let pairs: Vec<(&TestCase, &Outcome)> = file.cases.iter().zip(outcomes).collect();
            let text = testing::bless(&file.text, &pairs);
            if text != file.text {
                match super::write_safely(
                    &file.path,
                    text.as_bytes(),
                    super::Guard {
                        inputs: &[],
                        was: Some(file.text.as_bytes()),
                    },
                ) {
                    Ok(()) => blessed.push(file.path.display().to_string()),
                    Err(e) => {
                        super::report_write_error(&file.path, &e, stderr)?;
                        write_failed = true;
                    }
                }
            }
        }
    }

    let all: Vec<(&TestCase, &Outcome)> = files
        .iter()
        .zip(&runs)
        .flat_map(|(f, o)| f.cases.iter().zip(o))
        .collect();
    // A blessed test passes by construction, unless its tenant did not load.
    let passed = |c: &TestCase, o: &Outcome| o.passed(c) || (args.bless && o.error.is_none());
    let failed = all.iter().filter(|(c, o)| !passed(c, o)).count();
    let want_coverage = args.coverage || args.min_coverage.is_some();
    let coverage = want_coverage.then(|| Coverage::of(&policy, all.iter().map(|(_, o)| *o)));
    let below = match (&coverage, args.min_coverage) {
        (Some(c), Some(min)) => c.percent() < min,
        _ => false,
    };

    let ids = policy.registry();
    use crate::report::neutral::{self, Syntax};
    let text = match args.format {
        TestFormat::Human => crate::report::test::human(
            &all,
            &passed,
            coverage.as_ref(),
            args.min_coverage,
            &blessed,
            &ids,
        ),
        TestFormat::Json => crate::report::test::json(
            &all,
            &passed,
            coverage.as_ref(),
            args.min_coverage,
            &blessed,
        ),
    };
    // Test files come with the pull request: their text must not steer a CI runner (issue 23).
    let syntax = match args.format {
        TestFormat::Human => Syntax::Text,
        TestFormat::Json => Syntax::Json,
    };
    neutral::write(stdout, &text, syntax)?;
    stdout.flush()?;
    Ok(if write_failed {
        ExitStatus::Error
    } else if failed > 0 || below {
        ExitStatus::Findings
    } else {
        ExitStatus::Clean
    })
}

/// Test files under `paths`: folders are searched by file name; a file named explicitly is a
/// test whatever its name (a suite when named `*.skuld-test.yaml`).
fn discover(paths: &[PathBuf]) -> (Vec<(PathBuf, FileKind)>, Vec<miette::Report>) {
    let mut found = Vec::new();
    let mut errors = Vec::new();
    let kind = |p: &Path| {
        p.file_name()
            .and_then(|n| n.to_str())
            .and_then(testing::kind_of)
    };
    for p in paths {
        if p.is_dir() {
            let mut files = Vec::new();
            super::walk(p, &mut files, &|f| kind(f).is_some());
            found.extend(files.into_iter().filter_map(|f| kind(&f).map(|k| (f, k))));
        } else if p.is_file() {
            found.push((p.clone(), kind(p).unwrap_or(FileKind::Single)));
        } else {
            errors.push(miette::Report::new(ReadError {
                path: p.display().to_string(),
                reason: "no such file or folder".to_owned(),
                help: None,
            }));
        }
    }
    (found, errors)
}
