//! SSPR scope: `all` is everyone; `selected` is the selected group and every group nested in
//! it, at any depth (a visited set makes cycles harmless).

use super::resolve::{Builder, NameIndex};
use super::{GroupId, TenantModel};
use crate::tenant::document::SsprScope;

impl<'d> Builder<'d, '_, '_> {
    /// The tenant's SSPR scope, and per group whether its members are in it (for `selected`).
    pub(super) fn sspr_scope(
        &mut self,
        model: &TenantModel<'d>,
        group_index: &NameIndex<&'d str, GroupId>,
    ) -> (SsprScope, Vec<bool>) {
        let doc = self.doc;
        // SSPR scope: the selected group and every group nested in it, at any depth.
        let sspr = doc.sspr.as_ref();
        let scope = sspr.map_or(SsprScope::None, |s| s.scope.value);
        let mut in_scope_group = vec![false; model.groups.len()];
        if scope == SsprScope::Selected
            && let Some(root) = sspr
                .and_then(|s| s.group.as_ref())
                .and_then(|name| self.resolve_group(name, group_index))
        {
            let mut stack = vec![root];
            while let Some(g) = stack.pop() {
                match in_scope_group.get_mut(g as usize) {
                    Some(seen) if !*seen => *seen = true,
                    _ => continue,
                }
                if let Some(facts) = model.groups.get(g as usize) {
                    stack.extend_from_slice(model.ids(facts.member_groups));
                }
            }
        }
        (scope, in_scope_group)
    }
}
