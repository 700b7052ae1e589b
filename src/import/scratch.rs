//! Where `--live` puts the responses it fetches: folders only their owner can open (0700), files
//! only their owner can read (0600), created new, never through something already there. The
//! temporary folder of a run without `--save` is removed on every way out: when it is dropped
//! (success, an error, an early return) and, on Unix, when SIGINT, SIGTERM or SIGHUP stops the
//! process (the responses name every user of the tenant; a killed CI job must not leave them in
//! `/tmp`). SIGKILL cannot be caught; nothing can remove the folder then.
//!
//! The signal is handled on a thread of its own (signal-hook's iterator), which removes the
//! registered folders and then ends the process the way the signal would have. Every new entry
//! in a folder (a file, `members/`) is created while holding the same lock the handler holds
//! until the process ends, so nothing is created in a folder after it was removed. Bytes written
//! into a file already open go to a file with no name left, which the system frees at exit.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, PoisonError};

/// The temporary folders to remove if a signal ends the process; its lock is the one every new
/// entry is created under.
static PENDING: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

fn pending() -> MutexGuard<'static, Vec<PathBuf>> {
    // A poisoned list is still the list: nothing panics while holding it, by lint.
    PENDING.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A private folder for the responses of a run without `--save`, removed when dropped or when a
/// signal ends the process.
#[derive(Debug)]
pub(super) struct TempDir(PathBuf);

impl TempDir {
    /// A new folder `skuld-graph-<pid>-<nanos>` in the temporary directory (`TMPDIR`).
    pub(super) fn new() -> std::io::Result<TempDir> {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        let path =
            std::env::temp_dir().join(format!("skuld-graph-{}-{nanos:x}", std::process::id()));
        watch_signals();
        let mut pending = pending();
        mkdir_private(&path)?;
        pending.push(path.clone());
        Ok(TempDir(path))
    }

    pub(super) fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let mut pending = pending();
        pending.retain(|p| p != &self.0);
        // Nothing to do about a failure: the folder is in the temporary directory.
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A new folder only its owner can open (0700 on Unix): the responses name every user.
pub(super) fn private_dir(path: &Path) -> std::io::Result<()> {
    let _pending = pending();
    mkdir_private(path)
}

fn mkdir_private(path: &Path) -> std::io::Result<()> {
    let mut b = std::fs::DirBuilder::new();
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut b, 0o700);
    b.create(path)
}

/// A new file only its owner can read (0600 on Unix), opened for writing; never one that is
/// already there (nor a link).
pub(super) fn new_file(path: &Path) -> std::io::Result<File> {
    let _pending = pending();
    let mut o = std::fs::OpenOptions::new();
    o.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut o, 0o600);
    o.open(path)
}

/// Starts, once per process, the thread that removes the pending folders on SIGINT, SIGTERM or
/// SIGHUP. If the handler cannot be installed, the folder is still removed on every other way
/// out; the import goes on.
#[cfg(unix)]
fn watch_signals() {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    static STARTED: std::sync::Once = std::sync::Once::new();
    STARTED.call_once(|| {
        let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP]) else {
            return;
        };
        let _ = std::thread::Builder::new()
            .name("skuld-signals".to_owned())
            .spawn(move || {
                if let Some(signal) = signals.forever().next() {
                    // Held until the process ends: no file is created after the removal.
                    let pending = pending();
                    for dir in pending.iter() {
                        let _ = std::fs::remove_dir_all(dir);
                    }
                    // Ends the process as the signal would have (the parent sees "killed by
                    // SIGTERM", exit status 143 in a shell); `exit` if that ever returns.
                    let _ = signal_hook::low_level::emulate_default_handler(signal);
                    std::process::exit(128 + signal);
                }
            });
    });
}

/// Windows has no such signals; the folder is removed on every return.
#[cfg(not(unix))]
fn watch_signals() {}
