//! `skuld skus`: the policy's SKU catalog as a table or JSON.

use std::fmt::Write as _;

use crate::compile::Policy;

/// One SKU as `skuld skus --format json` prints it.
#[derive(serde::Serialize)]
struct SkuRow<'a> {
    part: &'a str,
    display: &'a str,
    paid: bool,
    free: bool,
    family: Option<&'a str>,
    id: Option<&'a str>,
    /// Every GUID the SKU is known by (Graph `skuId`s), `id` first.
    ids: &'a [String],
    /// Its service plans (Microsoft's table), as `skuld skus QUERY` searches them.
    plans: &'a [String],
    grants: Vec<&'a str>,
    unavailable_in: &'a [String],
    defined_in: String,
}

/// Whether SKU `s` matches a search: `query` (case-insensitive) is part of its part number,
/// name, a GUID, or a service plan's name.
fn matches(s: &crate::compile::ir::Sku, query: &str) -> bool {
    let query = query.trim().to_lowercase();
    let has = |text: &str| text.to_lowercase().contains(&query);
    query.is_empty()
        || has(&s.part)
        || has(&s.display)
        || s.guid.as_deref().is_some_and(has)
        || s.guids.iter().any(|g| has(g))
        || s.plans.iter().any(|p| has(p))
}

fn rows<'p>(policy: &'p Policy, query: Option<&str>) -> Vec<SkuRow<'p>> {
    policy
        .catalog()
        .skus()
        .iter()
        .filter(|s| query.is_none_or(|q| matches(s, q)))
        .map(|s| SkuRow {
            part: &s.part,
            display: &s.display,
            paid: s.paid,
            free: s.free,
            family: s.family.as_deref(),
            id: s.guid.as_deref(),
            ids: &s.guids,
            plans: &s.plans,
            grants: s
                .grants
                .iter()
                .filter_map(|&c| policy.capabilities.get(c as usize))
                .map(|c| c.name.as_str())
                .collect(),
            unavailable_in: &s.unavailable_in,
            defined_in: policy
                .files()
                .get(s.origin.file)
                .map_or(String::new(), |f| {
                    format!(
                        "{}:{}",
                        f.name(),
                        f.line_col(s.origin.span.start as usize).0
                    )
                }),
        })
        .collect()
}

/// `skuld skus [QUERY] --format json`: one object per SKU, with everything the catalog knows.
pub fn json(policy: &Policy, query: Option<&str>) -> Result<String, serde_json::Error> {
    let mut json = serde_json::to_string_pretty(&rows(policy, query))?;
    json.push('\n');
    Ok(json)
}

/// `skuld skus [QUERY]`: an aligned table, one SKU a line, at most [`TABLE_WIDTH`] columns;
/// `None` when nothing matches the query.
pub fn table(policy: &Policy, query: Option<&str>) -> Option<String> {
    let rows = rows(policy, query);
    (!rows.is_empty()).then(|| render_table(&rows))
}

/// The table's width: it fits a terminal of 100 columns.
const TABLE_WIDTH: usize = 100;
/// Widest part number and name shown whole; longer ones are cut with `…` (JSON has them).
const MAX_PART: usize = 24;
const MAX_NAME: usize = 28;

/// A `, `-separated list in lines of at most `width` characters plus the `,` (an item longer
/// than that cut with `…`).
fn wrap(list: &str, width: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for item in list.split(", ") {
        let item = fit(item, width);
        if !line.is_empty() && line.chars().count() + 2 + item.chars().count() > width {
            line.push(',');
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push_str(", ");
        }
        line.push_str(&item);
    }
    lines.push(line);
    lines
}

/// `text` in at most `width` characters, cut with `…`.
fn fit(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        return text.to_owned();
    }
    let mut cut: String = text.chars().take(width.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

fn render_table(rows: &[SkuRow<'_>]) -> String {
    let cells: Vec<[String; 5]> = std::iter::once([
        "PART NUMBER".to_owned(),
        "NAME".to_owned(),
        "PAID".to_owned(),
        "FAMILY".to_owned(),
        "GRANTS".to_owned(),
    ])
    .chain(rows.iter().map(|r| {
        [
            r.part.to_owned(),
            r.display.to_owned(),
            // Without evidence either way the SKU is said to be unknown, never free.
            match (r.paid, r.free) {
                (true, _) => "paid",
                (false, true) => "free",
                (false, false) => "unknown",
            }
            .to_owned(),
            r.family.unwrap_or("-").to_owned(),
            if r.grants.is_empty() {
                "-".to_owned()
            } else {
                r.grants.join(", ")
            },
        ]
    }))
    .collect();
    let width = |i: usize| {
        cells
            .iter()
            .map(|c| c.get(i).map_or(0, |s| s.chars().count()))
            .max()
            .unwrap_or(0)
    };
    let widths = [
        width(0).min(MAX_PART),
        width(1).min(MAX_NAME),
        width(2),
        width(3),
    ];
    let [w0, w1, w2, w3] = widths;
    // What is left of the line for the capabilities; more of them go on lines of their own,
    // under the column, so that every capability is listed and no line passes the width.
    let w4 = TABLE_WIDTH.saturating_sub(w0 + w1 + w2 + w3 + 8).max(12);
    let mut out = String::new();
    for [part, name, paid, family, grants] in &cells {
        let (part, name) = (fit(part, w0), fit(name, w1));
        let mut lines = wrap(grants, w4).into_iter();
        let first = lines.next().unwrap_or_default();
        let line = format!("{part:w0$}  {name:w1$}  {paid:w2$}  {family:w3$}  {first}");
        out.push_str(line.trim_end());
        out.push('\n');
        for more in lines {
            let _ = writeln!(out, "{:indent$}{more}", "", indent = w0 + w1 + w2 + w3 + 8);
        }
    }
    out
}
