//! `skuld schema`: prints the JSON Schema of tenant files.

use std::io::{self, Write};

use super::{ExitStatus, PolicyArgs};

pub(super) const AFTER_HELP: &str = "\
Examples:
  skuld schema > tenant.schema.json
  skuld schema --policy my-skus.skuld > tenant.schema.json   # offer my SKUs as completions too

Then start a tenant file with
  # yaml-language-server: $schema=./tenant.schema.json
See docs/editors.md.";

pub(super) fn run(
    args: &PolicyArgs,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> io::Result<ExitStatus> {
    let Some(policy) = super::policy_or_report(args, "no schema was written", stderr)? else {
        return Ok(ExitStatus::Error);
    };
    stdout.write_all(crate::schema::tenant_schema(policy.catalog()).as_bytes())?;
    stdout.flush()?;
    Ok(ExitStatus::Clean)
}
