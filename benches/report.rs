//! In-process benchmark of the renderers of `skuld check` (issue 12): every format at 1x, 2x,
//! 4x and 8x findings, to show that rendering is linear in the findings; and the human report
//! against the JSON one on the 100k-user tenant of `benches/check.rs`.
//!
//! ```text
//! cargo bench --bench report -- 'report/'            # every format, 1x to 8x
//! cargo bench --bench report -- 'report/human'       # one format
//! cargo bench --bench report -- 'report100k/'        # human vs JSON at 100k users
//! ```
//!
//! Findings come from tenants of `examples/gen_tenant.rs` (seed 42, 3 % of users breaking a
//! rule; about 0.4 findings per user, most of them `licensing/redundant-license`): 2,500,
//! 5,000, 10,000 and 20,000 users are 1x to 8x. The run is rendered as `skuld check` renders it
//! (folded human report, no colour), with every finding kept (no per-rule cap), so the renderers
//! see the whole size. It goes through the public API (`skuld::Report`): building the report
//! from the findings is set-up, not measured; the measure is `Report::render`. Benchmark ids are
//! `report/<format>/<Nx>`; throughput is in findings.
#![forbid(unsafe_code)]

use std::hint::black_box;
use std::io::Write;
use std::time::Duration;

use criterion::{BatchSize, BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use skuld::{Finding, Format, Policy, Report, SourceFile};

#[path = "../examples/gen_tenant.rs"]
#[expect(
    dead_code,
    reason = "the example's command-line front end (main, argument parsing) is not used here"
)]
mod gen_tenant;

const FORMATS: [(&str, Format); 8] = [
    ("human", Format::Human),
    ("compact", Format::Compact),
    ("json", Format::Json),
    ("sarif", Format::Sarif),
    ("github", Format::Github),
    ("azure", Format::Azure),
    ("junit", Format::Junit),
    ("html", Format::Html),
];

/// Benchmarks cannot return errors: report on stderr and stop.
fn fail(message: &str) -> ! {
    let _ = writeln!(std::io::stderr(), "benches/report.rs: {message}");
    std::process::exit(2)
}

/// The findings of a generated tenant of `users` users, and the file they are in.
fn findings(policy: &Policy, users: usize) -> (SourceFile, Vec<Finding>) {
    let file = SourceFile::new("t.yaml", gen_tenant::generate(users, 42, 3.0, None));
    match policy.check(&file) {
        Ok(f) => (file, f),
        Err(_) => fail(&format!("the generated {users}-user tenant does not load")),
    }
}

/// Renders the findings of `file` in `format` as `skuld check` would, into memory.
fn render(policy: &Policy, file: &SourceFile, findings: Vec<Finding>, format: Format) -> Vec<u8> {
    let mut report = Report::new(policy);
    report.add(file, Ok(findings));
    let mut out = Vec::new();
    if report.render(format, &mut out).is_err() {
        fail("rendering into memory failed");
    }
    out
}

fn formats(c: &mut Criterion) {
    let Ok(policy) = Policy::builtin() else {
        fail("skuld::Policy::builtin() failed")
    };
    let runs: Vec<(String, SourceFile, Vec<Finding>)> =
        [(1, 2_500), (2, 5_000), (4, 10_000), (8, 20_000)]
            .into_iter()
            .map(|(x, users)| {
                let (file, found) = findings(&policy, users);
                (format!("{x}x"), file, found)
            })
            .collect();
    let mut group = c.benchmark_group("report");
    group
        .sample_size(10)
        .nresamples(10_000)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    for (name, format) in FORMATS {
        for (label, file, found) in &runs {
            let n = found.len();
            group.throughput(Throughput::Elements(u64::try_from(n).unwrap_or(u64::MAX)));
            group.bench_with_input(BenchmarkId::new(name, label), found, |b, found| {
                b.iter_batched(
                    || found.clone(),
                    |found| render(&policy, file, black_box(found), format),
                    BatchSize::LargeInput,
                )
            });
        }
    }
    group.finish();
}

/// The issue's bound: at 100k users the human report costs at most 1.5x the JSON one.
fn human_vs_json(c: &mut Criterion) {
    let Ok(policy) = Policy::builtin() else {
        fail("skuld::Policy::builtin() failed")
    };
    let (file, found) = findings(&policy, 100_000);
    let _ = writeln!(std::io::stderr(), "report100k: {} findings", found.len());
    let mut group = c.benchmark_group("report100k");
    group
        .sample_size(10)
        .nresamples(10_000)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5));
    for (name, format) in [("human", Format::Human), ("json", Format::Json)] {
        group.bench_with_input(BenchmarkId::new(name, "100k"), &found, |b, found| {
            b.iter_batched(
                || found.clone(),
                |found| render(&policy, &file, black_box(found), format),
                BatchSize::LargeInput,
            )
        });
    }
    group.finish();
}

criterion_group!(benches, formats, human_vs_json);
criterion_main!(benches);
