//! Type checking of expressions: variables resolved to slots, fields to an enum, every
//! operator's operand types checked.

use super::ir::{Const, Expr, Field};
use super::types::{Ty, fields_of};
use super::{Checker, CompileError, CompileErrorKind, SetValue, ir};
use crate::diagnostics::suggest::did_you_mean;
use crate::source::Span;
use crate::syntax::ast;

/// The names every rule can use without declaring them.
const ROOTS: &[(&str, Option<Field>)] = &[
    ("tenant", None),
    ("users", Some(Field::TenantUsers)),
    ("groups", Some(Field::TenantGroups)),
    ("subscriptions", Some(Field::TenantSubscriptions)),
    ("assignments", Some(Field::TenantAssignments)),
    ("skus", Some(Field::TenantSkus)),
];

impl<'a> Checker<'a> {
    pub(super) fn type_error(&mut self, span: Span, scope: &Scope, message: String) {
        let e = CompileError::new(CompileErrorKind::Type, message).at(
            self.file(scope.file),
            span,
            "this expression",
        );
        self.error(e);
    }

    pub(super) fn expr(&mut self, e: &ast::Expr, scope: &mut Scope) -> Option<(Expr, Ty)> {
        use ast::ExprKind as K;
        Some(match &e.kind {
            K::Int(i) => (Expr::Const(Const::Int(*i)), Ty::Int),
            K::Str(s) => (Expr::Const(Const::Str(s.clone())), Ty::Str),
            K::Bool(b) => (Expr::Const(Const::Bool(*b)), Ty::Bool),
            K::Null => (Expr::Const(Const::Null), Ty::Null),
            K::Var(name) => self.var(name, e.span, scope)?,
            K::List(items) => self.list(items, e.span, scope)?,
            K::Field(base, field) => {
                let (base_expr, base_ty) = self.expr(base, scope)?;
                let fields = fields_of(&base_ty);
                let Some((_, f, fty)) = fields.iter().find(|(n, _, _)| *n == field.text) else {
                    let help = if fields.is_empty() {
                        Some(format!("a {base_ty} has no fields"))
                    } else {
                        did_you_mean(&field.text, fields.iter().map(|(n, _, _)| *n)).or_else(|| {
                            Some(format!(
                                "a {base_ty} has: {}",
                                fields
                                    .iter()
                                    .map(|(n, _, _)| format!("`{n}`"))
                                    .collect::<Vec<_>>()
                                    .join(", ")
                            ))
                        })
                    };
                    let err = CompileError::new(
                        CompileErrorKind::UnknownField,
                        format!("a {base_ty} has no field `{}`", field.text),
                    )
                    .at(self.file(scope.file), field.span, "unknown field")
                    .help(help);
                    self.error(err);
                    return None;
                };
                (Expr::Field(Box::new(base_expr), *f), fty.ty())
            }
            K::Not(inner) => {
                let inner = self.bool_expr(inner, scope, "`not`")?;
                (Expr::Not(Box::new(inner)), Ty::Bool)
            }
            K::Binary(op, lhs, rhs) => self.binary(*op, lhs, rhs, e.span, scope)?,
            K::Quantifier(q, var, coll, body) => {
                let (list, ty) = self.expr(coll, scope)?;
                let Some(elem) = ty.element().cloned() else {
                    self.type_error(
                        coll.span,
                        scope,
                        format!("a quantifier ranges over a list, found {ty}"),
                    );
                    return None;
                };
                let depth = scope.vars.len();
                let slot = scope.push(&var.text, elem);
                let body = self.bool_expr(body, scope, "a quantifier's condition");
                scope.vars.truncate(depth);
                let body = body?;
                let ty = if *q == ast::Quantifier::Count {
                    Ty::Int
                } else {
                    Ty::Bool
                };
                (
                    Expr::Quantifier {
                        kind: *q,
                        slot,
                        list: Box::new(list),
                        body: Box::new(body),
                    },
                    ty,
                )
            }
            K::Count(inner) => {
                let (list, ty) = self.expr(inner, scope)?;
                if ty.element().is_none() {
                    self.type_error(
                        inner.span,
                        scope,
                        format!("`count` needs a list, found {ty}; to count matches write `count(x in xs: condition)`"),
                    );
                    return None;
                }
                (Expr::Count(Box::new(list)), Ty::Int)
            }
        })
    }

    fn var(&mut self, name: &str, span: Span, scope: &mut Scope) -> Option<(Expr, Ty)> {
        if let Some((slot, ty)) = scope.lookup(name) {
            return Some((Expr::Slot(slot), ty));
        }
        if let Some((_, field)) = ROOTS.iter().find(|(n, _)| *n == name) {
            if let Some(cx) = &self.expression
                && !cx.tenant
                && name != "skus"
            {
                let e = CompileError::new(
                    CompileErrorKind::UnknownName,
                    format!("`{name}` needs a tenant file"),
                )
                .at(self.file(scope.file), span, "read from the tenant")
                .help(Some(
                    "name a tenant file after the expression: `skuld eval '…' tenant.yaml`; without one only constants, the catalog (`skus`) and the policy's names can be evaluated".to_owned(),
                ));
                self.error(e);
                return None;
            }
            return Some(match field {
                None => (Expr::Tenant, Ty::Tenant),
                Some(f) => {
                    let ty = fields_of(&Ty::Tenant)
                        .iter()
                        .find(|(_, ff, _)| ff == f)
                        .map_or(Ty::Null, |(_, _, t)| t.ty());
                    (Expr::Field(Box::new(Expr::Tenant), *f), ty)
                }
            });
        }
        if let Some(&c) = self.cap_index.get(name) {
            return Some((Expr::Const(Const::Cap(c)), Ty::Capability));
        }
        if let Some(&f) = self.feature_index.get(name) {
            return Some((Expr::Const(Const::Feature(f)), Ty::Feature));
        }
        if self.sets.contains_key(name) {
            let site = ast::Name {
                text: name.to_owned(),
                span,
            };
            return Some(match self.resolve_set(name, &site, scope.file)? {
                SetValue::Skus(v) => (Expr::Const(Const::Skus(v)), Ty::Sku.list()),
                SetValue::Caps(v) => (Expr::Const(Const::Caps(v)), Ty::Capability.list()),
            });
        }
        if let Some(&s) = self.sku_index.get(name) {
            return Some((Expr::Const(Const::Sku(s)), Ty::Sku));
        }
        let mut candidates: Vec<&str> = scope.vars.iter().map(|(n, _)| n.as_str()).collect();
        candidates.extend(ROOTS.iter().map(|(n, _)| *n));
        if self.may_suggest() {
            candidates.extend(self.cap_index.keys().map(String::as_str));
            candidates.extend(self.feature_index.keys().map(String::as_str));
            candidates.extend(self.sets.keys().map(String::as_str));
            candidates.extend(self.sku_index.keys().map(String::as_str));
        }
        let bound_by_flag = self
            .expression
            .as_ref()
            .and_then(|cx| cx.unbound.iter().find(|(n, _)| *n == name))
            .map(|(_, help)| help.clone());
        let help = bound_by_flag.or_else(|| did_you_mean(name, candidates.iter().copied())).or_else(|| {
            Some("a name is a variable, `tenant`, `users`, `groups`, `subscriptions`, `assignments`, `skus`, or a declared capability, feature, set or SKU".to_owned())
        });
        let e = CompileError::new(
            CompileErrorKind::UnknownName,
            format!("unknown name `{name}`"),
        )
        .at(self.file(scope.file), span, "not declared")
        .help(help);
        self.error(e);
        None
    }

    pub(super) fn list(
        &mut self,
        items: &[ast::Expr],
        span: Span,
        scope: &mut Scope,
    ) -> Option<(Expr, Ty)> {
        let mut consts = Vec::new();
        for item in items {
            let (e, ty) = self.expr(item, scope)?;
            match e {
                Expr::Const(c) => consts.push((c, ty, item.span)),
                _ => {
                    self.type_error(
                        item.span,
                        scope,
                        "list literals hold constants only".to_owned(),
                    );
                    return None;
                }
            }
        }
        let first_ty = consts.first().map_or(Ty::Null, |(_, t, _)| t.clone());
        if let Some((_, ty, s)) = consts.iter().find(|(_, t, _)| *t != first_ty) {
            self.type_error(
                *s,
                scope,
                format!("a list of {first_ty} cannot hold a {ty}"),
            );
            return None;
        }
        let c = match first_ty {
            Ty::Null => Const::Strs(Vec::new()),
            Ty::Str => Const::Strs(
                consts
                    .into_iter()
                    .filter_map(|(c, _, _)| match c {
                        Const::Str(s) => Some(s),
                        _ => None,
                    })
                    .collect(),
            ),
            Ty::Int => Const::Ints(
                consts
                    .into_iter()
                    .filter_map(|(c, _, _)| match c {
                        Const::Int(i) => Some(i),
                        _ => None,
                    })
                    .collect(),
            ),
            Ty::Sku => Const::Skus(
                consts
                    .into_iter()
                    .filter_map(|(c, _, _)| match c {
                        Const::Sku(s) => Some(s),
                        _ => None,
                    })
                    .collect(),
            ),
            Ty::Capability => Const::Caps(
                consts
                    .into_iter()
                    .filter_map(|(c, _, _)| match c {
                        Const::Cap(s) => Some(s),
                        _ => None,
                    })
                    .collect(),
            ),
            other => {
                self.type_error(
                    span,
                    scope,
                    format!("lists of {other} cannot be written literally"),
                );
                return None;
            }
        };
        let ty = match &c {
            Const::Ints(_) => Ty::Int.list(),
            Const::Skus(_) => Ty::Sku.list(),
            Const::Caps(_) => Ty::Capability.list(),
            _ => Ty::Str.list(),
        };
        Some((Expr::Const(c), ty))
    }

    fn binary(
        &mut self,
        op: ast::BinOp,
        lhs: &ast::Expr,
        rhs: &ast::Expr,
        span: Span,
        scope: &mut Scope,
    ) -> Option<(Expr, Ty)> {
        use ast::BinOp as B;
        use ir::Compare as C;
        match op {
            B::And | B::Or => {
                let l = self.bool_expr(lhs, scope, &format!("`{}`", op.as_str()));
                let r = self.bool_expr(rhs, scope, &format!("`{}`", op.as_str()));
                let (l, r) = (Box::new(l?), Box::new(r?));
                Some((
                    if op == B::And {
                        Expr::And(l, r)
                    } else {
                        Expr::Or(l, r)
                    },
                    Ty::Bool,
                ))
            }
            B::In | B::NotIn => {
                let l = self.expr(lhs, scope);
                let r = self.expr(rhs, scope);
                let ((l, lt), (r, rt)) = (l?, r?);
                let ok = rt
                    .element()
                    .is_some_and(|e| lt.comparable(e) || *e == Ty::Null);
                if !ok {
                    self.type_error(
                        span,
                        scope,
                        format!(
                            "`{}` needs a list of {lt} on its right, found {rt}",
                            op.as_str()
                        ),
                    );
                    return None;
                }
                Some((
                    Expr::In {
                        item: Box::new(l),
                        list: Box::new(r),
                        negated: op == B::NotIn,
                    },
                    Ty::Bool,
                ))
            }
            B::Eq | B::Ne | B::Lt | B::Le | B::Gt | B::Ge => {
                let l = self.expr(lhs, scope);
                let r = self.expr(rhs, scope);
                let ((l, lt), (r, rt)) = (l?, r?);
                let ordered = matches!(op, B::Lt | B::Le | B::Gt | B::Ge);
                let number = |t: &Ty| matches!(t, Ty::Int | Ty::OptInt);
                if ordered && !(number(&lt) && number(&rt)) {
                    self.type_error(
                        span,
                        scope,
                        format!("`{}` compares numbers, found {lt} and {rt}", op.as_str()),
                    );
                    return None;
                }
                if !lt.comparable(&rt) {
                    self.type_error(span, scope, format!("cannot compare {lt} with {rt}"));
                    return None;
                }
                let c = match op {
                    B::Eq => C::Eq,
                    B::Ne => C::Ne,
                    B::Lt => C::Lt,
                    B::Le => C::Le,
                    B::Gt => C::Gt,
                    _ => C::Ge,
                };
                Some((Expr::Compare(c, Box::new(l), Box::new(r)), Ty::Bool))
            }
        }
    }
}

impl<'a> Checker<'a> {
    /// Checks a `skuld eval` expression in a scope holding its binders (slots `0..`); the
    /// expression's text is file `file`. `None` after recording its errors.
    pub(super) fn check_query(
        &mut self,
        query: &super::ExpressionQuery<'a>,
        file: usize,
    ) -> Option<super::CheckedExpression> {
        let mut scope = Scope {
            file,
            vars: Vec::new(),
            max: 0,
        };
        for (name, binder) in query.binders {
            let ty = match binder {
                super::Binder::User => Ty::User,
                super::Binder::Group => Ty::Group,
                super::Binder::Subscription => Ty::Subscription,
            };
            scope.push(name, ty);
        }
        self.expression = Some(super::ExpressionContext {
            tenant: query.tenant,
            unbound: query.unbound,
        });
        let (expr, ty) = self.expr(query.expr, &mut scope)?;
        Some(super::CheckedExpression {
            expr,
            ty: ty.to_string(),
            slots: scope.max,
        })
    }
}

/// Variables in scope while checking one rule; a variable's slot is its depth.
pub(super) struct Scope {
    pub(super) file: usize,
    pub(super) vars: Vec<(String, Ty)>,
    pub(super) max: usize,
}

impl Scope {
    pub(super) fn push(&mut self, name: &str, ty: Ty) -> usize {
        self.vars.push((name.to_owned(), ty));
        self.max = self.max.max(self.vars.len());
        self.vars.len() - 1
    }

    fn lookup(&self, name: &str) -> Option<(usize, Ty)> {
        self.vars
            .iter()
            .enumerate()
            .rev()
            .find(|(_, (n, _))| n == name)
            .map(|(i, (_, t))| (i, t.clone()))
    }
}
