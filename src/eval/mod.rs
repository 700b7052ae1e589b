//! Stage 4: rules over the tenant model → findings.
//!
//! The language is total: expressions have no recursion and quantifiers range over finite lists
//! of the model, so every evaluation terminates. Expressions were type-checked by `compile`, so a
//! value of an unexpected shape here is an internal inconsistency; it evaluates to `null` (and so
//! to "rule does not fire") rather than panicking.

pub mod explain;
mod interp;
pub(crate) mod trace;
pub mod value;

use crate::compile::Policy;
use crate::compile::ir::Rule;
use crate::diagnostics::finding::FindingSink;
use crate::syntax::ast::RangeKind;
use crate::tenant::model::TenantModel;
use interp::{Interp, RuleConstants};
use value::{Kind, Value};

/// Applies every rule of `policy` to `model`, appending findings to `out`.
pub(crate) fn evaluate(policy: &Policy, model: &TenantModel<'_>, out: &mut dyn FindingSink) {
    let interp = Interp::new(policy, model);
    let mut env: Vec<Value<'_>> = Vec::new();
    for rule in &policy.rules {
        env.clear();
        env.resize(rule.slots.max(1), Value::Null);
        let constants = interp.constants(rule);
        let (kind, n) = match rule.range {
            RangeKind::Tenant => {
                run_one(&interp, rule, &constants, &mut env, Value::Tenant, out);
                continue;
            }
            RangeKind::User => {
                user_rule(&interp, model, rule, &constants, &mut env, out);
                continue;
            }
            RangeKind::Group => (Kind::Group, model.groups.len()),
            RangeKind::Subscription => (Kind::Subscription, model.subscriptions.len()),
            RangeKind::Assignment => (Kind::Assignment, model.assignments.len()),
        };
        for i in 0..n {
            run_one(
                &interp,
                rule,
                &constants,
                &mut env,
                Value::Entity(kind, i as u32),
                out,
            );
        }
    }
}

/// A rule over users: only the users its feature guard covers (none when no entry of
/// `features:` is for that feature), and a clause that reads the user only as `u.licenses`
/// once per set of licences.
fn user_rule<'a>(
    interp: &Interp<'a>,
    model: &'a TenantModel<'a>,
    rule: &'a Rule,
    constants: &RuleConstants,
    env: &mut [Value<'a>],
    out: &mut dyn FindingSink,
) {
    let coverage = &model.features;
    if rule.feature_guard.is_some_and(|f| !coverage.has_entries(f)) {
        return;
    }
    let sets = model.license_sets.len();
    let mut filters = SetMemo::new(rule.by_license_set.filter && rule.filter.is_some(), sets);
    let mut requires = SetMemo::new(rule.by_license_set.require, sets);
    for (u, facts) in (0u32..).zip(&model.users) {
        if rule.feature_guard.is_some_and(|f| !coverage.covers(f, u)) {
            continue;
        }
        if let Some(slot) = env.first_mut() {
            *slot = Value::Entity(Kind::User, u);
        }
        if let Some(filter) = &rule.filter {
            if !filters.get_or(facts.license_set, || interp.truthy(filter, env)) {
                continue;
            }
        }
        if requires.get_or(facts.license_set, || interp.truthy(&rule.require, env)) {
            continue;
        }
        // Past the cap the finding is only counted: its message is never built.
        if out.admit(&rule.id) {
            out.keep(interp.finding(rule, constants, env));
        }
    }
}

/// The outcome of one clause per set of licences, computed for the first user who holds the
/// set; or, switched off, nothing kept.
struct SetMemo(Vec<Option<bool>>);

impl SetMemo {
    fn new(on: bool, sets: usize) -> Self {
        SetMemo(if on { vec![None; sets] } else { Vec::new() })
    }

    fn get_or(&mut self, set: u32, eval: impl FnOnce() -> bool) -> bool {
        match self.0.get_mut(set as usize) {
            Some(outcome) => *outcome.get_or_insert_with(eval),
            None => eval(),
        }
    }
}

fn run_one<'a>(
    interp: &Interp<'a>,
    rule: &'a Rule,
    constants: &RuleConstants,
    env: &mut [Value<'a>],
    element: Value<'a>,
    out: &mut dyn FindingSink,
) {
    if let Some(slot) = env.first_mut() {
        *slot = element;
    }
    if let Some(filter) = &rule.filter {
        if !interp.truthy(filter, env) {
            return;
        }
    }
    if interp.truthy(&rule.require, env) {
        return;
    }
    // Past the cap the finding is only counted: its message is never built.
    if out.admit(&rule.id) {
        out.keep(interp.finding(rule, constants, env));
    }
}
