//! Pass 3: each rule's header, selection, labels, message template and place.

use super::expr::Scope;
use super::ir::{Expr, Origin};
use super::types::Ty;
use super::{Checker, CompileError, CompileErrorKind, Severity, ir};
use crate::source::Span;
use crate::syntax::ast;

impl<'a> Checker<'a> {
    /// Pass 3: rules.
    pub(super) fn check_rules(&mut self, asts: &'a [ast::File]) {
        for (file, ast) in asts.iter().enumerate() {
            for item in &ast.items {
                if let ast::Item::Rule(r) = item {
                    self.check_rule(r, file);
                }
            }
        }
    }

    fn check_rule(&mut self, r: &ast::RuleDecl, file: usize) {
        let origin = Origin {
            file,
            span: r.id.span,
        };
        if let Some(&first) = self.rule_index.get(&r.id.text) {
            self.duplicate("rule", &r.id, file, first);
            return;
        }
        self.rule_index.insert(r.id.text.clone(), origin);
        let errors_before = self.errors.len();
        let mut scope = Scope {
            file,
            vars: Vec::new(),
            max: 0,
        };
        let range_ty = match r.range {
            ast::RangeKind::Tenant => None,
            ast::RangeKind::User => Some(Ty::User),
            ast::RangeKind::Group => Some(Ty::Group),
            ast::RangeKind::Subscription => Some(Ty::Subscription),
            ast::RangeKind::Assignment => Some(Ty::Assignment),
        };
        if let (Some(ty), Some(var)) = (range_ty, &r.var) {
            scope.push(&var.text, ty);
        }
        let filter = r
            .filter
            .as_ref()
            .and_then(|e| self.bool_expr(e, &mut scope, "`where`"));
        let require = self.bool_expr(&r.require, &mut scope, "`require`");
        let at = self.place(&r.at, &mut scope);
        let severities = self.severities(r, &mut scope);
        let messages = self.messages(r, &mut scope);
        let at_label = match &r.at_label {
            Some(t) => self.template(t, &mut scope).map(Some),
            None => Some(None),
        };
        let subject = r
            .subject
            .as_ref()
            .and_then(|e| self.expr(e, &mut scope).map(|(e, _)| e));
        let mut helps = Vec::new();
        for h in &r.helps {
            let text = self.template(&h.text, &mut scope);
            let when = match &h.when {
                Some(w) => self.bool_expr(w, &mut scope, "`when`").map(Some),
                None => Some(None),
            };
            if let (Some(text), Some(when)) = (text, when) {
                helps.push((text, when));
            }
        }
        let mut labels = Vec::new();
        for l in &r.labels {
            if let Some(label) = self.label(l, &mut scope) {
                labels.push(label);
            }
        }
        if self.errors.len() != errors_before {
            return;
        }
        let (
            Some(require),
            Some(at),
            Some((severity, severity_when)),
            Some((message, messages_when)),
            Some(at_label),
        ) = (require, at, severities, messages, at_label)
        else {
            return;
        };
        self.rules.push(ir::Rule {
            id: r.id.text.clone(),
            severity,
            severity_when,
            docs: r.docs.clone(),
            summary: ir::summary(&r.docs),
            range: r.range,
            feature_guard: match r.range {
                ast::RangeKind::User => filter.as_ref().and_then(ir::feature_guard),
                _ => None,
            },
            by_license_set: match r.range {
                ast::RangeKind::User => ir::LicenseSetUse {
                    filter: filter
                        .as_ref()
                        .is_none_or(ir::reads_user_only_through_licenses),
                    require: ir::reads_user_only_through_licenses(&require),
                },
                _ => ir::LicenseSetUse::default(),
            },
            filter,
            require,
            at,
            at_label,
            message,
            messages_when,
            subject,
            helps,
            labels,
            slots: scope.max,
            origin,
            decl: r.span,
        });
    }

    /// The `severity` clauses: the default (exactly one without `when`) and at most one
    /// conditional one, of the other level.
    fn severities(
        &mut self,
        r: &ast::RuleDecl,
        scope: &mut Scope,
    ) -> Option<(Severity, Option<(Severity, Expr)>)> {
        let level = |c: &ast::SeverityClause| match c.level {
            ast::SeverityKw::Error => Severity::Error,
            ast::SeverityKw::Warning => Severity::Warning,
        };
        let default = self
            .one_default(
                scope.file,
                r.severities.iter().map(|c| (c.span, c.when.is_none())),
                "severity",
                "add `severity error` (or `warning`) for them",
            )
            .and_then(|i| r.severities.get(i))
            .map(level);
        let file = self.file(scope.file).clone();
        let mut other: Option<(Severity, Expr)> = None;
        let mut first_when: Option<Span> = None;
        let mut ok = default.is_some();
        for c in &r.severities {
            let Some(w) = &c.when else { continue };
            let cond = self.bool_expr(w, scope, "`severity … when`");
            if let Some(first) = first_when.replace(c.span) {
                let e = CompileError::new(
                    CompileErrorKind::Invalid,
                    "a rule has at most one `severity … when`",
                )
                .at(&file, c.span, "a second conditional severity")
                .also(&file, first, "the first one")
                .help(Some(
                    "join the conditions with `or` in one `severity … when` clause".to_owned(),
                ));
                self.error(e);
                ok = false;
            } else if default == Some(level(c)) {
                let (this, that) = match level(c) {
                    Severity::Error => ("error", "warning"),
                    Severity::Warning => ("warning", "error"),
                };
                let e = CompileError::new(
                    CompileErrorKind::Invalid,
                    format!("`severity {this} when …` gives the rule's default severity again"),
                )
                .at(&file, c.span, "already the default: it changes nothing")
                .help(Some(format!(
                    "the condition picks the findings that get the other severity: write `severity {that} when …`, or remove the clause"
                )));
                self.error(e);
                ok = false;
            } else {
                ok &= cond.is_some();
                other = cond.map(|cond| (level(c), cond));
            }
        }
        match default {
            Some(d) if ok => Some((d, other)),
            _ => None,
        }
    }

    /// The `message` clauses: the default (exactly one without `when`) and the conditional
    /// ones, in order.
    fn messages(
        &mut self,
        r: &ast::RuleDecl,
        scope: &mut Scope,
    ) -> Option<(ir::Template, Vec<(ir::Template, Expr)>)> {
        let found = self.one_default(
            scope.file,
            r.messages.iter().map(|m| (m.text.span, m.when.is_none())),
            "message",
            "add a `message \"…\"` without `when` for them",
        );
        let mut default = None;
        let mut cases = Vec::new();
        let mut ok = found.is_some();
        for m in &r.messages {
            let text = self.template(&m.text, scope);
            match &m.when {
                None => default = default.or(text),
                Some(w) => match (text, self.bool_expr(w, scope, "`message … when`")) {
                    (Some(t), Some(c)) => cases.push((t, c)),
                    _ => ok = false,
                },
            }
        }
        match default {
            Some(d) if ok => Some((d, cases)),
            _ => None,
        }
    }

    /// Checks that exactly one clause of a kind (`what`; `clauses`: each one's span and
    /// whether it has no `when`) is the default; reports none (at the first clause) or a second
    /// one. The index of the default when there is exactly one.
    fn one_default(
        &mut self,
        file: usize,
        clauses: impl Iterator<Item = (Span, bool)>,
        what: &str,
        help: &str,
    ) -> Option<usize> {
        let clauses: Vec<(Span, bool)> = clauses.collect();
        let mut defaults = clauses.iter().enumerate().filter(|(_, (_, d))| *d);
        let source = self.file(file).clone();
        let Some((index, &(default, _))) = defaults.next() else {
            if let Some((first, _)) = clauses.first() {
                let e = CompileError::new(
                    CompileErrorKind::Invalid,
                    format!("the rule has no `{what}` without `when`"),
                )
                .at(&source, *first, "every clause has a condition")
                .help(Some(format!(
                    "the findings where no `when` holds need one: {help}"
                )));
                self.error(e);
            }
            return None;
        };
        if let Some((_, &(again, _))) = defaults.next() {
            let e = CompileError::new(
                CompileErrorKind::Duplicate,
                format!("`{what}` without `when` is given twice"),
            )
            .at(&source, again, "a second default")
            .also(&source, default, "the first one")
            .help(Some(format!(
                "a rule has one default `{what}`; give the other findings theirs with a `{what}` clause ending in `when <condition>`"
            )));
            self.error(e);
            return None;
        }
        Some(index)
    }

    pub(super) fn label(&mut self, l: &ast::Label, scope: &mut Scope) -> Option<ir::Label> {
        let depth = scope.vars.len();
        let mut pair = None;
        let binding = match &l.binding {
            Some((var, coll, filter)) => {
                let (slot, list) = self.bind_element(
                    var,
                    coll,
                    scope,
                    "expected a list to label each element of",
                )?;
                if let Some((var, coll)) = &l.pair {
                    pair = Some(self.bind_element(
                        var,
                        coll,
                        scope,
                        "expected a list to find a witness in",
                    )?);
                }
                let filter = match filter {
                    Some(f) => Some(self.bool_expr(f, scope, "`where`")?),
                    None => None,
                };
                Some((slot, list, filter))
            }
            None => None,
        };
        let place = self.place(&l.place, scope);
        let text = self.template(&l.text, scope);
        scope.vars.truncate(depth);
        Some(ir::Label {
            binding,
            pair,
            place: place?,
            text: text?,
        })
    }

    /// `var in coll` of a label: the slot `var` is pushed in and the checked list, or `None`
    /// after reporting (`what`, then the type found) that `coll` is not a list.
    fn bind_element(
        &mut self,
        var: &ast::Name,
        coll: &ast::Expr,
        scope: &mut Scope,
        what: &str,
    ) -> Option<(usize, ir::Expr)> {
        let (list, ty) = self.expr(coll, scope)?;
        let Some(elem) = ty.element().cloned() else {
            self.type_error(coll.span, scope, format!("{what}, found {ty}"));
            return None;
        };
        Some((scope.push(&var.text, elem), list))
    }

    fn template(&mut self, t: &ast::Template, scope: &mut Scope) -> Option<ir::Template> {
        let mut parts = Vec::new();
        let mut ok = true;
        for p in &t.parts {
            match p {
                ast::TemplatePart::Text(s) => parts.push(ir::TemplatePart::Text(s.clone())),
                ast::TemplatePart::Hole(e) => match self.expr(e, scope) {
                    Some((e, _)) => parts.push(ir::TemplatePart::Hole(e)),
                    None => ok = false,
                },
            }
        }
        ok.then_some(ir::Template { parts })
    }

    /// A place: a variable or a chain of fields on one, naming a node of the tenant file.
    fn place(&mut self, e: &ast::Expr, scope: &mut Scope) -> Option<Expr> {
        fn is_path(e: &ast::Expr) -> bool {
            match &e.kind {
                ast::ExprKind::Var(_) => true,
                ast::ExprKind::Field(base, _) => is_path(base),
                _ => false,
            }
        }
        if !is_path(e) {
            let err = CompileError::new(
                CompileErrorKind::Invalid,
                "a finding must point at a node of the tenant file",
            )
            .at(
                self.file(scope.file),
                e.span,
                "not a variable or a field of one",
            )
            .help(Some(
                "write a variable (`u`) or a field of one (`u.licenses`, `tenant.sspr.writeback`)"
                    .to_owned(),
            ));
            self.error(err);
            return None;
        }
        self.expr(e, scope).map(|(e, _)| e)
    }

    pub(super) fn bool_expr(
        &mut self,
        e: &ast::Expr,
        scope: &mut Scope,
        what: &str,
    ) -> Option<Expr> {
        let (expr, ty) = self.expr(e, scope)?;
        if ty != Ty::Bool {
            self.type_error(e.span, scope, format!("{what} needs a boolean, found {ty}"));
            return None;
        }
        Some(expr)
    }
}
