//! SARIF 2.1.0: one run; `tool.driver.rules` from the policy and the built-in checks; one result
//! per finding with its region, related locations and a fingerprint; errors that stopped a file
//! as tool execution notifications.
//!
//! Written with typed structs rather than `serde_json::Value`, so the key order is fixed.
//! Columns are counted in Unicode code points (`columnKind`), as skuld counts them everywhere.
//! Waived findings are results too, carrying `suppressions` (kind `external` for the waivers
//! file, `inSource` for a comment in the tenant file, with the reason as justification).

use serde::Serialize;

use super::{Region, Run};
use crate::diagnostics::{Finding, Severity};

const SCHEMA: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

#[derive(Serialize)]
struct Log<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: [SarifRun<'a>; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifRun<'a> {
    tool: Tool<'a>,
    invocations: [Invocation; 1],
    column_kind: &'static str,
    results: Vec<SarifResult>,
    /// SARIF's property bag of the run: the policy and SSPR matrix the results were made under.
    properties: RunProperties<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RunProperties<'a> {
    /// The policy applied, as data (`sspr_matrix`, `matrix_date`, `other_matrices`, …).
    policy: &'a crate::policies::PolicyEdition,
    /// The same as one sentence, as the human report shows it.
    policy_text: String,
}

#[derive(Serialize)]
struct Tool<'a> {
    driver: Driver<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver<'a> {
    name: &'static str,
    version: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    information_uri: Option<String>,
    rules: Vec<Rule<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Rule<'a> {
    id: &'a str,
    short_description: Text,
    #[serde(skip_serializing_if = "Option::is_none")]
    full_description: Option<Text>,
    #[serde(skip_serializing_if = "Option::is_none")]
    help_uri: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    help: Option<Text>,
    default_configuration: Configuration,
    /// For a rule whose findings have two severities (`severity … when`): both, the default
    /// (`defaultConfiguration`) first; each result carries its own `level`.
    #[serde(skip_serializing_if = "Option::is_none")]
    properties: Option<RuleProperties>,
}

#[derive(Serialize)]
struct RuleProperties {
    severities: Vec<&'static str>,
}

#[derive(Serialize)]
struct Text {
    text: String,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Invocation {
    execution_successful: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tool_execution_notifications: Vec<Notification>,
    /// What the config turned off (issue 23): SARIF's place for notes about the configuration.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tool_configuration_notifications: Vec<Notification>,
}

#[derive(Serialize)]
struct Notification {
    level: &'static str,
    message: Text,
    descriptor: Descriptor,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    locations: Vec<Location>,
}

#[derive(Serialize)]
struct Descriptor {
    id: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult {
    rule_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    rule_index: Option<usize>,
    level: &'static str,
    message: Text,
    locations: Vec<Location>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_locations: Vec<Location>,
    partial_fingerprints: Fingerprints,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    suppressions: Vec<Suppression>,
}

#[derive(Serialize)]
struct Suppression {
    kind: &'static str,
    status: &'static str,
    justification: String,
}

#[derive(Serialize)]
struct Fingerprints {
    #[serde(rename = "skuld/v1")]
    v1: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<usize>,
    physical_location: PhysicalLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<Text>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<SarifRegion>,
}

#[derive(Serialize)]
struct ArtifactLocation {
    uri: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifRegion {
    start_line: usize,
    start_column: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    end_line: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    end_column: Option<usize>,
}

impl From<Region> for SarifRegion {
    fn from(r: Region) -> Self {
        SarifRegion {
            start_line: r.start_line,
            start_column: r.start_column,
            end_line: Some(r.end_line),
            end_column: Some(r.end_column),
        }
    }
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

/// Renders the run as one SARIF 2.1.0 log (pretty-printed, with a final newline).
pub fn render(run: &Run<'_>) -> String {
    let infos: Vec<&crate::registry::RuleEntry<'_>> = run.rules.iter().collect();
    let base = run.docs_url.as_deref().map(|b| b.trim_end_matches('/'));
    let rules = infos
        .iter()
        .map(|r| Rule {
            id: r.id,
            short_description: Text {
                text: if r.summary.is_empty() {
                    r.id.to_owned()
                } else {
                    r.summary.to_owned()
                },
            },
            full_description: (!r.docs.trim().is_empty()).then(|| Text {
                text: r.docs.trim().to_owned(),
            }),
            help_uri: base
                .filter(|_| r.shipped)
                .map(|b| crate::diagnostics::finding::rule_page_url(b, r.id)),
            help: r.shipped.then(|| Text {
                text: format!("See docs/rules/{}.md in the skuld repository.", r.id),
            }),
            default_configuration: Configuration {
                level: level(r.severity()),
            },
            properties: r.severities.other.map(|_| RuleProperties {
                severities: r.severities.all().map(level).collect(),
            }),
        })
        .collect();

    let errors = run.errors.iter().map(|e| (e, "error"));
    let notes = run.notes.iter().map(|e| (e, "warning"));
    let omitted = run.omitted.iter().map(|o| Notification {
        level: "note",
        message: Text { text: o.message() },
        descriptor: Descriptor {
            id: "skuld::omitted".to_owned(),
        },
        locations: vec![Location {
            id: None,
            physical_location: PhysicalLocation {
                artifact_location: ArtifactLocation {
                    uri: uri(&run.repo_path(&o.file)),
                },
                region: None,
            },
            message: None,
        }],
    });
    let notifications = errors
        .chain(notes)
        .map(|(e, level)| {
            let loc = e.location();
            Notification {
                level,
                message: Text {
                    text: e.message_with_help(),
                },
                descriptor: Descriptor { id: e.code() },
                locations: loc
                    .file
                    .iter()
                    .map(|f| Location {
                        id: None,
                        physical_location: PhysicalLocation {
                            artifact_location: ArtifactLocation {
                                uri: uri(&run.repo_path(f)),
                            },
                            region: loc.position.map(|(line, column)| SarifRegion {
                                start_line: line,
                                start_column: column,
                                end_line: None,
                                end_column: None,
                            }),
                        },
                        message: None,
                    })
                    .collect(),
            }
        })
        .chain(omitted)
        .collect();

    let results = run
        .findings
        .iter()
        .map(|f| result(run, f, infos.iter().position(|r| r.id == f.rule)))
        .chain(run.waived.iter().map(|w| {
            let f = &w.finding;
            let mut r = result(run, f, infos.iter().position(|r| r.id == f.rule));
            r.suppressions.push(Suppression {
                kind: match w.kind {
                    crate::triage::waivers::Kind::File => "external",
                    crate::triage::waivers::Kind::Inline => "inSource",
                },
                status: "accepted",
                justification: format!("{} (until {}, {})", w.reason, w.expires, w.waiver),
            });
            r
        }))
        .collect();

    let log = Log {
        schema: SCHEMA,
        version: "2.1.0",
        runs: [SarifRun {
            tool: Tool {
                driver: Driver {
                    name: "skuld",
                    version: env!("CARGO_PKG_VERSION"),
                    information_uri: base.map(str::to_owned),
                    rules,
                },
            },
            invocations: [Invocation {
                execution_successful: run.errors.is_empty(),
                tool_execution_notifications: notifications,
                tool_configuration_notifications: run
                    .overrides
                    .iter()
                    .map(|o| Notification {
                        level: "note",
                        message: Text { text: o.clone() },
                        descriptor: Descriptor {
                            id: "skuld::config::override".to_owned(),
                        },
                        locations: Vec::new(),
                    })
                    .collect(),
            }],
            column_kind: "unicodeCodePoints",
            results,
            properties: RunProperties {
                policy: &run.policy,
                policy_text: run.policy.sentence(),
            },
        }],
    };
    let mut out = serde_json::to_string_pretty(&log)
        .unwrap_or_else(|e| format!("{{\"error\":\"cannot serialise the SARIF log: {e}\"}}"));
    out.push('\n');
    out
}

fn result(run: &Run<'_>, f: &Finding, rule_index: Option<usize>) -> SarifResult {
    let artifact = || ArtifactLocation {
        uri: uri(&run.repo_path(f.file.name())),
    };
    SarifResult {
        rule_id: f.rule.clone(),
        rule_index,
        level: level(f.severity),
        message: Text {
            text: f.message.clone(),
        },
        locations: vec![Location {
            id: None,
            physical_location: PhysicalLocation {
                artifact_location: artifact(),
                region: Some(Region::of(&f.file, f.span).into()),
            },
            message: f.label.as_ref().map(|l| Text { text: l.clone() }),
        }],
        related_locations: f
            .related
            .iter()
            .enumerate()
            .map(|(i, (span, text))| Location {
                id: Some(i + 1),
                physical_location: PhysicalLocation {
                    artifact_location: artifact(),
                    region: Some(Region::of(&f.file, *span).into()),
                },
                message: Some(Text { text: text.clone() }),
            })
            .collect(),
        partial_fingerprints: Fingerprints {
            v1: crate::triage::identity::of(f),
        },
        suppressions: Vec::new(),
    }
}

/// A path as a URI reference: `/` separators kept, everything outside RFC 3986's unreserved
/// characters percent-encoded.
pub fn uri(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_are_percent_encoded_paths() {
        assert_eq!(uri("t/a b.yaml"), "t/a%20b.yaml");
        assert_eq!(uri("<stdin>"), "%3Cstdin%3E");
        assert_eq!(uri("é.yaml"), "%C3%A9.yaml");
    }
}
