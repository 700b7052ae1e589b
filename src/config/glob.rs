//! Tenant globs: `skuld check 'tenants/**/*.yaml'` expands the pattern itself (quoted, so the
//! same on every shell and on Windows). Matching is globset's, with `*` and `?` never crossing a
//! `/` and `**` crossing any number of folders.

use std::path::{Path, PathBuf};

use globset::{GlobBuilder, GlobMatcher};

/// A command-line argument that is a glob.
#[derive(Debug)]
pub struct TenantGlob {
    /// The folder to search: the pattern's leading components without glob characters.
    base: PathBuf,
    matcher: GlobMatcher,
}

/// Why a glob gave no files.
#[derive(Debug)]
pub struct GlobError {
    /// What went wrong.
    pub reason: String,
    /// What to do about it.
    pub help: Option<String>,
}

const META: &[char] = &['*', '?', '[', '{'];

impl TenantGlob {
    /// `None` when `arg` has no glob characters (it is then a plain path).
    pub fn new(arg: &Path) -> Option<TenantGlob> {
        let text = arg.to_str()?;
        if !text.contains(META) {
            return None;
        }
        let text = text.replace('\\', "/");
        let mut base = PathBuf::new();
        for part in text.split('/') {
            if part.contains(META) {
                break;
            }
            base.push(if part.is_empty() { "/" } else { part });
        }
        let matcher = GlobBuilder::new(&text)
            .literal_separator(true)
            .build()
            .ok()?
            .compile_matcher();
        Some(TenantGlob {
            base: if base.as_os_str().is_empty() {
                PathBuf::from(".")
            } else {
                base
            },
            matcher,
        })
    }

    /// The folder to walk.
    pub fn base(&self) -> &Path {
        &self.base
    }

    /// True when `path` (as found under [`TenantGlob::base`]) matches.
    pub fn is_match(&self, path: &Path) -> bool {
        // A pattern without a folder (`*.yaml`) is walked from `.`: match without the `./`.
        let path = path.strip_prefix(".").unwrap_or(path);
        self.matcher.is_match(path)
    }

    /// The error for a glob that matched nothing.
    pub fn no_match(&self) -> GlobError {
        GlobError {
            reason: "the pattern matches no file".to_owned(),
            help: Some(format!(
                "it is matched under `{}`; `*` stays within a folder, `**` crosses folders",
                self.base.display()
            )),
        }
    }
}
