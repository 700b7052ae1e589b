//! `skuld check --compare POLICY_A POLICY_B TENANT...`: the findings that appear or disappear
//! when policy A is replaced by policy B, i.e. the impact of a rule change on real tenants.
//!
//! Each of A and B is read as one more `--policy` argument on top of the others (and of the
//! default policy unless `--no-default-policy`), so `builtin:sspr-current` replaces the default
//! `builtin:sspr-2017` as it does for a plain check. Two findings of one file are the same when
//! rule and subject agree (the one finding identity, `triage::identity`). Exit code: 0 when
//! nothing appears, 1 when some finding appears, 2 on
//! errors (a policy that does not compile, a tenant file that cannot be read).

use crate::report::json::JsonFinding;
use std::io::{self, Write};

use serde::Serialize;

use super::{
    CheckArgs, ExitStatus, FormatArg, ReadError, Selection, discover_tenants, load_policy,
    print_errors, print_reports, read_source, report_write_error, style_for, write_atomically,
};
use crate::Policy;
use crate::diagnostics::Finding;
use crate::tenant::Limits;

/// The order of the human listing: file, place, rule, message.
type Order = (String, u32, u32, String, String);

fn order(f: &Finding) -> Order {
    (
        f.file.name().to_owned(),
        f.span.start,
        f.span.end,
        f.rule.clone(),
        f.message.clone(),
    )
}

/// The comparison, computed before it is rendered.
struct Comparison<'a> {
    before: &'a str,
    after: &'a str,
    files: usize,
    appeared: Vec<Finding>,
    disappeared: Vec<Finding>,
    unchanged: usize,
}

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
    if !matches!(args.format, FormatArg::Human | FormatArg::Json) {
        print_reports(
            [&miette::Report::new(ReadError {
                path: "--format".to_owned(),
                reason: "`--compare` writes `human` or `json` only".to_owned(),
                help: Some("use `--format human` or `--format json` with `--compare`".to_owned()),
            })],
            err_style,
            stderr,
        )?;
        return Ok(ExitStatus::Error);
    }
    let mut policies: Vec<(Policy, Selection)> = Vec::new();
    for p in [before, after] {
        let mut paths = args.policies.clone();
        paths.push(p.clone());
        let compiled = load_policy(&paths, !args.no_default_policy).and_then(|policy| {
            // The comparison is between two policies as named: no config file applies.
            let rules = (
                &args.only_rules[..],
                &args.skip_rules[..],
                &args.severities[..],
            );
            Selection::new(rules, &crate::config::Config::default(), &policy).map(|s| (policy, s))
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

    let (paths, mut errors) = discover_tenants(&args.tenants);
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
    let mut comparison = Comparison {
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
        let diff = crate::triage::diff::diff(a, b);
        comparison.unchanged += after - diff.introduced.len();
        comparison.disappeared.extend(diff.fixed);
        comparison.appeared.extend(diff.introduced);
    }
    print_reports(errors.iter(), err_style, stderr)?;

    let text = match args.format {
        FormatArg::Json => json(&comparison),
        _ => human_text(&comparison),
    };
    match &args.output {
        Some(path) => {
            if let Err(e) = write_atomically(path, text.as_bytes()) {
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

/// One line per finding, `+` for appearing and `-` for disappearing, then a summary line.
fn human_text(c: &Comparison<'_>) -> String {
    let mut out = format!("comparing {} -> {}\n", c.before, c.after);
    let line = |sign: char, f: &Finding| {
        let (l, col) = f.line_col();
        format!(
            "{sign} {}:{l}:{col}: {}[{}]: {}\n",
            f.file.name(),
            f.severity.as_str(),
            f.rule,
            f.message
        )
    };
    let mut rows: Vec<(Order, String)> = c
        .appeared
        .iter()
        .map(|f| (order(f), line('+', f)))
        .chain(c.disappeared.iter().map(|f| (order(f), line('-', f))))
        .collect();
    rows.sort();
    for (_, row) in rows {
        out.push_str(&row);
    }
    let plural =
        |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    out.push_str(&format!(
        "{} with {}, {} with {}, {} unchanged ({})\n",
        plural(c.appeared.len(), "finding appears", "findings appear"),
        c.after,
        plural(
            c.disappeared.len(),
            "finding disappears",
            "findings disappear"
        ),
        c.after,
        c.unchanged,
        plural(c.files, "file", "files"),
    ));
    out
}

#[derive(Serialize)]
struct JsonComparison<'a> {
    before: &'a str,
    after: &'a str,
    appeared: Vec<JsonFinding<'a>>,
    disappeared: Vec<JsonFinding<'a>>,
    summary: JsonSummary,
}

#[derive(Serialize)]
struct JsonSummary {
    appeared: usize,
    disappeared: usize,
    unchanged: usize,
    files: usize,
}

/// `{"before","after","appeared":[…],"disappeared":[…],"summary":{…}}`; findings as in
/// `--format json` (the contract's fields and the fingerprint).
fn json(c: &Comparison<'_>) -> String {
    fn findings(fs: &[Finding]) -> Vec<JsonFinding<'_>> {
        fs.iter().map(crate::report::json::finding).collect()
    }
    let doc = JsonComparison {
        before: c.before,
        after: c.after,
        appeared: findings(&c.appeared),
        disappeared: findings(&c.disappeared),
        summary: JsonSummary {
            appeared: c.appeared.len(),
            disappeared: c.disappeared.len(),
            unchanged: c.unchanged,
            files: c.files,
        },
    };
    let mut out = serde_json::to_string_pretty(&doc)
        .unwrap_or_else(|e| format!("{{\"error\":\"cannot serialise the comparison: {e}\"}}"));
    out.push('\n');
    out
}
