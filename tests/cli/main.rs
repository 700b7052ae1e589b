//! The `skuld` binary run as a process: exit codes, report formats, configuration, waivers,
//! baselines, `fmt`, `explain`, `import graph`, the documentation's commands and the editors'
//! files. One test binary (one link) for all of them; each module was a test binary of its own.

mod baseline;
mod cli;
mod cli_extras;
mod common;
mod config;
mod docs_tutorial;
mod editors;
mod explain;
mod fmt;
mod formats;
mod hardening;
mod html;
mod import;
mod waivers;
