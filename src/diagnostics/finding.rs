//! A finding: one way the tenant breaks one rule, as plain data that is also a miette diagnostic.

use std::borrow::Cow;
use std::fmt;

use miette::{Diagnostic, LabeledSpan};

use crate::source::{SourceFile, Span};

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Fails the check (exit code 1).
    Error,
    /// Reported; does not fail the check.
    Warning,
}

impl Severity {
    /// `error` / `warning`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// Where the rule behind a finding is defined.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FindingOrigin {
    /// A check built into the tenant loader (`tenant/*`).
    Builtin,
    /// A rule in a policy file.
    Policy {
        /// The policy file's name (`builtin:sspr-2017` for embedded ones).
        file: String,
        /// 1-based line of the rule id.
        line: usize,
        /// 1-based column of the rule id.
        column: usize,
    },
}

impl fmt::Display for FindingOrigin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FindingOrigin::Builtin => f.write_str("built-in tenant check"),
            FindingOrigin::Policy { file, line, column } => write!(f, "{file}:{line}:{column}"),
        }
    }
}

/// One finding.
#[derive(Debug, Clone)]
pub struct Finding {
    /// The rule's public id, e.g. `sspr/cloud-user-license`.
    pub rule: String,
    /// Error or warning.
    pub severity: Severity,
    /// What is wrong, in one line.
    pub message: String,
    /// What the finding is about: a UPN, group name, SKU part number…
    pub subject: Option<String>,
    /// The tenant file.
    pub file: SourceFile,
    /// The offending node.
    pub span: Span,
    /// Text of the primary label.
    pub label: Option<String>,
    /// Further places that contribute to the cause.
    pub related: Vec<(Span, String)>,
    /// What to do about it.
    pub help: Option<String>,
    /// Where the rule is defined.
    pub origin: FindingOrigin,
    /// The licences (SKU part numbers) the finding labels one by one (`label l in u.licenses
    /// … => l`), in the order of the user's list: what a waste rule says could be removed, which
    /// the cost figures count.
    pub licenses: Vec<String>,
}

impl Finding {
    /// A finding built without its texts (message, labels, help) past the per-rule cap, for
    /// `skuld diff`, which matches findings by identity and shows only the ones that change
    /// (see `CappedFindings::keeping_light`). A built finding always has a message.
    pub(crate) fn is_light(&self) -> bool {
        self.message.is_empty()
    }

    /// A finding with no labels or help yet.
    pub(crate) fn new(
        rule: String,
        severity: Severity,
        message: String,
        subject: Option<String>,
        file: SourceFile,
        span: Span,
        origin: FindingOrigin,
    ) -> Self {
        Finding {
            rule,
            severity,
            message,
            subject,
            file,
            span,
            label: None,
            related: Vec::new(),
            help: None,
            origin,
            licenses: Vec::new(),
        }
    }

    /// Sets the primary label.
    pub(crate) fn with_label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    /// Sets the help text.
    pub(crate) fn with_help(mut self, help: String) -> Self {
        self.help = Some(help);
        self
    }

    /// Adds a secondary label.
    pub(crate) fn add_label(&mut self, span: Span, text: String) {
        self.related.push((span, text));
    }

    /// 1-based line and column of the offending node.
    pub fn line_col(&self) -> (usize, usize) {
        self.file.line_col(self.span.start as usize)
    }

    /// True for the rules skuld ships (the `tenant/*` checks and the embedded policies): they
    /// have a page under `docs/rules/`.
    pub fn is_shipped(&self) -> bool {
        match &self.origin {
            FindingOrigin::Builtin => true,
            FindingOrigin::Policy { file, .. } => file.starts_with("builtin:"),
        }
    }
}

/// The environment variable naming the base URL of skuld's files (e.g. a mirror's
/// `https://git.example.com/skuld/blob/main`), overriding [`released_docs_url`].
pub const DOCS_URL_VAR: &str = "SKULD_DOCS_URL";

/// The base URL of this release's files: the crate's `repository` (Cargo.toml) at the tag of
/// its version, so a link shows the rule as the running binary has it. `None` when the crate
/// names no repository: then no link is made rather than a path that is not in the admin's
/// repository.
pub fn released_docs_url() -> Option<String> {
    released_docs_url_of(env!("CARGO_PKG_REPOSITORY"), env!("CARGO_PKG_VERSION"))
}

fn released_docs_url_of(repository: &str, version: &str) -> Option<String> {
    let repository = repository.trim().trim_end_matches('/');
    (!repository.is_empty()).then(|| format!("{repository}/blob/v{version}"))
}

/// The value of [`DOCS_URL_VAR`] when set and not blank, else [`released_docs_url`].
pub fn docs_base_url() -> Option<String> {
    std::env::var(DOCS_URL_VAR)
        .ok()
        .filter(|u| !u.trim().is_empty())
        .or_else(released_docs_url)
}

/// The URL of a shipped rule's page under `docs/rules/`, below `base`.
pub fn rule_page_url(base: &str, rule: &str) -> String {
    format!("{}/docs/rules/{rule}.md", base.trim_end_matches('/'))
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Finding {}

impl Diagnostic for Finding {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(&self.rule))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
        })
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(FindingHelp(self)))
    }

    /// The rule's page, for shipped rules, when `SKULD_DOCS_URL` says where the docs are.
    fn url<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        let base = docs_base_url().filter(|_| self.is_shipped())?;
        Some(Box::new(rule_page_url(&base, &self.rule)))
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        Some(&self.file)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let primary = LabeledSpan::new_primary_with_span(self.label.clone(), self.span);
        let related = self
            .related
            .iter()
            .map(|(span, text)| LabeledSpan::new_with_span(Some(text.clone()), *span));
        Some(Box::new(std::iter::once(primary).chain(related)))
    }
}

/// Help text followed by where to read about the rule: `skuld explain RULE`, and, for a rule of
/// the user's own policy, where it is defined (a shipped rule's page is the heading's link).
struct FindingHelp<'a>(&'a Finding);

impl fmt::Display for FindingHelp<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let finding = self.0;
        if let Some(help) = &finding.help {
            writeln!(f, "{help}")?;
        }
        // Short lines of their own (the rule id heads the report), so that wrapping never
        // splits the command or the path.
        write!(f, "explain: `skuld explain {}`", finding.rule)?;
        match &finding.origin {
            // A shipped rule's page is linked in the report's heading (`Diagnostic::url`) when
            // its URL is known; a path under `docs/rules/` is not in the admin's repository.
            _ if finding.is_shipped() => Ok(()),
            FindingOrigin::Policy { .. } => write!(f, "\ndefined at {}", finding.origin),
            FindingOrigin::Builtin => Ok(()),
        }
    }
}

/// The cause of a finding as people read it, from what it says (the same for every rule of any
/// policy): its first secondary label (the group or entry that brings the problem, `through
/// group `Lic-F3``), else its label named with its subject when that is not a user (`` `ENTERPRISEPAK`:
/// not in the policy's SKU catalog``: the unknown name is the cause, not the user; only a
/// subject of visible ASCII, so that a name with an invisible character is not printed as if
/// it had none), else its label, else its message. Never the help: that says what to do, not
/// what is wrong.
pub(crate) fn cause_of<'a>(
    related: Option<&'a str>,
    subject: Option<&str>,
    label: Option<&'a str>,
    message: &'a str,
) -> Cow<'a, str> {
    match (related, subject, label) {
        (Some(r), _, _) => Cow::Borrowed(r),
        (None, Some(s), Some(l)) if !s.contains('@') && s.bytes().all(|b| b.is_ascii_graphic()) => {
            Cow::Owned(format!("`{s}`: {l}"))
        }
        (None, _, Some(l)) => Cow::Borrowed(l),
        (None, _, None) => Cow::Borrowed(message),
    }
}

impl Finding {
    /// This finding's cause ([`cause_of`]).
    pub(crate) fn cause(&self) -> Cow<'_, str> {
        cause_of(
            self.related.first().map(|(_, t)| t.as_str()),
            self.subject.as_deref(),
            self.label.as_deref(),
            &self.message,
        )
    }
}

/// Distinct causes counted per rule and file past the cap: a hostile file naming a million
/// distinct unknown SKUs costs memory in proportion to this, and the summary shows five.
const MAX_OMITTED_CAUSES: usize = 1000;

/// Where evaluation puts findings: a plain `Vec` keeps all of them, [`CappedFindings`] keeps a
/// bounded number per rule and only counts the rest, so that a hostile file (aliases replaying a
/// thousand unknown SKUs for each of a thousand users) costs memory in proportion to the cap.
pub(crate) trait FindingSink {
    /// Counts one finding of `rule`; false when its details would be dropped, so that the
    /// caller need not build it.
    fn admit(&mut self, rule: &str) -> bool;
    /// [`FindingSink::admit`] for a finding whose severity is known before it is built (a
    /// rule with `severity … when`): one left out is counted at that severity, not at the
    /// severity of the rule's kept findings.
    fn admit_at(&mut self, rule: &str, _severity: Severity) -> bool {
        self.admit(rule)
    }
    /// Keeps a finding [`FindingSink::admit`] let in.
    fn keep(&mut self, finding: Finding);
    /// Counts the cause ([`cause_of`]) of a finding [`FindingSink::admit`] left out, so that the
    /// summary's causes count every finding.
    fn omit(&mut self, rule: &str, cause: &str);
    /// How findings past the cap are kept: `None`, only counted (the default); else built light
    /// ([`Finding::is_light`]) to this detail and given to [`FindingSink::keep`].
    fn light(&self) -> Option<Light> {
        None
    }
    /// Counts a finding and keeps it when the cap allows.
    fn push(&mut self, finding: Finding) {
        if self.admit(&finding.rule) {
            self.keep(finding);
        } else {
            self.omit(&finding.rule, &finding.cause());
        }
    }
}

impl FindingSink for Vec<Finding> {
    fn admit(&mut self, _rule: &str) -> bool {
        true
    }
    fn keep(&mut self, finding: Finding) {
        self.push(finding);
    }
    fn omit(&mut self, _rule: &str, _cause: &str) {}
}

/// Findings kept per rule and tenant file by default (`check`, `lsp`): a real tenant rarely has
/// more of one rule, and a hostile file (aliases replaying a list) cannot make a report of
/// millions.
pub(crate) const DEFAULT_PER_RULE: usize = 1000;

/// The findings of one file with at most `cap` kept per rule; the others are counted.
#[derive(Debug)]
pub(crate) struct CappedFindings {
    cap: usize,
    findings: Vec<Finding>,
    /// Per rule: findings counted, kept or not.
    counts: std::collections::HashMap<String, usize>,
    /// Per rule: the causes of the findings left out, and how many had each.
    omitted_causes: std::collections::HashMap<String, std::collections::HashMap<String, usize>>,
    /// Per rule, of the findings left out through [`FindingSink::admit_at`]: how many were
    /// errors and how many warnings.
    omitted_at: std::collections::HashMap<String, [usize; 2]>,
    /// Findings past the cap are kept light ([`FindingSink::light`]), not counted.
    light: Option<Light>,
}

/// What a light finding (past the cap, for `skuld diff`'s matching) is built with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Light {
    /// Rule, severity, subject and the place `at` names: all that matching by identity needs.
    Identity,
    /// Also the places and licences its labels name (what inline waivers and the cost figures
    /// read): the label conditions are evaluated, their texts not rendered.
    Places,
}

/// Findings of one rule in one file that the cap left out: counted, not kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct OmittedCount {
    /// The rule id.
    pub rule: String,
    /// The severity of the kept findings of that rule.
    pub severity: Severity,
    /// How many were left out.
    pub count: usize,
    /// The causes of those left out, with how many had each (at most [`MAX_OMITTED_CAUSES`]
    /// distinct ones; most first).
    pub causes: Vec<(String, usize)>,
    /// Whether findings of this rule at this severity were kept: then they decide for these
    /// too (waived or known to a baseline, these are not reported either). When none were (a
    /// rule with `severity … when` that kept only its warnings), these fail a run on their own.
    pub kept_alike: bool,
}

impl CappedFindings {
    /// Keeps at most `cap` findings per rule (`usize::MAX`: all).
    pub(crate) fn new(cap: usize) -> Self {
        CappedFindings {
            cap,
            findings: Vec::new(),
            counts: std::collections::HashMap::new(),
            omitted_causes: std::collections::HashMap::new(),
            omitted_at: std::collections::HashMap::new(),
            light: None,
        }
    }

    /// Keeps every finding, those past the cap light: what `skuld diff` matches findings on,
    /// at about the cost of a capped check.
    pub(crate) fn keeping_light(mut self, detail: Light) -> Self {
        self.light = Some(detail);
        self
    }

    /// The kept findings, and per rule how many were left out (rules in the order of their
    /// first finding).
    pub(crate) fn finish(mut self) -> (Vec<Finding>, Vec<OmittedCount>) {
        // The rules past the cap, in the order of their first finding, with the severity of
        // that finding and whether an error, a warning of theirs was kept.
        let mut over: Vec<(&str, Severity, [bool; 2])> = Vec::new();
        let mut at_index = std::collections::HashMap::new();
        for f in &self.findings {
            let total = self.counts.get(&f.rule).copied().unwrap_or(0);
            if total <= self.cap {
                continue;
            }
            let i = *at_index.entry(f.rule.as_str()).or_insert_with(|| {
                over.push((f.rule.as_str(), f.severity, [false; 2]));
                over.len() - 1
            });
            if let Some(k) = over
                .get_mut(i)
                .and_then(|o| o.2.get_mut(severity_index(f.severity)))
            {
                *k = true;
            }
        }
        let mut omitted = Vec::new();
        for (rule, first, kept) in over {
            let total = self.counts.get(rule).copied().unwrap_or(0);
            let mut causes: Vec<(String, usize)> = self
                .omitted_causes
                .remove(rule)
                .unwrap_or_default()
                .into_iter()
                .collect();
            causes.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
            // Left out at a severity of their own (`severity … when`), else at that of the
            // first kept finding; errors first, the causes with the first count.
            let at = self.omitted_at.get(rule).copied().unwrap_or_default();
            let rest = (total - self.cap).saturating_sub(at.iter().sum());
            for (severity, at) in [Severity::Error, Severity::Warning].into_iter().zip(at) {
                let count = at + if severity == first { rest } else { 0 };
                if count > 0 {
                    omitted.push(OmittedCount {
                        rule: rule.to_owned(),
                        severity,
                        count,
                        causes: std::mem::take(&mut causes),
                        kept_alike: kept.get(severity_index(severity)).copied().unwrap_or(false),
                    });
                }
            }
        }
        (self.findings, omitted)
    }
}

/// Where a severity's count is kept in a `[errors, warnings]` pair.
fn severity_index(severity: Severity) -> usize {
    match severity {
        Severity::Error => 0,
        Severity::Warning => 1,
    }
}

impl FindingSink for CappedFindings {
    fn light(&self) -> Option<Light> {
        self.light
    }
    fn push(&mut self, finding: Finding) {
        // A finding given whole (the built-in checks) is kept whole when light ones are kept.
        if self.admit(&finding.rule) || self.light.is_some() {
            self.keep(finding);
        } else {
            self.omit(&finding.rule, &finding.cause());
        }
    }
    fn admit(&mut self, rule: &str) -> bool {
        let n = match self.counts.get_mut(rule) {
            Some(n) => n,
            None => self.counts.entry(rule.to_owned()).or_insert(0),
        };
        *n += 1;
        *n <= self.cap
    }
    fn admit_at(&mut self, rule: &str, severity: Severity) -> bool {
        if self.admit(rule) {
            return true;
        }
        let at = match self.omitted_at.get_mut(rule) {
            Some(at) => at,
            None => self.omitted_at.entry(rule.to_owned()).or_default(),
        };
        if let Some(n) = at.get_mut(severity_index(severity)) {
            *n += 1;
        }
        false
    }
    fn keep(&mut self, finding: Finding) {
        self.findings.push(finding);
    }
    fn omit(&mut self, rule: &str, cause: &str) {
        let causes = match self.omitted_causes.get_mut(rule) {
            Some(c) => c,
            None => self.omitted_causes.entry(rule.to_owned()).or_default(),
        };
        let full = causes.len() >= MAX_OMITTED_CAUSES;
        match causes.get_mut(cause) {
            Some(n) => *n += 1,
            None if !full => {
                causes.insert(cause.to_owned(), 1);
            }
            None => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_links_go_to_the_released_version_s_docs() {
        assert_eq!(
            released_docs_url_of("https://github.com/example/skuld/", "0.3.1").as_deref(),
            Some("https://github.com/example/skuld/blob/v0.3.1")
        );
        assert_eq!(released_docs_url_of("", "0.3.1"), None);
        assert_eq!(
            rule_page_url(
                "https://github.com/example/skuld/blob/v0.3.1",
                "licensing/seats"
            ),
            "https://github.com/example/skuld/blob/v0.3.1/docs/rules/licensing/seats.md"
        );
    }

    fn finding(rule: &str) -> Finding {
        Finding::new(
            rule.to_owned(),
            Severity::Warning,
            "m".to_owned(),
            None,
            SourceFile::new("t.yaml", "x"),
            Span::new(0, 1),
            FindingOrigin::Builtin,
        )
    }

    #[test]
    fn findings_left_out_at_a_severity_of_their_own_are_counted_at_it() {
        // A rule with `severity … when`: the kept finding is a warning, two of those left out
        // are errors; the summary and the exit code must see them as errors.
        let mut sink = CappedFindings::new(1);
        assert!(sink.admit_at("r", Severity::Warning));
        sink.keep(finding("r"));
        for severity in [Severity::Error, Severity::Warning, Severity::Error] {
            assert!(!sink.admit_at("r", severity));
        }
        let (_, omitted) = sink.finish();
        let counts: Vec<_> = omitted.iter().map(|o| (o.severity, o.count)).collect();
        assert_eq!(counts, [(Severity::Error, 2), (Severity::Warning, 1)]);
    }

    #[test]
    fn a_capped_sink_keeps_the_first_findings_of_each_rule_and_counts_the_rest() {
        let mut sink = CappedFindings::new(2);
        for rule in ["a", "b", "a", "a", "a", "b"] {
            sink.push(finding(rule));
        }
        let (kept, omitted) = sink.finish();
        let rules: Vec<_> = kept.iter().map(|f| f.rule.as_str()).collect();
        assert_eq!(rules, ["a", "b", "a", "b"]);
        assert_eq!(
            omitted,
            [OmittedCount {
                rule: "a".to_owned(),
                severity: Severity::Warning,
                count: 2,
                causes: vec![("m".to_owned(), 2)],
                kept_alike: true,
            }]
        );
    }
}
