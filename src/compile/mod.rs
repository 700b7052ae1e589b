//! Stage 2: the ASTs of all policy files → one checked, name-resolved [`Policy`].
//!
//! Files compose: declarations from every file share one namespace, so a user's file can declare
//! a new SKU, or `grant` a capability to an existing one, without copying the default policy.
//! Every error of every file is reported at once.
//!
//! One file per stage: `declare` (the namespace), `sets` (set resolution), `grants`, `rules`
//! (each rule's parts) and `expr` (type checking of expressions).

mod declare;
mod error;
mod expr;
mod features;
mod grants;
pub mod ir;
pub mod lint;
mod rules;
mod sets;
mod types;

use std::collections::HashMap;

pub use error::{CompileError, CompileErrorKind};
pub use ir::{Catalog, Policy, Severity};

use crate::diagnostics::Diagnostics;
use crate::source::SourceFile;
use crate::syntax::{self, ast};
use ir::{CapId, Capability, Origin, SkuId};

/// Budgets for compiling policies: a policy comes from files anyone can put in a pull request,
/// so how much of it is read is bounded. Exceeding one is a diagnostic
/// (`skuld::policy::too-many-files`, `…::too-many-rules`, `…::too-large`), never a crash.
/// How deep one file may nest is fixed ([`syntax::MAX_DEPTH`], `skuld::policy::too-deep`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyLimits {
    /// Most policy files in one policy, the embedded default ones included.
    pub max_files: usize,
    /// Most rules over all files, the default policy's included.
    pub max_rules: usize,
    /// Largest policy file, in bytes (checked before parsing).
    pub max_file_bytes: usize,
}

impl Default for PolicyLimits {
    /// 1,000 files, 10,000 rules, 16 MiB per file: far beyond any real policy (the default one
    /// is 3 files, 14 rules, 20 KB).
    fn default() -> Self {
        PolicyLimits {
            max_files: 1_000,
            max_rules: 10_000,
            max_file_bytes: 16 * 1024 * 1024,
        }
    }
}

/// Parses and checks policy files into one policy, with the default [`PolicyLimits`]. The policy
/// must end up with at least one rule.
pub fn compile(files: &[SourceFile]) -> Result<Policy, Diagnostics> {
    compile_with_limits(files, &PolicyLimits::default())
}

/// [`compile`] with explicit budgets.
pub fn compile_with_limits(
    files: &[SourceFile],
    limits: &PolicyLimits,
) -> Result<Policy, Diagnostics> {
    compile_inner(files, limits, None).map(|(policy, _)| policy)
}

/// What `skuld eval` binds on the command line: a variable and the kind of entity it names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Binder {
    /// `--user UPN`
    User,
    /// `--group NAME`
    Group,
    /// `--subscription SKU`
    Subscription,
}

/// An expression to check against the names of a policy (`skuld eval`).
pub struct ExpressionQuery<'q> {
    /// The expression's text (diagnostics point into it).
    pub source: &'q SourceFile,
    /// The expression as parsed from `source`.
    pub expr: &'q ast::Expr,
    /// Variables the command line binds, in slot order.
    pub binders: &'q [(&'q str, Binder)],
    /// Whether a tenant file is given: without one, `tenant`, `users`, `groups`,
    /// `subscriptions` and `assignments` are errors (`skus`, the catalog, is not).
    pub tenant: bool,
    /// Names a flag would bind, with the help an unknown one gets (`u`: "bind it with --user").
    pub unbound: &'q [(&'q str, String)],
}

/// An expression checked against a policy: the IR, its type, and how many variable slots
/// evaluating it needs (the binders first).
#[derive(Debug)]
pub struct CheckedExpression {
    /// The expression, names resolved.
    pub expr: ir::Expr,
    /// Its type, as messages name types (`list of SKU`).
    pub ty: String,
    /// Variable slots: the binders', then the quantifiers'.
    pub slots: usize,
}

/// Compiles the policy `files` and checks `query` against its names: the policy is compiled
/// once, whole (a policy with errors is an error here too), and a policy without rules is
/// accepted (its names are what an expression needs).
pub fn compile_expression(
    files: &[SourceFile],
    query: &ExpressionQuery<'_>,
) -> Result<(Policy, CheckedExpression), Diagnostics> {
    let (policy, checked) = compile_inner(files, &PolicyLimits::default(), Some(query))?;
    match checked {
        Some(c) => Ok((policy, c)),
        None => Err(Diagnostics::new(Vec::new())),
    }
}

fn compile_inner(
    files: &[SourceFile],
    limits: &PolicyLimits,
    query: Option<&ExpressionQuery<'_>>,
) -> Result<(Policy, Option<CheckedExpression>), Diagnostics> {
    if files.len() > limits.max_files {
        return Err(Diagnostics::single(
            CompileError::new(
                CompileErrorKind::TooManyFiles,
                format!(
                    "the policy has {} files, over the limit of {}",
                    files.len(),
                    limits.max_files
                ),
            )
            .help(Some(
                "check the `--policy` arguments: a folder of policies is read recursively"
                    .to_owned(),
            )),
        ));
    }
    let mut parse_errors = Vec::new();
    let mut asts = Vec::new();
    for file in files {
        let size = file.text().len();
        if size > limits.max_file_bytes {
            parse_errors.push(miette::Report::new(
                CompileError::new(
                    CompileErrorKind::TooLarge,
                    format!(
                        "the policy file {} is {size} bytes, over the limit of {} bytes",
                        file.name(),
                        limits.max_file_bytes
                    ),
                )
                .help(Some(
                    "check that this is the policy file you meant; policy files are small"
                        .to_owned(),
                )),
            ));
            continue;
        }
        match syntax::parse(file) {
            Ok(ast) => asts.push(ast),
            Err(d) => parse_errors.extend(d.into_vec()),
        }
    }
    if !parse_errors.is_empty() {
        return Err(Diagnostics::new(parse_errors));
    }
    if let Some(e) = too_many_rules(files, &asts, limits.max_rules) {
        return Err(Diagnostics::single(e));
    }
    // The expression's text is one more file, for its diagnostics; it is not parsed as policy.
    let mut all_files = files.to_vec();
    if let Some(q) = query {
        all_files.push(q.source.clone());
    }
    let mut checker = Checker {
        files: &all_files,
        expression: None,
        errors: Vec::new(),
        skus: Vec::new(),
        sku_index: HashMap::new(),
        sku_decls: Vec::new(),
        plan_index: HashMap::new(),
        caps: Vec::new(),
        cap_index: HashMap::new(),
        sets: HashMap::new(),
        rules: Vec::new(),
        rule_index: HashMap::new(),
        set_depth: 0,
        set_too_deep: false,
        features: Vec::new(),
        feature_index: HashMap::new(),
        suggestions_left: MAX_SUGGESTIONS,
    };
    checker.declare(&asts);
    checker.grant(&asts);
    checker.includes(&asts);
    checker.check_rules(&asts);
    let checked = query.and_then(|q| checker.check_query(q, files.len()));
    if checker.rules.is_empty() && checker.errors.is_empty() && query.is_none() {
        let names: Vec<&str> = files.iter().map(SourceFile::name).collect();
        checker.errors.push(
            CompileError::new(
                CompileErrorKind::NoRules,
                format!("the policy has no rules (files: {})", names.join(", ")),
            )
            .help(Some(
                "a policy without rules checks nothing; drop `--no-default-policy` or add a `rule`"
                    .to_owned(),
            )),
        );
    }
    if !checker.errors.is_empty() {
        return Err(Diagnostics::new(
            checker
                .errors
                .into_iter()
                .map(miette::Report::new)
                .collect(),
        ));
    }
    let Checker {
        skus,
        caps,
        rules,
        features,
        ..
    } = checker;
    let by_part = skus
        .iter()
        .enumerate()
        .map(|(i, s)| (s.part.clone(), i as SkuId))
        .collect();
    let mut by_guid = ir::NameIndex::default();
    for (i, s) in skus.iter().enumerate() {
        for g in &s.guids {
            by_guid.entry(g.clone()).or_insert(i as SkuId);
        }
    }
    let policy = Policy {
        files: files.to_vec(),
        catalog: Catalog {
            skus,
            by_part,
            by_guid,
            features,
        },
        capabilities: caps,
        rules,
        clock: ir::Clock::default(),
    };
    Ok((policy, checked))
}

/// An error at the first rule past `max_rules` (counted over all files, in order), if any.
fn too_many_rules(
    files: &[SourceFile],
    asts: &[ast::File],
    max_rules: usize,
) -> Option<CompileError> {
    let total: usize = asts
        .iter()
        .map(|a| {
            a.items
                .iter()
                .filter(|i| matches!(i, ast::Item::Rule(_)))
                .count()
        })
        .sum();
    if total <= max_rules {
        return None;
    }
    let (file, rule) = files
        .iter()
        .zip(asts)
        .flat_map(|(f, a)| {
            a.items.iter().filter_map(move |i| match i {
                ast::Item::Rule(r) => Some((f, r)),
                _ => None,
            })
        })
        .nth(max_rules)?;
    Some(
        CompileError::new(
            CompileErrorKind::TooManyRules,
            format!("the policy has {total} rules, over the limit of {max_rules}"),
        )
        .at(file, rule.id.span, "the first rule over the limit")
        .help(Some(
            "check that the policy files are the ones you meant; no real policy has this many rules"
                .to_owned(),
        )),
    )
}

/// A set as declared, resolved lazily (sets may name other sets).
struct SetEntry<'a> {
    decl: &'a ast::SetDecl,
    file: usize,
    resolved: Option<SetValue>,
    resolving: bool,
}

#[derive(Clone)]
enum SetValue {
    Skus(Vec<SkuId>),
    Caps(Vec<CapId>),
}

/// What checking a `skuld eval` expression changes in name look-up.
struct ExpressionContext<'a> {
    tenant: bool,
    unbound: &'a [(&'a str, String)],
}

struct Checker<'a> {
    files: &'a [SourceFile],
    /// Set while checking the expression of `skuld eval` (after the policy's own rules).
    expression: Option<ExpressionContext<'a>>,
    errors: Vec<CompileError>,
    skus: Vec<ir::Sku>,
    sku_index: HashMap<String, SkuId>,
    /// Per SKU: its `sku` and its `product` declaration (at most one of each).
    sku_decls: Vec<SkuDecls>,
    /// Service plan → the SKUs that include it (built after pass 1).
    plan_index: HashMap<String, Vec<SkuId>>,
    caps: Vec<Capability>,
    cap_index: HashMap<String, CapId>,
    sets: HashMap<String, SetEntry<'a>>,
    rules: Vec<ir::Rule>,
    rule_index: HashMap<String, Origin>,
    /// How many sets are being resolved, one inside the other (sets naming sets recurse).
    set_depth: usize,
    /// Whether a chain of sets past [`syntax::MAX_DEPTH`] has been reported (once is enough).
    set_too_deep: bool,
    /// `feature` declarations (see `features.rs`).
    features: Vec<ir::Feature>,
    feature_index: HashMap<String, ir::FeatureId>,
    /// Did-you-mean look-ups left (see [`Checker::may_suggest`]).
    suggestions_left: u32,
}

/// Most unknown names of one compilation that get a did-you-mean: each look-up scans the
/// catalog's thousands of names, and a hostile policy with 10,000 unknown names must not make
/// that quadratic.
const MAX_SUGGESTIONS: u32 = 100;

impl Checker<'_> {
    /// Whether an unknown name may still look for a suggestion (counts the look-up).
    fn may_suggest(&mut self) -> bool {
        let left = self.suggestions_left;
        self.suggestions_left = left.saturating_sub(1);
        left > 0
    }
}

/// The declarations of one SKU: a hand-written `sku` and a generated `product` may both declare
/// it, and merge.
#[derive(Clone, Copy, Default)]
struct SkuDecls {
    sku: Option<Origin>,
    product: Option<Origin>,
    /// `paid` (true) or `free` (false) as the `sku` and the `product` say; the `sku` wins.
    sku_paid: Option<bool>,
    product_paid: Option<bool>,
}

/// What a name in a SKU list, set or grant refers to.
enum Named {
    Sku(SkuId),
    Cap(CapId),
    Set(SetValue),
}

impl<'a> Checker<'a> {
    fn file(&self, index: usize) -> &'a SourceFile {
        let files: &'a [SourceFile] = self.files;
        #[expect(
            clippy::indexing_slicing,
            reason = "file indices come from enumerating `files`"
        )]
        &files[index]
    }

    fn error(&mut self, e: CompileError) {
        self.errors.push(e);
    }

    fn duplicate(&mut self, what: &str, name: &ast::Name, file: usize, first: Origin) {
        let e = CompileError::new(
            CompileErrorKind::Duplicate,
            format!("{what} `{}` is declared twice", name.text),
        )
        .at(self.file(file), name.span, "declared again here")
        .also(self.file(first.file), first.span, "first declared here")
        .help(Some(match what {
            "SKU" => format!(
                "remove one of the declarations; to add capabilities to an existing SKU, write `grant CAPABILITY to {}`",
                name.text
            ),
            "rule" => "rule ids are unique across all policy files; give the new rule an id of its own (e.g. `acme/…`)".to_owned(),
            _ => "remove one of the declarations".to_owned(),
        }));
        self.error(e);
    }
}
