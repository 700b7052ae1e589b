//! Spans erased: two files that differ only in layout are equal after this.

use crate::source::Span;
use crate::syntax::ast::{Expr, ExprKind, File, Item, Name, SkuAttr, Template, TemplatePart};

/// The AST with every span set to the empty span at 0: two files that differ only in layout
/// are equal after this.
pub fn without_spans(file: &File) -> File {
    let mut f = file.clone();
    for item in &mut f.items {
        erase_item(item);
    }
    f
}

const NO_SPAN: Span = Span { start: 0, end: 0 };

fn erase_name(n: &mut Name) {
    n.span = NO_SPAN;
}

fn erase_item(item: &mut Item) {
    match item {
        Item::Capability(c) => {
            c.span = NO_SPAN;
            erase_name(&mut c.name);
            if let Some(d) = &mut c.description {
                erase_name(d);
            }
        }
        Item::Sku(s) => {
            s.span = NO_SPAN;
            erase_name(&mut s.part);
            erase_name(&mut s.display);
            for a in &mut s.attrs {
                match a {
                    SkuAttr::Grants(names)
                    | SkuAttr::UnavailableIn(names)
                    | SkuAttr::Plans(names) => {
                        names.iter_mut().for_each(erase_name);
                    }
                    SkuAttr::Paid(span) | SkuAttr::Free(span) => *span = NO_SPAN,
                    SkuAttr::Family(n) | SkuAttr::Id(n) => erase_name(n),
                }
            }
        }
        Item::Set(s) => {
            s.span = NO_SPAN;
            erase_name(&mut s.name);
            s.members.iter_mut().for_each(erase_name);
        }
        Item::Feature(f) => {
            f.span = NO_SPAN;
            erase_name(&mut f.name);
            if let Some(d) = &mut f.description {
                erase_name(d);
            }
        }
        Item::Includes(i) => {
            i.span = NO_SPAN;
            erase_name(&mut i.sku);
            i.included.iter_mut().for_each(erase_name);
        }
        Item::Placeholder(p) => {
            p.span = NO_SPAN;
            p.plans.iter_mut().for_each(erase_name);
        }
        Item::Grant(g) => {
            g.span = NO_SPAN;
            g.capabilities.iter_mut().for_each(erase_name);
            g.targets.iter_mut().for_each(erase_name);
            for t in &mut g.plans {
                t.span = NO_SPAN;
                t.plans.iter_mut().for_each(erase_name);
            }
        }
        Item::Rule(r) => {
            r.span = NO_SPAN;
            erase_name(&mut r.id);
            for c in &mut r.severities {
                c.span = NO_SPAN;
                if let Some(w) = &mut c.when {
                    erase_expr(w);
                }
            }
            if let Some(v) = &mut r.var {
                erase_name(v);
            }
            if let Some(f) = &mut r.filter {
                erase_expr(f);
            }
            erase_expr(&mut r.require);
            erase_expr(&mut r.at);
            if let Some(t) = &mut r.at_label {
                erase_template(t);
            }
            for m in &mut r.messages {
                erase_template(&mut m.text);
                if let Some(w) = &mut m.when {
                    erase_expr(w);
                }
            }
            if let Some(s) = &mut r.subject {
                erase_expr(s);
            }
            for h in &mut r.helps {
                erase_template(&mut h.text);
                if let Some(w) = &mut h.when {
                    erase_expr(w);
                }
            }
            for l in &mut r.labels {
                if let Some((var, coll, filter)) = &mut l.binding {
                    erase_name(var);
                    erase_expr(coll);
                    if let Some(f) = filter {
                        erase_expr(f);
                    }
                }
                if let Some((var, coll)) = &mut l.pair {
                    erase_name(var);
                    erase_expr(coll);
                }
                erase_expr(&mut l.place);
                erase_template(&mut l.text);
            }
        }
    }
}

fn erase_template(t: &mut Template) {
    t.span = NO_SPAN;
    for part in &mut t.parts {
        match part {
            TemplatePart::Text(_) => {}
            TemplatePart::Hole(e) => erase_expr(e),
        }
    }
}

fn erase_expr(e: &mut Expr) {
    e.span = NO_SPAN;
    match &mut e.kind {
        ExprKind::Var(_)
        | ExprKind::Int(_)
        | ExprKind::Str(_)
        | ExprKind::Bool(_)
        | ExprKind::Null => {}
        ExprKind::List(items) => items.iter_mut().for_each(erase_expr),
        ExprKind::Field(inner, name) => {
            erase_expr(inner);
            erase_name(name);
        }
        ExprKind::Not(inner) | ExprKind::Count(inner) => erase_expr(inner),
        ExprKind::Binary(_, l, r) => {
            erase_expr(l);
            erase_expr(r);
        }
        ExprKind::Quantifier(_, var, coll, body) => {
            erase_name(var);
            erase_expr(coll);
            erase_expr(body);
        }
    }
}
