//! The policy as checked: names resolved to ids, expressions typed, the catalog built.

use std::collections::HashMap;

use crate::source::{SourceFile, Span};
use crate::syntax::ast::{Quantifier, RangeKind};

/// A SKU as a value: the index of a catalog SKU in the low 16 bits and, above them, which of a
/// tenant's variants of it a user holds (a licence with service plans switched off; 0: none
/// switched off). Comparisons look at the catalog SKU only ([`base_sku`]): `SPE_E3` with a plan
/// switched off is still `SPE_E3`; its plans, grants and inclusions are the variant's.
pub type SkuId = u32;

/// How many SKUs a catalog may hold (the low 16 bits of a [`SkuId`]).
pub const MAX_SKUS: usize = 1 << VARIANT_SHIFT;
/// Where the variant starts in a [`SkuId`].
pub const VARIANT_SHIFT: u32 = 16;

/// The catalog SKU of a held SKU.
pub fn base_sku(id: SkuId) -> SkuId {
    id & ((1 << VARIANT_SHIFT) - 1)
}

/// The variant part of a held SKU (0: every plan on).
pub fn sku_variant(id: SkuId) -> u32 {
    id >> VARIANT_SHIFT
}
/// Index of a capability.
pub type CapId = u32;
/// Index of a feature in [`Catalog::features`].
pub type FeatureId = u32;

/// Where a declaration stands: policy file index and span.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Origin {
    /// Index into [`Policy::files`].
    pub file: usize,
    /// The span in that file.
    pub span: Span,
}

pub use crate::diagnostics::Severity;

/// A compiled, checked policy: the catalog and the rules. Built by [`Policy::builtin`] or
/// [`Policy::from_sources`].
#[derive(Debug, Clone)]
pub struct Policy {
    pub(crate) files: Vec<SourceFile>,
    pub(crate) catalog: Catalog,
    pub(crate) capabilities: Vec<Capability>,
    pub(crate) rules: Vec<Rule>,
    /// What rules that read dates are evaluated against (`skuld check` sets it from the
    /// config and flags).
    pub(crate) clock: Clock,
}

/// "Today" and the settings that turn dates into facts, for rules that read dates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Clock {
    /// Today; `None`: [`crate::date::Date::today`] at evaluation.
    pub today: Option<crate::date::Date>,
    /// After how many days without a sign-in a user is inactive (`inactive-days`, 90).
    pub inactive_days: u32,
}

/// Days without a sign-in after which a user is inactive, unless `.skuld.yaml` or
/// `--inactive-days` says otherwise (contract v3).
pub const DEFAULT_INACTIVE_DAYS: u32 = 90;

impl Clock {
    /// The day rules and reports measure dates against: the one given, else
    /// [`crate::date::Date::today`]. `skuld check` has checked `SKULD_TODAY` before evaluating;
    /// an embedding program that set a bad one gets the local date rather than a panic.
    pub fn today(&self) -> crate::date::Date {
        self.today.unwrap_or_else(|| {
            crate::date::Date::today().unwrap_or_else(|_| crate::date::Date::local_today())
        })
    }
}

impl Default for Clock {
    fn default() -> Self {
        Clock {
            today: None,
            inactive_days: DEFAULT_INACTIVE_DAYS,
        }
    }
}

/// A licence product.
#[derive(Debug, Clone)]
pub struct Sku {
    /// Part number (Graph `skuPartNumber`), e.g. `AAD_PREMIUM`.
    pub part: String,
    /// Product name, e.g. `Microsoft Entra ID P1`.
    pub display: String,
    /// Bought with money (declared or generated `paid`).
    pub paid: bool,
    /// Free or trial (declared or generated `free`). Neither `paid` nor `free`: unknown.
    pub free: bool,
    /// Product family (`o365`, `entra`, …) if declared.
    pub family: Option<String>,
    /// Graph `skuId` if declared (the first of [`Sku::guids`]).
    pub guid: Option<String>,
    /// Every Graph `skuId` declared for it, lower-case; Microsoft's table lists one SKU
    /// (`MCOPSTN5`) under two.
    pub guids: Vec<String>,
    /// Service plans it includes (from `plans [...]`), sorted.
    pub plans: Vec<String>,
    /// Countries where Microsoft does not sell it.
    pub unavailable_in: Vec<String>,
    /// Capabilities it grants, sorted.
    pub grants: Vec<CapId>,
    /// The grants that come from its service plans (`grant C to plan A + B`): the capability
    /// and the indices in [`Sku::plans`] of the plans it needs. A licence with plans switched off
    /// keeps a capability only through a route whose plans are all on (see
    /// [`Catalog::grants_without`]).
    pub plan_grants: Vec<(CapId, Box<[u16]>)>,
    /// SKUs it includes, sorted: by service plans (placeholder plans aside) and by `includes`
    /// declarations.
    pub includes: Vec<SkuId>,
    /// Doc comment.
    pub docs: String,
    /// Declaration.
    pub origin: Origin,
}

/// Something a licence lets a user do (`sspr_cloud`, `writeback`, …).
#[derive(Debug, Clone)]
pub struct Capability {
    /// Its name in policies.
    pub name: String,
    /// One-line description.
    pub description: String,
    /// Doc comment.
    pub docs: String,
    /// SKUs granting it, in catalog order.
    pub skus: Vec<SkuId>,
    /// Declaration.
    pub origin: Origin,
}

/// A map from names read in tenant files (part numbers, GUIDs, UPNs, group names) to ids.
/// Hashing them with std's SipHash cost 5 % of a 100k-user check; foldhash costs a fraction of
/// that and seeds per process, so a hostile file cannot be written to collide in advance
/// (`docs/architecture.md`, "Dependencies").
pub(crate) type NameIndex<K, V> = HashMap<K, V, foldhash::fast::RandomState>;

/// The SKUs a policy knows.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    pub(crate) skus: Vec<Sku>,
    pub(crate) by_part: NameIndex<String, SkuId>,
    /// Lower-case GUID → SKU.
    pub(crate) by_guid: NameIndex<String, SkuId>,
    /// Features tenant files may list under `features:`, in declaration order.
    pub(crate) features: Vec<Feature>,
}

/// A licensed feature (`feature conditional_access "…"`): tenant files say whom it covers.
#[derive(Debug, Clone)]
pub struct Feature {
    /// Its name, the key under `features:`.
    pub name: String,
    /// One-line description.
    pub description: String,
    /// Declaration.
    pub origin: Origin,
}

impl Catalog {
    /// Looks up a part number (exact, case-sensitive: Microsoft's part numbers are).
    pub fn get(&self, part: &str) -> Option<SkuId> {
        self.by_part.get(part).copied()
    }

    /// Looks up a Graph `skuId` (case-insensitive, as GUIDs are).
    pub fn by_guid(&self, guid: &str) -> Option<SkuId> {
        self.by_guid.get(&guid.trim().to_ascii_lowercase()).copied()
    }

    /// Looks up a SKU as a tenant file may name it: by part number (exact), else by GUID.
    pub fn resolve(&self, name: &str) -> Option<SkuId> {
        self.get(name).or_else(|| self.by_guid(name))
    }

    /// The SKU with this id (for a variant: its catalog SKU).
    pub fn sku(&self, id: SkuId) -> Option<&Sku> {
        self.skus.get(base_sku(id) as usize)
    }

    /// What SKU `id` grants when the plans `off` (indices into its `plans`, sorted) are switched
    /// off: a capability granted through service plans stays only while one of its plan routes
    /// is entirely on. A capability granted by naming the SKU (`grant C to SPE_E3`) is tied to
    /// the plans that grant it too, when some do (Microsoft 365 E3 covers SSPR for synced users
    /// *because* it includes Entra ID P1); one that no plan grants stays.
    pub fn grants_without(&self, id: SkuId, off: &[u16]) -> Vec<CapId> {
        let Some(sku) = self.sku(id) else {
            return Vec::new();
        };
        sku.grants
            .iter()
            .copied()
            .filter(|&c| {
                let mut routes = sku
                    .plan_grants
                    .iter()
                    .filter(|(cap, _)| *cap == c)
                    .peekable();
                routes.peek().is_none()
                    || routes.any(|(_, plans)| plans.iter().all(|p| off.binary_search(p).is_err()))
            })
            .collect()
    }

    /// The SKUs that SKU `id` includes when the plans `off` are switched off: those of its
    /// inclusions that need none of them.
    pub fn includes_without(&self, id: SkuId, off: &[u16]) -> Vec<SkuId> {
        let Some(sku) = self.sku(id) else {
            return Vec::new();
        };
        let off: Vec<&str> = off
            .iter()
            .filter_map(|&p| sku.plans.get(usize::from(p)).map(String::as_str))
            .collect();
        sku.includes
            .iter()
            .copied()
            .filter(|&inc| {
                self.sku(inc)
                    .is_some_and(|k| k.plans.iter().all(|p| !off.contains(&p.as_str())))
            })
            .collect()
    }

    /// All SKUs in declaration order.
    pub fn skus(&self) -> &[Sku] {
        &self.skus
    }

    /// The declared features, in declaration order.
    pub fn features(&self) -> &[Feature] {
        &self.features
    }

    /// Looks up a feature by name.
    pub fn feature(&self, name: &str) -> Option<FeatureId> {
        self.features
            .iter()
            .position(|f| f.name == name)
            .map(|i| i as FeatureId)
    }

    /// Part numbers, for did-you-mean.
    pub fn part_numbers(&self) -> impl Iterator<Item = &str> {
        self.skus.iter().map(|s| s.part.as_str())
    }
}

/// A checked rule.
#[derive(Debug, Clone)]
pub struct Rule {
    /// Stable public id, e.g. `sspr/cloud-user-license`.
    pub id: String,
    /// Severity of its findings: the default (`severity error`).
    pub severity: Severity,
    /// `severity warning when …`: the other severity, of the findings where the condition
    /// holds. Read only when a finding fires, so a rule without one costs nothing more.
    pub severity_when: Option<(Severity, Expr)>,
    /// Doc comment (the rule's documentation).
    pub docs: String,
    /// The docs' first sentence ([`summary`]), for one-line listings.
    pub summary: String,
    /// What it ranges over.
    pub range: RangeKind,
    /// `where`: elements for which the rule applies.
    pub filter: Option<Expr>,
    /// The feature a user rule's `where` requires (`where f in u.features`, alone or as a
    /// conjunct of `and`): evaluation skips the users it does not cover with a bit test, and
    /// the whole rule when the tenant's `features:` gives it no entry.
    pub feature_guard: Option<u32>,
    /// A user rule's `where` and `require` each read the user only as `u.licenses`: the
    /// evaluator computes them once per distinct set of licences instead of once per user.
    pub by_license_set: LicenseSetUse,
    /// `require`: a finding for every element where this is false.
    pub require: Expr,
    /// `at`: a place expression.
    pub at: Expr,
    /// Text of the label at the `at` node.
    pub at_label: Option<Template>,
    /// `message`: the default.
    pub message: Template,
    /// `message "…" when …`, in order: the first whose condition holds is the finding's message.
    pub messages_when: Vec<(Template, Expr)>,
    /// `subject`; defaults to the natural name of the `at` node.
    pub subject: Option<Expr>,
    /// `help … when …`.
    pub helps: Vec<(Template, Option<Expr>)>,
    /// `label …`.
    pub labels: Vec<Label>,
    /// Variable slots the rule needs at run time.
    pub slots: usize,
    /// Declaration (the span of the rule id).
    pub origin: Origin,
    /// The whole `rule … { … }` declaration in the same file.
    pub decl: Span,
}

impl Rule {
    /// The severity of every finding for which `when` (the condition of
    /// [`Rule::severity_when`], evaluated by the caller) is `true`, `false` otherwise.
    pub fn severity_if<'r>(&'r self, when: impl FnOnce(&'r Expr) -> bool) -> Severity {
        match &self.severity_when {
            Some((other, cond)) if when(cond) => *other,
            _ => self.severity,
        }
    }

    /// The severities its findings can have: the default, then the conditional one.
    pub fn severities(&self) -> Severities {
        Severities {
            default: self.severity,
            other: self.severity_when.as_ref().map(|(s, _)| *s),
        }
    }
}

/// The severities a rule's findings can have, for listings ("error / warning").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Severities {
    /// `severity error`: findings no `when` picks.
    pub default: Severity,
    /// `severity warning when …`: the findings its condition picks.
    pub other: Option<Severity>,
}

impl Severities {
    /// One severity only.
    pub fn one(default: Severity) -> Self {
        Severities {
            default,
            other: None,
        }
    }

    /// `error`, or `error / warning` (the default first).
    pub fn label(self) -> String {
        match self.other {
            Some(o) => format!("{} / {}", self.default.as_str(), o.as_str()),
            None => self.default.as_str().to_owned(),
        }
    }

    /// Every severity, the default first.
    pub fn all(self) -> impl Iterator<Item = Severity> {
        std::iter::once(self.default).chain(self.other)
    }
}

/// The first sentence of a doc comment: its first paragraph's lines joined, up to the first
/// `. ` followed by a capital letter that does not close an abbreviation (`e.g. Office`), or
/// the whole paragraph.
/// A summary cut at the end of the first line stopped mid-sentence ("…holds no license that
/// includes") wherever a doc comment wraps.
pub fn summary(docs: &str) -> String {
    let paragraph: Vec<&str> = docs
        .lines()
        .map(str::trim)
        .skip_while(|l| l.is_empty())
        .take_while(|l| !l.is_empty())
        .collect();
    let text = paragraph.join(" ");
    let end = text
        .match_indices(". ")
        .find(|(i, _)| {
            let before = text.get(..*i).unwrap_or_default();
            let abbreviation = ["e.g", "i.e", "cf", "etc"]
                .iter()
                .any(|a| before.ends_with(a));
            !abbreviation
                && text
                    .get(i + 2..)
                    .and_then(|rest| rest.chars().next())
                    .is_some_and(char::is_uppercase)
        })
        .map_or(text.len(), |(i, _)| i + 1);
    text.get(..end).unwrap_or(&text).to_owned()
}

/// The feature `filter` requires of the range variable (slot 0): `f in u.features`, alone or
/// as a conjunct of `and`.
pub fn feature_guard(filter: &Expr) -> Option<u32> {
    match filter {
        Expr::In {
            item,
            list,
            negated: false,
        } => match (&**item, &**list) {
            (Expr::Const(Const::Feature(f)), Expr::Field(base, Field::UserFeatures))
                if matches!(**base, Expr::Slot(0)) =>
            {
                Some(*f)
            }
            _ => None,
        },
        Expr::And(a, b) => feature_guard(a).or_else(|| feature_guard(b)),
        _ => None,
    }
}

/// Which clauses of a user rule are functions of the user's licence set.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LicenseSetUse {
    /// The `where` clause (true also when there is none).
    pub filter: bool,
    /// The `require` clause.
    pub require: bool,
}

impl Expr {
    /// Whether a variable (a slot: the rule's range variable or a quantifier's) occurs in it.
    pub fn mentions_variable(&self) -> bool {
        match self {
            Expr::Slot(_) => true,
            Expr::Tenant | Expr::Const(_) => false,
            Expr::Field(e, _) | Expr::Not(e) | Expr::Count(e) => e.mentions_variable(),
            Expr::And(a, b) | Expr::Or(a, b) | Expr::Compare(_, a, b) => {
                a.mentions_variable() || b.mentions_variable()
            }
            Expr::In { item, list, .. } => item.mentions_variable() || list.mentions_variable(),
            Expr::Quantifier { list, body, .. } => {
                list.mentions_variable() || body.mentions_variable()
            }
        }
    }
}

/// Whether `e` reads the range variable (slot 0) only as `u.licenses`: then its value is a
/// function of that list (and of the tenant, the same for every user).
pub fn reads_user_only_through_licenses(e: &Expr) -> bool {
    let only = reads_user_only_through_licenses;
    match e {
        Expr::Slot(slot) => *slot != 0,
        Expr::Tenant | Expr::Const(_) => true,
        Expr::Field(base, Field::UserLicenses) if matches!(**base, Expr::Slot(0)) => true,
        Expr::Field(base, _) | Expr::Not(base) | Expr::Count(base) => only(base),
        Expr::And(a, b) | Expr::Or(a, b) | Expr::Compare(_, a, b) => only(a) && only(b),
        Expr::In { item, list, .. } => only(item) && only(list),
        Expr::Quantifier { list, body, .. } => only(list) && only(body),
    }
}

/// A checked label clause.
#[derive(Debug, Clone)]
pub struct Label {
    /// `x in xs where c =>`: slot, collection, filter.
    pub binding: Option<(usize, Expr, Option<Expr>)>,
    /// `, y in ys`: slot and collection of the witness (see `ast::Label::pair`).
    pub pair: Option<(usize, Expr)>,
    /// The place to label.
    pub place: Expr,
    /// The text.
    pub text: Template,
}

/// A checked message template.
#[derive(Debug, Clone)]
pub struct Template {
    /// Pieces in order.
    pub parts: Vec<TemplatePart>,
}

impl Template {
    /// Whether the template names no variable: then it renders the same for every finding of a
    /// tenant.
    pub fn is_closed(&self) -> bool {
        self.parts.iter().all(|p| match p {
            TemplatePart::Text(_) => true,
            TemplatePart::Hole(e) => !e.mentions_variable(),
        })
    }
}

/// A piece of a template.
#[derive(Debug, Clone)]
pub enum TemplatePart {
    /// Literal text.
    Text(String),
    /// A value to render.
    Hole(Expr),
}

/// A typed expression.
#[derive(Debug, Clone)]
pub enum Expr {
    /// A bound variable.
    Slot(usize),
    /// The tenant.
    Tenant,
    /// A constant.
    Const(Const),
    /// `e.field`
    Field(Box<Expr>, Field),
    /// `not e`
    Not(Box<Expr>),
    /// `a and b`
    And(Box<Expr>, Box<Expr>),
    /// `a or b`
    Or(Box<Expr>, Box<Expr>),
    /// Comparison.
    Compare(Compare, Box<Expr>, Box<Expr>),
    /// `a in b` (negated for `not in`).
    In {
        /// The element.
        item: Box<Expr>,
        /// The collection.
        list: Box<Expr>,
        /// `not in`.
        negated: bool,
    },
    /// `any(x in xs: p)` …
    Quantifier {
        /// Which quantifier.
        kind: Quantifier,
        /// The variable's slot.
        slot: usize,
        /// The collection.
        list: Box<Expr>,
        /// The body.
        body: Box<Expr>,
    },
    /// `count(xs)`
    Count(Box<Expr>),
}

/// Comparison operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compare {
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
}

/// A constant value.
#[derive(Debug, Clone)]
pub enum Const {
    /// `true` / `false`
    Bool(bool),
    /// A number.
    Int(i64),
    /// A string.
    Str(String),
    /// `null`
    Null,
    /// A SKU by name.
    Sku(SkuId),
    /// A capability by name.
    Cap(CapId),
    /// A list of SKUs (a set, or a literal).
    Skus(Vec<SkuId>),
    /// A list of capabilities.
    Caps(Vec<CapId>),
    /// A feature by name.
    Feature(FeatureId),
    /// A list of strings.
    Strs(Vec<String>),
    /// A list of numbers.
    Ints(Vec<i64>),
}

/// Every field the tenant model exposes to rules, resolved at compile time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    // tenant
    /// `tenant.name`
    TenantName,
    /// `tenant.country`
    TenantCountry,
    /// `tenant.sspr`
    TenantSspr,
    /// `tenant.users`
    TenantUsers,
    /// `tenant.groups`
    TenantGroups,
    /// `tenant.subscriptions`
    TenantSubscriptions,
    /// `tenant.assignments`
    TenantAssignments,
    /// `tenant.subscriptions_tracked`
    TenantSubscriptionsTracked,
    /// `tenant.subscribed`
    TenantSubscribed,
    /// `tenant.skus`: the catalog
    TenantSkus,
    /// `tenant.inactive_days`: days without a sign-in after which a user is inactive
    TenantInactiveDays,
    // sspr
    /// `sspr.scope`
    SsprScope,
    /// `sspr.group`
    SsprGroup,
    /// `sspr.writeback`
    SsprWriteback,
    /// `sspr.enabled`
    SsprEnabled,
    // user
    /// `u.upn`
    UserUpn,
    /// `u.source`
    UserSource,
    /// `u.synced`
    UserSynced,
    /// `u.user_type`: `member` or `guest`
    UserType,
    /// `u.guest`
    UserGuest,
    /// `u.enabled`
    UserEnabled,
    /// `u.last_sign_in_days`: days from `last_sign_in` to today; `null` when unknown
    UserLastSignInDays,
    /// `u.inactive`: `last_sign_in` more than `tenant.inactive_days` days before today
    UserInactive,
    /// `s.status`: `enabled`, `warning`, `suspended` or `locked_out`
    SubStatus,
    /// `s.trial`
    SubTrial,
    /// `s.ends`: the earliest `ends` of the SKU's subscriptions; `null` when none
    SubEnds,
    /// `s.ends_in_days`: days from today to the earliest `ends`; `null` when none
    SubEndsInDays,
    /// `u.usage_location`
    UserUsageLocation,
    /// `u.location`: usage location, else the tenant country
    UserLocation,
    /// `u.licenses`: effective
    UserLicenses,
    /// `u.direct_licenses`
    UserDirectLicenses,
    /// `u.group_licenses`
    UserGroupLicenses,
    /// `u.groups`
    UserGroups,
    /// `u.in_sspr_scope`
    UserInSsprScope,
    /// `u.license_errors`: assignments Microsoft Graph reports as failed
    UserLicenseErrors,
    /// `u.unknown_licenses`: SKU names of the user's licences (direct, or from a group the user
    /// is a direct member of) that the catalog does not know
    UserUnknownLicenses,
    /// `u.features`: the features whose entries cover the user
    UserFeatures,
    // group
    /// `g.name`
    GroupName,
    /// `g.licenses`
    GroupLicenses,
    /// `g.member_of`
    GroupMemberOf,
    /// `g.member_groups`
    GroupMemberGroups,
    /// `g.members`
    GroupMembers,
    /// `g.dynamic`: membership set by a rule
    GroupDynamic,
    // subscription
    /// `s.sku`
    SubSku,
    /// `s.seats`
    SubSeats,
    /// `s.used`
    SubUsed,
    /// `s.groups`: the groups assigning the SKU
    SubGroups,
    /// `s.at_risk`: the other SKUs of those groups
    SubAtRisk,
    // assignment
    /// `a.sku`
    AssignSku,
    /// `a.direct`
    AssignDirect,
    /// `a.holder`
    AssignHolder,
    /// `a.group`: the group assigning it, null for a direct assignment
    AssignGroup,
    /// `a.subscribed`
    AssignSubscribed,
    // license error
    /// `e.sku`
    LicenseErrorSku,
    /// `e.error`: `CountViolation`, …
    LicenseErrorError,
    /// `e.group`: the group whose assignment failed, null for a direct assignment
    LicenseErrorGroup,
    // sku
    /// `k.part`
    SkuPart,
    /// `k.name`
    SkuName,
    /// `k.paid`
    SkuPaid,
    /// `k.free`: free, trial or developer (declared or generated `free`)
    SkuFree,
    /// `k.family`
    SkuFamily,
    /// `k.grants`
    SkuGrants,
    /// `k.unavailable_in`
    SkuUnavailableIn,
    /// `k.plans`: the service plans it includes
    SkuPlans,
    /// `k.includes`: the SKUs it includes
    SkuIncludes,
    // feature
    /// `f.name`
    FeatureName,
    /// `f.description`
    FeatureDescription,
    // capability
    /// `c.name`
    CapName,
    /// `c.skus`
    CapSkus,
    /// `c.description`
    CapDescription,
}
