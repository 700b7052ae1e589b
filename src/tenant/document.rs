//! The tenant file as written: the contract's YAML schema, every node with its byte span.
//!
//! Nothing here is resolved: SKU and group names are plain strings. [`super::model`] turns a
//! document into the model that rules see.

use crate::source::{SourceFile, Span};

/// A value and the span of the YAML node it was read from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spanned<T> {
    /// The value.
    pub value: T,
    /// The node's span (for a scalar: the scalar, quotes included).
    pub span: Span,
}

impl<T> Spanned<T> {
    /// Pairs a value with its span.
    pub fn new(value: T, span: Span) -> Self {
        Spanned { value, span }
    }
}

/// One tenant file.
#[derive(Debug, Clone)]
pub struct TenantDocument {
    /// The file it was read from.
    pub source: SourceFile,
    /// `tenant:` the tenant's name (span: the value).
    pub name: Spanned<String>,
    /// `country:` the directory location, as written (not yet validated).
    pub country: Option<Spanned<String>>,
    /// `sspr:`; `None` when the key is absent (SSPR off).
    pub sspr: Option<SsprDocument>,
    /// `subscriptions:`; `None` when the key is absent ("not tracked"), `Some(empty)` when
    /// present and empty ("bought nothing").
    pub subscriptions: Option<ListField<SubscriptionDocument>>,
    /// `groups:` in file order.
    pub groups: Vec<GroupDocument>,
    /// `users:` in file order.
    pub users: Vec<UserDocument>,
    /// `features:` (contract v2); `None` when the key is absent.
    pub features: Option<super::features::FeaturesDocument>,
    /// Plain scalars that a YAML 1.1 reader would take for booleans (`NO`, `yes`, `on`, …) but
    /// that skuld, reading YAML 1.2, took as strings: kept so a finding can warn about them.
    pub yaml11_booleans: Vec<Spanned<String>>,
}

/// A list-valued key, with the span of the whole `key: value` entry (`None` when absent).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListField<T> {
    /// The items in file order.
    pub items: Vec<T>,
    /// `key: [...]` from the key to the end of the value; `None` when the key is absent.
    pub span: Option<Span>,
}

impl<T> Default for ListField<T> {
    fn default() -> Self {
        ListField {
            items: Vec::new(),
            span: None,
        }
    }
}

/// `sspr:`
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SsprDocument {
    /// The `sspr: …` entry, key to end of value.
    pub span: Span,
    /// `scope:`
    pub scope: Spanned<SsprScope>,
    /// `group:` (present only when scope is `selected`; the loader enforces it).
    pub group: Option<Spanned<String>>,
    /// `writeback:`; span is the whole `writeback: …` entry. Absent means `false`.
    pub writeback: Option<Spanned<bool>>,
}

/// Who SSPR is enabled for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SsprScope {
    /// Nobody.
    None,
    /// Every user.
    All,
    /// Members of one group, nested members included.
    Selected,
}

impl SsprScope {
    /// The spelling used in YAML and in policies.
    pub fn as_str(self) -> &'static str {
        match self {
            SsprScope::None => "none",
            SsprScope::All => "all",
            SsprScope::Selected => "selected",
        }
    }
}

/// One `subscriptions:` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubscriptionDocument {
    /// The mapping.
    pub span: Span,
    /// `sku:` part number as written.
    pub sku: Spanned<String>,
    /// `seats:` prepaid units.
    pub seats: Spanned<u64>,
}

/// One `groups:` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupDocument {
    /// The mapping.
    pub span: Span,
    /// `name:`
    pub name: Spanned<String>,
    /// `licenses:` group-based licence assignment.
    pub licenses: ListField<Spanned<String>>,
    /// `groups:` the groups this group is itself a member of.
    pub groups: ListField<Spanned<String>>,
    /// `dynamic:` membership set by a rule (contract v2); span: the whole entry.
    pub dynamic: Option<Spanned<bool>>,
}

/// One `users:` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserDocument {
    /// The mapping.
    pub span: Span,
    /// `upn:`
    pub upn: Spanned<String>,
    /// `source:`; absent means cloud.
    pub source: Option<Spanned<UserSource>>,
    /// `usage_location:` as written (not yet validated).
    pub usage_location: Option<Spanned<String>>,
    /// `licenses:` direct assignment.
    pub licenses: ListField<Spanned<String>>,
    /// `groups:` direct memberships.
    pub groups: ListField<Spanned<String>>,
    /// `license_errors:` assignments Microsoft Graph reports as failed (written by
    /// `skuld import graph`; see docs/import.md).
    pub license_errors: ListField<LicenseErrorDocument>,
}

/// One `license_errors:` entry of a user: a licence that could not be assigned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LicenseErrorDocument {
    /// The mapping.
    pub span: Span,
    /// `sku:` part number as written.
    pub sku: Spanned<String>,
    /// `error:` why the assignment failed.
    pub error: Spanned<LicenseError>,
    /// `group:` the group whose assignment failed; absent for a direct assignment.
    pub group: Option<Spanned<String>>,
}

/// Why Microsoft Graph could not assign a licence (`licenseAssignmentState.error`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LicenseError {
    /// Not enough seats left in the subscription.
    CountViolation,
    /// The SKU conflicts with another licence of the user.
    MutuallyExclusiveViolation,
    /// A service plan of the SKU needs a plan the user does not have.
    DependencyViolation,
    /// The SKU is not available in the user's usage location.
    ProhibitedInUsageLocationViolation,
    /// A proxy address of the user clashes with another object.
    UniquenessViolation,
    /// Any other error.
    Other,
}

impl LicenseError {
    /// Every error, with its spelling in YAML, in Graph and in policies.
    pub const ALL: [(&'static str, LicenseError); 6] = [
        ("CountViolation", LicenseError::CountViolation),
        (
            "MutuallyExclusiveViolation",
            LicenseError::MutuallyExclusiveViolation,
        ),
        ("DependencyViolation", LicenseError::DependencyViolation),
        (
            "ProhibitedInUsageLocationViolation",
            LicenseError::ProhibitedInUsageLocationViolation,
        ),
        ("UniquenessViolation", LicenseError::UniquenessViolation),
        ("Other", LicenseError::Other),
    ];

    /// The spelling used in YAML, in Graph and in policies.
    pub fn as_str(self) -> &'static str {
        match self {
            LicenseError::CountViolation => "CountViolation",
            LicenseError::MutuallyExclusiveViolation => "MutuallyExclusiveViolation",
            LicenseError::DependencyViolation => "DependencyViolation",
            LicenseError::ProhibitedInUsageLocationViolation => {
                "ProhibitedInUsageLocationViolation"
            }
            LicenseError::UniquenessViolation => "UniquenessViolation",
            LicenseError::Other => "Other",
        }
    }
}

/// Where a user account lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserSource {
    /// Created in Entra ID.
    Cloud,
    /// Synchronised from on-premises Active Directory.
    Synced,
}
