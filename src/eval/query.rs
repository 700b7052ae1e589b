//! `skuld eval EXPR [TENANT]`: one expression evaluated on a tenant, with the value of each of
//! its parts as `explain --user` shows a rule's conditions.
//!
//! Plain data (serialisable for `--format json`); the CLI renders it.

use serde::Serialize;

use super::explain::{Condition, conditions_of};
use super::interp::Interp;
use super::value::{Kind, List, Value};
use crate::compile::{Binder, CheckedExpression, Policy};
use crate::source::SourceFile;
use crate::syntax::ast;
use crate::tenant::TenantDocument;
use crate::tenant::model::TenantModel;

/// An expression's value and the values of its parts.
#[derive(Debug, Clone, Serialize)]
pub struct Evaluation {
    /// The expression as given.
    pub expression: String,
    /// Its type (`boolean`, `list of SKU`, …).
    #[serde(rename = "type")]
    pub ty: String,
    /// The value as data: a SKU as its part number, a user as their UPN, a group as its name,
    /// a subscription or an assignment as its SKU's part number, a list as an array.
    pub value: serde_json::Value,
    /// The value as messages write it (lists of more than 20 cut).
    pub text: String,
    /// The parts of the expression (operands of `and`, `or`, `not`, comparisons, the list a
    /// quantifier or `count` ranges over), each with its value; depth 1 for the outermost.
    pub parts: Vec<Condition>,
    /// The variables the command line bound.
    pub bindings: Vec<Binding>,
}

/// A variable bound on the command line.
#[derive(Debug, Clone, Serialize)]
pub struct Binding {
    /// The variable (`u`).
    pub variable: String,
    /// What it was bound to, as given on the command line's terms: a UPN, a group name, a SKU.
    pub value: String,
    /// 1-based line of the entity in the tenant file.
    pub line: usize,
}

/// A command-line binding that names nothing in the tenant.
#[derive(Debug, Clone)]
pub struct NotFound {
    /// Which binder failed.
    pub binder: Binder,
    /// What was asked for.
    pub value: String,
    /// What the tenant has, for a suggestion.
    pub candidates: Vec<String>,
}

/// Evaluates `checked` (the expression `ast`, text `source`) on `doc`, each of `bindings` (a
/// variable of `checked`'s binders, in order, and the UPN, group name or SKU it names) bound
/// first.
pub fn evaluate_expression(
    policy: &Policy,
    doc: &TenantDocument,
    checked: &CheckedExpression,
    source: &SourceFile,
    ast: &ast::Expr,
    bindings: &[(&str, Binder, &str)],
) -> Result<Evaluation, NotFound> {
    let mut scratch = Vec::new();
    let model = TenantModel::derive(doc, &policy.catalog, &mut scratch);
    let interp = Interp::new(policy, &model);
    let mut env = vec![Value::Null; checked.slots.max(1)];
    let mut bound = Vec::new();
    for (slot, &(variable, binder, wanted)) in bindings.iter().enumerate() {
        let (value, name, line) = bind(policy, &model, binder, wanted)?;
        if let Some(s) = env.get_mut(slot) {
            *s = value;
        }
        bound.push(Binding {
            variable: variable.to_owned(),
            value: name,
            line,
        });
    }
    let mut conditions = Vec::new();
    conditions_of(
        &interp,
        &checked.expr,
        Some((source, ast)),
        &mut env,
        0,
        "",
        &mut conditions,
    );
    let value = interp.eval(&checked.expr, &mut env);
    let mut text = String::new();
    interp.write_value(&mut text, value);
    if text.is_empty() {
        text.push_str("none");
    }
    Ok(Evaluation {
        expression: source.text().to_owned(),
        ty: checked.ty.clone(),
        value: to_json(&interp, value),
        text,
        parts: conditions.into_iter().skip(1).collect(),
        bindings: bound,
    })
}

/// The entity `wanted` names for `binder`: exact, else ignoring ASCII case; its value, name as
/// written and line.
fn bind<'a>(
    policy: &'a Policy,
    model: &'a TenantModel<'a>,
    binder: Binder,
    wanted: &str,
) -> Result<(Value<'a>, String, usize), NotFound> {
    let src = &model.doc.source;
    let line = |at: u32| src.line_col(at as usize).0;
    let names: Vec<(String, usize)> = match binder {
        Binder::User => (0..model.users.len() as u32)
            .filter_map(|u| model.user_doc(u))
            .map(|d| (d.upn.value.clone(), line(d.upn.span.start)))
            .collect(),
        Binder::Group => (0..model.groups.len() as u32)
            .filter_map(|g| model.group_doc(g))
            .map(|d| (d.name.value.clone(), line(d.name.span.start)))
            .collect(),
        Binder::Subscription => model
            .subscriptions
            .iter()
            .map(|s| {
                let part = policy
                    .catalog
                    .sku(s.sku)
                    .map_or_else(String::new, |k| k.part.clone());
                let at = model
                    .doc
                    .subscriptions
                    .as_ref()
                    .and_then(|l| l.items.get(s.doc as usize))
                    .map_or(0, |d| d.span.start);
                (part, line(at))
            })
            .collect(),
    };
    let found = names.iter().position(|(n, _)| n == wanted).or_else(|| {
        names
            .iter()
            .position(|(n, _)| n.eq_ignore_ascii_case(wanted))
    });
    let kind = match binder {
        Binder::User => Kind::User,
        Binder::Group => Kind::Group,
        Binder::Subscription => Kind::Subscription,
    };
    match found.and_then(|i| names.get(i).map(|(n, l)| (i, n, *l))) {
        Some((i, name, l)) => Ok((Value::Entity(kind, i as u32), name.clone(), l)),
        None => Err(NotFound {
            binder,
            value: wanted.to_owned(),
            candidates: names.into_iter().map(|(n, _)| n).collect(),
        }),
    }
}

/// A value as JSON: entities by the name a tenant file or the catalog gives them.
fn to_json<'a>(interp: &Interp<'a>, v: Value<'a>) -> serde_json::Value {
    use serde_json::Value as J;
    let text = |v: Value<'a>| {
        let mut s = String::new();
        interp.write_value(&mut s, v);
        J::String(s)
    };
    match v {
        Value::Bool(b) => J::Bool(b),
        Value::Int(i) => J::from(i),
        Value::Str(s) => J::String(s.to_owned()),
        Value::Null => J::Null,
        Value::List(l) => J::Array(list_json(interp, l)),
        Value::Entity(
            Kind::User | Kind::Group | Kind::Sku | Kind::Subscription | Kind::Assignment,
            _,
        ) => interp.subject_of(v).map_or(J::Null, J::String),
        // A date as the tenant file writes it (YYYY-MM-DD).
        Value::Date(_) => text(v),
        Value::Tenant
        | Value::Sspr
        | Value::Entity(Kind::Capability | Kind::Feature | Kind::LicenseError, _) => text(v),
    }
}

fn list_json<'a>(interp: &Interp<'a>, l: List<'a>) -> Vec<serde_json::Value> {
    l.iter().map(|item| to_json(interp, item)).collect()
}
