//! Writing reports: appended (GitHub's step summary); write errors as diagnostics. Whole files
//! are written by `write.rs`.

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

/// Appends `bytes` to `path` (creating it), as GitHub expects for `$GITHUB_STEP_SUMMARY`.
pub(super) fn append(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .open(path)?;
    f.write_all(bytes)
}
