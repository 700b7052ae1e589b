//! Groups: names first (so that references in any order resolve), duplicates reported and left
//! out, each group's licences, and the nesting in both directions.

use std::collections::HashMap;

use unicode_normalization::UnicodeNormalization;

use super::resolve::{Builder, NameIndex};
use super::{AssignmentFacts, GroupFacts, GroupId, Holder, IdRange, TenantModel};
use crate::compile::ir::base_sku;

impl<'d> Builder<'d, '_, '_> {
    /// The groups of the model; the index from name to id, for every later reference.
    pub(super) fn groups(&mut self, model: &mut TenantModel<'d>) -> NameIndex<&'d str, GroupId> {
        let doc = self.doc;
        // Groups: names first, so that references in any order resolve.
        let mut group_index: NameIndex<&'d str, GroupId> =
            NameIndex::with_capacity_and_hasher(doc.groups.len(), Default::default());
        let mut group_docs: Vec<u32> = Vec::with_capacity(doc.groups.len());
        // Non-ASCII names by their NFC form: two canonically equivalent names (`é` precomposed
        // or as `e` + combining accent) render the same, so they are one group.
        let mut nfc_index: HashMap<String, GroupId> = HashMap::new();
        for (i, g) in doc.groups.iter().enumerate() {
            let name = g.name.value.as_str();
            let nfc: Option<String> = (!name.is_ascii()).then(|| name.nfc().collect());
            let key = nfc.as_deref().unwrap_or(name);
            let found = group_index.get(name).copied().or_else(|| {
                (nfc.is_some() || !nfc_index.is_empty())
                    .then(|| group_index.get(key).or_else(|| nfc_index.get(key)).copied())
                    .flatten()
            });
            if let Some(nfc) = nfc {
                nfc_index
                    .entry(nfc)
                    .or_insert(found.unwrap_or(group_docs.len() as GroupId));
            }
            if let Some(first) = found {
                // References to this spelling resolve to the group kept.
                group_index.entry(name).or_insert(first);
                let first_doc = group_docs
                    .get(first as usize)
                    .and_then(|&d| doc.groups.get(d as usize));
                let first_span = first_doc.map(|f| f.span);
                let first_name = first_doc.map_or("", |f| f.name.value.as_str());
                let message = if first_name == name {
                    format!("group `{name}` is defined twice")
                } else {
                    format!(
                        "group `{name}` is defined twice (as `{first_name}` before; the same after Unicode NFC normalisation)"
                    )
                };
                let mut f = self
                    .finding("tenant/duplicate-group", g.span, message, &g.name.value)
                    .with_label("defined again here")
                    .with_help("merge the two entries; group names must be unique".to_owned());
                if let Some(s) = first_span {
                    f.add_label(s, "first defined here".to_owned());
                }
                self.push(f);
                continue;
            }
            group_index.insert(g.name.value.as_str(), group_docs.len() as GroupId);
            group_docs.push(i as u32);
        }

        let mut scratch: Vec<u32> = Vec::new();
        // Parents already listed for the current group (reset entry by entry): a group listing
        // 100k parents must not scan the list for each.
        let mut listed = vec![false; group_docs.len()];
        let mut member_groups: Vec<Vec<GroupId>> = vec![Vec::new(); group_docs.len()];
        for (gid, &d) in group_docs.iter().enumerate() {
            let Some(g) = doc.groups.get(d as usize) else {
                continue;
            };
            scratch.clear();
            for item in &g.licenses.items {
                if let Some(s) = self.held_sku(model, item) {
                    scratch.push(s);
                    model.assignments.push(AssignmentFacts {
                        sku: base_sku(s),
                        held: s,
                        holder: Holder::Group(gid as GroupId),
                        span: item.sku.span,
                    });
                }
            }
            self.merge_held(model, &mut scratch);
            let licenses = model.push_ids(&scratch);
            scratch.clear();
            for parent in &g.groups.items {
                if let Some(p) = self.resolve_group(parent, &group_index) {
                    // A group listed as a member of itself (Entra ID cannot express it) adds
                    // nobody: it is not a nested group.
                    let Some(l) = listed.get_mut(p as usize).filter(|l| !**l) else {
                        continue;
                    };
                    if p == gid as GroupId {
                        continue;
                    }
                    *l = true;
                    scratch.push(p);
                    if let Some(children) = member_groups.get_mut(p as usize) {
                        children.push(gid as GroupId);
                    }
                }
            }
            let member_of = model.push_ids(&scratch);
            for &p in &scratch {
                if let Some(l) = listed.get_mut(p as usize) {
                    *l = false;
                }
            }
            model.groups.push(GroupFacts {
                doc: d,
                licenses,
                member_of,
                member_groups: IdRange::default(),
                members: IdRange::default(),
            });
        }
        for (g, children) in member_groups.iter().enumerate() {
            let r = model.push_ids(children);
            if let Some(facts) = model.groups.get_mut(g) {
                facts.member_groups = r;
            }
        }
        group_index
    }
}
