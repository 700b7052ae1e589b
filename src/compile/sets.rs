//! Set resolution: a name in a SKU list, set or grant, and sets that name other sets
//! (resolved lazily, cycles and depth reported).

use super::ir::{CapId, SkuId};
use super::{Checker, CompileError, CompileErrorKind, Named, SetValue};
use crate::diagnostics::suggest::did_you_mean;
use crate::syntax;
use crate::syntax::ast;

impl<'a> Checker<'a> {
    /// Resolves a catalog name: SKU, capability or set.
    pub(super) fn resolve_named(&mut self, name: &ast::Name, file: usize) -> Option<Named> {
        if let Some(&s) = self.sku_index.get(&name.text) {
            return Some(Named::Sku(s));
        }
        if let Some(&c) = self.cap_index.get(&name.text) {
            return Some(Named::Cap(c));
        }
        if self.sets.contains_key(&name.text) {
            return self.resolve_set(&name.text, name, file).map(Named::Set);
        }
        let candidates: Vec<String> = if self.may_suggest() {
            self.sku_index
                .keys()
                .chain(self.cap_index.keys())
                .chain(self.sets.keys())
                .cloned()
                .collect()
        } else {
            Vec::new()
        };
        let e = CompileError::new(
            CompileErrorKind::UnknownName,
            format!("unknown name `{}`", name.text),
        )
        .at(
            self.file(file),
            name.span,
            "not a declared SKU, capability or set",
        )
        .help(did_you_mean(
            &name.text,
            candidates.iter().map(String::as_str),
        ));
        self.error(e);
        None
    }

    pub(super) fn resolve_set(
        &mut self,
        set: &str,
        use_site: &ast::Name,
        use_file: usize,
    ) -> Option<SetValue> {
        let (decl, file, resolving, resolved) = {
            let entry = self.sets.get(set)?;
            (
                entry.decl,
                entry.file,
                entry.resolving,
                entry.resolved.clone(),
            )
        };
        if let Some(v) = resolved {
            return Some(v);
        }
        if resolving {
            let e = CompileError::new(
                CompileErrorKind::Invalid,
                format!("set `{set}` contains itself"),
            )
            .at(
                self.file(use_file),
                use_site.span,
                "refers back to the set being defined",
            )
            .help(Some(
                "sets may name other sets, but not in a cycle".to_owned(),
            ));
            self.error(e);
            return None;
        }
        if self.set_depth >= syntax::MAX_DEPTH {
            if !self.set_too_deep {
                self.set_too_deep = true;
                let e = CompileError::new(
                    CompileErrorKind::TooDeep,
                    format!("sets name sets more than {} levels deep", syntax::MAX_DEPTH),
                )
                .at(self.file(use_file), use_site.span, "the set past the limit")
                .help(Some(
                    "list the members of a long chain of sets in fewer sets".to_owned(),
                ));
                self.error(e);
            }
            return None;
        }
        if let Some(entry) = self.sets.get_mut(set) {
            entry.resolving = true;
        }
        self.set_depth += 1;
        let mut skus = Vec::new();
        let mut caps = Vec::new();
        for member in &decl.members {
            match self.resolve_named(member, file) {
                Some(Named::Sku(s)) => skus.push((s, member)),
                Some(Named::Cap(c)) => caps.push((c, member)),
                Some(Named::Set(SetValue::Skus(v))) => {
                    skus.extend(v.into_iter().map(|s| (s, member)))
                }
                Some(Named::Set(SetValue::Caps(v))) => {
                    caps.extend(v.into_iter().map(|c| (c, member)))
                }
                None => {}
            }
        }
        let value = if !skus.is_empty() && !caps.is_empty() {
            let (_, first_cap) = caps.first().copied().unzip();
            let e = CompileError::new(
                CompileErrorKind::Type,
                format!("set `{set}` mixes SKUs and capabilities"),
            )
            .at(self.file(file), decl.name.span, "this set")
            .help(Some(format!(
                "a set holds either SKUs or capabilities{}",
                first_cap.map_or(String::new(), |n: &ast::Name| format!(
                    "; `{}` is a capability",
                    n.text
                ))
            )));
            self.error(e);
            SetValue::Skus(Vec::new())
        } else if caps.is_empty() {
            let mut v: Vec<SkuId> = skus.into_iter().map(|(s, _)| s).collect();
            v.sort_unstable();
            v.dedup();
            SetValue::Skus(v)
        } else {
            let mut v: Vec<CapId> = caps.into_iter().map(|(c, _)| c).collect();
            v.sort_unstable();
            v.dedup();
            SetValue::Caps(v)
        };
        self.set_depth -= 1;
        if let Some(entry) = self.sets.get_mut(set) {
            entry.resolving = false;
            entry.resolved = Some(value.clone());
        }
        Some(value)
    }
}

#[cfg(test)]
mod tests {
    use crate::compile::{MAX_SUGGESTIONS, compile};
    use crate::source::SourceFile;

    /// The first unknown names get a did-you-mean, the rest of a long list none (but still
    /// their error): each look-up scans the whole catalog.
    #[test]
    fn suggestions_stop_after_the_first_unknown_names() {
        let n = MAX_SUGGESTIONS as usize + 20;
        let mut p = String::new();
        for i in 0..n {
            p.push_str(&format!("sku ZZSKU{i} \"P\" {{\n    free\n}}\n"));
        }
        let typos: Vec<String> = (0..n).map(|i| format!("ZZSUK{i}")).collect();
        p.push_str(&format!("set s = [{}]\n", typos.join(", ")));
        let errors = compile(&[SourceFile::new("p.skuld", p)]).unwrap_err();
        let helps: Vec<Option<String>> = errors
            .iter()
            .filter(|e| e.to_string().starts_with("unknown name"))
            .map(|e| e.help().map(|h| h.to_string()))
            .collect();
        assert_eq!(helps.len(), n);
        assert_eq!(helps[0].as_deref(), Some("did you mean `ZZSKU0`?"));
        let suggested = helps.iter().filter(|h| h.is_some()).count();
        assert_eq!(suggested, MAX_SUGGESTIONS as usize);
    }
}
