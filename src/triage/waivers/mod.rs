//! Waivers: a team accepts a known finding for a while, with a reason.
//!
//! A waiver names a rule, a subject (or `*` for every subject), a reason and the date it expires
//! (the last day it applies), optionally restricted to one tenant file. Waivers are kept in a
//! waivers file (`--waivers FILE`, by default `skuld-waivers.yaml`), or written as a comment on
//! the tenant line a finding points at (see [`inline`]). A waived finding is not dropped: it is
//! reported as waived and counted, but does not fail the run. An expired waiver stops applying and
//! is itself reported (`skuld::waiver::expired`); a waiver that matches no finding is reported as
//! unused (`skuld::waiver::unused`). Both are warnings pointing at the waiver.

mod cap;
mod inline;

use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};

use serde::Serialize;

use crate::config::yaml::{self, Node};
use crate::config::{Fields, Problem, text, unknown_rule};
pub use crate::date::Date;
use crate::diagnostics::Finding;
use crate::source::{SourceFile, Span};

/// The waivers file read when no `--waivers` is given (and the config names none): next to the
/// config file, or in the current folder; it is optional.
pub const DEFAULT_FILE: &str = "skuld-waivers.yaml";

/// Code of the problems in a waivers file that stop the run.
const CODE: &str = "skuld::waivers";

const ENTRY_KEYS: &[&str] = &["rule", "subject", "tenant", "reason", "expires"];

/// Where a waiver is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// In a waivers file.
    File,
    /// In a comment on the tenant line.
    Inline,
}

/// One waiver.
#[derive(Debug, Clone)]
struct Waiver {
    rule: String,
    /// `None` for `*`.
    subject: Option<String>,
    /// Only findings in this tenant file (normalized absolute path).
    tenant: Option<PathBuf>,
    reason: String,
    expires: Date,
    kind: Kind,
    /// The file it is written in.
    src: SourceFile,
    /// The whole entry (or comment).
    entry: Span,
    /// The `expires` value.
    expires_span: Span,
    /// For inline waivers: the 1-based line of the comment, the only line it applies to.
    line: Option<usize>,
    /// The 1-based line the waiver is written on (`FILE:LINE` of a waived finding).
    at_line: usize,
}

/// All waivers of a run.
#[derive(Debug, Clone, Default)]
pub struct Waivers {
    waivers: Vec<Waiver>,
    /// The last expiry date accepted ([`Waivers::limit_expiry`]); `None`: no limit yet.
    latest: Option<(Date, u32)>,
}

/// How many days ahead a waiver may expire when the config does not say
/// (`waiver-max-expiry` in `.skuld.yaml`).
pub const DEFAULT_MAX_EXPIRY_DAYS: u32 = 365;

/// A finding a waiver accepted, with the waiver's words.
#[derive(Debug, Clone)]
pub struct Waived {
    /// The finding, as it would have been reported.
    pub finding: Finding,
    /// Why it is accepted.
    pub reason: String,
    /// The last day the waiver applies.
    pub expires: Date,
    /// Waivers file or inline comment.
    pub kind: Kind,
    /// Where the waiver is written: `FILE:LINE`.
    pub waiver: String,
}

/// The findings after waivers: those that still count, those waived, and the warnings about
/// the waivers themselves (expired, unused).
#[derive(Debug)]
pub struct Applied {
    /// Findings that count.
    pub findings: Vec<Finding>,
    /// Findings a waiver accepted.
    pub waived: Vec<Waived>,
    /// Expired and unused waivers.
    pub notes: Vec<Problem>,
}

impl Waivers {
    /// Reads a waivers file: `waivers:` and a list of entries. `path` is where it was read from:
    /// `tenant` paths are relative to its folder. Every problem is reported, each pointing into
    /// the file.
    pub fn parse(
        source: &SourceFile,
        path: &Path,
        policy: &crate::Policy,
    ) -> Result<Waivers, Vec<Problem>> {
        let dir = path.parent().unwrap_or(Path::new(""));
        let root = yaml::parse(source, CODE).map_err(|p| vec![p])?;
        let mut problems = Vec::new();
        let mut waivers = Vec::new();
        if root.is_null() {
            return Ok(Waivers::default());
        }
        let Some(fields) = Fields::read(
            &root,
            &["waivers"],
            "the waivers file",
            CODE,
            source,
            &mut problems,
        ) else {
            return Err(problems);
        };
        let entries: &[Node] = match fields.get("waivers") {
            Some(Node::Seq { items, .. }) => items,
            Some(n) if n.is_null() => &[],
            Some(n) => {
                problems.push(Problem::new(
                    CODE,
                    format!("`waivers` must be a list, found {}", n.kind()),
                    source,
                    n.span(),
                    "expected `- rule: …` entries",
                ));
                &[]
            }
            None => {
                problems.push(
                    Problem::new(
                        CODE,
                        "the waivers file has no `waivers` list".to_owned(),
                        source,
                        root.span(),
                        "expected `waivers:` here",
                    )
                    .with_help(Some(EXAMPLE.to_owned())),
                );
                &[]
            }
        };
        for entry in entries {
            if let Some(w) = entry_of(entry, source, dir, policy, &mut problems) {
                waivers.push(w);
            }
        }
        if problems.is_empty() {
            Ok(Waivers {
                waivers,
                latest: None,
            })
        } else {
            Err(Problem::in_file_order(problems))
        }
    }

    /// Adds the inline waivers (`# skuld: waive …` comments) of a tenant file; malformed ones are
    /// returned as errors.
    pub fn add_inline(&mut self, tenant: &SourceFile, policy: &crate::Policy) -> Vec<Problem> {
        let (found, mut problems) = inline::scan(tenant, policy);
        for w in found {
            match self.beyond_horizon(&w) {
                Some(p) => problems.push(p),
                None => self.waivers.push(w),
            }
        }
        problems.finish()
    }

    /// Sets how far ahead a waiver may expire: `max_days` after `today`. The waivers already
    /// read that expire later are dropped and returned as errors; inline waivers added later
    /// are held to the same limit. A waiver is a dated promise, not a permanent exception.
    pub fn limit_expiry(&mut self, today: Date, max_days: u32) -> Vec<Problem> {
        self.latest = Some((today.plus_days(max_days), max_days));
        let mut problems = Vec::new();
        let waivers = std::mem::take(&mut self.waivers);
        for w in waivers {
            match self.beyond_horizon(&w) {
                Some(p) => problems.push(p),
                None => self.waivers.push(w),
            }
        }
        problems
    }

    /// The error for a waiver that expires after the horizon.
    fn beyond_horizon(&self, w: &Waiver) -> Option<Problem> {
        let (latest, days) = self.latest?;
        (w.expires > latest).then(|| {
            Problem::new(
                match w.kind {
                    Kind::File => CODE,
                    Kind::Inline => inline::INLINE_CODE,
                },
                format!(
                    "the waiver of `{}`{} expires on {}, more than {days} days ahead",
                    w.rule,
                    w.subject_text(),
                    w.expires
                ),
                &w.src,
                w.expires_span,
                &format!("after {latest}"),
            )
            .with_help(Some(format!(
                "a waiver ends within {days} days: set `expires` to {latest} or earlier, and renew it then with a new reason \
                 (`waiver-max-expiry` in `.skuld.yaml` sets the limit)"
            )))
        })
    }

    /// Whether any waiver is an inline comment (which matches a finding by its line).
    pub fn any_inline(&self) -> bool {
        self.waivers.iter().any(|w| w.kind == Kind::Inline)
    }

    /// Keeps the waivers of the rules `reported` accepts: a run with `--only-rule` or
    /// `--skip-rule` does not call the other rules' waivers unused.
    pub fn retain_rules(&mut self, reported: impl Fn(&str) -> bool) {
        self.waivers.retain(|w| reported(&w.rule));
    }

    /// Applies the waivers that have not expired on `today` to `findings`. Linear: the waivers
    /// are indexed once by rule and subject, inline ones by file, line and rule. A finding takes
    /// the first waiver (in reading order) that matches it. An inline waiver applies to one
    /// finding: when several findings of its rule start on its line (a flow list of users), it
    /// waives none of them and says so.
    pub fn apply(&self, findings: Vec<Finding>, today: Date) -> Applied {
        self.apply_in(findings, today, None)
    }

    /// [`Waivers::apply`] to findings of a version of the tenant file `tenant` that is read from
    /// elsewhere (`skuld diff`'s old version, a copy written by `git show`): a waiver restricted
    /// to a tenant file matches them as if they were in `tenant`, so both versions are waived
    /// alike.
    pub fn apply_as(&self, findings: Vec<Finding>, today: Date, tenant: &Path) -> Applied {
        self.apply_in(findings, today, Some(tenant))
    }

    fn apply_in(&self, findings: Vec<Finding>, today: Date, tenant: Option<&Path>) -> Applied {
        if self.waivers.is_empty() {
            return Applied {
                findings,
                waived: Vec::new(),
                notes: Vec::new(),
            };
        }
        let live = |w: &Waiver| w.expires >= today;
        let mut by_subject: HashMap<(&str, &str), Vec<usize>> = HashMap::new();
        let mut by_rule: HashMap<&str, Vec<usize>> = HashMap::new();
        let mut by_line: HashMap<(&str, usize, &str), Vec<usize>> = HashMap::new();
        for (i, w) in self.waivers.iter().enumerate().filter(|(_, w)| live(w)) {
            match (w.line, &w.subject) {
                (Some(line), _) => by_line
                    .entry((w.src.name(), line, w.rule.as_str()))
                    .or_default()
                    .push(i),
                (None, Some(s)) => by_subject
                    .entry((w.rule.as_str(), s.as_str()))
                    .or_default()
                    .push(i),
                (None, None) => by_rule.entry(w.rule.as_str()).or_default().push(i),
            }
        }
        // Each tenant file's path, normalized once.
        let mut paths: HashMap<String, PathBuf> = HashMap::new();
        let tenant = tenant.map(normalize);
        let mut choice: Vec<Option<usize>> = Vec::with_capacity(findings.len());
        for f in &findings {
            let path: &Path = match &tenant {
                Some(t) => t,
                None => paths
                    .entry(f.file.name().to_owned())
                    .or_insert_with(|| normalize(Path::new(f.file.name()))),
            };
            let id = crate::triage::identity::Identity::of(f);
            let inline = if by_line.is_empty() {
                None
            } else {
                by_line.get(&(
                    f.file.name(),
                    f.file.line_of(f.span.start as usize),
                    id.rule,
                ))
            };
            let subject = id.subject.and_then(|s| by_subject.get(&(id.rule, s)));
            let wildcard = by_rule.get(id.rule);
            let hit = [inline, subject, wildcard]
                .into_iter()
                .flatten()
                .flat_map(|c| c.iter().copied())
                .filter(|&i| {
                    self.waivers
                        .get(i)
                        .is_some_and(|w| w.matches(f, id.subject, path))
                })
                .min();
            choice.push(hit);
        }
        let mut hits = vec![0usize; self.waivers.len()];
        for &i in choice.iter().flatten() {
            if let Some(h) = hits.get_mut(i) {
                *h += 1;
            }
        }
        let ambiguous = |i: usize| {
            self.waivers.get(i).is_some_and(|w| w.kind == Kind::Inline)
                && hits.get(i).is_some_and(|&h| h > 1)
        };
        let mut kept = Vec::new();
        let mut waived = Vec::new();
        for (f, c) in findings.into_iter().zip(choice) {
            match c
                .filter(|&i| !ambiguous(i))
                .and_then(|i| self.waivers.get(i))
            {
                Some(w) => waived.push(Waived {
                    reason: w.reason.clone(),
                    expires: w.expires,
                    kind: w.kind,
                    waiver: format!("{}:{}", w.src.name(), w.at_line),
                    finding: f,
                }),
                None => kept.push(f),
            }
        }
        let notes = self
            .waivers
            .iter()
            .zip(&hits)
            .enumerate()
            .filter_map(|(i, (w, &hits))| {
                if !live(w) {
                    Some(
                        Problem::new(
                            "skuld::waiver::expired",
                            format!(
                                "the waiver of `{}`{} expired on {}",
                                w.rule,
                                w.subject_text(),
                                w.expires
                            ),
                            &w.src,
                            w.expires_span,
                            "expired",
                        )
                        .with_help(Some(
                            "the findings it waived count again: fix them, or renew the waiver \
                             with a new date and reason"
                                .to_owned(),
                        ))
                        .warning_only(),
                    )
                } else if ambiguous(i) {
                    Some(
                        Problem::new(
                            "skuld::waiver::ambiguous",
                            format!(
                                "the inline waiver of `{}` matches {hits} findings on its line, \
                                 so it waives none",
                                w.rule
                            ),
                            &w.src,
                            w.entry,
                            "one comment, several findings",
                        )
                        .with_help(Some(
                            "an inline waiver applies to one finding: put each entry on its own \
                             line with its own comment, or name each subject in a waivers file"
                                .to_owned(),
                        ))
                        .warning_only(),
                    )
                } else if hits == 0 {
                    Some(
                        Problem::new(
                            "skuld::waiver::unused",
                            format!(
                                "the waiver of `{}`{} matches no finding",
                                w.rule,
                                w.subject_text()
                            ),
                            &w.src,
                            w.entry,
                            "unused waiver",
                        )
                        .with_help(Some(
                            "remove it if the problem is fixed; otherwise check its rule, subject \
                             and tenant"
                                .to_owned(),
                        ))
                        .warning_only(),
                    )
                } else {
                    None
                }
            });
        let mut capped = cap::Capped::default();
        capped.extend(notes);
        let notes = capped.finish();
        Applied {
            findings: kept,
            waived,
            notes,
        }
    }
}

impl Waiver {
    /// Whether this waiver (found by its rule, and subject or line) applies to `f`.
    fn matches(&self, f: &Finding, subject: Option<&str>, path: &Path) -> bool {
        if let Some(s) = &self.subject
            && subject != Some(s.as_str())
        {
            return false;
        }
        if let Some(t) = &self.tenant
            && t != path
        {
            return false;
        }
        self.line.is_none() || f.file.same_file(&self.src)
    }

    fn subject_text(&self) -> String {
        self.subject
            .as_ref()
            .map_or_else(String::new, |s| format!(" for `{s}`"))
    }
}

const EXAMPLE: &str = "a waivers file looks like:\n\
waivers:\n  \
- rule: sspr/cloud-user-license\n    \
subject: intern@contoso.com\n    \
reason: licence ordered, ticket IT-1234\n    \
expires: 2027-01-31";

fn entry_of(
    entry: &Node,
    src: &SourceFile,
    dir: &Path,
    policy: &crate::Policy,
    problems: &mut Vec<Problem>,
) -> Option<Waiver> {
    let before = problems.len();
    let fields = Fields::read(entry, ENTRY_KEYS, "a waiver", CODE, src, problems)?;
    let required = |key: &str, problems: &mut Vec<Problem>| -> Option<(String, Span)> {
        match fields.get(key) {
            Some(n) => text(n, &format!("`{key}`"), CODE, src, problems)
                .map(|(t, s)| (t.trim().to_owned(), s)),
            None => {
                problems.push(
                    Problem::new(
                        CODE,
                        format!("this waiver has no `{key}`"),
                        src,
                        entry.span(),
                        &format!("`{key}` missing"),
                    )
                    .with_help(Some(match key {
                        "reason" => "every waiver says why the finding is accepted".to_owned(),
                        "expires" => {
                            "every waiver ends: add `expires: YYYY-MM-DD`, its last day".to_owned()
                        }
                        "subject" => {
                            "name the finding's subject (a UPN, group or SKU), or `*` for all"
                                .to_owned()
                        }
                        _ => "`rule` is the id of the rule whose finding is accepted".to_owned(),
                    })),
                );
                None
            }
        }
    };
    let rule = required("rule", problems);
    let subject = required("subject", problems);
    let reason = required("reason", problems);
    let expires = required("expires", problems);
    let tenant = fields
        .get("tenant")
        .and_then(|n| text(n, "`tenant`", CODE, src, problems))
        .map(|(t, _)| normalize(&dir.join(t)));
    if let Some((id, span)) = &rule
        && let Some(p) = unknown_rule(id, *span, src, &policy.registry(), CODE)
            .or_else(|| unwaivable(id, *span, src, CODE))
    {
        problems.push(p);
    }
    let date = expires.as_ref().and_then(|(t, span)| {
        let d = Date::parse(t);
        if d.is_none() {
            problems.push(
                Problem::new(
                    CODE,
                    format!("`{t}` is not a date"),
                    src,
                    *span,
                    "expected YYYY-MM-DD",
                )
                .with_help(Some(
                    "write the last day the waiver applies, e.g. `expires: 2027-01-31`".to_owned(),
                )),
            );
        }
        d
    });
    if problems.len() > before {
        return None;
    }
    let (rule, _) = rule?;
    let (subject, _) = subject?;
    let (reason, _) = reason?;
    let (_, expires_span) = expires?;
    Some(Waiver {
        rule,
        subject: (subject != "*").then_some(subject),
        tenant,
        reason,
        expires: date?,
        kind: Kind::File,
        src: src.clone(),
        entry: entry.span(),
        expires_span,
        line: None,
        at_line: src.line_of(entry.span().start as usize),
    })
}

/// False for the `tenant/*` checks of error severity: those are fixed, never waived.
pub fn can_waive(rule: &str) -> bool {
    !crate::tenant::model::BUILTIN_CHECKS
        .iter()
        .any(|(id, severity, _)| *id == rule && *severity == crate::diagnostics::Severity::Error)
}

/// The error for a waiver of a `tenant/*` error: those say the tenant file itself is wrong (a
/// duplicate, an unknown name, a look-alike), so every other rule checks a wrong tenant; they
/// are fixed, never accepted. The `tenant/*` warnings can be waived.
fn unwaivable(rule: &str, span: Span, src: &SourceFile, code: &'static str) -> Option<Problem> {
    (!can_waive(rule)).then(|| {
        Problem::new(
            code,
            format!("`{rule}` cannot be waived"),
            src,
            span,
            "a tenant file error",
        )
        .with_help(Some(
            "`tenant/*` errors say the tenant file is wrong, so every other rule would check \
                 a wrong tenant: fix the file instead"
                .to_owned(),
        ))
    })
}

/// An absolute path with `.` and `..` resolved lexically (files need not exist), so that
/// `./tenants/a.yaml` and `tenants/a.yaml` compare equal.
fn normalize(path: &Path) -> PathBuf {
    let abs = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir().unwrap_or_default().join(path)
    };
    let mut out = PathBuf::new();
    for c in abs.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}
