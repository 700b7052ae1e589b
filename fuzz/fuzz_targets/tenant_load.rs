//! Arbitrary bytes as a tenant file: the YAML loader with its default limits.
#![no_main]

use libfuzzer_sys::fuzz_target;
use skuld::SourceFile;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let file = SourceFile::new("t.yaml", text);
        let _ = skuld::tenant::load(&file, &skuld::tenant::Limits::default());
    }
});
