//! The command line: flags defined once with clap, commands that call the library.
//!
//! Exit codes (README, "Commands"): 0 success; 2 bad usage or invalid scenario; 1 anything
//! else.
//! A closed stdout (`| head`) is not an error.

use crate::progress::Progress;
use crate::{shard, sweep};
use clap::{Args, Parser, Subcommand};
use faultline_core::analysis;
use faultline_core::model::{Model, stable_hash};
use faultline_core::montecarlo::{self, Study};
use faultline_report::output::{self, OutputError};
use faultline_report::sweep::Metric;
use faultline_report::{ReportError, charts, dot, html, json, postmortem, tables};
use faultline_scenario::diagnostics::LoadError;
use faultline_scenario::edit::{self, Setting};
use faultline_scenario::r#gen::{self, Profile};
use faultline_scenario::validate;
use faultline_units::{human, thousands};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// faultline: see how a fault turns into an outage, and which mitigation wins.
///
/// A scenario file (RON) describes components, their faults, how they depend on each other
/// and which of them users see. faultline simulates fault → error → failure propagation in a
/// discrete-event engine, many times over (Monte Carlo), and reports availability, downtime,
/// users affected and the root faults behind failures.
#[derive(Parser, Debug)]
#[command(name = "faultline", version, propagate_version = true, after_help = EXAMPLES)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

const EXAMPLES: &str = "Examples:
  faultline validate scenarios/substation.ron
  faultline trace scenarios/substation.ron --run 3
  faultline run scenarios/substation.ron --runs 10000
  faultline run scenarios/substation.ron --json > summary.json
  faultline compare scenarios/substation.ron      # + output/substation/report.html
  faultline sweep scenarios/substation.ron --set 'strategies[1].mitigations[0].deploy=1d..9d:5'
  faultline graph scenarios/substation.ron | dot -Tsvg > graph.svg

Files (charts as SVG and PNG, report.html, postmortem.md, sweep.json) go to
output/<scenario>/, or --out DIR; set FAULTLINE_OUTPUT to move the default root.";

const COMPARE_HELP: &str = "Examples:
  faultline compare scenarios/substation.ron
  faultline compare scenarios/substation.ron --runs 2000 --out /tmp/sub
  faultline compare scenarios/substation.ron --json > compare.json

Writes into the output directory (output/<scenario>/ unless --out):
  report.html         self-contained report: verdict, ranking, charts, SPOFs, how to reproduce
  cost.svg/.png       expected cost per strategy with 95% CI whiskers, baseline dashed
  downtime.svg/.png   distribution of downtime per run (CDF, log time axis), per strategy";

const TRACE_HELP: &str = "Examples:
  faultline trace scenarios/substation.ron --run 3
  faultline trace scenarios/substation.ron --run 3 --strategy mobile-transformer

Writes into the output directory (output/<scenario>/ unless --out):
  postmortem.md       summary, impact, timeline, root fault and path, what went well, what
                      slowed us, and the strategies that did better on this very run
  timeline.svg/.png   the run as a lane per component coloured by state, with its longest
                      outage step by step (fault, detection, acknowledgement, diagnosis,
                      mitigation, repair)";

const SWEEP_HELP: &str = "PATH names a value in the scenario file, as diagnostics print paths: fields
by name, list elements by index from 0, e.g.
  strategies[1].mitigations[0].deploy     response.diagnose
  components[3].faults[0].repair          cost.per_user_minute
The value must be written in the file (a default cannot be swept). Values are RON, as
in the file, separated by commas (commas inside brackets or quotes do not split):
  --set 'response.diagnose=Fixed(\"1h\"),LogNormal(median: \"3h\", sigma: 0.6)'
A bare duration is quoted where the file has a string and becomes Fixed(\"...\") where it
has a distribution; a range FROM..TO:COUNT gives COUNT evenly spaced values, ends
included (durations or numbers; COUNT defaults to 5).

Examples:
  # When does the mobile transformer stop paying for itself?
  faultline sweep scenarios/substation.ron --set 'strategies[1].mitigations[0].deploy=1d..9d:5'
  # Does a faster diagnosis matter?
  faultline sweep scenarios/substation.ron --set 'response.diagnose=30m,1h,3h,6h,12h' --metric downtime
  faultline sweep scenarios/substation.ron --set 'cost.per_user_minute=0.01..0.09:5' --json

Prints a table (one row per value) and writes sweep.svg/.png and sweep.json into the
output directory (output/<scenario>/ unless --out).";

#[derive(Subcommand, Debug)]
enum Command {
    /// Check a scenario and list its single points of failure.
    ///
    /// Every problem is reported at once, each with file:line:column and a caret under the
    /// offending text. Exit code 2 when the scenario is invalid.
    Validate {
        /// The scenario file (RON).
        scenario: PathBuf,
        /// List every single point of failure (a model with more than 40 lists the 40 that
        /// fail the most services, and says how many more there are).
        #[arg(long)]
        all: bool,
    },
    /// Simulate many runs in parallel and summarise them (Monte Carlo).
    ///
    /// Results are byte-identical for the same scenario and seed whatever the thread count.
    Run {
        #[command(flatten)]
        common: Common,
        #[command(flatten)]
        effort: Effort,
        /// Print the machine-readable summary (JSON) on stdout instead of tables.
        #[arg(long)]
        json: bool,
        /// Also print statistics on stderr: time to read, parse and compile the scenario;
        /// events, events/s, component evaluations per event, peak pending events, peak
        /// memory.
        #[arg(long)]
        stats: bool,
        #[command(flatten)]
        sharding: Sharding,
    },
    /// Run the baseline and every strategy on the same runs and rank them by expected cost;
    /// write report.html and charts.
    ///
    /// Run k has the same faults under every strategy (common random numbers), so the
    /// paired difference against the baseline measures the strategy, not luck.
    #[command(after_long_help = COMPARE_HELP)]
    Compare {
        #[command(flatten)]
        common: Common,
        #[command(flatten)]
        files: Files,
        #[command(flatten)]
        effort: Effort,
        /// Print the machine-readable summary (JSON) on stdout instead of tables.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        sharding: Sharding,
    },
    /// Narrate one run: every fault, error, masking, failure and repair, then a postmortem;
    /// write postmortem.md and a timeline chart.
    #[command(after_long_help = TRACE_HELP)]
    Trace {
        #[command(flatten)]
        common: Common,
        #[command(flatten)]
        files: Files,
        /// Which run to narrate (run k of a study has the same faults as in `run`).
        #[arg(long, default_value_t = 0)]
        run: u64,
    },
    /// Rerun the scenario across values of one parameter and chart a metric per strategy.
    ///
    /// Every value runs the baseline and every strategy on the same seed and run indices
    /// (common random numbers), so the curve shows the parameter's effect, not luck: find
    /// the deploy time at which a mobile transformer stops paying for itself, or the
    /// detection delay at which an outage gets expensive.
    #[command(after_long_help = SWEEP_HELP)]
    Sweep {
        #[command(flatten)]
        common: Common,
        #[command(flatten)]
        files: Files,
        /// The parameter and its values: PATH=V1,V2,... or PATH=FROM..TO:COUNT
        /// (see below).
        #[arg(long, value_name = "PATH=VALUES", value_parser = edit::parse_setting)]
        set: Setting,
        /// What to chart and tabulate.
        #[arg(long, value_name = "METRIC", default_value = "cost", value_parser = metric_parser())]
        metric: Metric,
        #[command(flatten)]
        effort: Effort,
        /// Print the sweep as JSON on stdout instead of the table.
        #[arg(long)]
        json: bool,
    },
    /// Print the dependency graph as Graphviz DOT, single points of failure in red.
    Graph {
        /// The scenario file (RON).
        scenario: PathBuf,
    },
    /// Combine shard files (from `run`/`compare --shard i/N`) into the study's summary,
    /// byte for byte what one unsharded run prints.
    ///
    /// Refuses shards of different scenarios, versions or seeds, and reports runs that are
    /// missing or covered twice.
    Merge {
        /// The shard files, in any order.
        #[arg(required = true)]
        shards: Vec<PathBuf>,
        /// Print the machine-readable summary (JSON) on stdout instead of tables.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        files: Files,
        /// Print nothing but the result.
        #[arg(long, short)]
        quiet: bool,
    },
    /// Print a generated model of N components and 3N dependency edges (for scale tests).
    Gen {
        /// Number of components.
        #[arg(value_parser = clap::value_parser!(u64).range(1..=10_000_000))]
        components: u64,
        /// Generator seed.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// How often things fail.
        #[arg(long, value_name = "PROFILE", default_value = "estate", value_parser = profile_parser())]
        profile: Profile,
    },
}

/// How much simulating to do: shared by `run`, `compare` and `sweep`.
#[derive(Args, Debug)]
struct Effort {
    /// Number of runs (per value, for `sweep`) [default: the scenario's `runs`].
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..))]
    runs: Option<u64>,
    /// Worker threads [default: all cores].
    #[arg(long)]
    threads: Option<usize>,
}

/// Splitting a study across processes or machines.
#[derive(Args, Debug)]
struct Sharding {
    /// Run only shard i of N (e.g. 0/4) and write a shard file instead of a summary.
    /// Without it, Slurm's SLURM_ARRAY_TASK_ID/SLURM_ARRAY_TASK_COUNT or Kubernetes'
    /// JOB_COMPLETION_INDEX (with --shards) are used when set.
    #[arg(long, value_name = "i/N")]
    shard: Option<String>,
    /// Number of shards, when the index comes from the environment.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    shards: Option<u64>,
    /// Where to write the shard file [default: output/<scenario>/shard-<i>-of-<N>.jsonl].
    #[arg(long, value_name = "PATH")]
    shard_file: Option<PathBuf>,
}

#[derive(Args, Debug)]
struct Common {
    /// The scenario file (RON).
    scenario: PathBuf,
    /// Master seed [default: the scenario's `seed`].
    #[arg(long)]
    seed: Option<u64>,
    /// Simulated time per run, with units, e.g. 30d, 1y [default: the scenario's `horizon`].
    #[arg(long, value_parser = parse_horizon)]
    horizon: Option<f64>,
    /// Stop a run after this many events (reported, never silent) [default: the scenario's].
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..))]
    max_events: Option<u64>,
    /// Simulate under this strategy instead of the baseline (`run`, `trace`).
    #[arg(long)]
    strategy: Option<String>,
    /// Print nothing but the result: no progress bar, warnings or list of files written.
    #[arg(long, short)]
    quiet: bool,
}

#[derive(Args, Debug)]
struct Files {
    /// Directory for charts and reports [default: output/<scenario>/, under
    /// $FAULTLINE_OUTPUT instead of ./output when that is set].
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
}

impl Files {
    fn dir(&self, scenario: &str) -> PathBuf {
        self.out
            .clone()
            .unwrap_or_else(|| output::default_dir(scenario))
    }
}

use clap::builder::TypedValueParser;

/// `--metric`'s values, named and described where [`Metric`] is defined.
fn metric_parser() -> impl TypedValueParser<Value = Metric> {
    let values = Metric::ALL.map(|x| clap::builder::PossibleValue::new(x.key()).help(x.help()));
    clap::builder::PossibleValuesParser::new(values).map(|s| {
        *Metric::ALL
            .iter()
            .find(|x| x.key() == s)
            .expect("a listed value")
    })
}

/// `--profile`'s values, named and described where [`Profile`] is defined.
fn profile_parser() -> impl TypedValueParser<Value = Profile> {
    let values = Profile::ALL.map(|x| clap::builder::PossibleValue::new(x.name()).help(x.help()));
    clap::builder::PossibleValuesParser::new(values).map(|s| {
        *Profile::ALL
            .iter()
            .find(|x| x.name() == s)
            .expect("a listed value")
    })
}

fn parse_horizon(s: &str) -> Result<f64, String> {
    let d = faultline_units::parse_duration(s).map_err(|e| e.to_string())?;
    if d > 0.0 {
        Ok(d)
    } else {
        Err("the horizon must be longer than zero".into())
    }
}

/// What went wrong in a command, and which exit code it deserves (not the trace's service
/// failure, which is a result, not an error).
enum CliError {
    /// The scenario could not be read or is invalid: a located message, exit code 2.
    Load(LoadError),
    /// The command line asks for something impossible: exit code 2.
    Usage(String),
    /// Anything else (writing files, shards): exit code 1.
    Other(String),
    /// Stdout was closed (`| head`): not an error, exit code 0.
    BrokenPipe,
}

impl From<LoadError> for CliError {
    fn from(e: LoadError) -> Self {
        CliError::Load(e)
    }
}

impl From<OutputError> for CliError {
    fn from(e: OutputError) -> Self {
        CliError::Other(e.to_string())
    }
}

impl From<ReportError> for CliError {
    fn from(e: ReportError) -> Self {
        CliError::Other(e.to_string())
    }
}

impl From<std::io::Error> for CliError {
    fn from(e: std::io::Error) -> Self {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            CliError::BrokenPipe
        } else {
            CliError::Other(format!("cannot write output: {e}"))
        }
    }
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
            let color = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
            eprint!("{}", e.render(color));
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

fn load(path: &Path, common: Option<&Common>) -> Result<Model, CliError> {
    Ok(load_timed(path, common)?.0)
}

/// [`load`], with the seconds spent reading, parsing, and checking and compiling.
fn load_timed(path: &Path, common: Option<&Common>) -> Result<(Model, [f64; 3]), CliError> {
    let Loaded {
        mut models,
        seconds,
        ..
    } = load_all(path, common)?;
    let k = strategy_index(path, &models, common)?;
    Ok((models.swap_remove(k), seconds))
}

/// Which of `models` `--strategy` names (0, the baseline, without it).
fn strategy_index(
    path: &Path,
    models: &[Model],
    common: Option<&Common>,
) -> Result<usize, CliError> {
    let Some(name) = common.and_then(|c| c.strategy.as_deref()) else {
        return Ok(0);
    };
    models
        .iter()
        .position(|m| m.strategy == name)
        .ok_or_else(|| {
            let names: Vec<&str> = models.iter().map(|m| m.strategy.as_str()).collect();
            CliError::Usage(format!(
                "{}: no strategy named `{name}`; it has: {}",
                path.display(),
                names.join(", ")
            ))
        })
}

/// A scenario file, loaded.
struct Loaded {
    text: String,
    assumptions: Vec<String>,
    /// The baseline and every strategy, with command-line overrides applied.
    models: Vec<Model>,
    /// Seconds spent reading, parsing, and checking and compiling (for `--stats`).
    seconds: [f64; 3],
}

fn read(path: &Path) -> Result<String, LoadError> {
    std::fs::read_to_string(path).map_err(|source| LoadError::Io {
        file: path.to_string_lossy().into_owned(),
        source,
    })
}

/// Applies `--horizon` and `--max-events`.
fn adjust(m: &mut Model, common: Option<&Common>) {
    if let Some(c) = common {
        if let Some(h) = c.horizon {
            m.horizon = h;
        }
        if let Some(e) = c.max_events {
            m.max_events = e;
        }
    }
}

fn load_all(path: &Path, common: Option<&Common>) -> Result<Loaded, LoadError> {
    let started = Instant::now();
    let text = read(path)?;
    let read_s = started.elapsed().as_secs_f64();
    let file = path.to_string_lossy();
    let sc = validate::parse(&file, &text)?;
    let parse_s = started.elapsed().as_secs_f64() - read_s;
    let mut models = validate::compile_parsed(&file, &text, &sc)?;
    let compile_s = started.elapsed().as_secs_f64() - read_s - parse_s;
    for m in &mut models {
        adjust(m, common);
    }
    Ok(Loaded {
        text,
        assumptions: sc.assumptions,
        models,
        seconds: [read_s, parse_s, compile_s],
    })
}

fn threads(t: Option<usize>) -> usize {
    t.filter(|&t| t > 0)
        .unwrap_or_else(rayon::current_num_threads)
}

/// The command line as typed, with `extra` flags appended when they were left to the
/// scenario's defaults, so the line reproduces the result exactly.
fn command_line(extra: &[(&str, String)]) -> String {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    for (flag, value) in extra {
        let given = args
            .iter()
            .any(|a| a == flag || a.starts_with(&format!("{flag}=")));
        if !given {
            args.push(flag.to_string());
            args.push(value.clone());
        }
    }
    let mut line = String::from("faultline");
    for a in args {
        line.push(' ');
        line.push_str(&shell_quote(&a));
    }
    line
}

fn shell_quote(a: &str) -> String {
    let plain = !a.is_empty()
        && a.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./=:,+@%".contains(c));
    if plain {
        a.to_string()
    } else {
        format!("'{}'", a.replace('\'', r"'\''"))
    }
}

/// Tells which files were written (stderr; not with `--quiet`).
fn announce(files: &[PathBuf], quiet: bool) {
    if quiet || files.is_empty() {
        return;
    }
    let dir = files[0].parent().unwrap_or(Path::new("."));
    let names: Vec<String> = files
        .iter()
        .map(|f| {
            f.file_name()
                .map_or(String::new(), |n| n.to_string_lossy().into_owned())
        })
        .collect();
    eprintln!("wrote {}/: {}", dir.display(), names.join(", "));
}

fn execute(cli: Cli) -> Result<(), CliError> {
    let mut out = std::io::stdout().lock();
    match cli.command {
        Command::Validate { scenario, all } => {
            let m = load(&scenario, None)?;
            writeln!(out, "{}", validation_summary(&m, all))?;
        }
        Command::Gen {
            components,
            seed,
            profile,
        } => {
            let text = r#gen::scenario_text(components as usize, seed, profile);
            out.write_all(text.as_bytes())?;
        }
        Command::Merge {
            shards,
            json,
            files,
            quiet,
        } => {
            let (h, models, summaries) =
                shard::merge(&shards).map_err(|e| CliError::Usage(e.to_string()))?;
            let j = json::summary_json_all(&models, &summaries, h.seed);
            if json {
                let text =
                    serde_json::to_string_pretty(&j).map_err(|e| CliError::Other(e.to_string()))?;
                writeln!(out, "{text}")?;
            } else if h.command == "compare" {
                out.write_all(tables::render_compare(&j, 0.0, 0).as_bytes())?;
            } else {
                out.write_all(tables::render(&models[0], &j, 0.0, 0).as_bytes())?;
            }
            out.flush()?;
            if h.command == "compare" {
                // The same charts and report as the unsharded compare, from the same numbers.
                let assumptions = validate::parse(&h.file, &h.text)
                    .map(|s| s.assumptions)
                    .unwrap_or_default();
                let command = format!(
                    "faultline compare {} --runs {} --seed {}",
                    h.file, h.runs, h.seed
                );
                let spofs = analysis::spofs(&models[0]);
                let inputs = html::Inputs {
                    model: &models[0],
                    assumptions: &assumptions,
                    summary: &j,
                    spofs: &spofs,
                    charts: &[],
                    command: &command,
                    scenario_hash: stable_hash(&[&h.text]),
                };
                let written =
                    html::write_compare(&files.dir(&models[0].name), &summaries, &inputs)?;
                announce(&written, quiet);
            }
        }
        Command::Graph { scenario } => {
            let m = load(&scenario, None)?;
            let spofs = analysis::spofs(&m);
            out.write_all(dot::to_dot(&m, &spofs.indices()).as_bytes())?;
        }
        Command::Trace { common, files, run } => {
            let models = load_all(&common.scenario, Some(&common))?.models;
            let k = strategy_index(&common.scenario, &models, Some(&common))?;
            let m = &models[k];
            let seed = common.seed.unwrap_or(m.seed);
            let t = faultline_report::trace::record(m, seed, run);
            out.write_all(t.render(m).as_bytes())?;
            out.flush()?;
            let command = command_line(&[("--run", run.to_string()), ("--seed", seed.to_string())]);
            let dir = files.dir(&m.name);
            let written = postmortem::write_trace(&dir, &models, k, seed, &t, &command)?;
            announce(&written, common.quiet);
        }
        Command::Compare {
            common,
            files,
            effort: Effort { runs, threads: t },
            json,
            sharding,
        } => {
            if common.strategy.is_some() {
                return Err(CliError::Usage(
                    "compare runs every strategy; --strategy is for run and trace".into(),
                ));
            }
            let loaded = load_all(&common.scenario, Some(&common))?;
            let models = &loaded.models;
            let seed = common.seed.unwrap_or(models[0].seed);
            let runs = runs.unwrap_or(models[0].runs);
            if let Some(ix) = shard_of(&sharding)? {
                return write_shard(&common, &sharding, "compare", models, seed, runs, t, ix);
            }
            let threads = threads(t);
            let started = Instant::now();
            let study = Study::whole(seed, runs, threads);
            let bar = Progress::runs(runs, "comparing", common.quiet);
            let summaries = montecarlo::run_all(models, study, &|n| bar.set(n));
            bar.finish();
            let elapsed = started.elapsed().as_secs_f64();
            let j = json::summary_json_all(models, &summaries, seed);
            if json {
                let text =
                    serde_json::to_string_pretty(&j).map_err(|e| CliError::Other(e.to_string()))?;
                writeln!(out, "{text}")?;
            } else {
                if models.len() == 1 && !common.quiet {
                    eprintln!(
                        "note: {} declares no strategies; showing the baseline alone",
                        common.scenario.display()
                    );
                }
                out.write_all(tables::render_compare(&j, elapsed, threads).as_bytes())?;
            }
            out.flush()?;
            let command =
                command_line(&[("--runs", runs.to_string()), ("--seed", seed.to_string())]);
            let spofs = analysis::spofs(&models[0]);
            let inputs = html::Inputs {
                model: &models[0],
                assumptions: &loaded.assumptions,
                summary: &j,
                spofs: &spofs,
                charts: &[],
                command: &command,
                scenario_hash: stable_hash(&[&loaded.text]),
            };
            let written = html::write_compare(&files.dir(&models[0].name), &summaries, &inputs)?;
            announce(&written, common.quiet);
        }
        Command::Sweep {
            common,
            files,
            set,
            metric,
            effort: Effort { runs, threads: t },
            json,
        } => {
            if common.strategy.is_some() {
                return Err(CliError::Usage(
                    "sweep runs every strategy; --strategy is for run and trace".into(),
                ));
            }
            let text = read(&common.scenario)?;
            let file = common.scenario.to_string_lossy();
            let per_value = edit::load_all(&file, &text, &set, &|m| adjust(m, Some(&common)))?;
            let first = &per_value[0][0];
            let seed = common.seed.unwrap_or(first.seed);
            let runs = runs.unwrap_or(first.runs);
            let study = Study::whole(seed, runs, threads(t));
            let total = runs * set.values.len() as u64;
            let bar = Progress::runs(
                total,
                &format!("{} = {}", set.path_text, set.values[0]),
                common.quiet,
            );
            let label = |n: u64| {
                let k = ((n / runs) as usize).min(set.values.len() - 1);
                bar.label(&format!("{} = {}", set.path_text, set.values[k]));
                bar.set(n);
            };
            let sw = sweep::run(&set, &per_value, metric, study, &label);
            bar.finish();
            let j = serde_json::to_string_pretty(&sw).map_err(|e| CliError::Other(e.to_string()))?;
            if json {
                writeln!(out, "{j}")?;
            } else {
                out.write_all(sw.render().as_bytes())?;
            }
            out.flush()?;
            let dir = files.dir(&first.name);
            let mut written = charts::sweep(&sw).map_err(ReportError::from)?.write(&dir)?;
            written.push(output::save(
                &dir.join("sweep.json"),
                format!("{j}\n").as_bytes(),
            )?);
            announce(&written, common.quiet);
        }
        Command::Run {
            common,
            effort: Effort { runs, threads: t },
            json,
            stats,
            sharding,
        } => {
            let (m, [read_s, parse_s, compile_s]) = load_timed(&common.scenario, Some(&common))?;
            let seed = common.seed.unwrap_or(m.seed);
            let runs = runs.unwrap_or(m.runs);
            if let Some(ix) = shard_of(&sharding)? {
                return write_shard(
                    &common,
                    &sharding,
                    "run",
                    std::slice::from_ref(&m),
                    seed,
                    runs,
                    t,
                    ix,
                );
            }
            let threads = threads(t);
            let started = Instant::now();
            let study = Study::whole(seed, runs, threads);
            let bar = Progress::runs(runs, "simulating", common.quiet);
            let summary = montecarlo::run(&m, study, &|n| bar.set(n));
            bar.finish();
            let elapsed = started.elapsed().as_secs_f64();
            let j = json::summary_json(&m, &summary, seed);
            if json {
                let text =
                    serde_json::to_string_pretty(&j).map_err(|e| CliError::Other(e.to_string()))?;
                writeln!(out, "{text}")?;
            } else {
                out.write_all(tables::render(&m, &j, elapsed, threads).as_bytes())?;
            }
            if stats {
                eprintln!(
                    "stats: loaded in {:.3}s (read {:.3}s, parse {:.3}s, check and compile {:.3}s)",
                    read_s + parse_s + compile_s,
                    read_s,
                    parse_s,
                    compile_s
                );
                eprintln!(
                    "stats: {} runs, {} events in {:.3}s ({:.0} events/s, {:.0} runs/s), {:.1} component evaluations per event, peak pending events {}, peak memory {}",
                    summary.runs,
                    summary.events,
                    elapsed,
                    summary.events as f64 / elapsed,
                    summary.runs as f64 / elapsed,
                    summary.evaluations as f64 / summary.events.max(1) as f64,
                    summary.peak_pending,
                    peak_memory().map_or("n/a".to_string(), |kib| format!("{} KiB", kib))
                );
            }
            if summary.unsettled_runs > 0 && !common.quiet {
                eprintln!(
                    "warning: in {} run(s) propagation did not settle (an unstable loop of Load and Requires edges)",
                    summary.unsettled_runs
                );
            }
        }
    }
    out.flush()?;
    Ok(())
}

/// This process's shard, from the flag or the scheduler's environment.
fn shard_of(s: &Sharding) -> Result<Option<(u64, u64)>, CliError> {
    shard::which(s.shard.as_deref(), s.shards, &|k| std::env::var(k).ok()).map_err(CliError::Usage)
}

/// Simulates this shard's runs and writes its shard file.
#[allow(clippy::too_many_arguments)]
fn write_shard(
    common: &Common,
    sharding: &Sharding,
    command: &str,
    models: &[Model],
    seed: u64,
    runs: u64,
    threads: Option<usize>,
    (i, n): (u64, u64),
) -> Result<(), CliError> {
    let file = common.scenario.to_string_lossy().to_string();
    let text = std::fs::read_to_string(&common.scenario)
        .map_err(|e| CliError::Other(format!("{file}: {e}")))?;
    let (first, end) = shard::range(runs, i, n);
    let header = shard::Header {
        format: shard::FORMAT,
        version: env!("CARGO_PKG_VERSION").to_string(),
        command: command.to_string(),
        hash: shard::hash(
            &text,
            common.horizon,
            common.max_events,
            common.strategy.as_deref(),
        ),
        file,
        text,
        horizon: common.horizon,
        max_events: common.max_events,
        strategy: common.strategy.clone(),
        seed,
        runs,
        shard: i,
        of: n,
        first,
        end,
    };
    let path = sharding.shard_file.clone().unwrap_or_else(|| {
        PathBuf::from("output")
            .join(&models[0].name)
            .join(format!("shard-{i}-of-{n}.jsonl"))
    });
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .map_err(|e| CliError::Other(format!("{}: {e}", dir.display())))?;
    }
    let threads = threads
        .filter(|&t| t > 0)
        .unwrap_or_else(rayon::current_num_threads);
    shard::write(&path, &header, models, threads).map_err(|e| CliError::Other(e.to_string()))?;
    eprintln!(
        "shard {i}/{n}: runs {first}..{end} of {runs} written to {}",
        path.display()
    );
    Ok(())
}

/// How many single points of failure `validate` lists without `--all`.
const SPOFS_SHOWN: usize = 40;

/// What `validate` prints for a valid scenario: its size and its single points of failure
/// (with `all` false, a model with more than 40 (`SPOFS_SHOWN`) lists those that fail the most
/// services).
pub fn validation_summary(m: &Model, all: bool) -> String {
    let spofs = analysis::spofs(m);
    let mut s = format!(
        "{}: valid — {} components, {} dependency edges, {} fault modes, {} common-cause faults, {} services, horizon {}",
        m.name,
        m.comps.len(),
        m.edges.len(),
        m.slots.len(),
        m.common.len(),
        m.services.len(),
        human(m.horizon)
    );
    if spofs.components.is_empty() {
        s.push_str("\nNo single point of failure: every component is covered by redundancy.");
    } else {
        let mut shown: Vec<&analysis::Spof> = spofs.components.iter().collect();
        let more = shown.len().saturating_sub(SPOFS_SHOWN);
        if all || more == 0 {
            s.push_str("\nSingle points of failure (each alone fails a service):");
        } else {
            // A large model has thousands: the ones that fail the most services first.
            shown.sort_by_key(|sp| std::cmp::Reverse(sp.services.len()));
            shown.truncate(SPOFS_SHOWN);
            s.push_str(&format!(
                "\nSingle points of failure (each alone fails a service): {}; the {SPOFS_SHOWN} that fail the most services:",
                thousands(spofs.components.len() as f64)
            ));
        }
        for sp in shown {
            let names: Vec<&str> = sp
                .services
                .iter()
                .map(|&x| m.comps[x as usize].id.as_str())
                .collect();
            let note = if sp.can_fail {
                ""
            } else {
                " (no fault modes declared)"
            };
            s.push_str(&format!(
                "\n  - {} → {}{note}",
                m.comps[sp.index as usize].id,
                names.join(", ")
            ));
        }
        if !all && more > 0 {
            s.push_str(&format!(
                "\n  … and {} more (`--all` lists every one)",
                thousands(more as f64)
            ));
        }
    }
    for sp in &spofs.common {
        let names: Vec<&str> = sp
            .services
            .iter()
            .map(|&x| m.comps[x as usize].id.as_str())
            .collect();
        s.push_str(&format!(
            "\nCommon-cause fault `{}` defeats redundancy: it alone fails {}",
            m.common[sp.index as usize].name,
            names.join(", ")
        ));
    }
    s
}

/// Peak resident memory of this process in KiB (Linux: VmHWM), if the OS tells.
fn peak_memory() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}
