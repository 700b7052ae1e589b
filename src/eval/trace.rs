//! What a rule's `for` clause selected in a tenant, for rule coverage (`skuld test --coverage`):
//! a rule that selected something and did not fire was exercised without firing.

use super::interp::Interp;
use super::value::{Kind, Value};
use crate::compile::Policy;
use crate::syntax::ast::RangeKind;
use crate::tenant::model::TenantModel;

/// For every rule of `policy`, in declaration order, how many elements (users, groups,
/// subscriptions, assignments; 1 for the tenant) its `for … where` clause selected in `model`.
pub fn selected_counts(policy: &Policy, model: &TenantModel<'_>) -> Vec<usize> {
    let interp = Interp::new(policy, model);
    let mut env: Vec<Value<'_>> = Vec::new();
    policy
        .rules
        .iter()
        .map(|rule| {
            let (kind, n) = match rule.range {
                RangeKind::Tenant => (None, 1),
                RangeKind::User => (Some(Kind::User), model.users.len()),
                RangeKind::Group => (Some(Kind::Group), model.groups.len()),
                RangeKind::Subscription => (Some(Kind::Subscription), model.subscriptions.len()),
                RangeKind::Assignment => (Some(Kind::Assignment), model.assignments.len()),
            };
            (0..n)
                .filter(|&i| {
                    env.clear();
                    env.resize(rule.slots.max(1), Value::Null);
                    if let Some(slot) = env.first_mut() {
                        *slot = match kind {
                            None => Value::Tenant,
                            Some(k) => Value::Entity(k, i as u32),
                        };
                    }
                    rule.filter
                        .as_ref()
                        .is_none_or(|f| interp.truthy(f, &mut env))
                })
                .count()
        })
        .collect()
}
