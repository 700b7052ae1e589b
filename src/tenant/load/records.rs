//! The per-record readers: the document root, `sspr`, subscriptions, groups, users and
//! licence errors.

use super::error::LoadError;
use super::events::Ev;
use super::reader::Loader;
use super::scalar::{Kind, found, resolve};
use super::schema::{MapState, Node, Place, R, SCOPES, SOURCES, StrField, USER_TYPES};
use crate::source::Span;
use crate::tenant::document::{
    GroupDocument, LicenseError, LicenseErrorDocument, LicenseItem, ListField, SsprDocument,
    SsprScope, SubscriptionDocument, SubscriptionStatus, TenantDocument, UserDocument,
};

impl<'a> Loader<'a> {
    pub(super) fn document(&mut self) -> R<Option<TenantDocument>> {
        if !matches!(self.next(true)?, Ev::StreamStart) {
            return Err(self.unexpected());
        }
        match self.next(true)? {
            Ev::StreamEnd => {
                self.error(LoadError::Empty {
                    src: self.src.clone(),
                    span: None,
                });
                return Ok(None);
            }
            Ev::DocStart(_) => {}
            _ => return Err(self.unexpected()),
        }
        let document = match self.node()? {
            Node::Map(start) => self.root(start)?,
            Node::Scalar(s) => {
                let kind = resolve(&s).unwrap_or(Kind::Str);
                if kind == Kind::Null && s.value.is_empty() {
                    self.error(LoadError::Empty {
                        src: self.src.clone(),
                        span: None,
                    });
                } else {
                    let found = found(kind, &s);
                    self.error(LoadError::RootNotMapping {
                        src: self.src.clone(),
                        found,
                        span: s.span,
                    });
                }
                None
            }
            Node::Seq(start) => {
                self.skip_rest()?;
                let span = self.since(start);
                let span = self.first_line(span);
                self.error(LoadError::RootNotMapping {
                    src: self.src.clone(),
                    found: "a sequence".to_owned(),
                    span,
                });
                None
            }
            Node::Invalid => None,
        };
        loop {
            match self.next(true)? {
                Ev::DocEnd => {}
                Ev::StreamEnd => break,
                Ev::DocStart(span) => {
                    self.error(LoadError::MultipleDocuments {
                        src: self.src.clone(),
                        span,
                    });
                    break;
                }
                _ => return Err(self.unexpected()),
            }
        }
        Ok(document)
    }

    /// `span` cut at its first line break (for labels on big mappings).
    fn first_line(&self, span: Span) -> Span {
        let text = self.src.text();
        let start = span.start as usize;
        let end = text
            .get(span.range())
            .and_then(|s| s.find(['\n', '\r']))
            .map_or(span.end as usize, |i| start + i);
        Span::new(start, end)
    }

    fn root(&mut self, start: Span) -> R<Option<TenantDocument>> {
        let mut st = MapState::new(Place::Top);
        let mut name = None;
        let mut country = None;
        let mut sspr = None;
        let mut subscriptions = None;
        let mut groups = Vec::new();
        let mut users = Vec::new();
        let mut features = None;
        while let Some((key, key_span)) = self.next_key(&mut st)? {
            match key {
                "tenant" => name = self.string_field(key, StrField::Plain)?,
                "country" => country = self.string_field(key, StrField::Country)?,
                "sspr" => sspr = self.sspr(key_span)?,
                "subscriptions" => {
                    let items = self.mapping_list(
                        key,
                        "a subscription",
                        "sku: ENTERPRISEPACK",
                        Self::subscription,
                    )?;
                    subscriptions = Some(ListField {
                        items,
                        span: Some(self.entry(key_span)),
                    });
                }
                "groups" => {
                    groups = self.mapping_list(key, "a group", "name: Sales", Self::group)?
                }
                "users" => {
                    users =
                        self.mapping_list(key, "a user", "upn: alice@contoso.com", Self::user)?;
                }
                "features" => features = self.features(key_span)?,
                _ => self.skip_node()?,
            }
        }
        if st.seen("tenant").is_none() {
            let span = self.first_line(self.since(start));
            self.missing(
                "tenant",
                Place::Top,
                span,
                "add `tenant: NAME` (such as `tenant: contoso.onmicrosoft.com`)".to_owned(),
            );
        }
        Ok(name.map(|name| TenantDocument {
            source: self.src.clone(),
            name,
            country,
            sspr,
            subscriptions,
            groups,
            users,
            features,
            yaml11_booleans: Vec::new(),
        }))
    }

    fn sspr(&mut self, key_span: Span) -> R<Option<SsprDocument>> {
        match self.node()? {
            Node::Map(_) => {}
            Node::Scalar(s) => {
                let kind = resolve(&s).unwrap_or(Kind::Str);
                let found = found(kind, &s);
                let help = Some(
                    "write `scope: none`, `scope: all` or `scope: selected` indented under `sspr:`, or remove `sspr` (SSPR off)"
                        .to_owned(),
                );
                self.wrong_type("a mapping", "`sspr`".to_owned(), found, s.span, help);
                return Ok(None);
            }
            node => {
                self.wrong_container(&node, "a mapping", "`sspr`".to_owned(), None)?;
                return Ok(None);
            }
        }
        let mut st = MapState::new(Place::Sspr);
        let mut scope = None;
        let mut group = None;
        let mut group_entry = None;
        let mut writeback = None;
        while let Some((key, key_span)) = self.next_key(&mut st)? {
            match key {
                "scope" => scope = self.enum_field(key, &SCOPES)?,
                "group" => {
                    group = self.string_field(key, StrField::Plain)?;
                    group_entry = Some(self.entry(key_span));
                }
                "writeback" => writeback = self.bool_field("writeback", key_span)?,
                _ => self.skip_node()?,
            }
        }
        let span = self.entry(key_span);
        let Some(scope) = scope else {
            if st.seen("scope").is_none() {
                self.missing(
                    "scope",
                    Place::Sspr,
                    span,
                    "add `scope: none`, `scope: all` or `scope: selected`".to_owned(),
                );
            }
            return Ok(None);
        };
        match (scope.value, group_entry) {
            (SsprScope::Selected, None) => {
                self.error(LoadError::MissingKey {
                    src: self.src.clone(),
                    key: "group",
                    place: "`sspr`",
                    span,
                    help:
                        "`scope: selected` enables SSPR for one group's members: add `group: NAME`"
                            .to_owned(),
                });
                return Ok(None);
            }
            (SsprScope::None | SsprScope::All, Some(entry)) => {
                self.error(LoadError::SsprGroupForbidden {
                    src: self.src.clone(),
                    scope: scope.value.as_str(),
                    group: entry,
                    scope_span: scope.span,
                });
                return Ok(None);
            }
            _ => {}
        }
        Ok(Some(SsprDocument {
            span,
            scope,
            group,
            writeback,
        }))
    }

    fn subscription(&mut self, start: Span) -> R<Option<SubscriptionDocument>> {
        let mut st = MapState::new(Place::Subscription);
        let mut sku = None;
        let mut seats = None;
        let mut status = None;
        let mut trial = None;
        let mut ends = None;
        while let Some((key, key_span)) = self.next_key(&mut st)? {
            match key {
                "sku" => sku = self.string_field(key, StrField::Plain)?,
                "seats" => seats = self.seats_field()?,
                "status" => status = self.enum_field(key, &SubscriptionStatus::ALL)?,
                "trial" => trial = self.bool_field("trial", key_span)?,
                "ends" => ends = self.date_field(key)?,
                _ => self.skip_node()?,
            }
        }
        let span = self.since(start);
        if st.seen("sku").is_none() {
            self.missing(
                "sku",
                Place::Subscription,
                span,
                "add `sku: PART_NUMBER`, such as `sku: ENTERPRISEPACK`".to_owned(),
            );
        }
        // `seats` absent means "not known" (contract v3: Graph gave no `prepaidUnits`); a
        // `seats` that is present but wrong is reported, and the entry left out.
        if st.seen("seats").is_some() && seats.is_none() {
            return Ok(None);
        }
        Ok(sku.map(|sku| SubscriptionDocument {
            span,
            sku,
            seats,
            status,
            trial,
            ends,
        }))
    }

    fn group(&mut self, start: Span) -> R<Option<GroupDocument>> {
        let mut st = MapState::new(Place::Group);
        let mut name = None;
        let mut licenses = ListField::default();
        let mut groups = ListField::default();
        let mut dynamic = None;
        while let Some((key, key_span)) = self.next_key(&mut st)? {
            match key {
                "name" => name = self.string_field(key, StrField::Plain)?,
                "licenses" => licenses = self.license_list(key, key_span)?,
                "groups" => groups = self.name_list(key, key_span)?,
                "dynamic" => dynamic = self.bool_field("dynamic", key_span)?,
                _ => self.skip_node()?,
            }
        }
        let span = self.since(start);
        if st.seen("name").is_none() {
            self.missing(
                "name",
                Place::Group,
                span,
                "add `name: GROUP`, such as `name: Sales`".to_owned(),
            );
        }
        Ok(name.map(|name| GroupDocument {
            span,
            name,
            licenses,
            groups,
            dynamic,
        }))
    }

    fn user(&mut self, start: Span) -> R<Option<UserDocument>> {
        let mut st = MapState::new(Place::User);
        let mut upn = None;
        let mut source = None;
        let mut usage_location = None;
        let mut licenses = ListField::default();
        let mut groups = ListField::default();
        let mut license_errors = ListField::default();
        let mut user_type = None;
        let mut enabled = None;
        let mut last_sign_in = None;
        while let Some((key, key_span)) = self.next_key(&mut st)? {
            match key {
                "upn" => upn = self.string_field(key, StrField::Plain)?,
                "source" => source = self.enum_field(key, &SOURCES)?,
                "usage_location" => usage_location = self.string_field(key, StrField::Country)?,
                "user_type" => user_type = self.enum_field(key, &USER_TYPES)?,
                "enabled" => enabled = self.bool_field("enabled", key_span)?,
                "last_sign_in" => last_sign_in = self.date_field(key)?,
                "licenses" => licenses = self.license_list(key, key_span)?,
                "groups" => groups = self.name_list(key, key_span)?,
                "license_errors" => {
                    let items = self.mapping_list(
                        key,
                        "a license error",
                        "sku: ENTERPRISEPACK",
                        Self::license_error,
                    )?;
                    license_errors = ListField {
                        items,
                        span: Some(self.entry(key_span)),
                    };
                }
                _ => self.skip_node()?,
            }
        }
        let span = self.since(start);
        if st.seen("upn").is_none() {
            self.missing(
                "upn",
                Place::User,
                span,
                "add `upn: NAME@DOMAIN`, the user's sign-in name".to_owned(),
            );
        }
        Ok(upn.map(|upn| UserDocument {
            span,
            upn,
            source,
            usage_location,
            licenses,
            groups,
            license_errors,
            user_type,
            enabled,
            last_sign_in,
        }))
    }

    /// One `license_errors:` entry: `sku`, `error` and, for a group's assignment, `group`.
    fn license_error(&mut self, start: Span) -> R<Option<LicenseErrorDocument>> {
        let mut st = MapState::new(Place::LicenseError);
        let mut sku = None;
        let mut error = None;
        let mut group = None;
        let mut held = None;
        while let Some((key, key_span)) = self.next_key(&mut st)? {
            match key {
                "sku" => sku = self.string_field(key, StrField::Plain)?,
                "error" => error = self.enum_field(key, &LicenseError::ALL)?,
                "group" => group = self.string_field(key, StrField::Plain)?,
                "held" => held = self.bool_field("held", key_span)?,
                _ => self.skip_node()?,
            }
        }
        let span = self.since(start);
        if st.seen("sku").is_none() {
            self.missing(
                "sku",
                Place::LicenseError,
                span,
                "add `sku: PART_NUMBER`, the SKU that could not be assigned".to_owned(),
            );
        }
        if st.seen("error").is_none() {
            self.missing(
                "error",
                Place::LicenseError,
                span,
                "add `error: CountViolation` (or the error Microsoft Graph reports)".to_owned(),
            );
        }
        Ok(match (sku, error) {
            (Some(sku), Some(error)) => Some(LicenseErrorDocument {
                span,
                sku,
                error,
                group,
                held,
            }),
            _ => None,
        })
    }

    /// One mapping item of a `licenses:` list: `{sku: SPE_E3, disabled_plans: [AAD_PREMIUM]}`.
    pub(super) fn license_item(&mut self, start: Span) -> R<Option<LicenseItem>> {
        let mut st = MapState::new(Place::LicenseItem);
        let mut sku = None;
        let mut disabled = None;
        while let Some((key, key_span)) = self.next_key(&mut st)? {
            match key {
                "sku" => sku = self.string_field(key, StrField::Plain)?,
                "disabled_plans" => disabled = Some(self.name_list(key, key_span)?),
                _ => self.skip_node()?,
            }
        }
        let span = self.since(start);
        if st.seen("sku").is_none() {
            self.missing(
                "sku",
                Place::LicenseItem,
                span,
                "add `sku: PART_NUMBER`, or write the part number alone as the item".to_owned(),
            );
        }
        Ok(sku.map(|sku| LicenseItem {
            sku,
            disabled_plans: disabled.map(Box::new),
        }))
    }
}
