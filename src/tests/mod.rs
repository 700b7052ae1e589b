//! Tests of the whole library that cross layers, moved here from the integration test binaries
//! when the public API was narrowed (they reach internals: the parser and formatter, the
//! compiled catalog, the tenant document, the renderers). Tests of the binary as a process stay
//! in `tests/cli`, tests of the public API in `tests/api`. Test data stays in `tests/data/`.

mod catalog;
mod cli;
mod config;
mod eval_plan;
mod fmt;
mod gen_matrix;
mod hardening;
mod import;
mod matrix;
mod policies;

use std::path::PathBuf;

/// The repository's root.
fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Runs the command line in this process: (exit code, stdout, stderr). For tests that check
/// both the output of a command and an internal value; the process-level tests are in
/// `tests/cli`.
fn run_cli(args: &[&str]) -> (u8, String, String) {
    use clap::Parser;
    let cli = crate::cli::Cli::try_parse_from(std::iter::once("skuld").chain(args.iter().copied()))
        .unwrap();
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let status = crate::cli::run(cli, &mut out, &mut err);
    (
        status.code(),
        String::from_utf8(out).unwrap(),
        String::from_utf8(err).unwrap(),
    )
}
