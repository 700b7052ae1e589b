//! The printer: declarations, SKU bodies and rule clauses laid out in lines, with the
//! recovered comments re-emitted where a line starts.

use super::comments::{Comment, CommentKind};
use super::layout::{child, expr, name, prec_of_op, quote, template};
use super::{INDENT, WIDTH};
use crate::syntax::ast::{
    BinOp, Expr, ExprKind, GrantDecl, Item, Name, RangeKind, RuleDecl, SeverityKw, SkuAttr, SkuDecl,
};

pub(super) struct Printer {
    pub(super) lines: Vec<String>,
    pub(super) comments: Vec<Comment>,
    pub(super) next: usize,
    /// The source text (empty for an AST built in memory).
    pub(super) text: String,
    /// Comments from here on belong to a later construct: [`Printer::trailing_after`] leaves
    /// them (the end of a body, say, for its last clause).
    pub(super) limit: u32,
}

impl Printer {
    /// The first byte at or after `from` that is neither whitespace nor in a comment.
    fn next_code(&self, from: u32) -> Option<u32> {
        let mut i = from as usize;
        loop {
            let rest = self.text.get(i..)?;
            let trimmed = rest.trim_start();
            i += rest.len() - trimmed.len();
            if trimmed.starts_with("//") {
                i += trimmed.find('\n')?;
            } else if trimmed.is_empty() {
                return None;
            } else {
                return u32::try_from(i).ok();
            }
        }
    }

    /// Keeps a comment on the line of the construct it trails: after printing something that
    /// ended at byte `end` of the source, the comments that follow on the same source line are
    /// appended to the last output line.
    fn trailing_after(&mut self, end: Option<u32>) {
        let Some(end) = end else { return };
        while let Some(c) = self.comments.get(self.next) {
            let between = self.text.get(end as usize..c.start as usize);
            let same_line = between.is_some_and(|b| !b.contains('\n'));
            if c.own_line || c.kind == CommentKind::Doc || !same_line || c.start >= self.limit {
                return;
            }
            let c = c.clone();
            self.next += 1;
            if !self.trailing(&c) {
                let indent = self
                    .lines
                    .last()
                    .map_or(0, |l| l.len() - l.trim_start().len());
                self.line(indent, &c.text);
            }
        }
    }

    fn line(&mut self, indent: usize, text: &str) {
        self.lines.push(format!("{:indent$}{text}", ""));
    }

    fn blank(&mut self) {
        if self.lines.last().is_some_and(|l| !l.is_empty()) {
            self.lines.push(String::new());
        }
    }

    /// Takes the comments that start before `pos`.
    fn take_before(&mut self, pos: u32) -> Vec<Comment> {
        let mut taken = Vec::new();
        while let Some(c) = self.comments.get(self.next) {
            if c.start >= pos {
                break;
            }
            taken.push(c.clone());
            self.next += 1;
        }
        taken
    }

    fn trailing(&mut self, c: &Comment) -> bool {
        if c.own_line {
            return false;
        }
        match self.lines.last_mut() {
            Some(last) if !last.is_empty() => {
                last.push(' ');
                last.push_str(&c.text);
                true
            }
            _ => false,
        }
    }

    /// Comments before a top-level declaration: blank lines around comment blocks kept (at most
    /// one), and always one blank line between declarations.
    pub(super) fn flush_top(&mut self, pos: u32) {
        let mut own = 0;
        let mut last_blank_after = false;
        for c in self.take_before(pos) {
            if c.kind == CommentKind::Doc || self.trailing(&c) {
                continue;
            }
            if own == 0 || c.blank_before {
                self.blank();
            }
            self.line(0, &c.text);
            own += 1;
            last_blank_after = c.blank_after;
        }
        if own == 0 || last_blank_after {
            self.blank();
        }
    }

    /// Comments inside a body, at its indentation; `docs` keeps `///` lines (on `grant`).
    fn flush_in(&mut self, pos: Option<u32>, indent: usize, docs: bool) {
        let Some(pos) = pos else { return };
        for c in self.take_before(pos) {
            if (c.kind == CommentKind::Doc && !docs) || self.trailing(&c) {
                continue;
            }
            self.line(indent, &c.text);
        }
    }

    fn docs(&mut self, docs: &str) {
        if docs.is_empty() {
            return;
        }
        for l in docs.split('\n') {
            self.line(0, &doc_line(l));
        }
    }

    pub(super) fn item(&mut self, item: &Item) {
        match item {
            Item::Capability(c) => {
                self.flush_top(c.span.start);
                self.docs(&c.docs);
                self.flush_in(Some(c.name.span.start), 0, false);
                let mut text = format!("capability {}", c.name.text);
                if let Some(d) = &c.description {
                    text.push(' ');
                    text.push_str(&quote(&d.text));
                }
                self.line(0, &text);
                self.trailing_after(Some(c.span.end));
            }
            Item::Sku(s) => self.sku(s),
            Item::Set(s) => {
                self.flush_top(s.span.start);
                self.docs(&s.docs);
                self.flush_in(Some(s.name.span.start), 0, false);
                let head = format!("set {} = [", s.name.text);
                let members: Vec<String> = s.members.iter().map(name).collect();
                let flat = format!("{head}{}]", members.join(", "));
                if flat.len() <= WIDTH {
                    self.line(0, &flat);
                } else {
                    self.line(0, &head);
                    let words: Vec<String> = members.iter().map(|m| format!("{m},")).collect();
                    for l in fill(&words, INDENT) {
                        self.line(INDENT, &l);
                    }
                    self.line(0, "]");
                }
                self.trailing_after(Some(s.span.end));
            }
            Item::Grant(g) => {
                self.flush_top(g.span.start);
                self.flush_in(g.capabilities.first().map(|n| n.span.start), 0, true);
                let mut words = vec!["grant".to_owned()];
                words.extend(comma_list(&g.capabilities));
                words.push("to".to_owned());
                words.extend(grant_targets(g));
                self.wrapped(0, &words);
                self.trailing_after(Some(g.span.end));
            }
            Item::Rule(r) => self.rule(r),
            Item::Feature(f) => {
                self.flush_top(f.span.start);
                self.docs(&f.docs);
                self.flush_in(Some(f.name.span.start), 0, false);
                let mut text = format!("feature {}", f.name.text);
                if let Some(d) = &f.description {
                    text.push(' ');
                    text.push_str(&quote(&d.text));
                }
                self.line(0, &text);
                self.trailing_after(Some(f.span.end));
            }
            Item::Includes(i) => {
                self.flush_top(i.span.start);
                self.docs(&i.docs);
                self.flush_in(Some(i.sku.span.start), 0, false);
                let mut words = vec!["includes".to_owned(), name(&i.sku)];
                words.extend(comma_list(&i.included));
                self.wrapped(0, &words);
                self.trailing_after(Some(i.span.end));
            }
            Item::Placeholder(p) => {
                self.flush_top(p.span.start);
                self.docs(&p.docs);
                self.flush_in(p.plans.first().map(|n| n.span.start), 0, false);
                let mut words = vec!["placeholder".to_owned(), "plans".to_owned()];
                words.extend(comma_list(&p.plans));
                self.wrapped(0, &words);
                self.trailing_after(Some(p.span.end));
            }
        }
    }

    /// Words on one line, or filled over lines indented one step further.
    fn wrapped(&mut self, indent: usize, words: &[String]) {
        let flat = words.join(" ");
        if indent + flat.len() <= WIDTH {
            self.line(indent, &flat);
            return;
        }
        let lines = fill(words, indent + INDENT);
        for (i, l) in lines.iter().enumerate() {
            self.line(if i == 0 { indent } else { indent + INDENT }, l);
        }
    }

    fn sku(&mut self, s: &SkuDecl) {
        self.flush_top(s.span.start);
        self.docs(&s.docs);
        self.flush_in(Some(s.part.span.start), 0, false);
        let keyword = if s.product { "product" } else { "sku" };
        let head = format!("{keyword} {} {}", name(&s.part), quote(&s.display.text));
        if s.attrs.is_empty() {
            self.line(0, &head);
            self.trailing_after(Some(s.span.end));
            return;
        }
        self.line(0, &format!("{head} {{"));
        self.limit = s.attrs.first().and_then(attr_pos).unwrap_or(s.span.end);
        self.trailing_after(Some(s.display.span.end));
        self.limit = s.span.end;
        let attrs: Vec<Vec<String>> = s.attrs.iter().map(sku_attr).collect();
        let flat = attrs
            .iter()
            .map(|a| a.join(" "))
            .collect::<Vec<_>>()
            .join(" ");
        // A `product` (a generated fact of Microsoft's table) keeps one attribute per line, the
        // layout `examples/gen_catalog.rs` writes, so the generated catalog is canonical.
        if !s.product && INDENT + flat.len() <= WIDTH {
            self.flush_in(s.attrs.first().and_then(attr_pos), INDENT, false);
            self.line(INDENT, &flat);
            self.trailing_after(s.attrs.last().and_then(attr_end));
        } else {
            for (attr, words) in s.attrs.iter().zip(&attrs) {
                self.flush_in(attr_pos(attr), INDENT, false);
                self.wrapped(INDENT, words);
                self.trailing_after(attr_end(attr));
            }
        }
        self.limit = u32::MAX;
        self.flush_in(Some(s.span.end), INDENT, false);
        self.line(0, "}");
        self.trailing_after(Some(s.span.end));
    }

    fn rule(&mut self, r: &RuleDecl) {
        self.flush_top(r.span.start);
        self.docs(&r.docs);
        self.flush_in(Some(r.id.span.start), 0, false);
        self.line(0, &format!("rule {} {{", r.id.text));
        let first = r.severities.first().map_or(r.id.span.end, |c| c.span.start);
        self.limit = first;
        self.trailing_after(Some(r.id.span.end));
        self.limit = r.span.end;
        let mut severity_end = first;
        for c in &r.severities {
            let level = match c.level {
                SeverityKw::Error => "error",
                SeverityKw::Warning => "warning",
            };
            let mut segs = vec![Seg::Text(format!("severity {level}"))];
            if let Some(w) = &c.when {
                segs.push(Seg::Expr("when", w));
            }
            severity_end = c.end();
            self.clause(Some(c.span.start), Some(severity_end), segs);
        }

        let range = match r.range {
            RangeKind::Tenant => "tenant",
            RangeKind::User => "user",
            RangeKind::Group => "group",
            RangeKind::Subscription => "subscription",
            RangeKind::Assignment => "assignment",
        };
        let mut head = format!("for {range}");
        if let Some(v) = &r.var {
            head.push(' ');
            head.push_str(&v.text);
        }
        let mut segs = vec![Seg::Text(head)];
        if let Some(f) = &r.filter {
            segs.push(Seg::Expr("where", f));
        }
        // `for tenant` alone has no node with a span: its keyword is the first code after
        // `severity …`.
        let pos = r
            .var
            .as_ref()
            .map(|v| v.span.start)
            .or(r.filter.as_ref().map(|f| f.span.start))
            .or_else(|| self.next_code(severity_end));
        let end = r
            .filter
            .as_ref()
            .map(|f| f.span.end)
            .or(r.var.as_ref().map(|v| v.span.end));
        self.clause(pos, end, segs);

        self.clause(
            Some(r.require.span.start),
            Some(r.require.span.end),
            vec![Seg::Expr("require", &r.require)],
        );
        let mut segs = vec![Seg::Expr("at", &r.at)];
        if let Some(t) = &r.at_label {
            segs.push(Seg::Text(template(t)));
        }
        let end = r.at_label.as_ref().map_or(r.at.span.end, |t| t.span.end);
        self.clause(Some(r.at.span.start), Some(end), segs);
        for m in &r.messages {
            let mut segs = vec![Seg::Text(format!("message {}", template(&m.text)))];
            if let Some(w) = &m.when {
                segs.push(Seg::Expr("when", w));
            }
            self.clause(Some(m.text.span.start), Some(m.end()), segs);
        }
        if let Some(s) = &r.subject {
            self.clause(
                Some(s.span.start),
                Some(s.span.end),
                vec![Seg::Expr("subject", s)],
            );
        }
        for h in &r.helps {
            let mut segs = vec![Seg::Text(format!("help {}", template(&h.text)))];
            if let Some(w) = &h.when {
                segs.push(Seg::Expr("when", w));
            }
            let end = h.when.as_ref().map_or(h.text.span.end, |w| w.span.end);
            self.clause(Some(h.text.span.start), Some(end), segs);
        }
        for l in &r.labels {
            let mut segs = Vec::new();
            let pos = match &l.binding {
                Some((var, coll, filter)) => {
                    let mut b = format!("label {} in {}", var.text, expr(coll));
                    if let Some((var, coll)) = &l.pair {
                        b.push_str(&format!(", {} in {}", var.text, expr(coll)));
                    }
                    if let Some(f) = filter {
                        b.push_str(" where ");
                        b.push_str(&expr(f));
                    }
                    b.push_str(" =>");
                    segs.push(Seg::Text(b));
                    segs.push(Seg::Text(format!(
                        "{} {}",
                        expr(&l.place),
                        template(&l.text)
                    )));
                    var.span.start
                }
                None => {
                    segs.push(Seg::Expr("label", &l.place));
                    segs.push(Seg::Text(template(&l.text)));
                    l.place.span.start
                }
            };
            self.clause(Some(pos), Some(l.text.span.end), segs);
        }
        self.limit = u32::MAX;
        self.flush_in(Some(r.span.end), INDENT, false);
        self.line(0, "}");
        self.trailing_after(Some(r.span.end));
    }

    /// One rule clause: on one line when it fits; otherwise each segment on its own line (the
    /// first at the clause's indentation, the rest one step further), and an expression that
    /// still does not fit broken before each `and`/`or` of its top-level chain.
    fn clause(&mut self, pos: Option<u32>, end: Option<u32>, segs: Vec<Seg<'_>>) {
        self.clause_lines(pos, segs);
        self.trailing_after(end);
    }

    fn clause_lines(&mut self, pos: Option<u32>, segs: Vec<Seg<'_>>) {
        self.flush_in(pos, INDENT, false);
        let flat: Vec<String> = segs.iter().map(Seg::flat).collect();
        let joined = flat.join(" ");
        if INDENT + joined.len() <= WIDTH {
            self.line(INDENT, &joined);
            return;
        }
        for (i, (seg, text)) in segs.iter().zip(&flat).enumerate() {
            let indent = if i == 0 { INDENT } else { 2 * INDENT };
            match seg {
                Seg::Expr(kw, e) if indent + text.len() > WIDTH => {
                    let (op, operands) = chain(e);
                    for (j, operand) in operands.into_iter().enumerate() {
                        // The first operand is a left operand, the others right ones.
                        let text = match op {
                            Some(op) => child(operand, prec_of_op(op), j > 0),
                            None => expr(operand),
                        };
                        if j == 0 {
                            self.line(indent, &format!("{kw} {text}"));
                        } else {
                            let op = op.map_or("", BinOp::as_str);
                            self.line(2 * INDENT, &format!("{op} {text}"));
                        }
                    }
                }
                Seg::Expr(..) | Seg::Text(_) => self.line(indent, text),
            }
        }
    }
}

/// A piece of a clause that may go on a line of its own.
enum Seg<'a> {
    Text(String),
    /// A keyword and an expression.
    Expr(&'static str, &'a Expr),
}

impl Seg<'_> {
    fn flat(&self) -> String {
        match self {
            Seg::Text(t) => t.clone(),
            Seg::Expr(kw, e) => format!("{kw} {}", expr(e)),
        }
    }
}

/// A top-level `a or b or c` (or `and`) chain as its operator and operands; any other
/// expression is a chain of one.
fn chain(e: &Expr) -> (Option<BinOp>, Vec<&Expr>) {
    match &e.kind {
        ExprKind::Binary(op @ (BinOp::Or | BinOp::And), _, _) => {
            let mut operands = Vec::new();
            collect_chain(e, *op, &mut operands);
            (Some(*op), operands)
        }
        ExprKind::Var(_)
        | ExprKind::Int(_)
        | ExprKind::Str(_)
        | ExprKind::Bool(_)
        | ExprKind::Null
        | ExprKind::List(_)
        | ExprKind::Field(..)
        | ExprKind::Not(_)
        | ExprKind::Binary(..)
        | ExprKind::Quantifier(..)
        | ExprKind::Count(_) => (None, vec![e]),
    }
}

/// Left-associative: `a or b or c` is `(a or b) or c`; the right operand of a chain link is
/// never flattened (it was parenthesised in the source).
fn collect_chain<'a>(e: &'a Expr, op: BinOp, out: &mut Vec<&'a Expr>) {
    match &e.kind {
        ExprKind::Binary(o, l, r) if *o == op => {
            collect_chain(l, op, out);
            out.push(r);
        }
        _ => out.push(e),
    }
}

fn sku_attr(a: &SkuAttr) -> Vec<String> {
    match a {
        SkuAttr::Grants(names) => {
            let mut w = vec!["grants".to_owned()];
            w.extend(comma_list(names));
            w
        }
        SkuAttr::Paid(_) => vec!["paid".to_owned()],
        SkuAttr::Free(_) => vec!["free".to_owned()],
        SkuAttr::Family(n) => vec!["family".to_owned(), n.text.clone()],
        SkuAttr::Id(n) => vec!["id".to_owned(), quote(&n.text)],
        SkuAttr::UnavailableIn(c) => {
            let list: Vec<&str> = c.iter().map(|n| n.text.as_str()).collect();
            vec![format!("unavailable_in [{}]", list.join(", "))]
        }
        // One word: a SKU's service plans stay on one line, however long, as generated.
        SkuAttr::Plans(p) => {
            let list: Vec<String> = p.iter().map(name).collect();
            vec![format!("plans [{}]", list.join(", "))]
        }
    }
}

/// The targets of a grant in source order: SKU or set names, and `plan NAME`s.
fn grant_targets(g: &GrantDecl) -> Vec<String> {
    let mut targets: Vec<(u32, String)> = g
        .targets
        .iter()
        .map(|n| (n.span.start, name(n)))
        .chain(g.plans.iter().map(|t| {
            let names: Vec<String> = t.plans.iter().map(name).collect();
            let paid = if t.paid { "paid " } else { "" };
            (t.span.start, format!("{paid}plan {}", names.join(" + ")))
        }))
        .collect();
    targets.sort_by_key(|(start, _)| *start);
    let n = targets.len();
    targets
        .into_iter()
        .enumerate()
        .map(|(i, (_, t))| if i + 1 < n { format!("{t},") } else { t })
        .collect()
}

fn attr_end(a: &SkuAttr) -> Option<u32> {
    match a {
        SkuAttr::Grants(names) | SkuAttr::UnavailableIn(names) | SkuAttr::Plans(names) => {
            names.last().map(|n| n.span.end)
        }
        SkuAttr::Paid(span) | SkuAttr::Free(span) => Some(span.end),
        SkuAttr::Family(n) | SkuAttr::Id(n) => Some(n.span.end),
    }
}

fn attr_pos(a: &SkuAttr) -> Option<u32> {
    match a {
        SkuAttr::Grants(names) | SkuAttr::UnavailableIn(names) | SkuAttr::Plans(names) => {
            names.first().map(|n| n.span.start)
        }
        SkuAttr::Paid(span) | SkuAttr::Free(span) => Some(span.start),
        SkuAttr::Family(n) | SkuAttr::Id(n) => Some(n.span.start),
    }
}

/// `a,` `b,` `c`: names with their commas, as words to fill.
fn comma_list(names: &[Name]) -> Vec<String> {
    let n = names.len();
    names
        .iter()
        .enumerate()
        .map(|(i, x)| {
            if i + 1 < n {
                format!("{},", name(x))
            } else {
                name(x)
            }
        })
        .collect()
}

/// Greedy fill of words into lines that fit in [`WIDTH`] at `indent`.
fn fill(words: &[String], indent: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut cur = String::new();
    for w in words {
        if !cur.is_empty() && indent + cur.len() + 1 + w.len() > WIDTH {
            lines.push(std::mem::take(&mut cur));
        }
        if !cur.is_empty() {
            cur.push(' ');
        }
        cur.push_str(w);
    }
    if !cur.is_empty() {
        lines.push(cur);
    }
    lines
}

pub(super) fn doc_line(l: &str) -> String {
    if l.is_empty() {
        "///".to_owned()
    } else {
        format!("/// {l}")
    }
}
