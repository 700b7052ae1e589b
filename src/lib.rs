//! skuld: licence policy as code for Microsoft 365 / Entra ID tenants.
//!
//! The pipeline, one module per stage:
//!
//! 1. [`syntax`]: policy text → pest pairs → AST with spans ([`syntax::parse`]);
//! 2. [`compile`]: ASTs of all policy files → a checked, name-resolved [`Policy`];
//! 3. [`tenant`]: tenant YAML → [`tenant::TenantDocument`] (every node spanned) → the derived
//!    model rules see (effective licences, SSPR scope, seat use);
//! 4. [`eval`]: rules over the model → [`Finding`]s, ordered by position;
//! 5. `report` (in the binary's support code): findings → human or JSON output.
//!
//! Beside the pipeline, [`import`] turns saved Microsoft Graph responses into tenant YAML.
//!
//! The core never prints; renderers never compute.
#![forbid(unsafe_code)]

pub mod baseline;
pub mod cli;
pub mod compile;
pub mod config;
pub mod diagnostics;
pub mod eval;
pub mod import;
pub mod parallel;
pub mod policies;
pub mod report;
pub mod schema;
pub mod source;
pub mod syntax;
pub mod tenant;
pub mod testing;
pub mod waivers;

pub use compile::Policy;
pub use diagnostics::Diagnostics;
pub use eval::{Finding, Severity};
pub use source::{SourceFile, Span};

use tenant::model::TenantModel;

impl Policy {
    /// The embedded default policy: the 2017 SSPR matrix and the licensing rules.
    pub fn builtin() -> Result<Policy, Diagnostics> {
        compile::compile(&policies::default_sources())
    }

    /// Compiles policy files (see [`compile::compile`]).
    pub fn from_sources(sources: &[SourceFile]) -> Result<Policy, Diagnostics> {
        compile::compile(sources)
    }

    /// Checks one tenant file with default limits: every finding, ordered by position.
    /// `Err` when the file cannot be read as a tenant (YAML syntax, schema, limits).
    pub fn check(&self, tenant: &SourceFile) -> Result<Vec<Finding>, Diagnostics> {
        self.check_with(tenant, &tenant::Limits::default())
    }

    /// [`Policy::check`] with explicit limits against hostile input.
    pub fn check_with(
        &self,
        tenant: &SourceFile,
        limits: &tenant::Limits,
    ) -> Result<Vec<Finding>, Diagnostics> {
        let doc = tenant::load(tenant, limits)?;
        Ok(self.evaluate(&doc))
    }

    /// Evaluates a loaded tenant document.
    pub fn evaluate(&self, doc: &tenant::TenantDocument) -> Vec<Finding> {
        self.evaluate_with_seats(doc).0
    }

    /// [`Policy::check_with`], and the tenant's seat use per subscribed SKU (`None` when it
    /// does not track subscriptions), for reports that show it.
    pub fn check_with_seats(
        &self,
        tenant: &SourceFile,
        limits: &tenant::Limits,
    ) -> Result<(Vec<Finding>, Option<Vec<tenant::seats::SkuSeats>>), Diagnostics> {
        let doc = tenant::load(tenant, limits)?;
        Ok(self.evaluate_with_seats(&doc))
    }

    fn evaluate_with_seats(
        &self,
        doc: &tenant::TenantDocument,
    ) -> (Vec<Finding>, Option<Vec<tenant::seats::SkuSeats>>) {
        let mut findings = Vec::new();
        let model = TenantModel::derive(doc, &self.catalog, &mut findings);
        eval::evaluate(self, &model, &mut findings);
        findings.sort_by(|a, b| {
            (a.span.start, &a.rule, a.span.end).cmp(&(b.span.start, &b.rule, b.span.end))
        });
        let seats = tenant::seats::seats(&model, &self.catalog);
        (findings, seats)
    }

    /// The SKU catalog.
    pub fn catalog(&self) -> &compile::Catalog {
        &self.catalog
    }

    /// Every public rule id: the policy's rules in declaration order, then the built-in
    /// `tenant/*` checks.
    pub fn rule_ids(&self) -> impl Iterator<Item = &str> {
        self.rules
            .iter()
            .map(|r| r.id.as_str())
            .chain(tenant::model::BUILTIN_CHECKS.iter().map(|(id, _, _)| *id))
    }

    /// The rules, in declaration order.
    pub fn rules(&self) -> &[compile::ir::Rule] {
        &self.rules
    }

    /// The policy files it was compiled from.
    pub fn files(&self) -> &[SourceFile] {
        &self.files
    }
}
