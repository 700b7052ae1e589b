//! Renderers: findings and errors → text. One renderer per format; renderers only format, they
//! compute nothing about the tenant.
//!
//! Every renderer takes the same input, a [`Run`]: the findings, the tenant files checked, the
//! errors that stopped some of them, and the policy (for the rule list).

pub mod azure;
pub mod compact;
pub mod compare;
pub mod explain;
pub mod github;
pub mod html;
pub mod human;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod neutral;
pub mod rules;
pub mod sarif;
pub mod skus;
pub mod test;

use crate::diagnostics::{Finding, Severity};
use crate::source::Span;

/// Output formats of `skuld check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// miette reports with source snippets, then a summary line.
    Human,
    /// One `path:line:col: severity[rule]: message` line per finding.
    Compact,
    /// The contract's JSON document.
    Json,
    /// SARIF 2.1.0.
    Sarif,
    /// GitHub Actions workflow commands.
    Github,
    /// Azure Pipelines logging commands.
    Azure,
    /// JUnit XML.
    Junit,
    /// One self-contained HTML page.
    Html,
}

/// Everything a renderer sees of one `skuld check` run.
#[derive(Debug)]
pub struct Run<'a> {
    /// The rules of the policy the tenants were checked against, for the formats that list
    /// them (SARIF, JUnit).
    pub rules: &'a crate::registry::Registry<'a>,
    /// Every finding, in the order of the files, each file's by position.
    pub findings: Vec<Finding>,
    /// The tenant files, in the order they were checked.
    pub files: Vec<CheckedFile>,
    /// Errors that stopped a file (or that named no file at all).
    pub errors: Vec<RunError>,
    /// Findings a waiver accepted: shown as waived, never failing the run.
    pub waived: Vec<crate::triage::waivers::Waived>,
    /// With `--baseline`: how many findings were left out because the baseline has them.
    pub known: Option<usize>,
    /// Warnings that stop nothing: expired and unused waivers, pointing into the file that
    /// holds the waiver.
    pub notes: Vec<RunError>,
    /// The directory paths are made relative to in the formats read by code hosts (SARIF,
    /// GitHub, Azure); `None` leaves paths as given.
    pub root: Option<std::path::PathBuf>,
    /// Base URL of the skuld repository's files (`SKULD_DOCS_URL`), used for SARIF `helpUri`
    /// and `informationUri`; `None` leaves them out.
    pub docs_url: Option<String>,
    /// The config file that applied, as shown (`.skuld.yaml`), or `None`; the human report
    /// names it, so that a reader knows which settings the verdict was made under.
    pub config: Option<String>,
    /// The policy applied: the default or not, the SSPR matrix and how to choose another, the
    /// user's files. Every format names it (human: a line; JSON and HTML: `policy`; SARIF: the
    /// run's properties).
    pub policy: crate::policies::PolicyEdition,
    /// Findings the per-rule cap left out of each file: counted, not kept.
    pub omitted: Vec<Omitted>,
    /// What the config in force turns off or changes (skipped rules, severities, the default
    /// policy left out, excluded tenant paths), one sentence each: the CI formats show them
    /// once per run as notices, so a change that loosens its own gate says so.
    pub overrides: Vec<String>,
    /// How much of the findings the human report shows.
    pub view: View,
}

/// Findings of one rule in one file that were counted but not kept: past the cap on findings
/// per rule and file (`--max-findings-per-rule`), which keeps memory bounded on hostile input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Omitted {
    /// The tenant file (the name as in [`CheckedFile::name`]).
    pub file: String,
    /// The rule id.
    pub rule: String,
    /// The severity of the rule's findings.
    pub severity: Severity,
    /// How many were left out.
    pub count: usize,
    /// The cap that left them out.
    pub cap: usize,
    /// Their causes, with how many had each (for the summary's most common causes).
    pub causes: Vec<(String, usize)>,
    /// Whether findings of this rule at this severity were kept in this file: then those decide
    /// the exit code for these too; else these fail the run on their own.
    pub kept_alike: bool,
}

impl Omitted {
    /// One line that says what was left out, for every format.
    pub fn message(&self) -> String {
        format!(
            "and {} more `{}` findings in {} not shown: at most {} per rule and file are kept \
             (`--max-findings-per-rule`)",
            self.count, self.rule, self.file, self.cap
        )
    }
}

/// How much the human report shows; the default folds findings that share a cause and shows
/// the summary.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct View {
    /// Every finding in full instead of folding the ones that share a cause (`--show-all`).
    pub show_all: bool,
    /// Only the summary (`--quiet`).
    pub quiet: bool,
    /// At most this many findings shown in full (`--max-findings`); the summary counts all.
    pub max_findings: Option<usize>,
}

/// A tenant file named on the command line (or found in a folder).
#[derive(Debug, Clone, PartialEq)]
pub struct CheckedFile {
    /// Its name as shown to users (the path as given, `<stdin>` for standard input).
    pub name: String,
    /// False when an error stopped it before evaluation.
    pub loaded: bool,
    /// Seat use per subscribed SKU; `None` when the file tracks no subscriptions or was not
    /// loaded.
    pub seats: Option<Vec<crate::tenant::seats::SkuSeats>>,
    /// The cost figures, when the config gives prices and the file was loaded.
    pub cost: Option<crate::triage::cost::Cost>,
}

/// An error that stopped a file, or the run.
#[derive(Debug)]
pub struct RunError {
    /// The file it stopped (the name as in [`CheckedFile::name`]), if any.
    pub file: Option<String>,
    /// The diagnostic.
    pub report: miette::Report,
}

impl Run<'_> {
    /// Counts of every finding, the ones the per-rule cap left out included.
    pub fn summary(&self) -> Summary {
        let mut s = Summary::of(&self.findings);
        for o in &self.omitted {
            match o.severity {
                Severity::Error => s.errors += o.count,
                Severity::Warning => s.warnings += o.count,
            }
        }
        s
    }

    /// Number of files that could not be checked.
    pub fn failed(&self) -> usize {
        self.files.iter().filter(|f| !f.loaded).count()
    }

    /// A file name as code hosts want it: relative to [`Run::root`] when under it, `/`
    /// separators, no leading `./`.
    pub fn repo_path(&self, name: &str) -> String {
        repo_path(name, self.root.as_deref())
    }
}

pub use crate::source::repo_path;

/// 1-based start and end positions of a span, columns in characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Region {
    /// Line of the first character.
    pub start_line: usize,
    /// Column of the first character.
    pub start_column: usize,
    /// Line of the end (the position just after the last character).
    pub end_line: usize,
    /// Column just after the last character (exclusive end, as SARIF wants it).
    pub end_column: usize,
    /// Column of the last character (inclusive end, as GitHub wants it).
    pub last_column: usize,
}

impl Region {
    /// The region of `span` in `file`.
    pub fn of(file: &crate::source::SourceFile, span: Span) -> Self {
        let (start_line, start_column) = file.line_col(span.start as usize);
        let (end_line, end_column) = file.line_col(span.end as usize);
        let last_column = if end_line == start_line {
            end_column.saturating_sub(1).max(start_column)
        } else {
            end_column.saturating_sub(1).max(1)
        };
        Region {
            start_line,
            start_column,
            end_line: end_line.max(start_line),
            end_column: if end_line == start_line {
                end_column.max(start_column)
            } else {
                end_column
            },
            last_column,
        }
    }
}

/// Where an error points: the file its first label is in, 1-based line and column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorLocation {
    /// The file: the source's name, else the file the error stopped.
    pub file: Option<String>,
    /// 1-based line and column of the first label, when it has one.
    pub position: Option<(usize, usize)>,
}

impl RunError {
    /// The error's stable code (`skuld::tenant::…`, `skuld::io`), or `skuld::error`.
    pub fn code(&self) -> String {
        self.report
            .code()
            .map_or_else(|| "skuld::error".to_owned(), |c| c.to_string())
    }

    /// What to do about it (the diagnostic's help), if it says.
    pub fn help(&self) -> Option<String> {
        self.report.help().map(|h| h.to_string())
    }

    /// The message followed by `help: …` on a new line when the diagnostic has help: what the
    /// one-message formats (SARIF, GitHub, Azure, JUnit) show, as the human output does.
    pub fn message_with_help(&self) -> String {
        match self.help() {
            Some(help) => format!("{}\nhelp: {help}", self.report),
            None => self.report.to_string(),
        }
    }

    /// Where the error points.
    pub fn location(&self) -> ErrorLocation {
        let mut loc = ErrorLocation {
            file: self.file.clone(),
            position: None,
        };
        let (Some(source), Some(label)) = (
            self.report.source_code(),
            self.report.labels().and_then(|mut l| l.next()),
        ) else {
            return loc;
        };
        let Ok(contents) = source.read_span(label.inner(), 0, 0) else {
            return loc;
        };
        // Without context lines, miette gives the 0-based line and the column in bytes; read
        // the line up to the label again to count characters instead.
        let byte_column = contents.column();
        let line_start = label.offset().saturating_sub(byte_column);
        let column = source
            .read_span(&(line_start, byte_column).into(), 0, 0)
            .ok()
            .and_then(|c| {
                std::str::from_utf8(c.data())
                    .ok()
                    .map(|d| d.chars().take_while(|ch| *ch != '\n').count())
            })
            .unwrap_or(byte_column)
            .min(byte_column);
        loc.position = Some((contents.line() + 1, column + 1));
        if let Some(name) = contents.name() {
            loc.file = Some(name.to_owned());
        }
        loc
    }
}

/// Counts of findings by severity.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Summary {
    /// Error findings.
    pub errors: usize,
    /// Warning findings.
    pub warnings: usize,
}

impl Summary {
    /// Counts `findings`.
    pub fn of(findings: &[Finding]) -> Self {
        let mut s = Summary::default();
        for f in findings {
            match f.severity {
                Severity::Error => s.errors += 1,
                Severity::Warning => s.warnings += 1,
            }
        }
        s
    }
}

/// Each checked file's findings (a slice of [`Run::findings`], which holds them file by file)
/// and the findings the cap left out of it, in the order of [`Run::files`]. Linear.
pub fn per_file<'r>(run: &'r Run<'_>) -> Vec<(&'r [Finding], &'r [Omitted])> {
    let mut rest = run.findings.as_slice();
    let mut omitted = run.omitted.as_slice();
    let mut out = Vec::with_capacity(run.files.len());
    for file in &run.files {
        let n = rest
            .iter()
            .take_while(|f| f.file.name() == file.name)
            .count();
        let (mine, others) = rest.split_at(n);
        rest = others;
        let m = omitted.iter().take_while(|o| o.file == file.name).count();
        let (mine_omitted, other_omitted) = omitted.split_at(m);
        omitted = other_omitted;
        out.push((mine, mine_omitted));
    }
    if !rest.is_empty() || !omitted.is_empty() {
        // Findings out of file order (or of a file not listed): shown last rather than lost.
        out.push((rest, omitted));
    }
    out
}

/// Writes a run in `format` to `out` file by file, for the formats that can be written so
/// (human, compact): each file's part is written as soon as it is rendered, so the whole
/// report is never held in memory. `Ok(false)` (nothing written) for the other formats.
pub fn write_per_file(
    format: Format,
    run: &Run<'_>,
    style: human::Style,
    out: &mut dyn std::io::Write,
) -> std::io::Result<bool> {
    match format {
        Format::Human => {
            let syntax = human_syntax(style);
            let mut progress = human::Progress::new(run.view);
            for (findings, omitted) in per_file(run) {
                let mut text = String::new();
                human::render_file(findings, omitted, style, &mut progress, &mut text);
                out.write_all(neutral::neutralise(&text, syntax).as_bytes())?;
            }
            let mut text = String::new();
            human::render_end(run, &progress, &mut text);
            out.write_all(neutral::neutralise(&text, syntax).as_bytes())?;
        }
        Format::Compact => {
            let text_syntax = neutral::Syntax::Text;
            for (findings, omitted) in per_file(run) {
                let text = compact::render_file(findings, omitted);
                out.write_all(neutral::neutralise(&text, text_syntax).as_bytes())?;
            }
            let text = compact::render_end(run);
            out.write_all(neutral::neutralise(&text, text_syntax).as_bytes())?;
        }
        _ => return Ok(false),
    }
    Ok(true)
}

/// Renders a run in `format`. `style` is used by the human format only. Every format's text is
/// neutralised here ([`neutral`]): no value read from a file can steer a CI runner or a terminal.
pub fn render(format: Format, run: &Run<'_>, style: human::Style) -> String {
    use neutral::{Syntax, neutralise, neutralise_commands};
    match format {
        Format::Human => neutralise(&human::render(run, style), human_syntax(style)).into_owned(),
        Format::Compact => neutralise(&compact::render(run), Syntax::Text).into_owned(),
        Format::Json => neutralise(&json::render_run(run), Syntax::Json).into_owned(),
        Format::Sarif => neutralise(&sarif::render(run), Syntax::Json).into_owned(),
        Format::Github => neutralise_commands(&github::render(run), "::"),
        Format::Azure => neutralise_commands(&azure::render(run), azure::PREFIX),
        Format::Junit => neutralise(&junit::render(run), Syntax::Xml).into_owned(),
        // The page's data is neutralised as JSON where it is embedded (`html::render`).
        Format::Html => html::render(run),
    }
}

/// Colours are skuld's own escape sequences: kept on a terminal, none otherwise.
pub(crate) fn human_syntax(style: human::Style) -> neutral::Syntax {
    if style.color {
        neutral::Syntax::Terminal
    } else {
        neutral::Syntax::Text
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceFile;

    #[test]
    fn regions_are_one_based_with_both_kinds_of_end() {
        let f = SourceFile::new("t.yaml", "ab\ncdéf\n");
        let r = Region::of(&f, Span::new(4, 8)); // "déf" on line 2 (é is two bytes)
        assert_eq!(
            r,
            Region {
                start_line: 2,
                start_column: 2,
                end_line: 2,
                end_column: 5,
                last_column: 4
            }
        );
        let empty = Region::of(&f, Span::new(1, 1));
        assert_eq!((empty.end_column, empty.last_column), (2, 2));
    }

    #[test]
    fn repo_paths_use_slashes_and_drop_the_root() {
        let root = std::path::Path::new("/repo");
        assert_eq!(repo_path("/repo/t/a.yaml", Some(root)), "t/a.yaml");
        assert_eq!(repo_path("./t/a.yaml", Some(root)), "t/a.yaml");
        assert_eq!(
            repo_path("/elsewhere/a.yaml", Some(root)),
            "/elsewhere/a.yaml"
        );
        assert_eq!(repo_path("t\\a.yaml", None), "t/a.yaml");
    }
}
