//! `skuld check-policy`: static analysis of policy files without a tenant.

use std::io::{self, IsTerminal, Write};
use std::path::PathBuf;

use clap::Args;

use super::{ColorArg, ExitStatus, FailOnArg, print_errors, print_reports, style_for};
use crate::compile::lint;
use crate::diagnostics::Severity;

pub(super) const AFTER_HELP: &str = "\
Examples:
  skuld check-policy                        # the policies `.skuld.yaml` names, or the default
  skuld check-policy my-skus.skuld          # your files on top of the default policy
  skuld check-policy policies/ --no-default-policy --fail-on error

Finds capabilities no SKU grants (a rule testing one can never pass), capabilities and sets
nothing uses, paid SKUs granting nothing, part numbers or product ids declared twice, and rules
whose conditions are constant (they never fire, or always fire). See docs/cli.md.

Exit status: 0 clean (per --fail-on), 1 findings at or above --fail-on (default: warning),
2 the policy could not be read or does not compile.";

#[derive(Debug, Args)]
pub(super) struct CheckPolicyArgs {
    /// Policy files or folders of *.skuld files, checked on top of the default policy;
    /// `builtin:NAME` names an embedded file
    #[arg(value_name = "PATH")]
    paths: Vec<String>,
    /// Leave the embedded default policy out
    #[arg(long)]
    no_default_policy: bool,
    /// Which findings make the run fail (exit 1)
    #[arg(long, value_enum, value_name = "LEVEL", default_value_t = FailOnArg::Warning)]
    fail_on: FailOnArg,
    /// Config file whose `policies:` are analysed when no PATH is given (default:
    /// `.skuld.yaml` here or in the nearest parent, up to the repository root)
    #[arg(long, value_name = "FILE", conflicts_with = "no_config")]
    config: Option<PathBuf>,
    /// Ignore any config file
    #[arg(long)]
    no_config: bool,
}

pub(super) fn run(
    args: &CheckPolicyArgs,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> io::Result<ExitStatus> {
    let style = style_for(ColorArg::Auto, io::stderr().is_terminal());
    let Some((_, sources)) = super::settings::policy_sources(
        &super::settings::PolicyFlags {
            config: args.config.as_deref(),
            no_config: args.no_config,
            policies: &args.paths,
            no_default_policy: args.no_default_policy,
            config_from: None,
        },
        "nothing was analysed",
        style,
        stderr,
    )?
    else {
        return Ok(ExitStatus::Error);
    };
    let lints = match lint::lint(&sources) {
        Ok(l) => l,
        Err(errors) => {
            print_errors(&errors, style, stderr)?;
            writeln!(stderr, "the policy has errors: nothing was analysed")?;
            return Ok(ExitStatus::Error);
        }
    };
    let reports: Vec<miette::Report> = lints.iter().cloned().map(miette::Report::new).collect();
    print_reports(reports.iter(), style, stderr)?;
    let errors = lints
        .iter()
        .filter(|l| l.kind.severity() == Severity::Error)
        .count();
    let warnings = lints.len() - errors;
    writeln!(
        stdout,
        "{} policy files: {errors} errors, {warnings} warnings",
        sources.len()
    )?;
    let fail_on = crate::triage::FailOn::from(args.fail_on);
    let fails = lints.iter().any(|l| fail_on.fails(l.kind.severity()));
    Ok(if fails {
        ExitStatus::Findings
    } else {
        ExitStatus::Clean
    })
}
