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
#![warn(missing_docs)]

// The public API: what `main`, an embedder or a language server needs.
pub mod cli;
pub mod compile;
pub mod config;
pub mod diagnostics;
pub mod import;
pub mod parallel;
pub mod policies;
pub mod registry;
pub mod report;
pub mod source;
pub mod syntax;
pub mod tenant;

// Internal stages and helpers, reached through the API above.
pub(crate) mod eval;
pub(crate) mod inputs;
mod layers;
pub(crate) mod lsp;
pub(crate) mod schema;
pub(crate) mod testing;
pub(crate) mod triage;

pub use compile::Policy;
pub use diagnostics::{Diagnostics, Finding, FindingOrigin, Severity};
pub use registry::{Registry, RuleEntry, RuleOrigin};
pub use source::{SourceFile, Span};
pub use triage::ExitStatus;
/// Waivers files and inline waivers (`skuld-waivers.yaml`, `# skuld: waive …`).
pub use triage::waivers;

use tenant::model::TenantModel;

/// One tenant file checked by [`Policy::check_capped`].
#[derive(Debug)]
pub(crate) struct CheckedTenant {
    /// The kept findings, ordered by position.
    pub(crate) findings: Vec<Finding>,
    /// Per rule, the findings the cap left out.
    pub(crate) omitted: Vec<diagnostics::finding::OmittedCount>,
    /// Seat use per subscribed SKU.
    pub(crate) seats: Option<Vec<tenant::seats::SkuSeats>>,
}

/// Findings by position, then rule.
fn sort_findings(findings: &mut [Finding]) {
    findings.sort_by(|a, b| {
        (a.span.start, &a.rule, a.span.end).cmp(&(b.span.start, &b.rule, b.span.end))
    });
}

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
        let doc = self.load_tenant(tenant, limits)?;
        Ok(self.evaluate(&doc))
    }

    /// Reads a tenant file, and holds its `features:` names against the features this policy
    /// declares (an undeclared one is a load error, with a did-you-mean).
    pub fn load_tenant(
        &self,
        tenant: &SourceFile,
        limits: &tenant::Limits,
    ) -> Result<tenant::TenantDocument, Diagnostics> {
        let doc = tenant::load(tenant, limits)?;
        tenant::features::check_declared(&doc, &self.catalog)?;
        Ok(doc)
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

    /// What `skuld check` runs per file: [`Policy::load_tenant`], then evaluation keeping at most
    /// `cap` findings per rule (the others only counted, so memory stays bounded on hostile
    /// input), the seat use, and per rule how many findings the cap left out.
    pub(crate) fn check_capped(
        &self,
        tenant: &SourceFile,
        limits: &tenant::Limits,
        cap: usize,
    ) -> Result<CheckedTenant, Diagnostics> {
        let doc = self.load_tenant(tenant, limits)?;
        let mut sink = diagnostics::finding::CappedFindings::new(cap);
        let model = TenantModel::derive_into(&doc, &self.catalog, &mut sink);
        eval::evaluate(self, &model, &mut sink);
        let (mut findings, omitted) = sink.finish();
        sort_findings(&mut findings);
        let seats = tenant::seats::seats(&model, &self.catalog);
        Ok(CheckedTenant {
            findings,
            omitted,
            seats,
        })
    }

    fn evaluate_with_seats(
        &self,
        doc: &tenant::TenantDocument,
    ) -> (Vec<Finding>, Option<Vec<tenant::seats::SkuSeats>>) {
        let mut findings = Vec::new();
        let model = TenantModel::derive(doc, &self.catalog, &mut findings);
        eval::evaluate(self, &model, &mut findings);
        sort_findings(&mut findings);
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
        self.registry().ids().collect::<Vec<_>>().into_iter()
    }

    /// The rule registry: every rule with its severity, docs and origin, then the built-in
    /// checks. Listings and rule id checks all read it.
    pub fn registry(&self) -> registry::Registry<'_> {
        registry::Registry::of(self)
    }

    /// The rules, in declaration order.
    pub fn rules(&self) -> &[compile::ir::Rule] {
        &self.rules
    }

    /// The policy files it was compiled from.
    pub fn files(&self) -> &[SourceFile] {
        &self.files
    }

    /// The name of capability `id` (an entry of [`compile::ir::Sku::grants`]).
    pub fn capability_name(&self, id: compile::ir::CapId) -> Option<&str> {
        self.capabilities.get(id as usize).map(|c| c.name.as_str())
    }
}
