//! The `skuld` binary: parse arguments, run, map the outcome to an exit code. Nothing else.
#![forbid(unsafe_code)]

fn main() -> std::process::ExitCode {
    skuld::cli_main()
}
