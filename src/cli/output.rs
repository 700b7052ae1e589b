//! Writing reports: atomically to a file (never half-written), or appended (GitHub's step
//! summary); write errors as diagnostics.

use super::*;

pub(super) fn report_write_error(
    path: &Path,
    e: &io::Error,
    stderr: &mut dyn Write,
) -> io::Result<()> {
    let d = Diagnostics::single(WriteError {
        path: path.display().to_string(),
        reason: e.to_string(),
    });
    print_errors(
        &d,
        style_for(ColorArg::Auto, io::stderr().is_terminal()),
        stderr,
    )
}

/// Writes `bytes` to `path` through a temporary file in the same folder renamed into place, so
/// that an interrupted or failed run never leaves a half-written report (and leaves an existing
/// file untouched).
pub(super) fn write_atomically(path: &Path, bytes: &[u8]) -> io::Result<()> {
    // A symlink is written through (the rename would replace the link itself), and a path that is
    // not a regular file (`/dev/null`, `/dev/stdout`, a FIFO) is written in place: renaming a temp
    // file over a device would replace the device with a file.
    let resolved;
    let path = match std::fs::canonicalize(path) {
        Ok(real) => {
            if !std::fs::metadata(&real)?.is_file() && !real.is_dir() {
                return std::fs::OpenOptions::new()
                    .write(true)
                    .truncate(true)
                    .open(&real)?
                    .write_all(bytes);
            }
            resolved = real;
            resolved.as_path()
        }
        Err(_) => path,
    };
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let name = path
        .file_name()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "not a file name"))?;
    if path.is_dir() {
        return Err(io::Error::new(
            io::ErrorKind::IsADirectory,
            "it is a folder",
        ));
    }
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
            Err(e) => return Err(e),
        };
        let written = file
            .write_all(bytes)
            .and_then(|()| file.sync_all())
            .and_then(|()| std::fs::rename(&tmp, path));
        if written.is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
        return written;
    }
    Err(last.unwrap_or_else(|| io::Error::other("no temporary file name was free")))
}

/// Appends `bytes` to `path` (creating it), as GitHub expects for `$GITHUB_STEP_SUMMARY`.
pub(super) fn append(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .open(path)?;
    f.write_all(bytes)
}

#[cfg(test)]
mod tests {
    use super::write_atomically;

    #[test]
    fn an_atomic_write_replaces_a_file_and_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.json");
        std::fs::write(&path, "old").unwrap();
        write_atomically(&path, b"new").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[cfg(unix)]
    #[test]
    fn an_atomic_write_goes_through_a_symlink() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("real.json");
        let link = dir.path().join("link.json");
        std::fs::write(&target, "old").unwrap();
        std::os::unix::fs::symlink(&target, &link).unwrap();
        write_atomically(&link, b"new").unwrap();
        assert!(link.symlink_metadata().unwrap().file_type().is_symlink());
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "new");
    }

    /// `-o /dev/null` must write to the device, not rename a file over it.
    #[cfg(unix)]
    #[test]
    fn an_atomic_write_to_a_device_writes_in_place() {
        use std::os::unix::fs::FileTypeExt as _;
        let null = std::path::Path::new("/dev/null");
        if !null
            .metadata()
            .is_ok_and(|m| m.file_type().is_char_device())
        {
            return; // not a Unix machine with a usable /dev/null
        }
        write_atomically(null, b"discarded").unwrap();
        assert!(null.metadata().unwrap().file_type().is_char_device());
    }
}
