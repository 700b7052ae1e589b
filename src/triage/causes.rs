//! What findings have in common: the cause a finding shares with others (the group or SKU its
//! secondary labels name, else the fix its help gives), the groups of findings that share one
//! (folded by the human report; by rule, then by cause, in the HTML report), and the counts per
//! rule and per cause of a run's summary.
//!
//! The cause is derived from data every finding carries, so it works for the rules of any
//! policy: two findings of one rule in one file share a cause when their secondary labels say
//! the same (`through group `Lic-F3``, `Office 365 E1 (`STANDARDPACK`) is included…`) and their
//! help is the same; a finding without secondary labels is grouped by its help and label.

use std::collections::HashMap;

use crate::diagnostics::{Finding, Severity};

/// The cause of a finding, as people read it ([`Finding::cause`]: the first secondary label,
/// else the label with a subject that is not a user, else the label, else the message).
pub fn cause_text(f: &Finding) -> std::borrow::Cow<'_, str> {
    f.cause()
}

/// What makes two findings of the same rule in the same file share a cause.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct CauseKey<'a> {
    file: &'a str,
    rule: &'a str,
    severity: Severity,
    related: Vec<&'a str>,
    help: Option<&'a str>,
    label: Option<&'a str>,
}

impl<'a> CauseKey<'a> {
    fn of(f: &'a Finding) -> Self {
        let related: Vec<&str> = f.related.iter().map(|(_, t)| t.as_str()).collect();
        CauseKey {
            file: f.file.name(),
            rule: &f.rule,
            severity: f.severity,
            // With secondary labels, they and the help name the cause; without, the primary
            // label too (it is then the only thing that says what is wrong).
            label: if related.is_empty() {
                f.label.as_deref()
            } else {
                None
            },
            related,
            help: f.help.as_deref(),
        }
    }
}

/// Findings that share one cause: indexes into the slice given to [`fold`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fold {
    /// The first finding (shown in full).
    pub first: usize,
    /// The others, in order.
    pub more: Vec<usize>,
}

/// Groups `findings` by cause, in the order of each group's first finding. Linear in the
/// findings (one hash lookup each).
pub fn fold<'a>(findings: impl IntoIterator<Item = &'a Finding>) -> Vec<Fold> {
    let mut index: HashMap<CauseKey<'a>, usize> = HashMap::new();
    let mut folds: Vec<Fold> = Vec::new();
    for (i, f) in findings.into_iter().enumerate() {
        match index.get(&CauseKey::of(f)).copied() {
            Some(g) => {
                if let Some(fold) = folds.get_mut(g) {
                    fold.more.push(i);
                }
            }
            None => {
                index.insert(CauseKey::of(f), folds.len());
                folds.push(Fold {
                    first: i,
                    more: Vec::new(),
                });
            }
        }
    }
    folds
}

/// The findings of one rule at one severity, folded by cause.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleFolds<'a> {
    /// The rule id.
    pub rule: &'a str,
    /// Its severity in this run.
    pub severity: Severity,
    /// Its findings.
    pub count: usize,
    /// Its findings grouped by cause (indexes as [`fold`] gives them), in the order of each
    /// group's first finding.
    pub folds: Vec<Fold>,
}

/// Groups `findings` by rule and severity, each folded by cause: errors first, then the rule
/// with more findings, then by id (the order of [`counts`]). Linear in the findings, plus a
/// sort of the rules.
pub fn by_rule<'a>(findings: impl IntoIterator<Item = &'a Finding>) -> Vec<RuleFolds<'a>> {
    let findings: Vec<&'a Finding> = findings.into_iter().collect();
    let mut index: HashMap<(&str, Severity), usize> = HashMap::new();
    let mut rules: Vec<RuleFolds<'a>> = Vec::new();
    for fold in fold(findings.iter().copied()) {
        let Some(first) = findings.get(fold.first) else {
            continue;
        };
        let key = (first.rule.as_str(), first.severity);
        let at = *index.entry(key).or_insert_with(|| {
            rules.push(RuleFolds {
                rule: &first.rule,
                severity: first.severity,
                count: 0,
                folds: Vec::new(),
            });
            rules.len() - 1
        });
        if let Some(r) = rules.get_mut(at) {
            r.count += 1 + fold.more.len();
            r.folds.push(fold);
        }
    }
    rules.sort_by(|a, b| rank(a.severity, a.count, a.rule).cmp(&rank(b.severity, b.count, b.rule)));
    rules
}

/// The order rules are listed in: errors first, then more findings first, then by id.
fn rank(
    severity: Severity,
    count: usize,
    rule: &str,
) -> (Severity, std::cmp::Reverse<usize>, &str) {
    (severity, std::cmp::Reverse(count), rule)
}

/// Findings of one rule at one severity: how many, and how many of them the per-rule cap left
/// out (counted, not kept).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleCount {
    /// The rule id.
    pub rule: String,
    /// Its severity in this run.
    pub severity: Severity,
    /// Every finding, kept or not.
    pub count: usize,
    /// Of those, left out by the cap.
    pub omitted: usize,
}

/// Findings of one rule that share one cause, across files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CauseCount {
    /// The rule id.
    pub rule: String,
    /// The cause, as [`cause_text`] gives it.
    pub cause: String,
    /// Findings with it.
    pub count: usize,
}

/// Findings of one rule the per-rule cap left out: the rule, its severity, how many, and
/// their causes with how many had each.
pub type OmittedCauses<'a> = (&'a str, Severity, usize, &'a [(String, usize)]);

/// The counts a summary shows: per rule and severity (errors first, then by count), and the
/// causes that account for most findings, those the cap left out included (at most `top`,
/// largest first; only causes shared by more than one finding).
pub fn counts<'a>(
    findings: &'a [Finding],
    omitted: impl IntoIterator<Item = OmittedCauses<'a>>,
    top: usize,
) -> (Vec<RuleCount>, Vec<CauseCount>) {
    let mut rules: HashMap<(&str, Severity), (usize, usize)> = HashMap::new();
    let mut causes: HashMap<(&str, std::borrow::Cow<'a, str>), usize> = HashMap::new();
    for f in findings {
        rules.entry((&f.rule, f.severity)).or_default().0 += 1;
        *causes.entry((&f.rule, cause_text(f))).or_default() += 1;
    }
    let omitted: Vec<OmittedCauses<'a>> = omitted.into_iter().collect();
    for &(rule, _, _, omitted_causes) in &omitted {
        for (cause, n) in omitted_causes {
            *causes
                .entry((rule, std::borrow::Cow::Borrowed(cause.as_str())))
                .or_default() += n;
        }
    }
    let mut rule_counts: Vec<RuleCount> = rules
        .into_iter()
        .map(|((rule, severity), (count, _))| RuleCount {
            rule: rule.to_owned(),
            severity,
            count,
            omitted: 0,
        })
        .collect();
    for (rule, severity, n, _) in omitted {
        match rule_counts
            .iter_mut()
            .find(|r| r.rule == rule && r.severity == severity)
        {
            Some(r) => {
                r.count += n;
                r.omitted += n;
            }
            None => rule_counts.push(RuleCount {
                rule: rule.to_owned(),
                severity,
                count: n,
                omitted: n,
            }),
        }
    }
    rule_counts.sort_by(|a, b| {
        rank(a.severity, a.count, &a.rule).cmp(&rank(b.severity, b.count, &b.rule))
    });
    let mut cause_counts: Vec<CauseCount> = causes
        .into_iter()
        .filter(|(_, n)| *n > 1)
        .map(|((rule, cause), count)| CauseCount {
            rule: rule.to_owned(),
            cause: cause.into_owned(),
            count,
        })
        .collect();
    cause_counts.sort_by(|a, b| {
        (std::cmp::Reverse(a.count), &a.rule, &a.cause).cmp(&(
            std::cmp::Reverse(b.count),
            &b.rule,
            &b.cause,
        ))
    });
    cause_counts.truncate(top);
    (rule_counts, cause_counts)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostics::FindingOrigin;
    use crate::source::{SourceFile, Span};

    fn finding(rule: &str, at: usize, related: Option<&str>, help: &str) -> Finding {
        let mut f = Finding::new(
            rule.to_owned(),
            Severity::Error,
            format!("m{at}"),
            Some(format!("u{at}@x.com")),
            SourceFile::new("t.yaml", "x".repeat(100)),
            Span::new(at, at + 1),
            FindingOrigin::Builtin,
        )
        .with_label("here")
        .with_help(help.to_owned());
        if let Some(r) = related {
            f.add_label(Span::new(0, 1), r.to_owned());
        }
        f
    }

    #[test]
    fn findings_with_the_same_secondary_labels_and_help_fold_together() {
        let fs = [
            finding("r/a", 1, Some("through group `Lic-F3`"), "fix"),
            finding("r/a", 2, Some("through group `Other`"), "fix"),
            finding("r/a", 3, Some("through group `Lic-F3`"), "fix"),
            finding("r/b", 4, Some("through group `Lic-F3`"), "fix"),
            finding("r/a", 5, Some("through group `Lic-F3`"), "another fix"),
            finding("r/a", 6, Some("through group `Lic-F3`"), "fix"),
        ];
        let folds = fold(&fs);
        assert_eq!(
            folds,
            [
                Fold {
                    first: 0,
                    more: vec![2, 5]
                },
                Fold {
                    first: 1,
                    more: vec![]
                },
                Fold {
                    first: 3,
                    more: vec![]
                },
                Fold {
                    first: 4,
                    more: vec![]
                },
            ]
        );
    }

    #[test]
    fn by_rule_lists_errors_first_then_the_larger_rule_each_folded() {
        let mut warning = finding("r/w", 9, None, "w");
        warning.severity = Severity::Warning;
        let fs = [
            warning.clone(),
            finding("r/a", 1, Some("through group `Lic-F3`"), "fix"),
            finding("r/b", 2, None, "other"),
            finding("r/b", 3, None, "other"),
            warning,
            finding("r/a", 5, Some("through group `Other`"), "fix"),
            finding("r/b", 6, None, "else"),
        ];
        let fold = |first, more: &[usize]| Fold {
            first,
            more: more.to_vec(),
        };
        let rule = |rule, severity, count, folds| RuleFolds {
            rule,
            severity,
            count,
            folds,
        };
        assert_eq!(
            by_rule(&fs),
            [
                rule("r/b", Severity::Error, 3, vec![fold(2, &[3]), fold(6, &[])]),
                rule("r/a", Severity::Error, 2, vec![fold(1, &[]), fold(5, &[])]),
                rule("r/w", Severity::Warning, 2, vec![fold(0, &[4])]),
            ]
        );
    }

    #[test]
    fn counts_include_omitted_findings_and_rank_causes() {
        let fs = [
            finding("r/a", 1, Some("through group `Lic-F3`"), "fix"),
            finding("r/a", 2, Some("through group `Lic-F3`"), "fix"),
            finding("r/a", 3, None, "fix it like this\nmore"),
            finding("r/b", 4, None, "other"),
        ];
        let left_out = [
            ("through group `Lic-F3`".to_owned(), 7),
            ("other".to_owned(), 3),
        ];
        let (rules, causes) = counts(&fs, [("r/b", Severity::Error, 10, &left_out[..])], 5);
        assert_eq!(
            rules
                .iter()
                .map(|r| (r.rule.as_str(), r.count, r.omitted))
                .collect::<Vec<_>>(),
            [("r/b", 11, 10), ("r/a", 3, 0)]
        );
        // The causes of findings the cap left out count too, with the kept ones of their rule.
        let causes: Vec<(&str, &str, usize)> = causes
            .iter()
            .map(|c| (c.rule.as_str(), c.cause.as_str(), c.count))
            .collect();
        assert_eq!(
            causes,
            [
                ("r/b", "through group `Lic-F3`", 7),
                ("r/b", "other", 3),
                ("r/a", "through group `Lic-F3`", 2),
            ]
        );
        // The cause is never the help: the label (with a subject that is not a user).
        assert_eq!(cause_text(&fs[2]), "here");
        let mut unknown = finding("r/c", 5, None, "did you mean");
        unknown.subject = Some("ENTERPRISEPAK".to_owned());
        assert_eq!(cause_text(&unknown), "`ENTERPRISEPAK`: here");
    }
}
