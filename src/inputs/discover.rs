//! Which files a folder or glob argument stands for. Folders are walked as ripgrep walks them
//! (the `ignore` crate): `.gitignore`, `.ignore` and `.git/info/exclude` are honoured, hidden
//! files and folders are skipped, `.yaml`/`.yml` match in any case. skuld's own files, paths
//! excluded by a glob and YAML files that do not look like a tenant are left out, each with a
//! reason for `--verbose`. Symbolic links inside the repository are followed; a link out of it
//! (or a broken one) is an error. A file named on the command line is always checked.

use std::collections::HashSet;
use std::io::{BufReader, Read as _};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use ignore::gitignore::{Gitignore, GitignoreBuilder};
use ignore::{Match, WalkBuilder};

use super::glob::TenantGlob;
use super::{ReadError, STDIN};

/// Gitignore-style globs (`archive/`, `*.draft.yaml`, `/tenants/**`, `!keep.yaml`) relative to
/// a folder, and where they were given (`--exclude`, `.skuld.yaml`).
#[derive(Debug, Clone)]
pub(crate) struct Patterns {
    matcher: Gitignore,
    /// Absolute (not canonical: links are matched where they are, not where they point).
    root: PathBuf,
    origin: String,
    /// The globs as written, for reports that say what a config leaves out.
    globs: Vec<String>,
}

impl Patterns {
    /// Compiles `globs` relative to `root`; `Err((index, reason))` names the first bad glob.
    pub(crate) fn new(
        root: &Path,
        globs: &[&str],
        origin: &str,
    ) -> Result<Patterns, (usize, String)> {
        let root = absolute(root);
        let mut builder = GitignoreBuilder::new(&root);
        // As `.yaml` is matched in any case, so is `*.yaml`.
        builder
            .case_insensitive(true)
            .map_err(|e| (0, glob_error(&e)))?;
        for (i, glob) in globs.iter().enumerate() {
            builder
                .add_line(None, glob)
                .map_err(|e| (i, glob_error(&e)))?;
        }
        let matcher = builder.build().map_err(|e| (0, glob_error(&e)))?;
        Ok(Patterns {
            matcher,
            root,
            origin: origin.to_owned(),
            globs: globs.iter().map(|g| (*g).to_owned()).collect(),
        })
    }

    /// The globs as written.
    pub(crate) fn globs(&self) -> &[String] {
        &self.globs
    }

    /// The glob that selects `path` (absolute), judging the path and then its folders as git
    /// does; `None` when none does or a `!glob` takes it back. A path outside the root is
    /// matched by its file name.
    fn matched(&self, path: &Path, is_dir: bool) -> Option<String> {
        let mut current = match path.strip_prefix(&self.root) {
            Ok(rel) => rel,
            Err(_) => Path::new(path.file_name()?),
        };
        let mut is_dir = is_dir;
        loop {
            match self.matcher.matched(current, is_dir) {
                Match::Ignore(glob) => return Some(glob.original().to_owned()),
                Match::Whitelist(_) => return None,
                Match::None => {}
            }
            match current.parent() {
                Some(parent) if !parent.as_os_str().is_empty() => {
                    current = parent;
                    is_dir = true;
                }
                _ => return None,
            }
        }
    }
}

fn glob_error(e: &ignore::Error) -> String {
    match e {
        ignore::Error::Glob { err, .. } => err.clone(),
        other => other.to_string(),
    }
}

/// What discovery leaves out besides ignored and hidden paths.
#[derive(Debug, Clone, Default)]
pub(crate) struct Filter {
    /// Paths excluded (`--exclude`, the config's `tenants: exclude:`).
    pub(crate) exclude: Vec<Patterns>,
    /// When set, only files these select are tenants (the config's `tenants: include:`).
    pub(crate) include: Option<Patterns>,
    /// skuld's own files in use (config, waivers, baseline, report), with what each is.
    pub(crate) own_files: Vec<(PathBuf, String)>,
    /// File names that are skuld's own wherever they are (`.skuld.yaml`, `skuld-waivers.yaml`),
    /// lower case, with what each is.
    pub(crate) own_names: Vec<(String, String)>,
    /// File name endings that are skuld's own (`.test.yaml`), lower case, with what each is.
    pub(crate) own_suffixes: Vec<(String, String)>,
    /// How much of a file is read to tell whether it is a tenant.
    pub(crate) sniff_limit: usize,
}

/// Why a path was left out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Skip {
    /// Matched by `.gitignore`, `.ignore` or `.git/info/exclude`.
    Ignored,
    /// Its name starts with a dot.
    Hidden,
    /// A YAML file without a tenant's shape: why.
    NotTenant(String),
    /// Matched by an exclude glob.
    Excluded { glob: String, origin: String },
    /// Selected by no include glob.
    NotIncluded { origin: String },
    /// One of skuld's own files: which.
    Own(String),
    /// The same file as one found earlier (through a link).
    Duplicate(PathBuf),
    /// A link that leads back into a folder being walked.
    Loop,
}

impl std::fmt::Display for Skip {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Skip::Ignored => f.write_str("ignored by .gitignore, .ignore or .git/info/exclude"),
            Skip::Hidden => f.write_str("hidden"),
            Skip::NotTenant(why) => write!(f, "not a tenant: {why}"),
            Skip::Excluded { glob, origin } => write!(f, "excluded by `{glob}` ({origin})"),
            Skip::NotIncluded { origin } => write!(f, "not selected by `include` ({origin})"),
            Skip::Own(what) => write!(f, "skuld's own file ({what})"),
            Skip::Duplicate(first) => write!(f, "the same file as `{}`", first.display()),
            Skip::Loop => f.write_str("a symbolic link back into a folder above it"),
        }
    }
}

/// A path left out, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Skipped {
    pub(crate) path: PathBuf,
    pub(crate) why: Skip,
}

/// The outcome of discovery: tenant paths in the order they are checked.
#[derive(Debug, Default)]
pub(crate) struct Discovered {
    pub(crate) paths: Vec<PathBuf>,
    /// Every path left out, in walk order. Ignored and hidden paths are listed only when
    /// discovery was asked to explain itself (it costs a second listing of each folder).
    pub(crate) skipped: Vec<Skipped>,
    pub(crate) errors: Vec<miette::Report>,
    /// Warnings that stop nothing: a folder in a git work tree whose tracked files git could
    /// not list (then `.gitignore` was honoured for every file).
    pub(crate) notes: Vec<miette::Report>,
}

/// Expands folders and globs into tenant files (sorted within each argument); files named
/// explicitly are kept as they are. Missing paths, globs or folders that give no tenant, and
/// links out of the repository are errors. A file named twice is checked once.
pub(crate) fn discover(args: &[PathBuf], filter: &Filter, explain: bool) -> Discovered {
    let mut out = Discovered::default();
    let mut seen = HashSet::new();
    for arg in args {
        if arg.as_os_str() == STDIN || arg.is_file() || (arg.exists() && !arg.is_dir()) {
            // Named explicitly: always checked.
            if arg.as_os_str() == STDIN || seen.insert(canonical_or(arg)) {
                out.paths.push(arg.clone());
            }
            continue;
        }
        let glob = if arg.is_dir() {
            None
        } else if let Some(g) = TenantGlob::new(arg) {
            Some(g)
        } else {
            out.errors.push(miette::Report::new(ReadError {
                path: arg.display().to_string(),
                reason: "no such file or folder".to_owned(),
                help: None,
            }));
            continue;
        };
        let skipped_before = out.skipped.len();
        let root = glob.as_ref().map_or(arg.as_path(), |g| g.base());
        let found = walk_one(root, glob.as_ref(), filter, explain, &mut seen, &mut out);
        if found == 0 {
            let left_out = out.skipped.len() - skipped_before;
            let (reason, help) = match &glob {
                Some(g) => {
                    let e = g.no_match();
                    (e.reason, e.help)
                }
                None => (
                    "no tenant files (`*.yaml`, `*.yml`) in this folder".to_owned(),
                    None,
                ),
            };
            let help = if left_out > 0 {
                Some(format!(
                    "{left_out} path{} left out; `--verbose` says which and why",
                    if left_out == 1 { " was" } else { "s were" }
                ))
            } else {
                help
            };
            out.errors.push(miette::Report::new(ReadError {
                path: arg.display().to_string(),
                reason,
                help,
            }));
        }
    }
    out
}

/// What the walk's filter (called from the walker, possibly on other threads) records.
#[derive(Debug, Default)]
struct Recorded {
    skipped: Vec<Skipped>,
    errors: Vec<ReadError>,
}

fn walk_one(
    root: &Path,
    glob: Option<&TenantGlob>,
    filter: &Filter,
    explain: bool,
    seen: &mut HashSet<PathBuf>,
    out: &mut Discovered,
) -> usize {
    let abs_root = absolute(root);
    let tree = repository_of(root);
    let tree_of_root = tree.clone();
    let recorded = Arc::new(Mutex::new(Recorded::default()));
    let in_glob = glob.is_some();
    let mut builder = WalkBuilder::new(root);
    builder
        .standard_filters(true)
        // The global gitignore differs between a laptop and CI; the checked set must not.
        .git_global(false)
        // A `.gitignore` counts in an exported tree too, not only in a git checkout.
        .require_git(false)
        .follow_links(true);
    {
        let recorded = Arc::clone(&recorded);
        let filter = filter.clone();
        let root = root.to_path_buf();
        let abs_root = abs_root.clone();
        builder.filter_entry(move |entry| {
            let found = Found {
                path: entry.path(),
                is_dir: entry.file_type().is_some_and(|t| t.is_dir()),
                is_symlink: entry.path_is_symlink(),
            };
            let verdict = judge(&found, &root, &abs_root, tree.as_deref(), &filter, in_glob);
            match verdict {
                Verdict::Keep => true,
                Verdict::Drop => false,
                Verdict::Skip(why) => {
                    let mut r = recorded.lock().unwrap_or_else(PoisonError::into_inner);
                    r.skipped.push(Skipped {
                        path: entry.path().to_path_buf(),
                        why,
                    });
                    false
                }
                Verdict::Error(e) => {
                    let mut r = recorded.lock().unwrap_or_else(PoisonError::into_inner);
                    r.errors.push(e);
                    false
                }
            }
        });
    }

    let mut files = Vec::new();
    let mut visited: HashSet<PathBuf> = HashSet::new();
    let mut dirs = Vec::new();
    let mut walk_errors = Vec::new();
    for result in builder.build() {
        match result {
            Ok(entry) => {
                let is_dir = entry.file_type().is_some_and(|t| t.is_dir());
                if explain {
                    visited.insert(entry.path().to_path_buf());
                }
                if is_dir {
                    if explain {
                        dirs.push(entry.path().to_path_buf());
                    }
                } else if entry.depth() > 0 {
                    files.push(entry.into_path());
                }
            }
            Err(e) => walk_errors.push(e),
        }
    }
    // Git checks a tracked file whatever `.gitignore` says, and so does skuld: an ignore file
    // added by a change must not hide a tenant the repository holds (issue 23).
    match tracked_files(root, tree_of_root.as_deref()) {
        Ok(None) => {}
        Ok(Some(tracked)) => {
            let walked: HashSet<&Path> = files.iter().map(PathBuf::as_path).collect();
            let mut hidden_by_ignore = Vec::new();
            for rel in tracked {
                let path = root.join(&rel);
                if walked.contains(path.as_path())
                    || rel
                        .components()
                        .any(|c| c.as_os_str().to_string_lossy().starts_with('.'))
                {
                    continue;
                }
                let Ok(meta) = std::fs::symlink_metadata(&path) else {
                    continue; // deleted in the work tree
                };
                let found = Found {
                    path: &path,
                    is_dir: false,
                    is_symlink: meta.file_type().is_symlink(),
                };
                if !(meta.is_file() || found.is_symlink && path.is_file()) {
                    continue; // a submodule, or a link to a folder
                }
                let mut r = recorded.lock().unwrap_or_else(PoisonError::into_inner);
                match judge(
                    &found,
                    root,
                    &abs_root,
                    tree_of_root.as_deref(),
                    filter,
                    in_glob,
                ) {
                    Verdict::Keep => hidden_by_ignore.push(path),
                    Verdict::Drop => {}
                    Verdict::Skip(why) => r.skipped.push(Skipped { path, why }),
                    Verdict::Error(e) => r.errors.push(e),
                }
            }
            if explain {
                visited.extend(hidden_by_ignore.iter().cloned());
            }
            files.extend(hidden_by_ignore);
        }
        Err(reason) => out.notes.push(reason),
    }
    let recorded = std::mem::take(&mut *recorded.lock().unwrap_or_else(PoisonError::into_inner));
    out.errors
        .extend(recorded.errors.into_iter().map(miette::Report::new));
    let mut skipped = recorded.skipped;
    for e in walk_errors {
        match walk_error(&e) {
            WalkProblem::Loop(path) => skipped.push(Skipped {
                path,
                why: Skip::Loop,
            }),
            WalkProblem::Error(path, reason) => {
                if path.as_deref().is_none_or(|p| is_yaml(p) || p.is_dir()) {
                    out.errors.push(miette::Report::new(ReadError {
                        path: path.map_or_else(
                            || root.display().to_string(),
                            |p| p.display().to_string(),
                        ),
                        reason,
                        help: None,
                    }));
                }
            }
        }
    }

    if explain {
        // What the walker passed over without asking the filter: ignored and hidden entries.
        let recorded: HashSet<&Path> = skipped.iter().map(|s| s.path.as_path()).collect();
        let mut quiet = Vec::new();
        for dir in &dirs {
            let Ok(entries) = std::fs::read_dir(dir) else {
                continue;
            };
            for entry in entries.flatten() {
                let path = entry.path();
                if visited.contains(&path) || recorded.contains(path.as_path()) {
                    continue;
                }
                let is_dir = path.is_dir();
                if !is_dir && !is_yaml(&path) {
                    continue;
                }
                let name = entry.file_name().to_string_lossy().to_lowercase();
                let why = if let Some(what) = own_name(&name, filter) {
                    Skip::Own(what)
                } else if name.starts_with('.') {
                    Skip::Hidden
                } else {
                    Skip::Ignored
                };
                quiet.push(Skipped { path, why });
            }
        }
        skipped.extend(quiet);
    }

    files.sort();
    let own: Vec<(PathBuf, &str)> = filter
        .own_files
        .iter()
        .filter_map(|(p, what)| std::fs::canonicalize(p).ok().map(|c| (c, what.as_str())))
        .collect();
    let mut found = 0;
    let mut first_name: std::collections::HashMap<PathBuf, PathBuf> =
        std::collections::HashMap::new();
    for path in files {
        if let Some(g) = glob
            && !g.is_match(&path)
        {
            continue;
        }
        let abs = under(&abs_root, root, &path);
        let canonical = canonical_or(&path);
        if let Some((_, what)) = own.iter().find(|(c, _)| *c == canonical) {
            skipped.push(Skipped {
                path,
                why: Skip::Own((*what).to_owned()),
            });
            continue;
        }
        if let Some(include) = &filter.include
            && include.matched(&abs, false).is_none()
        {
            skipped.push(Skipped {
                path,
                why: Skip::NotIncluded {
                    origin: include.origin.clone(),
                },
            });
            continue;
        }
        if let Some(first) = first_name.get(&canonical) {
            skipped.push(Skipped {
                path,
                why: Skip::Duplicate(first.clone()),
            });
            continue;
        }
        if seen.contains(&canonical) {
            // Named by an earlier argument: checked there, quietly.
            found += 1;
            continue;
        }
        if let Shape::Other(why) = shape(&path, filter.sniff_limit) {
            skipped.push(Skipped {
                path,
                why: Skip::NotTenant(why),
            });
            continue;
        }
        found += 1;
        seen.insert(canonical.clone());
        first_name.insert(canonical, path.clone());
        out.paths
            .push(glob.map_or_else(|| path.clone(), |g| g.shown(path.clone())));
    }
    out.skipped.extend(skipped);
    found
}

enum Verdict {
    Keep,
    /// Not a candidate, nothing to say (a file that is not YAML).
    Drop,
    Skip(Skip),
    Error(ReadError),
}

/// What discovery knows of a path without reading it.
struct Found<'a> {
    path: &'a Path,
    is_dir: bool,
    is_symlink: bool,
}

fn judge(
    found: &Found<'_>,
    root: &Path,
    abs_root: &Path,
    tree: Option<&Path>,
    filter: &Filter,
    in_glob: bool,
) -> Verdict {
    let Found {
        path,
        is_dir,
        is_symlink,
    } = *found;
    if !is_dir && !in_glob && !is_yaml(path) {
        return Verdict::Drop;
    }
    let abs = under(abs_root, root, path);
    for patterns in &filter.exclude {
        if let Some(glob) = patterns.matched(&abs, is_dir) {
            return Verdict::Skip(Skip::Excluded {
                glob,
                origin: patterns.origin.clone(),
            });
        }
    }
    if is_symlink {
        match std::fs::canonicalize(path) {
            Err(e) => {
                return Verdict::Error(ReadError {
                    path: path.display().to_string(),
                    reason: format!("a symbolic link that leads nowhere ({e})"),
                    help: Some(
                        "fix or remove the link, or leave it out with `--exclude`".to_owned(),
                    ),
                });
            }
            Ok(target) => {
                if let Some(tree) = tree
                    && !target.starts_with(tree)
                {
                    return Verdict::Error(ReadError {
                        path: path.display().to_string(),
                        reason: format!(
                            "a symbolic link out of the repository (to `{}`); not followed",
                            target.display()
                        ),
                        help: Some(format!(
                            "skuld follows links only within `{}`; copy the file in, or leave \
                             the link out with `--exclude`",
                            tree.display()
                        )),
                    });
                }
            }
        }
    }
    if !is_dir {
        let name = path
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .to_lowercase();
        if let Some(what) = own_name(&name, filter) {
            return Verdict::Skip(Skip::Own(what));
        }
    }
    Verdict::Keep
}

fn own_name(lower_name: &str, filter: &Filter) -> Option<String> {
    filter
        .own_names
        .iter()
        .find(|(n, _)| n == lower_name)
        .or_else(|| {
            filter
                .own_suffixes
                .iter()
                .find(|(s, _)| lower_name.ends_with(s.as_str()))
        })
        .map(|(_, what)| what.clone())
}

enum WalkProblem {
    Loop(PathBuf),
    Error(Option<PathBuf>, String),
}

fn walk_error(e: &ignore::Error) -> WalkProblem {
    match e {
        ignore::Error::Loop { child, .. } => WalkProblem::Loop(child.clone()),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            walk_error(err)
        }
        ignore::Error::WithPath { path, err } => match walk_error(err) {
            WalkProblem::Loop(p) => WalkProblem::Loop(p),
            WalkProblem::Error(_, reason) => WalkProblem::Error(Some(path.clone()), reason),
        },
        other => WalkProblem::Error(None, other.to_string()),
    }
}

/// The files git tracks below `root`, relative to it; `Ok(None)` when `tree` (the repository
/// `root` is in) is no git work tree. A repository whose files git cannot list (no `git` on the
/// PATH, a "dubious ownership" refusal) gives a warning, and discovery honours `.gitignore` for
/// every file as before.
fn tracked_files(root: &Path, tree: Option<&Path>) -> Result<Option<Vec<PathBuf>>, miette::Report> {
    if !tree.is_some_and(|t| t.join(".git").exists()) {
        return Ok(None);
    }
    super::git::tracked(root).map_err(|why| {
        miette::Report::new(ReadError {
            path: root.display().to_string(),
            reason: format!(
                "cannot list the files git tracks here, so a tracked tenant file that `.gitignore` \
                 names is not checked: {why}"
            ),
            help: Some(
                "install git (or mark the repository safe: `git config --global --add \
                 safe.directory PATH`), or name the tenant files on the command line"
                    .to_owned(),
            ),
        })
    })
}

/// `.yaml` or `.yml`, in any case.
pub(crate) fn is_yaml(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("yaml") || e.eq_ignore_ascii_case("yml"))
}

/// `path` (found under `root`) made absolute without touching the disk.
fn under(abs_root: &Path, root: &Path, path: &Path) -> PathBuf {
    match path.strip_prefix(root) {
        Ok(rel) => abs_root.join(rel),
        Err(_) => absolute(path),
    }
}

fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

fn canonical_or(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| absolute(path))
}

/// The repository a folder is in (the nearest ancestor holding `.git`), else the folder itself;
/// canonical. Links are followed only within it.
fn repository_of(dir: &Path) -> Option<PathBuf> {
    let canonical = std::fs::canonicalize(dir).ok()?;
    let repo = canonical
        .ancestors()
        .find(|d| d.join(".git").exists())
        .unwrap_or(&canonical)
        .to_path_buf();
    Some(repo)
}

/// Whether a YAML file looks like a tenant.
#[derive(Debug, PartialEq, Eq)]
enum Shape {
    Tenant,
    /// Something else: why it does not look like a tenant.
    Other(String),
}

/// Top-level keys that make a file a tenant (`tenant` alone decides).
const TENANT_KEYS: &[&str] = &["tenant", "users", "groups", "subscriptions", "sspr"];

/// Top-level keys of other YAML files found in repositories, and what they mark.
const FOREIGN_KEYS: &[(&str, &str)] = &[
    ("apiVersion", "a Kubernetes manifest"),
    ("kind", "a Kubernetes manifest"),
    ("on", "a GitHub Actions workflow"),
    ("jobs", "a CI workflow"),
    ("steps", "a CI pipeline"),
    ("stages", "a CI pipeline"),
    ("trigger", "a CI pipeline"),
    ("services", "a Docker Compose file"),
];

/// Tells a tenant from other YAML by its top-level keys (lines at column 0), read line by line
/// up to `limit` bytes, so that a file with a syntax error further down is still judged (and
/// then checked, and its error shown). A file that cannot be judged is taken as a tenant: the
/// check then says what is wrong with it.
fn shape(path: &Path, limit: usize) -> Shape {
    let Ok(file) = std::fs::File::open(path) else {
        return Shape::Tenant;
    };
    let limit = u64::try_from(limit).unwrap_or(u64::MAX);
    shape_of(BufReader::new(file.take(limit)))
}

fn shape_of(mut reader: impl std::io::BufRead) -> Shape {
    let mut line = Vec::new();
    let mut keys: Vec<String> = Vec::new();
    let mut first = true;
    loop {
        line.clear();
        match reader.read_until(b'\n', &mut line) {
            Ok(0) => break,
            Ok(_) => {}
            Err(_) => return Shape::Tenant,
        }
        let text = String::from_utf8_lossy(&line);
        let text = text.trim_end();
        let Some(c) = text.chars().next() else {
            continue;
        };
        if text == "---" || text.starts_with("--- ") || text == "..." || c == '%' || c == '#' {
            continue;
        }
        if c == ' ' || c == '\t' {
            continue;
        }
        if first {
            first = false;
            match c {
                // A flow mapping (JSON style): judged by the loader.
                '{' => return Shape::Tenant,
                '[' => return Shape::Other("its top level is a list".to_owned()),
                '-' => return Shape::Other("its top level is a list".to_owned()),
                _ => {}
            }
        }
        if let Some(key) = top_level_key(text) {
            if key == "tenant" {
                return Shape::Tenant;
            }
            keys.push(key.to_owned());
        }
    }
    let foreign: Vec<&(&str, &str)> = FOREIGN_KEYS
        .iter()
        .filter(|(k, _)| keys.iter().any(|key| key == k))
        .collect();
    if let Some((_, what)) = foreign.first() {
        let named: Vec<String> = foreign.iter().map(|(k, _)| format!("`{k}`")).collect();
        return Shape::Other(format!(
            "looks like {what} (top-level {})",
            named.join(", ")
        ));
    }
    if keys.iter().any(|k| TENANT_KEYS.contains(&k.as_str())) {
        return Shape::Tenant;
    }
    if keys.is_empty() {
        return Shape::Other("no top-level keys".to_owned());
    }
    Shape::Other(
        "no top-level `tenant`, `users`, `groups`, `subscriptions` or `sspr` key".to_owned(),
    )
}

/// The key of a `key:` line at column 0 (plain or quoted).
fn top_level_key(line: &str) -> Option<&str> {
    for quote in ['"', '\''] {
        if let Some(rest) = line.strip_prefix(quote) {
            let end = rest.find(quote)?;
            let key = rest.get(..end)?;
            return rest
                .get(end + 1..)?
                .trim_start()
                .starts_with(':')
                .then_some(key);
        }
    }
    let colon = line
        .char_indices()
        .find(|&(i, ch)| {
            ch == ':'
                && line
                    .get(i + 1..)
                    .is_some_and(|after| after.is_empty() || after.starts_with([' ', '\t']))
        })
        .map(|(i, _)| i)?;
    Some(line.get(..colon)?.trim_end())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn judge(text: &str) -> Shape {
        shape_of(text.as_bytes())
    }

    #[test]
    fn a_tenant_is_told_by_its_top_level_keys() {
        assert_eq!(judge("tenant: contoso\nusers: []\n"), Shape::Tenant);
        assert_eq!(judge("# c\n---\nusers:\n- upn: a@b\n"), Shape::Tenant);
        assert_eq!(judge("\"tenant\": x\n"), Shape::Tenant);
        assert_eq!(judge("{\"tenant\": \"x\"}"), Shape::Tenant);
        // A syntax error further down does not hide a tenant.
        assert_eq!(judge("tenant: x\nusers: [\n  - : :\n"), Shape::Tenant);
        // `tenant` wins over a foreign key: the loader reports the unknown key.
        assert_eq!(judge("kind: x\ntenant: y\n"), Shape::Tenant);
    }

    #[test]
    fn other_yaml_is_not_a_tenant_and_says_why() {
        let Shape::Other(why) = judge("name: ci\non:\n  push:\njobs:\n  a:\n    users: 1\n") else {
            panic!("a workflow is not a tenant");
        };
        assert!(why.contains("GitHub Actions workflow"), "{why}");
        let Shape::Other(why) = judge("apiVersion: v1\nkind: Config\nusers:\n- name: x\n") else {
            panic!("a kubeconfig is not a tenant");
        };
        assert!(why.contains("Kubernetes"), "{why}");
        assert!(matches!(judge("waivers:\n- rule: x\n"), Shape::Other(_)));
        assert!(matches!(judge("policies: [a.skuld]\n"), Shape::Other(_)));
        assert!(matches!(judge(""), Shape::Other(_)));
        assert!(matches!(judge("- a\n- b\n"), Shape::Other(_)));
    }

    #[test]
    fn keys_are_read_plain_or_quoted() {
        assert_eq!(top_level_key("users:"), Some("users"));
        assert_eq!(top_level_key("users: [a]"), Some("users"));
        assert_eq!(top_level_key("'sspr' :"), Some("sspr"));
        assert_eq!(top_level_key("http://x"), None);
        assert_eq!(top_level_key("a:b: c"), Some("a:b"));
    }

    #[test]
    fn patterns_are_gitignore_style_and_judge_parents() {
        let root = Path::new("/repo");
        let p = Patterns::new(
            root,
            &["archive/", "*.draft.yaml", "!keep.draft.yaml"],
            "test",
        )
        .unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(
            p.matched(Path::new("/repo/t/archive/a.yaml"), false)
                .as_deref(),
            Some("archive/")
        );
        assert_eq!(
            p.matched(Path::new("/repo/x.draft.yaml"), false).as_deref(),
            Some("*.draft.yaml")
        );
        assert_eq!(p.matched(Path::new("/repo/keep.draft.yaml"), false), None);
        assert_eq!(p.matched(Path::new("/repo/archive.yaml"), false), None);
        // Outside the root: by file name.
        assert!(
            p.matched(Path::new("/elsewhere/y.draft.yaml"), false)
                .is_some()
        );
        assert!(Patterns::new(root, &["ok", "a{b"], "test").is_err_and(|(i, _)| i == 1));
    }

    #[test]
    fn yaml_extensions_match_in_any_case() {
        assert!(is_yaml(Path::new("C.YAML")));
        assert!(is_yaml(Path::new("a.Yml")));
        assert!(!is_yaml(Path::new("a.yaml.bak")));
        assert!(!is_yaml(Path::new("yaml")));
    }
}
