//! Budgets for reading one tenant file (see `docs/architecture.md`, *Budgets*).

/// Resource limits for reading one tenant file: each guards against a hostile or broken file.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Largest file read at all (checked before parsing).
    pub max_file_bytes: usize,
    /// Deepest nesting of sequences and mappings (the schema itself needs 4).
    pub max_depth: usize,
    /// Most events replayed for aliases in one file (the alias-bomb guard).
    pub max_alias_events: usize,
    /// Longest single scalar, in bytes.
    pub max_scalar_bytes: usize,
}

impl Default for Limits {
    /// Generous limits: 256 MiB files, depth 64, a million replayed alias events, 1 MiB scalars.
    fn default() -> Self {
        Limits {
            max_file_bytes: 256 * 1024 * 1024,
            max_depth: 64,
            max_alias_events: 1_000_000,
            max_scalar_bytes: 1024 * 1024,
        }
    }
}
