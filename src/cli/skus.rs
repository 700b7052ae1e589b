//! Listings of the policy for people and scripts: `skuld skus` (the SKU catalog, as a table or
//! as JSON) and `skuld rules --format json`.

use std::io::{self, Write};

use clap::{Args, ValueEnum};

use super::{ExitStatus, PolicyArgs, policy_or_report};

pub(super) const AFTER_HELP: &str = "\
Examples:
  skuld skus
  skuld skus --format json
  skuld skus --policy my-skus.skuld       # the default catalog plus your own SKUs";

#[derive(Debug, Args)]
pub(super) struct SkusArgs {
    #[command(flatten)]
    policy: PolicyArgs,
    /// Output format
    #[arg(long, value_enum, default_value_t = ListFormat::Human)]
    format: ListFormat,
}

/// How a listing is printed.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub(super) enum ListFormat {
    /// An aligned table
    Human,
    /// A JSON array
    Json,
}

/// One SKU as `skuld skus --format json` prints it.
#[derive(serde::Serialize)]
struct SkuRow<'a> {
    part: &'a str,
    display: &'a str,
    paid: bool,
    free: bool,
    family: Option<&'a str>,
    id: Option<&'a str>,
    grants: Vec<&'a str>,
    unavailable_in: &'a [String],
    defined_in: String,
}

pub(super) fn run(
    args: &SkusArgs,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> io::Result<ExitStatus> {
    let Some(policy) = policy_or_report(&args.policy, stderr)? else {
        return Ok(ExitStatus::Error);
    };
    let rows: Vec<SkuRow<'_>> = policy
        .catalog()
        .skus()
        .iter()
        .map(|s| SkuRow {
            part: &s.part,
            display: &s.display,
            paid: s.paid,
            free: s.free,
            family: s.family.as_deref(),
            id: s.guid.as_deref(),
            grants: s
                .grants
                .iter()
                .filter_map(|&c| policy.capabilities.get(c as usize))
                .map(|c| c.name.as_str())
                .collect(),
            unavailable_in: &s.unavailable_in,
            defined_in: policy
                .files()
                .get(s.origin.file)
                .map_or(String::new(), |f| {
                    format!(
                        "{}:{}",
                        f.name(),
                        f.line_col(s.origin.span.start as usize).0
                    )
                }),
        })
        .collect();
    let text = match args.format {
        ListFormat::Json => {
            let mut json = serde_json::to_string_pretty(&rows).map_err(io::Error::other)?;
            json.push('\n');
            json
        }
        ListFormat::Human => table(&rows),
    };
    stdout.write_all(text.as_bytes())?;
    Ok(ExitStatus::Clean)
}

fn table(rows: &[SkuRow<'_>]) -> String {
    let cells: Vec<[String; 5]> = std::iter::once([
        "PART NUMBER".to_owned(),
        "NAME".to_owned(),
        "PAID".to_owned(),
        "FAMILY".to_owned(),
        "GRANTS".to_owned(),
    ])
    .chain(rows.iter().map(|r| {
        [
            r.part.to_owned(),
            r.display.to_owned(),
            // Without evidence either way the SKU is said to be unknown, never free.
            match (r.paid, r.free) {
                (true, _) => "paid",
                (false, true) => "free",
                (false, false) => "unknown",
            }
            .to_owned(),
            r.family.unwrap_or("-").to_owned(),
            if r.grants.is_empty() {
                "-".to_owned()
            } else {
                r.grants.join(", ")
            },
        ]
    }))
    .collect();
    let width = |i: usize| {
        cells
            .iter()
            .map(|c| c.get(i).map_or(0, |s| s.chars().count()))
            .max()
            .unwrap_or(0)
    };
    let widths = [width(0), width(1), width(2), width(3)];
    let mut out = String::new();
    for [part, name, paid, family, grants] in &cells {
        let [w0, w1, w2, w3] = widths;
        out.push_str(&format!(
            "{part:w0$}  {name:w1$}  {paid:w2$}  {family:w3$}  {grants}\n"
        ));
    }
    out
}

#[derive(Debug, Args)]
pub(super) struct RulesArgs {
    #[command(flatten)]
    pub(super) policy: PolicyArgs,
    /// Output format
    #[arg(long, value_enum, default_value_t = ListFormat::Human)]
    pub(super) format: ListFormat,
}

/// One rule as `skuld rules --format json` prints it.
#[derive(serde::Serialize)]
struct RuleRow<'a> {
    id: &'a str,
    severity: &'a str,
    /// `file:line`, or `built-in` for the tenant loader's checks.
    defined_in: String,
    summary: &'a str,
    docs: &'a str,
}

/// `skuld rules --format json`: the same rows as the table, with the whole documentation.
pub(super) fn rules_json(
    args: &RulesArgs,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> io::Result<ExitStatus> {
    let Some(policy) = policy_or_report(&args.policy, stderr)? else {
        return Ok(ExitStatus::Error);
    };
    let mut rows: Vec<RuleRow<'_>> = policy
        .rules()
        .iter()
        .map(|r| RuleRow {
            id: &r.id,
            severity: r.severity.as_str(),
            defined_in: policy
                .files()
                .get(r.origin.file)
                .map_or(String::new(), |f| {
                    format!(
                        "{}:{}",
                        f.name(),
                        f.line_col(r.origin.span.start as usize).0
                    )
                }),
            summary: crate::report::summary(&r.docs),
            docs: &r.docs,
        })
        .collect();
    rows.extend(
        crate::tenant::model::BUILTIN_CHECKS
            .iter()
            .map(|(id, sev, text)| RuleRow {
                id,
                severity: sev.as_str(),
                defined_in: "built-in".to_owned(),
                summary: text,
                docs: text,
            }),
    );
    let mut json = serde_json::to_string_pretty(&rows).map_err(io::Error::other)?;
    json.push('\n');
    stdout.write_all(json.as_bytes())?;
    Ok(ExitStatus::Clean)
}
