//! The hostile-input reproducers of issue 15 as a scaling benchmark: each input dimension that
//! once grew quadratically is measured at n, 2n, 4n and 8n, so a regression shows as a time that
//! quadruples when n doubles.
//!
//! ```text
//! cargo bench --bench hostile                        # everything (a few minutes on 2 cores)
//! cargo bench --bench hostile -- 'unknown_groups/'   # one dimension
//! ```
//!
//! The inputs are Rust ports of the generators in the reproducers (`r01`, `r03`, `r04`, `r05`,
//! `r06`, `r07`, `r08`, `r09`, `r17`, `r17b`, `r19`, `r21`; docs/hardening.md maps each to its
//! id here), at smaller n so the group runs in reasonable time. The built `skuld` binary runs as
//! a process, so the numbers include start-up, reading and rendering, like a CI run, and the
//! benchmark uses no library API.
//! Benchmark ids are `<dimension>/<n>`; throughput is in elements (the n).
#![forbid(unsafe_code)]
#![expect(
    clippy::unwrap_used,
    reason = "a benchmark that cannot write its input or start the binary should stop loudly"
)]

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, SamplingMode, Throughput};
use criterion::{criterion_group, criterion_main};

const SKULD: &str = env!("CARGO_BIN_EXE_skuld");

/// The date every run sees (`SKULD_TODAY`), so that the waivers' expiry stays inside the
/// horizon whenever the benchmark runs.
const TODAY: &str = "2026-01-01";

/// One scaling dimension: a name, its base n, a generator writing the input for n into a folder
/// and returning the arguments, and the exit codes a run may end with.
struct Dimension {
    name: &'static str,
    base: usize,
    generate: fn(&Path, usize) -> Vec<String>,
    exit_codes: &'static [i32],
}

/// A tiny deterministic generator (the reproducers use Python's `random` with a seed; the
/// property that matters, names over a small alphabet that defeat cheap filters, is kept).
struct Lcg(u64);

impl Lcg {
    fn word(&mut self, alphabet: &[u8], len: usize) -> String {
        (0..len)
            .map(|_| {
                self.0 = self
                    .0
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1_442_695_040_888_963_407);
                let i = (self.0 >> 33) as usize % alphabet.len();
                char::from(alphabet.get(i).copied().unwrap_or(b'a'))
            })
            .collect()
    }
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

fn args(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| (*s).to_owned()).collect()
}

/// r03 `group`: n groups and n users each naming a distinct unknown group (did-you-mean).
fn unknown_groups(dir: &Path, n: usize) -> Vec<String> {
    let mut r = Lcg(1);
    let mut t = String::from("tenant: t\ngroups:\n");
    for _ in 0..n {
        let _ = writeln!(t, "  - name: {}", r.word(b"abcdef", 12));
    }
    t.push_str("users:\n");
    for i in 0..n {
        let _ = writeln!(
            t,
            "  - upn: u{i}@x.com\n    groups: [{}x]",
            r.word(b"abcdef", 12)
        );
    }
    let p = write(dir, "t.yaml", &t);
    args(&["check", "--no-config", "--format", "json", &p])
}

/// r21: n distinct unknown SKUs against a policy declaring 2,000 look-alike SKUs.
fn unknown_skus(dir: &Path, n: usize) -> Vec<String> {
    let mut r = Lcg(2);
    let mut policy = String::new();
    for _ in 0..2000 {
        let _ = write!(
            policy,
            "sku {} \"P\" {{\n    free\n}}\n",
            r.word(b"ABCDEF", 12)
        );
    }
    let p = write(dir, "p.skuld", &policy);
    let mut t = String::from("tenant: t\ncountry: US\nusers:\n");
    for i in 0..n {
        let _ = writeln!(
            t,
            "  - upn: u{i}@x.com\n    licenses: [{}X]",
            r.word(b"ABCDEF", 12)
        );
    }
    let t = write(dir, "t.yaml", &t);
    args(&[
        "check",
        "--no-config",
        "--format",
        "json",
        "--policy",
        &p,
        &t,
    ])
}

/// r04 `children`: one licensed group with n member groups: one finding with n places.
fn member_groups(dir: &Path, n: usize) -> Vec<String> {
    let mut t = String::from("tenant: t\ngroups:\n  - name: P\n    licenses: [ENTERPRISEPACK]\n");
    for i in 0..n {
        let _ = writeln!(t, "  - name: c{i}\n    groups: [P]");
    }
    let p = write(dir, "t.yaml", &t);
    args(&["check", "--no-config", "--format", "json", &p])
}

/// n users, and a `features:` block of n entries that each list one user (PIM eligibility
/// imported entry by entry): each entry must cost what it names, not a pass over the users.
fn feature_entries(dir: &Path, n: usize) -> Vec<String> {
    let mut t = String::from("tenant: t\ncountry: US\nusers:\n");
    for i in 0..n {
        let _ = writeln!(
            t,
            "  - upn: u{i}@x.com\n    usage_location: US\n    licenses: [AAD_PREMIUM_P2]"
        );
    }
    t.push_str("features:\n  pim:\n");
    for i in 0..n {
        let _ = writeln!(t, "    - users: [u{i}@x.com]");
    }
    let p = write(dir, "t.yaml", &t);
    args(&["check", "--no-config", "--format", "json", &p])
}

/// r04 `usergroups`: one user in n groups that each assign `FLOW_FREE`: one finding, n places.
fn user_in_groups(dir: &Path, n: usize) -> Vec<String> {
    let mut t = String::from("tenant: t\ncountry: US\nsspr:\n  scope: all\ngroups:\n");
    for i in 0..n {
        let _ = writeln!(t, "  - name: g{i}\n    licenses: [FLOW_FREE]");
    }
    t.push_str("users:\n  - upn: a@x.com\n    groups:\n");
    for i in 0..n {
        let _ = writeln!(t, "      - g{i}");
    }
    let p = write(dir, "t.yaml", &t);
    args(&["check", "--no-config", "--format", "json", &p])
}

/// r04 `parents`: one group listing n parent groups.
fn parent_groups(dir: &Path, n: usize) -> Vec<String> {
    let mut t = String::from("tenant: t\ngroups:\n");
    for i in 0..n {
        let _ = writeln!(t, "  - name: g{i}");
    }
    t.push_str("  - name: kid\n    groups:\n");
    for i in 0..n {
        let _ = writeln!(t, "      - g{i}");
    }
    let p = write(dir, "t.yaml", &t);
    args(&["check", "--no-config", "--format", "json", &p])
}

/// r06 `flowsku`: one flow line of n unknown SKUs: n findings on one line.
fn one_long_line(dir: &Path, n: usize) -> Vec<String> {
    let skus: Vec<String> = (0..n).map(|i| format!("ZQX{i}")).collect();
    let t = format!(
        "tenant: t\ncountry: US\nusers:\n  - upn: a@x.com\n    licenses: [{}]\n",
        skus.join(", ")
    );
    let p = write(dir, "t.yaml", &t);
    args(&["check", "--no-config", "--format", "json", &p])
}

/// r01: n unknown top-level keys, rendered by the human report.
fn unknown_keys(dir: &Path, n: usize) -> Vec<String> {
    let mut t = String::from("tenant: t\n");
    for i in 0..n {
        let _ = writeln!(t, "k{i}: 1");
    }
    let p = write(dir, "t.yaml", &t);
    args(&["check", "--no-config", &p])
}

/// r09 `skus`: `check-policy` on n SKU declarations.
fn policy_skus(dir: &Path, n: usize) -> Vec<String> {
    let mut p = String::new();
    for i in 0..n {
        let _ = write!(
            p,
            "sku ZZSKU{i} \"Product {i}\" {{\n    paid family entra\n}}\n\n"
        );
    }
    let p = write(dir, "p.skuld", &p);
    args(&["check-policy", "--fail-on", "never", &p])
}

/// n unknown names in one set of a policy declaring n SKUs (did-you-mean in the compiler).
fn policy_unknown_names(dir: &Path, n: usize) -> Vec<String> {
    let mut p = String::new();
    for i in 0..n {
        let _ = write!(p, "sku ZZB{i} \"P{i}\" {{\n    paid family entra\n}}\n");
    }
    let names: Vec<String> = (0..n).map(|i| format!("QQ{i}")).collect();
    let _ = writeln!(p, "set big = [{}]", names.join(", "));
    let p = write(dir, "p.skuld", &p);
    args(&["check-policy", "--fail-on", "never", &p])
}

/// The Graph responses every import needs, with `users` and `groups` as given.
fn graph_dir(dir: &Path, users: &str, groups: &str) -> PathBuf {
    let g = dir.join("graph");
    let _ = std::fs::remove_dir_all(&g);
    std::fs::create_dir_all(&g).unwrap();
    write(
        &g,
        "organization.json",
        r#"{"value": [{"displayName": "T", "countryLetterCode": "US", "verifiedDomains": [{"isInitial": true, "name": "t.onmicrosoft.com"}]}]}"#,
    );
    write(
        &g,
        "subscribedSkus.json",
        r#"{"value": [{"skuId": "6fd2c87f-b296-42f0-b197-1e91e994b900", "skuPartNumber": "ENTERPRISEPACK", "prepaidUnits": {"enabled": 1000000000}}]}"#,
    );
    write(&g, "users.json", users);
    write(&g, "groups.json", groups);
    g
}

fn graph_user(i: usize, upn: bool) -> String {
    let upn = if upn {
        format!(",\n  \"userPrincipalName\": \"user{i}@t.com\"")
    } else {
        String::new()
    };
    format!(
        "{{\n  \"id\": \"u-{i:08}\",\n  \"usageLocation\": \"US\",\n  \"assignedLicenses\": [{{\"skuId\": \"6fd2c87f-b296-42f0-b197-1e91e994b900\"}}],\n  \"licenseAssignmentStates\": [{{\"skuId\": \"6fd2c87f-b296-42f0-b197-1e91e994b900\", \"assignedByGroup\": null, \"state\": \"Active\", \"error\": \"None\"}}]{upn}\n}}"
    )
}

fn import_args(dir: &Path, g: &Path) -> Vec<String> {
    let out = dir.join("imported.yaml").display().to_string();
    args(&["import", "graph", &g.display().to_string(), "-o", &out])
}

/// r17 `noupn`: n users without a UPN: n warnings located in `users.json`.
fn import_no_upn(dir: &Path, n: usize) -> Vec<String> {
    let users: Vec<String> = (0..n).map(|i| graph_user(i, false)).collect();
    let g = graph_dir(
        dir,
        &format!("{{\"value\": [{}]}}", users.join(",\n")),
        r#"{"value": []}"#,
    );
    import_args(dir, &g)
}

/// r17 `dupgroups`: n groups all named `Sales`: n warnings located in `groups.json`.
fn import_duplicate_groups(dir: &Path, n: usize) -> Vec<String> {
    let groups: Vec<String> = (0..n)
        .map(|i| format!("{{\n  \"id\": \"g-{i}\",\n  \"displayName\": \"Sales\",\n  \"assignedLicenses\": []\n}}"))
        .collect();
    let g = graph_dir(
        dir,
        &format!("{{\"value\": [{}]}}", graph_user(0, true)),
        &format!("{{\"value\": [{}]}}", groups.join(",\n")),
    );
    import_args(dir, &g)
}

/// r17b: n groups, each with its own `members/<id>.json`.
fn import_member_files(dir: &Path, n: usize) -> Vec<String> {
    let groups: Vec<String> = (0..n)
        .map(|i| format!("{{\"id\": \"g{i:07}\", \"displayName\": \"G{i}\"}}"))
        .collect();
    let g = graph_dir(
        dir,
        r#"{"value": [{"id": "u1", "userPrincipalName": "a@t.com"}]}"#,
        &format!("{{\"value\": [{}]}}", groups.join(", ")),
    );
    let members = g.join("members");
    std::fs::create_dir_all(&members).unwrap();
    for i in 0..n {
        write(
            &members,
            &format!("g{i:07}.json"),
            r##"{"value": [{"@odata.type": "#microsoft.graph.user", "id": "u1"}]}"##,
        );
    }
    import_args(dir, &g)
}

/// The waiver comment of r07, with an expiry inside the horizon of the fixed `SKULD_TODAY`.
const WAIVE: &str = "# skuld: waive sspr/cloud-user-license until 2026-06-30 -- x";

/// r05 `dupusers`: n users with one UPN, SARIF (n - 1 findings, capped per rule and file).
fn duplicate_users(dir: &Path, n: usize) -> Vec<String> {
    let t = format!("tenant: t\nusers:\n{}", "  - upn: same@x.com\n".repeat(n));
    let p = write(dir, "t.yaml", &t);
    args(&["check", "--no-config", "--format", "sarif", &p])
}

/// r05 `seats`: n groups assigning a SKU with no seats: one `licensing/seats` finding, n places.
fn seat_groups(dir: &Path, n: usize) -> Vec<String> {
    let mut t = String::from(
        "tenant: t\ncountry: US\nsubscriptions:\n  - sku: ENTERPRISEPACK\n    seats: 0\n  - sku: EMS\n    seats: 1000000\ngroups:\n",
    );
    for i in 0..n {
        let _ = writeln!(t, "  - name: g{i}\n    licenses: [ENTERPRISEPACK, EMS]");
    }
    t.push_str("users:\n  - upn: a@x.com\n    groups: [g0]\n");
    let p = write(dir, "t.yaml", &t);
    args(&["check", "--no-config", "--format", "json", &p])
}

/// r07 `inline`: n unlicensed users in SSPR scope, each waived by a comment on its line.
fn inline_waivers(dir: &Path, n: usize) -> Vec<String> {
    let mut t = String::from("tenant: t\nsspr: {scope: all}\nusers:\n");
    for i in 0..n {
        let _ = writeln!(t, "  - upn: u{i}@x.com  {WAIVE}");
    }
    let p = write(dir, "t.yaml", &t);
    args(&["check", "--no-config", "--format", "json", &p])
}

/// r07 `unused`: n inline waivers that match nothing (n `skuld::waiver::unused` warnings).
fn unused_waivers(dir: &Path, n: usize) -> Vec<String> {
    let mut t = String::from("tenant: t\nusers:\n");
    for i in 0..n {
        let _ = writeln!(t, "  - upn: u{i}@x.com  {WAIVE}");
    }
    let p = write(dir, "t.yaml", &t);
    args(&["check", "--no-config", "--format", "json", &p])
}

/// r07 `file`: n findings and a waivers file with one entry per finding's subject.
fn waivers_file(dir: &Path, n: usize) -> Vec<String> {
    let mut t = String::from("tenant: t\nsspr: {scope: all}\nusers:\n");
    let mut w = String::from("waivers:\n");
    for i in 0..n {
        let _ = writeln!(t, "  - upn: u{i}@x.com");
        let _ = writeln!(
            w,
            "  - rule: sspr/cloud-user-license\n    subject: u{i}@x.com\n    reason: x\n    expires: 2026-06-30"
        );
    }
    let t = write(dir, "t.yaml", &t);
    let w = write(dir, "w.yaml", &w);
    args(&[
        "check",
        "--no-config",
        "--format",
        "json",
        "--waivers",
        &w,
        &t,
    ])
}

/// r08 `base`: n findings, all in a baseline written by skuld itself (nothing left to report).
fn baseline(dir: &Path, n: usize) -> Vec<String> {
    let mut t = String::from("tenant: t\nsspr: {scope: all}\nusers:\n");
    for i in 0..n {
        let _ = writeln!(t, "  - upn: u{i}@x.com");
    }
    let t = write(dir, "t.yaml", &t);
    let b = dir.join("b.json").display().to_string();
    let cap = n.to_string();
    let made = Command::new(SKULD)
        .args(["check", "--no-config", "--format", "json"])
        .args(["--max-findings-per-rule", &cap, "--output", &b, &t])
        .env("SKULD_TODAY", TODAY)
        .status()
        .unwrap();
    assert_eq!(made.code(), Some(1), "writing the baseline");
    args(&[
        "check",
        "--no-config",
        "--format",
        "json",
        "--baseline",
        &b,
        &t,
    ])
}

/// r19 `skus`: one anchored list of 1,000 unknown SKUs named by n users through an alias:
/// n × 1,000 findings from a small file (kept: 1,000 per rule; the rest counted).
fn alias_amplification(dir: &Path, n: usize) -> Vec<String> {
    let skus: Vec<String> = (0..1000).map(|i| format!("Q{i}")).collect();
    let mut t = format!(
        "tenant: t\ncountry: US\nusers:\n  - upn: u@x.com\n    licenses: &L [{}]\n",
        skus.join(", ")
    );
    for i in 0..n {
        let _ = writeln!(t, "  - {{upn: u{i}@x.com, licenses: *L}}");
    }
    let p = write(dir, "t.yaml", &t);
    args(&["check", "--no-config", "--format", "sarif", &p])
}

const DIMENSIONS: &[Dimension] = &[
    Dimension {
        name: "unknown_groups",
        base: 500,
        generate: unknown_groups,
        exit_codes: &[1],
    },
    Dimension {
        name: "unknown_skus_vs_2k_declared",
        base: 250,
        generate: unknown_skus,
        exit_codes: &[1],
    },
    Dimension {
        name: "member_groups_labels",
        base: 5000,
        generate: member_groups,
        exit_codes: &[0, 1],
    },
    Dimension {
        name: "user_in_groups",
        base: 5000,
        generate: user_in_groups,
        exit_codes: &[0, 1],
    },
    Dimension {
        name: "parent_groups",
        base: 5000,
        generate: parent_groups,
        exit_codes: &[0, 1],
    },
    Dimension {
        name: "findings_on_one_line",
        base: 5000,
        generate: one_long_line,
        exit_codes: &[1],
    },
    Dimension {
        name: "unknown_keys_human",
        base: 1000,
        generate: unknown_keys,
        exit_codes: &[2],
    },
    Dimension {
        name: "check_policy_skus",
        base: 1000,
        generate: policy_skus,
        exit_codes: &[0, 1],
    },
    Dimension {
        name: "policy_unknown_names",
        base: 250,
        generate: policy_unknown_names,
        exit_codes: &[2],
    },
    Dimension {
        name: "import_users_without_upn",
        base: 500,
        generate: import_no_upn,
        exit_codes: &[0],
    },
    Dimension {
        name: "import_duplicate_group_names",
        base: 500,
        generate: import_duplicate_groups,
        exit_codes: &[0],
    },
    Dimension {
        name: "import_member_files",
        base: 500,
        generate: import_member_files,
        exit_codes: &[0],
    },
    Dimension {
        name: "duplicate_users_sarif",
        base: 2500,
        generate: duplicate_users,
        exit_codes: &[1],
    },
    Dimension {
        name: "seat_groups_labels",
        base: 2500,
        generate: seat_groups,
        exit_codes: &[0, 1],
    },
    Dimension {
        name: "inline_waivers",
        base: 2500,
        generate: inline_waivers,
        // `sspr/tenant-license` is not waived.
        exit_codes: &[1],
    },
    Dimension {
        name: "unused_inline_waivers",
        base: 2500,
        generate: unused_waivers,
        exit_codes: &[0, 1],
    },
    Dimension {
        name: "waivers_file",
        base: 2500,
        generate: waivers_file,
        // `sspr/tenant-license` is not waived.
        exit_codes: &[1],
    },
    Dimension {
        name: "baseline_entries",
        base: 2500,
        generate: baseline,
        exit_codes: &[0],
    },
    Dimension {
        name: "feature_entries",
        base: 2500,
        generate: feature_entries,
        exit_codes: &[0],
    },
    Dimension {
        name: "alias_amplification_sarif",
        base: 100,
        generate: alias_amplification,
        exit_codes: &[1],
    },
];

fn run(argv: &[String], exit_codes: &[i32]) {
    let status = Command::new(SKULD)
        .args(argv)
        .env("SKULD_TODAY", TODAY)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .unwrap();
    let code = status.code().unwrap_or(-1);
    assert!(
        exit_codes.contains(&code),
        "`skuld {}` exited with {code}, expected one of {exit_codes:?}",
        argv.join(" ")
    );
}

fn hostile(c: &mut Criterion) {
    let root = std::env::temp_dir().join(format!("skuld-bench-hostile-{}", std::process::id()));
    for d in DIMENSIONS {
        let mut group = c.benchmark_group(d.name);
        group
            .sampling_mode(SamplingMode::Flat)
            .sample_size(10)
            .warm_up_time(Duration::from_millis(500))
            .measurement_time(Duration::from_secs(2));
        for factor in [1, 2, 4, 8] {
            let n = d.base * factor;
            let dir = root.join(format!("{}-{n}", d.name));
            std::fs::create_dir_all(&dir).unwrap();
            let argv = (d.generate)(&dir, n);
            group.throughput(Throughput::Elements(n as u64));
            group.bench_with_input(BenchmarkId::from_parameter(n), &argv, |b, argv| {
                b.iter(|| run(argv, d.exit_codes));
            });
        }
        group.finish();
    }
    let _ = std::fs::remove_dir_all(&root);
}

criterion_group!(benches, hostile);
criterion_main!(benches);
