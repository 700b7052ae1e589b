//! Helpers shared by the modules of this test binary.

#![expect(
    clippy::unwrap_used,
    reason = "helpers of tests: a panic is a test failure"
)]

use std::path::PathBuf;
use std::process::Output;

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}
