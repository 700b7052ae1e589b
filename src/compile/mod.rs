//! Stage 2: the ASTs of all policy files → one checked, name-resolved [`Policy`].
//!
//! Files compose: declarations from every file share one namespace, so a user's file can declare
//! a new SKU, or `grant` a capability to an existing one, without copying the default policy.
//! Every error of every file is reported at once.

mod error;
mod features;
pub mod ir;
pub mod lint;
mod types;

use std::collections::HashMap;

pub use error::{CompileError, CompileErrorKind};
pub use ir::{Catalog, Policy, Severity};

use crate::diagnostics::Diagnostics;
use crate::diagnostics::suggest::did_you_mean;
use crate::source::{SourceFile, Span};
use crate::syntax::{self, ast};
use ir::{CapId, Capability, Const, Expr, Field, Origin, SkuId};
use types::{Ty, fields_of};

/// The names every rule can use without declaring them.
const ROOTS: &[(&str, Option<Field>)] = &[
    ("tenant", None),
    ("users", Some(Field::TenantUsers)),
    ("groups", Some(Field::TenantGroups)),
    ("subscriptions", Some(Field::TenantSubscriptions)),
    ("assignments", Some(Field::TenantAssignments)),
    ("skus", Some(Field::TenantSkus)),
];

/// Budgets for compiling policies: a policy comes from files anyone can put in a pull request,
/// so how much of it is read is bounded. Exceeding one is a diagnostic
/// (`skuld::policy::too-many-files`, `…::too-many-rules`, `…::too-large`), never a crash.
/// How deep one file may nest is fixed ([`syntax::MAX_DEPTH`], `skuld::policy::too-deep`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyLimits {
    /// Most policy files in one policy, the embedded default ones included.
    pub max_files: usize,
    /// Most rules over all files, the default policy's included.
    pub max_rules: usize,
    /// Largest policy file, in bytes (checked before parsing).
    pub max_file_bytes: usize,
}

impl Default for PolicyLimits {
    /// 1,000 files, 10,000 rules, 16 MiB per file: far beyond any real policy (the default one
    /// is 3 files, 14 rules, 20 KB).
    fn default() -> Self {
        PolicyLimits {
            max_files: 1_000,
            max_rules: 10_000,
            max_file_bytes: 16 * 1024 * 1024,
        }
    }
}

/// Parses and checks policy files into one policy, with the default [`PolicyLimits`]. The policy
/// must end up with at least one rule.
pub fn compile(files: &[SourceFile]) -> Result<Policy, Diagnostics> {
    compile_with_limits(files, &PolicyLimits::default())
}

/// [`compile`] with explicit budgets.
pub fn compile_with_limits(
    files: &[SourceFile],
    limits: &PolicyLimits,
) -> Result<Policy, Diagnostics> {
    if files.len() > limits.max_files {
        return Err(Diagnostics::single(
            CompileError::new(
                CompileErrorKind::TooManyFiles,
                format!(
                    "the policy has {} files, over the limit of {}",
                    files.len(),
                    limits.max_files
                ),
            )
            .help(Some(
                "check the `--policy` arguments: a folder of policies is read recursively"
                    .to_owned(),
            )),
        ));
    }
    let mut parse_errors = Vec::new();
    let mut asts = Vec::new();
    for file in files {
        let size = file.text().len();
        if size > limits.max_file_bytes {
            parse_errors.push(miette::Report::new(
                CompileError::new(
                    CompileErrorKind::TooLarge,
                    format!(
                        "the policy file {} is {size} bytes, over the limit of {} bytes",
                        file.name(),
                        limits.max_file_bytes
                    ),
                )
                .help(Some(
                    "check that this is the policy file you meant; policy files are small"
                        .to_owned(),
                )),
            ));
            continue;
        }
        match syntax::parse(file) {
            Ok(ast) => asts.push(ast),
            Err(d) => parse_errors.extend(d.into_vec()),
        }
    }
    if !parse_errors.is_empty() {
        return Err(Diagnostics::new(parse_errors));
    }
    if let Some(e) = too_many_rules(files, &asts, limits.max_rules) {
        return Err(Diagnostics::single(e));
    }
    let mut checker = Checker {
        files,
        errors: Vec::new(),
        skus: Vec::new(),
        sku_index: HashMap::new(),
        sku_decls: Vec::new(),
        plan_index: HashMap::new(),
        caps: Vec::new(),
        cap_index: HashMap::new(),
        sets: HashMap::new(),
        rules: Vec::new(),
        rule_index: HashMap::new(),
        set_depth: 0,
        set_too_deep: false,
        features: Vec::new(),
        feature_index: HashMap::new(),
    };
    checker.declare(&asts);
    checker.grant(&asts);
    checker.includes(&asts);
    checker.check_rules(&asts);
    if checker.rules.is_empty() && checker.errors.is_empty() {
        let names: Vec<&str> = files.iter().map(SourceFile::name).collect();
        checker.errors.push(
            CompileError::new(
                CompileErrorKind::NoRules,
                format!("the policy has no rules (files: {})", names.join(", ")),
            )
            .help(Some(
                "a policy without rules checks nothing; drop `--no-default-policy` or add a `rule`"
                    .to_owned(),
            )),
        );
    }
    if !checker.errors.is_empty() {
        return Err(Diagnostics::new(
            checker
                .errors
                .into_iter()
                .map(miette::Report::new)
                .collect(),
        ));
    }
    let Checker {
        skus,
        caps,
        rules,
        features,
        ..
    } = checker;
    let by_part = skus
        .iter()
        .enumerate()
        .map(|(i, s)| (s.part.clone(), i as SkuId))
        .collect();
    let mut by_guid = HashMap::new();
    for (i, s) in skus.iter().enumerate() {
        for g in &s.guids {
            by_guid.entry(g.clone()).or_insert(i as SkuId);
        }
    }
    Ok(Policy {
        files: files.to_vec(),
        catalog: Catalog {
            skus,
            by_part,
            by_guid,
            features,
        },
        capabilities: caps,
        rules,
    })
}

/// An error at the first rule past `max_rules` (counted over all files, in order), if any.
fn too_many_rules(
    files: &[SourceFile],
    asts: &[ast::File],
    max_rules: usize,
) -> Option<CompileError> {
    let total: usize = asts
        .iter()
        .map(|a| {
            a.items
                .iter()
                .filter(|i| matches!(i, ast::Item::Rule(_)))
                .count()
        })
        .sum();
    if total <= max_rules {
        return None;
    }
    let (file, rule) = files
        .iter()
        .zip(asts)
        .flat_map(|(f, a)| {
            a.items.iter().filter_map(move |i| match i {
                ast::Item::Rule(r) => Some((f, r)),
                _ => None,
            })
        })
        .nth(max_rules)?;
    Some(
        CompileError::new(
            CompileErrorKind::TooManyRules,
            format!("the policy has {total} rules, over the limit of {max_rules}"),
        )
        .at(file, rule.id.span, "the first rule over the limit")
        .help(Some(
            "check that the policy files are the ones you meant; no real policy has this many rules"
                .to_owned(),
        )),
    )
}

/// A set as declared, resolved lazily (sets may name other sets).
struct SetEntry<'a> {
    decl: &'a ast::SetDecl,
    file: usize,
    resolved: Option<SetValue>,
    resolving: bool,
}

#[derive(Clone)]
enum SetValue {
    Skus(Vec<SkuId>),
    Caps(Vec<CapId>),
}

struct Checker<'a> {
    files: &'a [SourceFile],
    errors: Vec<CompileError>,
    skus: Vec<ir::Sku>,
    sku_index: HashMap<String, SkuId>,
    /// Per SKU: its `sku` and its `product` declaration (at most one of each).
    sku_decls: Vec<SkuDecls>,
    /// Service plan → the SKUs that include it (built after pass 1).
    plan_index: HashMap<String, Vec<SkuId>>,
    caps: Vec<Capability>,
    cap_index: HashMap<String, CapId>,
    sets: HashMap<String, SetEntry<'a>>,
    rules: Vec<ir::Rule>,
    rule_index: HashMap<String, Origin>,
    /// How many sets are being resolved, one inside the other (sets naming sets recurse).
    set_depth: usize,
    /// Whether a chain of sets past [`syntax::MAX_DEPTH`] has been reported (once is enough).
    set_too_deep: bool,
    /// `feature` declarations (see `features.rs`).
    features: Vec<ir::Feature>,
    feature_index: HashMap<String, ir::FeatureId>,
}

/// The declarations of one SKU: a hand-written `sku` and a generated `product` may both declare
/// it, and merge.
#[derive(Clone, Copy, Default)]
struct SkuDecls {
    sku: Option<Origin>,
    product: Option<Origin>,
}

/// What a name in a SKU list, set or grant refers to.
enum Named {
    Sku(SkuId),
    Cap(CapId),
    Set(SetValue),
}

impl<'a> Checker<'a> {
    fn file(&self, index: usize) -> &'a SourceFile {
        let files: &'a [SourceFile] = self.files;
        #[expect(
            clippy::indexing_slicing,
            reason = "file indices come from enumerating `files`"
        )]
        &files[index]
    }

    fn error(&mut self, e: CompileError) {
        self.errors.push(e);
    }

    fn duplicate(&mut self, what: &str, name: &ast::Name, file: usize, first: Origin) {
        let e = CompileError::new(
            CompileErrorKind::Duplicate,
            format!("{what} `{}` is declared twice", name.text),
        )
        .at(self.file(file), name.span, "declared again here")
        .also(self.file(first.file), first.span, "first declared here")
        .help(Some(match what {
            "SKU" => format!(
                "remove one of the declarations; to add capabilities to an existing SKU, write `grant CAPABILITY to {}`",
                name.text
            ),
            "rule" => "rule ids are unique across all policy files; give the new rule an id of its own (e.g. `acme/…`)".to_owned(),
            _ => "remove one of the declarations".to_owned(),
        }));
        self.error(e);
    }

    /// Pass 1: every capability, SKU and set, with duplicate checks.
    fn declare(&mut self, asts: &'a [ast::File]) {
        for (file, ast) in asts.iter().enumerate() {
            for item in &ast.items {
                match item {
                    ast::Item::Capability(c) => {
                        let origin = Origin {
                            file,
                            span: c.name.span,
                        };
                        if let Some(&first) = self.cap_index.get(&c.name.text) {
                            let first = self.caps.get(first as usize).map(|c| c.origin);
                            if let Some(first) = first {
                                self.duplicate("capability", &c.name, file, first);
                            }
                            continue;
                        }
                        self.cap_index
                            .insert(c.name.text.clone(), self.caps.len() as CapId);
                        self.caps.push(Capability {
                            name: c.name.text.clone(),
                            description: c
                                .description
                                .as_ref()
                                .map(|d| d.text.clone())
                                .unwrap_or_default(),
                            docs: c.docs.clone(),
                            skus: Vec::new(),
                            origin,
                        });
                    }
                    ast::Item::Sku(s) => self.declare_sku(s, file),
                    ast::Item::Set(s) => {
                        if let Some(first) = self.sets.get(&s.name.text) {
                            let first = Origin {
                                file: first.file,
                                span: first.decl.name.span,
                            };
                            self.duplicate("set", &s.name, file, first);
                            continue;
                        }
                        self.sets.insert(
                            s.name.text.clone(),
                            SetEntry {
                                decl: s,
                                file,
                                resolved: None,
                                resolving: false,
                            },
                        );
                    }
                    ast::Item::Feature(f) => self.declare_feature(f, file),
                    ast::Item::Grant(_)
                    | ast::Item::Rule(_)
                    | ast::Item::Includes(_)
                    | ast::Item::Placeholder(_) => {}
                }
            }
        }
        // One namespace: a name must mean one thing.
        let mut clashes = Vec::new();
        for (name, set) in &self.sets {
            let other = self
                .cap_index
                .get(name)
                .and_then(|&c| self.caps.get(c as usize))
                .map(|c| ("capability", c.origin))
                .or_else(|| {
                    self.sku_index
                        .get(name)
                        .and_then(|&s| self.skus.get(s as usize))
                        .map(|s| ("SKU", s.origin))
                });
            if let Some((kind, origin)) = other {
                clashes.push((set.decl.name.clone(), set.file, kind, origin));
            }
        }
        for (name, &cap) in &self.cap_index {
            if let (Some(&sku), Some(c)) = (self.sku_index.get(name), self.caps.get(cap as usize)) {
                if let Some(s) = self.skus.get(sku as usize) {
                    let n = ast::Name {
                        text: name.clone(),
                        span: c.origin.span,
                    };
                    clashes.push((n, c.origin.file, "SKU", s.origin));
                }
            }
        }
        self.feature_clashes(&mut clashes);
        clashes.sort_by_key(|(n, f, _, _)| (*f, n.span));
        for (name, file, kind, origin) in clashes {
            let e = CompileError::new(
                CompileErrorKind::Duplicate,
                format!("`{}` is already the name of a {kind}", name.text),
            )
            .at(self.file(file), name.span, "declared here")
            .also(self.file(origin.file), origin.span, "the other declaration")
            .help(Some("give it another name".to_owned()));
            self.error(e);
        }
    }

    /// Declares a SKU, or merges a `sku` and a `product` declaration of the same part number:
    /// the hand-written `sku` decides display name, docs, `paid`/`free`, family and where
    /// diagnostics point; ids and plans add up.
    fn declare_sku(&mut self, s: &ast::SkuDecl, file: usize) {
        let origin = Origin {
            file,
            span: s.part.span,
        };
        let existing = self.sku_index.get(&s.part.text).copied();
        if let Some(id) = existing {
            let decls = self.sku_decls.get(id as usize).copied().unwrap_or_default();
            let (first, what) = if s.product {
                (decls.product, "product")
            } else {
                (decls.sku, "SKU")
            };
            if let Some(first) = first {
                self.duplicate(what, &s.part, file, first);
                return;
            }
        }
        let (mut paid, mut free) = (None, None);
        let (mut family, mut unavailable_in) = (None, None);
        let (mut guids, mut plans) = (Vec::new(), Vec::new());
        for attr in &s.attrs {
            match attr {
                ast::SkuAttr::Paid(span) => paid = Some(*span),
                ast::SkuAttr::Free(span) => free = Some(*span),
                ast::SkuAttr::Family(f) => family = Some(f.text.clone()),
                ast::SkuAttr::Id(g) => guids.push(g.text.trim().to_ascii_lowercase()),
                ast::SkuAttr::UnavailableIn(cs) => {
                    unavailable_in = Some(cs.iter().map(|c| c.text.clone()).collect());
                }
                ast::SkuAttr::Plans(ps) => plans.extend(ps.iter().map(|p| p.text.clone())),
                // Resolved in pass 2, once every capability is known.
                ast::SkuAttr::Grants(_) => {}
            }
        }
        if let (Some(p), Some(f)) = (paid, free) {
            let e = CompileError::new(
                CompileErrorKind::Invalid,
                format!("SKU `{}` is declared both `paid` and `free`", s.part.text),
            )
            .at(self.file(file), f, "free here")
            .also(self.file(file), p, "paid here")
            .help(Some("keep one of the two".to_owned()));
            self.error(e);
        }
        let id = match existing {
            Some(id) => id,
            None => {
                self.sku_index
                    .insert(s.part.text.clone(), self.skus.len() as SkuId);
                self.sku_decls.push(SkuDecls::default());
                self.skus.push(ir::Sku {
                    part: s.part.text.clone(),
                    display: s.display.text.clone(),
                    paid: false,
                    family: None,
                    guid: None,
                    guids: Vec::new(),
                    plans: Vec::new(),
                    unavailable_in: Vec::new(),
                    grants: Vec::new(),
                    includes: Vec::new(),
                    docs: s.docs.clone(),
                    origin,
                });
                (self.skus.len() - 1) as SkuId
            }
        };
        if let Some(decls) = self.sku_decls.get_mut(id as usize) {
            if s.product {
                decls.product = Some(origin);
            } else {
                decls.sku = Some(origin);
            }
        }
        let Some(sku) = self.skus.get_mut(id as usize) else {
            return;
        };
        if !s.product {
            sku.display = s.display.text.clone();
            sku.docs = s.docs.clone();
            sku.origin = origin;
            sku.paid = paid.is_some();
            sku.family = family;
            sku.unavailable_in = unavailable_in.unwrap_or_default();
            // The hand-written ids come first.
            guids.append(&mut sku.guids);
            sku.guids = guids;
        } else {
            sku.guids.append(&mut guids);
        }
        let mut seen = std::collections::HashSet::new();
        sku.guids.retain(|g| seen.insert(g.clone()));
        sku.guid = sku.guids.first().cloned();
        sku.plans.append(&mut plans);
        sku.plans.sort_unstable();
        sku.plans.dedup();
    }

    /// Whether `s` (in `file`) is the declaration the SKU was recorded under, i.e. not a
    /// duplicate that was reported and skipped.
    fn is_recorded(&self, sku: SkuId, s: &ast::SkuDecl, file: usize) -> bool {
        let origin = Origin {
            file,
            span: s.part.span,
        };
        self.sku_decls
            .get(sku as usize)
            .is_some_and(|d| d.sku == Some(origin) || d.product == Some(origin))
    }

    /// The SKUs that include service plan `plan`, or an error with a did-you-mean.
    fn skus_with_plan(&mut self, plan: &ast::Name, file: usize) -> Vec<SkuId> {
        if self.plan_index.is_empty() {
            for (i, sku) in self.skus.iter().enumerate() {
                for p in &sku.plans {
                    self.plan_index
                        .entry(p.clone())
                        .or_default()
                        .push(i as SkuId);
                }
            }
        }
        if let Some(skus) = self.plan_index.get(&plan.text) {
            return skus.clone();
        }
        // Without the generated catalog no SKU lists its plans: a `plan` grant then matches
        // nothing, so that policies naming plans still compose with a hand-written catalog.
        if self.plan_index.is_empty() {
            return Vec::new();
        }
        let help = did_you_mean(&plan.text, self.plan_index.keys().map(String::as_str));
        let e = CompileError::new(
            CompileErrorKind::UnknownName,
            format!("unknown service plan `{}`", plan.text),
        )
        .at(
            self.file(file),
            plan.span,
            "no SKU of the catalog includes this plan",
        )
        .help(help);
        self.error(e);
        Vec::new()
    }

    /// Resolves a catalog name: SKU, capability or set.
    fn resolve_named(&mut self, name: &ast::Name, file: usize) -> Option<Named> {
        if let Some(&s) = self.sku_index.get(&name.text) {
            return Some(Named::Sku(s));
        }
        if let Some(&c) = self.cap_index.get(&name.text) {
            return Some(Named::Cap(c));
        }
        if self.sets.contains_key(&name.text) {
            return self.resolve_set(&name.text, name, file).map(Named::Set);
        }
        let candidates: Vec<String> = self
            .sku_index
            .keys()
            .chain(self.cap_index.keys())
            .chain(self.sets.keys())
            .cloned()
            .collect();
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

    fn resolve_set(
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

    /// Pass 2: `grants` in SKU bodies and `grant … to …` declarations.
    fn grant(&mut self, asts: &'a [ast::File]) {
        // Resolve every set once, so that unused sets are checked too.
        let mut set_names: Vec<(String, ast::Name, usize)> = self
            .sets
            .iter()
            .map(|(k, e)| (k.clone(), e.decl.name.clone(), e.file))
            .collect();
        set_names.sort_by_key(|(_, n, f)| (*f, n.span));
        for (name, use_site, file) in set_names {
            self.resolve_set(&name, &use_site, file);
        }
        for (file, ast) in asts.iter().enumerate() {
            for item in &ast.items {
                match item {
                    ast::Item::Sku(s) => {
                        let Some(&sku) = self.sku_index.get(&s.part.text) else {
                            continue;
                        };
                        if !self.is_recorded(sku, s, file) {
                            continue; // a duplicate declaration, already reported
                        }
                        for attr in &s.attrs {
                            if let ast::SkuAttr::Grants(names) = attr {
                                let caps = self.capabilities_of(names, file);
                                self.add_grants(&[sku], &caps);
                            }
                        }
                    }
                    ast::Item::Grant(g) => {
                        let caps = self.capabilities_of(&g.capabilities, file);
                        let mut targets = Vec::new();
                        for t in &g.targets {
                            match self.resolve_named(t, file) {
                                Some(Named::Sku(s)) => targets.push(s),
                                Some(Named::Set(SetValue::Skus(v))) => targets.extend(v),
                                Some(Named::Cap(_) | Named::Set(SetValue::Caps(_))) => {
                                    let e = CompileError::new(
                                        CompileErrorKind::Type,
                                        format!("`{}` is a capability, not a SKU", t.text),
                                    )
                                    .at(self.file(file), t.span, "expected a SKU or a set of SKUs")
                                    .help(Some("write `grant CAPABILITY to SKU`".to_owned()));
                                    self.error(e);
                                }
                                None => {}
                            }
                        }
                        for plan in &g.plans {
                            targets.extend(self.skus_with_plan(plan, file));
                        }
                        self.add_grants(&targets, &caps);
                    }
                    _ => {}
                }
            }
        }
        for (i, sku) in self.skus.iter_mut().enumerate() {
            sku.grants.sort_unstable();
            sku.grants.dedup();
            for &c in &sku.grants {
                if let Some(cap) = self.caps.get_mut(c as usize) {
                    cap.skus.push(i as SkuId);
                }
            }
        }
    }

    fn capabilities_of(&mut self, names: &[ast::Name], file: usize) -> Vec<CapId> {
        let mut caps = Vec::new();
        for n in names {
            match self.resolve_named(n, file) {
                Some(Named::Cap(c)) => caps.push(c),
                Some(Named::Set(SetValue::Caps(v))) => caps.extend(v),
                Some(Named::Sku(_) | Named::Set(SetValue::Skus(_))) => {
                    let e = CompileError::new(
                        CompileErrorKind::Type,
                        format!("`{}` is a SKU, not a capability", n.text),
                    )
                    .at(self.file(file), n.span, "expected a capability")
                    .help(Some(
                        "SKUs grant capabilities: declare one with `capability NAME`".to_owned(),
                    ));
                    self.error(e);
                }
                None => {}
            }
        }
        caps
    }

    fn add_grants(&mut self, skus: &[SkuId], caps: &[CapId]) {
        for &s in skus {
            if let Some(sku) = self.skus.get_mut(s as usize) {
                sku.grants.extend_from_slice(caps);
            }
        }
    }

    /// Pass 3: rules.
    fn check_rules(&mut self, asts: &'a [ast::File]) {
        for (file, ast) in asts.iter().enumerate() {
            for item in &ast.items {
                if let ast::Item::Rule(r) = item {
                    self.check_rule(r, file);
                }
            }
        }
    }

    fn check_rule(&mut self, r: &ast::RuleDecl, file: usize) {
        let origin = Origin {
            file,
            span: r.id.span,
        };
        if let Some(&first) = self.rule_index.get(&r.id.text) {
            self.duplicate("rule", &r.id, file, first);
            return;
        }
        self.rule_index.insert(r.id.text.clone(), origin);
        let errors_before = self.errors.len();
        let mut scope = Scope {
            file,
            vars: Vec::new(),
            max: 0,
        };
        let range_ty = match r.range {
            ast::RangeKind::Tenant => None,
            ast::RangeKind::User => Some(Ty::User),
            ast::RangeKind::Group => Some(Ty::Group),
            ast::RangeKind::Subscription => Some(Ty::Subscription),
            ast::RangeKind::Assignment => Some(Ty::Assignment),
        };
        if let (Some(ty), Some(var)) = (range_ty, &r.var) {
            scope.push(&var.text, ty);
        }
        let filter = r
            .filter
            .as_ref()
            .and_then(|e| self.bool_expr(e, &mut scope, "`where`"));
        let require = self.bool_expr(&r.require, &mut scope, "`require`");
        let at = self.place(&r.at, &mut scope);
        let message = self.template(&r.message, &mut scope);
        let at_label = match &r.at_label {
            Some(t) => self.template(t, &mut scope).map(Some),
            None => Some(None),
        };
        let subject = r
            .subject
            .as_ref()
            .and_then(|e| self.expr(e, &mut scope).map(|(e, _)| e));
        let mut helps = Vec::new();
        for h in &r.helps {
            let text = self.template(&h.text, &mut scope);
            let when = match &h.when {
                Some(w) => self.bool_expr(w, &mut scope, "`when`").map(Some),
                None => Some(None),
            };
            if let (Some(text), Some(when)) = (text, when) {
                helps.push((text, when));
            }
        }
        let mut labels = Vec::new();
        for l in &r.labels {
            if let Some(label) = self.label(l, &mut scope) {
                labels.push(label);
            }
        }
        if self.errors.len() != errors_before {
            return;
        }
        let (Some(require), Some(at), Some(message), Some(at_label)) =
            (require, at, message, at_label)
        else {
            return;
        };
        self.rules.push(ir::Rule {
            id: r.id.text.clone(),
            severity: match r.severity.0 {
                ast::SeverityKw::Error => Severity::Error,
                ast::SeverityKw::Warning => Severity::Warning,
            },
            docs: r.docs.clone(),
            range: r.range,
            filter,
            require,
            at,
            at_label,
            message,
            subject,
            helps,
            labels,
            slots: scope.max,
            origin,
            decl: r.span,
        });
    }

    fn label(&mut self, l: &ast::Label, scope: &mut Scope) -> Option<ir::Label> {
        let depth = scope.vars.len();
        let binding = match &l.binding {
            Some((var, coll, filter)) => {
                let (list, ty) = self.expr(coll, scope)?;
                let Some(elem) = ty.element().cloned() else {
                    self.type_error(
                        coll.span,
                        scope,
                        format!("expected a list to label each element of, found {ty}"),
                    );
                    return None;
                };
                let slot = scope.push(&var.text, elem);
                let filter = match filter {
                    Some(f) => Some(self.bool_expr(f, scope, "`where`")?),
                    None => None,
                };
                Some((slot, list, filter))
            }
            None => None,
        };
        let place = self.place(&l.place, scope);
        let text = self.template(&l.text, scope);
        scope.vars.truncate(depth);
        Some(ir::Label {
            binding,
            place: place?,
            text: text?,
        })
    }

    fn template(&mut self, t: &ast::Template, scope: &mut Scope) -> Option<ir::Template> {
        let mut parts = Vec::new();
        let mut ok = true;
        for p in &t.parts {
            match p {
                ast::TemplatePart::Text(s) => parts.push(ir::TemplatePart::Text(s.clone())),
                ast::TemplatePart::Hole(e) => match self.expr(e, scope) {
                    Some((e, _)) => parts.push(ir::TemplatePart::Hole(e)),
                    None => ok = false,
                },
            }
        }
        ok.then_some(ir::Template { parts })
    }

    /// A place: a variable or a chain of fields on one, naming a node of the tenant file.
    fn place(&mut self, e: &ast::Expr, scope: &mut Scope) -> Option<Expr> {
        fn is_path(e: &ast::Expr) -> bool {
            match &e.kind {
                ast::ExprKind::Var(_) => true,
                ast::ExprKind::Field(base, _) => is_path(base),
                _ => false,
            }
        }
        if !is_path(e) {
            let err = CompileError::new(
                CompileErrorKind::Invalid,
                "a finding must point at a node of the tenant file",
            )
            .at(
                self.file(scope.file),
                e.span,
                "not a variable or a field of one",
            )
            .help(Some(
                "write a variable (`u`) or a field of one (`u.licenses`, `tenant.sspr.writeback`)"
                    .to_owned(),
            ));
            self.error(err);
            return None;
        }
        self.expr(e, scope).map(|(e, _)| e)
    }

    fn bool_expr(&mut self, e: &ast::Expr, scope: &mut Scope, what: &str) -> Option<Expr> {
        let (expr, ty) = self.expr(e, scope)?;
        if ty != Ty::Bool {
            self.type_error(e.span, scope, format!("{what} needs a boolean, found {ty}"));
            return None;
        }
        Some(expr)
    }

    fn type_error(&mut self, span: Span, scope: &Scope, message: String) {
        let e = CompileError::new(CompileErrorKind::Type, message).at(
            self.file(scope.file),
            span,
            "this expression",
        );
        self.error(e);
    }

    fn expr(&mut self, e: &ast::Expr, scope: &mut Scope) -> Option<(Expr, Ty)> {
        use ast::ExprKind as K;
        Some(match &e.kind {
            K::Int(i) => (Expr::Const(Const::Int(*i)), Ty::Int),
            K::Str(s) => (Expr::Const(Const::Str(s.clone())), Ty::Str),
            K::Bool(b) => (Expr::Const(Const::Bool(*b)), Ty::Bool),
            K::Null => (Expr::Const(Const::Null), Ty::Null),
            K::Var(name) => self.var(name, e.span, scope)?,
            K::List(items) => self.list(items, e.span, scope)?,
            K::Field(base, field) => {
                let (base_expr, base_ty) = self.expr(base, scope)?;
                let fields = fields_of(&base_ty);
                let Some((_, f, fty)) = fields.iter().find(|(n, _, _)| *n == field.text) else {
                    let help = if fields.is_empty() {
                        Some(format!("a {base_ty} has no fields"))
                    } else {
                        did_you_mean(&field.text, fields.iter().map(|(n, _, _)| *n)).or_else(|| {
                            Some(format!(
                                "a {base_ty} has: {}",
                                fields
                                    .iter()
                                    .map(|(n, _, _)| format!("`{n}`"))
                                    .collect::<Vec<_>>()
                                    .join(", ")
                            ))
                        })
                    };
                    let err = CompileError::new(
                        CompileErrorKind::UnknownField,
                        format!("a {base_ty} has no field `{}`", field.text),
                    )
                    .at(self.file(scope.file), field.span, "unknown field")
                    .help(help);
                    self.error(err);
                    return None;
                };
                (Expr::Field(Box::new(base_expr), *f), fty.ty())
            }
            K::Not(inner) => {
                let inner = self.bool_expr(inner, scope, "`not`")?;
                (Expr::Not(Box::new(inner)), Ty::Bool)
            }
            K::Binary(op, lhs, rhs) => self.binary(*op, lhs, rhs, e.span, scope)?,
            K::Quantifier(q, var, coll, body) => {
                let (list, ty) = self.expr(coll, scope)?;
                let Some(elem) = ty.element().cloned() else {
                    self.type_error(
                        coll.span,
                        scope,
                        format!("a quantifier ranges over a list, found {ty}"),
                    );
                    return None;
                };
                let depth = scope.vars.len();
                let slot = scope.push(&var.text, elem);
                let body = self.bool_expr(body, scope, "a quantifier's condition");
                scope.vars.truncate(depth);
                let body = body?;
                let ty = if *q == ast::Quantifier::Count {
                    Ty::Int
                } else {
                    Ty::Bool
                };
                (
                    Expr::Quantifier {
                        kind: *q,
                        slot,
                        list: Box::new(list),
                        body: Box::new(body),
                    },
                    ty,
                )
            }
            K::Count(inner) => {
                let (list, ty) = self.expr(inner, scope)?;
                if ty.element().is_none() {
                    self.type_error(
                        inner.span,
                        scope,
                        format!("`count` needs a list, found {ty}; to count matches write `count(x in xs: condition)`"),
                    );
                    return None;
                }
                (Expr::Count(Box::new(list)), Ty::Int)
            }
        })
    }

    fn var(&mut self, name: &str, span: Span, scope: &mut Scope) -> Option<(Expr, Ty)> {
        if let Some((slot, ty)) = scope.lookup(name) {
            return Some((Expr::Slot(slot), ty));
        }
        if let Some((_, field)) = ROOTS.iter().find(|(n, _)| *n == name) {
            return Some(match field {
                None => (Expr::Tenant, Ty::Tenant),
                Some(f) => {
                    let ty = fields_of(&Ty::Tenant)
                        .iter()
                        .find(|(_, ff, _)| ff == f)
                        .map_or(Ty::Null, |(_, _, t)| t.ty());
                    (Expr::Field(Box::new(Expr::Tenant), *f), ty)
                }
            });
        }
        if let Some(&c) = self.cap_index.get(name) {
            return Some((Expr::Const(Const::Cap(c)), Ty::Capability));
        }
        if let Some(&f) = self.feature_index.get(name) {
            return Some((Expr::Const(Const::Feature(f)), Ty::Feature));
        }
        if self.sets.contains_key(name) {
            let site = ast::Name {
                text: name.to_owned(),
                span,
            };
            return Some(match self.resolve_set(name, &site, scope.file)? {
                SetValue::Skus(v) => (Expr::Const(Const::Skus(v)), Ty::Sku.list()),
                SetValue::Caps(v) => (Expr::Const(Const::Caps(v)), Ty::Capability.list()),
            });
        }
        if let Some(&s) = self.sku_index.get(name) {
            return Some((Expr::Const(Const::Sku(s)), Ty::Sku));
        }
        let mut candidates: Vec<&str> = scope.vars.iter().map(|(n, _)| n.as_str()).collect();
        candidates.extend(ROOTS.iter().map(|(n, _)| *n));
        candidates.extend(self.cap_index.keys().map(String::as_str));
        candidates.extend(self.feature_index.keys().map(String::as_str));
        candidates.extend(self.sets.keys().map(String::as_str));
        candidates.extend(self.sku_index.keys().map(String::as_str));
        let help = did_you_mean(name, candidates.iter().copied()).or_else(|| {
            Some("a name is a variable, `tenant`, `users`, `groups`, `subscriptions`, `assignments`, `skus`, or a declared capability, feature, set or SKU".to_owned())
        });
        let e = CompileError::new(
            CompileErrorKind::UnknownName,
            format!("unknown name `{name}`"),
        )
        .at(self.file(scope.file), span, "not declared")
        .help(help);
        self.error(e);
        None
    }

    fn list(&mut self, items: &[ast::Expr], span: Span, scope: &mut Scope) -> Option<(Expr, Ty)> {
        let mut consts = Vec::new();
        for item in items {
            let (e, ty) = self.expr(item, scope)?;
            match e {
                Expr::Const(c) => consts.push((c, ty, item.span)),
                _ => {
                    self.type_error(
                        item.span,
                        scope,
                        "list literals hold constants only".to_owned(),
                    );
                    return None;
                }
            }
        }
        let first_ty = consts.first().map_or(Ty::Null, |(_, t, _)| t.clone());
        if let Some((_, ty, s)) = consts.iter().find(|(_, t, _)| *t != first_ty) {
            self.type_error(
                *s,
                scope,
                format!("a list of {first_ty} cannot hold a {ty}"),
            );
            return None;
        }
        let c = match first_ty {
            Ty::Null => Const::Strs(Vec::new()),
            Ty::Str => Const::Strs(
                consts
                    .into_iter()
                    .filter_map(|(c, _, _)| match c {
                        Const::Str(s) => Some(s),
                        _ => None,
                    })
                    .collect(),
            ),
            Ty::Int => Const::Ints(
                consts
                    .into_iter()
                    .filter_map(|(c, _, _)| match c {
                        Const::Int(i) => Some(i),
                        _ => None,
                    })
                    .collect(),
            ),
            Ty::Sku => Const::Skus(
                consts
                    .into_iter()
                    .filter_map(|(c, _, _)| match c {
                        Const::Sku(s) => Some(s),
                        _ => None,
                    })
                    .collect(),
            ),
            Ty::Capability => Const::Caps(
                consts
                    .into_iter()
                    .filter_map(|(c, _, _)| match c {
                        Const::Cap(s) => Some(s),
                        _ => None,
                    })
                    .collect(),
            ),
            other => {
                self.type_error(
                    span,
                    scope,
                    format!("lists of {other} cannot be written literally"),
                );
                return None;
            }
        };
        let ty = match &c {
            Const::Ints(_) => Ty::Int.list(),
            Const::Skus(_) => Ty::Sku.list(),
            Const::Caps(_) => Ty::Capability.list(),
            _ => Ty::Str.list(),
        };
        Some((Expr::Const(c), ty))
    }

    fn binary(
        &mut self,
        op: ast::BinOp,
        lhs: &ast::Expr,
        rhs: &ast::Expr,
        span: Span,
        scope: &mut Scope,
    ) -> Option<(Expr, Ty)> {
        use ast::BinOp as B;
        use ir::Compare as C;
        match op {
            B::And | B::Or => {
                let l = self.bool_expr(lhs, scope, &format!("`{}`", op.as_str()));
                let r = self.bool_expr(rhs, scope, &format!("`{}`", op.as_str()));
                let (l, r) = (Box::new(l?), Box::new(r?));
                Some((
                    if op == B::And {
                        Expr::And(l, r)
                    } else {
                        Expr::Or(l, r)
                    },
                    Ty::Bool,
                ))
            }
            B::In | B::NotIn => {
                let l = self.expr(lhs, scope);
                let r = self.expr(rhs, scope);
                let ((l, lt), (r, rt)) = (l?, r?);
                let ok = rt
                    .element()
                    .is_some_and(|e| lt.comparable(e) || *e == Ty::Null);
                if !ok {
                    self.type_error(
                        span,
                        scope,
                        format!(
                            "`{}` needs a list of {lt} on its right, found {rt}",
                            op.as_str()
                        ),
                    );
                    return None;
                }
                Some((
                    Expr::In {
                        item: Box::new(l),
                        list: Box::new(r),
                        negated: op == B::NotIn,
                    },
                    Ty::Bool,
                ))
            }
            B::Eq | B::Ne | B::Lt | B::Le | B::Gt | B::Ge => {
                let l = self.expr(lhs, scope);
                let r = self.expr(rhs, scope);
                let ((l, lt), (r, rt)) = (l?, r?);
                let ordered = matches!(op, B::Lt | B::Le | B::Gt | B::Ge);
                if ordered && (lt != Ty::Int || rt != Ty::Int) {
                    self.type_error(
                        span,
                        scope,
                        format!("`{}` compares numbers, found {lt} and {rt}", op.as_str()),
                    );
                    return None;
                }
                if !lt.comparable(&rt) {
                    self.type_error(span, scope, format!("cannot compare {lt} with {rt}"));
                    return None;
                }
                let c = match op {
                    B::Eq => C::Eq,
                    B::Ne => C::Ne,
                    B::Lt => C::Lt,
                    B::Le => C::Le,
                    B::Gt => C::Gt,
                    _ => C::Ge,
                };
                Some((Expr::Compare(c, Box::new(l), Box::new(r)), Ty::Bool))
            }
        }
    }
}

/// Variables in scope while checking one rule; a variable's slot is its depth.
struct Scope {
    file: usize,
    vars: Vec<(String, Ty)>,
    max: usize,
}

impl Scope {
    fn push(&mut self, name: &str, ty: Ty) -> usize {
        self.vars.push((name.to_owned(), ty));
        self.max = self.max.max(self.vars.len());
        self.vars.len() - 1
    }

    fn lookup(&self, name: &str) -> Option<(usize, Ty)> {
        self.vars
            .iter()
            .enumerate()
            .rev()
            .find(|(_, (n, _))| n == name)
            .map(|(i, (_, t))| (i, t.clone()))
    }
}
