//! `skuld check TENANT...`: read the settings, check each tenant file in parallel, triage the
//! findings, render them, and map the outcome to the exit status.

use super::*;

pub(super) fn check(
    args: &CheckArgs,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> io::Result<ExitStatus> {
    let out_style = style_for(args.color, io::stdout().is_terminal());
    let err_style = style_for(args.color, io::stderr().is_terminal());
    let conflicts = contradictions(args);
    if !conflicts.is_empty() {
        print_reports(&conflicts, err_style, stderr)?;
        return Ok(ExitStatus::Error);
    }
    if let Some(pair) = &args.compare {
        return compare::run(args, pair, stdout, stderr);
    }

    let Some(Settings {
        policy,
        selection,
        mut waivers,
        today,
        prices,
        fail_on,
        mut tenants,
        config_path,
        read,
        overrides,
    }) = settings(
        &SettingsArgs {
            config: args.config.as_deref(),
            no_config: args.no_config,
            config_from: args.config_from.as_deref(),
            policies: &args.policies,
            no_default_policy: args.no_default_policy,
            rules: args.rules.lists(),
            waivers: args.waivers.as_deref(),
            fail_on: args.fail_on,
            inactive_days: args.inactive_days,
        },
        err_style,
        stderr,
    )?
    else {
        return Ok(ExitStatus::Error);
    };
    let root = std::env::current_dir().ok();
    let baseline = match &args.baseline {
        None => None,
        Some(path) => {
            let parsed = read_source(path, settings::MAX_OWN_FILE).and_then(|src| {
                crate::triage::baseline::Baseline::parse(&src, root.as_deref())
                    .map_err(miette::Report::new)
            });
            match parsed {
                Ok(b) => Some(b),
                Err(e) => {
                    print_reports([&e], err_style, stderr)?;
                    return Ok(ExitStatus::Error);
                }
            }
        }
    };

    if let Err(e) = discovery::add_flags(
        &mut tenants,
        &args.exclude,
        &[
            (args.baseline.as_deref(), "the baseline"),
            (args.output.as_deref(), "the report being written"),
        ],
        args.max_file_size,
    ) {
        print_reports([&e], err_style, stderr)?;
        return Ok(ExitStatus::Error);
    }
    let found = crate::inputs::discover(&args.tenants, &tenants, args.verbose);
    if args.verbose {
        discovery::explain(&found, stderr)?;
    }
    let (paths, discovery_errors, discovery_notes) = (found.paths, found.errors, found.notes);
    let missing = !discovery_errors.is_empty();
    let mut errors: Vec<report::RunError> = discovery_errors
        .into_iter()
        .map(|report| report::RunError { file: None, report })
        .collect();
    if paths.is_empty() && errors.is_empty() {
        errors.push(report::RunError {
            file: None,
            report: miette::Report::new(ReadError {
            path: args
                .tenants
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", "),
            reason: "no tenant files found".to_owned(),
            help: Some(
                "tenant files end in `.yaml` or `.yml`; name a file or a folder that holds some"
                    .to_owned(),
            ),
            }),
        });
    }
    let limits = Limits {
        max_file_bytes: args.max_file_size,
        ..Limits::default()
    };

    // The policy is compiled once; files are read and checked in parallel, and reported in the
    // order they were named.
    let jobs = args.jobs.unwrap_or_else(crate::parallel::default_jobs);
    let outcomes = crate::parallel::map(&paths, jobs, |path| {
        read_source(path, limits.max_file_bytes)
            .map_err(|e| vec![e])
            .and_then(|source| {
                policy
                    .check_capped(
                        &source,
                        &limits,
                        args.max_findings_per_rule,
                        prices.is_some(),
                    )
                    .map(|checked| (source, checked))
                    .map_err(Diagnostics::into_vec)
            })
    });
    let mut findings: Vec<Finding> = Vec::new();
    let mut files: Vec<report::CheckedFile> = Vec::with_capacity(paths.len());
    let mut bad_waivers = false;
    let mut omitted: Vec<report::Omitted> = Vec::new();
    // Per file, users per SKU held (for the cost figures).
    let mut held: Vec<Vec<(String, u64)>> = Vec::with_capacity(paths.len());
    for (path, outcome) in paths.iter().zip(outcomes) {
        let name = display_name(path);
        let outcome = outcome.unwrap_or_else(|| {
            Err(vec![miette::Report::new(ReadError {
                path: name.clone(),
                reason: "internal error: the check of this file did not finish".to_owned(),
                help: Some("this is a bug in skuld; please report it with the file".to_owned()),
            })])
        });
        let mut seats = None;
        let mut holders = Vec::new();
        let loaded = match outcome {
            Ok((source, checked)) => {
                seats = checked.seats;
                holders = checked.holders;
                omitted.extend(
                    checked
                        .omitted
                        .into_iter()
                        .filter(|o| selection.reports(&o.rule))
                        .map(|o| report::Omitted {
                            file: name.clone(),
                            severity: selection.severity_of(&o.rule, o.severity),
                            rule: o.rule,
                            count: o.count,
                            cap: args.max_findings_per_rule,
                            causes: o.causes,
                            kept_alike: o.kept_alike,
                        }),
                );
                let f = checked.findings;
                let problems = waivers.add_inline(&source, &policy);
                bad_waivers |= !problems.is_empty();
                errors.extend(problems.into_iter().map(|p| report::RunError {
                    file: Some(name.clone()),
                    report: miette::Report::new(p),
                }));
                findings.extend(selection.apply(f));
                true
            }
            Err(reports) => {
                errors.extend(reports.into_iter().map(|report| report::RunError {
                    file: Some(name.clone()),
                    report,
                }));
                false
            }
        };
        files.push(report::CheckedFile {
            name,
            loaded,
            seats,
            cost: None,
        });
        held.push(holders);
    }
    waivers.retain_rules(|rule| selection.reports(rule));
    let mut applied = waivers.apply(findings, today);
    if let Some(prices) = &prices {
        add_cost(&mut files, &held, &mut applied.findings, &omitted, prices);
    }
    let (findings, known) = match &baseline {
        Some(b) => {
            let (new, known) = b.filter(applied.findings, root.as_deref());
            (new, Some(known))
        }
        None => (applied.findings, None),
    };

    print_reports(errors.iter().map(|e| &e.report), err_style, stderr)?;
    let mut notes: Vec<report::RunError> = applied
        .notes
        .into_iter()
        .map(|p| report::RunError {
            file: None,
            report: miette::Report::new(p),
        })
        .collect();
    notes.extend(
        discovery_notes
            .into_iter()
            .map(|report| report::RunError { file: None, report }),
    );
    if let Some(b) = &baseline {
        let checked: Vec<&str> = files
            .iter()
            .filter(|f| f.loaded)
            .map(|f| f.name.as_str())
            .collect();
        if let Some(w) = b.no_file_matches(&checked, root.as_deref()) {
            notes.push(report::RunError {
                file: None,
                report: miette::Report::new(w),
            });
        }
    }
    print_reports(notes.iter().map(|e| &e.report), err_style, stderr)?;
    let out_style = if args.output.is_some() {
        // A file is not a terminal.
        style_for(args.color, false)
    } else {
        out_style
    };
    let rules = policy.registry();
    let run = report::Run {
        rules: &rules,
        findings,
        files,
        errors,
        waived: applied.waived,
        known,
        notes,
        root,
        docs_url: crate::diagnostics::finding::docs_base_url(),
        config: config_path.map(|p| p.display().to_string()),
        policy: crate::policies::PolicyEdition::of(policy.files()),
        omitted,
        overrides,
        view: report::View {
            show_all: args.show_all,
            quiet: args.quiet,
            max_findings: args.max_findings,
        },
    };
    let mut write_failed = false;
    let inputs: Vec<PathBuf> = paths
        .iter()
        .chain(&read)
        .chain(&args.baseline)
        .cloned()
        .collect();
    // On standard output, the human and compact reports are written file by file.
    let streamed = args.output.is_none()
        && report::write_per_file(args.format.into(), &run, out_style, stdout)?;
    let text = if streamed {
        String::new()
    } else {
        report::render(args.format.into(), &run, out_style)
    };
    match &args.output {
        Some(path) => {
            if let Err(e) = write_safely(
                path,
                text.as_bytes(),
                Guard {
                    inputs: &inputs,
                    was: None,
                },
            ) {
                report_write_error(path, &e, stderr)?;
                write_failed = true;
            }
        }
        None => {
            stdout.write_all(text.as_bytes())?;
            stdout.flush()?;
        }
    }
    if matches!(args.format, FormatArg::Github)
        && let Some(summary) = std::env::var_os("GITHUB_STEP_SUMMARY").filter(|s| !s.is_empty())
    {
        let path = PathBuf::from(summary);
        if let Err(e) = append(&path, report::github::step_summary(&run).as_bytes()) {
            report_write_error(&path, &e, stderr)?;
            write_failed = true;
        }
    }
    let failed = run.failed();
    let stopped = failed > 0 || paths.is_empty() || write_failed || bad_waivers || missing;
    let status = fail_on.outcome(stopped, &run.findings);
    // A rule's findings past the cap fail the run as its kept ones of the same severity do
    // (reported, waived or known to the baseline). A rule with `severity … when` can keep only
    // warnings while errors were left out: those fail the run on their own.
    let left_out_fail = run
        .omitted
        .iter()
        .any(|o| o.count > 0 && !o.kept_alike && fail_on.fails(o.severity));
    Ok(match status {
        crate::triage::ExitStatus::Clean if left_out_fail => crate::triage::ExitStatus::Findings,
        status => status,
    })
}

/// A command line that asks for two things that exclude each other.
#[derive(Debug, Error, Diagnostic)]
#[error("{message}")]
#[diagnostic(code("skuld::usage"))]
pub(super) struct Contradiction {
    message: String,
    #[help]
    help: String,
}

impl Contradiction {
    pub(super) fn new(message: String, help: &str) -> Self {
        Contradiction {
            message,
            help: help.to_owned(),
        }
    }
}

/// The flags of `check` that contradict each other (clap knows the simple pairs; these depend
/// on values).
fn contradictions(args: &CheckArgs) -> Vec<miette::Report> {
    let mut out = args.rules.contradictions();
    if args.output.as_deref() == Some(Path::new("-")) {
        out.push(miette::Report::new(Contradiction::new(
            "`--output -` would write a file named `-`".to_owned(),
            "leave `--output` out to write to standard output",
        )));
    }
    if args.compare.is_some() && !matches!(args.format, FormatArg::Human | FormatArg::Json) {
        let name = args
            .format
            .to_possible_value()
            .map_or_else(String::new, |v| v.get_name().to_owned());
        out.push(miette::Report::new(Contradiction {
            message: format!("`--compare` cannot write `--format {name}`"),
            help: "a comparison is written as `--format human` (the default) or `--format json`"
                .to_owned(),
        }));
    }
    out
}

/// The cost figures of each loaded file, from its reported findings (waived ones left out), and
/// what removing each waste finding's licences saves, added to its help.
fn add_cost(
    files: &mut [report::CheckedFile],
    held: &[Vec<(String, u64)>],
    findings: &mut [Finding],
    omitted: &[report::Omitted],
    prices: &crate::config::PriceList,
) {
    use crate::triage::cost;
    for (file, holders) in files.iter_mut().zip(held).filter(|(f, _)| f.loaded) {
        let complete = !omitted
            .iter()
            .any(|o| o.file == file.name && cost::WASTE_RULES.contains(&o.rule.as_str()));
        let of_file = findings.iter().filter(|f| f.file.name() == file.name);
        let seat_use = cost::SeatUse {
            seats: file.seats.as_deref(),
            holders,
        };
        file.cost = Some(cost::cost(prices, seat_use, of_file, complete));
    }
    cost::add_savings(findings, prices);
}
