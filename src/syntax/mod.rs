//! Stage 1: policy source text → pest pairs → [`ast::File`], with spans on every node.

pub mod ast;
mod error;
mod fast;
pub mod format;
mod grammar;
pub(crate) mod lexical;
mod parser;
mod rule_names;

/// How deep a policy file may nest: brackets, strings and template holes in the text, and the
/// tree of one expression (each operator, field access and sub-expression is a level). Deep
/// enough for any real policy, shallow enough that parsing, checking and evaluating an
/// expression stay within a small stack (a test checks this on a 2 MiB thread).
pub const MAX_DEPTH: usize = 128;

use crate::diagnostics::Diagnostics;
use crate::source::SourceFile;

/// Parses one policy file. Every syntax error of the file is reported, not only the first.
pub fn parse(source: &SourceFile) -> Result<ast::File, Diagnostics> {
    let (file, errors) = parser::parse_file(source);
    if errors.is_empty() {
        Ok(file)
    } else {
        Err(Diagnostics::new(errors))
    }
}

/// Parses a bare expression (`skuld eval EXPR`): the whole of `source` must be one expression.
pub fn parse_expression(source: &SourceFile) -> Result<ast::Expr, Diagnostics> {
    parser::parse_expression(source).map_err(|e| Diagnostics::new(vec![e]))
}
