//! Diagnostics shared by every stage: the error collection that stops a run, and did-you-mean.
//!
//! Each stage defines its own error types (`syntax::ParseError`, `compile::CompileError`,
//! `tenant::LoadError`), all `miette::Diagnostic`s with a stable `skuld::…` code, labels into
//! their source and help. A stage reports every error it finds, not just the first, as one
//! [`Diagnostics`] value.

pub mod finding;
mod problem;
pub mod suggest;

pub use finding::{Finding, FindingOrigin, Severity};
pub use problem::Problem;

use std::fmt;

/// One or more errors that stop a run (exit code 2), in the order they were found.
pub struct Diagnostics {
    items: Vec<miette::Report>,
}

impl Diagnostics {
    /// Wraps a batch of diagnostics. An empty batch is a logic error upstream; it is kept
    /// (and shows as "no diagnostics") rather than panicking.
    pub(crate) fn new(items: Vec<miette::Report>) -> Self {
        Diagnostics { items }
    }

    /// A single diagnostic.
    pub(crate) fn single(d: impl miette::Diagnostic + Send + Sync + 'static) -> Self {
        Diagnostics {
            items: vec![miette::Report::new(d)],
        }
    }

    /// The diagnostics, in order.
    pub fn iter(&self) -> impl Iterator<Item = &miette::Report> {
        self.items.iter()
    }

    /// How many.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// True when there are none.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Adds the diagnostics of `other`.
    pub fn extend(&mut self, other: Diagnostics) {
        self.items.extend(other.items);
    }

    /// The reports, by value.
    pub fn into_vec(self) -> Vec<miette::Report> {
        self.items
    }
}

impl fmt::Debug for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.items.iter().map(|r| r.to_string()))
            .finish()
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, r) in self.items.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{r}")?;
        }
        Ok(())
    }
}
