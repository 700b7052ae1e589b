//! Which tenant files a run checks: the discovery filter from the config (`tenants:`) and the
//! flags (`--exclude`, skuld's own files in use), and `--verbose`'s account of what was left out.

use super::*;
use crate::inputs::{Discovered, Filter, Patterns};

/// The filter the config sets up: its `tenants:` globs, and the config and waivers files (and
/// every file by skuld's conventional names) kept out of the tenants.
pub(super) fn config_filter(config: &crate::config::Config, waivers: Option<&Path>) -> Filter {
    let mut own_files = Vec::new();
    if let Some(p) = &config.path {
        own_files.push((p.clone(), "the config file in use".to_owned()));
    }
    for p in [waivers, config.waivers.as_deref()].into_iter().flatten() {
        own_files.push((p.to_path_buf(), "the waivers file in use".to_owned()));
    }
    let config_name = crate::config::FILE_NAME;
    let waivers_name = crate::triage::waivers::DEFAULT_FILE;
    let own_names = [
        (config_name.to_owned(), "a config file"),
        (config_name.replace(".yaml", ".yml"), "a config file"),
        (waivers_name.to_owned(), "a waivers file"),
        (waivers_name.replace(".yaml", ".yml"), "a waivers file"),
    ]
    .into_iter()
    .map(|(n, what)| (n, what.to_owned()))
    .collect();
    let own_suffixes = crate::testing::TEST_SUFFIXES
        .iter()
        .chain(crate::testing::SUITE_SUFFIXES)
        .map(|s| {
            (
                (*s).to_owned(),
                "a policy test, run by `skuld test`".to_owned(),
            )
        })
        .collect();
    Filter {
        exclude: config.tenants.exclude.iter().cloned().collect(),
        include: config.tenants.include.clone(),
        own_files,
        own_names,
        own_suffixes,
        sniff_limit: Limits::default().max_file_bytes,
    }
}

/// Adds the command line's part: `--exclude` globs (relative to the current folder) and the
/// baseline and report files. `Err` for a glob that does not compile.
pub(super) fn add_flags(
    filter: &mut Filter,
    excludes: &[String],
    own: &[(Option<&Path>, &str)],
    max_file_size: usize,
) -> Result<(), miette::Report> {
    if !excludes.is_empty() {
        let globs: Vec<&str> = excludes.iter().map(String::as_str).collect();
        let patterns =
            Patterns::new(Path::new("."), &globs, "--exclude").map_err(|(i, reason)| {
                miette::Report::new(BadExclude {
                    glob: globs.get(i).map_or_else(String::new, |g| (*g).to_owned()),
                    reason,
                })
            })?;
        filter.exclude.push(patterns);
    }
    for (path, what) in own {
        if let Some(p) = path {
            filter.own_files.push((p.to_path_buf(), (*what).to_owned()));
        }
    }
    filter.sniff_limit = max_file_size;
    Ok(())
}

/// `--exclude` with a glob that does not compile.
#[derive(Debug, Error, Diagnostic)]
#[error("`--exclude {glob}` is not a glob: {reason}")]
#[diagnostic(
    code("skuld::usage"),
    help("globs are gitignore-style, relative to the current folder: `archive/`, `*.draft.yaml`")
)]
struct BadExclude {
    glob: String,
    reason: String,
}

/// `--verbose`: every path left out and why, then how many files are checked.
pub(super) fn explain(found: &Discovered, stderr: &mut dyn Write) -> io::Result<()> {
    let mut text = String::new();
    for s in &found.skipped {
        let slash = if s.path.is_dir() { "/" } else { "" };
        text.push_str(&format!("skipped {}{slash}: {}\n", s.path.display(), s.why));
    }
    let n = found.paths.len();
    text.push_str(&format!(
        "checking {n} tenant file{}\n",
        if n == 1 { "" } else { "s" }
    ));
    // File names are the repository's: as inert as every report.
    let text = crate::report::neutral::neutralise(&text, crate::report::neutral::Syntax::Text);
    stderr.write_all(text.as_bytes())
}
