//! The loader's unit tests, one file per layer; the helpers here flatten diagnostics for
//! assertions.

use super::offsets::Offsets;
use super::scalar::YAML11_BOOLEANS;
use super::*;
use crate::source::Span;
use crate::tenant::document::{ListField, SsprScope, UserSource};

mod aliases;
mod document;
mod keys;
mod limits;
mod people;
mod scalars;
mod spans;

fn src(text: &str) -> SourceFile {
    SourceFile::new("t.yaml", text)
}

/// Loads `text` with default limits; the diagnostics as text on failure.
fn ok(text: &str) -> Result<TenantDocument, String> {
    load(&src(text), &Limits::default()).map_err(|d| format!("{d:?}"))
}

/// One diagnostic, flattened for assertions.
#[derive(Debug)]
struct D {
    code: String,
    message: String,
    help: String,
    /// (label text, labelled source text, 1-based line) in label order.
    labels: Vec<(String, String, usize)>,
}

impl D {
    fn label(&self, i: usize) -> (&str, &str, usize) {
        self.labels
            .get(i)
            .map_or(("<none>", "<none>", 0), |(l, t, n)| {
                (l.as_str(), t.as_str(), *n)
            })
    }
}

fn errs_with(text: &str, limits: &Limits) -> Vec<D> {
    let file = src(text);
    match load(&file, limits) {
        Ok(_) => Vec::new(),
        Err(diagnostics) => diagnostics
            .iter()
            .map(|r| D {
                code: r.code().map(|c| c.to_string()).unwrap_or_default(),
                message: r.to_string(),
                help: r.help().map(|h| h.to_string()).unwrap_or_default(),
                labels: r
                    .labels()
                    .into_iter()
                    .flatten()
                    .map(|l| {
                        let span = Span::new(l.offset(), l.offset() + l.len());
                        (
                            l.label().unwrap_or("").to_owned(),
                            file.slice(span).to_owned(),
                            file.line_col(l.offset()).0,
                        )
                    })
                    .collect(),
            })
            .collect(),
    }
}

fn errs(text: &str) -> Vec<D> {
    errs_with(text, &Limits::default())
}

/// The one error of `text`, checked to have `code`.
fn one(text: &str, code: &str) -> D {
    let mut all = errs(text);
    assert_eq!(all.len(), 1, "{all:#?}");
    let d = all.pop().unwrap_or(D {
        code: String::new(),
        message: String::new(),
        help: String::new(),
        labels: Vec::new(),
    });
    assert_eq!(d.code, code, "{d:#?}");
    d
}

fn codes(text: &str) -> Vec<String> {
    errs(text).into_iter().map(|d| d.code).collect()
}

fn text_of(doc: &TenantDocument, span: Span) -> &str {
    doc.source.slice(span)
}

fn line_of(doc: &TenantDocument, span: Span) -> usize {
    doc.source.line_col(span.start as usize).0
}

const CONTRACT: &str = "\
tenant: contoso.onmicrosoft.com    # required: the tenant's name
country: US                        # optional
sspr:                              # optional; absent means SSPR is off
  scope: selected
  group: SSPR-Pilot
  writeback: false
subscriptions:
  - sku: ENTERPRISEPACK
    seats: 250
groups:
  - name: Sales
    licenses: [ENTERPRISEPACK]
    groups: [All-Staff]
  - name: All-Staff
users:
  - upn: alice@contoso.com
    source: cloud
    usage_location: US
    licenses: [AAD_PREMIUM]
    groups: [Sales]
  - upn: \"bob@contoso.com\"
    source: synced
    licenses:
      - EMS
      - 'SPE_E3'
";
