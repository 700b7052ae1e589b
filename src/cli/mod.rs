//! The command line: clap definitions, one module per command, and the mapping to exit codes. Output is
//! written to the writers passed in, so tests can drive the whole CLI in-process too.

use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};

use clap::{Args, Parser, Subcommand, ValueEnum};
use miette::Diagnostic;
use thiserror::Error;

use crate::diagnostics::Diagnostics;
use crate::diagnostics::Finding;
use crate::inputs::{ReadError, STDIN, display_name, read_source, walk};
use crate::report::{self, human};
use crate::tenant::Limits;
use crate::triage::FailOn;
use crate::triage::selection::{Selection, UnknownRule};
use crate::{Policy, policies};

mod check;
mod check_policy;
mod compare;
mod completions;
mod diff;
mod discovery;
mod eval;
mod explain_user;
mod fmt;
mod import;
mod output;
mod rules;
mod schema;
mod settings;
mod skus;
mod test;
mod write;

use check::check;
use output::{append, report_write_error};
use rules::{explain, rules};
use settings::{Settings, SettingsArgs, print_problems, settings};
use write::{Guard, write_safely};

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
    /// Evaluate a policy expression on a tenant file (or alone) and show the value of each part
    #[command(after_help = eval::AFTER_HELP)]
    Eval(eval::EvalArgs),
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
    /// Run the language server (LSP over standard input and output, for editors)
    #[command(
        after_help = "Example:\n  skuld lsp    # what an editor runs; see docs/editors.md for VS Code, Neovim, Helix"
    )]
    Lsp {
        /// Accepted for editors that pass it; standard input and output are the only transport
        #[arg(long)]
        stdio: bool,
    },
    /// Dump a stage of the pipeline (for bug reports)
    #[command(hide = true, subcommand)]
    Debug(DebugCommand),
}

/// Findings kept per rule and tenant file by default (shared with `skuld lsp`).
const DEFAULT_FINDINGS_PER_RULE: usize = crate::diagnostics::finding::DEFAULT_PER_RULE;

/// A count of at least 1 (a cap of 0 would hide what a rule is about).
fn at_least_one(s: &str) -> Result<usize, String> {
    match s.parse::<usize>() {
        Ok(0) => Err("must be at least 1".to_owned()),
        Ok(n) => Ok(n),
        Err(e) => Err(e.to_string()),
    }
}

#[derive(Debug, Args)]
struct CheckArgs {
    /// Tenant YAML files (always checked), folders searched for tenant *.yaml and *.yml files
    /// (as ripgrep walks: .gitignore honoured, hidden folders skipped), quoted globs such as
    /// 'tenants/**/*.yaml', or `-` for standard input
    #[arg(required = true, value_name = "TENANT")]
    tenants: Vec<PathBuf>,
    /// Leave out of folders and globs the paths this gitignore-style glob matches, relative to
    /// the current folder (repeatable), e.g. `archive/` or `*.draft.yaml`
    #[arg(long = "exclude", value_name = "GLOB")]
    exclude: Vec<String>,
    /// Say on standard error which files were left out and why
    #[arg(long, short = 'v')]
    verbose: bool,
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
    /// Human format: show every finding in full instead of folding those that share a cause
    #[arg(long, conflicts_with = "quiet")]
    show_all: bool,
    /// Human format: print only the summary (counts per rule, most common causes, totals)
    #[arg(long, short = 'q')]
    quiet: bool,
    /// Human format: show at most N findings in full (the summary still counts all)
    #[arg(long, value_name = "N")]
    max_findings: Option<usize>,
    /// Keep at most N findings per rule and tenant file, in every format; the others are counted
    /// (in the summary and the JSON) and reported as "and N more"
    #[arg(long, value_name = "N", default_value_t = DEFAULT_FINDINGS_PER_RULE, value_parser = at_least_one)]
    max_findings_per_rule: usize,
    /// Threads checking tenant files at once (default: the number of cores)
    #[arg(long, short = 'j', value_name = "N")]
    jobs: Option<usize>,
    /// Which findings make the run fail (exit 1) [default: error]
    #[arg(long, value_enum, value_name = "LEVEL")]
    fail_on: Option<FailOnArg>,
    /// Days without a sign-in after which a user is inactive (licensing/inactive-user-license)
    /// [default: the config's `inactive-days`, else 90]
    #[arg(long, value_name = "DAYS", value_parser = clap::value_parser!(u32).range(1..=36_500))]
    inactive_days: Option<u32>,
    #[command(flatten)]
    rules: RuleArgs,
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
    /// Read the config file and the waivers file as they are at this git revision (e.g.
    /// `origin/main`), not from the work tree: a pull request cannot loosen its own gate
    /// (docs/ci.md)
    #[arg(long, value_name = "REF", conflicts_with_all = ["no_config", "config"])]
    config_from: Option<String>,
    /// Show the findings that appear or disappear when policy A is replaced by policy B (each
    /// read as one more `--policy`, e.g. `builtin:sspr-2017 builtin:sspr-current`)
    /// (the config file, waivers, baseline and `--fail-on` do not apply to a comparison)
    #[arg(
        long,
        num_args = 2,
        value_names = ["POLICY_A", "POLICY_B"],
        conflicts_with_all = ["baseline", "waivers", "config", "config_from", "fail_on"]
    )]
    compare: Option<Vec<String>>,
}

/// Which rules a run reports and at what severity: `check` and `diff` take the same flags (over
/// the config's `only-rules`, `skip-rules` and `severity`).
#[derive(Debug, Args)]
struct RuleArgs {
    /// Report only these rules (repeatable; rule ids as `skuld rules` lists them)
    #[arg(long = "only-rule", value_name = "RULE")]
    only_rules: Vec<String>,
    /// Leave these rules out (repeatable)
    #[arg(long = "skip-rule", value_name = "RULE")]
    skip_rules: Vec<String>,
    /// Change a rule's severity: `RULE=error` or `RULE=warning` (repeatable)
    #[arg(long = "severity", value_name = "RULE=LEVEL")]
    severities: Vec<String>,
}

impl RuleArgs {
    /// `--only-rule`, `--skip-rule`, `--severity`, as [`Selection::new`] takes them.
    fn lists(&self) -> (&[String], &[String], &[String]) {
        (&self.only_rules, &self.skip_rules, &self.severities)
    }

    /// A rule named by both `--only-rule` and `--skip-rule`: as given, nothing of it would be
    /// reported.
    fn contradictions(&self) -> Vec<miette::Report> {
        self.only_rules
            .iter()
            .filter(|id| self.skip_rules.contains(id))
            .map(|id| {
                miette::Report::new(check::Contradiction::new(
                    format!("`--only-rule {id}` and `--skip-rule {id}` contradict each other"),
                    "name the rule in one of them; as given, nothing of it would be reported",
                ))
            })
            .collect()
    }
}

/// How every command but `check` (which has its own, documented flag by flag) finds its
/// policy: the config file's `policies:` and `default-policy:` unless these flags say otherwise.
#[derive(Debug, Args)]
struct PolicyArgs {
    /// Policy file or folder added on top of the default policy (repeatable; replaces the
    /// config file's `policies:`)
    #[arg(long = "policy", value_name = "PATH")]
    policies: Vec<String>,
    /// Leave the embedded default policy out
    #[arg(long)]
    no_default_policy: bool,
    /// Config file (default: `.skuld.yaml` here or in the nearest parent, up to the repository
    /// root)
    #[arg(long, value_name = "FILE", conflicts_with = "no_config")]
    config: Option<PathBuf>,
    /// Ignore any config file
    #[arg(long)]
    no_config: bool,
}

impl PolicyArgs {
    /// The flags as the one config loader takes them.
    fn flags(&self) -> settings::PolicyFlags<'_> {
        settings::PolicyFlags {
            config: self.config.as_deref(),
            no_config: self.no_config,
            policies: &self.policies,
            no_default_policy: self.no_default_policy,
            config_from: None,
        }
    }
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
enum FailOnArg {
    /// Error findings fail the run (the default)
    Error,
    /// Warnings fail the run too
    Warning,
    /// Findings never fail the run (only errors that stop it do)
    Never,
}

impl From<FailOnArg> for FailOn {
    fn from(a: FailOnArg) -> Self {
        match a {
            FailOnArg::Error => FailOn::Error,
            FailOnArg::Warning => FailOn::Warning,
            FailOnArg::Never => FailOn::Never,
        }
    }
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

pub use crate::triage::ExitStatus;

/// A report that could not be written.
#[derive(Debug, Error, Diagnostic)]
#[error("cannot write `{path}`: {reason}")]
#[diagnostic(code(skuld::io))]
struct WriteError {
    path: String,
    reason: String,
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
            None if explain_user::looks_like_tenant(&rule) => {
                explain_user::missing_user(&rule, stderr)
            }
            None => explain(&rule, &policy, stdout, stderr),
        },
        Command::Eval(args) => eval::run(&args, stdout, stderr),
        Command::Fmt(args) => fmt::run(&args, stdout, stderr),
        Command::Skus(args) => skus::run(&args, stdout, stderr),
        Command::CheckPolicy(args) => check_policy::run(&args, stdout, stderr),
        Command::Completions(args) => completions::completions(&args, stdout),
        Command::Man(args) => completions::man(&args, stdout, stderr),
        Command::Test(args) => test::run(&args, stdout, stderr),
        Command::Schema(args) => schema::run(&args, stdout, stderr),
        Command::Import(cmd) => import::run(cmd, stdout, stderr),
        Command::Diff(args) => diff::run(&args, stdout, stderr),
        Command::Lsp { .. } => crate::lsp::serve(io::stdin(), stdout).map(|clean| {
            // The protocol's exit code: 0 after `shutdown`, else 1.
            if clean {
                ExitStatus::Clean
            } else {
                ExitStatus::Findings
            }
        }),
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
    let text = report::neutral::neutralise(&text, report::human_syntax(style));
    stderr.write_all(text.as_bytes())
}

/// The default policy (unless left out) plus every `--policy` path.
fn load_policy(paths: &[String], with_default: bool) -> Result<Policy, Diagnostics> {
    Policy::from_sources(&policies::resolve(paths, with_default)?)
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

/// The policy a command other than `check` works on, read through the one config loader
/// (`settings::policy_setup`); `None` after printing what is wrong and that nothing was
/// `stopped`.
fn policy_or_report(
    args: &PolicyArgs,
    stopped: &str,
    stderr: &mut dyn Write,
) -> io::Result<Option<Policy>> {
    Ok(settings::policy_setup(
        &args.flags(),
        stopped,
        style_for(ColorArg::Auto, io::stderr().is_terminal()),
        stderr,
    )?
    .map(|s| s.policy))
}
