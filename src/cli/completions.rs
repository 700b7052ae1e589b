//! `skuld completions SHELL` and `skuld man`: generated from the clap definition of the CLI, so
//! they never drift from it.

use std::io::{self, Write};
use std::path::PathBuf;

use clap::{Args, CommandFactory};
use clap_complete::Shell;

use super::{Cli, ExitStatus, Guard, write_safely};

pub(super) const COMPLETIONS_HELP: &str = "\
Examples:
  skuld completions bash > ~/.local/share/bash-completion/completions/skuld
  skuld completions zsh > ~/.zfunc/_skuld        # with `fpath+=~/.zfunc` before compinit
  skuld completions fish > ~/.config/fish/completions/skuld.fish
  skuld completions powershell >> $PROFILE

See docs/cli.md for each shell.";

pub(super) const MAN_HELP: &str = "\
Examples:
  skuld man > skuld.1 && man ./skuld.1
  skuld man --dir man/          # skuld.1 plus skuld-check.1, skuld-fmt.1, …";

#[derive(Debug, Args)]
pub(super) struct CompletionsArgs {
    /// The shell to complete for
    #[arg(value_enum)]
    shell: Shell,
}

#[derive(Debug, Args)]
pub(super) struct ManArgs {
    /// Write one page per command into this folder (created if needed: skuld.1, skuld-check.1,
    /// …) instead of the page of `skuld` to standard output
    #[arg(long, value_name = "DIR")]
    dir: Option<PathBuf>,
}

pub(super) fn completions(
    args: &CompletionsArgs,
    stdout: &mut dyn Write,
) -> io::Result<ExitStatus> {
    let mut cmd = Cli::command();
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut cmd, "skuld", &mut script);
    stdout.write_all(&script)?;
    Ok(ExitStatus::Clean)
}

pub(super) fn man(
    args: &ManArgs,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> io::Result<ExitStatus> {
    let mut cmd = Cli::command().disable_help_subcommand(true);
    // Building gives subcommands their display names (`skuld-check`), which name their pages.
    cmd.build();
    let Some(dir) = &args.dir else {
        let mut page = Vec::new();
        clap_mangen::Man::new(cmd).render(&mut page)?;
        stdout.write_all(&page)?;
        return Ok(ExitStatus::Clean);
    };
    if let Err(e) = std::fs::create_dir_all(dir) {
        super::report_write_error(dir, &e, stderr)?;
        return Ok(ExitStatus::Error);
    }
    let mut pages = vec![cmd.clone()];
    pages.extend(cmd.get_subcommands().filter(|s| !s.is_hide_set()).cloned());
    for page in pages {
        let man = clap_mangen::Man::new(page);
        let path = dir.join(man.get_filename());
        let mut text = Vec::new();
        man.render(&mut text)?;
        if let Err(e) = write_safely(&path, &text, Guard::default()) {
            super::report_write_error(&path, &e, stderr)?;
            return Ok(ExitStatus::Error);
        }
    }
    Ok(ExitStatus::Clean)
}
