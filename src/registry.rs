//! The one rule registry: every public rule id with its severity, summary, documentation,
//! origin and whether skuld ships it. Policy rules (declaration order) come first, then the
//! checks built into the tenant loader (`tenant/*`). Every listing (`skuld rules`, `explain`,
//! SARIF and JUnit rule lists) reads it, and every "unknown rule id, did you mean …" check goes
//! through [`Registry::lookup`].

use crate::compile::Policy;
use crate::compile::ir::Severities;
use crate::diagnostics::Severity;
use crate::diagnostics::suggest::did_you_mean;
use crate::source::{SourceFile, Span};

/// Where a rule is defined.
#[derive(Debug, Clone, Copy)]
pub enum RuleOrigin<'a> {
    /// A rule in a policy file: the file and the span of its declaration.
    Policy {
        /// The policy file (`builtin:…` for embedded ones).
        file: &'a SourceFile,
        /// The rule id's span (where `file:line` points).
        at: Span,
        /// The whole declaration (what `skuld explain` prints).
        decl: Span,
    },
    /// A check built into the tenant loader.
    Builtin,
}

/// One rule as the registry lists it.
#[derive(Debug, Clone, Copy)]
pub struct RuleEntry<'a> {
    /// Public id, e.g. `sspr/cloud-user-license`.
    pub id: &'a str,
    /// The severities of its findings: the default, and the one `severity … when` gives some.
    pub severities: Severities,
    /// The one-line summary: the docs' first sentence, whole.
    pub summary: &'a str,
    /// The whole documentation as written (doc comment, or the built-in check's text).
    pub docs: &'a str,
    /// Where it is defined.
    pub origin: RuleOrigin<'a>,
    /// True for the rules skuld ships (they have a page under `docs/rules/`).
    pub shipped: bool,
}

impl RuleEntry<'_> {
    /// The default severity: of the findings no `severity … when` picks.
    pub fn severity(&self) -> Severity {
        self.severities.default
    }

    /// `file:line` for a policy rule, `built-in` for a built-in check.
    pub fn defined_in(&self) -> String {
        match self.origin {
            RuleOrigin::Policy { file, at, .. } => {
                format!("{}:{}", file.name(), file.line_col(at.start as usize).0)
            }
            RuleOrigin::Builtin => "built-in".to_owned(),
        }
    }
}

/// Every rule of a policy plus the built-in checks.
#[derive(Debug, Clone)]
pub struct Registry<'a> {
    rules: Vec<RuleEntry<'a>>,
}

/// A rule id the registry does not hold; [`Unknown::help`] offers the closest id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unknown {
    suggestion: Option<String>,
}

impl Unknown {
    /// "did you mean `…`?" when an id is close, else `fallback`.
    pub fn help(self, fallback: &str) -> String {
        self.suggestion.unwrap_or_else(|| fallback.to_owned())
    }
}

impl<'a> Registry<'a> {
    /// The registry of `policy`.
    pub(crate) fn of(policy: &'a Policy) -> Self {
        let files = policy.files();
        let mut rules: Vec<RuleEntry<'a>> =
            Vec::with_capacity(policy.rules().len() + crate::tenant::model::BUILTIN_CHECKS.len());
        for r in policy.rules() {
            let file = files.get(r.origin.file);
            rules.push(RuleEntry {
                id: &r.id,
                severities: r.severities(),
                summary: &r.summary,
                docs: &r.docs,
                origin: match file {
                    Some(file) => RuleOrigin::Policy {
                        file,
                        at: r.origin.span,
                        decl: r.decl,
                    },
                    None => RuleOrigin::Builtin,
                },
                shipped: file.is_some_and(|f| f.name().starts_with("builtin:")),
            });
        }
        rules.extend(
            crate::tenant::model::BUILTIN_CHECKS
                .iter()
                .map(|(id, severity, text)| RuleEntry {
                    id,
                    severities: Severities::one(*severity),
                    summary: text,
                    docs: text,
                    origin: RuleOrigin::Builtin,
                    shipped: true,
                }),
        );
        Registry { rules }
    }

    /// Every rule, policy rules first.
    pub fn iter(&self) -> impl Iterator<Item = &RuleEntry<'a>> {
        self.rules.iter()
    }

    /// Every public rule id.
    pub fn ids(&self) -> impl Iterator<Item = &'a str> + '_ {
        self.rules.iter().map(|r| r.id)
    }

    /// How many rules.
    pub fn len(&self) -> usize {
        self.rules.len()
    }

    /// True when there are none (never, for a compiled policy: the built-in checks are there).
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// The rule with id `id`, or what to suggest instead.
    pub(crate) fn lookup(&self, id: &str) -> Result<&RuleEntry<'a>, Unknown> {
        self.rules
            .iter()
            .find(|r| r.id == id)
            .ok_or_else(|| Unknown {
                suggestion: did_you_mean(id, self.ids()),
            })
    }

    /// True when `id` is a rule id.
    pub fn contains(&self, id: &str) -> bool {
        self.rules.iter().any(|r| r.id == id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_policy_rules_then_builtin_checks_and_suggests_ids() {
        let policy = crate::Policy::builtin().unwrap_or_else(|e| panic!("{e}"));
        let reg = Registry::of(&policy);
        let first_builtin = reg
            .iter()
            .position(|r| matches!(r.origin, RuleOrigin::Builtin))
            .unwrap_or(0);
        assert_eq!(first_builtin, policy.rules().len());
        assert!(reg.iter().all(|r| r.shipped));
        assert!(reg.contains("tenant/unknown-sku"));
        assert_eq!(
            reg.lookup("sspr/cloud-user-licence").map(|r| r.id),
            Err(Unknown {
                suggestion: did_you_mean("sspr/cloud-user-licence", reg.ids())
            })
        );
        assert!(
            reg.lookup("sspr/cloud-user-licence")
                .err()
                .map(|u| u.help("none"))
                .is_some_and(|h| h.contains("sspr/cloud-user-license"))
        );
        assert_eq!(
            crate::compile::ir::summary(
                "\n  A first line\n  that wraps. Then more,\n e.g. Office. And\n\nnot this"
            ),
            "A first line that wraps."
        );
        assert_eq!(
            crate::compile::ir::summary("Assign e.g. Office E3 or EMS\n"),
            "Assign e.g. Office E3 or EMS"
        );
    }

    /// Every rule's summary is a whole sentence: a capital, a full stop, nothing cut off (the
    /// summary is what `skuld rules`, SARIF's `shortDescription` and the HTML report show).
    #[test]
    fn every_rule_summary_is_a_whole_sentence() {
        let policy = crate::Policy::builtin().unwrap_or_else(|e| panic!("{e}"));
        let reg = Registry::of(&policy);
        for r in reg.iter() {
            let s = r.summary;
            assert!(
                s.chars().next().is_some_and(char::is_uppercase) && s.ends_with('.'),
                "{}: {s:?}",
                r.id
            );
            // Nothing of the first paragraph's sentence is left out.
            let docs: String = r.docs.split_whitespace().collect::<Vec<_>>().join(" ");
            assert!(docs.starts_with(s), "{}: {s:?} / {docs:?}", r.id);
        }
    }
}
