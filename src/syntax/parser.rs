//! pest pairs → AST. All pest code lives here: one function per grammar rule, operators through a
//! Pratt parser built once.

use std::sync::LazyLock;

use pest::Parser as _;
use pest::iterators::{Pair, Pairs};
use pest::pratt_parser::{Assoc, Op, PrattParser};

use super::MAX_DEPTH;
use super::ast::*;
use super::error::{ParseError, TooDeepError};
use super::grammar::{PolicyParser, Rule};
use super::lexical::unescape;
use crate::source::{SourceFile, Span};

static PRATT: LazyLock<PrattParser<Rule>> = LazyLock::new(|| {
    PrattParser::new()
        .op(Op::infix(Rule::op_or, Assoc::Left))
        .op(Op::infix(Rule::op_and, Assoc::Left))
        .op(Op::prefix(Rule::op_not))
        .op(Op::infix(Rule::op_eq, Assoc::Left)
            | Op::infix(Rule::op_ne, Assoc::Left)
            | Op::infix(Rule::op_lt, Assoc::Left)
            | Op::infix(Rule::op_le, Assoc::Left)
            | Op::infix(Rule::op_gt, Assoc::Left)
            | Op::infix(Rule::op_ge, Assoc::Left)
            | Op::infix(Rule::op_in, Assoc::Left)
            | Op::infix(Rule::op_not_in, Assoc::Left))
        .op(Op::postfix(Rule::field))
});

/// Parses a whole file, declaration by declaration. A syntax error is recorded and parsing
/// resumes at the next line that starts with a declaration keyword, so one run reports the
/// errors of every broken declaration, not only the first. A file that nests deeper than
/// [`MAX_DEPTH`] is rejected before pest sees it (one error, nothing parsed).
pub(super) fn parse_file(source: &SourceFile) -> (File, Vec<miette::Report>) {
    let text = source.text();
    // Products nest two levels at most, so the depth check is not needed on the fast path.
    if let Some(file) = super::fast::products(text) {
        return (file, Vec::new());
    }
    let items = Vec::new();
    let mut errors: Vec<miette::Report> = Vec::new();
    if let Some(at) = too_deep_at(text, MAX_DEPTH) {
        errors.push(miette::Report::new(TooDeepError::new(
            source, at, MAX_DEPTH,
        )));
        return (File { items }, errors);
    }
    parse_file_with_pest(source, text, items, errors)
}

/// The pest path of [`parse_file`].
fn parse_file_with_pest(
    source: &SourceFile,
    text: &str,
    mut items: Vec<Item>,
    mut errors: Vec<miette::Report>,
) -> (File, Vec<miette::Report>) {
    // A well-formed file is parsed in one go. Parsing item by item (below) restarts pest on the
    // rest of the file for every declaration, which is quadratic on a large file such as the
    // generated catalog; it is kept for files with errors, to report each and resume.
    if let Ok(mut pairs) = PolicyParser::parse(Rule::file, text) {
        let cx = Cx { base: 0, depth: 0 };
        for item in pairs
            .next()
            .into_iter()
            .flat_map(Pair::into_inner)
            .filter(|p| p.as_rule() != Rule::EOI)
        {
            match cx.item(item) {
                Ok(item) => items.push(item),
                Err(e) => errors.push(e.into_report(source)),
            }
        }
        return (File { items }, errors);
    }
    let mut pos = 0;
    while pos < text.len() {
        let Some(rest) = text.get(pos..) else { break };
        match PolicyParser::parse(Rule::next_item, rest) {
            Ok(mut pairs) => {
                let Some(pair) = pairs.next() else { break };
                let end = pair.as_span().end();
                let cx = Cx {
                    base: pos,
                    depth: 0,
                };
                match pair.into_inner().find(|p| p.as_rule() != Rule::EOI) {
                    Some(item) => match cx.item(item) {
                        Ok(item) => items.push(item),
                        Err(e) => errors.push(e.into_report(source)),
                    },
                    None => break,
                }
                if end == 0 {
                    break;
                }
                pos += end;
            }
            Err(err) => {
                let e = ParseError::from_pest(source, pos, &err);
                let at = e.offset();
                errors.push(miette::Report::new(e));
                match resync(text, at.max(pos + 1)) {
                    Some(next) => pos = next,
                    None => break,
                }
            }
        }
    }
    (File { items }, errors)
}

/// Parses `source` as one expression (`skuld eval`), with the file's depth bound.
pub(super) fn parse_expression(source: &SourceFile) -> Result<Expr, miette::Report> {
    let text = source.text();
    if let Some(at) = too_deep_at(text, MAX_DEPTH) {
        return Err(miette::Report::new(TooDeepError::new(
            source, at, MAX_DEPTH,
        )));
    }
    let mut pairs = PolicyParser::parse(Rule::expression_input, text).map_err(|err| {
        miette::Report::new(ParseError::from_pest(source, 0, &err).in_expression())
    })?;
    let cx = Cx { base: 0, depth: 0 };
    let outer = pairs.next();
    let expr = outer
        .into_iter()
        .flat_map(Pair::into_inner)
        .find(|p| p.as_rule() == Rule::expr);
    match expr {
        Some(pair) => cx.expr(pair).map_err(|e| e.into_report(source)),
        None => Err(miette::Report::new(ParseError::internal(
            source,
            Span::new(0, text.len()),
            "no expression in the input".to_owned(),
        ))),
    }
}

/// The start of the next line at or after `from` that begins a declaration.
fn resync(text: &str, from: usize) -> Option<usize> {
    const STARTS: [&str; 7] = [
        "rule ",
        "sku ",
        "product ",
        "capability ",
        "set ",
        "grant ",
        "///",
    ];
    let mut offset = text.get(from..)?.find('\n')? + from + 1;
    loop {
        let line = text.get(offset..)?;
        if STARTS.iter().any(|s| line.starts_with(s)) {
            return Some(offset);
        }
        offset += line.find('\n')? + 1;
    }
}

/// The first byte offset at which `text` nests deeper than `limit` levels, counting open
/// parentheses, brackets and braces, strings, and template holes (`{…}` in a string), outside
/// `//` comments. A linear scan with a stack of at most `limit + 1` entries: it bounds pest's
/// recursion (one level per bracket) before pest runs. Unbalanced closers are ignored; a
/// lone `{` in a plain string counts as a hole, which can only over-count.
fn too_deep_at(text: &str, limit: usize) -> Option<usize> {
    #[derive(Clone, Copy, PartialEq)]
    enum Level {
        Bracket,
        Str,
        Hole,
    }
    let mut stack: Vec<Level> = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let top = stack.last().copied();
        let opened = if top == Some(Level::Str) {
            match c {
                '\\' => {
                    chars.next();
                    None
                }
                '"' => {
                    stack.pop();
                    None
                }
                '{' | '}' if chars.peek().map(|&(_, n)| n) == Some(c) => {
                    chars.next();
                    None
                }
                '{' => Some(Level::Hole),
                _ => None,
            }
        } else {
            match c {
                '/' if chars.peek().map(|&(_, n)| n) == Some('/') => {
                    for (_, n) in chars.by_ref() {
                        if n == '\n' {
                            break;
                        }
                    }
                    None
                }
                '"' => Some(Level::Str),
                '(' | '[' | '{' => Some(Level::Bracket),
                ')' | ']' | '}' => {
                    if top == Some(Level::Bracket) || (c == '}' && top == Some(Level::Hole)) {
                        stack.pop();
                    }
                    None
                }
                _ => None,
            }
        };
        if let Some(level) = opened {
            stack.push(level);
            if stack.len() > limit {
                return Some(i);
            }
        }
    }
    None
}

/// Why converting a pair failed: an inconsistency between the grammar and this file (reported,
/// never a panic), or an expression nested past [`MAX_DEPTH`].
#[derive(Debug)]
pub(super) struct Internal {
    pub(super) what: String,
    pub(super) span: Span,
    pub(super) too_deep: bool,
}

impl Internal {
    fn into_report(self, source: &SourceFile) -> miette::Report {
        if self.too_deep {
            miette::Report::new(TooDeepError::new(
                source,
                self.span.start as usize,
                MAX_DEPTH,
            ))
        } else {
            miette::Report::new(ParseError::internal(source, self.span, self.what))
        }
    }
}

type R<T> = Result<T, Internal>;

/// Conversion context: `base` is the byte offset of the parsed slice in the file; `depth` bounds
/// the depth of the expression tree being built (see [`Cx::deeper`]).
#[derive(Clone, Copy)]
struct Cx {
    base: usize,
    depth: usize,
}

impl Cx {
    fn span(self, pair: &Pair<'_, Rule>) -> Span {
        let s = pair.as_span();
        Span::new(self.base + s.start(), self.base + s.end())
    }

    fn internal(self, pair: &Pair<'_, Rule>, what: &str) -> Internal {
        Internal {
            what: format!("{what} (found {:?})", pair.as_rule()),
            span: self.span(pair),
            too_deep: false,
        }
    }

    /// The context for converting `pair`, whose tree is at most `levels` deeper than this one,
    /// or an error past [`MAX_DEPTH`]: the type checker, the interpreter and `Drop` recurse over
    /// the expression tree, so its depth is bounded before it is built.
    fn deeper(self, pair: &Pair<'_, Rule>, levels: usize) -> R<Cx> {
        let depth = self.depth.saturating_add(levels);
        if depth > MAX_DEPTH {
            return Err(Internal {
                what: String::new(),
                span: self.span(pair),
                too_deep: true,
            });
        }
        Ok(Cx { depth, ..self })
    }

    /// Takes the next child, or reports which one was missing.
    fn next<'i>(
        self,
        pairs: &mut Pairs<'i, Rule>,
        parent: &Pair<'i, Rule>,
        want: &str,
    ) -> R<Pair<'i, Rule>> {
        pairs.next().ok_or_else(|| Internal {
            what: format!("expected {want} in {:?}", parent.as_rule()),
            span: self.span(parent),
            too_deep: false,
        })
    }

    fn item(self, pair: Pair<'_, Rule>) -> R<Item> {
        Ok(match pair.as_rule() {
            Rule::capability_decl => Item::Capability(self.capability(pair)?),
            Rule::sku_decl => Item::Sku(self.sku(pair)?),
            Rule::set_decl => Item::Set(self.set(pair)?),
            Rule::grant_decl => Item::Grant(self.grant(pair)?),
            Rule::rule_decl => Item::Rule(Box::new(self.rule(pair)?)),
            Rule::feature_decl => Item::Feature(self.feature(pair)?),
            Rule::includes_decl => Item::Includes(self.includes(pair)?),
            Rule::placeholder_decl => Item::Placeholder(self.placeholder(pair)?),
            _ => return Err(self.internal(&pair, "item")),
        })
    }

    fn docs(self, pair: Pair<'_, Rule>) -> String {
        let mut out = String::new();
        for doc in pair.into_inner() {
            let line = doc.as_str().trim_start_matches("///");
            let line = line.strip_prefix(' ').unwrap_or(line).trim_end();
            if !out.is_empty() {
                out.push('\n');
            }
            out.push_str(line);
        }
        out
    }

    fn ident(self, pair: Pair<'_, Rule>) -> Name {
        Name {
            text: pair.as_str().to_owned(),
            span: self.span(&pair),
        }
    }

    fn string(self, pair: Pair<'_, Rule>) -> Name {
        let span = self.span(&pair);
        let raw = pair.into_inner().next().map_or("", |p| p.as_str());
        Name {
            text: unescape(raw),
            span,
        }
    }

    fn name(self, pair: Pair<'_, Rule>) -> R<Name> {
        let outer = pair.clone();
        let inner = self.next(&mut pair.into_inner(), &outer, "a name")?;
        Ok(match inner.as_rule() {
            Rule::ident => self.ident(inner),
            Rule::string => self.string(inner),
            _ => return Err(self.internal(&inner, "name")),
        })
    }

    fn name_list(self, pair: Pair<'_, Rule>) -> R<Vec<Name>> {
        pair.into_inner().map(|p| self.name(p)).collect()
    }

    fn capability(self, pair: Pair<'_, Rule>) -> R<CapabilityDecl> {
        let span = self.span(&pair);
        let outer = pair.clone();
        let mut it = pair.into_inner();
        let docs = self.docs(self.next(&mut it, &outer, "docs")?);
        let _kw = self.next(&mut it, &outer, "`capability`")?;
        let name = self.ident(self.next(&mut it, &outer, "a name")?);
        let description = it.next().map(|p| self.string(p));
        Ok(CapabilityDecl {
            docs,
            name,
            description,
            span,
        })
    }

    fn feature(self, pair: Pair<'_, Rule>) -> R<FeatureDecl> {
        let span = self.span(&pair);
        let outer = pair.clone();
        let mut it = pair.into_inner();
        let docs = self.docs(self.next(&mut it, &outer, "docs")?);
        let _kw = self.next(&mut it, &outer, "`feature`")?;
        let name = self.ident(self.next(&mut it, &outer, "a name")?);
        let description = it.next().map(|p| self.string(p));
        Ok(FeatureDecl {
            docs,
            name,
            description,
            span,
        })
    }

    fn includes(self, pair: Pair<'_, Rule>) -> R<IncludesDecl> {
        let span = self.span(&pair);
        let outer = pair.clone();
        let mut it = pair.into_inner();
        let docs = self.docs(self.next(&mut it, &outer, "docs")?);
        let _kw = self.next(&mut it, &outer, "`includes`")?;
        let sku = self.name(self.next(&mut it, &outer, "a SKU")?)?;
        let included = self.name_list(self.next(&mut it, &outer, "SKUs")?)?;
        Ok(IncludesDecl {
            docs,
            sku,
            included,
            span,
        })
    }

    fn placeholder(self, pair: Pair<'_, Rule>) -> R<PlaceholderDecl> {
        let span = self.span(&pair);
        let outer = pair.clone();
        let mut it = pair.into_inner();
        let docs = self.docs(self.next(&mut it, &outer, "docs")?);
        let _kw = self.next(&mut it, &outer, "`placeholder`")?;
        let _plans = self.next(&mut it, &outer, "`plans`")?;
        let plans = self.name_list(self.next(&mut it, &outer, "plans")?)?;
        Ok(PlaceholderDecl { docs, plans, span })
    }

    fn sku(self, pair: Pair<'_, Rule>) -> R<SkuDecl> {
        let span = self.span(&pair);
        let outer = pair.clone();
        let mut it = pair.into_inner();
        let docs = self.docs(self.next(&mut it, &outer, "docs")?);
        let product = self.next(&mut it, &outer, "`sku`")?.as_rule() == Rule::kw_product;
        let part = self.name(self.next(&mut it, &outer, "a part number")?)?;
        let display = self.string(self.next(&mut it, &outer, "a display name")?);
        let mut attrs = Vec::new();
        if let Some(body) = it.next() {
            for attr in body.into_inner() {
                attrs.push(self.sku_attr(attr)?);
            }
        }
        Ok(SkuDecl {
            docs,
            product,
            part,
            display,
            attrs,
            span,
        })
    }

    fn sku_attr(self, pair: Pair<'_, Rule>) -> R<SkuAttr> {
        let span = self.span(&pair);
        let rule = pair.as_rule();
        let outer = pair.clone();
        let mut it = pair.into_inner();
        let _kw = self.next(&mut it, &outer, "a keyword")?;
        Ok(match rule {
            Rule::grants_attr => {
                SkuAttr::Grants(self.name_list(self.next(&mut it, &outer, "names")?)?)
            }
            Rule::paid_attr => SkuAttr::Paid(span),
            Rule::free_attr => SkuAttr::Free(span),
            Rule::family_attr => {
                SkuAttr::Family(self.ident(self.next(&mut it, &outer, "a family")?))
            }
            Rule::guid_attr => SkuAttr::Id(self.string(self.next(&mut it, &outer, "an id")?)),
            Rule::unavailable_attr => SkuAttr::UnavailableIn(it.map(|p| self.ident(p)).collect()),
            Rule::plans_attr => SkuAttr::Plans(match it.next() {
                Some(list) => self.name_list(list)?,
                None => Vec::new(),
            }),
            _ => return Err(self.internal(&outer, "SKU attribute")),
        })
    }

    fn set(self, pair: Pair<'_, Rule>) -> R<SetDecl> {
        let span = self.span(&pair);
        let outer = pair.clone();
        let mut it = pair.into_inner();
        let docs = self.docs(self.next(&mut it, &outer, "docs")?);
        let _kw = self.next(&mut it, &outer, "`set`")?;
        let name = self.ident(self.next(&mut it, &outer, "a name")?);
        let members = match it.next() {
            Some(list) => self.name_list(list)?,
            None => Vec::new(),
        };
        Ok(SetDecl {
            docs,
            name,
            members,
            span,
        })
    }

    fn grant(self, pair: Pair<'_, Rule>) -> R<GrantDecl> {
        let span = self.span(&pair);
        let outer = pair.clone();
        let mut it = pair.into_inner();
        let _docs = self.next(&mut it, &outer, "docs")?;
        let _kw = self.next(&mut it, &outer, "`grant`")?;
        let capabilities = self.name_list(self.next(&mut it, &outer, "capabilities")?)?;
        let _to = self.next(&mut it, &outer, "`to`")?;
        let (mut targets, mut plans) = (Vec::new(), Vec::new());
        for target in self.next(&mut it, &outer, "targets")?.into_inner() {
            match target.as_rule() {
                Rule::plan_ref => {
                    let span = self.span(&target);
                    let (mut paid, mut names) = (false, Vec::new());
                    for part in target.into_inner() {
                        match part.as_rule() {
                            Rule::kw_paid => paid = true,
                            Rule::kw_plan => {}
                            _ => names.push(self.name(part)?),
                        }
                    }
                    plans.push(PlanTarget {
                        paid,
                        plans: names,
                        span,
                    });
                }
                _ => targets.push(self.name(target)?),
            }
        }
        Ok(GrantDecl {
            capabilities,
            targets,
            plans,
            span,
        })
    }

    fn rule(self, pair: Pair<'_, Rule>) -> R<RuleDecl> {
        let span = self.span(&pair);
        let outer = pair.clone();
        let mut it = pair.into_inner();
        let docs = self.docs(self.next(&mut it, &outer, "docs")?);
        let _kw = self.next(&mut it, &outer, "`rule`")?;
        let id = self.ident(self.next(&mut it, &outer, "a rule id")?);

        let mut severities = Vec::new();
        let mut next = self.next(&mut it, &outer, "`severity`")?;
        while next.as_rule() == Rule::severity_clause {
            let clause_outer = next.clone();
            let mut parts = next.into_inner();
            let _kw = self.next(&mut parts, &clause_outer, "`severity`")?;
            let level = self.next(&mut parts, &clause_outer, "a severity")?;
            let level = self.next(&mut level.into_inner(), &clause_outer, "a severity")?;
            let span = self.span(&level);
            let level = match level.as_rule() {
                Rule::kw_error => SeverityKw::Error,
                Rule::kw_warning => SeverityKw::Warning,
                _ => return Err(self.internal(&level, "severity")),
            };
            let when = self.condition(&mut parts)?;
            severities.push(SeverityClause { level, span, when });
            next = self.next(&mut it, &outer, "`for`")?;
        }

        let (range, var, filter) = self.for_clause(next)?;

        let mut require = None;
        let mut at = None;
        let mut at_label = None;
        let mut messages = Vec::new();
        let mut subject = None;
        let mut helps = Vec::new();
        let mut labels = Vec::new();
        for clause in it {
            let clause_outer = clause.clone();
            let rule = clause.as_rule();
            let mut parts = clause.into_inner();
            let _kw = self.next(&mut parts, &clause_outer, "a keyword")?;
            match rule {
                Rule::require_clause => {
                    require =
                        Some(self.expr(self.next(&mut parts, &clause_outer, "an expression")?)?)
                }
                Rule::at_clause => {
                    at = Some(self.expr(self.next(
                        &mut parts,
                        &clause_outer,
                        "an expression",
                    )?)?);
                    at_label = parts.next().map(|t| self.template(t)).transpose()?;
                }
                Rule::message_clause => {
                    let text =
                        self.template(self.next(&mut parts, &clause_outer, "a message")?)?;
                    let when = self.condition(&mut parts)?;
                    messages.push(Message { text, when });
                }
                Rule::subject_clause => {
                    subject =
                        Some(self.expr(self.next(&mut parts, &clause_outer, "an expression")?)?)
                }
                Rule::help_clause => {
                    let text =
                        self.template(self.next(&mut parts, &clause_outer, "a help text")?)?;
                    let when = self.condition(&mut parts)?;
                    helps.push(Help { text, when });
                }
                Rule::label_clause => {
                    let mut next = self.next(&mut parts, &clause_outer, "a label")?;
                    let mut pair = None;
                    let binding = if next.as_rule() == Rule::label_binding {
                        let b_outer = next.clone();
                        let mut b = next.into_inner();
                        let var = self.ident(self.next(&mut b, &b_outer, "a variable")?);
                        let _in = self.next(&mut b, &b_outer, "`in`")?;
                        let coll = self.expr(self.next(&mut b, &b_outer, "a collection")?)?;
                        if b.clone().next().is_some_and(|p| p.as_rule() == Rule::ident) {
                            let var = self.ident(self.next(&mut b, &b_outer, "a variable")?);
                            let _in = self.next(&mut b, &b_outer, "`in`")?;
                            let coll = self.expr(self.next(&mut b, &b_outer, "a collection")?)?;
                            pair = Some((var, coll));
                        }
                        let filter = match (b.next(), b.next()) {
                            (Some(_where), Some(cond)) => Some(self.expr(cond)?),
                            _ => None,
                        };
                        next = self.next(&mut parts, &clause_outer, "a place")?;
                        Some((var, coll, filter))
                    } else {
                        None
                    };
                    let place = self.expr(next)?;
                    let text =
                        self.template(self.next(&mut parts, &clause_outer, "a label text")?)?;
                    labels.push(Label {
                        binding,
                        pair,
                        place,
                        text,
                    });
                }
                _ => return Err(self.internal(&clause_outer, "rule clause")),
            }
        }
        let missing = |what: &str| Internal {
            what: format!("rule without {what}"),
            span,
            too_deep: false,
        };
        Ok(RuleDecl {
            docs,
            id,
            severities,
            range,
            var,
            filter,
            require: require.ok_or_else(|| missing("`require`"))?,
            at: at.ok_or_else(|| missing("`at`"))?,
            at_label,
            messages,
            subject,
            helps,
            labels,
            span,
        })
    }

    /// The `when <expr>` that may end a `severity`, `message` or `help` clause.
    fn condition(self, parts: &mut Pairs<'_, Rule>) -> R<Option<Expr>> {
        match (parts.next(), parts.next()) {
            (Some(_when), Some(cond)) => Ok(Some(self.expr(cond)?)),
            _ => Ok(None),
        }
    }

    fn for_clause(self, pair: Pair<'_, Rule>) -> R<(RangeKind, Option<Name>, Option<Expr>)> {
        let outer = pair.clone();
        let mut it = pair.into_inner();
        let _kw = self.next(&mut it, &outer, "`for`")?;
        let range = self.next(&mut it, &outer, "a range")?;
        let range_outer = range.clone();
        let mut r = range.into_inner();
        let first = self.next(&mut r, &range_outer, "a range kind")?;
        let (kind, var) = match first.as_rule() {
            Rule::kw_tenant => (RangeKind::Tenant, None),
            Rule::range_kind => {
                let kw = self.next(&mut first.clone().into_inner(), &first, "a range keyword")?;
                let kind = match kw.as_rule() {
                    Rule::kw_user => RangeKind::User,
                    Rule::kw_group => RangeKind::Group,
                    Rule::kw_subscription => RangeKind::Subscription,
                    Rule::kw_assignment => RangeKind::Assignment,
                    _ => return Err(self.internal(&kw, "range keyword")),
                };
                let var = self.ident(self.next(&mut r, &range_outer, "a variable")?);
                (kind, Some(var))
            }
            _ => return Err(self.internal(&first, "range")),
        };
        let filter = match (it.next(), it.next()) {
            (Some(_where), Some(cond)) => Some(self.expr(cond)?),
            _ => None,
        };
        Ok((kind, var, filter))
    }

    fn template(self, pair: Pair<'_, Rule>) -> R<Template> {
        let span = self.span(&pair);
        let mut parts: Vec<TemplatePart> = Vec::new();
        let push_text = |parts: &mut Vec<TemplatePart>, s: &str| {
            if let Some(TemplatePart::Text(prev)) = parts.last_mut() {
                prev.push_str(s);
            } else {
                parts.push(TemplatePart::Text(s.to_owned()));
            }
        };
        for piece in pair.into_inner() {
            match piece.as_rule() {
                Rule::template_text => push_text(&mut parts, piece.as_str()),
                Rule::template_escape => {
                    let s = match piece.as_str() {
                        "{{" => "{".to_owned(),
                        "}}" => "}".to_owned(),
                        other => unescape(other),
                    };
                    push_text(&mut parts, &s);
                }
                Rule::template_hole => {
                    let hole_outer = piece.clone();
                    let inner = self.next(&mut piece.into_inner(), &hole_outer, "an expression")?;
                    parts.push(TemplatePart::Hole(self.expr(inner)?));
                }
                _ => return Err(self.internal(&piece, "template part")),
            }
        }
        Ok(Template { parts, span })
    }

    fn expr(self, pair: Pair<'_, Rule>) -> R<Expr> {
        // The tree of one flat `expr` is at most one level per operator deeper than its operands
        // (a left-associative chain `a or b or …` nests on the left; `not not …` on the right).
        let operators = pair
            .clone()
            .into_inner()
            .filter(|p| {
                matches!(
                    p.as_rule(),
                    Rule::op_or
                        | Rule::op_and
                        | Rule::op_not
                        | Rule::op_eq
                        | Rule::op_ne
                        | Rule::op_lt
                        | Rule::op_le
                        | Rule::op_gt
                        | Rule::op_ge
                        | Rule::op_in
                        | Rule::op_not_in
                        | Rule::field
                )
            })
            .count();
        let cx = self.deeper(&pair, operators.saturating_add(1))?;
        cx.pratt(pair)
    }

    fn pratt(self, pair: Pair<'_, Rule>) -> R<Expr> {
        PRATT
            .map_primary(|p| self.primary(p))
            .map_prefix(|op, rhs| {
                let rhs = rhs?;
                Ok(Expr {
                    span: self.span(&op).to(rhs.span),
                    kind: ExprKind::Not(Box::new(rhs)),
                })
            })
            .map_postfix(|lhs, op| {
                let lhs = lhs?;
                let span = lhs.span.to(self.span(&op));
                let outer = op.clone();
                let name = self.ident(self.next(&mut op.into_inner(), &outer, "a field name")?);
                Ok(Expr {
                    span,
                    kind: ExprKind::Field(Box::new(lhs), name),
                })
            })
            .map_infix(|lhs, op, rhs| {
                let (lhs, rhs) = (lhs?, rhs?);
                let op = match op.as_rule() {
                    Rule::op_or => BinOp::Or,
                    Rule::op_and => BinOp::And,
                    Rule::op_eq => BinOp::Eq,
                    Rule::op_ne => BinOp::Ne,
                    Rule::op_lt => BinOp::Lt,
                    Rule::op_le => BinOp::Le,
                    Rule::op_gt => BinOp::Gt,
                    Rule::op_ge => BinOp::Ge,
                    Rule::op_in => BinOp::In,
                    Rule::op_not_in => BinOp::NotIn,
                    _ => return Err(self.internal(&op, "operator")),
                };
                Ok(Expr {
                    span: lhs.span.to(rhs.span),
                    kind: ExprKind::Binary(op, Box::new(lhs), Box::new(rhs)),
                })
            })
            .parse(pair.into_inner())
    }

    fn primary(self, pair: Pair<'_, Rule>) -> R<Expr> {
        let span = self.span(&pair);
        let outer = pair.clone();
        let kind = match pair.as_rule() {
            Rule::expr => return self.expr(pair),
            Rule::var => ExprKind::Var(pair.as_str().to_owned()),
            Rule::int => ExprKind::Int(
                pair.as_str()
                    .parse()
                    .map_err(|_| self.internal(&outer, "integer too large"))?,
            ),
            Rule::string => ExprKind::Str(self.string(pair).text),
            Rule::boolean => ExprKind::Bool(pair.as_str() == "true"),
            Rule::null => ExprKind::Null,
            Rule::list => {
                ExprKind::List(pair.into_inner().map(|p| self.expr(p)).collect::<R<_>>()?)
            }
            Rule::count_call => {
                let mut it = pair.into_inner();
                let _kw = self.next(&mut it, &outer, "`count`")?;
                ExprKind::Count(Box::new(self.expr(self.next(
                    &mut it,
                    &outer,
                    "an expression",
                )?)?))
            }
            Rule::quantifier => {
                let mut it = pair.into_inner();
                let kind_pair = self.next(&mut it, &outer, "a quantifier")?;
                let q = match kind_pair.into_inner().next().map(|p| p.as_rule()) {
                    Some(Rule::kw_any) => Quantifier::Any,
                    Some(Rule::kw_all) => Quantifier::All,
                    Some(Rule::kw_none) => Quantifier::None,
                    Some(Rule::kw_count) => Quantifier::Count,
                    _ => return Err(self.internal(&outer, "quantifier")),
                };
                let var = self.ident(self.next(&mut it, &outer, "a variable")?);
                let _in = self.next(&mut it, &outer, "`in`")?;
                let coll = self.expr(self.next(&mut it, &outer, "a collection")?)?;
                let body = self.expr(self.next(&mut it, &outer, "a condition")?)?;
                ExprKind::Quantifier(q, var, Box::new(coll), Box::new(body))
            }
            _ => return Err(self.internal(&outer, "expression")),
        };
        Ok(Expr { kind, span })
    }
}

#[cfg(test)]
mod tests {
    use super::parse_file_with_pest;
    use crate::syntax::fast;

    /// The fast scanner of `product` files and pest give the same AST, spans included.
    #[test]
    fn same_ast_as_pest_on_the_generated_catalog() {
        let src = crate::policies::builtin("builtin:catalog-microsoft").unwrap();
        let fast = fast::products(src.text()).unwrap();
        assert!(fast.items.len() >= 568);
        let (pest, errors) = parse_file_with_pest(&src, src.text(), Vec::new(), Vec::new());
        assert!(errors.is_empty());
        assert_eq!(fast, pest);
    }

    #[test]
    fn same_ast_as_pest_on_odd_but_valid_products() {
        let text = "\u{feff}// c\n//// not a doc\nproduct \"a b\" \"x \\\"y\\\" \\\\ z\"\nproduct B \"b\" {}\nproduct C \"c\" { plans [] plans [P,] id \"g\" }\nproduct D \"d\" { paid free }\nproduct E \"e\" { family office365 paid }\n";
        let src = crate::source::SourceFile::new("t", text);
        let (pest, errors) = parse_file_with_pest(&src, text, Vec::new(), Vec::new());
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(fast::products(text).unwrap(), pest);
    }
}
