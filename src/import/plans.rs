//! Service plan ids → plan names, from Microsoft's "Product names and service plan identifiers
//! for licensing" table (`service_plans.tsv`: one `id<TAB>name` line per pair the table lists;
//! regenerated from the CSV by `SKULD_REGENERATE=1 cargo test --lib import_plan_table`). Graph
//! names switched-off plans (`disabledPlans`) by id; tenant YAML names them as the catalog does.

use std::collections::HashMap;
use std::sync::OnceLock;

/// The table, as committed.
pub(crate) const TABLE: &str = include_str!("service_plans.tsv");

/// The names Microsoft's table gives the plan `id` (some ids carry two spellings), in table order;
/// empty for an id it does not list.
pub(super) fn names(id: &str) -> &'static [&'static str] {
    static BY_ID: OnceLock<HashMap<String, Vec<&'static str>>> = OnceLock::new();
    BY_ID
        .get_or_init(|| {
            let mut m: HashMap<String, Vec<&'static str>> = HashMap::new();
            for line in TABLE.lines() {
                if let Some((id, name)) = line.split_once('\t') {
                    m.entry(id.to_ascii_lowercase()).or_default().push(name);
                }
            }
            m
        })
        .get(&id.trim().to_ascii_lowercase())
        .map_or(&[], Vec::as_slice)
}
