//! A located problem in one of skuld's own files (config, waivers, baseline, `# expect:`
//! comments): a miette diagnostic with a stable code, one label and optional help.

use std::fmt;

use miette::{Diagnostic, LabeledSpan};

use crate::source::{SourceFile, Span};

/// A problem in one of skuld's own files (config, waivers, baseline), pointing into it.
#[derive(Debug, Clone)]
pub struct Problem {
    code: &'static str,
    message: String,
    src: SourceFile,
    span: Span,
    label: String,
    help: Option<String>,
    warning: bool,
}

impl Problem {
    pub(crate) fn new(
        code: &'static str,
        message: String,
        src: &SourceFile,
        span: Span,
        label: &str,
    ) -> Self {
        Problem {
            code,
            message,
            src: src.clone(),
            span,
            label: label.to_owned(),
            help: None,
            warning: false,
        }
    }

    pub(crate) fn with_help(mut self, help: Option<String>) -> Self {
        self.help = help;
        self
    }

    /// Makes it a warning: reported, but it does not stop the run.
    pub(crate) fn warning_only(mut self) -> Self {
        self.warning = true;
        self
    }

    /// What kind of problem it is: its code and label (a label names the one mistake found).
    pub(crate) fn kind(&self) -> (&'static str, &str) {
        (self.code, &self.label)
    }

    /// The file it points into.
    pub(crate) fn file(&self) -> &str {
        self.src.name()
    }

    /// Stands for `n` more problems of this one's kind left out past `cap`: points where this
    /// one does (the first left out), says the exact count.
    pub(crate) fn and_more(&self, n: usize, cap: usize) -> Problem {
        Problem {
            code: self.code,
            message: format!(
                "and {n} more like this in {}: {} (only the first {cap} of each kind are shown)",
                self.src.name(),
                self.message
            ),
            src: self.src.clone(),
            span: self.span,
            label: format!("{}; {n} more like this", self.label),
            help: self.help.clone(),
            warning: self.warning,
        }
    }

    /// Sorts problems into the order of the file.
    pub(crate) fn in_file_order(mut problems: Vec<Problem>) -> Vec<Problem> {
        problems.sort_by_key(|p| p.span.start);
        problems
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Problem {}

impl Diagnostic for Problem {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.code))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(if self.warning {
            miette::Severity::Warning
        } else {
            miette::Severity::Error
        })
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        Some(&self.src)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        Some(Box::new(std::iter::once(
            LabeledSpan::new_primary_with_span(Some(self.label.clone()), self.span),
        )))
    }
}
