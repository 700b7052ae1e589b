//! Many tenants: 1,000 tenant files of 1,000 users each, checked with the policy compiled once,
//! on 1 and on 2 threads (`Policy::check_all`, what `skuld check -j N DIR` uses).
//!
//! `cargo bench --bench many`. The files are generated in memory (different seeds) so the bench
//! measures checking, not the disk.

use std::hint::black_box;
use std::io::Write as _;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use skuld::{Limits, Policy, SourceFile};

#[path = "../examples/gen_tenant.rs"]
#[expect(
    dead_code,
    reason = "the example's `main` and CLI parsing are not used here, only `generate`"
)]
mod gen_tenant;

const FILES: usize = 1_000;
const USERS: usize = 1_000;

fn many(c: &mut Criterion) {
    let policy = Policy::builtin().unwrap_or_else(|e| {
        let _ = writeln!(
            std::io::stderr(),
            "the default policy does not compile: {e}"
        );
        std::process::exit(2);
    });
    let sources: Vec<SourceFile> = (0..FILES)
        .map(|i| {
            SourceFile::new(
                format!("tenant-{i:04}.yaml"),
                gen_tenant::generate(USERS, 42 + i as u64, 3.0, None),
            )
        })
        .collect();
    let bytes: usize = sources.iter().map(|s| s.text().len()).sum();
    let _ = writeln!(
        std::io::stderr(),
        "many: {FILES} files x {USERS} users, {bytes} bytes in all"
    );

    let mut group = c.benchmark_group("many");
    group.throughput(Throughput::Bytes(bytes as u64));
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(30));
    group.warm_up_time(Duration::from_secs(1));
    for jobs in [1, 2] {
        group.bench_function(format!("{FILES}x{USERS}/jobs={jobs}"), |b| {
            b.iter(|| {
                let results = policy.check_all(&sources, &Limits::default(), jobs);
                black_box(results)
            });
        });
    }
    group.finish();
}

criterion_group!(benches, many);
criterion_main!(benches);
