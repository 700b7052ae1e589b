//! The static types of policy expressions and the fields of each tenant-model type.

use std::fmt;

use super::ir::Field;

/// The type of an expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ty {
    /// `true` / `false`
    Bool,
    /// A whole number.
    Int,
    /// A whole number or `null` (a value the tenant file may leave unknown).
    OptInt,
    /// Text.
    Str,
    /// Text or `null` (an optional YAML value).
    OptStr,
    /// A calendar date or `null` (shown as `YYYY-MM-DD`; day counts are fields of their own).
    OptDate,
    /// `null`
    Null,
    /// The tenant.
    Tenant,
    /// The tenant's SSPR settings.
    Sspr,
    /// A user.
    User,
    /// A group.
    Group,
    /// A subscribed SKU.
    Subscription,
    /// One licence entry.
    Assignment,
    /// A SKU.
    Sku,
    /// A capability.
    Capability,
    /// A licence assignment Microsoft Graph reports as failed.
    LicenseError,
    /// A licensed feature (`feature NAME`).
    Feature,
    /// A list of elements of a type.
    List(Box<Ty>),
}

impl Ty {
    /// A list of `self`.
    pub fn list(self) -> Ty {
        Ty::List(Box::new(self))
    }

    /// The element type when `self` is a list.
    pub fn element(&self) -> Option<&Ty> {
        match self {
            Ty::List(t) => Some(t),
            _ => None,
        }
    }

    /// Whether values of the two types may be compared with `==`.
    pub fn comparable(&self, other: &Ty) -> bool {
        use Ty::*;
        match (self, other) {
            (Str | OptStr, Str | OptStr) | (Int | OptInt, Int | OptInt) => true,
            (OptStr | OptInt | OptDate | Null, Null) | (Null, OptStr | OptInt | OptDate) => true,
            (List(a), List(b)) => a.comparable(b) || **a == Null || **b == Null,
            (a, b) => a == b,
        }
    }
}

impl fmt::Display for Ty {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Ty::Bool => f.write_str("boolean"),
            Ty::Int => f.write_str("number"),
            Ty::OptInt => f.write_str("optional number"),
            Ty::Str => f.write_str("string"),
            Ty::OptStr => f.write_str("optional string"),
            Ty::OptDate => f.write_str("optional date"),
            Ty::Null => f.write_str("null"),
            Ty::Tenant => f.write_str("tenant"),
            Ty::Sspr => f.write_str("sspr settings"),
            Ty::User => f.write_str("user"),
            Ty::Group => f.write_str("group"),
            Ty::Subscription => f.write_str("subscription"),
            Ty::Assignment => f.write_str("assignment"),
            Ty::Sku => f.write_str("SKU"),
            Ty::Capability => f.write_str("capability"),
            Ty::LicenseError => f.write_str("license error"),
            Ty::Feature => f.write_str("feature"),
            Ty::List(t) => write!(f, "list of {t}"),
        }
    }
}

/// The fields of a type: name, field, result type.
pub fn fields_of(ty: &Ty) -> &'static [(&'static str, Field, FieldTy)] {
    use Field::*;
    use FieldTy as T;
    match ty {
        Ty::Tenant => &[
            ("name", TenantName, T::Str),
            ("country", TenantCountry, T::OptStr),
            ("sspr", TenantSspr, T::Sspr),
            ("users", TenantUsers, T::Users),
            ("groups", TenantGroups, T::Groups),
            ("subscriptions", TenantSubscriptions, T::Subscriptions),
            ("assignments", TenantAssignments, T::Assignments),
            ("subscriptions_tracked", TenantSubscriptionsTracked, T::Bool),
            ("subscribed", TenantSubscribed, T::Skus),
            ("skus", TenantSkus, T::Skus),
            ("inactive_days", TenantInactiveDays, T::Int),
        ],
        Ty::Sspr => &[
            ("scope", SsprScope, T::Str),
            ("group", SsprGroup, T::OptStr),
            ("writeback", SsprWriteback, T::Bool),
            ("enabled", SsprEnabled, T::Bool),
        ],
        Ty::User => &[
            ("upn", UserUpn, T::Str),
            ("source", UserSource, T::Str),
            ("synced", UserSynced, T::Bool),
            ("user_type", UserType, T::Str),
            ("guest", UserGuest, T::Bool),
            ("enabled", UserEnabled, T::Bool),
            ("last_sign_in_days", UserLastSignInDays, T::OptInt),
            ("inactive", UserInactive, T::Bool),
            ("usage_location", UserUsageLocation, T::OptStr),
            ("location", UserLocation, T::OptStr),
            ("licenses", UserLicenses, T::Skus),
            ("direct_licenses", UserDirectLicenses, T::Skus),
            ("group_licenses", UserGroupLicenses, T::Skus),
            ("groups", UserGroups, T::Groups),
            ("in_sspr_scope", UserInSsprScope, T::Bool),
            ("license_errors", UserLicenseErrors, T::LicenseErrors),
            ("unknown_licenses", UserUnknownLicenses, T::Strs),
            ("features", UserFeatures, T::Features),
        ],
        Ty::Group => &[
            ("name", GroupName, T::Str),
            ("licenses", GroupLicenses, T::Skus),
            ("member_of", GroupMemberOf, T::Groups),
            ("member_groups", GroupMemberGroups, T::Groups),
            ("members", GroupMembers, T::Users),
            ("dynamic", GroupDynamic, T::Bool),
        ],
        Ty::Subscription => &[
            ("sku", SubSku, T::Sku),
            ("seats", SubSeats, T::OptInt),
            ("status", SubStatus, T::Str),
            ("trial", SubTrial, T::Bool),
            ("ends", SubEnds, T::OptDate),
            ("ends_in_days", SubEndsInDays, T::OptInt),
            ("used", SubUsed, T::Int),
            ("groups", SubGroups, T::Groups),
            ("at_risk", SubAtRisk, T::Skus),
        ],
        Ty::Assignment => &[
            ("sku", AssignSku, T::Sku),
            ("direct", AssignDirect, T::Bool),
            ("holder", AssignHolder, T::Str),
            ("group", AssignGroup, T::OptStr),
            ("subscribed", AssignSubscribed, T::Bool),
        ],
        Ty::Sku => &[
            ("part", SkuPart, T::Str),
            ("name", SkuName, T::Str),
            ("paid", SkuPaid, T::Bool),
            ("free", SkuFree, T::Bool),
            ("family", SkuFamily, T::OptStr),
            ("grants", SkuGrants, T::Caps),
            ("unavailable_in", SkuUnavailableIn, T::Strs),
            ("plans", SkuPlans, T::Strs),
            ("includes", SkuIncludes, T::Skus),
        ],
        Ty::Feature => &[
            ("name", FeatureName, T::Str),
            ("description", FeatureDescription, T::Str),
        ],
        Ty::Capability => &[
            ("name", CapName, T::Str),
            ("description", CapDescription, T::Str),
            ("skus", CapSkus, T::Skus),
        ],
        Ty::LicenseError => &[
            ("sku", LicenseErrorSku, T::Sku),
            ("error", LicenseErrorError, T::Str),
            ("group", LicenseErrorGroup, T::OptStr),
        ],
        _ => &[],
    }
}

/// A field's result type, in a `const`-friendly form.
#[derive(Debug, Clone, Copy)]
pub enum FieldTy {
    /// boolean
    Bool,
    /// number
    Int,
    /// number or null
    OptInt,
    /// string
    Str,
    /// optional string
    OptStr,
    /// date or null
    OptDate,
    /// SSPR settings
    Sspr,
    /// a SKU
    Sku,
    /// list of users
    Users,
    /// list of groups
    Groups,
    /// list of subscriptions
    Subscriptions,
    /// list of assignments
    Assignments,
    /// list of SKUs
    Skus,
    /// list of capabilities
    Caps,
    /// list of strings
    Strs,
    /// list of licence errors
    LicenseErrors,
    /// list of features
    Features,
}

impl FieldTy {
    /// As a [`Ty`].
    pub fn ty(self) -> Ty {
        match self {
            FieldTy::Bool => Ty::Bool,
            FieldTy::Int => Ty::Int,
            FieldTy::OptInt => Ty::OptInt,
            FieldTy::Str => Ty::Str,
            FieldTy::OptStr => Ty::OptStr,
            FieldTy::OptDate => Ty::OptDate,
            FieldTy::Sspr => Ty::Sspr,
            FieldTy::Sku => Ty::Sku,
            FieldTy::Users => Ty::User.list(),
            FieldTy::Groups => Ty::Group.list(),
            FieldTy::Subscriptions => Ty::Subscription.list(),
            FieldTy::Assignments => Ty::Assignment.list(),
            FieldTy::Skus => Ty::Sku.list(),
            FieldTy::Caps => Ty::Capability.list(),
            FieldTy::Strs => Ty::Str.list(),
            FieldTy::LicenseErrors => Ty::LicenseError.list(),
            FieldTy::Features => Ty::Feature.list(),
        }
    }
}
