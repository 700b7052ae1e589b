//! `skuld import graph DIR [-o FILE]`: Microsoft Graph responses → tenant YAML (see
//! docs/import.md). The mapping is in the library (`crate::import`); this is the command.

use std::io::{self, IsTerminal, Write};
use std::path::PathBuf;

use clap::{Args, Subcommand};

use super::{ColorArg, ExitStatus, PolicyArgs, policy_or_report, print_reports, style_for};
use crate::import;

/// `skuld import …`
#[derive(Debug, Subcommand)]
pub(super) enum ImportCommand {
    /// Write tenant YAML from a folder of saved Microsoft Graph responses (organization.json,
    /// subscribedSkus.json, users.json, groups.json; pages as users.2.json, …), or with --live
    /// from Microsoft Graph itself
    #[command(
        after_help = "Example:\n  skuld import graph graph-export/ -o tenant.yaml\n  skuld check tenant.yaml\n  skuld import graph --live --save graph-export/ -o tenant.yaml\n\nSee docs/import.md for the Graph requests to save, and the permissions --live needs."
    )]
    Graph(GraphArgs),
}

#[derive(Debug, Args)]
pub(super) struct GraphArgs {
    /// The folder of saved responses
    #[arg(
        value_name = "DIR",
        required_unless_present = "live",
        conflicts_with = "live"
    )]
    dir: Option<PathBuf>,
    /// Read the responses from Microsoft Graph itself (token from SKULD_GRAPH_TOKEN, workload
    /// identity, a client secret or certificate, or the Azure CLI; see docs/import.md)
    #[arg(long)]
    live: bool,
    /// The Graph endpoint of --live: a national cloud's, e.g. https://graph.microsoft.us
    #[arg(long, value_name = "URL", requires = "live", default_value = import::live::DEFAULT_GRAPH_URL)]
    graph_url: String,
    /// Keep the responses of --live in DIR (new or empty), in the layout `skuld import graph DIR`
    /// reads
    #[arg(long, value_name = "DIR", requires = "live")]
    save: Option<PathBuf>,
    /// --live stops with an error once the responses pass BYTES in all (they are saved to disk
    /// as they arrive, not kept in memory)
    #[arg(long, value_name = "BYTES", requires = "live", default_value_t = import::live::Budget::DEFAULT.max_bytes, value_parser = clap::value_parser!(u64).range(1..))]
    max_bytes: u64,
    /// --live stops with an error past N pages in all
    #[arg(long, value_name = "N", requires = "live", default_value_t = import::live::Budget::DEFAULT.max_pages, value_parser = clap::value_parser!(u64).range(1..))]
    max_pages: u64,
    /// --live stops with an error when it has run SECONDS (throttling waits included)
    #[arg(long, value_name = "SECONDS", requires = "live", default_value_t = import::live::Budget::DEFAULT.max_time.as_secs(), value_parser = clap::value_parser!(u64).range(1..))]
    max_seconds: u64,
    /// Write the tenant YAML to FILE (replaced whole, never left half-written) instead of
    /// standard output
    #[arg(long, short = 'o', value_name = "FILE")]
    output: Option<PathBuf>,
    #[command(flatten)]
    policy: PolicyArgs,
}

/// The tenant file `-o` replaces, to keep what Graph does not report: only a regular file,
/// never through a link, a FIFO (which would block) or a device (`/dev/zero` never ends), and
/// no larger than a tenant file may be. Anything else keeps nothing (the write refuses it).
fn earlier_tenant(path: &std::path::Path) -> Option<String> {
    let meta = std::fs::symlink_metadata(path).ok()?;
    if !meta.file_type().is_file() {
        return None;
    }
    let max = crate::tenant::Limits::default().max_file_bytes;
    let file = std::fs::File::open(path).ok()?;
    // Opened after the check: a file swapped for something else in between is still read
    // with the cap, so it cannot block reading nor grow without end.
    if !file.metadata().ok()?.file_type().is_file() {
        return None;
    }
    let bytes = crate::inputs::guard::read_capped(file, max).ok()??;
    String::from_utf8(bytes).ok()
}

pub(super) fn run(
    cmd: ImportCommand,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> io::Result<ExitStatus> {
    let ImportCommand::Graph(args) = cmd;
    let style = style_for(ColorArg::Auto, io::stderr().is_terminal());
    // The policy's catalog names the SKUs: a policy file that declares a SKU with its `id`
    // lets the import name it too.
    let Some(policy) = policy_or_report(&args.policy, "nothing was imported", stderr)? else {
        return Ok(ExitStatus::Error);
    };
    // PIM schedules that ended before today are left out.
    let today = match crate::triage::waivers::Date::today() {
        Ok(d) => d.to_string(),
        Err(value) => {
            print_reports(
                std::iter::once(&miette::Report::new(super::settings::BadToday { value })),
                style,
                stderr,
            )?;
            return Ok(ExitStatus::Error);
        }
    };
    let result = match &args.dir {
        Some(dir) => import::graph(dir, policy.catalog(), &today),
        None => import::live::import(
            &import::live::Options {
                graph_url: args.graph_url.clone(),
                save: args.save.clone(),
                budget: import::live::Budget {
                    max_bytes: args.max_bytes,
                    max_pages: args.max_pages,
                    max_time: std::time::Duration::from_secs(args.max_seconds),
                },
            },
            policy.catalog(),
            &import::auth::ProcessEnv,
            &today,
        ),
    };
    let imported = match result {
        Ok(i) => i,
        Err(errors) => {
            print_reports(errors.iter(), style, stderr)?;
            writeln!(stderr, "nothing was written")?;
            return Ok(ExitStatus::Error);
        }
    };
    print_reports(imported.warnings.iter(), style, stderr)?;
    // Replacing a tenant file keeps what Graph does not report (its `sspr:` block, features
    // whose responses were not read); an unreadable earlier file keeps nothing.
    let earlier = args.output.as_deref().and_then(earlier_tenant);
    let (yaml, kept) = match &earlier {
        Some(text) => import::emit::to_yaml_keeping(&imported.tenant, text),
        None => (
            import::emit::to_yaml(&imported.tenant),
            import::emit::Kept::default(),
        ),
    };
    for note in &imported.notes {
        let feature_kept = kept
            .features
            .iter()
            .any(|f| note.contains(&format!("`{f}`")));
        let tail = if feature_kept {
            "; the entries of the file it replaces are kept"
        } else {
            "; the tenant YAML has no entries for it"
        };
        writeln!(stderr, "note: {note}{tail}")?;
    }
    for remark in &imported.remarks {
        writeln!(stderr, "note: {remark}")?;
    }
    if let (true, Some(path)) = (kept.sspr, &args.output) {
        writeln!(
            stderr,
            "note: the `sspr:` block of `{}` is kept (Graph does not report SSPR settings)",
            path.display()
        )?;
    }
    match &args.output {
        Some(path) => {
            if let Err(e) = super::write_safely(
                path,
                yaml.as_bytes(),
                super::Guard {
                    // The export folder (or `--save`'s) is read: `-o` must not land in it.
                    inputs: &args
                        .dir
                        .iter()
                        .chain(&args.save)
                        .cloned()
                        .collect::<Vec<_>>(),
                    was: None,
                },
            ) {
                super::report_write_error(path, &e, stderr)?;
                return Ok(ExitStatus::Error);
            }
        }
        None => {
            stdout.write_all(yaml.as_bytes())?;
            stdout.flush()?;
        }
    }
    Ok(ExitStatus::Clean)
}
