//! The expression interpreter, place (span) resolution and template rendering.

use std::collections::HashSet;
use std::fmt::Write as _;

use super::value::{Kind, List, Value};
use crate::compile::Policy;
use crate::compile::ir::{
    Compare, Const, Expr, Field, Label, Rule, Template, TemplatePart, base_sku,
};
use crate::diagnostics::finding::Light;
use crate::diagnostics::{Finding, FindingOrigin};
use crate::source::Span;
use crate::syntax::ast::Quantifier;
use crate::tenant::document::SsprScope;
use crate::tenant::model::{Holder, TenantModel};

/// Most secondary labels one finding carries; the rest are counted in a note (see
/// [`more_places_note`]). A snippet with thousands of labels helps nobody and costs a renderer
/// time and memory in proportion.
const MAX_LABELS: usize = 100;

/// Most items of a list a message or help text names; the rest are counted.
const MAX_LISTED: usize = 20;

/// The help line that says how many places were left unlabelled, exactly.
fn more_places_note(shown: usize, more: usize) -> String {
    let places = if more == 1 { "place" } else { "places" };
    format!("and {more} more {places} (only the first {shown} are labelled)")
}

/// What every finding of a rule shares ([`Interp::constants`]).
pub(super) struct RuleConstants {
    origin: FindingOrigin,
    /// Per help text, its rendering when it names no variable.
    helps: Vec<Option<String>>,
}

pub(super) struct Interp<'a> {
    policy: &'a Policy,
    model: &'a TenantModel<'a>,
    /// Today, for the fields that count days ([`crate::compile::ir::Clock`]).
    today: crate::date::Date,
}

impl<'a> Interp<'a> {
    pub(super) fn new(policy: &'a Policy, model: &'a TenantModel<'a>) -> Self {
        let today = policy.clock.today();
        Interp {
            policy,
            model,
            today,
        }
    }

    pub(super) fn truthy(&self, e: &'a Expr, env: &mut [Value<'a>]) -> bool {
        matches!(self.eval(e, env), Value::Bool(true))
    }

    fn slot(env: &[Value<'a>], i: usize) -> Value<'a> {
        env.get(i).copied().unwrap_or(Value::Null)
    }

    /// A leaf (slot or constant) without a recursive call: most operands are leaves, and a call
    /// of [`Interp::eval`] costs more than the leaf itself.
    #[inline(always)]
    fn leaf(e: &'a Expr, env: &[Value<'a>]) -> Option<Value<'a>> {
        match e {
            Expr::Slot(i) => Some(Self::slot(env, *i)),
            Expr::Tenant => Some(Value::Tenant),
            Expr::Const(c) => Some(Self::constant(c)),
            _ => None,
        }
    }

    /// An operand: a leaf or a field of a leaf (`u.licenses`) inline, anything else through
    /// [`Interp::eval`].
    #[inline(always)]
    fn operand(&self, e: &'a Expr, env: &mut [Value<'a>]) -> Value<'a> {
        if let Some(v) = Self::leaf(e, env) {
            return v;
        }
        if let Expr::Field(base, field) = e
            && let Some(base) = Self::leaf(base, env)
        {
            return self.field(base, *field);
        }
        self.eval(e, env)
    }

    #[inline(always)]
    fn constant(c: &'a Const) -> Value<'a> {
        match c {
            Const::Bool(b) => Value::Bool(*b),
            Const::Int(i) => Value::Int(*i),
            Const::Str(s) => Value::Str(s),
            Const::Null => Value::Null,
            Const::Sku(s) => Value::Entity(Kind::Sku, *s),
            Const::Cap(c) => Value::Entity(Kind::Capability, *c),
            Const::Feature(f) => Value::Entity(Kind::Feature, *f),
            Const::Skus(v) => Value::List(List::Ids(Kind::Sku, v)),
            Const::Caps(v) => Value::List(List::Ids(Kind::Capability, v)),
            Const::Strs(v) => Value::List(List::Strs(v)),
            Const::Ints(v) => Value::List(List::Ints(v)),
        }
    }

    pub(super) fn eval(&self, e: &'a Expr, env: &mut [Value<'a>]) -> Value<'a> {
        match e {
            Expr::Slot(i) => Self::slot(env, *i),
            Expr::Tenant => Value::Tenant,
            Expr::Const(c) => Self::constant(c),
            Expr::Field(base, field) => {
                let base = self.operand(base, env);
                self.field(base, *field)
            }
            Expr::Not(inner) => Value::Bool(!self.truthy(inner, env)),
            Expr::And(a, b) => Value::Bool(self.truthy(a, env) && self.truthy(b, env)),
            Expr::Or(a, b) => Value::Bool(self.truthy(a, env) || self.truthy(b, env)),
            Expr::Compare(op, a, b) => {
                let (a, b) = (self.operand(a, env), self.operand(b, env));
                Value::Bool(match op {
                    Compare::Eq => a.equals(b),
                    Compare::Ne => !a.equals(b),
                    ordered => match (a, b) {
                        (Value::Int(x), Value::Int(y)) => match ordered {
                            Compare::Lt => x < y,
                            Compare::Le => x <= y,
                            Compare::Gt => x > y,
                            _ => x >= y,
                        },
                        _ => false,
                    },
                })
            }
            Expr::In {
                item,
                list,
                negated,
            } => {
                let item = self.operand(item, env);
                let found = match self.operand(list, env) {
                    Value::List(l) => l.contains(item),
                    _ => false,
                };
                Value::Bool(found != *negated)
            }
            Expr::Quantifier {
                kind,
                slot,
                list,
                body,
            } => {
                let Value::List(l) = self.operand(list, env) else {
                    return Value::Null;
                };
                let mut count: i64 = 0;
                for item in l.iter() {
                    if let Some(s) = env.get_mut(*slot) {
                        *s = item;
                    }
                    let holds = self.truthy(body, env);
                    match kind {
                        Quantifier::Any if holds => return Value::Bool(true),
                        Quantifier::All if !holds => return Value::Bool(false),
                        Quantifier::None if holds => return Value::Bool(false),
                        Quantifier::Count if holds => count += 1,
                        _ => {}
                    }
                }
                match kind {
                    Quantifier::Any => Value::Bool(false),
                    Quantifier::All | Quantifier::None => Value::Bool(true),
                    Quantifier::Count => Value::Int(count),
                }
            }
            Expr::Count(list) => match self.operand(list, env) {
                Value::List(l) => Value::Int(l.len() as i64),
                _ => Value::Null,
            },
        }
    }

    fn field(&self, base: Value<'a>, field: Field) -> Value<'a> {
        let m = self.model;
        let doc = m.doc;
        let catalog = &self.policy.catalog;
        let opt = |s: Option<&'a str>| s.map_or(Value::Null, Value::Str);
        let ids = |k: Kind, r| Value::List(List::Ids(k, m.ids(r)));
        use Field as F;
        match (base, field) {
            (Value::Tenant, F::TenantName) => Value::Str(&doc.name.value),
            (Value::Tenant, F::TenantCountry) => opt(m.country),
            (Value::Tenant, F::TenantSspr) => Value::Sspr,
            (Value::Tenant, F::TenantUsers) => {
                Value::List(List::All(Kind::User, m.users.len() as u32))
            }
            (Value::Tenant, F::TenantGroups) => {
                Value::List(List::All(Kind::Group, m.groups.len() as u32))
            }
            (Value::Tenant, F::TenantSubscriptions) => {
                Value::List(List::All(Kind::Subscription, m.subscriptions.len() as u32))
            }
            (Value::Tenant, F::TenantAssignments) => {
                Value::List(List::All(Kind::Assignment, m.assignments.len() as u32))
            }
            (Value::Tenant, F::TenantSubscriptionsTracked) => {
                Value::Bool(m.subscriptions_tracked())
            }
            (Value::Tenant, F::TenantSubscribed) => {
                Value::List(List::Ids(Kind::Sku, &m.subscribed))
            }
            (Value::Tenant, F::TenantSkus) => {
                Value::List(List::All(Kind::Sku, catalog.skus().len() as u32))
            }
            (Value::Tenant, F::TenantInactiveDays) => {
                Value::Int(i64::from(self.policy.clock.inactive_days))
            }

            (Value::Sspr, F::SsprScope) => Value::Str(self.scope().as_str()),
            (Value::Sspr, F::SsprGroup) => opt(doc
                .sspr
                .as_ref()
                .and_then(|s| s.group.as_ref())
                .map(|g| g.value.as_str())),
            (Value::Sspr, F::SsprWriteback) => Value::Bool(
                doc.sspr
                    .as_ref()
                    .and_then(|s| s.writeback.as_ref())
                    .is_some_and(|w| w.value),
            ),
            (Value::Sspr, F::SsprEnabled) => Value::Bool(self.scope() != SsprScope::None),

            (Value::Entity(Kind::User, u), f) => {
                let (Some(facts), Some(ud)) = (m.users.get(u as usize), m.user_doc(u)) else {
                    return Value::Null;
                };
                match f {
                    F::UserUpn => Value::Str(&ud.upn.value),
                    F::UserSource => Value::Str(if facts.synced { "synced" } else { "cloud" }),
                    F::UserSynced => Value::Bool(facts.synced),
                    F::UserType => {
                        Value::Str(ud.user_type.as_ref().map_or("member", |t| t.value.as_str()))
                    }
                    F::UserGuest => Value::Bool(ud.is_guest()),
                    F::UserEnabled => Value::Bool(ud.is_enabled()),
                    F::UserLastSignInDays => ud
                        .last_sign_in
                        .as_ref()
                        .map_or(Value::Null, |d| Value::Int(self.today.days_since(d.value))),
                    F::UserInactive => Value::Bool(ud.last_sign_in.as_ref().is_some_and(|d| {
                        self.today.days_since(d.value) > i64::from(self.policy.clock.inactive_days)
                    })),
                    F::UserUsageLocation => {
                        opt(ud.usage_location.as_ref().map(|l| l.value.as_str()))
                    }
                    F::UserLocation => opt(ud
                        .usage_location
                        .as_ref()
                        .map(|l| l.value.as_str())
                        .or(m.country)),
                    F::UserLicenses => ids(Kind::Sku, facts.effective),
                    F::UserDirectLicenses => ids(Kind::Sku, facts.direct),
                    F::UserGroupLicenses => ids(Kind::Sku, facts.via_groups),
                    F::UserGroups => ids(Kind::Group, facts.groups),
                    F::UserInSsprScope => Value::Bool(facts.in_sspr_scope),
                    F::UserLicenseErrors => ids(Kind::LicenseError, facts.license_errors),
                    F::UserUnknownLicenses => Value::List(List::Strs(m.unknown_licenses(u))),
                    F::UserFeatures => Value::List(List::Bits(Kind::Feature, m.features_of(u))),
                    _ => Value::Null,
                }
            }
            (Value::Entity(Kind::Group, g), f) => {
                let (Some(facts), Some(gd)) = (m.groups.get(g as usize), m.group_doc(g)) else {
                    return Value::Null;
                };
                match f {
                    F::GroupName => Value::Str(&gd.name.value),
                    F::GroupLicenses => ids(Kind::Sku, facts.licenses),
                    F::GroupMemberOf => ids(Kind::Group, facts.member_of),
                    F::GroupMemberGroups => ids(Kind::Group, facts.member_groups),
                    F::GroupMembers => ids(Kind::User, facts.members),
                    F::GroupDynamic => Value::Bool(gd.dynamic.as_ref().is_some_and(|d| d.value)),
                    _ => Value::Null,
                }
            }
            (Value::Entity(Kind::Subscription, s), f) => {
                let Some(sub) = m.subscriptions.get(s as usize) else {
                    return Value::Null;
                };
                match f {
                    F::SubSku => Value::Entity(Kind::Sku, sub.sku),
                    F::SubSeats => sub.seats.map_or(Value::Null, |n| {
                        Value::Int(i64::try_from(n).unwrap_or(i64::MAX))
                    }),
                    F::SubUsed => Value::Int(i64::try_from(sub.used).unwrap_or(i64::MAX)),
                    F::SubStatus => Value::Str(sub.status.as_str()),
                    F::SubTrial => Value::Bool(sub.trial),
                    F::SubEnds => sub.ends.map_or(Value::Null, Value::Date),
                    F::SubEndsInDays => sub
                        .ends
                        .map_or(Value::Null, |d| Value::Int(d.days_since(self.today))),
                    F::SubGroups => ids(Kind::Group, sub.groups),
                    F::SubAtRisk => ids(Kind::Sku, sub.at_risk),
                    _ => Value::Null,
                }
            }
            (Value::Entity(Kind::Assignment, a), f) => {
                let Some(asg) = m.assignments.get(a as usize) else {
                    return Value::Null;
                };
                match f {
                    F::AssignSku => Value::Entity(Kind::Sku, asg.sku),
                    F::AssignDirect => Value::Bool(matches!(asg.holder, Holder::User(_))),
                    F::AssignHolder => match asg.holder {
                        Holder::User(u) => opt(m.user_doc(u).map(|d| d.upn.value.as_str())),
                        Holder::Group(g) => opt(m.group_doc(g).map(|d| d.name.value.as_str())),
                    },
                    F::AssignGroup => match asg.holder {
                        Holder::User(_) => Value::Null,
                        Holder::Group(g) => opt(m.group_doc(g).map(|d| d.name.value.as_str())),
                    },
                    F::AssignSubscribed => {
                        Value::Bool(m.subscribed.binary_search(&asg.sku).is_ok())
                    }
                    _ => Value::Null,
                }
            }
            (Value::Entity(Kind::LicenseError, e), f) => {
                let Some(err) = m.license_errors.get(e as usize) else {
                    return Value::Null;
                };
                match f {
                    F::LicenseErrorSku => Value::Entity(Kind::Sku, err.sku),
                    F::LicenseErrorError => Value::Str(err.error.as_str()),
                    F::LicenseErrorGroup => opt(err
                        .group
                        .and_then(|g| m.group_doc(g))
                        .map(|d| d.name.value.as_str())),
                    _ => Value::Null,
                }
            }
            (Value::Entity(Kind::Sku, s), f) => {
                let Some(sku) = catalog.sku(s) else {
                    return Value::Null;
                };
                // A licence with plans switched off: what remains of the SKU.
                if let Some(v) = m.sku_variant(s) {
                    match f {
                        F::SkuGrants => {
                            return Value::List(List::Sorted(Kind::Capability, &v.grants));
                        }
                        F::SkuPlans => return Value::List(List::Strs(&v.plans)),
                        F::SkuIncludes => return Value::List(List::Sorted(Kind::Sku, &v.includes)),
                        _ => {}
                    }
                }
                match f {
                    F::SkuPart => Value::Str(&sku.part),
                    F::SkuName => Value::Str(&sku.display),
                    F::SkuPaid => Value::Bool(sku.paid),
                    F::SkuFree => Value::Bool(sku.free),
                    F::SkuFamily => opt(sku.family.as_deref()),
                    F::SkuGrants => Value::List(List::Sorted(Kind::Capability, &sku.grants)),
                    F::SkuUnavailableIn => Value::List(List::Strs(&sku.unavailable_in)),
                    F::SkuPlans => Value::List(List::Strs(&sku.plans)),
                    F::SkuIncludes => Value::List(List::Sorted(Kind::Sku, &sku.includes)),
                    _ => Value::Null,
                }
            }
            (Value::Entity(Kind::Capability, c), f) => {
                let Some(cap) = self.policy.capabilities.get(c as usize) else {
                    return Value::Null;
                };
                match f {
                    F::CapName => Value::Str(&cap.name),
                    F::CapDescription => Value::Str(&cap.description),
                    F::CapSkus => Value::List(List::Ids(Kind::Sku, &cap.skus)),
                    _ => Value::Null,
                }
            }
            (Value::Entity(Kind::Feature, f), field) => {
                let Some(feature) = catalog.features().get(f as usize) else {
                    return Value::Null;
                };
                match field {
                    F::FeatureName => Value::Str(&feature.name),
                    F::FeatureDescription => Value::Str(&feature.description),
                    _ => Value::Null,
                }
            }
            _ => Value::Null,
        }
    }

    fn scope(&self) -> SsprScope {
        self.model
            .doc
            .sspr
            .as_ref()
            .map_or(SsprScope::None, |s| s.scope.value)
    }

    /// The first line of a span: a finding or label about a block of several lines (a user, the
    /// `sspr:` block, a block list) points at the line that names it rather than underlining
    /// the whole block.
    fn first_line(&self, s: Span) -> Span {
        let text = self.model.doc.source.text();
        let end = text
            .get(s.start as usize..s.end as usize)
            .and_then(|t| t.find(['\n', '\r']))
            .map_or(s.end, |i| s.start + i as u32);
        Span {
            start: s.start,
            end: end.max(s.start),
        }
    }

    /// The span of the tenant node a value stands for.
    fn value_span(&self, v: Value<'a>) -> Option<Span> {
        let m = self.model;
        let doc = m.doc;
        match v {
            Value::Tenant => Some(doc.name.span),
            Value::Sspr => doc.sspr.as_ref().map(|s| s.span),
            Value::Entity(Kind::User, u) => m.user_doc(u).map(|d| d.span),
            Value::Entity(Kind::Group, g) => m.group_doc(g).map(|d| d.span),
            Value::Entity(Kind::Subscription, s) => {
                let sub = m.subscriptions.get(s as usize)?;
                doc.subscriptions
                    .as_ref()?
                    .items
                    .get(sub.doc as usize)
                    .map(|d| d.span)
            }
            Value::Entity(Kind::Assignment, a) => m.assignments.get(a as usize).map(|a| a.span),
            Value::Entity(Kind::LicenseError, e) => {
                m.license_errors.get(e as usize).map(|e| e.span)
            }
            _ => None,
        }
    }

    /// The span of `field` of the node `base` stands for, when the file has it.
    fn field_span(&self, base: Value<'a>, field: Field) -> Option<Span> {
        let m = self.model;
        let doc = m.doc;
        use Field as F;
        match (base, field) {
            (Value::Tenant, F::TenantName) => Some(doc.name.span),
            (Value::Tenant, F::TenantCountry) => doc.country.as_ref().map(|c| c.span),
            (Value::Tenant, F::TenantSspr) => doc.sspr.as_ref().map(|s| s.span),
            (Value::Tenant, F::TenantSubscriptions) => {
                doc.subscriptions.as_ref().and_then(|s| s.span)
            }
            (Value::Sspr, F::SsprScope) => doc.sspr.as_ref().map(|s| s.scope.span),
            (Value::Sspr, F::SsprGroup) => doc.sspr.as_ref()?.group.as_ref().map(|g| g.span),
            (Value::Sspr, F::SsprWriteback) => {
                doc.sspr.as_ref()?.writeback.as_ref().map(|w| w.span)
            }
            (Value::Entity(Kind::User, u), f) => {
                let d = m.user_doc(u)?;
                match f {
                    F::UserUpn => Some(d.upn.span),
                    F::UserSource | F::UserSynced => d.source.as_ref().map(|s| s.span),
                    F::UserType | F::UserGuest => d.user_type.as_ref().map(|s| s.span),
                    F::UserEnabled => d.enabled.as_ref().map(|s| s.span),
                    F::UserLastSignInDays | F::UserInactive => {
                        d.last_sign_in.as_ref().map(|s| s.span)
                    }
                    F::UserUsageLocation | F::UserLocation => {
                        d.usage_location.as_ref().map(|l| l.span)
                    }
                    F::UserLicenses | F::UserDirectLicenses => d.licenses.span,
                    F::UserGroups | F::UserGroupLicenses => d.groups.span,
                    F::UserLicenseErrors => d.license_errors.span,
                    // The first unknown entry, direct, else in a group of the user.
                    F::UserUnknownLicenses => m.unknown_license_span(u),
                    _ => None,
                }
            }
            (Value::Entity(Kind::Group, g), f) => {
                let d = m.group_doc(g)?;
                match f {
                    F::GroupName => Some(d.name.span),
                    F::GroupLicenses => d.licenses.span,
                    F::GroupMemberOf => d.groups.span,
                    F::GroupDynamic => d.dynamic.as_ref().map(|x| x.span),
                    _ => None,
                }
            }
            (Value::Entity(Kind::Subscription, s), f) => {
                let sub = m.subscriptions.get(s as usize)?;
                let d = doc.subscriptions.as_ref()?.items.get(sub.doc as usize)?;
                match f {
                    F::SubSku => Some(d.sku.span),
                    F::SubSeats => d.seats.as_ref().map(|n| n.span),
                    _ => None,
                }
            }
            _ => None,
        }
    }

    /// The span a place expression names: the field's own node when the file has it.
    fn place_span(&self, e: &'a Expr, env: &mut [Value<'a>]) -> Option<Span> {
        self.full_place_span(e, env).map(|s| self.first_line(s))
    }

    fn full_place_span(&self, e: &'a Expr, env: &mut [Value<'a>]) -> Option<Span> {
        match e {
            Expr::Field(base, field) => {
                let b = self.eval(base, env);
                self.field_span(b, *field)
                    .or_else(|| self.value_span(self.field(b, *field)))
            }
            other => {
                let v = self.eval(other, env);
                self.value_span(v)
            }
        }
    }

    /// The span for a finding: the place, else the nearest enclosing node that has one.
    fn at_span(&self, e: &'a Expr, env: &mut [Value<'a>]) -> Span {
        let mut cur = e;
        loop {
            if let Some(s) = self.place_span(cur, env) {
                return s;
            }
            match cur {
                Expr::Field(base, _) => cur = base,
                _ => return self.model.doc.name.span,
            }
        }
    }

    fn render(&self, t: &'a Template, env: &mut [Value<'a>]) -> String {
        let mut out = String::new();
        for part in &t.parts {
            match part {
                TemplatePart::Text(s) => out.push_str(s),
                TemplatePart::Hole(e) => {
                    let v = self.eval(e, env);
                    // A list written in the policy (`such as {[AAD_PREMIUM, EMS]}`) offers
                    // alternatives; a list read from the tenant (`holds {u.licenses}`) names
                    // what is all there.
                    let joint = if matches!(e, Expr::Const(_)) {
                        Joint::Or
                    } else {
                        Joint::And
                    };
                    self.write_joined(&mut out, v, joint);
                }
            }
        }
        out
    }

    pub(super) fn write_value(&self, out: &mut String, v: Value<'a>) {
        self.write_joined(out, v, Joint::And);
    }

    /// Writes `v`, a list's last two items joined by `joint`.
    fn write_joined(&self, out: &mut String, v: Value<'a>, joint: Joint) {
        let m = self.model;
        match v {
            Value::Bool(b) => {
                let _ = write!(out, "{b}");
            }
            Value::Int(i) => {
                let _ = write!(out, "{i}");
            }
            Value::Str(s) => out.push_str(s),
            Value::Date(d) => {
                let _ = write!(out, "{d}");
            }
            Value::Null => out.push_str("none"),
            Value::Tenant => out.push_str(&m.doc.name.value),
            Value::Sspr => out.push_str(self.scope().as_str()),
            Value::Entity(Kind::Sku, s) => {
                if let Some(sku) = self.policy.catalog.sku(s) {
                    let _ = write!(out, "{} (`{}`", sku.display, sku.part);
                    if let Some(v) = m.sku_variant(s) {
                        out.push_str(" with ");
                        for (i, p) in v.off.iter().enumerate() {
                            if i > 0 {
                                out.push_str(", ");
                            }
                            let name = sku.plans.get(usize::from(*p)).map_or("?", String::as_str);
                            let _ = write!(out, "`{name}`");
                        }
                        out.push_str(" switched off");
                    }
                    out.push(')');
                }
            }
            Value::Entity(Kind::Subscription, _) => {
                self.write_value(out, self.field(v, Field::SubSku))
            }
            Value::Entity(Kind::Assignment, _) => {
                self.write_value(out, self.field(v, Field::AssignSku))
            }
            Value::Entity(Kind::LicenseError, _) => {
                self.write_value(out, self.field(v, Field::LicenseErrorSku));
                out.push_str(": ");
                self.write_value(out, self.field(v, Field::LicenseErrorError));
            }
            Value::Entity(Kind::User, _) => self.write_value(out, self.field(v, Field::UserUpn)),
            Value::Entity(Kind::Group, _) => self.write_value(out, self.field(v, Field::GroupName)),
            Value::Entity(Kind::Capability, _) => {
                self.write_value(out, self.field(v, Field::CapName))
            }
            Value::Entity(Kind::Feature, _) => {
                self.write_value(out, self.field(v, Field::FeatureName))
            }
            Value::List(l) => {
                if l.is_empty() {
                    out.push_str("none");
                }
                let n = l.len();
                if n > MAX_LISTED {
                    // Named in full, 300k member groups make a message of megabytes.
                    for item in l.iter().take(MAX_LISTED) {
                        self.write_value(out, item);
                        out.push_str(", ");
                    }
                    let _ = write!(out, "… {} {} more", joint.word(), n - MAX_LISTED);
                    return;
                }
                for (i, item) in l.iter().enumerate() {
                    if i > 0 {
                        if i + 1 == n {
                            out.push(' ');
                            out.push_str(joint.word());
                            out.push(' ');
                        } else {
                            out.push_str(", ");
                        }
                    }
                    self.write_value(out, item);
                }
            }
        }
    }

    /// The natural subject of a node: a UPN, group name or SKU part number.
    pub(super) fn subject_of(&self, v: Value<'a>) -> Option<String> {
        let field = match v {
            Value::Entity(Kind::User, _) => Field::UserUpn,
            Value::Entity(Kind::Group, _) => Field::GroupName,
            Value::Entity(Kind::Subscription, _) => {
                return self.subject_of(self.field(v, Field::SubSku));
            }
            Value::Entity(Kind::Assignment, _) => {
                return self.subject_of(self.field(v, Field::AssignSku));
            }
            Value::Entity(Kind::LicenseError, _) => {
                return self.subject_of(self.field(v, Field::LicenseErrorSku));
            }
            Value::Entity(Kind::Sku, _) => Field::SkuPart,
            _ => return None,
        };
        match self.field(v, field) {
            Value::Str(s) => Some(s.to_owned()),
            _ => None,
        }
    }

    /// What every finding of `rule` shares, computed once per rule and tenant: where the rule
    /// is declared (a column counts characters), and each help text that names no variable.
    pub(super) fn constants(&self, rule: &'a Rule) -> RuleConstants {
        let origin = match self.policy.files.get(rule.origin.file) {
            Some(f) => {
                let (line, column) = f.line_col(rule.origin.span.start as usize);
                FindingOrigin::Policy {
                    file: f.name().to_owned(),
                    line,
                    column,
                }
            }
            None => FindingOrigin::Builtin,
        };
        let helps = rule
            .helps
            .iter()
            .map(|(text, _)| {
                text.is_closed()
                    .then(|| self.render(text, &mut [Value::Null]))
            })
            .collect();
        RuleConstants { origin, helps }
    }

    /// Builds the finding for `rule` with the current bindings, at `severity` (the rule's
    /// [`Rule::severity_if`]); `constants` are [`Interp::constants`] of the rule.
    ///
    /// With `light`, a light finding ([`Finding::is_light`], for `skuld diff`'s matching): no
    /// message, label texts or help, which are most of a finding's cost, and with
    /// [`Light::Identity`] no labels at all; a finding without a subject is built whole, since
    /// its message is its identity.
    pub(super) fn finding(
        &self,
        rule: &'a Rule,
        severity: crate::diagnostics::Severity,
        constants: &RuleConstants,
        env: &mut [Value<'a>],
        light: Option<Light>,
    ) -> Finding {
        let span = self.at_span(&rule.at, env);
        let subject = match &rule.subject {
            Some(e) => {
                let v = self.eval(e, env);
                let mut s = String::new();
                self.write_value(&mut s, v);
                Some(s)
            }
            None => {
                // The subject is the entity the `at` path starts from (`u` in `u.licenses`).
                let mut root = &rule.at;
                while let Expr::Field(base, _) = root {
                    if matches!(**base, Expr::Tenant) {
                        break;
                    }
                    root = base;
                }
                let v = self.eval(root, env);
                self.subject_of(v)
            }
        };
        let light = light.filter(|_| subject.is_some());
        let texts = light.is_none();
        let render = |template: &'a Template, env: &mut [Value<'a>]| {
            if texts {
                self.render(template, env)
            } else {
                String::new()
            }
        };
        // The first `message … when` whose condition holds, else the default.
        let message = if texts {
            let text = rule
                .messages_when
                .iter()
                .find(|(_, when)| self.truthy(when, env))
                .map_or(&rule.message, |(text, _)| text);
            self.render(text, env)
        } else {
            String::new()
        };
        let mut finding = Finding::new(
            rule.id.clone(),
            severity,
            message,
            subject,
            self.model.doc.source.clone(),
            span,
            constants.origin.clone(),
        );
        if let Some(label) = &rule.at_label {
            finding.label = Some(render(label, env));
        }
        let mut help = String::new();
        for (i, (text, when)) in rule.helps.iter().enumerate().filter(|_| texts) {
            if when.as_ref().is_none_or(|w| self.truthy(w, env)) {
                if !help.is_empty() {
                    help.push('\n');
                }
                match constants.helps.get(i) {
                    Some(Some(rendered)) => help.push_str(rendered),
                    _ => help.push_str(&self.render(text, env)),
                }
            }
        }
        if !help.is_empty() {
            finding.help = Some(help);
        }
        let mut labelled: HashSet<Span> = finding.related.iter().map(|(s, _)| *s).collect();
        let mut unlabelled = 0usize;
        let labels: &[Label] = if light == Some(Light::Identity) {
            &[]
        } else {
            &rule.labels
        };
        for label in labels {
            match &label.binding {
                None => {
                    if let Some(s) = self.place_span(&label.place, env)
                        && s != span
                    {
                        labelled.insert(s);
                        let text = render(&label.text, env);
                        finding.add_label(s, text);
                    }
                }
                Some((slot, list, filter)) => {
                    let Value::List(l) = self.eval(list, env) else {
                        continue;
                    };
                    // `label l in u.licenses … => l`: each SKU's own entry. When the finding
                    // points at that same list, it points at the first such entry instead.
                    let entries = matches!(label.place, Expr::Slot(p) if p == *slot);
                    let focus = entries && same_path(&rule.at, list);
                    for item in l.iter() {
                        if let Some(s) = env.get_mut(*slot) {
                            *s = item;
                        }
                        if !self.label_holds(label, filter.as_ref(), env) {
                            continue;
                        }
                        let entry = match item {
                            Value::Entity(Kind::Sku, sku) if entries => {
                                if let Some(k) = self.policy.catalog.sku(sku) {
                                    finding.licenses.push(k.part.clone());
                                }
                                self.license_entry_span(list, sku, env)
                            }
                            _ => None,
                        };
                        if let (Some(s), true) = (entry, focus && finding.span == span) {
                            finding.span = s;
                            finding.label = Some(render(&label.text, env));
                            continue;
                        }
                        let place = entry.or_else(|| self.place_span(&label.place, env));
                        if let Some(s) = place {
                            // A set, not a scan of the labels so far: a group with 300k
                            // member groups gives one finding with 300k places.
                            if s != finding.span && labelled.insert(s) {
                                if finding.related.len() < MAX_LABELS {
                                    let text = render(&label.text, env);
                                    finding.add_label(s, text);
                                } else {
                                    unlabelled += 1;
                                }
                            }
                        }
                    }
                }
            }
        }
        if unlabelled > 0 && texts {
            let note = more_places_note(finding.related.len(), unlabelled);
            finding.help = Some(match finding.help.take() {
                Some(h) => format!("{h}\n{note}"),
                None => note,
            });
        }
        finding
    }

    /// Whether a label's filter holds for the element bound; with `, y in ys`, for some `y`,
    /// which stays bound (the first such one) for the label's place and text.
    fn label_holds(
        &self,
        label: &'a Label,
        filter: Option<&'a Expr>,
        env: &mut [Value<'a>],
    ) -> bool {
        let Some((slot, list)) = &label.pair else {
            return filter.is_none_or(|f| self.truthy(f, env));
        };
        let Value::List(ys) = self.eval(list, env) else {
            return false;
        };
        for y in ys.iter() {
            if let Some(s) = env.get_mut(*slot) {
                *s = y;
            }
            if filter.is_none_or(|f| self.truthy(f, env)) {
                return true;
            }
        }
        false
    }

    /// The list item that gives a user the SKU `sku`, for `list` one of the user's licence
    /// lists (`u.licenses`, `u.direct_licenses`, `u.group_licenses`): the user's own entry, else
    /// the entry of the first of the user's direct groups that assigns it.
    fn license_entry_span(&self, list: &'a Expr, sku: u32, env: &mut [Value<'a>]) -> Option<Span> {
        let Expr::Field(base, field) = list else {
            return None;
        };
        let (direct, via_groups) = match field {
            Field::UserLicenses => (true, true),
            Field::UserDirectLicenses => (true, false),
            Field::UserGroupLicenses => (false, true),
            _ => return None,
        };
        let Value::Entity(Kind::User, u) = self.eval(base, env) else {
            return None;
        };
        let m = self.model;
        let catalog = &self.policy.catalog;
        let sku = base_sku(sku);
        let gives = |items: &'a [crate::tenant::document::LicenseItem]| {
            items
                .iter()
                .find(|i| catalog.resolve(&i.sku.value) == Some(sku))
                .map(|i| i.sku.span)
        };
        if direct && let Some(s) = m.user_doc(u).and_then(|d| gives(&d.licenses.items)) {
            return Some(s);
        }
        if !via_groups {
            return None;
        }
        let facts = m.users.get(u as usize)?;
        m.ids(facts.groups)
            .iter()
            .find_map(|&g| m.group_doc(g).and_then(|d| gives(&d.licenses.items)))
    }
}

/// Whether two place expressions are the same field path of the same variable (`u.licenses`).
fn same_path(a: &Expr, b: &Expr) -> bool {
    match (a, b) {
        (Expr::Slot(x), Expr::Slot(y)) => x == y,
        (Expr::Field(x, f), Expr::Field(y, g)) => f == g && same_path(x, y),
        _ => false,
    }
}

/// How a list's last two items are joined when it is written out.
#[derive(Debug, Clone, Copy)]
enum Joint {
    /// Every item holds: `holds Office 365 E3 and Microsoft Power Automate Free`.
    And,
    /// One of them will do: `such as Entra ID P1 or EMS E3`.
    Or,
}

impl Joint {
    fn word(self) -> &'static str {
        match self {
            Joint::And => "and",
            Joint::Or => "or",
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::compile::Policy;
    use crate::source::SourceFile;

    const POLICY: &str = "rule x/nested {\n    severity warning\n    for group g where g.name == \"P\"\n    require count(g.member_groups) == 0\n    at g \"here\"\n    message \"m\"\n    help \"move {g.member_groups}\"\n    label m in g.member_groups => m.member_of \"`{m.name}` is a member\"\n}\n";

    fn nested(children: usize) -> crate::diagnostics::Finding {
        let policy = Policy::from_sources(&[SourceFile::new("p.skuld", POLICY)]).unwrap();
        let mut t = String::from("tenant: t\ngroups:\n  - name: P\n");
        for i in 0..children {
            t.push_str(&format!("  - name: c{i}\n    groups: [P]\n"));
        }
        let mut findings = policy.check(&SourceFile::new("t.yaml", t)).unwrap();
        assert_eq!(findings.len(), 1);
        findings.remove(0)
    }

    #[test]
    fn labels_are_capped_with_an_exact_count_of_the_rest() {
        let f = nested(super::MAX_LABELS + 37);
        assert_eq!(f.related.len(), super::MAX_LABELS);
        let first = &f.related[0];
        assert_eq!(first.1, "`c0` is a member");
        let help = f.help.unwrap();
        assert!(
            help.ends_with("and 37 more places (only the first 100 are labelled)"),
            "{help}"
        );
        // The list in the help names 20 groups and counts the rest.
        assert!(help.starts_with("move c0, c1, "), "{help}");
        assert!(help.contains("c19, … and 117 more"), "{help}");
    }

    #[test]
    fn few_labels_are_all_shown_without_a_note() {
        let f = nested(3);
        let labels: Vec<&str> = f.related.iter().map(|(_, t)| t.as_str()).collect();
        assert_eq!(
            labels,
            ["`c0` is a member", "`c1` is a member", "`c2` is a member"]
        );
        // A list read from the tenant names what is all there: "and".
        assert_eq!(f.help.as_deref(), Some("move c0, c1 and c2"));
    }

    #[test]
    fn a_list_written_in_the_policy_offers_alternatives() {
        let src = POLICY.replace(
            "move {g.member_groups}",
            "rename it {[\"Q\", \"R\", \"S\"]}",
        );
        let policy = Policy::from_sources(&[SourceFile::new("p.skuld", src)]).unwrap();
        let t = "tenant: t\ngroups:\n  - name: P\n  - name: c\n    groups: [P]\n";
        let findings = policy.check(&SourceFile::new("t.yaml", t)).unwrap();
        assert_eq!(findings[0].help.as_deref(), Some("rename it Q, R or S"));
    }

    #[test]
    fn a_label_names_the_first_witness_and_skips_an_element_without_one() {
        // Each group with a member group is labelled once, naming its first member group; `B`,
        // whose only member group is `Q`, and the leaf groups get no label.
        let policy = "rule x/witness {\n    severity warning\n    for tenant\n    require false\n    at tenant\n    message \"m\"\n    label g in groups, m in g.member_groups where m.name != \"Q\" => g \"`{g.name}` has `{m.name}`\"\n}\n";
        let policy = Policy::from_sources(&[SourceFile::new("p.skuld", policy)]).unwrap();
        let t = "tenant: t\ngroups:\n  - name: A\n  - name: B\n  - name: c1\n    groups: [A]\n  - name: c2\n    groups: [A]\n  - name: Q\n    groups: [B]\n";
        let findings = policy.check(&SourceFile::new("t.yaml", t)).unwrap();
        let labels: Vec<&str> = findings
            .iter()
            .flat_map(|f| f.related.iter().map(|(_, t)| t.as_str()))
            .collect();
        assert_eq!(labels, ["`A` has `c1`"]);
    }

    #[test]
    fn redundant_licence_labels_name_the_licence_that_includes_each() {
        let policy = Policy::builtin().unwrap();
        let t = "tenant: t\ncountry: US\ngroups:\n  - name: Sec\n    licenses: [EMS]\nusers:\n  - upn: a@t.com\n    usage_location: US\n    licenses: [AAD_PREMIUM, ENTERPRISEPACK, SPE_E5, TEAMS_EXPLORATORY, EXCHANGESTANDARD]\n    groups: [Sec]\n";
        let findings = policy.check(&SourceFile::new("t.yaml", t)).unwrap();
        let f = findings
            .iter()
            .find(|f| f.rule == "licensing/redundant-license")
            .unwrap();
        let mut labels: Vec<&str> = f.label.iter().map(String::as_str).collect();
        labels.extend(f.related.iter().map(|(_, t)| t.as_str()));
        // Exchange Online (Plan 1) is inside Teams Exploratory's plans, but a trial never makes
        // a paid licence redundant.
        assert_eq!(
            labels,
            [
                "Microsoft Entra ID P1 (`AAD_PREMIUM`) is included in Enterprise Mobility + Security E3 (`EMS`)",
                "Enterprise Mobility + Security E3 (`EMS`) is included in Microsoft 365 E5 (`SPE_E5`)",
                "Office 365 E3 (`ENTERPRISEPACK`) is included in Microsoft 365 E5 (`SPE_E5`)",
            ]
        );
    }
}
