//! `skuld skus`: the policy's SKU catalog as a table or JSON.

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
    grants: Vec<&'a str>,
    unavailable_in: &'a [String],
    defined_in: String,
}

fn rows(policy: &Policy) -> Vec<SkuRow<'_>> {
    policy
        .catalog()
        .skus()
        .iter()
        .map(|s| SkuRow {
            part: &s.part,
            display: &s.display,
            paid: s.paid,
            free: s.free,
            family: s.family.as_deref(),
            id: s.guid.as_deref(),
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

/// `skuld skus --format json`: one object per SKU.
pub fn json(policy: &Policy) -> Result<String, serde_json::Error> {
    let mut json = serde_json::to_string_pretty(&rows(policy))?;
    json.push('\n');
    Ok(json)
}

/// `skuld skus`: an aligned table, one SKU a line.
pub fn table(policy: &Policy) -> String {
    render_table(&rows(policy))
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
    let widths = [width(0), width(1), width(2), width(3)];
    let mut out = String::new();
    for [part, name, paid, family, grants] in &cells {
        let [w0, w1, w2, w3] = widths;
        out.push_str(&format!(
            "{part:w0$}  {name:w1$}  {paid:w2$}  {family:w3$}  {grants}\n"
        ));
    }
    out
}
