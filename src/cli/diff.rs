//! `skuld diff BASE.yaml HEAD.yaml`: checks two versions of one tenant and reports the findings
//! HEAD introduces and, separately, those it fixes. Findings are matched by fingerprint (the
//! rule id and the subject), so moved lines do not count as changes. The config file, rule
//! selection, waivers and a baseline apply to both versions as in `check`, both as findings of
//! HEAD's file (the old version is usually a copy written elsewhere by `git show`), so a waived
//! or known finding is neither introduced nor fixed.

use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};

use super::{
    ColorArg, ExitStatus, FailOnArg, Guard, PolicyArgs, RuleArgs, Settings, SettingsArgs,
    report_write_error, write_safely,
};
use crate::diagnostics::Diagnostics;
use crate::diagnostics::finding::Light;
use crate::report::compare::{self, DiffFormat as Shape};
use crate::report::{self, Format};
use crate::tenant::Limits;
use crate::triage::cost;
use crate::triage::cost::SeatUse;
use crate::triage::diff::{CostChange, Version, seat_changes};

#[derive(Debug, Args)]
pub(super) struct DiffArgs {
    /// The tenant file before the change (e.g. from the target branch)
    base: PathBuf,
    /// The tenant file after the change
    head: PathBuf,
    #[command(flatten)]
    policy: PolicyArgs,
    #[command(flatten)]
    rules: RuleArgs,
    /// Output format
    #[arg(long, value_enum, default_value_t = DiffFormat::Human)]
    format: DiffFormat,
    /// Write the report to FILE instead of standard output (replaced whole, never left
    /// half-written)
    #[arg(long, short = 'o', value_name = "FILE")]
    output: Option<PathBuf>,
    /// When to use colours (NO_COLOR is honoured)
    #[arg(long, value_enum, default_value_t = ColorArg::Auto)]
    color: ColorArg,
    /// Which introduced findings make the run fail (exit 1) [default: error]
    #[arg(long, value_enum, value_name = "LEVEL")]
    fail_on: Option<FailOnArg>,
    /// Waivers file, as for `check`; it applies to both versions as to HEAD's file
    #[arg(long, value_name = "FILE")]
    waivers: Option<PathBuf>,
    /// Leave out of both versions the findings of this earlier `check --format json` report
    /// (matched as findings of HEAD's file)
    #[arg(long, value_name = "FINDINGS.json")]
    baseline: Option<PathBuf>,
    /// Days without a sign-in after which a user is inactive, as for `check`
    #[arg(long, value_name = "DAYS", value_parser = clap::value_parser!(u32).range(1..=36_500))]
    inactive_days: Option<u32>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum DiffFormat {
    /// Reports of the introduced findings, a line per fixed one, and the counts
    Human,
    /// One `path:line:col: severity[rule]: message` line per introduced finding
    Compact,
    /// `{"introduced":[…],"fixed":[…],"seats":[…],"cost":{…},"summary":{…}}`
    Json,
    /// SARIF 2.1.0 of the introduced findings, for code scanning
    Sarif,
    /// GitHub Actions annotations of the introduced findings, on the new version's lines
    Github,
    /// Azure Pipelines logging commands for the introduced findings
    Azure,
    /// JUnit XML of the introduced findings
    Junit,
    /// One self-contained HTML page of the introduced findings (write it with `-o diff.html`)
    Html,
    /// A pull-request comment: findings introduced and fixed by rule, seat changes, cost delta
    /// (at most 65,536 characters)
    Markdown,
}

impl DiffFormat {
    fn shape(self) -> Shape {
        match self {
            DiffFormat::Human => Shape::Human,
            DiffFormat::Json => Shape::Json,
            DiffFormat::Markdown => Shape::Markdown,
            DiffFormat::Compact => Shape::Introduced(Format::Compact),
            DiffFormat::Sarif => Shape::Introduced(Format::Sarif),
            DiffFormat::Github => Shape::Introduced(Format::Github),
            DiffFormat::Azure => Shape::Introduced(Format::Azure),
            DiffFormat::Junit => Shape::Introduced(Format::Junit),
            DiffFormat::Html => Shape::Introduced(Format::Html),
        }
    }
}

pub(super) fn run(
    args: &DiffArgs,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> io::Result<ExitStatus> {
    let err_style = super::style_for(args.color, io::stderr().is_terminal());
    let conflicts = args.rules.contradictions();
    if !conflicts.is_empty() {
        super::print_reports(&conflicts, err_style, stderr)?;
        return Ok(ExitStatus::Error);
    }
    let Some(Settings {
        policy,
        selection,
        mut waivers,
        today,
        fail_on,
        prices,
        config_path,
        read,
        overrides,
        ..
    }) = super::settings(
        &SettingsArgs {
            config: args.policy.config.as_deref(),
            no_config: args.policy.no_config,
            config_from: None,
            policies: &args.policy.policies,
            no_default_policy: args.policy.no_default_policy,
            rules: args.rules.lists(),
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
    let root = std::env::current_dir().ok();
    let baseline = match &args.baseline {
        None => None,
        Some(path) => {
            let parsed = super::read_source(path, super::settings::MAX_OWN_FILE).and_then(|src| {
                crate::triage::baseline::Baseline::parse(&src, root.as_deref())
                    .map_err(miette::Report::new)
            });
            match parsed {
                Ok(b) => Some(b),
                Err(e) => {
                    super::print_reports([&e], err_style, stderr)?;
                    return Ok(ExitStatus::Error);
                }
            }
        }
    };
    let limits = Limits::default();
    // The two versions are read, then evaluated, side by side (a diff costs about one check
    // of wall time on two cores, not two).
    let load = |path: &Path| {
        super::read_source(path, limits.max_file_bytes)
            .map_err(|e| Diagnostics::new(vec![e]))
            .and_then(|source| {
                let doc = policy.load_tenant(&source, &limits)?;
                Ok((source, doc))
            })
    };
    let paths = [args.base.as_path(), args.head.as_path()];
    let mut both = crate::parallel::map(&paths, 2, |p| load(p)).into_iter();
    let mut next = || {
        both.next().flatten().unwrap_or_else(|| {
            Err(Diagnostics::new(vec![miette::miette!(
                "internal error: the check of a version did not finish"
            )]))
        })
    };
    let (base_checked, head_checked) = (next(), next());
    let ((base_src, base_doc), (head_src, head_doc)) = match (base_checked, head_checked) {
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

    // Every finding is kept, those past the per-rule cap light (without texts): matching needs
    // them all, a report only the ones that change. Their places and licences are needed only
    // by inline waivers (which match a line) and the cost figures.
    let detail = if prices.is_some() || waivers.any_inline() {
        Light::Places
    } else {
        Light::Identity
    };
    let docs = [&base_doc, &head_doc];
    let mut evaluated = crate::parallel::map(&docs, 2, |doc| {
        policy.check_loaded_light(doc, LIGHT_PAST, detail)
    })
    .into_iter()
    .flatten();
    let (Some(base), Some(head)) = (evaluated.next(), evaluated.next()) else {
        writeln!(
            stderr,
            "internal error: the check of a version did not finish"
        )?;
        return Ok(ExitStatus::Error);
    };
    let triage = Triage {
        selection: &selection,
        waivers: &waivers,
        today,
        baseline: baseline.as_ref(),
        root: root.as_deref(),
        head: &args.head,
        head_name: head_src.name(),
        prices: prices.as_ref(),
    };
    let mut compared = triage.compare(base, head);
    // A finding that changes but was kept light (past the cap of a rule with many findings):
    // that version is evaluated again with every finding whole (the documents are kept, so
    // this costs an evaluation, not a read), and the other light again.
    let light = |fs: &[crate::diagnostics::Finding]| fs.iter().any(|f| f.is_light());
    let (base_whole, head_whole) = (
        light(&compared.diff.fixed),
        light(&compared.diff.introduced),
    );
    if base_whole || head_whole {
        let again = |doc, whole| {
            if whole {
                policy.check_loaded_capped(doc, usize::MAX, true)
            } else {
                policy.check_loaded_light(doc, LIGHT_PAST, detail)
            }
        };
        compared = triage.compare(again(&base_doc, base_whole), again(&head_doc, head_whole));
    }
    let Compared {
        mut diff,
        head_seats,
        head_cost,
    } = compared;
    let known = diff.known;
    diff.overrides = overrides.clone();

    let to_file = args.output.is_some();
    let out_style = super::style_for(args.color, !to_file && io::stdout().is_terminal());
    let rules = policy.registry();
    // The diff as a check of HEAD whose findings are the introduced ones: what the `check`
    // formats render. Waived findings are counted, not listed: HEAD's waived findings are mostly
    // the old version's too.
    let run = report::Run {
        rules: &rules,
        findings: diff.introduced.clone(),
        files: vec![report::CheckedFile {
            name: head_src.name().to_owned(),
            loaded: true,
            seats: head_seats,
            cost: head_cost,
        }],
        errors: Vec::new(),
        waived: Vec::new(),
        known,
        notes: Vec::new(),
        root,
        docs_url: crate::diagnostics::finding::docs_base_url(),
        config: config_path.map(|p| p.display().to_string()),
        omitted: Vec::new(),
        overrides,
        policy: crate::policies::PolicyEdition::of(policy.files()),
        view: report::View::default(),
    };
    let text = compare::render_diff(args.format.shape(), &diff, &run, &args.head, out_style);
    match &args.output {
        Some(path) => {
            let inputs: Vec<PathBuf> = [&args.base, &args.head]
                .into_iter()
                .chain(&read)
                .chain(&args.baseline)
                .cloned()
                .collect();
            let guard = Guard {
                inputs: &inputs,
                was: None,
            };
            if let Err(e) = write_safely(path, text.as_bytes(), guard) {
                report_write_error(path, &e, stderr)?;
                return Ok(ExitStatus::Error);
            }
        }
        None => {
            stdout.write_all(text.as_bytes())?;
            stdout.flush()?;
        }
    }
    Ok(fail_on.outcome(false, &diff.introduced))
}

/// Findings of a rule past this many per version are kept light (no texts) while matching.
const LIGHT_PAST: usize = crate::diagnostics::finding::DEFAULT_PER_RULE;

/// What applies to both versions' findings before they are matched.
struct Triage<'a> {
    selection: &'a crate::triage::selection::Selection,
    waivers: &'a crate::triage::waivers::Waivers,
    today: crate::date::Date,
    baseline: Option<&'a crate::triage::baseline::Baseline>,
    root: Option<&'a Path>,
    /// HEAD's path, as given: both versions are waived as findings of it.
    head: &'a Path,
    /// HEAD's name, as findings name their file: the baseline matches both versions on it.
    head_name: &'a str,
    prices: Option<&'a crate::config::PriceList>,
}

/// The diff, and HEAD's seats and cost for the formats that report HEAD as a check.
struct Compared {
    diff: crate::triage::diff::Diff,
    head_seats: Option<Vec<crate::tenant::seats::SkuSeats>>,
    head_cost: Option<cost::Cost>,
}

impl Triage<'_> {
    /// Rule selection, waivers and the baseline on both versions, then the match.
    fn compare(&self, base: crate::CheckedTenant, head: crate::CheckedTenant) -> Compared {
        // Both versions are waived, and filtered by the baseline, as findings of HEAD's file:
        // a waiver or baseline entry for `tenants/contoso.yaml` covers the old version written
        // to `/tmp/base.yaml` too, so what it accepts is neither introduced nor fixed.
        let version = |findings: Vec<crate::diagnostics::Finding>| {
            let applied = self.waivers.apply_as(
                self.selection.apply(findings).collect(),
                self.today,
                self.head,
            );
            let waived = applied.waived.len();
            let mut version = Version {
                accepted: applied.waived.into_iter().map(|w| w.finding).collect(),
                counted: applied.findings,
            };
            let mut known = None;
            if let Some(b) = self.baseline {
                let counted = std::mem::take(&mut version.counted);
                let (new, old) = b.filter_as(counted, self.root, self.head_name);
                known = Some(old.len());
                version.counted = new;
                version.accepted.extend(old);
            }
            (version, waived, known)
        };
        let (base_version, _, _) = version(base.findings);
        let (mut head_version, waived, known) = version(head.findings);
        let base_use = SeatUse {
            seats: base.seats.as_deref(),
            holders: &base.holders,
        };
        let head_use = SeatUse {
            seats: head.seats.as_deref(),
            holders: &head.holders,
        };
        let costs = self.prices.map(|prices| {
            let before = cost::cost(prices, base_use, &base_version.counted, true);
            let after = cost::cost(prices, head_use, &head_version.counted, true);
            cost::add_savings(&mut head_version.counted, prices);
            (before, after)
        });
        let mut diff = crate::triage::diff::diff(base_version, head_version);
        diff.waived = waived;
        diff.known = known;
        diff.seats = seat_changes(base_use, head_use);
        diff.cost = costs
            .as_ref()
            .map(|(before, after)| CostChange::of(before, after));
        Compared {
            diff,
            head_seats: head.seats,
            head_cost: costs.map(|(_, after)| after),
        }
    }
}
