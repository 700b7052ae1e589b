//! The one door from the language server into skuld's pipeline. Everything the server knows
//! about policies, tenants, findings and formatting comes through here, as plain data with byte
//! spans (the server converts them to LSP positions); nothing else in `src/lsp/` names a skuld
//! type. When modules move, this file is the one to re-point.

use std::path::{Path, PathBuf};
use std::sync::{Arc, mpsc};

use crate::CheckedTenant;
use crate::compile::Policy;
use crate::config::Config;
use crate::date::Date;
use crate::diagnostics::finding::{DEFAULT_PER_RULE, docs_base_url, rule_page_url};
use crate::diagnostics::{Diagnostics, Finding, Severity};
use crate::eval::explain::{Verdicts, explain_in_model};
use crate::inputs::guard;
use crate::source::{SourceFile, Span};
use crate::syntax::ast::Item;
use crate::tenant::TenantDocument;
use crate::tenant::model::TenantModel;
use crate::triage::selection::Selection;
use crate::triage::waivers::{Applied, DEFAULT_FILE, Waivers};

/// The keys of each mapping of the tenant format, as the loader knows them.
pub(crate) use crate::tenant::keys_under;

/// A place in a file: its name (an absolute path, or `builtin:NAME` for an embedded policy) and
/// a byte range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    /// Absolute path, or `builtin:…`.
    pub file: String,
    /// Byte offset of the start.
    pub start: usize,
    /// Byte offset of the end.
    pub end: usize,
}

/// How serious a problem is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// An error finding or an error that stops the check.
    Error,
    /// A warning.
    Warning,
    /// A finding a waiver accepts: shown, as `check` shows it, but it does not count.
    Waived,
}

/// A finding, a load error or a policy compile error, as the editor shows it.
#[derive(Debug, Clone)]
pub struct Problem {
    /// Where it points (the first label; the file start when it has none).
    pub place: Place,
    /// Error or warning.
    pub level: Level,
    /// The rule id (findings) or the stable error code.
    pub code: String,
    /// The message, then the help.
    pub message: String,
    /// The other labels.
    pub related: Vec<(Place, String)>,
    /// The rule's documentation page, for shipped rules when `SKULD_DOCS_URL` is set.
    pub docs_url: Option<String>,
    /// The did-you-mean replacement for the span, when the help offers one.
    pub replacement: Option<String>,
    /// For a finding: its rule, so that it can be waived inline.
    pub rule: Option<String>,
    /// For a finding: what it is about (a UPN, a group, a SKU), for a user's hover.
    pub subject: Option<String>,
}

/// The policy of a workspace: what `skuld check` would use there, plus the open `.skuld` files.
#[derive(Debug)]
pub struct Workspace {
    /// Shared with the threads that keep each checked tenant's model ([`Checked`]).
    policy: Option<Arc<Policy>>,
    selection: Option<Selection>,
    waivers: Waivers,
    problems: Vec<Problem>,
    /// Names declared in the policy files, parsed once per policy.
    declarations: Vec<Declaration>,
    /// Where files named by the workspace's own files must be: the repository of the workspace
    /// folder (`inputs::guard`).
    confine_to: Option<PathBuf>,
}

/// An open tenant at the version its last check read: the loaded document, and the model the
/// check derived from it, so that hover explains a user without deriving the model again. The
/// model borrows the document, so the two live together in the frame of a thread that answers
/// questions about them (no self-referential struct, no `unsafe`); dropping this ends the thread
/// and frees both.
#[derive(Debug)]
pub struct Checked {
    doc: Arc<TenantDocument>,
    /// The thread holding the model; `None` without a policy, or when no thread could start.
    model: Option<mpsc::Sender<ModelJob>>,
}

/// A question about a kept model, asked on its thread.
type ModelJob = Box<dyn FnOnce(&Policy, &TenantModel<'_>) + Send>;

impl Checked {
    /// The loaded document.
    pub fn doc(&self) -> &TenantDocument {
        &self.doc
    }

    /// Runs `job` against the kept model and waits for its answer.
    fn ask<R: Send + 'static>(
        &self,
        job: impl FnOnce(&Policy, &TenantModel<'_>) -> R + Send + 'static,
    ) -> Option<R> {
        let (tx, rx) = mpsc::channel();
        let job: ModelJob = Box::new(move |policy, model| {
            // The asker waits for this answer; if it stopped waiting, nobody needs it.
            let _ = tx.send(job(policy, model));
        });
        self.model.as_ref()?.send(job).ok()?;
        rx.recv().ok()
    }
}

/// What `skuld check` evaluates for one loaded tenant, on a thread that then keeps the document
/// and its model for [`Checked::ask`]. When no thread can be started, the check runs here and no
/// model is kept (hover on a user then shows nothing).
fn check_keeping_model(policy: &Arc<Policy>, doc: Arc<TenantDocument>) -> (CheckedTenant, Checked) {
    let (jobs, inbox) = mpsc::channel::<ModelJob>();
    let (done, result) = mpsc::channel();
    let (p, d) = (Arc::clone(policy), Arc::clone(&doc));
    let spawned = std::thread::Builder::new()
        .name("skuld-lsp-model".to_owned())
        .spawn(move || {
            let (checked, model) = p.check_loaded_with_model(&d, DEFAULT_PER_RULE, false);
            if done.send(checked).is_ok() {
                // Until the server drops this version's `Checked` (a newer version was checked).
                for job in inbox {
                    job(&p, &model);
                }
            }
        });
    match spawned.ok().and_then(|_| result.recv().ok()) {
        Some(checked) => (
            checked,
            Checked {
                doc,
                model: Some(jobs),
            },
        ),
        None => {
            let checked = policy.check_loaded_capped(&doc, DEFAULT_PER_RULE, false);
            (checked, Checked { doc, model: None })
        }
    }
}

/// A name declared in a policy file.
#[derive(Debug)]
struct Declaration {
    name: String,
    place: Place,
    /// `capability`, `set`, `sku`, `rule`, `feature`.
    what: &'static str,
}

/// Largest file the server reads from disk because the workspace names it (config, waivers,
/// a policy file for a location, a tenant file for a definition): the policy file cap.
const MAX_NAMED_FILE: usize = crate::policies::MAX_POLICY_FILE;

impl Workspace {
    /// Reads `.skuld.yaml` found from `root` (if any), compiles the default policy (unless the
    /// config leaves it out), the config's `policies:` and the open policy files (whose buffer
    /// text wins over the file on disk). Problems go to [`Workspace::policy_problems`]. Every
    /// file read goes through `inputs::guard`, as in `check`: inside the repository, a regular
    /// file, capped.
    pub fn load(root: Option<&Path>, open_policies: &[(PathBuf, String)]) -> Workspace {
        let mut problems = Vec::new();
        let confine_to = root.map(guard::repo_root);
        let found = root.and_then(Config::find);
        let config = found
            .as_ref()
            .and_then(|path| {
                let repo = guard::repo_root(path.parent().unwrap_or(Path::new(".")));
                let source = match guard::read_confined(
                    path,
                    &repo,
                    MAX_NAMED_FILE,
                    "the search for `.skuld.yaml`",
                ) {
                    Ok(s) => s,
                    Err(e) => {
                        problems.push(from_report(&e));
                        return None;
                    }
                };
                match Config::parse(&source, path) {
                    Ok(c) => Some(c),
                    Err(ps) => {
                        problems
                            .extend(ps.into_iter().map(|p| from_report(&miette::Report::new(p))));
                        None
                    }
                }
            })
            .unwrap_or_default();
        let named_by = |key: &str| match &found {
            Some(c) => format!("`{key}` in `{}`", c.display()),
            None => format!("`{key}`"),
        };
        // The config's policy paths come from the repository: confined to it before anything is
        // read, as `check` does; a refused one is reported and left out.
        let repo = guard::repo_root(&config.dir);
        let policy_paths: Vec<String> = config
            .policies
            .iter()
            .filter(|p| {
                p.starts_with("builtin:")
                    || match guard::confine(
                        Path::new(p),
                        &repo,
                        guard::Kind::FileOrFolder,
                        &named_by("policies:"),
                    ) {
                        Ok(_) => true,
                        Err(e) => {
                            problems.push(from_report(&e));
                            false
                        }
                    }
            })
            .cloned()
            .collect();
        // The policy `check` would use here (`policies::resolve`), open buffers over their files.
        let mut sources =
            match crate::policies::resolve(&policy_paths, config.default_policy != Some(false)) {
                Ok(sources) => sources,
                Err(errors) => {
                    problems.extend(from_diagnostics(&errors, ""));
                    Vec::new()
                }
            };
        for source in &mut sources {
            if let Some((_, text)) = open_policies
                .iter()
                .find(|(p, _)| same_path(p, Path::new(source.name())))
            {
                *source = SourceFile::new(source.name().to_owned(), text.clone());
            }
        }
        for (path, text) in open_policies {
            let name = path.display().to_string();
            if !sources.iter().any(|s| same_path(Path::new(s.name()), path)) {
                sources.push(SourceFile::new(name, text.clone()));
            }
        }
        let declarations = declarations(&sources);
        let policy = match crate::compile::compile(&sources) {
            Ok(p) => Some(Arc::new(p)),
            Err(errors) => {
                problems.extend(from_diagnostics(&errors, ""));
                None
            }
        };
        let mut waivers = Waivers::default();
        let mut selection = None;
        if let Some(policy) = &policy {
            problems.extend(
                config
                    .check_rules(policy)
                    .into_iter()
                    .map(|p| from_report(&miette::Report::new(p))),
            );
            // No command-line lists: the config's, whose rule ids were checked just above.
            match Selection::new((&[], &[], &[]), &config, policy) {
                Ok(s) => selection = Some(s),
                Err(errors) => problems.extend(from_diagnostics(&errors, "")),
            }
            let (path, by) = match &config.waivers {
                Some(p) => (p.clone(), named_by("waivers:")),
                None => (
                    config.dir.join(DEFAULT_FILE),
                    format!("the default waivers file name `{DEFAULT_FILE}`"),
                ),
            };
            // A missing default file is no waivers; a link named like it is refused, not skipped.
            let read = (config.waivers.is_some() || path.symlink_metadata().is_ok())
                .then(|| guard::read_confined(&path, &repo, MAX_NAMED_FILE, &by));
            match read {
                Some(Ok(source)) => match Waivers::parse(&source, &path, policy) {
                    Ok(w) => waivers = w,
                    Err(ps) => problems
                        .extend(ps.into_iter().map(|p| from_report(&miette::Report::new(p)))),
                },
                Some(Err(e)) => problems.push(from_report(&e)),
                None => {}
            }
            // Waivers that expire too far ahead are errors here as in `skuld check`.
            if let Ok(today) = Date::today() {
                let max = config
                    .waiver_max_expiry
                    .unwrap_or(crate::triage::waivers::DEFAULT_MAX_EXPIRY_DAYS);
                problems.extend(
                    waivers
                        .limit_expiry(today, max)
                        .into_iter()
                        .map(|p| from_report(&miette::Report::new(p))),
                );
            }
        }
        // A problem that names no file (a refused or missing file) is shown on the config file.
        if let Some(config_file) = &found {
            for p in problems.iter_mut().filter(|p| p.place.file.is_empty()) {
                p.place.file = config_file.display().to_string();
            }
        }
        Workspace {
            policy,
            selection,
            waivers,
            problems,
            declarations,
            confine_to,
        }
    }

    /// Reads a file the workspace names (a policy file a location points into, a tenant file
    /// searched for a user), through `inputs::guard`: `None` when it is refused or unreadable.
    pub fn read_named(&self, path: &Path) -> Option<String> {
        let root = self.confine_to.as_deref()?;
        guard::read_confined(path, root, MAX_NAMED_FILE, "the workspace")
            .ok()
            .map(|s| s.text().to_owned())
    }

    /// Problems of the policy files, config and waivers file (each names its file).
    pub fn policy_problems(&self) -> &[Problem] {
        &self.problems
    }

    /// What `skuld check` reports for one tenant file: load errors, or findings (at most
    /// [`DEFAULT_PER_RULE`] per rule, the rest as one "and N more" each) after the config's rule
    /// selection and the waivers (file and inline), plus the inline waivers' own problems. With
    /// them the loaded document and its model, kept by the server for hover, definitions and
    /// completion.
    pub fn check_tenant(&self, source: &SourceFile) -> (Vec<Problem>, Option<Checked>) {
        let path = source.name();
        let (Some(policy), Some(selection)) = (&self.policy, &self.selection) else {
            let doc = load(source).map(|doc| Checked {
                doc: Arc::new(doc),
                model: None,
            });
            return (Vec::new(), doc);
        };
        let doc = match policy.load_tenant(source, &crate::tenant::Limits::default()) {
            Ok(doc) => Arc::new(doc),
            Err(errors) => return (from_diagnostics(&errors, path), None),
        };
        let (checked, kept) = check_keeping_model(policy, doc);
        let findings: Vec<Finding> = selection.apply(checked.findings).collect();
        let omitted = checked
            .omitted
            .into_iter()
            .filter(|o| selection.reports(&o.rule))
            .map(|o| {
                let severity = selection.severity_of(&o.rule, o.severity);
                let message = crate::report::Omitted {
                    file: path.to_owned(),
                    rule: o.rule.clone(),
                    severity,
                    count: o.count,
                    cap: DEFAULT_PER_RULE,
                    causes: Vec::new(),
                    kept_alike: o.kept_alike,
                }
                .message();
                Problem {
                    place: place(path, Span::new(0, 0)),
                    level: level(severity),
                    code: o.rule,
                    message,
                    related: Vec::new(),
                    docs_url: None,
                    replacement: None,
                    rule: None,
                    subject: None,
                }
            })
            .collect::<Vec<_>>();
        let mut waivers = self.waivers.clone();
        let mut out: Vec<Problem> = waivers
            .add_inline(source, policy)
            .into_iter()
            .map(|p| from_report(&miette::Report::new(p)))
            .collect();
        waivers.retain_rules(|r| selection.reports(r));
        // A bad `SKULD_TODAY` stops `skuld check`; here the findings are shown unwaived.
        let applied = match Date::today() {
            Ok(today) => waivers.apply(findings, today),
            Err(_) => Applied {
                findings,
                waived: Vec::new(),
                notes: Vec::new(),
            },
        };
        out.extend(applied.findings.iter().map(from_finding));
        out.extend(applied.waived.iter().map(|w| {
            let mut p = from_finding(&w.finding);
            p.level = Level::Waived;
            p.message = format!(
                "waived until {} ({}): {}\n{}",
                w.expires, w.reason, w.waiver, p.message
            );
            p.rule = None;
            p
        }));
        // Waiver notes about this file only: a waivers file's other entries are not its business.
        out.extend(
            applied
                .notes
                .into_iter()
                .map(|p| from_report(&miette::Report::new(p)))
                .filter(|p| p.place.file == path),
        );
        out.extend(omitted);
        (out, Some(kept))
    }

    /// Hover text (Markdown) for the tenant node at `offset`: a user (as `explain --user`), a
    /// SKU, a group.
    /// `checked` is what the last check of the document reported: a user's rules that fire are
    /// its findings there (waived ones too), not evaluated again.
    pub fn tenant_hover(
        &self,
        kept: &Checked,
        offset: usize,
        checked: &[Problem],
    ) -> Option<(String, Place)> {
        let policy = self.policy.as_ref()?;
        let doc = kept.doc();
        let path = doc.source.name();
        match tenant_node_at(doc, offset)? {
            (Node::User(upn), span) => {
                // The facts against the model of the last check; the rules that fire are that
                // check's findings, not evaluated again (nor their source parsed again).
                let asked = upn.clone();
                let e = kept
                    .ask(move |policy, model| {
                        explain_in_model(policy, model, &asked, Verdicts::Skip).ok()
                    })
                    .flatten()?;
                let mut fired: Vec<&str> = checked
                    .iter()
                    .filter(|p| {
                        p.subject
                            .as_deref()
                            .is_some_and(|s| s.eq_ignore_ascii_case(&upn))
                    })
                    .map(|p| p.code.as_str())
                    .collect();
                fired.sort_unstable();
                fired.dedup();
                Some((user_markdown(policy, &e, &fired), place(path, span)))
            }
            (Node::Sku(part), span) => Some((sku_markdown(policy, &part)?, place(path, span))),
            (Node::Group(name), span) => {
                let g = doc.groups.iter().find(|g| g.name.value == name)?;
                let direct = doc
                    .users
                    .iter()
                    .filter(|u| u.groups.items.iter().any(|x| x.value == name))
                    .count();
                let nested = doc
                    .groups
                    .iter()
                    .filter(|h| h.groups.items.iter().any(|x| x.value == name))
                    .map(|h| format!("`{}`", h.name.value))
                    .collect::<Vec<_>>();
                let licences = g
                    .licenses
                    .items
                    .iter()
                    .map(|l| format!("`{}`", l.sku.value))
                    .collect::<Vec<_>>();
                let mut md = format!("**group `{name}`**\n\n- direct user members: {direct}\n");
                if !licences.is_empty() {
                    md.push_str(&format!(
                        "- assigns: {} (to direct members only)\n",
                        licences.join(", ")
                    ));
                }
                if !nested.is_empty() {
                    md.push_str(&format!("- groups nested in it: {}\n", nested.join(", ")));
                }
                Some((md, place(path, span)))
            }
        }
    }

    /// Hover text for the word at `offset` of a policy file: a SKU or a capability.
    pub fn policy_hover(&self, word: &str) -> Option<String> {
        let policy = self.policy.as_ref()?;
        if let Some(md) = sku_markdown(policy, word) {
            return Some(md);
        }
        let cap = policy.capabilities.iter().find(|c| c.name == word)?;
        let skus: Vec<String> = cap
            .skus
            .iter()
            .filter_map(|&id| policy.catalog.sku(id))
            .map(|s| format!("`{}`", s.part))
            .collect();
        Some(format!(
            "**capability `{}`**: {}\n\ngranted by: {}\n\n{}",
            cap.name,
            cap.description,
            skus.join(", "),
            cap.docs
        ))
    }

    /// Where the name at `offset` of a tenant file is defined: a group reference → the group's
    /// `name:`; a SKU → its declaration in a policy file.
    pub fn tenant_definition(&self, doc: &TenantDocument, offset: usize) -> Option<Place> {
        let path = doc.source.name();
        match tenant_node_at(doc, offset)? {
            (Node::Group(name), _) => doc
                .groups
                .iter()
                .find(|g| g.name.value == name)
                .map(|g| place(path, g.name.span)),
            (Node::Sku(part), _) => self.declaration(&part),
            (Node::User(upn), _) => doc
                .users
                .iter()
                .find(|u| u.upn.value.eq_ignore_ascii_case(&upn))
                .map(|u| place(path, u.upn.span)),
        }
    }

    /// The declaration of a SKU, set, capability, feature or rule named `word` in the policy files.
    pub fn declaration(&self, word: &str) -> Option<Place> {
        self.declarations
            .iter()
            .find(|d| d.name == word)
            .map(|d| d.place.clone())
    }

    /// SKU part numbers and product names.
    pub fn skus(&self) -> Vec<(String, String)> {
        self.policy.as_ref().map_or_else(Vec::new, |p| {
            p.catalog
                .skus()
                .iter()
                .map(|s| (s.part.clone(), s.display.clone()))
                .collect()
        })
    }

    /// Rule ids, from the rule registry.
    pub fn rule_ids(&self) -> Vec<String> {
        self.policy.as_ref().map_or_else(Vec::new, |p| {
            p.registry().ids().map(str::to_owned).collect()
        })
    }

    /// Names declared in the policy files besides SKUs: capabilities and sets.
    pub fn policy_names(&self) -> Vec<(&str, &'static str)> {
        self.declarations
            .iter()
            .filter(|d| matches!(d.what, "capability" | "set"))
            .map(|d| (d.name.as_str(), d.what))
            .collect()
    }
}

/// What the policy files declare, in file order.
fn declarations(sources: &[SourceFile]) -> Vec<Declaration> {
    let mut out = Vec::new();
    for source in sources {
        let Ok(file) = crate::syntax::parse(source) else {
            continue;
        };
        for item in &file.items {
            let (name, what) = match item {
                Item::Capability(c) => (&c.name, "capability"),
                Item::Sku(s) => (&s.part, "sku"),
                Item::Set(s) => (&s.name, "set"),
                Item::Rule(r) => (&r.id, "rule"),
                Item::Feature(f) => (&f.name, "feature"),
                Item::Grant(_) | Item::Includes(_) | Item::Placeholder(_) => continue,
            };
            out.push(Declaration {
                name: name.text.clone(),
                place: place(source.name(), name.span),
                what,
            });
        }
    }
    out
}

/// Group names of a tenant document.
pub fn group_names(doc: &TenantDocument) -> impl Iterator<Item = &str> {
    doc.groups.iter().map(|g| g.name.value.as_str())
}

/// The canonical layout of a policy file (`skuld fmt`); `None` when it does not parse.
pub fn format_policy(path: &str, text: &str) -> Option<String> {
    let source = SourceFile::new(path, text);
    let file = crate::syntax::parse(&source).ok()?;
    Some(crate::syntax::format::format_file(&file, Some(&source)))
}

/// The expiry date a new inline waiver gets: the first day of the month three months from today.
pub fn waiver_expiry() -> String {
    let today = Date::today()
        .map(|d| d.to_string())
        .unwrap_or_else(|_| "1970-01-01".to_owned());
    let year: i32 = today.get(0..4).and_then(|y| y.parse().ok()).unwrap_or(1970);
    let month: i32 = today.get(5..7).and_then(|m| m.parse().ok()).unwrap_or(1);
    let m = month - 1 + 3;
    format!("{:04}-{:02}-01", year + m / 12, m % 12 + 1)
}

/// The `# skuld: waive` comment syntax, for the code action.
pub fn waiver_comment(rule: &str) -> String {
    format!("# skuld: waive {rule} until {} -- reason", waiver_expiry())
}

enum Node {
    User(String),
    Sku(String),
    Group(String),
}

fn contains(span: Span, offset: usize) -> bool {
    (span.start as usize) <= offset && offset <= span.end as usize
}

/// The `upn:` of the user `upn` (case-insensitive, as UPNs are) in the tenant file `path`.
pub fn user_entry(path: &str, text: &str, upn: &str) -> Option<Place> {
    let doc = load(&SourceFile::new(path, text))?;
    doc.users
        .iter()
        .find(|u| u.upn.value.eq_ignore_ascii_case(upn))
        .map(|u| place(path, u.upn.span))
}

/// The user, SKU or group name whose span holds `offset`.
fn tenant_node_at(doc: &TenantDocument, offset: usize) -> Option<(Node, Span)> {
    let hit = |s: &crate::tenant::document::Spanned<String>, make: fn(String) -> Node| {
        contains(s.span, offset).then(|| (make(s.value.clone()), s.span))
    };
    let list = |items: &[crate::tenant::document::Spanned<String>], make: fn(String) -> Node| {
        items.iter().find_map(|s| hit(s, make))
    };
    let licences = |items: &[crate::tenant::document::LicenseItem]| {
        items.iter().find_map(|i| hit(&i.sku, Node::Sku))
    };
    // Users and groups are in file order: only the entry whose mapping holds `offset` is looked
    // into (a scan of every entry costs a cache miss or three per entry on a 100k-user tenant).
    if let Some(u) = entry_at(&doc.users, |u| u.span, offset) {
        if let Some(n) = hit(&u.upn, Node::User)
            .or_else(|| licences(&u.licenses.items))
            .or_else(|| list(&u.groups.items, Node::Group))
        {
            return Some(n);
        }
        for e in &u.license_errors.items {
            if let Some(n) = hit(&e.sku, Node::Sku)
                .or_else(|| e.group.as_ref().and_then(|g| hit(g, Node::Group)))
            {
                return Some(n);
            }
        }
    }
    if let Some(g) = entry_at(&doc.groups, |g| g.span, offset)
        && let Some(n) = hit(&g.name, Node::Group)
            .or_else(|| licences(&g.licenses.items))
            .or_else(|| list(&g.groups.items, Node::Group))
    {
        return Some(n);
    }
    if let Some(subs) = &doc.subscriptions {
        for s in &subs.items {
            if let Some(n) = hit(&s.sku, Node::Sku) {
                return Some(n);
            }
        }
    }
    // `features:` entries: included and excluded groups, UPNs of `users:`.
    for f in doc.features.iter().flat_map(|f| &f.features) {
        for e in &f.entries {
            let included = match &e.include {
                Some(crate::tenant::features::Include::Groups(g)) => list(&g.items, Node::Group),
                _ => None,
            };
            if let Some(n) = included
                .or_else(|| list(&e.exclude.items, Node::Group))
                .or_else(|| list(&e.users.items, Node::User))
            {
                return Some(n);
            }
        }
    }
    doc.sspr
        .as_ref()
        .and_then(|s| s.group.as_ref())
        .and_then(|g| hit(g, Node::Group))
}

/// The entry of `entries` (in file order) whose mapping, `span` of it, holds `offset`.
fn entry_at<T>(entries: &[T], span: impl Fn(&T) -> Span, offset: usize) -> Option<&T> {
    let after = entries.partition_point(|e| span(e).start as usize <= offset);
    entries
        .get(after.checked_sub(1)?)
        .filter(|e| contains(span(e), offset))
}

fn load(source: &SourceFile) -> Option<TenantDocument> {
    crate::tenant::load(source, &crate::tenant::Limits::default()).ok()
}

fn level(severity: Severity) -> Level {
    match severity {
        Severity::Error => Level::Error,
        Severity::Warning => Level::Warning,
    }
}

fn place(file: &str, span: Span) -> Place {
    Place {
        file: file.to_owned(),
        start: span.start as usize,
        end: span.end as usize,
    }
}

fn sku_markdown(policy: &Policy, part: &str) -> Option<String> {
    let id = policy.catalog.resolve(part)?;
    let sku = policy.catalog.sku(id)?;
    let grants: Vec<String> = sku
        .grants
        .iter()
        .filter_map(|&c| policy.capabilities.get(c as usize))
        .map(|c| format!("`{}`", c.name))
        .collect();
    let mut md = format!(
        "**{}** (`{}`), {}\n",
        sku.display,
        sku.part,
        if sku.paid { "paid" } else { "free" }
    );
    if let Some(family) = &sku.family {
        md.push_str(&format!("\n- family: {family}"));
    }
    md.push_str(&format!(
        "\n- grants: {}",
        if grants.is_empty() {
            "nothing".to_owned()
        } else {
            grants.join(", ")
        }
    ));
    if !sku.plans.is_empty() {
        md.push_str(&format!("\n- service plans: {}", sku.plans.join(", ")));
    }
    if !sku.unavailable_in.is_empty() {
        md.push_str(&format!(
            "\n- not sold in: {}",
            sku.unavailable_in.join(", ")
        ));
    }
    if !sku.docs.is_empty() {
        md.push_str(&format!("\n\n{}", sku.docs));
    }
    Some(md)
}

fn user_markdown(
    policy: &Policy,
    e: &crate::eval::explain::UserExplanation,
    fired: &[&str],
) -> String {
    let mut md = format!("**user `{}`** ({})\n\n**Licences**\n", e.upn, e.source);
    if e.licences.is_empty() {
        md.push_str("- none\n");
    }
    let mut features: Vec<String> = Vec::new();
    for l in &e.licences {
        let from = l
            .group
            .as_ref()
            .map_or_else(|| "direct".to_owned(), |g| format!("through group `{g}`"));
        md.push_str(&format!("- `{}` {}: {from}\n", l.sku, l.name));
        if let Some(sku) = policy
            .catalog
            .resolve(&l.sku)
            .and_then(|id| policy.catalog.sku(id))
        {
            for &c in &sku.grants {
                if let Some(cap) = policy.capabilities.get(c as usize)
                    && !features.contains(&cap.name)
                {
                    features.push(cap.name.clone());
                }
            }
        }
    }
    for n in &e.not_received {
        md.push_str(&format!(
            "- not received: `{}` of `{}` (nested: {})\n",
            n.sku,
            n.group,
            n.chain.join(" → ")
        ));
    }
    features.sort();
    md.push_str(&format!(
        "\n**Features**: {}\n",
        if features.is_empty() {
            "none".to_owned()
        } else {
            features
                .iter()
                .map(|f| format!("`{f}`"))
                .collect::<Vec<_>>()
                .join(", ")
        }
    ));
    md.push_str(&format!(
        "\n**Usage location**: {} ({})\n",
        e.usage_location.value.as_deref().unwrap_or("none"),
        e.usage_location.source
    ));
    let sspr = if e.sspr.in_scope {
        if e.sspr.chain.is_empty() {
            format!("in scope ({})", e.sspr.scope)
        } else {
            format!("in scope ({}: {})", e.sspr.scope, e.sspr.chain.join(" → "))
        }
    } else {
        format!("not in scope ({})", e.sspr.scope)
    };
    md.push_str(&format!("\n**SSPR**: {sspr}\n"));
    let fired: Vec<String> = fired.iter().map(|r| format!("`{r}`")).collect();
    if !fired.is_empty() {
        md.push_str(&format!("\n**Rules that fire**: {}\n", fired.join(", ")));
    }
    md
}

fn from_finding(f: &Finding) -> Problem {
    let file = f.file.name().to_owned();
    let mut message = f.message.clone();
    if let Some(label) = &f.label {
        message.push_str(&format!(" ({label})"));
    }
    if let Some(help) = &f.help {
        message.push_str("\nhelp: ");
        message.push_str(help);
    }
    Problem {
        place: place(&file, f.span),
        level: level(f.severity),
        code: f.rule.clone(),
        message,
        related: f
            .related
            .iter()
            .map(|(span, text)| (place(&file, *span), text.clone()))
            .collect(),
        docs_url: f
            .is_shipped()
            .then(docs_base_url)
            .flatten()
            .map(|base| rule_page_url(&base, &f.rule)),
        replacement: f.help.as_deref().and_then(did_you_mean),
        rule: Some(f.rule.clone()),
        subject: f.subject.clone(),
    }
}

fn from_diagnostics(d: &Diagnostics, default_file: &str) -> Vec<Problem> {
    d.iter()
        .map(|r| {
            let mut p = from_report(r);
            if p.place.file.is_empty() {
                p.place.file = default_file.to_owned();
            }
            p
        })
        .collect()
}

/// Any miette report: its first label is the place, the others are related.
fn from_report(r: &miette::Report) -> Problem {
    let file_of = |label: &miette::LabeledSpan| {
        r.source_code()
            .and_then(|s| s.read_span(label.inner(), 0, 0).ok())
            .and_then(|c| c.name().map(str::to_owned))
            .unwrap_or_default()
    };
    let labels: Vec<(Place, String)> = r
        .labels()
        .map(|ls| {
            ls.map(|l| {
                (
                    Place {
                        file: file_of(&l),
                        start: l.offset(),
                        end: l.offset() + l.len(),
                    },
                    l.label().unwrap_or_default().to_owned(),
                )
            })
            .collect()
        })
        .unwrap_or_default();
    let mut labels = labels.into_iter();
    let (place, label) = labels.next().unwrap_or((
        Place {
            file: String::new(),
            start: 0,
            end: 0,
        },
        String::new(),
    ));
    let help = r.help().map(|h| h.to_string());
    let mut message = r.to_string();
    if !label.is_empty() {
        message.push_str(&format!(" ({label})"));
    }
    if let Some(h) = &help {
        message.push_str("\nhelp: ");
        message.push_str(h);
    }
    Problem {
        place,
        level: match r.severity() {
            Some(miette::Severity::Warning | miette::Severity::Advice) => Level::Warning,
            _ => Level::Error,
        },
        code: r
            .code()
            .map_or_else(|| "skuld::error".to_owned(), |c| c.to_string()),
        message,
        related: labels.collect(),
        docs_url: None,
        replacement: help.as_deref().and_then(did_you_mean),
        rule: None,
        subject: None,
    }
}

/// The name in a "did you mean `X`" help.
fn did_you_mean(help: &str) -> Option<String> {
    let rest = help.split_once("did you mean `")?.1;
    let (name, _) = rest.split_once('`')?;
    (!name.is_empty()).then(|| name.to_owned())
}

fn same_path(a: &Path, b: &Path) -> bool {
    a == b
        || matches!(
            (a.canonicalize(), b.canonicalize()),
            (Ok(x), Ok(y)) if x == y
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn did_you_mean_takes_the_quoted_name() {
        assert_eq!(
            did_you_mean("did you mean `ENTERPRISEPACK` (Office 365 E3)?").as_deref(),
            Some("ENTERPRISEPACK")
        );
        assert_eq!(did_you_mean("assign one of: `A`"), None);
    }

    /// Hover explains a user against the model the check kept: the same facts as
    /// `explain --user` deriving its own, for every user of the example with problems.
    #[test]
    fn the_kept_model_explains_users_as_explain_does() {
        let ws = Workspace::load(None, &[]);
        let text = include_str!("../../examples/problems.yaml");
        let (problems, kept) = ws.check_tenant(&SourceFile::new("problems.yaml", text));
        assert!(!problems.is_empty());
        let (Some(kept), Some(policy)) = (kept, ws.policy.clone()) else {
            panic!("the example loads and the default policy compiles");
        };
        let upns: Vec<String> = kept
            .doc()
            .users
            .iter()
            .map(|u| u.upn.value.clone())
            .collect();
        assert!(upns.len() > 3, "{upns:?}");
        for upn in upns {
            let mut want = crate::eval::explain::explain_user(&policy, kept.doc(), &upn, None)
                .map_err(|_| upn.clone());
            let asked = upn.clone();
            let got = kept.ask(move |p, m| explain_in_model(p, m, &asked, Verdicts::Skip));
            let got = got.map(|r| r.map_err(|_| upn.clone()));
            if let Ok(w) = &mut want {
                assert!(!w.rules.is_empty(), "{upn}: explain gives verdicts");
                w.rules.clear();
            }
            let json = |e: &crate::eval::explain::UserExplanation| {
                serde_json::to_string(e).unwrap_or_default()
            };
            assert_eq!(
                got.as_ref().map(|r| r.as_ref().map(json)),
                Some(want.as_ref().map(json)),
                "{upn}"
            );
        }
    }

    #[test]
    fn a_waiver_expires_on_a_real_day() {
        let d = waiver_expiry();
        assert!(Date::parse(&d).is_some(), "{d}");
    }
}
