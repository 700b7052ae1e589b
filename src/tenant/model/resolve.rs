//! Name resolution and the `tenant/*` checks: unknown SKUs and groups (with did-you-mean),
//! country codes, and the fixed severities of the checks built into the loader.

use std::collections::HashMap;

use super::GroupId;
use crate::compile::ir::{Catalog, SkuId};
use crate::diagnostics::Severity;
use crate::diagnostics::finding::{Finding, FindingOrigin, FindingSink, cause_of};
use crate::diagnostics::suggest::Suggester;
use crate::source::Span;
use crate::tenant::country;
use crate::tenant::document::{Spanned, TenantDocument};

/// The label of a `tenant/unknown-sku` finding (its cause, with the name, past the cap too).
/// The tenant's name indexes: groups by name, users by UPN.
pub(super) use crate::compile::ir::NameIndex;

const UNKNOWN_SKU_LABEL: &str = "not in the policy's SKU catalog";
/// The label of a `tenant/unknown-group` finding.
const UNKNOWN_GROUP_LABEL: &str = "no group of this name under `groups:`";

pub(super) struct Builder<'d, 'c, 'f> {
    pub(super) doc: &'d TenantDocument,
    pub(super) catalog: &'c Catalog,
    pub(super) findings: &'f mut dyn FindingSink,
    /// Did-you-mean help per unknown name: the same typo often recurs across a tenant.
    pub(super) help_memo: HashMap<(bool, &'d str), String>,
    /// Prepared on the first unknown SKU / group.
    pub(super) sku_suggester: Option<Suggester<'c>>,
    pub(super) group_suggester: Option<Suggester<'d>>,
    /// The tenant's SKUs with plans switched off, interned.
    pub(super) variants: super::plans::Variants,
}

impl<'d> Builder<'d, '_, '_> {
    pub(super) fn finding(
        &self,
        rule: &'static str,
        span: Span,
        message: String,
        subject: &str,
    ) -> Finding {
        Finding::new(
            rule.to_owned(),
            builtin_severity(rule),
            message,
            Some(subject.to_owned()),
            self.doc.source.clone(),
            span,
            FindingOrigin::Builtin,
        )
    }

    pub(super) fn push(&mut self, finding: Finding) {
        self.findings.push(finding);
    }

    pub(super) fn resolve_sku(&mut self, name: &'d Spanned<String>) -> Option<SkuId> {
        // By part number, or by GUID (Graph `skuId`, any case), as an import may write it.
        if let Some(id) = self.catalog.resolve(&name.value) {
            return Some(id);
        }
        // Past the per-rule cap the finding is only counted with its cause: no did-you-mean,
        // no memo entry (a hostile file can name a million distinct unknown SKUs).
        if !self.findings.admit("tenant/unknown-sku") {
            let cause = cause_of(None, Some(&name.value), Some(UNKNOWN_SKU_LABEL), "");
            self.findings.omit("tenant/unknown-sku", &cause);
            return None;
        }
        let catalog = self.catalog;
        let suggester = self
            .sku_suggester
            .get_or_insert_with(|| Suggester::new(catalog.part_numbers()));
        let help = self.help_memo.entry((true, name.value.as_str())).or_insert_with(|| match suggester.suggest(&name.value) {
            Some(s) => {
                let display = catalog
                    .get(s)
                    .and_then(|id| catalog.sku(id))
                    .map_or(String::new(), |k| format!(" ({})", k.display));
                format!("did you mean `{s}`{display}?")
            }
            None => format!("SKUs are named by part number (Graph `skuPartNumber`, e.g. `ENTERPRISEPACK`) or GUID (`skuId`); a SKU the default catalog lacks can be declared in a policy file passed with `--policy`{}", stopped_note(suggester)),
        }).clone();
        let f = self
            .finding(
                "tenant/unknown-sku",
                name.span,
                format!("unknown SKU `{}`", name.value),
                &name.value,
            )
            .with_label(UNKNOWN_SKU_LABEL)
            .with_help(help);
        self.findings.keep(f);
        None
    }

    pub(super) fn resolve_group(
        &mut self,
        name: &'d Spanned<String>,
        index: &NameIndex<&'d str, GroupId>,
    ) -> Option<GroupId> {
        self.resolve_group_or(name, index, None)
    }

    /// A group of a feature entry's `include:` list. `include: [all]` names a group called
    /// `all`; when there is none, the writer meant `include: all`, and the help says so.
    pub(super) fn resolve_included_group(
        &mut self,
        name: &'d Spanned<String>,
        index: &NameIndex<&'d str, GroupId>,
    ) -> Option<GroupId> {
        let help = (name.value == "all").then_some(
            "to include every user, write `include: all` without brackets: `[all]` is a list \
             naming a group called `all`",
        );
        self.resolve_group_or(name, index, help)
    }

    /// [`Builder::resolve_group`] with the help of an unknown name given instead of found.
    fn resolve_group_or(
        &mut self,
        name: &'d Spanned<String>,
        index: &NameIndex<&'d str, GroupId>,
        help: Option<&str>,
    ) -> Option<GroupId> {
        if let Some(&g) = index.get(name.value.as_str()) {
            return Some(g);
        }
        if !self.findings.admit("tenant/unknown-group") {
            let cause = cause_of(None, Some(&name.value), Some(UNKNOWN_GROUP_LABEL), "");
            self.findings.omit("tenant/unknown-group", &cause);
            return None;
        }
        let suggester = self
            .group_suggester
            .get_or_insert_with(|| Suggester::new(index.keys().copied()));
        let help = match help {
            Some(h) => h.to_owned(),
            None => self
                .help_memo
                .entry((false, name.value.as_str()))
                .or_insert_with(|| match suggester.suggest(&name.value) {
                    Some(s) => format!("did you mean `{s}`?"),
                    None => format!(
                        "define it under `groups:` (`- name: {}`){}",
                        name.value,
                        stopped_note(suggester)
                    ),
                })
                .clone(),
        };
        let f = self
            .finding(
                "tenant/unknown-group",
                name.span,
                format!("unknown group `{}`", name.value),
                &name.value,
            )
            .with_label(UNKNOWN_GROUP_LABEL)
            .with_help(help);
        self.findings.keep(f);
        None
    }

    pub(super) fn check_country(&mut self, value: &Spanned<String>) {
        if country::is_country_code(&value.value) {
            return;
        }
        let help = country::country_hint(&value.value).unwrap_or_else(|| {
            "use an ISO 3166-1 alpha-2 code such as `US`, `GB`, `DE` or `NO`".to_owned()
        });
        let f = self
            .finding(
                "tenant/invalid-country",
                value.span,
                format!(
                    "`{}` is not an ISO 3166-1 alpha-2 country code",
                    value.value
                ),
                &value.value,
            )
            .with_label("not a country code")
            .with_help(help);
        self.push(f);
    }
}

/// Said instead of a suggestion once the did-you-mean search has spent its budget for this file
/// (a file with thousands of unknown names), so that no suggestion does not read as "nothing is
/// close".
pub(super) fn stopped_note(suggester: &Suggester<'_>) -> &'static str {
    if suggester.exhausted() {
        " (no did-you-mean: this file has too many unknown names to search them all)"
    } else {
        ""
    }
}

/// The checks built into the tenant loader, with their fixed severities. Their ids are public
/// like those of policy rules; each is documented in `docs/rules/`.
pub const BUILTIN_CHECKS: &[(&str, Severity, &str)] = &[
    (
        "tenant/unknown-sku",
        Severity::Error,
        "A SKU is named that is not in the policy's catalog.",
    ),
    (
        "tenant/unknown-plan",
        Severity::Error,
        "A `disabled_plans` entry names a service plan that the SKU does not have.",
    ),
    (
        "tenant/unknown-group",
        Severity::Error,
        "A group is named that is not defined under `groups`.",
    ),
    (
        "tenant/duplicate-user",
        Severity::Error,
        "Two users share a UPN (case-insensitive, after Unicode NFKC normalisation).",
    ),
    (
        "tenant/duplicate-group",
        Severity::Error,
        "Two groups share a name (after Unicode NFC normalisation).",
    ),
    (
        "tenant/suspicious-name",
        Severity::Error,
        "A group name, group reference or UPN holds an invisible character or a look-alike letter from another script.",
    ),
    (
        "tenant/unknown-user",
        Severity::Error,
        "A feature's `users` names a UPN that no user has.",
    ),
    (
        "tenant/invalid-country",
        Severity::Error,
        "A country or usage location is not an ISO 3166-1 alpha-2 code.",
    ),
    (
        "tenant/yaml11-boolean",
        Severity::Warning,
        "An unquoted value is one that YAML 1.1 tools read as a boolean (`NO`, `yes`, `on`).",
    ),
];

fn builtin_severity(rule: &str) -> Severity {
    BUILTIN_CHECKS
        .iter()
        .find(|(id, _, _)| *id == rule)
        .map_or(Severity::Error, |(_, s, _)| *s)
}
