//! Renderers: findings and errors → text. One renderer per format; renderers only format, they
//! compute nothing about the tenant.

pub mod human;
pub mod json;

use crate::eval::{Finding, Severity};

/// Output formats of `skuld check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// miette reports with source snippets, then a summary line.
    Human,
    /// The contract's JSON document.
    Json,
}

/// Counts of findings by severity.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Summary {
    /// Error findings.
    pub errors: usize,
    /// Warning findings.
    pub warnings: usize,
}

impl Summary {
    /// Counts `findings`.
    pub fn of(findings: &[Finding]) -> Self {
        let mut s = Summary::default();
        for f in findings {
            match f.severity {
                Severity::Error => s.errors += 1,
                Severity::Warning => s.warnings += 1,
            }
        }
        s
    }
}
