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
use interp::Interp;
use value::{Kind, Value};

/// Applies every rule of `policy` to `model`, appending findings to `out`.
pub(crate) fn evaluate(policy: &Policy, model: &TenantModel<'_>, out: &mut dyn FindingSink) {
    let interp = Interp::new(policy, model);
    let mut env: Vec<Value<'_>> = Vec::new();
    for rule in &policy.rules {
        env.clear();
        env.resize(rule.slots.max(1), Value::Null);
        let (kind, n) = match rule.range {
            RangeKind::Tenant => {
                run_one(&interp, policy, rule, &mut env, Value::Tenant, out);
                continue;
            }
            RangeKind::User => (Kind::User, model.users.len()),
            RangeKind::Group => (Kind::Group, model.groups.len()),
            RangeKind::Subscription => (Kind::Subscription, model.subscriptions.len()),
            RangeKind::Assignment => (Kind::Assignment, model.assignments.len()),
        };
        if let Some(f) = rule.feature_guard {
            // The rule's `where` requires feature `f`: a bit test instead of the interpreter for
            // the users it does not cover, and nothing at all when no entry is for `f`.
            let coverage = &model.features;
            if !coverage.has_entries(f) {
                continue;
            }
            for u in (0..n as u32).filter(|&u| coverage.covers(f, u)) {
                run_one(&interp, policy, rule, &mut env, Value::Entity(kind, u), out);
            }
            continue;
        }
        for i in 0..n {
            run_one(
                &interp,
                policy,
                rule,
                &mut env,
                Value::Entity(kind, i as u32),
                out,
            );
        }
    }
}

fn run_one<'a>(
    interp: &Interp<'a>,
    policy: &'a Policy,
    rule: &'a Rule,
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
        out.keep(interp.finding(policy, rule, env));
    }
}
