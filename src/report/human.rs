//! Human output, written file by file: one miette report per group of findings that share a
//! cause (the first in full, then one line naming the others and their lines; `--show-all`
//! shows each), what the per-rule cap left out, then a summary: counts per rule and severity,
//! the causes that account for most findings, and one line of totals.

use std::fmt::Write as _;

use miette::{Diagnostic, GraphicalReportHandler, GraphicalTheme};

use super::Summary;
use crate::diagnostics::Finding;

/// How to draw reports.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    /// ANSI colours.
    pub color: bool,
    /// Wrap width in columns.
    pub width: usize,
}

impl Style {
    /// No colour, fixed width: for pipes, files and snapshot tests.
    pub fn plain() -> Self {
        Style {
            color: false,
            width: 100,
        }
    }

    fn handler(self) -> GraphicalReportHandler {
        let theme = if self.color {
            GraphicalTheme::unicode()
        } else {
            GraphicalTheme::unicode_nocolor()
        };
        GraphicalReportHandler::new_themed(theme)
            .with_width(self.width)
            .with_links(false)
            .with_context_lines(1)
    }
}

/// Renders one diagnostic (a finding or an error).
pub fn render_diagnostic(d: &dyn Diagnostic, style: Style, out: &mut String) {
    let mut text = String::new();
    let rendered = match too_long_to_show(d) {
        None => style.handler().render_report(&mut text, d),
        Some(place) => style
            .handler()
            .render_report(&mut text, &WithoutSnippet { inner: d, place }),
    };
    if rendered.is_err() {
        text = format!("{d}\n");
    }
    out.push_str(&text);
}

/// Longest source line shown in a snippet. A label on a longer line (minified JSON, a flow list
/// of thousands of SKUs) is reported by line and column instead: such a snippet is unreadable, and
/// miette's renderer panics on a label more than 65,535 columns into a line.
const MAX_SHOWN_LINE: usize = 2000;

/// `Some("line L, column C")` of the first label when a label sits on a line too long to show.
fn too_long_to_show(d: &dyn Diagnostic) -> Option<String> {
    let source = d.source_code()?;
    let mut first = None;
    let mut too_long = false;
    for label in d.labels()? {
        // What the snippet would show: the label's lines and one line of context either side.
        let Ok(contents) = source.read_span(label.inner(), 1, 1) else {
            continue;
        };
        too_long |= contents
            .data()
            .split(|&b| b == b'\n')
            .any(|line| line.len() > MAX_SHOWN_LINE);
        let Ok(contents) = source.read_span(label.inner(), 0, 0) else {
            continue;
        };
        first.get_or_insert_with(|| {
            let line = contents.line() + 1;
            let column = contents.column() + 1;
            format!("line {line}, column {column}")
        });
    }
    if too_long { first } else { None }
}

/// A diagnostic shown without its source snippet: its message names the place instead.
struct WithoutSnippet<'a> {
    inner: &'a dyn Diagnostic,
    place: String,
}

impl std::fmt::Debug for WithoutSnippet<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self.inner, f)
    }
}

impl std::fmt::Display for WithoutSnippet<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} (at {}; the line is too long to show)",
            self.inner, self.place
        )
    }
}

impl std::error::Error for WithoutSnippet<'_> {}

impl Diagnostic for WithoutSnippet<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn std::fmt::Display + 'b>> {
        self.inner.code()
    }
    fn severity(&self) -> Option<miette::Severity> {
        self.inner.severity()
    }
    fn help<'b>(&'b self) -> Option<Box<dyn std::fmt::Display + 'b>> {
        self.inner.help()
    }
    fn url<'b>(&'b self) -> Option<Box<dyn std::fmt::Display + 'b>> {
        self.inner.url()
    }
}

/// Secondary labels shown in one snippet: the seats finding of a large tenant labels every
/// group that assigns the SKU, hundreds of them, and a snippet of a thousand lines hides the
/// rest of the report.
const MAX_LABELS: usize = 4;

/// Renders a finding as a report with at most [`MAX_LABELS`] secondary labels; the others are
/// counted in a last help line (every other format lists them all).
pub fn render_finding(f: &Finding, style: Style, out: &mut String) {
    let more = f.related.len().saturating_sub(MAX_LABELS);
    if more == 0 {
        return render_diagnostic(f, style, out);
    }
    let mut shown = f.clone();
    shown.related.truncate(MAX_LABELS);
    let note = format!(
        "and {} not labelled here (`--format json` or `html` lists every one)",
        plural(more, "more place", "more places")
    );
    shown.help = Some(match shown.help.take() {
        Some(help) => format!("{help}\n{note}"),
        None => note,
    });
    render_diagnostic(&shown, style, out);
}

/// Renders findings, each as a report.
pub fn render_findings(findings: &[Finding], style: Style, out: &mut String) {
    for f in findings {
        render_finding(f, style, out);
        out.push('\n');
    }
}

/// The closing line for given counts.
pub(crate) fn counts_line(s: Summary, files: usize, failed: usize) -> String {
    let mut line = String::new();
    if s.errors == 0 && s.warnings == 0 {
        line.push_str("no findings");
    } else {
        let _ = write!(
            line,
            "{}, {}",
            plural(s.errors, "error", "errors"),
            plural(s.warnings, "warning", "warnings")
        );
    }
    let _ = write!(line, " in {}", plural(files, "tenant file", "tenant files"));
    if failed > 0 {
        let _ = write!(
            line,
            "; {} could not be checked",
            plural(failed, "file", "files")
        );
    }
    line
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// A cause on one line, at most [`CAUSE_CHARS`] characters.
fn shortened(cause: &str) -> String {
    let line = cause.replace(['\r', '\n'], " ");
    match line.char_indices().nth(CAUSE_CHARS) {
        Some((end, _)) => format!("{}…", line.get(..end).unwrap_or(&line)),
        None => line,
    }
}

/// Longest cause shown before it is cut.
const CAUSE_CHARS: usize = 120;

/// Others of a fold named on its line, with their lines; the rest are counted.
const FOLD_NAMES: usize = 10;

/// Causes listed in the summary.
const TOP_CAUSES: usize = 5;

/// What the report has shown so far, for `--max-findings`.
#[derive(Debug)]
pub struct Progress {
    view: super::View,
    /// Findings shown in full.
    shown: usize,
    /// Findings not shown because of `--max-findings`.
    held_back: usize,
}

impl Progress {
    /// Nothing shown yet.
    pub fn new(view: super::View) -> Self {
        Progress {
            view,
            shown: 0,
            held_back: 0,
        }
    }

    fn room(&self) -> bool {
        self.view.max_findings.is_none_or(|max| self.shown < max)
    }
}

/// The report of one tenant file: its findings (folded by cause unless `--show-all`) and what
/// the per-rule cap left out of it. `findings` are the file's, in order.
pub fn render_file(
    findings: &[Finding],
    omitted: &[super::Omitted],
    style: Style,
    progress: &mut Progress,
    out: &mut String,
) {
    if progress.view.quiet {
        return;
    }
    if progress.view.show_all {
        for f in findings {
            if progress.room() {
                render_finding(f, style, out);
                out.push('\n');
                progress.shown += 1;
            } else {
                progress.held_back += 1;
            }
        }
    } else {
        for fold in crate::triage::causes::fold(findings) {
            let Some(first) = findings.get(fold.first) else {
                continue;
            };
            if !progress.room() {
                progress.held_back += 1 + fold.more.len();
                continue;
            }
            render_finding(first, style, out);
            progress.shown += 1;
            if !fold.more.is_empty() {
                fold_line(
                    first,
                    fold.more.iter().filter_map(|&i| findings.get(i)),
                    fold.more.len(),
                    out,
                );
            }
            out.push('\n');
        }
    }
    for o in omitted {
        let _ = writeln!(out, "{}\n", o.message());
    }
}

/// `… and 12 more with the same cause (through group `Lic-F3`): alice@x.com (line 40), …`
fn fold_line<'a>(
    first: &Finding,
    more: impl Iterator<Item = &'a Finding>,
    n: usize,
    out: &mut String,
) {
    let _ = write!(
        out,
        "  … and {n} more `{}` with the same cause ({}): ",
        first.rule,
        shortened(&crate::triage::causes::cause_text(first))
    );
    for (i, f) in more.take(FOLD_NAMES).enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        let name = f.subject.as_deref().unwrap_or(&f.message);
        let _ = write!(
            out,
            "{} (line {})",
            name.replace(['\r', '\n'], " "),
            f.line_col().0
        );
    }
    if n > FOLD_NAMES {
        let _ = write!(out, " and {} others", n - FOLD_NAMES);
    }
    out.push_str("; `--show-all` shows each\n");
}

/// The end of the report: waived findings, then the summary (counts per rule and severity,
/// the most common causes) and the line of totals.
pub fn render_end(run: &super::Run<'_>, progress: &Progress, out: &mut String) {
    for w in &run.waived {
        out.push_str(&waived_line(w));
        out.push('\n');
    }
    if !run.waived.is_empty() {
        out.push('\n');
    }
    if progress.held_back > 0 {
        let _ = writeln!(
            out,
            "{} not shown (`--max-findings {}`); the summary counts them\n",
            plural(progress.held_back, "more finding", "more findings"),
            progress.view.max_findings.unwrap_or(0)
        );
    }
    let (rules, causes) = crate::triage::causes::counts(
        &run.findings,
        run.omitted
            .iter()
            .map(|o| (o.rule.as_str(), o.severity, o.count, o.causes.as_slice())),
        TOP_CAUSES,
    );
    if !rules.is_empty() {
        out.push_str("Findings by rule:\n");
        let width = rules.iter().map(|r| r.rule.len()).max().unwrap_or(0);
        let digits = rules
            .iter()
            .map(|r| r.count.to_string().len())
            .max()
            .unwrap_or(1);
        for r in &rules {
            let _ = write!(
                out,
                "  {:<7}  {:<width$}  {:>digits$}",
                r.severity.as_str(),
                r.rule,
                r.count
            );
            if r.omitted > 0 {
                let _ = write!(out, "  ({} not kept: over the per-rule limit)", r.omitted);
            }
            out.push('\n');
        }
        if !causes.is_empty() {
            // A rule's findings past the per-rule cap are counted, not built, so their causes
            // are unknown (the built-in checks count theirs); say how many are not in the list.
            let uncounted: usize = run
                .omitted
                .iter()
                .filter(|o| o.causes.is_empty())
                .map(|o| o.count)
                .sum();
            if uncounted > 0 {
                let _ = writeln!(
                    out,
                    "Most common causes (of the findings kept; {uncounted} past the per-rule limit are not counted here):"
                );
            } else {
                out.push_str("Most common causes:\n");
            }
            let digits = causes
                .iter()
                .map(|c| c.count.to_string().len())
                .max()
                .unwrap_or(1);
            for c in &causes {
                let _ = writeln!(
                    out,
                    "  {:>digits$}  {}: {}",
                    c.count,
                    c.rule,
                    shortened(&c.cause)
                );
            }
        }
        out.push('\n');
    }
    // Which policy and SSPR matrix the verdict was made under, and how to choose another; the
    // totals stay the last line.
    let _ = writeln!(out, "policy: {}", run.policy.sentence());
    out.push_str(&counts_line(run.summary(), run.files.len(), run.failed()));
    if !run.waived.is_empty() {
        let _ = write!(out, "; {} waived", run.waived.len());
    }
    if let Some(known) = run.known {
        let _ = write!(out, "; {known} known from the baseline left out");
    }
    out.push('\n');
    let priced: Vec<_> = run
        .files
        .iter()
        .filter_map(|f| f.cost.as_ref().map(|c| (f.name.as_str(), c)))
        .collect();
    for (name, cost) in &priced {
        let place = if priced.len() > 1 {
            format!(" in {name}")
        } else {
            String::new()
        };
        out.push_str(&waste_line(&place, cost));
    }
    // Which settings applied (issue 15): one line, only when a config file did.
    if let Some(config) = &run.config {
        let _ = writeln!(out, "config: {config}");
    }
}

/// The whole human report of a run, file by file, then the end (see [`render_end`]). (Errors
/// go to standard error, rendered by the CLI.)
pub fn render(run: &super::Run<'_>, style: Style) -> String {
    let mut text = String::new();
    let mut progress = Progress::new(run.view);
    for (findings, omitted) in super::per_file(run) {
        render_file(findings, omitted, style, &mut progress, &mut text);
    }
    render_end(run, &progress, &mut text);
    text
}

/// `waste: 37 licences, 1,204.50 EUR a month (of 9,876.00 EUR)`, with what it is made of.
fn waste_line(place: &str, cost: &crate::triage::cost::Cost) -> String {
    use crate::triage::cost::money;
    let at_least = if cost.complete { "" } else { "at least " };
    let mut line = format!(
        "waste{place}: {at_least}{}, {} a month (of {} a month for priced licences)",
        plural(
            usize::try_from(cost.waste_licenses).unwrap_or(usize::MAX),
            "licence",
            "licences"
        ),
        money(cost.waste_monthly, &cost.currency),
        money(cost.monthly, &cost.currency),
    );
    let parts: Vec<String> = cost
        .by_rule
        .iter()
        .map(|r| format!("{} {}", r.rule, r.licenses))
        .chain((cost.unused_seats > 0).then(|| format!("unused seats {}", cost.unused_seats)))
        .collect();
    if !parts.is_empty() {
        let _ = write!(line, ": {}", parts.join(", "));
    }
    if !cost.complete {
        line.push_str(" (`--max-findings-per-rule` left findings out: raise it to count all)");
    }
    line.push('\n');
    line
}

/// One line for a waived finding: where, what, and the waiver's reason and end.
pub fn waived_line(w: &crate::triage::waivers::Waived) -> String {
    let f = &w.finding;
    let (line, column) = f.line_col();
    let subject = f
        .subject
        .as_ref()
        .map_or_else(String::new, |s| format!(" ({s})"));
    format!(
        "waived {}[{}]{subject} at {}:{line}:{column}: {} -- {} (until {}, {})",
        f.severity.as_str(),
        f.rule,
        f.file.name(),
        f.message.replace(['\r', '\n'], " "),
        w.reason,
        w.expires,
        w.waiver
    )
}

/// `skuld diff` for people: each introduced finding as a report, then one line per fixed
/// finding, then the counts.
pub fn render_diff(diff: &crate::triage::diff::Diff, style: Style) -> String {
    let mut text = String::new();
    render_findings(&diff.introduced, style, &mut text);
    for f in &diff.fixed {
        let (line, column) = f.line_col();
        let _ = writeln!(
            text,
            "fixed {}[{}] at {}:{line}:{column}: {}",
            f.severity.as_str(),
            f.rule,
            f.file.name(),
            f.message.replace(['\r', '\n'], " ")
        );
    }
    if !diff.fixed.is_empty() {
        text.push('\n');
    }
    let s = Summary::of(&diff.introduced);
    let _ = write!(
        text,
        "{} introduced ({} {}, {} {}), {} fixed",
        diff.introduced.len(),
        s.errors,
        if s.errors == 1 { "error" } else { "errors" },
        s.warnings,
        if s.warnings == 1 {
            "warning"
        } else {
            "warnings"
        },
        diff.fixed.len()
    );
    if diff.waived > 0 {
        let _ = write!(text, "; {} waived", diff.waived);
    }
    if let Some(known) = diff.known {
        let _ = write!(text, "; {known} known from the baseline left out");
    }
    text.push('\n');
    text
}
