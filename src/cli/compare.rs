//! `skuld check --compare POLICY_A POLICY_B TENANT...`: the findings that appear or disappear
//! when policy A is replaced by policy B, i.e. the impact of a rule change on real tenants.
//!
//! Each of A and B is read as one more `--policy` argument on top of the others (and of the
//! default policy unless `--no-default-policy`), so `builtin:sspr-current` replaces the default
//! `builtin:sspr-2017` as it does for a plain check. Two findings of one file are the same when
//! rule and subject agree (the one finding identity, `triage::identity`). Exit code: 0 when
//! nothing appears, 1 when some finding appears, 2 on
//! errors (a policy that does not compile, a tenant file that cannot be read).

use std::io::{self, Write};

use super::{
    CheckArgs, ExitStatus, FormatArg, ReadError, Selection, discovery, load_policy, print_errors,
    print_reports, read_source, report_write_error, style_for, write_safely,
};
use crate::Policy;
use crate::tenant::Limits;

pub(super) fn run(
    args: &CheckArgs,
    pair: &[String],
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> io::Result<ExitStatus> {
    let err_style = style_for(args.color, io::IsTerminal::is_terminal(&io::stderr()));
    let (Some(before), Some(after)) = (pair.first(), pair.get(1)) else {
        writeln!(
            stderr,
            "--compare takes two policies: --compare POLICY_A POLICY_B"
        )?;
        return Ok(ExitStatus::Error);
    };
    let mut policies: Vec<(Policy, Selection)> = Vec::new();
    for p in [before, after] {
        let mut paths = args.policies.clone();
        paths.push(p.clone());
        let compiled = load_policy(&paths, !args.no_default_policy).and_then(|policy| {
            // The comparison is between two policies as named: no config file applies.
            Selection::new(
                args.rules.lists(),
                &crate::config::Config::default(),
                &policy,
            )
            .map(|s| (policy, s))
        });
        match compiled {
            Ok(x) => policies.push(x),
            Err(errors) => {
                print_errors(&errors, err_style, stderr)?;
                writeln!(stderr, "the policy `{p}` has errors: nothing was compared")?;
                return Ok(ExitStatus::Error);
            }
        }
    }

    // No config is read here; the same own files and `--exclude` apply.
    let mut filter =
        discovery::config_filter(&crate::config::Config::default(), args.waivers.as_deref());
    if let Err(e) = discovery::add_flags(
        &mut filter,
        &args.exclude,
        &[(args.output.as_deref(), "the report being written")],
        args.max_file_size,
    ) {
        print_reports([&e], err_style, stderr)?;
        return Ok(ExitStatus::Error);
    }
    let found = crate::inputs::discover(&args.tenants, &filter, args.verbose);
    if args.verbose {
        discovery::explain(&found, stderr)?;
    }
    print_reports(&found.notes, err_style, stderr)?;
    let (paths, mut errors) = (found.paths, found.errors);
    if paths.is_empty() && errors.is_empty() {
        errors.push(miette::Report::new(ReadError {
            path: args
                .tenants
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", "),
            reason: "no tenant files found".to_owned(),
            help: None,
        }));
    }
    let limits = Limits {
        max_file_bytes: args.max_file_size,
        ..Limits::default()
    };
    let mut comparison = crate::triage::diff::Comparison {
        before,
        after,
        files: 0,
        appeared: Vec::new(),
        disappeared: Vec::new(),
        unchanged: 0,
    };
    for path in &paths {
        let source = match read_source(path, limits.max_file_bytes) {
            Ok(s) => s,
            Err(e) => {
                errors.push(e);
                continue;
            }
        };
        let mut results = Vec::new();
        for (policy, selection) in &policies {
            match policy.check_with(&source, &limits) {
                Ok(f) => results.push(selection.apply(f).collect::<Vec<_>>()),
                Err(d) => {
                    errors.extend(d.into_vec());
                    break;
                }
            }
        }
        // Both policies checked the file; otherwise its load error is already recorded.
        let (Some(b), Some(a)) = (results.pop(), results.pop()) else {
            continue;
        };
        comparison.files += 1;
        let after = b.len();
        // No waivers in a comparison: every finding counts.
        let version = |counted| crate::triage::diff::Version {
            counted,
            accepted: Vec::new(),
        };
        let diff = crate::triage::diff::diff(version(a), version(b));
        comparison.unchanged += after - diff.introduced.len();
        comparison.disappeared.extend(diff.fixed);
        comparison.appeared.extend(diff.introduced);
    }
    print_reports(errors.iter(), err_style, stderr)?;

    let text = match args.format {
        FormatArg::Json => crate::report::compare::json(&comparison),
        _ => crate::report::compare::human(&comparison),
    };
    let inputs: Vec<std::path::PathBuf> = paths
        .iter()
        .cloned()
        .chain(
            args.policies
                .iter()
                .chain(pair)
                .filter(|p| !p.starts_with("builtin:"))
                .map(std::path::PathBuf::from),
        )
        .collect();
    match &args.output {
        Some(path) => {
            if let Err(e) = write_safely(
                path,
                text.as_bytes(),
                super::Guard {
                    inputs: &inputs,
                    was: None,
                },
            ) {
                report_write_error(path, &e, stderr)?;
                return Ok(ExitStatus::Error);
            }
        }
        None => {
            stdout.write_all(text.as_bytes())?;
            stdout.flush()?;
        }
    }
    Ok(if !errors.is_empty() {
        ExitStatus::Error
    } else if !comparison.appeared.is_empty() {
        ExitStatus::Findings
    } else {
        ExitStatus::Clean
    })
}
