//! The canonical layout of policy files: AST (plus the comments of the source) → text.
//!
//! The layout depends only on the AST and the comments, never on how the input was laid out, so
//! formatting is idempotent by construction. Comments are not in the AST (pest's `COMMENT` is
//! silent): they are recovered from the source text, outside the spans of string literals, and
//! re-emitted at the next place a line starts (a declaration, a rule clause, a SKU attribute, a
//! closing brace). A comment inside a list or an expression therefore moves to the end of that
//! construct's line; it is never dropped (the CLI checks this before writing anything).
//!
//! Every printer below is an exhaustive `match` over the AST enums, so a new construct in the
//! grammar does not compile until it has a layout.

use super::ast::*;
use crate::source::{SourceFile, Span};

/// Lines longer than this are broken where the layout allows (strings are never split).
pub const WIDTH: usize = 100;
const INDENT: usize = 4;

/// Formats a parsed file. `source` is the text `file` was parsed from (for its comments), or
/// `None` for an AST built in memory.
pub fn format_file(file: &File, source: Option<&SourceFile>) -> String {
    let comments = source.map_or_else(Vec::new, |s| comments_of(file, s.text()));
    let mut p = Printer {
        lines: Vec::new(),
        comments,
        next: 0,
        text: source.map_or_else(String::new, |s| s.text().to_owned()),
        limit: u32::MAX,
    };
    for item in &file.items {
        p.item(item);
    }
    p.flush_top(u32::MAX);
    let mut out = p.lines.join("\n");
    while out.ends_with('\n') {
        out.pop();
    }
    if !out.is_empty() {
        out.push('\n');
    }
    out
}

/// The comments of `text` as written, in order (`//`, `////` and `///` lines), trailing
/// whitespace removed. Used to check that formatting kept every comment.
pub fn comment_texts(file: &File, text: &str) -> Vec<String> {
    comments_of(file, text)
        .into_iter()
        .filter_map(|c| match c.kind {
            CommentKind::Doc => {
                let body = c.text.trim_start_matches("///");
                let body = body.strip_prefix(' ').unwrap_or(body);
                // A lone empty `///` is no documentation (the AST keeps nothing of it).
                (!body.is_empty()).then(|| doc_line(body))
            }
            CommentKind::Line => Some(c.text),
        })
        .collect()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CommentKind {
    /// `// …` or `//// …`: kept verbatim.
    Line,
    /// `/// …`: part of the AST (`docs`), except on `grant`, whose docs the AST drops.
    Doc,
}

#[derive(Debug, Clone)]
struct Comment {
    start: u32,
    text: String,
    kind: CommentKind,
    /// Only whitespace before it on its line.
    own_line: bool,
    /// A blank line between the previous code or comment and this comment.
    blank_before: bool,
    /// A blank line between this comment and the next code or comment.
    blank_after: bool,
}

/// A message template whose source holds a line break and `//`: possibly a comment inside a
/// `{…}` hole, which the layout cannot keep (templates are printed on one line). Formatting
/// such a file is refused rather than risk dropping the comment.
pub fn comment_in_template(file: &File, text: &str) -> Option<Span> {
    file.items.iter().find_map(|item| match item {
        Item::Capability(_)
        | Item::Sku(_)
        | Item::Set(_)
        | Item::Grant(_)
        | Item::Feature(_)
        | Item::Includes(_)
        | Item::Placeholder(_) => None,
        Item::Rule(r) => {
            let mut templates = vec![&r.message];
            templates.extend(r.at_label.iter());
            templates.extend(r.helps.iter().map(|h| &h.text));
            templates.extend(r.labels.iter().map(|l| &l.text));
            templates.into_iter().map(|t| t.span).find(|span| {
                text.get(span.range())
                    .is_some_and(|t| t.contains('\n') && t.contains("//"))
            })
        }
    })
}

/// Finds the comments of `text`: every `//` outside string literals and templates (whose spans the
/// AST knows; outside them `//` means nothing else in the grammar).
fn comments_of(file: &File, text: &str) -> Vec<Comment> {
    let mut opaque = Vec::new();
    for item in &file.items {
        strings_of_item(item, &mut opaque);
    }
    opaque.sort();
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    let mut o = 0;
    while i < bytes.len() {
        while opaque.get(o).is_some_and(|s: &Span| (s.end as usize) <= i) {
            o += 1;
        }
        if let Some(s) = opaque.get(o)
            && (s.start as usize) <= i
        {
            i = (s.end as usize).max(i + 1);
            continue;
        }
        if bytes.get(i) == Some(&b'/') && bytes.get(i + 1) == Some(&b'/') {
            let end = text
                .get(i..)
                .and_then(|r| r.find('\n'))
                .map_or(text.len(), |n| i + n);
            let body = text.get(i..end).unwrap_or("").trim_end().to_owned();
            let before = text.get(..i).unwrap_or("");
            let line_start = before.rfind('\n').map_or(0, |n| n + 1);
            let own_line = before.get(line_start..).unwrap_or("").trim().is_empty();
            let blank_before =
                own_line && ends_with_blank_line(before.get(..line_start).unwrap_or(""));
            let after = text.get(end..).unwrap_or("");
            let blank_after = starts_with_blank_line(after);
            let kind = if body.starts_with("///") && !body.starts_with("////") {
                CommentKind::Doc
            } else {
                CommentKind::Line
            };
            out.push(Comment {
                start: u32::try_from(i).unwrap_or(u32::MAX),
                text: body,
                kind,
                own_line,
                blank_before,
                blank_after,
            });
            i = end;
            continue;
        }
        i += 1;
    }
    out
}

/// `text` (everything before a line) ends with a line holding only whitespace, and something
/// precedes it.
fn ends_with_blank_line(text: &str) -> bool {
    let mut lines = text.lines().rev();
    matches!(lines.next(), Some(l) if l.trim().is_empty()) && !text.trim().is_empty()
}

/// `text` (from the end of a line) holds a blank line before the next non-whitespace.
fn starts_with_blank_line(text: &str) -> bool {
    let rest = text.trim_start();
    let ws = text.get(..text.len() - rest.len()).unwrap_or("");
    ws.matches('\n').count() >= 2 && !rest.is_empty()
}

fn strings_of_item(item: &Item, out: &mut Vec<Span>) {
    match item {
        Item::Capability(c) => {
            if let Some(d) = &c.description {
                out.push(d.span);
            }
        }
        Item::Sku(s) => {
            out.push(s.part.span);
            out.push(s.display.span);
            for a in &s.attrs {
                match a {
                    SkuAttr::Grants(names)
                    | SkuAttr::UnavailableIn(names)
                    | SkuAttr::Plans(names) => {
                        out.extend(names.iter().map(|n| n.span));
                    }
                    SkuAttr::Paid(_) | SkuAttr::Free(_) => {}
                    SkuAttr::Family(n) | SkuAttr::Id(n) => out.push(n.span),
                }
            }
        }
        Item::Set(s) => out.extend(s.members.iter().map(|n| n.span)),
        Item::Feature(f) => out.extend(f.description.iter().map(|d| d.span)),
        Item::Includes(i) => {
            out.push(i.sku.span);
            out.extend(i.included.iter().map(|n| n.span));
        }
        Item::Placeholder(p) => out.extend(p.plans.iter().map(|n| n.span)),
        Item::Grant(g) => {
            out.extend(g.capabilities.iter().map(|n| n.span));
            out.extend(g.targets.iter().map(|n| n.span));
            out.extend(g.plans.iter().map(|n| n.span));
        }
        Item::Rule(r) => {
            let exprs = [
                Some(&r.require),
                Some(&r.at),
                r.filter.as_ref(),
                r.subject.as_ref(),
            ];
            for e in exprs.into_iter().flatten() {
                strings_of_expr(e, out);
            }
            if let Some(t) = &r.at_label {
                out.push(t.span);
            }
            out.push(r.message.span);
            for h in &r.helps {
                out.push(h.text.span);
                if let Some(w) = &h.when {
                    strings_of_expr(w, out);
                }
            }
            for l in &r.labels {
                out.push(l.text.span);
                strings_of_expr(&l.place, out);
                if let Some((_, coll, filter)) = &l.binding {
                    strings_of_expr(coll, out);
                    if let Some(f) = filter {
                        strings_of_expr(f, out);
                    }
                }
            }
        }
    }
}

fn strings_of_expr(e: &Expr, out: &mut Vec<Span>) {
    match &e.kind {
        ExprKind::Str(_) => out.push(e.span),
        ExprKind::Var(_) | ExprKind::Int(_) | ExprKind::Bool(_) | ExprKind::Null => {}
        ExprKind::List(items) => items.iter().for_each(|i| strings_of_expr(i, out)),
        ExprKind::Field(inner, _) | ExprKind::Not(inner) | ExprKind::Count(inner) => {
            strings_of_expr(inner, out);
        }
        ExprKind::Binary(_, l, r) | ExprKind::Quantifier(_, _, l, r) => {
            strings_of_expr(l, out);
            strings_of_expr(r, out);
        }
    }
}

struct Printer {
    lines: Vec<String>,
    comments: Vec<Comment>,
    next: usize,
    /// The source text (empty for an AST built in memory).
    text: String,
    /// Comments from here on belong to a later construct: [`Printer::trailing_after`] leaves
    /// them (the end of a body, say, for its last clause).
    limit: u32,
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
    fn flush_top(&mut self, pos: u32) {
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

    fn item(&mut self, item: &Item) {
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
        self.limit = r.severity.1.start;
        self.trailing_after(Some(r.id.span.end));
        self.limit = r.span.end;
        let severity = match r.severity.0 {
            SeverityKw::Error => "error",
            SeverityKw::Warning => "warning",
        };
        self.clause(
            Some(r.severity.1.start),
            Some(r.severity.1.end),
            vec![Seg::Text(format!("severity {severity}"))],
        );

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
            .or_else(|| self.next_code(r.severity.1.end));
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
        self.clause(
            Some(r.message.span.start),
            Some(r.message.span.end),
            vec![Seg::Text(format!("message {}", template(&r.message)))],
        );
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
        .chain(
            g.plans
                .iter()
                .map(|n| (n.span.start, format!("plan {}", name(n)))),
        )
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

fn doc_line(l: &str) -> String {
    if l.is_empty() {
        "///".to_owned()
    } else {
        format!("/// {l}")
    }
}

/// A name bare when it is an identifier, quoted otherwise.
fn name(n: &Name) -> String {
    if is_ident(&n.text) {
        n.text.clone()
    } else {
        quote(&n.text)
    }
}

const RESERVED: [&str; 20] = [
    "and", "or", "not", "in", "any", "all", "none", "count", "true", "false", "null", "where",
    "require", "at", "message", "subject", "help", "label", "when", "severity",
];

/// An identifier of the grammar (`ident`): not a reserved word.
pub fn is_ident(s: &str) -> bool {
    let mut chars = s.chars();
    let first_ok = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
    first_ok && chars.all(|c| c.is_ascii_alphanumeric() || c == '_') && !RESERVED.contains(&s)
}

/// A string literal with the grammar's escapes.
fn quote(s: &str) -> String {
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

fn template(t: &Template) -> String {
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

fn prec_of_op(op: BinOp) -> u8 {
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
fn child(e: &Expr, p: u8, right: bool) -> String {
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
fn expr(e: &Expr) -> String {
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
            g.plans.iter_mut().for_each(erase_name);
        }
        Item::Rule(r) => {
            r.span = NO_SPAN;
            erase_name(&mut r.id);
            r.severity.1 = NO_SPAN;
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
            erase_template(&mut r.message);
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
