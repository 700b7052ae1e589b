//! `skuld diff BASE.yaml HEAD.yaml`: checks two versions of one tenant and reports the findings
//! HEAD introduces and, separately, those it fixes. Findings are matched by fingerprint (rule id
//! + subject), so moved lines do not count as changes.

use std::io::{self, IsTerminal, Write};
use std::path::PathBuf;

use clap::{Args, ValueEnum};

use super::{ColorArg, ExitStatus, FailOn, PolicyArgs};
use crate::diagnostics::Diagnostics;
use crate::eval::Severity;
use crate::report::{human, json};
use crate::tenant::Limits;

#[derive(Debug, Args)]
pub(super) struct DiffArgs {
    /// The tenant file before the change (e.g. from the target branch)
    base: PathBuf,
    /// The tenant file after the change
    head: PathBuf,
    #[command(flatten)]
    policy: PolicyArgs,
    /// Output format
    #[arg(long, value_enum, default_value_t = DiffFormat::Human)]
    format: DiffFormat,
    /// Which introduced findings make the run fail (exit 1)
    #[arg(long, value_enum, value_name = "LEVEL", default_value_t = FailOn::Error)]
    fail_on: FailOn,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum DiffFormat {
    /// Reports of the introduced findings, a line per fixed one, and the counts
    Human,
    /// `{"introduced":[…],"fixed":[…],"summary":{…}}`
    Json,
}

pub(super) fn run(
    args: &DiffArgs,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> io::Result<ExitStatus> {
    let err_style = super::style_for(ColorArg::Auto, io::stderr().is_terminal());
    let Some(policy) = super::policy_or_report(&args.policy, stderr)? else {
        return Ok(ExitStatus::Error);
    };
    let limits = Limits::default();
    let check = |path: &PathBuf| {
        super::read_source(path, limits.max_file_bytes)
            .map_err(|e| Diagnostics::new(vec![e]))
            .and_then(|source| policy.check_with(&source, &limits))
    };
    let (base, head) = match (check(&args.base), check(&args.head)) {
        (Ok(base), Ok(head)) => (base, head),
        (base, head) => {
            for errors in [base.err(), head.err()].into_iter().flatten() {
                super::print_errors(&errors, err_style, stderr)?;
            }
            writeln!(
                stderr,
                "a version could not be checked: nothing was compared"
            )?;
            return Ok(ExitStatus::Error);
        }
    };
    let diff = crate::baseline::diff(base, head);
    let text = match args.format {
        DiffFormat::Human => human::render_diff(
            &diff,
            super::style_for(ColorArg::Auto, io::stdout().is_terminal()),
        ),
        DiffFormat::Json => json::render_diff(&diff),
    };
    stdout.write_all(text.as_bytes())?;
    stdout.flush()?;
    let fails = diff.introduced.iter().any(|f| match args.fail_on {
        FailOn::Error => f.severity == Severity::Error,
        FailOn::Warning => true,
        FailOn::Never => false,
    });
    Ok(if fails {
        ExitStatus::Findings
    } else {
        ExitStatus::Clean
    })
}
