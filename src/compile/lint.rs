//! Static analysis of a policy without a tenant (`skuld check-policy`): things that compile but
//! cannot be what the author meant. Runs on a policy that compiles, over the ASTs (for spans and
//! references) and the compiled catalog (for what each SKU grants after every `grant`).

use std::collections::{HashMap, HashSet};
use std::fmt;

use miette::{Diagnostic, LabeledSpan};

use super::Policy;
use crate::diagnostics::Diagnostics;
use crate::diagnostics::Severity;
use crate::source::{SourceFile, Span};
use crate::syntax::{self, ast};

/// What a [`Lint`] is about; each kind has a stable code and a fixed severity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum LintKind {
    /// A capability no SKU grants, that a rule tests: the rule can never be satisfied (error).
    UngrantedCapability,
    /// A capability no rule uses, or that no SKU grants and no rule tests (warning).
    UnusedCapability,
    /// A set that no rule, grant or other set names (warning).
    UnusedSet,
    /// A paid SKU that grants no capability any rule tests (or none at all): no capability
    /// check of the rules can pass with it (warning).
    PaidSkuGrantsNothing,
    /// Two SKUs whose part numbers differ only in case, or that share a product id (error).
    DuplicatePartNumber,
    /// A rule whose `require` is always true, or whose `where` is always false: it never fires
    /// (warning).
    NeverFires,
    /// A rule whose `require` is always false: it fires for every element (warning).
    AlwaysFires,
}

impl LintKind {
    /// The stable diagnostic code.
    pub fn code(self) -> &'static str {
        match self {
            LintKind::UngrantedCapability => "skuld::lint::ungranted-capability",
            LintKind::UnusedCapability => "skuld::lint::unused-capability",
            LintKind::UnusedSet => "skuld::lint::unused-set",
            LintKind::PaidSkuGrantsNothing => "skuld::lint::paid-sku-grants-nothing",
            LintKind::DuplicatePartNumber => "skuld::lint::duplicate-part-number",
            LintKind::NeverFires => "skuld::lint::never-fires",
            LintKind::AlwaysFires => "skuld::lint::always-fires",
        }
    }

    /// How serious it is.
    pub fn severity(self) -> Severity {
        match self {
            LintKind::UngrantedCapability | LintKind::DuplicatePartNumber => Severity::Error,
            LintKind::UnusedCapability
            | LintKind::UnusedSet
            | LintKind::PaidSkuGrantsNothing
            | LintKind::NeverFires
            | LintKind::AlwaysFires => Severity::Warning,
        }
    }
}

/// One finding of the static analysis, pointing into a policy file.
#[derive(Debug, Clone)]
pub struct Lint {
    /// What it is about.
    pub kind: LintKind,
    message: String,
    file: SourceFile,
    labels: Vec<(Span, String)>,
    help: String,
}

impl fmt::Display for Lint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Lint {}

impl Diagnostic for Lint {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.kind.code()))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.kind.severity() {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
        })
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(&self.help))
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        Some(&self.file)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        Some(Box::new(self.labels.iter().enumerate().map(
            |(i, (span, text))| {
                let span: miette::SourceSpan = (*span).into();
                if i == 0 {
                    LabeledSpan::new_primary_with_span(Some(text.clone()), span)
                } else {
                    LabeledSpan::new_with_span(Some(text.clone()), span)
                }
            },
        )))
    }
}

/// A name declared in a file.
struct Decl<'a> {
    file: &'a SourceFile,
    span: Span,
}

/// Compiles `sources` and analyses them. `Err` when the policy does not compile (nothing to
/// analyse); otherwise the lints, in file order then position.
pub fn lint(sources: &[SourceFile]) -> Result<Vec<Lint>, Diagnostics> {
    let policy = Policy::from_sources(sources)?;
    let mut files = Vec::with_capacity(sources.len());
    for s in sources {
        files.push((s, syntax::parse(s)?));
    }
    Ok(analyse(&policy, &files))
}

fn analyse(policy: &Policy, files: &[(&SourceFile, ast::File)]) -> Vec<Lint> {
    let mut lints = Vec::new();
    let mut capabilities: Vec<(&str, Decl<'_>)> = Vec::new();
    let mut sets: Vec<(&ast::SetDecl, Decl<'_>)> = Vec::new();
    let mut skus: Vec<(&ast::SkuDecl, &SourceFile)> = Vec::new();
    // Names a rule's expressions mention, and names grants and sets mention.
    let mut in_rules: HashSet<&str> = HashSet::new();
    let mut in_decls: HashSet<&str> = HashSet::new();
    for (file, ast) in files {
        for item in &ast.items {
            match item {
                ast::Item::Capability(c) => capabilities.push((
                    &c.name.text,
                    Decl {
                        file,
                        span: c.name.span,
                    },
                )),
                ast::Item::Sku(s) => {
                    skus.push((s, file));
                    for a in &s.attrs {
                        match a {
                            ast::SkuAttr::Grants(names) => {
                                in_decls.extend(names.iter().map(|n| n.text.as_str()));
                            }
                            ast::SkuAttr::Paid(_)
                            | ast::SkuAttr::Free(_)
                            | ast::SkuAttr::Family(_)
                            | ast::SkuAttr::Id(_)
                            | ast::SkuAttr::UnavailableIn(_)
                            | ast::SkuAttr::Plans(_) => {}
                        }
                    }
                }
                ast::Item::Set(s) => {
                    in_decls.extend(s.members.iter().map(|n| n.text.as_str()));
                    sets.push((
                        s,
                        Decl {
                            file,
                            span: s.name.span,
                        },
                    ));
                }
                ast::Item::Grant(g) => {
                    in_decls.extend(g.capabilities.iter().map(|n| n.text.as_str()));
                    in_decls.extend(g.targets.iter().map(|n| n.text.as_str()));
                }
                ast::Item::Rule(r) => {
                    rule_names(r, &mut in_rules);
                    constant_rule(r, file, &mut lints);
                }
                ast::Item::Includes(i) => {
                    in_decls.insert(i.sku.text.as_str());
                    in_decls.extend(i.included.iter().map(|n| n.text.as_str()));
                }
                ast::Item::Feature(_) | ast::Item::Placeholder(_) => {}
            }
        }
    }

    // A capability a rule reaches through a set counts as used by the rule.
    let set_members: HashMap<&str, &ast::SetDecl> = sets
        .iter()
        .map(|(s, _)| (s.name.text.as_str(), *s))
        .collect();
    let mut used_by_rules: HashSet<&str> = HashSet::new();
    let mut stack: Vec<&str> = in_rules.iter().copied().collect();
    while let Some(n) = stack.pop() {
        if used_by_rules.insert(n)
            && let Some(set) = set_members.get(n)
        {
            stack.extend(set.members.iter().map(|m| m.text.as_str()));
        }
    }

    for (name, decl) in &capabilities {
        let granted = policy
            .capabilities
            .iter()
            .find(|c| c.name == *name)
            .is_some_and(|c| !c.skus.is_empty());
        let used = used_by_rules.contains(name);
        let lint = match (granted, used) {
            (true, true) => continue,
            (false, true) => Lint {
                kind: LintKind::UngrantedCapability,
                message: format!("no SKU grants capability `{name}`, but rules test it"),
                file: decl.file.clone(),
                labels: vec![(decl.span, "granted by no SKU".to_owned())],
                help: format!(
                    "a rule that requires `{name}` can never be satisfied; add `grant {name} to SKU` for the SKUs that include it"
                ),
            },
            (granted, false) => Lint {
                kind: LintKind::UnusedCapability,
                message: if granted {
                    format!("capability `{name}` is granted but no rule tests it")
                } else {
                    format!("capability `{name}` is granted by no SKU and tested by no rule")
                },
                file: decl.file.clone(),
                labels: vec![(decl.span, "not used by any rule".to_owned())],
                help: "write a rule that tests it (e.g. `any(l in u.licenses: CAP in l.grants)`), or remove it".to_owned(),
            },
        };
        lints.push(lint);
    }

    for (set, decl) in &sets {
        let name = set.name.text.as_str();
        if !in_rules.contains(name) && !in_decls.contains(name) {
            lints.push(Lint {
                kind: LintKind::UnusedSet,
                message: format!("set `{name}` is not used"),
                file: decl.file.clone(),
                labels: vec![(decl.span, "named by no rule, grant or set".to_owned())],
                help: format!("use it in a `grant … to {name}` or a rule, or remove it"),
            });
        }
    }

    // Part number or product id → the first SKU with it and where it stands.
    let mut seen: HashMap<(&str, String), (String, String)> = HashMap::new();
    for (sku, file) in &skus {
        let part = sku.part.text.as_str();
        let compiled = policy
            .catalog
            .get(part)
            .and_then(|id| policy.catalog.sku(id));
        // Only a hand-written `sku` is asked to grant something: a `product` states a fact of
        // Microsoft's table (most of its SKUs are outside what the shipped rules are about).
        if let Some(s) = compiled
            && s.paid
            && !sku.product
        {
            let grants: Vec<&str> = s
                .grants
                .iter()
                .filter_map(|&c| policy.capabilities.get(c as usize))
                .map(|c| c.name.as_str())
                .collect();
            if !grants.iter().any(|g| used_by_rules.contains(g)) {
                let (message, label) = if grants.is_empty() {
                    (
                        format!("paid SKU `{part}` grants no capability"),
                        "grants nothing".to_owned(),
                    )
                } else {
                    (
                        format!(
                            "paid SKU `{part}` grants only capabilities no rule tests: {}",
                            grants.join(", ")
                        ),
                        "grants nothing rules test".to_owned(),
                    )
                };
                lints.push(Lint {
                    kind: LintKind::PaidSkuGrantsNothing,
                    message,
                    file: (*file).clone(),
                    labels: vec![(sku.part.span, label)],
                    help: format!(
                        "users holding only `{part}` fail every capability check of the rules; grant it a capability rules test (`grant CAPABILITY to {part}`), or mark it `free` if it is meant to grant nothing"
                    ),
                });
            }
        }
        let here = format!(
            "{}:{}",
            file.name(),
            file.line_col(sku.part.span.start as usize).0
        );
        let mut keys = vec![(
            part.to_lowercase(),
            "part number (ignoring case)",
            sku.part.span,
        )];
        for a in &sku.attrs {
            match a {
                ast::SkuAttr::Id(id) => {
                    keys.push((id.text.to_lowercase(), "product id", id.span));
                }
                ast::SkuAttr::Grants(_)
                | ast::SkuAttr::Paid(_)
                | ast::SkuAttr::Free(_)
                | ast::SkuAttr::Family(_)
                | ast::SkuAttr::UnavailableIn(_)
                | ast::SkuAttr::Plans(_) => {}
            }
        }
        for (key, what, span) in keys {
            let key = (what, key);
            match seen.get(&key) {
                // A hand-written `sku` and a generated `product` of one part number are one SKU.
                Some((first, _)) if first == part => {}
                Some((first, at)) => lints.push(Lint {
                    kind: LintKind::DuplicatePartNumber,
                    message: format!("SKU `{part}` has the same {what} as `{first}` ({at})"),
                    file: (*file).clone(),
                    labels: vec![(span, format!("same {what} as `{first}`"))],
                    help: "Microsoft's part numbers and product ids are unique: remove one of the declarations, or fix the part number or id".to_owned(),
                }),
                None => {
                    seen.insert(key, (part.to_owned(), here.clone()));
                }
            }
        }
    }
    lints
}

/// Every variable name a rule's expressions mention (capabilities, sets and SKUs among them).
fn rule_names<'a>(r: &'a ast::RuleDecl, out: &mut HashSet<&'a str>) {
    let mut exprs: Vec<&ast::Expr> = vec![&r.require, &r.at];
    exprs.extend(r.filter.iter());
    exprs.extend(r.subject.iter());
    let mut templates: Vec<&ast::Template> = r.messages.iter().map(|m| &m.text).collect();
    templates.extend(r.at_label.iter());
    for m in &r.messages {
        exprs.extend(m.when.iter());
    }
    for c in &r.severities {
        exprs.extend(c.when.iter());
    }
    for h in &r.helps {
        templates.push(&h.text);
        exprs.extend(h.when.iter());
    }
    for l in &r.labels {
        templates.push(&l.text);
        exprs.push(&l.place);
        if let Some((_, coll)) = &l.pair {
            exprs.push(coll);
        }
        if let Some((_, coll, filter)) = &l.binding {
            exprs.push(coll);
            exprs.extend(filter.iter());
        }
    }
    for t in templates {
        for p in &t.parts {
            match p {
                ast::TemplatePart::Text(_) => {}
                ast::TemplatePart::Hole(e) => exprs.push(e),
            }
        }
    }
    while let Some(e) = exprs.pop() {
        match &e.kind {
            ast::ExprKind::Var(v) => {
                out.insert(v);
            }
            ast::ExprKind::Int(_)
            | ast::ExprKind::Str(_)
            | ast::ExprKind::Bool(_)
            | ast::ExprKind::Null => {}
            ast::ExprKind::List(items) => exprs.extend(items.iter()),
            ast::ExprKind::Field(inner, _)
            | ast::ExprKind::Not(inner)
            | ast::ExprKind::Count(inner) => exprs.push(inner),
            ast::ExprKind::Binary(_, l, r) | ast::ExprKind::Quantifier(_, _, l, r) => {
                exprs.push(l);
                exprs.push(r);
            }
        }
    }
}

/// `require` always true or always false, `where` always false.
fn constant_rule(r: &ast::RuleDecl, file: &SourceFile, out: &mut Vec<Lint>) {
    let id = &r.id.text;
    let mut push = |kind, span, label: &str, message: String, help: &str| {
        out.push(Lint {
            kind,
            message,
            file: file.clone(),
            labels: vec![(span, label.to_owned())],
            help: help.to_owned(),
        });
    };
    if let Some(f) = &r.filter
        && constant(f) == Some(Const::Bool(false))
    {
        push(
            LintKind::NeverFires,
            f.span,
            "always false",
            format!("rule `{id}` never fires: its `where` is always false"),
            "the rule applies to nothing; fix the condition or remove the rule",
        );
    }
    match constant(&r.require) {
        Some(Const::Bool(true)) => push(
            LintKind::NeverFires,
            r.require.span,
            "always true",
            format!("rule `{id}` never fires: its `require` is always true"),
            "a finding is reported where `require` is false; write the condition that must hold",
        ),
        Some(Const::Bool(false)) => push(
            LintKind::AlwaysFires,
            r.require.span,
            "always false",
            format!("rule `{id}` fires for every element: its `require` is always false"),
            "a finding is reported where `require` is false; write the condition that must hold",
        ),
        Some(Const::Int(_) | Const::Str(_) | Const::Null) | None => {}
    }
}

/// A constant value of an expression that mentions no variable.
#[derive(Debug, Clone, PartialEq)]
enum Const {
    Bool(bool),
    Int(i64),
    Str(String),
    Null,
}

/// Folds an expression to a constant when it does not depend on the tenant: literals, `not`,
/// `and`/`or` (short-circuit: `false and x` is false whatever `x`), comparisons of constants.
fn constant(e: &ast::Expr) -> Option<Const> {
    use ast::BinOp;
    match &e.kind {
        ast::ExprKind::Bool(b) => Some(Const::Bool(*b)),
        ast::ExprKind::Int(i) => Some(Const::Int(*i)),
        ast::ExprKind::Str(s) => Some(Const::Str(s.clone())),
        ast::ExprKind::Null => Some(Const::Null),
        ast::ExprKind::Not(inner) => match constant(inner)? {
            Const::Bool(b) => Some(Const::Bool(!b)),
            Const::Int(_) | Const::Str(_) | Const::Null => None,
        },
        ast::ExprKind::Binary(op, l, r) => {
            let (cl, cr) = (constant(l), constant(r));
            match op {
                BinOp::And => match (cl, cr) {
                    (Some(Const::Bool(false)), _) | (_, Some(Const::Bool(false))) => {
                        Some(Const::Bool(false))
                    }
                    (Some(Const::Bool(true)), Some(Const::Bool(true))) => Some(Const::Bool(true)),
                    _ => None,
                },
                BinOp::Or => match (cl, cr) {
                    (Some(Const::Bool(true)), _) | (_, Some(Const::Bool(true))) => {
                        Some(Const::Bool(true))
                    }
                    (Some(Const::Bool(false)), Some(Const::Bool(false))) => {
                        Some(Const::Bool(false))
                    }
                    _ => None,
                },
                BinOp::Eq => Some(Const::Bool(cl? == cr?)),
                BinOp::Ne => Some(Const::Bool(cl? != cr?)),
                BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => match (cl?, cr?) {
                    (Const::Int(a), Const::Int(b)) => Some(Const::Bool(match op {
                        BinOp::Lt => a < b,
                        BinOp::Le => a <= b,
                        BinOp::Gt => a > b,
                        _ => a >= b,
                    })),
                    _ => None,
                },
                BinOp::In | BinOp::NotIn => None,
            }
        }
        ast::ExprKind::Var(_)
        | ast::ExprKind::List(_)
        | ast::ExprKind::Field(..)
        | ast::ExprKind::Quantifier(..)
        | ast::ExprKind::Count(_) => None,
    }
}
