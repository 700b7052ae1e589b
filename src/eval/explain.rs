//! `skuld explain TENANT --user UPN`: how skuld sees one user, in domain terms. Effective
//! licences and where each came from, the usage location and its source, SSPR scope and why, and
//! each rule about the user with the value of every condition that decided it.
//!
//! Plain data (serialisable for `--format json`); the CLI renders it.

use serde::Serialize;

mod features;
pub use features::FeatureMembership;

use super::interp::Interp;
use super::value::{Kind, Value};
use crate::compile::Policy;
use crate::compile::ir::{Expr, Rule, SkuId};
use crate::source::{SourceFile, Span};
use crate::syntax::ast::{self, BinOp, ExprKind, RangeKind};
use crate::tenant::TenantDocument;
use crate::tenant::document::SsprScope;
use crate::tenant::model::{Holder, LicenseErrorFacts, TenantModel, UserId};

/// Everything skuld derives about one user.
#[derive(Debug, Clone, Serialize)]
pub struct UserExplanation {
    /// The UPN as written.
    pub upn: String,
    /// 1-based line of the user's `upn:`.
    pub line: usize,
    /// `cloud` or `synced`.
    pub source: &'static str,
    /// Effective licences, one entry per way of holding each.
    pub licences: Vec<LicenceSource>,
    /// Licences of groups the user belongs to only through nesting: not received.
    pub not_received: Vec<NestedLicence>,
    /// The usage location and where it comes from.
    pub usage_location: UsageLocation,
    /// SSPR scope membership and why.
    pub sspr: SsprMembership,
    /// The features (`features:`) that cover the user, and through which entries.
    pub features: Vec<FeatureMembership>,
    /// The rules about this user (and tenant-wide ones), each with its verdict.
    pub rules: Vec<RuleVerdict>,
}

/// One way the user holds a SKU.
#[derive(Debug, Clone, Serialize)]
pub struct LicenceSource {
    /// Part number.
    pub sku: String,
    /// Product name.
    pub name: String,
    /// `null`: assigned directly; otherwise the group it comes from.
    pub group: Option<String>,
    /// 1-based line of the group's `name:` (for a group licence).
    pub group_line: Option<usize>,
    /// 1-based line of the licence entry (in the user's or the group's `licenses:`).
    pub line: usize,
    /// Service plans the entry switches off (`disabled_plans`, as the catalog names them).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub switched_off: Vec<String>,
    /// Why the user does not hold it, when they do not: its assignment failed, or another SKU of
    /// the same group failed (group licensing is all or nothing). `None`: held.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failed: Option<String>,
}

/// A licence a group assigns, which the user does not receive because they are only a nested
/// member of that group.
#[derive(Debug, Clone, Serialize)]
pub struct NestedLicence {
    /// Part number.
    pub sku: String,
    /// The group that assigns it.
    pub group: String,
    /// 1-based line of that group's `name:`.
    pub group_line: usize,
    /// The membership chain from a group the user is directly in to `group`.
    pub chain: Vec<String>,
}

/// The usage location.
#[derive(Debug, Clone, Serialize)]
pub struct UsageLocation {
    /// The code, when there is one.
    pub value: Option<String>,
    /// `user` (their own `usage_location`), `tenant` (inherited from `country`, which applies to
    /// group-based licences only) or `none`.
    pub source: &'static str,
    /// 1-based line it was read from.
    pub line: Option<usize>,
}

/// SSPR scope membership.
#[derive(Debug, Clone, Serialize)]
pub struct SsprMembership {
    /// In scope.
    pub in_scope: bool,
    /// `off` (no `sspr`), `none`, `all` or `selected`.
    pub scope: &'static str,
    /// The selected group, for scope `selected`.
    pub group: Option<String>,
    /// For scope `selected` and a member: the groups from one the user is directly in up to the
    /// selected group (one name when the user is a direct member).
    pub chain: Vec<String>,
    /// 1-based line of the `sspr:` entry.
    pub line: Option<usize>,
}

/// A rule evaluated for this user.
#[derive(Debug, Clone, Serialize)]
pub struct RuleVerdict {
    /// Rule id.
    pub rule: String,
    /// What it ranges over: `user`, `assignment` (the user's direct licences) or `tenant`.
    pub range: &'static str,
    /// The element (for an assignment: the SKU).
    pub element: Option<String>,
    /// The `for … where` clause selected the element.
    pub applies: bool,
    /// It produced a finding.
    pub fired: bool,
    /// The `where` condition, then the `require` condition, each with its parts.
    pub conditions: Vec<Condition>,
}

/// A condition and its value.
#[derive(Debug, Clone, Serialize)]
pub struct Condition {
    /// Nesting depth: 0 for `where` / `require`, 1 for their parts…
    pub depth: usize,
    /// `where`, `require`, or empty for a part.
    pub clause: &'static str,
    /// The source text.
    pub text: String,
    /// Its value, as skuld prints values.
    pub value: String,
}

/// Which rules an explanation gives verdicts for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdicts<'r> {
    /// Every rule.
    All,
    /// The rule with this id.
    Only(&'r str),
    /// None: the facts alone (the language server's hover, which takes the rules that fire from
    /// its last check instead of evaluating them again).
    Skip,
}

/// Explains the user `upn` (exact, else case-insensitive) of `doc`; `rule`, when given, limits
/// the verdicts to that rule. `Err` lists the UPNs of the tenant, for a suggestion.
pub fn explain_user(
    policy: &Policy,
    doc: &TenantDocument,
    upn: &str,
    rule: Option<&str>,
) -> Result<UserExplanation, Vec<String>> {
    let mut scratch = Vec::new();
    let model = TenantModel::derive(doc, &policy.catalog, &mut scratch);
    explain_in_model(
        policy,
        &model,
        upn,
        rule.map_or(Verdicts::All, Verdicts::Only),
    )
}

/// [`explain_user`] against a model already derived (by a check of the same document with the
/// same policy): no second derivation, so the cost is the user's own facts plus one pass over
/// the assignments.
pub fn explain_in_model(
    policy: &Policy,
    model: &TenantModel<'_>,
    upn: &str,
    verdicts: Verdicts<'_>,
) -> Result<UserExplanation, Vec<String>> {
    let doc = model.doc;
    let find = |exact: bool| {
        (0..model.users.len() as UserId).find(|&u| {
            model.user_doc(u).is_some_and(|d| {
                if exact {
                    d.upn.value == upn
                } else {
                    d.upn.value.eq_ignore_ascii_case(upn)
                }
            })
        })
    };
    let Some(user) = find(true).or_else(|| find(false)) else {
        return Err(doc.users.iter().map(|u| u.upn.value.clone()).collect());
    };
    let (Some(facts), Some(udoc)) = (model.users.get(user as usize), model.user_doc(user)) else {
        return Err(Vec::new());
    };
    let src = &doc.source;
    let line = |s: Span| src.line_col(s.start as usize).0;
    let group_name = |g: u32| {
        model
            .group_doc(g)
            .map_or_else(String::new, |d| d.name.value.clone())
    };
    let group_line = |g: u32| model.group_doc(g).map_or(0, |d| line(d.name.span));

    // Licences: every assignment that reaches the user, and whether a failure took it away
    // (the model's reading: `LicenseErrorFacts::takes_licence`).
    let failures: Vec<&LicenseErrorFacts> = model
        .ids(facts.license_errors)
        .iter()
        .filter_map(|&e| model.license_errors.get(e as usize))
        .filter(|e| e.takes_licence())
        .collect();
    let part = |s: SkuId| policy.catalog.sku(s).map_or("", |k| k.part.as_str());
    let mut licences = Vec::new();
    let direct_groups = model.ids(facts.groups);
    for a in &model.assignments {
        let Some(sku) = policy.catalog.sku(a.sku) else {
            continue;
        };
        let group = match a.holder {
            Holder::User(u) if u == user => None,
            Holder::Group(g) if direct_groups.contains(&g) => Some(g),
            _ => continue,
        };
        let failed = match group {
            None => failures
                .iter()
                .find(|e| e.group.is_none() && e.sku == a.sku)
                .map(|e| format!("its assignment failed ({})", e.error.as_str())),
            Some(g) => failures.iter().find(|e| e.group == Some(g)).map(|e| {
                if e.sku == a.sku {
                    format!("its assignment failed ({})", e.error.as_str())
                } else {
                    format!(
                        "`{}` of the same group failed ({}), and group licensing is all or nothing",
                        part(e.sku),
                        e.error.as_str()
                    )
                }
            }),
        };
        let switched_off = model.sku_variant(a.held).map_or_else(Vec::new, |v| {
            v.off
                .iter()
                .filter_map(|&p| sku.plans.get(usize::from(p)).cloned())
                .collect()
        });
        licences.push(LicenceSource {
            sku: sku.part.clone(),
            name: sku.display.clone(),
            group: group.map(group_name),
            group_line: group.map(group_line),
            line: line(a.span),
            switched_off,
            failed,
        });
    }

    // Groups reached only through nesting, with the chain that reaches them.
    let mut not_received = Vec::new();
    let chains = reachable_groups(model, direct_groups);
    for (g, chain) in &chains {
        if direct_groups.contains(g) {
            continue;
        }
        for a in model
            .assignments
            .iter()
            .filter(|a| a.holder == Holder::Group(*g))
        {
            if let Some(sku) = policy.catalog.sku(a.sku) {
                not_received.push(NestedLicence {
                    sku: sku.part.clone(),
                    group: group_name(*g),
                    group_line: group_line(*g),
                    chain: chain.iter().map(|&c| group_name(c)).collect(),
                });
            }
        }
    }

    let usage_location = match (&udoc.usage_location, &doc.country) {
        (Some(own), _) => UsageLocation {
            value: Some(own.value.clone()),
            source: "user",
            line: Some(line(own.span)),
        },
        (None, Some(country)) => UsageLocation {
            value: Some(country.value.clone()),
            source: "tenant",
            line: Some(line(country.span)),
        },
        (None, None) => UsageLocation {
            value: None,
            source: "none",
            line: None,
        },
    };

    let features = features::features_of(policy, model, src, user);

    let sspr = match &doc.sspr {
        None => SsprMembership {
            in_scope: false,
            scope: "off",
            group: None,
            chain: Vec::new(),
            line: None,
        },
        Some(s) => {
            let group = s.group.as_ref().map(|g| g.value.clone());
            let chain = match (&s.scope.value, &group) {
                (SsprScope::Selected, Some(name)) => chains
                    .iter()
                    .find(|(g, _)| model.group_doc(*g).is_some_and(|d| &d.name.value == name))
                    .map(|(_, c)| c.iter().map(|&g| group_name(g)).collect())
                    .unwrap_or_default(),
                _ => Vec::new(),
            };
            SsprMembership {
                in_scope: facts.in_sspr_scope,
                scope: s.scope.value.as_str(),
                group,
                chain,
                line: Some(line(s.span)),
            }
        }
    };

    let rules = match verdicts {
        Verdicts::All => rule_verdicts(policy, model, user, None),
        Verdicts::Only(id) => rule_verdicts(policy, model, user, Some(id)),
        Verdicts::Skip => Vec::new(),
    };
    Ok(UserExplanation {
        upn: udoc.upn.value.clone(),
        line: line(udoc.upn.span),
        source: if facts.synced { "synced" } else { "cloud" },
        licences,
        not_received,
        usage_location,
        sspr,
        features,
        rules,
    })
}

/// Every group reachable from `start` through `groups:` (member-of) links, each with the chain
/// from a group in `start` to it (breadth first: the shortest chain).
fn reachable_groups(model: &TenantModel<'_>, start: &[u32]) -> Vec<(u32, Vec<u32>)> {
    let mut seen: Vec<(u32, Vec<u32>)> = start.iter().map(|&g| (g, vec![g])).collect();
    let mut next = 0;
    while let Some((g, chain)) = seen.get(next).cloned() {
        next += 1;
        if let Some(f) = model.groups.get(g as usize) {
            for &parent in model.ids(f.member_of) {
                if !seen.iter().any(|(s, _)| *s == parent) {
                    let mut c = chain.clone();
                    c.push(parent);
                    seen.push((parent, c));
                }
            }
        }
    }
    seen
}

/// The rules over users (this one), over assignments (this user's direct licences) and over the
/// tenant, evaluated with each condition's value.
fn rule_verdicts(
    policy: &Policy,
    model: &TenantModel<'_>,
    user: UserId,
    only: Option<&str>,
) -> Vec<RuleVerdict> {
    let interp = Interp::new(policy, model);
    let mut out = Vec::new();
    for rule in policy
        .rules
        .iter()
        .filter(|r| only.is_none_or(|id| r.id == id))
    {
        let ast = rule_ast(policy, rule);
        let elements: Vec<(Value<'_>, &'static str, Option<String>)> = match rule.range {
            RangeKind::User => vec![(Value::Entity(Kind::User, user), "user", None)],
            RangeKind::Tenant => vec![(Value::Tenant, "tenant", None)],
            RangeKind::Assignment => model
                .assignments
                .iter()
                .enumerate()
                .filter(|(_, a)| a.holder == Holder::User(user))
                .map(|(i, a)| {
                    let sku = policy.catalog.sku(a.sku).map(|s| s.part.clone());
                    (Value::Entity(Kind::Assignment, i as u32), "assignment", sku)
                })
                .collect(),
            RangeKind::Group | RangeKind::Subscription => Vec::new(),
        };
        for (element, range, name) in elements {
            let mut env = vec![Value::Null; rule.slots.max(1)];
            if let Some(slot) = env.first_mut() {
                *slot = element;
            }
            let mut conditions = Vec::new();
            let applies = match &rule.filter {
                None => true,
                Some(f) => {
                    let src = ast
                        .as_ref()
                        .and_then(|(file, a)| a.filter.as_ref().map(|e| (file, e)));
                    conditions_of(&interp, f, src, &mut env, 0, "where", &mut conditions);
                    interp.truthy(f, &mut env)
                }
            };
            let mut fired = false;
            if applies {
                let src = ast.as_ref().map(|(file, a)| (file, &a.require));
                conditions_of(
                    &interp,
                    &rule.require,
                    src,
                    &mut env,
                    0,
                    "require",
                    &mut conditions,
                );
                fired = !interp.truthy(&rule.require, &mut env);
            }
            out.push(RuleVerdict {
                rule: rule.id.clone(),
                range,
                element: name,
                applies,
                fired,
                conditions,
            });
        }
    }
    out
}

/// The rule's declaration as parsed, for the source text of its conditions.
fn rule_ast(policy: &Policy, rule: &Rule) -> Option<(SourceFile, ast::RuleDecl)> {
    let file = policy.files.get(rule.origin.file)?;
    let parsed = crate::syntax::parse(file).ok()?;
    parsed.items.into_iter().find_map(|item| match item {
        ast::Item::Rule(r) if r.span == rule.decl => Some((file.clone(), *r)),
        _ => None,
    })
}

/// Appends `e` and, through `and` / `or` / `not`, its parts, each with its value; a quantifier
/// or `count` shows the list it ranges over. `src` is the same expression as written, when found.
pub(super) fn conditions_of<'a>(
    interp: &Interp<'a>,
    e: &'a Expr,
    src: Option<(&SourceFile, &ast::Expr)>,
    env: &mut [Value<'a>],
    depth: usize,
    clause: &'static str,
    out: &mut Vec<Condition>,
) {
    let value = interp.eval(e, env);
    let mut text = String::new();
    interp.write_value(&mut text, value);
    out.push(Condition {
        depth,
        clause,
        text: src.map_or_else(|| "…".to_owned(), |(f, a)| squash(f.slice(a.span))),
        value: if matches!(value, Value::Bool(_) | Value::Int(_)) || !text.is_empty() {
            text
        } else {
            "none".to_owned()
        },
    });
    let Some((file, a)) = src else { return };
    let part = |x: &'a Expr, y: &ast::Expr, env: &mut [Value<'a>], out: &mut Vec<Condition>| {
        conditions_of(interp, x, Some((file, y)), env, depth + 1, "", out);
    };
    match (e, &a.kind) {
        (Expr::And(x1, x2), ExprKind::Binary(BinOp::And, y1, y2))
        | (Expr::Or(x1, x2), ExprKind::Binary(BinOp::Or, y1, y2)) => {
            part(x1, y1, env, out);
            part(x2, y2, env, out);
        }
        (Expr::Not(x), ExprKind::Not(y)) => part(x, y, env, out),
        // A comparison or membership test shows its non-constant sides.
        (Expr::Compare(_, x1, x2), ExprKind::Binary(_, y1, y2))
        | (
            Expr::In {
                item: x1, list: x2, ..
            },
            ExprKind::Binary(BinOp::In | BinOp::NotIn, y1, y2),
        ) => {
            for (x, y) in [(x1, y1), (x2, y2)] {
                if !matches!(**x, Expr::Const(_)) {
                    part(x, y, env, out);
                }
            }
        }
        (Expr::Quantifier { list, .. }, ExprKind::Quantifier(_, _, ys, _))
        | (Expr::Count(list), ExprKind::Count(ys)) => part(list, ys, env, out),
        _ => {}
    }
}

/// Source text on one line, runs of white space as one space. A part's span leaves out the
/// parentheses around its last operand, so unbalanced ones are closed.
fn squash(s: &str) -> String {
    let mut text = s.split_whitespace().collect::<Vec<_>>().join(" ");
    let open = text.matches('(').count();
    let close = text.matches(')').count();
    for _ in close..open {
        text.push(')');
    }
    text
}
