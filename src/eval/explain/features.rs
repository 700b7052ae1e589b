//! The features covering a user (`features:`, contract v2), each with the entries that cover
//! them and how: every user, listed by UPN, or through a chain of groups.

use serde::Serialize;

use crate::compile::Policy;
use crate::source::SourceFile;
use crate::tenant::model::{CoverReason, TenantModel, UserId};

/// A feature that covers the user.
#[derive(Debug, Clone, Serialize)]
pub struct FeatureMembership {
    /// The feature's name.
    pub feature: String,
    /// The entries that cover the user, in file order.
    pub entries: Vec<FeatureEntryMatch>,
}

/// One entry covering the user, and how.
#[derive(Debug, Clone, Serialize)]
pub struct FeatureEntryMatch {
    /// The entry's `name:`, when it has one.
    pub name: Option<String>,
    /// 1-based line of the entry.
    pub line: usize,
    /// `all` (`include: all`), `users` (listed by UPN) or `groups`.
    pub via: &'static str,
    /// For `groups`: from a group the user is directly in up to the included group.
    pub chain: Vec<String>,
}

/// Every feature of the policy that covers `user`, in declaration order.
pub(super) fn features_of(
    policy: &Policy,
    model: &TenantModel<'_>,
    src: &SourceFile,
    user: UserId,
) -> Vec<FeatureMembership> {
    let mut out = Vec::new();
    let Some(block) = &model.doc.features else {
        return out;
    };
    for (f, feature) in policy.catalog.features().iter().enumerate() {
        if !model.features.covers(f as u32, user) {
            continue;
        }
        let mut entries = Vec::new();
        for (e, reason) in model.coverage_reasons(f as u32, user) {
            let entry = block
                .features
                .get(e.doc_feature as usize)
                .and_then(|d| d.entries.get(e.doc_entry as usize));
            let (via, chain) = match reason {
                CoverReason::All => ("all", Vec::new()),
                CoverReason::Listed => ("users", Vec::new()),
                CoverReason::Groups(mut chain) => {
                    chain.reverse();
                    let names = chain
                        .iter()
                        .filter_map(|&g| model.group_doc(g).map(|d| d.name.value.clone()))
                        .collect();
                    ("groups", names)
                }
            };
            entries.push(FeatureEntryMatch {
                name: entry.and_then(|d| d.name.as_ref().map(|n| n.value.clone())),
                line: entry.map_or(0, |d| src.line_col(d.span.start as usize).0),
                via,
                chain,
            });
        }
        out.push(FeatureMembership {
            feature: feature.name.clone(),
            entries,
        });
    }
    out
}
