//! Reading `features:` (contract v2). Its keys are feature names the policy declares, not a fixed
//! set, so the mapping is read here key by key; the names are checked against the policy by
//! [`crate::tenant::features::check_declared`].

use super::error::LoadError;
use super::events::Ev;
use super::reader::Loader;
use super::scalar::{Kind, found, resolve, shown};
use super::schema::{MapState, Node, Place, R, StrField};
use crate::source::Span;
use crate::tenant::document::{ListField, Spanned};
use crate::tenant::features::{FeatureDocument, FeatureEntryDocument, FeaturesDocument, Include};

impl<'a> Loader<'a> {
    /// `features:` a mapping from feature name to a list of entries.
    pub(super) fn features(&mut self, key_span: Span) -> R<Option<FeaturesDocument>> {
        match self.node()? {
            Node::Map(_) => {}
            Node::Scalar(s) => {
                match resolve(&s) {
                    Ok(Kind::Null) => {}
                    Ok(kind) => {
                        let found = found(kind, &s);
                        let help = Some(
                            "write each feature as a key under `features:`, such as `conditional_access:` with a list of entries"
                                .to_owned(),
                        );
                        self.wrong_type("a mapping", "`features`".to_owned(), found, s.span, help);
                    }
                    Err(tag) => self.bad_tag_value(tag, &s),
                }
                return Ok(None);
            }
            node => {
                self.wrong_container(&node, "a mapping", "`features`".to_owned(), None)?;
                return Ok(None);
            }
        }
        let mut features: Vec<FeatureDocument> = Vec::new();
        loop {
            let s = match self.next(true)? {
                Ev::MapEnd(_) => break,
                Ev::Scalar(s) => s,
                ev @ (Ev::SeqStart(..) | Ev::MapStart(..)) => {
                    self.skip_invalid_key(ev)?;
                    continue;
                }
                _ => {
                    self.skip_node()?;
                    continue;
                }
            };
            if self.too_long(&s) {
                self.skip_node()?;
                continue;
            }
            let name = Spanned::new(String::from(s.value.as_ref()), s.span);
            if let Some(first) = features.iter().find(|f| f.name.value == name.value) {
                let first = first.name.span;
                self.error(LoadError::DuplicateKey {
                    src: self.src.clone(),
                    key: shown(&name.value),
                    place: "`features`",
                    first,
                    second: name.span,
                });
                self.skip_node()?;
                continue;
            }
            let entries = self.mapping_list(
                "entries",
                "a feature entry",
                "include: all",
                Self::feature_entry,
            )?;
            features.push(FeatureDocument { name, entries });
        }
        Ok(Some(FeaturesDocument {
            span: self.entry(key_span),
            features,
        }))
    }

    /// One entry: `name`, `include`, `exclude`, `users`.
    fn feature_entry(&mut self, start: Span) -> R<Option<FeatureEntryDocument>> {
        let mut st = MapState::new(Place::FeatureEntry);
        let mut name = None;
        let mut include = None;
        let mut exclude = ListField::default();
        let mut users = ListField::default();
        while let Some((key, key_span)) = self.next_key(&mut st)? {
            match key {
                "name" => name = self.string_field(key, StrField::Plain)?,
                "include" => include = self.include(key_span)?,
                "exclude" => exclude = self.name_list(key, key_span)?,
                "users" => users = self.name_list(key, key_span)?,
                _ => self.skip_node()?,
            }
        }
        let span = self.since(start);
        if st.seen("include").is_none() && st.seen("users").is_none() {
            self.missing(
                "include",
                Place::FeatureEntry,
                span,
                "an entry needs `include` (`all` or a list of groups), `users` (a list of UPNs), or both".to_owned(),
            );
            return Ok(None);
        }
        Ok(Some(FeatureEntryDocument {
            span,
            name,
            include,
            exclude,
            users,
        }))
    }

    /// `include: all` or `include: [GROUP, …]`.
    fn include(&mut self, key_span: Span) -> R<Option<Include>> {
        let node = self.node()?;
        if let Node::Scalar(s) = &node {
            if s.value == "all" && matches!(resolve(s), Ok(Kind::Str)) {
                return Ok(Some(Include::All(self.entry(key_span))));
            }
            if !matches!(resolve(s), Ok(Kind::Null)) {
                let found =
                    resolve(s).map_or_else(|_| "a tagged value".to_owned(), |k| found(k, s));
                self.wrong_type(
                    "`all` or a list of group names",
                    "`include`".to_owned(),
                    found,
                    s.span,
                    Some(format!(
                        "write `include: all`, or `include: [{}]` for a group",
                        shown(&s.value)
                    )),
                );
                return Ok(None);
            }
        }
        Ok(Some(Include::Groups(
            self.name_list_of(node, "include", key_span)?,
        )))
    }
}
