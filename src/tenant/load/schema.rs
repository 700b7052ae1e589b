//! The schema: its mappings and their keys, and the small types the reader passes around.

use super::events::Scalar;
use crate::diagnostics::suggest::did_you_mean;
use crate::source::Span;
use crate::tenant::document::{SsprScope, UserSource, UserType};

/// A mapping of the schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Place {
    Top,
    Sspr,
    Subscription,
    Group,
    User,
    LicenseError,
    FeatureEntry,
    /// `{sku: …, disabled_plans: […]}` in a `licenses:` list.
    LicenseItem,
}

impl Place {
    pub(super) const ALL: [Place; 8] = [
        Place::Top,
        Place::Sspr,
        Place::Subscription,
        Place::Group,
        Place::User,
        Place::LicenseError,
        Place::FeatureEntry,
        Place::LicenseItem,
    ];

    pub(super) fn keys(self) -> &'static [&'static str] {
        match self {
            Place::Top => &[
                "tenant",
                "country",
                "sspr",
                "subscriptions",
                "groups",
                "users",
                "features",
            ],
            Place::Sspr => &["scope", "group", "writeback"],
            Place::Subscription => &["sku", "seats", "status", "trial", "ends"],
            Place::Group => &["name", "licenses", "groups", "dynamic"],
            Place::User => &[
                "upn",
                "source",
                "usage_location",
                "licenses",
                "groups",
                "license_errors",
                "user_type",
                "enabled",
                "last_sign_in",
            ],
            Place::LicenseError => &["sku", "error", "group", "held"],
            Place::FeatureEntry => &["name", "include", "exclude", "users"],
            Place::LicenseItem => &["sku", "disabled_plans"],
        }
    }

    pub(super) fn name(self) -> &'static str {
        match self {
            Place::Top => "the top level",
            Place::Sspr => "`sspr`",
            Place::Subscription => "a subscription",
            Place::Group => "a group",
            Place::User => "a user",
            Place::LicenseError => "a license error",
            Place::FeatureEntry => "a feature entry",
            Place::LicenseItem => "a license item",
        }
    }

    /// `` `a`, `b` and `c` ``
    fn key_list(self) -> String {
        let keys = self.keys();
        let mut out = String::new();
        for (i, k) in keys.iter().enumerate() {
            if i > 0 {
                out.push_str(if i + 1 == keys.len() { " and " } else { ", " });
            }
            out.push('`');
            out.push_str(k);
            out.push('`');
        }
        out
    }

    pub(super) fn unknown_key_help(self, key: &str) -> String {
        if let Some(d) = did_you_mean(key, self.keys().iter().copied()) {
            return d;
        }
        let allowed = format!("{} takes {}", self.name(), self.key_list());
        match Place::ALL
            .iter()
            .find(|p| **p != self && p.keys().contains(&key))
        {
            Some(other) => format!(
                "`{key}` is a key of {}, not of {}; {allowed}",
                other.name(),
                self.name()
            ),
            None => allowed,
        }
    }
}

/// Keys seen so far in one mapping.
#[derive(Debug)]
pub(super) struct MapState {
    pub(super) place: Place,
    pub(super) seen: [Option<Span>; 12],
}

impl MapState {
    pub(super) fn new(place: Place) -> Self {
        MapState {
            place,
            seen: [None; 12],
        }
    }

    pub(super) fn seen(&self, key: &str) -> Option<Span> {
        let i = self.place.keys().iter().position(|k| *k == key)?;
        self.seen.get(i).copied().flatten()
    }
}

/// A node as the schema sees it, its start event read.
#[derive(Debug)]
pub(super) enum Node<'a> {
    Scalar(Scalar<'a>),
    Seq(Span),
    Map(Span),
    /// Already reported (unsupported tag, value too long): ignore.
    Invalid,
}

/// Which string field a scalar is read for (for the help of type errors).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum StrField {
    Plain,
    Country,
}

/// The field a value is read for, as named in messages (built only when there is an error).
#[derive(Debug, Clone, Copy)]
pub(super) enum What<'k> {
    /// `` `upn` ``
    Key(&'k str),
    /// `` an item of `licenses` ``
    Item(&'k str),
}

impl What<'_> {
    pub(super) fn text(self) -> String {
        match self {
            What::Key(key) => format!("`{key}`"),
            What::Item(key) => format!("an item of `{key}`"),
        }
    }
}

/// Reading stopped (the error is recorded).
#[derive(Debug)]
pub(super) struct Stop;

pub(super) type R<T> = Result<T, Stop>;

pub(super) const SCOPES: [(&str, SsprScope); 3] = [
    ("none", SsprScope::None),
    ("all", SsprScope::All),
    ("selected", SsprScope::Selected),
];

pub(super) const SOURCES: [(&str, UserSource); 2] =
    [("cloud", UserSource::Cloud), ("synced", UserSource::Synced)];

pub(super) const USER_TYPES: [(&str, UserType); 2] =
    [("member", UserType::Member), ("guest", UserType::Guest)];
