//! Arbitrary bytes as a tenant file: the YAML loader with its default limits (and the check of
//! its `features:` names against the default policy's).
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use skuld::{Limits, Policy, SourceFile, Tenant};

static POLICY: OnceLock<Policy> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let policy = POLICY.get_or_init(|| {
        Policy::builtin().unwrap_or_else(|e| panic!("the default policy must compile: {e:?}"))
    });
    if let Ok(text) = std::str::from_utf8(data) {
        let file = SourceFile::new("t.yaml", text);
        let _ = Tenant::load(policy, &file, &Limits::default());
    }
});
