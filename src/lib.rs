//! skuld: licence policy as code for Microsoft 365 / Entra ID tenants.
//!
//! # Embedding skuld
//!
//! The public API is small on purpose: what a program needs to check tenants against a policy
//! and show the outcome. Everything else (the parser, the compiler, the tenant model, the
//! evaluator, the renderers, the command line) is internal and may change at any time.
//!
//! ```
//! use skuld::{Format, Policy, Report, SourceFile};
//!
//! let policy = Policy::builtin().expect("the default policy compiles");
//! let tenant = SourceFile::new("t.yaml", "tenant: Contoso\nusers: []\n");
//! let outcome = policy.check(&tenant);
//! let mut report = Report::new(&policy);
//! report.add(&tenant, outcome);
//! let status = report.status();
//! let mut out = Vec::new();
//! report.render(Format::Json, &mut out).expect("writing to a Vec");
//! assert_eq!(status.code(), 0);
//! ```
//!
//! - [`Policy`]: the default policy ([`Policy::builtin`]) or one compiled from policy files
//!   ([`Policy::from_sources`], with [`Policy::sources`] resolving `builtin:` names, folders
//!   and files as `--policy` does); its [`Registry`] of rules.
//! - [`Tenant`]: a tenant file read once ([`Tenant::load`], under [`Limits`]), checkable
//!   against the policy any number of times ([`Policy::check_tenant`]); [`Policy::check`] does
//!   both, [`Policy::check_all`] many files on several threads.
//! - [`Finding`] (with its [`Severity`] and [`FindingOrigin`]) located by a [`Span`] in a
//!   [`SourceFile`]; bad input is a [`Diagnostics`] value (miette reports), never a panic.
//! - [`Report`]: the outcome of checking files, rendered in a [`Format`] into any
//!   [`std::io::Write`], and its [`ExitStatus`].
//! - [`cli_main`]: the `skuld` command line itself (all `main.rs` does); [`cli_command`] its
//!   clap definition; [`DEFAULT_POLICY_VERSION`] the matrix the default policy encodes.
//!
//! Internal types never appear in these signatures, so the stages behind them can change
//! without breaking an embedder; the language server lives inside the crate and needs nothing
//! public. Tests of internals are unit tests (cross-layer ones in `src/tests/`).
//!
//! # Inside
//!
//! The pipeline, one module per stage (see `docs/architecture.md`): `syntax` (policy text →
//! AST with spans), `compile` (ASTs → a checked, name-resolved [`Policy`]), `tenant` (YAML →
//! a spanned document → the derived model rules see), `eval` (rules over the model →
//! [`Finding`]s, ordered by position), `triage` (selection, waivers, baseline, the fail-on
//! gate), `report` (findings → text). Beside the pipeline, `import` turns saved Microsoft Graph
//! responses into tenant YAML, and `lsp` is the language server `skuld lsp` starts.
//!
//! The core never prints; renderers never compute.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub(crate) mod cli;
pub(crate) mod compile;
pub(crate) mod config;
pub(crate) mod date;
pub(crate) mod diagnostics;
pub(crate) mod eval;
pub(crate) mod import;
pub(crate) mod inputs;
mod layers;
pub(crate) mod lsp;
pub(crate) mod parallel;
pub(crate) mod policies;
pub(crate) mod registry;
pub(crate) mod report;
pub(crate) mod schema;
pub(crate) mod source;
pub(crate) mod syntax;
pub(crate) mod tenant;
pub(crate) mod testing;
#[cfg(test)]
mod tests;
pub(crate) mod triage;

use std::io;

pub use compile::Policy;
pub use diagnostics::{Diagnostics, Finding, FindingOrigin, Severity};
pub use policies::DEFAULT_POLICY_VERSION;
pub use registry::{Registry, RuleEntry, RuleOrigin};
pub use report::Format;
pub use source::{SourceFile, Span};
pub use tenant::Limits;
pub use triage::ExitStatus;

use tenant::model::TenantModel;

/// Runs the `skuld` command line: parses the process's arguments, runs the command, writes to
/// standard output and standard error, and returns the exit code (0 clean, 1 findings, 2 an
/// error). This is all the `skuld` binary does.
pub fn cli_main() -> std::process::ExitCode {
    use clap::Parser;
    let cli = cli::Cli::parse();
    let status = cli::run(cli, &mut io::stdout().lock(), &mut io::stderr().lock());
    std::process::ExitCode::from(status.code())
}

/// The command line's clap definition, as [`cli_main`] parses it: for a packager's own
/// completions or man pages, or a test that walks every subcommand. (`clap` types are part of
/// this one signature.)
pub fn cli_command() -> clap::Command {
    <cli::Cli as clap::CommandFactory>::command()
}

/// A tenant file read and held against a policy's declared features: load it once, check it
/// against a policy as often as needed ([`Policy::check_tenant`]).
#[derive(Debug)]
pub struct Tenant {
    doc: tenant::TenantDocument,
}

impl Tenant {
    /// Reads a tenant file (YAML syntax, the schema, `limits` against hostile input), and
    /// holds its `features:` names against the features `policy` declares (an undeclared one
    /// is an error, with a did-you-mean).
    pub fn load(
        policy: &Policy,
        file: &SourceFile,
        limits: &Limits,
    ) -> Result<Tenant, Diagnostics> {
        Ok(Tenant {
            doc: policy.load_tenant(file, limits)?,
        })
    }

    /// The file it was read from.
    pub fn file(&self) -> &SourceFile {
        &self.doc.source
    }
}

/// One tenant file checked by [`Policy::check_capped`].
#[derive(Debug)]
pub(crate) struct CheckedTenant {
    /// The kept findings, ordered by position.
    pub(crate) findings: Vec<Finding>,
    /// Per rule, the findings the cap left out.
    pub(crate) omitted: Vec<diagnostics::finding::OmittedCount>,
    /// Seat use per subscribed SKU.
    pub(crate) seats: Option<Vec<tenant::seats::SkuSeats>>,
    /// Users per SKU held, for the cost figures (empty unless asked for).
    pub(crate) holders: Vec<(String, u64)>,
}

/// Findings by position, then rule.
fn sort_findings(findings: &mut [Finding]) {
    findings.sort_by(|a, b| {
        (a.span.start, &a.rule, a.span.end).cmp(&(b.span.start, &b.rule, b.span.end))
    });
}

impl Policy {
    /// The embedded default policy: the 2017 SSPR matrix and the licensing rules.
    pub fn builtin() -> Result<Policy, Diagnostics> {
        compile::compile(&policies::default_sources())
    }

    /// The files of the embedded default policy, in order (what [`Policy::builtin`] compiles).
    pub fn default_sources() -> Vec<SourceFile> {
        policies::default_sources()
    }

    /// The policy files `--policy PATH…` names: the default policy's (unless `with_default`
    /// is false), then for each path: `builtin:NAME` an embedded file (one of the alternative
    /// SSPR matrices replaces the default one), a folder its `*.skuld` files (sorted), else the
    /// file itself.
    pub fn sources(paths: &[String], with_default: bool) -> Result<Vec<SourceFile>, Diagnostics> {
        policies::resolve(paths, with_default)
    }

    /// Compiles policy files into one policy (it must end up with at least one rule).
    pub fn from_sources(sources: &[SourceFile]) -> Result<Policy, Diagnostics> {
        compile::compile(sources)
    }

    /// The same policy evaluated on `today` (rules that count days from today), whatever
    /// `SKULD_TODAY` and the clock say.
    pub(crate) fn on(&self, today: date::Date) -> Policy {
        let mut dated = self.clone();
        dated.clock.today = Some(today);
        dated
    }

    /// The same policy evaluated on the day `YYYY-MM-DD` (what a policy test's `# today:`
    /// line does); `None` when `day` is not a date.
    pub fn on_day(&self, day: &str) -> Option<Policy> {
        date::Date::parse(day).map(|d| self.on(d))
    }

    /// Checks one tenant file with default limits: every finding, ordered by position.
    /// `Err` when the file cannot be read as a tenant (YAML syntax, schema, limits).
    pub fn check(&self, tenant: &SourceFile) -> Result<Vec<Finding>, Diagnostics> {
        self.check_with(tenant, &Limits::default())
    }

    /// [`Policy::check`] with explicit limits against hostile input.
    pub fn check_with(
        &self,
        tenant: &SourceFile,
        limits: &Limits,
    ) -> Result<Vec<Finding>, Diagnostics> {
        let doc = self.load_tenant(tenant, limits)?;
        Ok(self.evaluate(&doc))
    }

    /// [`Policy::check_with`] for many files on up to `jobs` threads (what `skuld check -j N`
    /// does); the results are in the order of `tenants`.
    pub fn check_all(
        &self,
        tenants: &[SourceFile],
        limits: &Limits,
        jobs: usize,
    ) -> Vec<Result<Vec<Finding>, Diagnostics>> {
        parallel::map(tenants, jobs, |t| self.check_with(t, limits))
            .into_iter()
            .zip(tenants)
            .map(|(r, t)| {
                // As `skuld check -j N` says it: a worker that died is a bug, not bad input.
                r.unwrap_or_else(|| {
                    Err(Diagnostics::single(inputs::ReadError {
                        path: t.name().to_owned(),
                        reason: "internal error: the check of this file did not finish".to_owned(),
                        help: Some(
                            "this is a bug in skuld; please report it with the file".to_owned(),
                        ),
                    }))
                })
            })
            .collect()
    }

    /// Evaluates a loaded tenant: every finding, ordered by position.
    pub fn check_tenant(&self, tenant: &Tenant) -> Vec<Finding> {
        self.evaluate(&tenant.doc)
    }

    /// The rule registry: every rule with its severity, docs and origin, then the built-in
    /// checks. Listings and rule id checks all read it.
    pub fn registry(&self) -> Registry<'_> {
        Registry::of(self)
    }

    /// The policy files it was compiled from.
    pub fn files(&self) -> &[SourceFile] {
        &self.files
    }

    /// Reads a tenant file, and holds its `features:` names against the features this policy
    /// declares (an undeclared one is a load error, with a did-you-mean).
    pub(crate) fn load_tenant(
        &self,
        tenant: &SourceFile,
        limits: &Limits,
    ) -> Result<tenant::TenantDocument, Diagnostics> {
        let doc = tenant::load(tenant, limits)?;
        tenant::features::check_declared(&doc, &self.catalog)?;
        Ok(doc)
    }

    /// Evaluates a loaded tenant document.
    pub(crate) fn evaluate(&self, doc: &tenant::TenantDocument) -> Vec<Finding> {
        self.evaluate_with_seats(doc).0
    }

    /// What `skuld check` runs per file: [`Policy::load_tenant`], then evaluation keeping at most
    /// `cap` findings per rule (the others only counted, so memory stays bounded on hostile
    /// input), the seat use, and per rule how many findings the cap left out.
    pub(crate) fn check_capped(
        &self,
        tenant: &SourceFile,
        limits: &tenant::Limits,
        cap: usize,
        with_holders: bool,
    ) -> Result<CheckedTenant, Diagnostics> {
        let doc = self.load_tenant(tenant, limits)?;
        Ok(self.check_loaded_capped(&doc, cap, with_holders))
    }

    /// [`Policy::check_capped`] of a document already loaded.
    pub(crate) fn check_loaded_capped(
        &self,
        doc: &tenant::TenantDocument,
        cap: usize,
        with_holders: bool,
    ) -> CheckedTenant {
        self.check_loaded_with_model(doc, cap, with_holders).0
    }

    /// [`Policy::check_loaded_capped`] with the model it derived (the language server keeps
    /// both, and explains a user on hover against that model).
    pub(crate) fn check_loaded_with_model<'d>(
        &self,
        doc: &'d tenant::TenantDocument,
        cap: usize,
        with_holders: bool,
    ) -> (CheckedTenant, TenantModel<'d>) {
        self.check_loaded_into(
            doc,
            diagnostics::finding::CappedFindings::new(cap),
            with_holders,
        )
    }

    /// `skuld diff`'s check of a loaded version: every finding, those past `cap` per rule light
    /// ([`Finding::is_light`]) to `detail`, and the users per SKU.
    pub(crate) fn check_loaded_light(
        &self,
        doc: &tenant::TenantDocument,
        cap: usize,
        detail: diagnostics::finding::Light,
    ) -> CheckedTenant {
        self.check_loaded_into(
            doc,
            diagnostics::finding::CappedFindings::new(cap).keeping_light(detail),
            true,
        )
        .0
    }

    fn check_loaded_into<'d>(
        &self,
        doc: &'d tenant::TenantDocument,
        mut sink: diagnostics::finding::CappedFindings,
        with_holders: bool,
    ) -> (CheckedTenant, TenantModel<'d>) {
        let model = TenantModel::derive_into(doc, &self.catalog, &mut sink);
        eval::evaluate(self, &model, &mut sink);
        let (mut findings, omitted) = sink.finish();
        sort_findings(&mut findings);
        let seats = tenant::seats::seats(&model, &self.catalog, self.clock.today());
        let holders = if with_holders {
            tenant::seats::holders(&model, &self.catalog)
        } else {
            Vec::new()
        };
        let checked = CheckedTenant {
            findings,
            omitted,
            seats,
            holders,
        };
        (checked, model)
    }

    fn evaluate_with_seats(
        &self,
        doc: &tenant::TenantDocument,
    ) -> (Vec<Finding>, Option<Vec<tenant::seats::SkuSeats>>) {
        let mut findings = Vec::new();
        let model = TenantModel::derive(doc, &self.catalog, &mut findings);
        eval::evaluate(self, &model, &mut findings);
        sort_findings(&mut findings);
        let seats = tenant::seats::seats(&model, &self.catalog, self.clock.today());
        (findings, seats)
    }

    /// The SKU catalog.
    pub(crate) fn catalog(&self) -> &compile::Catalog {
        &self.catalog
    }

    /// The rules, in declaration order.
    pub(crate) fn rules(&self) -> &[compile::ir::Rule] {
        &self.rules
    }

    #[cfg(test)]
    /// The name of capability `id` (an entry of [`compile::ir::Sku::grants`]).
    pub(crate) fn capability_name(&self, id: compile::ir::CapId) -> Option<&str> {
        self.capabilities.get(id as usize).map(|c| c.name.as_str())
    }
}

impl Diagnostics {
    /// Renders every diagnostic as plain text (miette's graphical report without colours,
    /// source snippets included), a blank line after each: what `skuld` prints on standard
    /// error.
    pub fn render(&self, out: &mut dyn io::Write) -> io::Result<()> {
        let mut text = String::new();
        for e in self.iter() {
            report::human::render_diagnostic(e.as_ref(), report::human::Style::plain(), &mut text);
            text.push('\n');
        }
        out.write_all(text.as_bytes())
    }
}

/// The outcome of checking tenant files against one policy, as `skuld check` reports it: add
/// each file's result, then render it in any [`Format`] and take its [`ExitStatus`].
#[derive(Debug)]
pub struct Report<'p> {
    rules: Registry<'p>,
    findings: Vec<Finding>,
    files: Vec<report::CheckedFile>,
    errors: Vec<(String, Diagnostics)>,
    edition: policies::PolicyEdition,
}

impl<'p> Report<'p> {
    /// An empty report for tenants checked against `policy`.
    pub fn new(policy: &'p Policy) -> Self {
        Report {
            rules: policy.registry(),
            findings: Vec::new(),
            files: Vec::new(),
            errors: Vec::new(),
            edition: policies::PolicyEdition::of(policy.files()),
        }
    }

    /// Adds the result of checking `tenant` ([`Policy::check`]): its findings, or the errors
    /// that stopped it.
    pub fn add(&mut self, tenant: &SourceFile, outcome: Result<Vec<Finding>, Diagnostics>) {
        let name = tenant.name().to_owned();
        let loaded = outcome.is_ok();
        match outcome {
            Ok(findings) => self.findings.extend(findings),
            Err(errors) => self.errors.push((name.clone(), errors)),
        }
        self.files.push(report::CheckedFile {
            name,
            loaded,
            seats: None,
            cost: None,
        });
    }

    /// How `skuld check` would end: [`ExitStatus::Error`] when a file could not be checked,
    /// else [`ExitStatus::Findings`] when there is an error finding, else
    /// [`ExitStatus::Clean`].
    pub fn status(&self) -> ExitStatus {
        triage::FailOn::Error.outcome(!self.errors.is_empty(), &self.findings)
    }

    /// Renders the report in `format` into `out`, as `skuld check --format FORMAT` prints it
    /// (the human format without colours, the files' errors first, as the command prints them
    /// on standard error).
    pub fn render(self, format: Format, out: &mut dyn io::Write) -> io::Result<()> {
        let style = report::human::Style::plain();
        if format == Format::Human {
            for (_, errors) in &self.errors {
                errors.render(out)?;
            }
        }
        let errors = self
            .errors
            .into_iter()
            .flat_map(|(file, errors)| {
                errors
                    .into_vec()
                    .into_iter()
                    .map(move |report| report::RunError {
                        file: Some(file.clone()),
                        report,
                    })
            })
            .collect();
        let run = report::Run {
            rules: &self.rules,
            findings: self.findings,
            files: self.files,
            errors,
            waived: Vec::new(),
            known: None,
            notes: Vec::new(),
            root: None,
            docs_url: None,
            overrides: Vec::new(),
            config: None,
            policy: self.edition,
            omitted: Vec::new(),
            view: report::View::default(),
        };
        out.write_all(report::render(format, &run, style).as_bytes())
    }
}
