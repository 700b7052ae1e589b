//! Files skuld reads because another file says so (`.skuld.yaml`'s `policies:` and `waivers:`,
//! a discovered `.skuld.yaml` or `skuld-waivers.yaml`, the responses of an import folder).
//!
//! Such a path comes from the repository, so in CI from a pull request: it must name a regular
//! file inside the repository (after following links), and is read with a byte cap. Anything
//! else (a device, `/proc/self/environ`, a FIFO, a link out of the tree, a path above the root)
//! is refused *before* it is opened, with an error that shows none of its content. Files named
//! on the command line are the user's choice and are not confined (only capped).

use std::io::{self, Read as _};
use std::path::{Path, PathBuf};

use miette::Diagnostic;
use thiserror::Error;

use crate::source::SourceFile;

/// A path another file named that skuld will not read.
#[derive(Debug, Error, Diagnostic)]
#[error("refused to read `{path}` (named by {named_by}): {reason}")]
#[diagnostic(code(skuld::io::refused))]
pub(crate) struct Refused {
    pub(crate) path: String,
    pub(crate) named_by: String,
    pub(crate) reason: String,
    #[help]
    pub(crate) help: Option<String>,
}

/// The repository a file belongs to: the nearest ancestor of `dir` holding `.git`, else `dir`
/// itself; canonical (links resolved) so that confined paths can be compared with it.
pub(crate) fn repo_root(dir: &Path) -> PathBuf {
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    let dir = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
    dir.ancestors()
        .find(|d| d.join(".git").exists())
        .map_or_else(|| dir.clone(), Path::to_path_buf)
}

/// What may be read at `path` when confined to `root`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// Only a regular file.
    File,
    /// A regular file or a folder (`policies:` may name a folder of `*.skuld` files).
    FileOrFolder,
}

/// Checks that `path` (links followed) is a regular file (or folder, per `kind`) inside `root`,
/// without opening it; the resolved path on success.
pub(crate) fn confine(
    path: &Path,
    root: &Path,
    kind: Kind,
    named_by: &str,
) -> Result<PathBuf, miette::Report> {
    let refuse = |reason: String, help: Option<String>| Refused {
        path: path.display().to_string(),
        named_by: named_by.to_owned(),
        reason,
        help,
    };
    let real = std::fs::canonicalize(path).map_err(|e| {
        if e.kind() == io::ErrorKind::NotFound {
            // Nothing to refuse: the plain "cannot read" of a missing file.
            miette::Report::new(super::ReadError {
                path: path.display().to_string(),
                reason: "no such file or folder".to_owned(),
                help: Some(format!("it is named by {named_by}")),
            })
        } else {
            miette::Report::new(refuse(e.to_string(), None))
        }
    })?;
    if !real.starts_with(root) {
        let how = if path
            .symlink_metadata()
            .is_ok_and(|m| m.file_type().is_symlink())
        {
            format!(
                "it is a link to `{}`, outside the repository `{}`",
                real.display(),
                root.display()
            )
        } else {
            format!("it is outside the repository `{}`", root.display())
        };
        return Err(miette::Report::new(refuse(
            how,
            Some(
                "files named in skuld's own files must be inside the repository (the folder \
                 holding `.git`); name a file elsewhere on the command line instead"
                    .to_owned(),
            ),
        )));
    }
    // `real` has no links left, so this is the file itself (a FIFO is never opened: opening one
    // blocks until someone writes to it).
    let meta =
        std::fs::metadata(&real).map_err(|e| miette::Report::new(refuse(e.to_string(), None)))?;
    if meta.is_file() || (kind == Kind::FileOrFolder && meta.is_dir()) {
        return Ok(real);
    }
    let what = if meta.is_dir() {
        "a folder"
    } else {
        "not a regular file (a device, a pipe or a socket)"
    };
    Err(miette::Report::new(refuse(format!("it is {what}"), None)))
}

/// Reads a confined file as UTF-8 text under `name`, at most `max_bytes` of it.
pub(crate) fn read_confined(
    path: &Path,
    root: &Path,
    max_bytes: usize,
    named_by: &str,
) -> Result<SourceFile, miette::Report> {
    let real = confine(path, root, Kind::File, named_by)?;
    super::read_source_at(&real, &path.display().to_string(), max_bytes)
}

/// Reads at most `max_bytes` from an open file; `Ok(None)` when it holds more. The cap is
/// applied while reading, because a device or `/proc` file reports a size of 0.
pub(crate) fn read_capped(
    mut file: impl io::Read,
    max_bytes: usize,
) -> io::Result<Option<Vec<u8>>> {
    let limit = u64::try_from(max_bytes)
        .unwrap_or(u64::MAX)
        .saturating_add(1);
    let mut bytes = Vec::new();
    (&mut file).take(limit).read_to_end(&mut bytes)?;
    Ok((bytes.len() <= max_bytes).then_some(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn repo() -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join(".git")).unwrap();
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        let root = repo_root(&dir.path().join("sub"));
        (dir, root)
    }

    #[test]
    fn the_root_is_the_folder_holding_git_or_the_folder_itself() {
        let (dir, root) = repo();
        assert_eq!(root, std::fs::canonicalize(dir.path()).unwrap());
        let bare = tempfile::tempdir().unwrap();
        assert_eq!(
            repo_root(bare.path()),
            std::fs::canonicalize(bare.path()).unwrap()
        );
    }

    #[test]
    fn a_file_inside_the_repository_is_read() {
        let (dir, root) = repo();
        let p = dir.path().join("sub/p.skuld");
        std::fs::write(&p, "x").unwrap();
        let s = read_confined(&p, &root, 10, "`policies:`").unwrap();
        assert_eq!(s.text(), "x");
    }

    #[test]
    fn a_path_above_the_root_is_refused_without_its_content() {
        let (dir, root) = repo();
        let outside = dir
            .path()
            .parent()
            .unwrap()
            .join(format!("skuld-guard-outside-{}.txt", std::process::id()));
        std::fs::write(&outside, "SECRET").unwrap();
        let e = read_confined(
            &dir.path()
                .join("sub/../..")
                .join(outside.file_name().unwrap()),
            &root,
            100,
            "`policies:`",
        )
        .unwrap_err();
        std::fs::remove_file(&outside).unwrap();
        let text = format!("{e:?}");
        assert!(text.contains("outside the repository"), "{text}");
        assert!(!text.contains("SECRET"));
    }

    #[cfg(unix)]
    #[test]
    fn proc_files_devices_and_links_out_of_the_tree_are_refused() {
        let (dir, root) = repo();
        for p in ["/proc/self/environ", "/dev/zero", "/", "/etc/passwd"] {
            if Path::new(p).exists() {
                let e = confine(Path::new(p), &root, Kind::FileOrFolder, "x").unwrap_err();
                assert!(
                    e.to_string().contains("outside the repository"),
                    "{p}: {e:?}"
                );
            }
        }
        let link = dir.path().join("sub/env.skuld");
        std::os::unix::fs::symlink("/proc/self/environ", &link).unwrap();
        let e = confine(&link, &root, Kind::File, "x").unwrap_err();
        assert!(e.to_string().contains("it is a link to"), "{e:?}");
    }

    #[cfg(unix)]
    #[test]
    fn a_fifo_inside_the_tree_is_refused_without_opening_it() {
        let (dir, root) = repo();
        let fifo = dir.path().join("sub/pipe.yaml");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        if !made.is_ok_and(|s| s.success()) {
            return; // no mkfifo on this machine
        }
        let e = confine(&fifo, &root, Kind::File, "x").unwrap_err();
        assert!(e.to_string().contains("not a regular file"), "{e:?}");
    }

    #[test]
    fn a_folder_is_refused_where_a_file_is_expected() {
        let (dir, root) = repo();
        let e = confine(&dir.path().join("sub"), &root, Kind::File, "x").unwrap_err();
        assert!(e.to_string().contains("a folder"), "{e:?}");
        assert!(confine(&dir.path().join("sub"), &root, Kind::FileOrFolder, "x").is_ok());
    }

    #[test]
    fn the_cap_applies_while_reading() {
        assert_eq!(read_capped(&b"abc"[..], 3).unwrap(), Some(b"abc".to_vec()));
        assert_eq!(read_capped(&b"abcd"[..], 3).unwrap(), None);
        assert_eq!(read_capped(io::repeat(0), 1000).unwrap(), None);
    }
}
