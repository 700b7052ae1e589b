//! The policies embedded in the binary.
//!
//! The default policy is the SSPR licensing matrix of 2017-04-26 (the seed document) plus the
//! general licensing rules, over the shared SKU catalog: the hand-written part (capabilities,
//! `paid`/`free`, families) and the full catalog generated from Microsoft's product table
//! (`examples/gen_catalog.rs`). Each embedded file has a `builtin:` name, which is what
//! diagnostics and findings show as its path.
//!
//! The SSPR matrices of 2017, 2019 and today are alternatives: they declare the same rules, so
//! selecting one (`--policy builtin:sspr-current`) replaces the one in the default policy
//! instead of adding to it ([`add_builtin`]).

use std::path::Path;

use crate::diagnostics::Diagnostics;
use crate::source::SourceFile;

/// The version of the default policy, shown by `skuld --version`: the licensing matrix it encodes
/// (Microsoft's SSPR licensing page of 2017-04-26). Change it with the matrix.
pub const DEFAULT_POLICY_VERSION: &str = "sspr-2017, matrix of 2017-04-26";

/// Embedded policy files: name, text.
const FILES: &[(&str, &str)] = &[
    ("builtin:catalog", include_str!("../policies/catalog.skuld")),
    (
        "builtin:catalog-microsoft",
        include_str!("../policies/catalog-microsoft.skuld"),
    ),
    (
        "builtin:catalog-extra",
        include_str!("../policies/catalog-extra.skuld"),
    ),
    (
        "builtin:sspr-2017",
        include_str!("../policies/sspr-2017.skuld"),
    ),
    (
        "builtin:licensing",
        include_str!("../policies/licensing.skuld"),
    ),
    (
        "builtin:features",
        include_str!("../policies/features.skuld"),
    ),
    ("builtin:addons", include_str!("../policies/addons.skuld")),
    (
        "builtin:sspr-2019",
        include_str!("../policies/sspr-2019.skuld"),
    ),
    (
        "builtin:sspr-current",
        include_str!("../policies/sspr-current.skuld"),
    ),
];

/// How many files of [`FILES`] make up the default policy (the first ones).
const DEFAULT_FILES: usize = 7;

/// Groups of embedded files that are alternatives of one another: a policy holds at most one
/// file of a group.
const ALTERNATIVES: &[&[&str]] = &[&[
    "builtin:sspr-2017",
    "builtin:sspr-2019",
    "builtin:sspr-current",
]];

/// The files of the default policy, in order.
pub fn default_sources() -> Vec<SourceFile> {
    FILES
        .iter()
        .take(DEFAULT_FILES)
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

/// Adds an embedded file to a policy's files. A file with alternatives (`builtin:sspr-2019`)
/// takes the place of the alternative already there (`builtin:sspr-2017` of the default
/// policy), or of itself, so the same rule is never declared twice; any other file is added at
/// the end.
pub fn add_builtin(sources: &mut Vec<SourceFile>, file: SourceFile) {
    let group = ALTERNATIVES
        .iter()
        .find(|g| g.contains(&file.name()))
        .copied()
        .unwrap_or(&[]);
    let same = |s: &SourceFile| s.name() == file.name() || group.contains(&s.name());
    match sources.iter().position(same) {
        Some(at) => {
            sources.retain(|s| !same(s));
            sources.insert(at.min(sources.len()), file);
        }
        None => sources.push(file),
    }
}

/// Largest policy file read (the embedded Microsoft catalog is under 200 KB); a cap that also
/// holds for `--policy /dev/zero`.
pub(crate) const MAX_POLICY_FILE: usize = 64 * 1024 * 1024;

/// The policy files of a run: the default policy (unless left out), then each path: `builtin:NAME`
/// an embedded file, a folder its `*.skuld` files (sorted), else the file itself.
pub fn resolve(paths: &[String], with_default: bool) -> Result<Vec<SourceFile>, Diagnostics> {
    let mut sources = if with_default {
        default_sources()
    } else {
        Vec::new()
    };
    let mut errors = Vec::new();
    for p in paths {
        if let Some(name) = p.strip_prefix("builtin:") {
            match builtin(p) {
                Some(s) => add_builtin(&mut sources, s),
                None => errors.push(miette::Report::new(crate::inputs::ReadError {
                    path: p.clone(),
                    reason: format!("there is no embedded policy `{name}`"),
                    help: crate::diagnostics::suggest::did_you_mean(p, builtin_names()),
                })),
            }
            continue;
        }
        let path = Path::new(p);
        let files = if path.is_dir() {
            let mut files = Vec::new();
            crate::inputs::walk(path, &mut files, &|f| {
                f.extension().is_some_and(|e| e == "skuld")
            });
            if files.is_empty() {
                errors.push(miette::Report::new(crate::inputs::ReadError {
                    path: p.clone(),
                    reason: "no policy files (`*.skuld`) in this folder".to_owned(),
                    help: None,
                }));
            }
            files
        } else {
            vec![path.to_path_buf()]
        };
        for f in files {
            match crate::inputs::read_source(&f, MAX_POLICY_FILE) {
                Ok(s) => sources.push(s),
                Err(e) => errors.push(e),
            }
        }
    }
    if !errors.is_empty() {
        return Err(Diagnostics::new(errors));
    }
    Ok(sources)
}
