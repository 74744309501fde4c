//! The command line's grammar: every command, flag, default and help text, defined once
//! with clap.
//!
//! Nothing here runs anything; [`super::execute`] hands each parsed [`Command`] to its
//! function in [`super::commands`].

use clap::builder::TypedValueParser;
use clap::{Args, Parser, Subcommand};
use faultline_report::output;
use faultline_report::sweep::Metric;
use faultline_report::tables::Layout;
use faultline_scenario::edit::{self, Setting};
use faultline_scenario::r#gen::Profile;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

/// faultline: see how a fault turns into an outage, and which mitigation wins.
///
/// A scenario file (RON) describes components, their faults, how they depend on each other
/// and which of them users see. faultline simulates fault → error → failure propagation in a
/// discrete-event engine, many times over (Monte Carlo), and reports availability, downtime,
/// users affected and the root faults behind failures.
#[derive(Parser, Debug)]
#[command(name = "faultline", version = VERSION, propagate_version = true, after_help = EXAMPLES)]
pub struct Cli {
    #[command(subcommand)]
    pub(crate) command: Command,
}

/// `--version`: the release and the commit it was built from (see src/build.rs).
pub(crate) const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (",
    env!("FAULTLINE_COMMIT"),
    ")"
);

/// The exit codes, at the end of every command's help.
macro_rules! exit_codes {
    () => {
        "Exit codes:
  0    success (a trace whose service fails is a result, not an error)
  1    an output could not be written (disk full, read-only folder) or another I/O error
  2    invalid scenario, flag or shard: the message says where
  130  interrupted (Ctrl-C, SIGTERM, SIGHUP): files being written are removed"
    };
}

const EXAMPLES: &str = concat!(
    "Examples:
  faultline validate scenarios/substation.ron
  faultline trace scenarios/substation.ron --run 3
  faultline run scenarios/substation.ron --runs 10000
  faultline run scenarios/substation.ron --json > summary.json
  faultline compare scenarios/substation.ron      # + output/substation/compare/report.html
  faultline sweep scenarios/substation.ron --set 'strategies[1].mitigations[0].deploy=1d..9d:5'
  faultline graph scenarios/substation.ron | dot -Tsvg > graph.svg

Files (charts as SVG and PNG, report.html, postmortem.md, sweep.json) go to a folder
per scenario file and command, output/<file stem>/<command>/ (compare, trace-run3,
trace-run3-<strategy>, sweep-<path>-<metric>), or to --out DIR; every command prints
the files it wrote; set FAULTLINE_OUTPUT to move the default root.

Shell completions: faultline completions bash|zsh|fish|elvish|powershell
Manual pages: faultline man [COMMAND] | man -l -

",
    exit_codes!()
);

const ATTACK_HELP: &str = concat!(
    "Examples:
  faultline attack scenarios/substation.ron              # N-1: each target alone
  faultline attack scenarios/substation.ron --k 2        # N-2: every pair
  faultline attack scenarios/substation.ron --k 2 --at 1d --at 30d --runs 2000
  faultline attack scenarios/substation.ron --k 2 --json > attacks.json
  faultline attack estate.ron --k 2 --beam 10 --runs 40   # too many pairs to try them all
  faultline attack scenarios/shuttle.ron --during ascent  # the worst moment of a mission

",
    exit_codes!()
);

const IMPORTANCE_HELP: &str = concat!(
    "Examples:
  faultline importance scenarios/cooling.ron
  faultline importance scenarios/substation.ron --runs 2000 --json > worth.json

",
    exit_codes!()
);

const COMPARE_HELP: &str = concat!(
    "Examples:
  faultline compare scenarios/substation.ron
  faultline compare scenarios/substation.ron --runs 2000 --out /tmp/sub
  faultline compare scenarios/substation.ron --json > compare.json
  faultline compare scenarios/substation.ron --per-run runs.csv   # a row per run and strategy

Writes into output/<file stem>/compare/ (or --out DIR):
  report.html         self-contained report: verdict, ranking, charts, SPOFs, how to reproduce
  cost.svg/.png       expected cost per strategy with 95% CI whiskers, baseline dashed
  downtime.svg/.png   distribution of downtime per run (CDF, log time axis), per strategy
  queue-<id>.svg/.png for each job queue: jobs waiting over time, median line and
                      10–90% band per strategy

",
    exit_codes!()
);

const EXPLORE_HELP: &str = concat!(
    "Examples:
  faultline explore scenarios/substation.ron --run 3 --strategy mobile-transformer
  faultline explore scenarios/substation.ron --worst --strategy all
  faultline explore scenarios/job-queue.ron --median

Writes one self-contained page (open it from disk: no network, no server) into
output/<file stem>/explore/run<K>.html (or --out DIR) and prints its path. The page
plays the run on the dependency graph: components coloured by state, errors travelling
the edges they cross, groups masking them, services turning red, the responders'
milestones on the time axis, a queue's backlog under its box; the trace beside it,
synced both ways (click a line to go there). Space plays and pauses; the arrow keys step
from event to event; the wheel zooms and dragging pans. Each --strategy adds a tab: the
same run, the same faults, under that strategy.

",
    exit_codes!()
);

const DRILL_HELP: &str = concat!(
    "Examples:
  faultline drill scenarios/substation.ron --run 3
  faultline drill scenarios/amazon-outage.ron --run 0

Writes one self-contained page into output/<file stem>/drill/run<K>.html (or --out DIR)
and prints its path. You are paged: acknowledge (2 simulated minutes), click components
to look at them (10 minutes a look: grey boxes are what you have not seen; services show
what users see), say when you know what is broken (you must have found a component with
a fault of its own, not only its errors), or hand off to a colleague of the scenario's,
with your notes or without, then pick a mitigation among the scenario's strategies or
none. The postmortem compares your run (your acknowledgement and diagnosis times or
hand-off, your choice) with the same strategy as the scenario models its people and with
the best strategy on the same faults. Every reachable outcome is simulated when the page
is written: the page runs offline.

",
    exit_codes!()
);

const TRACE_HELP: &str = concat!(
    "Examples:
  faultline trace scenarios/substation.ron --run 3
  faultline trace scenarios/substation.ron --run 3 --strategy mobile-transformer
  faultline trace scenarios/substation.ron --run 3 --json > run3.json

Writes into output/<file stem>/trace-run<K>[-<strategy>]/ (or --out DIR), so that
traces of other runs and strategies are kept:
  postmortem.md       summary, impact, timeline, root fault and path, what went well, what
                      slowed us, and the strategies that did better on this very run
  timeline.svg/.png   the run as a lane per component coloured by state, with its longest
                      outage step by step (fault, detection, acknowledgement, diagnosis,
                      mitigation, repair)
  queue-<id>-run.svg/.png  for each job queue: this run's backlog and time in system

",
    exit_codes!()
);

const SWEEP_HELP: &str = concat!("PATH names a value in the scenario file, as diagnostics print paths: fields
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

Prints a table (one row per value) and writes sweep.svg/.png, sweep.json and sweep.csv into the
output/<file stem>/sweep-<path>-<metric>/ (or --out DIR).

", exit_codes!());

const VALIDATE_HELP: &str = concat!(
    "Examples:
  faultline validate scenarios/substation.ron
  faultline validate my-scenario.ron --deny-warnings     # in CI: warnings fail too
  faultline validate scenarios/amazon-outage.ron --all   # every single point of failure
  faultline validate my-scenario.ron --json              # problems, warnings, SPOFs as JSON

",
    exit_codes!()
);

const ANALYZE_HELP: &str = concat!(
    "Examples:
  faultline analyze scenarios/pumps.xml                      # probability, cut sets, importance
  faultline analyze model.xml basic-events.xml --max-order 3 # a model in two files
  faultline analyze scenarios/pumps.xml --json               # everything, every cut set
  faultline analyze hecs.dft --time 1                        # P(failed by t = 1), MTTF
  faultline analyze scenarios/quorum.ron                     # a scenario's static structure

Semantics: docs/fault-trees.md. Checked against SCRAM: docs/validation.md.

",
    exit_codes!()
);

const IMPORT_HELP: &str = concat!(
    "Examples:
  faultline import scenarios/pumps.xml                  # print the scenario
  faultline import model.xml basic-events.xml -o model.ron
  faultline run scenarios/pumps.xml --runs 100000       # any command takes one .xml or .dft

",
    exit_codes!()
);

const EXPORT_HELP: &str = concat!(
    "Examples:
  faultline export scenarios/pumps.xml --mef            # a round trip: the same tree
  faultline export my-scenario.ron --mef -o tree.xml
  scram tree.xml --probability true                     # checked by SCRAM

",
    exit_codes!()
);

const RUN_HELP: &str = concat!(
    "Examples:
  faultline run scenarios/substation.ron
  faultline run scenarios/substation.ron --runs 100000 --seed 7
  faultline run scenarios/substation.ron --strategy mobile-transformer --all
  faultline run scenarios/substation.ron --json > summary.json
  faultline run scenarios/substation.ron --shard 0/4     # one shard of four (see merge)
  faultline run scenarios/protection.ron --rare --exact  # a failure too rare for plain runs

Prints availability, downtime, failures and users affected per service, the root faults
behind failures and the components least often healthy, and per phase, latent faults
(with how often each part would fail if called on) and the people in the loop (diagnosis,
fatigue, longest shift, procedures that slipped) when the scenario has them; writes no
files (but a shard, or the --per-run CSV).

With --rare it estimates one figure instead, P(some service fails within the horizon), by
splitting histories at 1, 2, ... faults present: a one-in-a-billion failure takes seconds,
and it prints what plain runs would have needed for the same relative error.

",
    exit_codes!()
);

const GRAPH_HELP: &str = concat!(
    "Examples:
  faultline graph scenarios/substation.ron | dot -Tsvg > graph.svg
  faultline graph scenarios/storefront.ron > storefront.dot

Single points of failure are filled red; groups and voters are 3-D boxes with \"k of n\"
and dotted edges to their members; services are double octagons with their SLO and users;
Requires edges are solid, Degrades edges dashed with their factor.

",
    exit_codes!()
);

const MERGE_HELP: &str = concat!(
    "Examples:
  faultline compare scenarios/substation.ron --shard 0/2
  faultline compare scenarios/substation.ron --shard 1/2
  faultline merge output/substation/shard-*-of-2.jsonl
  faultline merge shards/*.jsonl --json > compare.json

The merged result (tables, JSON, report and charts) is byte for byte what one unsharded
run prints. docs/cluster.md shows Slurm and Kubernetes scripts.

",
    exit_codes!()
);

const GEN_HELP: &str = concat!(
    "Examples:
  faultline gen 1000 > estate.ron && faultline run estate.ron
  faultline gen 100000 --profile stress --seed 2 > big.ron

",
    exit_codes!()
);

const COMPLETIONS_HELP: &str = concat!(
    "Examples:
  faultline completions bash > ~/.local/share/bash-completion/completions/faultline
  faultline completions zsh > ~/.zfunc/_faultline      # with fpath+=~/.zfunc
  faultline completions fish > ~/.config/fish/completions/faultline.fish

",
    exit_codes!()
);

const MAN_HELP: &str = concat!(
    "Examples:
  faultline man | man -l -
  faultline man compare | man -l -
  faultline man sweep > faultline-sweep.1

",
    exit_codes!()
);

/// The subcommands, each with its own flags; [`super::execute`] hands each to its function
/// in [`super::commands`].
#[derive(Subcommand, Debug)]
pub(crate) enum Command {
    /// Check a scenario and list its single points of failure.
    ///
    /// Every problem is reported at once, each with file:line:column and a caret under the
    /// offending text. Exit code 2 when the scenario is invalid.
    #[command(after_long_help = VALIDATE_HELP)]
    Validate {
        /// The scenario file (RON).
        scenario: PathBuf,
        /// List every single point of failure (a model with more than 40 lists the 40 that
        /// fail the most services, and says how many more there are).
        #[arg(long)]
        all: bool,
        /// Treat warnings (a model that cannot do what it says) as errors: exit 2.
        #[arg(long)]
        deny_warnings: bool,
        /// Print one JSON document on stdout instead: counts, problems (file, line, column),
        /// warnings and every single point of failure; the exit code is as without it.
        #[arg(long)]
        json: bool,
    },
    /// Simulate many runs in parallel and summarise them (Monte Carlo).
    ///
    /// Results are byte-identical for the same scenario and seed whatever the thread count.
    #[command(after_long_help = RUN_HELP)]
    Run {
        #[command(flatten)]
        common: Common,
        #[command(flatten)]
        pick: Pick,
        #[command(flatten)]
        effort: Effort,
        #[command(flatten)]
        print: Print,
        /// Print every row of the tables that stop at 10 (root faults, components least
        /// often healthy).
        #[arg(long)]
        all: bool,
        /// Also print statistics on stderr: time to read, parse and compile the scenario;
        /// events, events/s, component evaluations per event, peak pending events, peak
        /// memory.
        #[arg(long)]
        stats: bool,
        /// Also print each service's exact probability of failing by the horizon beside
        /// the simulated one, where the scenario has one: a static structure and nothing
        /// repaired (a fault tree imported from MEF or Galileo, or a scenario like it).
        #[arg(long)]
        exact: bool,
        #[command(flatten)]
        rare: Rare,
        #[command(flatten)]
        sharding: Sharding,
        /// Also write one CSV row per run (for pandas, R): downtime, failures, cost,
        /// user-minutes, MTTD, MTTR... (only `run` and `compare` have this flag).
        #[arg(long, value_name = "FILE.csv")]
        per_run: Option<PathBuf>,
        /// Also write each queue's time series as CSV: per slice of the run (48 over the
        /// horizon), goodput, attempts per job, latency and backlog, mean and p10/p50/p90
        /// across runs (only `run` and `compare` have this flag).
        #[arg(long, value_name = "FILE.csv")]
        series: Option<PathBuf>,
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
        #[command(flatten)]
        print: Print,
        #[command(flatten)]
        sharding: Sharding,
        /// Also write one CSV row per run and strategy (for pandas, R): downtime, failures,
        /// cost, user-minutes, MTTD, MTTR... (only `run` and `compare` have this flag).
        #[arg(long, value_name = "FILE.csv")]
        per_run: Option<PathBuf>,
        /// Also write each queue's time series as CSV, per strategy: per slice of the run
        /// (48 over the horizon), goodput, attempts per job, latency and backlog, mean and
        /// p10/p50/p90 across runs (only `run` and `compare` have this flag).
        #[arg(long, value_name = "FILE.csv")]
        series: Option<PathBuf>,
        /// Also measure what each component and response parameter is worth a year (as
        /// `faultline importance` does, on the same runs) and add "Where to invest" to the
        /// report: tornado charts and the ranked tables. Runs about two variants per
        /// component more.
        #[arg(long)]
        importance: bool,
    },
    /// Watch one run in the browser: write a page that plays it on the dependency graph,
    /// with the trace beside it and the same run under other strategies.
    #[command(after_long_help = EXPLORE_HELP)]
    Explore {
        #[command(flatten)]
        common: Common,
        #[command(flatten)]
        files: Files,
        /// Which run to show (run k has the same faults as in `run` and `trace`)
        /// [default: 0].
        #[arg(long, conflicts_with_all = ["worst", "median"])]
        run: Option<u64>,
        /// Show the baseline's most expensive run of --runs (ties: the first).
        #[arg(long, conflicts_with = "median")]
        worst: bool,
        /// Show the baseline's median run by cost of --runs.
        #[arg(long)]
        median: bool,
        /// Runs to choose the worst or median among [default: the scenario's `runs`].
        #[arg(long, conflicts_with = "run", value_parser = clap::value_parser!(u64).range(1..))]
        runs: Option<u64>,
        /// Also show the same run under this strategy (repeat it for more, or `all`).
        #[arg(long = "strategy", value_name = "NAME")]
        strategies: Vec<String>,
    },
    /// Be on call for one run, in the browser: a page that plays the run to the first page,
    /// lets you acknowledge, look, say what is broken or hand off (with notes or without)
    /// and pick a mitigation, then shows the postmortem of your own run.
    #[command(after_long_help = DRILL_HELP)]
    Drill {
        #[command(flatten)]
        common: Common,
        #[command(flatten)]
        files: Files,
        /// Which run to play (run k has the same faults as in `run` and `trace`).
        #[arg(long, default_value_t = 0)]
        run: u64,
    },
    /// Narrate one run: every fault, error, masking, failure and repair, then a postmortem;
    /// write postmortem.md and a timeline chart.
    #[command(after_long_help = TRACE_HELP)]
    Trace {
        #[command(flatten)]
        common: Common,
        #[command(flatten)]
        pick: Pick,
        #[command(flatten)]
        files: Files,
        /// Which run to narrate (run k of a study has the same faults as in `run`).
        #[arg(long, default_value_t = 0)]
        run: u64,
        /// Print the run's events as JSON on stdout instead of the narration (the files
        /// are written all the same).
        #[arg(long)]
        json: bool,
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
        #[command(flatten)]
        print: Print,
    },
    /// Find the attacks that hurt most: every set of K components (or common causes)
    /// lost together, ranked by the cost they add once repair, response and mitigations
    /// play out; then which strategy defends best against the worst of them.
    ///
    /// Each attacked scenario runs on the same runs as the unattacked one (common random
    /// numbers), so the added cost and downtime are paired differences with 95% intervals.
    /// A target is a component struck by its first Crash fault mode (destroyed and
    /// repaired as that fault is), or without one by its first other mode (a load burst, a
    /// slowdown: named component/mode), or a common cause. The search tries every set,
    /// or with --beam grows sets from the most damaging ones (a heuristic, said as such).
    #[command(after_long_help = ATTACK_HELP)]
    Attack {
        #[command(flatten)]
        common: Common,
        /// How many targets are lost together (1: the N-1 table; 2: every pair).
        #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u64).range(1..=4))]
        k: u64,
        /// When the attack happens, e.g. 3d; give it several times to keep each attack's
        /// worst [default: a tenth of the horizon].
        #[arg(long, value_name = "TIME", value_parser = parse_at)]
        at: Vec<f64>,
        /// Attack during this operating phase: at its start and a quarter, half and three
        /// quarters through its first occurrence in the planned timeline, keeping each
        /// attack's worst (with --at, those times too).
        #[arg(long, value_name = "PHASE")]
        during: Option<String>,
        /// Rows of the ranking to print (--json has them all).
        #[arg(long, default_value_t = 10)]
        top: usize,
        /// How many of the worst attacks get every strategy run against them.
        #[arg(long, default_value_t = 3)]
        defend: usize,
        /// The most attacked models one search may simulate (sets × attack times).
        #[arg(long, default_value_t = 2000)]
        limit: usize,
        /// Search with a beam of this width instead of every set: every single target,
        /// then sets grown one target at a time from the W most damaging (and, for pairs,
        /// every two members of one group). A heuristic: it may miss the worst set.
        #[arg(long, value_name = "W", value_parser = clap::value_parser!(u64).range(1..))]
        beam: Option<u64>,
        #[command(flatten)]
        effort: Effort,
        #[command(flatten)]
        print: Print,
    },
    /// Where the next dollar goes: what each component and each response parameter is
    /// worth a year, on the same runs as the scenario.
    ///
    /// A perfect component's own fault modes never happen; an always-failed one crashes at
    /// the start (its first Crash mode) and is never repaired: the money versions of risk
    /// reduction worth (RRW) and risk achievement worth (RAW). Each response parameter
    /// (acknowledge, diagnose, alert delays, runbook, responders, and each strategy's spare
    /// deploy and failover delays, in that strategy) is improved by 10% and slipped by 10%:
    /// the saving a year and per unit, and the slip's cost. All paired run by run, with 95%
    /// intervals; a scenario without costs is measured in downtime. `compare --importance`
    /// puts the same in the report, with tornado charts.
    #[command(after_long_help = IMPORTANCE_HELP)]
    Importance {
        #[command(flatten)]
        common: Common,
        /// Rows printed (--json has them all).
        #[arg(long, default_value_t = 15)]
        top: usize,
        #[command(flatten)]
        effort: Effort,
        #[command(flatten)]
        print: Print,
    },
    /// Print the dependency graph as Graphviz DOT, single points of failure in red.
    #[command(after_long_help = GRAPH_HELP)]
    Graph {
        /// The scenario file (RON).
        scenario: PathBuf,
    },
    /// Analyse a fault tree exactly: top-event probability, minimal cut sets, importance.
    ///
    /// Reads Open-PSA MEF models (.xml; a model split over several files is given as all
    /// of them) and Galileo dynamic fault trees (.dft). The top-event probability is exact
    /// (a binary decision diagram); the cut sets are minimal (negative literals dropped, as
    /// fault-tree tools list them); the importance measures are SCRAM's (Birnbaum,
    /// criticality, Fussell-Vesely, RAW, RRW). A DFT is solved as a Markov chain with
    /// Storm's semantics: unreliability at --time and the mean time to failure. A scenario
    /// (.ron) is analysed as each service's static structure, with exact availability
    /// when every fault and repair is exponential.
    #[command(after_long_help = ANALYZE_HELP)]
    Analyze {
        /// The model: MEF files (.xml), one Galileo file (.dft), or a scenario (.ron: the
        /// static structure of each service, as `export --mef` writes it).
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// List only the cut sets of at most this many events.
        #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
        max_order: Option<u64>,
        /// The mission time in hours, for time-dependent probabilities (exponential, GLM,
        /// Weibull, periodic tests): a year by default, as in SCRAM.
        #[arg(long, value_name = "HOURS", default_value_t = 8760.0)]
        mission_time: f64,
        /// The top gate, when the model has several gates no other gate uses.
        #[arg(long, value_name = "GATE")]
        top: Option<String>,
        /// A DFT's time bound, in the unit of its failure rates: the unreliability is
        /// P(failed by then).
        #[arg(long, value_name = "T", default_value_t = 1.0)]
        time: f64,
        /// Largest Markov chain to build for a DFT, in states.
        #[arg(long, value_name = "N", default_value_t = MAX_STATES)]
        max_states: usize,
        #[command(flatten)]
        print: Print,
        /// Print every cut set and every event's importance (without it: the 10 most
        /// probable cut sets and the 10 most important events).
        #[arg(long)]
        all: bool,
    },
    /// Write a fault tree (Open-PSA MEF or Galileo) as a scenario.
    ///
    /// Basic events become components that fail once and are never repaired (at their
    /// rate, or at the start with their probability); gates become k-of-n groups; the top
    /// event is the service. The share of runs in which it fails is P(top) at the mission
    /// time, which `analyze` computes exactly. Every command also takes a single .xml or
    /// .dft file directly, imported with the defaults.
    #[command(after_long_help = IMPORT_HELP)]
    Import {
        /// The fault tree: MEF files (.xml) of one model, or one Galileo file (.dft).
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Write the scenario to this file instead of stdout.
        #[arg(long, short, value_name = "FILE.ron")]
        output: Option<PathBuf>,
        /// A MEF model's mission time in hours: the horizon, and the time of its
        /// time-dependent probabilities.
        #[arg(long, value_name = "HOURS", default_value_t = 8760.0)]
        mission_time: f64,
        /// A MEF model's top gate, when several gates are used by no other.
        #[arg(long, value_name = "GATE")]
        top: Option<String>,
        /// A Galileo DFT's horizon, in hours (its failure rates are read as per hour).
        #[arg(long, value_name = "HOURS", default_value_t = 1.0)]
        time: f64,
    },
    /// Write a scenario's static structure as an Open-PSA MEF fault tree.
    ///
    /// One top gate per service; a component is down when a crash fault or common cause
    /// strikes it, a component it requires is down, or its group or voter has too few
    /// members up. Each fault mode is a basic event: P(it happened by the horizon) when it
    /// is never repaired, its steady-state unavailability when it is. SCRAM or XFTA can
    /// then check it. Scenarios without a Boolean structure (degraded capacity, load,
    /// queues...) are refused with the reasons.
    #[command(after_long_help = EXPORT_HELP)]
    Export {
        /// The scenario file (RON).
        scenario: PathBuf,
        /// Write Open-PSA MEF (the only format so far).
        #[arg(long, required = true)]
        mef: bool,
        /// Write to this file instead of stdout.
        #[arg(long, short, value_name = "FILE.xml")]
        output: Option<PathBuf>,
    },
    /// Combine shard files (from `run`/`compare --shard i/N`) into the study's summary,
    /// byte for byte what one unsharded run prints.
    ///
    /// Refuses shards of different scenarios, versions or seeds, and reports runs that are
    /// missing or covered twice.
    #[command(after_long_help = MERGE_HELP)]
    Merge {
        /// The shard files, in any order.
        #[arg(required = true)]
        shards: Vec<PathBuf>,
        #[command(flatten)]
        print: Print,
        /// Print every row of the tables that stop at 10 (root faults, components least
        /// often healthy).
        #[arg(long)]
        all: bool,
        #[command(flatten)]
        files: Files,
        /// Print nothing but the result.
        #[arg(long, short)]
        quiet: bool,
    },
    /// Print a generated model of N components and 3N dependency edges (for scale tests).
    #[command(after_long_help = GEN_HELP)]
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
    /// Print a shell completion script (bash, zsh, fish, elvish or powershell).
    #[command(after_long_help = COMPLETIONS_HELP)]
    Completions {
        /// The shell to complete in.
        shell: clap_complete::Shell,
    },
    /// Print a manual page (roff), for faultline or one of its commands.
    #[command(after_long_help = MAN_HELP)]
    Man {
        /// The command whose page to print [default: faultline's own].
        command: Option<String>,
    },
}

/// How much simulating to do: shared by `run`, `compare` and `sweep`.
#[derive(Args, Debug)]
pub(crate) struct Effort {
    /// Number of runs (per value, for `sweep`) [default: the scenario's `runs`].
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..))]
    pub(crate) runs: Option<u64>,
    /// Worker threads [default: all cores].
    #[arg(long)]
    pub(crate) threads: Option<usize>,
}

/// `run --rare`: failures too rare for plain runs, by splitting.
#[derive(Args, Debug)]
pub(crate) struct Rare {
    /// Estimate P(some service fails within the horizon) by fixed-effort splitting, for
    /// failures too rare for plain runs (1e-9 in seconds): --runs histories per level in
    /// each replication [default: 100,000] (docs/rare-events.md).
    #[arg(long, conflicts_with_all = ["per_run", "series", "shard", "all"])]
    pub(crate) rare: bool,
    /// The fewest faults present at once that can fail a service; the levels are 1, 2,
    /// ..., K-1 faults present, then a failure [default: the smallest minimal cut set of
    /// the static structure].
    #[arg(long, value_name = "K", requires = "rare", value_parser = clap::value_parser!(u32).range(1..=64))]
    pub(crate) levels: Option<u32>,
    /// Independent replications of the splitting study; their spread gives the standard
    /// error.
    #[arg(long, value_name = "R", requires = "rare", default_value_t = 20, value_parser = clap::value_parser!(u32).range(2..=100_000))]
    pub(crate) replications: u32,
}

/// Splitting a study across processes or machines.
#[derive(Args, Debug)]
pub(crate) struct Sharding {
    /// Run only shard i of N (e.g. 0/4) and write a shard file instead of a summary.
    /// Without it, Slurm's SLURM_ARRAY_TASK_ID/SLURM_ARRAY_TASK_COUNT or Kubernetes'
    /// JOB_COMPLETION_INDEX (with --shards) are used when set.
    #[arg(long, value_name = "i/N")]
    pub(crate) shard: Option<String>,
    /// Number of shards, when the index comes from the environment.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub(crate) shards: Option<u64>,
    /// Where to write the shard file [default: output/<scenario>/shard-<i>-of-<N>.jsonl].
    #[arg(long, value_name = "PATH")]
    pub(crate) shard_file: Option<PathBuf>,
}

/// The flags of every command that simulates a scenario: which file, and the overrides of
/// its seed, horizon, event cap and strategy.
#[derive(Args, Debug)]
pub(crate) struct Common {
    /// The scenario file (RON).
    pub(crate) scenario: PathBuf,
    /// Master seed [default: the scenario's `seed`].
    #[arg(long)]
    pub(crate) seed: Option<u64>,
    /// Simulated time per run, with units, e.g. 30d, 1y [default: the scenario's `horizon`].
    #[arg(long, value_parser = parse_horizon)]
    pub(crate) horizon: Option<f64>,
    /// Stop a run after this many events (reported, never silent) [default: the scenario's].
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..))]
    pub(crate) max_events: Option<u64>,
    /// The strategy to simulate instead of the baseline: not a flag of its own here, but
    /// `--strategy` ([`Pick`]) of `run` and `trace`, copied in by [`super::execute`];
    /// `compare` and `sweep` run every strategy and do not have the flag.
    #[arg(skip)]
    pub(crate) strategy: Option<String>,
    /// Print nothing but the result: no progress bar, warnings or list of files written.
    #[arg(long, short)]
    pub(crate) quiet: bool,
    /// Treat warnings about the scenario (a model that cannot do what it says) as errors:
    /// print them and exit 2 without simulating.
    #[arg(long)]
    pub(crate) deny_warnings: bool,
}

/// How a command prints its result: tables (fitted to the terminal unless `--wide`), or
/// JSON.
#[derive(Args, Debug)]
pub(crate) struct Print {
    /// Print the machine-readable result (JSON) on stdout instead of tables.
    #[arg(long)]
    pub(crate) json: bool,
    /// Print tables at their full width even when the terminal is narrower (as they always
    /// are when stdout is not a terminal: a pipe or a file gets one stable layout).
    #[arg(long)]
    pub(crate) wide: bool,
}

impl Print {
    /// The tables' layout: fitted to the terminal's width when stdout is a terminal and
    /// `--wide` is not given, full width otherwise; every row with `all` (`--all`).
    pub(crate) fn layout(&self, all: bool) -> Layout {
        let width = (!self.wide && std::io::stdout().is_terminal())
            .then(terminal_size::terminal_size)
            .flatten()
            .map(|(w, _)| w.0);
        Layout { width, all }
    }
}

/// Which model `run` and `trace` simulate.
#[derive(Args, Debug)]
pub(crate) struct Pick {
    /// Simulate under this strategy instead of the baseline.
    #[arg(long, value_name = "NAME")]
    pub(crate) strategy: Option<String>,
}

/// Where the commands that write charts and reports put them.
#[derive(Args, Debug)]
pub(crate) struct Files {
    /// Directory for charts and reports [default: output/<scenario>/, under
    /// $FAULTLINE_OUTPUT instead of ./output when that is set].
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
}

impl Files {
    /// Where a command writes: `--out` as given, or by default
    /// `output/<file stem>/<what>/`, a folder named after the scenario file (not its
    /// `name:`) and the command that produced it (`compare`, `trace-run3-<strategy>`,
    /// `sweep-<path>-<metric>`), so that one study never overwrites or mixes with another.
    pub(crate) fn dir(&self, scenario: &Path, what: &str) -> PathBuf {
        self.out.clone().unwrap_or_else(|| {
            let stem = scenario
                .file_stem()
                .map_or_else(|| "scenario".into(), |s| s.to_string_lossy());
            output::default_dir(&stem).join(folder_name(what))
        })
    }
}

/// `what` as one folder name: `strategies[1].deploy` becomes `strategies-1.deploy`.
fn folder_name(what: &str) -> String {
    let mut s = String::new();
    for c in what.chars() {
        match c {
            ']' => {}
            c if c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | '+') => s.push(c),
            _ if !s.ends_with('-') => s.push('-'),
            _ => {}
        }
    }
    s
}

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

/// `--horizon`: a duration with units, as in the scenario file, and never zero (a run of no
/// time has nothing to say).
/// The largest Markov chain of a DFT built by default (`analyze --max-states`, and
/// `run --exact` on a `.dft`).
pub(crate) const MAX_STATES: usize = 1_000_000;

/// An attack time: a duration from the start of the run (0 allowed).
fn parse_at(s: &str) -> Result<f64, String> {
    let d = faultline_units::parse_duration(s).map_err(|e| e.to_string())?;
    if d >= 0.0 {
        Ok(d)
    } else {
        Err("an attack time cannot be negative".into())
    }
}

fn parse_horizon(s: &str) -> Result<f64, String> {
    let d = faultline_units::parse_duration(s).map_err(|e| e.to_string())?;
    if d > 0.0 {
        Ok(d)
    } else {
        Err("the horizon must be longer than zero".into())
    }
}
