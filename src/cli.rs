//! The command line: clap definitions, file discovery, and the mapping to exit codes. Output is
//! written to the writers passed in, so tests can drive the whole CLI in-process too.

use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};

use clap::{Args, Parser, Subcommand, ValueEnum};
use miette::Diagnostic;
use thiserror::Error;

use crate::diagnostics::Diagnostics;
use crate::eval::{Finding, Severity};
use crate::report::{self, human};
use crate::source::SourceFile;
use crate::tenant::Limits;
use crate::{Policy, policies};

mod check_policy;
mod compare;
mod completions;
mod diff;
mod explain_user;
mod fmt;
mod import;
mod schema;
mod skus;
mod test;

const AFTER_HELP: &str = "\
Examples:
  skuld check tenant.yaml
  skuld check tenants/ --format json
  skuld check tenants/ --format sarif --output skuld.sarif
  skuld check tenants/ --format github      # annotations in GitHub Actions
  skuld check tenant.yaml --policy my-skus.skuld
  skuld check 'tenants/**/*.yaml' --baseline main-findings.json
  skuld check tenants/ --waivers skuld-waivers.yaml   # see docs/waivers.md

Formats: human (default), compact (path:line:col: severity[rule]: message), json (the
documented contract), sarif (SARIF 2.1.0, for code scanning), github (workflow commands; also a
summary table appended to $GITHUB_STEP_SUMMARY when set), azure (##vso logging commands), junit
(JUnit XML: a testsuite per file, a testcase per rule). SKULD_DOCS_URL, when set, is the base
URL of skuld's files for SARIF help links and findings' rule links. See docs/formats.md.

Settings come from .skuld.yaml in this folder or a parent (up to the repository root) unless
--config or --no-config; flags override it. SKULD_TODAY=YYYY-MM-DD fixes the date waivers expire
against.

Exit status: 0 no error findings, 1 at least one error finding, 2 could not evaluate.";

/// `skuld 0.1.0 (default policy: sspr-2017, matrix of 2017-04-26)`: the version names the
/// embedded policy. A constant, not counted from the compiled policy: clap builds the version
/// string on every run, and compiling the default policy twice would slow every command.
const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (default policy: ",
    "sspr-2017, matrix of 2017-04-26",
    ")"
);

/// License policy as code for Microsoft 365 / Entra ID tenants.
#[derive(Debug, Parser)]
#[command(name = "skuld", version = VERSION, about, after_help = AFTER_HELP)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Check tenant files against the licensing policy
    #[command(after_help = AFTER_HELP)]
    Check(CheckArgs),
    /// List the rules of the policy: id, severity, summary
    #[command(
        after_help = "Examples:\n  skuld rules\n  skuld rules --format json\n  skuld rules --policy my-rules.skuld"
    )]
    Rules(skus::RulesArgs),
    /// List the SKU catalog: part number, name, paid or free, family, capabilities granted
    #[command(after_help = skus::AFTER_HELP)]
    Skus(skus::SkusArgs),
    /// Compare two versions of one tenant: findings introduced and fixed
    #[command(after_help = "Example:\n  skuld diff base/tenant.yaml tenant.yaml --format json")]
    Diff(diff::DiffArgs),
    /// Show a rule's documentation and definition, or (with --user) how a tenant's user is seen
    #[command(after_help = explain_user::AFTER_HELP)]
    Explain {
        /// The rule id, e.g. `sspr/cloud-user-license`; with `--user`, the tenant file
        #[arg(value_name = "RULE-ID|TENANT")]
        rule: String,
        #[command(flatten)]
        user: explain_user::UserArgs,
        #[command(flatten)]
        policy: PolicyArgs,
    },
    /// Rewrite policy files in the canonical layout
    #[command(after_help = fmt::AFTER_HELP)]
    Fmt(fmt::FmtArgs),
    /// Analyse policy files without a tenant: unused or ungranted names, constant rules
    #[command(after_help = check_policy::AFTER_HELP)]
    CheckPolicy(check_policy::CheckPolicyArgs),
    /// Print a shell completion script
    #[command(after_help = completions::COMPLETIONS_HELP)]
    Completions(completions::CompletionsArgs),
    /// Print the man page (or write one page per command with --dir)
    #[command(after_help = completions::MAN_HELP)]
    Man(completions::ManArgs),
    /// Run policy tests: tenant files with `# expect: RULE-ID` comments
    #[command(after_help = test::AFTER_HELP)]
    Test(test::TestArgs),
    /// Print the JSON Schema of tenant files (for editors)
    #[command(after_help = schema::AFTER_HELP)]
    Schema(PolicyArgs),
    /// Write tenant YAML from exported data (`skuld import graph DIR`)
    #[command(
        subcommand,
        after_help = "Example:\n  skuld import graph graph-export/ -o tenant.yaml"
    )]
    Import(import::ImportCommand),
    /// Dump a stage of the pipeline (for bug reports)
    #[command(hide = true, subcommand)]
    Debug(DebugCommand),
}

#[derive(Debug, Args)]
struct CheckArgs {
    /// Tenant YAML files, folders searched for *.yaml and *.yml, quoted globs such as
    /// 'tenants/**/*.yaml', or `-` for standard input
    #[arg(required = true, value_name = "TENANT")]
    tenants: Vec<PathBuf>,
    /// Policy file or folder of *.skuld files added on top of the default policy (repeatable);
    /// `builtin:NAME` names an embedded file
    #[arg(long = "policy", value_name = "PATH")]
    policies: Vec<String>,
    /// Leave the embedded default policy out
    #[arg(long)]
    no_default_policy: bool,
    /// Output format
    #[arg(long, value_enum, default_value_t = FormatArg::Human)]
    format: FormatArg,
    /// Write the report to FILE instead of standard output (replaced whole, never left
    /// half-written); diagnostics still go to standard error
    #[arg(long, short = 'o', value_name = "FILE")]
    output: Option<PathBuf>,
    /// When to use colours (NO_COLOR is honoured)
    #[arg(long, value_enum, default_value_t = ColorArg::Auto)]
    color: ColorArg,
    /// Largest tenant file to read, in bytes
    #[arg(long, value_name = "BYTES", default_value_t = Limits::default().max_file_bytes)]
    max_file_size: usize,
    /// Threads checking tenant files at once (default: the number of cores)
    #[arg(long, short = 'j', value_name = "N")]
    jobs: Option<usize>,
    /// Which findings make the run fail (exit 1) [default: error]
    #[arg(long, value_enum, value_name = "LEVEL")]
    fail_on: Option<FailOn>,
    /// Report only these rules (repeatable; rule ids as `skuld rules` lists them)
    #[arg(long = "only-rule", value_name = "RULE")]
    only_rules: Vec<String>,
    /// Leave these rules out (repeatable)
    #[arg(long = "skip-rule", value_name = "RULE")]
    skip_rules: Vec<String>,
    /// Change a rule's severity: `RULE=error` or `RULE=warning` (repeatable)
    #[arg(long = "severity", value_name = "RULE=LEVEL")]
    severities: Vec<String>,
    /// Waivers file (default: `skuld-waivers.yaml` beside the config file, or in the current
    /// folder, when it exists); see docs/waivers.md
    #[arg(long, value_name = "FILE")]
    waivers: Option<PathBuf>,
    /// Report only findings absent from this earlier `--format json` report
    #[arg(long, value_name = "FINDINGS.json")]
    baseline: Option<PathBuf>,
    /// Config file (default: `.skuld.yaml` here or in the nearest parent, up to the repository
    /// root)
    #[arg(long, value_name = "FILE", conflicts_with = "no_config")]
    config: Option<PathBuf>,
    /// Ignore any config file
    #[arg(long)]
    no_config: bool,
    /// Show the findings that appear or disappear when policy A is replaced by policy B (each
    /// read as one more `--policy`, e.g. `builtin:sspr-2017 builtin:sspr-current`)
    #[arg(long, num_args = 2, value_names = ["POLICY_A", "POLICY_B"])]
    compare: Option<Vec<String>>,
}

#[derive(Debug, Args)]
struct PolicyArgs {
    /// Policy file or folder added on top of the default policy (repeatable)
    #[arg(long = "policy", value_name = "PATH")]
    policies: Vec<String>,
    /// Leave the embedded default policy out
    #[arg(long)]
    no_default_policy: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum FormatArg {
    /// Annotated source snippets and a summary line
    Human,
    /// One `path:line:col: severity[rule]: message` line per finding
    Compact,
    /// One JSON document (the documented contract)
    Json,
    /// SARIF 2.1.0, for code scanning
    Sarif,
    /// GitHub Actions workflow commands (annotations), and a job summary table
    Github,
    /// Azure Pipelines logging commands
    Azure,
    /// JUnit XML: a testsuite per tenant file, a testcase per rule
    Junit,
    /// One self-contained HTML page (write it with `-o report.html`)
    Html,
}

impl From<FormatArg> for report::Format {
    fn from(f: FormatArg) -> Self {
        match f {
            FormatArg::Human => report::Format::Human,
            FormatArg::Compact => report::Format::Compact,
            FormatArg::Json => report::Format::Json,
            FormatArg::Sarif => report::Format::Sarif,
            FormatArg::Github => report::Format::Github,
            FormatArg::Azure => report::Format::Azure,
            FormatArg::Junit => report::Format::Junit,
            FormatArg::Html => report::Format::Html,
        }
    }
}

/// The least severe finding that fails the run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum FailOn {
    /// Error findings fail the run (the default)
    Error,
    /// Warnings fail the run too
    Warning,
    /// Findings never fail the run (only errors that stop it do)
    Never,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum ColorArg {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
enum DebugCommand {
    /// Print the AST of a policy file
    Parse { file: PathBuf },
    /// Print the compiled policy (default policy plus the files given)
    Ir { files: Vec<PathBuf> },
    /// Print a tenant file as loaded
    Tenant { file: PathBuf },
}

/// How a run ended; `main` maps it to the process exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    /// No error findings.
    Clean,
    /// At least one error finding.
    Findings,
    /// Something could not be evaluated.
    Error,
}

impl ExitStatus {
    /// The process exit code: 0, 1 or 2.
    pub fn code(self) -> u8 {
        match self {
            ExitStatus::Clean => 0,
            ExitStatus::Findings => 1,
            ExitStatus::Error => 2,
        }
    }
}

/// A file that could not be read.
#[derive(Debug, Error, Diagnostic)]
#[error("cannot read `{path}`: {reason}")]
#[diagnostic(code(skuld::io))]
struct ReadError {
    path: String,
    reason: String,
    #[help]
    help: Option<String>,
}

/// A report that could not be written.
#[derive(Debug, Error, Diagnostic)]
#[error("cannot write `{path}`: {reason}")]
#[diagnostic(code(skuld::io))]
struct WriteError {
    path: String,
    reason: String,
}

/// A rule id that no rule has.
#[derive(Debug, Error, Diagnostic)]
#[error("no rule has the id `{id}`")]
#[diagnostic(code("skuld::unknown-rule"))]
struct UnknownRule {
    id: String,
    #[help]
    help: String,
}

/// Runs the CLI.
pub fn run(cli: Cli, stdout: &mut dyn Write, stderr: &mut dyn Write) -> ExitStatus {
    let result = match cli.command {
        Command::Check(args) => check(&args, stdout, stderr),
        Command::Rules(args) => match args.format {
            skus::ListFormat::Human => rules(&args.policy, stdout, stderr),
            skus::ListFormat::Json => skus::rules_json(&args, stdout, stderr),
        },
        Command::Explain { rule, user, policy } => match user.upn() {
            Some(_) => explain_user::run(Path::new(&rule), &user, &policy, stdout, stderr),
            None => explain(&rule, &policy, stdout, stderr),
        },
        Command::Fmt(args) => fmt::run(&args, stdout, stderr),
        Command::Skus(args) => skus::run(&args, stdout, stderr),
        Command::CheckPolicy(args) => check_policy::run(&args, stdout, stderr),
        Command::Completions(args) => completions::completions(&args, stdout),
        Command::Man(args) => completions::man(&args, stdout, stderr),
        Command::Test(args) => test::run(&args, stdout, stderr),
        Command::Schema(args) => schema::run(&args, stdout, stderr),
        Command::Import(cmd) => import::run(cmd, stdout, stderr),
        Command::Diff(args) => diff::run(&args, stdout, stderr),
        Command::Debug(cmd) => debug(cmd, stdout, stderr),
    };
    result.unwrap_or(ExitStatus::Error)
}

fn style_for(color: ColorArg, stream_is_tty: bool) -> human::Style {
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let color = match color {
        ColorArg::Always => true,
        ColorArg::Never => false,
        ColorArg::Auto => stream_is_tty && !no_color,
    };
    let width = std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse().ok())
        .filter(|&w: &usize| w >= 40)
        .unwrap_or(100);
    human::Style { color, width }
}

fn print_errors(
    errors: &Diagnostics,
    style: human::Style,
    stderr: &mut dyn Write,
) -> io::Result<()> {
    print_reports(errors.iter(), style, stderr)
}

/// Renders diagnostics to standard error, a blank line after each.
fn print_reports<'a>(
    reports: impl IntoIterator<Item = &'a miette::Report>,
    style: human::Style,
    stderr: &mut dyn Write,
) -> io::Result<()> {
    let mut text = String::new();
    for e in reports {
        human::render_diagnostic(e.as_ref(), style, &mut text);
        text.push('\n');
    }
    stderr.write_all(text.as_bytes())
}

fn check(
    args: &CheckArgs,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> io::Result<ExitStatus> {
    if let Some(pair) = &args.compare {
        return compare::run(args, pair, stdout, stderr);
    }
    let out_style = style_for(args.color, io::stdout().is_terminal());
    let err_style = style_for(args.color, io::stderr().is_terminal());

    let Some(Settings {
        policy,
        selection,
        mut waivers,
        today,
        fail_on,
    }) = settings(
        &SettingsArgs {
            config: args.config.as_deref(),
            no_config: args.no_config,
            policies: &args.policies,
            no_default_policy: args.no_default_policy,
            rules: (&args.only_rules, &args.skip_rules, &args.severities),
            waivers: args.waivers.as_deref(),
            fail_on: args.fail_on,
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
            let parsed = read_source(path, usize::MAX).and_then(|src| {
                crate::baseline::Baseline::parse(&src, root.as_deref()).map_err(miette::Report::new)
            });
            match parsed {
                Ok(b) => Some(b),
                Err(e) => {
                    print_reports([&e], err_style, stderr)?;
                    return Ok(ExitStatus::Error);
                }
            }
        }
    };

    let (paths, discovery_errors) = discover_tenants(&args.tenants);
    let missing = !discovery_errors.is_empty();
    let mut errors: Vec<report::RunError> = discovery_errors
        .into_iter()
        .map(|report| report::RunError { file: None, report })
        .collect();
    if paths.is_empty() && errors.is_empty() {
        errors.push(report::RunError {
            file: None,
            report: miette::Report::new(ReadError {
            path: args
                .tenants
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", "),
            reason: "no tenant files found".to_owned(),
            help: Some(
                "tenant files end in `.yaml` or `.yml`; name a file or a folder that holds some"
                    .to_owned(),
            ),
            }),
        });
    }
    let limits = Limits {
        max_file_bytes: args.max_file_size,
        ..Limits::default()
    };

    // The policy is compiled once; files are read and checked in parallel, and reported in the
    // order they were named.
    let jobs = args.jobs.unwrap_or_else(crate::parallel::default_jobs);
    let outcomes = crate::parallel::map(&paths, jobs, |path| {
        read_source(path, limits.max_file_bytes)
            .map_err(|e| vec![e])
            .and_then(|source| {
                policy
                    .check_with_seats(&source, &limits)
                    .map(|(findings, seats)| (source, findings, seats))
                    .map_err(Diagnostics::into_vec)
            })
    });
    let mut findings: Vec<Finding> = Vec::new();
    let mut files: Vec<report::CheckedFile> = Vec::with_capacity(paths.len());
    let mut bad_waivers = false;
    for (path, outcome) in paths.iter().zip(outcomes) {
        let name = display_name(path);
        let outcome = outcome.unwrap_or_else(|| {
            Err(vec![miette::Report::new(ReadError {
                path: name.clone(),
                reason: "internal error: the check of this file did not finish".to_owned(),
                help: Some("this is a bug in skuld; please report it with the file".to_owned()),
            })])
        });
        let mut seats = None;
        let loaded = match outcome {
            Ok((source, f, s)) => {
                seats = s;
                let problems = waivers.add_inline(&source, &policy);
                bad_waivers |= !problems.is_empty();
                errors.extend(problems.into_iter().map(|p| report::RunError {
                    file: Some(name.clone()),
                    report: miette::Report::new(p),
                }));
                findings.extend(selection.apply(f));
                true
            }
            Err(reports) => {
                errors.extend(reports.into_iter().map(|report| report::RunError {
                    file: Some(name.clone()),
                    report,
                }));
                false
            }
        };
        files.push(report::CheckedFile {
            name,
            loaded,
            seats,
        });
    }
    waivers.retain_rules(|rule| selection.reports(rule));
    let applied = waivers.apply(findings, today);
    let (findings, known) = match &baseline {
        Some(b) => {
            let (new, known) = b.filter(applied.findings, root.as_deref());
            (new, Some(known))
        }
        None => (applied.findings, None),
    };

    print_reports(errors.iter().map(|e| &e.report), err_style, stderr)?;
    let notes: Vec<report::RunError> = applied
        .notes
        .into_iter()
        .map(|p| report::RunError {
            file: None,
            report: miette::Report::new(p),
        })
        .collect();
    print_reports(notes.iter().map(|e| &e.report), err_style, stderr)?;
    let out_style = if args.output.is_some() {
        // A file is not a terminal.
        style_for(args.color, false)
    } else {
        out_style
    };
    let run = report::Run {
        policy: &policy,
        findings,
        files,
        errors,
        waived: applied.waived,
        known,
        notes,
        root,
        docs_url: crate::eval::finding::docs_base_url(),
    };
    let text = report::render(args.format.into(), &run, out_style);
    let mut write_failed = false;
    match &args.output {
        Some(path) => {
            if let Err(e) = write_atomically(path, text.as_bytes()) {
                report_write_error(path, &e, stderr)?;
                write_failed = true;
            }
        }
        None => {
            stdout.write_all(text.as_bytes())?;
            stdout.flush()?;
        }
    }
    if matches!(args.format, FormatArg::Github)
        && let Some(summary) = std::env::var_os("GITHUB_STEP_SUMMARY").filter(|s| !s.is_empty())
    {
        let path = PathBuf::from(summary);
        if let Err(e) = append(&path, report::github::step_summary(&run).as_bytes()) {
            report_write_error(&path, &e, stderr)?;
            write_failed = true;
        }
    }
    let failed = run.failed();
    let findings = run.findings;
    let fails = |f: &Finding| match fail_on {
        FailOn::Error => f.severity == Severity::Error,
        FailOn::Warning => true,
        FailOn::Never => false,
    };
    Ok(
        if failed > 0 || paths.is_empty() || write_failed || bad_waivers || missing {
            ExitStatus::Error
        } else if findings.iter().any(fails) {
            ExitStatus::Findings
        } else {
            ExitStatus::Clean
        },
    )
}

/// The flags `check` and `diff` share: config, policy, rule selection, waivers, gate.
struct SettingsArgs<'a> {
    config: Option<&'a Path>,
    no_config: bool,
    policies: &'a [String],
    no_default_policy: bool,
    /// `--only-rule`, `--skip-rule`, `--severity`.
    rules: (&'a [String], &'a [String], &'a [String]),
    waivers: Option<&'a Path>,
    fail_on: Option<FailOn>,
}

/// What a run is set up with before any tenant is read: the config file merged with the flags.
struct Settings {
    policy: Policy,
    selection: Selection,
    waivers: crate::waivers::Waivers,
    today: crate::waivers::Date,
    fail_on: FailOn,
}

/// Reads the config file, the policy, the rule selection and the waivers; `None` after
/// printing what is wrong (the run then exits with 2, nothing checked).
fn settings(
    a: &SettingsArgs<'_>,
    err_style: human::Style,
    stderr: &mut dyn Write,
) -> io::Result<Option<Settings>> {
    let Some(config) = load_config(a.config, a.no_config, err_style, stderr)? else {
        return Ok(None);
    };
    // Command-line policies replace the config's; either flag or config leaves the default out.
    let policy_paths = if a.policies.is_empty() {
        &config.policies
    } else {
        a.policies
    };
    let with_default = !a.no_default_policy && config.default_policy != Some(false);
    let policy = match load_policy(policy_paths, with_default) {
        Ok(p) => p,
        Err(errors) => {
            print_errors(&errors, err_style, stderr)?;
            writeln!(stderr, "the policy has errors: nothing was checked")?;
            return Ok(None);
        }
    };

    let config_problems = config.check_rules(&policy);
    if !config_problems.is_empty() {
        print_problems(config_problems, err_style, stderr)?;
        return Ok(None);
    }
    let selection = match Selection::new(a.rules, &config, &policy) {
        Ok(s) => s,
        Err(errors) => {
            print_errors(&errors, err_style, stderr)?;
            return Ok(None);
        }
    };
    let fail_on = a.fail_on.unwrap_or_else(|| {
        config
            .fail_on
            .as_deref()
            .and_then(|v| FailOn::from_str(v, false).ok())
            .unwrap_or(FailOn::Error)
    });
    let Some(waivers) = load_waivers(a.waivers, &config, &policy, err_style, stderr)? else {
        return Ok(None);
    };
    let today = match crate::waivers::Date::today() {
        Ok(d) => d,
        Err(bad) => {
            print_errors(
                &Diagnostics::single(BadToday { value: bad }),
                err_style,
                stderr,
            )?;
            return Ok(None);
        }
    };
    Ok(Some(Settings {
        policy,
        selection,
        waivers,
        today,
        fail_on,
    }))
}

/// Prints problems in skuld's own files (config, waivers) as diagnostics.
fn print_problems(
    problems: Vec<crate::config::Problem>,
    style: human::Style,
    stderr: &mut dyn Write,
) -> io::Result<()> {
    let reports: Vec<miette::Report> = problems.into_iter().map(miette::Report::new).collect();
    print_reports(&reports, style, stderr)
}

/// The config file that applies (`--config`, else `.skuld.yaml` found upwards, unless
/// `--no-config`); `None` after printing its problems.
fn load_config(
    config: Option<&Path>,
    no_config: bool,
    style: human::Style,
    stderr: &mut dyn Write,
) -> io::Result<Option<crate::config::Config>> {
    use crate::config::Config;
    if no_config {
        return Ok(Some(Config::default()));
    }
    let path = match config {
        Some(p) => p.to_path_buf(),
        None => match std::env::current_dir()
            .ok()
            .and_then(|cwd| Config::find(&cwd))
        {
            // Shown relative to the current folder when it is in it, as other paths are.
            Some(found) => std::env::current_dir()
                .ok()
                .and_then(|cwd| found.strip_prefix(cwd).ok().map(Path::to_path_buf))
                .unwrap_or(found),
            None => return Ok(Some(Config::default())),
        },
    };
    let source = match read_source(&path, MAX_OWN_FILE) {
        Ok(s) => s,
        Err(e) => {
            print_reports([&e], style, stderr)?;
            return Ok(None);
        }
    };
    match Config::parse(&source, &path) {
        Ok(c) => Ok(Some(c)),
        Err(problems) => {
            print_problems(problems, style, stderr)?;
            Ok(None)
        }
    }
}

/// Largest config, waivers or baseline file read (hand-written files; a baseline of a million
/// findings still fits).
const MAX_OWN_FILE: usize = 256 * 1024 * 1024;

/// The waivers of the run: `--waivers`, else the config's `waivers` (both must exist), else
/// `skuld-waivers.yaml` beside the config or in the current folder when it exists. `None` after
/// printing problems.
fn load_waivers(
    waivers: Option<&Path>,
    config: &crate::config::Config,
    policy: &Policy,
    style: human::Style,
    stderr: &mut dyn Write,
) -> io::Result<Option<crate::waivers::Waivers>> {
    use crate::waivers::{DEFAULT_FILE, Waivers};
    let path = match waivers.or(config.waivers.as_deref()) {
        Some(p) => p.to_path_buf(),
        None => {
            let default = config.dir.join(DEFAULT_FILE);
            if !default.is_file() {
                return Ok(Some(Waivers::default()));
            }
            default
        }
    };
    let source = match read_source(&path, MAX_OWN_FILE) {
        Ok(s) => s,
        Err(e) => {
            print_reports([&e], style, stderr)?;
            return Ok(None);
        }
    };
    match Waivers::parse(&source, &path, policy) {
        Ok(w) => Ok(Some(w)),
        Err(problems) => {
            print_problems(problems, style, stderr)?;
            Ok(None)
        }
    }
}

/// `SKULD_TODAY` that is not a date.
#[derive(Debug, Error, Diagnostic)]
#[error("SKULD_TODAY=`{value}` is not a date")]
#[diagnostic(
    code("skuld::usage"),
    help("set it to a day as YYYY-MM-DD, e.g. `SKULD_TODAY=2027-01-31`, or unset it")
)]
struct BadToday {
    value: String,
}

/// Which rules to report, and at which severity: `--only-rule`, `--skip-rule`, `--severity`.
struct Selection {
    only: Vec<String>,
    skip: Vec<String>,
    severity: Vec<(String, Severity)>,
}

impl Selection {
    /// Checks every rule id named on the command line against the policy (did-you-mean).
    /// The config's lists come first: `--only-rule` replaces the config's `only-rules`,
    /// `--skip-rule` adds to `skip-rules`, `--severity` wins over `severity`.
    fn new(
        (only_rules, skip_rules, severities): (&[String], &[String], &[String]),
        config: &crate::config::Config,
        policy: &Policy,
    ) -> Result<Self, Diagnostics> {
        let mut errors = Vec::new();
        let known = |id: &str, flag: &str, errors: &mut Vec<miette::Report>| {
            let ok = policy.rule_ids().any(|r| r == id);
            if !ok {
                errors.push(miette::Report::new(UnknownRule {
                    id: id.to_owned(),
                    help: crate::diagnostics::suggest::did_you_mean(id, policy.rule_ids())
                        .unwrap_or_else(|| {
                            format!("`{flag}` takes a rule id; `skuld rules` lists them")
                        }),
                }));
            }
            ok
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
    fn reports(&self, rule: &str) -> bool {
        (self.only.is_empty() || self.only.iter().any(|r| r == rule))
            && !self.skip.iter().any(|r| r == rule)
    }

    /// The findings to report, with their severities overridden.
    fn apply(&self, findings: Vec<Finding>) -> impl Iterator<Item = Finding> + '_ {
        findings
            .into_iter()
            .filter(|f| self.only.is_empty() || self.only.contains(&f.rule))
            .filter(|f| !self.skip.contains(&f.rule))
            .map(|mut f| {
                if let Some((_, level)) = self.severity.iter().rev().find(|(r, _)| *r == f.rule) {
                    f.severity = *level;
                }
                f
            })
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

fn report_write_error(path: &Path, e: &io::Error, stderr: &mut dyn Write) -> io::Result<()> {
    let d = Diagnostics::single(WriteError {
        path: path.display().to_string(),
        reason: e.to_string(),
    });
    print_errors(
        &d,
        style_for(ColorArg::Auto, io::stderr().is_terminal()),
        stderr,
    )
}

/// Writes `bytes` to `path` through a temporary file in the same folder renamed into place, so
/// that an interrupted or failed run never leaves a half-written report (and leaves an existing
/// file untouched).
fn write_atomically(path: &Path, bytes: &[u8]) -> io::Result<()> {
    // A symlink is written through (the rename would replace the link itself), and a path that is
    // not a regular file (`/dev/null`, `/dev/stdout`, a FIFO) is written in place: renaming a temp
    // file over a device would replace the device with a file.
    let resolved;
    let path = match std::fs::canonicalize(path) {
        Ok(real) => {
            if !std::fs::metadata(&real)?.is_file() && !real.is_dir() {
                return std::fs::OpenOptions::new()
                    .write(true)
                    .truncate(true)
                    .open(&real)?
                    .write_all(bytes);
            }
            resolved = real;
            resolved.as_path()
        }
        Err(_) => path,
    };
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let name = path
        .file_name()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "not a file name"))?;
    if path.is_dir() {
        return Err(io::Error::new(
            io::ErrorKind::IsADirectory,
            "it is a folder",
        ));
    }
    let mut last = None;
    for attempt in 0..100u32 {
        let tmp = dir.join(format!(
            ".{}.{}.{attempt}.tmp",
            name.to_string_lossy(),
            std::process::id()
        ));
        let mut file = match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)
        {
            Ok(f) => f,
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                last = Some(e);
                continue;
            }
            Err(e) => return Err(e),
        };
        let written = file
            .write_all(bytes)
            .and_then(|()| file.sync_all())
            .and_then(|()| std::fs::rename(&tmp, path));
        if written.is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
        return written;
    }
    Err(last.unwrap_or_else(|| io::Error::other("no temporary file name was free")))
}

/// Appends `bytes` to `path` (creating it), as GitHub expects for `$GITHUB_STEP_SUMMARY`.
fn append(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .open(path)?;
    f.write_all(bytes)
}

/// The default policy (unless left out) plus every `--policy` path.
fn load_policy(paths: &[String], with_default: bool) -> Result<Policy, Diagnostics> {
    Policy::from_sources(&policy_sources(paths, with_default)?)
}

/// The files of the default policy (unless left out) plus every path given, read.
fn policy_sources(paths: &[String], with_default: bool) -> Result<Vec<SourceFile>, Diagnostics> {
    let mut sources = if with_default {
        policies::default_sources()
    } else {
        Vec::new()
    };
    let mut errors = Vec::new();
    for p in paths {
        if let Some(name) = p.strip_prefix("builtin:") {
            match policies::builtin(p) {
                Some(s) => policies::add_builtin(&mut sources, s),
                None => errors.push(miette::Report::new(ReadError {
                    path: p.clone(),
                    reason: format!("there is no embedded policy `{name}`"),
                    help: crate::diagnostics::suggest::did_you_mean(p, policies::builtin_names()),
                })),
            }
            continue;
        }
        let path = Path::new(p);
        let files = if path.is_dir() {
            let mut files = Vec::new();
            walk(path, &mut files, &|f| {
                f.extension().is_some_and(|e| e == "skuld")
            });
            if files.is_empty() {
                errors.push(miette::Report::new(ReadError {
                    path: p.clone(),
                    reason: "no policy files (`*.skuld`) in this folder".to_owned(),
                    help: None,
                }));
            }
            files
        } else {
            vec![path.to_path_buf()]
        };
        for f in files {
            match read_source(&f, usize::MAX) {
                Ok(s) => sources.push(s),
                Err(e) => errors.push(e),
            }
        }
    }
    if !errors.is_empty() {
        return Err(Diagnostics::new(errors));
    }
    Ok(sources)
}

/// Expands folders into their `*.yaml` / `*.yml` files (sorted) and globs into the files they
/// match (sorted); missing paths and globs that match nothing are errors.
fn discover_tenants(args: &[PathBuf]) -> (Vec<PathBuf>, Vec<miette::Report>) {
    let mut paths = Vec::new();
    let mut errors = Vec::new();
    for arg in args {
        if arg.is_dir() {
            let mut found = Vec::new();
            walk(arg, &mut found, &|f| {
                f.extension().is_some_and(|e| e == "yaml" || e == "yml")
            });
            if found.is_empty() {
                errors.push(miette::Report::new(ReadError {
                    path: arg.display().to_string(),
                    reason: "no tenant files (`*.yaml`, `*.yml`) in this folder".to_owned(),
                    help: None,
                }));
            }
            paths.extend(found);
        } else if arg.exists() || arg.as_os_str() == STDIN {
            paths.push(arg.clone());
        } else if let Some(glob) = crate::config::glob::TenantGlob::new(arg) {
            let mut found = Vec::new();
            walk(glob.base(), &mut found, &|f| glob.is_match(f));
            if found.is_empty() {
                let e = glob.no_match();
                errors.push(miette::Report::new(ReadError {
                    path: arg.display().to_string(),
                    reason: e.reason,
                    help: e.help,
                }));
            }
            paths.extend(found.into_iter().map(|p| glob.shown(p)));
        } else {
            errors.push(miette::Report::new(ReadError {
                path: arg.display().to_string(),
                reason: "no such file or folder".to_owned(),
                help: None,
            }));
        }
    }
    // A file named twice (say by a folder and a glob) is checked once, where first named.
    let mut seen = std::collections::HashSet::new();
    paths.retain(|p| p.as_os_str() == STDIN || seen.insert(p.clone()));
    (paths, errors)
}

/// Files under `dir` (recursively) that `keep` accepts, sorted by path.
fn walk(dir: &Path, out: &mut Vec<PathBuf>, keep: &dyn Fn(&Path) -> bool) {
    let mut stack = vec![dir.to_path_buf()];
    let mut found = Vec::new();
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for entry in entries.flatten() {
            let p = entry.path();
            match entry.file_type() {
                Ok(t) if t.is_dir() => stack.push(p),
                Ok(t) if t.is_file() && keep(&p) => found.push(p),
                _ => {}
            }
        }
    }
    found.sort();
    out.extend(found);
}

/// The path that stands for standard input, and the name it is shown under.
const STDIN: &str = "-";
const STDIN_NAME: &str = "<stdin>";

/// The name a tenant path is shown under in reports.
fn display_name(path: &Path) -> String {
    if path.as_os_str() == STDIN {
        STDIN_NAME.to_owned()
    } else {
        path.display().to_string()
    }
}

/// Reads a UTF-8 file (or standard input for `-`), refusing more than `max_bytes` (a file's
/// size is checked before it is read).
fn read_source(path: &Path, max_bytes: usize) -> Result<SourceFile, miette::Report> {
    use std::io::Read as _;
    let name = display_name(path);
    let err = |reason: String, help: Option<String>| {
        miette::Report::new(ReadError {
            path: name.clone(),
            reason,
            help,
        })
    };
    let too_large = |size: String| {
        err(
            format!("{size} more than the limit of {max_bytes} bytes"),
            Some("raise the limit with `--max-file-size BYTES` if the input is genuine".to_owned()),
        )
    };
    let bytes = if path.as_os_str() == STDIN {
        let mut bytes = Vec::new();
        let limit = u64::try_from(max_bytes)
            .unwrap_or(u64::MAX)
            .saturating_add(1);
        io::stdin()
            .lock()
            .take(limit)
            .read_to_end(&mut bytes)
            .map_err(|e| err(e.to_string(), None))?;
        if bytes.len() > max_bytes {
            return Err(too_large("the input has".to_owned()));
        }
        bytes
    } else {
        let meta = std::fs::metadata(path).map_err(|e| err(e.to_string(), None))?;
        if meta.len() > max_bytes as u64 {
            return Err(too_large(format!("the file has {} bytes,", meta.len())));
        }
        std::fs::read(path).map_err(|e| err(e.to_string(), None))?
    };
    let text = String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        err(
            format!("the file is not UTF-8 text (invalid byte at offset {at})"),
            Some("save the file as UTF-8".to_owned()),
        )
    })?;
    Ok(SourceFile::new(name, text))
}

fn debug(
    cmd: DebugCommand,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> io::Result<ExitStatus> {
    let style = human::Style::plain();
    let outcome: Result<String, Diagnostics> = match cmd {
        DebugCommand::Parse { file } => read_source(&file, usize::MAX)
            .map_err(|e| Diagnostics::new(vec![e]))
            .and_then(|s| crate::syntax::parse(&s))
            .map(|ast| format!("{ast:#?}\n")),
        DebugCommand::Ir { files } => {
            let paths: Vec<String> = files.iter().map(|f| f.display().to_string()).collect();
            load_policy(&paths, true).map(|p| format!("{p:#?}\n"))
        }
        DebugCommand::Tenant { file } => read_source(&file, usize::MAX)
            .map_err(|e| Diagnostics::new(vec![e]))
            .and_then(|s| crate::tenant::load(&s, &Limits::default()))
            .map(|d| format!("{d:#?}\n")),
    };
    match outcome {
        Ok(text) => {
            stdout.write_all(text.as_bytes())?;
            Ok(ExitStatus::Clean)
        }
        Err(e) => {
            print_errors(&e, style, stderr)?;
            Ok(ExitStatus::Error)
        }
    }
}

fn policy_or_report(args: &PolicyArgs, stderr: &mut dyn Write) -> io::Result<Option<Policy>> {
    match load_policy(&args.policies, !args.no_default_policy) {
        Ok(p) => Ok(Some(p)),
        Err(errors) => {
            print_errors(
                &errors,
                style_for(ColorArg::Auto, io::stderr().is_terminal()),
                stderr,
            )?;
            Ok(None)
        }
    }
}

fn rules(
    args: &PolicyArgs,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> io::Result<ExitStatus> {
    let Some(policy) = policy_or_report(args, stderr)? else {
        return Ok(ExitStatus::Error);
    };
    let mut rows: Vec<(String, &str, String, String)> = policy
        .rules()
        .iter()
        .map(|r| {
            let origin = policy
                .files()
                .get(r.origin.file)
                .map_or(String::new(), |f| {
                    let (line, _) = f.line_col(r.origin.span.start as usize);
                    format!("{}:{line}", f.name())
                });
            (
                r.id.clone(),
                r.severity.as_str(),
                origin,
                report::summary(&r.docs).to_owned(),
            )
        })
        .collect();
    rows.extend(
        crate::tenant::model::BUILTIN_CHECKS
            .iter()
            .map(|(id, sev, text)| {
                (
                    (*id).to_owned(),
                    sev.as_str(),
                    "built-in".to_owned(),
                    (*text).to_owned(),
                )
            }),
    );
    let width = rows.iter().map(|r| r.0.len()).max().unwrap_or(0);
    let origin_width = rows.iter().map(|r| r.2.len()).max().unwrap_or(0);
    let mut out = String::new();
    for (id, sev, origin, text) in &rows {
        out.push_str(&format!(
            "{id:width$}  {sev:7}  {origin:origin_width$}  {text}\n"
        ));
    }
    stdout.write_all(out.as_bytes())?;
    Ok(ExitStatus::Clean)
}

fn explain(
    id: &str,
    args: &PolicyArgs,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> io::Result<ExitStatus> {
    let Some(policy) = policy_or_report(args, stderr)? else {
        return Ok(ExitStatus::Error);
    };
    let mut out = String::new();
    if let Some(rule) = policy.rules().iter().find(|r| r.id == id) {
        let file = policy.files().get(rule.origin.file);
        let (line, _) = file.map_or((0, 0), |f| f.line_col(rule.origin.span.start as usize));
        out.push_str(&format!("{} ({})\n", rule.id, rule.severity.as_str()));
        out.push_str(&format!(
            "defined in {}:{line}\n\n",
            file.map_or("?", |f| f.name())
        ));
        if let Some(f) = file {
            out.push_str(f.slice(rule.decl));
            out.push('\n');
        }
    } else if let Some((_, sev, text)) = crate::tenant::model::BUILTIN_CHECKS
        .iter()
        .find(|(i, _, _)| *i == id)
    {
        out.push_str(&format!(
            "{id} ({})\nbuilt into the tenant loader\n\n{text}\n",
            sev.as_str()
        ));
    } else {
        let e = UnknownRule {
            id: id.to_owned(),
            help: crate::diagnostics::suggest::did_you_mean(id, policy.rule_ids())
                .unwrap_or_else(|| "`skuld rules` lists the rules".to_owned()),
        };
        print_errors(&Diagnostics::single(e), human::Style::plain(), stderr)?;
        return Ok(ExitStatus::Error);
    }
    stdout.write_all(out.as_bytes())?;
    Ok(ExitStatus::Clean)
}

#[cfg(test)]
mod tests {
    use super::write_atomically;

    #[test]
    fn an_atomic_write_replaces_a_file_and_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.json");
        std::fs::write(&path, "old").unwrap();
        write_atomically(&path, b"new").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[cfg(unix)]
    #[test]
    fn an_atomic_write_goes_through_a_symlink() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("real.json");
        let link = dir.path().join("link.json");
        std::fs::write(&target, "old").unwrap();
        std::os::unix::fs::symlink(&target, &link).unwrap();
        write_atomically(&link, b"new").unwrap();
        assert!(link.symlink_metadata().unwrap().file_type().is_symlink());
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "new");
    }

    /// `-o /dev/null` must write to the device, not rename a file over it.
    #[cfg(unix)]
    #[test]
    fn an_atomic_write_to_a_device_writes_in_place() {
        use std::os::unix::fs::FileTypeExt as _;
        let null = std::path::Path::new("/dev/null");
        if !null
            .metadata()
            .is_ok_and(|m| m.file_type().is_char_device())
        {
            return; // not a Unix machine with a usable /dev/null
        }
        write_atomically(null, b"discarded").unwrap();
        assert!(null.metadata().unwrap().file_type().is_char_device());
    }
}
