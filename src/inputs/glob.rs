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
    /// True when the pattern names no folder (`*.yaml`), so `.` is searched on its behalf.
    implicit_dot: bool,
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
        // Paths found under `.` are matched without their `./`, so the pattern drops it too.
        let mut pattern = text.as_str();
        while let Some(rest) = pattern.strip_prefix("./") {
            pattern = rest;
        }
        let matcher = GlobBuilder::new(pattern)
            .literal_separator(true)
            .build()
            .ok()?
            .compile_matcher();
        let implicit_dot = base.as_os_str().is_empty();
        Some(TenantGlob {
            base: if implicit_dot {
                PathBuf::from(".")
            } else {
                base
            },
            implicit_dot,
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
        let mut path = path;
        while let Ok(rest) = path.strip_prefix(".") {
            path = rest;
        }
        self.matcher.is_match(path)
    }

    /// A found path as the user would write it: `*.yaml` finds `./a.yaml`, shown as `a.yaml`.
    pub fn shown(&self, path: PathBuf) -> PathBuf {
        if self.implicit_dot {
            path.strip_prefix(".")
                .map(Path::to_path_buf)
                .unwrap_or(path)
        } else {
            path
        }
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
