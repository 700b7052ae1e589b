//! `skuld explain TENANT --user UPN`: renders [`crate::eval::explain`] for a person or as JSON.

use std::io::{self, IsTerminal, Write};
use std::path::Path;

use clap::{Args, ValueEnum};
use miette::Diagnostic;
use thiserror::Error;

use super::{ColorArg, ExitStatus, PolicyArgs, UnknownRule};
use crate::diagnostics::Diagnostics;
use crate::diagnostics::suggest::did_you_mean;
use crate::eval::explain::explain_user;
use crate::tenant::Limits;

pub(super) const AFTER_HELP: &str = "\
Examples:
  skuld explain sspr/cloud-user-license
  skuld explain examples/clean.yaml --user patti.fernandez@contoso.com
  skuld explain examples/clean.yaml --user lee.gu@contoso.com --rule licensing/usage-location
  skuld explain examples/clean.yaml --user lee.gu@contoso.com --format json";

#[derive(Debug, Args)]
pub(super) struct UserArgs {
    /// Explain how skuld sees this user (UPN) of the tenant file: licences and their sources,
    /// usage location, SSPR scope, and each rule's verdict
    #[arg(long = "user", value_name = "UPN")]
    upn: Option<String>,
    /// With --user: only this rule's verdict
    #[arg(
        long = "rule",
        id = "only_rule",
        value_name = "RULE-ID",
        requires = "upn"
    )]
    rule: Option<String>,
    /// With --user: output format
    #[arg(long, value_enum, default_value_t = ExplainFormat::Human, requires = "upn")]
    format: ExplainFormat,
}

impl UserArgs {
    pub(super) fn upn(&self) -> Option<&str> {
        self.upn.as_deref()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ExplainFormat {
    /// Text for a person
    Human,
    /// One JSON document
    Json,
}

/// A UPN the tenant does not have.
#[derive(Debug, Error, Diagnostic)]
#[error("the tenant `{file}` has no user `{upn}`")]
#[diagnostic(code("skuld::explain::unknown-user"))]
struct UnknownUser {
    file: String,
    upn: String,
    #[help]
    help: String,
}

/// `skuld explain TENANT` without `--user`.
#[derive(Debug, Error, Diagnostic)]
#[error("`skuld explain {file}` needs `--user UPN`: `{file}` is a tenant file, not a rule id")]
#[diagnostic(
    code("skuld::usage"),
    help("for example `skuld explain {file} --user someone@contoso.com`")
)]
struct MissingUser {
    file: String,
}

/// True when `explain`'s argument names a tenant file rather than a rule id.
pub(super) fn looks_like_tenant(arg: &str) -> bool {
    let p = Path::new(arg);
    p.is_file()
        || p.extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("yaml") || e.eq_ignore_ascii_case("yml"))
}

pub(super) fn missing_user(file: &str, stderr: &mut dyn Write) -> io::Result<ExitStatus> {
    let style = super::style_for(ColorArg::Auto, io::stderr().is_terminal());
    super::print_reports(
        [&miette::Report::new(MissingUser {
            file: file.to_owned(),
        })],
        style,
        stderr,
    )?;
    Ok(ExitStatus::Error)
}

pub(super) fn run(
    tenant: &Path,
    args: &UserArgs,
    policy: &PolicyArgs,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> io::Result<ExitStatus> {
    let style = super::style_for(ColorArg::Auto, io::stderr().is_terminal());
    let Some(upn) = args.upn() else {
        return Ok(ExitStatus::Error);
    };
    let Some(policy) = super::policy_or_report(policy, "no user was explained", stderr)? else {
        return Ok(ExitStatus::Error);
    };
    if let Some(id) = &args.rule
        && let Err(unknown) = policy.registry().lookup(id)
    {
        let e = UnknownRule {
            id: id.clone(),
            help: unknown.help("`skuld rules` lists the rules"),
        };
        super::print_errors(&Diagnostics::single(e), style, stderr)?;
        return Ok(ExitStatus::Error);
    }
    let limits = Limits::default();
    let doc = match super::read_source(tenant, limits.max_file_bytes)
        .map_err(|e| Diagnostics::new(vec![e]))
        .and_then(|s| policy.load_tenant(&s, &limits))
    {
        Ok(doc) => doc,
        Err(errors) => {
            super::print_errors(&errors, style, stderr)?;
            return Ok(ExitStatus::Error);
        }
    };
    let explanation = match explain_user(&policy, &doc, upn, args.rule.as_deref()) {
        Ok(x) => x,
        Err(upns) => {
            let e = UnknownUser {
                file: doc.source.name().to_owned(),
                upn: upn.to_owned(),
                help: did_you_mean(upn, upns.iter().map(String::as_str))
                    .unwrap_or_else(|| "name a `upn` of the tenant file's `users`".to_owned()),
            };
            super::print_errors(&Diagnostics::single(e), style, stderr)?;
            return Ok(ExitStatus::Error);
        }
    };
    use crate::report::neutral::{self, Syntax};
    let (text, syntax) = match args.format {
        ExplainFormat::Human => (
            crate::report::explain::user(&explanation, doc.source.name()),
            Syntax::Text,
        ),
        ExplainFormat::Json => {
            let mut s = serde_json::to_string_pretty(&explanation).unwrap_or_default();
            s.push('\n');
            (s, Syntax::Json)
        }
    };
    // The tenant's values are in it: no line may steer a CI runner (issue 23).
    neutral::write(stdout, &text, syntax)?;
    stdout.flush()?;
    Ok(ExitStatus::Clean)
}
