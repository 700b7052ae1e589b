//! Waivers: a team accepts a known finding for a while, with a reason.
//!
//! A waiver names a rule, a subject (or `*` for every subject), a reason and the date it expires
//! (the last day it applies), optionally restricted to one tenant file. Waivers are kept in a
//! waivers file (`--waivers FILE`, by default `skuld-waivers.yaml`), or written as a comment on
//! the tenant line a finding points at (see [`inline`]). A waived finding is not dropped: it is
//! reported as waived and counted, but does not fail the run. An expired waiver stops applying and
//! is itself reported (`skuld::waiver::expired`); a waiver that matches no finding is reported as
//! unused (`skuld::waiver::unused`). Both are warnings pointing at the waiver.

pub mod date;
mod inline;

use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};

use serde::Serialize;

use crate::config::yaml::{self, Node};
use crate::config::{Fields, Problem, text, unknown_rule};
use crate::diagnostics::Finding;
use crate::source::{SourceFile, Span};
pub use date::Date;

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
}

/// All waivers of a run.
#[derive(Debug, Clone, Default)]
pub struct Waivers {
    waivers: Vec<Waiver>,
}

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
            Ok(Waivers { waivers })
        } else {
            Err(Problem::in_file_order(problems))
        }
    }

    /// Adds the inline waivers (`# skuld: waive …` comments) of a tenant file; malformed ones are
    /// returned as errors.
    pub fn add_inline(&mut self, tenant: &SourceFile, policy: &crate::Policy) -> Vec<Problem> {
        let (found, problems) = inline::scan(tenant, policy);
        self.waivers.extend(found);
        problems
    }

    /// Keeps the waivers of the rules `reported` accepts: a run with `--only-rule` or
    /// `--skip-rule` does not call the other rules' waivers unused.
    pub fn retain_rules(&mut self, reported: impl Fn(&str) -> bool) {
        self.waivers.retain(|w| reported(&w.rule));
    }

    /// Applies the waivers that have not expired on `today` to `findings`.
    pub fn apply(&self, findings: Vec<Finding>, today: Date) -> Applied {
        if self.waivers.is_empty() {
            return Applied {
                findings,
                waived: Vec::new(),
                notes: Vec::new(),
            };
        }
        let mut used = vec![false; self.waivers.len()];
        let live = |w: &Waiver| w.expires >= today;
        let mut kept = Vec::new();
        let mut waived = Vec::new();
        // Each tenant file's path, normalized once.
        let mut paths: HashMap<String, PathBuf> = HashMap::new();
        for f in findings {
            let path = paths
                .entry(f.file.name().to_owned())
                .or_insert_with(|| normalize(Path::new(f.file.name())))
                .clone();
            let hit = self
                .waivers
                .iter()
                .enumerate()
                .find(|(_, w)| live(w) && w.matches(&f, &path));
            match hit {
                Some((i, w)) => {
                    if let Some(u) = used.get_mut(i) {
                        *u = true;
                    }
                    let (line, _) = w.src.line_col(w.entry.start as usize);
                    waived.push(Waived {
                        reason: w.reason.clone(),
                        expires: w.expires,
                        kind: w.kind,
                        waiver: format!("{}:{line}", w.src.name()),
                        finding: f,
                    });
                }
                None => kept.push(f),
            }
        }
        let notes = self
            .waivers
            .iter()
            .zip(&used)
            .filter_map(|(w, &used)| {
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
                } else if !used {
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
            })
            .collect();
        Applied {
            findings: kept,
            waived,
            notes,
        }
    }
}

impl Waiver {
    fn matches(&self, f: &Finding, path: &Path) -> bool {
        let id = crate::triage::identity::Identity::of(f);
        if self.rule != id.rule {
            return false;
        }
        if let Some(s) = &self.subject
            && id.subject != Some(s.as_str())
        {
            return false;
        }
        if let Some(t) = &self.tenant
            && t != path
        {
            return false;
        }
        match self.line {
            Some(line) => f.file.same_file(&self.src) && f.line_col().0 == line,
            None => true,
        }
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
