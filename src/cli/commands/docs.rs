//! `completions` and `man`: the shell completion scripts and manual pages, generated from
//! the clap definitions so that they can never disagree with `--help`.

use crate::cli::Cli;
use crate::cli::error::CliError;
use clap::CommandFactory;
use std::io::Write;

/// Prints the completion script for `shell`.
pub(crate) fn completions(
    out: &mut impl Write,
    shell: clap_complete::Shell,
) -> Result<(), CliError> {
    clap_complete::generate(shell, &mut Cli::command(), "faultline", out);
    Ok(())
}

/// Prints the manual page of faultline, or of its command `name` (as `faultline-NAME`).
pub(crate) fn man(out: &mut impl Write, name: Option<&str>) -> Result<(), CliError> {
    let cli = Cli::command();
    let page = match name {
        None => cli,
        Some(name) => {
            let Some(cmd) = cli.find_subcommand(name) else {
                let names: Vec<&str> = cli.get_subcommands().map(|c| c.get_name()).collect();
                return Err(CliError::Usage(format!(
                    "no command `{name}`; manual pages exist for: {}",
                    names.join(", ")
                )));
            };
            // Named for `man`'s convention; clap keeps names for the life of the process,
            // which this one is about to end.
            let full: &'static str = Box::leak(format!("faultline-{name}").into_boxed_str());
            cmd.clone().name(full).version(crate::cli::args::VERSION)
        }
    };
    clap_mangen::Man::new(page).render(out)?;
    Ok(())
}
