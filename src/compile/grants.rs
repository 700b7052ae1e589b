//! Pass 2: `grants` in SKU bodies and `grant … to …` declarations.

use super::ir::{CapId, SkuId};
use super::{Checker, CompileError, CompileErrorKind, Named, SetValue};
use crate::syntax::ast;

impl<'a> Checker<'a> {
    /// Pass 2: `grants` in SKU bodies and `grant … to …` declarations.
    pub(super) fn grant(&mut self, asts: &'a [ast::File]) {
        // Resolve every set once, so that unused sets are checked too.
        let mut set_names: Vec<(String, ast::Name, usize)> = self
            .sets
            .iter()
            .map(|(k, e)| (k.clone(), e.decl.name.clone(), e.file))
            .collect();
        set_names.sort_by_key(|(_, n, f)| (*f, n.span));
        for (name, use_site, file) in set_names {
            self.resolve_set(&name, &use_site, file);
        }
        for (file, ast) in asts.iter().enumerate() {
            for item in &ast.items {
                match item {
                    ast::Item::Sku(s) => {
                        let Some(&sku) = self.sku_index.get(&s.part.text) else {
                            continue;
                        };
                        if !self.is_recorded(sku, s, file) {
                            continue; // a duplicate declaration, already reported
                        }
                        for attr in &s.attrs {
                            if let ast::SkuAttr::Grants(names) = attr {
                                let caps = self.capabilities_of(names, file);
                                self.add_grants(&[sku], &caps);
                            }
                        }
                    }
                    ast::Item::Grant(g) => {
                        let caps = self.capabilities_of(&g.capabilities, file);
                        let mut targets = Vec::new();
                        for t in &g.targets {
                            match self.resolve_named(t, file) {
                                Some(Named::Sku(s)) => targets.push(s),
                                Some(Named::Set(SetValue::Skus(v))) => targets.extend(v),
                                Some(Named::Cap(_) | Named::Set(SetValue::Caps(_))) => {
                                    let e = CompileError::new(
                                        CompileErrorKind::Type,
                                        format!("`{}` is a capability, not a SKU", t.text),
                                    )
                                    .at(self.file(file), t.span, "expected a SKU or a set of SKUs")
                                    .help(Some("write `grant CAPABILITY to SKU`".to_owned()));
                                    self.error(e);
                                }
                                None => {}
                            }
                        }
                        for t in &g.plans {
                            // `plan A + B`: the SKUs that include every plan named.
                            let mut skus: Option<Vec<SkuId>> = None;
                            for plan in &t.plans {
                                let with = self.skus_with_plan(plan, file);
                                skus = Some(match skus {
                                    None => with,
                                    Some(prev) => {
                                        prev.into_iter().filter(|s| with.contains(s)).collect()
                                    }
                                });
                            }
                            let mut skus = skus.unwrap_or_default();
                            if t.paid {
                                skus.retain(|&s| self.skus.get(s as usize).is_some_and(|k| k.paid));
                            }
                            self.add_plan_routes(&skus, &t.plans, &caps);
                            targets.extend(skus);
                        }
                        self.add_grants(&targets, &caps);
                    }
                    _ => {}
                }
            }
        }
        for (i, sku) in self.skus.iter_mut().enumerate() {
            sku.grants.sort_unstable();
            sku.grants.dedup();
            for &c in &sku.grants {
                if let Some(cap) = self.caps.get_mut(c as usize) {
                    cap.skus.push(i as SkuId);
                }
            }
        }
    }

    fn capabilities_of(&mut self, names: &[ast::Name], file: usize) -> Vec<CapId> {
        let mut caps = Vec::new();
        for n in names {
            match self.resolve_named(n, file) {
                Some(Named::Cap(c)) => caps.push(c),
                Some(Named::Set(SetValue::Caps(v))) => caps.extend(v),
                Some(Named::Sku(_) | Named::Set(SetValue::Skus(_))) => {
                    let e = CompileError::new(
                        CompileErrorKind::Type,
                        format!("`{}` is a SKU, not a capability", n.text),
                    )
                    .at(self.file(file), n.span, "expected a capability")
                    .help(Some(
                        "SKUs grant capabilities: declare one with `capability NAME`".to_owned(),
                    ));
                    self.error(e);
                }
                None => {}
            }
        }
        caps
    }

    /// Records that `caps` reach `skus` through the plans named, for licences with plans
    /// switched off.
    fn add_plan_routes(&mut self, skus: &[SkuId], plans: &[ast::Name], caps: &[CapId]) {
        for &s in skus {
            let Some(sku) = self.skus.get_mut(s as usize) else {
                continue;
            };
            let mut route: Vec<u16> = plans
                .iter()
                .filter_map(|p| sku.plans.binary_search(&p.text).ok())
                .filter_map(|i| u16::try_from(i).ok())
                .collect();
            route.sort_unstable();
            for &c in caps {
                sku.plan_grants.push((c, route.clone().into_boxed_slice()));
            }
        }
    }

    fn add_grants(&mut self, skus: &[SkuId], caps: &[CapId]) {
        for &s in skus {
            if let Some(sku) = self.skus.get_mut(s as usize) {
                sku.grants.extend_from_slice(caps);
            }
        }
    }
}
