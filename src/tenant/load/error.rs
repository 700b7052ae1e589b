//! The loader's errors: each labels the exact place in the file, and sorts by it.

use miette::Diagnostic;
use thiserror::Error;

use crate::source::{SourceFile, Span};

/// An error in a tenant file: every variant labels the exact place in the file.
#[derive(Debug, Error, Diagnostic)]
pub enum LoadError {
    /// The file is over [`Limits::max_file_bytes`](super::Limits::max_file_bytes).
    #[error("the tenant file is {size} bytes, over the limit of {limit} bytes")]
    #[diagnostic(
        code("skuld::tenant::too-large"),
        help(
            "check that this is the tenant file you meant; `--max-file-size BYTES` raises the limit"
        )
    )]
    TooLarge {
        /// The file.
        #[source_code]
        src: SourceFile,
        /// Its size in bytes.
        size: usize,
        /// The limit in bytes.
        limit: usize,
    },

    /// The YAML parser rejected the file.
    #[error("invalid YAML: {message}")]
    #[diagnostic(code("skuld::tenant::syntax"))]
    Syntax {
        /// The file.
        #[source_code]
        src: SourceFile,
        /// The parser's message.
        message: String,
        /// Where the parser stopped.
        #[label("here")]
        span: Span,
        /// What to do, when the message is one we know.
        #[help]
        help: Option<String>,
    },

    /// No document at all (empty, or only comments).
    #[error("the tenant file is empty")]
    #[diagnostic(
        code("skuld::tenant::empty"),
        help("a tenant file needs at least `tenant: NAME`")
    )]
    Empty {
        /// The file.
        #[source_code]
        src: SourceFile,
        /// The empty document, when there is a `---` to point at.
        #[label("nothing here")]
        span: Option<Span>,
    },

    /// More than one YAML document (`---` separators).
    #[error("the tenant file holds more than one YAML document")]
    #[diagnostic(
        code("skuld::tenant::multiple-documents"),
        help(
            "a tenant file describes one tenant in one document: remove this `---` and what follows, or move it to its own file"
        )
    )]
    MultipleDocuments {
        /// The file.
        #[source_code]
        src: SourceFile,
        /// The start of the second document.
        #[label("a second document starts here")]
        span: Span,
    },

    /// The document is a scalar or a sequence.
    #[error("the tenant file must be a mapping of keys, found {found}")]
    #[diagnostic(
        code("skuld::tenant::not-a-mapping"),
        help("start the file with `tenant: NAME`, then `users:`, `groups:` and the other keys")
    )]
    RootNotMapping {
        /// The file.
        #[source_code]
        src: SourceFile,
        /// What was found instead.
        found: String,
        /// The document's root node.
        #[label("expected a mapping")]
        span: Span,
    },

    /// A key the schema does not know at this place.
    #[error("unknown key `{key}` in {place}")]
    #[diagnostic(code("skuld::tenant::unknown-key"))]
    UnknownKey {
        /// The file.
        #[source_code]
        src: SourceFile,
        /// The key as written.
        key: String,
        /// Where it was found (`a user`, `the top level`, …).
        place: &'static str,
        /// The key.
        #[label("unknown key")]
        span: Span,
        /// Did-you-mean, or the keys allowed here.
        #[help]
        help: String,
    },

    /// The same key twice in one mapping.
    #[error("duplicate key `{key}` in {place}")]
    #[diagnostic(
        code("skuld::tenant::duplicate-key"),
        help("keep one `{key}` and remove the other")
    )]
    DuplicateKey {
        /// The file.
        #[source_code]
        src: SourceFile,
        /// The key.
        key: String,
        /// Where (`a user`, …).
        place: &'static str,
        /// The first occurrence.
        #[label("first defined here")]
        first: Span,
        /// The second occurrence.
        #[label(primary, "defined again here")]
        second: Span,
    },

    /// A required key is missing.
    #[error("missing key `{key}` in {place}")]
    #[diagnostic(code("skuld::tenant::missing-key"))]
    MissingKey {
        /// The file.
        #[source_code]
        src: SourceFile,
        /// The missing key.
        key: &'static str,
        /// Where (`a user`, …).
        place: &'static str,
        /// The mapping (or, for the top level, its first line).
        #[label("`{key}` is missing here")]
        span: Span,
        /// What to add.
        #[help]
        help: String,
    },

    /// A value of the wrong YAML type (a number where a string is expected, …).
    #[error("expected {expected} for {what}, found {found}")]
    #[diagnostic(code("skuld::tenant::wrong-type"))]
    WrongType {
        /// The file.
        #[source_code]
        src: SourceFile,
        /// What the schema expects (`a string`, …).
        expected: String,
        /// The field (`` `upn` ``, `` an item of `licenses` ``).
        what: String,
        /// What was found (`` integer `123` ``, `a mapping`, …).
        found: String,
        /// The value.
        #[label("expected {expected}")]
        span: Span,
        /// What to do.
        #[help]
        help: Option<String>,
    },

    /// A value of the right type but not allowed (an unknown enum value, negative seats, …).
    #[error("{message}")]
    #[diagnostic(code("skuld::tenant::invalid-value"))]
    InvalidValue {
        /// The file.
        #[source_code]
        src: SourceFile,
        /// What is wrong.
        message: String,
        /// The value.
        #[label("invalid value")]
        span: Span,
        /// What to do.
        #[help]
        help: Option<String>,
    },

    /// A YAML 1.1 boolean (`yes`, `off`, …) where skuld expects a YAML 1.2 boolean.
    #[error("expected a boolean for `{field}`, found `{value}`")]
    #[diagnostic(
        code("skuld::tenant::yaml11-boolean"),
        help(
            "`{value}` is a boolean only in YAML 1.1; skuld reads YAML 1.2, where booleans are `true` and `false`"
        )
    )]
    Yaml11Boolean {
        /// The file.
        #[source_code]
        src: SourceFile,
        /// The field.
        field: &'static str,
        /// The value as written.
        value: String,
        /// The value.
        #[label("not a boolean in YAML 1.2")]
        span: Span,
    },

    /// `sspr.group` given with a scope other than `selected`.
    #[error("`sspr.group` is only allowed when `scope` is `selected`, and scope is `{scope}`")]
    #[diagnostic(
        code("skuld::tenant::sspr-group-forbidden"),
        help(
            "remove `group`, or set `scope: selected` to enable SSPR for that group's members only"
        )
    )]
    SsprGroupForbidden {
        /// The file.
        #[source_code]
        src: SourceFile,
        /// The scope as written.
        scope: &'static str,
        /// The `group: …` entry.
        #[label(primary, "not allowed with this scope")]
        group: Span,
        /// The scope value.
        #[label("scope is `{scope}`")]
        scope_span: Span,
    },

    /// More errors of one kind than are reported for one file (a hostile file can hold a
    /// million unknown keys); they are counted, not kept.
    #[error(
        "and {count} more `{code}` errors in this file not shown: at most {cap} of one kind are \
         reported"
    )]
    #[diagnostic(
        code("skuld::tenant::too-many-errors"),
        help("fix the errors shown first: so many of one kind usually share one cause")
    )]
    TooManyErrors {
        /// The file.
        #[source_code]
        src: SourceFile,
        /// The code of the errors left out.
        code: String,
        /// How many were left out.
        count: usize,
        /// How many of one kind are kept.
        cap: usize,
        /// The first one left out.
        #[label("the first not shown")]
        span: Span,
    },

    /// A `<<` merge key.
    #[error("merge keys (`<<`) are not supported")]
    #[diagnostic(
        code("skuld::tenant::merge-key"),
        help(
            "write the keys out in full; an alias can still stand for a whole value, as in `licenses: *standard`"
        )
    )]
    MergeKey {
        /// The file.
        #[source_code]
        src: SourceFile,
        /// The `<<` key.
        #[label("merge key")]
        span: Span,
    },

    /// A tag skuld does not understand (`!foo`).
    #[error("unsupported tag `{tag}`")]
    #[diagnostic(
        code("skuld::tenant::unsupported-tag"),
        help(
            "remove the tag; skuld understands only the YAML core tags such as `!!str`, `!!int`, `!!bool` and `!!null`"
        )
    )]
    UnsupportedTag {
        /// The file.
        #[source_code]
        src: SourceFile,
        /// The tag as resolved by the parser.
        tag: String,
        /// The tagged node.
        #[label("unsupported tag")]
        span: Span,
    },

    /// A mapping key that is a sequence or a mapping.
    #[error("mapping keys must be strings, found {found}")]
    #[diagnostic(
        code("skuld::tenant::invalid-key"),
        help("use a plain name as the key, such as `users:`")
    )]
    InvalidKey {
        /// The file.
        #[source_code]
        src: SourceFile,
        /// What the key is.
        found: &'static str,
        /// The key.
        #[label("not a string key")]
        span: Span,
    },

    /// Alias expansion crossed [`Limits::max_alias_events`](super::Limits::max_alias_events).
    #[error("alias expansion exceeds {limit} events: the file looks like an alias bomb")]
    #[diagnostic(
        code("skuld::tenant::alias-bomb"),
        help(
            "tenant files need few aliases: write values out, or stop nesting aliases inside anchored nodes"
        )
    )]
    AliasBomb {
        /// The file.
        #[source_code]
        src: SourceFile,
        /// The budget.
        limit: usize,
        /// The alias being expanded when the budget ran out.
        #[label("expanding this alias")]
        span: Span,
    },

    /// An alias used inside the very node its anchor names.
    #[error("alias `{alias}` refers to a node that contains it")]
    #[diagnostic(
        code("skuld::tenant::recursive-alias"),
        help("an alias can only repeat a node that is complete before it")
    )]
    RecursiveAlias {
        /// The file.
        #[source_code]
        src: SourceFile,
        /// The alias as written.
        alias: String,
        /// The alias.
        #[label("recursive alias")]
        span: Span,
    },

    /// Nesting deeper than [`Limits::max_depth`](super::Limits::max_depth).
    #[error("the YAML nests deeper than {limit} levels")]
    #[diagnostic(
        code("skuld::tenant::too-deep"),
        help(
            "a tenant file is at most four levels deep (`users` → a user → `licenses` → a name); check the indentation and brackets"
        )
    )]
    TooDeep {
        /// The file.
        #[source_code]
        src: SourceFile,
        /// The limit.
        limit: usize,
        /// The node that crosses it.
        #[label("too deep")]
        span: Span,
    },

    /// A scalar over [`Limits::max_scalar_bytes`](super::Limits::max_scalar_bytes).
    #[error("a value of {len} bytes exceeds the limit of {limit} bytes")]
    #[diagnostic(
        code("skuld::tenant::value-too-long"),
        help("names, SKUs and UPNs are short: check for a missing quote or line break")
    )]
    ValueTooLong {
        /// The file.
        #[source_code]
        src: SourceFile,
        /// The scalar's length.
        len: usize,
        /// The limit.
        limit: usize,
        /// The start of the scalar.
        #[label("this value is too long")]
        span: Span,
    },
}

/// Where an error sorts: the start of its main label.
pub(super) fn error_pos(error: &LoadError) -> u32 {
    match error {
        LoadError::TooLarge { .. } | LoadError::Empty { .. } => 0,
        // After every error it counts.
        LoadError::TooManyErrors { .. } => u32::MAX,
        LoadError::Syntax { span, .. }
        | LoadError::MultipleDocuments { span, .. }
        | LoadError::RootNotMapping { span, .. }
        | LoadError::UnknownKey { span, .. }
        | LoadError::MissingKey { span, .. }
        | LoadError::WrongType { span, .. }
        | LoadError::InvalidValue { span, .. }
        | LoadError::Yaml11Boolean { span, .. }
        | LoadError::MergeKey { span, .. }
        | LoadError::UnsupportedTag { span, .. }
        | LoadError::InvalidKey { span, .. }
        | LoadError::AliasBomb { span, .. }
        | LoadError::RecursiveAlias { span, .. }
        | LoadError::TooDeep { span, .. }
        | LoadError::ValueTooLong { span, .. } => span.start,
        LoadError::DuplicateKey { second, .. } => second.start,
        LoadError::SsprGroupForbidden { group, .. } => group.start,
    }
}
