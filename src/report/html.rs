//! `--format html`: one self-contained page for the admin and the auditor.
//!
//! The page embeds the run's JSON document (the same value `--format json` prints) and the
//! source lines around each finding's labels, as one JSON blob in a
//! `<script type="application/json">`; a small inline script lays it out (totals by rule and
//! severity, seats per SKU, findings with snippets, help and rule docs, filters and search). Nothing
//! is loaded from the network: the Content-Security-Policy forbids it, and the styles and script
//! are in the page. Every piece of tenant text reaches the page through `textContent`, never as
//! markup, and `<` in the blob is written as `\u003c`, so no string can close the script element.

use std::collections::BTreeMap;

use super::Run;
use crate::diagnostics::Finding;

const STYLE: &str = include_str!("html/report.css");
const SCRIPT: &str = include_str!("html/report.js");

/// Lines shown before and after each labelled line.
const CONTEXT: usize = 2;

/// Renders a run as one HTML page.
pub fn render(run: &Run<'_>) -> String {
    let data = serde_json::json!({
        "report": super::json::run_value(run),
        "snippets": snippets(run),
        "groups": groups(run),
        // The human report's `policy:` line: which policy and SSPR matrix, and the others.
        "policy": run.policy.sentence(),
        "version": env!("CARGO_PKG_VERSION"),
    });
    let blob = serde_json::to_string(&data).unwrap_or_else(|_| "null".to_owned());
    let blob = script_safe(&super::neutral::neutralise(
        &blob,
        super::neutral::Syntax::Json,
    ));
    let mut out = String::with_capacity(blob.len() + STYLE.len() + SCRIPT.len() + 4096);
    out.push_str(HEAD);
    out.push_str(STYLE);
    out.push_str(BODY);
    out.push_str("<script type=\"application/json\" id=\"skuld-data\">");
    out.push_str(&blob);
    out.push_str("</script>\n<script>\n");
    out.push_str(SCRIPT);
    out.push_str("</script>\n</body>\n</html>\n");
    out
}

/// The source lines the page shows, per file: every labelled line of every finding (waived
/// ones too) with [`CONTEXT`] lines around it, each line once however many findings show it.
fn snippets(run: &Run<'_>) -> BTreeMap<String, BTreeMap<usize, String>> {
    let mut out: BTreeMap<String, BTreeMap<usize, String>> = BTreeMap::new();
    let all = run
        .findings
        .iter()
        .chain(run.waived.iter().map(|w| &w.finding));
    for f in all {
        if !out.contains_key(f.file.name()) {
            out.insert(f.file.name().to_owned(), BTreeMap::new());
        }
        let Some(lines) = out.get_mut(f.file.name()) else {
            continue;
        };
        for line in labelled_lines(f) {
            for n in line.saturating_sub(CONTEXT).max(1)..=line + CONTEXT {
                if lines.contains_key(&n) {
                    continue;
                }
                match f.file.line(n) {
                    Some(text) => {
                        lines.insert(n, text.to_owned());
                    }
                    None => break,
                }
            }
        }
    }
    out
}

/// The findings as the page lists them: by rule (errors first, then the larger rule), each
/// rule's findings folded by cause (`triage::causes`), open findings before waived ones. A
/// finding is named by its index in the document's `findings` followed by its `waived`.
fn groups(run: &Run<'_>) -> Vec<serde_json::Value> {
    let open: Vec<&Finding> = run.findings.iter().collect();
    let waived: Vec<&Finding> = run.waived.iter().map(|w| &w.finding).collect();
    let mut out = rule_groups(&open, 0, false);
    out.extend(rule_groups(&waived, open.len(), true));
    out
}

fn rule_groups(findings: &[&Finding], offset: usize, waived: bool) -> Vec<serde_json::Value> {
    crate::triage::causes::by_rule(findings.iter().copied())
        .into_iter()
        .map(|r| {
            let folds: Vec<serde_json::Value> = r
                .folds
                .iter()
                .map(|fold| {
                    let cause = findings
                        .get(fold.first)
                        .map(|f| crate::triage::causes::cause_text(f));
                    let members: Vec<usize> = std::iter::once(fold.first)
                        .chain(fold.more.iter().copied())
                        .map(|i| i + offset)
                        .collect();
                    serde_json::json!({ "cause": cause, "findings": members })
                })
                .collect();
            serde_json::json!({
                "rule": r.rule,
                "severity": r.severity,
                "waived": waived,
                "count": r.count,
                "folds": folds,
            })
        })
        .collect()
}

fn labelled_lines(f: &Finding) -> impl Iterator<Item = usize> + '_ {
    std::iter::once(f.span)
        .chain(f.related.iter().map(|(span, _)| *span))
        .map(|span| f.file.line_col(span.start as usize).0)
}

/// JSON that can sit inside a `<script>` element: `<` becomes `\u003c` (only strings hold it,
/// where the escape means the same), so neither `</script>` nor `<!--` can appear.
fn script_safe(json: &str) -> String {
    json.replace('<', "\\u003c")
}

const HEAD: &str = r#"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'">
<meta name="referrer" content="no-referrer">
<meta name="generator" content="skuld">
<title>skuld report</title>
<style>
"#;

const BODY: &str = r#"</style>
</head>
<body>
<header class="top">
  <div class="brand"><span class="logo" aria-hidden="true">◆</span> skuld <span class="muted">licence policy report</span></div>
  <div class="meta" id="meta"></div>
</header>
<main>
<p id="fatal" class="fatal" hidden></p>
<noscript><p class="fatal">This report is laid out by its inline script: allow scripts for this file, or read the same data with <code>skuld check --format json</code>.</p></noscript>
<section class="cards" id="cards" aria-label="Totals"></section>
<section id="errors-section" class="panel" hidden>
  <h2>Files that could not be checked</h2>
  <ul class="errors" id="errors"></ul>
</section>
<section id="overrides-section" class="panel" hidden>
  <h2>What the config turns off</h2>
  <ul class="errors" id="overrides"></ul>
</section>
<section id="notes-section" class="panel" hidden>
  <h2>Waiver warnings</h2>
  <ul class="errors" id="notes"></ul>
</section>
<div class="grid">
<section class="panel" aria-labelledby="totals-h">
  <h2 id="totals-h">Findings by rule</h2>
  <table class="totals" id="totals"><thead><tr><th>Rule</th><th class="num">Errors</th><th class="num">Warnings</th><th class="num">Waived</th></tr></thead><tbody></tbody><tfoot></tfoot></table>
</section>
<section class="panel" aria-labelledby="seats-h">
  <h2 id="seats-h">Seats per SKU</h2>
  <div id="seats"></div>
</section>
</div>
<section id="cost-section" class="panel" aria-labelledby="cost-h" hidden>
  <h2 id="cost-h">Cost and waste per month</h2>
  <div id="cost"></div>
</section>
<section class="panel findings-panel" aria-labelledby="findings-h">
  <div class="findings-head">
    <h2 id="findings-h">Findings</h2>
    <span class="muted" id="shown" aria-live="polite"></span>
  </div>
  <form class="filters" id="filters" role="search" onsubmit="return false">
    <input type="search" id="q" placeholder="Search messages, users, groups, SKUs…" aria-label="Search findings">
    <label class="chk sev-error"><input type="checkbox" id="f-error" checked> Errors</label>
    <label class="chk sev-warning"><input type="checkbox" id="f-warning" checked> Warnings</label>
    <select id="f-status" aria-label="Status"><option value="">All statuses</option><option value="open">Open</option><option value="waived">Waived</option></select>
    <select id="f-rule" aria-label="Rule"><option value="">All rules</option></select>
    <select id="f-file" aria-label="Tenant file"><option value="">All tenant files</option></select>
    <button type="button" id="expand">Expand all</button>
    <button type="button" id="collapse">Collapse all</button>
  </form>
  <div id="findings" class="findings"></div>
  <p id="none" class="empty" hidden>No findings match the filters.</p>
</section>
<section class="panel rules-panel" aria-labelledby="rules-h">
  <h2 id="rules-h">Rules</h2>
  <div id="rules"></div>
</section>
</main>
<footer class="foot muted" id="foot"></footer>
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_blob_cannot_close_its_script_element() {
        let json = serde_json::to_string(
            &serde_json::json!({"upn": "</script><script>alert(1)</script><!--"}),
        )
        .unwrap_or_default();
        let safe = script_safe(&json);
        assert!(!safe.contains('<'));
        let back: serde_json::Value = serde_json::from_str(&safe).unwrap_or_default();
        assert_eq!(back["upn"], "</script><script>alert(1)</script><!--");
    }
}
