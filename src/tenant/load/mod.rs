//! Loading a tenant file: YAML events straight into a [`TenantDocument`].
//!
//! The file is read as a pull-based event stream (`saphyr-parser`) and the typed document is
//! built by recursive descent over the schema, with no generic YAML tree in between. The schema
//! is a few levels deep, so the recursion is bounded by the schema, never by the input: any node
//! the schema does not expect is skipped iteratively, after one diagnostic, and loading goes on
//! with its siblings so that every error in the file is reported, in source order.
//!
//! Scalars follow the YAML 1.2 core schema. Anchors and aliases work by recording the events of
//! each anchored node once and replaying them for every alias, under a budget of replayed events
//! (a billion-laughs file fails fast, in bounded memory). Merge keys (`<<`) are not supported.
//!
//! One file per layer: `offsets` (character indices to bytes), `events` (the event stream with
//! alias replay and budgets), `scalar` (YAML 1.2 resolution), `schema` (the mappings and their
//! keys), `reader` (the generic spanned-node reader), `records` (one reader per record type),
//! `error` and `limits`.

mod error;
mod events;
mod features;
mod limits;
mod offsets;
mod reader;
mod records;
mod scalar;
mod schema;

pub use error::LoadError;
pub use limits::Limits;

use events::Events;
use reader::Loader;

use crate::diagnostics::Diagnostics;
use crate::source::SourceFile;
use crate::tenant::document::TenantDocument;

/// The keys the loader accepts in the mapping that the key `parent` holds (an item of its list):
/// `None` the top level, `Some("users")` a user, `Some("license_errors")` an error entry, and so
/// on; empty for a key that holds no mapping. The language server completes keys from it, so
/// that completion knows every key the schema does.
pub(crate) fn keys_under(parent: Option<&str>) -> &'static [&'static str] {
    use schema::Place;
    let place = match parent {
        None => Place::Top,
        Some("sspr") => Place::Sspr,
        Some("subscriptions") => Place::Subscription,
        Some("groups") => Place::Group,
        Some("users") => Place::User,
        Some("license_errors") => Place::LicenseError,
        Some("licenses") => Place::LicenseItem,
        Some(_) => return &[],
    };
    place.keys()
}

/// Reads a tenant file into a [`TenantDocument`], or every error in it.
///
/// # Errors
///
/// All the [`LoadError`]s found, in source order: YAML syntax (the first one stops reading),
/// schema errors (unknown, duplicate and missing keys, wrong types and values) and limits.
pub fn load(source: &SourceFile, limits: &Limits) -> Result<TenantDocument, Diagnostics> {
    let text = source.text();
    if text.len() > limits.max_file_bytes || u32::try_from(text.len()).is_err() {
        return Err(Diagnostics::single(LoadError::TooLarge {
            src: source.clone(),
            size: text.len(),
            limit: limits.max_file_bytes.min(u32::MAX as usize),
        }));
    }
    let mut loader = Loader {
        events: Events::new(source, limits),
        src: source.clone(),
        max_scalar: limits.max_scalar_bytes,
        errors: Vec::new(),
        error_counts: std::collections::HashMap::new(),
        error_places: std::collections::HashSet::new(),
        unknown_key_kind: None,
        yaml11: Vec::new(),
        scratch: Vec::new(),
    };
    let document = loader.document().ok().flatten();
    let mut errors = loader.take_errors();
    let yaml11 = loader.yaml11;
    match document {
        Some(mut document) if errors.is_empty() => {
            document.yaml11_booleans = yaml11;
            Ok(document)
        }
        _ => {
            if errors.is_empty() {
                // Unreachable in practice (no document is only returned with an error), but
                // never report failure without saying why.
                errors.push((
                    0,
                    LoadError::Empty {
                        src: source.clone(),
                        span: None,
                    },
                ));
            }
            // Already once each: `Loader::error` drops an error found again at an alias.
            errors.sort_by_key(|&(pos, _)| pos);
            Err(Diagnostics::new(
                errors
                    .into_iter()
                    .map(|(_, e)| miette::Report::new(e))
                    .collect(),
            ))
        }
    }
}

#[cfg(test)]
mod tests;
