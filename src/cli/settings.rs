//! What a run is set up with before any tenant is read: the config file, the policy, the rule
//! selection, the waivers and the gate, from the config merged with the flags.

use super::*;

/// The flags `check` and `diff` share: config, policy, rule selection, waivers, gate.
pub(super) struct SettingsArgs<'a> {
    pub(super) config: Option<&'a Path>,
    pub(super) no_config: bool,
    /// `--config-from REF`: the config and waivers files as they are at a git revision.
    pub(super) config_from: Option<&'a str>,
    pub(super) policies: &'a [String],
    pub(super) no_default_policy: bool,
    /// `--only-rule`, `--skip-rule`, `--severity`.
    pub(super) rules: (&'a [String], &'a [String], &'a [String]),
    pub(super) waivers: Option<&'a Path>,
    pub(super) fail_on: Option<FailOnArg>,
    /// `--inactive-days`.
    pub(super) inactive_days: Option<u32>,
}

/// What a run is set up with before any tenant is read: the config file merged with the flags.
pub(super) struct Settings {
    pub(super) policy: Policy,
    pub(super) selection: Selection,
    pub(super) waivers: crate::triage::waivers::Waivers,
    pub(super) today: crate::date::Date,
    /// The config's `prices:`, checked against the catalog; `None`: no cost figures.
    pub(super) prices: Option<crate::config::PriceList>,
    pub(super) fail_on: FailOn,
    /// Which discovered files are tenants (the config's `tenants:`, its own files).
    pub(super) tenants: crate::inputs::Filter,
    /// The config file that applied, as shown (`None`: none, or `--no-config`).
    pub(super) config_path: Option<PathBuf>,
    /// Every file the settings were read from (config, waivers, policy files): a report must
    /// never be written over one of them.
    pub(super) read: Vec<PathBuf>,
    /// What the config turns off or changes, for the CI formats' notices.
    pub(super) overrides: Vec<String>,
}

/// Reads the config file, the policy, the rule selection and the waivers; `None` after
/// printing what is wrong (the run then exits with 2, nothing checked).
pub(super) fn settings(
    a: &SettingsArgs<'_>,
    err_style: human::Style,
    stderr: &mut dyn Write,
) -> io::Result<Option<Settings>> {
    let Some(PolicySetup {
        config,
        config_path,
        mut policy,
        policy_paths,
    }) = policy_setup(
        &PolicyFlags {
            config: a.config,
            no_config: a.no_config,
            policies: a.policies,
            no_default_policy: a.no_default_policy,
            config_from: a.config_from,
        },
        "nothing was checked",
        err_style,
        stderr,
    )?
    else {
        return Ok(None);
    };
    if let Some(c) = contradiction(a, &config) {
        print_reports([&miette::Report::new(c)], err_style, stderr)?;
        return Ok(None);
    }
    let mut config_problems = config.check_rules(&policy);
    let prices = config.prices(policy.catalog()).unwrap_or_else(|unknown| {
        config_problems.extend(unknown);
        None
    });
    if !config_problems.is_empty() {
        print_problems(
            crate::diagnostics::Problem::in_file_order(config_problems),
            err_style,
            stderr,
        )?;
        return Ok(None);
    }
    let selection = match Selection::new(a.rules, &config, &policy) {
        Ok(s) => s,
        Err(errors) => {
            print_errors(&errors, err_style, stderr)?;
            return Ok(None);
        }
    };
    let fail_on = a.fail_on.map(FailOn::from).unwrap_or_else(|| {
        config
            .fail_on
            .as_deref()
            .and_then(FailOn::parse)
            .unwrap_or(FailOn::Error)
    });
    let Some((mut waivers, waivers_path)) = load_waivers(
        a.waivers,
        a.config_from,
        &config,
        config_path.as_deref(),
        &policy,
        err_style,
        stderr,
    )?
    else {
        return Ok(None);
    };
    let today = match crate::date::Date::today() {
        Ok(d) => d,
        Err(bad) => {
            print_errors(
                &Diagnostics::single(BadToday { value: bad }),
                err_style,
                stderr,
            )?;
            return Ok(None);
        }
    };
    policy.clock = crate::compile::ir::Clock {
        today: Some(today),
        inactive_days: a
            .inactive_days
            .or(config.inactive_days)
            .unwrap_or(crate::compile::ir::DEFAULT_INACTIVE_DAYS),
    };
    let max_days = config
        .waiver_max_expiry
        .unwrap_or(crate::triage::waivers::DEFAULT_MAX_EXPIRY_DAYS);
    let too_late = waivers.limit_expiry(today, max_days);
    if !too_late.is_empty() {
        print_problems(too_late, err_style, stderr)?;
        return Ok(None);
    }
    let tenants = super::discovery::config_filter(&config, a.waivers);
    let read = config_path
        .iter()
        .chain(&waivers_path)
        .cloned()
        .chain(
            policy_paths
                .iter()
                .filter(|p| !p.starts_with("builtin:"))
                .map(PathBuf::from),
        )
        .collect();
    let overrides = config.overrides(&policy.registry());
    Ok(Some(Settings {
        overrides,
        policy,
        selection,
        waivers,
        today,
        prices,
        fail_on,
        tenants,
        config_path,
        read,
    }))
}

/// The config file and the policy it (or the flags) name: what every command that reads a
/// policy starts from, so that `.skuld.yaml`'s `policies:` and `default-policy:` mean the same
/// to `rules`, `explain`, `test`, `skus`, `schema` as to `check` and `diff`.
pub(super) struct PolicySetup {
    pub(super) config: crate::config::Config,
    pub(super) config_path: Option<PathBuf>,
    pub(super) policy: Policy,
    /// The policy paths that applied (the flags', else the config's).
    pub(super) policy_paths: Vec<String>,
}

/// Reads the config file (`--config`, found upwards, or none with `--no-config`) and compiles
/// the policy: `--policy` paths replace the config's `policies:`; either `--no-default-policy`
/// or `default-policy: false` leaves the embedded default out. `None` after printing what is
/// wrong, the last line saying what was `stopped`.
pub(super) fn policy_setup(
    flags: &PolicyFlags<'_>,
    stopped: &str,
    err_style: human::Style,
    stderr: &mut dyn Write,
) -> io::Result<Option<PolicySetup>> {
    let Some(PolicyPaths {
        config,
        config_path,
        paths: policy_paths,
        with_default,
    }) = policy_paths(flags, stopped, err_style, stderr)?
    else {
        return Ok(None);
    };
    match load_policy(&policy_paths, with_default) {
        Ok(policy) => Ok(Some(PolicySetup {
            config,
            config_path,
            policy,
            policy_paths,
        })),
        Err(errors) => {
            print_errors(&errors, err_style, stderr)?;
            writeln!(stderr, "the policy has errors: {stopped}")?;
            Ok(None)
        }
    }
}

/// [`policy_paths`], then the policy files they name, read but not compiled: `check-policy`
/// analyses them, `eval` compiles them with its expression. `None` after printing what is wrong.
pub(super) fn policy_sources(
    flags: &PolicyFlags<'_>,
    stopped: &str,
    err_style: human::Style,
    stderr: &mut dyn Write,
) -> io::Result<Option<(PolicyPaths, Vec<crate::source::SourceFile>)>> {
    let Some(paths) = policy_paths(flags, stopped, err_style, stderr)? else {
        return Ok(None);
    };
    match crate::policies::resolve(&paths.paths, paths.with_default) {
        Ok(sources) => Ok(Some((paths, sources))),
        Err(errors) => {
            print_errors(&errors, err_style, stderr)?;
            Ok(None)
        }
    }
}

/// The flags that say where a command's config and policy come from.
pub(super) struct PolicyFlags<'a> {
    /// `--config FILE`.
    pub(super) config: Option<&'a Path>,
    /// `--no-config`.
    pub(super) no_config: bool,
    /// `--policy PATH`s (they replace the config's `policies:`).
    pub(super) policies: &'a [String],
    /// `--no-default-policy`.
    pub(super) no_default_policy: bool,
    /// `--config-from REV`: the config as it is at a git revision (`check`).
    pub(super) config_from: Option<&'a str>,
}

/// The config file and the policy paths it or the flags name, not yet read.
pub(super) struct PolicyPaths {
    pub(super) config: crate::config::Config,
    pub(super) config_path: Option<PathBuf>,
    /// `--policy` paths, else the config's `policies:` (confined to the repository).
    pub(super) paths: Vec<String>,
    /// Whether the embedded default policy is added.
    pub(super) with_default: bool,
}

/// The first half of [`policy_setup`], for `check-policy`, which analyses the sources rather
/// than compiling them.
pub(super) fn policy_paths(
    flags: &PolicyFlags<'_>,
    stopped: &str,
    err_style: human::Style,
    stderr: &mut dyn Write,
) -> io::Result<Option<PolicyPaths>> {
    let loaded = match flags.config_from {
        Some(rev) => config_at(rev, err_style, stderr)?,
        None => load_config(flags.config, flags.no_config, err_style, stderr)?,
    };
    let Some((config, config_path)) = loaded else {
        return Ok(None);
    };
    let paths = if flags.policies.is_empty() {
        // The config's paths come from the repository: confined to it before anything is read.
        let root = crate::inputs::guard::repo_root(&config.dir);
        let refused: Vec<miette::Report> = config
            .policies
            .iter()
            .filter(|p| !p.starts_with("builtin:"))
            .filter_map(|p| {
                crate::inputs::guard::confine(
                    Path::new(p),
                    &root,
                    crate::inputs::guard::Kind::FileOrFolder,
                    &named_by("policies:", config_path.as_deref()),
                )
                .err()
            })
            .collect();
        if !refused.is_empty() {
            print_reports(&refused, err_style, stderr)?;
            writeln!(stderr, "{stopped}")?;
            return Ok(None);
        }
        config.policies.clone()
    } else {
        flags.policies.to_vec()
    };
    let with_default = !flags.no_default_policy && config.default_policy != Some(false);
    Ok(Some(PolicyPaths {
        config,
        config_path,
        paths,
        with_default,
    }))
}

/// Prints problems in skuld's own files (config, waivers) as diagnostics.
pub(super) fn print_problems(
    problems: Vec<crate::diagnostics::Problem>,
    style: human::Style,
    stderr: &mut dyn Write,
) -> io::Result<()> {
    let reports: Vec<miette::Report> = problems.into_iter().map(miette::Report::new).collect();
    print_reports(&reports, style, stderr)
}

/// How a refused file is said to be named: the key and the config file.
fn named_by(key: &str, config: Option<&Path>) -> String {
    match config {
        Some(c) => format!("`{key}` in `{}`", c.display()),
        None => format!("`{key}`"),
    }
}

/// The config file that applies (`--config`, else `.skuld.yaml` found upwards, unless
/// `--no-config`) and its path; `None` after printing its problems. A config found by looking
/// upwards must be a regular file inside the repository (not a link to `/proc/self/environ`).
pub(super) fn load_config(
    config: Option<&Path>,
    no_config: bool,
    style: human::Style,
    stderr: &mut dyn Write,
) -> io::Result<Option<(crate::config::Config, Option<PathBuf>)>> {
    use crate::config::Config;
    if no_config {
        return Ok(Some((Config::default(), None)));
    }
    let found = config.is_none();
    let path = match config {
        Some(p) => p.to_path_buf(),
        None => match std::env::current_dir()
            .ok()
            .and_then(|cwd| Config::find(&cwd))
        {
            // Shown relative to the current folder when it is in it, as other paths are.
            Some(found) => std::env::current_dir()
                .ok()
                .and_then(|cwd| found.strip_prefix(cwd).ok().map(Path::to_path_buf))
                .unwrap_or(found),
            None => return Ok(Some((Config::default(), None))),
        },
    };
    let read = if found {
        let root = crate::inputs::guard::repo_root(path.parent().unwrap_or(Path::new(".")));
        crate::inputs::guard::read_confined(
            &path,
            &root,
            MAX_OWN_FILE,
            "the search for `.skuld.yaml`",
        )
    } else {
        read_source(&path, MAX_OWN_FILE)
    };
    let source = match read {
        Ok(s) => s,
        Err(e) => {
            print_reports([&e], style, stderr)?;
            return Ok(None);
        }
    };
    match Config::parse(&source, &path) {
        Ok(c) => Ok(Some((c, Some(path)))),
        Err(problems) => {
            print_problems(problems, style, stderr)?;
            Ok(None)
        }
    }
}

/// `--config-from REV`: `.skuld.yaml` as it is at a git revision, looked for from the current
/// folder upwards to the repository root as in the work tree; no config when the revision has
/// none. Paths in it are resolved in the work tree. `None` after printing its problems.
fn config_at(
    rev: &str,
    style: human::Style,
    stderr: &mut dyn Write,
) -> io::Result<Option<(crate::config::Config, Option<PathBuf>)>> {
    use crate::config::{Config, FILE_NAME};
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    for dir in cwd.ancestors() {
        let path = dir.join(FILE_NAME);
        match crate::inputs::git::at_revision(rev, &path) {
            Err(e) => {
                print_reports([&e], style, stderr)?;
                return Ok(None);
            }
            Ok(Some(source)) => {
                // Shown relative to the current folder, as other paths are.
                let shown = path
                    .strip_prefix(&cwd)
                    .map_or(path.clone(), Path::to_path_buf);
                return match Config::parse(&source, &shown) {
                    Ok(c) => Ok(Some((c, Some(shown)))),
                    Err(problems) => {
                        print_problems(problems, style, stderr)?;
                        Ok(None)
                    }
                };
            }
            Ok(None) if dir.join(".git").exists() => break,
            Ok(None) => {}
        }
    }
    Ok(Some((Config::default(), None)))
}

/// Largest config, waivers or baseline file read (hand-written files; a baseline of a million
/// findings still fits).
pub(super) const MAX_OWN_FILE: usize = 256 * 1024 * 1024;

/// The waivers of the run: `--waivers`, else the config's `waivers` (both must exist), else
/// `skuld-waivers.yaml` beside the config or in the current folder when it exists. `None` after
/// printing problems. Only `--waivers` may name a file outside the repository: the config's
/// `waivers:` and the default file are confined to it.
pub(super) fn load_waivers(
    waivers: Option<&Path>,
    from_rev: Option<&str>,
    config: &crate::config::Config,
    config_path: Option<&Path>,
    policy: &Policy,
    style: human::Style,
    stderr: &mut dyn Write,
) -> io::Result<Option<(crate::triage::waivers::Waivers, Option<PathBuf>)>> {
    use crate::triage::waivers::{DEFAULT_FILE, Waivers};
    let (path, named_by) = match (waivers, config.waivers.as_deref()) {
        (Some(p), _) => (p.to_path_buf(), None),
        (None, Some(p)) => (
            p.to_path_buf(),
            Some(self::named_by("waivers:", config_path)),
        ),
        (None, None) => {
            let default = config.dir.join(DEFAULT_FILE);
            if let Some(rev) = from_rev {
                return waivers_at(rev, &default, false, policy, style, stderr);
            }
            // `symlink_metadata`: a link named like the default file is refused, not skipped.
            if default.symlink_metadata().is_err() {
                return Ok(Some((Waivers::default(), None)));
            }
            (
                default,
                Some(format!("the default waivers file name `{DEFAULT_FILE}`")),
            )
        }
    };
    if let Some(rev) = from_rev {
        return waivers_at(rev, &path, true, policy, style, stderr);
    }
    let read = match &named_by {
        Some(by) => {
            let root = crate::inputs::guard::repo_root(&config.dir);
            crate::inputs::guard::read_confined(&path, &root, MAX_OWN_FILE, by)
        }
        None => read_source(&path, MAX_OWN_FILE),
    };
    let source = match read {
        Ok(s) => s,
        Err(e) => {
            print_reports([&e], style, stderr)?;
            return Ok(None);
        }
    };
    match Waivers::parse(&source, &path, policy) {
        Ok(w) => Ok(Some((w, Some(path)))),
        Err(problems) => {
            print_problems(problems, style, stderr)?;
            Ok(None)
        }
    }
}

/// The waivers file as it is at `rev` (`--config-from`); `required`: named by a flag or the
/// config, so its absence there is an error.
fn waivers_at(
    rev: &str,
    path: &Path,
    required: bool,
    policy: &Policy,
    style: human::Style,
    stderr: &mut dyn Write,
) -> io::Result<Option<(crate::triage::waivers::Waivers, Option<PathBuf>)>> {
    use crate::triage::waivers::Waivers;
    let source = match crate::inputs::git::at_revision(rev, path) {
        Ok(Some(s)) => s,
        Ok(None) if !required => return Ok(Some((Waivers::default(), None))),
        Ok(None) => {
            let e = miette::Report::new(ReadError {
                path: format!("{rev}:{}", path.display()),
                reason: format!("no such file at `{rev}`"),
                help: Some("`--config-from` reads the waivers file from that revision".to_owned()),
            });
            print_reports([&e], style, stderr)?;
            return Ok(None);
        }
        Err(e) => {
            print_reports([&e], style, stderr)?;
            return Ok(None);
        }
    };
    match Waivers::parse(&source, path, policy) {
        Ok(w) => Ok(Some((w, Some(path.to_path_buf())))),
        Err(problems) => {
            print_problems(problems, style, stderr)?;
            Ok(None)
        }
    }
}

/// `SKULD_TODAY` that is not a date.
#[derive(Debug, Error, Diagnostic)]
#[error("SKULD_TODAY=`{value}` is not a date")]
#[diagnostic(
    code("skuld::usage"),
    help("set it to a day as YYYY-MM-DD, e.g. `SKULD_TODAY=2027-01-31`, or unset it")
)]
pub(super) struct BadToday {
    pub(super) value: String,
}

/// Settings that, merged, leave nothing to report: every rule `only` names is skipped. Said
/// instead of a run that passes because it reported nothing. (No policy at all is
/// `skuld::policy::no-rules`, from the compiler.)
fn contradiction(
    a: &SettingsArgs<'_>,
    config: &crate::config::Config,
) -> Option<super::check::Contradiction> {
    let from_config = |flag: &str, key: &str, by_flag: bool| {
        if by_flag {
            format!("`{flag}`")
        } else {
            format!("`{key}` in the config file")
        }
    };
    let (only_flags, skip_flags, _) = a.rules;
    let only: Vec<&str> = if only_flags.is_empty() {
        config.only_rules.iter().map(|(r, _)| r.as_str()).collect()
    } else {
        only_flags.iter().map(String::as_str).collect()
    };
    let skipped = |r: &str| {
        skip_flags.iter().any(|s| s == r) || config.skip_rules.iter().any(|(s, _)| s == r)
    };
    if !only.is_empty() && only.iter().all(|r| skipped(r)) {
        return Some(super::check::Contradiction::new(
            format!(
                "every rule selected by {} is skipped by `--skip-rule` or `skip-rules`: nothing \
                 would be reported",
                from_config("--only-rule", "only-rules", !only_flags.is_empty())
            ),
            "keep a rule in one list only",
        ));
    }
    None
}
