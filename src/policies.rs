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

/// The SSPR licensing matrices skuld embeds, oldest first: the file and the date of Microsoft's
/// page it encodes (the first line of each file says "as of" that date; a test checks it).
pub const SSPR_MATRICES: [(&str, &str); 3] = [
    ("builtin:sspr-2017", "2017-04-26"),
    ("builtin:sspr-2019", "2019-01-11"),
    ("builtin:sspr-current", "2025-01-06"),
];

/// Which policy a run applied, for reports: whether the embedded default is in it, which SSPR
/// matrix (and how to choose another), and the policy files of the user's own. Counted from
/// the files' names, so it costs nothing measurable.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PolicyEdition {
    /// The embedded default policy (catalog and general rules) is part of it.
    pub default_policy: bool,
    /// The embedded SSPR matrix in force (`builtin:sspr-2017`), if any.
    pub sspr_matrix: Option<&'static str>,
    /// The date of Microsoft's page that matrix encodes (`2017-04-26`).
    pub matrix_date: Option<&'static str>,
    /// The other embedded matrices, each chosen with `--policy NAME` (or in `.skuld.yaml`'s
    /// `policies:`); it replaces the one in force.
    pub other_matrices: Vec<&'static str>,
    /// The policy files that are not embedded, as named.
    pub files: Vec<String>,
}

impl PolicyEdition {
    /// The edition of a policy compiled from `files`.
    pub fn of(files: &[SourceFile]) -> Self {
        let has = |name: &str| files.iter().any(|f| f.name() == name);
        let matrix = SSPR_MATRICES.iter().find(|(name, _)| has(name));
        PolicyEdition {
            // The general rules stand for the default (a matrix may be replaced in it).
            default_policy: has("builtin:licensing"),
            sspr_matrix: matrix.map(|(name, _)| *name),
            matrix_date: matrix.map(|(_, date)| *date),
            other_matrices: SSPR_MATRICES
                .iter()
                .map(|(name, _)| *name)
                .filter(|name| !has(name))
                .collect(),
            files: files
                .iter()
                .map(SourceFile::name)
                .filter(|n| !n.starts_with("builtin:"))
                .map(str::to_owned)
                .collect(),
        }
    }

    /// One sentence for people: `the default policy, SSPR matrix of 2017-04-26
    /// (builtin:sspr-2017; another: --policy builtin:sspr-2019 or builtin:sspr-current)`, then
    /// the user's files.
    pub fn sentence(&self) -> String {
        let mut parts = Vec::new();
        if self.default_policy {
            parts.push("the default policy".to_owned());
        }
        let files = self.files.join(", ");
        if !files.is_empty() {
            parts.push(files);
        }
        if parts.is_empty() {
            parts.push("embedded files only".to_owned());
        }
        let mut text = parts.join(" + ");
        match (self.sspr_matrix, self.matrix_date) {
            (Some(name), Some(date)) => {
                text.push_str(&format!(", SSPR matrix of {date} ({name}"));
                if !self.other_matrices.is_empty() {
                    text.push_str("; another: --policy ");
                    text.push_str(&self.other_matrices.join(" or "));
                }
                text.push(')');
            }
            _ => text.push_str(", no embedded SSPR matrix"),
        }
        text
    }
}

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

#[cfg(test)]
mod edition_tests {
    use super::{DEFAULT_POLICY_VERSION, PolicyEdition, SSPR_MATRICES, add_builtin, builtin};

    #[test]
    fn each_matrix_file_says_the_date_it_is_listed_with() {
        for (name, date) in SSPR_MATRICES {
            let file = builtin(name).unwrap();
            let first = file.text().lines().next().unwrap_or_default();
            assert!(
                first.ends_with(&format!("as of {date}.")),
                "{name}: {first}"
            );
        }
        let (default, date) = SSPR_MATRICES[0];
        assert_eq!(
            DEFAULT_POLICY_VERSION,
            format!(
                "{}, matrix of {date}",
                default.trim_start_matches("builtin:")
            )
        );
    }

    #[test]
    fn the_edition_names_the_matrix_in_force_and_the_others() {
        let mut files = super::default_sources();
        let e = PolicyEdition::of(&files);
        assert_eq!(
            e.sentence(),
            "the default policy, SSPR matrix of 2017-04-26 (builtin:sspr-2017; another: --policy builtin:sspr-2019 or builtin:sspr-current)"
        );
        add_builtin(&mut files, builtin("builtin:sspr-current").unwrap());
        files.push(crate::source::SourceFile::new("my.skuld", ""));
        let e = PolicyEdition::of(&files);
        assert_eq!(e.sspr_matrix, Some("builtin:sspr-current"));
        assert_eq!(e.matrix_date, Some("2025-01-06"));
        assert_eq!(e.files, ["my.skuld"]);
        assert_eq!(
            e.sentence(),
            "the default policy + my.skuld, SSPR matrix of 2025-01-06 (builtin:sspr-current; another: --policy builtin:sspr-2017 or builtin:sspr-2019)"
        );
        let e = PolicyEdition::of(&[crate::source::SourceFile::new("my.skuld", "")]);
        assert_eq!(e.sentence(), "my.skuld, no embedded SSPR matrix");
    }
}
