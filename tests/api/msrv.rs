//! The crate's `rust-version` is at least what every locked dependency declares, so a user on an
//! older toolchain gets cargo's clear "requires rustc X" message instead of compile errors deep
//! in a dependency. CI runs on the machine's one toolchain (README, "Minimum supported Rust
//! version"), so this is how the MSRV stays true there.

#![expect(
    clippy::unwrap_used,
    reason = "helpers of tests: a panic is a test failure"
)]

use std::process::Command;

use serde_json::Value;

use crate::common::root;

/// `1.88` or `1.88.0` as comparable numbers (a missing patch is 0).
fn version(text: &str) -> Vec<u64> {
    let mut parts: Vec<u64> = text.split('.').map(|p| p.parse().unwrap()).collect();
    parts.resize(3, 0);
    parts
}

#[test]
fn version_compares_numerically() {
    assert!(version("1.88") == version("1.88.0"));
    assert!(version("1.100") > version("1.88.1"));
    assert!(version("1.9") < version("1.88"));
}

#[test]
fn rust_version_covers_every_locked_dependency() {
    // `cargo metadata` reads Cargo.lock (`--locked`: as committed) and every package's manifest,
    // for every platform, not only the one the tests run on.
    let o = Command::new(env!("CARGO"))
        .args(["metadata", "--locked", "--format-version", "1"])
        .current_dir(root())
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let doc: Value = serde_json::from_slice(&o.stdout).unwrap();
    let packages = doc["packages"].as_array().unwrap();
    let ours = packages.iter().find(|p| p["name"] == "skuld").unwrap();
    let declared = ours["rust_version"].as_str().unwrap();
    let needed = packages
        .iter()
        .filter(|p| p["name"] != "skuld")
        .filter_map(|p| Some((p["rust_version"].as_str()?, p["name"].as_str()?)))
        .max_by_key(|(v, _)| version(v))
        .unwrap();
    assert!(
        version(declared) >= version(needed.0),
        "Cargo.toml says rust-version = \"{declared}\", but {} needs {}",
        needed.1,
        needed.0
    );
    // The README states the same version.
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    assert!(
        readme.contains(&format!("Rust {declared} or newer")),
        "README.md does not say \"Rust {declared} or newer\""
    );
}
