//! The one way skuld writes a file (`--output`, `fmt`, `test --bless`, `import -o`,
//! `man --dir`): safe in a repository that a pull request controls.
//!
//! - A symbolic link at the target is refused, never followed (`skuld.sarif -> ~/.bashrc`),
//!   unless it leads to a device or pipe (`/dev/stdout`), which is written in place.
//! - A file that is an input of the run (a tenant, the config, the waivers, a policy file) is
//!   refused: `-o tenant.yaml` does not replace the tenant.
//! - A read-only file is refused (left as it is); an existing file keeps its mode.
//! - The text goes to a temporary file in the same folder, renamed into place: an interrupted
//!   run leaves the old file whole. Just before the rename, a rewrite (`fmt`, `--bless`)
//!   checks that the file still holds what was read, so an edit made meanwhile is not lost.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// What a write must respect besides the target itself.
#[derive(Debug, Default, Clone, Copy)]
pub(super) struct Guard<'a> {
    /// Files (or folders: everything under them) the run reads; never written over.
    pub(super) inputs: &'a [PathBuf],
    /// For a rewrite: the bytes the file held when it was read.
    pub(super) was: Option<&'a [u8]>,
}

fn refused(why: String) -> io::Error {
    io::Error::new(io::ErrorKind::PermissionDenied, why)
}

/// Writes `bytes` to `path` under the rules of this module.
pub(super) fn write_safely(path: &Path, bytes: &[u8], guard: Guard<'_>) -> io::Result<()> {
    let existing = match path.symlink_metadata() {
        Ok(m) => Some(m),
        Err(e) if e.kind() == io::ErrorKind::NotFound => None,
        Err(e) => return Err(e),
    };
    if let Some(meta) = &existing {
        let kind = meta.file_type();
        if kind.is_symlink() {
            // `/dev/stdout`, `/dev/fd/63` (`-o >(…)`) are links to a pipe or terminal.
            if std::fs::metadata(path).is_ok_and(|m| !m.is_file() && !m.is_dir()) {
                return write_in_place(path, bytes);
            }
            let to = std::fs::read_link(path)
                .map(|t| format!(" (to `{}`)", t.display()))
                .unwrap_or_default();
            return Err(refused(format!(
                "it is a symbolic link{to}; skuld never writes through a link (name the file \
                 itself, or remove the link)"
            )));
        }
        if kind.is_dir() {
            return Err(io::Error::new(
                io::ErrorKind::IsADirectory,
                "it is a folder",
            ));
        }
        if !kind.is_file() {
            // A device (`/dev/null`): renaming a file over it would replace the device.
            return write_in_place(path, bytes);
        }
        if meta.permissions().readonly() {
            return Err(refused(
                "it is read-only; skuld leaves read-only files as they are (make it writable \
                 first if it should be replaced)"
                    .to_owned(),
            ));
        }
        if is_input(path, guard.inputs) {
            return Err(refused(
                "it is an input of this run (a tenant, the config, the waivers or a policy \
                 file); write the output to another file"
                    .to_owned(),
            ));
        }
    }
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    if !dir.is_dir() {
        return Err(io::Error::new(
            io::ErrorKind::NotFound,
            format!(
                "the folder `{}` does not exist (skuld creates no folders)",
                dir.display()
            ),
        ));
    }
    let name = path
        .file_name()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "not a file name"))?;
    let mut last = None;
    for attempt in 0..100u32 {
        let tmp = dir.join(format!(
            ".{}.{}.{attempt}.tmp",
            name.to_string_lossy(),
            std::process::id()
        ));
        let mut file = match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)
        {
            Ok(f) => f,
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                last = Some(e);
                continue;
            }
            Err(e) if e.kind() == io::ErrorKind::PermissionDenied => {
                return Err(io::Error::new(
                    e.kind(),
                    format!(
                        "the folder `{}` is not writable (skuld writes a temporary file beside \
                         the target and renames it into place)",
                        dir.display()
                    ),
                ));
            }
            Err(e) => return Err(e),
        };
        let written = file
            .write_all(bytes)
            .and_then(|()| match &existing {
                Some(meta) => file.set_permissions(meta.permissions()),
                None => Ok(()),
            })
            .and_then(|()| file.sync_all())
            .and_then(|()| unchanged(path, guard.was))
            .and_then(|()| std::fs::rename(&tmp, path));
        if written.is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
        return written;
    }
    Err(last.unwrap_or_else(|| io::Error::other("no temporary file name was free")))
}

/// For a rewrite, checks that `path` still holds `was` (and is still a plain file).
fn unchanged(path: &Path, was: Option<&[u8]>) -> io::Result<()> {
    let Some(was) = was else {
        return Ok(());
    };
    let changed = || {
        io::Error::other(
            "it changed while skuld was running; it was left with the new edit \
             (run the command again)",
        )
    };
    let meta = path.symlink_metadata().map_err(|_| changed())?;
    if !meta.file_type().is_file() || meta.len() != was.len() as u64 {
        return Err(changed());
    }
    let now = std::fs::File::open(path)
        .and_then(|f| crate::inputs::guard::read_capped(f, was.len()))
        .map_err(|_| changed())?;
    if now.as_deref() != Some(was) {
        return Err(changed());
    }
    Ok(())
}

fn write_in_place(path: &Path, bytes: &[u8]) -> io::Result<()> {
    std::fs::OpenOptions::new()
        .write(true)
        .truncate(true)
        .open(path)?
        .write_all(bytes)
}

/// True when `path` is one of `inputs` or lies in an input folder (links resolved).
fn is_input(path: &Path, inputs: &[PathBuf]) -> bool {
    let Ok(real) = std::fs::canonicalize(path) else {
        return false;
    };
    inputs
        .iter()
        .filter_map(|i| std::fs::canonicalize(i).ok())
        .any(|i| real == i || (i.is_dir() && real.starts_with(&i)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(path: &Path, bytes: &[u8]) -> io::Result<()> {
        write_safely(path, bytes, Guard::default())
    }

    #[test]
    fn a_write_replaces_a_file_and_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.json");
        std::fs::write(&path, "old").unwrap();
        write(&path, b"new").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[cfg(unix)]
    #[test]
    fn a_symlink_is_refused_and_its_target_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("secret.txt");
        let link = dir.path().join("skuld.sarif");
        std::fs::write(&target, "precious").unwrap();
        std::os::unix::fs::symlink(&target, &link).unwrap();
        let e = write(&link, b"new").unwrap_err();
        assert!(e.to_string().contains("symbolic link"), "{e}");
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "precious");
        assert!(link.symlink_metadata().unwrap().file_type().is_symlink());
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2);
    }

    #[cfg(unix)]
    #[test]
    fn the_mode_of_an_existing_file_is_kept() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.json");
        std::fs::write(&path, "old").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        write(&path, b"new").unwrap();
        let mode = path.metadata().unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }

    #[test]
    fn a_read_only_file_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ro.json");
        std::fs::write(&path, "RO").unwrap();
        let mut p = path.metadata().unwrap().permissions();
        p.set_readonly(true);
        std::fs::set_permissions(&path, p).unwrap();
        let e = write(&path, b"new").unwrap_err();
        assert!(e.to_string().contains("read-only"), "{e}");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "RO");
    }

    #[test]
    fn an_input_is_refused_also_by_another_name_or_inside_an_input_folder() {
        let dir = tempfile::tempdir().unwrap();
        let tenant = dir.path().join("t.yaml");
        std::fs::write(&tenant, "tenant: t\n").unwrap();
        let inputs = [tenant.clone()];
        let guard = Guard {
            inputs: &inputs,
            was: None,
        };
        let other_name = dir.path().join(".").join("t.yaml");
        assert!(write_safely(&other_name, b"x", guard).is_err());
        let folder = [dir.path().to_path_buf()];
        let in_folder = Guard {
            inputs: &folder,
            was: None,
        };
        assert!(write_safely(&tenant, b"x", in_folder).is_err());
        assert_eq!(std::fs::read_to_string(&tenant).unwrap(), "tenant: t\n");
        // A new file in an input folder replaces nothing.
        write_safely(&dir.path().join("new.json"), b"x", in_folder).unwrap();
    }

    #[test]
    fn a_rewrite_refuses_a_file_edited_since_it_was_read() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.skuld");
        std::fs::write(&path, "old\n// EDIT\n").unwrap();
        let guard = Guard {
            inputs: &[],
            was: Some(b"old\n"),
        };
        let e = write_safely(&path, b"formatted\n", guard).unwrap_err();
        assert!(
            e.to_string().contains("changed while skuld was running"),
            "{e}"
        );
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "old\n// EDIT\n");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
        let same = Guard {
            inputs: &[],
            was: Some(b"old\n// EDIT\n"),
        };
        write_safely(&path, b"formatted\n", same).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "formatted\n");
    }

    /// `-o /dev/null` must write to the device, not rename a file over it.
    #[cfg(unix)]
    #[test]
    fn a_device_is_written_in_place() {
        use std::os::unix::fs::FileTypeExt as _;
        let null = Path::new("/dev/null");
        if !null
            .metadata()
            .is_ok_and(|m| m.file_type().is_char_device())
        {
            return; // not a Unix machine with a usable /dev/null
        }
        write(null, b"discarded").unwrap();
        assert!(null.metadata().unwrap().file_type().is_char_device());
    }
}
