//! Reading the inputs of a run from disk: files (or standard input) with a size limit, and
//! tenant discovery (`discover.rs`: folders walked as ripgrep walks them, globs, skuld's own
//! files and non-tenant YAML left out with a reason).

mod discover;
pub(crate) mod git;
pub mod glob;
pub(crate) mod guard;

pub(crate) use discover::{Discovered, Filter, Patterns, discover};

use std::io;
use std::path::{Path, PathBuf};

use miette::Diagnostic;
use thiserror::Error;

use crate::source::SourceFile;

/// A file that could not be read.
#[derive(Debug, Error, Diagnostic)]
#[error("cannot read `{path}`: {reason}")]
#[diagnostic(code(skuld::io))]
pub(crate) struct ReadError {
    pub(crate) path: String,
    pub(crate) reason: String,
    #[help]
    pub(crate) help: Option<String>,
}

/// Files under `dir` (recursively) that `keep` accepts, sorted by path.
pub(crate) fn walk(dir: &Path, out: &mut Vec<PathBuf>, keep: &dyn Fn(&Path) -> bool) {
    let mut stack = vec![dir.to_path_buf()];
    let mut found = Vec::new();
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for entry in entries.flatten() {
            let p = entry.path();
            match entry.file_type() {
                Ok(t) if t.is_dir() => stack.push(p),
                Ok(t) if t.is_file() && keep(&p) => found.push(p),
                _ => {}
            }
        }
    }
    found.sort();
    out.extend(found);
}

/// The path that stands for standard input, and the name it is shown under.
pub(crate) const STDIN: &str = "-";
pub(crate) const STDIN_NAME: &str = "<stdin>";

/// The name a tenant path is shown under in reports.
pub(crate) fn display_name(path: &Path) -> String {
    if path.as_os_str() == STDIN {
        STDIN_NAME.to_owned()
    } else {
        path.display().to_string()
    }
}

/// Reads a UTF-8 file (or standard input for `-`), refusing more than `max_bytes` (counted while
/// reading: a device or `/proc` file reports a size of 0).
pub(crate) fn read_source(path: &Path, max_bytes: usize) -> Result<SourceFile, miette::Report> {
    read_source_at(path, &display_name(path), max_bytes)
}

/// [`read_source`] of `path`, shown as `name`.
pub(crate) fn read_source_at(
    path: &Path,
    name: &str,
    max_bytes: usize,
) -> Result<SourceFile, miette::Report> {
    let err = |reason: String, help: Option<String>| {
        miette::Report::new(ReadError {
            path: name.to_owned(),
            reason,
            help,
        })
    };
    let too_large = |size: String| {
        err(
            format!("{size} more than the limit of {max_bytes} bytes"),
            Some("raise the limit with `--max-file-size BYTES` if the input is genuine".to_owned()),
        )
    };
    let bytes = if path.as_os_str() == STDIN {
        guard::read_capped(io::stdin().lock(), max_bytes)
            .map_err(|e| err(e.to_string(), None))?
            .ok_or_else(|| too_large("the input has".to_owned()))?
    } else {
        let meta = std::fs::metadata(path).map_err(|e| err(e.to_string(), None))?;
        if meta.len() > max_bytes as u64 {
            return Err(too_large(format!("the file has {} bytes,", meta.len())));
        }
        let file = std::fs::File::open(path).map_err(|e| err(e.to_string(), None))?;
        guard::read_capped(file, max_bytes)
            .map_err(|e| err(e.to_string(), None))?
            .ok_or_else(|| too_large("the file has".to_owned()))?
    };
    let text = String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        err(
            format!("the file is not UTF-8 text (invalid byte at offset {at})"),
            Some("save the file as UTF-8".to_owned()),
        )
    })?;
    Ok(SourceFile::new(name, text))
}
