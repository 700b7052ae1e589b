//! The `skuld` binary: parse arguments, run, map the outcome to an exit code. Nothing else.
#![forbid(unsafe_code)]

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = skuld::cli::Cli::parse();
    let status = skuld::cli::run(
        cli,
        &mut std::io::stdout().lock(),
        &mut std::io::stderr().lock(),
    );
    ExitCode::from(status.code())
}
