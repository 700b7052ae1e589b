//! Which rules are reported, and at which severity: `--only-rule`, `--skip-rule`, `--severity`
//! on top of the config file's `only-rules`, `skip-rules` and `severity`.

use miette::Diagnostic;
use thiserror::Error;

use crate::Policy;
use crate::diagnostics::{Diagnostics, Finding, Severity};

/// A rule id that no rule has.
#[derive(Debug, Error, Diagnostic)]
#[error("no rule has the id `{id}`")]
#[diagnostic(code("skuld::unknown-rule"))]
pub(crate) struct UnknownRule {
    pub(crate) id: String,
    #[help]
    pub(crate) help: String,
}

/// Which rules to report, and at which severity: `--only-rule`, `--skip-rule`, `--severity`.
#[derive(Debug)]
pub struct Selection {
    only: Vec<String>,
    skip: Vec<String>,
    severity: Vec<(String, Severity)>,
}

impl Selection {
    /// Checks every rule id named on the command line against the policy (did-you-mean).
    /// The config's lists come first: `--only-rule` replaces the config's `only-rules`,
    /// `--skip-rule` adds to `skip-rules`, `--severity` wins over `severity`.
    pub fn new(
        (only_rules, skip_rules, severities): (&[String], &[String], &[String]),
        config: &crate::config::Config,
        policy: &Policy,
    ) -> Result<Self, Diagnostics> {
        let mut errors = Vec::new();
        let rules = policy.registry();
        let known = |id: &str, flag: &str, errors: &mut Vec<miette::Report>| match rules.lookup(id)
        {
            Ok(_) => true,
            Err(unknown) => {
                errors.push(miette::Report::new(UnknownRule {
                    id: id.to_owned(),
                    help: unknown.help(&format!(
                        "`{flag}` takes a rule id; `skuld rules` lists them"
                    )),
                }));
                false
            }
        };
        let mut checked = |ids: &[String], flag: &str| -> Vec<String> {
            ids.iter()
                .filter(|r| known(r, flag, &mut errors))
                .cloned()
                .collect()
        };
        let mut only = checked(only_rules, "--only-rule");
        if only_rules.is_empty() {
            only = config.only_rules.iter().map(|(r, _)| r.clone()).collect();
        }
        let mut skip: Vec<String> = config.skip_rules.iter().map(|(r, _)| r.clone()).collect();
        skip.extend(checked(skip_rules, "--skip-rule"));
        let mut severity: Vec<(String, Severity)> = config
            .severity
            .iter()
            .map(|(r, level, _)| (r.clone(), *level))
            .collect();
        for spec in severities {
            let parsed = spec.rsplit_once('=').and_then(|(rule, level)| {
                let level = match level {
                    "error" => Severity::Error,
                    "warning" => Severity::Warning,
                    _ => return None,
                };
                Some((rule.to_owned(), level))
            });
            match parsed {
                Some((rule, level)) => {
                    if known(&rule, "--severity", &mut errors) {
                        severity.push((rule, level));
                    }
                }
                None => errors.push(miette::Report::new(BadSeverity { spec: spec.clone() })),
            }
        }
        if errors.is_empty() {
            Ok(Selection {
                only,
                skip,
                severity,
            })
        } else {
            Err(Diagnostics::new(errors))
        }
    }

    /// True when findings of `rule` are reported.
    pub fn reports(&self, rule: &str) -> bool {
        (self.only.is_empty() || self.only.iter().any(|r| r == rule))
            && !self.skip.iter().any(|r| r == rule)
    }

    /// The findings to report, with their severities overridden.
    pub fn apply(&self, findings: Vec<Finding>) -> impl Iterator<Item = Finding> + '_ {
        findings
            .into_iter()
            .filter(|f| self.only.is_empty() || self.only.contains(&f.rule))
            .filter(|f| !self.skip.contains(&f.rule))
            .map(|mut f| {
                f.severity = self.severity_of(&f.rule, f.severity);
                f
            })
    }

    /// The severity `rule` is reported at: its `--severity` override, else `default`.
    pub fn severity_of(&self, rule: &str, default: Severity) -> Severity {
        self.severity
            .iter()
            .rev()
            .find(|(r, _)| r == rule)
            .map_or(default, |(_, level)| *level)
    }
}

/// A `--severity` argument that is not `RULE=error` or `RULE=warning`.
#[derive(Debug, Error, Diagnostic)]
#[error("`--severity {spec}` is not `RULE=error` or `RULE=warning`")]
#[diagnostic(
    code("skuld::usage"),
    help("for example `--severity licensing/nested-group=error`")
)]
struct BadSeverity {
    spec: String,
}
