//! `skuld explain TENANT --user UPN`: a user's licence sources, location, SSPR chain and each
//! rule's conditions, as text; and `skuld eval`'s expression with the values of its parts.

use std::fmt::Write as _;

use crate::eval::explain::{Condition, UserExplanation};
use crate::eval::query::Evaluation;

/// The human explanation of one user: licence sources, location, SSPR chain, rule by rule.
pub fn user(x: &UserExplanation, file: &str) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "user {} ({file}:{}), {} account",
        x.upn, x.line, x.source
    );

    out.push_str("\neffective licences:\n");
    if x.licences.iter().all(|l| l.failed.is_some()) {
        out.push_str("  none\n");
    }
    let from = |l: &crate::eval::explain::LicenceSource| match (&l.group, l.group_line) {
        (Some(g), Some(gl)) => format!(
            "via group `{g}` (line {gl}): group licences reach its direct members, line {}",
            l.line
        ),
        _ => format!("assigned directly, line {}", l.line),
    };
    for l in x.licences.iter().filter(|l| l.failed.is_none()) {
        let _ = write!(out, "  {} ({}): {}", l.name, l.sku, from(l));
        if !l.switched_off.is_empty() {
            let plans: Vec<String> = l.switched_off.iter().map(|p| format!("`{p}`")).collect();
            let _ = write!(out, "; switched off: {}", plans.join(", "));
        }
        out.push('\n');
    }
    for l in x.licences.iter().filter(|l| l.failed.is_some()) {
        let why = l.failed.as_deref().unwrap_or_default();
        let _ = writeln!(
            out,
            "  not held: {} ({}), {}: {why}",
            l.name,
            l.sku,
            from(l)
        );
    }
    for n in &x.not_received {
        let _ = writeln!(
            out,
            "  not received: {} from group `{}` (line {}): the user is in it only through {}, and \
             group licences do not flow through nesting",
            n.sku,
            n.group,
            n.group_line,
            n.chain
                .iter()
                .map(|g| format!("`{g}`"))
                .collect::<Vec<_>>()
                .join(" → ")
        );
    }

    let u = &x.usage_location;
    let location = match (u.source, &u.value, u.line) {
        ("user", Some(v), Some(l)) => format!("{v}, the user's own (line {l})"),
        ("tenant", Some(v), Some(l)) => format!(
            "{v}, inherited from the tenant's `country` (line {l}); it covers group-based licences only, a direct assignment needs the user's own"
        ),
        _ => {
            "none: neither the user's `usage_location` nor the tenant's `country` is set".to_owned()
        }
    };
    let _ = writeln!(out, "\nusage location: {location}");

    let s = &x.sspr;
    let sspr = match (s.scope, s.in_scope) {
        ("off", _) => "off: the tenant file has no `sspr` entry".to_owned(),
        ("none", _) => format!(
            "not in scope: SSPR scope is `none` (line {})",
            s.line.unwrap_or(0)
        ),
        ("all", _) => format!(
            "in scope: SSPR scope is `all` (line {})",
            s.line.unwrap_or(0)
        ),
        (_, true) => {
            let group = s.group.as_deref().unwrap_or("?");
            if s.chain.len() <= 1 {
                format!("in scope: direct member of the selected group `{group}`")
            } else {
                format!(
                    "in scope: member of the selected group `{group}` through nesting: {}",
                    s.chain
                        .iter()
                        .map(|g| format!("`{g}`"))
                        .collect::<Vec<_>>()
                        .join(" → ")
                )
            }
        }
        (_, false) => format!(
            "not in scope: not a member, directly or through nested groups, of the selected group `{}`",
            s.group.as_deref().unwrap_or("?")
        ),
    };
    let _ = writeln!(out, "SSPR: {sspr}");
    for f in &x.features {
        let how: Vec<String> = f
            .entries
            .iter()
            .map(|e| {
                let entry = match &e.name {
                    Some(n) => format!("entry `{n}` (line {})", e.line),
                    None => format!("the entry of line {}", e.line),
                };
                match e.via {
                    "all" => format!("{entry}: all users"),
                    "users" => format!("{entry}: listed in `users`"),
                    _ if e.chain.len() <= 1 => format!(
                        "{entry}: member of `{}`",
                        e.chain.first().map_or("?", String::as_str)
                    ),
                    _ => format!(
                        "{entry}: through nesting: {}",
                        e.chain
                            .iter()
                            .map(|g| format!("`{g}`"))
                            .collect::<Vec<_>>()
                            .join(" → ")
                    ),
                }
            })
            .collect();
        let _ = writeln!(out, "feature {}: covered by {}", f.feature, how.join("; "));
    }

    out.push_str("\nrules:\n");
    if x.rules.is_empty() {
        out.push_str(
            "  none: rules over groups and subscriptions, and the built-in tenant/* checks, are not explained per user\n",
        );
    }
    for r in &x.rules {
        let on = match (&r.element, r.range) {
            (Some(e), _) => format!(" (assignment {e})"),
            (None, "tenant") => " (tenant-wide)".to_owned(),
            _ => String::new(),
        };
        let verdict = if !r.applies {
            "does not apply: its `where` condition is false"
        } else if r.fired {
            "FIRES: its `require` condition is false"
        } else {
            "holds: its `require` condition is true"
        };
        let _ = writeln!(out, "  {}{on}: {verdict}", r.rule);
        for c in &r.conditions {
            condition(&mut out, c, c.depth + 2);
        }
    }
    out
}

/// `skuld eval`: the expression and its value, its parts indented below it (as `explain
/// --user` shows a rule's conditions), then its type, where it was evaluated and the bindings.
pub fn expression(x: &Evaluation, tenant: Option<&str>) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{} = {}", x.expression.trim(), x.text);
    for c in &x.parts {
        condition(&mut out, c, c.depth);
    }
    let on = tenant.map_or_else(|| "without a tenant".to_owned(), |t| format!("on {t}"));
    let _ = write!(out, "\n{}, {on}", x.ty);
    for b in &x.bindings {
        let _ = write!(out, "; {} = {} (line {})", b.variable, b.value, b.line);
    }
    out.push('\n');
    out
}

/// One condition or part: `text = value`, `depth` levels in, its clause keyword first.
fn condition(out: &mut String, c: &Condition, depth: usize) {
    let indent = "  ".repeat(depth);
    let clause = if c.clause.is_empty() {
        String::new()
    } else {
        format!("{} ", c.clause)
    };
    let _ = writeln!(out, "{indent}{clause}{} = {}", c.text, shorten(&c.value));
}

/// A value cut to a readable length (`--format json` has it whole).
fn shorten(value: &str) -> String {
    const MAX: usize = 120;
    match value.char_indices().nth(MAX) {
        Some((cut, _)) => format!("{}…", value.get(..cut).unwrap_or(value)),
        None => value.to_owned(),
    }
}
