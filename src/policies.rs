//! The policies embedded in the binary.
//!
//! The default policy is the SSPR licensing matrix of 2017-04-26 (the seed document) plus the
//! general licensing rules, over the shared SKU catalog. Each embedded file has a `builtin:` name,
//! which is what diagnostics and findings show as its path.

use crate::source::SourceFile;

/// The version of the default policy, shown by `skuld --version`: the licensing matrix it encodes
/// (Microsoft's SSPR licensing page of 2017-04-26). Change it with the matrix.
pub const DEFAULT_POLICY_VERSION: &str = "sspr-2017, matrix of 2017-04-26";

/// Embedded policy files: name, text.
const FILES: &[(&str, &str)] = &[
    ("builtin:catalog", include_str!("../policies/catalog.skuld")),
    (
        "builtin:sspr-2017",
        include_str!("../policies/sspr-2017.skuld"),
    ),
    (
        "builtin:licensing",
        include_str!("../policies/licensing.skuld"),
    ),
];

/// The files of the default policy, in order.
pub fn default_sources() -> Vec<SourceFile> {
    FILES
        .iter()
        .map(|(name, text)| SourceFile::new(*name, *text))
        .collect()
}

/// One embedded file by its `builtin:` name.
pub fn builtin(name: &str) -> Option<SourceFile> {
    FILES
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(n, text)| SourceFile::new(*n, *text))
}

/// The names of the embedded files.
pub fn builtin_names() -> impl Iterator<Item = &'static str> {
    FILES.iter().map(|(n, _)| *n)
}
