//! `feature` declarations, and the relation "SKU A includes SKU B" that
//! `licensing/redundant-license` asks about (`k.includes`): every service plan of B, placeholder
//! plans aside, is a plan of A (or its government form is); plus the relations `includes`
//! declarations add (Microsoft documents some that its plan table does not show, such as
//! Microsoft 365 E5 including Office 365 E3 after an upgrade).
//!
//! Government forms: Microsoft's table names a plan's US government cloud edition with `_GOV`
//! (`EXCHANGE_S_FOUNDATION_GOV`, `RMS_S_PREMIUM_GOV`), and lists some government SKUs with the
//! commercial name (EMS G3 GCC has `RMS_S_PREMIUM` where Microsoft 365 G3 GCC has
//! `RMS_S_PREMIUM_GOV`). So a placeholder's `_GOV` form is a placeholder too, and a plan of B is
//! in A when A has it or its `_GOV` form.

use std::collections::HashSet;

use super::error::{CompileError, CompileErrorKind};
use super::ir::{self, FeatureId, Origin, SkuId};
use super::{Checker, Named, SetValue};
use crate::syntax::ast;

impl<'a> Checker<'a> {
    /// Pass 1: a `feature` declaration.
    pub(super) fn declare_feature(&mut self, f: &ast::FeatureDecl, file: usize) {
        if let Some(&first) = self.feature_index.get(&f.name.text) {
            if let Some(first) = self.features.get(first as usize).map(|x| x.origin) {
                self.duplicate("feature", &f.name, file, first);
            }
            return;
        }
        self.feature_index
            .insert(f.name.text.clone(), self.features.len() as FeatureId);
        self.features.push(ir::Feature {
            name: f.name.text.clone(),
            description: f
                .description
                .as_ref()
                .map(|d| d.text.clone())
                .unwrap_or_default(),
            origin: Origin {
                file,
                span: f.name.span,
            },
        });
    }

    /// Features share the one namespace of capabilities, sets and SKUs.
    pub(super) fn feature_clashes(
        &self,
        clashes: &mut Vec<(ast::Name, usize, &'static str, Origin)>,
    ) {
        for f in &self.features {
            let other = self
                .cap_index
                .get(&f.name)
                .and_then(|&c| self.caps.get(c as usize))
                .map(|c| ("capability", c.origin))
                .or_else(|| {
                    self.sets.get(&f.name).map(|s| {
                        (
                            "set",
                            Origin {
                                file: s.file,
                                span: s.decl.name.span,
                            },
                        )
                    })
                })
                .or_else(|| {
                    self.sku_index
                        .get(&f.name)
                        .and_then(|&s| self.skus.get(s as usize))
                        .map(|s| ("SKU", s.origin))
                });
            if let Some((kind, origin)) = other {
                let name = ast::Name {
                    text: f.name.clone(),
                    span: f.origin.span,
                };
                clashes.push((name, f.origin.file, kind, origin));
            }
        }
    }

    /// After the grants: `k.includes` for every SKU, from the service plans and the `includes`
    /// declarations.
    pub(super) fn includes(&mut self, asts: &'a [ast::File]) {
        if self.plan_index.is_empty() {
            for (i, sku) in self.skus.iter().enumerate() {
                for p in &sku.plans {
                    self.plan_index
                        .entry(p.clone())
                        .or_default()
                        .push(i as SkuId);
                }
            }
        }
        let mut placeholders: HashSet<String> = HashSet::new();
        for (file, ast) in asts.iter().enumerate() {
            for item in &ast.items {
                if let ast::Item::Placeholder(p) = item {
                    for plan in &p.plans {
                        // Reports an unknown plan, with a did-you-mean.
                        let _ = self.skus_with_plan(plan, file);
                        placeholders.insert(plan.text.clone());
                        placeholders.insert(government_form(&plan.text));
                    }
                }
            }
        }

        // By plans: B is included in A when A has every plan of B (or its government form).
        // Only SKUs that carry B's rarest plan (or its form) can, so each B is compared with a
        // few candidates, not the whole catalog.
        let mut found: Vec<(SkuId, SkuId)> = Vec::new();
        let none: Vec<SkuId> = Vec::new();
        for (b, sku) in self.skus.iter().enumerate() {
            let plans: Vec<(&String, String)> = sku
                .plans
                .iter()
                .filter(|p| !placeholders.contains(*p))
                .map(|p| (p, government_form(p)))
                .collect();
            let Some((plain, gov)) = plans
                .iter()
                .map(|(p, g)| {
                    (
                        self.plan_index.get(*p).unwrap_or(&none),
                        self.plan_index.get(g).unwrap_or(&none),
                    )
                })
                .min_by_key(|(p, g)| p.len() + g.len())
            else {
                continue;
            };
            for &a in plain.iter().chain(gov) {
                if a as usize == b {
                    continue;
                }
                let Some(including) = self.skus.get(a as usize) else {
                    continue;
                };
                if plans.iter().all(|(p, g)| {
                    including.plans.binary_search(p).is_ok()
                        || including.plans.binary_search(g).is_ok()
                }) {
                    found.push((a, b as SkuId));
                }
            }
        }

        for (file, ast) in asts.iter().enumerate() {
            for item in &ast.items {
                let ast::Item::Includes(decl) = item else {
                    continue;
                };
                let Some(a) = self.skus_named(std::slice::from_ref(&decl.sku), file) else {
                    continue;
                };
                let Some(bs) = self.skus_named(&decl.included, file) else {
                    continue;
                };
                for &x in &a {
                    for &b in &bs {
                        if x == b {
                            let e = CompileError::new(
                                CompileErrorKind::Invalid,
                                format!("SKU `{}` cannot include itself", decl.sku.text),
                            )
                            .at(self.file(file), decl.span, "here")
                            .help(Some(
                                "two assignments of one SKU are one licence, never redundant"
                                    .to_owned(),
                            ));
                            self.error(e);
                        } else {
                            found.push((x, b));
                        }
                    }
                }
            }
        }
        for (a, b) in found {
            if let Some(sku) = self.skus.get_mut(a as usize) {
                sku.includes.push(b);
            }
        }
        for sku in &mut self.skus {
            sku.includes.sort_unstable();
            sku.includes.dedup();
        }
    }

    /// SKUs (or sets of SKUs) by name; `None` after reporting a name that is not one.
    fn skus_named(&mut self, names: &[ast::Name], file: usize) -> Option<Vec<SkuId>> {
        let mut out = Vec::new();
        let mut ok = true;
        for n in names {
            match self.resolve_named(n, file) {
                Some(Named::Sku(s)) => out.push(s),
                Some(Named::Set(SetValue::Skus(v))) => out.extend(v),
                Some(Named::Cap(_) | Named::Set(SetValue::Caps(_))) => {
                    let e = CompileError::new(
                        CompileErrorKind::Type,
                        format!("`{}` is a capability, not a SKU", n.text),
                    )
                    .at(self.file(file), n.span, "expected a SKU or a set of SKUs")
                    .help(Some(
                        "write `includes SKU INCLUDED_SKU, INCLUDED_SKU`".to_owned(),
                    ));
                    self.error(e);
                    ok = false;
                }
                None => ok = false,
            }
        }
        ok.then_some(out)
    }
}

/// A plan's US government cloud form in Microsoft's table: `RMS_S_PREMIUM` -> `RMS_S_PREMIUM_GOV`.
fn government_form(plan: &str) -> String {
    format!("{plan}_GOV")
}

#[cfg(test)]
mod tests {
    use crate::compile::Policy;
    use crate::source::SourceFile;

    const RULE: &str =
        "rule x/y { severity error for tenant require true at tenant message \"m\" }\n";

    fn compile(text: &str) -> Result<Policy, String> {
        Policy::from_sources(&[SourceFile::new("p.skuld", format!("{text}{RULE}"))])
            .map_err(|d| d.to_string() + &format!("{d:?}"))
    }

    fn includes(p: &Policy, a: &str) -> Vec<String> {
        let c = p.catalog();
        let id = c.get(a).unwrap();
        c.sku(id)
            .unwrap()
            .includes
            .iter()
            .map(|&s| c.sku(s).unwrap().part.clone())
            .collect()
    }

    #[test]
    fn includes_by_plans_placeholders_aside_and_by_declaration() {
        let p = compile(
            "product A \"A\" { plans [P1, P2, F] }\nproduct B \"B\" { plans [P1, F2] }\n\
             product C \"C\" { plans [P1] }\nproduct D \"D\" { }\nproduct E \"E\" { plans [F] }\n\
             placeholder plans F2\nincludes D A\n",
        )
        .unwrap();
        // B's plans less the placeholder F2 are all in A; C's in A and B; E only has F (in A).
        assert_eq!(includes(&p, "A"), ["B", "C", "E"]);
        assert_eq!(includes(&p, "B"), ["C"]);
        assert_eq!(includes(&p, "D"), ["A"]);
        // B has nothing but C's plan beside a placeholder: each includes the other.
        assert_eq!(includes(&p, "C"), ["B"]);
        assert!(includes(&p, "E").is_empty());
    }

    #[test]
    fn government_forms_of_plans_and_placeholders() {
        let p = compile(
            "product G3 \"M365 G3 GCC\" { plans [AAD_PREMIUM, RMS_S_PREMIUM_GOV, F] }\n\
             product EMS_G \"EMS G3 GCC\" { plans [AAD_PREMIUM, RMS_S_PREMIUM, F_GOV] }\n\
             product C \"commercial\" { plans [AAD_PREMIUM, RMS_S_PREMIUM_GOV, OTHER] }\n\
             product X \"X\" { plans [RMS_S_PREMIUM, OTHER] }\n\
             placeholder plans F\n",
        )
        .unwrap();
        // EMS_G's RMS_S_PREMIUM is G3's RMS_S_PREMIUM_GOV, and its F_GOV a placeholder.
        assert_eq!(includes(&p, "G3"), ["EMS_G"]);
        // Not the other way round: a government form does not stand for the commercial plan.
        assert!(includes(&p, "EMS_G").is_empty());
        // C has the government form of X's plan and X's other plan.
        assert_eq!(includes(&p, "C"), ["G3", "EMS_G", "X"]);
        assert!(includes(&p, "X").is_empty());
    }

    #[test]
    fn features_are_declared_once_in_one_namespace() {
        let e = compile("feature a \"A\"\nfeature a \"again\"\n").unwrap_err();
        assert!(e.contains("feature `a` is declared twice"), "{e}");
        let e = compile("capability a \"A\"\nfeature a \"A\"\n").unwrap_err();
        assert!(e.contains("is already the name of a capability"), "{e}");
        let e = compile("feature conditonal \"A\"\nrule q/r { severity error for user u require conditional in u.features at u message \"m\" }\n").unwrap_err();
        assert!(e.contains("unknown name `conditional`"), "{e}");
        let e = compile("product A \"A\" { plans [P] }\nincludes A A\n").unwrap_err();
        assert!(e.contains("cannot include itself"), "{e}");
    }

    #[test]
    fn a_user_rule_whose_where_requires_a_feature_is_guarded_by_it() {
        let rule = |i: usize, filter: &str| {
            format!(
                "rule t/r{i} {{ severity error for user u where {filter} require false at u message \"m\" }}\n"
            )
        };
        let filters = [
            ("ca in u.features", true),
            ("u.synced and ca in u.features", true),
            ("ca in u.features and count(u.licenses) > 1", true),
            ("ca not in u.features", false),
            ("not (ca in u.features)", false),
            ("ca in u.features or u.synced", false),
            ("any(g in u.groups: ca in u.features)", false),
        ];
        let text: String = filters
            .iter()
            .enumerate()
            .map(|(i, (f, _))| rule(i, f))
            .collect();
        let p = compile(&format!("feature ca \"CA\"\n{text}")).unwrap();
        for ((filter, guarded), r) in filters.iter().zip(p.rules()) {
            assert_eq!(r.feature_guard.is_some(), *guarded, "{filter}");
        }
        assert_eq!(p.rules().len(), filters.len() + 1);
    }
}
