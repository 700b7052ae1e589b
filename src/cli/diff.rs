//! `skuld diff BASE.yaml HEAD.yaml`: checks two versions of one tenant and reports the findings
//! HEAD introduces and, separately, those it fixes. Findings are matched by fingerprint (the
//! rule id and the subject), so moved lines do not count as changes. The config file, rule
//! selection and waivers apply to both versions as in `check`, so a waived finding is neither
//! introduced nor fixed.

use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};

use super::{ColorArg, ExitStatus, FailOnArg, PolicyArgs, Settings, SettingsArgs};
use crate::diagnostics::Diagnostics;
use crate::report::{github, human, json, markdown};
use crate::tenant::Limits;
use crate::triage::cost;
use crate::triage::cost::SeatUse;
use crate::triage::diff::{CostChange, seat_changes};

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
    /// Which introduced findings make the run fail (exit 1) [default: error]
    #[arg(long, value_enum, value_name = "LEVEL")]
    fail_on: Option<FailOnArg>,
    /// Waivers file, as for `check`
    #[arg(long, value_name = "FILE")]
    waivers: Option<PathBuf>,
    /// Days without a sign-in after which a user is inactive, as for `check`
    #[arg(long, value_name = "DAYS", value_parser = clap::value_parser!(u32).range(1..=36_500))]
    inactive_days: Option<u32>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum DiffFormat {
    /// Reports of the introduced findings, a line per fixed one, and the counts
    Human,
    /// `{"introduced":[…],"fixed":[…],"seats":[…],"cost":{…},"summary":{…}}`
    Json,
    /// A pull-request comment: findings introduced and fixed by rule, seat changes, cost delta
    /// (at most 65,536 characters)
    Markdown,
    /// GitHub Actions annotations of the introduced findings, on the new version's lines
    Github,
}

pub(super) fn run(
    args: &DiffArgs,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> io::Result<ExitStatus> {
    let err_style = super::style_for(ColorArg::Auto, io::stderr().is_terminal());
    let Some(Settings {
        policy,
        selection,
        mut waivers,
        today,
        fail_on,
        prices,
        ..
    }) = super::settings(
        &SettingsArgs {
            config: args.policy.config.as_deref(),
            no_config: args.policy.no_config,
            config_from: None,
            policies: &args.policy.policies,
            no_default_policy: args.policy.no_default_policy,
            rules: (&[], &[], &[]),
            waivers: args.waivers.as_deref(),
            fail_on: args.fail_on,
            inactive_days: args.inactive_days,
        },
        err_style,
        stderr,
    )?
    else {
        return Ok(ExitStatus::Error);
    };
    let limits = Limits::default();
    let check = |path: &Path| {
        super::read_source(path, limits.max_file_bytes)
            .map_err(|e| Diagnostics::new(vec![e]))
            .and_then(|source| {
                // Every finding kept (a diff shows what changes, not a capped sample), and the
                // users per SKU for the seat figures.
                policy
                    .check_capped(&source, &limits, usize::MAX, true)
                    .map(|checked| (source, checked))
            })
    };
    // The two versions are read and evaluated side by side (a diff costs about one check of
    // wall time on two cores, not two).
    let paths = [args.base.as_path(), args.head.as_path()];
    let mut both = crate::parallel::map(&paths, 2, |p| check(p)).into_iter();
    let mut next = || {
        both.next().flatten().unwrap_or_else(|| {
            Err(Diagnostics::new(vec![miette::miette!(
                "internal error: the check of a version did not finish"
            )]))
        })
    };
    let (base_checked, head_checked) = (next(), next());
    let ((base_src, base), (head_src, head)) = match (base_checked, head_checked) {
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
    let mut problems = waivers.add_inline(&base_src, &policy);
    problems.extend(waivers.add_inline(&head_src, &policy));
    if !problems.is_empty() {
        super::print_problems(problems, err_style, stderr)?;
        return Ok(ExitStatus::Error);
    }
    waivers.retain_rules(|rule| selection.reports(rule));
    // Expired and unused waivers are `check`'s to report: a diff sees one tenant of many.
    let (base_seats, base_holders) = (base.seats, base.holders);
    let (head_seats, head_holders) = (head.seats, head.holders);
    let base = waivers.apply(selection.apply(base.findings).collect(), today);
    let mut head = waivers.apply(selection.apply(head.findings).collect(), today);
    let base_use = SeatUse {
        seats: base_seats.as_deref(),
        holders: &base_holders,
    };
    let head_use = SeatUse {
        seats: head_seats.as_deref(),
        holders: &head_holders,
    };
    let cost = prices.as_ref().map(|prices| {
        let before = cost::cost(prices, base_use, &base.findings, true);
        let after = cost::cost(prices, head_use, &head.findings, true);
        cost::add_savings(&mut head.findings, prices);
        CostChange::of(&before, &after)
    });
    let mut diff = crate::triage::diff::diff(base.findings, head.findings);
    diff.waived = head.waived.len();
    diff.seats = seat_changes(base_use, head_use);
    diff.cost = cost;
    use crate::report::neutral::{self, Output, Syntax};
    let (text, output) = match args.format {
        DiffFormat::Human => {
            let style = super::style_for(ColorArg::Auto, io::stdout().is_terminal());
            (
                human::render_diff(&diff, style),
                Output::Whole(crate::report::human_syntax(style)),
            )
        }
        DiffFormat::Json => (json::render_diff(&diff), Output::Whole(Syntax::Json)),
        DiffFormat::Markdown => (
            markdown::render_diff(&diff, &args.head),
            Output::Whole(Syntax::Text),
        ),
        DiffFormat::Github => (
            github::render_diff(&diff, std::env::current_dir().ok().as_deref()),
            Output::Commands("::"),
        ),
    };
    // Tenant values reach every format: no line of it may steer a CI runner (issue 23).
    neutral::write(stdout, &text, output)?;
    stdout.flush()?;
    Ok(fail_on.outcome(false, &diff.introduced))
}
