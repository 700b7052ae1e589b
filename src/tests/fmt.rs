//! `skuld fmt`'s formatter (moved from `tests/cli/fmt.rs`): the canonical layout is idempotent
//! and keeps meaning and comments, over the shipped policies (as written and with their layout
//! scrambled) and over generated ASTs; long lists and expressions are broken.

use std::path::{Path, PathBuf};

use crate::SourceFile;
use crate::source::Span;
use crate::syntax::ast::*;
use crate::syntax::{format, parse};
use proptest::prelude::*;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The policy texts skuld ships or documents: `policies/*.skuld`, the `skuld` blocks of
/// docs/language.md, tests/data/policies/ok/*, and tests/data/fmt/* (comments in every place).
fn corpus() -> Vec<(String, String)> {
    let mut out = Vec::new();
    for dir in ["policies", "tests/data/policies/ok", "tests/data/fmt"] {
        let mut files: Vec<PathBuf> = std::fs::read_dir(root().join(dir))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "skuld"))
            .collect();
        files.sort();
        for f in files {
            out.push((
                f.display().to_string(),
                std::fs::read_to_string(&f).unwrap(),
            ));
        }
    }
    let doc = std::fs::read_to_string(root().join("docs/language.md")).unwrap();
    let mut block: Option<String> = None;
    for (i, line) in doc.lines().enumerate() {
        match (&mut block, line.trim_start().starts_with("```")) {
            (None, true) if line.trim() == "```skuld" => block = Some(String::new()),
            (Some(_), true) => out.push((format!("docs/language.md:{i}"), block.take().unwrap())),
            (Some(text), false) => {
                text.push_str(line);
                text.push('\n');
            }
            _ => {}
        }
    }
    assert!(out.len() >= 10, "the corpus shrank to {} texts", out.len());
    out
}

fn fmt(name: &str, text: &str) -> String {
    let source = SourceFile::new(name, text);
    let ast = parse(&source)
        .map_err(|e| format!("{name} does not parse: {e:?}"))
        .unwrap();
    format::format_file(&ast, Some(&source))
}

fn tree(text: &str) -> File {
    format::without_spans(&parse(&SourceFile::new("t.skuld", text)).unwrap())
}

fn comments(text: &str) -> Vec<String> {
    let ast = parse(&SourceFile::new("t.skuld", text)).unwrap();
    let mut c = format::comment_texts(&ast, text);
    c.sort();
    c
}

#[test]
fn shipped_policies_format_idempotently_and_keep_meaning_and_comments() {
    for (name, text) in corpus() {
        let once = fmt(&name, &text);
        assert_eq!(fmt(&name, &once), once, "{name}: fmt is not idempotent");
        assert_eq!(tree(&once), tree(&text), "{name}: fmt changed the tree");
        assert_eq!(
            comments(&once),
            comments(&text),
            "{name}: fmt lost comments"
        );
    }
}

/// Comments before, after and inside every construct: kept, on the line of what they trail when
/// there is one (a comment inside a list or an expression moves to the end of its line).
#[test]
fn comments_stay_where_they_belong() {
    let text = std::fs::read_to_string(root().join("tests/data/fmt/comments.skuld")).unwrap();
    let out = fmt("comments.skuld", &text);
    insta::assert_snapshot!(out);
    assert!(out.contains("    severity error // sev\n    // before for\n    for tenant\n"));
    assert!(out.contains("    at tenant \"x // not a comment\"\n"));
}

#[test]
fn shipped_policies_are_formatted() {
    for name in ["catalog", "licensing", "sspr-2017"] {
        let text = std::fs::read_to_string(root().join(format!("policies/{name}.skuld"))).unwrap();
        assert_eq!(fmt(name, &text), text, "run `skuld fmt policies/`");
    }
}

/// Positions where whitespace may be added without changing tokens or comments: the start of a
/// node that follows whitespace.
fn token_starts(text: &str) -> Vec<usize> {
    let ast = parse(&SourceFile::new("t.skuld", text)).unwrap();
    let mut starts = Vec::new();
    let dbg = format!("{ast:?}");
    // Every span in the AST prints as `start..end` or `@start..end`; take the starts.
    for piece in dbg.split(|c: char| !(c.is_ascii_digit() || c == '.')) {
        if let Some((a, _)) = piece.split_once("..")
            && let Ok(n) = a.parse::<usize>()
        {
            starts.push(n);
        }
    }
    starts.sort_unstable();
    starts.dedup();
    starts
        .into_iter()
        .filter(|&i| {
            i > 0
                && text
                    .as_bytes()
                    .get(i - 1)
                    .is_some_and(|b| *b == b' ' || *b == b'\n')
        })
        .collect()
}

/// Inserts whitespace at some token starts: spaces anywhere, a line break only where the line
/// already holds code (so no blank line appears next to a comment).
fn scramble(text: &str, picks: &[(usize, u8)]) -> String {
    let starts = token_starts(text);
    let mut chosen: Vec<(usize, u8)> = picks
        .iter()
        .map(|(i, k)| (starts[i % starts.len()], *k))
        .collect();
    chosen.sort_unstable();
    chosen.dedup_by_key(|(i, _)| *i);
    let mut out = text.to_owned();
    for (at, kind) in chosen.into_iter().rev() {
        let line_start = out[..at].rfind('\n').map_or(0, |n| n + 1);
        let has_code = !out[line_start..at].trim().is_empty();
        let ws = match kind % 3 {
            0 => " ",
            1 => "   ",
            _ if has_code => "\n      ",
            _ => "  ",
        };
        out.insert_str(at, ws);
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn layout_of_the_input_does_not_matter(
        file in 0usize..100,
        picks in proptest::collection::vec((0usize..10_000, 0u8..3), 1..40),
    ) {
        let corpus = corpus();
        let (name, text) = &corpus[file % corpus.len()];
        let scrambled = scramble(text, &picks);
        prop_assert_eq!(tree(&scrambled), tree(text));
        prop_assert_eq!(fmt(name, &scrambled), fmt(name, text));
    }

    #[test]
    fn generated_trees_print_and_parse_back(file in arb_file()) {
        let printed = format::format_file(&file, None);
        let reparsed = parse(&SourceFile::new("gen.skuld", printed.clone()))
            .unwrap_or_else(|e| panic!("printed text does not parse: {e:?}\n{printed}"));
        prop_assert_eq!(format::without_spans(&reparsed), format::without_spans(&file), "{}", printed);
        prop_assert_eq!(fmt("gen.skuld", &printed), printed);
    }
}

// ---------------------------------------------------------------- generated ASTs

const S: Span = Span { start: 0, end: 0 };

fn nm(text: String) -> Name {
    Name { text, span: S }
}

fn arb_ident() -> impl Strategy<Value = String> {
    "[a-z_][a-z0-9_]{0,8}".prop_filter("not reserved", |s| crate::syntax::lexical::is_ident(s))
}

/// A name that may need quotes: part numbers with odd characters, reserved words.
fn arb_name() -> impl Strategy<Value = Name> {
    prop_oneof![
        arb_ident(),
        "[A-Z0-9_]{1,10}",
        "[ -~]{0,12}",
        Just("and".to_owned()),
        Just("x\"y\\z".to_owned()),
    ]
    .prop_map(nm)
}

fn arb_text() -> impl Strategy<Value = String> {
    "[ -~\n\t]{0,20}"
}

fn leaf() -> impl Strategy<Value = Expr> {
    prop_oneof![
        arb_ident().prop_map(ExprKind::Var),
        (0i64..i64::MAX).prop_map(ExprKind::Int),
        arb_text().prop_map(ExprKind::Str),
        any::<bool>().prop_map(ExprKind::Bool),
        Just(ExprKind::Null),
    ]
    .prop_map(|kind| Expr { kind, span: S })
}

fn arb_op() -> impl Strategy<Value = BinOp> {
    prop_oneof![
        Just(BinOp::Or),
        Just(BinOp::And),
        Just(BinOp::Eq),
        Just(BinOp::Ne),
        Just(BinOp::Lt),
        Just(BinOp::Le),
        Just(BinOp::Gt),
        Just(BinOp::Ge),
        Just(BinOp::In),
        Just(BinOp::NotIn),
    ]
}

fn arb_quantifier() -> impl Strategy<Value = Quantifier> {
    prop_oneof![
        Just(Quantifier::Any),
        Just(Quantifier::All),
        Just(Quantifier::None),
        Just(Quantifier::Count),
    ]
}

fn arb_expr() -> impl Strategy<Value = Expr> {
    leaf().prop_recursive(4, 24, 3, |inner| {
        let b = |k: ExprKind| Expr { kind: k, span: S };
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..3).prop_map(move |v| b(ExprKind::List(v))),
            (inner.clone(), arb_ident())
                .prop_map(move |(e, f)| b(ExprKind::Field(Box::new(e), nm(f)))),
            inner
                .clone()
                .prop_map(move |e| b(ExprKind::Not(Box::new(e)))),
            (arb_op(), inner.clone(), inner.clone())
                .prop_map(move |(op, l, r)| b(ExprKind::Binary(op, Box::new(l), Box::new(r)))),
            (arb_quantifier(), arb_ident(), inner.clone(), inner.clone()).prop_map(
                move |(q, v, c, body)| b(ExprKind::Quantifier(
                    q,
                    nm(v),
                    Box::new(c),
                    Box::new(body)
                ))
            ),
            inner.prop_map(move |e| b(ExprKind::Count(Box::new(e)))),
        ]
    })
}

/// A template in the parser's normal form: no empty text, no two texts in a row.
fn arb_template() -> impl Strategy<Value = Template> {
    proptest::collection::vec(
        prop_oneof![
            "[ -~\n]{1,12}".prop_map(TemplatePart::Text),
            arb_expr().prop_map(TemplatePart::Hole),
        ],
        0..4,
    )
    .prop_map(|parts| {
        let mut out: Vec<TemplatePart> = Vec::new();
        for p in parts {
            match (out.last_mut(), p) {
                (Some(TemplatePart::Text(prev)), TemplatePart::Text(t)) => prev.push_str(&t),
                (_, p) => out.push(p),
            }
        }
        Template {
            parts: out,
            span: S,
        }
    })
}

fn arb_docs() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        proptest::collection::vec("[!-~]([ -~]{0,20}[!-~])?", 1..3).prop_map(|l| l.join("\n")),
    ]
}

fn arb_sku_attr() -> impl Strategy<Value = SkuAttr> {
    prop_oneof![
        proptest::collection::vec(arb_name(), 1..4).prop_map(SkuAttr::Grants),
        Just(SkuAttr::Paid(S)),
        Just(SkuAttr::Free(S)),
        arb_ident().prop_map(|f| SkuAttr::Family(nm(f))),
        "[ -~]{0,36}".prop_map(|g| SkuAttr::Id(nm(g))),
        proptest::collection::vec("[A-Z]{2}".prop_map(nm), 0..3).prop_map(SkuAttr::UnavailableIn),
        proptest::collection::vec(arb_name(), 0..6).prop_map(SkuAttr::Plans),
    ]
}

fn arb_rule() -> impl Strategy<Value = RuleDecl> {
    let range = prop_oneof![
        Just(RangeKind::Tenant),
        Just(RangeKind::User),
        Just(RangeKind::Group),
        Just(RangeKind::Subscription),
        Just(RangeKind::Assignment),
    ];
    let head = (
        arb_docs(),
        "[a-z0-9_-]{1,8}(/[a-z0-9_-]{1,8}){0,2}",
        (
            prop_oneof![Just(SeverityKw::Error), Just(SeverityKw::Warning)],
            proptest::option::of(arb_expr()),
        ),
        range,
        arb_ident(),
        proptest::option::of(arb_expr()),
    );
    let body = (
        arb_expr(),
        arb_expr(),
        proptest::option::of(arb_template()),
        (
            arb_template(),
            proptest::collection::vec((arb_template(), arb_expr()), 0..2),
        ),
        proptest::option::of(arb_expr()),
        proptest::collection::vec((arb_template(), proptest::option::of(arb_expr())), 0..3),
        proptest::collection::vec(
            (
                proptest::option::of((
                    arb_ident(),
                    arb_expr(),
                    proptest::option::of((arb_ident(), arb_expr())),
                    proptest::option::of(arb_expr()),
                )),
                arb_expr(),
                arb_template(),
            ),
            0..3,
        ),
    );
    (head, body).prop_map(
        |(
            (docs, id, (severity, other), range, var, filter),
            (require, at, at_label, (message, cases), subject, helps, labels),
        )| RuleDecl {
            docs,
            id: nm(id),
            // The default, and maybe the other level for the findings a condition picks.
            severities: std::iter::once(SeverityClause {
                level: severity,
                span: S,
                when: None,
            })
            .chain(other.map(|when| SeverityClause {
                level: match severity {
                    SeverityKw::Error => SeverityKw::Warning,
                    SeverityKw::Warning => SeverityKw::Error,
                },
                span: S,
                when: Some(when),
            }))
            .collect(),
            range,
            var: (range != RangeKind::Tenant).then(|| nm(var)),
            filter,
            require,
            at,
            at_label,
            messages: std::iter::once(Message {
                text: message,
                when: None,
            })
            .chain(cases.into_iter().map(|(text, when)| Message {
                text,
                when: Some(when),
            }))
            .collect(),
            subject,
            helps: helps
                .into_iter()
                .map(|(text, when)| Help { text, when })
                .collect(),
            labels: labels
                .into_iter()
                .map(|(binding, place, text)| Label {
                    pair: binding
                        .as_ref()
                        .and_then(|(_, _, p, _)| p.clone())
                        .map(|(v, c)| (nm(v), c)),
                    binding: binding.map(|(v, c, _, f)| (nm(v), c, f)),
                    place,
                    text,
                })
                .collect(),
            span: S,
        },
    )
}

fn arb_item() -> impl Strategy<Value = Item> {
    prop_oneof![
        (arb_docs(), arb_ident(), proptest::option::of("[ -~]{0,30}")).prop_map(
            |(docs, name, d)| Item::Capability(CapabilityDecl {
                docs,
                name: nm(name),
                description: d.map(nm),
                span: S,
            })
        ),
        (
            arb_docs(),
            any::<bool>(),
            arb_name(),
            "[ -~]{0,30}",
            proptest::collection::vec(arb_sku_attr(), 0..5)
        )
            .prop_map(|(docs, product, part, display, attrs)| Item::Sku(SkuDecl {
                docs,
                product,
                part,
                display: nm(display),
                attrs,
                span: S,
            })),
        (
            arb_docs(),
            arb_ident(),
            proptest::collection::vec(arb_name(), 0..30)
        )
            .prop_map(|(docs, name, members)| Item::Set(SetDecl {
                docs,
                name: nm(name),
                members,
                span: S,
            })),
        (
            proptest::collection::vec(arb_name(), 1..20),
            proptest::collection::vec(arb_name(), 0..20),
            proptest::collection::vec(
                (any::<bool>(), proptest::collection::vec(arb_name(), 1..3)),
                0..4
            )
        )
            .prop_filter("a grant names at least one target", |(_, t, p)| {
                !t.is_empty() || !p.is_empty()
            })
            .prop_map(|(capabilities, targets, plans)| Item::Grant(GrantDecl {
                capabilities,
                targets,
                plans: plans
                    .into_iter()
                    .map(|(paid, plans)| PlanTarget {
                        paid,
                        plans,
                        span: S,
                    })
                    .collect(),
                span: S,
            })),
        arb_rule().prop_map(|r| Item::Rule(Box::new(r))),
    ]
}

fn arb_file() -> impl Strategy<Value = File> {
    proptest::collection::vec(arb_item(), 0..5).prop_map(|items| File { items })
}

#[test]
fn long_lists_and_expressions_are_broken() {
    let members: Vec<String> = (0..30).map(|i| format!("SKU_NUMBER_{i}")).collect();
    let text = format!(
        "set many = [{}]\nrule a/b {{ severity error for tenant require {} at tenant message \"m\" }}\n",
        members.join(", "),
        (0..12)
            .map(|i| format!("tenant.flag_{i}"))
            .collect::<Vec<_>>()
            .join(" or ")
    );
    let out = fmt("long.skuld", &text);
    assert!(out.lines().all(|l| l.len() <= format::WIDTH), "{out}");
    assert!(out.contains("set many = [\n    SKU_NUMBER_0, "), "{out}");
    assert!(out.contains("\n]\n"), "{out}");
    assert!(
        out.contains("    require tenant.flag_0\n        or tenant.flag_1\n"),
        "{out}"
    );
    assert_eq!(tree(&out), tree(&text));
}
