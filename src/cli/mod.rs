//! The command line: flags defined once with clap (`args`), a function per command
//! (`commands`), scenarios loaded with the command-line overrides (`load`).
//!
//! Exit codes (README, "Commands"): 0 success; 2 bad usage or invalid scenario; 1 anything
//! else.
//! A closed stdout (`| head`) is not an error.

mod args;
mod commands;
mod error;
mod load;

pub use args::Cli;
pub use commands::validation_summary;

use args::Command;
use clap::Parser;
use error::CliError;
use std::io::{IsTerminal, Write};

/// Whether stderr gets colours: a terminal, and `NO_COLOR` not set.
pub(crate) fn color_stderr() -> bool {
    std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none()
}

/// Runs the command line and returns the process exit code.
pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return e.exit_code();
        }
    };
    match execute(cli) {
        Ok(()) | Err(CliError::BrokenPipe) => 0,
        Err(CliError::Load(e)) => {
            eprint!("{}", e.render(color_stderr()));
            2
        }
        Err(CliError::Usage(msg)) => {
            eprintln!("error: {msg}");
            2
        }
        Err(CliError::Other(msg)) => {
            eprintln!("error: {msg}");
            1
        }
    }
}

/// Hands the parsed command to its function, all of them writing to one locked stdout.
fn execute(cli: Cli) -> Result<(), CliError> {
    let mut out = std::io::stdout().lock();
    match cli.command {
        Command::Validate {
            scenario,
            all,
            deny_warnings,
        } => commands::validate(&mut out, &scenario, all, deny_warnings)?,
        Command::Gen {
            components,
            seed,
            profile,
        } => commands::r#gen(&mut out, components, seed, profile)?,
        Command::Merge {
            shards,
            print,
            all,
            files,
            quiet,
        } => commands::merge(&mut out, &shards, &print, all, &files, quiet)?,
        Command::Graph { scenario } => commands::graph(&mut out, &scenario)?,
        Command::Trace {
            mut common,
            pick,
            files,
            run,
        } => {
            common.strategy = pick.strategy;
            commands::trace(&mut out, &common, &files, run)?
        }
        Command::Compare {
            common,
            files,
            effort,
            print,
            sharding,
        } => commands::compare(&mut out, &common, &files, &effort, &print, &sharding)?,
        Command::Sweep {
            common,
            files,
            set,
            metric,
            effort,
            print,
        } => commands::sweep(&mut out, &common, &files, &set, metric, &effort, &print)?,
        Command::Run {
            mut common,
            pick,
            effort,
            print,
            all,
            stats,
            sharding,
        } => {
            common.strategy = pick.strategy;
            let how = (&print, all, stats);
            commands::run(&mut out, &common, &effort, how, &sharding)?
        }
    }
    out.flush()?;
    Ok(())
}
