//! `skuld fmt`: rewrites policy files in the canonical layout (see `syntax::format`).

use std::io::{self, IsTerminal, Write};
use std::path::PathBuf;

use clap::Args;
use miette::Diagnostic;
use thiserror::Error;

use super::{ColorArg, ExitStatus, STDIN, print_reports, read_source, style_for, walk};
use crate::source::SourceFile;
use crate::syntax::{self, format};

pub(super) const AFTER_HELP: &str = "\
Examples:
  skuld fmt policies/                # rewrite every *.skuld file under policies/ in place
  skuld fmt --check policies/        # exit 1 and show a diff when a file is not formatted
  skuld fmt - < my.skuld             # format standard input to standard output

Only files whose layout changes are written (atomically). A file with a syntax error is reported
and left untouched. Exit status: 0 formatted (or nothing to do), 1 `--check` found files to
reformat, 2 a file could not be read, parsed or formatted.";

#[derive(Debug, Args)]
pub(super) struct FmtArgs {
    /// Policy files, folders searched for *.skuld, or `-` (standard input to standard output);
    /// the current folder when none is given
    #[arg(value_name = "PATH")]
    paths: Vec<PathBuf>,
    /// Write nothing: exit 1 and show a unified diff for each file that is not formatted
    #[arg(long)]
    check: bool,
}

/// A file that formatting would change in meaning or lose comments of (a bug in the formatter):
/// nothing is written.
#[derive(Debug, Error, Diagnostic)]
#[error("cannot format `{path}` without changing it: {what}")]
#[diagnostic(
    code(skuld::fmt::unstable),
    help(
        "this is a bug in skuld fmt; the file was left untouched — please report it with the file"
    )
)]
struct Unstable {
    path: String,
    what: &'static str,
}

/// A template that may hold a comment inside a `{…}` hole.
#[derive(Debug, Error, Diagnostic)]
#[error("`{path}` has a line break and `//` inside a message template")]
#[diagnostic(
    code(skuld::fmt::comment_in_template),
    help(
        "a comment inside `{{…}}` cannot be kept (templates are printed on one line); move it out of the template, or write the template on one line"
    )
)]
struct CommentInTemplate {
    path: String,
    #[source_code]
    file: SourceFile,
    #[label("this template")]
    span: miette::SourceSpan,
}

/// A path that holds no policy files.
#[derive(Debug, Error, Diagnostic)]
#[error("no policy files (`*.skuld`) in `{path}`")]
#[diagnostic(
    code(skuld::fmt::no_files),
    help("name a `.skuld` file or a folder that holds some")
)]
struct NoFiles {
    path: String,
}

pub(super) fn run(
    args: &FmtArgs,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> io::Result<ExitStatus> {
    let style = style_for(ColorArg::Auto, io::stderr().is_terminal());
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    let mut errors: Vec<miette::Report> = Vec::new();
    let mut files = Vec::new();
    for p in &paths {
        if p.is_dir() {
            let before = files.len();
            walk(p, &mut files, &|f| {
                f.extension().is_some_and(|e| e == "skuld")
            });
            if files.len() == before {
                errors.push(miette::Report::new(NoFiles {
                    path: p.display().to_string(),
                }));
            }
        } else {
            files.push(p.clone());
        }
    }

    let mut changed = false;
    for path in &files {
        let source = match read_source(path, crate::policies::MAX_POLICY_FILE) {
            Ok(s) => s,
            Err(e) => {
                errors.push(e);
                continue;
            }
        };
        let formatted = match format_checked(&source) {
            Ok(f) => f,
            Err(e) => {
                errors.extend(e);
                continue;
            }
        };
        let stdin = path.as_os_str() == STDIN;
        if stdin && !args.check {
            stdout.write_all(formatted.as_bytes())?;
            continue;
        }
        if formatted == source.text() {
            continue;
        }
        changed = true;
        if args.check {
            let name = source.name();
            let diff = similar::TextDiff::from_lines(source.text(), &formatted)
                .unified_diff()
                .context_radius(3)
                .header(name, name)
                .to_string();
            stdout.write_all(diff.as_bytes())?;
        } else if let Err(e) = super::write_safely(
            path,
            formatted.as_bytes(),
            super::Guard {
                inputs: &[],
                was: Some(source.text().as_bytes()),
            },
        ) {
            super::report_write_error(path, &e, stderr)?;
            errors.push(miette::miette!("`{}` was not written", path.display()));
        }
    }
    stdout.flush()?;
    print_reports(errors.iter(), style, stderr)?;
    Ok(if !errors.is_empty() {
        ExitStatus::Error
    } else if args.check && changed {
        ExitStatus::Findings
    } else {
        ExitStatus::Clean
    })
}

/// The canonical text of `source`, checked before anyone sees it: it parses back to the same
/// tree and keeps every comment.
fn format_checked(source: &SourceFile) -> Result<String, Vec<miette::Report>> {
    let ast = syntax::parse(source).map_err(crate::Diagnostics::into_vec)?;
    if let Some(span) = format::comment_in_template(&ast, source.text()) {
        return Err(vec![miette::Report::new(CommentInTemplate {
            path: source.name().to_owned(),
            file: source.clone(),
            span: span.into(),
        })]);
    }
    let formatted = format::format_file(&ast, Some(source));
    let unstable = |what| {
        vec![miette::Report::new(Unstable {
            path: source.name().to_owned(),
            what,
        })]
    };
    let again = SourceFile::new(source.name(), formatted.clone());
    let Ok(reparsed) = syntax::parse(&again) else {
        return Err(unstable("the result does not parse"));
    };
    if format::without_spans(&reparsed) != format::without_spans(&ast) {
        return Err(unstable("the result means something else"));
    }
    let mut before = format::comment_texts(&ast, source.text());
    let mut after = format::comment_texts(&reparsed, &formatted);
    before.sort();
    after.sort();
    if before != after {
        return Err(unstable("a comment would be lost"));
    }
    Ok(formatted)
}
