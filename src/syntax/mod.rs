//! Stage 1: policy source text → pest pairs → [`ast::File`], with spans on every node.

pub mod ast;
mod error;
mod parser;
mod rule_names;

pub use error::ParseError;

use crate::diagnostics::Diagnostics;
use crate::source::SourceFile;

/// Parses one policy file. Every syntax error of the file is reported, not only the first.
pub fn parse(source: &SourceFile) -> Result<ast::File, Diagnostics> {
    let (file, errors) = parser::parse_file(source);
    if errors.is_empty() {
        Ok(file)
    } else {
        Err(Diagnostics::new(
            errors.into_iter().map(miette::Report::new).collect(),
        ))
    }
}
