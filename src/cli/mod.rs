//! The command line: flags defined once with clap (`args`), a function per command
//! (`commands`), scenarios loaded with the command-line overrides (`load`).
//!
//! Exit codes (README, "Commands"): 0 success; 2 bad usage or invalid scenario; 1 anything
//! else.
//! A closed stdout (`| head`) is not an error: it stops the printing, not the work, so every
//! file a command writes is still written. SIGINT, SIGTERM and SIGHUP remove the temporary
//! files of writes in progress, then exit with code 130.

mod args;
mod commands;
mod error;
mod load;

pub use args::Cli;
pub use commands::validation_summary;

use args::Command;
use clap::Parser;
use error::CliError;
use faultline_report::output;
use faultline_scenario::snippet::visible;
use std::io::{self, IsTerminal, Write};

/// Whether stderr gets colours: on a terminal, unless `NO_COLOR` is set, `CLICOLOR` is 0
/// or `TERM` is `dumb`.
pub(crate) fn color_stderr() -> bool {
    let var = |k: &str| std::env::var_os(k);
    io::stderr().is_terminal()
        && var("NO_COLOR").is_none_or(|v| v.is_empty())
        && var("CLICOLOR").is_none_or(|v| v != "0")
        && var("TERM").is_none_or(|v| v != "dumb")
}

/// Runs the command line and returns the process exit code.
pub fn main() -> i32 {
    // Fails only when a handler is already set (a test calling `main` twice): keep that one.
    let _ = ctrlc::set_handler(|| output::interrupted(130));
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            // `--help` into a full disk or a closed pipe is a failure, not a success.
            if e.print().and_then(|()| io::stdout().flush()).is_err() {
                return 1;
            }
            return e.exit_code();
        }
    };
    match execute(cli) {
        Ok(()) | Err(CliError::BrokenPipe) => 0,
        Err(CliError::Load(e)) => {
            eprint!("{}", e.render(color_stderr()));
            2
        }
        // Messages may quote paths and flags as given: control characters are shown, not
        // sent to the terminal.
        Err(CliError::Usage(msg)) => {
            eprintln!("error: {}", visible(&msg));
            2
        }
        Err(CliError::Other(msg)) => {
            eprintln!("error: {}", visible(&msg));
            1
        }
    }
}

/// Hands the parsed command to its function, all of them writing to one locked stdout.
fn execute(cli: Cli) -> Result<(), CliError> {
    let mut out = Stdout {
        inner: io::stdout().lock(),
        closed: false,
    };
    match cli.command {
        Command::Validate {
            scenario,
            all,
            deny_warnings,
            json,
        } => commands::validate(&mut out, &scenario, all, deny_warnings, json)?,
        Command::Analyze {
            files,
            max_order,
            mission_time,
            top,
            time,
            max_states,
            print,
            all,
        } => commands::analyze(
            &mut out,
            &files,
            commands::AnalyzeOptions {
                max_order: max_order.map(|n| n as usize),
                mission_time,
                top,
                time,
                max_states,
                json: print.json,
                layout: print.layout(all),
            },
        )?,
        Command::Import {
            files,
            output,
            mission_time,
            top,
            time,
        } => {
            let settings = faultline_scenario::import::Settings {
                mission_time,
                top,
                dft_time: time,
            };
            commands::import(&mut out, &files, output.as_deref(), &settings)?
        }
        Command::Export {
            scenario,
            mef: _,
            output,
        } => commands::export(&mut out, &scenario, output.as_deref())?,
        Command::Gen {
            components,
            seed,
            profile,
            // Writes no file: a closed pipe ends it (`gen 10000000 | head`).
        } => commands::r#gen(&mut out.inner, components, seed, profile)?,
        Command::Merge {
            shards,
            print,
            all,
            files,
            quiet,
        } => commands::merge(&mut out, &shards, &print, all, &files, quiet)?,
        Command::Graph { scenario } => commands::graph(&mut out, &scenario)?,
        Command::Completions { shell } => commands::completions(&mut out, shell)?,
        Command::Man { command } => commands::man(&mut out, command.as_deref())?,
        Command::Explore {
            common,
            files,
            run,
            worst,
            median,
            runs,
            strategies,
        } => {
            let which = commands::Which::of(run, worst, median, runs);
            commands::explore(&mut out, &common, &files, which, &strategies)?
        }
        Command::Drill { common, files, run } => commands::drill(&mut out, &common, &files, run)?,
        Command::Trace {
            mut common,
            pick,
            files,
            run,
            json,
        } => {
            common.strategy = pick.strategy;
            commands::trace(&mut out, &common, &files, run, json)?
        }
        Command::Compare {
            common,
            files,
            effort,
            print,
            sharding,
            per_run,
            series,
            importance,
        } => {
            let extras = commands::Extras {
                per_run: per_run.as_deref(),
                series: series.as_deref(),
                importance,
            };
            commands::compare(
                &mut out, &common, &files, &effort, &print, &sharding, extras,
            )?
        }
        Command::Attack {
            common,
            k,
            at,
            during,
            top,
            defend,
            limit,
            beam,
            effort,
            print,
        } => commands::attack(
            &mut out,
            &common,
            &commands::AttackOptions {
                k: k as usize,
                at,
                during,
                top,
                defend,
                limit,
                beam: beam.map(|w| w as usize),
            },
            &effort,
            &print,
        )?,
        Command::Importance {
            common,
            top,
            effort,
            print,
        } => commands::importance(&mut out, &common, top, &effort, &print)?,
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
            exact,
            rare,
            sharding,
            per_run,
            series,
        } => {
            common.strategy = pick.strategy;
            let how = (&print, all, stats, exact);
            let exports = (per_run.as_deref(), series.as_deref());
            commands::run(&mut out, &common, &effort, how, (&rare, &sharding), exports)?
        }
    }
    out.flush()?;
    Ok(())
}

/// Stdout that a closed pipe (`| head`) silences instead of failing: what would have been
/// printed is dropped and the command goes on to write its files.
struct Stdout<W> {
    inner: W,
    closed: bool,
}

impl<W> Stdout<W> {
    /// A write's result, with a broken pipe turned into silence from then on.
    fn absorb<T>(&mut self, r: io::Result<T>, silent: T) -> io::Result<T> {
        match r {
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => {
                self.closed = true;
                Ok(silent)
            }
            r => r,
        }
    }
}

impl<W: Write> Write for Stdout<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.closed {
            return Ok(buf.len());
        }
        let r = self.inner.write(buf);
        self.absorb(r, buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        if self.closed {
            return Ok(());
        }
        let r = self.inner.flush();
        self.absorb(r, ())
    }
}
