//! Arbitrary text as a policy file: the parser alone, then compiled on top of the default policy.
#![no_main]

use libfuzzer_sys::fuzz_target;
use skuld::{Policy, SourceFile};

fuzz_target!(|text: &str| {
    let file = SourceFile::new("fuzz.skuld", text);
    let _ = skuld::syntax::parse(&file);
    let mut sources = skuld::policies::default_sources();
    sources.push(file);
    let _ = Policy::from_sources(&sources);
});
