//! The `skuld` binary run as a process: exit codes, report formats, configuration, waivers,
//! baselines, `fmt`, `explain`, `import graph` (and `--live` against a fake Graph), the release
//! action's script, `lsp` over JSON-RPC, the documentation's commands and the editors' files.
//! One test binary (one link) for all of them; each module was a test binary of its own.

mod baseline;
mod cli;
mod cli_extras;
mod common;
mod config;
mod cost;
mod diff;
mod discovery;
mod docs_tutorial;
mod editors;
mod eval;
mod explain;
mod fmt;
mod formats;
mod fs_safety;
mod gate;
mod html;
mod import;
mod import_live;
mod lsp;
mod neutral;
mod release;
mod report;
mod silent;
mod suspicious_names;
mod waivers;
#[path = "../support/yaml.rs"]
mod yaml;
