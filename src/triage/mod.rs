//! After evaluation, before rendering: what of the findings is reported and whether the run
//! fails. Rule selection and severity overrides ([`selection`]), waivers ([`waivers`]), the
//! baseline ([`baseline`]), comparison of two finding sets ([`diff`]), all by one finding
//! identity ([`identity`]), and the fail-on gate ([`FailOn`], [`ExitStatus`]).

pub mod baseline;
pub mod causes;
pub mod cost;
pub mod diff;
pub mod identity;
pub mod selection;
pub mod waivers;

use crate::diagnostics::{Finding, Severity};

/// The least severe finding that fails the run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailOn {
    /// Error findings fail the run (the default).
    Error,
    /// Warnings fail the run too.
    Warning,
    /// Findings never fail the run (only errors that stop it do).
    Never,
}

impl FailOn {
    /// `error`, `warning` or `never` (the config file's spelling).
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "error" => Some(FailOn::Error),
            "warning" => Some(FailOn::Warning),
            "never" => Some(FailOn::Never),
            _ => None,
        }
    }

    /// True when a finding of `severity` fails the run.
    pub fn fails(self, severity: Severity) -> bool {
        match self {
            FailOn::Error => severity == Severity::Error,
            FailOn::Warning => true,
            FailOn::Never => false,
        }
    }

    /// The outcome of a run: [`ExitStatus::Error`] when something could not be evaluated,
    /// else [`ExitStatus::Findings`] when a reported finding fails it.
    pub fn outcome<'a>(
        self,
        stopped: bool,
        findings: impl IntoIterator<Item = &'a Finding>,
    ) -> ExitStatus {
        if stopped {
            ExitStatus::Error
        } else if findings.into_iter().any(|f| self.fails(f.severity)) {
            ExitStatus::Findings
        } else {
            ExitStatus::Clean
        }
    }
}

/// How a run ended; `main` maps it to the process exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    /// No finding that fails the run.
    Clean,
    /// At least one finding that fails the run.
    Findings,
    /// Something could not be evaluated.
    Error,
}

impl ExitStatus {
    /// The process exit code: 0, 1 or 2.
    pub fn code(self) -> u8 {
        match self {
            ExitStatus::Clean => 0,
            ExitStatus::Findings => 1,
            ExitStatus::Error => 2,
        }
    }
}
