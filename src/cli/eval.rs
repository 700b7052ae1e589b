//! `skuld eval EXPR [TENANT] [--user UPN]`: a policy expression evaluated on a tenant (or alone,
//! when it needs none), as a policy author tries a condition before writing the rule around it.
//! The names come from the policy in force (the config's `policies:`, `--policy`), read through
//! the one config loader; parse and name errors point into EXPR.

use std::io::{self, IsTerminal, Write};
use std::path::PathBuf;

use clap::{Args, ValueEnum};
use miette::Diagnostic;
use thiserror::Error;

use super::settings::{self, BadToday};
use super::{ColorArg, ExitStatus, PolicyArgs};
use crate::compile::{Binder, ExpressionQuery, compile_expression};
use crate::diagnostics::Diagnostics;
use crate::diagnostics::suggest::did_you_mean;
use crate::eval::query::{NotFound, evaluate_expression};
use crate::source::SourceFile;
use crate::tenant::Limits;

pub(super) const AFTER_HELP: &str = "\
Examples:
  skuld eval 'count(sspr_cloud.skus)'
  skuld eval '[SPE_E3, EMS]'
  skuld eval 'count(u in users: u.synced)' examples/clean.yaml
  skuld eval 'any(l in u.licenses: sspr_cloud in l.grants)' examples/clean.yaml --user adele.vance@contoso.com
  skuld eval 'g.members' examples/clean.yaml --group Sales --format json
  skuld eval 's.used <= s.seats' examples/clean.yaml --subscription ENTERPRISEPACK

Names: variables bound by --user (u), --group (g) and --subscription (s); then `tenant`,
`users`, `groups`, `subscriptions`, `assignments` (these need TENANT), `skus`; then the
capabilities, features, sets and SKUs of the policy in force (.skuld.yaml's `policies:`,
--policy). docs/language.md lists the fields.

Exit status: 0 the expression was evaluated, 2 it could not be (syntax, unknown name, type, a
tenant or binding that cannot be read).";

/// The name `skuld eval` diagnostics give the expression's text.
const EXPRESSION_NAME: &str = "<expression>";

#[derive(Debug, Args)]
pub(super) struct EvalArgs {
    /// A policy expression, e.g. 'count(u in users: u.synced)' (quote it for the shell)
    #[arg(value_name = "EXPR")]
    expression: String,
    /// Tenant file to evaluate it on (`-` for standard input); without one, only constants, the
    /// catalog (`skus`) and the policy's names can be evaluated
    #[arg(value_name = "TENANT")]
    tenant: Option<PathBuf>,
    /// Bind `u` to this user (UPN) of the tenant
    #[arg(long = "user", value_name = "UPN", requires = "tenant")]
    user: Option<String>,
    /// Bind `g` to this group (name) of the tenant
    #[arg(long = "group", value_name = "NAME", requires = "tenant")]
    group: Option<String>,
    /// Bind `s` to the tenant's subscription of this SKU (part number)
    #[arg(long = "subscription", value_name = "SKU", requires = "tenant")]
    subscription: Option<String>,
    /// Output format
    #[arg(long, value_enum, default_value_t = EvalFormat::Human)]
    format: EvalFormat,
    #[command(flatten)]
    policy: PolicyArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum EvalFormat {
    /// The value and the values of its parts
    Human,
    /// One JSON document: expression, type, value (as data), text, parts, bindings
    Json,
}

/// The variables the command line can bind: the variable, its flag, and what it names.
const BINDERS: [(&str, &str, Binder); 3] = [
    ("u", "--user UPN", Binder::User),
    ("g", "--group NAME", Binder::Group),
    ("s", "--subscription SKU", Binder::Subscription),
];

/// A `--user`, `--group` or `--subscription` the tenant does not have.
#[derive(Debug, Error, Diagnostic)]
#[error("the tenant `{file}` has no {what} `{value}`")]
#[diagnostic(code("skuld::eval::unknown-binding"))]
struct UnknownBinding {
    file: String,
    what: &'static str,
    value: String,
    #[help]
    help: String,
}

pub(super) fn run(
    args: &EvalArgs,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> io::Result<ExitStatus> {
    let style = super::style_for(ColorArg::Auto, io::stderr().is_terminal());
    let fail = |errors: &Diagnostics, stderr: &mut dyn Write| -> io::Result<ExitStatus> {
        super::print_errors(errors, style, stderr)?;
        Ok(ExitStatus::Error)
    };
    let stopped = "nothing was evaluated";
    let Some((paths, sources)) =
        settings::policy_sources(&args.policy.flags(), stopped, style, stderr)?
    else {
        return Ok(ExitStatus::Error);
    };
    let source = SourceFile::new(EXPRESSION_NAME, args.expression.clone());
    let ast = match crate::syntax::parse_expression(&source) {
        Ok(ast) => ast,
        Err(e) => return fail(&e, stderr),
    };
    let given = [
        args.user.as_deref(),
        args.group.as_deref(),
        args.subscription.as_deref(),
    ];
    let mut binders = Vec::new();
    let mut bindings = Vec::new();
    let mut unbound = Vec::new();
    for ((name, flag, binder), value) in BINDERS.into_iter().zip(given) {
        match value {
            Some(v) => {
                binders.push((name, binder));
                bindings.push((name, binder, v));
            }
            None => unbound.push((
                name,
                format!("`{name}` is bound by `{flag}` (with a tenant file)"),
            )),
        }
    }
    let query = ExpressionQuery {
        source: &source,
        expr: &ast,
        binders: &binders,
        tenant: args.tenant.is_some(),
        unbound: &unbound,
    };
    let (mut policy, checked) = match compile_expression(&sources, &query) {
        Ok(x) => x,
        Err(e) => return fail(&e, stderr),
    };
    let today = match crate::date::Date::today() {
        Ok(d) => d,
        Err(value) => return fail(&Diagnostics::single(BadToday { value }), stderr),
    };
    policy.clock = crate::compile::ir::Clock {
        today: Some(today),
        inactive_days: paths
            .config
            .inactive_days
            .unwrap_or(crate::compile::ir::DEFAULT_INACTIVE_DAYS),
    };
    let limits = Limits::default();
    // Without a tenant the expression reads none of it (the compiler refused `tenant`, `users`
    // …), so an empty one stands in.
    let tenant = match &args.tenant {
        Some(path) => {
            super::read_source(path, limits.max_file_bytes).map_err(|e| Diagnostics::new(vec![e]))
        }
        None => Ok(SourceFile::new("(no tenant)", "tenant: none\n")),
    };
    let doc = match tenant.and_then(|s| policy.load_tenant(&s, &limits)) {
        Ok(doc) => doc,
        Err(e) => return fail(&e, stderr),
    };
    let evaluation = match evaluate_expression(&policy, &doc, &checked, &source, &ast, &bindings) {
        Ok(x) => x,
        Err(missing) => {
            let e = unknown_binding(doc.source.name(), missing);
            return fail(&Diagnostics::single(e), stderr);
        }
    };
    let text = match args.format {
        EvalFormat::Human => crate::report::explain::expression(
            &evaluation,
            args.tenant.as_ref().map(|_| doc.source.name()),
        ),
        EvalFormat::Json => {
            let mut s = serde_json::to_string_pretty(&evaluation).unwrap_or_default();
            s.push('\n');
            s
        }
    };
    let syntax = match args.format {
        EvalFormat::Human => crate::report::neutral::Syntax::Text,
        EvalFormat::Json => crate::report::neutral::Syntax::Json,
    };
    let text = crate::report::neutral::neutralise(&text, syntax);
    stdout.write_all(text.as_bytes())?;
    stdout.flush()?;
    Ok(ExitStatus::Clean)
}

fn unknown_binding(file: &str, missing: NotFound) -> UnknownBinding {
    let what = match missing.binder {
        Binder::User => "user",
        Binder::Group => "group",
        Binder::Subscription => "subscription of the SKU",
    };
    let fallback = match missing.binder {
        Binder::User => "name a `upn` of the tenant file's `users`",
        Binder::Group => "name a group of the tenant file's `groups`",
        Binder::Subscription => "name the `sku` of an entry of the tenant file's `subscriptions`",
    };
    UnknownBinding {
        file: file.to_owned(),
        what,
        help: did_you_mean(
            &missing.value,
            missing.candidates.iter().map(String::as_str),
        )
        .unwrap_or_else(|| fallback.to_owned()),
        value: missing.value,
    }
}
