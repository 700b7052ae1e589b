//! Errors found while checking a policy: unknown names, duplicates, type errors.

use std::fmt;

use miette::{Diagnostic, LabeledSpan};

use crate::source::{SourceFile, Span};

/// What kind of problem a [`CompileError`] is; each kind has its own stable code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum CompileErrorKind {
    /// A name that is not declared.
    UnknownName,
    /// A field that the type does not have.
    UnknownField,
    /// The same name or id declared twice.
    Duplicate,
    /// An expression of the wrong type.
    Type,
    /// Something the language does not allow here.
    Invalid,
    /// The policy has no rules at all.
    NoRules,
    /// More policy files than [`PolicyLimits::max_files`](super::PolicyLimits::max_files).
    TooManyFiles,
    /// More rules than [`PolicyLimits::max_rules`](super::PolicyLimits::max_rules).
    TooManyRules,
    /// A policy file over [`PolicyLimits::max_file_bytes`](super::PolicyLimits::max_file_bytes).
    TooLarge,
    /// Sets naming sets deeper than [`MAX_DEPTH`](crate::syntax::MAX_DEPTH).
    TooDeep,
}

impl CompileErrorKind {
    /// The stable diagnostic code.
    pub fn code(self) -> &'static str {
        match self {
            CompileErrorKind::UnknownName => "skuld::policy::unknown-name",
            CompileErrorKind::UnknownField => "skuld::policy::unknown-field",
            CompileErrorKind::Duplicate => "skuld::policy::duplicate",
            CompileErrorKind::Type => "skuld::policy::type",
            CompileErrorKind::Invalid => "skuld::policy::invalid",
            CompileErrorKind::NoRules => "skuld::policy::no-rules",
            CompileErrorKind::TooManyFiles => "skuld::policy::too-many-files",
            CompileErrorKind::TooManyRules => "skuld::policy::too-many-rules",
            CompileErrorKind::TooLarge => "skuld::policy::too-large",
            CompileErrorKind::TooDeep => "skuld::policy::too-deep",
        }
    }
}

/// A policy that parses but does not make sense.
#[derive(Debug, Clone)]
pub struct CompileError {
    /// What kind of problem.
    pub kind: CompileErrorKind,
    message: String,
    source_file: Option<SourceFile>,
    labels: Vec<(Span, String)>,
    help: Option<String>,
}

impl CompileError {
    pub(super) fn new(kind: CompileErrorKind, message: impl Into<String>) -> Self {
        CompileError {
            kind,
            message: message.into(),
            source_file: None,
            labels: Vec::new(),
            help: None,
        }
    }

    pub(super) fn at(mut self, file: &SourceFile, span: Span, label: impl Into<String>) -> Self {
        self.source_file = Some(file.clone());
        self.labels.push((span, label.into()));
        self
    }

    /// Adds a secondary label in the same file (a label in another file is dropped: miette
    /// shows one source per diagnostic, so the text of it goes into the message instead).
    pub(super) fn also(mut self, file: &SourceFile, span: Span, label: impl Into<String>) -> Self {
        match &self.source_file {
            Some(f) if f.same_file(file) => self.labels.push((span, label.into())),
            _ => {
                let (line, col) = file.line_col(span.start as usize);
                let label = label.into();
                self.message = format!("{} ({label}: {}:{line}:{col})", self.message, file.name());
            }
        }
        self
    }

    pub(super) fn help(mut self, help: Option<String>) -> Self {
        self.help = help;
        self
    }
}

impl fmt::Display for CompileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for CompileError {}

impl Diagnostic for CompileError {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.kind.code()))
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.source_file
            .as_ref()
            .map(|f| f as &dyn miette::SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        if self.labels.is_empty() {
            return None;
        }
        Some(Box::new(self.labels.iter().enumerate().map(
            |(i, (span, text))| {
                let span: miette::SourceSpan = (*span).into();
                if i == 0 {
                    LabeledSpan::new_primary_with_span(Some(text.clone()), span)
                } else {
                    LabeledSpan::new_with_span(Some(text.clone()), span)
                }
            },
        )))
    }
}
