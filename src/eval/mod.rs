//! Stage 4: rules over the tenant model → findings.
//!
//! The language is total: expressions have no recursion and quantifiers range over finite lists
//! of the model, so every evaluation terminates. Expressions were type-checked by `compile`, so a
//! value of an unexpected shape here is an internal inconsistency; it evaluates to `null` (and so
//! to "rule does not fire") rather than panicking.

pub mod explain;
mod interp;
pub mod query;
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
    let coverage = &model.features;
    let mut env: Vec<Value<'_>> = Vec::new();
    for rule in &policy.rules {
        env.clear();
        env.resize(rule.slots.max(1), Value::Null);
        let one = OneRule {
            interp: &interp,
            rule,
            constants: interp.constants(rule),
        };
        let mut memos = Memos::off();
        let mut run = |element, set, memos: &mut Memos| one.run(memos, set, &mut env, element, out);
        let (kind, n) = match rule.range {
            RangeKind::Tenant => {
                run(Value::Tenant, 0, &mut memos);
                continue;
            }
            RangeKind::User => {
                // Only the users the feature guard covers (nobody when no entry of `features:`
                // is for that feature), and clauses over `u.licenses` alone once per set.
                if rule.feature_guard.is_some_and(|f| !coverage.has_entries(f)) {
                    continue;
                }
                let mut memos = Memos::per_license_set(rule, model.license_sets.len());
                for (u, facts) in (0u32..).zip(&model.users) {
                    if rule.feature_guard.is_none_or(|f| coverage.covers(f, u)) {
                        run(Value::Entity(Kind::User, u), facts.license_set, &mut memos);
                    }
                }
                continue;
            }
            RangeKind::Group => (Kind::Group, model.groups.len()),
            RangeKind::Subscription => (Kind::Subscription, model.subscriptions.len()),
            RangeKind::Assignment => (Kind::Assignment, model.assignments.len()),
        };
        for i in 0..n {
            run(Value::Entity(kind, i as u32), 0, &mut memos);
        }
    }
}

/// The outcomes of a rule's `where` and `require` per set of licences, for the clauses that
/// read the user only as `u.licenses` (`ir::LicenseSetUse`); off for the others.
struct Memos {
    filter: SetMemo,
    require: SetMemo,
}

impl Memos {
    fn off() -> Self {
        Memos {
            filter: SetMemo::new(false, 0),
            require: SetMemo::new(false, 0),
        }
    }

    fn per_license_set(rule: &Rule, sets: usize) -> Self {
        Memos {
            filter: SetMemo::new(rule.by_license_set.filter, sets),
            require: SetMemo::new(rule.by_license_set.require, sets),
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

/// One rule being evaluated, with what all its findings share.
struct OneRule<'i, 'a> {
    interp: &'i Interp<'a>,
    rule: &'a Rule,
    constants: RuleConstants,
}

impl<'a> OneRule<'_, 'a> {
    /// The rule on one element of its range; `set` is the user's licence set (unread when
    /// `memos` are off).
    fn run(
        &self,
        memos: &mut Memos,
        set: u32,
        env: &mut [Value<'a>],
        element: Value<'a>,
        out: &mut dyn FindingSink,
    ) {
        let (interp, rule) = (self.interp, self.rule);
        if let Some(slot) = env.first_mut() {
            *slot = element;
        }
        if let Some(filter) = &rule.filter
            && !memos.filter.get_or(set, || interp.truthy(filter, env))
        {
            return;
        }
        if memos
            .require
            .get_or(set, || interp.truthy(&rule.require, env))
        {
            return;
        }
        // Past the cap the finding is only counted: its message and labels are never built.
        // (Building them to count their causes cost 13 % of a 100k-user check: 4.84 G -> 5.58 G
        // instructions.)
        // `severity … when` is read for findings only: a rule without one pays one branch.
        let (severity, admitted) = match &rule.severity_when {
            None => (rule.severity, out.admit(&rule.id)),
            Some(_) => {
                let severity = rule.severity_if(|when| interp.truthy(when, env));
                (severity, out.admit_at(&rule.id, severity))
            }
        };
        if admitted {
            out.keep(interp.finding(rule, severity, &self.constants, env, None));
        } else if let Some(light) = out.light() {
            // `skuld diff` matches every finding: past the cap, by a light one (no texts).
            out.keep(interp.finding(rule, severity, &self.constants, env, Some(light)));
        }
    }
}
