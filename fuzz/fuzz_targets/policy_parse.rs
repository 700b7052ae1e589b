//! Arbitrary text as a policy file: compiled alone (the parser, then the checks on whatever
//! parsed), then on top of the default policy.
#![no_main]

use libfuzzer_sys::fuzz_target;
use skuld::{Policy, SourceFile};

fuzz_target!(|text: &str| {
    let file = SourceFile::new("fuzz.skuld", text);
    let _ = Policy::from_sources(std::slice::from_ref(&file));
    let mut sources = Policy::default_sources();
    sources.push(file);
    let _ = Policy::from_sources(&sources);
});
