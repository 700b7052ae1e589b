//! The `features:` block of contract v2: which licensed Entra ID features a tenant uses and whom
//! each covers. The names are the policy's (`feature NAME` declarations), so the loader reads any
//! name and [`check_declared`] then holds them against the compiled policy.

use crate::compile::ir::Catalog;
use crate::diagnostics::Diagnostics;
use crate::diagnostics::suggest::did_you_mean;
use crate::source::{SourceFile, Span};

use super::document::{ListField, Spanned, TenantDocument};

/// `features:`
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeaturesDocument {
    /// The `features: …` entry, key to end of value.
    pub span: Span,
    /// One per key, in file order.
    pub features: Vec<FeatureDocument>,
}

/// `conditional_access: [entries]`
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeatureDocument {
    /// The key: a feature the policy declares.
    pub name: Spanned<String>,
    /// Its entries in file order.
    pub entries: Vec<FeatureEntryDocument>,
}

/// One entry of a feature: whom it covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeatureEntryDocument {
    /// The mapping.
    pub span: Span,
    /// `name:` an optional label (e.g. the Conditional Access policy's name).
    pub name: Option<Spanned<String>>,
    /// `include:` `all` or group names; `None` when absent.
    pub include: Option<Include>,
    /// `exclude:` group names; exclusion wins over inclusion.
    pub exclude: ListField<Spanned<String>>,
    /// `users:` UPNs included directly.
    pub users: ListField<Spanned<String>>,
}

/// `include: all` or `include: [groups]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Include {
    /// Every user; the span of the `include: all` entry.
    All(Span),
    /// Members of these groups, nested members included.
    Groups(ListField<Spanned<String>>),
}

/// A feature name under `features:` that the policy does not declare.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error("unknown feature `{name}`")]
#[diagnostic(code("skuld::tenant::unknown-feature"))]
pub struct UnknownFeature {
    /// The file.
    #[source_code]
    pub src: SourceFile,
    /// The name as written.
    pub name: String,
    /// The key.
    #[label("not a feature the policy declares")]
    pub span: Span,
    /// Did-you-mean, or the declared features.
    #[help]
    pub help: String,
}

/// Holds the feature names of `doc` against the features `catalog` declares: each other name is
/// an error with a did-you-mean.
///
/// # Errors
///
/// One [`UnknownFeature`] per undeclared name.
pub fn check_declared(doc: &TenantDocument, catalog: &Catalog) -> Result<(), Diagnostics> {
    let Some(features) = &doc.features else {
        return Ok(());
    };
    let declared = catalog.features();
    let mut errors = Vec::new();
    for f in &features.features {
        if catalog.feature(&f.name.value).is_some() {
            continue;
        }
        let help = did_you_mean(&f.name.value, declared.iter().map(|d| d.name.as_str()))
            .unwrap_or_else(|| {
                let names: Vec<String> = declared.iter().map(|d| format!("`{}`", d.name)).collect();
                let list = if names.is_empty() {
                    "the policy declares no features".to_owned()
                } else {
                    format!("the policy declares {}", names.join(", "))
                };
                format!("{list}; a policy file declares a new one with `feature NAME \"description\"` (see `skuld schema` for the names)")
            });
        errors.push(miette::Report::new(UnknownFeature {
            src: doc.source.clone(),
            name: f.name.value.clone(),
            span: f.name.span,
            help,
        }));
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(Diagnostics::new(errors))
    }
}
