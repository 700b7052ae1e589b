//! The two things skuld asks git (issue 23), by running `git` rather than parsing `.git` itself:
//! git knows every index version and extension, and it costs no dependency
//! (docs/architecture.md). Which files a folder's repository tracks (discovery checks them
//! whatever `.gitignore` says), and a file as it is at a revision (`--config-from REF`: the
//! config and waivers of the base branch, which a pull request cannot loosen).

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use super::ReadError;
use crate::source::SourceFile;

/// `git` in `dir`, so that no repository setting runs anything while skuld reads it, and with
/// untranslated messages, so that "not a git repository" can be told from other failures.
fn git(dir: &Path, args: &[&str]) -> std::io::Result<Output> {
    Command::new("git")
        .args(["-c", "core.fsmonitor=false"])
        .args(args)
        .current_dir(dir)
        .env("GIT_OPTIONAL_LOCKS", "0")
        .env("LC_ALL", "C")
        .env("LANGUAGE", "C")
        .stdin(Stdio::null())
        .stderr(Stdio::piped())
        .output()
}

fn said(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).trim().to_owned()
}

/// The files git tracks below `dir`, relative to it; `Ok(None)` when `dir` is in no git
/// repository. `Err(why)` when it is, but git could not list them (not installed, a "dubious
/// ownership" refusal).
pub(crate) fn tracked(dir: &Path) -> Result<Option<Vec<PathBuf>>, String> {
    match git(dir, &["ls-files", "-z", "--cached", "--"]) {
        Ok(o) if o.status.success() => Ok(Some(
            o.stdout
                .split(|&b| b == 0)
                .filter(|p| !p.is_empty())
                .map(path_from_git)
                .collect(),
        )),
        Ok(o) if said(&o).contains("not a git repository") => Ok(None),
        Ok(o) => Err(said(&o)),
        Err(e) => Err(format!("`git` could not be run ({e})")),
    }
}

#[cfg(unix)]
fn path_from_git(bytes: &[u8]) -> PathBuf {
    use std::os::unix::ffi::OsStrExt as _;
    PathBuf::from(std::ffi::OsStr::from_bytes(bytes))
}

#[cfg(not(unix))]
fn path_from_git(bytes: &[u8]) -> PathBuf {
    // Git writes paths as UTF-8 on other systems.
    PathBuf::from(String::from_utf8_lossy(bytes).into_owned())
}

/// The file at `path` (in the work tree) as it is at revision `rev`, named `REV:path`;
/// `Ok(None)` when the revision has no such file. An unknown revision, a revision that looks
/// like an option, or a file that is not UTF-8 text is an error.
pub(crate) fn at_revision(rev: &str, path: &Path) -> Result<Option<SourceFile>, miette::Report> {
    let error = |reason: String, help: Option<&str>| {
        miette::Report::new(ReadError {
            path: format!("{rev}:{}", path.display()),
            reason,
            help: help.map(str::to_owned),
        })
    };
    if rev.is_empty() || rev.starts_with('-') {
        return Err(error(
            "not a revision".to_owned(),
            Some("name a branch, tag or commit, e.g. `--config-from origin/main`"),
        ));
    }
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    let commit = format!("{rev}^{{commit}}");
    match git(dir, &["rev-parse", "--verify", "--quiet", &commit]) {
        Ok(o) if o.status.success() => {}
        Ok(o) => {
            return Err(error(
                format!("`{rev}` is not a commit of this repository {}", said(&o)),
                Some(
                    "fetch it first (actions/checkout with `fetch-depth: 0`, or `git fetch origin main`)",
                ),
            ));
        }
        Err(e) => return Err(error(format!("`git` could not be run ({e})"), None)),
    }
    // `./NAME` is resolved from `dir`, wherever it is in the repository.
    let object = format!("{rev}:./{name}");
    match git(dir, &["cat-file", "-e", &object]) {
        Ok(o) if o.status.success() => {}
        Ok(_) => return Ok(None),
        Err(e) => return Err(error(format!("`git` could not be run ({e})"), None)),
    }
    let o = git(dir, &["cat-file", "blob", &object])
        .map_err(|e| error(format!("`git` could not be run ({e})"), None))?;
    if !o.status.success() {
        return Err(error(said(&o), None));
    }
    let text = String::from_utf8(o.stdout).map_err(|_| error("not UTF-8 text".to_owned(), None))?;
    Ok(Some(SourceFile::new(
        format!("{rev}:{}", path.display()),
        text,
    )))
}
