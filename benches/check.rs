//! In-process benchmark of `skuld`'s check against a floor: parsing the same YAML into a generic
//! tree, `saphyr::Yaml` (the parser skuld's loader uses, with no semantics; until 2026-12 the
//! floor was `serde_yaml::Value`, archived upstream).
//!
//! ```text
//! cargo bench --bench check                 # everything, about 4 minutes on 2 cores
//! cargo bench --bench check -- 'skuld/'     # only the check
//! cargo bench --bench check -- '/10k'       # only one size
//! cargo bench --bench check -- 'policy/'    # only compiling the embedded default policy
//! ```
//!
//! `policy/compile_default` compiles the default policy as every run does (parse and check of
//! the embedded files, the generated full catalog included). There is no variant without the full
//! catalog any more: the matrices grant by service plan, so the default policy needs it.
//!
//! Tenants come from the generator of `examples/gen_tenant.rs` (1k, 10k and 100k users, seed 42,
//! 3% of the users breaking a rule), so `cargo run --release --example gen_tenant -- --users N`
//! writes the very file measured here. `100k-features` is the 100k tenant with a `features:`
//! block of 20 entries (`--feature-entries 20`), the bound of contract v2's features: within
//! 10% of the 100k check. Benchmark ids are `floor/saphyr_yaml/<size>`,
//! `skuld/check/<size>`, and its two halves `skuld/load/<size>` (YAML → tenant, through
//! `skuld::Tenant::load`) and `skuld/evaluate/<size>` (the rules over a tenant read once,
//! `Policy::check_tenant`); throughput is in bytes of YAML.
//!
//! For whole-process numbers (start-up, reading, JSON output, peak RSS) see
//! `scripts/bench-process.sh`.
#![forbid(unsafe_code)]

use std::hint::black_box;
use std::io::Write;
use std::time::Duration;

use criterion::{BenchmarkGroup, BenchmarkId, Criterion, SamplingMode, Throughput};
use criterion::{criterion_group, criterion_main, measurement::WallTime};

#[path = "../examples/gen_tenant.rs"]
#[expect(
    dead_code,
    reason = "the example's command-line front end (main, argument parsing) is not used here"
)]
mod gen_tenant;

/// Generator settings shared with `gen_tenant`'s defaults.
const SEED: u64 = 42;
const VIOLATIONS_PERCENT: f64 = 3.0;

/// (label, users, entries of `features:`, people): 1k, 10k and 100k users are about 0.12, 1.3
/// and 13 MB of YAML. "people" adds contract v3's guests (5 %) and switched-off plans (10 % of
/// the direct licence lists).
const SIZES: [(&str, usize, usize, bool); 5] = [
    ("1k", 1_000, 0, false),
    ("10k", 10_000, 0, false),
    ("100k", 100_000, 0, false),
    ("100k-features", 100_000, 20, false),
    ("100k-people", 100_000, 0, true),
];

fn tenant(users: usize, feature_entries: usize, people: bool) -> String {
    gen_tenant::generate_with(&gen_tenant::Options {
        users,
        seed: SEED,
        violations: VIOLATIONS_PERCENT,
        groups: None,
        feature_entries,
        guests: if people { 5.0 } else { 0.0 },
        disabled_plans: if people { 10.0 } else { 0.0 },
        ..gen_tenant::Options::default()
    })
}

/// Sample count and timing per size, keeping the whole run near 4 minutes on 2 cores: large
/// inputs take few samples of one iteration each.
/// 10 000 bootstrap resamples (instead of 100 000) keep the analysis from dominating on 2 cores.
fn configure(group: &mut BenchmarkGroup<'_, WallTime>, users: usize, bytes: usize) {
    group
        .throughput(Throughput::Bytes(u64::try_from(bytes).unwrap_or(u64::MAX)))
        .nresamples(10_000)
        .warm_up_time(Duration::from_secs(1));
    if users >= 100_000 {
        group
            .sample_size(10)
            .sampling_mode(SamplingMode::Flat)
            .measurement_time(Duration::from_secs(10));
    } else if users >= 10_000 {
        group
            .sample_size(15)
            .sampling_mode(SamplingMode::Auto)
            .measurement_time(Duration::from_secs(3));
    } else {
        group
            .sample_size(30)
            .sampling_mode(SamplingMode::Auto)
            .measurement_time(Duration::from_secs(2));
    }
}

/// Benchmarks cannot return errors: report on stderr and stop.
fn fail(message: &str) -> ! {
    let _ = writeln!(std::io::stderr(), "benches/check.rs: {message}");
    std::process::exit(2)
}

fn benches(c: &mut Criterion) {
    let texts: Vec<(&str, usize, String)> = SIZES
        .iter()
        .map(|&(label, users, entries, people)| (label, users, tenant(users, entries, people)))
        .collect();

    // The floor: a generic YAML parse of the same text, no semantics.
    let mut floor = c.benchmark_group("floor");
    for (label, users, text) in &texts {
        configure(&mut floor, *users, text.len());
        floor.bench_with_input(BenchmarkId::new("saphyr_yaml", label), text, |b, text| {
            b.iter_with_large_drop(|| {
                <saphyr::Yaml as saphyr::LoadableYamlNode>::load_from_str(black_box(text))
            })
        });
    }
    floor.finish();

    // The full check through the library API, with the embedded default policy.
    let Ok(policy) = skuld::Policy::builtin() else {
        fail("skuld::Policy::builtin() failed")
    };
    let mut group = c.benchmark_group("skuld");
    for (label, users, text) in &texts {
        let src = skuld::SourceFile::new("t.yaml", text.clone());
        // Once outside the timing: the generated tenant must evaluate (findings are expected).
        match policy.check(&src) {
            Ok(findings) => {
                let _ = writeln!(
                    std::io::stderr(),
                    "skuld/check/{label}: {} bytes, {users} users, {} findings",
                    text.len(),
                    findings.len()
                );
            }
            Err(_) => fail(&format!(
                "skuld could not evaluate the generated {label} tenant; see \
                 `cargo run --release --example gen_tenant -- --users {users} -o t.yaml && \
                 cargo run --release -- check t.yaml`"
            )),
        }
        configure(&mut group, *users, text.len());
        group.bench_with_input(BenchmarkId::new("check", label), &src, |b, src| {
            b.iter_with_large_drop(|| policy.check(black_box(src)))
        });
        // The two halves of a check: reading the YAML into a tenant, and evaluating the rules
        // over a tenant read once.
        let limits = skuld::Limits::default();
        group.bench_with_input(BenchmarkId::new("load", label), &src, |b, src| {
            b.iter_with_large_drop(|| skuld::Tenant::load(&policy, black_box(src), &limits))
        });
        let Ok(loaded) = skuld::Tenant::load(&policy, &src, &limits) else {
            fail("the generated tenant does not load")
        };
        group.bench_with_input(BenchmarkId::new("evaluate", label), &loaded, |b, t| {
            b.iter_with_large_drop(|| policy.check_tenant(black_box(t)))
        });
    }
    group.finish();
}

/// Compiling the embedded default policy, which happens once per run.
fn policy_benches(c: &mut Criterion) {
    let full = skuld::Policy::default_sources();
    if skuld::Policy::from_sources(&full).is_err() {
        fail("the default policy does not compile");
    }
    let mut group = c.benchmark_group("policy");
    group
        .sample_size(50)
        .nresamples(10_000)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    group.bench_function("compile_default", |b| {
        b.iter_with_large_drop(|| skuld::Policy::from_sources(black_box(&full)))
    });
    group.finish();
}

criterion_group!(check, policy_benches, benches);
criterion_main!(check);
