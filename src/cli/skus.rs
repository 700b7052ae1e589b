//! Listings of the policy for people and scripts: `skuld skus` (the SKU catalog, as a table or
//! as JSON) and `skuld rules --format json`.

use std::io::{self, Write};

use clap::{Args, ValueEnum};

use super::{ExitStatus, PolicyArgs, policy_or_report};

pub(super) const AFTER_HELP: &str = "\
Examples:
  skuld skus
  skuld skus SPB                          # search part numbers, names, GUIDs and service plans
  skuld skus business premium
  skuld skus AAD_PREMIUM_P2 --format json # the full data: GUIDs, service plans, capabilities
  skuld skus --policy my-skus.skuld       # the default catalog plus your own SKUs";

#[derive(Debug, Args)]
pub(super) struct SkusArgs {
    /// Show only the SKUs whose part number, name, GUID or a service plan contains this text
    /// (case-insensitive; several words are searched as one text)
    #[arg(value_name = "QUERY")]
    query: Vec<String>,
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

pub(super) fn run(
    args: &SkusArgs,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> io::Result<ExitStatus> {
    let Some(policy) = policy_or_report(&args.policy, "no SKU was listed", stderr)? else {
        return Ok(ExitStatus::Error);
    };
    let joined = args.query.join(" ");
    let query = (!joined.trim().is_empty()).then_some(joined.as_str());
    let text = match args.format {
        ListFormat::Json => crate::report::skus::json(&policy, query).map_err(io::Error::other)?,
        ListFormat::Human => match crate::report::skus::table(&policy, query) {
            Some(table) => table,
            None => {
                // Exit 1, as `grep` does: the search ran and found nothing.
                writeln!(
                    stderr,
                    "no SKU matches `{}`: the search looks in part numbers, names, GUIDs and \
                     service plans (`skuld skus` lists them all)",
                    query.unwrap_or_default()
                )?;
                return Ok(ExitStatus::Findings);
            }
        },
    };
    stdout.write_all(text.as_bytes())?;
    Ok(ExitStatus::Clean)
}

#[derive(Debug, Args)]
pub(super) struct RulesArgs {
    #[command(flatten)]
    pub(super) policy: PolicyArgs,
    /// Output format
    #[arg(long, value_enum, default_value_t = ListFormat::Human)]
    pub(super) format: ListFormat,
}

/// `skuld rules --format json`: the same rows as the table, with the whole documentation.
pub(super) fn rules_json(
    args: &RulesArgs,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> io::Result<ExitStatus> {
    let Some(policy) = policy_or_report(&args.policy, "no rule was listed", stderr)? else {
        return Ok(ExitStatus::Error);
    };
    let json = crate::report::rules::json(&policy.registry()).map_err(io::Error::other)?;
    stdout.write_all(json.as_bytes())?;
    Ok(ExitStatus::Clean)
}
