//! Layout of names, strings, templates and expressions on one line, with the fewest
//! parentheses that keep the tree.

use crate::syntax::ast::{BinOp, Expr, ExprKind, Name, Quantifier, Template, TemplatePart};
use crate::syntax::lexical::is_ident;

/// A name bare when it is an identifier, quoted otherwise.
pub(super) fn name(n: &Name) -> String {
    if is_ident(&n.text) {
        n.text.clone()
    } else {
        quote(&n.text)
    }
}

/// A string literal with the grammar's escapes.
pub(super) fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

pub(super) fn template(t: &Template) -> String {
    let mut out = String::from("\"");
    for part in &t.parts {
        match part {
            TemplatePart::Text(s) => {
                for c in s.chars() {
                    match c {
                        '"' => out.push_str("\\\""),
                        '\\' => out.push_str("\\\\"),
                        '\n' => out.push_str("\\n"),
                        '\t' => out.push_str("\\t"),
                        '{' => out.push_str("{{"),
                        '}' => out.push_str("}}"),
                        c => out.push(c),
                    }
                }
            }
            TemplatePart::Hole(e) => {
                out.push('{');
                out.push_str(&expr(e));
                out.push('}');
            }
        }
    }
    out.push('"');
    out
}

// Binding power, as in the parser's Pratt table: or < and < not < comparisons < `.field`.
const PREC_OR: u8 = 1;
const PREC_AND: u8 = 2;
const PREC_NOT: u8 = 3;
const PREC_CMP: u8 = 4;
const PREC_ATOM: u8 = 5;

pub(super) fn prec_of_op(op: BinOp) -> u8 {
    match op {
        BinOp::Or => PREC_OR,
        BinOp::And => PREC_AND,
        BinOp::Eq
        | BinOp::Ne
        | BinOp::Lt
        | BinOp::Le
        | BinOp::Gt
        | BinOp::Ge
        | BinOp::In
        | BinOp::NotIn => PREC_CMP,
    }
}

fn prec(e: &Expr) -> u8 {
    match &e.kind {
        ExprKind::Binary(op, _, _) => prec_of_op(*op),
        ExprKind::Not(_) => PREC_NOT,
        ExprKind::Var(_)
        | ExprKind::Int(_)
        | ExprKind::Str(_)
        | ExprKind::Bool(_)
        | ExprKind::Null
        | ExprKind::List(_)
        | ExprKind::Field(..)
        | ExprKind::Quantifier(..)
        | ExprKind::Count(_) => PREC_ATOM,
    }
}

/// An operand of an operator of binding power `p`, parenthesised when needed (operators are
/// left-associative, so a right operand of the same power needs them too).
pub(super) fn child(e: &Expr, p: u8, right: bool) -> String {
    let q = prec(e);
    // `a or (b and c)`: the parentheses are not needed, but nobody should have to remember why.
    let mixed = p == PREC_OR && q == PREC_AND;
    if q < p || (right && q == p) || mixed {
        format!("({})", expr(e))
    } else {
        expr(e)
    }
}

/// An expression on one line, with the fewest parentheses that keep its tree, plus two kinds for
/// readability: `not (a == b)` rather than `not a == b`, `a or (b and c)` rather than
/// `a or b and c`.
pub(super) fn expr(e: &Expr) -> String {
    match &e.kind {
        ExprKind::Var(v) => v.clone(),
        ExprKind::Int(i) => i.to_string(),
        ExprKind::Str(s) => quote(s),
        ExprKind::Bool(b) => b.to_string(),
        ExprKind::Null => "null".to_owned(),
        ExprKind::List(items) => {
            let items: Vec<String> = items.iter().map(expr).collect();
            format!("[{}]", items.join(", "))
        }
        ExprKind::Field(inner, field) => {
            format!("{}.{}", child(inner, PREC_ATOM, false), field.text)
        }
        ExprKind::Not(inner) => {
            if prec(inner) == PREC_CMP {
                format!("not ({})", expr(inner))
            } else {
                format!("not {}", child(inner, PREC_NOT, false))
            }
        }
        ExprKind::Binary(op, l, r) => {
            let p = prec_of_op(*op);
            format!(
                "{} {} {}",
                child(l, p, false),
                op.as_str(),
                child(r, p, true)
            )
        }
        ExprKind::Quantifier(q, var, coll, body) => {
            let kw = match q {
                Quantifier::Any => "any",
                Quantifier::All => "all",
                Quantifier::None => "none",
                Quantifier::Count => "count",
            };
            format!("{kw}({} in {}: {})", var.text, expr(coll), expr(body))
        }
        ExprKind::Count(inner) => format!("count({})", expr(inner)),
    }
}
