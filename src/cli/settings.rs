//! What a run is set up with before any tenant is read: the config file, the policy, the rule
//! selection, the waivers and the gate, from the config merged with the flags.

use super::*;

/// The flags `check` and `diff` share: config, policy, rule selection, waivers, gate.
pub(super) struct SettingsArgs<'a> {
    pub(super) config: Option<&'a Path>,
    pub(super) no_config: bool,
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
}

/// Reads the config file, the policy, the rule selection and the waivers; `None` after
/// printing what is wrong (the run then exits with 2, nothing checked).
pub(super) fn settings(
    a: &SettingsArgs<'_>,
    err_style: human::Style,
    stderr: &mut dyn Write,
) -> io::Result<Option<Settings>> {
    let Some((config, config_path)) = load_config(a.config, a.no_config, err_style, stderr)? else {
        return Ok(None);
    };
    // Command-line policies replace the config's; either flag or config leaves the default out.
    let policy_paths = if a.policies.is_empty() {
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
            writeln!(stderr, "nothing was checked")?;
            return Ok(None);
        }
        &config.policies
    } else {
        a.policies
    };
    let with_default = !a.no_default_policy && config.default_policy != Some(false);
    if let Some(c) = contradiction(a, &config) {
        print_reports([&miette::Report::new(c)], err_style, stderr)?;
        return Ok(None);
    }
    let mut policy = match load_policy(policy_paths, with_default) {
        Ok(p) => p,
        Err(errors) => {
            print_errors(&errors, err_style, stderr)?;
            writeln!(stderr, "the policy has errors: nothing was checked")?;
            return Ok(None);
        }
    };

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
    Ok(Some(Settings {
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

/// Largest config, waivers or baseline file read (hand-written files; a baseline of a million
/// findings still fits).
pub(super) const MAX_OWN_FILE: usize = 256 * 1024 * 1024;

/// The waivers of the run: `--waivers`, else the config's `waivers` (both must exist), else
/// `skuld-waivers.yaml` beside the config or in the current folder when it exists. `None` after
/// printing problems. Only `--waivers` may name a file outside the repository: the config's
/// `waivers:` and the default file are confined to it.
pub(super) fn load_waivers(
    waivers: Option<&Path>,
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

/// `SKULD_TODAY` that is not a date.
#[derive(Debug, Error, Diagnostic)]
#[error("SKULD_TODAY=`{value}` is not a date")]
#[diagnostic(
    code("skuld::usage"),
    help("set it to a day as YYYY-MM-DD, e.g. `SKULD_TODAY=2027-01-31`, or unset it")
)]
struct BadToday {
    value: String,
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
