//! Pass 1, the namespace: every capability, SKU, product and set of all files, with
//! duplicate checks and the merge of a SKU's `sku` and `product` declarations.

use super::ir::{CapId, Capability, Origin, SkuId};
use super::{Checker, CompileError, CompileErrorKind, SetEntry, SkuDecls, ir};
use crate::diagnostics::suggest::did_you_mean;
use crate::syntax::ast;

impl<'a> Checker<'a> {
    /// Pass 1: every capability, SKU and set, with duplicate checks.
    pub(super) fn declare(&mut self, asts: &'a [ast::File]) {
        for (file, ast) in asts.iter().enumerate() {
            for item in &ast.items {
                match item {
                    ast::Item::Capability(c) => {
                        let origin = Origin {
                            file,
                            span: c.name.span,
                        };
                        if let Some(&first) = self.cap_index.get(&c.name.text) {
                            let first = self.caps.get(first as usize).map(|c| c.origin);
                            if let Some(first) = first {
                                self.duplicate("capability", &c.name, file, first);
                            }
                            continue;
                        }
                        self.cap_index
                            .insert(c.name.text.clone(), self.caps.len() as CapId);
                        self.caps.push(Capability {
                            name: c.name.text.clone(),
                            description: c
                                .description
                                .as_ref()
                                .map(|d| d.text.clone())
                                .unwrap_or_default(),
                            docs: c.docs.clone(),
                            skus: Vec::new(),
                            origin,
                        });
                    }
                    ast::Item::Sku(s) => self.declare_sku(s, file),
                    ast::Item::Set(s) => {
                        if let Some(first) = self.sets.get(&s.name.text) {
                            let first = Origin {
                                file: first.file,
                                span: first.decl.name.span,
                            };
                            self.duplicate("set", &s.name, file, first);
                            continue;
                        }
                        self.sets.insert(
                            s.name.text.clone(),
                            SetEntry {
                                decl: s,
                                file,
                                resolved: None,
                                resolving: false,
                            },
                        );
                    }
                    ast::Item::Feature(f) => self.declare_feature(f, file),
                    ast::Item::Grant(_)
                    | ast::Item::Rule(_)
                    | ast::Item::Includes(_)
                    | ast::Item::Placeholder(_) => {}
                }
            }
        }
        // One namespace: a name must mean one thing.
        let mut clashes = Vec::new();
        for (name, set) in &self.sets {
            let other = self
                .cap_index
                .get(name)
                .and_then(|&c| self.caps.get(c as usize))
                .map(|c| ("capability", c.origin))
                .or_else(|| {
                    self.sku_index
                        .get(name)
                        .and_then(|&s| self.skus.get(s as usize))
                        .map(|s| ("SKU", s.origin))
                });
            if let Some((kind, origin)) = other {
                clashes.push((set.decl.name.clone(), set.file, kind, origin));
            }
        }
        for (name, &cap) in &self.cap_index {
            if let (Some(&sku), Some(c)) = (self.sku_index.get(name), self.caps.get(cap as usize))
                && let Some(s) = self.skus.get(sku as usize)
            {
                let n = ast::Name {
                    text: name.clone(),
                    span: c.origin.span,
                };
                clashes.push((n, c.origin.file, "SKU", s.origin));
            }
        }
        self.feature_clashes(&mut clashes);
        clashes.sort_by_key(|(n, f, _, _)| (*f, n.span));
        for (name, file, kind, origin) in clashes {
            let e = CompileError::new(
                CompileErrorKind::Duplicate,
                format!("`{}` is already the name of a {kind}", name.text),
            )
            .at(self.file(file), name.span, "declared here")
            .also(self.file(origin.file), origin.span, "the other declaration")
            .help(Some("give it another name".to_owned()));
            self.error(e);
        }
    }

    /// Declares a SKU, or merges a `sku` and a `product` declaration of the same part number:
    /// the hand-written `sku` decides display name, docs, `paid`/`free`, family (the
    /// `product`'s applies when it has none) and where diagnostics point; ids and plans add up.
    fn declare_sku(&mut self, s: &ast::SkuDecl, file: usize) {
        let origin = Origin {
            file,
            span: s.part.span,
        };
        let existing = self.sku_index.get(&s.part.text).copied();
        if let Some(id) = existing {
            let decls = self.sku_decls.get(id as usize).copied().unwrap_or_default();
            let (first, what) = if s.product {
                (decls.product, "product")
            } else {
                (decls.sku, "SKU")
            };
            if let Some(first) = first {
                self.duplicate(what, &s.part, file, first);
                return;
            }
        }
        let (mut paid, mut free) = (None, None);
        let (mut family, mut unavailable_in) = (None, None);
        let (mut guids, mut plans) = (Vec::new(), Vec::new());
        for attr in &s.attrs {
            match attr {
                ast::SkuAttr::Paid(span) => paid = Some(*span),
                ast::SkuAttr::Free(span) => free = Some(*span),
                ast::SkuAttr::Family(f) => family = Some(f.text.clone()),
                ast::SkuAttr::Id(g) => guids.push(g.text.trim().to_ascii_lowercase()),
                ast::SkuAttr::UnavailableIn(cs) => {
                    unavailable_in = Some(cs.iter().map(|c| c.text.clone()).collect());
                }
                ast::SkuAttr::Plans(ps) => plans.extend(ps.iter().map(|p| p.text.clone())),
                // Resolved in pass 2, once every capability is known.
                ast::SkuAttr::Grants(_) => {}
            }
        }
        if let (Some(p), Some(f)) = (paid, free) {
            let e = CompileError::new(
                CompileErrorKind::Invalid,
                format!("SKU `{}` is declared both `paid` and `free`", s.part.text),
            )
            .at(self.file(file), f, "free here")
            .also(self.file(file), p, "paid here")
            .help(Some("keep one of the two".to_owned()));
            self.error(e);
        }
        let id = match existing {
            Some(id) => id,
            None if self.skus.len() >= ir::MAX_SKUS => {
                // A SKU value keeps the catalog index in 16 bits (`ir::SkuId`).
                let e = CompileError::new(
                    CompileErrorKind::Invalid,
                    format!("more than {} SKUs are declared", ir::MAX_SKUS),
                )
                .at(self.file(file), s.part.span, "one SKU too many")
                .help(Some("a policy may declare at most 65,536 SKUs".to_owned()));
                self.error(e);
                return;
            }
            None => {
                self.sku_index
                    .insert(s.part.text.clone(), self.skus.len() as SkuId);
                self.sku_decls.push(SkuDecls::default());
                self.skus.push(ir::Sku {
                    part: s.part.text.clone(),
                    display: s.display.text.clone(),
                    paid: false,
                    free: false,
                    family: None,
                    guid: None,
                    guids: Vec::new(),
                    plans: Vec::new(),
                    unavailable_in: Vec::new(),
                    grants: Vec::new(),
                    plan_grants: Vec::new(),
                    includes: Vec::new(),
                    docs: s.docs.clone(),
                    origin,
                });
                (self.skus.len() - 1) as SkuId
            }
        };
        let said = match (paid, free) {
            (Some(_), _) => Some(true),
            (None, Some(_)) => Some(false),
            (None, None) => None,
        };
        let mut status = None;
        if let Some(decls) = self.sku_decls.get_mut(id as usize) {
            if s.product {
                decls.product = Some(origin);
                decls.product_paid = said;
            } else {
                decls.sku = Some(origin);
                decls.sku_paid = said;
            }
            status = decls.sku_paid.or(decls.product_paid);
        }
        let Some(sku) = self.skus.get_mut(id as usize) else {
            return;
        };
        // Paid, free, or neither (unknown): the `sku`'s word, else the generated `product`'s.
        sku.paid = status == Some(true);
        sku.free = status == Some(false);
        if !s.product {
            sku.display = s.display.text.clone();
            sku.docs = s.docs.clone();
            sku.origin = origin;
            // The hand-written family, else the generated one.
            sku.family = family.or(sku.family.take());
            sku.unavailable_in = unavailable_in.unwrap_or_default();
            // The hand-written ids come first.
            guids.append(&mut sku.guids);
            sku.guids = guids;
        } else {
            sku.guids.append(&mut guids);
            if sku.family.is_none() {
                sku.family = family;
            }
        }
        let mut seen = std::collections::HashSet::new();
        sku.guids.retain(|g| seen.insert(g.clone()));
        sku.guid = sku.guids.first().cloned();
        sku.plans.append(&mut plans);
        sku.plans.sort_unstable();
        sku.plans.dedup();
    }

    /// Whether `s` (in `file`) is the declaration the SKU was recorded under, i.e. not a
    /// duplicate that was reported and skipped.
    pub(super) fn is_recorded(&self, sku: SkuId, s: &ast::SkuDecl, file: usize) -> bool {
        let origin = Origin {
            file,
            span: s.part.span,
        };
        self.sku_decls
            .get(sku as usize)
            .is_some_and(|d| d.sku == Some(origin) || d.product == Some(origin))
    }

    /// The SKUs that include service plan `plan`, or an error with a did-you-mean.
    pub(super) fn skus_with_plan(&mut self, plan: &ast::Name, file: usize) -> Vec<SkuId> {
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
        if let Some(skus) = self.plan_index.get(&plan.text) {
            return skus.clone();
        }
        // Without the generated catalog no SKU lists its plans: a `plan` grant then matches
        // nothing, so that policies naming plans still compose with a hand-written catalog.
        if self.plan_index.is_empty() {
            return Vec::new();
        }
        let help = if self.may_suggest() {
            did_you_mean(&plan.text, self.plan_index.keys().map(String::as_str))
        } else {
            None
        };
        let e = CompileError::new(
            CompileErrorKind::UnknownName,
            format!("unknown service plan `{}`", plan.text),
        )
        .at(
            self.file(file),
            plan.span,
            "no SKU of the catalog includes this plan",
        )
        .help(help);
        self.error(e);
        Vec::new()
    }
}
