//! Rule listings: `skuld rules` (table and JSON) and `skuld explain RULE`, from the registry.

use serde::Serialize;

use crate::registry::{Registry, RuleEntry, RuleOrigin};

/// `skuld rules`: one aligned row per rule: id, severity, where it is defined, summary.
pub fn table(rules: &Registry<'_>) -> String {
    let rows: Vec<(&str, String, String, &str)> = rules
        .iter()
        .map(|r| (r.id, r.severities.label(), r.defined_in(), r.summary))
        .collect();
    let width = rows.iter().map(|r| r.0.len()).max().unwrap_or(0);
    // At least `warning`: the column only widens when a rule has two severities.
    let sev_width = rows.iter().map(|r| r.1.len()).max().unwrap_or(0).max(7);
    let origin_width = rows.iter().map(|r| r.2.len()).max().unwrap_or(0);
    let mut out = String::new();
    for (id, sev, origin, text) in &rows {
        out.push_str(&format!(
            "{id:width$}  {sev:sev_width$}  {origin:origin_width$}  {text}\n"
        ));
    }
    out
}

/// One row of `skuld rules --format json`.
#[derive(Serialize)]
struct RuleRow<'a> {
    id: &'a str,
    /// The default severity.
    severity: &'a str,
    /// Every severity its findings can have, the default first (`["error", "warning"]` for a
    /// rule with `severity warning when …`).
    severities: Vec<&'a str>,
    /// `file:line`, or `built-in` for the tenant loader's checks.
    defined_in: String,
    summary: &'a str,
    docs: &'a str,
}

/// `skuld rules --format json`: the same rows as the table, with the whole documentation.
pub fn json(rules: &Registry<'_>) -> Result<String, serde_json::Error> {
    let rows: Vec<RuleRow<'_>> = rules
        .iter()
        .map(|r| RuleRow {
            id: r.id,
            severity: r.severity().as_str(),
            severities: r.severities.all().map(|s| s.as_str()).collect(),
            defined_in: r.defined_in(),
            summary: r.summary,
            docs: r.docs,
        })
        .collect();
    let mut json = serde_json::to_string_pretty(&rows)?;
    json.push('\n');
    Ok(json)
}

/// `skuld explain RULE`: id and severity, where it is defined, and its declaration (or the
/// built-in check's description).
pub fn explain(rule: &RuleEntry<'_>) -> String {
    let mut out = format!("{} ({})\n", rule.id, rule.severities.label());
    match rule.origin {
        RuleOrigin::Policy { file, decl, .. } => {
            out.push_str(&format!("defined in {}\n\n", rule.defined_in()));
            out.push_str(file.slice(decl));
            out.push('\n');
        }
        RuleOrigin::Builtin => {
            out.push_str(&format!("built into the tenant loader\n\n{}\n", rule.docs));
        }
    }
    out
}
