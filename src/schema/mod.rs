//! The JSON Schema of tenant files (`skuld schema`), for editors: yaml-language-server completes
//! and validates tenant YAML with it.
//!
//! The schema is hand-written in `tenant.schema.json`, next to this file, and kept to what the
//! loader accepts by `tests/schema.rs`; only the SKU part numbers offered for completion come from
//! the policy's catalog.

use crate::compile::Catalog;

/// The schema as written, with an empty list of example part numbers.
const TENANT_SCHEMA: &str = include_str!("tenant.schema.json");

/// The placeholder the catalog's part numbers replace.
const SKU_EXAMPLES: &str = "\"examples\": []";

/// The placeholder the declared feature names replace.
const FEATURE_NAMES: &str = "\"propertyNames\": { \"enum\": [] }";

/// The tenant schema (JSON text, ending in a newline), offering the catalog's SKU part numbers
/// as completions, and allowing exactly the features the policy declares under `features:`. Unknown part numbers stay valid: a policy may add SKUs, and a tenant file may
/// name one skuld does not know yet (`tenant/unknown-sku` reports it).
pub fn tenant_schema(catalog: &Catalog) -> String {
    let parts: Vec<&str> = catalog.part_numbers().collect();
    let list = serde_json::to_string(&parts).unwrap_or_else(|_| "[]".to_owned());
    let mut text = TENANT_SCHEMA.replacen(SKU_EXAMPLES, &format!("\"examples\": {list}"), 1);
    let names: Vec<&str> = catalog.features().iter().map(|f| f.name.as_str()).collect();
    let names = serde_json::to_string(&names).unwrap_or_else(|_| "[]".to_owned());
    text = text.replacen(
        FEATURE_NAMES,
        &format!("\"propertyNames\": {{ \"enum\": {names} }}"),
        1,
    );
    if !text.ends_with('\n') {
        text.push('\n');
    }
    text
}
