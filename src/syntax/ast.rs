//! The policy as written: every node carries its span; no name is resolved yet.

use std::fmt;

use crate::source::Span;

/// An identifier, string or rule id with its span.
#[derive(Clone, PartialEq, Eq)]
pub struct Name {
    /// The text (for a quoted name: without quotes, escapes resolved).
    pub text: String,
    /// Where it stands.
    pub span: Span,
}

impl fmt::Debug for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}@{}..{}", self.text, self.span.start, self.span.end)
    }
}

/// One policy file.
#[derive(Debug, Clone, PartialEq)]
pub struct File {
    /// Declarations in source order.
    pub items: Vec<Item>,
}

/// A top-level declaration.
#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    /// `capability name "description"`
    Capability(CapabilityDecl),
    /// `sku PART "Display name" { … }` or `product PART "Display name" { … }`
    Sku(SkuDecl),
    /// `set name = [a, b]`
    Set(SetDecl),
    /// `grant caps to skus`
    Grant(GrantDecl),
    /// `rule id { … }`
    Rule(Box<RuleDecl>),
    /// `feature name "description"`
    Feature(FeatureDecl),
    /// `includes SKU SKU, SKU`
    Includes(IncludesDecl),
    /// `placeholder plans PLAN, PLAN`
    Placeholder(PlaceholderDecl),
}

/// `feature name "description"`: a licensed feature tenant files list under `features:`.
#[derive(Debug, Clone, PartialEq)]
pub struct FeatureDecl {
    /// Doc comment lines.
    pub docs: String,
    /// The feature's name (the key under `features:`).
    pub name: Name,
    /// Optional one-line description.
    pub description: Option<Name>,
    /// The whole declaration.
    pub span: Span,
}

/// `includes SKU A, B`: the first SKU includes the others (a documented relation).
#[derive(Debug, Clone, PartialEq)]
pub struct IncludesDecl {
    /// Doc comment lines (the source of the relation).
    pub docs: String,
    /// The including SKU.
    pub sku: Name,
    /// The SKUs it includes.
    pub included: Vec<Name>,
    /// The whole declaration.
    pub span: Span,
}

/// `placeholder plans A, B`: service plans that do not count when comparing SKUs' plans.
#[derive(Debug, Clone, PartialEq)]
pub struct PlaceholderDecl {
    /// Doc comment lines.
    pub docs: String,
    /// The plans.
    pub plans: Vec<Name>,
    /// The whole declaration.
    pub span: Span,
}

/// `capability name "description"`
#[derive(Debug, Clone, PartialEq)]
pub struct CapabilityDecl {
    /// Doc comment lines, `///` stripped.
    pub docs: String,
    /// The capability's name.
    pub name: Name,
    /// Optional one-line description.
    pub description: Option<Name>,
    /// The whole declaration.
    pub span: Span,
}

/// `sku PART "Display name" { attrs }`, or `product …` with the same shape.
#[derive(Debug, Clone, PartialEq)]
pub struct SkuDecl {
    /// Doc comment lines.
    pub docs: String,
    /// Declared with `product`: a fact of Microsoft's product table (the generated catalog),
    /// which merges with a hand-written `sku` declaration of the same part number.
    pub product: bool,
    /// Part number (Graph `skuPartNumber`).
    pub part: Name,
    /// Display name (the product name Microsoft shows).
    pub display: Name,
    /// Attributes in the body.
    pub attrs: Vec<SkuAttr>,
    /// The whole declaration.
    pub span: Span,
}

/// One attribute in a SKU body.
#[derive(Debug, Clone, PartialEq)]
pub enum SkuAttr {
    /// `grants a, b`
    Grants(Vec<Name>),
    /// `paid`
    Paid(Span),
    /// `free`
    Free(Span),
    /// `family name`
    Family(Name),
    /// `id "guid"`
    Id(Name),
    /// `unavailable_in [CU, IR]`
    UnavailableIn(Vec<Name>),
    /// `plans [AAD_PREMIUM, MFA_PREMIUM]`: service plans the SKU includes
    Plans(Vec<Name>),
}

/// `set name = [a, b]`
#[derive(Debug, Clone, PartialEq)]
pub struct SetDecl {
    /// Doc comment lines.
    pub docs: String,
    /// The set's name.
    pub name: Name,
    /// Members (SKU, capability or set names).
    pub members: Vec<Name>,
    /// The whole declaration.
    pub span: Span,
}

/// `grant caps to targets`
#[derive(Debug, Clone, PartialEq)]
pub struct GrantDecl {
    /// Capabilities granted.
    pub capabilities: Vec<Name>,
    /// SKUs or sets of SKUs receiving them.
    pub targets: Vec<Name>,
    /// `plan NAME` targets: every SKU that includes the service plan(s) receives them.
    pub plans: Vec<PlanTarget>,
    /// The whole declaration.
    pub span: Span,
}

/// `[paid] plan A [+ B …]`: the SKUs whose service plans include all of `plans` (and that are
/// declared `paid`, with `paid`).
#[derive(Debug, Clone, PartialEq)]
pub struct PlanTarget {
    /// Only SKUs declared (or generated) `paid`.
    pub paid: bool,
    /// The service plans, all required.
    pub plans: Vec<Name>,
    /// The whole target.
    pub span: Span,
}

/// Severity as written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SeverityKw {
    /// `error`
    Error,
    /// `warning`
    Warning,
}

/// What a rule ranges over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RangeKind {
    /// Once, for the tenant.
    Tenant,
    /// Each user.
    User,
    /// Each group.
    Group,
    /// Each subscribed SKU.
    Subscription,
    /// Each licence entry (direct or group).
    Assignment,
}

/// `rule id { … }`
#[derive(Debug, Clone, PartialEq)]
pub struct RuleDecl {
    /// Doc comment lines (the rule's documentation).
    pub docs: String,
    /// The stable public id.
    pub id: Name,
    /// `severity …` clauses in order: the default (no `when`) and the conditional ones, as
    /// written (the compiler checks that there is one default).
    pub severities: Vec<SeverityClause>,
    /// `for …`
    pub range: RangeKind,
    /// The bound variable (`for user u`); `None` for `for tenant`.
    pub var: Option<Name>,
    /// `where …`
    pub filter: Option<Expr>,
    /// `require …`: the finding fires when this is false.
    pub require: Expr,
    /// `at …`: the node the finding points at.
    pub at: Expr,
    /// `at … "label"`: the text of the label at that node.
    pub at_label: Option<Template>,
    /// `message "…" [when …]` clauses in order (the compiler checks that there is one default).
    pub messages: Vec<Message>,
    /// `subject …`
    pub subject: Option<Expr>,
    /// `help "…" [when …]`
    pub helps: Vec<Help>,
    /// `label …`
    pub labels: Vec<Label>,
    /// The whole declaration.
    pub span: Span,
}

/// `severity error`, or `severity warning when cond`.
#[derive(Debug, Clone, PartialEq)]
pub struct SeverityClause {
    /// The level.
    pub level: SeverityKw,
    /// The level keyword.
    pub span: Span,
    /// The findings it applies to; `None`: the rule's default.
    pub when: Option<Expr>,
}

impl SeverityClause {
    /// Where the clause ends: its condition, else its level.
    pub fn end(&self) -> u32 {
        self.when.as_ref().map_or(self.span.end, |w| w.span.end)
    }
}

/// `message "…"`, or `message "…" when cond`.
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    /// The text.
    pub text: Template,
    /// The findings it is the message of; `None`: the rule's default.
    pub when: Option<Expr>,
}

impl Message {
    /// Where the clause ends: its condition, else its text.
    pub fn end(&self) -> u32 {
        self.when
            .as_ref()
            .map_or(self.text.span.end, |w| w.span.end)
    }
}

/// `help "…" when cond`
#[derive(Debug, Clone, PartialEq)]
pub struct Help {
    /// The text.
    pub text: Template,
    /// Shown only when this holds.
    pub when: Option<Expr>,
}

/// `label [x in xs [, y in ys] [where c] =>] place "text"`
#[derive(Debug, Clone, PartialEq)]
pub struct Label {
    /// Optional iteration: variable, collection, filter.
    pub binding: Option<(Name, Expr, Option<Expr>)>,
    /// `, y in ys` after the binding: for each `x`, the first `y` for which the filter holds
    /// (the witness the text can name); an `x` without one gets no label.
    pub pair: Option<(Name, Expr)>,
    /// The node to label.
    pub place: Expr,
    /// The label text.
    pub text: Template,
}

/// A message template: text with `{expr}` holes.
#[derive(Debug, Clone, PartialEq)]
pub struct Template {
    /// Pieces in order.
    pub parts: Vec<TemplatePart>,
    /// The whole literal.
    pub span: Span,
}

/// A piece of a template.
#[derive(Debug, Clone, PartialEq)]
pub enum TemplatePart {
    /// Literal text.
    Text(String),
    /// `{expr}`
    Hole(Expr),
}

/// An expression with its span.
#[derive(Debug, Clone, PartialEq)]
pub struct Expr {
    /// What it is.
    pub kind: ExprKind,
    /// Where it stands.
    pub span: Span,
}

/// Expression forms.
#[derive(Debug, Clone, PartialEq)]
pub enum ExprKind {
    /// A name: variable, root (`tenant`, `users`, …), capability, SKU or set.
    Var(String),
    /// `42`
    Int(i64),
    /// `"text"`
    Str(String),
    /// `true` / `false`
    Bool(bool),
    /// `null`
    Null,
    /// `[a, b]`
    List(Vec<Expr>),
    /// `e.field`
    Field(Box<Expr>, Name),
    /// `not e`
    Not(Box<Expr>),
    /// `a op b`
    Binary(BinOp, Box<Expr>, Box<Expr>),
    /// `any(x in xs: p)` and friends
    Quantifier(Quantifier, Name, Box<Expr>, Box<Expr>),
    /// `count(xs)`
    Count(Box<Expr>),
}

/// Binary operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinOp {
    /// `or`
    Or,
    /// `and`
    And,
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `in`
    In,
    /// `not in`
    NotIn,
}

impl BinOp {
    /// The operator as written.
    pub fn as_str(self) -> &'static str {
        match self {
            BinOp::Or => "or",
            BinOp::And => "and",
            BinOp::Eq => "==",
            BinOp::Ne => "!=",
            BinOp::Lt => "<",
            BinOp::Le => "<=",
            BinOp::Gt => ">",
            BinOp::Ge => ">=",
            BinOp::In => "in",
            BinOp::NotIn => "not in",
        }
    }
}

/// Quantifier kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quantifier {
    /// true when some element satisfies the body
    Any,
    /// true when every element satisfies the body
    All,
    /// true when no element satisfies the body
    None,
    /// the number of elements that satisfy the body
    Count,
}
