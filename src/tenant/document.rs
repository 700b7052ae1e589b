//! The tenant file as written: the contract's YAML schema, every node with its byte span.
//!
//! Nothing here is resolved: SKU and group names are plain strings. [`super::model`] turns a
//! document into the model that rules see.

use crate::date::Date;
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
    /// `seats:` prepaid units that work; `None` when absent: the number is not known (Graph
    /// gave no `prepaidUnits`), so no seat count is checked against it.
    pub seats: Option<Spanned<u64>>,
    /// `status:` (contract v3); absent means `enabled`.
    pub status: Option<Spanned<SubscriptionStatus>>,
    /// `trial:` (contract v3); span: the whole entry. Absent means `false`.
    pub trial: Option<Spanned<bool>>,
    /// `ends:` (contract v3): the next lifecycle date (renewal or expiry).
    pub ends: Option<Spanned<Date>>,
}

/// The state of a subscription (Graph `subscribedSku.capabilityStatus`), ordered from good to
/// worst.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum SubscriptionStatus {
    /// Active.
    Enabled,
    /// Expired, in its grace period: the units still work.
    Warning,
    /// Suspended: the users have lost the service.
    Suspended,
    /// Locked out: the users have lost the service.
    LockedOut,
}

impl SubscriptionStatus {
    /// Every status, with its spelling in YAML and in policies.
    pub const ALL: [(&'static str, SubscriptionStatus); 4] = [
        ("enabled", SubscriptionStatus::Enabled),
        ("warning", SubscriptionStatus::Warning),
        ("suspended", SubscriptionStatus::Suspended),
        ("locked_out", SubscriptionStatus::LockedOut),
    ];

    /// The spelling used in YAML and in policies.
    pub fn as_str(self) -> &'static str {
        match self {
            SubscriptionStatus::Enabled => "enabled",
            SubscriptionStatus::Warning => "warning",
            SubscriptionStatus::Suspended => "suspended",
            SubscriptionStatus::LockedOut => "locked_out",
        }
    }
}

/// One item of a `licenses:` list (users and groups): a SKU, or (contract v3) a SKU with some
/// of its service plans switched off, `{sku: SPE_E3, disabled_plans: [AAD_PREMIUM]}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LicenseItem {
    /// The part number (or `skuId`) as written; for a plain item, the item itself.
    pub sku: Spanned<String>,
    /// `disabled_plans:`; `None` for a plain item (boxed: most items have none, and a
    /// 100k-user file holds a few hundred thousand items).
    pub disabled_plans: Option<Box<ListField<Spanned<String>>>>,
}

impl LicenseItem {
    /// A plain item: the SKU with every plan on.
    pub fn plain(sku: Spanned<String>) -> Self {
        LicenseItem {
            sku,
            disabled_plans: None,
        }
    }

    /// The switched-off plans, as written (empty for a plain item).
    pub fn disabled(&self) -> &[Spanned<String>] {
        self.disabled_plans
            .as_deref()
            .map_or(&[], |l| l.items.as_slice())
    }
}

/// One `groups:` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupDocument {
    /// The mapping.
    pub span: Span,
    /// `name:`
    pub name: Spanned<String>,
    /// `licenses:` group-based licence assignment.
    pub licenses: ListField<LicenseItem>,
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
    pub licenses: ListField<LicenseItem>,
    /// `groups:` direct memberships.
    pub groups: ListField<Spanned<String>>,
    /// `license_errors:` assignments Microsoft Graph reports as failed (written by
    /// `skuld import graph`; see docs/import.md).
    pub license_errors: ListField<LicenseErrorDocument>,
    /// `user_type:` (contract v3); absent means member.
    pub user_type: Option<Spanned<UserType>>,
    /// `enabled:` (contract v3): the account can sign in; span: the whole entry. Absent means
    /// `true`.
    pub enabled: Option<Spanned<bool>>,
    /// `last_sign_in:` (contract v3): the last successful sign-in; absent means unknown.
    pub last_sign_in: Option<Spanned<Date>>,
}

impl UserDocument {
    /// `user_type: guest`.
    pub fn is_guest(&self) -> bool {
        self.user_type
            .as_ref()
            .is_some_and(|t| t.value == UserType::Guest)
    }

    /// The account can sign in (`enabled:` absent or `true`).
    pub fn is_enabled(&self) -> bool {
        self.enabled.as_ref().is_none_or(|e| e.value)
    }
}

/// Whether a user belongs to the organisation (Graph `userType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserType {
    /// A member of the organisation.
    Member,
    /// A B2B guest: signs in with their home organisation's account.
    Guest,
}

impl UserType {
    /// The spelling used in YAML and in policies.
    pub fn as_str(self) -> &'static str {
        match self {
            UserType::Member => "member",
            UserType::Guest => "guest",
        }
    }
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
    /// `held:` (contract v3; Graph's `ActiveWithError`): the licence is active, with an error.
    /// Span: the whole entry. Absent means `false`.
    pub held: Option<Spanned<bool>>,
}

impl LicenseErrorDocument {
    /// The licence is still active (`held: true`).
    pub fn is_held(&self) -> bool {
        self.held.as_ref().is_some_and(|h| h.value)
    }
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
